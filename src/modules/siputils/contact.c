/*
 * Contact URIs rewritten for NAT traversal: the field encoding of encode_contact /
 * decode_contact, and the Base64URL parameter of contact_param_encode / _decode.
 *
 * Every Contact value of every Contact line is handled. A function computes all the new
 * URIs first and records the edits only when each one succeeded, so a failure leaves the
 * message as it was.
 */
#include <errno.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "siputils.h"

/* --- Base64URL (RFC 4648 5) --- */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int siputils_b64url_encode(struct ksr_str in, struct ksr_arena *arena, struct ksr_str *ret)
{
	const unsigned char *s = (const unsigned char *)in.s;
	char *out = ksr_arena_alloc(arena, (in.len + 2) / 3 * 4 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return -ENOMEM;
	for (; i + 3 <= in.len; i += 3) {
		unsigned long v =
		        (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 | s[i + 2];

		*o++ = b64url[v >> 18 & 63];
		*o++ = b64url[v >> 12 & 63];
		*o++ = b64url[v >> 6 & 63];
		*o++ = b64url[v & 63];
	}
	if (in.len - i == 1) {
		*o++ = b64url[s[i] >> 2];
		*o++ = b64url[(s[i] & 3) << 4];
	} else if (in.len - i == 2) {
		*o++ = b64url[s[i] >> 2];
		*o++ = b64url[(s[i] & 3) << 4 | s[i + 1] >> 4];
		*o++ = b64url[(s[i + 1] & 15) << 2];
	}
	*ret = ksr_str_make(out, (size_t)(o - out));
	return 0;
}

static int b64url_val(char c)
{
	const char *p = c ? strchr(b64url, c) : NULL;

	return p ? (int)(p - b64url) : -1;
}

int siputils_b64url_decode(struct ksr_str in, struct ksr_arena *arena, struct ksr_str *ret)
{
	unsigned long acc = 0;
	unsigned int bits = 0;
	size_t n = in.len;
	char *out, *o;

	while (n && in.s[n - 1] == '=') /* padding is optional */
		n--;
	if (n % 4 == 1 || in.len - n > 2)
		return -EINVAL;
	out = o = ksr_arena_alloc(arena, n * 3 / 4 + 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_val(in.s[i]);

		if (v < 0)
			return -EINVAL;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)(acc >> bits & 0xff);
		}
	}
	*ret = ksr_str_make(out, (size_t)(o - out));
	return 0;
}

/* --- rewriting every Contact URI --- */

/*
 * Compute the new URI of one contact: 1 with *ret_uri, 0 to leave it, -1 to fail the
 * whole call (the reason is logged by the callback).
 */
typedef int (*contact_fn)(struct ksr_msg *msg, const struct ksr_contact *c, const void *arg,
                          struct ksr_str *ret_uri);

struct change {
	const struct ksr_contact *c;
	struct ksr_str uri;
};

/* A URI that is not in <> takes them when it gets parameters, headers or a comma. */
static int replacement(struct ksr_msg *msg, const struct ksr_contact *c, struct ksr_str uri,
                       struct ksr_str *ret)
{
	bool angle = c->uri.s > c->value.s && c->uri.s[-1] == '<';
	char *t;

	if (angle || (!memchr(uri.s, ';', uri.len) && !memchr(uri.s, '?', uri.len) &&
	              !memchr(uri.s, ',', uri.len))) {
		*ret = uri;
		return 0;
	}
	t = ksr_arena_alloc(msg->arena, uri.len + 2);
	if (!t)
		return -ENOMEM;
	t[0] = '<';
	memcpy(t + 1, uri.s, uri.len);
	t[uri.len + 1] = '>';
	*ret = ksr_str_make(t, uri.len + 2);
	return 0;
}

