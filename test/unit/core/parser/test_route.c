/*
 * Tests of name-addr lists (src/core/parser/route.c): Route, Record-Route, Path, PAI, PPI,
 * Diversion.
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
#include "core/parser/hdr.h"
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

static struct ksr_msg *msg_parse(struct fixture *f, const char *text)
{
	struct ksr_str b = body(f, text);

	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	return &f->msg;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static void test_route_list(void **state)
{
	struct fixture *f = *state;
	struct ksr_addr *a;

	assert_int_equal(ksr_parse_addr_list(body(f, "<sip:p1.example.com;lr>,\r\n"
	                                             "  <sip:p2.domain.com;lr;transport=tcp> , "
	                                             "<sip:[2001:db8::1]:5062;LR>;x=1,"
	                                             "<sip:strict@p3.example.com>,"
	                                             "<sip:lr@p4.example.com;lrx>"),
	                                     true, &f->arena, &a),
	                 0);
	assert_str(a->uri, "sip:p1.example.com;lr");
	assert_true(a->lr);
	assert_true(a->angle);
	assert_str(a->value, "<sip:p1.example.com;lr>");
	assert_null(a->hdr);
	a = a->next;
	assert_str(a->uri, "sip:p2.domain.com;lr;transport=tcp");
	assert_true(a->lr);
	a = a->next;
	assert_str(a->uri, "sip:[2001:db8::1]:5062;LR");
	assert_true(a->lr);
	assert_str(a->params, ";x=1");
	assert_str(a->param_list->name, "x");
	a = a->next;
	/* "lr" as a user name is not the lr parameter */
	assert_false(a->lr);
	a = a->next;
	assert_false(a->lr);
	assert_null(a->next);

	/* lr=on (old implementations) counts; a display name is allowed */
	assert_int_equal(
	        ksr_parse_addr_list(body(f, "Proxy <sip:p;lr=on?x=y>"), true, &f->arena, &a), 0);
	assert_true(a->lr);
	assert_str(a->display, "Proxy");
}

static void test_route_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        " ",
	        "sip:p1.example.com;lr", /* Route, Record-Route and Path need <> */
	        "<sip:p1>, sip:p2",
	        "<sip:p1",
	        "<sip:p1>>",
	        "<sip:p1>,",
	        "<sip:p1>;",
	        "<sip:p1> <sip:p2>",
	        "\"open <sip:p1>",
	        "<p1.example.com>",
	        "<sip:p 1>",
	        "<sip:p1>;x=\"",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ksr_addr *a = (struct ksr_addr *)f;
		int r = ksr_parse_addr_list(body(f, bad[i]), true, &f->arena, &a);

		if (r != -EINVAL)
			fail_msg("Route '%s' gave %d", bad[i], r);
		assert_ptr_equal(a, f);
	}
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	struct ksr_addr *a;

	/* RFC 3325 9.1: a sip and a tel identity */
	assert_int_equal(ksr_parse_addr_list(body(f, "\"Cullen Jennings\" <sip:fluffy@cisco.com>, "
	                                             "tel:+14085264000"),
	                                     false, &f->arena, &a),
	                 0);
	assert_str(a->display, "\"Cullen Jennings\"");
	assert_str(a->uri, "sip:fluffy@cisco.com");
	assert_str(a->next->uri, "tel:+14085264000");
	assert_false(a->next->angle);
	assert_null(a->next->next);

	/* addr-spec params are header params; a URI with '?' must be in <> */
	assert_int_equal(ksr_parse_addr_list(body(f, "sip:a@b;user=phone"), false, &f->arena, &a),
	                 0);
	assert_str(a->uri, "sip:a@b");
	assert_str(a->params, ";user=phone");
	a = NULL;
	assert_int_equal(ksr_parse_addr_list(body(f, "sip:a@b?x=y"), false, &f->arena, &a),
	                 -EINVAL);
	assert_null(a);
	assert_int_equal(ksr_parse_addr_list(body(f, "<sip:a@b?x=y>"), false, &f->arena, &a), 0);
	assert_str(a->uri, "sip:a@b?x=y");
}

