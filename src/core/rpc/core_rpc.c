/*
 * The core's RPC methods: what the daemon is (core.version, core.info, core.uptime,
 * core.modules, core.ppdefines, core.flags), what it runs (core.ps, core.psx,
 * core.shmmem, core.tcp_info, core.sockets_list, core.aliases_list), core.kill, the
 * registry's own (system.*), core.echo, and cfg.reload_routes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cfg/pp.h"
#include "core/cfg/reload.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/mem/meminfo.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/rpc/rpc.h"
#include "core/threads.h"
#include "core/version.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_FLAG ", ASAN"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_FLAG ", ASAN"
#endif
#endif
#ifndef ASAN_FLAG
#define ASAN_FLAG ""
#endif

/* What this build is, in upstream's words where they apply (core.flags, core.info). */
#define BUILD_FLAGS "USE_TCP, USE_IPV6, THREAD_WORKERS, SYSTEM_MALLOC" ASAN_FLAG

#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

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
	struct ksr_rpc_val *a;
	const char **names;

	for (m = ksr_modules(); m; m = m->next)
		n++;
	names = ksr_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*names));
	if (!names) {
		ksr_rpc_fault(ctx, 500, "out of memory");
		return;
	}
	/* the core's own table (no shared object) is not a module to upstream */
	for (m = ksr_modules(); m; m = m->next)
		if (m->handle)
			names[i++] = m->exp->name;
	a = ksr_rpc_add_array(ctx, NULL, NULL);
	while (a && i)
		ksr_rpc_add_str(ctx, a, NULL, cstr(names[--i]));
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
	struct ksr_rpc_val *a;

	ksr_pp_kept_foreach(collect_define, &ns);
	a = ksr_rpc_add_array(ctx, NULL, NULL);
	/* the preprocessor keeps the newest first */
	while (a && ns.n)
		ksr_rpc_add_str(ctx, a, NULL, ns.v[--ns.n]);
}

/* Upstream's shape: [{"socket": {proto, address, port (a string), mcast, ...}}]. */
static void core_sockets_list(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);
	char port[8];

	for (struct ksr_listener *l = ksr_listeners(); a && l; l = l->next) {
		struct ksr_rpc_val *item = ksr_rpc_add_struct(ctx, a, NULL);
		struct ksr_rpc_val *st = item ? ksr_rpc_add_struct(ctx, item, "socket") : NULL;

		if (!st)
			return;
		ksr_rpc_add_str(ctx, st, "proto", cstr(l->proto == IPPROTO_TCP ? "tcp" : "udp"));
		ksr_rpc_add_str(ctx, st, "address", cstr(l->host));
		snprintf(port, sizeof(port), "%u", l->port);
		ksr_rpc_add_str(ctx, st, "port", cstr(port));
		ksr_rpc_add_str(ctx, st, "mcast", cstr("no"));
		ksr_rpc_add_str(ctx, st, "mhomed", cstr("no"));
		ksr_rpc_add_str(ctx, st, "virtual", cstr("no"));
	}
}

static void add_alias(const char *host, unsigned short port, bool subdomains, void *arg)
{
	struct ksr_rpc_ctx *ctx = ((void **)arg)[0];
	struct ksr_rpc_val *a = ((void **)arg)[1];
	struct ksr_rpc_val *item = ksr_rpc_add_struct(ctx, a, NULL);
	struct ksr_rpc_val *st = item ? ksr_rpc_add_struct(ctx, item, "alias") : NULL;

	if (!st)
		return;
	/* aliases match any transport here */
	ksr_rpc_add_str(ctx, st, "proto", cstr("*"));
	ksr_rpc_add_str(ctx, st, "address", cstr(host));
	if (port)
		ksr_rpc_add_int(ctx, st, "port", port);
	else
		ksr_rpc_add_str(ctx, st, "port", cstr("*"));
}

/* The names of this server besides its listeners (core parameter alias), newest first. */
static void core_aliases_list(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);
	void *arg[2] = {ctx, NULL};

	if (!st)
		return;
	ksr_rpc_add_str(ctx, st, "myself_callbacks", cstr("no"));
	arg[1] = ksr_rpc_add_array(ctx, st, "aliases");
	if (arg[1])
		ksr_aliases_foreach(add_alias, arg);
}

