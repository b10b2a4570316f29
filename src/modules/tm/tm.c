/*
 * tm: the module's export table, parameters and script functions: the server side
 * (t_newtran, t_reply, t_send_reply, t_release, t_check_trans, t_lookup_request,
 * t_lookup_cancel, t_retransmit_reply), stateful forwarding (t_relay and its variants,
 * t_on_failure, t_on_reply, t_on_branch, t_set_fr, t_reset_fr), the state tests
 * (t_check_status, t_is_canceled, t_any_timeout, t_any_replied, t_branch_timeout,
 * t_branch_replied, t_is_set). tmx builds on it (tm_api.h).
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/receive.h"
#include "core/route/program.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"
#include "t_script.h"
#include "tm.h"
#include "tm_api.h"

int tm_fr_timer = 30000, tm_fr_inv_timer = 120000, tm_wt_timer = 5000;
int tm_retr_timer1 = 500, tm_retr_timer2 = 4000;
int tm_max_inv_lifetime = 180000, tm_max_noninv_lifetime = 32000, tm_auto_inv_100 = 1;
char *tm_auto_inv_100_reason = "trying -- your call is important to us";

static int fixup_reply(struct ksr_fparam *p, int n, const char **ret_err)
{
	long code;

	if (!p[0].dynamic && ((code = ksr_reply_code_parse(p[0].s)) < 100 || code > 699)) {
		*ret_err = "the reply code must be from 100 to 699";
		return -EINVAL;
	}
	if (!p[1].dynamic && !ksr_reply_reason_ok(p[1].s)) {
		*ret_err = "the reason phrase cannot contain line breaks";
		return -EINVAL;
	}
	return 0;
}

/* Where t's replies go: over TCP the peer, else what RFC 3261 18.2.2 / RFC 3581 say. */
static int set_source(struct tm_cell *t, struct ksr_msg *msg)
{
	t->proto = msg->rcv.proto ? msg->rcv.proto : IPPROTO_UDP;
	t->listener = msg->rcv.listener;
	if (t->proto == IPPROTO_TCP) {
		memcpy(&t->to, &msg->rcv.src, msg->rcv.src_len);
		t->to_len = msg->rcv.src_len;
		return 0;
	}
	return ksr_reply_dest(msg, &t->to, &t->to_len);
}

/*
 * The transaction of msg, new or found: 1 new (msg carries it), 0 when msg is a
 * retransmission (answered with the last reply) or an ACK tm absorbed, -1 on error.
 */
int tm_newtran(struct ksr_msg *msg)
{
	struct tm_cell *t, *old;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (tm_of_msg(msg))
		return 1;
	if (msg->first.req.method_id == KSR_METHOD_ACK) {
		t = tm_lookup(msg);
		if (!t) {
			/* an ACK makes no transaction; to a 2xx of ours, it is an event */
			tm_cb_e2e_ack(msg);
			return -1;
		}
		tm_ack(t);
		tm_unref(t);
		return 0;
	}
	t = tm_insert(msg, &old);
	if (!t) {
		if (!old) {
			LM_ERR("cannot create a transaction\n");
			return -1;
		}
		LM_DBG("a retransmission: the last reply goes again\n");
		tm_resend_reply(old);
		tm_unref(old);
		return 0;
	}
	if (set_source(t, msg) < 0 || tm_set_msg(msg, t) < 0) {
		tm_remove(t);
		tm_unref(t);
		return -1;
	}
	/* other modules see it before any reply goes (acc registers its callbacks) */
	t->req_flags = msg->flags;
	tm_cb_request_in(t, msg);
	/* the end when no final reply comes; a final reply re-arms it */
	tm_set_end(t, (unsigned int)(t->invite ? tm_max_inv_lifetime : tm_max_noninv_lifetime));
	if (t->invite && tm_auto_inv_100)
		tm_reply(t, msg, 100, ksr_str_make(tm_auto_inv_100_reason,
						   strlen(tm_auto_inv_100_reason)));
	/* the table and the end timer hold it from here: msg borrows it */
	tm_unref(t);
	return 1;
}

static int w_t_newtran(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return tm_newtran(msg);
}

static int reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = tm_of_msg(msg);
	long code = ksr_reply_code_parse(p[0].s);

	if (!t) {
		LM_ERR("t_reply: no transaction (t_newtran first)\n");
		return -1;
	}
	if (code < 100 || code > 699 || !ksr_reply_reason_ok(p[1].s)) {
		LM_ERR("t_reply: bad code '%.*s' or reason\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return tm_reply(t, msg, (unsigned int)code, p[1].s) < 0 ? -1 : 1;
}

static int w_t_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return reply(msg, p);
}

