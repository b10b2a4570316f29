/* Tests of Contact bodies (src/core/parser/contact.c): RFC 3261 20.10, RFC 5626. */
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

struct fixture {
	struct ksr_arena arena;
	char *buf; /* exactly sized copy of the body: valgrind sees over-reads */
	struct ksr_contacts *cs;
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

static int parse(struct fixture *f, const char *body)
{
	size_t n = strlen(body);

	free(f->buf);
	f->buf = malloc(n ? n : 1);
	assert_non_null(f->buf);
	memcpy(f->buf, body, n);
	f->cs = NULL;
	return ksr_parse_contact(ksr_str_make(f->buf, n), &f->arena, &f->cs);
}

static struct ksr_contact *parse_ok(struct fixture *f, const char *body)
{
	int r = parse(f, body);

	if (r != 0)
		fail_msg("Contact '%s' refused (%d)", body, r);
	assert_non_null(f->cs);
	assert_false(f->cs->star);
	assert_non_null(f->cs->first);
	return f->cs->first;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static void test_rfc3261_example(void **state)
{
	struct fixture *f = *state;
	struct ksr_contact *c;

	/* RFC 3261 20.10 */
	c = parse_ok(f, "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>\r\n"
	                "   ;q=0.7; expires=3600,\r\n"
	                "   \"Mr. Watson\" <mailto:watson@bell-telephone.com> ;q=0.1");
	assert_str(c->display, "\"Mr. Watson\"");
	assert_str(c->uri, "sip:watson@worcester.bell-telephone.com");
	assert_int_equal(c->q, 700);
	assert_true(c->has_expires);
	assert_int_equal(c->expires, 3600);
	assert_str(c->params, ";q=0.7; expires=3600");
	assert_str(c->value, "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>\r\n"
	                     "   ;q=0.7; expires=3600");
	assert_str(c->param_list->name, "q");
	assert_str(c->param_list->next->name, "expires");
	assert_null(c->hdr);
	c = c->next;
	assert_non_null(c);
	assert_str(c->uri, "mailto:watson@bell-telephone.com");
	assert_int_equal(c->q, 100);
	assert_false(c->has_expires);
	assert_null(c->next);
}

static void test_params(void **state)
{
	struct fixture *f = *state;
	struct ksr_contact *c;

	/* RFC 5626 outbound registration */
	c = parse_ok(f, "<sip:line1@192.0.2.2;transport=tcp>; reg-id=1;\r\n"
	                " +sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"");
	assert_str(c->uri, "sip:line1@192.0.2.2;transport=tcp");
	assert_true(c->has_reg_id);
	assert_int_equal(c->reg_id, 1);
	assert_true(c->has_instance);
	assert_str(c->instance, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
	assert_int_equal(c->q, -1);
	assert_false(c->has_expires);

	/* names are case-insensitive; the URI's own params are not the header's */
	c = parse_ok(f, "<sip:a@example.com;expires=5;q=0.2>;EXPIRES=60;Q=1;Reg-Id=2147483647");
	assert_int_equal(c->expires, 60);
	assert_int_equal(c->q, 1000);
	assert_int_equal(c->reg_id, 2147483647u);

	/* without <>, params after the URI are header params (RFC 3261 20.10) */
	c = parse_ok(f, "sip:bob@192.0.2.4;expires=0;q=0");
	assert_str(c->uri, "sip:bob@192.0.2.4");
	assert_true(c->has_expires);
	assert_int_equal(c->expires, 0);
	assert_int_equal(c->q, 0);
	assert_str(c->display, "");

	c = parse_ok(f, "<sip:a@b>;expires=4294967295;received=\"sip:198.51.100.1:5060\";"
	                "methods=\"INVITE,BYE\";x-flag;x-v=\"a;b\"");
	assert_int_equal(c->expires, 4294967295u);
	assert_str(c->received, "sip:198.51.100.1:5060");
	assert_str(c->methods, "INVITE,BYE");
	assert_str(ksr_params_get(c->param_list, "x-v")->value, "\"a;b\"");
	assert_false(ksr_params_get(c->param_list, "x-flag")->has_value);

	/* IPv6 (RFC 5118) and a token display name */
	c = parse_ok(f, "Bob Two <sip:bob@[2001:db8::10]:5070;transport=udp>;q=0.05");
	assert_str(c->display, "Bob Two");
	assert_str(c->uri, "sip:bob@[2001:db8::10]:5070;transport=udp");
	assert_int_equal(c->q, 50);
	c = parse_ok(f, "sip:[2001:db8::10]");
	assert_str(c->uri, "sip:[2001:db8::10]");

	/* quoted display with escaped quote and comma; several values */
	c = parse_ok(f, "\"Doe, \\\"JD\\\" John\" <sip:jd@example.com>,<sips:x@example.com> , "
	                "tel:+1-201-555-0123");
	assert_str(c->display, "\"Doe, \\\"JD\\\" John\"");
	assert_str(c->next->uri, "sips:x@example.com");
	assert_str(c->next->next->uri, "tel:+1-201-555-0123");
	assert_null(c->next->next->next);
}

static void test_star(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "*"), 0);
	assert_true(f->cs->star);
	assert_null(f->cs->first);
	assert_int_equal(parse(f, "  *\t"), 0);
	assert_true(f->cs->star);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        "   ",
	        "*, <sip:a@b>",
	        "<sip:a@b>, *",
	        "*;expires=0",
	        "**",
	        "<sip:a@b",
	        "sip:a@b>",
	        "\"open <sip:a@b>",
	        "<sip:a@b>;expires=4294967296",
	        "<sip:a@b>;expires=99999999999999999999",
	        "<sip:a@b>;expires=-1",
	        "<sip:a@b>;expires=1h",
	        "<sip:a@b>;expires",
	        "<sip:a@b>;expires=",
	        "<sip:a@b>;expires=\"10\"",
	        "<sip:a@b>;expires=1;expires=2",
	        "<sip:a@b>;q=1.5",
	        "<sip:a@b>;q=0.1234",
	        "<sip:a@b>;q",
	        "<sip:a@b>;q=0.5;q=0.5",
	        "<sip:a@b>;reg-id=0",
	        "<sip:a@b>;reg-id=2147483648",
	        "<sip:a@b>;reg-id=x",
	        "<sip:a@b>;+sip.instance",
	        "<sip:a@b>;+sip.instance=\"\"",
	        "<sip:a@b>;received",
	        /* an addr-spec with headers or params in the user part needs <> */
	        "sip:a@b?subject=x",
	        "sip:a@b,c@d",
	        "<sip:a@b>,",
	        ",<sip:a@b>",
	        "<sip:a@b>,,<sip:c@d>",
	        "<sip:a@b> junk",
	        "<sip:a@b>;",
	        "<sip:a b@c>",
	        "<>",
	        "Bob",
	        "\"Bob\" sip:a@b",
	        "Bob \"x\" <sip:a@b>",
	        "<sip:a@b>\r\n",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(f, bad[i]);

		if (r != -EINVAL)
			fail_msg("Contact '%s' gave %d, expected -EINVAL", bad[i], r);
		assert_null(f->cs);
	}
}

static void test_prefixes(void **state)
{
	static const char good[] = "\"A, \\\"b\\\"\" <sip:a@[2001:db8::1]:5060;lr>;q=0.5;"
	                           "+sip.instance=\"<urn:x>\";expires=60, sip:c@d;reg-id=3";
	struct fixture *f = *state;

	for (size_t n = 0; n < sizeof(good); n++) {
		char *b = malloc(n ? n : 1);
		struct ksr_contacts *cs = NULL;
		int r;

		assert_non_null(b);
		memcpy(b, good, n);
		r = ksr_parse_contact(ksr_str_make(b, n), &f->arena, &cs);
		assert_true(r == 0 || r == -EINVAL);
		assert_true(r == 0 || cs == NULL);
		free(b);
	}
}

static struct ksr_msg *msg_parse(struct fixture *f, const char *text)
{
	static struct ksr_msg msg;
	size_t n = strlen(text);

