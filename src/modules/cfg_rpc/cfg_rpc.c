/*
 * cfg_rpc: the cfg.* RPC commands over the runtime configuration (core/cfg/rtcfg.h):
 * list, read, change now or prepare and commit, compare, describe, reset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/cfg/rtcfg.h"
#include "core/module/module.h"

static struct ksr_str cstr(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

/* An item's value into parent (NULL: the reply), as its type. */
static void add_val(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent, const char *name,
                    const struct ksr_val *v)
{
	if (v->type == KSR_VAL_INT)
		ksr_rpc_add_int(ctx, parent, name, v->i);
	else
		ksr_rpc_add_str(ctx, parent, name, v->s);
}

/* ---- cfg.list ---------------------------------------------------------------------- */

static void add_list_line(const struct ksr_rtcfg_item *it, void *arg)
{
	struct ksr_rpc_ctx *ctx = ((void **)arg)[0];
	char line[256];
	int n = snprintf(line, sizeof(line), "%s: %s", it->group, it->name);

	if (n > 0 && (size_t)n < sizeof(line))
		ksr_rpc_add_str(ctx, ((void **)arg)[1], NULL, ksr_str_make(line, (size_t)n));
}

/* cfg.list [group]: "group: var" for every variable; an unknown group lists nothing. */
static void rpc_list(struct ksr_rpc_ctx *ctx)
{
	void *arg[2] = {ctx, ksr_rpc_add_array(ctx, NULL, NULL)};
	struct ksr_str group;
	bool one = ksr_rpc_param_str(ctx, &group) == 0;

	if (arg[1])
		ksr_rtcfg_foreach(one ? &group : NULL, NULL, add_list_line, arg);
}

/* ---- cfg.get, cfg.help ------------------------------------------------------------- */

static void add_member(const struct ksr_rtcfg_item *it, void *arg)
{
	add_val(((void **)arg)[0], ((void **)arg)[1], it->name, &it->val);
}

static void add_value(const struct ksr_rtcfg_item *it, void *ctx)
{
	add_val(ctx, NULL, NULL, &it->val);
}

/* cfg.get group [var]: the value, or every value of the group as one struct. */
static void rpc_get(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group, var;
	void *arg[2] = {ctx, NULL};

	if (ksr_rpc_param_str(ctx, &group) < 0) {
		ksr_rpc_fault(ctx, 500, "Failed to get the parameters");
		return;
	}
	if (ksr_rpc_param_str(ctx, &var) == 0) {
		if (ksr_rtcfg_foreach(&group, &var, add_value, ctx) < 0)
			ksr_rpc_fault(ctx, 400, "Failed to get the variable");
		return;
	}
	arg[1] = ksr_rpc_add_struct(ctx, NULL, NULL);
	if (arg[1] && ksr_rtcfg_foreach(&group, NULL, add_member, arg) < 0)
		ksr_rpc_fault(ctx, 400, "Failed to get the variable");
}

static void add_help(const struct ksr_rtcfg_item *it, void *ctx)
{
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(it->desc));
	ksr_rpc_add_str(ctx, NULL, NULL,
	                cstr(it->type == KSR_RTCFG_INT ? "(parameter type is integer)"
	                                               : "(parameter type is string)"));
}

/* cfg.help group var: the description, then the type, as two strings. */
static void rpc_help(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group, var;

	if (ksr_rpc_param_str(ctx, &group) < 0 || ksr_rpc_param_str(ctx, &var) < 0) {
		ksr_rpc_fault(ctx, 400, "group and variable name expected");
		return;
	}
	if (ksr_rtcfg_foreach(&group, &var, add_help, ctx) < 0)
		ksr_rpc_fault(ctx, 400, "Failed to get the variable description");
}

/* ---- setting ----------------------------------------------------------------------- */

enum want { ANY, INT, STR };

/*
 * cfg.set* group var value. want INT reads the value as an integer (a numeric string
 * counts), STR as a string (a number is its text), ANY as it comes.
 */
