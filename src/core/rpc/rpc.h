/*
 * RPC: management methods exported by the core and modules ("core.version", "tm.stats"),
 * called by the transports (ctl's binrpc, jsonrpcs) with one value model: integers,
 * strings, structs (named members) and arrays, as upstream's. A method reads its
 * parameters and builds its reply through a call context; the transport encodes it.
 */
#ifndef KSR_CORE_RPC_RPC_H
#define KSR_CORE_RPC_RPC_H

#include <stdbool.h>

#include "core/str.h"

struct ksr_arena;

enum ksr_rpc_type { KSR_RPC_INT, KSR_RPC_STR, KSR_RPC_STRUCT, KSR_RPC_ARRAY };

/* A value; members of a struct carry a name. Everything lives in the call's arena. */
struct ksr_rpc_val {
	enum ksr_rpc_type type;
	struct ksr_str name; /* as a struct member; empty otherwise */
	long i;
	struct ksr_str s;
	struct ksr_rpc_val *first, *last; /* struct members, array items */
	struct ksr_rpc_val *next;
};

/* One call: the parameters in, the reply (a list of values) or a fault out. */
struct ksr_rpc_ctx {
	struct ksr_arena *arena;
	struct ksr_rpc_val *param; /* the next parameter to read */
	struct ksr_rpc_val reply; /* an array: the values the method added */
	int fault_code; /* 0 when the call succeeded */
	char fault[256];
};

typedef void (*ksr_rpc_fn)(struct ksr_rpc_ctx *ctx);

/* A method, as the core and modules export them (module exports' .rpcs). */
struct ksr_rpc_export {
	const char *name; /* "group.method" */
	ksr_rpc_fn fn;
	const char *doc; /* one line, for system.methodHelp */
};

/* --- for methods --- */

/* The next parameter: 0, or -ENOENT when there is none left, -EINVAL for another type. */
int ksr_rpc_param_str(struct ksr_rpc_ctx *ctx, struct ksr_str *ret);
int ksr_rpc_param_int(struct ksr_rpc_ctx *ctx, long *ret); /* a numeric string counts */
bool ksr_rpc_param_left(const struct ksr_rpc_ctx *ctx);
/* The call fails with code (upstream's: 400 bad parameters, 500 ...) and a message. */
void ksr_rpc_fault(struct ksr_rpc_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Add a value to parent (a struct, with a member name, or an array; NULL: the reply).
 * Strings are copied. The new value, or NULL when out of memory (the call then faults).
 */
struct ksr_rpc_val *ksr_rpc_add_int(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				    const char *name, long i);
struct ksr_rpc_val *ksr_rpc_add_str(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				    const char *name, struct ksr_str s);
struct ksr_rpc_val *ksr_rpc_add_struct(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				       const char *name);
struct ksr_rpc_val *ksr_rpc_add_array(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				      const char *name);

/* --- for transports --- */

/* A parameter value the transport decoded, for the params list of ksr_rpc_call. */
struct ksr_rpc_val *ksr_rpc_new_int(struct ksr_arena *arena, long i);
struct ksr_rpc_val *ksr_rpc_new_str(struct ksr_arena *arena, struct ksr_str s);
/*
 * Run method with params (a list linked by next, or NULL) into ctx, whose reply and fault
 * the transport then encodes. An unknown method faults with 500, as upstream: 0, or
 * -ENOENT for an unknown method (ctx faulted).
 */
int ksr_rpc_call(const char *method, struct ksr_rpc_val *params, struct ksr_arena *arena,
		 struct ksr_rpc_ctx *ctx);

/* --- the registry --- */

/*
 * Add a NULL-name terminated table (the core's at start; modules' when loaded). -EEXIST
 * when one of its names is taken. ksr_rpc_unregister takes a table out (module unload).
 */
int ksr_rpc_register(const struct ksr_rpc_export *table);
void ksr_rpc_unregister(const struct ksr_rpc_export *table);
const struct ksr_rpc_export *ksr_rpc_find(const char *name);
/* Every method, for system.listMethods: call fn for each. */
void ksr_rpc_foreach(void (*fn)(const struct ksr_rpc_export *e, void *arg), void *arg);
/* Forget every table (at exit, in tests). */
void ksr_rpc_clear(void);
/* The core's own methods (core.*, system.*, cfg.reload_routes). */
int ksr_core_rpc_register(void);

#endif
