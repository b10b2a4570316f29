/*
 * registrar: REGISTER processing (save) and the location queries of request routing
 * (lookup, registered, ...) over usrloc's tables. The parameters, the script functions
 * with their fixups, the statistics and the export table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/pv/pv.h"
#include "../tm/tm_api.h"
#include "registrar.h"

int reg_default_expires = 3600, reg_default_expires_range, reg_expires_range;
int reg_min_expires = 60, reg_min_expires_mode, reg_max_expires;
int reg_default_q = UL_Q_UNSET;
char *reg_realm_prefix;
int reg_append_branches = 1, reg_case_sensitive, reg_max_contacts, reg_retry_after;
int reg_method_filtering, reg_use_path, reg_path_mode = REG_PATH_STRICT, reg_path_use_received;
int reg_path_check_local, reg_regid_mode, reg_contact_max_size = 512, reg_sock_flag = -1;
int reg_xavp_rcd_mask, reg_lookup_filter_mode, reg_use_expired_contacts;
char *reg_received_param = "received", *reg_sock_hdr_name, *reg_xavp_cfg, *reg_xavp_rcd;
struct ksr_pv_spec *reg_received_pv;

static int gruu_enabled = 1;
static char *event_callback, *reg_callid_avp;

const struct usrloc_api *reg_ul;
const struct tm_api *reg_tm;
struct ksr_counter *reg_st_accepted, *reg_st_rejected;

int registrar_bind_usrloc(void)
{
	if (!reg_ul)
		reg_ul = ksr_api_bind("usrloc");
	return reg_ul ? 0 : -ENOENT;
}

/* --- parameters --- */

static int set_range(const struct ksr_fparam *v, long lo, long hi, int *target, const char *what,
                     const char **ret_err)
{
	if (v->type != KSR_PT_INT || v->i < lo || v->i > hi) {
		*ret_err = what;
		return -EINVAL;
	}
	*target = (int)v->i;
	return 0;
}

static int set_path_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 2, &reg_path_mode, "path_mode is 0 (off), 1 (lazy) or 2 (strict)",
	                 ret_err);
}

static int set_min_expires_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 1, &reg_min_expires_mode,
	                 "min_expires_mode is 0 (raise to min_expires) or 1 (423 reply)", ret_err);
}

static int set_default_q(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, -1, 1000, &reg_default_q, "default_q is 0 to 1000 (q times 1000)",
	                 ret_err);
}

static int set_expires_range(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 100, &reg_expires_range, "expires_range is a percentage, 0 to 100",
	                 ret_err);
}

static int set_default_expires_range(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 100, &reg_default_expires_range,
	                 "default_expires_range is a percentage, 0 to 100", ret_err);
}

static int set_gruu_enabled(const struct ksr_fparam *v, const char **ret_err)
{
	/* GRUUs are never made (README): 0 says so; 1 is accepted as upstream's default */
	return set_range(v, 0, 1, &gruu_enabled, "gruu_enabled is 0 or 1", ret_err);
}

static int set_lookup_filter_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 1, &reg_lookup_filter_mode,
	                 "lookup_filter_mode: only 1 (branch flags) is implemented, not 2 (active "
	                 "TCP connections)",
	                 ret_err);
}

static int set_sock_flag(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, -1, 31, &reg_sock_flag, "sock_flag is a message flag, 0 to 31",
	                 ret_err);
}

/* Features not built: only their default (0) is accepted. */
static int only_zero(const struct ksr_fparam *v, const char *why, const char **ret_err)
{
	if (v->type == KSR_PT_INT && v->i == 0)
		return 0;
	*ret_err = why;
	return -ENOTSUP;
}

static int set_outbound_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return only_zero(v, "outbound (RFC 5626) is not implemented: outbound_mode must be 0",
	                 ret_err);
}

static int set_flow_timer(const struct ksr_fparam *v, const char **ret_err)
{
	return only_zero(v, "flow_timer needs outbound, which is not implemented: it must be 0",
	                 ret_err);
}

