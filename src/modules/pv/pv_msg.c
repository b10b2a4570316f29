/*
 * Pseudo-variables of the SIP message: Request-URI ($ru and its parts, writable), From/To,
 * Call-ID, CSeq, method, status, well-known headers, $hdr(name), $hdrc(name), $msg(attr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

int pv_ret_null(struct ksr_val *ret)
{
	ret->type = KSR_VAL_NULL;
	return 0;
}

int pv_ret_int(struct ksr_val *ret, long i)
{
	ret->type = KSR_VAL_INT;
	ret->i = i;
	return 0;
}

int pv_ret_str(struct ksr_val *ret, struct ksr_str s)
{
	ret->type = KSR_VAL_STR;
	ret->s = s;
	return 0;
}

int pv_ret_strdup(struct ksr_msg *msg, struct ksr_val *ret, const char *s, size_t len)
{
	char *c = ksr_arena_alloc(msg->arena, len + 1);

	if (!c)
		return -ENOMEM;
	if (len)
		memcpy(c, s, len);
	return pv_ret_str(ret, ksr_str_make(c, len));
}

/* NULL for an empty part: upstream's "not there" for URI users, display names, tags. */
static int ret_str_or_null(struct ksr_val *ret, struct ksr_str s)
{
	return s.len ? pv_ret_str(ret, s) : pv_ret_null(ret);
}

/* --- Request-URI --- */

enum uri_part {
	URI_ALL,
	URI_USER,
	URI_HOST,
	URI_PORT,
	URI_SCHEME,
};

static int ruri_get(struct ksr_msg *msg, long code, struct ksr_val *ret)
{
	struct ksr_str cur;
	struct ksr_uri *pu, u;

	if (msg->type != KSR_MSG_REQUEST)
		return pv_ret_null(ret);
	cur = ksr_msg_cur_ruri(msg);
	if (code == URI_ALL)
		return pv_ret_str(ret, cur);
	/* parsed once per message and Request-URI: $rU, $rd, $rp often come together */
	if (ksr_msg_cur_ruri_parsed(msg, &pu) < 0)
		return -EINVAL;
	u = *pu;
	switch (code) {
	case URI_USER: return ret_str_or_null(ret, u.user);
	case URI_HOST: return ret_str_or_null(ret, u.host);
	case URI_PORT:
		/* upstream gives 5060 for a URI without port, whatever its scheme */
		return pv_ret_int(ret, u.port_str.len ? u.port : 5060);
	case URI_SCHEME: {
		char low[16];
		size_t n = u.scheme_str.len < sizeof(low) ? u.scheme_str.len : sizeof(low) - 1;

		for (size_t i = 0; i < n; i++)
			low[i] = (char)(u.scheme_str.s[i] | 0x20);
		return pv_ret_strdup(msg, ret, low, n);
	}
	}
	return -EINVAL;
}

/* The current Request-URI with [start, end) replaced by a + b. */
static int ruri_splice(struct ksr_msg *msg, struct ksr_str cur, const char *start, const char *end,
                       struct ksr_str a, struct ksr_str b)
{
	size_t pre = (size_t)(start - cur.s), post = cur.len - (size_t)(end - cur.s);
	size_t n = pre + a.len + b.len + post;
	char *c = ksr_arena_alloc(msg->arena, n + 1), *o = c;

	if (!c)
		return -ENOMEM;
	memcpy(o, cur.s, pre);
	o += pre;
	if (a.len)
		memcpy(o, a.s, a.len);
	o += a.len;
	if (b.len)
		memcpy(o, b.s, b.len);
	o += b.len;
	memcpy(o, end, post);
	return ksr_msg_set_ruri(msg, ksr_str_make(c, n));
}

static int port_value(struct ksr_msg *msg, const struct ksr_val *val, struct ksr_str *ret)
{
	long p;

	if (ksr_val_to_int(val, &p) < 0 || p < 1 || p > 65535)
		return -EINVAL;
	return ksr_val_to_str(msg, &(struct ksr_val){.type = KSR_VAL_INT, .i = p}, ret);
}

