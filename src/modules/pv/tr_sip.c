/*
 * Transformations of SIP values: {uri.*} parts of a URI, {param.*} of a ";"-list,
 * {nameaddr.*} and {tobody.*} of an address, {line.*} of a multi-line text. A part that
 * is absent gives an empty string, as upstream; a value that does not parse is an error.
 */
#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

static const struct ksr_str empty = {(char *)"", 0};

/* Subtype names of a class, in the order of its codes. */
static int find_sub(const char *const *names, size_t n, struct ksr_str name)
{
	for (size_t i = 0; i < n; i++)
		if (name.len == strlen(names[i]) && memcmp(name.s, names[i], name.len) == 0)
			return (int)i;
	return -1;
}

#define NSUBS(a) (sizeof(a) / sizeof((a)[0]))

/* --- parameter lists: "a=1;b; c = 3" --- */

struct plist {
	struct ksr_str rest;
	char sep;
};

/* The next parameter (name and value trimmed); 0 at the end. Quotes protect separators. */
static int plist_next(struct plist *pl, struct ksr_str *ret_name, struct ksr_str *ret_value)
{
	struct ksr_str item;
	bool quoted = false;
	size_t i;

	while (pl->rest.len) {
		for (i = 0; i < pl->rest.len; i++) {
			char c = pl->rest.s[i];

			if (c == '"')
				quoted = !quoted;
			else if (c == pl->sep && !quoted)
				break;
		}
		item = ksr_str_make(pl->rest.s, i);
		pl->rest = i < pl->rest.len ? ksr_str_make(pl->rest.s + i + 1, pl->rest.len - i - 1)
		                            : ksr_str_make(pl->rest.s + i, 0);
		ksr_str_trim(&item);
		if (item.len == 0)
			continue;
		{
			const char *eq = memchr(item.s, '=', item.len);

			*ret_name = ksr_str_make(item.s, eq ? (size_t)(eq - item.s) : item.len);
			*ret_value = eq ? ksr_str_make((char *)eq + 1,
			                               item.len - (size_t)(eq - item.s) - 1)
			                : ksr_str_make(ksr_str_end(item), 0);
			ksr_str_trim(ret_name);
			ksr_str_trim(ret_value);
		}
		return 1;
	}
	return 0;
}

/* The value of the parameter named name (case-insensitive); 0 when absent. */
static int plist_find(struct ksr_str list, char sep, struct ksr_str name, struct ksr_str *ret)
{
	struct plist pl = {list, sep};
	struct ksr_str n, v;

	while (plist_next(&pl, &n, &v))
		if (ksr_str_caseeq(&n, &name)) {
			*ret = v;
			return 1;
		}
	return 0;
}

/* --- {uri.*} --- */

enum uri_sub {
	U_USER,
	U_HOST,
	U_DOMAIN,
	U_PASSWD,
	U_PORT,
	U_PARAMS,
	U_PARAM,
	U_HEADERS,
	U_TRANSPORT,
	U_TTL,
	U_UPARAM,
	U_MADDR,
	U_METHOD,
	U_LR,
	U_R2,
	U_SCHEME,
};

static const char *const uri_subs[] = {
        "user",      "host", "domain", "passwd", "port",   "params", "param", "headers",
        "transport", "ttl",  "uparam", "maddr",  "method", "lr",     "r2",    "scheme",
};