static int set_sock_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return only_zero(v, "sock_mode 1 (the advertised address) is not implemented", ret_err);
}

static int set_received_avp(const struct ksr_fparam *v, const char **ret_err)
{
	size_t used;
	int r;

	if (v->type != KSR_PT_STR || !v->s.len || v->s.s[0] != '$') {
		*ret_err = "takes a pseudo-variable such as \"$avp(RECEIVED)\"";
		return -EINVAL;
	}
	if ((r = ksr_pv_parse(v->s, ksr_fixup_arena(), &reg_received_pv, &used, ret_err)) < 0)
		return r;
	if (used != v->s.len) {
		*ret_err = "takes one pseudo-variable and nothing else";
		return -EINVAL;
	}
	return 0;
}

/* --- script functions --- */

/* The table: a constant name, made or found in usrloc at load. */
static int fixup_domain(struct ksr_fparam *p, int n, const char **ret_err)
{
	struct ul_domain *d;
	int r;

	if (p[0].dynamic || !p[0].s.len) {
		*ret_err = "the location table must be a constant name";
		return -EINVAL;
	}
	if (registrar_bind_usrloc() < 0) {
		*ret_err = "usrloc is not loaded (loadmodule \"usrloc.so\" before registrar)";
		return -ENOENT;
	}
	if ((r = reg_ul->register_domain(p[0].s.s, &d)) < 0) {
		*ret_err = "cannot make the location table";
		return r;
	}
	p[0].ptr = d;
	return 0;
}

static int parse_flags(struct ksr_str s, long *ret)
{
	char buf[24], *end;
	unsigned long v;

	if (!s.len || s.len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	v = strtoul(buf, &end, 0);
	if (*end || v > REG_SAVE_ALL)
		return -EINVAL;
	*ret = (long)v;
	return 0;
}

static int fixup_save(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = fixup_domain(p, n, ret_err);

	if (r == 0 && n >= 2 && !p[1].dynamic && parse_flags(p[1].s, &p[1].i) < 0) {
		*ret_err = "the flags are a sum of 0x01, 0x02, 0x04, 0x08 and 0x10";
		return -EINVAL;
	}
	return r;
}

static int fixup_fetch(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = fixup_domain(p, n, ret_err);

	if (r == 0 && (p[2].dynamic || !p[2].s.len)) {
		*ret_err = "the profile must be a constant name";
		return -EINVAL;
	}
	return r;
}

static int fixup_profile(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[0].dynamic || !p[0].s.len) {
		*ret_err = "the profile must be a constant name";
		return -EINVAL;
	}
	return 0;
}

static int save_n(struct ksr_msg *msg, const struct ksr_fparam *p, int n)
{
	long flags = 0;

	if (n >= 2) {
		if (!p[1].dynamic)
			flags = p[1].i;
		else if (parse_flags(p[1].s, &flags) < 0) {
			LM_ERR("save: bad flags '%.*s'\n", KSR_STR_FMT(p[1].s));
			return -1;
		}
	}
	return registrar_save(msg, p[0].ptr, (unsigned int)flags, n >= 3 ? p[2].s : KSR_STR_NULL);
}

static int w_save1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return save_n(msg, p, 1);
}

static int w_save2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return save_n(msg, p, 2);
}

static int w_save3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return save_n(msg, p, 3);
}

static int w_lookup1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_lookup(msg, p[0].ptr, KSR_STR_NULL, REG_LOOKUP_RURI);
}

static int w_lookup2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_lookup(msg, p[0].ptr, p[1].s, REG_LOOKUP_RURI);
}

static int w_lookup_to_dset1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_lookup(msg, p[0].ptr, KSR_STR_NULL, REG_LOOKUP_DSET);
}

static int w_lookup_to_dset2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_lookup(msg, p[0].ptr, p[1].s, REG_LOOKUP_DSET);
}

static int w_lookup_branches(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_lookup_branches(msg, p[0].ptr);
}

static int w_registered1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_registered(msg, p[0].ptr, KSR_STR_NULL, 0, 0);
}