static int ruri_set(struct ksr_msg *msg, long code, const struct ksr_val *val)
{
	bool null = val->type == KSR_VAL_NULL;
	struct ksr_str cur, v = KSR_STR_NULL;
	struct ksr_uri u;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	if (!null && code != URI_PORT && (r = ksr_val_to_str(msg, val, &v)) < 0)
		return r;
	if (code == URI_ALL) {
		/* the Request-URI can be changed, not removed */
		if (null || ksr_uri_parse(v, &u) < 0)
			return -EINVAL;
		return ksr_msg_set_ruri(msg, v);
	}
	cur = ksr_msg_cur_ruri(msg);
	if (ksr_uri_parse(cur, &u) < 0)
		return -EINVAL;
	switch (code) {
	case URI_USER:
		/* a new user keeps the password; no user removes "user[:password]@" */
		if (u.user.len) {
			if (null || v.len == 0) /* no user: "user[:pw]@" goes */
				return u.host.len ? ruri_splice(msg, cur, u.user.s, u.host.s,
				                                KSR_STR_NULL, KSR_STR_NULL)
				                  : -EINVAL;
			return ruri_splice(msg, cur, u.user.s, ksr_str_end(u.user), v,
			                   KSR_STR_NULL);
		}
		if (null || v.len == 0)
			return 0;
		if (!u.host.len)
			return -EINVAL;
		return ruri_splice(msg, cur, u.host.s, u.host.s, v, KSR_STR_STATIC("@"));
	case URI_HOST:
		if (null || v.len == 0 || !u.host.len)
			return -EINVAL;
		return ruri_splice(msg, cur, u.host.s, ksr_str_end(u.host), v, KSR_STR_NULL);
	case URI_PORT:
		if (!u.host.len)
			return -EINVAL;
		if (null) {
			if (!u.port_str.len)
				return 0;
			return ruri_splice(msg, cur, u.port_str.s - 1,
			                   ksr_str_end(u.port_str), KSR_STR_NULL,
			                   KSR_STR_NULL);
		}
		if ((r = port_value(msg, val, &v)) < 0)
			return r;
		if (u.port_str.len)
			return ruri_splice(msg, cur, u.port_str.s, ksr_str_end(u.port_str), v,
			                   KSR_STR_NULL);
		return ruri_splice(msg, cur, ksr_str_end(u.host), ksr_str_end(u.host),
		                   KSR_STR_STATIC(":"), v);
	}
	return -EINVAL;
}

/* $ou, $oU: the Request-URI as received. */
static int ouri_get(struct ksr_msg *msg, long code, struct ksr_val *ret)
{
	struct ksr_uri *u;

	if (msg->type != KSR_MSG_REQUEST)
		return pv_ret_null(ret);
	if (code == URI_ALL)
		return pv_ret_str(ret, msg->first.req.uri);
	if (ksr_msg_ruri(msg, &u) < 0)
		return -EINVAL;
	return ret_str_or_null(ret, u->user);
}

static int duri_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return ret_str_or_null(ret, msg->dst_uri);
}

static int duri_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	struct ksr_str v;
	struct ksr_uri u;
	char *c;
	int r;

	if (val->type == KSR_VAL_NULL) {
		msg->dst_uri = KSR_STR_NULL;
		return 0;
	}
	if ((r = ksr_val_to_str(msg, val, &v)) < 0)
		return r;
	if (v.len == 0) {
		msg->dst_uri = KSR_STR_NULL;
		return 0;
	}
	if (ksr_uri_parse(v, &u) < 0)
		return -EINVAL;
	c = ksr_arena_alloc(msg->arena, v.len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, v.s, v.len);
	msg->dst_uri = ksr_str_make(c, v.len);
	/* a new next hop: t_relay() in failure_route forwards the Request-URI there */
	msg->ruri_consumed = false;
	return 0;
}

/* --- From / To --- */

enum addr_part {
	ADDR_URI,
	ADDR_USER,
	ADDR_HOST,
	ADDR_DISPLAY,
	ADDR_TAG,
	ADDR_TO = 0x100, /* or'ed: To instead of From */
};

static int addr_get(struct ksr_msg *msg, long code, struct ksr_val *ret)
{
	struct ksr_nameaddr *na;
	struct ksr_uri *pu;
	int r = (code & ADDR_TO) ? ksr_msg_to(msg, &na) : ksr_msg_from(msg, &na);

	if (r == -ENOENT)
		return pv_ret_null(ret);
	if (r < 0)
		return r;
	switch (code & ~ADDR_TO) {
	case ADDR_URI: return pv_ret_str(ret, na->uri);
	case ADDR_DISPLAY: return ret_str_or_null(ret, na->display);
	case ADDR_TAG: return na->has_tag ? pv_ret_str(ret, na->tag) : pv_ret_null(ret);
	}
	if (ksr_nameaddr_uri(msg, na, &pu) < 0)
		return -EINVAL;
	return ret_str_or_null(ret, (code & ~ADDR_TO) == ADDR_USER ? pu->user : pu->host);
}

