/* Tests of textops' body functions: has_body, set_body, multipart bodies, SDP hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "msgs.h"
#include "tx_test.h"

#define MP_HDRS L1 VIA FROM TO CID CSEQ "Content-Type: multipart/mixed;boundary=\"b1\"\n"
#define MP_SDP "--b1\nContent-Type: application/sdp\n\nv=0\n"
#define MP_TXT "--b1\nContent-Type: text/plain\n\nhi\n"
#define MP_CLOSE "--b1--\n"
/* a multipart body of 90 bytes: an SDP part and a text part */
#define MP MP_HDRS "Content-Length: 90\n\n" MP_SDP MP_TXT MP_CLOSE

static void test_has_body(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "has_body", 0), 1);
	assert_int_equal(tx_run(t, "has_body", 1, "application/sdp"), 1);
	assert_int_equal(tx_run(t, "has_body", 1, "Application/SDP"), 1);
	assert_int_equal(tx_run(t, "has_body", 1, "text/plain"), -1);
	assert_int_equal(tx_run(t, "has_body", 1, ""), 1); /* no type to check */
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "has_body", 0), -1);
	/* without Content-Type a body is SDP (as upstream) */
	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Content-Length: 3\n\nabc");
	assert_int_equal(tx_run(t, "has_body", 1, "application/sdp"), 1);
	tx_load(t, MP);
	assert_int_equal(tx_run(t, "has_body", 1, "multipart/mixed"), 1);
	assert_non_null(tx_fixup_fails("has_body", 1, "sdp"));
	assert_non_null(tx_fixup_fails("has_body", 1, "text/plain, text/html"));
}

static void test_set_body(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "set_body", 2, "hello", "text/plain"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO "Content-Type: text/plain\n"
			"Content-Length: 5\n\nhello");
	/* the same type: the header stays as written */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "set_body", 2, "v=1\r\n", "application/sdp"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT "Content-Length: 5\n\nv=1\n");
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "set_body", 2, "hello", "text/plain"), 1);
	tx_expect_built(t, OPT_L1 VIA FROM TO CID OPT_CSEQ "Content-Length: 5\n"
			"Content-Type: text/plain\n\nhello");
	assert_int_equal(tx_run_dyn(t, 1, "set_body", 2, "", "text/plain"), -1);
	assert_int_equal(tx_run_dyn(t, 2, "set_body", 2, "x", "text/plain\r\nX: y"), -1);
}

static void test_set_body_multipart(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "set_body_multipart", 3, "text1", "text/plain", "delim"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO
			"Content-Type: multipart/mixed;boundary=\"delim\"\nContent-Length: 55\n"
			"Mime-Version: 1.0\n\n"
			"--delim\nContent-Type: text/plain\n\ntext1\n--delim--\n");
	/* no parameters: the body as it is becomes the first part */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "set_body_multipart", 0), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO
			"Content-Type: multipart/mixed;boundary=\"unique-boundary-1\"\n"
			"Content-Length: 89\nMime-Version: 1.0\n\n"
			"--unique-boundary-1\nContent-Type: application/sdp\n\n" BODY
			"\n--unique-boundary-1--\n");
	tx_load(t, MP);
	assert_int_equal(tx_run(t, "set_body_multipart", 1, "b2"), -1); /* multipart already */
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "set_body_multipart", 0), -1); /* no body */
	assert_int_equal(tx_run(t, "set_body_multipart", 3, "x", "text/plain", "b@d"), -1);
	assert_int_equal(tx_run(t, "set_body_multipart", 2, "x", "text/plain\r\nX-Part: 1"), 1);
	tx_expect_built(t, OPT_L1 VIA FROM TO CID OPT_CSEQ "Content-Length: 86\n"
			"Content-Type: multipart/mixed;boundary=\"unique-boundary-1\"\n"
			"Mime-Version: 1.0\n\n--unique-boundary-1\nContent-Type: text/plain\n"
			"X-Part: 1\n\nx\n--unique-boundary-1--\n");
}

static void test_append_body_part(void **state)
{
	struct tx *t = *state;

	tx_load(t, MP);
	assert_int_equal(tx_run(t, "append_body_part", 3, "part2", "application/x-foo",
				"signal;handling=required"),
			 1);
	assert_int_equal(tx_run(t, "append_body_part_hex", 2, "6b 61 6d", "application/x-bar"), 1);
	assert_int_equal(tx_run(t, "append_body_part_hex", 2, "6b6", "application/x-bar"), -1);
	assert_int_equal(tx_run(t, "append_body_part_hex", 2, "zz", "application/x-bar"), -1);
	tx_expect_built(t, MP_HDRS "Content-Length: 231\n\n" MP_SDP MP_TXT
			"--b1\nContent-Type: application/x-foo\n"
			"Content-Disposition: signal;handling=required\n\npart2\n"
			"--b1\nContent-Type: application/x-bar\n\nkam\n" MP_CLOSE);
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "append_body_part", 2, "x", "text/plain"), -1);
}

