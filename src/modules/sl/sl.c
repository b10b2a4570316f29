/*
 * sl: stateless replies from the routing script, the reply statistics, and the filter
 * that absorbs ACKs sent for our own stateless replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/msg/reply.h"
#include "core/net/forward.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "core/receive.h"
#include "core/route/program.h"
#include "../tm/tm_api.h"

/* modparams */
static int default_code = 500;
static char *default_reason = "Internal Server Error";
static int bind_tm = 1;
static int rich_redirect;
static char *event_callback_fl_ack;
static char *event_callback_lres_sent;

static const char *const bad_code = "the reply code must be from 100 to 699";
static const char *const bad_reason = "the reason phrase cannot contain line breaks";

/*
 * The statistics, with upstream's names and buckets: a code with a counter of its own
 * counts there only, the others in their class's; 1xx replies land in xxx_replies, as
 * upstream counts them.
 */
enum {
	ST_1XX, ST_200, ST_202, ST_2XX, ST_300, ST_301, ST_302, ST_3XX, ST_400, ST_401,
	ST_403, ST_404, ST_407, ST_408, ST_483, ST_4XX, ST_500, ST_5XX, ST_6XX, ST_XXX,
	ST_SENT, ST_SENT_ERR, ST_FAILURES, ST_ACKS, ST_COUNT
};

static const char *const stat_names[ST_COUNT] = {
	"1xx_replies", "200_replies", "202_replies", "2xx_replies", "300_replies",
	"301_replies", "302_replies", "3xx_replies", "400_replies", "401_replies",
	"403_replies", "404_replies", "407_replies", "408_replies", "483_replies",
	"4xx_replies", "500_replies", "5xx_replies", "6xx_replies", "xxx_replies",
	"sent_replies", "sent_err_replies", "failures", "received_ACKs",
};

static struct ksr_counter *stats[ST_COUNT];

/* tm, when loaded and bind_tm is on: send_reply() is stateful for a transaction's request */
static const struct tm_api *tm;

static void stat_inc(int which)
{
	if (stats[which])
		ksr_counter_add(stats[which], 1);
}

static int stat_of_code(unsigned int code)
{
	static const struct {
		unsigned int code;
		int stat;
	} own[] = {{200, ST_200}, {202, ST_202}, {300, ST_300}, {301, ST_301}, {302, ST_302},
		   {400, ST_400}, {401, ST_401}, {403, ST_403}, {404, ST_404}, {407, ST_407},
		   {408, ST_408}, {483, ST_483}, {500, ST_500}};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i].code == code)
			return own[i].stat;
	switch (code / 100) {
	case 2: return ST_2XX;
	case 3: return ST_3XX;
	case 4: return ST_4XX;
	case 5: return ST_5XX;
	case 6: return ST_6XX;
	}
	return ST_XXX;
}

/* The reason phrase's error, or NULL when it is fine. */
static const char *check_reason(struct ksr_str reason)
{
	return ksr_reply_reason_ok(reason) ? NULL : bad_reason;
}

/*
 * Constant parameters are checked once here; values of pseudo-variables on each call.
 * The constant code is kept in .i.
 */
static int fixup_reply(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic) {
		p[0].i = ksr_reply_code_parse(p[0].s);
		if (p[0].i < 100 || p[0].i > 699) {
			*ret_err = bad_code;
			return -EINVAL;
		}
	}
	if (!p[1].dynamic && (*ret_err = check_reason(p[1].s)))
		return -EINVAL;
	if (n == 3 && !p[2].dynamic && (p[2].i < 0 || p[2].i > 3)) {
		*ret_err = "the mode is a sum of flags: 1 (do not connect), 2 (close)";
		return -EINVAL;
	}
	return 0;
}

/* Send a stateless reply to msg, counting it; 1 or -1. */
static int reply(struct ksr_msg *msg, unsigned int code, struct ksr_str reason)
{
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	/* ACK is never answered (RFC 3261 17.2.1, 17.2.2) */
	if (msg->first.req.method_id == KSR_METHOD_ACK) {
		LM_DBG("not replying to ACK\n");
		return -1;
	}
	/* a redirect lists the destination set: the changed R-URI and the branches */
	if (code >= 300 && code < 400) {
		struct ksr_str line;

		r = ksr_dset_contact(msg, &line);
		if (r == 0)
			r = ksr_reply_add_hdrs(msg, line);
		if (r < 0 && r != -ENOENT) {
			LM_ERR("cannot add the redirect Contact: %s\n", strerror(-r));
			return -1;
		}
	}
	r = ksr_reply_send(msg, code, reason);
	if (r < 0) {
		stat_inc(ST_FAILURES);
		LM_ERR("sending %u reply failed: %s\n", code, strerror(-r));
		return -1;
	}
	stat_inc(stat_of_code(code));
	stat_inc(ST_SENT);
	return 1;
}

/* The code and reason of a call: a code that is not a number gets default_code. */
static int reply_args(const struct ksr_fparam *p, unsigned int *ret_code,
		      struct ksr_str *ret_reason)
{
	long code = p[0].dynamic ? ksr_reply_code_parse(p[0].s) : p[0].i;
	const char *why;

