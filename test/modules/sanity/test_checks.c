/*
 * Every check of src/modules/sanity/checks.c through sanity_run(): what passes, what fails
 * and the reply a failure asks for. Codes and reasons are the ones Kamailio 5.6.3 sends
 * for the same messages (compared on the wire); messages the core refuses before a script
 * runs are parsed here all the same, to reach the checks that look at them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "sanity.h"
#include "sanity_test.h"

#define ALL_URIS 15

static void expect_pass(struct st *t, unsigned int checks, unsigned int uris)
{
	struct sanity_fail f = {0};
	int r = sanity_run(&t->msg, checks, uris, &f);

	if (r != 1)
		fail_msg("checks %u/%u: want a pass, got %d (%u %s: %s)", checks, uris, r, f.code,
		         f.reason ? f.reason : "-", f.why ? f.why : "-");
}

/* Fails with the reply code/reason (0/NULL: none) and silent as given. */
static void expect_fail(struct st *t, unsigned int checks, unsigned int uris, unsigned int code,
                        const char *reason, bool silent)
{
	struct sanity_fail f = {0};
	int r = sanity_run(&t->msg, checks, uris, &f);

	if (r != 0)
		fail_msg("checks %u/%u: want a failure, got %d", checks, uris, r);
	assert_non_null(f.why);
	assert_int_equal(f.code, code);
	if (reason)
		assert_string_equal(f.reason, reason);
	else
		assert_null(f.reason);
	assert_int_equal(f.silent, silent);
}

/* What the request's local replies will carry besides the copied headers. */
static void expect_reply_hdrs(struct st *t, const char *want)
{
	struct ksr_str h = t->msg.reply_hdrs;

	if (h.len != strlen(want) || (h.len && memcmp(h.s, want, h.len) != 0))
		fail_msg("reply headers '%.*s', want '%s'", (int)h.len, h.s ? h.s : "", want);
}

static int setup(void **state)
{
	int r = st_setup(state);

	assert_int_equal(sanity_proxy_require_set("foo, bar ,, baz-2 "), 0);
	return r;
}

static int teardown(void **state)
{
	sanity_proxy_require_free();
	return st_teardown(state);
}

/* 1: the version of the request line */
static void test_ruri_sip_version(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	expect_pass(t, SANITY_RURI_SIP_VERSION, ALL_URIS);
	st_load(t, "OPTIONS sip:bob@example.com sip/2.0\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-v\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
	           "Call-ID: v\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
	expect_pass(t, SANITY_RURI_SIP_VERSION, ALL_URIS); /* only what follows '/' counts */
	/* the core answers 505 itself; the check's own answer names the R-URI */
	st_load_r(t,
	          "OPTIONS sip:bob@example.com SIP/3.0\n"
	          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-v\n"
	          "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
	          "Call-ID: v\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n",
	          -EPROTONOSUPPORT);
	expect_fail(t, SANITY_RURI_SIP_VERSION, ALL_URIS, 505, "Version Not Supported (R-URI)",
	            false);
	t->msg.first.req.version = KSR_STR_STATIC("SIP/2.00");
	expect_fail(t, SANITY_RURI_SIP_VERSION, ALL_URIS, 505, "Version Not Supported (R-URI)",
	            false);
	/* no '/' at all: a failure upstream does not answer */
	t->msg.first.req.version = KSR_STR_STATIC("SIP2.0");
	expect_fail(t, SANITY_RURI_SIP_VERSION, ALL_URIS, 0, NULL, false);
}

/* 2: the scheme of the Request-URI */
static void test_ruri_scheme(void **state)
{
	static const char *const good[] = {"sip:bob@example.com", "SIP:bob@example.com",
	                                   "sips:bob@example.com", "tel:+1-234", "urn:service:sos"};
	static const char *const bad[] = {"xyz:bob@example.com", "http://example.com/", "tels:+123",
	                                  "im:bob@example.com"};
	struct st *t = *state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		st_request(t, "OPTIONS", good[i], NULL, NULL);
		expect_pass(t, SANITY_RURI_SCHEME, ALL_URIS);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st_request(t, "OPTIONS", bad[i], NULL, NULL);
		expect_fail(t, SANITY_RURI_SCHEME, ALL_URIS, 400, "Bad Request URI", false);
	}
	/* the Request-URI the request has now ($ru), as upstream */
	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	assert_int_equal(ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("http://example.com/")), 0);
	expect_fail(t, SANITY_RURI_SCHEME, ALL_URIS, 400, "Bad Request URI", false);
	st_request(t, "OPTIONS", "xyz:bob", NULL, NULL);
	assert_int_equal(ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:bob@example.com")), 0);
	expect_pass(t, SANITY_RURI_SCHEME, ALL_URIS);
}

