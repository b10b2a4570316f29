/* The message path: from received bytes to the routing script. */
#include "core/receive.h"

#include <errno.h>

#include "core/cfg/cfg.h"
#include "core/cfg/rtcfg.h"
#include "core/core_stats.h"
#include "core/log.h"
#include "core/msg/check.h"
#include "core/net/forward.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/program.h"

#define MAX_LOG_PREFIX 256 /* an evaluated log_prefix longer than this is cut */

/* Set at startup, before the workers run: read without a lock. */
static ksr_request_filter_fn filters[KSR_MAX_REQUEST_FILTERS];
static int nfilters;

int ksr_receive_add_request_filter(ksr_request_filter_fn fn)
{
	if (nfilters == KSR_MAX_REQUEST_FILTERS)
		return -ENOSPC;
	filters[nfilters++] = fn;
	return 0;
}

void ksr_receive_clear_request_filters(void)
{
	nfilters = 0;
}

static ksr_reply_handler_fn reply_handlers[KSR_MAX_REPLY_HANDLERS];
static int nreply_handlers;

int ksr_receive_add_reply_handler(ksr_reply_handler_fn fn)
{
	if (nreply_handlers == KSR_MAX_REPLY_HANDLERS)
		return -ENOSPC;
	reply_handlers[nreply_handlers++] = fn;
	return 0;
}

void ksr_receive_del_reply_handler(ksr_reply_handler_fn fn)
{
	for (int i = 0; i < nreply_handlers; i++) {
		if (reply_handlers[i] == fn) {
			reply_handlers[i] = reply_handlers[--nreply_handlers];
			return;
		}
	}
}

static ksr_done_handler_fn done_handlers[KSR_MAX_DONE_HANDLERS];
static int ndone_handlers;

int ksr_receive_add_done_handler(ksr_done_handler_fn fn)
{
	if (ndone_handlers == KSR_MAX_DONE_HANDLERS)
		return -ENOSPC;
	done_handlers[ndone_handlers++] = fn;
	return 0;
}

void ksr_receive_del_done_handler(ksr_done_handler_fn fn)
{
	for (int i = 0; i < ndone_handlers; i++) {
		if (done_handlers[i] == fn) {
			done_handlers[i] = done_handlers[--ndone_handlers];
			return;
		}
	}
}

/* Set at startup (mod_init) and at stop, when no worker reads: read without a lock. */
static const struct ksr_stream_handler *stream_handlers[KSR_MAX_STREAM_HANDLERS];
static int nstream_handlers;

int ksr_receive_add_stream_handler(const struct ksr_stream_handler *h)
{
	if (nstream_handlers == KSR_MAX_STREAM_HANDLERS)
		return -ENOSPC;
	stream_handlers[nstream_handlers++] = h;
	return 0;
}

void ksr_receive_del_stream_handler(const struct ksr_stream_handler *h)
{
	for (int i = 0; i < nstream_handlers; i++) {
		if (stream_handlers[i] == h) {
			stream_handlers[i] = stream_handlers[--nstream_handlers];
			return;
		}
	}
}

bool ksr_receive_stream_handlers(void)
{
	return nstream_handlers > 0;
}

const struct ksr_stream_handler *ksr_receive_stream_claim(const char *line, size_t len)
{
	for (int i = 0; i < nstream_handlers; i++)
		if (stream_handlers[i]->claim(line, len))
			return stream_handlers[i];
	return NULL;
}

static bool filters_pass(struct ksr_msg *msg)
{
	for (int i = 0; i < nfilters; i++)
		if (!filters[i](msg))
			return false;
	return true;
}

/* log_prefix applies to the lines logged while a message is processed, as upstream. */
static void log_prefix_set(struct ksr_msg *msg)
{
	struct ksr_str s;

	if (!ksr_core_cfg.log_prefix)
		return;
	if (!ksr_core_cfg.log_prefix_fmt) {
		ksr_log_set_prefix(ksr_core_cfg.log_prefix, strlen(ksr_core_cfg.log_prefix));
		return;
	}
	if (ksr_pv_fmt_eval(msg, ksr_core_cfg.log_prefix_fmt, &s) == 0)
		ksr_log_set_prefix(s.s, s.len < MAX_LOG_PREFIX ? s.len : MAX_LOG_PREFIX);
}

/*
 * A valid reply: the core's reply_route runs on it, then, unless it dropped the reply, a
 * module may take it (tm, for its transactions); else it is relayed statelessly to the
 * hop its next Via names (when the top Via is ours).
 */
static void receive_reply(struct ksr_msg *msg)
{
	struct ksr_program *prog = ksr_program_acquire();
	enum ksr_run_status st = KSR_RUN_END;

	if (prog && prog->reply_route)
		st = ksr_run_route(prog, prog->reply_route, msg, KSR_ROUTE_ONREPLY);
	ksr_program_unref(prog);
	if (st == KSR_RUN_DROP) {
		LM_DBG("reply %u dropped by reply_route\n", msg->first.rpl.code);
		ksr_core_stat_inc(KSR_STAT_DROP_REPLIES);
		return;
	}
	for (int i = 0; i < nreply_handlers; i++)
		if (reply_handlers[i](msg))
			return;
	ksr_forward_reply(msg);
}

void ksr_receive(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena)
{
	struct ksr_program *prog;
	struct ksr_msg_check chk;
	struct ksr_msg msg;
	const char *why = NULL;
	char src[80];
	int r;

	/* runtime config changes (cfg.seti) apply from the next message on */
	ksr_rtcfg_update();
	buf[len] = '\0';
	r = ksr_msg_parse(&msg, buf, len, arena, &why);
	msg.rcv = *rcv;
	ksr_msg_check(&msg, r, why, &chk);
	if (chk.verdict == KSR_VERDICT_ACCEPT)
		ksr_core_stats_received(&msg);
	else
		ksr_core_stats_refused(&msg, &chk);
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
	log_prefix_set(&msg);
	if (msg.type == KSR_MSG_REPLY) {
		receive_reply(&msg);
	} else if (filters_pass(&msg) && (prog = ksr_program_acquire())) {
		ksr_run_request(prog, &msg);
		ksr_program_unref(prog);
		for (int i = 0; i < ndone_handlers; i++)
			done_handlers[i](&msg);
	}
	ksr_log_set_prefix(NULL, 0);
}
