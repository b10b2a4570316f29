/*
 * The config's own variables (group.var = value), kept in the runtime configuration
 * (rtcfg.h) where cfg.set changes them, and $sel(cfg_get.group.var).
 */
#include "core/cfg/cfgvars.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/rtcfg.h"
#include "core/mem/arena.h"
#include "core/pv/pv.h"

struct ksr_cfgvar {
	char *group, *name, *desc, *file;
	int line;
	struct ksr_rtcfg_group *grp; /* where its value lives */
	int idx;
	enum ksr_rtcfg_type type;
	struct ksr_cfgvar *next;
};

/* Defined while the config loads, before workers start, then only read: no lock. */
static struct ksr_cfgvar *vars;

static bool valid_name(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static void var_free(struct ksr_cfgvar *v)
{
	if (!v)
		return;
	free(v->group);
	free(v->name);
	free(v->desc);
	free(v->file);
	free(v);
}

static const struct ksr_cfgvar *find(const char *group, size_t glen, const char *name,
				     size_t nlen)
{
	for (const struct ksr_cfgvar *v = vars; v; v = v->next)
		if (strlen(v->group) == glen && !memcmp(v->group, group, glen) &&
		    strlen(v->name) == nlen && !memcmp(v->name, name, nlen))
			return v;
	return NULL;
}

int ksr_cfgvar_define(const char *group, const char *name, const struct ksr_val *val,
		      const char *desc, struct ksr_pos pos)
{
	struct ksr_cfgvar *v, **tail;
	int r;

	if (!valid_name(group) || !valid_name(name))
		return -EINVAL;
	if (val->type != KSR_VAL_INT && val->type != KSR_VAL_STR)
		return -EINVAL;
	if (find(group, strlen(group), name, strlen(name)))
		return -EEXIST;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->group = strdup(group);
	v->name = strdup(name);
	v->desc = strdup(desc ? desc : "");
	v->file = strdup(pos.file ? pos.file : "");
	v->line = pos.line;
	v->type = val->type == KSR_VAL_INT ? KSR_RTCFG_INT : KSR_RTCFG_STR;
	if (!v->group || !v->name || !v->desc || !v->file) {
		var_free(v);
		return -ENOMEM;
	}
	r = ksr_rtcfg_add_custom(group, name, val, desc);
	if (r == 0)
		r = ksr_rtcfg_lookup(ksr_str_make(v->group, strlen(v->group)),
				     ksr_str_make(v->name, strlen(v->name)), &v->grp, &v->idx);
	if (r < 0) {
		/* a group of the core or a module: as if defined twice */
		var_free(v);
		return r;
	}
	/* kept in definition order, for listing them later (cfg.list) */
	for (tail = &vars; *tail; tail = &(*tail)->next)
		;
	*tail = v;
	return 0;
}

const struct ksr_cfgvar *ksr_cfgvar_find(struct ksr_str group, struct ksr_str name)
{
	return find(group.s, group.len, name.s, name.len);
}

void ksr_cfgvar_get(const struct ksr_cfgvar *v, struct ksr_val *ret)
{
	if (v->type == KSR_RTCFG_INT)
		*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = ksr_rtcfg_int(v->grp, v->idx)};
	else
		*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_rtcfg_str(v->grp, v->idx)};
}

const char *ksr_cfgvar_desc(const struct ksr_cfgvar *v)
{
	return v->desc;
}

struct ksr_pos ksr_cfgvar_pos(const struct ksr_cfgvar *v)
{
	return (struct ksr_pos){v->file, v->line, 0};
}

void ksr_cfgvars_clear(void)
{
	struct ksr_cfgvar *v, *next;

	for (v = vars; v; v = next) {
		next = v->next;
		var_free(v);
	}
	vars = NULL;
	ksr_rtcfg_clear_custom();
}

/* ---- $sel(cfg_get.group.var) ------------------------------------------------------- */

#define CFG_GET "cfg_get."

/* What $sel(cfg_get.group.var) reads: any group declared when the script is compiled. */
struct sel {
	struct ksr_rtcfg_group *grp;
	int idx;
	enum ksr_rtcfg_type type;
};

/* Resolved once at load: a misspelt variable is a load error, not a $null at runtime. */
static int sel_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena,
			  const char **ret_err)
{
	struct ksr_str n = spec->name, group, name;
	struct sel *sel;
	const char *dot;

	if (n.len <= strlen(CFG_GET) || strncmp(n.s, CFG_GET, strlen(CFG_GET)) != 0) {
		*ret_err = "$sel() supports only cfg_get.group.var for now";
		return -EINVAL;
	}
	group = ksr_str_make(n.s + strlen(CFG_GET), n.len - strlen(CFG_GET));
	dot = memchr(group.s, '.', group.len);
	if (!dot || dot == group.s || dot == ksr_str_end(group) - 1) {
		*ret_err = "$sel(cfg_get...) takes group.var";
		return -EINVAL;
	}
	name = ksr_str_make((char *)dot + 1, (size_t)(ksr_str_end(group) - dot - 1));
	group.len = (size_t)(dot - group.s);
	sel = ksr_arena_alloc(arena, sizeof(*sel));
	if (!sel) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	if (ksr_rtcfg_lookup(group, name, &sel->grp, &sel->idx) < 0) {
		*ret_err = "unknown config variable (define it at the top level: group.var = "
			   "value)";
		return -EINVAL;
	}
	sel->type = ksr_rtcfg_var_type(sel->grp, sel->idx);
	spec->pname = sel;
	return 0;
}

/* The value in this worker's snapshot: the same for the whole message. */
static int sel_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const struct sel *sel = spec->pname;

	if (sel->type == KSR_RTCFG_INT)
		*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = ksr_rtcfg_int(sel->grp, sel->idx)};
	else
		*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_rtcfg_str(sel->grp, sel->idx)};
	return 0;
}

static const struct ksr_pv_export core_pvs[] = {
	{.name = "sel",
	 .get = sel_get,
	 .parse_name = sel_parse_name,
	 .flags = KSR_PV_NAME_REQUIRED},
	{0},
};

int ksr_cfgvars_pv_register(void)
{
	return ksr_pv_register(core_pvs);
}
