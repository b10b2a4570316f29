/*
 * The checks of sanity_check(): each looks at one part of the message and, when it fails,
 * says what upstream (Kamailio 5.6) answers. They run in upstream's order.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/reply.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "sanity.h"

/* --- results --- */

static int fail(struct sanity_fail *ret, unsigned int code, const char *reason, const char *why)
{
	*ret = (struct sanity_fail){.code = code, .reason = reason, .why = why};
	return 0;
}

/* No reply now; sanity_reply() answers 500 later, as upstream. */
static int fail_unanswered(struct sanity_fail *ret, const char *why)
{
	*ret = (struct sanity_fail){.why = why};
	return 0;
}

/* No reply at all: upstream flags the request as one never to answer. */
static int fail_silent(struct sanity_fail *ret, const char *why)
{
	*ret = (struct sanity_fail){.silent = true, .why = why};
	return 0;
}

/* --- helpers --- */

/* 1*10DIGIT not above 2^32-1: what upstream calls a valid unsigned integer. */
static bool is_uint32(struct ksr_str s)
{
	uint64_t v = 0;

	if (s.len == 0 || s.len > 10)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.s[i] - '0');
	}
	return v <= UINT32_MAX;
}

/* A URI upstream's parser takes: sip, sips, tel or urn, and well-formed. */
static bool scheme_known(const struct ksr_uri *u)
{
	return u->scheme == KSR_URI_SIP || u->scheme == KSR_URI_SIPS || u->scheme == KSR_URI_TEL ||
	       u->scheme == KSR_URI_URN;
}

static bool uri_ok(struct ksr_str s)
{
	struct ksr_uri u;

	return ksr_uri_parse(s, &u) == 0 && scheme_known(&u);
}

/* The Request-URI as the request has it now ($ru), as upstream parses the new URI. */
static bool ruri_ok(struct ksr_msg *msg)
{
	struct ksr_uri *u;

	return ksr_msg_cur_ruri_parsed(msg, &u) == 0 && scheme_known(u);
}

/* --- the checks, one function per bit --- */

struct ctx {
	unsigned int uri_checks;
};

typedef int (*check_fn)(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret);

/* 1: the version after the '/' of the request line is 2.0. */
static int check_ruri_version(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_str v = msg->first.req.version;
	const char *slash;

	if (v.len == 0)
		return 1;
	slash = memchr(v.s, '/', v.len);
	if (!slash)
		return fail_unanswered(ret, "no '/' in the request line's version");
	v = ksr_str_make((char *)slash + 1, (size_t)(ksr_str_end(v) - slash - 1));
	if (!ksr_str_eq(&v, &KSR_STR_STATIC("2.0")))
		return fail(ret, 505, "Version Not Supported (R-URI)", "SIP version is not 2.0");
	return 1;
}

/* 2: the Request-URI parses and its scheme is one the server knows. */
static int check_ruri_scheme(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	if (!ruri_ok(msg))
		return fail(ret, 400, "Bad Request URI", "bad or unsupported Request-URI");
	return 1;
}

/* 4: Via, From, To, Call-ID and CSeq are there, and the last four only once. */
static int check_required(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	unsigned int from = 0, to = 0, callid = 0, cseq = 0;

	if (!msg->h_via1 || !msg->h_from || !msg->h_to || !msg->h_callid ||
	    msg->h_callid->body.len == 0 || !msg->h_cseq)
		return fail_silent(ret, "a required header is missing");
	for (const struct ksr_hdr *h = msg->headers; h; h = h->next) {
		from += h->type == KSR_HDR_FROM;
		to += h->type == KSR_HDR_TO;
		callid += h->type == KSR_HDR_CALLID;
		cseq += h->type == KSR_HDR_CSEQ;
	}
	if (from > 1 || to > 1 || callid > 1 || cseq > 1)
		return fail_unanswered(ret, "From, To, Call-ID or CSeq more than once");
	return 1;
}

/* 16384: the first Via parses and has a host. */
static int check_via1(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_via *via;

	if (ksr_msg_via1(msg, &via) < 0 || via->host.len == 0)
		return fail_silent(ret, "the first Via is missing or malformed");
	return 1;
}

/* 8, 16: disabled upstream (its Via parser refuses what they would catch), as here. */
static int check_nothing(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	return 1;
}

