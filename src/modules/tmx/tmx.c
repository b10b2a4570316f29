/*
 * tmx: more of tm for the script, through tm's API (tm_api.h): which route type runs,
 * CANCEL and reply by Call-ID, the flags of a transaction, the pre-transaction check of
 * retransmissions, and the $T_* pseudo-variables.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/receive.h"
#include "core/route/program.h"
#include "../tm/tm_api.h"

static const struct tm_api *tm;
static int precheck_enabled = 1;

/* --- the route type --- */

static int is_type(unsigned int type)
{
	return ksr_run_route_type() == type ? 1 : -1;
}

static int w_t_is_failure_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return is_type(KSR_ROUTE_FAILURE);
}

static int w_t_is_branch_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return is_type(KSR_ROUTE_BRANCH);
}

static int w_t_is_reply_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return is_type(KSR_ROUTE_ONREPLY);
}

static int w_t_is_request_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return is_type(KSR_ROUTE_REQUEST);
}

/* --- acting on transactions --- */

static int fixup_which(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && strcmp(p[0].s.s, "all") && strcmp(p[0].s.s, "others") &&
	    strcmp(p[0].s.s, "this")) {
		*ret_err = "t_cancel_branches takes all, others or this";
		return -EINVAL;
	}
	return 0;
}

static int w_t_cancel_branches(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	enum tm_cancel_which w;

	if (!strcmp(p[0].s.s, "all")) {
		w = TM_CANCEL_ALL;
	} else if (!strcmp(p[0].s.s, "others")) {
		w = TM_CANCEL_OTHERS;
	} else if (!strcmp(p[0].s.s, "this")) {
		w = TM_CANCEL_THIS;
	} else {
		LM_ERR("t_cancel_branches: unknown '%s'\n", p[0].s.s);
		return -1;
	}
	return tm->cancel_branches(msg, w);
}

/* A CSeq number as the script gives it. 0 or -EINVAL. */
static int cseq_of(struct ksr_str s, unsigned int *ret)
{
	unsigned long v = 0;

	if (!s.len || s.len > 10)
		return -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s.s[i] - '0');
	}
	if (v > 0xffffffffUL)
		return -EINVAL;
	*ret = (unsigned int)v;
	return 0;
}

static int cancel_callid(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int cseq;

	if (cseq_of(p[1].s, &cseq) < 0) {
		LM_ERR("t_cancel_callid: bad CSeq number '%.*s'\n", KSR_STR_FMT(p[1].s));
		return -1;
	}
	if (p[2].i > 31) {
		LM_ERR("t_cancel_callid: flag %ld out of range\n", p[2].i);
		return -1;
	}
	return tm->by_callid(p[0].s, cseq, 0, KSR_STR_NULL, (int)p[2].i);
}

static int w_t_cancel_callid(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return cancel_callid(msg, p);
}

static int w_t_reply_callid(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int cseq;
	long code = ksr_reply_code_parse(p[2].s);

	if (cseq_of(p[1].s, &cseq) < 0 || code < 100 || code > 699 ||
	    !ksr_reply_reason_ok(p[3].s)) {
		LM_ERR("t_reply_callid: bad CSeq '%.*s', code '%.*s' or reason\n",
		       KSR_STR_FMT(p[1].s), KSR_STR_FMT(p[2].s));
		return -1;
	}
	return tm->by_callid(p[0].s, cseq, (unsigned int)code, p[3].s, 0);
}

static int w_t_flush_flags(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return tm->flush_flags(msg);
}

/* --- t_precheck_trans: requests being processed, by any worker --- */

/*
 * Each worker tracks the request it processes (one at a time) in a list shared by all;
 * t_precheck_trans() finds a retransmission that arrived at another worker while the
 * first copy is still before t_newtran(). The entry goes when processing ends.
 */
struct pretran {
	char key[512]; /* Call-ID, CSeq number, method, top Via branch */
	size_t len;
	bool linked;
	struct pretran *next, *prev;
};

