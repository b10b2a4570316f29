/* Tests of multipart bodies (src/core/parser/multipart.c): RFC 2046 5.1.1. */
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
#include "core/parser/hdr.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"

struct fixture {
	struct ksr_arena arena;
	char *buf; /* exactly sized: valgrind sees over-reads */
	struct ksr_msg msg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ksr_arena_init(&f->arena, 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	free(f->buf);
	free(f);
	return 0;
}

static struct ksr_str body(struct fixture *f, const char *text)
{
	size_t n = strlen(text);

	free(f->buf);
	f->buf = malloc(n ? n : 1);
	assert_non_null(f->buf);
	memcpy(f->buf, text, n);
	return ksr_str_make(f->buf, n);
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                          "t=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";

static void test_two_parts(void **state)
{
	struct fixture *f = *state;
	struct ksr_body_part *p = NULL;
	char text[1024];

	snprintf(text, sizeof(text),
	         "This is the preamble, ignored.\r\n"
	         "--unique-boundary-1\r\n"
	         "Content-Type: application/sdp\r\n"
	         "Content-Disposition: session\r\n"
	         "\r\n"
	         "%s"
	         "\r\n"
	         "--unique-boundary-1  \r\n"
	         "content-type: application/ISUP;version=itu-t92+\r\n"
	         "X-Folded: a,\r\n"
	         "  b\r\n"
	         "\r\n"
	         "8c 02 00\r\n"
	         "--unique-boundary-1--\r\n"
	         "epilogue, ignored\r\n"
	         "--unique-boundary-1\r\n",
	         sdp);
	assert_int_equal(ksr_parse_multipart(body(f, text), KSR_STR_STATIC("unique-boundary-1"),
	                                     &f->arena, &p),
	                 0);
	assert_str(p->content_type, "application/sdp");
	assert_str(p->content, sdp);
	assert_str(p->headers, "Content-Type: application/sdp\r\nContent-Disposition: session\r\n");
	assert_non_null(p->hdrs);
	assert_int_equal(p->hdrs->type, KSR_HDR_CONTENTTYPE);
	assert_str(p->hdrs->name, "Content-Type");
	assert_str(p->hdrs->body, "application/sdp");
	assert_str(p->hdrs->line, "Content-Type: application/sdp\r\n");
	assert_int_equal(p->hdrs->next->type, KSR_HDR_CONTENTDISPOSITION);
	assert_null(p->hdrs->next->next);
	p = p->next;
	assert_non_null(p);
	assert_str(p->content_type, "application/ISUP;version=itu-t92+");
	assert_str(p->hdrs->next->body, "a,\r\n  b");
	assert_int_equal(p->hdrs->next->type, KSR_HDR_OTHER);
	assert_str(p->content, "8c 02 00");
	assert_null(p->next);
}

static void test_edge_parts(void **state)
{
	struct fixture *f = *state;
	struct ksr_body_part *p = NULL;

	/* delimiter at the very start, bare LF line ends, a part without headers */
	assert_int_equal(ksr_parse_multipart(body(f, "--b\n\nno headers here\n--b\n"
	                                             "Content-Type: text/plain\n\nx\n--b--"),
	                                     KSR_STR_STATIC("b"), &f->arena, &p),
	                 0);
	assert_int_equal(p->headers.len, 0);
	assert_null(p->hdrs);
	assert_int_equal(p->content_type.len, 0);
	assert_str(p->content, "no headers here");
	assert_str(p->next->content_type, "text/plain");
	assert_str(p->next->content, "x");
	assert_null(p->next->next);

	/* empty parts; a look-alike of the boundary inside content is not a delimiter */
	assert_int_equal(ksr_parse_multipart(body(f, "--b\r\n\r\n--b\r\n\r\n--bx\r\n-- b\r\n"
	                                             " --b\r\n--b--"),
	                                     KSR_STR_STATIC("b"), &f->arena, &p),
	                 0);
	assert_str(p->content, "");
	assert_str(p->next->content, "--bx\r\n-- b\r\n --b");
	assert_null(p->next->next);

	/* headers only, no blank line: no content */
	assert_int_equal(ksr_parse_multipart(body(f, "--b\r\nContent-Type: a/b\r\n--b--"),
	                                     KSR_STR_STATIC("b"), &f->arena, &p),
	                 0);
	assert_str(p->content_type, "a/b");
	assert_int_equal(p->content.len, 0);

	/* a boundary with spaces and specials */
	assert_int_equal(ksr_parse_multipart(body(f, "--a'()+_,-./:=? b\r\n\r\nz\r\n"
	                                             "--a'()+_,-./:=? b--"),
	                                     KSR_STR_STATIC("a'()+_,-./:=? b"), &f->arena, &p),
	                 0);
	assert_str(p->content, "z");
}

static void test_malformed(void **state)
{
	static const struct {
		const char *body, *boundary;
	} bad[] = {
	        {"", "b"},
	        {"no delimiter at all", "b"},
	        {"--b--\r\n", "b"},          /* no part */
	        {"--b\r\n\r\ncontent", "b"}, /* no close delimiter */
	        {"--b\r\n\r\ncontent\r\n--b\r\n", "b"},
	        {"--bb\r\n\r\nx\r\n--b--", "b"},
	        {"x--b\r\n\r\ny\r\n--b--", "b"},
	        {"--b\r\nno colon\r\n\r\nx\r\n--b--", "b"},
	        {"--b\r\n: empty name\r\n\r\nx\r\n--b--", "b"},
	        {"--b\r\nA: 1\rB: 2\r\n\r\nx\r\n--b--", "b"},
	        {"--b\r\n\r\nx\r\n--b--", ""},
	        {"--b \r\n\r\nx\r\n--b --", "b "},
	        {"--b\r\n\r\nx\r\n--b--", "b\\"},
	        {"--b\r\n\r\nx\r\n--b--",
	         "01234567890123456789012345678901234567890123456789012345678901234567890"},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ksr_body_part *p = (struct ksr_body_part *)f;
		struct ksr_str b = ksr_str_make((char *)bad[i].boundary, strlen(bad[i].boundary));
		int r = ksr_parse_multipart(body(f, bad[i].body), b, &f->arena, &p);

		if (r != -EINVAL)
			fail_msg("multipart %zu gave %d", i, r);
		assert_ptr_equal(p, f);
	}
}

static void test_limit(void **state)
{
	struct fixture *f = *state;
	struct ksr_body_part *p = NULL;
	char text[4096] = "";
	size_t n = 0;

	for (int i = 0; i < KSR_MSG_MAX_BODY_PARTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "--b\r\n\r\n%d\r\n", i);
	snprintf(text + n, sizeof(text) - n, "--b--\r\n");
	assert_int_equal(ksr_parse_multipart(body(f, text), KSR_STR_STATIC("b"), &f->arena, &p), 0);
	for (int i = 0; i < KSR_MSG_MAX_BODY_PARTS - 1; i++)
		p = p->next;
	assert_str(p->content, "31");
	assert_null(p->next);

	snprintf(text + n, sizeof(text) - n, "--b\r\n\r\nover\r\n--b--\r\n");
	p = (struct ksr_body_part *)f;
	assert_int_equal(ksr_parse_multipart(body(f, text), KSR_STR_STATIC("b"), &f->arena, &p),
	                 -E2BIG);
	assert_ptr_equal(p, f);
}

static void test_msg_body_parts(void **state)
{
	struct fixture *f = *state;
	struct ksr_body_part *p = NULL, *again = NULL;
	struct ksr_str b;
	char text[1024];
	const char *mbody = "--boundary1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
	                    "\r\n--boundary1\r\nContent-Type: application/pidf+xml\r\n\r\n<x/>\r\n"
	                    "--boundary1--\r\n";

	snprintf(text, sizeof(text),
	         "INVITE sip:b@example.com SIP/2.0\r\n"
	         "Content-Type: multipart/mixed;boundary=\"boundary1\"\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         strlen(mbody), mbody);
	b = body(f, text);
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_body_parts(&f->msg, &p), 0);
	assert_str(p->content, "v=0\r\n");
	assert_str(p->next->content_type, "application/pidf+xml");
	assert_str(p->next->content, "<x/>");
	assert_int_equal(ksr_msg_body_parts(&f->msg, &again), 0);
	assert_ptr_equal(again, p);

	b = body(f, "INVITE sip:b@example.com SIP/2.0\r\nc: application/sdp\r\n\r\nv=0\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	p = NULL;
	assert_int_equal(ksr_msg_body_parts(&f->msg, &p), -ENOENT);
	b = body(f, "INVITE sip:b@example.com SIP/2.0\r\n\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_body_parts(&f->msg, &p), -ENOENT);
	b = body(f, "INVITE sip:b@example.com SIP/2.0\r\nc: multipart/mixed\r\n\r\n--b\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_body_parts(&f->msg, &p), -EINVAL);
	b = body(f, "INVITE sip:b@example.com SIP/2.0\r\nc: multipart/mixed;boundary=b\r\n\r\n"
	            "--b\r\n\r\nnever closed\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_body_parts(&f->msg, &p), -EINVAL);
	assert_null(p);
}

static void test_prefixes(void **state)
{
	static const char good[] = "pre\r\n--b\r\nContent-Type: a/b\r\nX: 1,\r\n 2\r\n\r\nbody\r\n"
	                           "--b\r\n\r\n--b\r\n\n--b--\r\nepi";
	struct fixture *f = *state;

	for (size_t n = 0; n < sizeof(good); n++) {
		struct ksr_body_part *p = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, good, n);
		r = ksr_parse_multipart(ksr_str_make(b, n), KSR_STR_STATIC("b"), &f->arena, &p);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_two_parts), T(test_edge_parts),     T(test_malformed),
	        T(test_limit),     T(test_msg_body_parts), T(test_prefixes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