/*
 * CSeq as "number LWS method", split as upstream's parser does: the core's parser also
 * refuses a number out of range, which check 64 must see and answer.
 */
static int cseq_split(const struct ksr_msg *msg, struct ksr_str *ret_number,
                      struct ksr_str *ret_method)
{
	struct ksr_str b;
	size_t i;

	if (!msg->h_cseq)
		return -ENOENT;
	b = msg->h_cseq->body;
	for (i = 0; i < b.len && !ksr_is_ws(b.s[i]) && b.s[i] != '\r' && b.s[i] != '\n'; i++)
		;
	*ret_number = ksr_str_make(b.s, i);
	*ret_method = ksr_str_make(b.s + i, b.len - i);
	ksr_str_trim(ret_method);
	return ret_number->len && ret_method->len ? 0 : -EINVAL;
}

/* 32: the CSeq method is the request's, byte for byte. */
static int check_cseq_method(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_str number, method;

	if (cseq_split(msg, &number, &method) < 0)
		return fail_silent(ret, "CSeq is missing or malformed");
	if (!ksr_str_eq(&method, &msg->first.req.method))
		return fail(ret, 400, "CSeq method does not match request method",
		            "CSeq method differs from the request's");
	return 1;
}

/* 64: the CSeq number is an unsigned 32-bit integer. */
static int check_cseq_value(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_str number, method;

	if (cseq_split(msg, &number, &method) < 0)
		return fail_silent(ret, "CSeq is missing or malformed");
	if (!is_uint32(number))
		return fail(ret, 400, "CSeq number is illegal",
		            "CSeq number is not a 32-bit integer");
	return 1;
}

/*
 * 128: Content-Length equals what follows the headers in the received message (on a
 * datagram the core ignores extra bytes; upstream's check does not).
 */
static int check_cl(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	size_t after_headers;
	uint64_t clen = 0;
	struct ksr_str v;

	if (!msg->h_clen)
		return 1;
	v = msg->h_clen->body;
	if (!is_uint32(v))
		return fail(ret, 400, "Content-Length Failure", "malformed Content-Length");
	for (size_t i = 0; i < v.len; i++)
		clen = clen * 10 + (uint64_t)(v.s[i] - '0');
	if (!msg->body.s || msg->body.s < msg->buf || msg->body.s > msg->buf + msg->len)
		return fail(ret, 400, "Content-Length Body Failure", "no body to measure");
	after_headers = msg->len - (size_t)(msg->body.s - msg->buf);
	if (after_headers != clen)
		return fail(ret, 400, "Content-Length mis-match",
		            "Content-Length differs from the body received");
	return 1;
}

/* 256: the first Expires is an unsigned 32-bit integer. */
static int check_expires(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_EXPIRES);

	if (!h)
		return 1;
	if (h->body.len == 0)
		return fail(ret, 400, "Bad Expires Header", "empty Expires");
	if (!is_uint32(h->body))
		return fail(ret, 400, "Expires value is illegal",
		            "Expires is not a 32-bit integer");
	return 1;
}

/* --- 512: Proxy-Require --- */

static struct ksr_str *pr_list; /* the extensions modparam proxy_require names */
static size_t pr_count;
static char *pr_text; /* what pr_list points into */

void sanity_proxy_require_free(void)
{
	free(pr_list);
	free(pr_text);
	pr_list = NULL;
	pr_text = NULL;
	pr_count = 0;
}

