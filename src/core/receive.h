/* The message path: from received bytes to the routing script. */
#ifndef KSR_CORE_RECEIVE_H
#define KSR_CORE_RECEIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/parser/msg-t.h"

/*
 * Handle one received message: parse it, answer 400 to a malformed request where a reply
 * can be built (drop it otherwise), and run request_route on good requests. buf must
 * have room for len + 1 bytes. Memory comes from arena, which the caller resets.
 */
void ksr_receive(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena);

/*
 * A module's look at each valid request before request_route runs (upstream's pre-script
 * callbacks): returning false absorbs the request, and the script does not run for it.
 * Registered in mod_init; at most KSR_MAX_REQUEST_FILTERS. 0 or -ENOSPC.
 */
typedef bool (*ksr_request_filter_fn)(struct ksr_msg *msg);
#define KSR_MAX_REQUEST_FILTERS 8
int ksr_receive_add_request_filter(ksr_request_filter_fn fn);
/* Forget the filters (before the modules are unloaded). */
void ksr_receive_clear_request_filters(void);

/*
 * A module's handling of received replies (tm's transactions): after reply_route has run
 * and kept the reply, each handler in turn may take it (return true), and then the core
 * does not relay it statelessly. Registered in mod_init; at most KSR_MAX_REPLY_HANDLERS.
 * 0 or -ENOSPC.
 */
typedef bool (*ksr_reply_handler_fn)(struct ksr_msg *msg);
#define KSR_MAX_REPLY_HANDLERS 4
int ksr_receive_add_reply_handler(ksr_reply_handler_fn fn);
/* Forget a handler (from the module's destroy). */
void ksr_receive_del_reply_handler(ksr_reply_handler_fn fn);

/*
 * Called once a received request has been processed (upstream's post-script callbacks:
 * tmx forgets the request it was tracking). At most KSR_MAX_DONE_HANDLERS, registered in
 * mod_init. 0 or -ENOSPC.
 */
typedef void (*ksr_done_handler_fn)(struct ksr_msg *msg);
#define KSR_MAX_DONE_HANDLERS 4
int ksr_receive_add_done_handler(ksr_done_handler_fn fn);
void ksr_receive_del_done_handler(ksr_done_handler_fn fn);

/*
 * Another protocol on the SIP stream listeners (xhttp's HTTP/1.x on the TCP ones): a
 * module registers a handler that claims a new connection by its first line; from then
 * on the bytes of that connection go to the handler instead of the SIP parser. SIP over
 * the connections no handler claims is untouched.
 */
struct ksr_stream_handler {
	const char *name;
	/* Whether a connection whose first line is line[0..len) (line end excluded) is ours. */
	bool (*claim)(const char *line, size_t len);
	/*
	 * Handle the first message in buf[0..len), the bytes of a claimed connection not yet
	 * consumed (rcv->conn is the connection, for answers): the count of bytes it took, 0
	 * to wait for more, or -errno to close the connection. Memory from arena, which the
	 * caller resets.
	 */
	long (*process)(char *buf, size_t len, const struct ksr_rcv_info *rcv,
	                struct ksr_arena *arena);
};
#define KSR_MAX_STREAM_HANDLERS 4
/* From mod_init; 0 or -ENOSPC. The handler must live until it is taken out. */
int ksr_receive_add_stream_handler(const struct ksr_stream_handler *h);
/* Take a handler out (from the module's destroy, once the workers have stopped). */
void ksr_receive_del_stream_handler(const struct ksr_stream_handler *h);
/* Whether any handler is registered: without one, connections are SIP from the start. */
bool ksr_receive_stream_handlers(void);
/* The handler claiming a connection whose first line is line[0..len), or NULL (SIP). */
const struct ksr_stream_handler *ksr_receive_stream_claim(const char *line, size_t len);

#endif
