/* Tests of Via header bodies (src/core/parser/via.c): RFC 3261 20.42, RFC 3581 rport. */
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
	char *buf; /* the body, exactly sized: valgrind sees reads past its end */
	struct ksr_via *via;
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
	f->via = NULL;
	return ksr_parse_via(ksr_str_make(f->buf, n), &f->arena, &f->via);
}

static struct ksr_via *parse_ok(struct fixture *f, const char *body)
{
	int r = parse(f, body);

	if (r != 0)
		fail_msg("Via '%s' refused (%d)", body, r);
	assert_non_null(f->via);
	return f->via;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

/* The text between two pointers into the body. */
static void assert_span(const char *from, const char *to, const char *want)
{
	assert_non_null(from);
	assert_true(to >= from);
	assert_str(ksr_str_make((char *)from, (size_t)(to - from)), want);
}

static void test_basic(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;

	v = parse_ok(f, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
	assert_str(v->transport, "UDP");
	assert_str(v->host, "pc33.atlanta.example.com");
	assert_int_equal(v->port, 0);
	assert_str(v->params, ";branch=z9hG4bK776asdhds");
	assert_str(v->branch, "z9hG4bK776asdhds");
	assert_false(v->has_received);
	assert_false(v->has_rport);
	assert_ptr_equal(
	        v->end,
	        f->buf + strlen("SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"));
	assert_null(v->next);

	v = parse_ok(f, "SIP/2.0/TCP 192.0.2.4:5061");
	assert_str(v->transport, "TCP");
	assert_str(v->host, "192.0.2.4");
	assert_int_equal(v->port, 5061);
	assert_int_equal(v->params.len, 0);
	assert_int_equal(v->branch.len, 0);
	assert_ptr_equal(v->end, f->buf + strlen("SIP/2.0/TCP 192.0.2.4:5061"));

	v = parse_ok(f, "SIP/2.0/TLS host-name_1.example.org:65535;branch=z9hG4bKx");
	assert_str(v->transport, "TLS");
	assert_str(v->host, "host-name_1.example.org");
	assert_int_equal(v->port, 65535);

	/* protocol name and version are case-insensitive; the transport is kept as written */
	v = parse_ok(f, "sip/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bKx");
	assert_str(v->transport, "ws");
	assert_str(v->host, "df7jal23ls0d.invalid");
}

static void test_rport_received(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;

	/* rport without a value (RFC 3581 3: the client asks for it) */
	v = parse_ok(f, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport");
	assert_true(v->has_rport);
	assert_int_equal(v->rport.len, 0);
	assert_span(v->rport_name, v->rport_end, "rport");
	assert_ptr_equal(v->rport_end, v->end);
	assert_str(v->branch, "z9hG4bK1");
	assert_false(v->has_received);

	/* with values, as a proxy writes them, in any order */
	v = parse_ok(f, "SIP/2.0/UDP 10.0.0.1;rport=5061;received=192.0.2.7;branch=z9hG4bK2");
	assert_true(v->has_rport);
	assert_str(v->rport, "5061");
	assert_span(v->rport_name, v->rport_end, "rport=5061");
	assert_true(v->has_received);
	assert_str(v->received, "192.0.2.7");
	assert_str(v->branch, "z9hG4bK2");
	assert_str(v->params, ";rport=5061;received=192.0.2.7;branch=z9hG4bK2");

	/* rport first, then other params: the span covers only rport */
	v = parse_ok(f, "SIP/2.0/UDP h;rport;branch=z9hG4bK3");
	assert_span(v->rport_name, v->rport_end, "rport");
	assert_span(v->rport_end, v->end, ";branch=z9hG4bK3");

	/* names are case-insensitive */
	v = parse_ok(f, "SIP/2.0/UDP h;RPORT;Branch=z9hG4bK4;RECEIVED=[2001:db8::9]");
	assert_true(v->has_rport);
	assert_str(v->branch, "z9hG4bK4");
	assert_true(v->has_received);
	assert_str(v->received, "[2001:db8::9]");

	/* received without a value is still seen */
	v = parse_ok(f, "SIP/2.0/UDP h;received");
	assert_true(v->has_received);
	assert_int_equal(v->received.len, 0);

	/* other params, flags and quoted values are stepped over */
	v = parse_ok(f, "SIP/2.0/UDP h;ttl=16;maddr=224.0.0.1;x=\"a;b,c\";hide;branch=z9hG4bK5");
	assert_str(v->branch, "z9hG4bK5");
	assert_false(v->has_rport);
	assert_str(v->params, ";ttl=16;maddr=224.0.0.1;x=\"a;b,c\";hide;branch=z9hG4bK5");
}

static void test_ipv6(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;

	v = parse_ok(f, "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK6");
	assert_str(v->host, "2001:db8::1");
	assert_int_equal(v->port, 5070);
	assert_str(v->branch, "z9hG4bK6");

	v = parse_ok(f, "SIP/2.0/UDP [::1];rport");
	assert_str(v->host, "::1");
	assert_int_equal(v->port, 0);
	assert_true(v->has_rport);

	v = parse_ok(f, "SIP/2.0/UDP [::ffff:192.0.2.1]:5060");
	assert_str(v->host, "::ffff:192.0.2.1");
	assert_int_equal(v->port, 5060);
}

/* Linear whitespace is allowed around '/', ':', ';', '=' and ','. */
static void test_lws(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;

	v = parse_ok(f, "SIP / 2.0 / UDP  first.example.com : 5060 ; branch = z9hG4bK7 ;rport");
	assert_str(v->transport, "UDP");
	assert_str(v->host, "first.example.com");
	assert_int_equal(v->port, 5060);
	assert_str(v->branch, "z9hG4bK7");
	assert_true(v->has_rport);

	v = parse_ok(f, "SIP/2.0/UDP\r\n  folded.example.com;branch=z9hG4bK8");
	assert_str(v->host, "folded.example.com");
}

static void test_multiple_values(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;

	v = parse_ok(f, "SIP/2.0/UDP a.example.com;branch=z9hG4bK1;rport , "
	                "SIP/2.0/TCP b.example.com:5080;branch=z9hG4bK2,SIP/2.0/UDP [::2]");
	assert_str(v->host, "a.example.com");
	assert_str(v->branch, "z9hG4bK1");
	assert_true(v->has_rport);
	/* a new param goes right after the value, before the separator */
	assert_span(v->end, v->end + 3, " , ");
	assert_non_null(v->next);
	v = v->next;
	assert_str(v->transport, "TCP");
	assert_str(v->host, "b.example.com");
	assert_int_equal(v->port, 5080);
	assert_str(v->branch, "z9hG4bK2");
	assert_false(v->has_rport);
	assert_int_equal(*v->end, ',');
	v = v->next;
	assert_non_null(v);
	assert_str(v->host, "::2");
	assert_null(v->next);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        "   ",
	        "SIP/2.0/UDP",
	        "SIP/2.0/UDP ",
	        "SIP/2.0 UDP host",
	        "SIP/2.0/ host",
	        "SIP/x.0/UDP host",
	        "SIP/2./UDP host",
	        "SIPS/2.0/UDP host",
	        "/2.0/UDP host",
	        "SIP/2.0/UDP host:",
	        "SIP/2.0/UDP host:0",
	        "SIP/2.0/UDP host:65536",
	        "SIP/2.0/UDP host:1234567",
	        "SIP/2.0/UDP host:abc",
	        "SIP/2.0/UDP host:5060x",
	        "SIP/2.0/UDP [::1",
	        "SIP/2.0/UDP []",
	        "SIP/2.0/UDP [::g]",
	        "SIP/2.0/UDP [::1]x",
	        "SIP/2.0/UDP host junk",
	        "SIP/2.0/UDP host;",
	        "SIP/2.0/UDP host;=x",
	        "SIP/2.0/UDP host;branch=\"open",
	        "SIP/2.0/UDP host;received=[::1",
	        "SIP/2.0/UDP host,",
	        "SIP/2.0/UDP host, ",
	        "SIP/2.0/UDP host,,SIP/2.0/UDP h2",
	        "SIP/2.0/UDP host, junk",
	        "SIP/2.0/UDP @host",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(f, bad[i]);

		if (r != -EINVAL)
			fail_msg("Via '%s' gave %d, expected -EINVAL", bad[i], r);
		assert_null(f->via);
	}
}

/* Every prefix of a good Via parses or fails cleanly (valgrind checks the reads). */
static void test_prefixes(void **state)
{
	static const char good[] =
	        "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1;rport=1;received=\"x\", "
	        "SIP/2.0/TCP h:1;x";
	struct fixture *f = *state;

	for (size_t n = 0; n <= sizeof(good) - 1; n++) {
		char *b = malloc(n ? n : 1);
		struct ksr_via *v = NULL;
		int r;

		assert_non_null(b);
		memcpy(b, good, n);
		r = ksr_parse_via(ksr_str_make(b, n), &f->arena, &v);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
}

/* ksr_msg_via1: the first Via header of a message, parsed once and cached. */
static void test_msg_via1(void **state)
{
	static const char m[] = "OPTIONS sip:x@example.com SIP/2.0\r\n"
	                        "Max-Forwards: 70\r\n"
	                        "v: SIP/2.0/UDP first.example.com;branch=z9hG4bKa, "
	                        "SIP/2.0/UDP second.example.com\r\n"
	                        "Via: SIP/2.0/UDP third.example.com\r\n"
	                        "\r\n";
	struct fixture *f = *state;
	struct ksr_msg msg;
	struct ksr_via *v = NULL, *again = NULL;
	char *buf = strdup(m);

	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_via1(&msg, &v), 0);
	assert_str(v->host, "first.example.com");
	assert_non_null(v->next);
	assert_str(v->next->host, "second.example.com");
	assert_ptr_equal(msg.h_via1->parsed, v);
	assert_int_equal(ksr_msg_via1(&msg, &again), 0);
	assert_ptr_equal(again, v);
	free(buf);

	/* no Via: -ENOENT; a bad one: -EINVAL, and the out-parameter is left alone */
	buf = strdup("OPTIONS sip:x SIP/2.0\r\nCall-ID: x\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	v = (struct ksr_via *)buf;
	assert_int_equal(ksr_msg_via1(&msg, &v), -ENOENT);
	assert_ptr_equal(v, buf);
	free(buf);
	buf = strdup("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	v = (struct ksr_via *)buf;
	assert_int_equal(ksr_msg_via1(&msg, &v), -EINVAL);
	assert_ptr_equal(v, buf);
	assert_null(msg.h_via1->parsed);
	free(buf);
}

/* maddr, ttl, alias (RFC 5923) and the list of every param. */
static void test_more_params(void **state)
{
	struct fixture *f = *state;
	struct ksr_via *v;
	struct ksr_param *p;

	v = parse_ok(f, "SIP/2.0/UDP h;TTL=16 ;maddr=224.2.0.1;alias;branch=z9hG4bK9;x=\"q;,\"");
	assert_str(v->ttl, "16");
	assert_str(v->maddr, "224.2.0.1");
	assert_true(v->has_alias);
	assert_str(v->branch, "z9hG4bK9");
	p = v->param_list;
	assert_str(p->name, "TTL");
	assert_str(p->value, "16");
	p = p->next;
	assert_str(p->name, "maddr");
	p = p->next;
	assert_str(p->name, "alias");
	assert_false(p->has_value);
	p = p->next;
	assert_str(p->name, "branch");
	p = p->next;
	assert_str(p->value, "\"q;,\"");
	assert_null(p->next);
	assert_ptr_equal(ksr_params_get(v->param_list, "ttl"), v->param_list);

	v = parse_ok(f, "SIP/2.0/UDP h;ttl=0;maddr=[2001:db8::1]");
	assert_str(v->ttl, "0");
	assert_str(v->maddr, "[2001:db8::1]");
	assert_false(v->has_alias);
	v = parse_ok(f, "SIP/2.0/UDP h;ttl=255");
	assert_str(v->ttl, "255");
	v = parse_ok(f, "SIP/2.0/UDP h");
	assert_null(v->param_list);
	assert_int_equal(v->ttl.len, 0);
	assert_int_equal(v->maddr.len, 0);
	assert_null(v->hdr);

	/* RFC 5118 4.5: received with an IPv6 address, unbracketed */
	v = parse_ok(f,
	             "SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-111");
	assert_str(v->host, "2001:db8::9:1");
	assert_str(v->received, "2001:db8::9:255");
	assert_str(v->branch, "z9hG4bKas3-111");
	/* RFC 5118 4.4: a bracketed one */
	v = parse_ok(f, "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;"
	                "received=[2001:db8::9:255]");
	assert_int_equal(v->port, 6050);
	assert_str(v->received, "[2001:db8::9:255]");

	static const char *const bad[] = {
	        "SIP/2.0/UDP h;ttl=256",
	        "SIP/2.0/UDP h;ttl=0256",
	        "SIP/2.0/UDP h;ttl=x",
	        "SIP/2.0/UDP h;ttl",
	        "SIP/2.0/UDP h;ttl=",
	        "SIP/2.0/UDP h;maddr",
	        "SIP/2.0/UDP h;rport=65536",
	        "SIP/2.0/UDP h;rport=abc",
	        "SIP/2.0/UDP h;rport=",
	        "SIP/2.0/UDP h;branch=",
	        "SIP/2.0/UDP h;branch=a b",
	        "SIP/2.0/UDP h;received=[::1]x",
	        "SIP/2.0/UDP h;branch=z9hG4bK1\r\n",
	        "SIP/2.0/U\"DP h",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(f, bad[i]) != -EINVAL)
			fail_msg("Via '%s' accepted", bad[i]);
		assert_null(f->via);
	}
}

/* ksr_msg_vias: every value of every Via line; `next` stays within the line. */
static void test_msg_vias(void **state)
{
	static const char m[] = "SIP/2.0 200 OK\r\n"
	                        "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, "
	                        "SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
	                        "CSeq: 1 INVITE\r\n"
	                        "v: SIP/2.0/UDP [2001:db8::3];branch=z9hG4bK3\r\n"
	                        "\r\n";
	struct fixture *f = *state;
	struct ksr_msg msg;
	struct ksr_via *v = NULL, *v1 = NULL, *v2 = NULL;
	char *buf = strdup(m);

	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_via1(&msg, &v1), 0);
	assert_ptr_equal(v1->hdr, msg.h_via1);
	assert_int_equal(ksr_msg_vias(&msg, &v), 0);
	assert_ptr_equal(v, v1);
	assert_str(v->branch, "z9hG4bK1");
	assert_ptr_equal(v->next_all, v->next);
	v = v->next_all;
	assert_str(v->branch, "z9hG4bK2");
	assert_null(v->next);
	assert_ptr_equal(v->hdr, msg.h_via1);
	v = v->next_all;
	assert_non_null(v);
	assert_str(v->host, "2001:db8::3");
	assert_str(v->hdr->name, "v");
	assert_null(v->next);
	assert_null(v->next_all);
	assert_int_equal(ksr_msg_via2(&msg, &v2), 0);
	assert_str(v2->branch, "z9hG4bK2");
	free(buf);

	buf = strdup("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	v2 = NULL;
	assert_int_equal(ksr_msg_via2(&msg, &v2), -ENOENT);
	assert_null(v2);
	free(buf);

	buf = strdup("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a\r\nVia: SIP/2.0/UDP b;ttl=999\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_vias(&msg, &v2), -EINVAL);
	assert_int_equal(ksr_msg_via2(&msg, &v2), -EINVAL);
	assert_null(v2);
	free(buf);

	buf = strdup("SIP/2.0 200 OK\r\nCSeq: 1 A\r\n\r\n");
	assert_non_null(buf);
	assert_int_equal(ksr_msg_parse(&msg, buf, strlen(buf), &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_vias(&msg, &v2), -ENOENT);
	free(buf);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_basic),           T(test_rport_received), T(test_ipv6),     T(test_lws),
	        T(test_multiple_values), T(test_malformed),      T(test_prefixes), T(test_msg_via1),
	        T(test_more_params),     T(test_msg_vias),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
