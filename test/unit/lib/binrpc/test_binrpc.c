/*
 * binrpc encoding (src/lib/binrpc/binrpc.c): the bytes upstream's documentation and
 * Kamailio 5.6's kamcmd produce, round trips, and malformed input read without a crash.
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

#include "lib/binrpc/binrpc.h"

/* "a1 03 ..." to bytes; the length. */
static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;

	while (*hex) {
		unsigned int b;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &b), 1);
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return n;
}

static void assert_body(const struct ksr_binrpc_writer *w, const char *hex)
{
	unsigned char want[256];
	size_t n = unhex(hex, want);

	assert_int_equal(ksr_binrpc_body_len(w), n);
	assert_memory_equal(w->buf + KSR_BINRPC_MAX_HDR, want, n);
}

static void test_header(void **state)
{
	unsigned char h[KSR_BINRPC_MAX_HDR];
	struct ksr_binrpc_hdr p;
	size_t n;

	/* kamcmd 5.6's request header for a 15-byte body, cookie 0x0c621bfd */
	n = ksr_binrpc_build_hdr(KSR_BINRPC_REQ, 15, 0x0c621bfd, h);
	assert_int_equal(n, 7);
	assert_memory_equal(h, "\xa1\x03\x0f\x0c\x62\x1b\xfd", 7);
	assert_int_equal(ksr_binrpc_parse_hdr(h, n, &p), 0);
	assert_int_equal(p.type, KSR_BINRPC_REQ);
	assert_int_equal(p.body_len, 15);
	assert_int_equal(p.cookie, 0x0c621bfd);
	assert_int_equal(p.hdr_len, 7);

	/* zero length and cookie still take a byte each; a fault of 300 bytes takes two */
	n = ksr_binrpc_build_hdr(KSR_BINRPC_FAULT, 300, 0, h);
	assert_int_equal(n, 5);
	assert_memory_equal(h, "\xa1\x34\x01\x2c\x00", 5);
	assert_int_equal(ksr_binrpc_parse_hdr(h, n, &p), 0);
	assert_int_equal(p.type, KSR_BINRPC_FAULT);
	assert_int_equal(p.body_len, 300);

	/* more bytes needed, and never a header */
	assert_int_equal(ksr_binrpc_parse_hdr(h, 0, &p), -EAGAIN);
	assert_int_equal(ksr_binrpc_parse_hdr(h, 1, &p), -EAGAIN);
	assert_int_equal(ksr_binrpc_parse_hdr(h, 4, &p), -EAGAIN);
	assert_int_equal(ksr_binrpc_parse_hdr("\xa2\x03", 2, &p), -EBADMSG);         /* version 2 */
	assert_int_equal(ksr_binrpc_parse_hdr("\xb1", 1, &p), -EBADMSG);             /* magic */
	assert_int_equal(ksr_binrpc_parse_hdr("\xa1\x20\x00\x00", 4, &p), -EBADMSG); /* type 2 */
	assert_int_equal(ksr_binrpc_parse_hdr("GET / HTTP/1.1", 14, &p), -EBADMSG);
}

