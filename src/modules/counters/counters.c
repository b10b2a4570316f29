/*
 * counters: script counters declared by modparam (in the core counters registry) and
 * changed by cnt_inc/cnt_add/cnt_reset from any worker. Each counter is one atomic
 * value: workers never block.
 */
#include "counters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/module/module.h"

#define DEFAULT_DESC "custom script counter."

char *counters_script_grp = "script";

/* "group.name" at the first '.'; the default group when there is none. */
static void split_ref(struct ksr_str ref, struct ksr_str *ret_group, struct ksr_str *ret_name)
{
	const char *dot = memchr(ref.s, '.', ref.len);

	if (dot) {
		*ret_group = ksr_str_make(ref.s, (size_t)(dot - ref.s));
		*ret_name = ksr_str_make((char *)dot + 1, ref.len - ret_group->len - 1);
	} else {
		*ret_group = ksr_str_make(counters_script_grp, strlen(counters_script_grp));
		*ret_name = ref;
	}
}

struct ksr_counter *counters_lookup_ref(struct ksr_str ref)
{
	struct ksr_str group, name;

	split_ref(ref, &group, &name);
	return ksr_counter_lookup(group, name);
}

int counters_declare(const char *decl)
{
	size_t len = strlen(decl), nlen;
	const char *sep = NULL, *desc = NULL;
	struct ksr_str group, name;
	char *g = NULL, *n = NULL;
	int r = -ENOMEM;

	/* the description starts after the first ' ' or ':', whichever comes first */
	for (size_t i = 0; i < len && !sep; i++)
		if (decl[i] == ' ' || decl[i] == ':')
			sep = decl + i;
	nlen = sep ? (size_t)(sep - decl) : len;
	if (sep) {
		for (desc = sep + 1; *desc == ' ' || *desc == '\t'; desc++)
			;
		if (!*desc)
			desc = NULL;
	}
	split_ref(ksr_str_make((char *)decl, nlen), &group, &name);
	g = strndup(group.s, group.len);
	n = strndup(name.s, name.len);
	if (g && n)
		r = ksr_counter_register(g, n, desc ? desc : DEFAULT_DESC, NULL);
	free(g);
	free(n);
	return r;
}

/* --- modparams --- */

static int set_script_counter(const struct ksr_fparam *val, const char **ret_err)
{
	int r;

	if (val->type != KSR_PT_STR) {
		*ret_err = "takes a string: [group.]name[( |:)description]";
		return -EINVAL;
	}
	r = counters_declare(val->s.s);
	if (r == -EEXIST) {
		/* as upstream: reported, not fatal */
		LM_ERR("counter '%s' already declared\n", val->s.s);
		return 0;
	}
	if (r == -EINVAL)
		*ret_err = "a counter needs a name (and a group when '.' is given): "
		           "[group.]name[( |:)description]";
	else if (r < 0)
		*ret_err = "out of memory";
	return r;
}

static const struct ksr_param_export params[] = {
        {"script_counter", KSR_MP_FUNC, NULL, set_script_counter},
        {"script_cnt_grp_name", KSR_MP_STR, &counters_script_grp, NULL},
        {0},
};

/* --- functions --- */

/*
 * A constant name is looked up once here: an undeclared counter refuses the config, as
 * upstream. A name with pseudo-variables (possible here and from KEMI) is looked up on
 * every call.
 */
static int fixup_cnt(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[0].dynamic)
		return 0;
	p[0].ptr = counters_lookup_ref(p[0].s);
	if (!p[0].ptr) {
		*ret_err = "counter not declared (forgot modparam(\"counters\", "
		           "\"script_counter\", ...)?)";
		return -ENOENT;
	}
	return 0;
}

static struct ksr_counter *cnt_of(const struct ksr_fparam *p)
{
	struct ksr_counter *c = p[0].ptr;

	if (c)
		return c;
	c = counters_lookup_ref(p[0].s);
	if (!c)
		LM_ERR("counter '%.*s' is not declared\n", KSR_STR_FMT(p[0].s));
	return c;
}

static int w_cnt_inc(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_counter *c = cnt_of(p);

	if (!c)
		return -1;
	ksr_counter_add(c, 1);
	return 1;
}

static int w_cnt_add(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_counter *c = cnt_of(p);

	if (!c)
		return -1;
	ksr_counter_add(c, p[1].i);
	return 1;
}

static int w_cnt_reset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_counter *c = cnt_of(p);

	if (!c)
		return -1;
	ksr_counter_reset(c);
	return 1;
}

#define CNT_ROUTES (KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY | KSR_ROUTE_FAILURE | KSR_ROUTE_ONSEND)

static const struct ksr_cmd_export cmds[] = {
        {"cnt_inc", w_cnt_inc, {KSR_PT_STR}, fixup_cnt, CNT_ROUTES},
        {"cnt_add", w_cnt_add, {KSR_PT_STR, KSR_PT_INT}, fixup_cnt, CNT_ROUTES},
        {"cnt_reset", w_cnt_reset, {KSR_PT_STR}, fixup_cnt, CNT_ROUTES},
        {0},
};

/* Script counters belong to the core registry, which the daemon clears at exit. */
KSR_MODULE(.name = "counters", .cmds = cmds, .params = params, .rpcs = counters_rpcs);
