/*
 * String transformations {s.*}, and the argument parsing every class of the module uses:
 * an argument is an integer, a text, or a pseudo-variable evaluated at each use.
 */
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem/arena.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

/* --- arguments --- */

struct ksr_str pv_tr_subtype(struct ksr_str spec, struct ksr_str *rest)
{
	const char *comma = memchr(spec.s, ',', spec.len);
	size_t n = comma ? (size_t)(comma - spec.s) : spec.len;

	*rest = comma ? ksr_str_make((char *)comma + 1, spec.len - n - 1) : KSR_STR_NULL;
	return ksr_str_make(spec.s, n);
}

int pv_tr_next_arg(struct ksr_str *rest, struct ksr_arena *arena, struct pv_tr_arg *ret,
                   const char **ret_err)
{
	int depth = 0;
	size_t i;
	struct pv_tr_arg a = {0};

	if (!rest->s) {
		*ret_err = "missing transformation argument";
		return -ENOENT;
	}
	for (i = 0; i < rest->len; i++) {
		char c = rest->s[i];

		if (c == '(' || c == '{')
			depth++;
		else if ((c == ')' || c == '}') && depth > 0)
			depth--;
		else if (c == ',' && depth == 0)
			break;
	}
	a.s = ksr_str_make(rest->s, i);
	*rest = i < rest->len ? ksr_str_make(rest->s + i + 1, rest->len - i - 1) : KSR_STR_NULL;
	if (a.s.len && a.s.s[0] == '$') {
		size_t used;
		int r = ksr_pv_parse(a.s, arena, &a.pv, &used, ret_err);

		if (r < 0)
			return r;
		if (used != a.s.len) {
			*ret_err = "bad transformation argument: text after the pseudo-variable";
			return -EINVAL;
		}
	} else {
		struct ksr_val v = {.type = KSR_VAL_STR, .s = a.s};

		a.is_int = ksr_val_to_int(&v, &a.i) == 0;
	}
	*ret = a;
	return 0;
}

int pv_tr_arg_int(struct ksr_msg *msg, const struct pv_tr_arg *a, long *ret)
{
	struct ksr_val v;
	int r;

	if (!a->pv) {
		if (!a->is_int)
			return -EINVAL;
		*ret = a->i;
		return 0;
	}
	if ((r = ksr_pv_get(msg, a->pv, &v)) < 0)
		return r;
	if (v.type == KSR_VAL_NULL)
		return -EINVAL;
	return ksr_val_to_int(&v, ret);
}

int pv_tr_arg_str(struct ksr_msg *msg, const struct pv_tr_arg *a, struct ksr_str *ret)
{
	struct ksr_val v;
	int r;

	if (!a->pv) {
		*ret = a->s;
		return 0;
	}
	if ((r = ksr_pv_get(msg, a->pv, &v)) < 0)
		return r;
	if (v.type == KSR_VAL_NULL)
		return -EINVAL;
	return ksr_val_to_str(msg, &v, ret);
}

int pv_tr_input_str(struct ksr_msg *msg, const struct ksr_val *val, struct ksr_str *ret)
{
	if (val->type == KSR_VAL_NULL)
		return -EINVAL;
	return ksr_val_to_str(msg, val, ret);
}

/* --- {s.*} --- */

enum s_sub {
	S_LEN,
	S_INT,
	S_MD5,
	S_SHA256,
	S_SUBSTR,
	S_SELECT,
	S_TOLOWER,
	S_TOUPPER,
	S_STRIP,
	S_STRIPTAIL,
	S_ENC_B64,
	S_DEC_B64,
	S_ENC_HEXA,
	S_DEC_HEXA,
	S_ESC_COMMON,
	S_UNESC_COMMON,
	S_ESC_USER,
	S_UNESC_USER,
	S_ESC_PARAM,
	S_UNESC_PARAM,
	S_TRIM,
	S_RTRIM,
	S_LTRIM,
	S_BEFORE,
	S_AFTER,
	S_RBEFORE,
	S_RAFTER,
	S_NUMERIC,
	S_REPLACE,
	S_PREFIXES,
	S_PREFIXES_QUOTED,
	S_FTIME,
};

