/*
 * The module ABI: the one export table a module declares. Bump KSR_MODULE_ABI_VERSION on
 * any change to these types; the loader refuses modules built for another version.
 */
#ifndef KSR_CORE_MODULE_MODULE_T_H
#define KSR_CORE_MODULE_MODULE_T_H

#include <stddef.h>

#include "core/pv/pv-t.h"
#include "core/rpc/rpc.h"
#include "core/str.h"

#define KSR_MODULE_ABI_VERSION 5u
#define KSR_MODULE_EXPORTS_SYMBOL "ksr_module_exports"
#define KSR_MAX_PARAMS 6

struct ksr_msg;

/* Parameter types of script functions; the same list maps to KEMI types. */
enum ksr_ptype {
	KSR_PT_NONE = 0, /* terminates a parameter list */
	KSR_PT_INT, /* integer; "200" in a config is accepted and converted at load */
	KSR_PT_STR, /* string; "$..." in it are pseudo-variables, evaluated on every call */
	KSR_PT_RAW, /* string taken as written, '$' included (regular expressions) */
};

/*
 * A parameter value after fixup, handed to the function on every call. A parameter
 * written with pseudo-variables ("$rU", "id-$ci") is `dynamic`: at load its fixup sees the
 * text as written; on every call the function sees the evaluated value in s (and i).
 */
struct ksr_fparam {
	enum ksr_ptype type;
	long i;
	struct ksr_str s; /* NUL-terminated; owned by the routing program or the message */
	bool dynamic; /* has pseudo-variables: a fixup that needs a constant refuses it */
	void *ptr; /* what a fixup parsed (a pseudo-variable spec, a regex, ...) */
};

/* Route types, as bits of ksr_cmd_export.route_types. */
enum ksr_route_type {
	KSR_ROUTE_REQUEST = 1 << 0,
	KSR_ROUTE_FAILURE = 1 << 1,
	KSR_ROUTE_ONREPLY = 1 << 2,
	KSR_ROUTE_BRANCH = 1 << 3,
	KSR_ROUTE_ONSEND = 1 << 4,
	KSR_ROUTE_EVENT = 1 << 5,
	KSR_ROUTE_ANY = 0xff,
};

/* Script-callable: >0 true, <0 false or error, 0 stops the script. */
typedef int (*ksr_cmd_fn)(struct ksr_msg *msg, const struct ksr_fparam *params);
/*
 * Check and convert parameters once at load. Returns 0, or a negative errno with
 * *ret_err set to a static text naming the problem.
 */
typedef int (*ksr_fixup_fn)(struct ksr_fparam *params, int nparams, const char **ret_err);

struct ksr_cmd_export {
	const char *name;
	ksr_cmd_fn func;
	enum ksr_ptype params[KSR_MAX_PARAMS]; /* KSR_PT_NONE-terminated when shorter */
	ksr_fixup_fn fixup; /* optional */
	unsigned int route_types;
};

enum ksr_mparam_type {
	KSR_MP_INT = 1, /* target is int *; yes/no/on/off are accepted as 1/0 */
	KSR_MP_STR, /* target is char **; the string is copied and never freed */
	KSR_MP_FUNC, /* set is called with each value: for parameters given many times */
};

struct ksr_param_export {
	const char *name;
	enum ksr_mparam_type type;
	void *target;
	/* KSR_MP_FUNC: take one value (string or int). 0, or -errno with *ret_err set */
	int (*set)(const struct ksr_fparam *val, const char **ret_err);
};

/*
 * An API a module provides to others (tm's to sl, usrloc's to registrar): a struct of
 * function pointers, found by name with ksr_api_bind(). Names are unique among the loaded
 * modules; the struct lives as long as the module.
 */
struct ksr_api_export {
	const char *name; /* "tm", "usrloc", ... */
	const void *api;
};

struct ksr_module_exports {
	unsigned int abi_version; /* KSR_MODULE_ABI_VERSION when built */
	unsigned int struct_size; /* sizeof(struct ksr_module_exports) when built */
	const char *name;
	const struct ksr_cmd_export *cmds; /* NULL-name terminated, may be NULL */
	const struct ksr_param_export *params; /* NULL-name terminated, may be NULL */
	const struct ksr_pv_export *pvs; /* pseudo-variables, NULL-name terminated, may be NULL */
	const struct ksr_tr_export *trans; /* transformations, NULL-name terminated, or NULL */
	const struct ksr_api_export *apis; /* APIs for other modules, NULL-name terminated, or NULL */
	const struct ksr_rpc_export *rpcs; /* RPC methods (core/rpc/rpc.h), NULL-name terminated */
	int (*mod_init)(void); /* once, in the main thread, before workers start */
	int (*child_init)(int rank); /* in every worker thread, with its rank */
	void (*destroy)(void); /* once, at stop */
};

/* Declare the module's one export table: KSR_MODULE(.name = "sl", .cmds = cmds, ...); */
#define KSR_MODULE(...)                                                                   \
	__attribute__((visibility("default"))) const struct ksr_module_exports               \
		ksr_module_exports = {.abi_version = KSR_MODULE_ABI_VERSION,                   \
				      .struct_size = sizeof(struct ksr_module_exports),        \
				      __VA_ARGS__}

/* Ranks passed to child_init. */
#define KSR_RANK_MAIN 0 /* not a worker */

#endif