static void core_info(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);

	if (!st)
		return;
	ksr_rpc_add_str(ctx, st, "version", cstr(KSR_NAME " " KSR_VERSION));
	/* no source id (git hash) is recorded at build time */
	ksr_rpc_add_str(ctx, st, "id", cstr("unknown"));
	ksr_rpc_add_str(ctx, st, "compiler", cstr(COMPILER));
	ksr_rpc_add_str(ctx, st, "compiled", cstr(""));
	ksr_rpc_add_str(ctx, st, "flags", cstr(BUILD_FLAGS));
}

static void core_flags(struct ksr_rpc_ctx *ctx)
{
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(BUILD_FLAGS));
}

/* core.ps: [id, description, ...]; core.psx: [{IDX, PID, DSC}, ...]; ids are thread ids. */
static void add_ps(const struct ksr_thread_info *t, void *arg)
{
	struct ksr_rpc_ctx *ctx = ((void **)arg)[0];
	struct ksr_rpc_val *a = ((void **)arg)[1];

	ksr_rpc_add_int(ctx, a, NULL, t->tid);
	ksr_rpc_add_str(ctx, a, NULL, cstr(t->desc));
}

static void add_psx(const struct ksr_thread_info *t, void *arg)
{
	struct ksr_rpc_ctx *ctx = ((void **)arg)[0];
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, ((void **)arg)[1], NULL);

	if (!st)
		return;
	ksr_rpc_add_int(ctx, st, "IDX", t->idx);
	ksr_rpc_add_int(ctx, st, "PID", t->tid);
	ksr_rpc_add_str(ctx, st, "DSC", cstr(t->desc));
}

static void ps(struct ksr_rpc_ctx *ctx, void (*fn)(const struct ksr_thread_info *, void *))
{
	void *arg[2] = {ctx, ksr_rpc_add_array(ctx, NULL, NULL)};
	int r;

	if (arg[1] && (r = ksr_threads_foreach(fn, arg)) < 0)
		ksr_rpc_fault(ctx, 500, "cannot list the threads: %s", strerror(-r));
}

static void core_ps(struct ksr_rpc_ctx *ctx)
{
	ps(ctx, add_ps);
}

static void core_psx(struct ksr_rpc_ctx *ctx)
{
	ps(ctx, add_psx);
}

/* The memory figures (core/mem/meminfo.h), in bytes or the unit asked for (b, k, m, g). */
static void core_shmmem(struct ksr_rpc_ctx *ctx)
{
	struct ksr_meminfo mi;
	struct ksr_rpc_val *st;
	struct ksr_str unit;
	unsigned int shift = 0;

	if (ksr_rpc_param_str(ctx, &unit) == 0) {
		static const char *const units[] = {"b", "k", "m", "g"};
		bool ok = false;

		for (unsigned int i = 0; i < 4 && !ok; i++) {
			if ((unit.len == 1 || (unit.len == 2 && (unit.s[1] | 0x20) == 'b' && i)) &&
			    (unit.s[0] | 0x20) == units[i][0]) {
				shift = 10 * i;
				ok = true;
			}
		}
		if (!ok) {
			ksr_rpc_fault(ctx, 500, "bad param, (use b|k|m|g)");
			return;
		}
	}
	ksr_meminfo_get(&mi);
	st = ksr_rpc_add_struct(ctx, NULL, NULL);
	if (!st)
		return;
	ksr_rpc_add_int(ctx, st, "total", (long)(mi.total >> shift));
	ksr_rpc_add_int(ctx, st, "free", (long)(mi.free >> shift));
	ksr_rpc_add_int(ctx, st, "used", (long)(mi.used >> shift));
	ksr_rpc_add_int(ctx, st, "real_used", (long)(mi.real_used >> shift));
	ksr_rpc_add_int(ctx, st, "max_used", (long)(mi.max_used >> shift));
	ksr_rpc_add_int(ctx, st, "fragments", (long)mi.fragments);
}