/* An OPTIONS with the headers of its kind but the one named omit (NULL: all). */
static void load_without(struct st *t, const char *omit, const char *extra, int want)
{
	static const char *const lines[][2] = {
	        {"Via", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-r\n"},
	        {"From", "From: <sip:a@example.com>;tag=1\n"},
	        {"To", "To: <sip:b@example.com>\n"},
	        {"Call-ID", "Call-ID: r\n"},
	        {"CSeq", "CSeq: 1 OPTIONS\n"},
	};
	char msg[1024];
	size_t n = (size_t)snprintf(msg, sizeof(msg), "OPTIONS sip:bob@example.com SIP/2.0\n");

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!omit || strcmp(omit, lines[i][0]) != 0)
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s", lines[i][1]);
	snprintf(msg + n, sizeof(msg) - n, "%sContent-Length: 0\n\n", extra);
	st_load_r(t, msg, want);
}

/* 4: Via, From, To, Call-ID and CSeq present, the last four once each */
static void test_required_headers(void **state)
{
	static const char *const names[] = {"Via", "From", "To", "Call-ID", "CSeq"};
	static const char *const dups[] = {"From: <sip:c@example.com>;tag=2\n",
	                                   "To: <sip:d@example.com>\n", "Call-ID: other\n",
	                                   "CSeq: 2 OPTIONS\n"};
	struct st *t = *state;

	load_without(t, NULL, "", 0);
	expect_pass(t, SANITY_REQUIRED_HEADERS, ALL_URIS);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load_without(t, names[i], "", 0);
		/* never answered, not even by sanity_reply(): upstream flags the request */
		expect_fail(t, SANITY_REQUIRED_HEADERS, ALL_URIS, 0, NULL, true);
	}
	load_without(t, "Call-ID", "Call-ID:\n", 0);
	expect_fail(t, SANITY_REQUIRED_HEADERS, ALL_URIS, 0, NULL, true);
	/* twice: the core refuses these; upstream's check fails them without a reply */
	for (size_t i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		load_without(t, NULL, dups[i], -EINVAL);
		expect_fail(t, SANITY_REQUIRED_HEADERS, ALL_URIS, 0, NULL, false);
	}
	/* other headers may repeat */
	load_without(t, NULL, "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-2\nX-A: 1\nX-A: 2\n", 0);
	expect_pass(t, SANITY_REQUIRED_HEADERS, ALL_URIS);
}

/* 16384: the first Via */
static void test_via1(void **state)
{
	struct st *t = *state;

	load_without(t, NULL, "", 0);
	expect_pass(t, SANITY_VIA1_HEADER, ALL_URIS);
	load_without(t, "Via", "", 0);
	expect_fail(t, SANITY_VIA1_HEADER, ALL_URIS, 0, NULL, true);
	load_without(t, "Via", "Via: SIP/2.0/UDP\n", 0);
	expect_fail(t, SANITY_VIA1_HEADER, ALL_URIS, 0, NULL, true);
}

/* 8, 16: disabled upstream, always pass */
static void test_via_disabled(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-t\n", NULL);
	expect_pass(t, SANITY_VIA_SIP_VERSION | SANITY_VIA_PROTOCOL, ALL_URIS);
	load_without(t, "Via", "", 0);
	expect_pass(t, SANITY_VIA_SIP_VERSION | SANITY_VIA_PROTOCOL, ALL_URIS);
}

