/*
 * The sanity module's script functions and parameters (src/modules/sanity/sanity.c): the
 * return codes with and without autodrop, the replies as they leave a real loopback UDP
 * socket, noreply with sanity_reply(), and the ranges refused at load. Codes and reasons
 * were compared with the reference daemon (Kamailio 5.6.3) on the same requests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/module/module-t.h"
#include "sanity.h"
#include "sanity_test.h"

#define NO_ARG (-9999) /* call() without that parameter */

/*
 * A call as the interpreter makes it: the fixup at load (-1000 when it refuses), then the
 * function. dynamic: the values come from pseudo-variables, unknown to the fixup.
 */
static int call_x(struct st *t, bool dynamic, long a, long b)
{
	int n = a == NO_ARG ? 0 : b == NO_ARG ? 1 : 2;
	const struct ksr_cmd_export *c = cmd_n("sanity_check", n);
	struct ksr_fparam p[KSR_MAX_PARAMS] = {{0}};
	const char *err = NULL;
	long v[2] = {a, b};

	for (int i = 0; i < n; i++) {
		assert_int_equal(c->params[i], KSR_PT_INT);
		p[i] = dynamic ? (struct ksr_fparam){.type = KSR_PT_STR,
		                                     .s = KSR_STR_STATIC("$var(x)"),
		                                     .dynamic = true}
		               : (struct ksr_fparam){.type = KSR_PT_INT, .i = v[i]};
	}
	if (c->fixup && c->fixup(p, n, &err) < 0) {
		assert_non_null(err);
		return -1000;
	}
	for (int i = 0; i < n; i++)
		p[i] = (struct ksr_fparam){.type = KSR_PT_INT, .i = v[i], .dynamic = dynamic};
	return c->func(&t->msg, p);
}

#define CHECK0(t) call_x((t), false, NO_ARG, NO_ARG)
#define CHECK1(t, a) call_x((t), false, (a), NO_ARG)
#define CHECK2(t, a, b) call_x((t), false, (a), (b))

static int reply_fn(struct st *t)
{
	return cmd_n("sanity_reply", 0)->func(&t->msg, NULL);
}

