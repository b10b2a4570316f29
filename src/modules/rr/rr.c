/*
 * The rr module: Record-Route (record.c) and routing by the Route set (loose.c), as
 * upstream's README.rr describes them. This file holds the parameters and the export
 * table, and hooks record.c into the core's forwarding.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module-t.h"
#include "core/net/forward.h"
#include "core/pv/pv.h"
#include "rr.h"

int rr_enable_full_lr = 0;
int rr_append_fromtag = 1;
int rr_enable_double_rr = 1;
int rr_add_username = 0;
int rr_socket_mismatch_warning = 1;
int rr_force_send_socket = 0;
int rr_ignore_sips = 0;
int rr_sockname_mode = 0;
struct ksr_pv_spec *rr_custom_user;
struct ksr_str rr_ignore_user;

/* modparam custom_user_avp: a pseudo-variable, parsed now (pv must be loaded before). */
static int set_custom_user_avp(const struct ksr_fparam *val, const char **ret_err)
{
	struct ksr_pv_spec *spec;
	size_t used;
	int r;

	if (val->type != KSR_PT_STR) {
		*ret_err = "takes a pseudo-variable such as \"$avp(rr_user)\"";
		return -EINVAL;
	}
	if (!val->s.len) {
		rr_custom_user = NULL;
		return 0;
	}
	if (val->s.s[0] != '$') {
		*ret_err = "takes a pseudo-variable such as \"$avp(rr_user)\"";
		return -EINVAL;
	}
	if ((r = ksr_pv_parse(val->s, ksr_fixup_arena(), &spec, &used, ret_err)) < 0)
		return r;
	if (used != val->s.len) {
		*ret_err = "takes one pseudo-variable and nothing else";
		return -EINVAL;
	}
	rr_custom_user = spec;
	return 0;
}

/* modparam enable_double_rr: 0, 1 or 2. */
static int set_double_rr(const struct ksr_fparam *val, const char **ret_err)
{
	if (val->type != KSR_PT_INT || val->i < 0 || val->i > 2) {
		*ret_err = "is 0 (never), 1 (when the sockets differ) or 2 (always)";
		return -EINVAL;
	}
	rr_enable_double_rr = (int)val->i;
	return 0;
}

/* modparam ignore_user: Route URIs with this user are never taken for ours. */
static int set_ignore_user(const struct ksr_fparam *val, const char **ret_err)
{
	char *c;

	if (val->type != KSR_PT_STR) {
		*ret_err = "takes a user name";
		return -EINVAL;
	}
	if (!val->s.len) {
		rr_ignore_user = KSR_STR_NULL;
		return 0;
	}
	if (!(c = ksr_arena_alloc(ksr_fixup_arena(), val->s.len)))
		return -ENOMEM;
	memcpy(c, val->s.s, val->s.len);
	rr_ignore_user = ksr_str_make(c, val->s.len);
	return 0;
}

static int mod_init(void)
{
	int r;

	/* the Record-Route names the listener the request leaves from: known at forward */
	if ((r = ksr_forward_add_hook(rr_forward_hook)) < 0) {
		LM_ERR("cannot hook into forwarding: %s\n", strerror(-r));
		return r;
	}
	return rr_record_clone_register();
}

static void destroy(void)
{
	ksr_forward_del_hook(rr_forward_hook);
	rr_record_clone_unregister();
}

#define STR KSR_PT_STR

/* The route types are upstream's. */
static const struct ksr_cmd_export cmds[] = {
        {"loose_route", rr_w_loose_route, {KSR_PT_NONE}, NULL, RR_REQ},
        {"loose_route_preloaded", rr_w_loose_route_preloaded, {KSR_PT_NONE}, NULL, RR_REQ},
        {"loose_route_mode",
         rr_w_loose_route_mode,
         {KSR_PT_INT},
         rr_fixup_loose_route_mode,
         RR_REQ},
        {"record_route", rr_w_record_route0, {KSR_PT_NONE}, NULL, RR_REQ_FB},
        {"record_route", rr_w_record_route1, {STR}, rr_fixup_rr_param, RR_REQ_FB},
        {"remove_record_route",
         rr_w_remove_record_route,
         {KSR_PT_NONE},
         NULL,
         RR_REQ | KSR_ROUTE_FAILURE},
        {"record_route_preset", rr_w_record_route_preset1, {STR}, rr_fixup_preset, RR_REQ_FB},
        {"record_route_preset", rr_w_record_route_preset2, {STR, STR}, rr_fixup_preset, RR_REQ_FB},
        {"record_route_advertised_address",
         rr_w_record_route_adv,
         {STR},
         rr_fixup_preset,
         RR_REQ_FB},
        {"add_rr_param", rr_w_add_rr_param, {STR}, rr_fixup_rr_param, RR_REQ_FB},
        {"check_route_param",
         rr_w_check_route_param,
         {KSR_PT_RAW},
         rr_fixup_check_route_param,
         RR_REQ},
        {"is_direction", rr_w_is_direction, {STR}, rr_fixup_is_direction, RR_REQ},
        {"rr_next_hop_route", rr_w_next_hop_route, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {0},
};

static const struct ksr_param_export params[] = {
        {"enable_full_lr", KSR_MP_INT, &rr_enable_full_lr, NULL},
        {"append_fromtag", KSR_MP_INT, &rr_append_fromtag, NULL},
        {"enable_double_rr", KSR_MP_FUNC, NULL, set_double_rr},
        {"add_username", KSR_MP_INT, &rr_add_username, NULL},
        {"enable_socket_mismatch_warning", KSR_MP_INT, &rr_socket_mismatch_warning, NULL},
        {"custom_user_avp", KSR_MP_FUNC, NULL, set_custom_user_avp},
        {"force_send_socket", KSR_MP_INT, &rr_force_send_socket, NULL},
        {"ignore_sips", KSR_MP_INT, &rr_ignore_sips, NULL},
        {"sockname_mode", KSR_MP_INT, &rr_sockname_mode, NULL},
        {"ignore_user", KSR_MP_FUNC, NULL, set_ignore_user},
        {0},
};

KSR_MODULE(.name = "rr", .cmds = cmds, .params = params, .pvs = rr_pvs, .mod_init = mod_init,
           .destroy = destroy);