/* 32: the CSeq method is the request's, case included */
static void test_cseq_method(void **state)
{
	struct st *t = *state;

	st_request(t, "INVITE", "sip:bob@example.com", "CSeq: 1 INVITE\n", NULL);
	expect_pass(t, SANITY_CSEQ_METHOD, ALL_URIS);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 1 INVITE\n", NULL);
	expect_fail(t, SANITY_CSEQ_METHOD, ALL_URIS, 400,
	            "CSeq method does not match request method", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 1 options\n", NULL);
	expect_fail(t, SANITY_CSEQ_METHOD, ALL_URIS, 400,
	            "CSeq method does not match request method", false);
	/* a number out of range does not hide the method */
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 99999999999 INVITE\n", NULL);
	expect_fail(t, SANITY_CSEQ_METHOD, ALL_URIS, 400,
	            "CSeq method does not match request method", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 99999999999  OPTIONS\n", NULL);
	expect_pass(t, SANITY_CSEQ_METHOD, ALL_URIS);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 1\n", NULL);
	expect_fail(t, SANITY_CSEQ_METHOD, ALL_URIS, 0, NULL, true);
	load_without(t, "CSeq", "", 0);
	expect_fail(t, SANITY_CSEQ_METHOD, ALL_URIS, 0, NULL, true);
}

/* 64: the CSeq number is an unsigned 32-bit integer */
static void test_cseq_value(void **state)
{
	static const char *const good[] = {"0", "1", "2147483648", "4294967295", "0000000001"};
	static const char *const bad[] = {"4294967296", "00000000001", "99999999999",
	                                  "abc",        "-1",          "1a"};
	struct st *t = *state;
	char line[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "CSeq: %s OPTIONS\n", good[i]);
		st_request(t, "OPTIONS", "sip:bob@example.com", line, NULL);
		expect_pass(t, SANITY_CSEQ_VALUE, ALL_URIS);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "CSeq: %s OPTIONS\n", bad[i]);
		st_request(t, "OPTIONS", "sip:bob@example.com", line, NULL);
		expect_fail(t, SANITY_CSEQ_VALUE, ALL_URIS, 400, "CSeq number is illegal", false);
	}
	/* no method: the CSeq cannot be read, a failure upstream never answers */
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 1\n", NULL);
	expect_fail(t, SANITY_CSEQ_VALUE, ALL_URIS, 0, NULL, true);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq:\n", NULL);
	expect_fail(t, SANITY_CSEQ_VALUE, ALL_URIS, 0, NULL, true);
	load_without(t, "CSeq", "", 0);
	expect_fail(t, SANITY_CSEQ_VALUE, ALL_URIS, 0, NULL, true);
}

/* 128: Content-Length is what follows the headers in the datagram */
static void test_content_length(void **state)
{
	struct st *t = *state;

	st_request(t, "MESSAGE", "sip:bob@example.com", NULL, "hello");
	expect_pass(t, SANITY_CL, ALL_URIS);
	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	expect_pass(t, SANITY_CL, ALL_URIS);
	/* the core keeps the first 3 bytes as the body; the check sees 5 */
	st_request(t, "MESSAGE", "sip:bob@example.com", "Content-Length: 3\n", "hello");
	assert_int_equal(t->msg.body.len, 3);
	expect_fail(t, SANITY_CL, ALL_URIS, 400, "Content-Length mis-match", false);
	st_request(t, "MESSAGE", "sip:bob@example.com", "Content-Length: 0\n", "x");
	expect_fail(t, SANITY_CL, ALL_URIS, 400, "Content-Length mis-match", false);
	/* no Content-Length on a datagram: nothing to compare */
	st_load(t, "MESSAGE sip:bob@example.com SIP/2.0\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-c\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
	           "Call-ID: c\nCSeq: 1 MESSAGE\n\nhello");
	expect_pass(t, SANITY_CL, ALL_URIS);
}

/* 256: the first Expires is an unsigned 32-bit integer */
static void test_expires(void **state)
{
	static const char *const good[] = {"0", "3600", "4294967295"};
	static const char *const bad[] = {"abc", "4294967296", "012345678901", "12 abc", "-1"};
	struct st *t = *state;
	char line[64];

	st_request(t, "REGISTER", "sip:example.com", NULL, NULL);
	expect_pass(t, SANITY_EXPIRES_VALUE, ALL_URIS);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "Expires: %s\n", good[i]);
		st_request(t, "REGISTER", "sip:example.com", line, NULL);
		expect_pass(t, SANITY_EXPIRES_VALUE, ALL_URIS);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "Expires: %s\n", bad[i]);
		st_request(t, "REGISTER", "sip:example.com", line, NULL);
		expect_fail(t, SANITY_EXPIRES_VALUE, ALL_URIS, 400, "Expires value is illegal",
		            false);
	}
	st_request(t, "REGISTER", "sip:example.com", "Expires: \n", NULL);
	expect_fail(t, SANITY_EXPIRES_VALUE, ALL_URIS, 400, "Bad Expires Header", false);
	/* the first one only, as upstream */
	st_request(t, "REGISTER", "sip:example.com", "Expires: 60\nExpires: abc\n", NULL);
	expect_pass(t, SANITY_EXPIRES_VALUE, ALL_URIS);
}

