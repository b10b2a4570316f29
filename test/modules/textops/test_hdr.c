/* Tests of textops' header functions and the headers of local replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/reply.h"
#include "msgs.h"
#include "tx_test.h"

static void test_append_insert(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "append_hf", 1, "X-A: 1\r\n"), 1);
	assert_int_equal(tx_run(t, "append_hf", 1, "X-B: 2\r\nX-C: 3\r\n"), 1); /* several */
	assert_int_equal(tx_run(t, "insert_hf", 1, "X-D: 4\r\n"), 1);
	assert_int_equal(tx_run(t, "insert_hf", 1, "X-E: 5\r\n"), 1);
	/* after / before the first header of a name (compact forms count); not there: the end */
	assert_int_equal(tx_run(t, "append_hf", 2, "X-F: 6\r\n", "From"), 1);
	assert_int_equal(tx_run(t, "append_hf", 2, "X-G: 7\r\n", "x-foo"), 1);
	assert_int_equal(tx_run(t, "insert_hf", 2, "X-H: 8\r\n", "Content-Type"), 1);
	assert_int_equal(tx_run(t, "insert_hf", 2, "X-I: 9\r\n", "X-None"), 1);
	assert_int_equal(tx_run(t, "append_hf", 2, "X-J: 10\r\n", "X-None"), 1);
	tx_expect_built(t, L1 "X-D: 4\nX-E: 5\nX-I: 9\n" VIA FROM "X-F: 6\n" TO CID CSEQ SUP
			"X-Foo: a, b, c\nX-G: 7\nX-Foo: d\n" "X-H: 8\n" CT CL
			"X-A: 1\nX-B: 2\nX-C: 3\nX-J: 10\n\n" BODY);
}

static void test_added_lines_are_checked(void **state)
{
	struct tx *t = *state;

	/* constants at load */
	assert_non_null(tx_fixup_fails("append_hf", 1, "X-A: 1"));
	assert_non_null(tx_fixup_fails("append_hf", 1, "X-A 1\r\n"));
	assert_non_null(tx_fixup_fails("insert_hf", 1, "X-A: 1\r\n\r\nbody"));
	assert_non_null(tx_fixup_fails("append_to_reply", 1, "X-A: 1\n"));
	/* values of variables on the call; folding is a continuation */
	tx_load(t, OPT);
	assert_int_equal(tx_run_dyn(t, 1, "append_hf", 1, "X-A: 1\r\nX-B: 2"), -1);
	assert_int_equal(tx_run_dyn(t, 1, "append_hf", 1, "X-A: 1\r\n 2\r\n"), 1);
	assert_int_equal(tx_run_dyn(t, 1, "append_hf", 1, " X-A: 1\r\n"), -1);
	assert_int_equal(tx_run_dyn(t, 1, "append_to_reply", 1, "X-A: 1\r\nX"), -1);
	tx_expect_built(t, OPT_L1 VIA FROM TO CID OPT_CSEQ CL0 "X-A: 1\n 2\n\n");
}

static void test_append_urihf(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "append_urihf", 2, "CC-Diversion: <", ">\r\n"), 1);
	assert_int_equal(tx_run(t, "append_urihf", 2, "CC-Diversion: ", ""), -1); /* no CRLF */
	tx_expect_built(t, OPT_L1 VIA FROM TO CID OPT_CSEQ CL0
			"CC-Diversion: <sip:bob@example.com>\n\n");
	tx_load(t, RPL);
	assert_int_equal(tx_run(t, "append_urihf", 2, "X: ", "\r\n"), -1);
}

