/* What the receive path does with a message before any script runs. */
#ifndef KSR_CORE_MSG_CHECK_H
#define KSR_CORE_MSG_CHECK_H

#include "core/parser/msg-t.h"

enum ksr_verdict {
	KSR_VERDICT_ACCEPT = 0, /* run the routing script */
	KSR_VERDICT_REPLY, /* answer with code/reason (400, 505) and stop */
	KSR_VERDICT_DROP, /* no reply can be built, or it is a reply: drop it */
};

struct ksr_msg_check {
	enum ksr_verdict verdict;
	unsigned int code; /* KSR_VERDICT_REPLY */
	const char *reason; /* KSR_VERDICT_REPLY: the reason phrase */
	const char *why; /* not ACCEPT: what was wrong, for the log */
};

/*
 * Judge a message after ksr_msg_parse() returned parse_result (with parse_err): for
 * requests, the Request-URI and the headers every transaction needs (Via, From, To,
 * Call-ID, CSeq with its method matching, Max-Forwards, Content-Length) are parsed and
 * checked. A bad version gets 505; other faults 400 when a reply can be built, else a
 * drop; a bad reply is dropped.
 */
void ksr_msg_check(struct ksr_msg *msg, int parse_result, const char *parse_err,
		   struct ksr_msg_check *ret);

#endif