static int rewrite_contacts(struct ksr_msg *msg, contact_fn fn, const void *arg, const char *what)
{
	struct ksr_contacts *cs;
	struct change *ch;
	size_t n = 0, nch = 0;
	int r;

	r = ksr_msg_contacts(msg, &cs);
	if (r < 0) {
		LM_DBG("%s: %s Contact\n", what, r == -ENOENT ? "no" : "a malformed");
		return -1;
	}
	if (cs->star) {
		LM_DBG("%s: a star Contact has no URI\n", what);
		return -1;
	}
	for (const struct ksr_contact *c = cs->first; c; c = c->next)
		n++;
	ch = ksr_arena_alloc(msg->arena, (n ? n : 1) * sizeof(*ch));
	if (!ch)
		return -1;
	for (const struct ksr_contact *c = cs->first; c; c = c->next) {
		struct ksr_str uri;

		r = fn(msg, c, arg, &uri);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (replacement(msg, c, uri, &uri) < 0)
			return -1;
		ch[nch++] = (struct change){c, uri};
	}
	for (size_t i = 0; i < nch; i++) {
		r = ksr_msg_replace_range(msg, ch[i].c->uri.s, ch[i].c->uri.len, ch[i].uri);
		if (r < 0) {
			LM_ERR("%s: cannot change Contact '%.*s': %s\n", what,
			       KSR_STR_FMT(ch[i].c->uri), strerror(-r));
			return -1;
		}
	}
	return 1;
}

/* Parse a contact's URI; sip and sips only when sip_only. */
static int contact_uri(const struct ksr_contact *c, bool sip_only, const char *what,
                       struct ksr_uri *u)
{
	if (ksr_uri_parse(c->uri, u) < 0) {
		LM_ERR("%s: Contact URI does not parse: '%.*s'\n", what, KSR_STR_FMT(c->uri));
		return -1;
	}
	if (sip_only && u->scheme != KSR_URI_SIP && u->scheme != KSR_URI_SIPS) {
		LM_ERR("%s: not a SIP URI: '%.*s'\n", what, KSR_STR_FMT(c->uri));
		return -1;
	}
	return 0;
}

/* --- encode_contact, decode_contact, decode_contact_header --- */

static char separator(void)
{
	return siputils_contact_sep && siputils_contact_sep[0] ? siputils_contact_sep[0] : '*';
}

struct encode_arg {
	struct ksr_str prefix, host;
};

static bool has_char(struct ksr_str s, char c)
{
	return s.len && memchr(s.s, c, s.len);
}

/* sip:user:pass@host:port;transport=t -> sip:PREFIX*user*pass*host*port*t@HOST */
static int encode_one(struct ksr_msg *msg, const struct ksr_contact *c, const void *varg,
                      struct ksr_str *ret_uri)
{
	const struct encode_arg *arg = varg;
	char sep = separator();
	struct ksr_str fields[6];
	struct ksr_uri u, check;
	size_t len;
	char *buf, *o;

	if (contact_uri(c, true, "encode_contact", &u) < 0)
		return -1;
	/* the fields land in the user part, where an IPv6 reference cannot go */
	if (u.host_type == KSR_HOST_IPV6) {
		LM_ERR("encode_contact: cannot encode the IPv6 host of '%.*s'\n",
		       KSR_STR_FMT(c->uri));
		return -1;
	}
	fields[0] = arg->prefix;
	fields[1] = u.user;
	fields[2] = u.passwd;
	fields[3] = u.host;
	fields[4] = u.port_str;
	fields[5] = u.transport;
	len = u.scheme_str.len + 1 + 5 + 1 + arg->host.len;
	for (int i = 0; i < 6; i++) {
		if (has_char(fields[i], sep)) {
			LM_ERR("encode_contact: '%.*s' holds the separator '%c'\n",
			       KSR_STR_FMT(fields[i]), sep);
			return -1;
		}
		len += fields[i].len;
	}
	buf = o = ksr_arena_alloc(msg->arena, len);
	if (!buf)
		return -1;
	memcpy(o, u.scheme_str.s, u.scheme_str.len);
	o += u.scheme_str.len;
	*o++ = ':';
	for (int i = 0; i < 6; i++) {
		if (i)
			*o++ = sep;
		if (fields[i].len)
			memcpy(o, fields[i].s, fields[i].len);
		o += fields[i].len;
	}
	*o++ = '@';
	memcpy(o, arg->host.s, arg->host.len);
	o += arg->host.len;
	*ret_uri = ksr_str_make(buf, (size_t)(o - buf));
	if (ksr_uri_parse(*ret_uri, &check) < 0) {
		LM_ERR("encode_contact: the encoded URI would not parse: '%.*s'\n",
		       KSR_STR_FMT(*ret_uri));
		return -1;
	}
	return 1;
}