static const struct ksr_param_export *param(const char *name)
{
	for (const struct ksr_param_export *p = ksr_module_exports.params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	fail_msg("no parameter %s", name);
	return NULL;
}

/* modparam(): as the loader sets each kind; the setter's result for the checked ones. */
static int set_int(const char *name, long v)
{
	const struct ksr_param_export *p = param(name);
	struct ksr_fparam val = {.type = KSR_PT_INT, .i = v};
	const char *err = NULL;

	if (p->type == KSR_MP_INT) {
		*(int *)p->target = (int)v;
		return 0;
	}
	assert_int_equal(p->type, KSR_MP_FUNC);
	return p->set(&val, &err);
}

static int set_str(const char *name, const char *v)
{
	const struct ksr_param_export *p = param(name);
	struct ksr_fparam val = {.type = KSR_PT_STR, .s = ksr_str_make((char *)v, strlen(v))};
	const char *err = NULL;

	if (p->type == KSR_MP_STR) {
		*(char **)p->target = (char *)v;
		return 0;
	}
	assert_int_equal(p->type, KSR_MP_FUNC);
	return p->set(&val, &err);
}

static int setup(void **state)
{
	st_setup(state);
	assert_int_equal(set_int("default_checks", SANITY_DEFAULT_CHECKS), 0);
	assert_int_equal(set_int("uri_checks", SANITY_DEFAULT_URI_CHECKS), 0);
	assert_int_equal(set_int("autodrop", 1), 0);
	assert_int_equal(set_int("noreply", 0), 0);
	assert_int_equal(set_str("proxy_require", "foo"), 0);
	assert_int_equal(ksr_module_exports.mod_init(), 0);
	return 0;
}

static int teardown(void **state)
{
	ksr_module_exports.destroy();
	return st_teardown(state);
}

/* The reply read back starts with status_line and has each of the lines in want. */
static void expect_reply(struct st *t, const char *status_line, const char *want_lines)
{
	const char *r = st_reply(t);
	char line[256];

	if (!r)
		fail_msg("no reply, want '%s'", status_line);
	snprintf(line, sizeof(line), "%s\r\n", status_line);
	if (strncmp(r, line, strlen(line)) != 0)
		fail_msg("reply:\n%s\nwant status line '%s'", r, status_line);
	for (const char *w = want_lines; w && *w; w += strlen(w) + 1) {
		snprintf(line, sizeof(line), "\r\n%s\r\n", w);
		if (!strstr(r, line))
			fail_msg("reply:\n%s\nwants the line '%s'", r, w);
	}
	assert_non_null(strstr(r, "\r\n\r\n"));
}

static void expect_no_reply(struct st *t)
{
	const char *r = st_reply(t);

	if (r)
		fail_msg("unexpected reply:\n%s", r);
}

static void test_pass(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: foo\nExpires: 10\n", NULL);
	assert_int_equal(CHECK0(t), 1);
	assert_int_equal(CHECK1(t, SANITY_MAX_CHECKS), 1);
	assert_int_equal(CHECK2(t, SANITY_MAX_CHECKS, SANITY_MAX_URI_CHECKS), 1);
	expect_no_reply(t);
}

/* autodrop (default 1): a failure answers and stops the script (0) */
static void test_fail_autodrop(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 00000000001 OPTIONS\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_reply(t, "SIP/2.0 400 CSeq number is illegal",
	             "CSeq: 00000000001 OPTIONS\0Call-ID: st-1\0Content-Length: 0\0");
	/* the request's Via, with where it came from (RFC 3581) */
	assert_non_null(strstr(t->reply, "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-st;"));
	assert_non_null(strstr(t->reply, "received=127.0.0.1"));
}

/* autodrop 0: the same reply, and -1 for the script to go on */
static void test_fail_no_autodrop(void **state)
{
	struct st *t = *state;

	assert_int_equal(set_int("autodrop", 0), 0);
	st_request(t, "REGISTER", "sip:example.com", "Expires: soon\n", NULL);
	assert_int_equal(CHECK0(t), -1);
	expect_reply(t, "SIP/2.0 400 Expires value is illegal", "CSeq: 1 REGISTER\0");
	st_request(t, "REGISTER", "sip:example.com", "Expires: 60\n", NULL);
	assert_int_equal(CHECK0(t), 1);
	expect_no_reply(t);
}

/* 420 carries the Unsupported header with the unknown extensions */
static void test_proxy_require_420(void **state)
{
	struct st *t = *state;

	st_request(t, "INVITE", "sip:bob@example.com", "CSeq: 5 INVITE\nProxy-Require: foo, bar\n",
	           NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_reply(t, "SIP/2.0 420 Bad Proxy Require Extension",
	             "Unsupported: bar\0CSeq: 5 INVITE\0");
	st_request(t, "INVITE", "sip:bob@example.com", "CSeq: 5 INVITE\nProxy-Require: foo\n",
	           NULL);
	assert_int_equal(CHECK0(t), 1);
	expect_no_reply(t);
}

static void test_version_505(void **state)
{
	struct st *t = *state;

	/* the receive path answers this one before a script; the check still does */
	st_load_r(t,
	          "OPTIONS sip:bob@example.com SIP/3.0\n"
	          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-v;rport\n"
	          "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
	          "Call-ID: v\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n",
	          -EPROTONOSUPPORT);
	assert_int_equal(CHECK1(t, SANITY_RURI_SIP_VERSION), 0);
	expect_reply(t, "SIP/2.0 505 Version Not Supported (R-URI)", NULL);
}

static void test_content_length_400(void **state)
{
	struct st *t = *state;

	st_request(t, "MESSAGE", "sip:bob@example.com", "CSeq: 2 MESSAGE\nContent-Length: 2\n",
	           "hello");
	assert_int_equal(CHECK0(t), 0);
	expect_reply(t, "SIP/2.0 400 Content-Length mis-match", "Content-Length: 0\0");
}

/* Failures upstream never answers: nothing sent, the result is still a failure */
static void test_unanswered_failures(void **state)
{
	struct st *t = *state;

	st_load(t, "OPTIONS sip:bob@example.com SIP/2.0\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u;rport\n"
	           "To: <sip:b@example.com>\nCall-ID: u\nCSeq: 1 OPTIONS\n\n");
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	/* another scheme than Digest fails check 2048 (in the defaults) without a reply */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Authorization: Basic YTpi\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	assert_int_equal(CHECK1(t, SANITY_AUTHORIZATION), 1);
}

/* ACK and replies are never answered */
static void test_ack_and_replies(void **state)
{
	struct st *t = *state;

	st_request(t, "ACK", "sip:bob@example.com", "CSeq: 00000000001 ACK\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	assert_int_equal(reply_fn(t), 1);
	expect_no_reply(t);

	st_load(t, "SIP/2.0 200 OK\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p;rport\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\n"
	           "Call-ID: p\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
	assert_int_equal(CHECK0(t), 1); /* the request line checks do not apply */
	st_load(t, "SIP/2.0 200 OK\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p;rport\n"
	           "From: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\n"
	           "Call-ID: p\nCSeq: 1x OPTIONS\nContent-Length: 0\n\n");
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	assert_int_equal(set_int("autodrop", 0), 0);
	assert_int_equal(CHECK0(t), -1);
	assert_int_equal(set_int("noreply", 1), 0);
	assert_int_equal(reply_fn(t), 1);
	expect_no_reply(t);
}

/* noreply: nothing sent by sanity_check(); sanity_reply() sends it */
static void test_noreply(void **state)
{
	struct st *t = *state;

	assert_int_equal(set_int("noreply", 1), 0);
	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 99999999999 OPTIONS\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 400 CSeq number is illegal", NULL);

	/* the Unsupported header is added by the check, so sanity_reply()'s 420 has it */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Proxy-Require: baz\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_no_reply(t);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 420 Bad Proxy Require Extension", "Unsupported: baz\0");
}

/* sanity_reply() with nothing of this message to send: 500, as upstream */
static void test_noreply_nothing_pending(void **state)
{
	struct st *t = *state;

	assert_int_equal(set_int("noreply", 1), 0);
	st_request(t, "OPTIONS", "sip:bob@example.com", NULL, NULL);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 500 Server Sanity Failure", NULL);
	/* checked and passed: the earlier state does not linger */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Expires: x\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	assert_int_equal(CHECK1(t, SANITY_CSEQ_VALUE), 1);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 500 Server Sanity Failure", NULL);
	/* a failure without an answer of its own */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Authorization: Basic YTpi\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 500 Server Sanity Failure", NULL);
	/* another message in the same buffer and struct is not the one that failed */
	st_request(t, "OPTIONS", "sip:bob@example.com", "Expires: x\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	st_request(t, "OPTIONS", "sip:bob@example.com", "Expires: y\n", NULL);
	assert_int_equal(reply_fn(t), 1);
	expect_reply(t, "SIP/2.0 500 Server Sanity Failure", NULL);
}

/* A failure upstream flags as never to be answered: sanity_reply() sends nothing */
static void test_noreply_silent(void **state)
{
	struct st *t = *state;

	assert_int_equal(set_int("noreply", 1), 0);
	st_load(t, "OPTIONS sip:bob@example.com SIP/2.0\n"
	           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u;rport\n"
	           "From: <sip:a@example.com>;tag=1\nCall-ID: u\nCSeq: 1 OPTIONS\n\n");
	assert_int_equal(CHECK0(t), 0);
	assert_int_equal(reply_fn(t), 1);
	expect_no_reply(t);
}

/* Without noreply, sanity_reply() does nothing (the check has answered already) */
static void test_reply_without_noreply(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "Expires: x\n", NULL);
	assert_int_equal(CHECK0(t), 0);
	expect_reply(t, "SIP/2.0 400 Expires value is illegal", NULL);
	assert_int_equal(reply_fn(t), 1);
	expect_no_reply(t);
}

/* default_checks: what sanity_check() without parameters runs */
static void test_default_checks(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "CSeq: 00000000001 OPTIONS\n", NULL);
	assert_int_equal(set_int("default_checks", SANITY_EXPIRES_VALUE), 0);
	assert_int_equal(CHECK0(t), 1);
	assert_int_equal(set_str("default_checks", "64"), 0);
	assert_int_equal(CHECK0(t), 0);
	expect_reply(t, "SIP/2.0 400 CSeq number is illegal", NULL);
	/* a parameter replaces it */
	assert_int_equal(CHECK1(t, SANITY_EXPIRES_VALUE), 1);

	assert_int_equal(set_int("default_checks", 0), -EINVAL);
	assert_int_equal(set_int("default_checks", 32768), -EINVAL);
	assert_int_equal(set_str("default_checks", "many"), -EINVAL);
	assert_int_equal(set_str("default_checks", "12x"), -EINVAL);
	assert_int_equal(set_int("default_checks", 32767), 0);
}

/* uri_checks: which URIs 1024 parses when the function does not say */
static void test_uri_checks(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "To: <http://example.com/>\n", NULL);
	assert_int_equal(set_int("uri_checks", SANITY_URI_FROM), 0);
	assert_int_equal(CHECK1(t, SANITY_PARSE_URIS), 1);
	assert_int_equal(CHECK2(t, SANITY_PARSE_URIS, SANITY_URI_TO), 0);
	expect_reply(t, "SIP/2.0 400 Invalid To Header", NULL);
	assert_int_equal(set_int("uri_checks", SANITY_DEFAULT_URI_CHECKS), 0);
	assert_int_equal(CHECK1(t, SANITY_PARSE_URIS), 0);
	expect_reply(t, "SIP/2.0 400 Invalid To Header", NULL);

	assert_int_equal(set_int("uri_checks", 0), -EINVAL);
	assert_int_equal(set_int("uri_checks", 16), -EINVAL);
	assert_int_equal(set_str("uri_checks", "15"), 0);
}

/* Ranges: constants refused at load, values of variables refused on the call */
static void test_parameter_ranges(void **state)
{
	struct st *t = *state;

	st_request(t, "OPTIONS", "sip:bob@example.com", "Expires: x\n", NULL);
	assert_int_equal(CHECK1(t, 0), -1000);
	assert_int_equal(CHECK1(t, 32768), -1000);
	assert_int_equal(CHECK1(t, -1), -1000);
	assert_int_equal(CHECK2(t, 0, 1), -1000);
	assert_int_equal(CHECK2(t, 1024, 0), -1000);
	assert_int_equal(CHECK2(t, 1024, 16), -1000);
	assert_int_equal(CHECK2(t, 1, 15), 1);
	assert_int_equal(call_x(t, true, 0, NO_ARG), -1);
	assert_int_equal(call_x(t, true, 32768, 1), -1);
	assert_int_equal(call_x(t, true, 1024, 16), -1);
	assert_int_equal(call_x(t, true, 1024, 0), -1);
	expect_no_reply(t);
	assert_int_equal(call_x(t, true, SANITY_EXPIRES_VALUE, 1), 0);
	expect_reply(t, "SIP/2.0 400 Expires value is illegal", NULL);
}

static void test_exports(void **state)
{
	unsigned int routes = KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY;
	static const char *const params[] = {"default_checks", "uri_checks", "proxy_require",
	                                     "autodrop", "noreply"};

	assert_int_equal(cmd_n("sanity_check", 0)->route_types, routes);
	assert_int_equal(cmd_n("sanity_check", 1)->route_types, routes);
	assert_int_equal(cmd_n("sanity_check", 2)->route_types, routes);
	assert_int_equal(cmd_n("sanity_reply", 0)->route_types, routes);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		assert_non_null(param(params[i]));
	assert_string_equal(ksr_module_exports.name, "sanity");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_pass),
	        T(test_fail_autodrop),
	        T(test_fail_no_autodrop),
	        T(test_proxy_require_420),
	        T(test_version_505),
	        T(test_content_length_400),
	        T(test_unanswered_failures),
	        T(test_ack_and_replies),
	        T(test_noreply),
	        T(test_noreply_nothing_pending),
	        T(test_noreply_silent),
	        T(test_reply_without_noreply),
	        T(test_default_checks),
	        T(test_uri_checks),
	        T(test_parameter_ranges),
	        T(test_exports),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
