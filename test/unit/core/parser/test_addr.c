/* Tests of From/To bodies and CSeq (src/core/parser/addr.c). */
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
#include "core/parser/msg.h"

/* Parsers get an exactly sized copy, so that valgrind sees reads past the end. */
static char *dup_exact(const char *s, size_t *ret_len)
{
	size_t n = strlen(s);
	char *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, s, n);
	*ret_len = n;
	return b;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

struct na_case {
	const char *body;
	const char *display, *uri, *params, *tag; /* tag NULL: no tag */
};

static void check_nameaddr(const struct na_case *c)
{
	struct ksr_nameaddr na;
	size_t n;
	char *b = dup_exact(c->body, &n);
	int r = ksr_parse_nameaddr(ksr_str_make(b, n), &na);

	if (r != 0)
		fail_msg("'%s' refused (%d)", c->body, r);
	assert_str(na.display, c->display);
	assert_str(na.uri, c->uri);
	assert_str(na.params, c->params);
	if (c->tag) {
		assert_true(na.has_tag);
		assert_str(na.tag, c->tag);
	} else {
		assert_false(na.has_tag);
		assert_int_equal(na.tag.len, 0);
	}
	free(b);
}

static void test_name_addr(void **state)
{
	static const struct na_case cases[] = {
	        {"Bob <sip:bob@biloxi.example.com>", "Bob", "sip:bob@biloxi.example.com", "", NULL},
	        {"Alice <sip:alice@atlanta.example.com>;tag=1928301774", "Alice",
	         "sip:alice@atlanta.example.com", ";tag=1928301774", "1928301774"},
	        {"<sip:carol@chicago.example.com>", "", "sip:carol@chicago.example.com", "", NULL},
	        {"\"Alice Liddell\" <sip:alice@example.com>;tag=a1", "\"Alice Liddell\"",
	         "sip:alice@example.com", ";tag=a1", "a1"},
	        {"Two Words<sip:x@example.com>", "Two Words", "sip:x@example.com", "", NULL},
	        /* URI params inside <> are the URI's; header params follow '>' */
	        {"<sip:a@example.com;transport=udp;lr>;tag=t1;x=y", "",
	         "sip:a@example.com;transport=udp;lr", ";tag=t1;x=y", "t1"},
	        {"<sip:a@example.com>;x=y;tag=t2;z", "", "sip:a@example.com", ";x=y;tag=t2;z",
	         "t2"},
	        {"<sip:a@example.com> ; TAG = spaced ", "", "sip:a@example.com", "; TAG = spaced ",
	         "spaced"},
	        {"<tel:+1-201-555-0123>", "", "tel:+1-201-555-0123", "", NULL},
	        {"<sips:b@example.com>;tag=\"quoted;tag\"", "", "sips:b@example.com",
	         ";tag=\"quoted;tag\"", "\"quoted;tag\""},
	        {"  <sip:lead@example.com>", "", "sip:lead@example.com", "", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_nameaddr(&cases[i]);
}

static void test_quoted_display(void **state)
{
	static const struct na_case cases[] = {
	        /* '<' and ';' inside a quoted display name are not delimiters */
	        {"\"A <weird> name\" <sip:a@example.com>;tag=x", "\"A <weird> name\"",
	         "sip:a@example.com", ";tag=x", "x"},
	        {"\"Semi;colon\" <sip:a@example.com;transport=udp>;tag=y", "\"Semi;colon\"",
	         "sip:a@example.com;transport=udp", ";tag=y", "y"},
	        {"\"<sip:fake@evil.example.com>\" <sip:real@example.com>",
	         "\"<sip:fake@evil.example.com>\"", "sip:real@example.com", "", NULL},
	        /* escaped quotes stay inside the display name */
	        {"\"The \\\"Boss\\\" <ceo>\" <sip:boss@example.com>;tag=z",
	         "\"The \\\"Boss\\\" <ceo>\"", "sip:boss@example.com", ";tag=z", "z"},
	        {"\"\" <sip:empty@example.com>", "\"\"", "sip:empty@example.com", "", NULL},
	        {"\"back\\\\slash\" <sip:b@example.com>", "\"back\\\\slash\"", "sip:b@example.com",
	         "", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_nameaddr(&cases[i]);
}

static void test_addr_spec(void **state)
{
	static const struct na_case cases[] = {
	        {"sip:carol@chicago.example.com", "", "sip:carol@chicago.example.com", "", NULL},
	        /* without <>, everything after the first ';' is a header param (RFC 3261 20.10) */
	        {"sip:carol@chicago.example.com;tag=887s", "", "sip:carol@chicago.example.com",
	         ";tag=887s", "887s"},
	        {"sip:a@example.com;transport=tcp;tag=9", "", "sip:a@example.com",
	         ";transport=tcp;tag=9", "9"},
	        {"sip:a@example.com ;tag=sp", "", "sip:a@example.com", ";tag=sp", "sp"},
	        {"tel:+12015550123", "", "tel:+12015550123", "", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_nameaddr(&cases[i]);
}

static void test_nameaddr_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        "   ",
	        "\"unterminated <sip:a@example.com>",
	        "<sip:a@example.com",
	        "Bob <>",
	        "noscheme",
	        "<noscheme@example.com>",
	        "<sip:a@example.com>junk",
	        "<sip:a@example.com>;",
	        "<sip:a@example.com>;;tag=1",
	        "<sip:a@example.com>;tag",
	        "<sip:a@example.com>;tag=",
	        "<sip:a@example.com>;tag=;x",
	        "<sip:a@example.com>;x=\"open",
	        "sip:a@example.com junk",
	        ";tag=1",
	};
	struct ksr_nameaddr na, untouched;

	memset(&untouched, 0x5a, sizeof(untouched));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n;
		char *b = dup_exact(bad[i], &n);
		int r;

		na = untouched;
		r = ksr_parse_nameaddr(ksr_str_make(b, n), &na);
		if (r != -EINVAL)
			fail_msg("'%s' gave %d, expected -EINVAL", bad[i], r);
		/* the out-parameter is untouched on failure */
		assert_memory_equal(&na, &untouched, sizeof(na));
		free(b);
	}
}

static void test_cseq(void **state)
{
	static const struct {
		const char *body;
		unsigned int number;
		const char *method;
		enum ksr_method id;
	} good[] = {
	        {"314159 INVITE", 314159, "INVITE", KSR_METHOD_INVITE},
	        {"1 ACK", 1, "ACK", KSR_METHOD_ACK},
	        {"0 REGISTER", 0, "REGISTER", KSR_METHOD_REGISTER},
	        {"12  \tBYE", 12, "BYE", KSR_METHOD_BYE},
	        {"4294967295 CANCEL", 4294967295u, "CANCEL", KSR_METHOD_CANCEL},
	        {"7 FOO-BAR", 7, "FOO-BAR", KSR_METHOD_OTHER},
	        {"7 invite", 7, "invite", KSR_METHOD_OTHER},
	};
	static const char *const bad[] = {
	        "",
	        "INVITE",
	        "12",
	        "12 ",
	        "abc INVITE",
	        "12INVITE",
	        "-1 INVITE",
	        "1 INV ITE",
	        "4294967296 INVITE",
	        "99999999999999999999 INVITE",
	        " 1 INVITE",
	        "1 INVITE\r\n",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ksr_cseq c;
		size_t n;
		char *b = dup_exact(good[i].body, &n);

		if (ksr_parse_cseq(ksr_str_make(b, n), &c) != 0)
			fail_msg("CSeq '%s' refused", good[i].body);
		assert_int_equal(c.number, good[i].number);
		assert_str(c.method, good[i].method);
		assert_int_equal(c.method_id, good[i].id);
		free(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ksr_cseq c, untouched;
		size_t n;
		char *b = dup_exact(bad[i], &n);
		int r;

		memset(&untouched, 0x5a, sizeof(untouched));
		c = untouched;
		r = ksr_parse_cseq(ksr_str_make(b, n), &c);
		if (r != -EINVAL)
			fail_msg("CSeq '%s' gave %d, expected -EINVAL", bad[i], r);
		assert_memory_equal(&c, &untouched, sizeof(c));
		free(b);
	}
}

/* The cached accessors on a parsed message. */
static void test_msg_accessors(void **state)
{
	static const char m[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
	                        "f: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
	                        "To: <sip:bob@example.com>\r\n"
	                        "CSeq: 2 INVITE\r\n"
	                        "\r\n";
	struct ksr_arena arena;
	struct ksr_msg msg;
	struct ksr_nameaddr *from = NULL, *to = NULL, *again = NULL;
	struct ksr_cseq *cseq = NULL, *cagain = NULL;
	char *buf = strdup(m);

	assert_non_null(buf);
	ksr_arena_init(&arena, 1024);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &arena, NULL), 0);
	assert_int_equal(ksr_msg_from(&msg, &from), 0);
	assert_str(from->display, "\"Alice\"");
	assert_str(from->uri, "sip:alice@example.com");
	assert_true(from->has_tag);
	assert_str(from->tag, "1928301774");
	assert_non_null(from->param_list);
	assert_str(from->param_list->name, "tag");
	assert_int_equal(ksr_msg_from(&msg, &again), 0);
	assert_ptr_equal(again, from);
	assert_ptr_equal(msg.h_from->parsed, from);

	assert_int_equal(ksr_msg_to(&msg, &to), 0);
	assert_str(to->uri, "sip:bob@example.com");
	assert_false(to->has_tag);
	assert_int_equal(ksr_msg_to(&msg, &again), 0);
	assert_ptr_equal(again, to);

	assert_int_equal(ksr_msg_cseq(&msg, &cseq), 0);
	assert_int_equal(cseq->number, 2);
	assert_int_equal(cseq->method_id, KSR_METHOD_INVITE);
	assert_int_equal(ksr_msg_cseq(&msg, &cagain), 0);
	assert_ptr_equal(cagain, cseq);
	free(buf);

	/* missing headers: -ENOENT; malformed: -EINVAL, nothing cached */
	buf = strdup("INVITE sip:bob@example.com SIP/2.0\r\nTo: <sip:broken\r\nCSeq: x\r\n\r\n");
	assert_non_null(buf);
	ksr_arena_reset(&arena);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &arena, NULL), 0);
	from = NULL;
	assert_int_equal(ksr_msg_from(&msg, &from), -ENOENT);
	assert_null(from);
	assert_int_equal(ksr_msg_to(&msg, &to), -EINVAL);
	assert_null(msg.h_to->parsed);
	assert_int_equal(ksr_msg_cseq(&msg, &cseq), -EINVAL);
	assert_null(msg.h_cseq->parsed);
	free(buf);
	ksr_arena_destroy(&arena);
}

/* ksr_parse_fromto: the same, plus the list of every header param. */
static void test_fromto(void **state)
{
	static const char *const bad[] = {
	        /* a URI with headers or a comma must be in <> (RFC 3261 20.10) */
	        "sip:a@example.com?subject=x",
	        "sip:a@example.com,b@example.com",
	        "<sip:a@example.com>, <sip:b@example.com>",
	        "<sip:a@example.com>;tag=1;tag=2",
	        "Bob \"x\" <sip:a@example.com>",
	        "\"Bob\" sip:a@example.com",
	        "\"Bob\" junk <sip:a@example.com>",
	        "<sip:a@example.com>\r\n",
	        "<sip:a@example.com>;tag=a b",
	        "<sip:a@<b>>",
	        "<sip:a@example.com>>",
	        "<:a@example.com>",
	        "<1sip:a@example.com>",
	        "<sip:>",
	};
	struct ksr_arena arena;
	struct ksr_nameaddr *na = NULL;
	struct ksr_param *p;
	size_t n;
	char *b;

	ksr_arena_init(&arena, 1024);
	b = dup_exact("\"A \\\"B\\\" C\"\r\n <sip:a@[2001:db8::1]:5060;transport=tcp>\r\n"
	              " ;Tag=x-1 ; foo ;bar=\"v;w\"",
	              &n);
	assert_int_equal(ksr_parse_fromto(ksr_str_make(b, n), &arena, &na), 0);
	assert_str(na->display, "\"A \\\"B\\\" C\"");
	assert_str(na->uri, "sip:a@[2001:db8::1]:5060;transport=tcp");
	assert_true(na->has_tag);
	assert_str(na->tag, "x-1");
	p = na->param_list;
	assert_str(p->name, "Tag");
	p = p->next;
	assert_str(p->name, "foo");
	assert_false(p->has_value);
	p = p->next;
	assert_str(p->name, "bar");
	assert_str(p->value, "\"v;w\"");
	assert_null(p->next);
	free(b);

	/* ksr_parse_nameaddr leaves the list empty */
	{
		struct ksr_nameaddr plain;

		b = dup_exact("<sip:a@b>;x=1", &n);
		assert_int_equal(ksr_parse_nameaddr(ksr_str_make(b, n), &plain), 0);
		assert_null(plain.param_list);
		assert_str(plain.params, ";x=1");
		free(b);
	}

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = dup_exact(bad[i], &n);
		na = (struct ksr_nameaddr *)b;
		if (ksr_parse_fromto(ksr_str_make(b, n), &arena, &na) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_ptr_equal(na, b);
		free(b);
	}
	ksr_arena_destroy(&arena);
}

/* Every prefix of a tricky From parses or fails cleanly (valgrind checks the reads). */
static void test_fromto_prefixes(void **state)
{
	static const char good[] =
	        "\"A \\\"q\\\" <b>\" <sips:a@[2001:db8::1]:5061;lr>;tag=\"t;1\";x=[::1];y";
	struct ksr_arena arena;

	ksr_arena_init(&arena, 1024);
	for (size_t n = 0; n < sizeof(good); n++) {
		struct ksr_nameaddr *na = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, good, n);
		r = ksr_parse_fromto(ksr_str_make(b, n), &arena, &na);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
	ksr_arena_destroy(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_name_addr), cmocka_unit_test(test_quoted_display),
	        cmocka_unit_test(test_addr_spec), cmocka_unit_test(test_nameaddr_malformed),
	        cmocka_unit_test(test_cseq),      cmocka_unit_test(test_msg_accessors),
	        cmocka_unit_test(test_fromto),    cmocka_unit_test(test_fromto_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