/* 512: Proxy-Require against modparam proxy_require ("foo, bar ,, baz-2 " here) */
static void test_proxy_require(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	expect_pass(t, SANITY_PROXY_REQUIRE, ALL_URIS);
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Proxy-Require: foo, bar\n"
	           "Proxy-Require: baz-2\n",
	           NULL);
	expect_pass(t, SANITY_PROXY_REQUIRE, ALL_URIS);
	expect_reply_hdrs(t, "");
	/* option tags are tokens: case does not matter (upstream compares bytes) */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: FOO\n", NULL);
	expect_pass(t, SANITY_PROXY_REQUIRE, ALL_URIS);

	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: foo, qux\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 420, "Bad Proxy Require Extension", false);
	expect_reply_hdrs(t, "Unsupported: qux\r\n");
	/* every line, every unsupported tag named */
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Proxy-Require: foo, qux\nProxy-Require: bar, quux\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 420, "Bad Proxy Require Extension", false);
	expect_reply_hdrs(t, "Unsupported: qux, quux\r\n");
	/* an empty item of the list is not an extension */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: baz\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 420, "Bad Proxy Require Extension", false);

	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require:\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 400, "Bad Proxy Require Header", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: foo,,bar\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 400, "Bad Proxy Require Header", false);
	expect_reply_hdrs(t, "");

	/* no list: every extension is unsupported */
	assert_int_equal(sanity_proxy_require_set(""), 0);
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: foo\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 420, "Bad Proxy Require Extension", false);
	expect_reply_hdrs(t, "Unsupported: foo\r\n");
	assert_int_equal(sanity_proxy_require_set(NULL), 0);
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: foo\n", NULL);
	expect_fail(t, SANITY_PROXY_REQUIRE, ALL_URIS, 420, "Bad Proxy Require Extension", false);
}

/* 1024: the URIs uri_checks names */
static void test_parse_uris(void **state)
{
	struct st *t = *state;

	st_request(t, "INVITE", "sip:bob@example.com",
	           "CSeq: 1 INVITE\nContact: <sip:alice@192.0.2.1>;expires=60, <tel:+1234>\n",
	           NULL);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS);
	st_request(t, "OPTIONS", "urn:service:sos",
	           "From: <tel:+1234>;tag=1\nTo: <urn:service:sos>\n", NULL);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS);

	st_request(t, "OPTIONS", "http://example.com/", NULL, NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_RURI, 400, "Bad Request URI", false);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS & ~SANITY_URI_RURI);

	st_request(t, "OPTIONS", "sip:bob@example.com", "From: <http://example.com/>;tag=1\n",
	           NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_FROM, 400, "Invalid From Header", false);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS & ~SANITY_URI_FROM);
	st_request(t, "OPTIONS", "sip:bob@example.com", "From: <sip:bob@>;tag=1\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_FROM, 400, "Invalid From Header", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "From: <sip:a@example.com\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_FROM, 400, "Invalid From Header", false);
	load_without(t, "From", "", 0);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_FROM, 0, NULL, true);

	st_request(t, "OPTIONS", "sip:bob@example.com", "To: <http://example.com/>\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_TO, 400, "Invalid To Header", false);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS & ~SANITY_URI_TO);
	load_without(t, "To", "", 0);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_TO, 0, NULL, true);

	st_request(t, "OPTIONS", "sip:bob@example.com", "Contact: <http://example.com/>\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_CONTACT, 400, "Bad Contact URI", false);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS & ~SANITY_URI_CONTACT);
	/* every Contact value, not only the first */
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Contact: <sip:a@192.0.2.1>\nContact: <sip:b@192.0.2.1>, <im:x@example.com>\n",
	           NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_CONTACT, 400, "Bad Contact URI", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "Contact: <sip:a@192.0.2.1\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_CONTACT, 400, "Bad Contact Header", false);
	st_request(t, "REGISTER", "sip:example.com", "Contact: *\nExpires: 0\n", NULL);
	expect_pass(t, SANITY_PARSE_URIS, ALL_URIS);

	/* the first failing URI in the order R-URI, From, To, Contact */
	st_request(t, "OPTIONS", "http://example.com/",
	           "From: <http://example.com/>;tag=1\nTo: <http://example.com/>\n", NULL);
	expect_fail(t, SANITY_PARSE_URIS, ALL_URIS, 400, "Bad Request URI", false);
	expect_fail(t, SANITY_PARSE_URIS, SANITY_URI_TO | SANITY_URI_FROM, 400,
	            "Invalid From Header", false);
}

