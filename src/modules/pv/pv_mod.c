/*
 * The pv module: exports the pseudo-variable families and transformation classes of
 * this folder, plus the functions of upstream's README.pv that work on them.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/module/module-t.h"
#include "core/parser/msg-t.h"
#include "core/pv/avp.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

/* --- one table of each kind, joined from the files' tables --- */

#define MAX_PVS 96
#define MAX_TRS 16

static struct ksr_pv_export all_pvs[MAX_PVS + 1];
static struct ksr_tr_export all_trs[MAX_TRS + 1];

/*
 * The export table holds one pointer per kind while each file keeps its own table: join
 * them when the module is mapped (dlopen runs this before the loader reads the exports).
 * An overflow leaves the tables empty, which the unit tests catch.
 */
__attribute__((constructor)) static void join_tables(void)
{
	const struct ksr_pv_export *pv_tables[] = {pv_msg_pvs, pv_misc_pvs, pv_var_pvs, pv_avp_pvs};
	const struct ksr_tr_export *tr_tables[] = {pv_tr_s, pv_tr_sip};
	size_t n = 0;

	for (size_t t = 0; t < sizeof(pv_tables) / sizeof(pv_tables[0]); t++)
		for (const struct ksr_pv_export *e = pv_tables[t]; e->name; e++) {
			if (n == MAX_PVS) {
				all_pvs[0].name = NULL;
				return;
			}
			all_pvs[n++] = *e;
		}
	n = 0;
	for (size_t t = 0; t < sizeof(tr_tables) / sizeof(tr_tables[0]); t++)
		for (const struct ksr_tr_export *e = tr_tables[t]; e->name; e++) {
			if (n == MAX_TRS) {
				all_trs[0].name = NULL;
				return;
			}
			all_trs[n++] = *e;
		}
}

/* --- functions --- */

static int fixup_pv_read(struct ksr_fparam *params, int nparams, const char **ret_err)
{
	return ksr_fixup_pvar(&params[0], false, ret_err);
}

static int fixup_pv_write(struct ksr_fparam *params, int nparams, const char **ret_err)
{
	return ksr_fixup_pvar(&params[0], true, ret_err);
}

static int get(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_val *ret)
{
	return ksr_pv_get(msg, p->ptr, ret);
}

static int w_pv_isset(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v;

	return get(msg, &params[0], &v) == 0 && v.type != KSR_VAL_NULL ? 1 : -1;
}

static int w_pv_unset(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v = {.type = KSR_VAL_NULL};

	return ksr_pv_set(msg, params[0].ptr, &v) == 0 ? 1 : -1;
}

static int w_is_int(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v;

	return get(msg, &params[0], &v) == 0 && v.type == KSR_VAL_INT ? 1 : -1;
}

static int fixup_typeof(struct ksr_fparam *params, int nparams, const char **ret_err)
{
	static const char *const types[] = {
	        [KSR_VAL_NULL] = "null", [KSR_VAL_INT] = "int", [KSR_VAL_STR] = "str"};
	int r = ksr_fixup_pvar(&params[0], false, ret_err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ksr_str_caseeq_cstr(&params[1].s, types[i])) {
			params[1].i = (long)i;
			return 0;
		}
	*ret_err = "the type must be int, str or null";
	return -EINVAL;
}

static int w_typeof(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v;

	if (get(msg, &params[0], &v) < 0)
		return -1;
	return (long)v.type == params[1].i ? 1 : -1;
}

static int w_not_empty(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v;

	return get(msg, &params[0], &v) == 0 && v.type == KSR_VAL_STR && v.s.len ? 1 : -1;
}

/* "a=b;c=d;e" into a new root xname with one string child per parameter. */
static int w_xavp_params_explode(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_str rest = params[0].s;
	struct ksr_xavp *root;

	if (params[1].s.len == 0 ||
	    ksr_xavp_add_list(msg->arena, &msg->xavps, params[1].s, &root) < 0)
		return -1;
	while (rest.len) {
		const char *semi = memchr(rest.s, ';', rest.len), *eq;
		struct ksr_str item =
		        ksr_str_make(rest.s, semi ? (size_t)(semi - rest.s) : rest.len);
		struct ksr_str name;
		struct ksr_val v = {.type = KSR_VAL_STR};

		rest = semi ? ksr_str_make((char *)semi + 1, rest.len - item.len - 1)
		            : ksr_str_make(ksr_str_end(rest), 0);
		ksr_str_trim(&item);
		if (item.len == 0)
			continue;
		eq = memchr(item.s, '=', item.len);
		name = ksr_str_make(item.s, eq ? (size_t)(eq - item.s) : item.len);
		v.s = eq ? ksr_str_make((char *)eq + 1, item.len - name.len - 1)
		         : ksr_str_make(ksr_str_end(item), 0);
		ksr_str_trim(&name);
		ksr_str_trim(&v.s);
		if (name.len == 0 || ksr_xavp_add_val(msg->arena, &root->list, name, &v, NULL) < 0)
			return -1;
	}
	return 1;
}