/* Argument kinds of a subtype: how "s.name,..." continues. */
enum s_args {
	A_NONE,
	A_INT,      /* one integer */
	A_INT_INT,  /* two integers */
	A_INT_CHAR, /* an integer, then one separator character (may be ',') */
	A_CHAR,     /* one character (may be ',') */
	A_STR_STR,  /* two texts */
	A_OPT_INT,  /* an optional integer */
	A_STR,      /* one text, taken whole */
};

static const struct {
	const char *name;
	enum s_sub sub;
	enum s_args args;
} s_subs[] = {
        {"len", S_LEN, A_NONE},
        {"int", S_INT, A_NONE},
        {"md5", S_MD5, A_NONE},
        {"sha256", S_SHA256, A_NONE},
        {"substr", S_SUBSTR, A_INT_INT},
        {"select", S_SELECT, A_INT_CHAR},
        {"tolower", S_TOLOWER, A_NONE},
        {"toupper", S_TOUPPER, A_NONE},
        {"strip", S_STRIP, A_INT},
        {"striptail", S_STRIPTAIL, A_INT},
        {"encode.base64", S_ENC_B64, A_NONE},
        {"decode.base64", S_DEC_B64, A_NONE},
        {"encode.hexa", S_ENC_HEXA, A_NONE},
        {"decode.hexa", S_DEC_HEXA, A_NONE},
        {"escape.common", S_ESC_COMMON, A_NONE},
        {"unescape.common", S_UNESC_COMMON, A_NONE},
        {"escape.user", S_ESC_USER, A_NONE},
        {"unescape.user", S_UNESC_USER, A_NONE},
        {"escape.param", S_ESC_PARAM, A_NONE},
        {"unescape.param", S_UNESC_PARAM, A_NONE},
        {"trim", S_TRIM, A_NONE},
        {"rtrim", S_RTRIM, A_NONE},
        {"ltrim", S_LTRIM, A_NONE},
        {"before", S_BEFORE, A_CHAR},
        {"after", S_AFTER, A_CHAR},
        {"rbefore", S_RBEFORE, A_CHAR},
        {"rafter", S_RAFTER, A_CHAR},
        {"numeric", S_NUMERIC, A_NONE},
        {"replace", S_REPLACE, A_STR_STR},
        {"prefixes", S_PREFIXES, A_OPT_INT},
        {"prefixes.quoted", S_PREFIXES_QUOTED, A_OPT_INT},
        {"ftime", S_FTIME, A_STR},
};

struct s_data {
	struct pv_tr_arg a, b;
	bool has_a;
	char c; /* the separator of select, before, after, ... */
};