#define DIGEST_OK                                                                                  \
	"Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\", "                         \
	"uri=\"sip:bob@example.com\", response=\"0123456789abcdef0123456789abcdef\""

/* Authorization: value of an OPTIONS, run through check bits */
static void load_auth(struct st *t, const char *name, const char *value)
{
	char line[512];

	snprintf(line, sizeof(line), "%s: %s\n", name, value);
	st_request(t, "OPTIONS", "sip:bob@example.com", line, NULL);
}

/* 2048 and 8192: Digest credentials with every parameter they need */
static void test_digest(void **state)
{
	static const struct {
		const char *value;
		const char *reason;
	} bad[] = {
	        {"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\"",
	         "Bad Auth Credentials"},
	        {"Digest realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"1\"",
	         "Bad Auth Credentials"},
	        {"Digest username=\"a\", nonce=\"n\", uri=\"sip:x\", response=\"1\"",
	         "Bad Auth Credentials"},
	        {"Digest username=\"a\", realm=\"r\", uri=\"sip:x\", response=\"1\"",
	         "Bad Auth Credentials"},
	        {"Digest username=\"a\", realm=\"r\", nonce=\"n\", response=\"1\"",
	         "Bad Auth Credentials"},
	        {"Digest username=\"a\" realm", "Bad Auth Credentials"},
	        {"Digest", "Bad Auth Credentials"},
	        /* qop=auth needs cnonce and nc */
	        {"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"1\", "
	         "qop=auth, cnonce=\"c\"",
	         "Bad Auth Credentials"},
	        {"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"1\", "
	         "qop=\"auth-int\", nc=00000001",
	         "Bad Auth Credentials"},
	        {"Digest username=\"\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"1\"",
	         "Auth Empty User"},
	        {"Digest username=\"a\", realm=\"r\", nonce=\"\", uri=\"sip:x\", response=\"1\"",
	         "Auth Empty Nonce"},
	        {"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"\"",
	         "Auth Empty Response"},
	        {"Digest username=\"a, realm=\"r\"", "Bad Auth Header"},
	        {"Digest username", "Bad Auth Header"},
	        {"Digest username=\"a\",, realm=\"r\"", "Bad Auth Header"},
	};
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	expect_pass(t, SANITY_DIGEST | SANITY_AUTHORIZATION, ALL_URIS);
	load_auth(t, "Authorization", DIGEST_OK);
	expect_pass(t, SANITY_DIGEST | SANITY_AUTHORIZATION, ALL_URIS);
	load_auth(t, "Authorization",
	          "digest username=a, realm=r, nonce=n, uri=\"sip:x\", "
	          "response=1, qop=auth-int, cnonce=c, nc=00000001");
	expect_pass(t, SANITY_DIGEST | SANITY_AUTHORIZATION, ALL_URIS);
	/* an empty realm is a realm */
	load_auth(t, "Authorization",
	          "Digest username=\"a\", realm=\"\", nonce=\"n\", "
	          "uri=\"sip:x\", response=\"1\"");
	expect_pass(t, SANITY_DIGEST | SANITY_AUTHORIZATION, ALL_URIS);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load_auth(t, "Authorization", bad[i].value);
		expect_fail(t, SANITY_DIGEST, ALL_URIS, 400, bad[i].reason, false);
		expect_fail(t, SANITY_AUTHORIZATION, ALL_URIS, 400, bad[i].reason, false);
		load_auth(t, "Proxy-Authorization", bad[i].value);
		expect_fail(t, SANITY_DIGEST, ALL_URIS, 400, bad[i].reason, false);
		expect_fail(t, SANITY_AUTHORIZATION, ALL_URIS, 400, bad[i].reason, false);
	}
	/* every line: a good Authorization, then a bad Proxy-Authorization */
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Authorization: " DIGEST_OK "\nAuthorization: " DIGEST_OK "\n"
	           "Proxy-Authorization: Digest username=\"a\", realm=\"r\", nonce=\"\", "
	           "uri=\"sip:x\", response=\"1\"\n",
	           NULL);
	expect_fail(t, SANITY_DIGEST, ALL_URIS, 400, "Auth Empty Nonce", false);
	expect_fail(t, SANITY_AUTHORIZATION, ALL_URIS, 400, "Auth Empty Nonce", false);
	load_auth(t, "Authorization", "");
	expect_fail(t, SANITY_DIGEST, ALL_URIS, 400, "Bad Auth Header", false);
}