static void test_append_body_part_without_close(void **state)
{
	struct tx *t = *state;

	/* a sender that leaves the close delimiter out: the new part goes last, closed */
	tx_load(t, MP_HDRS "Content-Length: 88\n\n" MP_SDP MP_TXT "--b1\n");
	assert_int_equal(tx_run(t, "append_body_part", 2, "x", "text/plain"), 1);
	tx_expect_built(t, MP_HDRS "Content-Length: 127\n\n" MP_SDP MP_TXT
			"--b1\nContent-Type: text/plain\n\nx\n--b1--\n");
}

static void test_get_body_part(void **state)
{
	struct tx *t = *state;

	tx_load(t, MP);
	assert_int_equal(tx_run(t, "get_body_part", 2, "text/plain", "$tst(w)"), 1);
	assert_string_equal(tx_written(), "hi");
	assert_int_equal(tx_run(t, "get_body_part", 2, "APPLICATION/SDP", "$tst(w)"), 1);
	assert_string_equal(tx_written(), "v=0");
	assert_int_equal(tx_run(t, "get_body_part_raw", 2, "text/plain", "$tst(w)"), 1);
	assert_string_equal(tx_written(), "Content-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n");
	assert_int_equal(tx_run(t, "get_body_part", 2, "image/png", "$tst(w)"), -1);
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "get_body_part", 2, "application/sdp", "$tst(w)"), -1);
	assert_non_null(tx_fixup_fails("get_body_part", 2, "text/plain", "x"));
}

static void test_remove_body_part(void **state)
{
	struct tx *t = *state;

	tx_load(t, MP);
	assert_int_equal(tx_run(t, "remove_body_part", 1, "application/sdp"), 1);
	tx_expect_built(t, MP_HDRS "Content-Length: 46\n\n" MP_TXT MP_CLOSE);
	tx_load(t, MP);
	assert_int_equal(tx_run(t, "remove_body_part", 1, "text/plain"), 1); /* the last one */
	tx_expect_built(t, MP_HDRS "Content-Length: 52\n\n" MP_SDP MP_CLOSE);
	assert_int_equal(tx_run(t, "remove_body_part", 1, "image/png"), -1);
}

static void test_filter_body(void **state)
{
	struct tx *t = *state;

	tx_load(t, MP);
	assert_int_equal(tx_run(t, "filter_body", 1, "text/plain"), 1);
	tx_expect_built(t, MP_HDRS "Content-Length: 2\n\nhi");
	tx_load(t, MP);
	assert_int_equal(tx_run(t, "filter_body", 1, "application/sdp"), 1);
	tx_expect_built(t, MP_HDRS "Content-Length: 3\n\nv=0");
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "filter_body", 1, "application/sdp"), -1); /* not multipart */
}

static void test_is_audio_on_hold(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Content-Type: application/sdp\nContent-Length: 76\n\n"
		"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\na=sendonly\nm=video 1 X 1\n");
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), 2);
	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Content-Type: application/sdp\nContent-Length: 57\n\n"
		"v=0\nm=audio 4000 RTP/AVP 0\nc=IN IP4 0.0.0.0\na=rtpmap\n");
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), 1);
	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Content-Type: application/sdp\nContent-Length: 70\n\n"
		"v=0\na=inactive\nm=video 4000 RTP/AVP 0\nm=audio 4002 RTP/AVP 0\na=x\n");
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), 2); /* the session's attribute */
	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Content-Type: application/sdp\nContent-Length: 60\n\n"
		"v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0\na=sendrecv\n");
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), -1);
	tx_load(t, MP);
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), -1);
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "is_audio_on_hold", 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_has_body),
		TX_TEST(test_set_body),
		TX_TEST(test_set_body_multipart),
		TX_TEST(test_append_body_part),
		TX_TEST(test_append_body_part_without_close),
		TX_TEST(test_get_body_part),
		TX_TEST(test_remove_body_part),
		TX_TEST(test_filter_body),
		TX_TEST(test_is_audio_on_hold),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
