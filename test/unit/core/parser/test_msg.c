/* Tests of the first line and header splitting of SIP messages (src/core/parser/msg.c). */
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
#include "core/parser/limits.h"
#include "core/parser/msg.h"

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf; /* exactly the message bytes, no terminator: valgrind sees over-reads */
	const char *why;
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

static int parse_n(struct fixture *f, const char *text, size_t len)
{
	free(f->buf);
	f->buf = malloc(len ? len : 1);
	assert_non_null(f->buf);
	memcpy(f->buf, text, len);
	ksr_arena_reset(&f->arena);
	f->why = NULL;
	return ksr_msg_parse(&f->msg, f->buf, len, &f->arena, &f->why);
}

static int parse(struct fixture *f, const char *text)
{
	return parse_n(f, text, strlen(text));
}

static void parse_ok(struct fixture *f, const char *text)
{
	int r = parse(f, text);

	if (r != 0)
		fail_msg("not parsed (%d): %s", r, f->why ? f->why : "(no reason)");
}

static void expect_fail(struct fixture *f, const char *text, int err, const char *why)
{
	int r = parse(f, text);

	if (r != err)
		fail_msg("parse returned %d (%s), expected %d (%s) for:\n%s", r,
		         f->why ? f->why : "no reason", err, why, text);
	assert_non_null(f->why);
	assert_string_equal(f->why, why);
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || memcmp(s.s, want, s.len) != 0)
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static struct ksr_hdr *nth_header(struct ksr_msg *msg, int n)
{
	struct ksr_hdr *h = msg->headers;

	while (h && n--)
		h = h->next;
	return h;
}

static int count_headers(struct ksr_msg *msg)
{
	int n = 0;

	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		n++;
	return n;
}

static const char invite[] = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                             "Max-Forwards: 70\r\n"
                             "To: Bob <sip:bob@biloxi.example.com>\r\n"
                             "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                             "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                             "CSeq: 314159 INVITE\r\n"
                             "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                             "Content-Type: application/sdp\r\n"
                             "Content-Length: 4\r\n"
                             "\r\n"
                             "v=0\n";