/* Other schemes: 2048 fails them (no reply of its own), 8192 lets them pass */
static void test_digest_other_scheme(void **state)
{
	struct st *t = *state;

	load_auth(t, "Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l");
	expect_fail(t, SANITY_DIGEST, ALL_URIS, 0, NULL, false);
	expect_pass(t, SANITY_AUTHORIZATION, ALL_URIS);
	load_auth(t, "Proxy-Authorization", "Bearer abc");
	expect_fail(t, SANITY_DIGEST, ALL_URIS, 0, NULL, false);
	expect_pass(t, SANITY_AUTHORIZATION, ALL_URIS);
	/* 8192 goes on to the Digest credentials after another scheme */
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\n"
	           "Proxy-Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\", "
	           "uri=\"sip:x\"\n",
	           NULL);
	expect_fail(t, SANITY_AUTHORIZATION, ALL_URIS, 400, "Bad Auth Credentials", false);
}

/* 4096: one tag in From, one in To */
static void test_duptags(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "To: <sip:b@example.com>;tag=t1\n", NULL);
	expect_pass(t, SANITY_DUPTAGS, ALL_URIS);
	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	expect_pass(t, SANITY_DUPTAGS, ALL_URIS);
	/* the core refuses these when it reads From/To; the check tells why */
	st_request(t, "OPTIONS", "sip:bob@example.com", "From: <sip:a@example.com>;tag=1;tag=2\n",
	           NULL);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 400, "Many From Tag Params", false);
	st_request(t, "OPTIONS", "sip:bob@example.com",
	           "From: \"A <x>; tag=\" <sip:a@example.com;tag=u>;tag=1;x=y;TAG=2\n", NULL);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 400, "Many From Tag Params", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "From: sip:a@example.com;tag=1;tag=2\n",
	           NULL);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 400, "Many From Tag Params", false);
	st_request(t, "OPTIONS", "sip:bob@example.com", "To: <sip:b@example.com>;tag=1;TAG=2\n",
	           NULL);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 400, "Many To Tag Params", false);
	/* a tag inside the URI is a URI parameter, not a second tag */
	st_request(t, "OPTIONS", "sip:bob@example.com", "To: <sip:b@example.com;tag=u>;tag=1\n",
	           NULL);
	expect_pass(t, SANITY_DUPTAGS, ALL_URIS);
	/* malformed otherwise, or missing: no reply (upstream flags the request) */
	st_request(t, "OPTIONS", "sip:bob@example.com", "From: <sip:a@example.com;tag=1\n", NULL);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 0, NULL, true);
	load_without(t, "To", "", 0);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 0, NULL, true);
}

/* The first failing check in upstream's order answers, whatever the bit values */
static void test_order(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "http://example.com/",
	           "CSeq: 00000000001 OPTIONS\nExpires: x\nProxy-Require: qux\n"
	           "From: <sip:a@example.com>;tag=1;tag=2\n"
	           "Authorization: Digest username=\"\", realm=\"r\", nonce=\"n\", "
	           "uri=\"sip:x\", response=\"1\"\n",
	           NULL);
	expect_fail(t, SANITY_MAX_CHECKS, ALL_URIS, 400, "Bad Request URI", false);
	expect_fail(t, SANITY_MAX_CHECKS & ~SANITY_RURI_SCHEME, ALL_URIS, 400,
	            "CSeq number is illegal", false);
	expect_fail(t, SANITY_DUPTAGS | SANITY_DIGEST | SANITY_EXPIRES_VALUE, ALL_URIS, 400,
	            "Expires value is illegal", false);
	expect_fail(t, SANITY_DUPTAGS | SANITY_AUTHORIZATION | SANITY_PROXY_REQUIRE, ALL_URIS, 420,
	            "Bad Proxy Require Extension", false);
	/* digest (2048) and authorization (8192) run before the tags (4096) */
	expect_fail(t, SANITY_DUPTAGS | SANITY_AUTHORIZATION, ALL_URIS, 400, "Auth Empty User",
	            false);
	expect_fail(t, SANITY_DUPTAGS, ALL_URIS, 400, "Many From Tag Params", false);
	/* the defaults (3047) on a good request */
	st_request(t, "INVITE", "sip:bob@example.com",
	           "CSeq: 10 INVITE\nProxy-Require: foo\nExpires: 60\n"
	           "Authorization: " DIGEST_OK "\n",
	           "v=0");
	expect_pass(t, SANITY_DEFAULT_CHECKS, SANITY_DEFAULT_URI_CHECKS);
	expect_pass(t, SANITY_MAX_CHECKS, ALL_URIS);
}