static void test_is_present(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "is_present_hf", 1, "Content-Type"), 1); /* written "c:" */
	assert_int_equal(tx_run(t, "is_present_hf", 1, "k"), 1); /* Supported */
	assert_int_equal(tx_run(t, "is_present_hf", 1, "x-FOO"), 1);
	assert_int_equal(tx_run(t, "is_present_hf", 1, "X-Fo"), -1);
	assert_int_equal(tx_run_dyn(t, 1, "is_present_hf_pv", 1, "Call-ID"), 1);
	assert_int_equal(tx_run_dyn(t, 1, "is_present_hf_pv", 1, "Route"), -1);
	assert_int_equal(tx_run(t, "is_present_hf_re", 1, "^x-"), 1);
	assert_int_equal(tx_run(t, "is_present_hf_re", 1, "^P-"), -1);
	assert_int_equal(tx_run(t, "is_present_hf_re", 1, "^c$"), 1); /* the name as written */
	assert_int_equal(tx_run_dyn(t, 1, "is_present_hf_re_pv", 1, "^cs"), 1);
	assert_non_null(tx_fixup_fails("is_present_hf", 1, ""));
	assert_non_null(tx_fixup_fails("is_present_hf_re", 1, "(x"));
}

static void test_remove(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "remove_hf", 1, "X-Foo"), 1); /* every one */
	assert_int_equal(tx_run(t, "remove_hf", 1, "Content-Type"), 1); /* the compact one */
	assert_int_equal(tx_run(t, "remove_hf", 1, "Route"), -1);
	assert_int_equal(tx_run_dyn(t, 1, "remove_hf_pv", 1, "k"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ CL "\n" BODY);

	/* removing one twice: the second time finds it gone, and says so */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "remove_hf", 1, "Supported"), 1);
	assert_int_equal(tx_run(t, "remove_hf", 1, "Supported"), -1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ XFOO CT CL "\n" BODY);
}

static void test_remove_re_exp(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "remove_hf_re", 1, "^(x-foo|supported)$"), 1);
	assert_int_equal(tx_run(t, "remove_hf_re", 1, "^P-"), -1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ CT CL "\n" BODY);

	tx_load(t, REQ);
	/* the names matching the first, but not the second */
	assert_int_equal(tx_run(t, "remove_hf_exp", 2, "^[a-z]$|^c", "^call-id$"), 1);
	assert_int_equal(tx_run_dyn(t, 3, "remove_hf_exp_pv", 2, "^X-", "^X-Foo$"), -1);
	assert_int_equal(tx_run_dyn(t, 1, "remove_hf_re_pv", 1, "^To$"), 1);
	tx_expect_built(t, L1 VIA FROM CID SUP XFOO "\n" BODY);
}

static void test_remove_idx(void **state)
{
	struct tx *t = *state;

	tx_load(t, L1 VIA "X-A: 0\nX-A: 1\nX-B: x\nX-A: 2\n" CL0 "\n");
	assert_int_equal(tx_run(t, "remove_hf_idx", 2, "X-A", "1"), 1);
	assert_int_equal(tx_run(t, "remove_hf_idx", 2, "X-A", "-1"), 1);
	assert_int_equal(tx_run(t, "remove_hf_idx", 2, "X-A", "3"), -1);
	assert_int_equal(tx_run(t, "remove_hf_idx", 2, "X-A", "-4"), -1);
	tx_expect_built(t, L1 VIA "X-A: 0\nX-B: x\n" CL0 "\n");
}

static void test_remove_match(void **state)
{
	struct tx *t = *state;
	const char *m = OPT_L1 VIA "X-Info: data1\nX-Info: other\nX-Info: xdata\nX-Info: data\n"
			CL0 "\n";

	tx_load(t, m);
	assert_int_equal(tx_run(t, "remove_hf_match", 3, "X-Info", "re", "^data"), 1);
	tx_expect_built(t, OPT_L1 VIA "X-Info: other\nX-Info: xdata\n" CL0 "\n");
	tx_load(t, m);
	assert_int_equal(tx_run(t, "remove_hf_match", 3, "X-Info", "eq", "data"), 1);
	assert_int_equal(tx_run(t, "remove_hf_match", 3, "X-Info", "eq", "DATA1"), -1); /* case */
	assert_int_equal(tx_run(t, "remove_hf_match", 3, "X-Info", "in", "the"), 1);
	tx_expect_built(t, OPT_L1 VIA "X-Info: data1\nX-Info: xdata\n" CL0 "\n");
	tx_load(t, m);
	assert_int_equal(tx_run(t, "remove_hf_match", 3, "X-Info", "ne", "xdata"), 1);
	tx_expect_built(t, OPT_L1 VIA "X-Info: xdata\n" CL0 "\n");
	assert_non_null(tx_fixup_fails("remove_hf_match", 3, "X-Info", "lt", "x"));
	assert_non_null(tx_fixup_fails("remove_hf_match", 3, "X-Info", "re", "(x"));
}