static void test_request(void **state)
{
	struct fixture *f = *state;
	struct ksr_hdr *h;

	parse_ok(f, invite);
	assert_int_equal(f->msg.type, KSR_MSG_REQUEST);
	assert_ptr_equal(f->msg.buf, f->buf);
	assert_int_equal(f->msg.len, strlen(invite));
	assert_ptr_equal(f->msg.arena, &f->arena);
	assert_str(f->msg.first.req.method, "INVITE");
	assert_int_equal(f->msg.first.req.method_id, KSR_METHOD_INVITE);
	assert_str(f->msg.first.req.uri, "sip:bob@biloxi.example.com");
	assert_str(f->msg.first.req.version, "SIP/2.0");
	assert_int_equal(count_headers(&f->msg), 9);

	h = nth_header(&f->msg, 0);
	assert_int_equal(h->type, KSR_HDR_VIA);
	assert_str(h->name, "Via");
	assert_str(h->body, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
	assert_str(h->line,
	           "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n");
	assert_null(h->parsed);
	assert_ptr_equal(f->msg.h_via1, h);

	h = nth_header(&f->msg, 1);
	assert_int_equal(h->type, KSR_HDR_MAXFORWARDS);
	assert_str(h->body, "70");
	assert_ptr_equal(f->msg.h_maxfwd, h);
	assert_ptr_equal(f->msg.h_to, nth_header(&f->msg, 2));
	assert_str(f->msg.h_to->body, "Bob <sip:bob@biloxi.example.com>");
	assert_ptr_equal(f->msg.h_from, nth_header(&f->msg, 3));
	assert_ptr_equal(f->msg.h_callid, nth_header(&f->msg, 4));
	assert_str(f->msg.h_callid->body, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_ptr_equal(f->msg.h_cseq, nth_header(&f->msg, 5));
	assert_ptr_equal(f->msg.h_contact, nth_header(&f->msg, 6));
	assert_int_equal(nth_header(&f->msg, 7)->type, KSR_HDR_CONTENTTYPE);
	assert_ptr_equal(f->msg.h_clen, nth_header(&f->msg, 8));
	assert_null(nth_header(&f->msg, 8)->next);
	assert_str(f->msg.body, "v=0\n");
}

static void test_methods(void **state)
{
	static const struct {
		const char *name;
		enum ksr_method id;
	} methods[] = {
	        {"INVITE", KSR_METHOD_INVITE},
	        {"ACK", KSR_METHOD_ACK},
	        {"CANCEL", KSR_METHOD_CANCEL},
	        {"BYE", KSR_METHOD_BYE},
	        {"REGISTER", KSR_METHOD_REGISTER},
	        {"OPTIONS", KSR_METHOD_OPTIONS},
	        {"INFO", KSR_METHOD_INFO},
	        {"SUBSCRIBE", KSR_METHOD_SUBSCRIBE},
	        {"NOTIFY", KSR_METHOD_NOTIFY},
	        {"MESSAGE", KSR_METHOD_MESSAGE},
	        {"PRACK", KSR_METHOD_PRACK},
	        {"UPDATE", KSR_METHOD_UPDATE},
	        {"REFER", KSR_METHOD_REFER},
	        {"PUBLISH", KSR_METHOD_PUBLISH},
	        /* extension methods are tokens; names are case-sensitive (RFC 3261 7.1) */
	        {"FOO", KSR_METHOD_OTHER},
	        {"invite", KSR_METHOD_OTHER},
	        {"X-Custom.Method_1!%*+`'~", KSR_METHOD_OTHER},
	};
	struct fixture *f = *state;
	char buf[256];

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		snprintf(buf, sizeof(buf), "%s sip:x@example.com SIP/2.0\r\n\r\n", methods[i].name);
		parse_ok(f, buf);
		assert_int_equal(f->msg.type, KSR_MSG_REQUEST);
		assert_str(f->msg.first.req.method, methods[i].name);
		assert_int_equal(f->msg.first.req.method_id, methods[i].id);
		assert_null(f->msg.headers);
		assert_int_equal(f->msg.body.len, 0);
	}
	assert_int_equal(ksr_method_id(KSR_STR_STATIC("REGISTER")), KSR_METHOD_REGISTER);
	assert_int_equal(ksr_method_id(KSR_STR_STATIC("REGISTE")), KSR_METHOD_OTHER);
	assert_int_equal(ksr_method_id(KSR_STR_STATIC("REGISTERS")), KSR_METHOD_OTHER);
}

static void test_reply(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "SIP/2.0 180 Ringing\r\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	            "CSeq: 1 INVITE\r\n"
	            "\r\n");
	assert_int_equal(f->msg.type, KSR_MSG_REPLY);
	assert_str(f->msg.first.rpl.version, "SIP/2.0");
	assert_str(f->msg.first.rpl.status, "180");
	assert_int_equal(f->msg.first.rpl.code, 180);
	assert_str(f->msg.first.rpl.reason, "Ringing");
	assert_int_equal(count_headers(&f->msg), 2);

	parse_ok(f, "SIP/2.0 404 Not Found Here\r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 404);
	assert_str(f->msg.first.rpl.reason, "Not Found Here");

	/* an empty reason phrase, with and without the space before it */
	parse_ok(f, "SIP/2.0 200 \r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 200);
	assert_str(f->msg.first.rpl.reason, "");
	parse_ok(f, "SIP/2.0 200\r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 200);
	assert_str(f->msg.first.rpl.reason, "");

	parse_ok(f, "SIP/2.0 699 Whatever\r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 699);
	parse_ok(f, "SIP/2.0 100 Trying\r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 100);
	/* the version is matched without regard to case (RFC 3261 7.1) */
	parse_ok(f, "sip/2.0 503 Service Unavailable\r\n\r\n");
	assert_int_equal(f->msg.type, KSR_MSG_REPLY);
	assert_int_equal(f->msg.first.rpl.code, 503);
	parse_ok(f, "OPTIONS sip:x@example.com sip/2.0\r\n\r\n");
	assert_int_equal(f->msg.type, KSR_MSG_REQUEST);
}

static void test_leading_crlf(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "\r\n\r\nOPTIONS sip:x@example.com SIP/2.0\r\nCall-ID: c\r\n\r\n");
	assert_str(f->msg.first.req.method, "OPTIONS");
	assert_str(f->msg.h_callid->body, "c");
	parse_ok(f, "\n\nSIP/2.0 200 OK\r\n\r\n");
	assert_int_equal(f->msg.first.rpl.code, 200);
}

static void test_compact_and_case(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "INVITE sip:x@example.com SIP/2.0\r\n"
	            "v: SIP/2.0/UDP 192.0.2.1\r\n"
	            "f: <sip:a@example.com>;tag=1\r\n"
	            "t: <sip:x@example.com>\r\n"
	            "i: call-1\r\n"
	            "m: <sip:a@192.0.2.1>\r\n"
	            "c: text/plain\r\n"
	            "k: 100rel\r\n"
	            "o: presence\r\n"
	            "s: hello\r\n"
	            "l: 2\r\n"
	            "e: gzip\r\n"
	            "\r\n"
	            "hi");
	assert_int_equal(nth_header(&f->msg, 0)->type, KSR_HDR_VIA);
	assert_str(nth_header(&f->msg, 0)->name, "v");
	assert_int_equal(nth_header(&f->msg, 1)->type, KSR_HDR_FROM);
	assert_int_equal(nth_header(&f->msg, 2)->type, KSR_HDR_TO);
	assert_int_equal(nth_header(&f->msg, 3)->type, KSR_HDR_CALLID);
	assert_int_equal(nth_header(&f->msg, 4)->type, KSR_HDR_CONTACT);
	assert_int_equal(nth_header(&f->msg, 5)->type, KSR_HDR_CONTENTTYPE);
	assert_int_equal(nth_header(&f->msg, 6)->type, KSR_HDR_SUPPORTED);
	assert_int_equal(nth_header(&f->msg, 7)->type, KSR_HDR_EVENT);
	assert_int_equal(nth_header(&f->msg, 8)->type, KSR_HDR_SUBJECT);
	assert_int_equal(nth_header(&f->msg, 9)->type, KSR_HDR_CONTENTLENGTH);
	assert_int_equal(nth_header(&f->msg, 10)->type, KSR_HDR_CONTENTENCODING);
	assert_ptr_equal(f->msg.h_via1, nth_header(&f->msg, 0));
	assert_ptr_equal(f->msg.h_from, nth_header(&f->msg, 1));
	assert_ptr_equal(f->msg.h_to, nth_header(&f->msg, 2));
	assert_ptr_equal(f->msg.h_callid, nth_header(&f->msg, 3));
	assert_ptr_equal(f->msg.h_contact, nth_header(&f->msg, 4));
	assert_ptr_equal(f->msg.h_clen, nth_header(&f->msg, 9));
	assert_str(f->msg.body, "hi");

	parse_ok(f, "INVITE sip:x@example.com SIP/2.0\r\n"
	            "VIA: SIP/2.0/UDP 192.0.2.1\r\n"
	            "cAlL-iD: c2\r\n"
	            "CONTENT-LENGTH: 0\r\n"
	            "from: <sip:a@example.com>\r\n"
	            "To : <sip:x@example.com>\r\n"
	            "cseq: 1 INVITE\r\n"
	            "Max-forwards: 1\r\n"
	            "Vias: not a via\r\n"
	            "\r\n");
	assert_str(f->msg.h_via1->name, "VIA");
	assert_str(f->msg.h_callid->body, "c2");
	assert_non_null(f->msg.h_clen);
	assert_non_null(f->msg.h_from);
	assert_str(f->msg.h_to->name, "To");
	assert_str(f->msg.h_to->body, "<sip:x@example.com>");
	assert_non_null(f->msg.h_cseq);
	assert_non_null(f->msg.h_maxfwd);
	assert_int_equal(nth_header(&f->msg, 7)->type, KSR_HDR_OTHER);

	assert_int_equal(ksr_hdr_type_of(KSR_STR_STATIC("rEcOrD-rOuTe")), KSR_HDR_RECORDROUTE);
	assert_int_equal(ksr_hdr_type_of(KSR_STR_STATIC("Route")), KSR_HDR_ROUTE);
	assert_int_equal(ksr_hdr_type_of(KSR_STR_STATIC("expires")), KSR_HDR_EXPIRES);
	assert_int_equal(ksr_hdr_type_of(KSR_STR_STATIC("X-Via")), KSR_HDR_OTHER);
}

/* The first header of a kind is the one remembered; the others stay in the list. */
static void test_repeated_headers(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "INVITE sip:x@example.com SIP/2.0\r\n"
	            "Via: SIP/2.0/UDP first\r\n"
	            "Via: SIP/2.0/UDP second\r\n"
	            "v: SIP/2.0/UDP third\r\n"
	            "X-Multi: one\r\n"
	            "X-Multi: two\r\n"
	            "Call-ID: one\r\n"
	            "\r\n");
	assert_int_equal(count_headers(&f->msg), 6);
	assert_str(f->msg.h_via1->body, "SIP/2.0/UDP first");
	assert_str(f->msg.h_callid->body, "one");
	assert_str(nth_header(&f->msg, 2)->body, "SIP/2.0/UDP third");
	/* a single-valued header twice is a fault (RFC 4475 3.3.9), found once all are split */
	expect_fail(f, "INVITE sip:x@example.com SIP/2.0\r\n"
	               "Call-ID: one\r\n"
	               "i: two\r\n"
	               "\r\n",
	            -EINVAL, "two Call-ID headers");
	assert_int_equal(count_headers(&f->msg), 2);
}

static void test_folding(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\n"
	            "Subject: first\r\n"
	            " second\r\n"
	            "\tthird  \r\n"
	            "Call-ID  :   spaced\t\r\n"
	            "Via: SIP/2.0/UDP\r\n"
	            "  192.0.2.1\r\n"
	            "X-Empty:\r\n"
	            "X-Blank:   \r\n"
	            "\r\n");
	assert_int_equal(count_headers(&f->msg), 5);
	assert_str(nth_header(&f->msg, 0)->body, "first\r\n second\r\n\tthird");
	assert_str(nth_header(&f->msg, 0)->line, "Subject: first\r\n second\r\n\tthird  \r\n");
	assert_str(f->msg.h_callid->name, "Call-ID");
	assert_str(f->msg.h_callid->body, "spaced");
	assert_str(f->msg.h_via1->body, "SIP/2.0/UDP\r\n  192.0.2.1");
	assert_str(nth_header(&f->msg, 3)->body, "");
	assert_str(nth_header(&f->msg, 4)->body, "");
	assert_int_equal(f->msg.body.len, 0);

	/* a body starting with blanks right after the empty line is not a continuation */
	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\nX: y\r\n\r\n  body");
	assert_str(nth_header(&f->msg, 0)->body, "y");
	assert_str(f->msg.body, "  body");
}

static void test_bare_lf(void **state)
{
	struct fixture *f = *state;

	parse_ok(f, "REGISTER sip:example.com SIP/2.0\n"
	            "Via: SIP/2.0/UDP 192.0.2.1\n"
	            "Subject: a\n"
	            " b\n"
	            "Content-Length: 3\n"
	            "\n"
	            "abcdef");
	assert_str(f->msg.first.req.version, "SIP/2.0");
	assert_int_equal(count_headers(&f->msg), 3);
	assert_str(f->msg.h_via1->body, "SIP/2.0/UDP 192.0.2.1");
	assert_str(f->msg.h_via1->line, "Via: SIP/2.0/UDP 192.0.2.1\n");
	assert_str(nth_header(&f->msg, 1)->body, "a\n b");
	assert_str(f->msg.body, "abc");

	/* and mixed with CRLF */
	parse_ok(f, "REGISTER sip:example.com SIP/2.0\r\nA: 1\nB: 2\r\n\n");
	assert_int_equal(count_headers(&f->msg), 2);
	assert_str(nth_header(&f->msg, 0)->body, "1");
	assert_str(nth_header(&f->msg, 1)->body, "2");
}

static void test_body(void **state)
{
	struct fixture *f = *state;

	/* Content-Length governs the body; extra bytes of a datagram are ignored */
	static const char extra[] =
	        "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: 5\r\n\r\nhello world";
	static const char binary[] = "MESSAGE sip:x SIP/2.0\r\nl: 4\r\n\r\n\0\r\n\xff";

	parse_ok(f, extra);
	assert_str(f->msg.body, "hello");
	assert_ptr_equal(f->msg.body.s, f->buf + sizeof(extra) - 1 - 11);
	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\ntrailing");
	assert_int_equal(f->msg.body.len, 0);
	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\nl:  5 \r\n\r\nhello");
	assert_str(f->msg.body, "hello");
	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: 0005\r\n\r\nhello");
	assert_str(f->msg.body, "hello");
	/* without Content-Length (allowed on datagrams), the body is the rest */
	parse_ok(f, "MESSAGE sip:x@example.com SIP/2.0\r\nX: 1\r\n\r\nall of\r\nthis");
	assert_str(f->msg.body, "all of\r\nthis");
	/* a body with binary bytes and CRLFs */
	assert_int_equal(parse_n(f, binary, sizeof(binary) - 1), 0);
	assert_int_equal(f->msg.body.len, 4);
	assert_memory_equal(f->msg.body.s, "\0\r\n\xff", 4);

	expect_fail(f, "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: 6\r\n\r\nhello",
	            -EINVAL, "body shorter than Content-Length");
	expect_fail(f, "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: 1\r\n\r\n", -EINVAL,
	            "body shorter than Content-Length");
}

static void test_bad_content_length(void **state)
{
	static const char *const values[] = {
	        "abc", "-1", "+1", "1 0", "0x10", "", "1.5", "9999999999", "5a",
	};
	struct fixture *f = *state;
	char buf[256];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(buf, sizeof(buf),
		         "MESSAGE sip:x@example.com SIP/2.0\r\nContent-Length: %s\r\n\r\nhello",
		         values[i]);
		expect_fail(f, buf, -EINVAL, "bad Content-Length");
	}
}

