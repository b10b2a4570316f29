/*
 * kex: core extensions upstream keeps in a module: script flags, the destination URI,
 * pv_printf and is_myself, and the statistics commands (kex_stats.c). Branch flags and
 * isdsturiset are core functions here.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/msg/dset.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "kex.h"

#define MAX_SFLAG 31

/* --- script flags --- */

static int fixup_sflag(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > MAX_SFLAG)) {
		*ret_err = "a script flag is a number from 0 to 31";
		return -EINVAL;
	}
	return 0;
}

/* op: 1 set, -1 reset, 0 test */
static int sflag_op(struct ksr_msg *msg, long f, int op)
{
	/* on the message: 0 for each one, shared by route() and route_if_exists() */
	unsigned int *flags = &msg->sflags;

	if (f < 0 || f > MAX_SFLAG) {
		LM_ERR("script flag %ld out of range 0..%d\n", f, MAX_SFLAG);
		return -1;
	}
	if (op > 0)
		*flags |= 1u << f;
	else if (op < 0)
		*flags &= ~(1u << f);
	else
		return (*flags & (1u << f)) ? 1 : -1;
	return 1;
}

static int w_setsflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return sflag_op(msg, p[0].i, 1);
}

static int w_resetsflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return sflag_op(msg, p[0].i, -1);
}

static int w_issflagset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return sflag_op(msg, p[0].i, 0);
}

/* --- destination URI --- */

/* The URI is taken as written (no pseudo-variables, as upstream) and checked at load. */
static int fixup_dsturi(struct ksr_fparam *p, int n, const char **ret_err)
{
	struct ksr_uri u;

	if (p[0].s.len == 0 || ksr_uri_parse(p[0].s, &u) < 0) {
		*ret_err = "not a valid URI (a variable URI is assigned to $du)";
		return -EINVAL;
	}
	return 0;
}

static int w_setdsturi(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	char *c = ksr_arena_alloc(msg->arena, p[0].s.len + 1);

	if (!c)
		return -1;
	memcpy(c, p[0].s.s, p[0].s.len);
	msg->dst_uri = ksr_str_make(c, p[0].s.len);
	msg->ruri_consumed = false;
	return 1;
}

static int w_resetdsturi(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->dst_uri = KSR_STR_NULL;
	return 1;
}

/* --- pv_printf --- */

/* The first parameter names a writable pseudo-variable: parsed once, into ptr. */
static int fixup_printf(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[0], true, ret_err);
}

/* The second parameter arrives evaluated: assign it as a string. */
static int w_pv_printf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = p[1].s};
	int r = ksr_pv_set(msg, p[0].ptr, &v);

	if (r < 0) {
		LM_ERR("cannot set %.*s: %s\n", KSR_STR_FMT(p[0].s), strerror(-r));
		return -1;
	}
	return 1;
}

/* --- is_myself --- */

/*
 * A URI without a port matches a local address on any port (upstream's README for
 * is_myself): try the ports this server listens on.
 */
static bool local_any_port(struct ksr_str host)
{
	if (ksr_listener_is_local(host, 0))
		return true;
	for (const struct ksr_listener *l = ksr_listeners(); l; l = l->next)
		if (ksr_listener_is_local(host, l->port) ||
		    (l->adv_port && ksr_listener_is_local(host, l->adv_port)))
			return true;
	return false;
}

static int w_is_myself(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str s = p[0].s;
	struct ksr_uri u;

	if (s.len == 0)
		return -1;
	/* a sip/sips URI by its host and port; anything else is a host (or an IP) */
	if ((s.len > 4 && strncasecmp(s.s, "sip:", 4) == 0) ||
	    (s.len > 5 && strncasecmp(s.s, "sips:", 5) == 0)) {
		if (ksr_uri_parse(s, &u) < 0) {
			LM_ERR("not a valid URI: '%.*s'\n", KSR_STR_FMT(s));
			return -1;
		}
		if (u.port)
			return ksr_listener_is_local(u.host, u.port) ? 1 : -1;
		return local_any_port(u.host) ? 1 : -1;
	}
	return local_any_port(s) ? 1 : -1;
}

/* km_append_branch([uri[, q]]): upstream's older name of append_branch (core/msg/dset.h) */
static int w_km_append_branch0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 0);
}

static int w_km_append_branch1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 1);
}

static int w_km_append_branch2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 2);
}

#define APPEND_ROUTES (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE)

static const struct ksr_cmd_export cmds[] = {
        {"setsflag", w_setsflag, {KSR_PT_INT}, fixup_sflag, KSR_ROUTE_ANY},
        {"resetsflag", w_resetsflag, {KSR_PT_INT}, fixup_sflag, KSR_ROUTE_ANY},
        {"issflagset", w_issflagset, {KSR_PT_INT}, fixup_sflag, KSR_ROUTE_ANY},
        {"setdsturi", w_setdsturi, {KSR_PT_RAW}, fixup_dsturi, KSR_ROUTE_ANY},
        {"resetdsturi", w_resetdsturi, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"pv_printf", w_pv_printf, {KSR_PT_RAW, KSR_PT_STR}, fixup_printf, KSR_ROUTE_ANY},
        {"avp_printf", w_pv_printf, {KSR_PT_RAW, KSR_PT_STR}, fixup_printf, KSR_ROUTE_ANY},
        {"is_myself", w_is_myself, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"km_append_branch", w_km_append_branch0, {KSR_PT_NONE}, NULL, APPEND_ROUTES},
        {"km_append_branch", w_km_append_branch1, {KSR_PT_STR}, ksr_dset_append_fixup,
         APPEND_ROUTES},
        {"km_append_branch", w_km_append_branch2, {KSR_PT_STR, KSR_PT_STR},
         ksr_dset_append_fixup, APPEND_ROUTES},
        {0},
};

KSR_MODULE(.name = "kex", .cmds = cmds, .rpcs = kex_stats_rpcs);