	if (p[0].dynamic && code < 0) {
		LM_ERR("reply code '%.*s' is not a number: replying %d\n", KSR_STR_FMT(p[0].s),
		       default_code);
		code = default_code;
	}
	if (code < 100 || code > 699) {
		LM_ERR("not replying: %s (code %ld)\n", bad_code, code);
		return -1;
	}
	/* a value from the message must not add header lines to the reply */
	if (p[1].dynamic && (why = check_reason(p[1].s))) {
		LM_ERR("not replying: %s\n", why);
		return -1;
	}
	*ret_code = (unsigned int)code;
	*ret_reason = p[1].s;
	return 0;
}

static int w_sl_send_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str reason;
	unsigned int code;

	if (reply_args(p, &code, &reason) < 0)
		return -1;
	return reply(msg, code, reason);
}

/* send_reply(): through the transaction when the request has one, else stateless. */
static int w_send_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str reason;
	unsigned int code;
	int r;

	if (reply_args(p, &code, &reason) < 0)
		return -1;
	if (tm && (r = tm->reply(msg, code, reason)) != -ENOENT)
		return r < 0 ? -1 : 1;
	return reply(msg, code, reason);
}

/*
 * send_reply_mode: 1 asks not to open a connection for the reply (ours never do: a
 * reply goes on the connection the request came on, or over UDP); 2 closes the
 * connection once the request has been handled.
 */
static int w_send_reply_mode(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str reason;
	unsigned int code;
	int r;

	if (p[2].i < 0 || p[2].i > 3) {
		LM_ERR("send_reply_mode: bad mode %ld\n", p[2].i);
		return -1;
	}
	if (reply_args(p, &code, &reason) < 0)
		return -1;
	if (!tm || (r = tm->reply(msg, code, reason)) == -ENOENT)
		r = reply(msg, code, reason);
	else
		r = r < 0 ? -1 : 1;
	if (r > 0 && (p[2].i & 2) && msg->rcv.conn)
		ksr_tcp_close_after(msg->rcv.conn);
	return r;
}

/*
 * sl_reply_error: the reply upstream derives from the last internal error. No core or
 * module function here records one yet, so it is upstream's reply for an unspecified
 * error.
 */
static int w_sl_reply_error(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	static char reason[] = "I'm terribly sorry, server error occurred (1/SL)";

	LM_ERR("stateless error reply used: %s\n", reason);
	return reply(msg, 500, ksr_str_make(reason, sizeof(reason) - 1));
}

/* sl_forward_reply([code[, reason]]): relay the reply now, its status changed if asked. */
static int forward_reply(struct ksr_msg *msg, const struct ksr_fparam *p, int n)
{
	long code;
	int r;

	if (msg->type != KSR_MSG_REPLY)
		return -1;
	if (n >= 1) {
		code = ksr_reply_code_parse(p[0].s);
		/* a relayed reply may change its code within its class only */
		if (code < 100 || code > 699 || code / 100 != msg->first.rpl.code / 100) {
			LM_ERR("sl_forward_reply: code '%.*s' is not of the %ux class of the reply\n",
			       KSR_STR_FMT(p[0].s), msg->first.rpl.code / 100);
			return -1;
		}
		if (ksr_msg_replace_range(msg, msg->first.rpl.status.s, msg->first.rpl.status.len,
					  p[0].s) < 0)
			return -1;
	}
	if (n >= 2) {
		if (check_reason(p[1].s)) {
			LM_ERR("sl_forward_reply: %s\n", bad_reason);
			return -1;
		}
		if (ksr_msg_replace_range(msg, msg->first.rpl.reason.s, msg->first.rpl.reason.len,
					  p[1].s) < 0)
			return -1;
	}
	r = ksr_forward_reply(msg);
	return r < 0 ? -1 : 1;
}

static int w_sl_forward_reply0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_reply(msg, p, 0);
}

static int w_sl_forward_reply1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_reply(msg, p, 1);
}

static int w_sl_forward_reply2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_reply(msg, p, 2);
}

static int fixup_forward_reply(struct ksr_fparam *p, int n, const char **ret_err)
{
	long code;

	if (n >= 1 && !p[0].dynamic && ((code = ksr_reply_code_parse(p[0].s)) < 100 || code > 699)) {
		*ret_err = bad_code;
		return -EINVAL;
	}
	if (n >= 2 && !p[1].dynamic && (*ret_err = check_reason(p[1].s)))
		return -EINVAL;
	return 0;
}

/*
 * ACKs to our own replies end here (upstream absorbs them the same way): their To tag
 * carries the prefix of our local tags. event_route[sl:filtered-ack] runs for each.
 */
