/*
 * textopsx: the values of headers, "Name: v1, v2;p=1" (append_hf_value, insert_hf_value,
 * remove_hf_value, assign_hf_value, include/exclude_hf_value, hf_value_exists), and
 * Authorization-like headers whose commas separate parameters (the *2 variants).
 *
 * A header is named as NAME[IDX].PARAM: IDX counts values over every NAME header, from 1
 * (negative: from the last; * for all), or, for the *2 variants, counts headers. Removing
 * a value takes one separator with it; several values of one header are removed in one
 * call by [*] or exclude_hf_value (edits of one text may not overlap).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "textopsx.h"

struct hfv_spec {
	enum ksr_hdr_type type;
	struct ksr_str name;
	bool has_idx, all;
	long idx;
	struct ksr_str param;
};

/* --- NAME[IDX].PARAM --- */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int parse_spec(struct ksr_str s, struct hfv_spec *ret, const char **ret_err)
{
	const char *p = skip_ws(s.s, ksr_str_end(s)), *end = ksr_str_end(s), *q;

	memset(ret, 0, sizeof(*ret));
	for (q = p; q < end && is_name_char(*q); q++)
		;
	if (q == p) {
		*ret_err = "a header name is needed: NAME[IDX].PARAM";
		return -EINVAL;
	}
	ret->name = ksr_str_make((char *)p, (size_t)(q - p));
	ret->type = ksr_hdr_type_of(ret->name);
	p = skip_ws(q, end);
	if (p < end && *p == '[') {
		p = skip_ws(p + 1, end);
		ret->has_idx = true;
		if (p < end && *p == '*') {
			ret->all = true;
			p++;
		} else if (p < end && *p != ']') {
			char *num_end;

			ret->idx = strtol(p, &num_end, 10);
			if (num_end == p || num_end > end) {
				*ret_err = "the index must be a number or *";
				return -EINVAL;
			}
			p = num_end;
		}
		p = skip_ws(p, end);
		if (p >= end || *p != ']') {
			*ret_err = "no ']' after the index";
			return -EINVAL;
		}
		p = skip_ws(p + 1, end);
	}
	if (p < end && *p == '.') {
		p = skip_ws(p + 1, end);
		for (q = p; q < end && is_name_char(*q); q++)
			;
		if (q == p) {
			*ret_err = "a parameter name is needed after '.'";
			return -EINVAL;
		}
		ret->param = ksr_str_make((char *)p, (size_t)(q - p));
		p = skip_ws(q, end);
	}
	if (p != end) {
		*ret_err = "unexpected text after NAME[IDX].PARAM";
		return -EINVAL;
	}
	return 0;
}

enum spec_kind { K_APPEND, K_INSERT, K_REMOVE, K_ASSIGN, K_SET };

/* The rules of each function for the spec, as upstream's fixups have them. */
static int fixup_spec(struct ksr_fparam *p, enum spec_kind kind, const char **ret_err)
{
	struct hfv_spec s, *keep;
	int r;

	if (p->dynamic) {
		*ret_err = "the header must be a constant NAME[IDX].PARAM";
		return -EINVAL;
	}
	if ((r = parse_spec(p->s, &s, ret_err)) < 0)
		return r;
	switch (kind) {
	case K_APPEND:
	case K_INSERT:
		if (s.all || s.param.len) {
			*ret_err = "neither [*] nor a parameter can be given here";
			return -EINVAL;
		}
		if (!s.has_idx || s.idx == 0)
			s.idx = kind == K_APPEND ? -1 : 1;
		break;
	case K_ASSIGN:
		if (s.all && !s.param.len) {
			*ret_err = "[*] needs a parameter here";
			return -EINVAL;
		}
		/* fall through */
	case K_REMOVE:
		if (!s.has_idx || s.idx == 0) {
			s.idx = 1;
			s.has_idx = true;
		}
		break;
	case K_SET:
		if (s.has_idx || s.param.len) {
			*ret_err = "neither an index nor a parameter can be given here";
			return -EINVAL;
		}
		break;
	}
	keep = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	*keep = s;
	p->ptr = keep;
	return 0;
}

int textopsx_fixup_append_hf_value(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_APPEND, ret_err);
}

int textopsx_fixup_insert_hf_value(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_INSERT, ret_err);
}

int textopsx_fixup_remove_hf_value(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_REMOVE, ret_err);
}

int textopsx_fixup_remove_hf_value2(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_REMOVE, ret_err);
}

int textopsx_fixup_assign_hf_value(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_ASSIGN, ret_err);
}

int textopsx_fixup_assign_hf_value2(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_ASSIGN, ret_err);
}