/* --- other fields --- */

static struct ksr_hdr *first_named(struct ksr_msg *msg, const char *name)
{
	struct ksr_str n = ksr_str_make((char *)name, strlen(name));

	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		if (ksr_str_caseeq(&h->name, &n))
			return h;
	return NULL;
}

/* The first value of a comma-separated list (commas in quotes or <> do not count). */
static struct ksr_str first_value(struct ksr_str body)
{
	bool quoted = false, angle = false;

	for (size_t i = 0; i < body.len; i++) {
		char c = body.s[i];

		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '<') {
			angle = true;
		} else if (c == '>') {
			angle = false;
		} else if (c == ',' && !angle) {
			struct ksr_str v = ksr_str_make(body.s, i);

			ksr_str_trim(&v);
			return v;
		}
	}
	return body;
}

enum field {
	F_CALLID,
	F_CSEQ,
	F_METHOD,
	F_MSGTYPE,
	F_MSGLEN,
	F_MSGBUF,
	F_STATUS,
	F_REASON,
	F_UA,
	F_CONTACT,
	F_PAI,
	F_PPI,
	F_BODY,
	F_CLEN,
	F_CTYPE,
};

/* The URI of the first value of an identity header (P-Asserted/Preferred-Identity). */
static int identity_uri(struct ksr_msg *msg, enum ksr_hdr_type type, const char *name,
                        struct ksr_val *ret)
{
	struct ksr_hdr *h = ksr_msg_hdr_first(msg, type);
	struct ksr_nameaddr na;

	if (!h)
		h = first_named(msg, name);
	if (!h)
		return pv_ret_null(ret);
	if (ksr_parse_nameaddr(first_value(h->body), &na) < 0)
		return -EINVAL;
	return pv_ret_str(ret, na.uri);
}

static int field_get(struct ksr_msg *msg, long code, struct ksr_val *ret)
{
	struct ksr_cseq *cs;
	struct ksr_hdr *h;
	int r;

	switch (code) {
	case F_CALLID:
		return msg->h_callid ? pv_ret_str(ret, msg->h_callid->body) : pv_ret_null(ret);
	case F_CSEQ:
		if ((r = ksr_msg_cseq(msg, &cs)) < 0)
			return r == -ENOENT ? pv_ret_null(ret) : r;
		return pv_ret_int(ret, (long)cs->number);
	case F_METHOD:
		if (msg->type == KSR_MSG_REQUEST)
			return pv_ret_str(ret, msg->first.req.method);
		if ((r = ksr_msg_cseq(msg, &cs)) < 0)
			return r == -ENOENT ? pv_ret_null(ret) : r;
		return pv_ret_str(ret, cs->method);
	case F_MSGTYPE: return pv_ret_int(ret, msg->type == KSR_MSG_REQUEST ? 1 : 2);
	case F_MSGLEN: return pv_ret_int(ret, (long)msg->len);
	case F_MSGBUF: return pv_ret_str(ret, ksr_str_make(msg->buf, msg->len));
	case F_STATUS:
		if (msg->type != KSR_MSG_REPLY)
			return pv_ret_null(ret);
		return pv_ret_int(ret, (long)msg->first.rpl.code);
	case F_REASON:
		if (msg->type != KSR_MSG_REPLY)
			return pv_ret_null(ret);
		return pv_ret_str(ret, msg->first.rpl.reason);
	case F_UA:
		h = ksr_msg_hdr_first(msg, KSR_HDR_USERAGENT);
		return h ? pv_ret_str(ret, h->body) : pv_ret_null(ret);
	case F_CONTACT:
		h = msg->h_contact ? msg->h_contact : ksr_msg_hdr_first(msg, KSR_HDR_CONTACT);
		return h ? pv_ret_str(ret, h->body) : pv_ret_null(ret);
	case F_PAI: return identity_uri(msg, KSR_HDR_PAI, "P-Asserted-Identity", ret);
	case F_PPI: return identity_uri(msg, KSR_HDR_PPI, "P-Preferred-Identity", ret);
	case F_BODY: return pv_ret_str(ret, msg->body.s ? msg->body : ksr_str_make((char *)"", 0));
	case F_CLEN: {
		struct ksr_val v;
		long n;

		h = msg->h_clen ? msg->h_clen : ksr_msg_hdr_first(msg, KSR_HDR_CONTENTLENGTH);
		if (!h)
			return pv_ret_null(ret);
		v.type = KSR_VAL_STR;
		v.s = h->body;
		if (ksr_val_to_int(&v, &n) < 0 || n < 0)
			return -EINVAL;
		return pv_ret_int(ret, n);
	}
	case F_CTYPE:
		h = ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE);
		return h ? pv_ret_str(ret, h->body) : pv_ret_null(ret);
	}
	return -EINVAL;
}

