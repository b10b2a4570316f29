/* Tests of src/core/msg/edit.c: recorded edits, their order, and the message builders. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
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

static void load(struct fixture *f, const char *text)
{
	size_t n = strlen(text);

	free(f->buf);
	f->buf = malloc(n + 1);
	assert_non_null(f->buf);
	memcpy(f->buf, text, n + 1);
	assert_int_equal(ksr_msg_parse(&f->msg, f->buf, n, &f->arena, NULL), 0);
}

static void expect_built(struct fixture *f, const char *want)
{
	struct ksr_str out;

	assert_int_equal(ksr_msg_build(&f->msg, &out), 0);
	if (out.len != strlen(want) || memcmp(out.s, want, out.len) != 0)
		fail_msg("built:\n%.*s\nwanted:\n%s", (int)out.len, out.s, want);
}

static struct ksr_str S(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

#define REQ                                                                                \
	"OPTIONS sip:bob@example.com SIP/2.0\r\n"                                          \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"                            \
	"Route: <sip:proxy.example.com;lr>\r\n"                                            \
	"From: <sip:alice@example.com>;tag=a\r\n"                                          \
	"To: <sip:bob@example.com>\r\n"                                                    \
	"Call-ID: c1\r\n"                                                                  \
	"CSeq: 1 OPTIONS\r\n"                                                              \
	"Content-Length: 0\r\n"                                                            \
	"\r\n"

static void test_no_edits_is_identity(void **state)
{
	struct fixture *f = *state;

	load(f, REQ);
	expect_built(f, REQ);
}

static void test_header_edits(void **state)
{
	struct fixture *f = *state;

	load(f, REQ);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("X-Last: 1\r\n"), KSR_HDR_APPEND), 0);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("X-First: 1\r\n"), KSR_HDR_INSERT), 0);
	assert_int_equal(ksr_msg_remove_hdr(&f->msg, ksr_msg_hdr_first(&f->msg, KSR_HDR_ROUTE)), 0);
	assert_int_equal(ksr_msg_replace_hdr(&f->msg, f->msg.h_callid, S("Call-ID: c2\r\n")), 0);
	expect_built(f, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
			"X-First: 1\r\n"
			"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
			"From: <sip:alice@example.com>;tag=a\r\n"
			"To: <sip:bob@example.com>\r\n"
			"Call-ID: c2\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Content-Length: 0\r\n"
			"X-Last: 1\r\n"
			"\r\n");
}

/* At one offset: the deletion first, then insertions; KSR_HDR_INSERT before the others. */
static void test_same_offset_order(void **state)
{
	struct fixture *f = *state;
	struct ksr_hdr *via = f->msg.h_via1;

	load(f, REQ);
	via = f->msg.h_via1;
	assert_int_equal(ksr_msg_insert_hdr_before(&f->msg, via, S("X-B: 1\r\n")), 0);
	assert_int_equal(ksr_msg_insert_hdr_before(&f->msg, via, S("X-C: 1\r\n")), 0);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("X-A: 1\r\n"), KSR_HDR_INSERT), 0);
	assert_int_equal(ksr_msg_remove_hdr(&f->msg, via), 0);
	expect_built(f, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
			"X-A: 1\r\n"
			"X-B: 1\r\n"
			"X-C: 1\r\n"
			"Route: <sip:proxy.example.com;lr>\r\n"
			"From: <sip:alice@example.com>;tag=a\r\n"
			"To: <sip:bob@example.com>\r\n"
			"Call-ID: c1\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Content-Length: 0\r\n"
			"\r\n");
}

