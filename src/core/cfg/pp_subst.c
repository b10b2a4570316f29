/*
 * #!subst rules: "/regex/replacement/flags" (any separator but '\'), POSIX extended
 * regexes, flags i (ignore case), g (every match), s (let '.' match a newline), and in the
 * replacement \0..\9 (groups), \n \r \t \\ \$ and \<other> (that character), $env(NAME).
 */
#include "core/cfg/pp-int.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBST_GROUPS 10 /* \0 .. \9 */

enum piece_kind { PIECE_TEXT, PIECE_GROUP, PIECE_ENV };

struct piece {
	enum piece_kind kind;
	char *text; /* PIECE_TEXT: the text; PIECE_ENV: the variable's name */
	size_t len;
	int group;
};

struct ksr__pp_subst {
	regex_t re;
	bool compiled;
	bool global;
	char *expr;                        /* a copy of the whole expression */
	struct ksr_str re_text, repl_text; /* into expr */
	struct piece *pieces;
	size_t npieces;
};

static int fail(char *why, size_t why_len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void ksr__pp_subst_free(struct ksr__pp_subst *s)
{
	if (!s)
		return;
	if (s->compiled)
		regfree(&s->re);
	for (size_t i = 0; i < s->npieces; i++)
		free(s->pieces[i].text);
	free(s->pieces);
	free(s->expr);
	free(s);
}

static int add_piece(struct ksr__pp_subst *s, enum piece_kind kind, const char *text, size_t len,
                     int group)
{
	struct piece *p;

	/* consecutive text pieces are merged */
	if (kind == PIECE_TEXT && s->npieces && s->pieces[s->npieces - 1].kind == PIECE_TEXT) {
		struct piece *last = &s->pieces[s->npieces - 1];
		char *t = realloc(last->text, last->len + len + 1);

		if (!t)
			return -ENOMEM;
		memcpy(t + last->len, text, len);
		last->len += len;
		t[last->len] = '\0';
		last->text = t;
		return 0;
	}
	p = realloc(s->pieces, (s->npieces + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->pieces = p;
	p = &s->pieces[s->npieces];
	*p = (struct piece){.kind = kind, .len = len, .group = group};
	if (kind != PIECE_GROUP) {
		p->text = strndup(text, len);
		if (!p->text)
			return -ENOMEM;
	}
	s->npieces++;
	return 0;
}

/* "$env(NAME)" at s: the length of NAME, 0 when s is not one. */
static size_t env_ref(const char *s, const char *end, const char **ret_name)
{
	const char *e;

	if (end - s < 6 || memcmp(s, "$env(", 5) != 0)
		return 0;
	e = memchr(s + 5, ')', (size_t)(end - s - 5));
	if (!e || e == s + 5)
		return 0;
	*ret_name = s + 5;
	return (size_t)(e - s - 5);
}

/* Parse the replacement [p, end) into pieces. */
static int parse_repl(struct ksr__pp_subst *s, const char *p, const char *end)
{
	int r = 0;

	while (p < end && r == 0) {
		const char *name;
		size_t n;

		if (*p == '\\' && p + 1 < end) {
			char c = p[1];

			if (c >= '0' && c <= '9') {
				r = add_piece(s, PIECE_GROUP, NULL, 0, c - '0');
			} else {
				c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
				r = add_piece(s, PIECE_TEXT, &c, 1, 0);
			}
			p += 2;
		} else if ((n = env_ref(p, end, &name)) > 0) {
			r = add_piece(s, PIECE_ENV, name, n, 0);
			p += n + 6;
		} else {
			r = add_piece(s, PIECE_TEXT, p, 1, 0);
			p++;
		}
	}
	return r;
}

int ksr__pp_subst_new(const char *expr, size_t len, struct ksr__pp_subst **ret, char *why,
                      size_t why_len)
{
	struct ksr__pp_subst *s;
	int cflags = REG_EXTENDED | REG_NEWLINE, r;
	char sep, *p, *end, *re_end, *repl, *nul_re;

	if (len < 3)
		return fail(why, why_len, "substitution '%.*s' is too short", (int)len, expr);
	sep = expr[0];
	if (sep == '\\')
		return fail(why, why_len, "'\\' cannot separate the parts of a substitution");
	s = calloc(1, sizeof(*s));
	if (!s || !(s->expr = strndup(expr, len))) {
		free(s);
		return -ENOMEM;
	}
	end = s->expr + len;
	/* the regex ends at the first separator not preceded by '\' */
	for (re_end = s->expr + 1; re_end < end; re_end++)
		if (*re_end == sep && re_end[-1] != '\\')
			break;
	if (re_end >= end) {
		r = fail(why, why_len, "no '%c' after the regular expression in '%s'", sep,
		         s->expr);
		goto fail;
	}
	/* the replacement ends at the first separator that is not escaped */
	repl = re_end + 1;
	for (p = repl; p < end && *p != sep; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	if (p >= end) {
		r = fail(why, why_len, "no '%c' after the replacement in '%s'", sep, s->expr);
		goto fail;
	}
	s->re_text = ksr_str_make(s->expr + 1, (size_t)(re_end - s->expr - 1));
	s->repl_text = ksr_str_make(repl, (size_t)(p - repl));
	for (char *f = p + 1; f < end; f++) {
		if (*f == 'i') {
			cflags |= REG_ICASE;
		} else if (*f == 'g') {
			s->global = true;
		} else if (*f == 's') {
			cflags &= ~REG_NEWLINE;
		} else {
			r = fail(why, why_len, "unknown flag '%c' in '%s' (i, g and s are)", *f,
			         s->expr);
			goto fail;
		}
	}
	if ((r = parse_repl(s, repl, p)) < 0)
		goto fail;
	nul_re = strndup(s->re_text.s, s->re_text.len);
	if (!nul_re) {
		r = -ENOMEM;
		goto fail;
	}
	r = regcomp(&s->re, nul_re, cflags);
	free(nul_re);
	if (r != 0) {
		char msg[128];

		regerror(r, &s->re, msg, sizeof(msg));
		r = fail(why, why_len, "bad regular expression '%.*s': %s", KSR_STR_FMT(s->re_text),
		         msg);
		goto fail;
	}
	s->compiled = true;
	*ret = s;
	return 0;
fail:
	ksr__pp_subst_free(s);
	return r;
}

void ksr__pp_subst_parts(const struct ksr__pp_subst *s, struct ksr_str *ret_re,
                         struct ksr_str *ret_repl)
{
	*ret_re = s->re_text;
	*ret_repl = s->repl_text;
}

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *t;

		while (cap < b->len + n + 1)
			cap *= 2;
		t = realloc(b->s, cap);
		if (!t)
			return -ENOMEM;
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int add_env(struct buf *b, const char *name, size_t n)
{
	char *nul = strndup(name, n);
	const char *v;
	int r;

	if (!nul)
		return -ENOMEM;
	v = getenv(nul);
	free(nul);
	r = v ? buf_add(b, v, strlen(v)) : 0;
	return r;
}

int ksr__pp_subst_apply(const struct ksr__pp_subst *s, const char *in, size_t len, char **ret_s,
                        size_t *ret_len)
{
	regmatch_t m[SUBST_GROUPS];
	struct buf out = {0};
	char *text = strndup(in, len);
	const char *p;
	int eflags = 0, matches = 0, r = 0;

	if (!text)
		return -ENOMEM;
	p = text;
	while (regexec(&s->re, p, SUBST_GROUPS, m, eflags) == 0) {
		/* an empty match would never end: upstream gives up on the string */
		if (m[0].rm_eo == m[0].rm_so) {
			matches = 0;
			break;
		}
		if ((r = buf_add(&out, p, (size_t)m[0].rm_so)) < 0)
			goto done;
		for (size_t i = 0; i < s->npieces && r == 0; i++) {
			const struct piece *pc = &s->pieces[i];

			if (pc->kind == PIECE_TEXT)
				r = buf_add(&out, pc->text, pc->len);
			else if (pc->kind == PIECE_ENV)
				r = add_env(&out, pc->text, pc->len);
			else if (m[pc->group].rm_so >= 0)
				r = buf_add(&out, p + m[pc->group].rm_so,
				            (size_t)(m[pc->group].rm_eo - m[pc->group].rm_so));
		}
		if (r < 0)
			goto done;
		matches++;
		p += m[0].rm_eo;
		eflags = p[-1] == '\n' || p[-1] == '\r' ? 0 : REG_NOTBOL;
		if (!s->global)
			break;
	}
	if (matches == 0)
		goto done;
	if ((r = buf_add(&out, p, strlen(p))) < 0)
		goto done;
	*ret_s = out.s;
	*ret_len = out.len;
	out.s = NULL;
	r = 1;
done:
	free(out.s);
	free(text);
	return r;
}

char *ksr__pp_expand_env(const char *s, size_t len, size_t *ret_len)
{
	const char *end = s + len, *name;
	struct buf out = {0};
	size_t n;

	if (buf_add(&out, "", 0) < 0)
		return NULL;
	while (s < end) {
		if ((n = env_ref(s, end, &name)) > 0) {
			if (add_env(&out, name, n) < 0)
				goto fail;
			s += n + 6;
		} else {
			if (buf_add(&out, s, 1) < 0)
				goto fail;
			s++;
		}
	}
	*ret_len = out.len;
	return out.s;
fail:
	free(out.s);
	return NULL;
}