/* --- $hdr(name), $hdrc(name) --- */

/* What a header must match: a known type (compact forms included), or else a name. */
struct hdr_key {
	enum ksr_hdr_type type;
	struct ksr_str name;
};

static bool valid_hdr_name(struct ksr_str n)
{
	if (n.len == 0)
		return false;
	for (size_t i = 0; i < n.len; i++) {
		unsigned char c = (unsigned char)n.s[i];

		if (c <= ' ' || c == ':' || c >= 0x7f)
			return false;
	}
	return true;
}

/* "$hdr(From)", or "$hdr($var(name))" with the name evaluated at each use. */
static int hdr_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	if (spec->name.s[0] == '$') {
		struct ksr_pv_spec *inner;
		size_t used;
		int r = ksr_pv_parse(spec->name, arena, &inner, &used, ret_err);

		if (r < 0)
			return r;
		if (used != spec->name.len) {
			*ret_err = "bad header name: text after the pseudo-variable";
			return -EINVAL;
		}
		spec->pname = inner;
		return 0;
	}
	if (!valid_hdr_name(spec->name)) {
		*ret_err = "bad header name";
		return -EINVAL;
	}
	spec->pname_i = ksr_hdr_type_of(spec->name);
	return 0;
}

static int hdr_key(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct hdr_key *ret)
{
	struct ksr_val v;
	int r;

	if (!spec->pname) {
		ret->type = (enum ksr_hdr_type)spec->pname_i;
		ret->name = spec->name;
		return 0;
	}
	if ((r = ksr_pv_get(msg, spec->pname, &v)) < 0)
		return r;
	if (v.type != KSR_VAL_STR || !valid_hdr_name(v.s))
		return -EINVAL;
	ret->type = ksr_hdr_type_of(v.s);
	ret->name = v.s;
	return 0;
}

static bool hdr_match(const struct hdr_key *k, const struct ksr_hdr *h)
{
	if (k->type != KSR_HDR_OTHER)
		return h->type == k->type;
	return ksr_str_caseeq(&h->name, &k->name);
}

static long hdr_count(struct ksr_msg *msg, const struct hdr_key *k)
{
	long n = 0;

	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		if (hdr_match(k, h))
			n++;
	return n;
}

/* [*]: the bodies of every line, ','-separated (ref). */
static int hdr_join(struct ksr_msg *msg, const struct hdr_key *k, struct ksr_val *ret)
{
	size_t total = 0;
	struct ksr_hdr *h;
	char *c, *o;

	for (h = msg->headers; h; h = h->next)
		if (hdr_match(k, h))
			total += h->body.len + 1;
	if (total == 0)
		return pv_ret_null(ret);
	c = o = ksr_arena_alloc(msg->arena, total);
	if (!c)
		return -ENOMEM;
	for (h = msg->headers; h; h = h->next)
		if (hdr_match(k, h)) {
			if (o != c)
				*o++ = ',';
			memcpy(o, h->body.s, h->body.len);
			o += h->body.len;
		}
	return pv_ret_str(ret, ksr_str_make(c, (size_t)(o - c)));
}

/* Indexes count header lines (not comma-separated values), as upstream. */
static int hdr_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	long idx = spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0;
	struct hdr_key k;
	int r;

	if ((r = hdr_key(msg, spec, &k)) < 0)
		return r;
	if (spec->idx_type == KSR_PV_IDX_ALL)
		return hdr_join(msg, &k, ret);
	if (idx < 0) {
		idx += hdr_count(msg, &k);
		if (idx < 0)
			return pv_ret_null(ret);
	}
	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		if (hdr_match(&k, h) && idx-- == 0)
			return pv_ret_str(ret, h->body);
	return pv_ret_null(ret);
}

static int hdrc_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct hdr_key k;
	int r = hdr_key(msg, spec, &k);

	return r < 0 ? r : pv_ret_int(ret, hdr_count(msg, &k));
}