static int s_parse(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                   const char **ret_err)
{
	struct ksr_str rest, name = pv_tr_subtype(spec, &rest);
	struct s_data *d;
	enum s_args args = A_NONE;
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(s_subs) / sizeof(s_subs[0]); i++)
		if (name.len == strlen(s_subs[i].name) &&
		    memcmp(name.s, s_subs[i].name, name.len) == 0)
			break;
	if (i == sizeof(s_subs) / sizeof(s_subs[0])) {
		*ret_err = "unknown transformation {s.*}";
		return -EINVAL;
	}
	tr->subtype = (int)s_subs[i].sub;
	args = s_subs[i].args;
	d = ksr_arena_alloc(arena, sizeof(*d));
	if (!d)
		return -ENOMEM;
	tr->data = d;
	switch (args) {
	case A_NONE: break;
	case A_INT:
	case A_INT_INT:
	case A_INT_CHAR:
		if ((r = pv_tr_next_arg(&rest, arena, &d->a, ret_err)) < 0)
			return r == -ENOENT ? -EINVAL : r;
		if (!d->a.pv && !d->a.is_int) {
			*ret_err = "transformation argument must be an integer";
			return -EINVAL;
		}
		if (args == A_INT_INT) {
			if ((r = pv_tr_next_arg(&rest, arena, &d->b, ret_err)) < 0)
				return r == -ENOENT ? -EINVAL : r;
			if (!d->b.pv && (!d->b.is_int || d->b.i < 0)) {
				*ret_err = "transformation argument must be a positive integer";
				return -EINVAL;
			}
		} else if (args == A_INT_CHAR) {
			if (rest.len != 1) {
				*ret_err = "one separator character expected";
				return -EINVAL;
			}
			d->c = rest.s[0];
			rest = KSR_STR_NULL;
		}
		break;
	case A_CHAR:
		/* the first character after the comma, a comma included (upstream reads one) */
		if (rest.len < 1) {
			*ret_err = "one character expected";
			return -EINVAL;
		}
		d->c = rest.s[0];
		rest = KSR_STR_NULL;
		break;
	case A_STR_STR:
		if ((r = pv_tr_next_arg(&rest, arena, &d->a, ret_err)) < 0 ||
		    (r = pv_tr_next_arg(&rest, arena, &d->b, ret_err)) < 0)
			return r == -ENOENT ? -EINVAL : r;
		if (!d->a.pv && d->a.s.len == 0) {
			*ret_err = "empty text to replace";
			return -EINVAL;
		}
		break;
	case A_OPT_INT:
		if (rest.s) {
			if ((r = pv_tr_next_arg(&rest, arena, &d->a, ret_err)) < 0)
				return r;
			if (!d->a.pv && (!d->a.is_int || d->a.i < 0)) {
				*ret_err = "transformation argument must be a positive integer";
				return -EINVAL;
			}
			d->has_a = true;
		}
		break;
	case A_STR:
		if (!rest.s || rest.len == 0) {
			*ret_err = "argument expected";
			return -EINVAL;
		}
		d->a.s = rest;
		rest = KSR_STR_NULL;
		break;
	}
	if (rest.s) {
		*ret_err = "too many transformation arguments";
		return -EINVAL;
	}
	return 0;
}

static char *out_buf(struct ksr_msg *msg, size_t n)
{
	return ksr_arena_alloc(msg->arena, n + 1);
}

static int set_str(struct ksr_val *val, char *s, size_t n)
{
	s[n] = '\0';
	return pv_ret_str(val, ksr_str_make(s, n));
}

static int digest(struct ksr_msg *msg, const EVP_MD *md, struct ksr_str in, struct ksr_val *val)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *o;

	if (!EVP_Digest(in.s, in.len, d, &n, md, NULL))
		return -EINVAL;
	o = out_buf(msg, 2 * (size_t)n);
	if (!o)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		o[2 * i] = hex[d[i] >> 4];
		o[2 * i + 1] = hex[d[i] & 15];
	}
	return set_str(val, o, 2 * (size_t)n);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int enc_hexa(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out_buf(msg, 2 * in.len);

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i++) {
		o[2 * i] = hex[(unsigned char)in.s[i] >> 4];
		o[2 * i + 1] = hex[(unsigned char)in.s[i] & 15];
	}
	return set_str(val, o, 2 * in.len);
}

static int dec_hexa(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	char *o;

	if (in.len % 2)
		return -EINVAL;
	o = out_buf(msg, in.len / 2);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i += 2) {
		int h = hexval(in.s[i]), l = hexval(in.s[i + 1]);

		if (h < 0 || l < 0)
			return -EINVAL;
		o[i / 2] = (char)(h * 16 + l);
	}
	return set_str(val, o, in.len / 2);
}

static int enc_b64(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	size_t n = 4 * ((in.len + 2) / 3);
	char *o = out_buf(msg, n);

	if (!o)
		return -ENOMEM;
	if (in.len > (size_t)0x3fffffff)
		return -E2BIG;
	EVP_EncodeBlock((unsigned char *)o, (const unsigned char *)in.s, (int)in.len);
	return set_str(val, o, n);
}