	free(f->buf);
	f->buf = malloc(n);
	assert_non_null(f->buf);
	memcpy(f->buf, text, n);
	assert_int_equal(ksr_msg_parse(&msg, f->buf, n, &f->arena, NULL), 0);
	return &msg;
}

static void test_msg_contacts(void **state)
{
	struct fixture *f = *state;
	struct ksr_contacts *cs = NULL, *again = NULL;
	struct ksr_contact *c;
	struct ksr_msg *msg;

	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\n"
	                   "Contact: <sip:a@192.0.2.1>;expires=10, <sip:b@192.0.2.1>\r\n"
	                   "Call-ID: x\r\n"
	                   "m: sip:c@192.0.2.1;q=0.3\r\n"
	                   "CONTACT: <sip:d@192.0.2.1>\r\n"
	                   "\r\n");
	assert_int_equal(ksr_msg_contacts(msg, &cs), 0);
	assert_false(cs->star);
	c = cs->first;
	assert_str(c->uri, "sip:a@192.0.2.1");
	assert_ptr_equal(c->hdr, msg->h_contact);
	assert_int_equal(c->expires, 10);
	c = c->next;
	assert_str(c->uri, "sip:b@192.0.2.1");
	assert_ptr_equal(c->hdr, msg->h_contact);
	c = c->next;
	assert_str(c->uri, "sip:c@192.0.2.1");
	assert_str(c->hdr->name, "m");
	assert_int_equal(c->q, 300);
	c = c->next;
	assert_str(c->uri, "sip:d@192.0.2.1");
	assert_str(c->hdr->name, "CONTACT");
	assert_null(c->next);
	assert_int_equal(ksr_msg_contacts(msg, &again), 0);
	assert_ptr_equal(again, cs);
	assert_ptr_equal(msg->h_contact->parsed, cs);
	assert_null(again->first->next->next->next->next);

	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n");
	assert_int_equal(ksr_msg_contacts(msg, &cs), 0);
	assert_true(cs->star);
	assert_null(cs->first);

	/* a star is only valid alone, also across lines */
	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\nContact: *\r\n"
	                   "Contact: <sip:a@b>\r\n\r\n");
	cs = NULL;
	assert_int_equal(ksr_msg_contacts(msg, &cs), -EINVAL);
	assert_null(cs);
	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\nContact: <sip:a@b>\r\n"
	                   "Contact: *\r\n\r\n");
	assert_int_equal(ksr_msg_contacts(msg, &cs), -EINVAL);
	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\nContact: <sip:a@b>\r\n"
	                   "Contact: <sip:c@d\r\n\r\n");
	assert_int_equal(ksr_msg_contacts(msg, &cs), -EINVAL);
	assert_null(cs);
	msg = msg_parse(f, "REGISTER sip:example.com SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n");
	assert_int_equal(ksr_msg_contacts(msg, &cs), -ENOENT);
	assert_null(cs);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_rfc3261_example), T(test_params),   T(test_star),
	        T(test_malformed),       T(test_prefixes), T(test_msg_contacts),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