static void test_malformed_first_line(void **state)
{
	struct fixture *f = *state;

	expect_fail(f, "", -EINVAL, "no end of first line");
	expect_fail(f, "\r\n\r\n", -EINVAL, "no end of first line");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0", -EINVAL, "no end of first line");
	expect_fail(f, "INVITE\r\n\r\n", -EINVAL, "malformed first line");
	expect_fail(f, " INVITE sip:a@example.com SIP/2.0\r\n\r\n", -EINVAL,
	            "malformed first line");
	/* no SIP version */
	expect_fail(f, "INVITE sip:a@example.com\r\n\r\n", -EINVAL, "malformed request line");
	expect_fail(f, "INVITE sip:a@example.com \r\n\r\n", -EINVAL, "malformed request line");
	expect_fail(f, "INVITE  sip:a@example.com SIP/2.0\r\n\r\n", -EINVAL,
	            "malformed request line");
	/* a well-formed other version is 505 material: reported apart from malformed */
	expect_fail(f, "INVITE sip:a@example.com SIP/3.0\r\n\r\n", -EPROTONOSUPPORT,
	            "unsupported SIP version");
	/* not SIP at all: malformed (400), not 505 (RFC 3261 21.5.7 is about SIP versions) */
	expect_fail(f, "GET / HTTP/1.1\r\n\r\n", -EINVAL, "unsupported protocol version");
	/* spaces in the version: a Request-URI split by whitespace */
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0 \r\n\r\n", -EINVAL,
	            "malformed request line");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0 extra\r\n\r\n", -EINVAL,
	            "malformed request line");
	/* bad method characters */
	expect_fail(f, "INV@TE sip:a@example.com SIP/2.0\r\n\r\n", -EINVAL,
	            "bad character in method");
	expect_fail(f, "INV(ITE) sip:a@example.com SIP/2.0\r\n\r\n", -EINVAL,
	            "bad character in method");
	expect_fail(f, "INV\tITE sip:a@example.com SIP/2.0\r\n\r\n", -EINVAL,
	            "bad character in method");
	expect_fail(f, "SIP/2.1 200 OK\r\n\r\n", -EINVAL, "bad character in method");
	/* bad status codes */
	expect_fail(f, "SIP/2.0 2x0 OK\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 099 Too Low\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 000 Zero\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 2000 OK\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 200OK\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 -20 OK\r\n\r\n", -EINVAL, "malformed status code");
	expect_fail(f, "SIP/2.0 20\r\n\r\n", -EINVAL, "malformed status line");
	expect_fail(f, "SIP/2.0 \r\n\r\n", -EINVAL, "malformed status line");
	/* control characters in the request URI */
	expect_fail(f, "INVITE sip:a@exa\x01mple.com SIP/2.0\r\n\r\n", -EINVAL,
	            "bad character in request URI");
}

