/*
 * xhttp: HTTP/1.x request framing and checks (xhttp_parse.c): what is claimed as HTTP,
 * keep-alive, Content-Length and chunked bodies, requests cut short, and what RFC 7230
 * has a server refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem/arena.h"
#include "xhttp_parse.h"

static struct ksr_arena arena;

static int setup(void **state)
{
	ksr_arena_init(&arena, 4096);
	return 0;
}

static int teardown(void **state)
{
	ksr_arena_destroy(&arena);
	return 0;
}

/* Parse a copy of text (as it sits in a connection's buffer). */
static int parse(const char *text, struct xhttp_request *req, const char **ret_why)
{
	static char buf[200000];
	size_t n = strlen(text);

	memcpy(buf, text, n + 1);
	ksr_arena_reset(&arena);
	return xhttp_parse_request(buf, n, &arena, req, ret_why);
}

static bool line(const char *l)
{
	return xhttp_is_request_line(l, strlen(l));
}

static bool str_is(struct ksr_str s, const char *c)
{
	return s.len == strlen(c) && !memcmp(s.s, c, s.len);
}

static void test_claim(void **state)
{
	assert_true(line("GET / HTTP/1.1"));
	assert_true(line("POST /RPC?x=1 HTTP/1.0"));
	assert_true(line("GET  HTTP/1.1")); /* claimed, then refused with 400 */
	assert_true(line("PRI * HTTP/2.0"));
	assert_false(line("OPTIONS sip:bob@example.com SIP/2.0"));
	assert_false(line("SIP/2.0 200 OK"));
	assert_false(line("HTTP/1.1 200 OK"));
	assert_false(line("GET / HTTP/1.1 "));
	assert_false(line("GET / http/1.1"));
	assert_false(line(" GET / HTTP/1.1"));
	assert_false(line(""));
}

static void test_get(void **state)
{
	const char *text = "\r\nGET /a?b=c HTTP/1.1\r\nHost: x\r\nX-A:  v  \r\n\r\nGET /next";
	struct xhttp_request req;

	assert_int_equal(parse(text, &req, NULL), 0);
	assert_true(str_is(req.method, "GET"));
	assert_true(str_is(req.target, "/a?b=c"));
	assert_int_equal(req.minor, 1);
	assert_true(req.keep_alive);
	assert_int_equal(req.body.len, 0);
	/* the empty line before it is skipped, the next request is left */
	assert_int_equal(req.used, strlen(text) - strlen("GET /next"));
	assert_true(str_is(req.head, "GET /a?b=c HTTP/1.1\r\nHost: x\r\nX-A:  v  \r\n\r\n"));
}

static void test_keep_alive(void **state)
{
	struct xhttp_request req;

	assert_int_equal(
	        parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &req, NULL), 0);
	assert_false(req.keep_alive);
	assert_int_equal(
	        parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: TE, Close\r\n\r\n", &req, NULL), 0);
	assert_false(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req, NULL), 0);
	assert_false(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &req, NULL), 0);
	assert_true(req.keep_alive);
	/* bare LF line ends (RFC 7230 3.5) */
	assert_int_equal(parse("GET / HTTP/1.1\nHost: x\n\n", &req, NULL), 0);
	assert_true(req.keep_alive);
}

static void test_content_length(void **state)
{
	struct xhttp_request req;

	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET",
	                       &req, NULL),
	                 0);
	assert_true(str_is(req.body, "hello"));
	assert_int_equal(req.used, strlen("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
	                                  "hello"));
	/* the same value twice is one value */
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
	                       "content-length: 2\r\n\r\nab",
	                       &req, NULL),
	                 0);
	assert_true(str_is(req.body, "ab"));
}

static void test_incomplete(void **state)
{
	struct xhttp_request req;

	assert_int_equal(parse("GET / HT", &req, NULL), -EAGAIN);
	assert_false(req.head_done);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &req, NULL), -EAGAIN);
	assert_false(req.head_done);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
	                       "Content-Length: 4\r\n\r\n",
	                       &req, NULL),
	                 -EAGAIN);
	assert_true(req.head_done);
	assert_true(req.expect_continue);
	assert_int_equal(req.body_seen, 0);
	assert_int_equal(
	        parse("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", &req, NULL),
	        -EAGAIN);
	assert_int_equal(req.body_seen, 2);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                       "5\r\nhel",
	                       &req, NULL),
	                 -EAGAIN);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                       "0\r\n",
	                       &req, NULL),
	                 -EAGAIN);
}

static void test_chunked(void **state)
{
	const char *text =
	        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
	        "5\r\nhello\r\nA;name=value\r\n 012345678\r\n0\r\nX-Trailer: t\r\n\r\nnext";
	struct xhttp_request req;

	assert_int_equal(parse(text, &req, NULL), 0);
	assert_true(str_is(req.body, "hello 012345678"));
	assert_int_equal(req.used, strlen(text) - 4);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                       "0\r\n\r\n",
	                       &req, NULL),
	                 0);
	assert_int_equal(req.body.len, 0);
}

/* Each malformed request with the refusal it gets. */
static void test_refused(void **state)
{
	static const struct {
		const char *text;
		int err, status;
	} cases[] = {
	        {"GET / HTTP/1.1\r\n\r\n", -EINVAL, 400}, /* no Host */
	        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1\r\nHost a\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", -EINVAL, 400},
	        {"GET  HTTP/1.1\r\nHost: a\r\n\r\n", -EINVAL, 400},
	        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", -EINVAL, 400},
	        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", -EINVAL, 400},
	        {"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", -EINVAL, 400},
	        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", -EINVAL, 400},
	        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	         -EINVAL, 400},
	        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n"
	         "\r\n",
	         -EINVAL, 400},
	        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -ENOSYS,
	         501},
	        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", -EINVAL,
	         400},
	        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
	         -EINVAL, 400},
	        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", -EPROTONOSUPPORT, 505},
	        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n", -E2BIG, 413},
	        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", -E2BIG, 413},
	};
	struct xhttp_request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL, *reason = NULL;
		int r = parse(cases[i].text, &req, &why);

		if (r != cases[i].err)
			fail_msg("case %zu: %d, not %d (%s)", i, r, cases[i].err, why ? why : "");
		assert_non_null(why);
		assert_int_equal(xhttp_refusal_status(r, &reason), cases[i].status);
		assert_non_null(reason);
	}
}

static void test_limits(void **state)
{
	static char text[100000];
	struct xhttp_request req;
	size_t n;

	/* too many header fields */
	n = (size_t)sprintf(text, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < XHTTP_MAX_HEADERS; i++)
		n += (size_t)sprintf(text + n, "X-%d: v\r\n", i);
	strcpy(text + n, "\r\n");
	assert_int_equal(parse(text, &req, NULL), -EMSGSIZE);
	/* a head that never ends */
	n = (size_t)sprintf(text, "GET / HTTP/1.1\r\nHost: x\r\nX: ");
	memset(text + n, 'a', XHTTP_MAX_HEAD);
	text[n + XHTTP_MAX_HEAD] = '\0';
	assert_int_equal(parse(text, &req, NULL), -EMSGSIZE);
	/* a chunked body over the limit, decoded or not */
	n = (size_t)sprintf(text, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                          "FFFFF\r\n");
	assert_int_equal(parse(text, &req, NULL), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_claim),      cmocka_unit_test(test_get),
	        cmocka_unit_test(test_keep_alive), cmocka_unit_test(test_content_length),
	        cmocka_unit_test(test_incomplete), cmocka_unit_test(test_chunked),
	        cmocka_unit_test(test_refused),    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