static void test_append_time(void **state)
{
	struct tx *t = *state;
	struct ksr_str out;

	tx_load(t, OPT);
	t->msg.time_set = true;
	t->msg.time.tv_sec = 1764142986; /* Wed, 26 Nov 2025 07:43:06 GMT */
	assert_int_equal(tx_run(t, "append_time_to_request", 0), 1);
	tx_expect_built(t, OPT_L1 VIA "Date: Wed, 26 Nov 2025 07:43:06 GMT\n" FROM TO CID OPT_CSEQ
			CL0 "\n");
	assert_int_equal(tx_run(t, "append_time", 0), 1);
	ksr_server_signature = false;
	assert_int_equal(ksr_reply_build(&t->msg, 200, KSR_STR_STATIC("OK"), KSR_STR_STATIC("t1"),
					 &out),
			 0);
	assert_int_equal(out.len, tx_crlf(t, "SIP/2.0 200 OK\n" VIA FROM
					   "To: <sip:bob@example.com>;tag=t1\n" CID OPT_CSEQ
					   "Date: Wed, 26 Nov 2025 07:43:06 GMT\n" CL0 "\n")
					  .len);
	assert_memory_equal(out.s, tx_crlf(t, "SIP/2.0 200 OK\n" VIA FROM
					   "To: <sip:bob@example.com>;tag=t1\n" CID OPT_CSEQ
					   "Date: Wed, 26 Nov 2025 07:43:06 GMT\n" CL0 "\n")
					  .s,
			    out.len);
}

static void test_append_to_reply(void **state)
{
	struct tx *t = *state;
	struct ksr_str out, want;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "append_to_reply", 1, "X-A: 1\r\n"), 1);
	assert_int_equal(tx_run(t, "set_reply_body", 2, "hello", "text/plain"), 1);
	assert_int_equal(tx_run(t, "set_reply_body", 2, "again", "text/plain"), -1); /* one body */
	assert_int_equal(tx_run_dyn(t, 1, "append_to_reply", 1, "X-B: from $rm\r\nX-C: 3\r\n"), 1);
	ksr_server_signature = true;
	ksr_server_header = KSR_STR_STATIC("Server: test");
	assert_int_equal(ksr_reply_build(&t->msg, 404, KSR_STR_STATIC("Not Here"),
					 KSR_STR_STATIC("t1"), &out),
			 0);
	/* the added lines in order (the Content-Type where set_reply_body was), then Server */
	want = tx_crlf(t, "SIP/2.0 404 Not Here\n" VIA FROM "To: <sip:bob@example.com>;tag=t1\n" CID
		       OPT_CSEQ "X-A: 1\nContent-Type: text/plain\nX-B: from $rm\nX-C: 3\n"
		       "Server: test\nContent-Length: 5\n\nhello");
	if (out.len != want.len || memcmp(out.s, want.s, out.len) != 0)
		fail_msg("reply:\n%.*s\nwanted:\n%.*s", KSR_STR_FMT(out), KSR_STR_FMT(want));
	/* the request itself is not changed */
	tx_expect_built(t, OPT);
	ksr_server_signature = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_append_insert),
		TX_TEST(test_added_lines_are_checked),
		TX_TEST(test_append_urihf),
		TX_TEST(test_is_present),
		TX_TEST(test_remove),
		TX_TEST(test_remove_re_exp),
		TX_TEST(test_remove_idx),
		TX_TEST(test_remove_match),
		TX_TEST(test_append_time),
		TX_TEST(test_append_to_reply),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