/* The newest root rname, made (empty) when there is none and create is set. */
static struct ksr_xavp *xavp_root(struct ksr_msg *msg, struct ksr_str rname, bool create)
{
	struct ksr_xavp *root = ksr_xavp_find(msg->xavps, rname, 0);

	if (!root && create && rname.len &&
	    ksr_xavp_add_list(msg->arena, &msg->xavps, rname, &root) < 0)
		return NULL;
	return root && root->type == KSR_XAVP_LIST ? root : NULL;
}

/* $xavp(rname=>cname) set: the newest cname of the newest rname is replaced, or added. */
static int child_set(struct ksr_msg *msg, const struct ksr_fparam *params, const struct ksr_val *v)
{
	struct ksr_xavp *root = xavp_root(msg, params[0].s, true);

	if (!root || params[1].s.len == 0)
		return -1;
	if (ksr_xavp_replace_val(msg->arena, &root->list, params[1].s, 0, v) == 0)
		return 1;
	return ksr_xavp_add_val(msg->arena, &root->list, params[1].s, v, NULL) == 0 ? 1 : -1;
}

static int w_xavp_child_seti(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v = {.type = KSR_VAL_INT, .i = params[2].i};

	return child_set(msg, params, &v);
}

static int w_xavp_child_sets(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = params[2].s};

	return child_set(msg, params, &v);
}

/* As "$xavp(rname) = $null": the newest rname goes. */
static int w_xavp_rm(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	return ksr_xavp_del(&msg->xavps, params[0].s, 0) == 0 ? 1 : -1;
}

/* As "$xavp(rname=>cname) = $null": the newest cname of the newest rname goes. */
static int w_xavp_child_rm(struct ksr_msg *msg, const struct ksr_fparam *params)
{
	struct ksr_xavp *root = xavp_root(msg, params[0].s, false);

	return root && ksr_xavp_del(&root->list, params[1].s, 0) == 0 ? 1 : -1;
}

static const struct ksr_cmd_export cmds[] = {
        {"pv_isset", w_pv_isset, {KSR_PT_STR}, fixup_pv_read, KSR_ROUTE_ANY},
        {"pv_unset", w_pv_unset, {KSR_PT_STR}, fixup_pv_write, KSR_ROUTE_ANY},
        {"is_int", w_is_int, {KSR_PT_STR}, fixup_pv_read, KSR_ROUTE_ANY},
        {"typeof", w_typeof, {KSR_PT_STR, KSR_PT_STR}, fixup_typeof, KSR_ROUTE_ANY},
        {"not_empty", w_not_empty, {KSR_PT_STR}, fixup_pv_read, KSR_ROUTE_ANY},
        {"xavp_params_explode",
         w_xavp_params_explode,
         {KSR_PT_STR, KSR_PT_STR},
         NULL,
         KSR_ROUTE_ANY},
        {"xavp_child_seti",
         w_xavp_child_seti,
         {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
         NULL,
         KSR_ROUTE_ANY},
        {"xavp_child_sets",
         w_xavp_child_sets,
         {KSR_PT_STR, KSR_PT_STR, KSR_PT_STR},
         NULL,
         KSR_ROUTE_ANY},
        {"xavp_rm", w_xavp_rm, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"xavp_child_rm", w_xavp_child_rm, {KSR_PT_STR, KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {NULL},
};

/* --- parameters --- */

/* varset and shvset may be given many times: each value is taken as it comes. */
static int set_var(const struct ksr_fparam *val, bool shared, const char **ret_err)
{
	if (val->type != KSR_PT_STR) {
		*ret_err = "takes a string: name=i:number or name=s:text";
		return -EINVAL;
	}
	if (pv_var_init_param(val->s.s, shared) < 0) {
		*ret_err = "bad value: name=i:number or name=s:text expected";
		return -EINVAL;
	}
	return 0;
}

static int set_varset(const struct ksr_fparam *val, const char **ret_err)
{
	return set_var(val, false, ret_err);
}

static int set_shvset(const struct ksr_fparam *val, const char **ret_err)
{
	return set_var(val, true, ret_err);
}

static const struct ksr_param_export params[] = {
        {"varset", KSR_MP_FUNC, NULL, set_varset},
        {"shvset", KSR_MP_FUNC, NULL, set_shvset},
        {NULL},
};

static void destroy(void)
{
	pv_vars_destroy();
}

/*
 * A module can be unloaded without destroy (kamailio -c stops after the fixups): the
 * variables its parameters made go with it. destroy is idempotent.
 */
__attribute__((destructor)) static void unload(void)
{
	destroy();
}

KSR_MODULE(.name = "pv", .cmds = cmds, .params = params, .pvs = all_pvs, .trans = all_trs,
           .destroy = destroy);