int sanity_proxy_require_set(const char *list)
{
	size_t n = 1;
	char *p;

	sanity_proxy_require_free();
	if (!list)
		return 0;
	for (const char *s = list; *s; s++)
		n += *s == ',';
	pr_text = strdup(list);
	pr_list = calloc(n, sizeof(*pr_list));
	if (!pr_text || !pr_list) {
		sanity_proxy_require_free();
		return -ENOMEM;
	}
	p = pr_text;
	for (;;) {
		char *comma = strchr(p, ',');
		struct ksr_str item = ksr_str_make(p, comma ? (size_t)(comma - p) : strlen(p));

		ksr_str_trim(&item);
		if (item.len)
			pr_list[pr_count++] = item;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

/* Option tags are tokens, compared without case (RFC 3261 7.3.1). */
static bool pr_supported(const struct ksr_str *tag)
{
	for (size_t i = 0; i < pr_count; i++)
		if (ksr_str_caseeq(&pr_list[i], tag))
			return true;
	return false;
}

/* "Unsupported: a, b\r\n" for the tags not supported, added to the request's replies. */
static int add_unsupported(struct ksr_msg *msg, const struct ksr_token *list)
{
	static const char name[] = "Unsupported: ";
	size_t size = sizeof(name) + 2, n;
	char *s;

	for (const struct ksr_token *t = list; t; t = t->next)
		if (!pr_supported(&t->name))
			size += t->name.len + 2;
	s = ksr_arena_alloc(msg->arena, size);
	if (!s)
		return -ENOMEM;
	memcpy(s, name, sizeof(name) - 1);
	n = sizeof(name) - 1;
	for (const struct ksr_token *t = list; t; t = t->next) {
		if (pr_supported(&t->name))
			continue;
		if (n > sizeof(name) - 1) {
			memcpy(s + n, ", ", 2);
			n += 2;
		}
		memcpy(s + n, t->name.s, t->name.len);
		n += t->name.len;
	}
	memcpy(s + n, "\r\n", 2);
	return ksr_reply_add_hdrs(msg, ksr_str_make(s, n + 2));
}

/* 512: every tag of every Proxy-Require line is in modparam proxy_require. */
static int check_proxy_require(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	struct ksr_token *list;
	bool unsupported = false;
	int r = ksr_msg_tokens(msg, KSR_HDR_PROXYREQUIRE, &list);

	if (r == -ENOENT)
		return 1;
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return fail(ret, 400, "Bad Proxy Require Header", "malformed Proxy-Require");
	for (const struct ksr_token *t = list; t; t = t->next)
		unsupported = unsupported || !pr_supported(&t->name);
	if (!unsupported)
		return 1;
	r = add_unsupported(msg, list);
	if (r < 0)
		return r;
	return fail(ret, 420, "Bad Proxy Require Extension",
	            "Proxy-Require names an unsupported extension");
}

/* --- 1024: URIs --- */

/* From or To: the header, its body and its URI. */
static int check_fromto(struct ksr_msg *msg, struct ksr_hdr *h, bool to, struct sanity_fail *ret)
{
	struct ksr_nameaddr *na;
	int r;

	if (!h || h->body.len == 0)
		return fail_silent(ret, to ? "no To" : "no From");
	r = to ? ksr_msg_to(msg, &na) : ksr_msg_from(msg, &na);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || !uri_ok(na->uri)) {
		if (to)
			return fail(ret, 400, "Invalid To Header", "bad To or To URI");
		return fail(ret, 400, "Invalid From Header", "bad From or From URI");
	}
	return 1;
}

static int check_contact_uris(struct ksr_msg *msg, struct sanity_fail *ret)
{
	struct ksr_contacts *cs;
	int r = ksr_msg_contacts(msg, &cs);

	if (r == -ENOENT)
		return 1;
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return fail(ret, 400, "Bad Contact Header", "malformed Contact");
	for (const struct ksr_contact *ct = cs->first; ct; ct = ct->next)
		if (!uri_ok(ct->uri))
			return fail(ret, 400, "Bad Contact URI", "bad Contact URI");
	return 1;
}

/* 1024: the URIs named by uri_checks parse. The Request-URI only in requests. */
static int check_uris(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	int r;

	if ((c->uri_checks & SANITY_URI_RURI) && msg->type == KSR_MSG_REQUEST && !ruri_ok(msg))
		return fail(ret, 400, "Bad Request URI", "bad or unsupported Request-URI");
	if ((c->uri_checks & SANITY_URI_FROM) &&
	    (r = check_fromto(msg, msg->h_from, false, ret)) <= 0)
		return r;
	if ((c->uri_checks & SANITY_URI_TO) && (r = check_fromto(msg, msg->h_to, true, ret)) <= 0)
		return r;
	if (c->uri_checks & SANITY_URI_CONTACT)
		return check_contact_uris(msg, ret);
	return 1;
}

/* --- 2048, 8192: credentials --- */

/*
 * What one Authorization / Proxy-Authorization value holds. Read leniently, as upstream's
 * parser does, because the checks tell apart what the core's strict parser refuses as a
 * whole: a parameter missing (has_*) and one given empty (*_len).
 */
struct cred_view {
	bool digest;
	bool has_username, has_realm, has_nonce, has_uri, has_response, has_cnonce, has_nc;
	size_t username_len, nonce_len, response_len;
	bool qop_auth; /* qop is auth or auth-int: cnonce and nc are required */
};

static void cred_view_set(struct cred_view *v, struct ksr_str name, struct ksr_str value)
{
	if (ksr_str_caseeq_cstr(&name, "username")) {
		v->has_username = true;
		v->username_len = value.len;
	} else if (ksr_str_caseeq_cstr(&name, "realm")) {
		v->has_realm = true;
	} else if (ksr_str_caseeq_cstr(&name, "nonce")) {
		v->has_nonce = true;
		v->nonce_len = value.len;
	} else if (ksr_str_caseeq_cstr(&name, "uri")) {
		v->has_uri = true;
	} else if (ksr_str_caseeq_cstr(&name, "response")) {
		v->has_response = true;
		v->response_len = value.len;
	} else if (ksr_str_caseeq_cstr(&name, "cnonce")) {
		v->has_cnonce = true;
	} else if (ksr_str_caseeq_cstr(&name, "nc")) {
		v->has_nc = true;
	} else if (ksr_str_caseeq_cstr(&name, "qop")) {
		v->qop_auth = ksr_str_caseeq_cstr(&value, "auth") ||
		              ksr_str_caseeq_cstr(&value, "auth-int");
	}
}

/* "Scheme name=value, ..." into *ret. -EINVAL when it cannot be read at all. */
static int cred_view_parse(struct ksr_str body, struct cred_view *ret)
{
	char *p = body.s, *end = ksr_str_end(body), *q;
	struct ksr_str scheme, rest, item;
	int r;

	*ret = (struct cred_view){0};
	for (q = p; q < end && !ksr_is_ws(*q) && *q != '\r' && *q != '\n'; q++)
		;
	if (q == p)
		return -EINVAL;
	scheme = ksr_str_make(p, (size_t)(q - p));
	ret->digest = ksr_str_caseeq_cstr(&scheme, "Digest");
	if (!ret->digest)
		return 0;
	rest = ksr_str_make(q, (size_t)(end - q));
	ksr_str_trim(&rest);
	while ((r = ksr_list_next(&rest, &item)) > 0) {
		const char *eq = memchr(item.s, '=', item.len);
		struct ksr_str name, value;

		if (!eq)
			return -EINVAL;
		name = ksr_str_make(item.s, (size_t)(eq - item.s));
		value = ksr_str_make((char *)eq + 1, (size_t)(ksr_str_end(item) - eq - 1));
		ksr_str_trim(&name);
		ksr_str_trim(&value);
		cred_view_set(ret, name, ksr_unquote(value));
	}
	return r < 0 ? -EINVAL : 0;
}

/*
 * Every Authorization, then every Proxy-Authorization value. A scheme other than Digest
 * fails check 2048 (without a reply, as upstream) and is skipped by check 8192.
 */
static int check_credentials(struct ksr_msg *msg, bool other_schemes_pass, struct sanity_fail *ret)
{
	static const enum ksr_hdr_type types[] = {KSR_HDR_AUTHORIZATION, KSR_HDR_PROXYAUTH};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (struct ksr_hdr *h = ksr_msg_hdr_first(msg, types[i]); h;
		     h = ksr_msg_hdr_next(h)) {
			struct cred_view v;

			if (cred_view_parse(h->body, &v) < 0)
				return fail(ret, 400, "Bad Auth Header", "malformed credentials");
			if (!v.digest) {
				if (other_schemes_pass)
					continue;
				return fail_unanswered(ret, "credentials not of the Digest scheme");
			}
			if (!v.has_username || !v.has_realm || !v.has_nonce || !v.has_uri ||
			    !v.has_response || (v.qop_auth && (!v.has_cnonce || !v.has_nc)))
				return fail(ret, 400, "Bad Auth Credentials",
				            "a required Digest parameter is missing");
			if (v.username_len == 0)
				return fail(ret, 400, "Auth Empty User", "empty Digest username");
			if (v.nonce_len == 0)
				return fail(ret, 400, "Auth Empty Nonce", "empty Digest nonce");
			if (v.response_len == 0)
				return fail(ret, 400, "Auth Empty Response",
				            "empty Digest response");
		}
	}
	return 1;
}

