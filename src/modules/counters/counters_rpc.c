/*
 * counters' RPC commands (cnt.*): every counter of the core registry, script counters and
 * module statistics alike, by group and name, as upstream lists them (sorted).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

static struct ksr_str cstr(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

static bool is(const char *a, struct ksr_str b)
{
	return strlen(a) == b.len && memcmp(a, b.s, b.len) == 0;
}

/* The group, and the name when want_name: 0, or the call faulted. */
static int params(struct ksr_rpc_ctx *ctx, struct ksr_str *ret_group, struct ksr_str *ret_name,
                  bool name_optional)
{
	if (ksr_rpc_param_str(ctx, ret_group) < 0) {
		ksr_rpc_fault(ctx, 400, "group name expected");
		return -EINVAL;
	}
	if (!ret_name)
		return 0;
	*ret_name = KSR_STR_NULL;
	if (ksr_rpc_param_str(ctx, ret_name) < 0 && !name_optional) {
		ksr_rpc_fault(ctx, 400, "counter name expected");
		return -EINVAL;
	}
	return 0;
}

/* The counter group.name, or NULL with the call faulted as upstream. */
static struct ksr_counter *counter(struct ksr_rpc_ctx *ctx, struct ksr_str group,
                                   struct ksr_str name)
{
	struct ksr_counter *c = ksr_counter_lookup(group, name);

	if (!c)
		ksr_rpc_fault(ctx, 400, "non-existent counter %.*s.%.*s", KSR_STR_FMT(group),
		              KSR_STR_FMT(name));
	return c;
}

/* fn for each counter of group (NULL: every counter), sorted. 0, or the call faulted. */
static int each(struct ksr_rpc_ctx *ctx, const struct ksr_str *group,
                void (*fn)(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg), void *arg)
{
	struct ksr_counter **v;
	size_t n;

	if (ksr_counters_sorted(&v, &n) < 0) {
		ksr_rpc_fault(ctx, 500, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (!group || is(v[i]->group, *group))
			fn(ctx, v[i], arg);
	free(v);
	return 0;
}

static void add_value(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *st)
{
	ksr_rpc_add_int(ctx, st, c->name, ksr_counter_get(c));
}

static void add_name(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *a)
{
	ksr_rpc_add_str(ctx, a, NULL, cstr(c->name));
}

/* A group's name, once (the list is sorted: groups come together). */
static void add_group(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	void **st = arg;

	if (st[1] && strcmp(st[1], c->group) == 0)
		return;
	st[1] = c->group;
	ksr_rpc_add_str(ctx, st[0], NULL, cstr(c->group));
}

/* Every counter of the group as one struct {name: value}; an unknown group: {}. */
static void group_values(struct ksr_rpc_ctx *ctx, struct ksr_str group)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	if (st)
		each(ctx, &group, add_value, st);
}

/* cnt.get group [name]: the value; without a name, the group's values. */
static void rpc_get(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group, name;
	struct ksr_counter *c;

	if (params(ctx, &group, &name, true) < 0)
		return;
	if (!name.s) {
		group_values(ctx, group);
		return;
	}
	if ((c = counter(ctx, group, name)))
		ksr_rpc_add_int(ctx, NULL, NULL, ksr_counter_get(c));
}

static void rpc_reset(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group, name;
	struct ksr_counter *c;

	if (params(ctx, &group, &name, false) == 0 && (c = counter(ctx, group, name)))
		ksr_counter_reset(c);
}

static void rpc_help(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group, name;
	struct ksr_counter *c;

	if (params(ctx, &group, &name, false) == 0 && (c = counter(ctx, group, name)))
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(c->desc));
}

static void rpc_list_groups(struct ksr_rpc_ctx *ctx)
{
	void *arg[2] = {ksr_rpc_add_array(ctx, NULL, NULL), NULL};

	if (arg[0])
		each(ctx, NULL, add_group, arg);
}

static void rpc_list_vars(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group;
	struct ksr_rpc_val *a;

	if (params(ctx, &group, NULL, false) == 0 && (a = ksr_rpc_add_array(ctx, NULL, NULL)))
		each(ctx, &group, add_name, a);
}

static void rpc_get_vars(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group;

	if (params(ctx, &group, NULL, false) == 0)
		group_values(ctx, group);
}

const struct ksr_rpc_export counters_rpcs[] = {
        {"cnt.get", rpc_get, "get counter value (takes group and counter name as parameters)"},
        /* no counter here has a value of its own beside what cnt.get reads */
        {"cnt.get_raw", rpc_get,
         "get raw counter value (debugging version; takes group and counter name)"},
        {"cnt.reset", rpc_reset, "reset counter (takes group and counter name as parameters)"},
        {"cnt.list_groups", rpc_list_groups, "list all the counter group names"},
        {"cnt.grps_list", rpc_list_groups, "list all the counter group names"},
        {"cnt.list_vars", rpc_list_vars, "list all the counter names in a specified group"},
        {"cnt.var_list", rpc_list_vars, "list all the counter names in a specified group"},
        {"cnt.get_vars", rpc_get_vars,
         "list all the counter names and their values in a specified group"},
        {"cnt.grp_get_all", rpc_get_vars,
         "list all the counter names and their values in a specified group"},
        {"cnt.help", rpc_help, "print the description of a counter (group and counter name)"},
        {0},
};
