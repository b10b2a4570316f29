/* Private to the preprocessor: its expression evaluator and its regex substitutions. */
#ifndef KSR_CORE_CFG_PP_INT_H
#define KSR_CORE_CFG_PP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg/pp.h"

/* A value of #!ifexp/#!defexp: a number or a string (str is malloc'ed, NUL-terminated). */
struct ksr__pp_val {
	bool is_str;
	double num;
	char *str;
};

/*
 * Evaluate the expression s (defines are looked up in pp). 0 with ret filled, -EINVAL
 * with why filled, or -ENOMEM.
 */
int ksr__pp_expr_eval(const struct ksr_pp *pp, const char *s, size_t len, struct ksr__pp_val *ret,
                      char *why, size_t why_len);
void ksr__pp_val_clear(struct ksr__pp_val *v);
bool ksr__pp_val_true(const struct ksr__pp_val *v);
/* The value as a define's value: a number as an integer, a string as is. NULL: no memory. */
char *ksr__pp_val_define(const struct ksr__pp_val *v);

/* One compiled "/regex/replacement/flags" of #!subst. */
struct ksr__pp_subst;

/* 0, -EINVAL with why filled, or -ENOMEM. */
int ksr__pp_subst_new(const char *expr, size_t len, struct ksr__pp_subst **ret, char *why,
                      size_t why_len);
void ksr__pp_subst_free(struct ksr__pp_subst *s);
/* 0: no match (ret untouched); 1: *ret_s is the new malloc'ed string; -ENOMEM. */
int ksr__pp_subst_apply(const struct ksr__pp_subst *s, const char *in, size_t len, char **ret_s,
                        size_t *ret_len);
/* The regex and the replacement as written (for #!substdef's define). */
void ksr__pp_subst_parts(const struct ksr__pp_subst *s, struct ksr_str *ret_re,
                         struct ksr_str *ret_repl);
/* s with every $env(NAME) replaced by the variable's value; NULL: no memory. */
char *ksr__pp_expand_env(const char *s, size_t len, size_t *ret_len);

#endif
