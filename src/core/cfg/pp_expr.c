/*
 * Expressions of #!ifexp and #!defexp, with upstream's (snexpr) rules: numbers, strings in
 * single or double quotes, and defined names (a name with a value is that value as a
 * string, enclosing quotes removed; a name without one is 1; an undefined name is 0).
 * '+' and the comparisons convert the right operand to the type of the left one.
 */
#include "core/cfg/pp-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPR_MAX_DEPTH 64 /* nested parentheses and unary operators */

enum op {
	OP_POW,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_ADD,
	OP_SUB,
	OP_SHL,
	OP_SHR,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_EQ,
	OP_NE,
	OP_BAND,
	OP_BOR,
	OP_BXOR,
	OP_AND,
	OP_OR,
	OP_ASSIGN,
	OP_COMMA,
};

/* Binary operators; a lower level binds tighter (upstream's table). Longest first. */
static const struct {
	const char *text;
	enum op op;
	int level;
} binops[] = {
        {"**", OP_POW, 2},   {"<<", OP_SHL, 4}, {">>", OP_SHR, 4}, {"<=", OP_LE, 5},
        {">=", OP_GE, 5},    {"==", OP_EQ, 5},  {"!=", OP_NE, 5},  {"&&", OP_AND, 9},
        {"||", OP_OR, 10},   {"*", OP_MUL, 2},  {"/", OP_DIV, 2},  {"%", OP_MOD, 2},
        {"+", OP_ADD, 3},    {"-", OP_SUB, 3},  {"<", OP_LT, 5},   {">", OP_GT, 5},
        {"&", OP_BAND, 6},   {"|", OP_BOR, 7},  {"^", OP_BXOR, 8}, {"=", OP_ASSIGN, 11},
        {",", OP_COMMA, 12},
};
#define LOWEST_LEVEL 12

struct expr {
	const struct ksr_pp *pp;
	const char *p, *end;
	int skip; /* > 0: inside the untaken side of && or ||: parse, do not fail */
	int depth;
	char *why;
	size_t why_len;
};

static int fail(struct expr *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct expr *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, x->why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void ksr__pp_val_clear(struct ksr__pp_val *v)
{
	free(v->str);
	memset(v, 0, sizeof(*v));
}

bool ksr__pp_val_true(const struct ksr__pp_val *v)
{
	return v->is_str ? v->str[0] != '\0' : v->num != 0;
}

static void format_num(double d, char *buf, size_t n)
{
	if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(long long)d)
		snprintf(buf, n, "%lld", (long long)d);
	else
		snprintf(buf, n, "%.4g", d);
}

char *ksr__pp_val_define(const struct ksr__pp_val *v)
{
	char buf[32];

	if (v->is_str)
		return strdup(v->str);
	/* a number becomes an integer, as upstream */
	if (v->num >= -9.2e18 && v->num <= 9.2e18)
		snprintf(buf, sizeof(buf), "%lld", (long long)v->num);
	else
		format_num(v->num, buf, sizeof(buf));
	return strdup(buf);
}

static int set_num(struct ksr__pp_val *v, double d)
{
	ksr__pp_val_clear(v);
	v->num = d;
	return 0;
}

static int set_str(struct ksr__pp_val *v, const char *s, size_t n)
{
	char *c = strndup(s, n);

	if (!c)
		return -ENOMEM;
	ksr__pp_val_clear(v);
	v->is_str = true;
	v->str = c;
	return 0;
}

/* The value as a string (numbers formatted as upstream). */
static int to_str(struct ksr__pp_val *v)
{
	char buf[32];

	if (v->is_str)
		return 0;
	format_num(v->num, buf, sizeof(buf));
	return set_str(v, buf, strlen(buf));
}

/* Digits with at most one '.', as upstream reads a number from a string. */
static bool parse_num(const char *s, double *ret)
{
	double d = 0, scale = 1;
	bool dot = false, digit = false;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
		} else if (isdigit((unsigned char)*s)) {
			digit = true;
			if (dot) {
				scale /= 10;
				d += (*s - '0') * scale;
			} else {
				d = d * 10 + (*s - '0');
			}
		} else {
			return false;
		}
	}
	*ret = d;
	return digit;
}

static int to_num(struct expr *x, struct ksr__pp_val *v, const char *op)
{
	double d;

	if (!v->is_str)
		return 0;
	if (!parse_num(v->str, &d)) {
		if (x->skip)
			return set_num(v, 0);
		return fail(x, "'%s' needs numbers, '%s' is not one", op, v->str);
	}
	return set_num(v, d);
}

static void skip_space(struct expr *x)
{
	while (x->p < x->end) {
		if (isspace((unsigned char)*x->p)) {
			x->p++;
		} else if (*x->p == '#') { /* a comment to the end, as upstream */
			x->p = x->end;
		} else {
			break;
		}
	}
}