static int dec_b64(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	size_t pad = 0;
	char *o;
	int n;

	if (in.len % 4 || in.len > (size_t)0x3fffffff)
		return -EINVAL;
	o = out_buf(msg, in.len / 4 * 3);
	if (!o)
		return -ENOMEM;
	n = EVP_DecodeBlock((unsigned char *)o, (const unsigned char *)in.s, (int)in.len);
	if (n < 0)
		return -EINVAL;
	/* EVP_DecodeBlock counts the '=' padding as zero bytes */
	while (pad < 2 && pad < in.len && in.s[in.len - 1 - pad] == '=')
		pad++;
	return set_str(val, o, (size_t)n - pad);
}

/* escape.common: ' " \ and NUL get a backslash (NUL as \0), as for SQL strings. */
static int esc_common(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	char *o = out_buf(msg, 2 * in.len), *p = o;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.s[i];

		if (c == '\'' || c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = c;
		} else if (c == '\0') {
			*p++ = '\\';
			*p++ = '0';
		} else {
			*p++ = c;
		}
	}
	return set_str(val, o, (size_t)(p - o));
}

static int unesc_common(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	char *o = out_buf(msg, in.len), *p = o;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.s[i];

		if (c == '\\' && i + 1 < in.len && strchr("'\"\\0", in.s[i + 1])) {
			c = in.s[++i];
			if (c == '0')
				c = '\0';
		}
		*p++ = c;
	}
	return set_str(val, o, (size_t)(p - o));
}

/*
 * %HH escaping of a URI user (RFC 3261 25.1 unreserved and user-unreserved, without '/'
 * as upstream) or of a URI parameter (unreserved and param-unreserved). Hex is lowercase.
 */
static bool keep_in(int sub, unsigned char c)
{
	if (isalnum(c) || strchr("-_.!~*'()", c))
		return c != '\0';
	if (sub == S_ESC_USER)
		return c && strchr("&=+$,;?", c);
	return c && strchr("[]/:&+$", c);
}