static void test_refused_edits(void **state)
{
	struct fixture *f = *state;

	load(f, REQ);
	/* a header removed twice, or replaced after removal, is one error */
	assert_int_equal(ksr_msg_remove_hdr(&f->msg, f->msg.h_to), 0);
	assert_int_equal(ksr_msg_remove_hdr(&f->msg, f->msg.h_to), -EBUSY);
	assert_int_equal(ksr_msg_replace_hdr(&f->msg, f->msg.h_to, S("To: <sip:x@y>\r\n")), -EBUSY);
	/* header lines must be whole, single lines */
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("X-A: 1"), KSR_HDR_APPEND), -EINVAL);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("X-A: 1\r\nX-B: 2\r\n"), KSR_HDR_APPEND), -EINVAL);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("no colon\r\n"), KSR_HDR_APPEND), -EINVAL);
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S(" X: folded\r\n"), KSR_HDR_APPEND), -EINVAL);
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("sip:a b@c")), -EINVAL);
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("")), -EINVAL);
}

static void test_ruri_and_body(void **state)
{
	struct fixture *f = *state;

	load(f, REQ);
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("sip:bob@192.0.2.9:5070")), 0);
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("sip:carol@192.0.2.9")), 0); /* last wins */
	{
		struct ksr_str cur = ksr_msg_cur_ruri(&f->msg);

		assert_int_equal(cur.len, strlen("sip:carol@192.0.2.9"));
		assert_memory_equal(cur.s, "sip:carol@192.0.2.9", cur.len);
	}
	assert_int_equal(ksr_msg_set_body(&f->msg, S("hello"), S("text/plain")), 0);
	expect_built(f, "OPTIONS sip:carol@192.0.2.9 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
			"Route: <sip:proxy.example.com;lr>\r\n"
			"From: <sip:alice@example.com>;tag=a\r\n"
			"To: <sip:bob@example.com>\r\n"
			"Call-ID: c1\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Content-Length: 5\r\n"
			"Content-Type: text/plain\r\n"
			"\r\n"
			"hello");
}

static void test_body_without_content_length(void **state)
{
	struct fixture *f = *state;

	/* extra bytes after Content-Length on UDP are not sent on */
	load(f, "MESSAGE sip:b@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK2\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"old body");
	assert_int_equal(ksr_msg_set_body(&f->msg, S("new"), S("")), 0);
	expect_built(f, "MESSAGE sip:b@example.com SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK2\r\n"
			"Content-Type: text/plain\r\n"
			"Content-Length: 3\r\n"
			"\r\n"
			"new");
	load(f, "MESSAGE sip:b@example.com SIP/2.0\r\n"
		"Content-Length: 2\r\n"
		"\r\n"
		"hiEXTRA");
	expect_built(f, "MESSAGE sip:b@example.com SIP/2.0\r\n"
			"Content-Length: 2\r\n"
			"\r\n"
			"hi");
}

static void test_forwarded_request(void **state)
{
	struct fixture *f = *state;
	struct ksr_str via, out;
	const char *want = "OPTIONS sip:bob@192.0.2.20 SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKfwd;rport\r\n"
			   "Record-Route: <sip:192.0.2.10;lr>\r\n"
			   "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
			   "From: <sip:alice@example.com>;tag=a\r\n"
			   "To: <sip:bob@example.com>\r\n"
			   "Call-ID: c1\r\n"
			   "CSeq: 1 OPTIONS\r\n"
			   "Content-Length: 0\r\n"
			   "\r\n";

	load(f, REQ);
	assert_int_equal(ksr_via_build(&f->arena, "UDP", "192.0.2.10", 5060, S("z9hG4bKfwd"), true, 0,
				       &via),
			 0);
	/* a Record-Route goes on top, the new Via still above it */
	assert_int_equal(ksr_msg_add_hdr(&f->msg, S("Record-Route: <sip:192.0.2.10;lr>\r\n"),
					 KSR_HDR_INSERT),
			 0);
	assert_int_equal(ksr_msg_remove_hdr(&f->msg, ksr_msg_hdr_first(&f->msg, KSR_HDR_ROUTE)), 0);
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("sip:bob@192.0.2.20")), 0);
	assert_int_equal(ksr_msg_build_fwd_request(&f->msg, via, 0, &out), 0);
	if (out.len != strlen(want) || memcmp(out.s, want, out.len) != 0)
		fail_msg("built:\n%.*s", (int)out.len, out.s);
	/* the received message is untouched */
	assert_string_equal(f->buf, REQ);
}