/* t_send_reply: the transaction made when there is none, then the reply. */
static int w_t_send_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r = tm_newtran(msg);

	return r <= 0 ? r : reply(msg, p);
}

static int w_t_release(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = tm_of_msg(msg);

	if (!t)
		return -1;
	ksr_timer_del(&t->retr);
	tm_remove(t);
	return 1;
}

/* As upstream's README says, per kind of message. */
static int w_t_check_trans(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t;

	if (msg->type != KSR_MSG_REQUEST)
		return -1; /* replies: client transactions come with t_relay */
	if (msg->first.req.method_id == KSR_METHOD_CANCEL) {
		t = tm_lookup_cancel(msg);
		tm_unref(t);
		return t ? 1 : -1;
	}
	t = tm_lookup(msg);
	if (!t)
		return -1;
	if (msg->first.req.method_id == KSR_METHOD_ACK)
		tm_ack(t);
	else
		tm_resend_reply(t);
	tm_unref(t);
	return 0;
}

static int w_t_lookup_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = msg->type == KSR_MSG_REQUEST ? tm_lookup(msg) : NULL;

	tm_unref(t);
	return t ? 1 : -1;
}

static int w_t_lookup_cancel(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = tm_lookup_cancel(msg);

	tm_unref(t);
	return t ? 1 : -1;
}

static int w_t_retransmit_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = tm_of_msg(msg);

	if (!t)
		return -1;
	tm_resend_reply(t);
	return 1;
}

/* For sl's send_reply(): stateful when the message has a transaction. */
static int api_reply(struct ksr_msg *msg, unsigned int code, struct ksr_str reason)
{
	struct tm_cell *t = tm_of_msg(msg);

	return t ? tm_reply(t, msg, code, reason) : -ENOENT;
}

static const struct tm_api api = {
        .reply = api_reply,
        .info = tm_api_info,
        .exists = tm_api_exists,
        .cancel_branches = tm_api_cancel_branches,
        .flush_flags = tm_api_flush_flags,
        .by_callid = tm_api_by_callid,
        .request_of = tm_api_request_of,
        .reply_of = tm_api_reply_of,
        .register_cb = tm_register_cb,
};

static int mod_init(void)
{
	int r;

	if (tm_retr_timer1 < 1 || tm_retr_timer2 < tm_retr_timer1 || tm_wt_timer < 1 ||
	    tm_fr_timer < 1 || tm_fr_inv_timer < 1) {
		LM_ERR("timers: 0 < retr_timer1 <= retr_timer2, and wt_timer, fr_timer, "
		       "fr_inv_timer above 0\n");
		return -EINVAL;
	}
	if (tm_failure_reply_mode < 0 || tm_failure_reply_mode > 3) {
		LM_ERR("failure_reply_mode must be 0, 1, 2 or 3\n");
		return -EINVAL;
	}
	if ((r = tm_table_init()) < 0 || (r = tm_stats_init()) < 0 || (r = tm_cfg_declare()) < 0)
		return r;
	return ksr_receive_add_reply_handler(tm_reply_received);
}

static void destroy(void)
{
	tm_cfg_undeclare();
	ksr_receive_del_reply_handler(tm_reply_received);
	tm_table_destroy();
	tm_cbs_clear();
}

#define REQ KSR_ROUTE_REQUEST
#define REQ_FAIL (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE)
#define REQ_FAIL_BR (REQ_FAIL | KSR_ROUTE_BRANCH)
#define TM_ROUTES (REQ_FAIL_BR | KSR_ROUTE_ONREPLY)
#define STR KSR_PT_STR
#define INT KSR_PT_INT

