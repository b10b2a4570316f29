/* Counted strings: the zero-copy view every parser result is made of. */
#ifndef KSR_CORE_STR_H
#define KSR_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* A pointer and a length into some buffer; not NUL-terminated. */
struct ksr_str {
	char *s;
	size_t len;
};

#define KSR_STR_STATIC(lit) ((struct ksr_str){(char *)(lit), sizeof(lit) - 1})
#define KSR_STR_NULL ((struct ksr_str){NULL, 0})
/* printf("%.*s", KSR_STR_FMT(x)) */
#define KSR_STR_FMT(x) (int)(x).len, (x).s

static inline struct ksr_str ksr_str_make(char *s, size_t len)
{
	return (struct ksr_str){s, len};
}

/* One past the last byte; an empty string's own pointer (which may be NULL) otherwise. */
static inline char *ksr_str_end(struct ksr_str x)
{
	return x.len ? x.s + x.len : x.s;
}

/* Empty strings may have a NULL pointer: the library calls never see one. */
static inline bool ksr_str_eq(const struct ksr_str *a, const struct ksr_str *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static inline bool ksr_str_caseeq(const struct ksr_str *a, const struct ksr_str *b)
{
	return a->len == b->len && (a->len == 0 || strncasecmp(a->s, b->s, a->len) == 0);
}

static inline bool ksr_str_caseeq_cstr(const struct ksr_str *a, const char *b)
{
	size_t n = strlen(b);
	return a->len == n && (n == 0 || strncasecmp(a->s, b, n) == 0);
}

static inline bool ksr_is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Drop leading and trailing spaces, tabs, CR and LF. */
static inline void ksr_str_trim(struct ksr_str *x)
{
	while (x->len && (ksr_is_ws(x->s[0]) || x->s[0] == '\r' || x->s[0] == '\n')) {
		x->s++;
		x->len--;
	}
	while (x->len && (ksr_is_ws(x->s[x->len - 1]) || x->s[x->len - 1] == '\r' ||
			  x->s[x->len - 1] == '\n'))
		x->len--;
}

#endif