static int fixup_encode_contact(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[1].dynamic && p[1].s.len == 0) {
		*ret_err = "the host part cannot be empty";
		return -EINVAL;
	}
	return 0;
}

static int w_encode_contact(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct encode_arg arg = {p[0].s, p[1].s};

	if (arg.host.len == 0 || has_char(arg.prefix, separator())) {
		LM_ERR("encode_contact: empty host part, or a separator in the prefix\n");
		return -1;
	}
	return rewrite_contacts(msg, encode_one, &arg, "encode_contact");
}

/*
 * sip:PREFIX*user*pass*ip*port*proto@host;params -> sip:user:pass@ip:port;transport=proto
 * with the params kept. Text-based, as the encoded user part need not parse as a user.
 * 0 with *ret, -EINVAL when text is not in that form.
 */
static int decode_uri(struct ksr_str text, struct ksr_arena *arena, struct ksr_str *ret)
{
	static const char tp[] = ";transport=";
	char sep = separator(), *colon, *at, *p, *end = ksr_str_end(text), *pend, *buf, *o;
	struct ksr_str scheme, f[6], params;
	struct ksr_uri check;
	int nf = 0;

	colon = text.len ? memchr(text.s, ':', text.len) : NULL;
	if (!colon)
		return -EINVAL;
	scheme = ksr_str_make(text.s, (size_t)(colon - text.s));
	if (!ksr_str_caseeq_cstr(&scheme, "sip") && !ksr_str_caseeq_cstr(&scheme, "sips"))
		return -EINVAL;
	at = memchr(colon + 1, '@', (size_t)(end - colon - 1));
	if (!at)
		return -EINVAL;
	for (p = colon + 1; nf < 6; nf++) {
		char *s = memchr(p, sep, (size_t)(at - p));

		f[nf] = ksr_str_make(p, (size_t)((s ? s : at) - p));
		if (!s) {
			nf++;
			break;
		}
		p = s + 1;
	}
	if (nf != 6 || f[5].s + f[5].len != at || f[3].len == 0 || (f[1].len == 0 && f[2].len))
		return -EINVAL;
	/* the parameters of the encoded URI stay; its headers go, as upstream */
	for (p = at + 1; p < end && *p != ';' && *p != '?'; p++)
		;
	for (pend = p; pend < end && *pend != '?'; pend++)
		;
	params = ksr_str_make(p, (size_t)(pend - p));
	buf = o = ksr_arena_alloc(arena, text.len + sizeof(tp) + 4);
	if (!buf)
		return -ENOMEM;
	memcpy(o, scheme.s, scheme.len + 1);
	o += scheme.len + 1;
	if (f[1].len) {
		memcpy(o, f[1].s, f[1].len);
		o += f[1].len;
		if (f[2].len) {
			*o++ = ':';
			memcpy(o, f[2].s, f[2].len);
			o += f[2].len;
		}
		*o++ = '@';
	}
	memcpy(o, f[3].s, f[3].len);
	o += f[3].len;
	if (f[4].len) {
		*o++ = ':';
		memcpy(o, f[4].s, f[4].len);
		o += f[4].len;
	}
	if (f[5].len) {
		memcpy(o, tp, sizeof(tp) - 1);
		o += sizeof(tp) - 1;
		memcpy(o, f[5].s, f[5].len);
		o += f[5].len;
	}
	if (params.len)
		memcpy(o, params.s, params.len);
	o += params.len;
	*ret = ksr_str_make(buf, (size_t)(o - buf));
	return ksr_uri_parse(*ret, &check) < 0 ? -EINVAL : 0;
}

