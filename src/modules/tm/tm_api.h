/* What tm offers other modules (ksr_api_bind("tm")): sl's send_reply() replies through it. */
#ifndef KSR_MODULES_TM_TM_API_H
#define KSR_MODULES_TM_TM_API_H

#include "core/parser/msg-t.h"

struct tm_api {
	/*
	 * Reply statefully to msg when it has a transaction (t_newtran): 0 sent, -ENOENT
	 * without a transaction, other -errno on failure.
	 */
	int (*reply)(struct ksr_msg *msg, unsigned int code, struct ksr_str reason);
};

#endif
