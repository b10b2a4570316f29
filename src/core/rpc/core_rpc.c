/*
 * The core's RPC methods: what the daemon is (core.version, core.uptime, core.modules,
 * core.ppdefines, core.sockets_list), the registry's own (system.listMethods,
 * system.methodHelp), core.echo, and cfg.reload_routes, which reloads the routing rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cfg/pp.h"
#include "core/cfg/reload.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/rpc/rpc.h"
#include "core/version.h"

static time_t started;

static struct ksr_str cstr(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

static void core_version(struct ksr_rpc_ctx *ctx)
{
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(KSR_FULL_VERSION));
}

/* ctime's text without its line end */
static struct ksr_str when(time_t t, char *buf)
{
	size_t n;

	if (!ctime_r(&t, buf))
		return KSR_STR_NULL;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		n--;
	return ksr_str_make(buf, n);
}

static void core_uptime(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);
	time_t now = time(NULL);
	char buf[32];

	if (!st)
		return;
	ksr_rpc_add_str(ctx, st, "now", when(now, buf));
	ksr_rpc_add_str(ctx, st, "up_since", when(started, buf));
	ksr_rpc_add_int(ctx, st, "uptime", (long)(now - started));
}

/* The parameters back, as strings, in one array (upstream's shape: ["a", "1"]). */
static void core_echo(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);
	struct ksr_str s;

	while (a && ksr_rpc_param_str(ctx, &s) == 0)
		ksr_rpc_add_str(ctx, a, NULL, s);
}

/* The loaded modules, the last loaded first (as upstream lists them). */
static void core_modules(struct ksr_rpc_ctx *ctx)
{
	size_t n = 0, i = 0;
	struct ksr_module *m;
	const char **names;

	for (m = ksr_modules(); m; m = m->next)
		n++;
	names = ksr_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*names));
	if (!names) {
		ksr_rpc_fault(ctx, 500, "out of memory");
		return;
	}
	for (m = ksr_modules(); m; m = m->next)
		names[i++] = m->exp->name;
	while (i)
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(names[--i]));
}

struct names {
	struct ksr_str *v;
	size_t n, cap;
	struct ksr_arena *arena;
};

static void collect_define(struct ksr_str name, struct ksr_str value, void *arg)
{
	struct names *ns = arg;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 32;
		struct ksr_str *v = ksr_arena_alloc(ns->arena, cap * sizeof(*v));

		if (!v)
			return;
		if (ns->n)
			memcpy(v, ns->v, ns->n * sizeof(*v));
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n++] = name;
}

/* The names #!define'd by the startup config, in the order they were defined. */
static void core_ppdefines(struct ksr_rpc_ctx *ctx)
{
	struct names ns = {.arena = ctx->arena};

	ksr_pp_kept_foreach(collect_define, &ns);
	/* the preprocessor keeps the newest first */
	while (ns.n)
		ksr_rpc_add_str(ctx, NULL, NULL, ns.v[--ns.n]);
}

static void core_sockets_list(struct ksr_rpc_ctx *ctx)
{
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next) {
		struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

		if (!st)
			return;
		ksr_rpc_add_str(ctx, st, "proto", cstr(l->proto == IPPROTO_TCP ? "tcp" : "udp"));
		ksr_rpc_add_str(ctx, st, "address", cstr(l->host));
		ksr_rpc_add_int(ctx, st, "port", l->port);
		if (l->adv_host[0])
			ksr_rpc_add_str(ctx, st, "advertise", cstr(l->adv_host));
		if (l->name[0])
			ksr_rpc_add_str(ctx, st, "name", cstr(l->name));
	}
}

struct method_names {
	const char **v;
	size_t n, cap;
	struct ksr_arena *arena;
};

static void list_one(const struct ksr_rpc_export *e, void *arg)
{
	struct method_names *mn = arg;

	if (mn->n == mn->cap) {
		size_t cap = mn->cap ? mn->cap * 2 : 64;
		const char **v = ksr_arena_alloc(mn->arena, cap * sizeof(*v));

		if (!v)
			return;
		if (mn->n)
			memcpy(v, mn->v, mn->n * sizeof(*v));
		mn->v = v;
		mn->cap = cap;
	}
	mn->v[mn->n++] = e->name;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every method, sorted by name (as upstream lists them). */
static void system_list_methods(struct ksr_rpc_ctx *ctx)
{
	struct method_names mn = {.arena = ctx->arena};
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);

	ksr_rpc_foreach(list_one, &mn);
	if (mn.n)
		qsort(mn.v, mn.n, sizeof(*mn.v), cmp_names);
	for (size_t i = 0; a && i < mn.n; i++)
		ksr_rpc_add_str(ctx, a, NULL, cstr(mn.v[i]));
}

static void system_method_help(struct ksr_rpc_ctx *ctx)
{
	const struct ksr_rpc_export *e;
	struct ksr_str name;
	char buf[128];

	if (ksr_rpc_param_str(ctx, &name) < 0 || name.len >= sizeof(buf)) {
		ksr_rpc_fault(ctx, 400, "method name expected");
		return;
	}
	memcpy(buf, name.s, name.len);
	buf[name.len] = '\0';
	e = ksr_rpc_find(buf);
	if (!e) {
		ksr_rpc_fault(ctx, 500, "command %s not found", buf);
		return;
	}
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(e->doc ? e->doc : ""));
}

/* The route blocks of the config file, compiled again and swapped in (cfg/reload.h). */
static void cfg_reload_routes(struct ksr_rpc_ctx *ctx)
{
	struct ksr_cfg_error err = {0};

	if (ksr_reload_routes(&err) < 0) {
		if (err.pos.line > 0)
			ksr_rpc_fault(ctx, 500, "%s:%d:%d: %s", err.pos.file, err.pos.line,
				      err.pos.col, err.msg);
		else
			ksr_rpc_fault(ctx, 500, "%s", err.msg[0] ? err.msg : "reload failed");
		return;
	}
	ksr_rpc_add_str(ctx, NULL, NULL, cstr("ok"));
}

static const struct ksr_rpc_export core_rpcs[] = {
	{"core.version", core_version, "Returns the version string of the server."},
	{"core.uptime", core_uptime, "Returns uptime statistics."},
	{"core.echo", core_echo, "Returns back its parameters."},
	{"core.modules", core_modules, "Returns the list of the loaded modules."},
	{"core.ppdefines", core_ppdefines, "Returns the names the config defined (#!define)."},
	{"core.sockets_list", core_sockets_list, "Returns the listening sockets."},
	{"system.listMethods", system_list_methods, "Lists all RPC methods supported."},
	{"system.methodHelp", system_method_help, "Print the help string for a given method."},
	{"cfg.reload_routes", cfg_reload_routes,
	 "Reloads the route blocks of the config file; the old ones stay on an error."},
	{0},
};

int ksr_core_rpc_register(void)
{
	started = time(NULL);
	return ksr_rpc_register(core_rpcs);
}