static bool is_word_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int parse_level(struct expr *x, int level, struct ksr__pp_val *ret);

static int parse_string(struct expr *x, struct ksr__pp_val *ret)
{
	char quote = *x->p++, *out;
	size_t n = 0;

	out = malloc((size_t)(x->end - x->p) + 1);
	if (!out)
		return -ENOMEM;
	while (x->p < x->end && *x->p != quote) {
		char c = *x->p++;

		if (c == '\\' && x->p < x->end) {
			c = *x->p++;
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
		}
		out[n++] = c;
	}
	if (x->p >= x->end) {
		free(out);
		return fail(x, "unterminated string");
	}
	x->p++;
	out[n] = '\0';
	ksr__pp_val_clear(ret);
	ret->is_str = true;
	ret->str = out;
	return 0;
}

/* A defined name's value: see the top of the file. */
static int name_value(struct expr *x, const char *s, size_t n, struct ksr__pp_val *ret)
{
	const struct ksr_str *v = ksr_pp_lookup(x->pp, s, n);

	if (!v)
		return set_num(ret, 0);
	if (v->len == 0)
		return set_num(ret, 1);
	if (v->len >= 2 && (v->s[0] == '"' || v->s[0] == '\'') && v->s[v->len - 1] == v->s[0])
		return set_str(ret, v->s + 1, v->len - 2);
	return set_str(ret, v->s, v->len);
}

static int parse_primary(struct expr *x, struct ksr__pp_val *ret)
{
	const char *s;
	double d;
	int r;

	skip_space(x);
	if (x->p >= x->end)
		return fail(x, "expression ends where a value is expected");
	s = x->p;
	if (isdigit((unsigned char)*s) ||
	    (*s == '.' && s + 1 < x->end && isdigit((unsigned char)s[1]))) {
		char buf[64];
		size_t n;

		while (x->p < x->end && (isdigit((unsigned char)*x->p) || *x->p == '.'))
			x->p++;
		n = (size_t)(x->p - s);
		if (n >= sizeof(buf) || (x->p < x->end && is_word_char(*x->p)))
			return fail(x, "bad number '%.*s'", (int)n, s);
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (!parse_num(buf, &d))
			return fail(x, "bad number '%s'", buf);
		return set_num(ret, d);
	}
	if (*s == '"' || *s == '\'')
		return parse_string(x, ret);
	if (is_word_start(*s)) {
		size_t n;

		while (x->p < x->end && is_word_char(*x->p))
			x->p++;
		n = (size_t)(x->p - s);
		skip_space(x);
		if (x->p < x->end && *x->p == '(')
			return fail(x, "unknown function '%.*s'", (int)n, s);
		return name_value(x, s, n, ret);
	}
	if (*s == '(') {
		x->p++;
		if (++x->depth > EXPR_MAX_DEPTH)
			return fail(x, "expression nested too deep");
		if ((r = parse_level(x, LOWEST_LEVEL, ret)) < 0)
			return r;
		x->depth--;
		skip_space(x);
		if (x->p >= x->end || *x->p != ')')
			return fail(x, "missing ')'");
		x->p++;
		return 0;
	}
	return fail(x, "unexpected '%c' where a value is expected", *s);
}

/* Unary '-', '!' (logical not) and '^' (bitwise not) bind tightest. */
static int parse_unary(struct expr *x, struct ksr__pp_val *ret)
{
	char op;
	int r;

	skip_space(x);
	if (x->p >= x->end || (*x->p != '-' && *x->p != '!' && *x->p != '^'))
		return parse_primary(x, ret);
	op = *x->p++;
	if (++x->depth > EXPR_MAX_DEPTH)
		return fail(x, "expression nested too deep");
	if ((r = parse_unary(x, ret)) < 0)
		return r;
	x->depth--;
	if (op == '!')
		return set_num(ret, !ksr__pp_val_true(ret));
	if ((r = to_num(x, ret, op == '-' ? "-" : "^")) < 0)
		return r;
	return set_num(ret, op == '-' ? -ret->num : (double)~(long long)ret->num);
}

static int peek_binop(struct expr *x)
{
	size_t left;

	skip_space(x);
	left = (size_t)(x->end - x->p);
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++) {
		size_t n = strlen(binops[i].text);

		if (left >= n && memcmp(x->p, binops[i].text, n) == 0)
			return (int)i;
	}
	return -1;
}

static int compare(struct expr *x, enum op op, const char *name, struct ksr__pp_val *a,
                   struct ksr__pp_val *b)
{
	int c, r;

	if (a->is_str) {
		if ((r = to_str(b)) < 0)
			return r;
		c = strcmp(a->str, b->str);
	} else {
		if ((r = to_num(x, b, name)) < 0)
			return r;
		c = a->num < b->num ? -1 : a->num > b->num ? 1 : 0;
	}
	switch (op) {
	case OP_LT: return set_num(a, c < 0);
	case OP_LE: return set_num(a, c <= 0);
	case OP_GT: return set_num(a, c > 0);
	case OP_GE: return set_num(a, c >= 0);
	case OP_EQ: return set_num(a, c == 0);
	default: return set_num(a, c != 0);
	}
}