static void test_malformed_headers(void **state)
{
	struct fixture *f = *state;

	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia SIP/2.0/UDP x\r\n\r\n", -EINVAL,
	            "malformed header name");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\n: value\r\n\r\n", -EINVAL,
	            "malformed header name");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nCall ID: x\r\n\r\n", -EINVAL,
	            "malformed header name");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia(x): y\r\n\r\n", -EINVAL,
	            "malformed header name");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia\r\n\r\n", -EINVAL,
	            "malformed header name");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia", -EINVAL, "malformed header name");
	/* a continuation line with no header to continue */
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\n Via: x\r\n\r\n", -EINVAL,
	            "continuation line without header");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\n\tVia: x\r\n\r\n", -EINVAL,
	            "continuation line without header");
	/* no empty line after the headers */
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia: x\r\n", -EINVAL,
	            "no empty line after headers");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\n", -EINVAL,
	            "no empty line after headers");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia: x", -EINVAL,
	            "header without line end");
	expect_fail(f, "INVITE sip:a@example.com SIP/2.0\r\nVia: x\r\n y", -EINVAL,
	            "header without line end");
	/* a NUL in a header name */
	{
		static const char m[] = "INVITE sip:a SIP/2.0\r\nV\0a: x\r\n\r\n";

		assert_int_equal(parse_n(f, m, sizeof(m) - 1), -EINVAL);
		assert_string_equal(f->why, "malformed header name");
	}
}

