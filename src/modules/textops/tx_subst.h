/* textops: substitution expressions "/regex/replacement/flags". */
#ifndef KSR_MODULES_TEXTOPS_TX_SUBST_H
#define KSR_MODULES_TEXTOPS_TX_SUBST_H

#include "textops.h"

struct ksr_arena;
struct tx_subst;

/* One replacement: bytes [off, off+len) of the text become repl. */
struct tx_match {
	size_t off;
	size_t len;
	struct ksr_str repl;
};

/*
 * Parse expr (the pseudo-variables of the replacement are parsed from arena); free with
 * tx_subst_free. 0, or -EINVAL with *ret_err.
 */
int tx_subst_parse(struct ksr_str expr, struct ksr_arena *arena, struct tx_subst **ret,
		   const char **ret_err);
void tx_subst_free(struct tx_subst *s);
/*
 * The replacements in text (one, or every one with flag g), from msg's arena; n is 0 when
 * nothing matched. -EINVAL when the regex matches an empty string (it would loop).
 */
int tx_subst_run(const struct tx_subst *s, struct ksr_msg *msg, struct ksr_str text,
		 struct tx_match **ret_list, size_t *ret_n);
/* Record the replacements as edits of msg, text being a part of msg's buffer. */
int tx_subst_record(struct ksr_msg *msg, struct ksr_str text, const struct tx_match *list,
		    size_t n);
/* in with the replacements made, in msg's arena; -ENOENT when nothing matched. */
int tx_subst_str(const struct tx_subst *s, struct ksr_msg *msg, struct ksr_str in,
		 struct ksr_str *ret);

#endif