static int w_decode_contact(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str cur, dec;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	cur = ksr_msg_cur_ruri(msg);
	if (decode_uri(cur, msg->arena, &dec) < 0) {
		LM_DBG("decode_contact: not an encoded URI: '%.*s'\n", KSR_STR_FMT(cur));
		return -1;
	}
	r = ksr_msg_set_ruri(msg, dec);
	if (r < 0) {
		LM_ERR("decode_contact: cannot set the Request-URI: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static int decode_one(struct ksr_msg *msg, const struct ksr_contact *c, const void *arg,
                      struct ksr_str *ret_uri)
{
	if (decode_uri(c->uri, msg->arena, ret_uri) < 0) {
		LM_ERR("decode_contact_header: not an encoded URI: '%.*s'\n", KSR_STR_FMT(c->uri));
		return -1;
	}
	return 1;
}

static int w_decode_contact_header(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite_contacts(msg, decode_one, NULL, "decode_contact_header");
}

/* --- contact_param_encode, contact_param_decode(_ruri), contact_param_rm --- */

/* A URI parameter name: a non-empty token of URI parameter characters. */
static bool valid_pname(struct ksr_str s)
{
	static const char extra[] = "-_.!~*'()[]/:&+$";

	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || memchr(extra, ch, sizeof(extra) - 1)))
			return false;
	}
	return true;
}

/* saddr: a sip/sips URI without headers, the new parameter goes at its end. */
static bool valid_saddr(struct ksr_str s)
{
	struct ksr_uri u;

	return ksr_uri_parse(s, &u) == 0 && (u.scheme == KSR_URI_SIP || u.scheme == KSR_URI_SIPS) &&
	       u.headers.s == NULL;
}

static int fixup_pname(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && !valid_pname(p[0].s)) {
		*ret_err = "the parameter name must be a URI parameter name";
		return -EINVAL;
	}
	return 0;
}

static int fixup_param_encode(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (fixup_pname(p, n, ret_err) < 0)
		return -EINVAL;
	if (!p[1].dynamic && !valid_saddr(p[1].s)) {
		*ret_err = "the server address must be a SIP URI without headers";
		return -EINVAL;
	}
	return 0;
}

struct param_arg {
	struct ksr_str pname, saddr;
};

static int param_encode_one(struct ksr_msg *msg, const struct ksr_contact *c, const void *varg,
                            struct ksr_str *ret_uri)
{
	const struct param_arg *arg = varg;
	struct ksr_str enc;
	char *buf, *o;

	if (siputils_b64url_encode(c->uri, msg->arena, &enc) < 0)
		return -1;
	buf = o = ksr_arena_alloc(msg->arena, arg->saddr.len + 2 + arg->pname.len + enc.len);
	if (!buf)
		return -1;
	memcpy(o, arg->saddr.s, arg->saddr.len);
	o += arg->saddr.len;
	*o++ = ';';
	memcpy(o, arg->pname.s, arg->pname.len);
	o += arg->pname.len;
	*o++ = '=';
	memcpy(o, enc.s, enc.len);
	o += enc.len;
	*ret_uri = ksr_str_make(buf, (size_t)(o - buf));
	return 1;
}

static int w_contact_param_encode(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct param_arg arg = {p[0].s, p[1].s};

	if (!valid_pname(arg.pname) || !valid_saddr(arg.saddr)) {
		LM_ERR("contact_param_encode: bad parameter name '%.*s' or address '%.*s'\n",
		       KSR_STR_FMT(arg.pname), KSR_STR_FMT(arg.saddr));
		return -1;
	}
	return rewrite_contacts(msg, param_encode_one, &arg, "contact_param_encode");
}

