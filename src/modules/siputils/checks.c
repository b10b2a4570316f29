/*
 * Checks on strings (is_e164, is_numeric, ...) and comparisons of URIs and header names.
 * Parameters are strings with pseudo-variables, evaluated by the core on each call.
 */
#include <errno.h>

#include "core/log.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "siputils.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool siputils_is_e164(struct ksr_str s)
{
	if (s.len < 3 || s.len > 16 || s.s[0] != '+')
		return false;
	for (size_t i = 1; i < s.len; i++)
		if (!is_digit(s.s[i]))
			return false;
	return true;
}

int siputils_tel_number(struct ksr_str s)
{
	size_t i = 0;

	if (s.len == 0)
		return -2;
	if (s.s[0] == '+') {
		/* an international number has a country code, which never starts with 0 */
		if (s.len == 1 || s.s[1] == '0')
			return -2;
		i = 1;
	}
	for (; i < s.len; i++)
		if (!is_digit(s.s[i]))
			return -2;
	return 1;
}

int siputils_numeric(struct ksr_str s)
{
	if (s.len == 0)
		return -2;
	for (size_t i = 0; i < s.len; i++)
		if (!is_digit(s.s[i]))
			return -2;
	return 1;
}

int siputils_alphanum(struct ksr_str s, struct ksr_str extra)
{
	if (s.len == 0)
		return -2;
	for (size_t i = 0; i < s.len; i++)
		if (!is_alnum(s.s[i]) && !(extra.len && memchr(extra.s, s.s[i], extra.len)))
			return -3;
	return 1;
}

bool siputils_uri_user_e164(struct ksr_str s)
{
	struct ksr_uri u;

	if (ksr_uri_parse(s, &u) < 0) {
		LM_DBG("not a URI: '%.*s'\n", KSR_STR_FMT(s));
		return false;
	}
	/* upstream takes the whole userinfo: a password makes it no number */
	if (u.scheme != KSR_URI_SIP && u.scheme != KSR_URI_SIPS)
		return false;
	return u.passwd.s == NULL && siputils_is_e164(u.user);
}

/* Header names that have a compact form the core does not type (RFC 3841, RFC 4474). */
static const struct {
	const char *full, *compact;
} compact_forms[] = {
        {"Accept-Contact", "a"},
        {"Reject-Contact", "j"},
        {"Request-Disposition", "d"},
        {"Identity-Info", "n"},
};

static int compact_index(struct ksr_str n)
{
	for (size_t i = 0; i < sizeof(compact_forms) / sizeof(compact_forms[0]); i++)
		if (ksr_str_caseeq_cstr(&n, compact_forms[i].full) ||
		    ksr_str_caseeq_cstr(&n, compact_forms[i].compact))
			return (int)i;
	return -1;
}

static bool valid_hdr_name(struct ksr_str n)
{
	static const char token_extra[] = "-.!%*_+`'~";

	if (n.len == 0)
		return false;
	for (size_t i = 0; i < n.len; i++)
		if (!is_alnum(n.s[i]) && !memchr(token_extra, n.s[i], sizeof(token_extra) - 1))
			return false;
	return true;
}

int siputils_cmp_hdr_name(struct ksr_str a, struct ksr_str b)
{
	enum ksr_hdr_type ta, tb;
	int ca, cb;

	ksr_str_trim(&a);
	ksr_str_trim(&b);
	if (!valid_hdr_name(a) || !valid_hdr_name(b))
		return -2;
	ta = ksr_hdr_type_of(a);
	tb = ksr_hdr_type_of(b);
	if (ta != KSR_HDR_OTHER || tb != KSR_HDR_OTHER)
		return ta == tb ? 1 : -1;
	ca = compact_index(a);
	cb = compact_index(b);
	if (ca >= 0 || cb >= 0)
		return ca == cb ? 1 : -1;
	return ksr_str_caseeq(&a, &b) ? 1 : -1;
}

bool siputils_aor_equal(const struct ksr_uri *a, const struct ksr_uri *b)
{
	/* as upstream: the default port is 5060 whatever the scheme */
	unsigned short pa = a->port ? a->port : 5060, pb = b->port ? b->port : 5060;

	if ((a->scheme == KSR_URI_URN || a->scheme == KSR_URI_OTHER) ||
	    (b->scheme == KSR_URI_URN || b->scheme == KSR_URI_OTHER))
		return a->scheme == b->scheme && ksr_str_caseeq(&a->scheme_str, &b->scheme_str) &&
		       ksr_str_eq(&a->opaque, &b->opaque);
	return ksr_str_eq(&a->user, &b->user) && ksr_str_caseeq(&a->host, &b->host) && pa == pb;
}

/* --- script functions --- */

static int w_is_e164(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_is_e164(p[0].s) ? 1 : -1;
}

static int w_is_uri_user_e164(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_uri_user_e164(p[0].s) ? 1 : -1;
}

static int w_is_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri u;

	/* only the schemes upstream parses: sip, sips, tel and urn */
	if (ksr_uri_parse(p[0].s, &u) < 0 || u.scheme == KSR_URI_OTHER)
		return -1;
	return 1;
}

static int w_is_tel_number(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_tel_number(p[0].s);
}

static int w_is_numeric(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_numeric(p[0].s);
}

static int w_is_alphanum(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_alphanum(p[0].s, KSR_STR_NULL);
}

static int w_is_alphanumex(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_alphanum(p[0].s, p[1].s);
}

/* Parse both parameters; -2 (as upstream) when either is not a URI. */
static int parse_two(const struct ksr_fparam *p, struct ksr_uri *a, struct ksr_uri *b)
{
	if (ksr_uri_parse(p[0].s, a) < 0) {
		LM_DBG("not a URI: '%.*s'\n", KSR_STR_FMT(p[0].s));
		return -2;
	}
	if (ksr_uri_parse(p[1].s, b) < 0) {
		LM_DBG("not a URI: '%.*s'\n", KSR_STR_FMT(p[1].s));
		return -2;
	}
	return 0;
}

static int w_cmp_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri a, b;
	int r = parse_two(p, &a, &b);

	if (r < 0)
		return r;
	return ksr_uri_equal(&a, &b) ? 1 : -1;
}

static int w_cmp_aor(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri a, b;
	int r = parse_two(p, &a, &b);

	if (r < 0)
		return r;
	return siputils_aor_equal(&a, &b) ? 1 : -1;
}

static int w_cmp_hdr_name(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return siputils_cmp_hdr_name(p[0].s, p[1].s);
}

const struct ksr_cmd_export siputils_check_cmds[] = {
        {"is_e164", w_is_e164, {KSR_PT_STR}, NULL, SU_REQ | KSR_ROUTE_FAILURE},
        {"is_uri_user_e164", w_is_uri_user_e164, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_uri", w_is_uri, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_tel_number", w_is_tel_number, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_numeric", w_is_numeric, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_alphanum", w_is_alphanum, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_alphanumex", w_is_alphanumex, {KSR_PT_STR, KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"cmp_uri", w_cmp_uri, {KSR_PT_STR, KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"cmp_aor", w_cmp_aor, {KSR_PT_STR, KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"cmp_hdr_name", w_cmp_hdr_name, {KSR_PT_STR, KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {0},
};