static pthread_mutex_t pretran_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pretran *pretrans;
static _Thread_local struct pretran mine;

static int pretran_key(struct ksr_msg *msg, char *buf, size_t size, size_t *ret_len)
{
	struct ksr_via *via;
	struct ksr_cseq *cseq;
	int n;

	if (!msg->h_callid || ksr_msg_via1(msg, &via) < 0 || ksr_msg_cseq(msg, &cseq) < 0)
		return -EINVAL;
	n = snprintf(buf, size, "%.*s|%u|%.*s|%.*s", KSR_STR_FMT(msg->h_callid->body),
		     cseq->number, KSR_STR_FMT(msg->first.req.method), KSR_STR_FMT(via->branch));
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	*ret_len = (size_t)n;
	return 0;
}

static void pretran_unlink_locked(struct pretran *e)
{
	if (!e->linked)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		pretrans = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->next = e->prev = NULL;
	e->linked = false;
}

static int w_t_precheck_trans(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	char key[sizeof(mine.key)];
	bool found = false;
	size_t len;

	if (!precheck_enabled || msg->type != KSR_MSG_REQUEST ||
	    msg->first.req.method_id == KSR_METHOD_ACK ||
	    msg->first.req.method_id == KSR_METHOD_CANCEL)
		return -1;
	if (pretran_key(msg, key, sizeof(key), &len) < 0)
		return -1;
	pthread_mutex_lock(&pretran_lock);
	for (struct pretran *e = pretrans; e && !found; e = e->next)
		found = e != &mine && e->len == len && !memcmp(e->key, key, len);
	if (!found) {
		pretran_unlink_locked(&mine);
		memcpy(mine.key, key, len);
		mine.len = len;
		mine.next = pretrans;
		mine.prev = NULL;
		if (pretrans)
			pretrans->prev = &mine;
		pretrans = &mine;
		mine.linked = true;
	}
	pthread_mutex_unlock(&pretran_lock);
	return found ? 1 : -1;
}

static void pretran_done(struct ksr_msg *msg)
{
	if (!mine.linked)
		return;
	pthread_mutex_lock(&pretran_lock);
	pretran_unlink_locked(&mine);
	pthread_mutex_unlock(&pretran_lock);
}

/* --- pseudo-variables --- */

static int int_val(long i, struct ksr_val *ret)
{
	*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = i};
	return 0;
}

static int pv_branch_idx(struct ksr_msg *msg, const struct ksr_pv_spec *spec,
			 struct ksr_val *ret)
{
	struct tm_info i;

	return int_val(tm->info(msg, &i) == 0 ? (long)i.branch : 0, ret);
}

static int pv_reply_code(struct ksr_msg *msg, const struct ksr_pv_spec *spec,
			 struct ksr_val *ret)
{
	struct tm_info i;

	return int_val(tm->info(msg, &i) == 0 ? (long)i.code : 0, ret);
}

/* $T_req(pv), $T_rpl(pv): the inner pseudo-variable, parsed once. */
static int pv_inner_parse(struct ksr_pv_spec *spec, struct ksr_arena *arena,
			  const char **ret_err)
{
	struct ksr_pv_spec *inner;
	size_t len;
	int r = ksr_pv_parse(spec->name, arena, &inner, &len, ret_err);

	if (r < 0)
		return r;
	if (len != spec->name.len) {
		*ret_err = "$T_req() and $T_rpl() take one pseudo-variable";
		return -EINVAL;
	}
	spec->pname = inner;
	return 0;
}

static int pv_in(struct ksr_msg *m, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	if (!m) {
		*ret = (struct ksr_val){0};
		return 0;
	}
	return ksr_pv_get(m, spec->pname, ret);
}

static int pv_t_req(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return pv_in(tm->request_of(msg), spec, ret);
}

static int pv_t_rpl(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return pv_in(tm->reply_of(msg), spec, ret);
}

