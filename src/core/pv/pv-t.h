/*
 * Types of pseudo-variables ($ru, $var(x), $hdr(From)[1]{s.len}), values and
 * transformations. The framework is core; the families are exported by modules (pv).
 */
#ifndef KSR_CORE_PV_PV_T_H
#define KSR_CORE_PV_PV_T_H

#include <stdbool.h>

#include "core/str.h"

struct ksr_msg;
struct ksr_arena;

/* The value of an expression, a pseudo-variable or a transformation. */
enum ksr_val_type {
	KSR_VAL_NULL = 0, /* $null, or a variable that has no value */
	KSR_VAL_INT,
	KSR_VAL_STR,
};

struct ksr_val {
	enum ksr_val_type type;
	long i;
	struct ksr_str s; /* valid until the message is done (message buffer or arena) */
};

enum ksr_pv_idx_type {
	KSR_PV_IDX_NONE = 0,
	KSR_PV_IDX_INT, /* [n], negative counts from the end */
	KSR_PV_IDX_ALL, /* [*] */
	KSR_PV_IDX_PV, /* [$var(i)] */
};

struct ksr_pv_spec;
struct ksr_tr;

/* One pseudo-variable family, as a module exports it (NULL-name terminated tables). */
struct ksr_pv_export {
	const char *name; /* without '$' and '(': "ru", "var", "hdr" */
	/* 0 with *ret set (type KSR_VAL_NULL when there is no value), or -errno */
	int (*get)(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret);
	/* NULL for read-only; val of type KSR_VAL_NULL assigns $null (unset). 0 or -errno */
	int (*set)(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val);
	/*
	 * Parse the inner name of "$x(inner)" once, at load; store what get/set need in
	 * spec->pname / spec->pname_i. NULL: the family takes no inner name.
	 */
	int (*parse_name)(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err);
	unsigned int flags;
};

#define KSR_PV_NAME_REQUIRED (1u << 0) /* "$x" alone is an error: "$x(name)" needed */
#define KSR_PV_INDEXED (1u << 1) /* accepts [n] / [*] */

/* A parsed reference to a pseudo-variable, made once at load. */
struct ksr_pv_spec {
	const struct ksr_pv_export *exp;
	struct ksr_str name; /* the inner name as written, empty when none */
	void *pname; /* parse_name's result */
	long pname_i;
	enum ksr_pv_idx_type idx_type;
	long idx;
	struct ksr_pv_spec *idx_pv;
	struct ksr_tr *tr; /* transformations applied to what get returns, or NULL */
};

/* A transformation class ("s", "uri", "param", ...), as a module exports it. */
struct ksr_tr_export {
	const char *name; /* the class, before the first '.' */
	/*
	 * Parse "subtype[,args...]" (what follows "class.") once at load into tr: keep what
	 * apply needs in tr->data. 0 or -EINVAL with *ret_err.
	 */
	int (*parse)(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
		     const char **ret_err);
	/* Transform *val in place (new strings from msg's arena). 0 or -errno. */
	int (*apply)(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val);
};

struct ksr_tr {
	const struct ksr_tr_export *exp;
	struct ksr_str text; /* as written, without the braces: "s.substr,1,2" */
	int subtype; /* the class's own code for len, substr, ... */
	void *data; /* parsed arguments */
	struct ksr_tr *next; /* the next transformation of a chain */
};

#endif
