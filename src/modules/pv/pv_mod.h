/* The pv module's shared declarations: its export tables and helpers between its files. */
#ifndef KSR_MODULES_PV_PV_MOD_H
#define KSR_MODULES_PV_PV_MOD_H

#include "core/module/module-t.h"
#include "core/pv/pv-t.h"

struct ksr_arena;

/* Pseudo-variable tables of each file, NULL-name terminated. */
extern const struct ksr_pv_export pv_msg_pvs[];  /* pv_msg.c: message, URI, headers */
extern const struct ksr_pv_export pv_misc_pvs[]; /* pv_misc.c: network, flags, time, env */
extern const struct ksr_pv_export pv_var_pvs[];  /* pv_vars.c: $var, $shv */
extern const struct ksr_pv_export pv_avp_pvs[];  /* pv_avp.c: $avp, $xavp */
/* Transformation classes: s (tr_s.c); uri, param, nameaddr, tobody, line (tr_sip.c). */
extern const struct ksr_tr_export pv_tr_s[];
extern const struct ksr_tr_export pv_tr_sip[];

/* Value helpers: set *ret and return 0. */
int pv_ret_null(struct ksr_val *ret);
int pv_ret_int(struct ksr_val *ret, long i);
int pv_ret_str(struct ksr_val *ret, struct ksr_str s);
/* A string copied into msg's arena. */
int pv_ret_strdup(struct ksr_msg *msg, struct ksr_val *ret, const char *s, size_t len);

/* --- $var and $shv (pv_vars.c) --- */

/* modparam varset / shvset values "name=i:1" or "name=s:text"; applied at mod_init. */
int pv_var_init_param(const char *def, bool shared);
/* Free every $shv and the $var defaults (module destroy). */
void pv_vars_destroy(void);

/* --- transformation arguments (tr_s.c) --- */

/* An argument of a transformation: a literal, or a pseudo-variable evaluated per use. */
struct pv_tr_arg {
	struct ksr_str s;
	long i;
	bool is_int; /* the literal is a decimal integer */
	struct ksr_pv_spec *pv;
};

/*
 * Cut the next ','-separated argument off *rest (commas inside $(...), (...) and {...}
 * do not count). 0, -ENOENT when nothing is left, -EINVAL with *ret_err.
 */
int pv_tr_next_arg(struct ksr_str *rest, struct ksr_arena *arena, struct pv_tr_arg *ret,
                   const char **ret_err);
int pv_tr_arg_int(struct ksr_msg *msg, const struct pv_tr_arg *a, long *ret);
int pv_tr_arg_str(struct ksr_msg *msg, const struct pv_tr_arg *a, struct ksr_str *ret);
/* The subtype name of "name,args": up to the first ','; *rest gets the args. */
struct ksr_str pv_tr_subtype(struct ksr_str spec, struct ksr_str *rest);
/* The value as a string for a transformation: NULL is -EINVAL, ints are printed. */
int pv_tr_input_str(struct ksr_msg *msg, const struct ksr_val *val, struct ksr_str *ret);

#endif
