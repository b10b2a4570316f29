/*
 * kex's statistics commands (stats.*) over the core counters registry: every statistic
 * by "all", "group:" or its name, as upstream prints them ("group:name = value").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "kex.h"

static bool is(const char *a, struct ksr_str b)
{
	return strlen(a) == b.len && memcmp(a, b.s, b.len) == 0;
}

static bool is_group(struct ksr_str sel)
{
	return sel.len > 1 && sel.s[sel.len - 1] == ':';
}

/* The statistic a name selects: the first registered with it; dotted: group.name too. */
static struct ksr_counter *named(struct ksr_str sel, bool dotted)
{
	const char *sep;

	if (dotted &&
	    ((sep = memchr(sel.s, '.', sel.len)) || (sep = memchr(sel.s, ':', sel.len)))) {
		size_t glen = (size_t)(sep - sel.s);

		return ksr_counter_lookup(ksr_str_make(sel.s, glen),
		                          ksr_str_make((char *)sep + 1, sel.len - glen - 1));
	}
	return ksr_counter_find_name(sel);
}

/*
 * fn for each statistic the parameters select ("all", "group:", a name; dotted: also
 * group.name), parameter by parameter; groups sorted by name. 0, or the call faulted (no
 * parameter: with msg).
 */
static int each_selected(struct ksr_rpc_ctx *ctx, bool dotted, const char *msg,
                         void (*fn)(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg),
                         void *arg)
{
	struct ksr_counter **v, *c;
	struct ksr_str sel;
	size_t n;
	int np = 0;

	if (ksr_counters_sorted(&v, &n) < 0) {
		ksr_rpc_fault(ctx, 500, "out of memory");
		return -ENOMEM;
	}
	while (ksr_rpc_param_str(ctx, &sel) == 0) {
		np++;
		if (is("all", sel)) {
			for (size_t i = 0; i < n; i++)
				fn(ctx, v[i], arg);
		} else if (is_group(sel)) {
			for (size_t i = 0; i < n; i++)
				if (strlen(v[i]->group) == sel.len - 1 &&
				    memcmp(v[i]->group, sel.s, sel.len - 1) == 0)
					fn(ctx, v[i], arg);
		} else if ((c = named(sel, dotted))) {
			fn(ctx, c, arg);
		}
	}
	free(v);
	if (!np) {
		ksr_rpc_fault(ctx, 400, "%s", msg);
		return -EINVAL;
	}
	return 0;
}

/* "group:name = value" into the array arg */
static void add_line(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	char line[256];
	int len =
	        snprintf(line, sizeof(line), "%s:%s = %ld", c->group, c->name, ksr_counter_get(c));

	if (len > 0)
		ksr_rpc_add_str(ctx, arg, NULL,
		                ksr_str_make(line, (size_t)len < sizeof(line) ? (size_t)len
		                                                              : sizeof(line) - 1));
}

static void reset_one(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	ksr_counter_reset(c);
}

static void add_line_reset(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	add_line(ctx, c, arg);
	ksr_counter_reset(c);
}

static void get_statistics(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);

	if (a)
		each_selected(ctx, false, "Please provide which stats to retrieve", add_line, a);
}

static void reset_statistics(struct ksr_rpc_ctx *ctx)
{
	each_selected(ctx, false, "Please provide stats name", reset_one, NULL);
}

/* The values as get_statistics prints them, each reset once printed. */
static void clear_statistics(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);

	if (a)
		each_selected(ctx, false, "Please provide which stats to retrieve", add_line_reset,
		              a);
}

/* stats.fetch: {"group.name": "value"}; stats.fetchn: the same with numbers. */
static void add_member(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg, bool num)
{
	char key[256], val[32];
	int len;

	snprintf(key, sizeof(key), "%s.%s", c->group, c->name);
	if (num) {
		ksr_rpc_add_int(ctx, arg, key, ksr_counter_get(c));
		return;
	}
	len = snprintf(val, sizeof(val), "%ld", ksr_counter_get(c));
	ksr_rpc_add_str(ctx, arg, key, ksr_str_make(val, (size_t)len));
}

static void add_member_str(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	add_member(ctx, c, arg, false);
}

static void add_member_num(struct ksr_rpc_ctx *ctx, struct ksr_counter *c, void *arg)
{
	add_member(ctx, c, arg, true);
}

static void fetch(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	if (st)
		each_selected(ctx, true, "Please provide which stats to retrieve", add_member_str,
		              st);
}

static void fetchn(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	if (st)
		each_selected(ctx, true, "Please provide which stats to retrieve", add_member_num,
		              st);
}

const struct ksr_rpc_export kex_stats_rpcs[] = {
        {"stats.get_statistics", get_statistics,
         "Print the statistics: \"all\", \"group:\" or a name (several may be given)."},
        {"stats.reset_statistics", reset_statistics,
         "Reset the statistics: \"all\", \"group:\" or a name (several may be given)."},
        {"stats.clear_statistics", clear_statistics,
         "Print the statistics and reset them, as stats.get_statistics selects them."},
        {"stats.fetch", fetch,
         "The statistics as {\"group.name\": \"value\"}: \"all\", \"group:\", a name or "
         "group.name."},
        {"stats.fetchn", fetchn,
         "The statistics as {\"group.name\": value}: \"all\", \"group:\", a name or group.name."},
        {0},
};