static int uri_parse_tr(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                        const char **ret_err)
{
	struct ksr_str rest, name = pv_tr_subtype(spec, &rest);
	int sub = find_sub(uri_subs, NSUBS(uri_subs), name);
	struct pv_tr_arg *a;
	int r;

	if (sub < 0) {
		*ret_err = "unknown transformation {uri.*}";
		return -EINVAL;
	}
	tr->subtype = sub;
	if (sub != U_PARAM) {
		if (rest.s) {
			*ret_err = "this transformation takes no argument";
			return -EINVAL;
		}
		return 0;
	}
	a = ksr_arena_alloc(arena, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if ((r = pv_tr_next_arg(&rest, arena, a, ret_err)) < 0)
		return r == -ENOENT ? -EINVAL : r;
	if (rest.s || (!a->pv && a->s.len == 0)) {
		*ret_err = "{uri.param,name} takes one parameter name";
		return -EINVAL;
	}
	tr->data = a;
	return 0;
}

static int uri_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	struct ksr_str in, v = empty, name;
	struct ksr_uri u;
	int r;

	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	if (ksr_uri_parse(in, &u) < 0)
		return -EINVAL;
	switch ((enum uri_sub)tr->subtype) {
	case U_USER: v = u.user; break;
	case U_HOST:
	case U_DOMAIN: v = u.host; break;
	case U_PASSWD: v = u.passwd; break;
	case U_PORT: v = u.port_str; break;
	case U_PARAMS: v = u.params; break;
	case U_PARAM:
		if ((r = pv_tr_arg_str(msg, tr->data, &name)) < 0)
			return r;
		plist_find(u.params, ';', name, &v);
		break;
	case U_HEADERS: v = u.headers; break;
	case U_TRANSPORT: v = u.transport; break;
	case U_TTL: v = u.ttl; break;
	case U_UPARAM: v = u.user_param; break;
	case U_MADDR: v = u.maddr; break;
	case U_METHOD: v = u.method; break;
	case U_LR: plist_find(u.params, ';', KSR_STR_STATIC("lr"), &v); break;
	case U_R2: plist_find(u.params, ';', KSR_STR_STATIC("r2"), &v); break;
	case U_SCHEME: v = u.scheme_str; break;
	}
	return pv_ret_str(val, v.s ? v : empty);
}

/* --- {param.*} --- */

enum param_sub { P_VALUE, P_VALUEAT, P_NAME, P_COUNT, P_IN };

static const char *const param_subs[] = {"value", "valueat", "name", "count", "in"};

struct param_data {
	struct pv_tr_arg a; /* the name, or the index */
	char sep;
};

static int param_parse_tr(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                          const char **ret_err)
{
	struct ksr_str rest, name = pv_tr_subtype(spec, &rest);
	int sub = find_sub(param_subs, NSUBS(param_subs), name), r;
	struct param_data *d;

	if (sub < 0) {
		*ret_err = "unknown transformation {param.*}";
		return -EINVAL;
	}
	tr->subtype = sub;
	d = ksr_arena_alloc(arena, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->sep = ';';
	tr->data = d;
	if (sub != P_COUNT) {
		if ((r = pv_tr_next_arg(&rest, arena, &d->a, ret_err)) < 0)
			return r == -ENOENT ? -EINVAL : r;
		if ((sub == P_VALUEAT || sub == P_NAME) && !d->a.pv && !d->a.is_int) {
			*ret_err = "the index must be an integer";
			return -EINVAL;
		}
		if ((sub == P_VALUE || sub == P_IN) && !d->a.pv && d->a.s.len == 0) {
			*ret_err = "empty parameter name";
			return -EINVAL;
		}
	}
	if (rest.s) {
		/* the separator: one character, not ',' (it separates the arguments) */
		if (rest.len != 1 || rest.s[0] == ',') {
			*ret_err = "the separator must be one character other than ','";
			return -EINVAL;
		}
		d->sep = rest.s[0];
	}
	return 0;
}

static int param_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	const struct param_data *d = tr->data;
	struct ksr_str in, n, v, want;
	struct plist pl;
	long count = 0, idx;
	int r;

	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	pl = (struct plist){in, d->sep};
	switch ((enum param_sub)tr->subtype) {
	case P_VALUE:
	case P_IN:
		if ((r = pv_tr_arg_str(msg, &d->a, &want)) < 0)
			return r;
		r = plist_find(in, d->sep, want, &v);
		if (tr->subtype == P_IN)
			return pv_ret_int(val, r);
		return pv_ret_str(val, r ? v : empty);
	case P_COUNT:
		while (plist_next(&pl, &n, &v))
			count++;
		return pv_ret_int(val, count);
	case P_VALUEAT:
	case P_NAME:
		if ((r = pv_tr_arg_int(msg, &d->a, &idx)) < 0)
			return r;
		if (idx < 0) {
			struct plist c = pl;

			while (plist_next(&c, &n, &v))
				count++;
			idx += count;
			if (idx < 0)
				return pv_ret_str(val, empty);
		}
		while (plist_next(&pl, &n, &v))
			if (idx-- == 0)
				return pv_ret_str(val, tr->subtype == P_NAME ? n : v);
		return pv_ret_str(val, empty);
	}
	return -EINVAL;
}

