/*
 * What xhttp offers other modules (ksr_api_bind(XHTTP_API_NAME)): jsonrpcs'
 * jsonrpc_dispatch() and xhttp_prom's prom_dispatch() answer HTTP requests through it.
 */
#ifndef KSR_MODULES_XHTTP_XHTTP_API_H
#define KSR_MODULES_XHTTP_XHTTP_API_H

#include <stdbool.h>

#include "core/parser/msg-t.h"

#define XHTTP_API_NAME "xhttp"

struct xhttp_api {
	/*
	 * Answer msg, the HTTP request event_route[xhttp:request] runs for: status code
	 * (200..599), reason, Content-Type (empty: none) and body. 0; -EINVAL when msg is
	 * not an HTTP request or a value cannot be sent (a line end in the reason), -EALREADY
	 * when it has been answered, another -errno when sending failed.
	 */
	int (*reply)(struct ksr_msg *msg, int code, struct ksr_str reason, struct ksr_str ctype,
	             struct ksr_str body);
	/* Whether msg is an HTTP request xhttp received (and has not answered yet). */
	bool (*is_request)(const struct ksr_msg *msg);
};

#endif