static char *make_headers(const char *hdr, int n)
{
	size_t hlen = strlen(hdr), size = 64 + (size_t)n * hlen;
	char *buf = malloc(size), *p;

	assert_non_null(buf);
	p = buf + sprintf(buf, "OPTIONS sip:x@example.com SIP/2.0\r\n");
	for (int i = 0; i < n; i++) {
		memcpy(p, hdr, hlen);
		p += hlen;
	}
	strcpy(p, "\r\n");
	return buf;
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	char *m;
	size_t n;

	m = make_headers("X-H: v\r\n", KSR_MSG_MAX_HEADERS);
	parse_ok(f, m);
	assert_int_equal(count_headers(&f->msg), KSR_MSG_MAX_HEADERS);
	free(m);
	m = make_headers("X-H: v\r\n", KSR_MSG_MAX_HEADERS + 1);
	expect_fail(f, m, -E2BIG, "too many headers");
	free(m);

	m = make_headers("Via: SIP/2.0/UDP h\r\n", KSR_MSG_MAX_VIA);
	parse_ok(f, m);
	free(m);
	m = make_headers("v: SIP/2.0/UDP h\r\n", KSR_MSG_MAX_VIA + 1);
	expect_fail(f, m, -E2BIG, "too many Via headers");
	free(m);

	/* the largest message accepted, then one byte more */
	n = KSR_MSG_MAX_SIZE;
	m = malloc(n + 2);
	assert_non_null(m);
	memset(m, 'x', n + 1);
	m[n + 1] = '\0';
	memcpy(m, "MESSAGE sip:x SIP/2.0\r\n\r\n", 25);
	assert_int_equal(parse_n(f, m, n), 0);
	assert_int_equal(f->msg.body.len, n - 25);
	assert_int_equal(parse_n(f, m, n + 1), -E2BIG);
	assert_string_equal(f->why, "message too large");
	free(m);
}