/* --- $msg(attr) --- */

enum msg_attr {
	M_LEN,
	M_BUF,
	M_BODY,
	M_BODY_LEN,
	M_HDRS,
	M_HDRS_LEN,
	M_FLINE,
	M_FPART,
	M_LPART,
};

static const char *const msg_attrs[] = {
        [M_LEN] = "len",           [M_BUF] = "buf",     [M_BODY] = "body",
        [M_BODY_LEN] = "body_len", [M_HDRS] = "hdrs",   [M_HDRS_LEN] = "hdrs_len",
        [M_FLINE] = "fline",       [M_FPART] = "fpart", [M_LPART] = "lpart",
};

static int msg_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	for (size_t i = 0; i < sizeof(msg_attrs) / sizeof(msg_attrs[0]); i++)
		if (ksr_str_caseeq_cstr(&spec->name, msg_attrs[i])) {
			spec->pname_i = (long)i;
			return 0;
		}
	*ret_err = "unknown $msg() attribute (len, buf, body, body_len, hdrs, hdrs_len, fline, "
	           "fpart, lpart)";
	return -EINVAL;
}

/* Where the headers start (after the first line's CRLF) and end (before the empty line). */
static void msg_bounds(struct ksr_msg *msg, const char **ret_hstart, const char **ret_hend,
                       const char **ret_fline_end)
{
	const char *end = msg->buf + msg->len;
	const char *nl = memchr(msg->buf, '\n', msg->len);
	const char *fe = nl ? nl : end, *hs = nl ? nl + 1 : end, *he;

	if (fe > msg->buf && fe[-1] == '\r' && nl)
		fe--;
	if (msg->body.s && msg->body.s >= hs && msg->body.s <= end)
		he = msg->body.s;
	else
		he = end;
	/* drop the empty line and the last header's line end */
	for (int i = 0; i < 2 && he > hs && he[-1] == '\n'; i++) {
		he--;
		if (he > hs && he[-1] == '\r')
			he--;
	}
	*ret_hstart = hs;
	*ret_hend = he < hs ? hs : he;
	*ret_fline_end = fe;
}

static int msg_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const char *hs, *he, *fe;

	msg_bounds(msg, &hs, &he, &fe);
	switch (spec->pname_i) {
	case M_LEN: return pv_ret_int(ret, (long)msg->len);
	case M_BUF: return pv_ret_str(ret, ksr_str_make(msg->buf, msg->len));
	case M_BODY: return pv_ret_str(ret, msg->body.s ? msg->body : ksr_str_make((char *)"", 0));
	case M_BODY_LEN: return pv_ret_int(ret, (long)msg->body.len);
	case M_HDRS: return pv_ret_str(ret, ksr_str_make((char *)hs, (size_t)(he - hs)));
	case M_HDRS_LEN: return pv_ret_int(ret, (long)(he - hs));
	case M_FLINE: return pv_ret_str(ret, ksr_str_make(msg->buf, (size_t)(fe - msg->buf)));
	case M_FPART: return pv_ret_str(ret, ksr_str_make(msg->buf, (size_t)(he - msg->buf)));
	case M_LPART:
		return pv_ret_str(ret,
		                  ksr_str_make((char *)hs, msg->len - (size_t)(hs - msg->buf)));
	}
	return -EINVAL;
}

/* One getter (setter) per name: the exports carry no argument, the code is built in. */
#define FIXED(fn, code)                                                                            \
	static int fn##_##code(struct ksr_msg *msg, const struct ksr_pv_spec *spec,                \
	                       struct ksr_val *ret)                                                \
	{                                                                                          \
		return fn(msg, code, ret);                                                         \
	}
#define FIXED_SET(fn, code)                                                                        \
	static int fn##_##code(struct ksr_msg *msg, const struct ksr_pv_spec *spec,                \
	                       const struct ksr_val *val)                                          \
	{                                                                                          \
		return fn(msg, code, val);                                                         \
	}