static int check_digest(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	return check_credentials(msg, false, ret);
}

static int check_authorization(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	return check_credentials(msg, true, ret);
}

/* --- 4096: one tag in From and in To --- */

/*
 * The number of tag parameters of a From/To body. Only for a body the core refused (its
 * parser takes one tag at most), so this reads just enough to find the header params.
 */
static int count_tags(struct ksr_msg *msg, struct ksr_str body, unsigned int *ret_n)
{
	char *p = body.s, *end = ksr_str_end(body), *params;
	struct ksr_param *list;
	struct ksr_str s;
	unsigned int n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		if (p == end)
			return -EINVAL;
		p++;
	}
	params = memchr(p, '<', (size_t)(end - p));
	if (params) {
		params = memchr(params, '>', (size_t)(end - params));
		if (!params)
			return -EINVAL;
		params++;
	} else {
		params = memchr(p, ';', (size_t)(end - p));
		if (!params)
			params = end;
	}
	s = ksr_str_make(params, (size_t)(end - params));
	ksr_str_trim(&s);
	if (ksr_parse_params(s, msg->arena, &list) < 0)
		return -EINVAL;
	for (; list; list = list->next)
		n += ksr_str_caseeq_cstr(&list->name, "tag");
	*ret_n = n;
	return 0;
}

