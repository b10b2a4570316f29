/* The pseudo-variable framework: registry, parsing at load, get/set, format strings. */
#ifndef KSR_CORE_PV_PV_H
#define KSR_CORE_PV_PV_H

#include <stddef.h>

#include "core/pv/pv-t.h"

/* Register a NULL-name terminated table (the loader does it for modules' .pvs). */
int ksr_pv_register(const struct ksr_pv_export *table);
const struct ksr_pv_export *ksr_pv_lookup(struct ksr_str name);
int ksr_tr_register(const struct ksr_tr_export *table);
const struct ksr_tr_export *ksr_tr_lookup(struct ksr_str name);

/*
 * Parse the pseudo-variable that starts at s.s[0] == '$': "$ru", "$hdr(From)",
 * "$avp(x)[1]", "$(avp(x)[*]{s.len})", "$var(x){s.tolower}{s.len}". Allocations come
 * from arena (the routing program's). *ret_len is the number of bytes used. 0, or
 * -EINVAL with *ret_err (unknown name, bad index, unknown transformation, ...).
 */
int ksr_pv_parse(struct ksr_str s, struct ksr_arena *arena, struct ksr_pv_spec **ret_spec,
		 size_t *ret_len, const char **ret_err);

/* Get, with the spec's transformations applied. 0 or -errno. */
int ksr_pv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret);
/* Assign; -EPERM for a read-only pseudo-variable. */
int ksr_pv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val);
bool ksr_pv_is_writable(const struct ksr_pv_spec *spec);

/* A string with pseudo-variables in it: "From $fu to $(ru{uri.user})". */
struct ksr_pv_fmt;
/* Parse once at load; "$$" is a literal '$'. 0 or -EINVAL with *ret_err. */
int ksr_pv_fmt_parse(struct ksr_str s, struct ksr_arena *arena, struct ksr_pv_fmt **ret_fmt,
		     const char **ret_err);
/* Whether the string has no pseudo-variable (then it needs no evaluation). */
bool ksr_pv_fmt_is_const(const struct ksr_pv_fmt *fmt);
/* Evaluate into msg's arena; $null and errors print as "<null>", as upstream. */
int ksr_pv_fmt_eval(struct ksr_msg *msg, const struct ksr_pv_fmt *fmt, struct ksr_str *ret);

/* Value conversions as the config language does them. */
int ksr_val_to_int(const struct ksr_val *v, long *ret); /* strings must be decimal */
int ksr_val_to_str(struct ksr_msg *msg, const struct ksr_val *v, struct ksr_str *ret);

#endif