/* $T(name): id_index, id_label, reply_code, branch_index, reply_type */
enum { T_ID_INDEX = 1, T_ID_LABEL, T_REPLY_CODE, T_BRANCH_INDEX, T_REPLY_TYPE };

static int pv_t_parse(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	static const char *const names[] = {"id_index", "id_label", "reply_code",
					    "branch_index", "reply_type"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (ksr_str_caseeq_cstr(&spec->name, names[i])) {
			spec->pname_i = (long)i + 1;
			return 0;
		}
	}
	*ret_err = "$T() takes id_index, id_label, reply_code, branch_index or reply_type";
	return -EINVAL;
}

static int pv_t(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct tm_info i;

	if (tm->info(msg, &i) < 0) {
		/* no transaction: $null, as upstream */
		*ret = (struct ksr_val){0};
		return 0;
	}
	switch (spec->pname_i) {
	case T_ID_INDEX:
		return int_val((long)i.index, ret);
	case T_ID_LABEL:
		return int_val((long)i.label, ret);
	case T_REPLY_CODE:
		return int_val((long)i.code, ret);
	case T_BRANCH_INDEX:
		return int_val((long)i.branch, ret);
	default:
		/* reply_type: 1 when the reply the script looks at is ours, 0 received */
		return int_val(i.local ? 1 : 0, ret);
	}
}

static int mod_init(void)
{
	if (!(tm = ksr_api_bind("tm"))) {
		LM_ERR("tmx needs the tm module: loadmodule \"tm.so\" before it\n");
		return -ENOENT;
	}
	return precheck_enabled ? ksr_receive_add_done_handler(pretran_done) : 0;
}

static void destroy(void)
{
	ksr_receive_del_done_handler(pretran_done);
}

#define STR KSR_PT_STR
#define INT KSR_PT_INT
#define NONE KSR_PT_NONE

/* The route types are upstream's. */
static const struct ksr_cmd_export cmds[] = {
        {"t_is_failure_route", w_t_is_failure_route, {NONE}, NULL, KSR_ROUTE_ANY},
        {"t_is_branch_route", w_t_is_branch_route, {NONE}, NULL, KSR_ROUTE_ANY},
        {"t_is_reply_route", w_t_is_reply_route, {NONE}, NULL, KSR_ROUTE_ANY},
        {"t_is_request_route", w_t_is_request_route, {NONE}, NULL, KSR_ROUTE_ANY},
        {"t_cancel_branches", w_t_cancel_branches, {STR}, fixup_which, KSR_ROUTE_ONREPLY},
        {"t_cancel_callid", w_t_cancel_callid, {STR, STR, INT}, NULL, KSR_ROUTE_ANY},
        {"t_reply_callid", w_t_reply_callid, {STR, STR, STR, STR}, NULL, KSR_ROUTE_ANY},
        {"t_flush_flags", w_t_flush_flags, {NONE}, NULL, KSR_ROUTE_ANY},
        {"t_precheck_trans", w_t_precheck_trans, {NONE}, NULL, KSR_ROUTE_REQUEST},
        {0},
};

static const struct ksr_param_export params[] = {
        {"precheck_trans", KSR_MP_INT, &precheck_enabled, NULL},
        {0},
};

static const struct ksr_pv_export pvs[] = {
        {.name = "T_branch_idx", .get = pv_branch_idx},
        {.name = "T_reply_code", .get = pv_reply_code},
        {.name = "T", .get = pv_t, .parse_name = pv_t_parse, .flags = KSR_PV_NAME_REQUIRED},
        {.name = "T_req",
         .get = pv_t_req,
         .parse_name = pv_inner_parse,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "T_rpl",
         .get = pv_t_rpl,
         .parse_name = pv_inner_parse,
         .flags = KSR_PV_NAME_REQUIRED},
        {0},
};

KSR_MODULE(.name = "tmx", .cmds = cmds, .params = params, .pvs = pvs, .mod_init = mod_init,
           .destroy = destroy);