static void test_forwarded_reply(void **state)
{
	struct fixture *f = *state;
	struct ksr_str out;

	/* the top Via in its own header line: the line goes */
	load(f, "SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKfwd\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		"CSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n"
		"\r\n");
	assert_int_equal(ksr_msg_build_fwd_reply(&f->msg, 0, &out), 0);
	assert_string_equal(out.s, "SIP/2.0 200 OK\r\n"
				   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
				   "CSeq: 1 OPTIONS\r\n"
				   "Content-Length: 0\r\n"
				   "\r\n");
	/* several values in one line: only the first value goes */
	load(f, "SIP/2.0 180 Ringing\r\n"
		"v: SIP/2.0/UDP [2001:db8::10];branch=z9hG4bKfwd ,\r\n"
		"  SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		"CSeq: 1 INVITE\r\n"
		"\r\n");
	assert_int_equal(ksr_msg_build_fwd_reply(&f->msg, 0, &out), 0);
	assert_string_equal(out.s, "SIP/2.0 180 Ringing\r\n"
				   "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
				   "CSeq: 1 INVITE\r\n"
				   "\r\n");
	/* over a stream a reply without Content-Length gets one, after the last header */
	assert_int_equal(ksr_msg_build_fwd_reply(&f->msg, KSR_BUILD_STREAM, &out), 0);
	assert_string_equal(out.s, "SIP/2.0 180 Ringing\r\n"
				   "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
				   "CSeq: 1 INVITE\r\n"
				   "Content-Length: 0\r\n"
				   "\r\n");
	/* requests are not replies, and the reverse */
	assert_int_equal(ksr_msg_build_fwd_request(&f->msg, S("Via: x\r\n"), 0, &out), -EINVAL);
}

static void test_forwarded_stream_clen(void **state)
{
	struct fixture *f = *state;
	struct ksr_str out;

	/* a datagram without Content-Length: its body is all the rest; over TCP it is counted */
	load(f, "MESSAGE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		"CSeq: 1 MESSAGE\r\n"
		"\r\n"
		"hello");
	assert_int_equal(ksr_msg_build_fwd_request(&f->msg, S("Via: SIP/2.0/TCP h;branch=z9hG4bKx\r\n"),
						   KSR_BUILD_STREAM, &out),
			 0);
	assert_string_equal(out.s, "MESSAGE sip:bob@example.com SIP/2.0\r\n"
				   "Via: SIP/2.0/TCP h;branch=z9hG4bKx\r\n"
				   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
				   "CSeq: 1 MESSAGE\r\n"
				   "Content-Length: 5\r\n"
				   "\r\n"
				   "hello");
	/* over UDP it stays as it came */
	assert_int_equal(ksr_msg_build_fwd_request(&f->msg, S("Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"),
						   0, &out),
			 0);
	assert_null(strstr(out.s, "Content-Length"));
}

static void test_via_build(void **state)
{
	struct fixture *f = *state;
	struct ksr_str via;

	assert_int_equal(ksr_via_build(&f->arena, "TCP", "2001:db8::1", 5070, S("z9hG4bKx"), false, 0,
				       &via),
			 0);
	assert_int_equal(via.len, strlen("Via: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx\r\n"));
	assert_memory_equal(via.s, "Via: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx\r\n",
			    via.len);
	/* rport and srvid follow the branch, as upstream writes them */
	assert_int_equal(ksr_via_build(&f->arena, "UDP", "192.0.2.1", 5060, S("z9hG4bKy"), true, 7,
				       &via),
			 0);
	assert_memory_equal(via.s, "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKy;rport;srvid=7\r\n",
			    via.len);
	assert_int_equal(ksr_via_build(&f->arena, "UDP", "h", 1, S(""), false, 0, &via), -EINVAL);
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_no_edits_is_identity), T(test_header_edits), T(test_same_offset_order),
		T(test_refused_edits),        T(test_ruri_and_body), T(test_body_without_content_length),
		T(test_forwarded_request),    T(test_forwarded_reply), T(test_via_build),
		T(test_forwarded_stream_clen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