static void test_msg_lists(void **state)
{
	struct fixture *f = *state;
	struct ksr_addr *a = NULL, *again = NULL;
	struct ksr_msg *msg;

	msg = msg_parse(f, "INVITE sip:b@example.com SIP/2.0\r\n"
	                   "Record-Route: <sip:rr1.example.com;lr>\r\n"
	                   "Route: <sip:r1.example.com;lr>,<sip:r2.example.com;lr>\r\n"
	                   "Via: SIP/2.0/UDP h\r\n"
	                   "route: <sip:r3.example.com>\r\n"
	                   "Path: <sip:pa@edge.example.com;lr>\r\n"
	                   "P-Asserted-Identity: <sip:alice@example.com>\r\n"
	                   "P-Asserted-Identity: tel:+15551234567\r\n"
	                   "P-Preferred-Identity: \"Alice\" <sip:alice@example.com>\r\n"
	                   "\r\n");
	assert_int_equal(ksr_msg_routes(msg, &a), 0);
	assert_str(a->uri, "sip:r1.example.com;lr");
	assert_str(a->hdr->name, "Route");
	assert_str(a->next->uri, "sip:r2.example.com;lr");
	assert_ptr_equal(a->next->hdr, a->hdr);
	assert_str(a->next->next->uri, "sip:r3.example.com");
	assert_str(a->next->next->hdr->name, "route");
	assert_false(a->next->next->lr);
	assert_null(a->next->next->next);
	assert_int_equal(ksr_msg_routes(msg, &again), 0);
	assert_ptr_equal(again, a);
	assert_null(again->next->next->next);

	assert_int_equal(ksr_msg_record_routes(msg, &a), 0);
	assert_str(a->uri, "sip:rr1.example.com;lr");
	assert_null(a->next);
	assert_int_equal(ksr_msg_paths(msg, &a), 0);
	assert_str(a->uri, "sip:pa@edge.example.com;lr");
	assert_int_equal(ksr_msg_pai(msg, &a), 0);
	assert_str(a->uri, "sip:alice@example.com");
	assert_str(a->next->uri, "tel:+15551234567");
	assert_int_equal(ksr_msg_ppi(msg, &a), 0);
	assert_str(a->display, "\"Alice\"");
	a = NULL;
	assert_int_equal(ksr_msg_addr_list(msg, KSR_HDR_DIVERSION, &a), -EINVAL);
	assert_int_equal(ksr_msg_addr_list(msg, KSR_HDR_REFERTO, &a), -ENOENT);
	assert_null(a);

	msg = msg_parse(f, "INVITE sip:b@example.com SIP/2.0\r\n"
	                   "Route: <sip:r1.example.com;lr>\r\n"
	                   "Route: sip:r2.example.com;lr\r\n\r\n");
	assert_int_equal(ksr_msg_routes(msg, &a), -EINVAL);
	assert_null(a);
	assert_int_equal(ksr_msg_routes(msg, &a), -EINVAL);
	msg = msg_parse(f, "INVITE sip:b@example.com SIP/2.0\r\nRoute:\r\n\r\n");
	assert_int_equal(ksr_msg_routes(msg, &a), -EINVAL);
	assert_null(a);
}

static void test_diversion(void **state)
{
	struct fixture *f = *state;
	struct ksr_diversion *d = NULL;
	struct ksr_msg *msg;

	/* RFC 5806 examples */
	assert_int_equal(
	        ksr_parse_diversion(body(f, "<sip:5551111@anywhere.com>;reason=\"busy\";"
	                                    "counter=1;privacy=full,\r\n"
	                                    " \"Ann\" <sip:5552222@x.com>;REASON=time-of-day;"
	                                    " screen=yes ; extra=1"),
	                            &f->arena, &d),
	        0);
	assert_str(d->uri, "sip:5551111@anywhere.com");
	assert_str(d->reason, "busy");
	assert_true(d->has_counter);
	assert_int_equal(d->counter, 1);
	assert_str(d->privacy, "full");
	assert_str(d->screen, "");
	d = d->next;
	assert_str(d->display, "\"Ann\"");
	assert_str(d->reason, "time-of-day");
	assert_false(d->has_counter);
	assert_str(d->screen, "yes");
	assert_str(ksr_params_get(d->param_list, "extra")->value, "1");
	assert_null(d->next);

	static const char *const bad[] = {
	        "",
	        "sip:a@b;reason=busy",
	        "<sip:a@b>;counter=100",
	        "<sip:a@b>;counter=x",
	        "<sip:a@b>;counter",
	        "<sip:a@b>;counter=1;counter=2",
	        "<sip:a@b>;reason",
	        "<sip:a@b>;reason=\"\"",
	        "<sip:a@b>;reason=a;reason=b",
	        "<sip:a@b>,",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = (struct ksr_diversion *)f;
		if (ksr_parse_diversion(body(f, bad[i]), &f->arena, &d) != -EINVAL)
			fail_msg("Diversion '%s' accepted", bad[i]);
		assert_ptr_equal(d, f);
	}

	msg = msg_parse(f, "INVITE sip:b@example.com SIP/2.0\r\n"
	                   "Diversion: <sip:a@example.com>;reason=unconditional;counter=2\r\n"
	                   "Diversion: <sip:b@example.com>;reason=no-answer\r\n\r\n");
	assert_int_equal(ksr_msg_diversions(msg, &d), 0);
	assert_int_equal(d->counter, 2);
	assert_str(d->next->reason, "no-answer");
	assert_ptr_not_equal(d->hdr, d->next->hdr);
	assert_null(d->next->next);
}

static void test_prefixes(void **state)
{
	static const char good[] = "\"P, 1\" <sip:p1@[2001:db8::1]:5060;lr>;x=\"a,b\", "
	                           "<sip:p2;lr>;reason=busy;counter=3";
	struct fixture *f = *state;

	for (size_t n = 0; n < sizeof(good); n++) {
		struct ksr_addr *a = NULL;
		struct ksr_diversion *d = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, good, n);
		r = ksr_parse_addr_list(ksr_str_make(b, n), true, &f->arena, &a);
		assert_true(r == 0 || r == -EINVAL);
		r = ksr_parse_addr_list(ksr_str_make(b, n), false, &f->arena, &a);
		assert_true(r == 0 || r == -EINVAL);
		r = ksr_parse_diversion(ksr_str_make(b, n), &f->arena, &d);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_route_list), T(test_route_malformed), T(test_identity),
	        T(test_msg_lists),  T(test_diversion),       T(test_prefixes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
