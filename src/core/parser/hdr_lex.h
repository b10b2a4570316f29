/* Lexical pieces shared by the header body parsers (RFC 3261 25.1); core-internal. */
#ifndef KSR_CORE_PARSER_HDR_LEX_H
#define KSR_CORE_PARSER_HDR_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/parser/hdr-t.h"

struct ksr_arena;
struct ksr_msg;

/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
static inline bool ksr__is_token_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`':
	case '\'': case '~':
		return true;
	default:
		return false;
	}
}

static inline bool ksr__is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool ksr__is_hex(char c)
{
	return ksr__is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Spaces and tabs, and a line break only when it folds (a space or tab follows). */
char *ksr__skip_lws(char *p, char *end);
char *ksr__skip_token(char *p, char *end);
/* p at '"': the byte after the closing quote; NULL when unterminated or broken. */
char *ksr__skip_quoted(char *p, char *end);
/* s is all token characters and not empty. */
bool ksr__is_token(struct ksr_str s);

/*
 * The next ";name[=value]" at *pp (LWS allowed before ';' and around '='): 1 with
 * ret_param (next NULL) and *pp after it, 0 when no ';' follows (*pp unchanged), -EINVAL.
 */
int ksr__param_next(char **pp, char *end, struct ksr_param *ret_param);
/* Every param at *pp; *pp ends after the last. The list is built when arena is set. */
int ksr__parse_params(char **pp, char *end, struct ksr_arena *arena,
		      struct ksr_param **ret_list);

#define KSR__ADDR_ANGLE 1u /* the URI must be in <> */
#define KSR__ADDR_LR (1u << 1) /* note the URI's lr parameter (route lists only) */
/* One name-addr / addr-spec with header params: all of item. */
int ksr__parse_addr(struct ksr_str item, unsigned int flags, struct ksr_arena *arena,
		    struct ksr_addr *ret);
/* The URI has the lr parameter. */
bool ksr__uri_has_lr(struct ksr_str uri);

/*
 * The values of every header line of a type, each line parsed once (cached in its
 * `parsed`) and linked to the next line's: for list headers whose elements have a `next`
 * and a `hdr` member at the given offsets.
 */
struct ksr__list_ops {
	int (*parse)(struct ksr_str body, struct ksr_arena *arena, void **ret_first);
	size_t next_off;
	size_t hdr_off;
	bool allow_empty; /* an empty line is an empty list, not an error */
};
int ksr__msg_list(struct ksr_msg *msg, enum ksr_hdr_type type, const struct ksr__list_ops *ops,
		  void **ret_first);

#endif
