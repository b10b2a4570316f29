/*
 * The pseudo-variable framework: parsing references once at load ("$hdr(From)[1]",
 * "$(avp(x)[*]{s.len})"), get and set with transformations, format strings, and the
 * value conversions of the config language. The families themselves come from modules.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv.h"

/* $null is the framework's own: a config can use it even without the pv module. */
static int null_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	ret->type = KSR_VAL_NULL;
	return 0;
}

static const struct ksr_pv_export null_export = {.name = "null", .get = null_get};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static char *arena_strndup(struct ksr_arena *arena, const char *s, size_t len)
{
	char *c = ksr_arena_alloc(arena, len + 1);

	if (c && len)
		memcpy(c, s, len);
	return c;
}

/*
 * The end of a bracketed group that starts at p (*p == open): the matching close, nested
 * groups of the same kind skipped. NULL when unterminated.
 */
static const char *match_close(const char *p, const char *end, char open, char close)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == open) {
			depth++;
		} else if (*p == close) {
			if (--depth == 0)
				return p;
		}
	}
	return NULL;
}

enum parse_mode {
	MODE_EXPR, /* ksr_pv_parse: "$x(n)[i]{tr}" accepted without the outer parentheses */
	MODE_FMT,  /* inside a format string: only "$(...)" takes an index or transformations */
};

static int parse_spec(const char *start, const char *end, struct ksr_arena *arena,
                      enum parse_mode mode, struct ksr_pv_spec **ret_spec, size_t *ret_len,
                      const char **ret_err);

static int parse_index(const char **pp, const char *end, struct ksr_arena *arena,
                       struct ksr_pv_spec *spec, const char **ret_err)
{
	const char *p = *pp + 1; /* after '[' */
	size_t used;
	int r;

	if (!(spec->exp->flags & KSR_PV_INDEXED)) {
		*ret_err = "this pseudo-variable takes no index";
		return -EINVAL;
	}
	if (p < end && *p == '*') {
		spec->idx_type = KSR_PV_IDX_ALL;
		p++;
	} else if (p < end && *p == '$') {
		r = parse_spec(p, end, arena, MODE_EXPR, &spec->idx_pv, &used, ret_err);
		if (r < 0)
			return r;
		spec->idx_type = KSR_PV_IDX_PV;
		p += used;
	} else {
		bool neg = p < end && *p == '-';
		long v = 0;
		const char *d;

		if (neg)
			p++;
		for (d = p; p < end && *p >= '0' && *p <= '9'; p++) {
			if (v > (LONG_MAX - 9) / 10) {
				*ret_err = "index out of range";
				return -EINVAL;
			}
			v = v * 10 + (*p - '0');
		}
		if (p == d) {
			*ret_err =
			        "bad index: an integer, '*' or a pseudo-variable is expected in []";
			return -EINVAL;
		}
		spec->idx_type = KSR_PV_IDX_INT;
		spec->idx = neg ? -v : v;
	}
	if (p >= end || *p != ']') {
		*ret_err = "bad index: ']' expected";
		return -EINVAL;
	}
	*pp = p + 1;
	return 0;
}

/* One "{class.subtype,args}" at *pp, appended to the spec's chain. */
static int parse_tr(const char **pp, const char *end, struct ksr_arena *arena,
                    struct ksr_pv_spec *spec, const char **ret_err)
{
	const char *p = *pp, *close = match_close(p, end, '{', '}'), *dot;
	const struct ksr_tr_export *te;
	struct ksr_tr *tr, **tail;
	struct ksr_str body;
	int r;