static int check_tags(struct ksr_msg *msg, struct ksr_hdr *h, bool to, struct sanity_fail *ret)
{
	struct ksr_nameaddr *na;
	unsigned int n;
	int r;

	if (!h)
		return fail_silent(ret, to ? "no To" : "no From");
	r = to ? ksr_msg_to(msg, &na) : ksr_msg_from(msg, &na);
	if (r == 0)
		return 1;
	if (r == -ENOMEM)
		return r;
	if (count_tags(msg, h->body, &n) == 0 && n > 1)
		return fail(ret, 400, to ? "Many To Tag Params" : "Many From Tag Params",
		            to ? "more than one To tag" : "more than one From tag");
	return fail_silent(ret, to ? "malformed To" : "malformed From");
}

static int check_duptags(struct ksr_msg *msg, const struct ctx *c, struct sanity_fail *ret)
{
	int r = check_tags(msg, msg->h_from, false, ret);

	if (r <= 0)
		return r;
	return check_tags(msg, msg->h_to, true, ret);
}

/* --- the order upstream runs them in --- */

static const struct {
	unsigned int bit;
	check_fn fn;
	bool request_only; /* reads the request line, or Proxy-Require (requests only) */
} checks[] = {
        {SANITY_RURI_SIP_VERSION, check_ruri_version, true},
        {SANITY_RURI_SCHEME, check_ruri_scheme, true},
        {SANITY_REQUIRED_HEADERS, check_required, false},
        {SANITY_VIA1_HEADER, check_via1, false},
        {SANITY_VIA_SIP_VERSION, check_nothing, false},
        {SANITY_VIA_PROTOCOL, check_nothing, false},
        {SANITY_CSEQ_METHOD, check_cseq_method, true},
        {SANITY_CSEQ_VALUE, check_cseq_value, false},
        {SANITY_CL, check_cl, false},
        {SANITY_EXPIRES_VALUE, check_expires, false},
        {SANITY_PROXY_REQUIRE, check_proxy_require, true},
        {SANITY_PARSE_URIS, check_uris, false},
        {SANITY_DIGEST, check_digest, false},
        {SANITY_AUTHORIZATION, check_authorization, false},
        {SANITY_DUPTAGS, check_duptags, false},
};

int sanity_run(struct ksr_msg *msg, unsigned int bits, unsigned int uri_checks,
               struct sanity_fail *ret)
{
	const struct ctx c = {.uri_checks = uri_checks};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int r;

		if (!(bits & checks[i].bit))
			continue;
		if (checks[i].request_only && msg->type != KSR_MSG_REQUEST)
			continue;
		r = checks[i].fn(msg, &c, ret);
		if (r <= 0)
			return r;
	}
	return 1;
}