static void core_tcp_info(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *st = ksr_rpc_add_struct(ctx, NULL, NULL);
	struct ksr_tcp_info ti;

	if (!st)
		return;
	ksr_tcp_get_info(&ti);
	ksr_rpc_add_int(ctx, st, "readers", ti.readers);
	ksr_rpc_add_int(ctx, st, "max_connections", ksr_tcp_max_connections);
	/* no TLS transport; writes are not queued (a writer waits, tcp_send_timeout) */
	ksr_rpc_add_int(ctx, st, "max_tls_connections", 0);
	ksr_rpc_add_int(ctx, st, "opened_connections", ti.connections);
	ksr_rpc_add_int(ctx, st, "opened_tls_connections", 0);
	ksr_rpc_add_int(ctx, st, "write_queued_bytes", 0);
}

/*
 * core.kill [signal]: the signal (SIGTERM by default) to the daemon, as upstream. The
 * main thread takes SIGTERM, SIGINT and SIGHUP; any other signal does what it does to a
 * process.
 */
static void core_kill(struct ksr_rpc_ctx *ctx)
{
	long sig = SIGTERM;
	int r = ksr_rpc_param_int(ctx, &sig);

	if (r == -EINVAL || sig <= 0 || sig >= NSIG) {
		ksr_rpc_fault(ctx, 400, "a signal number expected");
		return;
	}
	LM_NOTICE("core.kill: sending signal %ld to the daemon\n", sig);
	if (kill(getpid(), (int)sig) < 0)
		ksr_rpc_fault(ctx, 500, "kill: %s", strerror(errno));
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

/* The method the first parameter names, or NULL with the call faulted. */
static const struct ksr_rpc_export *method_param(struct ksr_rpc_ctx *ctx)
{
	const struct ksr_rpc_export *e;
	struct ksr_str name;
	char buf[128];

	if (ksr_rpc_param_str(ctx, &name) < 0 || name.len >= sizeof(buf)) {
		ksr_rpc_fault(ctx, 400, "method name expected");
		return NULL;
	}
	memcpy(buf, name.s, name.len);
	buf[name.len] = '\0';
	e = ksr_rpc_find(buf);
	if (!e)
		ksr_rpc_fault(ctx, 400, "command not found");
	return e;
}

static void system_method_help(struct ksr_rpc_ctx *ctx)
{
	const struct ksr_rpc_export *e = method_param(ctx);

	if (e)
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(e->doc ? e->doc : ""));
}

/*
 * XML-RPC introspection: the method's signatures. The registry records none, so a known
 * method answers "undef", as the introspection convention has it for that case.
 */
static void system_method_signature(struct ksr_rpc_ctx *ctx)
{
	if (method_param(ctx))
		ksr_rpc_add_str(ctx, NULL, NULL, cstr("undef"));
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
	{"core.aliases_list", core_aliases_list, "Returns the aliases of this server."},
	{"core.info", core_info, "Verbose info: version, compiler, compile flags."},
	{"core.flags", core_flags, "Returns the compile flags."},
	{"core.ps", core_ps, "Returns the threads: id and description of each."},
	{"core.psx", core_psx, "Returns the threads: index, id and description of each."},
	{"core.shmmem", core_shmmem,
	 "Returns the memory figures; optional unit: b (default), k, m or g."},
	{"core.tcp_info", core_tcp_info, "Returns TCP related info."},
	{"core.kill", core_kill, "Sends a signal (default SIGTERM) to the daemon."},
	{"system.listMethods", system_list_methods, "Lists all RPC methods supported."},
	{"system.methodHelp", system_method_help, "Print the help string for a given method."},
	{"system.methodSignature", system_method_signature,
	 "Returns the signature of a method (\"undef\": none recorded)."},
	{"cfg.reload_routes", cfg_reload_routes,
	 "Reloads the route blocks of the config file; the old ones stay on an error."},
	{0},
};

int ksr_core_rpc_register(void)
{
	started = time(NULL);
	return ksr_rpc_register(core_rpcs);
}
