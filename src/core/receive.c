/* The message path: from received bytes to the routing script. */
#include "core/receive.h"

#include "core/log.h"
#include "core/msg/check.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/route/program.h"

void ksr_receive(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena)
{
	struct ksr_program *prog;
	struct ksr_msg_check chk;
	struct ksr_msg msg;
	const char *why = NULL;
	char src[80];
	int r;

	buf[len] = '\0';
	r = ksr_msg_parse(&msg, buf, len, arena, &why);
	msg.rcv = *rcv;
	ksr_msg_check(&msg, r, why, &chk);
	switch (chk.verdict) {
	case KSR_VERDICT_ACCEPT:
		break;
	case KSR_VERDICT_REPLY:
		LM_WARN("bad request from %s: %s, replying %u\n",
			ksr_sockaddr_str((struct sockaddr *)&msg.rcv.src, src, sizeof(src)), chk.why,
			chk.code);
		ksr_reply_send(&msg, chk.code, ksr_str_make((char *)chk.reason, strlen(chk.reason)));
		return;
	case KSR_VERDICT_DROP:
		LM_WARN("bad %s from %s: %s, dropped\n",
			msg.type == KSR_MSG_REPLY ? "reply" : "message",
			ksr_sockaddr_str((struct sockaddr *)&msg.rcv.src, src, sizeof(src)), chk.why);
		return;
	}
	if (msg.type == KSR_MSG_REPLY) {
		/* relaying replies comes with stateless forwarding */
		LM_DBG("reply %u received, no route for replies yet: dropped\n",
		       msg.first.rpl.code);
		return;
	}
	prog = ksr_program_acquire();
	if (!prog)
		return;
	ksr_run_request(prog, &msg);
	ksr_program_unref(prog);
}