static void set(struct ksr_rpc_ctx *ctx, enum want want, bool delayed)
{
	struct ksr_str group, var;
	struct ksr_val val = {0};
	const char *why = NULL;
	int r;

	if (ksr_rpc_param_str(ctx, &group) < 0 || ksr_rpc_param_str(ctx, &var) < 0) {
		ksr_rpc_fault(ctx, 400, "group and variable name expected");
		return;
	}
	if (want == ANY && ctx->param && ctx->param->type == KSR_RPC_INT)
		want = INT;
	if (want == INT) {
		val.type = KSR_VAL_INT;
		r = ksr_rpc_param_int(ctx, &val.i);
	} else {
		val.type = KSR_VAL_STR;
		r = ksr_rpc_param_str(ctx, &val.s);
	}
	if (r == -ENOENT) {
		ksr_rpc_fault(ctx, 400, "a value expected");
		return;
	}
	if (r < 0) {
		ksr_rpc_fault(ctx, 400, "Failed to set the variable (an integer expected)");
		return;
	}
	r = ksr_rtcfg_set(group, var, &val, delayed, &why);
	if (r == -ENOMEM)
		ksr_rpc_fault(ctx, 500, "out of memory");
	else if (r < 0)
		ksr_rpc_fault(ctx, 400, "Failed to set the variable (%s)", why);
}

static void rpc_set(struct ksr_rpc_ctx *ctx)
{
	set(ctx, ANY, false);
}

static void rpc_seti(struct ksr_rpc_ctx *ctx)
{
	set(ctx, INT, false);
}

static void rpc_sets(struct ksr_rpc_ctx *ctx)
{
	set(ctx, STR, false);
}

static void rpc_set_delayed(struct ksr_rpc_ctx *ctx)
{
	set(ctx, ANY, true);
}

static void rpc_set_delayed_int(struct ksr_rpc_ctx *ctx)
{
	set(ctx, INT, true);
}

static void rpc_set_delayed_string(struct ksr_rpc_ctx *ctx)
{
	set(ctx, STR, true);
}

static void rpc_commit(struct ksr_rpc_ctx *ctx)
{
	if (ksr_rtcfg_commit() < 0)
		ksr_rpc_fault(ctx, 500, "Failed to commit the changes");
}

static void rpc_rollback(struct ksr_rpc_ctx *ctx)
{
	ksr_rtcfg_rollback();
}

static void add_diff(const struct ksr_rtcfg_item *it, void *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	if (!st)
		return;
	ksr_rpc_add_str(ctx, st, "group name", cstr(it->group));
	ksr_rpc_add_str(ctx, st, "variable name", cstr(it->name));
	add_val(ctx, st, "old value", &it->val);
	add_val(ctx, st, "new value", &it->new_val);
}

/* cfg.diff: one struct per prepared change. */
static void rpc_diff(struct ksr_rpc_ctx *ctx)
{
	ksr_rtcfg_diff(add_diff, ctx);
}

/* cfg.reset group: every variable of the group back to its value at start. */
static void rpc_reset(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str group;
	int r;

	if (ksr_rpc_param_str(ctx, &group) < 0) {
		ksr_rpc_fault(ctx, 400, "group name expected");
		return;
	}
	r = ksr_rtcfg_reset(group);
	if (r == -ENOENT)
		ksr_rpc_fault(ctx, 400, "Reset failed (no such group)");
	else if (r < 0)
		ksr_rpc_fault(ctx, 500, "Reset failed (out of memory)");
}

static const struct ksr_rpc_export rpcs[] = {
        {"cfg.list", rpc_list, "List the configuration variables (optional: a group)."},
        {"cfg.get", rpc_get, "Get the value of a configuration variable (group [var])."},
        {"cfg.help", rpc_help, "Print the description of a configuration variable."},
        {"cfg.set", rpc_set, "Set a configuration variable now (group var int|string)."},
        {"cfg.seti", rpc_seti, "Set a configuration variable now (group var int)."},
        {"cfg.set_now_int", rpc_seti, "Set a configuration variable now (group var int)."},
        {"cfg.sets", rpc_sets, "Set a configuration variable now (group var string)."},
        {"cfg.set_now_string", rpc_sets, "Set a configuration variable now (group var string)."},
        {"cfg.set_delayed", rpc_set_delayed,
         "Prepare the change of a configuration variable (group var int|string)."},
        {"cfg.set_delayed_int", rpc_set_delayed_int,
         "Prepare the change of a configuration variable (group var int)."},
        {"cfg.set_delayed_string", rpc_set_delayed_string,
         "Prepare the change of a configuration variable (group var string)."},
        {"cfg.commit", rpc_commit, "Commit the prepared configuration changes."},
        {"cfg.rollback", rpc_rollback, "Drop the prepared configuration changes."},
        {"cfg.diff", rpc_diff, "List the prepared configuration changes."},
        {"cfg.reset", rpc_reset, "Reset the variables of a group to their values at start."},
        {0},
};

KSR_MODULE(.name = "cfg_rpc", .rpcs = rpcs);