/* A NULL ret_err is allowed. */
static void test_no_ret_err(void **state)
{
	struct fixture *f = *state;
	static const char bad[] = "bad";
	char *buf = malloc(sizeof(bad) - 1);

	assert_non_null(buf);
	memcpy(buf, bad, sizeof(bad) - 1);
	assert_int_equal(ksr_msg_parse(&f->msg, buf, sizeof(bad) - 1, &f->arena, NULL), -EINVAL);
	free(buf);
}

/*
 * Bad input never crashes: every prefix of a valid message, and messages with bytes
 * changed at random (a fixed seed, so runs repeat), parse or fail cleanly. Run under
 * valgrind, reads past the end of the (exactly sized) buffer are caught too.
 */
static void test_never_crash(void **state)
{
	static const char *const bytes = "\r\n \t:;,<>\"\\/0a=@\x80\0";
	struct fixture *f = *state;
	size_t len = strlen(invite);
	unsigned int seed = 12345;
	char m[sizeof(invite)];

	for (size_t n = 0; n <= len; n++) {
		int r = parse_n(f, invite, n);

		assert_true(r == 0 || r == -EINVAL || r == -EPROTONOSUPPORT || r == -E2BIG);
		if (r < 0)
			assert_non_null(f->why);
	}
	for (int i = 0; i < 20000; i++) {
		int changes = 1 + (int)(rand_r(&seed) % 4), r;

		memcpy(m, invite, len);
		for (int c = 0; c < changes; c++)
			m[rand_r(&seed) % len] = bytes[rand_r(&seed) % 18];
		r = parse_n(f, m, len);
		assert_true(r == 0 || r == -EINVAL || r == -EPROTONOSUPPORT || r == -E2BIG);
		if (r == 0) {
			assert_true(f->msg.body.s >= f->buf && f->msg.body.s <= f->buf + len);
			assert_true(f->msg.body.s + f->msg.body.len <= f->buf + len);
			for (struct ksr_hdr *h = f->msg.headers; h; h = h->next)
				assert_true(h->line.s + h->line.len <= f->buf + len);
		}
	}
}