/* --- {nameaddr.*} and {tobody.*} --- */

enum na_sub { NA_NAME, NA_URI, NA_LEN };

static const char *const na_subs[] = {"name", "uri", "len"};

enum tb_sub { TB_URI, TB_DISPLAY, TB_TAG, TB_USER, TB_HOST, TB_PARAMS };

static const char *const tb_subs[] = {"uri", "display", "tag", "user", "host", "params"};

static int na_parse_tr(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                       const char **ret_err)
{
	struct ksr_str rest, name = pv_tr_subtype(spec, &rest);
	bool tobody = tr->exp->name[0] == 't';
	int sub = tobody ? find_sub(tb_subs, NSUBS(tb_subs), name)
	                 : find_sub(na_subs, NSUBS(na_subs), name);

	if (sub < 0) {
		*ret_err = tobody ? "unknown transformation {tobody.*}"
		                  : "unknown transformation {nameaddr.*}";
		return -EINVAL;
	}
	if (rest.s) {
		*ret_err = "this transformation takes no argument";
		return -EINVAL;
	}
	tr->subtype = sub;
	return 0;
}

/*
 * A name-addr as upstream reads it: the name is the raw text before '<' (spaces kept), the
 * length runs to '>'; an addr-spec has no name and ends at ';' or a space.
 */
static int nameaddr_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	struct ksr_str in, name = empty, uri;
	const char *p, *end, *lt = NULL, *gt;
	int r;

	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	p = in.s;
	end = ksr_str_end(in);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (const char *q = p; q < end && !lt; q++) {
		if (*q == '"') {
			for (q++; q < end && *q != '"'; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			if (q >= end)
				return -EINVAL;
		} else if (*q == '<') {
			lt = q;
		}
	}
	if (lt) {
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (!gt)
			return -EINVAL;
		name = ksr_str_make((char *)p, (size_t)(lt - p));
		uri = ksr_str_make((char *)lt + 1, (size_t)(gt - lt - 1));
		end = gt + 1;
	} else {
		const char *q = p;

		while (q < end && *q != ';' && *q != ' ' && *q != '\t')
			q++;
		uri = ksr_str_make((char *)p, (size_t)(q - p));
		end = q;
	}
	if (uri.len == 0)
		return -EINVAL;
	switch ((enum na_sub)tr->subtype) {
	case NA_NAME: return pv_ret_str(val, name);
	case NA_URI: return pv_ret_str(val, uri);
	case NA_LEN: return pv_ret_int(val, (long)(end - p));
	}
	return -EINVAL;
}

static int tobody_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	struct ksr_nameaddr na;
	struct ksr_str in, v = empty;
	struct ksr_uri u;
	int r;

	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	if (ksr_parse_nameaddr(in, &na) < 0)
		return -EINVAL;
	switch ((enum tb_sub)tr->subtype) {
	case TB_URI: v = na.uri; break;
	case TB_DISPLAY: v = na.display; break;
	case TB_TAG:
		if (na.has_tag)
			v = na.tag;
		break;
	case TB_USER:
	case TB_HOST:
		if (ksr_uri_parse(na.uri, &u) < 0)
			return -EINVAL;
		v = tr->subtype == TB_USER ? u.user : u.host;
		break;
	case TB_PARAMS:
		v = na.params;
		while (v.len && (v.s[0] == ';' || v.s[0] == ' ' || v.s[0] == '\t')) {
			v.s++;
			v.len--;
		}
		break;
	}
	return pv_ret_str(val, v.s ? v : empty);
}