	if (!close) {
		*ret_err = "unterminated transformation: '}' expected";
		return -EINVAL;
	}
	body = ksr_str_make((char *)p + 1, (size_t)(close - p - 1));
	dot = memchr(body.s, '.', body.len);
	if (!dot || dot == body.s) {
		*ret_err = "bad transformation: {class.name} expected";
		return -EINVAL;
	}
	te = ksr_tr_lookup(ksr_str_make(body.s, (size_t)(dot - body.s)));
	if (!te) {
		*ret_err = "unknown transformation";
		return -EINVAL;
	}
	tr = ksr_arena_alloc(arena, sizeof(*tr));
	if (!tr)
		return -ENOMEM;
	tr->exp = te;
	tr->text.s = arena_strndup(arena, body.s, body.len);
	if (!tr->text.s)
		return -ENOMEM;
	tr->text.len = body.len;
	/* the class parses its part of the copy, so what it keeps outlives the config text */
	r = te->parse(tr,
	              ksr_str_make(tr->text.s + (dot - body.s) + 1,
	                           body.len - (size_t)(dot - body.s) - 1),
	              arena, ret_err);
	if (r < 0) {
		if (!*ret_err)
			*ret_err = "bad transformation";
		return r;
	}
	for (tail = &spec->tr; *tail; tail = &(*tail)->next)
		;
	*tail = tr;
	*pp = close + 1;
	return 0;
}

static int parse_spec(const char *start, const char *end, struct ksr_arena *arena,
                      enum parse_mode mode, struct ksr_pv_spec **ret_spec, size_t *ret_len,
                      const char **ret_err)
{
	const char *p = start + 1, *name;
	const struct ksr_pv_export *exp;
	struct ksr_pv_spec *spec;
	bool full = false;
	int r;

	*ret_err = NULL;
	if (start >= end || *start != '$') {
		*ret_err = "a pseudo-variable starts with '$'";
		return -EINVAL;
	}
	if (p < end && *p == '(') {
		full = true;
		p++;
	}
	for (name = p; p < end && name_char(*p); p++)
		;
	if (p == name) {
		*ret_err = "a pseudo-variable name is expected after '$'";
		return -EINVAL;
	}
	exp = ksr_pv_lookup(ksr_str_make((char *)name, (size_t)(p - name)));
	if (!exp && p - name == 4 && memcmp(name, "null", 4) == 0)
		exp = &null_export;
	if (!exp) {
		*ret_err = "unknown pseudo-variable";
		return -EINVAL;
	}
	spec = ksr_arena_alloc(arena, sizeof(*spec));
	if (!spec)
		return -ENOMEM;
	spec->exp = exp;
	if (p < end && *p == '(') {
		const char *close = match_close(p, end, '(', ')');

		if (!close) {
			*ret_err = "unterminated name: ')' expected";
			return -EINVAL;
		}
		if (!exp->parse_name) {
			*ret_err = "this pseudo-variable takes no name in ()";
			return -EINVAL;
		}
		if (close == p + 1) {
			*ret_err = "empty name in ()";
			return -EINVAL;
		}
		spec->name.len = (size_t)(close - p - 1);
		spec->name.s = arena_strndup(arena, p + 1, spec->name.len);
		if (!spec->name.s)
			return -ENOMEM;
		r = exp->parse_name(spec, arena, ret_err);
		if (r < 0) {
			if (!*ret_err)
				*ret_err = "bad name in ()";
			return r;
		}
		p = close + 1;
	} else if (exp->flags & KSR_PV_NAME_REQUIRED) {
		*ret_err = "this pseudo-variable needs a name in ()";
		return -EINVAL;
	}
	if (full || mode == MODE_EXPR) {
		if (p < end && *p == '[' && (r = parse_index(&p, end, arena, spec, ret_err)) < 0)
			return r;
		while (p < end && *p == '{')
			if ((r = parse_tr(&p, end, arena, spec, ret_err)) < 0)
				return r;
	}
	if (full) {
		if (p >= end || *p != ')') {
			*ret_err = "')' expected at the end of $(...)";
			return -EINVAL;
		}
		p++;
	}
	*ret_spec = spec;
	*ret_len = (size_t)(p - start);
	return 0;
}

