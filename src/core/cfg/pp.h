/* The config preprocessor: #!define and friends, conditional blocks. */
#ifndef KSR_CORE_CFG_PP_H
#define KSR_CORE_CFG_PP_H

#include <stddef.h>

#include "core/cfg/error.h"
#include "core/str.h"

struct ksr_pp;

struct ksr_pp *ksr_pp_new(void);
void ksr_pp_free(struct ksr_pp *pp);
/* "NAME" or "NAME=VALUE" as given to -A. 0 or -EINVAL/-ENOMEM. */
int ksr_pp_define_arg(struct ksr_pp *pp, const char *arg);
int ksr_pp_define(struct ksr_pp *pp, const char *name, size_t name_len, const char *value,
		  size_t value_len);
/* The value of a defined name, or NULL. */
const struct ksr_str *ksr_pp_lookup(const struct ksr_pp *pp, const char *name, size_t len);

/*
 * Run the directives of text (the contents of file) in place: directive lines and lines
 * of false conditional blocks become blanks, so line and column numbers stay those of
 * the file. 0 or -EINVAL with err filled.
 */
int ksr_pp_run(struct ksr_pp *pp, const char *file, char *text, size_t len,
	       struct ksr_cfg_error *err);

#endif
