/* Receive-time validation: what every message must satisfy before a script sees it. */
#include "core/msg/check.h"

#include <errno.h>

#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"

/*
 * A reply can be sent when the top Via can be read (where it goes) and there is a CSeq
 * (copied as received: with the Via branch, how the client matches it, RFC 3261 17.1.3).
 */
static bool can_reply(struct ksr_msg *msg)
{
	struct ksr_via *via;

	return msg->type == KSR_MSG_REQUEST && msg->first.req.method_id != KSR_METHOD_ACK &&
	       ksr_msg_via1(msg, &via) == 0 && msg->h_cseq;
}

/* The headers every transaction needs, parsed and checked. NULL when all is well. */
static const char *check_common(struct ksr_msg *msg)
{
	struct ksr_nameaddr *na;
	struct ksr_cseq *cseq;
	struct ksr_via *via;
	unsigned int maxfwd;

	if (ksr_msg_via1(msg, &via) < 0)
		return msg->h_via1 ? "malformed Via" : "missing Via";
	if (ksr_msg_from(msg, &na) < 0)
		return msg->h_from ? "malformed From" : "missing From";
	if (ksr_msg_to(msg, &na) < 0)
		return msg->h_to ? "malformed To" : "missing To";
	if (!msg->h_callid || msg->h_callid->body.len == 0)
		return "missing Call-ID";
	if (ksr_msg_cseq(msg, &cseq) < 0)
		return msg->h_cseq ? "malformed CSeq" : "missing CSeq";
	if (msg->h_maxfwd && ksr_msg_maxfwd(msg, &maxfwd) < 0)
		return "malformed Max-Forwards";
	return NULL;
}

static const char *check_request(struct ksr_msg *msg)
{
	struct ksr_cseq *cseq;
	struct ksr_uri *ruri;
	const char *why;
	int r;

	r = ksr_msg_ruri(msg, &ruri);
	if (r < 0)
		return r == -E2BIG ? "Request-URI too long" : "malformed Request-URI";
	why = check_common(msg);
	if (why)
		return why;
	ksr_msg_cseq(msg, &cseq);
	if (!ksr_str_eq(&cseq->method, &msg->first.req.method))
		return "CSeq method does not match the request method";
	return NULL;
}

static void verdict(struct ksr_msg *msg, unsigned int code, const char *reason, const char *why,
		    struct ksr_msg_check *ret)
{
	ret->why = why;
	if (can_reply(msg)) {
		ret->verdict = KSR_VERDICT_REPLY;
		ret->code = code;
		ret->reason = reason;
	} else {
		ret->verdict = KSR_VERDICT_DROP;
	}
}

void ksr_msg_check(struct ksr_msg *msg, int parse_result, const char *parse_err,
		   struct ksr_msg_check *ret)
{
	const char *why;

	*ret = (struct ksr_msg_check){.verdict = KSR_VERDICT_ACCEPT};
	if (parse_result == -EPROTONOSUPPORT) {
		verdict(msg, 505, "Version Not Supported", parse_err, ret);
		return;
	}
	if (parse_result == -E2BIG) {
		/* over a limit: the headers were not all read, so no reply can copy them */
		ret->verdict = KSR_VERDICT_DROP;
		ret->why = parse_err ? parse_err : "over a limit";
		return;
	}
	if (parse_result < 0) {
		verdict(msg, 400, "Bad Request", parse_err ? parse_err : "malformed message", ret);
		return;
	}
	if (msg->type == KSR_MSG_REPLY) {
		/* a reply the proxy cannot match or relay is dropped, never answered */
		why = check_common(msg);
		if (why || msg->first.rpl.code > 699) {
			ret->verdict = KSR_VERDICT_DROP;
			ret->why = why ? why : "status code over 699";
		}
		return;
	}
	why = check_request(msg);
	if (why)
		verdict(msg, 400, "Bad Request", why, ret);
}