int textopsx_fixup_hf_value_set(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_spec(&p[0], K_SET, ret_err);
}

/* --- the values of the message's headers of one name --- */

struct hval {
	struct ksr_hdr *h;
	struct ksr_str v; /* trimmed */
	int pos, count; /* its place among the values of its line, and their number */
	struct ksr_str *all; /* the values of its line */
};

static bool is_spec_hdr(const struct hfv_spec *s, const struct ksr_hdr *h)
{
	return textopsx_hdr_is(h, s->type, s->name);
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(struct ksr_str *v)
{
	while (v->len && is_lws(v->s[0])) {
		v->s++;
		v->len--;
	}
	while (v->len && is_lws(v->s[v->len - 1]))
		v->len--;
}

/* The comma-separated values of a body (commas in quotes and <> do not count). */
static int split(struct ksr_msg *msg, struct ksr_str body, struct ksr_str **ret, int *ret_n)
{
	size_t max = 1;
	struct ksr_str *v;
	const char *p = body.s, *end = ksr_str_end(body), *start = body.s;
	bool quoted = false, angle = false;
	int n = 0;

	for (size_t i = 0; i < body.len; i++)
		max += body.s[i] == ',';
	v = ksr_arena_alloc(msg->arena, max * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (;; p++) {
		if (p == end || (*p == ',' && !quoted && !angle)) {
			struct ksr_str x = ksr_str_make((char *)start, (size_t)(p - start));

			trim(&x);
			if (x.len)
				v[n++] = x;
			if (p == end)
				break;
			start = p + 1;
		} else if (quoted && *p == '\\' && p + 1 < end) {
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (!quoted && *p == '<') {
			angle = true;
		} else if (!quoted && *p == '>') {
			angle = false;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Every value of every header of the spec's name; with by_line, each line is one value. */
static int collect(struct ksr_msg *msg, const struct hfv_spec *s, bool by_line,
		   struct hval **ret, int *ret_n)
{
	struct hval *out = NULL;
	int n = 0, cap = 0;

	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		struct ksr_str *v = &h->body;
		int count = 1;

		if (!is_spec_hdr(s, h))
			continue;
		if (!by_line && split(msg, h->body, &v, &count) < 0)
			return -ENOMEM;
		for (int i = 0; i < count; i++) {
			if (n == cap) {
				struct hval *bigger;

				cap = cap ? 2 * cap : 8;
				bigger = ksr_arena_alloc(msg->arena, (size_t)cap * sizeof(*bigger));
				if (!bigger)
					return -ENOMEM;
				if (n)
					memcpy(bigger, out, (size_t)n * sizeof(*out));
				out = bigger;
			}
			out[n++] = (struct hval){
				.h = h, .v = v[i], .pos = i, .count = count, .all = v};
		}
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

/* The IDX-th value (from 1; negative from the last), or NULL. */
static struct hval *nth(struct hval *vals, int n, long idx)
{
	if (idx > 0 && idx <= n)
		return &vals[idx - 1];
	if (idx < 0 && -idx <= n)
		return &vals[n + idx];
	return NULL;
}

/* --- edits --- */

static int edit(struct ksr_msg *msg, const char *at, size_t len, struct ksr_str text)
{
	int r = ksr_msg_replace_range(msg, at, len, text);

	if (r < 0)
		LM_ERR("cannot change the header: %s\n", strerror(-r));
	return r < 0 ? -1 : 1;
}

static struct ksr_str cat(struct ksr_msg *msg, struct ksr_str a, struct ksr_str b,
			  struct ksr_str c, struct ksr_str d)
{
	char *s = ksr_arena_alloc(msg->arena, a.len + b.len + c.len + d.len + 1);
	size_t n = 0;

	if (!s)
		return KSR_STR_NULL;
	for (int i = 0; i < 4; i++) {
		struct ksr_str x = i == 0 ? a : i == 1 ? b : i == 2 ? c : d;

		if (x.len)
			memcpy(s + n, x.s, x.len);
		n += x.len;
	}
	return ksr_str_make(s, n);
}

static bool one_line(struct ksr_str v)
{
	if (memchr(v.s, '\r', v.len) || memchr(v.s, '\n', v.len)) {
		LM_ERR("a header value cannot hold a line break\n");
		return false;
	}
	return true;
}

/* A new "NAME: val" line, before header `before` or after the last header. */
static int new_header(struct ksr_msg *msg, const struct hfv_spec *s, struct ksr_str val,
		      struct ksr_hdr *before)
{
	struct ksr_str line = cat(msg, s->name, KSR_STR_STATIC(": "), val, KSR_STR_STATIC("\r\n"));
	int r;

	if (!line.s)
		return -1;
	r = before ? ksr_msg_insert_hdr_before(msg, before, line)
		   : ksr_msg_add_hdr(msg, line, KSR_HDR_APPEND);
	if (r < 0) {
		LM_ERR("cannot add the header: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/*
 * Remove the values of one line marked in gone, with their separators: the line goes when
 * nothing is left. The ranges never overlap: before the first kept value, between two
 * kept values (from the first removed one on), after the last kept value.
 */
static int remove_values(struct ksr_msg *msg, struct ksr_hdr *h, const struct ksr_str *v, int n,
			 const bool *gone)
{
	int k, prev = -1, r = 1;

	for (k = 0; k < n && gone[k]; k++)
		;
	if (k == n) {
		r = ksr_msg_remove_hdr(msg, h);
		if (r < 0)
			LM_ERR("cannot remove the header: %s\n", strerror(-r));
		return r < 0 ? -1 : 1;
	}
	if (k > 0)
		r = edit(msg, v[0].s, (size_t)(v[k].s - v[0].s), KSR_STR_NULL);
	for (prev = k, k++; k < n && r > 0; k++) {
		if (gone[k])
			continue;
		if (k > prev + 1) {
			char *from = v[prev + 1].s;

			r = edit(msg, from, (size_t)(v[k].s - from), KSR_STR_NULL);
		}
		prev = k;
	}
	if (r > 0 && prev < n - 1) {
		char *from = ksr_str_end(v[prev]);

		r = edit(msg, from, (size_t)(ksr_str_end(v[n - 1]) - from), KSR_STR_NULL);
	}
	return r;
}

static int remove_value(struct ksr_msg *msg, const struct hval *hv)
{
	bool *gone = ksr_arena_alloc(msg->arena, (size_t)hv->count * sizeof(bool));

	if (!gone)
		return -1;
	gone[hv->pos] = true;
	return remove_values(msg, hv->h, hv->all, hv->count, gone);
}

/* --- ";name=value" parameters of a value --- */

struct param {
	const char *del; /* where removing it starts: the white space before its ';' */
	struct ksr_str name;
	const char *end; /* after its value */
};

/* Where the parameters of a value start: the first ';' outside quotes and <>. */
static const char *params_start(struct ksr_str v)
{
	const char *p = v.s, *end = ksr_str_end(v);
	bool quoted = false, angle = false;

	for (; p < end; p++) {
		if (quoted && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle = true;
		else if (!quoted && *p == '>')
			angle = false;
		else if (!quoted && !angle && *p == ';')
			break;
	}
	return p;
}

/* The parameter named name of value v (the first one), 0 when absent. */
static int find_param(struct ksr_str v, struct ksr_str name, struct param *ret)
{
	const char *p = params_start(v), *end = ksr_str_end(v);

	while (p < end) {
		const char *del = p, *q;

		p = skip_ws(p, end);
		if (p >= end || *p != ';')
			break;
		p = skip_ws(p + 1, end);
		for (q = p; q < end && *q != ' ' && *q != '\t' && *q != '=' && *q != ';'; q++)
			;
		ret->del = del;
		ret->name = ksr_str_make((char *)p, (size_t)(q - p));
		p = skip_ws(q, end);
		if (p < end && *p == '=') {
			p = skip_ws(p + 1, end);
			if (p < end && *p == '"') {
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\' && p + 1 < end)
						p++;
				if (p < end)
					p++;
			} else {
				while (p < end && *p != ' ' && *p != '\t' && *p != ';')
					p++;
			}
		} else {
			p = q;
		}
		ret->end = p;
		if (ksr_str_caseeq(&ret->name, &name))
			return 1;
	}
	return 0;
}

static int remove_param(struct ksr_msg *msg, struct ksr_str v, struct ksr_str name)
{
	struct param prm;

	if (!find_param(v, name, &prm))
		return -1;
	return edit(msg, prm.del, (size_t)(prm.end - prm.del), KSR_STR_NULL);
}

/* name=val (name alone for an empty val): replaced when there, else added at the end. */
static int assign_param(struct ksr_msg *msg, struct ksr_str v, struct ksr_str name,
			struct ksr_str val)
{
	struct ksr_str eq = val.len ? KSR_STR_STATIC("=") : KSR_STR_NULL;
	struct param prm;

	if (find_param(v, name, &prm)) {
		char *after = ksr_str_end(prm.name);

		return edit(msg, after, (size_t)(prm.end - after), cat(msg, eq, val, KSR_STR_NULL,
								       KSR_STR_NULL));
	}
	return edit(msg, ksr_str_end(v), 0, cat(msg, KSR_STR_STATIC(";"), name, eq, val));
}

/* --- the functions --- */

int textopsx_append_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct hfv_spec *s = p[0].ptr;
	struct hval *vals, *hv;
	int n;

	if (!one_line(p[1].s))
		return -1;
	if (!s->has_idx)
		return new_header(msg, s, p[1].s, NULL);
	if (collect(msg, s, false, &vals, &n) < 0)
		return -1;
	hv = nth(vals, n, s->idx);
	if (!hv)
		return new_header(msg, s, p[1].s, NULL);
	return edit(msg, ksr_str_end(hv->v), 0,
		    cat(msg, KSR_STR_STATIC(", "), p[1].s, KSR_STR_NULL, KSR_STR_NULL));
}

int textopsx_insert_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct hfv_spec *s = p[0].ptr;
	struct hval *vals, *hv;
	int n;

	if (!one_line(p[1].s) || collect(msg, s, false, &vals, &n) < 0)
		return -1;
	hv = nth(vals, n, s->idx);
	if (hv && !s->has_idx) /* a new header before the first one */
		return new_header(msg, s, p[1].s, hv->h);
	if (!hv)
		return s->idx == 1 ? new_header(msg, s, p[1].s, NULL) : -1;
	return edit(msg, hv->v.s, 0, cat(msg, p[1].s, KSR_STR_STATIC(", "), KSR_STR_NULL,
					 KSR_STR_NULL));
}

/* remove_hf_value and assign_hf_value (val NULL: remove). */
static int remove_assign(struct ksr_msg *msg, const struct hfv_spec *s, const struct ksr_str *val)
{
	struct hval *vals, *hv;
	int n, ret = -1;

	if (val && !one_line(*val))
		return -1;
	if (s->all && !s->param.len) { /* remove every header of the name */
		for (struct ksr_hdr *h = msg->headers; h; h = h->next)
			if (is_spec_hdr(s, h) && ksr_msg_remove_hdr(msg, h) == 0)
				ret = 1;
		return ret;
	}
	if (collect(msg, s, false, &vals, &n) < 0)
		return -1;
	if (s->all) {
		for (int i = 0; i < n; i++) {
			if ((val ? assign_param(msg, vals[i].v, s->param, *val)
				 : remove_param(msg, vals[i].v, s->param)) > 0)
				ret = 1;
		}
		return ret;
	}
	hv = nth(vals, n, s->idx);
	if (!hv)
		return -1;
	if (s->param.len)
		return val ? assign_param(msg, hv->v, s->param, *val)
			   : remove_param(msg, hv->v, s->param);
	return val ? edit(msg, hv->v.s, hv->v.len, *val) : remove_value(msg, hv);
}

int textopsx_remove_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_assign(msg, p[0].ptr, NULL);
}

int textopsx_assign_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_assign(msg, p[0].ptr, &p[1].s);
}

/* --- Authorization-like: "Scheme a=1, b="2"" --- */

struct param2 {
	struct ksr_str name;
	const char *end; /* after its value */
};

#define MAX_PARAMS2 32

/* The scheme's end (the body's start when none) and the name=value pairs. */
static int params2(struct ksr_str body, const char **ret_scheme_end, struct param2 *pv)
{
	const char *p = body.s, *end = ksr_str_end(body), *q;
	int n = 0;

	*ret_scheme_end = p;
	for (q = p; q < end && is_name_char(*q); q++)
		;
	/* a first token not followed by '=' or ',' is the scheme ("Digest", "Basic") */
	if (q > p) {
		const char *after = skip_ws(q, end);

		if (after == end || (*after != '=' && *after != ',')) {
			*ret_scheme_end = q;
			p = q;
		}
	}
	while (p < end && n < MAX_PARAMS2) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		for (q = p; q < end && is_name_char(*q); q++)
			;
		if (q == p)
			break;
		pv[n].name = ksr_str_make((char *)p, (size_t)(q - p));
		p = skip_ws(q, end);
		if (p < end && *p == '=') {
			p = skip_ws(p + 1, end);
			if (p < end && *p == '"') {
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\' && p + 1 < end)
						p++;
				if (p < end)
					p++;
			} else {
				while (p < end && *p != ',' && *p != ' ' && *p != '\t')
					p++;
			}
		} else {
			p = q;
		}
		pv[n++].end = p;
	}
	return n;
}

static int param2_op(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_str name,
		     const struct ksr_str *val)
{
	struct ksr_str eq = val && val->len ? KSR_STR_STATIC("=") : KSR_STR_NULL;
	struct param2 pv[MAX_PARAMS2];
	const char *scheme_end;
	int n = params2(h->body, &scheme_end, pv), i;

	for (i = 0; i < n && !ksr_str_caseeq(&pv[i].name, &name); i++)
		;
	if (i == n) { /* a new one at the end, after ", " or the scheme's space */
		struct ksr_str sep = KSR_STR_NULL;

		if (!val)
			return -1;
		if (n)
			sep = KSR_STR_STATIC(", ");
		else if (scheme_end > h->body.s)
			sep = KSR_STR_STATIC(" ");
		return edit(msg, ksr_str_end(h->body), 0, cat(msg, sep, name, eq, *val));
	}
	if (val) {
		char *after = ksr_str_end(pv[i].name);

		return edit(msg, after, (size_t)(pv[i].end - after),
			    cat(msg, eq, *val, KSR_STR_NULL, KSR_STR_NULL));
	}
	if (i + 1 < n) /* up to the next pair */
		return edit(msg, pv[i].name.s, (size_t)(pv[i + 1].name.s - pv[i].name.s),
			    KSR_STR_NULL);
	if (i > 0) /* the last: from the end of the one before */
		return edit(msg, pv[i - 1].end, (size_t)(pv[i].end - pv[i - 1].end), KSR_STR_NULL);
	return edit(msg, scheme_end, (size_t)(pv[i].end - scheme_end), KSR_STR_NULL);
}

static int remove_assign2(struct ksr_msg *msg, const struct hfv_spec *s,
			  const struct ksr_str *val)
{
	struct hval *vals, *hv;
	int n, ret = -1;

	if (val && !one_line(*val))
		return -1;
	if (collect(msg, s, true, &vals, &n) < 0)
		return -1;
	if (s->all) {
		for (int i = 0; i < n; i++) {
			int r = s->param.len ? param2_op(msg, vals[i].h, s->param, val)
					     : ksr_msg_remove_hdr(msg, vals[i].h) == 0 ? 1 : -1;

			if (r > 0)
				ret = 1;
		}
		return ret;
	}
	hv = nth(vals, n, s->idx);
	if (!hv)
		return -1;
	if (s->param.len)
		return param2_op(msg, hv->h, s->param, val);
	if (!val) {
		int r = ksr_msg_remove_hdr(msg, hv->h);

		return r < 0 ? -1 : 1;
	}
	return edit(msg, hv->h->body.s, hv->h->body.len, *val);
}

int textopsx_remove_hf_value2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_assign2(msg, p[0].ptr, NULL);
}

int textopsx_assign_hf_value2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_assign2(msg, p[0].ptr, &p[1].s);
}

/* --- sets of values: "Supported: path, 100rel" --- */

int textopsx_hf_value_exists(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct hval *vals;
	int n;

	if (p[1].s.len == 0 || collect(msg, p[0].ptr, false, &vals, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (ksr_str_caseeq(&vals[i].v, &p[1].s))
			return 1;
	return -1;
}

int textopsx_include_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct hfv_spec *s = p[0].ptr;
	struct ksr_hdr *first = NULL;

	if (p[1].s.len == 0 || !one_line(p[1].s))
		return -1;
	if (textopsx_hf_value_exists(msg, p) > 0)
		return 1;
	for (struct ksr_hdr *h = msg->headers; h && !first; h = h->next)
		if (is_spec_hdr(s, h))
			first = h;
	if (!first)
		return new_header(msg, s, p[1].s, NULL);
	return edit(msg, ksr_str_end(first->body), 0,
		    cat(msg, first->body.len ? KSR_STR_STATIC(", ") : KSR_STR_NULL, p[1].s,
			KSR_STR_NULL, KSR_STR_NULL));
}

/* Every value equal to the given one goes; true whether there was one or not (as upstream). */
int textopsx_exclude_hf_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct hfv_spec *s = p[0].ptr;

	if (p[1].s.len == 0)
		return -1;
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		struct ksr_str *v;
		bool *gone, any = false;
		int n;

		if (!is_spec_hdr(s, h))
			continue;
		if (split(msg, h->body, &v, &n) < 0 ||
		    !(gone = ksr_arena_alloc(msg->arena, (size_t)n * sizeof(bool) + 1)))
			return -1;
		for (int i = 0; i < n; i++)
			any |= gone[i] = ksr_str_caseeq(&v[i], &p[1].s);
		if (any && remove_values(msg, h, v, n, gone) < 0)
			return -1;
	}
	return 1;
}
