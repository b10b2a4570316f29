/* Runtime config variables (group.var = value) and $sel(cfg_get.group.var). */
#include "core/cfg/cfgvars.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/pv/pv.h"

struct ksr_cfgvar {
	char *group, *name, *desc, *file;
	int line;
	struct ksr_val val; /* a string value owns val.s.s */
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
	if (v->val.type == KSR_VAL_STR)
		free(v->val.s.s);
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
	v->val.type = val->type;
	v->val.i = val->i;
	if (val->type == KSR_VAL_STR) {
		v->val.s.s = malloc(val->s.len + 1);
		if (v->val.s.s) {
			memcpy(v->val.s.s, val->s.s, val->s.len);
			v->val.s.s[val->s.len] = '\0';
			v->val.s.len = val->s.len;
		}
	}
	if (!v->group || !v->name || !v->desc || !v->file ||
	    (val->type == KSR_VAL_STR && !v->val.s.s)) {
		var_free(v);
		return -ENOMEM;
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
	*ret = v->val;
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
}

/* ---- $sel(cfg_get.group.var) ------------------------------------------------------- */

#define CFG_GET "cfg_get."

/* Resolved once at load: a misspelt variable is a load error, not a $null at runtime. */
static int sel_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena,
			  const char **ret_err)
{
	struct ksr_str n = spec->name, group, name;
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
	spec->pname = (void *)ksr_cfgvar_find(group, name);
	if (!spec->pname) {
		*ret_err = "unknown config variable (define it at the top level: group.var = "
			   "value)";
		return -EINVAL;
	}
	return 0;
}

static int sel_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	ksr_cfgvar_get(spec->pname, ret);
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