static void test_records(void **state)
{
	struct ksr_binrpc_writer w;

	ksr_binrpc_writer_init(&w, 1024);
	/* the examples of upstream's binrpc.h */
	ksr_binrpc_put_int(&w, 0x1234);
	ksr_binrpc_put_int(&w, 7);
	ksr_binrpc_put_int(&w, 0);
	ksr_binrpc_put_int(&w, -1);
	assert_body(&w, "20 12 34  10 07  00  40 ff ff ff ff");
	ksr_binrpc_writer_reset(&w);
	ksr_binrpc_put_str(&w, "abcdef", 6);
	ksr_binrpc_put_str(&w, "abcdefhij", 9);
	ksr_binrpc_put_str(&w, "", 0);
	ksr_binrpc_put_bytes(&w, "abcdef", 6);
	assert_body(&w, "71 616263646566 00  91 0a 6162636465666869 6a 00  11 00  66 616263646566");
	ksr_binrpc_writer_reset(&w);
	/* struct { intval: 3, s: "abc" } and [1, 2] */
	ksr_binrpc_put_open(&w, KSR_BINRPC_T_STRUCT);
	ksr_binrpc_put_name(&w, "intval", 6);
	ksr_binrpc_put_int(&w, 3);
	ksr_binrpc_put_name(&w, "s", 1);
	ksr_binrpc_put_str(&w, "abc", 3);
	ksr_binrpc_put_close(&w, KSR_BINRPC_T_STRUCT);
	ksr_binrpc_put_open(&w, KSR_BINRPC_T_ARRAY);
	ksr_binrpc_put_int(&w, 1);
	ksr_binrpc_put_int(&w, 2);
	ksr_binrpc_put_close(&w, KSR_BINRPC_T_ARRAY);
	assert_body(&w, "03 75 696e7476616c00 10 03 25 7300 41 61626300 83  04 10 01 10 02 84");
	ksr_binrpc_writer_reset(&w);
	/* a double is thousandths in an int; a fault is a code and a message */
	ksr_binrpc_put_double(&w, 2.5);
	ksr_binrpc_put_fault(&w, 500, "x", 1);
	assert_body(&w, "22 09 c4  20 01 f4  21 78 00");
	assert_int_equal(ksr_binrpc_put_open(&w, KSR_BINRPC_T_INT), -EINVAL);
	ksr_binrpc_writer_free(&w);
	ksr_binrpc_writer_free(NULL);
}

static void test_long_string(void **state)
{
	struct ksr_binrpc_writer w;
	struct ksr_binrpc_reader r;
	struct ksr_binrpc_val v;
	char *big = malloc(70000);

	memset(big, 'x', 70000);
	ksr_binrpc_writer_init(&w, 100000);
	assert_int_equal(ksr_binrpc_put_str(&w, big, 70000), 0);
	/* 70001 bytes with the NUL: three bytes of length */
	assert_memory_equal(w.buf + KSR_BINRPC_MAX_HDR, "\xb1\x01\x11\x71", 4);
	ksr_binrpc_reader_init(&r, w.buf + KSR_BINRPC_MAX_HDR, ksr_binrpc_body_len(&w));
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.type, KSR_BINRPC_T_STR);
	assert_int_equal(v.len, 70000);
	assert_memory_equal(v.s, big, 70000);
	assert_int_equal(ksr_binrpc_read(&r, &v), -ENODATA);
	ksr_binrpc_writer_free(&w);
	free(big);
}

static void test_limit(void **state)
{
	struct ksr_binrpc_writer w;
	const unsigned char *pkt;
	size_t n;

	ksr_binrpc_writer_init(&w, 8);
	assert_int_equal(ksr_binrpc_put_str(&w, "abcd", 4), 0);
	assert_int_equal(ksr_binrpc_put_str(&w, "abcd", 4), -E2BIG);
	/* the error sticks */
	assert_int_equal(ksr_binrpc_put_int(&w, 1), -E2BIG);
	assert_int_equal(ksr_binrpc_finish(&w, KSR_BINRPC_REPL, 1, &pkt, &n), -E2BIG);
	ksr_binrpc_writer_reset(&w);
	assert_int_equal(ksr_binrpc_finish(&w, KSR_BINRPC_REPL, 1, &pkt, &n), 0);
	assert_int_equal(n, 4); /* an empty reply: the header alone */
	assert_memory_equal(pkt, "\xa1\x10\x00\x01", 4);
	ksr_binrpc_writer_free(&w);
}

/* kamcmd 5.6's request for core.version, byte for byte. */
static void test_kamcmd_request(void **state)
{
	struct ksr_binrpc_writer w;
	unsigned char want[64];
	const unsigned char *pkt;
	size_t n, wn = unhex("a1030f0c621bfd910d636f72652e76657273696f6e00", want);

	ksr_binrpc_writer_init(&w, 1024);
	ksr_binrpc_put_str(&w, "core.version", 12);
	assert_int_equal(ksr_binrpc_finish(&w, KSR_BINRPC_REQ, 0x0c621bfd, &pkt, &n), 0);
	assert_int_equal(n, wn);
	assert_memory_equal(pkt, want, wn);
	ksr_binrpc_writer_free(&w);
}