FIXED(ruri_get, URI_ALL)
FIXED(ruri_get, URI_USER)
FIXED(ruri_get, URI_HOST)
FIXED(ruri_get, URI_PORT)
FIXED(ruri_get, URI_SCHEME)
FIXED_SET(ruri_set, URI_ALL)
FIXED_SET(ruri_set, URI_USER)
FIXED_SET(ruri_set, URI_HOST)
FIXED_SET(ruri_set, URI_PORT)
FIXED(ouri_get, URI_ALL)
FIXED(ouri_get, URI_USER)
#define ADDR_TO_URI (ADDR_TO | ADDR_URI)
#define ADDR_TO_USER (ADDR_TO | ADDR_USER)
#define ADDR_TO_HOST (ADDR_TO | ADDR_HOST)
#define ADDR_TO_DISPLAY (ADDR_TO | ADDR_DISPLAY)
#define ADDR_TO_TAG (ADDR_TO | ADDR_TAG)
FIXED(addr_get, ADDR_URI)
FIXED(addr_get, ADDR_USER)
FIXED(addr_get, ADDR_HOST)
FIXED(addr_get, ADDR_DISPLAY)
FIXED(addr_get, ADDR_TAG)
FIXED(addr_get, ADDR_TO_URI)
FIXED(addr_get, ADDR_TO_USER)
FIXED(addr_get, ADDR_TO_HOST)
FIXED(addr_get, ADDR_TO_DISPLAY)
FIXED(addr_get, ADDR_TO_TAG)
FIXED(field_get, F_CALLID)
FIXED(field_get, F_CSEQ)
FIXED(field_get, F_METHOD)
FIXED(field_get, F_MSGTYPE)
FIXED(field_get, F_MSGLEN)
FIXED(field_get, F_MSGBUF)
FIXED(field_get, F_STATUS)
FIXED(field_get, F_REASON)
FIXED(field_get, F_UA)
FIXED(field_get, F_CONTACT)
FIXED(field_get, F_PAI)
FIXED(field_get, F_PPI)
FIXED(field_get, F_BODY)
FIXED(field_get, F_CLEN)
FIXED(field_get, F_CTYPE)

const struct ksr_pv_export pv_msg_pvs[] = {
        {.name = "ru", .get = ruri_get_URI_ALL, .set = ruri_set_URI_ALL},
        {.name = "rU", .get = ruri_get_URI_USER, .set = ruri_set_URI_USER},
        {.name = "rd", .get = ruri_get_URI_HOST, .set = ruri_set_URI_HOST},
        {.name = "rp", .get = ruri_get_URI_PORT, .set = ruri_set_URI_PORT},
        {.name = "rz", .get = ruri_get_URI_SCHEME},
        {.name = "ou", .get = ouri_get_URI_ALL},
        {.name = "oU", .get = ouri_get_URI_USER},
        {.name = "du", .get = duri_get, .set = duri_set},
        {.name = "fu", .get = addr_get_ADDR_URI},
        {.name = "fU", .get = addr_get_ADDR_USER},
        {.name = "fd", .get = addr_get_ADDR_HOST},
        {.name = "fn", .get = addr_get_ADDR_DISPLAY},
        {.name = "ft", .get = addr_get_ADDR_TAG},
        {.name = "tu", .get = addr_get_ADDR_TO_URI},
        {.name = "tU", .get = addr_get_ADDR_TO_USER},
        {.name = "td", .get = addr_get_ADDR_TO_HOST},
        {.name = "tn", .get = addr_get_ADDR_TO_DISPLAY},
        {.name = "tt", .get = addr_get_ADDR_TO_TAG},
        {.name = "ci", .get = field_get_F_CALLID},
        {.name = "cs", .get = field_get_F_CSEQ},
        {.name = "rm", .get = field_get_F_METHOD},
        {.name = "mt", .get = field_get_F_MSGTYPE},
        {.name = "ml", .get = field_get_F_MSGLEN},
        {.name = "mb", .get = field_get_F_MSGBUF},
        {.name = "rs", .get = field_get_F_STATUS},
        {.name = "rr", .get = field_get_F_REASON},
        {.name = "ua", .get = field_get_F_UA},
        {.name = "ct", .get = field_get_F_CONTACT},
        {.name = "ai", .get = field_get_F_PAI},
        {.name = "pu", .get = field_get_F_PPI},
        {.name = "rb", .get = field_get_F_BODY},
        {.name = "cl", .get = field_get_F_CLEN},
        {.name = "cT", .get = field_get_F_CTYPE},
        {.name = "hdr",
         .get = hdr_get,
         .parse_name = hdr_parse_name,
         .flags = KSR_PV_NAME_REQUIRED | KSR_PV_INDEXED},
        {.name = "hdrc",
         .get = hdrc_get,
         .parse_name = hdr_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "msg",
         .get = msg_get,
         .parse_name = msg_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = NULL},
};