static int power(struct expr *x, double base, double e, double *ret)
{
	double d = 1;
	long long n = (long long)e;

	if ((double)n != e)
		return x->skip ? 0 : fail(x, "'**' needs a whole exponent");
	for (long long i = 0; i < (n < 0 ? -n : n) && i < 4096; i++)
		d *= base;
	*ret = n < 0 ? 1 / d : d;
	return 0;
}

/* a = a OP b; b is consumed. */
static int apply(struct expr *x, int bi, struct ksr__pp_val *a, struct ksr__pp_val *b)
{
	enum op op = binops[bi].op;
	const char *name = binops[bi].text;
	long long ia, ib;
	double d = 0;
	int r;

	switch (op) {
	case OP_COMMA:
		ksr__pp_val_clear(a);
		*a = *b;
		memset(b, 0, sizeof(*b));
		return 0;
	case OP_AND: return set_num(a, ksr__pp_val_true(a) && ksr__pp_val_true(b));
	case OP_OR: return set_num(a, ksr__pp_val_true(a) || ksr__pp_val_true(b));
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
	case OP_EQ:
	case OP_NE: return compare(x, op, name, a, b);
	case OP_ADD:
		if (a->is_str) {
			char *s;

			if ((r = to_str(b)) < 0)
				return r;
			if (asprintf(&s, "%s%s", a->str, b->str) < 0)
				return -ENOMEM;
			free(a->str);
			a->str = s;
			return 0;
		}
		break;
	case OP_ASSIGN: return fail(x, "'=' (assignment) is not supported here; '==' compares");
	default: break;
	}
	if ((r = to_num(x, a, name)) < 0 || (r = to_num(x, b, name)) < 0)
		return r;
	ia = (long long)a->num;
	ib = (long long)b->num;
	switch (op) {
	case OP_ADD: d = a->num + b->num; break;
	case OP_SUB: d = a->num - b->num; break;
	case OP_MUL: d = a->num * b->num; break;
	case OP_DIV:
	case OP_MOD:
		if (b->num == 0) {
			if (!x->skip)
				return fail(x, "division by zero");
			break;
		}
		d = a->num / b->num;
		if (op == OP_MOD)
			d = a->num - b->num * (double)(long long)d;
		break;
	case OP_POW:
		if ((r = power(x, a->num, b->num, &d)) < 0)
			return r;
		break;
	case OP_SHL: d = (double)(ib < 0 || ib > 62 ? 0 : ia << ib); break;
	case OP_SHR: d = (double)(ib < 0 || ib > 62 ? 0 : ia >> ib); break;
	case OP_BAND: d = (double)(ia & ib); break;
	case OP_BOR: d = (double)(ia | ib); break;
	default: d = (double)(ia ^ ib); break;
	}
	return set_num(a, d);
}

/* Operators of this level and tighter; '**', '=' and ',' group to the right. */
static int parse_level(struct expr *x, int level, struct ksr__pp_val *ret)
{
	struct ksr__pp_val rhs = {0};
	int r, bi;

	if ((r = parse_unary(x, ret)) < 0)
		return r;
	while ((bi = peek_binop(x)) >= 0 && binops[bi].level <= level) {
		enum op op = binops[bi].op;
		bool right = op == OP_POW || op == OP_ASSIGN || op == OP_COMMA;
		bool untaken = (op == OP_AND && !ksr__pp_val_true(ret)) ||
		               (op == OP_OR && ksr__pp_val_true(ret));

		x->p += strlen(binops[bi].text);
		x->skip += untaken;
		r = parse_level(x, right ? binops[bi].level : binops[bi].level - 1, &rhs);
		x->skip -= untaken;
		if (r == 0)
			r = apply(x, bi, ret, &rhs);
		ksr__pp_val_clear(&rhs);
		if (r < 0)
			return r;
	}
	return 0;
}

int ksr__pp_expr_eval(const struct ksr_pp *pp, const char *s, size_t len, struct ksr__pp_val *ret,
                      char *why, size_t why_len)
{
	struct expr x = {.pp = pp, .p = s, .end = s + len, .why = why, .why_len = why_len};
	struct ksr__pp_val v = {0};
	int r;

	skip_space(&x);
	if (x.p >= x.end)
		return fail(&x, "empty expression");
	r = parse_level(&x, LOWEST_LEVEL, &v);
	if (r == 0) {
		skip_space(&x);
		if (x.p < x.end)
			r = fail(&x, "unexpected '%.*s' in the expression", (int)(x.end - x.p),
			         x.p);
	}
	if (r < 0) {
		ksr__pp_val_clear(&v);
		return r;
	}
	*ret = v;
	return 0;
}