/* Kamailio 5.6's reply to core.uptime, as kamcmd reads it. */
static void test_read_upstream_reply(void **state)
{
	unsigned char pkt[256];
	size_t n = unhex("a1135203aeaaa303456e6f77009119546875204e6f762032362031353a30343a3039"
	                 "203230323600950975705f73696e6365009119546875204e6f762032362031353a30"
	                 "343a303220323032360075757074696d6500100783",
	                 pkt);
	struct ksr_binrpc_hdr h;
	struct ksr_binrpc_reader r;
	struct ksr_binrpc_val v;

	assert_int_equal(ksr_binrpc_parse_hdr(pkt, n, &h), 0);
	assert_int_equal(h.type, KSR_BINRPC_REPL);
	assert_int_equal(h.hdr_len + h.body_len, n);
	ksr_binrpc_reader_init(&r, pkt + h.hdr_len, h.body_len);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.type, KSR_BINRPC_T_STRUCT);
	assert_false(v.end);
	assert_int_equal(ksr_binrpc_reader_depth(&r), 1);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_string_equal(v.name, "now");
	assert_int_equal(v.type, KSR_BINRPC_T_STR);
	assert_string_equal(v.s, "Thu Nov 26 15:04:09 2026");
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_string_equal(v.name, "up_since");
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_string_equal(v.name, "uptime");
	assert_int_equal(v.type, KSR_BINRPC_T_INT);
	assert_int_equal(v.i, 7);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_true(v.end);
	assert_int_equal(ksr_binrpc_reader_depth(&r), 0);
	assert_int_equal(ksr_binrpc_read(&r, &v), -ENODATA);
}

static void test_round_trip(void **state)
{
	struct ksr_binrpc_writer w;
	struct ksr_binrpc_reader r;
	struct ksr_binrpc_val v;

	ksr_binrpc_writer_init(&w, 1 << 16);
	ksr_binrpc_put_open(&w, KSR_BINRPC_T_STRUCT);
	ksr_binrpc_put_name(&w, "inner", 5);
	ksr_binrpc_put_open(&w, KSR_BINRPC_T_STRUCT);
	ksr_binrpc_put_name(&w, "neg", 3);
	ksr_binrpc_put_int(&w, INT32_MIN);
	ksr_binrpc_put_name(&w, "max", 3);
	ksr_binrpc_put_int(&w, INT32_MAX);
	ksr_binrpc_put_close(&w, KSR_BINRPC_T_STRUCT);
	ksr_binrpc_put_int(&w, 5); /* a plain value in a struct: upstream's replies have them */
	ksr_binrpc_put_open(&w, KSR_BINRPC_T_ARRAY);
	ksr_binrpc_put_double(&w, -1.25);
	ksr_binrpc_put_close(&w, KSR_BINRPC_T_ARRAY);
	ksr_binrpc_put_close(&w, KSR_BINRPC_T_STRUCT);
	assert_int_equal(w.err, 0);

	ksr_binrpc_reader_init(&r, w.buf + KSR_BINRPC_MAX_HDR, ksr_binrpc_body_len(&w));
	assert_int_equal(ksr_binrpc_read(&r, &v), 0); /* { */
	assert_int_equal(ksr_binrpc_read(&r, &v), 0); /* inner: { */
	assert_string_equal(v.name, "inner");
	assert_int_equal(v.type, KSR_BINRPC_T_STRUCT);
	assert_int_equal(ksr_binrpc_reader_depth(&r), 2);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.i, INT32_MIN);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.i, INT32_MAX);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_true(v.end);
	assert_null(v.name);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_null(v.name);
	assert_int_equal(v.i, 5);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0); /* [ */
	assert_int_equal(v.type, KSR_BINRPC_T_ARRAY);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.type, KSR_BINRPC_T_DOUBLE);
	assert_true(v.d == -1.25);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0); /* ] */
	assert_int_equal(ksr_binrpc_read(&r, &v), 0); /* } */
	assert_int_equal(ksr_binrpc_read(&r, &v), -ENODATA);
	ksr_binrpc_writer_free(&w);
}