static int w_registered2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_registered(msg, p[0].ptr, p[1].s, 0, 0);
}

static int w_registered3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_registered(msg, p[0].ptr, p[1].s, (int)p[2].i, 0);
}

static int w_registered4(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_registered(msg, p[0].ptr, p[1].s, (int)p[2].i, (int)p[3].i);
}

static int w_unregister2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_unregister(msg, p[0].ptr, p[1].s, KSR_STR_NULL);
}

static int w_unregister3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_unregister(msg, p[0].ptr, p[1].s, p[2].s);
}

static int w_add_sock_hdr(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_add_sock_hdr(msg, p[0].s);
}

static int w_fetch_contacts(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_fetch_contacts(msg, p[0].ptr, p[1].s, p[2].s);
}

static int w_free_contacts(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_free_contacts(p[0].s);
}

static int w_send_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return registrar_send_reply(msg);
}

/* --- start and stop --- */

static int stat(const char *name, struct ksr_counter **ret)
{
	int r = ksr_counter_register("registrar", name, NULL, ret);

	if (r == -EEXIST) /* a second mod_init in one process (tests) */
		*ret = ksr_counter_lookup(KSR_STR_STATIC("registrar"),
		                          ksr_str_make((char *)name, strlen(name)));
	else if (r < 0)
		LM_ERR("cannot register statistic %s: %s\n", name, strerror(-r));
	return r == -EEXIST ? 0 : r;
}

/* The statistics that show a parameter's value, as upstream's. */
static int param_stat(const char *name, int value)
{
	struct ksr_counter *c;
	int r = stat(name, &c);

	if (r == 0 && c) {
		ksr_counter_reset(c);
		ksr_counter_add(c, value);
	}
	return r;
}

static int mod_init(void)
{
	int r;

	if (registrar_bind_usrloc() < 0) {
		LM_ERR("usrloc is not loaded: registrar needs it (loadmodule \"usrloc.so\")\n");
		return -ENOENT;
	}
	reg_tm = ksr_api_bind("tm");
	if (reg_min_expires < 0 || reg_max_expires < 0 || reg_default_expires < 0) {
		LM_ERR("min_expires, max_expires and default_expires cannot be negative\n");
		return -EINVAL;
	}
	if (reg_max_expires && reg_min_expires > reg_max_expires) {
		LM_ERR("min_expires (%d) is above max_expires (%d)\n", reg_min_expires,
		       reg_max_expires);
		return -EINVAL;
	}
	if (event_callback && *event_callback)
		LM_WARN("event_callback has no effect: no KEMI engine is loaded\n");
	if (reg_callid_avp && *reg_callid_avp)
		LM_WARN("reg_callid_avp is obsolete and has no effect: use registered()'s "
		        "match_option\n");
	if ((r = stat("accepted_regs", &reg_st_accepted)) < 0 ||
	    (r = stat("rejected_regs", &reg_st_rejected)) < 0 ||
	    (r = param_stat("default_expire", reg_default_expires)) < 0 ||
	    (r = param_stat("default_expires_range", reg_default_expires_range)) < 0 ||
	    (r = param_stat("expires_range", reg_expires_range)) < 0 ||
	    (r = param_stat("max_contacts", reg_max_contacts)) < 0 ||
	    (r = param_stat("max_expires", reg_max_expires)) < 0)
		return r;
	return reg_ul->register_callback(UL_CONTACT_EXPIRE, registrar_contact_expired, NULL);
}

static void destroy(void)
{
	registrar_profiles_free();
	reg_st_accepted = reg_st_rejected = NULL;
}

#define STR KSR_PT_STR
#define INT KSR_PT_INT
#define RQ_FL (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE)
#define ANY KSR_ROUTE_ANY