int ksr_pv_parse(struct ksr_str s, struct ksr_arena *arena, struct ksr_pv_spec **ret_spec,
                 size_t *ret_len, const char **ret_err)
{
	const char *err = NULL;
	int r = parse_spec(s.s, ksr_str_end(s), arena, MODE_EXPR, ret_spec, ret_len, &err);

	if (r < 0 && ret_err)
		*ret_err = err ? err : "out of memory";
	return r;
}

/* --- get / set --- */

/* A spec whose [$pv] index is replaced by its current value: families see ints only. */
static int resolve_index(struct ksr_msg *msg, const struct ksr_pv_spec *spec,
                         struct ksr_pv_spec *tmp)
{
	struct ksr_val iv;
	long i;
	int r;

	r = ksr_pv_get(msg, spec->idx_pv, &iv);
	if (r < 0)
		return r;
	if (iv.type == KSR_VAL_NULL || ksr_val_to_int(&iv, &i) < 0)
		return -EINVAL;
	*tmp = *spec;
	tmp->idx_type = KSR_PV_IDX_INT;
	tmp->idx = i;
	tmp->idx_pv = NULL;
	return 0;
}

int ksr_pv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct ksr_pv_spec tmp;
	struct ksr_val v = {.type = KSR_VAL_NULL};
	int r;

	if (spec->idx_type == KSR_PV_IDX_PV) {
		if ((r = resolve_index(msg, spec, &tmp)) < 0)
			return r;
		spec = &tmp;
	}
	r = spec->exp->get(msg, spec, &v);
	if (r < 0)
		return r;
	for (const struct ksr_tr *tr = spec->tr; tr; tr = tr->next)
		if ((r = tr->exp->apply(msg, tr, &v)) < 0)
			return r;
	*ret = v;
	return 0;
}

bool ksr_pv_is_writable(const struct ksr_pv_spec *spec)
{
	/* a transformed value is computed: there is nothing to assign to */
	return spec->exp->set && !spec->tr;
}

int ksr_pv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	struct ksr_pv_spec tmp;
	int r;

	if (!ksr_pv_is_writable(spec))
		return -EPERM;
	if (spec->idx_type == KSR_PV_IDX_PV) {
		if ((r = resolve_index(msg, spec, &tmp)) < 0)
			return r;
		spec = &tmp;
	}
	return spec->exp->set(msg, spec, val);
}

/* --- conversions --- */

int ksr_val_to_int(const struct ksr_val *v, long *ret)
{
	const char *p, *end;
	bool neg = false;
	long n = 0;

	switch (v->type) {
	case KSR_VAL_NULL: *ret = 0; return 0;
	case KSR_VAL_INT: *ret = v->i; return 0;
	case KSR_VAL_STR: break;
	}
	p = v->s.s;
	end = p + v->s.len;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -EINVAL;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (n > (LONG_MAX - (*p - '0')) / 10)
			return -ERANGE;
		n = n * 10 + (*p - '0');
	}
	*ret = neg ? -n : n;
	return 0;
}

int ksr_val_to_str(struct ksr_msg *msg, const struct ksr_val *v, struct ksr_str *ret)
{
	char num[24], *c;
	int n;

	switch (v->type) {
	case KSR_VAL_NULL: *ret = ksr_str_make((char *)"", 0); return 0;
	case KSR_VAL_STR: *ret = v->s; return 0;
	case KSR_VAL_INT: break;
	}
	n = snprintf(num, sizeof(num), "%ld", v->i);
	c = ksr_arena_alloc(msg->arena, (size_t)n + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, num, (size_t)n + 1);
	*ret = ksr_str_make(c, (size_t)n);
	return 0;
}

/* --- format strings --- */

struct fmt_part {
	struct ksr_str text;      /* literal text, "$$" already made '$' */
	struct ksr_pv_spec *spec; /* or a pseudo-variable */
};

struct ksr_pv_fmt {
	struct fmt_part *parts;
	size_t n;
	struct ksr_str whole; /* the literal result when there is no pseudo-variable */
};