static int esc_uri(struct ksr_msg *msg, int sub, struct ksr_str in, struct ksr_val *val)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out_buf(msg, 3 * in.len), *p = o;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.s[i];

		if (keep_in(sub, c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	return set_str(val, o, (size_t)(p - o));
}

static int unesc_uri(struct ksr_msg *msg, struct ksr_str in, struct ksr_val *val)
{
	char *o = out_buf(msg, in.len), *p = o;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len; i++) {
		if (in.s[i] == '%') {
			int h, l;

			if (i + 2 >= in.len)
				return -EINVAL;
			h = hexval(in.s[i + 1]);
			l = hexval(in.s[i + 2]);
			if (h < 0 || l < 0)
				return -EINVAL;
			*p++ = (char)(h * 16 + l);
			i += 2;
		} else {
			*p++ = in.s[i];
		}
	}
	return set_str(val, o, (size_t)(p - o));
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int substr(struct ksr_msg *msg, const struct s_data *d, struct ksr_str in,
                  struct ksr_val *val)
{
	long off, len;
	int r;

	if ((r = pv_tr_arg_int(msg, &d->a, &off)) < 0 || (r = pv_tr_arg_int(msg, &d->b, &len)) < 0)
		return r;
	if (off < 0)
		off += (long)in.len;
	if (off < 0 || off >= (long)in.len || len < 0)
		return -EINVAL;
	if (len == 0 || len > (long)in.len - off)
		len = (long)in.len - off;
	return pv_ret_str(val, ksr_str_make(in.s + off, (size_t)len));
}

/* The idx-th field between separators; out of range gives an empty string, as upstream. */
static int select_field(const struct s_data *d, struct ksr_msg *msg, struct ksr_str in,
                        struct ksr_val *val)
{
	long idx, n = 1, k = 0;
	size_t start = 0;
	int r;

	if ((r = pv_tr_arg_int(msg, &d->a, &idx)) < 0)
		return r;
	for (size_t i = 0; i < in.len; i++)
		if (in.s[i] == d->c)
			n++;
	if (idx < 0)
		idx += n;
	if (idx < 0 || idx >= n)
		return pv_ret_str(val, ksr_str_make(ksr_str_end(in), 0));
	for (size_t i = 0; i <= in.len; i++) {
		if (i == in.len || in.s[i] == d->c) {
			if (k++ == idx)
				return pv_ret_str(val, ksr_str_make(in.s + start, i - start));
			start = i + 1;
		}
	}
	return -EINVAL;
}

/* before/after the first (r: last) separator; without it the whole string, as upstream. */
static int cut_at(int sub, char c, struct ksr_str in, struct ksr_val *val)
{
	const char *p = NULL;

	if (sub == S_BEFORE || sub == S_AFTER)
		p = memchr(in.s, c, in.len);
	else
		for (size_t i = in.len; i > 0 && !p; i--)
			if (in.s[i - 1] == c)
				p = in.s + i - 1;
	if (!p)
		return pv_ret_str(val, in);
	if (sub == S_BEFORE || sub == S_RBEFORE)
		return pv_ret_str(val, ksr_str_make(in.s, (size_t)(p - in.s)));
	return pv_ret_str(val, ksr_str_make((char *)p + 1, in.len - (size_t)(p - in.s) - 1));
}

static int replace_all(struct ksr_msg *msg, const struct s_data *d, struct ksr_str in,
                       struct ksr_val *val)
{
	struct ksr_str m, w;
	size_t count = 0;
	char *o, *p;
	int r;

	if ((r = pv_tr_arg_str(msg, &d->a, &m)) < 0 || (r = pv_tr_arg_str(msg, &d->b, &w)) < 0)
		return r;
	if (m.len == 0)
		return -EINVAL;
	for (size_t i = 0; i + m.len <= in.len;)
		if (memcmp(in.s + i, m.s, m.len) == 0) {
			count++;
			i += m.len;
		} else {
			i++;
		}
	o = p = out_buf(msg, in.len + count * w.len);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < in.len;) {
		if (i + m.len <= in.len && memcmp(in.s + i, m.s, m.len) == 0) {
			if (w.len)
				memcpy(p, w.s, w.len);
			p += w.len;
			i += m.len;
		} else {
			*p++ = in.s[i++];
		}
	}
	return set_str(val, o, (size_t)(p - o));
}

/* "123" -> "1,12,123"; quoted: "'1','12','123'"; at most max prefixes when given. */
static int prefixes(struct ksr_msg *msg, const struct s_data *d, bool quoted, struct ksr_str in,
                    struct ksr_val *val)
{
	long max = (long)in.len;
	size_t q = quoted ? 2 : 0, total = 0;
	char *o, *p;
	int r;

	if (d->has_a) {
		if ((r = pv_tr_arg_int(msg, &d->a, &max)) < 0)
			return r;
		if (max <= 0 || max > (long)in.len)
			max = (long)in.len;
	}
	for (long i = 1; i <= max; i++)
		total += (size_t)i + q + 1;
	o = p = out_buf(msg, total);
	if (!o)
		return -ENOMEM;
	for (long i = 1; i <= max; i++) {
		if (i > 1)
			*p++ = ',';
		if (quoted)
			*p++ = '\'';
		memcpy(p, in.s, (size_t)i);
		p += i;
		if (quoted)
			*p++ = '\'';
	}
	return set_str(val, o, (size_t)(p - o));
}

static int ftime(struct ksr_msg *msg, const struct s_data *d, const struct ksr_val *in,
                 struct ksr_val *val)
{
	char fmt[128], buf[256];
	struct tm tm;
	time_t t;
	long v;
	size_t n;

	if (in->type == KSR_VAL_NULL || ksr_val_to_int(in, &v) < 0)
		return -EINVAL;
	if (d->a.s.len >= sizeof(fmt))
		return -E2BIG;
	memcpy(fmt, d->a.s.s, d->a.s.len);
	fmt[d->a.s.len] = '\0';
	t = (time_t)v;
	if (!localtime_r(&t, &tm))
		return -EINVAL;
		/* the format is the config's: what $timef / s.ftime are for */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, sizeof(buf), fmt, &tm);
