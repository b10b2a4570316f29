/* The message path: from received bytes to the routing script. */
#include "core/receive.h"

#include "core/log.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/route/program.h"

/* Answer a malformed request with 400 when its Via can be read; drop it otherwise. */
static void reject(struct ksr_msg *msg, const char *why)
{
	struct ksr_via *via;
	char src[80];

	ksr_sockaddr_str((struct sockaddr *)&msg->rcv.src, src, sizeof(src));
	if (msg->type == KSR_MSG_REQUEST && msg->first.req.method_id != KSR_METHOD_ACK &&
	    ksr_msg_via1(msg, &via) == 0) {
		LM_WARN("bad request from %s: %s, replying 400\n", src, why);
		ksr_reply_send(msg, 400, KSR_STR_STATIC("Bad Request"));
		return;
	}
	LM_WARN("bad message from %s: %s, dropped\n", src, why);
}

/* RFC 3261 8.1.1: what every request carries; the core relies on them to reply. */
static const char *check_request(struct ksr_msg *msg)
{
	struct ksr_nameaddr *na;
	struct ksr_cseq *cseq;
	struct ksr_via *via;

	if (ksr_msg_via1(msg, &via) < 0)
		return msg->h_via1 ? "malformed Via" : "missing Via";
	if (!msg->h_from || ksr_msg_from(msg, &na) < 0)
		return msg->h_from ? "malformed From" : "missing From";
	if (!msg->h_to || ksr_msg_to(msg, &na) < 0)
		return msg->h_to ? "malformed To" : "missing To";
	if (!msg->h_callid || msg->h_callid->body.len == 0)
		return "missing Call-ID";
	if (!msg->h_cseq || ksr_msg_cseq(msg, &cseq) < 0)
		return msg->h_cseq ? "malformed CSeq" : "missing CSeq";
	if (cseq->method.len != msg->first.req.method.len ||
	    memcmp(cseq->method.s, msg->first.req.method.s, cseq->method.len) != 0)
		return "CSeq method does not match the request method";
	return NULL;
}

void ksr_receive(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena)
{
	struct ksr_program *prog;
	struct ksr_msg msg;
	const char *why = "malformed";
	int r;

	buf[len] = '\0';
	r = ksr_msg_parse(&msg, buf, len, arena, &why);
	msg.rcv = *rcv;
	if (r < 0) {
		reject(&msg, why);
		return;
	}
	if (msg.type == KSR_MSG_REPLY) {
		/* relaying replies comes with stateless forwarding */
		LM_DBG("reply %u received, no route for replies yet: dropped\n",
		       msg.first.rpl.code);
		return;
	}
	why = check_request(&msg);
	if (why) {
		reject(&msg, why);
		return;
	}
	prog = ksr_program_acquire();
	if (!prog)
		return;
	ksr_run_request(prog, &msg);
	ksr_program_unref(prog);
}