/* Streams (TCP, TLS, WS): Content-Length ends a message, the next one follows. */
static void test_stream(void **state)
{
	struct fixture *f = *state;
	const char *two = "MESSAGE sip:b@example.com SIP/2.0\r\n"
	                  "Content-Length: 5\r\n"
	                  "\r\n"
	                  "hello"
	                  "OPTIONS sip:b@example.com SIP/2.0\r\n"
	                  "l: 0\r\n"
	                  "\r\n";
	size_t n = strlen(two), used = 0, first;
	const char *why = NULL;
	char *buf = malloc(n);

	assert_non_null(buf);
	memcpy(buf, two, n);
	assert_int_equal(ksr_msg_parse_stream(&f->msg, buf, n, &f->arena, &used, &why), 0);
	assert_int_equal(f->msg.first.req.method_id, KSR_METHOD_MESSAGE);
	assert_int_equal(f->msg.body.len, 5);
	assert_memory_equal(f->msg.body.s, "hello", 5);
	first = used;
	assert_int_equal(first, strlen(two) - strlen("OPTIONS sip:b@example.com SIP/2.0\r\nl: 0\r\n\r\n"));
	assert_int_equal(ksr_msg_parse_stream(&f->msg, buf + first, n - first, &f->arena, &used, &why),
	                 0);
	assert_int_equal(f->msg.first.req.method_id, KSR_METHOD_OPTIONS);
	assert_int_equal(used, n - first);
	/* every prefix short of a whole message asks for more bytes, never fails */
	for (size_t k = 0; k < first; k++) {
		char *part = malloc(k ? k : 1);

		assert_non_null(part);
		memcpy(part, buf, k);
		used = 12345;
		assert_int_equal(ksr_msg_parse_stream(&f->msg, part, k, &f->arena, &used, &why),
		                 -EAGAIN);
		assert_int_equal(used, 12345); /* untouched */
		free(part);
	}
	free(buf);
	/* a faulty message that is still framed tells its length: it is answered and skipped */
	buf = strdup("OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: x\r\ni: y\r\n"
	             "Content-Length: 2\r\n\r\nhiNEXT");
	assert_non_null(buf);
	used = 0;
	assert_int_equal(ksr_msg_parse_stream(&f->msg, buf, strlen(buf), &f->arena, &used, &why),
	                 -EINVAL);
	assert_string_equal(why, "two Call-ID headers");
	assert_int_equal(used, strlen(buf) - strlen("NEXT"));
	free(buf);
	/* on a stream, Content-Length is mandatory (RFC 3261 18.3) */
	buf = strdup("OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse_stream(&f->msg, buf, strlen(buf), &f->arena, &used, &why),
	                 -EINVAL);
	assert_string_equal(why, "no Content-Length on a stream");
	free(buf);
	/* unless tcp_accept_no_cl: then the message has no body and ends at the empty line */
	buf = strdup("OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: x\r\n\r\nNEXT");
	assert_non_null(buf);
	ksr_msg_stream_accept_no_clen = true;
	used = 0;
	assert_int_equal(ksr_msg_parse_stream(&f->msg, buf, strlen(buf), &f->arena, &used, &why), 0);
	ksr_msg_stream_accept_no_clen = false;
	assert_int_equal(used, strlen(buf) - strlen("NEXT"));
	assert_int_equal(f->msg.body.len, 0);
	free(buf);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_request),
	        T(test_stream),
	        T(test_methods),
	        T(test_reply),
	        T(test_leading_crlf),
	        T(test_compact_and_case),
	        T(test_repeated_headers),
	        T(test_folding),
	        T(test_bare_lf),
	        T(test_body),
	        T(test_bad_content_length),
	        T(test_malformed_first_line),
	        T(test_malformed_headers),
	        T(test_limits),
	        T(test_no_ret_err),
	        T(test_never_crash),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