static bool filter_ack(struct ksr_msg *msg)
{
	struct ksr_nameaddr *to;
	struct ksr_program *prog;
	struct ksr_route *rt;

	if (msg->first.req.method_id != KSR_METHOD_ACK || ksr_msg_to(msg, &to) < 0 ||
	    !to->has_tag || !ksr_reply_is_local_tag(to->tag))
		return true;
	stat_inc(ST_ACKS);
	LM_DBG("ACK to a local reply absorbed\n");
	prog = ksr_program_acquire();
	if (prog && (rt = ksr_program_find_event_route(prog, "sl:filtered-ack")))
		ksr_run_route(prog, rt, msg, KSR_ROUTE_EVENT);
	ksr_program_unref(prog);
	return false;
}

/*
 * sl.stats: the reply counters under upstream's short names, one struct. Upstream counts
 * 1xx replies with xxx; so does stat_of_code.
 */
static void rpc_stats(struct ksr_rpc_ctx *ctx)
{
	static const struct {
		const char *name;
		int stat;
	} shown[] = {{"200", ST_200}, {"202", ST_202}, {"2xx", ST_2XX}, {"300", ST_300},
		     {"301", ST_301}, {"302", ST_302}, {"3xx", ST_3XX}, {"400", ST_400},
		     {"401", ST_401}, {"403", ST_403}, {"404", ST_404}, {"407", ST_407},
		     {"408", ST_408}, {"483", ST_483}, {"4xx", ST_4XX}, {"500", ST_500},
		     {"5xx", ST_5XX}, {"6xx", ST_6XX}, {"xxx", ST_XXX}};
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	for (size_t i = 0; st && i < sizeof(shown) / sizeof(shown[0]); i++)
		ksr_rpc_add_int(ctx, st, shown[i].name,
				stats[shown[i].stat] ? ksr_counter_get(stats[shown[i].stat]) : 0);
}

static const struct ksr_rpc_export rpcs[] = {
	{"sl.stats", rpc_stats, "Print reply statistics."},
	{0},
};

static int mod_init(void)
{
	int r;

	if (rich_redirect)
		LM_WARN("modparam rich_redirect has no effect yet\n");
	if (event_callback_fl_ack || event_callback_lres_sent)
		LM_WARN("modparams event_callback_* have no effect: no KEMI engine is loaded\n");
	tm = bind_tm ? ksr_api_bind("tm") : NULL;
	for (int i = 0; i < ST_COUNT; i++) {
		r = ksr_counter_register("sl", stat_names[i], NULL, &stats[i]);
		if (r == -EEXIST) {
			/* a second mod_init in one process (tests): the counter is there */
			stats[i] = ksr_counter_lookup(ksr_str_make("sl", 2),
						      ksr_str_make((char *)stat_names[i],
								   strlen(stat_names[i])));
		} else if (r < 0) {
			LM_ERR("cannot register statistic %s: %s\n", stat_names[i], strerror(-r));
			return r;
		}
	}
	return ksr_receive_add_request_filter(filter_ack);
}

static void destroy(void)
{
	memset(stats, 0, sizeof(stats));
}

#define REPLY_ROUTES (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)

static const struct ksr_cmd_export cmds[] = {
	{.name = "sl_send_reply",
	 .func = w_sl_send_reply,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_reply,
	 .route_types = REPLY_ROUTES},
	/* stateful when the request has a transaction (tm loaded, bind_tm on) */
	{.name = "send_reply",
	 .func = w_send_reply,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_reply,
	 .route_types = KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE},
	{.name = "send_reply_mode",
	 .func = w_send_reply_mode,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_reply,
	 .route_types = KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE},
	{.name = "sl_reply_error",
	 .func = w_sl_reply_error,
	 .params = {KSR_PT_NONE},
	 .route_types = KSR_ROUTE_REQUEST},
	/* stateful with a transaction upstream: there is none yet, so as sl_reply_error */
	{.name = "send_reply_error",
	 .func = w_sl_reply_error,
	 .params = {KSR_PT_NONE},
	 .route_types = KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE},
	{.name = "sl_forward_reply",
	 .func = w_sl_forward_reply0,
	 .params = {KSR_PT_NONE},
	 .route_types = KSR_ROUTE_ONREPLY},
	{.name = "sl_forward_reply",
	 .func = w_sl_forward_reply1,
	 .params = {KSR_PT_STR},
	 .fixup = fixup_forward_reply,
	 .route_types = KSR_ROUTE_ONREPLY},
	{.name = "sl_forward_reply",
	 .func = w_sl_forward_reply2,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_forward_reply,
	 .route_types = KSR_ROUTE_ONREPLY},
	{0},
};

static const struct ksr_param_export params[] = {
	{"default_code", KSR_MP_INT, &default_code, NULL},
	{"default_reason", KSR_MP_STR, &default_reason, NULL},
	{"bind_tm", KSR_MP_INT, &bind_tm, NULL},
	{"rich_redirect", KSR_MP_INT, &rich_redirect, NULL},
	{"event_callback_fl_ack", KSR_MP_STR, &event_callback_fl_ack, NULL},
	{"event_callback_lres_sent", KSR_MP_STR, &event_callback_lres_sent, NULL},
	{0},
};

KSR_MODULE(.name = "sl", .cmds = cmds, .params = params, .rpcs = rpcs, .mod_init = mod_init,
	   .destroy = destroy);