#pragma GCC diagnostic pop
	if (n == 0)
		return -EINVAL;
	return pv_ret_strdup(msg, val, buf, n);
}

static int s_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	const struct s_data *d = tr->data;
	struct ksr_str in;
	long n;
	char *o;
	int r;

	if (tr->subtype == S_INT && val->type == KSR_VAL_INT)
		return 0;
	if (tr->subtype == S_FTIME)
		return ftime(msg, d, val, val);
	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	switch ((enum s_sub)tr->subtype) {
	case S_LEN: return pv_ret_int(val, (long)in.len);
	case S_INT: {
		struct ksr_val s = {.type = KSR_VAL_STR, .s = in};

		if (ksr_val_to_int(&s, &n) < 0)
			return -EINVAL;
		return pv_ret_int(val, n);
	}
	case S_MD5: return digest(msg, EVP_md5(), in, val);
	case S_SHA256: return digest(msg, EVP_sha256(), in, val);
	case S_SUBSTR: return substr(msg, d, in, val);
	case S_SELECT: return select_field(d, msg, in, val);
	case S_TOLOWER:
	case S_TOUPPER:
		if (!(o = out_buf(msg, in.len)))
			return -ENOMEM;
		for (size_t i = 0; i < in.len; i++)
			o[i] = (char)(tr->subtype == S_TOLOWER ? tolower((unsigned char)in.s[i])
			                                       : toupper((unsigned char)in.s[i]));
		return set_str(val, o, in.len);
	case S_STRIP:
	case S_STRIPTAIL:
		if ((r = pv_tr_arg_int(msg, &d->a, &n)) < 0)
			return r;
		if (n < 0)
			return -EINVAL;
		if ((size_t)n >= in.len)
			return pv_ret_str(val, ksr_str_make(ksr_str_end(in), 0));
		if (tr->subtype == S_STRIP)
			return pv_ret_str(val, ksr_str_make(in.s + n, in.len - (size_t)n));
		return pv_ret_str(val, ksr_str_make(in.s, in.len - (size_t)n));
	case S_ENC_B64: return enc_b64(msg, in, val);
	case S_DEC_B64: return dec_b64(msg, in, val);
	case S_ENC_HEXA: return enc_hexa(msg, in, val);
	case S_DEC_HEXA: return dec_hexa(msg, in, val);
	case S_ESC_COMMON: return esc_common(msg, in, val);
	case S_UNESC_COMMON: return unesc_common(msg, in, val);
	case S_ESC_USER:
	case S_ESC_PARAM: return esc_uri(msg, tr->subtype, in, val);
	case S_UNESC_USER:
	case S_UNESC_PARAM: return unesc_uri(msg, in, val);
	case S_TRIM:
	case S_LTRIM:
	case S_RTRIM:
		if (tr->subtype != S_RTRIM)
			while (in.len && space(in.s[0])) {
				in.s++;
				in.len--;
			}
		if (tr->subtype != S_LTRIM)
			while (in.len && space(in.s[in.len - 1]))
				in.len--;
		return pv_ret_str(val, in);
	case S_BEFORE:
	case S_AFTER:
	case S_RBEFORE:
	case S_RAFTER: return cut_at(tr->subtype, d->c, in, val);
	case S_NUMERIC: {
		size_t k = 0;

		if (!(o = out_buf(msg, in.len)))
			return -ENOMEM;
		for (size_t i = 0; i < in.len; i++)
			if (in.s[i] >= '0' && in.s[i] <= '9')
				o[k++] = in.s[i];
		return set_str(val, o, k);
	}
	case S_REPLACE: return replace_all(msg, d, in, val);
	case S_PREFIXES:
	case S_PREFIXES_QUOTED: return prefixes(msg, d, tr->subtype == S_PREFIXES_QUOTED, in, val);
	case S_FTIME: break;
	}
	return -EINVAL;
}

const struct ksr_tr_export pv_tr_s[] = {
        {.name = "s", .parse = s_parse, .apply = s_apply},
        {.name = NULL},
};