/* The route types are upstream's. */
static const struct ksr_cmd_export cmds[] = {
        {"t_newtran", w_t_newtran, {KSR_PT_NONE}, NULL, REQ},
        {"t_reply", w_t_reply, {STR, STR}, fixup_reply, REQ_FAIL},
        {"t_send_reply", w_t_send_reply, {STR, STR}, fixup_reply, REQ_FAIL},
        {"t_release", w_t_release, {KSR_PT_NONE}, NULL, REQ},
        {"t_check_trans", w_t_check_trans, {KSR_PT_NONE}, NULL, REQ | KSR_ROUTE_ONREPLY},
        {"t_lookup_request", w_t_lookup_request, {KSR_PT_NONE}, NULL, REQ},
        {"t_lookup_cancel", w_t_lookup_cancel, {KSR_PT_NONE}, NULL, REQ},
        {"t_retransmit_reply", w_t_retransmit_reply, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"t_relay", w_t_relay, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"t_relay", w_t_relay2, {STR, INT}, NULL, REQ_FAIL},
        {"t_relay_to_udp", w_t_relay_to_udp, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"t_relay_to_udp", w_t_relay_to_udp2, {STR, INT}, NULL, REQ_FAIL},
        {"t_relay_to_tcp", w_t_relay_to_tcp, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"t_relay_to_tcp", w_t_relay_to_tcp2, {STR, INT}, NULL, REQ_FAIL},
        {"t_replicate", w_t_replicate0, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"t_replicate", w_t_replicate1, {STR}, NULL, REQ_FAIL},
        {"t_replicate", w_t_replicate2, {STR, INT}, NULL, REQ_FAIL},
        {"t_replicate_udp", w_t_replicate_udp, {STR, INT}, NULL, REQ_FAIL},
        {"t_replicate_tcp", w_t_replicate_tcp, {STR, INT}, NULL, REQ_FAIL},
        {"t_save_lumps", w_t_save_lumps, {KSR_PT_NONE}, NULL, REQ},
        {"t_on_failure", w_t_on_failure, {STR}, fixup_t_on_failure, TM_ROUTES},
        {"t_on_reply", w_t_on_reply, {STR}, fixup_t_on_reply, TM_ROUTES},
        {"t_on_branch", w_t_on_branch, {STR}, fixup_t_on_branch, REQ_FAIL},
        {"t_set_fr", w_t_set_fr1, {INT}, NULL, REQ_FAIL_BR},
        {"t_set_fr", w_t_set_fr2, {INT, INT}, NULL, REQ_FAIL_BR},
        {"t_reset_fr", w_t_reset_fr, {KSR_PT_NONE}, NULL, REQ_FAIL_BR},
        {"t_check_status", w_t_check_status, {STR}, fixup_t_check_status, TM_ROUTES},
        {"t_is_canceled", w_t_is_canceled, {KSR_PT_NONE}, NULL, TM_ROUTES},
        {"t_is_expired", w_t_is_expired, {KSR_PT_NONE}, NULL, TM_ROUTES},
        {"t_any_timeout", w_t_any_timeout, {KSR_PT_NONE}, NULL, TM_ROUTES},
        {"t_any_replied", w_t_any_replied, {KSR_PT_NONE}, NULL, TM_ROUTES},
        {"t_branch_timeout", w_t_branch_timeout, {KSR_PT_NONE}, NULL, KSR_ROUTE_FAILURE},
        {"t_branch_replied", w_t_branch_replied, {KSR_PT_NONE}, NULL, KSR_ROUTE_FAILURE},
        {"t_is_set", w_t_is_set, {STR}, fixup_t_is_set, TM_ROUTES},
        {"t_drop_replies", w_t_drop_replies0, {KSR_PT_NONE}, NULL, KSR_ROUTE_FAILURE},
        {"t_drop_replies", w_t_drop_replies1, {STR}, fixup_t_drop_replies, KSR_ROUTE_FAILURE},
        {0},
};

static const struct ksr_param_export params[] = {
        {"fr_timer", KSR_MP_INT, &tm_fr_timer, NULL},
        {"fr_inv_timer", KSR_MP_INT, &tm_fr_inv_timer, NULL},
        {"wt_timer", KSR_MP_INT, &tm_wt_timer, NULL},
        {"retr_timer1", KSR_MP_INT, &tm_retr_timer1, NULL},
        {"retr_timer2", KSR_MP_INT, &tm_retr_timer2, NULL},
        {"max_inv_lifetime", KSR_MP_INT, &tm_max_inv_lifetime, NULL},
        {"max_noninv_lifetime", KSR_MP_INT, &tm_max_noninv_lifetime, NULL},
        {"auto_inv_100", KSR_MP_INT, &tm_auto_inv_100, NULL},
        {"auto_inv_100_reason", KSR_MP_STR, &tm_auto_inv_100_reason, NULL},
        {"restart_fr_on_each_reply", KSR_MP_INT, &tm_restart_fr_on_each_reply, NULL},
        {"failure_reply_mode", KSR_MP_INT, &tm_failure_reply_mode, NULL},
        {"remap_503_500", KSR_MP_INT, &tm_remap_503_500, NULL},
        {"on_sl_reply", KSR_MP_STR, &tm_on_sl_reply, NULL},
        {0},
};


static const struct ksr_api_export apis[] = {{"tm", &api}, {0}};

KSR_MODULE(.name = "tm", .cmds = cmds, .params = params, .apis = apis, .rpcs = tm_rpcs,
           .mod_init = mod_init, .destroy = destroy);