/* Replies: the request-line checks and Proxy-Require do not apply; the others do */
static void test_replies(void **state)
{
	struct st *t = *state;
	const char *reply = "SIP/2.0 200 OK\n"
	                    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p\n"
	                    "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\n"
	                    "Call-ID: p\nCSeq: 1 INVITE\nProxy-Require: qux\n"
	                    "Contact: <sip:b@192.0.2.2>\nContent-Length: 0\n\n";

	st_load(t, reply);
	assert_int_equal(t->msg.type, KSR_MSG_REPLY);
	expect_pass(t, SANITY_MAX_CHECKS, ALL_URIS);
	st_load(t, "SIP/2.0 200 OK\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\n"
	           "Call-ID: p\nCSeq: 1 REGISTER\nExpires: never\nContent-Length: 0\n\n");
	expect_fail(t, SANITY_MAX_CHECKS, ALL_URIS, 400, "Expires value is illegal", false);
	st_load(t, "SIP/2.0 200 OK\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\n"
	           "Call-ID: p\nCSeq: 1 INVITE\nContact: <http://example.com/>\n"
	           "Content-Length: 0\n\n");
	expect_fail(t, SANITY_PARSE_URIS, ALL_URIS, 400, "Bad Contact URI", false);
	expect_reply_hdrs(t, "");
}

/* Every check on every prefix of a request: a result, never a crash (run under valgrind) */
static void test_truncated(void **state)
{
	struct st *t = *state;
	const char *full = "INVITE sip:bob@example.com SIP/2.0\r\n"
	                   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-x;rport\r\n"
	                   "From: \"A\" <sip:a@example.com>;tag=1\r\n"
	                   "To: <sip:b@example.com>;tag=2\r\n"
	                   "Call-ID: x\r\nCSeq: 7 INVITE\r\nExpires: 60\r\n"
	                   "Proxy-Require: foo\r\nContact: <sip:a@192.0.2.1>, *\r\n"
	                   "Authorization: " DIGEST_OK "\r\n"
	                   "Content-Length: 5\r\n\r\nhello";
	size_t n = strlen(full);

	for (size_t len = 0; len <= n; len++) {
		struct sanity_fail f;
		const char *err;
		int r;

		free(t->buf);
		t->buf = malloc(len + 1);
		assert_non_null(t->buf);
		memcpy(t->buf, full, len);
		t->buf[len] = '\0';
		ksr_arena_reset(&t->arena);
		r = ksr_msg_parse(&t->msg, t->buf, len, &t->arena, &err);
		if (r != 0 && r != -EINVAL && r != -EPROTONOSUPPORT)
			continue;
		t->msg.arena = &t->arena;
		for (unsigned int uris = 1; uris <= ALL_URIS; uris++) {
			r = sanity_run(&t->msg, SANITY_MAX_CHECKS, uris, &f);
			assert_true(r == 0 || r == 1);
		}
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_ruri_sip_version),
	        T(test_ruri_scheme),
	        T(test_required_headers),
	        T(test_via1),
	        T(test_via_disabled),
	        T(test_cseq_method),
	        T(test_cseq_value),
	        T(test_content_length),
	        T(test_expires),
	        T(test_proxy_require),
	        T(test_parse_uris),
	        T(test_digest),
	        T(test_digest_other_scheme),
	        T(test_duptags),
	        T(test_order),
	        T(test_replies),
	        T(test_truncated),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