static const struct ksr_cmd_export cmds[] = {
        {"save", w_save1, {STR}, fixup_save, RQ_FL},
        {"save", w_save2, {STR, STR}, fixup_save, RQ_FL},
        {"save", w_save3, {STR, STR, STR}, fixup_save, RQ_FL},
        {"lookup", w_lookup1, {STR}, fixup_domain, RQ_FL},
        {"lookup", w_lookup2, {STR, STR}, fixup_domain, RQ_FL},
        {"lookup_to_dset", w_lookup_to_dset1, {STR}, fixup_domain, RQ_FL},
        {"lookup_to_dset", w_lookup_to_dset2, {STR, STR}, fixup_domain, RQ_FL},
        {"lookup_branches", w_lookup_branches, {STR}, fixup_domain, RQ_FL},
        {"registered", w_registered1, {STR}, fixup_domain, ANY},
        {"registered", w_registered2, {STR, STR}, fixup_domain, ANY},
        {"registered", w_registered3, {STR, STR, INT}, fixup_domain, ANY},
        {"registered", w_registered4, {STR, STR, INT, INT}, fixup_domain, ANY},
        {"add_sock_hdr", w_add_sock_hdr, {STR}, NULL, KSR_ROUTE_REQUEST},
        {"unregister", w_unregister2, {STR, STR}, fixup_domain, ANY},
        {"unregister", w_unregister3, {STR, STR, STR}, fixup_domain, ANY},
        {"reg_fetch_contacts", w_fetch_contacts, {STR, STR, STR}, fixup_fetch, ANY},
        {"reg_free_contacts", w_free_contacts, {STR}, fixup_profile, ANY},
        {"reg_send_reply", w_send_reply, {KSR_PT_NONE}, NULL, RQ_FL},
        {0},
};

/* clang-format off */
#define P_INT(n, t) {n, KSR_MP_INT, t, NULL}
#define P_STR(n, t) {n, KSR_MP_STR, t, NULL}
#define P_FUNC(n, f) {n, KSR_MP_FUNC, NULL, f}
/* clang-format on */

static const struct ksr_param_export params[] = {
        P_INT("default_expires", &reg_default_expires),
        P_FUNC("default_expires_range", set_default_expires_range),
        P_FUNC("expires_range", set_expires_range),
        P_INT("min_expires", &reg_min_expires),
        P_FUNC("min_expires_mode", set_min_expires_mode),
        P_INT("max_expires", &reg_max_expires),
        P_FUNC("default_q", set_default_q),
        P_STR("realm_prefix", &reg_realm_prefix),
        P_INT("append_branches", &reg_append_branches),
        P_INT("case_sensitive", &reg_case_sensitive),
        P_FUNC("received_avp", set_received_avp),
        P_STR("received_param", &reg_received_param),
        P_INT("max_contacts", &reg_max_contacts),
        P_INT("retry_after", &reg_retry_after),
        P_FUNC("sock_flag", set_sock_flag),
        P_STR("sock_hdr_name", &reg_sock_hdr_name),
        P_FUNC("sock_mode", set_sock_mode),
        P_INT("method_filtering", &reg_method_filtering),
        P_INT("use_path", &reg_use_path),
        P_FUNC("path_mode", set_path_mode),
        P_INT("path_use_received", &reg_path_use_received),
        P_INT("path_check_local", &reg_path_check_local),
        P_STR("reg_callid_avp", &reg_callid_avp),
        P_STR("xavp_cfg", &reg_xavp_cfg),
        P_STR("xavp_rcd", &reg_xavp_rcd),
        P_INT("xavp_rcd_mask", &reg_xavp_rcd_mask),
        P_FUNC("gruu_enabled", set_gruu_enabled),
        P_FUNC("outbound_mode", set_outbound_mode),
        P_INT("regid_mode", &reg_regid_mode),
        P_FUNC("flow_timer", set_flow_timer),
        P_INT("contact_max_size", &reg_contact_max_size),
        P_STR("event_callback", &event_callback),
        P_FUNC("lookup_filter_mode", set_lookup_filter_mode),
        P_INT("use_expired_contacts", &reg_use_expired_contacts),
        {0},
};

KSR_MODULE(.name = "registrar", .cmds = cmds, .params = params, .pvs = registrar_pvs,
           .mod_init = mod_init, .destroy = destroy);