/* --- {line.*} --- */

enum line_sub { L_COUNT, L_AT, L_SW };

static const char *const line_subs[] = {"count", "at", "sw"};

static int line_parse_tr(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                         const char **ret_err)
{
	struct ksr_str rest, name = pv_tr_subtype(spec, &rest);
	int sub = find_sub(line_subs, NSUBS(line_subs), name), r;
	struct pv_tr_arg *a;

	if (sub < 0) {
		*ret_err = "unknown transformation {line.*}";
		return -EINVAL;
	}
	tr->subtype = sub;
	if (sub == L_COUNT) {
		if (rest.s) {
			*ret_err = "{line.count} takes no argument";
			return -EINVAL;
		}
		return 0;
	}
	a = ksr_arena_alloc(arena, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if ((r = pv_tr_next_arg(&rest, arena, a, ret_err)) < 0)
		return r == -ENOENT ? -EINVAL : r;
	if (rest.s || (sub == L_AT && !a->pv && !a->is_int)) {
		*ret_err = sub == L_AT ? "{line.at,n} takes one integer"
		                       : "{line.sw,prefix} takes one text";
		return -EINVAL;
	}
	tr->data = a;
	return 0;
}

/* The next line of *rest without its CR LF; a final line end does not start a new line. */
static bool line_next(struct ksr_str *rest, struct ksr_str *ret)
{
	const char *nl;

	if (rest->len == 0)
		return false;
	nl = memchr(rest->s, '\n', rest->len);
	*ret = ksr_str_make(rest->s, nl ? (size_t)(nl - rest->s) : rest->len);
	*rest = nl ? ksr_str_make((char *)nl + 1, rest->len - ret->len - 1)
	           : ksr_str_make(rest->s + rest->len, 0);
	if (ret->len && ret->s[ret->len - 1] == '\r')
		ret->len--;
	return true;
}

static int line_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	struct ksr_str in, rest, l, arg;
	long count = 0, idx;
	int r;

	if ((r = pv_tr_input_str(msg, val, &in)) < 0)
		return r;
	rest = in;
	switch ((enum line_sub)tr->subtype) {
	case L_COUNT:
		while (line_next(&rest, &l))
			count++;
		return pv_ret_int(val, count);
	case L_AT:
		if ((r = pv_tr_arg_int(msg, tr->data, &idx)) < 0)
			return r;
		if (idx < 0) {
			struct ksr_str c = in;

			while (line_next(&c, &l))
				count++;
			idx += count;
		}
		while (idx >= 0 && line_next(&rest, &l))
			if (idx-- == 0)
				return pv_ret_str(val, l);
		return pv_ret_str(val, empty);
	case L_SW:
		if ((r = pv_tr_arg_str(msg, tr->data, &arg)) < 0)
			return r;
		while (line_next(&rest, &l))
			if (l.len >= arg.len && memcmp(l.s, arg.s, arg.len) == 0)
				return pv_ret_str(val, l);
		return pv_ret_str(val, empty);
	}
	return -EINVAL;
}

const struct ksr_tr_export pv_tr_sip[] = {
        {.name = "uri", .parse = uri_parse_tr, .apply = uri_apply},
        {.name = "param", .parse = param_parse_tr, .apply = param_apply},
        {.name = "nameaddr", .parse = na_parse_tr, .apply = nameaddr_apply},
        {.name = "tobody", .parse = na_parse_tr, .apply = tobody_apply},
        {.name = "line", .parse = line_parse_tr, .apply = line_apply},
        {.name = NULL},
};