/* Append literal text to the format, extending the previous literal part when there is one. */
static void fmt_literal(struct ksr_pv_fmt *fmt, char *lit, size_t *lit_len, const char *s, size_t n)
{
	struct fmt_part *last = fmt->n ? &fmt->parts[fmt->n - 1] : NULL;

	if (!n)
		return;
	/* literals are copied back to back: the last one ends where the next text goes */
	if (!last || last->spec) {
		last = &fmt->parts[fmt->n++];
		last->text = ksr_str_make(lit + *lit_len, 0);
	}
	memcpy(lit + *lit_len, s, n);
	*lit_len += n;
	last->text.len += n;
}

int ksr_pv_fmt_parse(struct ksr_str s, struct ksr_arena *arena, struct ksr_pv_fmt **ret_fmt,
                     const char **ret_err)
{
	const char *p = s.s, *end = ksr_str_end(s), *err = NULL;
	struct ksr_pv_fmt *fmt = ksr_arena_alloc(arena, sizeof(*fmt));
	size_t max = 1, lit_len = 0;
	char *lit;
	int r;

	/* at most one literal before each '$' and one at the end */
	for (size_t i = 0; i < s.len; i++)
		if (s.s[i] == '$')
			max += 2;
	lit = ksr_arena_alloc(arena, s.len + 1);
	if (!fmt || !lit || !(fmt->parts = ksr_arena_alloc(arena, max * sizeof(*fmt->parts))))
		return -ENOMEM;
	while (p < end) {
		const char *d = memchr(p, '$', (size_t)(end - p));
		size_t used;

		fmt_literal(fmt, lit, &lit_len, p, d ? (size_t)(d - p) : (size_t)(end - p));
		if (!d)
			break;
		if (d + 1 < end && d[1] == '$') {
			fmt_literal(fmt, lit, &lit_len, "$", 1);
			p = d + 2;
			continue;
		}
		r = parse_spec(d, end, arena, MODE_FMT, &fmt->parts[fmt->n].spec, &used, &err);
		if (r < 0) {
			if (ret_err)
				*ret_err = err ? err : "out of memory";
			return r;
		}
		fmt->parts[fmt->n].text = KSR_STR_NULL;
		fmt->n++;
		p = d + used;
	}
	lit[lit_len] = '\0';
	if (fmt->n == 0 || (fmt->n == 1 && !fmt->parts[0].spec))
		fmt->whole = ksr_str_make(lit, lit_len);
	*ret_fmt = fmt;
	return 0;
}

bool ksr_pv_fmt_is_const(const struct ksr_pv_fmt *fmt)
{
	return fmt->whole.s != NULL;
}

int ksr_pv_fmt_eval(struct ksr_msg *msg, const struct ksr_pv_fmt *fmt, struct ksr_str *ret)
{
	static const struct ksr_str null_text = KSR_STR_STATIC("<null>");
	struct ksr_str *vals;
	size_t total = 0;
	char *out, *o;

	if (fmt->whole.s) {
		*ret = fmt->whole;
		return 0;
	}
	vals = ksr_arena_alloc(msg->arena, fmt->n * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (size_t i = 0; i < fmt->n; i++) {
		const struct fmt_part *part = &fmt->parts[i];
		struct ksr_val v;

		if (!part->spec) {
			vals[i] = part->text;
		} else if (ksr_pv_get(msg, part->spec, &v) < 0 || v.type == KSR_VAL_NULL) {
			vals[i] = null_text;
		} else if (ksr_val_to_str(msg, &v, &vals[i]) < 0) {
			return -ENOMEM;
		}
		total += vals[i].len;
	}
	out = ksr_arena_alloc(msg->arena, total + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	for (size_t i = 0; i < fmt->n; i++) {
		if (vals[i].len)
			memcpy(o, vals[i].s, vals[i].len);
		o += vals[i].len;
	}
	*o = '\0';
	*ret = ksr_str_make(out, total);
	return 0;
}