/* Read body to its end: the last result (-ENODATA when whole, -EBADMSG when malformed). */
static int read_all(const void *body, size_t len)
{
	struct ksr_binrpc_reader r;
	struct ksr_binrpc_val v;
	int ret;

	ksr_binrpc_reader_init(&r, body, len);
	while ((ret = ksr_binrpc_read(&r, &v)) == 0)
		;
	return ret;
}

static void test_malformed(void **state)
{
	static const struct {
		const char *hex, *why;
	} bad[] = {
	        {"91 ff 61 62 00", "a length past the end"},
	        {"71 61 62 63 64 65 66 67", "a string without its NUL"},
	        {"01", "a string of length 0 (no room for the NUL)"},
	        {"25 61 00", "a struct member outside a struct"},
	        {"03 25 6100 83", "a member without its value"},
	        {"03 25 6100 25 6200 10 01 83", "a member whose value is a member"},
	        {"83", "a close without an open"},
	        {"04 83", "a close of the wrong kind"},
	        {"03 10 01", "a body ending inside a struct"},
	        {"03 05 10 01 83", "a member's name of length 0 (no NUL)"},
	        {"07", "type 7"},
	        {"0f", "type 15"},
	        {"20 01", "a record that ends early"},
	        {"d0 01 02 03 04 05 01", "a length of 5 bytes"},
	        {"90", "a length whose bytes are missing"},
	        {"50 01 02 03 04 05", "an int of 5 bytes"},
	        {"13 00", "a struct open with a length"},
	        {"93 01 00", "a struct close with a length"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char b[64];
		size_t n = unhex(bad[i].hex, b);

		if (read_all(b, n) != -EBADMSG)
			fail_msg("not refused: %s (%s)", bad[i].why, bad[i].hex);
	}
}

static void test_depth(void **state)
{
	unsigned char b[2 * (KSR_BINRPC_MAX_DEPTH + 1)];
	size_t n = 0;

	for (int i = 0; i < KSR_BINRPC_MAX_DEPTH; i++)
		b[n++] = KSR_BINRPC_T_ARRAY;
	for (int i = 0; i < KSR_BINRPC_MAX_DEPTH; i++)
		b[n++] = 0x80 | KSR_BINRPC_T_ARRAY;
	assert_int_equal(read_all(b, n), -ENODATA);
	/* one more level is refused */
	memmove(b + 1, b, n);
	b[0] = KSR_BINRPC_T_ARRAY;
	b[++n] = 0x80 | KSR_BINRPC_T_ARRAY;
	assert_int_equal(read_all(b, n + 1), -EBADMSG);
}

/* Every cut of a valid body reads to an end or a refusal, never past the cut. */
static void test_truncated(void **state)
{
	unsigned char pkt[1024];
	size_t n = unhex("03950844 6f6d61696e73000375446f6d61696e000375446f6d61696e0091096c6f"
	                 "636174696f6e005553697a650020040055416f52730003 55496e666f000345416f52"
	                 "0061616c6963650075486173684944 00406d52f7dd 655374617465007143535f4e"
	                 "455700 838383 655374617473000395085265636f726473001001 83 83 83",
	                 pkt);

	assert_int_equal(read_all(pkt, n), -ENODATA);
	for (size_t cut = 0; cut < n; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);
		int r;

		memcpy(copy, pkt, cut);
		r = read_all(copy, cut);
		/* only the empty body is whole */
		if (cut == 0)
			assert_int_equal(r, -ENODATA);
		else
			assert_int_equal(r, -EBADMSG);
		free(copy);
	}
}

/* Random bytes: read without a crash (ASan watches the reads). */
static void test_random(void **state)
{
	unsigned int seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 40);
		unsigned char *b = malloc(n ? n : 1);

		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)rand_r(&seed);
		read_all(b, n);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_header),         cmocka_unit_test(test_records),
	        cmocka_unit_test(test_long_string),    cmocka_unit_test(test_limit),
	        cmocka_unit_test(test_kamcmd_request), cmocka_unit_test(test_read_upstream_reply),
	        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_depth),          cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