/* The URI held Base64URL-encoded in parameter pname of u: 1 decoded, 0 none, -1 bad. */
static int param_decode(struct ksr_msg *msg, const struct ksr_uri *u, struct ksr_str pname,
                        struct ksr_str *ret)
{
	struct ksr_str v;
	struct ksr_uri check;

	if (siputils_uri_param_nth(u->params, pname, 0, &v) != 1 || v.len == 0)
		return 0;
	if (siputils_b64url_decode(v, msg->arena, ret) < 0 || ksr_uri_parse(*ret, &check) < 0) {
		LM_ERR("parameter '%.*s' does not hold an encoded URI: '%.*s'\n",
		       KSR_STR_FMT(pname), KSR_STR_FMT(v));
		return -1;
	}
	return 1;
}

static int param_decode_one(struct ksr_msg *msg, const struct ksr_contact *c, const void *varg,
                            struct ksr_str *ret_uri)
{
	struct ksr_uri u;

	if (contact_uri(c, false, "contact_param_decode", &u) < 0)
		return -1;
	return param_decode(msg, &u, *(const struct ksr_str *)varg, ret_uri);
}

static int w_contact_param_decode(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite_contacts(msg, param_decode_one, &p[0].s, "contact_param_decode");
}

/* True, with the R-URI unchanged, when it has no such parameter (as upstream). */
static int w_contact_param_decode_ruri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u;
	struct ksr_str dec;
	int r;

	if (msg->type != KSR_MSG_REQUEST || ksr_msg_cur_ruri_parsed(msg, &u) < 0)
		return -1;
	r = param_decode(msg, u, p[0].s, &dec);
	if (r <= 0)
		return r == 0 ? 1 : -1;
	r = ksr_msg_set_ruri(msg, dec);
	if (r < 0) {
		LM_ERR("contact_param_decode_ruri: cannot set the Request-URI: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static int param_rm_one(struct ksr_msg *msg, const struct ksr_contact *c, const void *varg,
                        struct ksr_str *ret_uri)
{
	struct ksr_uri u;
	int r;

	if (contact_uri(c, false, "contact_param_rm", &u) < 0)
		return -1;
	r = siputils_uri_param_rm(c->uri, &u, *(const struct ksr_str *)varg, msg->arena, ret_uri);
	return r < 0 ? -1 : r;
}

static int w_contact_param_rm(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite_contacts(msg, param_rm_one, &p[0].s, "contact_param_rm");
}

#define SU_REQ_RPL (SU_REQ | KSR_ROUTE_ONREPLY)

const struct ksr_cmd_export siputils_contact_cmds[] = {
        {"encode_contact",
         w_encode_contact,
         {KSR_PT_STR, KSR_PT_STR},
         fixup_encode_contact,
         SU_REQ_RPL},
        {"decode_contact", w_decode_contact, {KSR_PT_NONE}, NULL, SU_REQ},
        {"decode_contact_header",
         w_decode_contact_header,
         {KSR_PT_NONE},
         NULL,
         SU_REQ_RPL | KSR_ROUTE_FAILURE},
        {"contact_param_encode",
         w_contact_param_encode,
         {KSR_PT_STR, KSR_PT_STR},
         fixup_param_encode,
         SU_REQ_RPL},
        {"contact_param_decode", w_contact_param_decode, {KSR_PT_STR}, fixup_pname, SU_REQ_RPL},
        {"contact_param_decode_ruri",
         w_contact_param_decode_ruri,
         {KSR_PT_STR},
         fixup_pname,
         SU_REQ},
        {"contact_param_rm", w_contact_param_rm, {KSR_PT_STR}, fixup_pname, SU_REQ_RPL},
        {0},
};
