/*
 * kex: script flags (one set per message, shared by the routes it runs), the destination
 * URI, pv_printf into a writable pseudo-variable and is_myself against the listeners,
 * all through the module's export table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"

static const char request[] = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                              "From: <sip:alice@example.com>;tag=a\r\n"
                              "To: <sip:bob@example.com>\r\n"
                              "Call-ID: c1\r\n"
                              "CSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";

struct test_msg {
	char buf[sizeof(request)];
	struct ksr_msg msg;
};

/* A request parsed into arena, as a worker receives one. */
static void msg_parse(struct test_msg *t, struct ksr_arena *arena)
{
	memcpy(t->buf, request, sizeof(request));
	assert_int_equal(ksr_msg_parse(&t->msg, t->buf, sizeof(request) - 1, arena, NULL), 0);
}

static int sflag(struct ksr_msg *msg, const char *fn, long f)
{
	struct ksr_fparam p[1] = {int_param(f)};

	return cmd(fn)->func(msg, p);
}

/* --- script flags --- */

static void test_sflags_in_one_message(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena);
	assert_int_equal(sflag(&t.msg, "issflagset", 1), -1);
	assert_int_equal(sflag(&t.msg, "setsflag", 1), 1);
	assert_int_equal(sflag(&t.msg, "setsflag", 31), 1);
	assert_int_equal(sflag(&t.msg, "issflagset", 1), 1);
	assert_int_equal(sflag(&t.msg, "issflagset", 31), 1);
	assert_int_equal(sflag(&t.msg, "issflagset", 2), -1);
	assert_int_equal(sflag(&t.msg, "resetsflag", 1), 1);
	assert_int_equal(sflag(&t.msg, "issflagset", 1), -1);
	/* message flags are another set */
	assert_int_equal(t.msg.flags, 0);
	ksr_arena_destroy(&arena);
}

/* Upstream clears script flags when a top route starts: the next message sees none. */
static void test_sflags_start_clear_for_every_message(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	for (int i = 0; i < 2000; i++) {
		msg_parse(&t, &arena);
		assert_int_equal(sflag(&t.msg, "issflagset", 3), -1);
		assert_int_equal(sflag(&t.msg, "setsflag", 3), 1);
		/* what the rest of the script allocates, a different amount each time */
		for (int j = 0; j < i % 7; j++)
			memset(ksr_arena_alloc_nz(&arena, 24 + (size_t)j * 40), 0x5a,
			       24 + (size_t)j * 40);
		assert_int_equal(sflag(&t.msg, "issflagset", 3), 1);
		ksr_arena_reset(&arena);
	}
	ksr_arena_destroy(&arena);
}

/* Two messages in hand at once (one inside the other) keep their own sets. */
static void test_sflags_two_messages(void **state)
{
	struct ksr_arena a1, a2;
	struct test_msg t1, t2;

	ksr_arena_init(&a1, 4096);
	ksr_arena_init(&a2, 4096);
	msg_parse(&t1, &a1);
	msg_parse(&t2, &a2);
	assert_int_equal(sflag(&t1.msg, "setsflag", 5), 1);
	assert_int_equal(sflag(&t2.msg, "issflagset", 5), -1);
	assert_int_equal(sflag(&t2.msg, "setsflag", 6), 1);
	assert_int_equal(sflag(&t1.msg, "issflagset", 5), 1);
	assert_int_equal(sflag(&t1.msg, "issflagset", 6), -1);
	assert_int_equal(sflag(&t2.msg, "issflagset", 6), 1);
	ksr_arena_destroy(&a1);
	ksr_arena_destroy(&a2);
}

static void test_sflag_range(void **state)
{
	struct ksr_fparam p[1] = {int_param(32)};
	const char *err = NULL;
	struct ksr_arena arena;
	struct test_msg t;

	assert_int_equal(cmd("setsflag")->fixup(p, 1, &err), -EINVAL);
	assert_non_null(err);
	p[0] = int_param(-1);
	assert_int_equal(cmd("issflagset")->fixup(p, 1, &err), -EINVAL);
	p[0] = int_param(31);
	assert_int_equal(cmd("resetsflag")->fixup(p, 1, &err), 0);
	/* a value from a variable is checked when it comes */
	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena);
	assert_int_equal(sflag(&t.msg, "setsflag", 40), -1);
	ksr_arena_destroy(&arena);
}

/* --- destination URI --- */

static void test_setdsturi(void **state)
{
	struct ksr_fparam p[1] = {str_param("sip:10.0.0.10:5070;transport=tcp")};
	const char *err = NULL;
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena);
	assert_int_equal(cmd("setdsturi")->fixup(p, 1, &err), 0);
	assert_int_equal(cmd("setdsturi")->func(&t.msg, p), 1);
	assert_int_equal(t.msg.dst_uri.len, p[0].s.len);
	assert_memory_equal(t.msg.dst_uri.s, p[0].s.s, p[0].s.len);
	/* a copy of its own, not the parameter's memory */
	assert_ptr_not_equal(t.msg.dst_uri.s, p[0].s.s);
	assert_int_equal(cmd("resetdsturi")->func(&t.msg, NULL), 1);
	assert_int_equal(t.msg.dst_uri.len, 0);
	ksr_arena_destroy(&arena);
}

static void test_setdsturi_refuses_a_bad_uri(void **state)
{
	struct ksr_fparam p[1] = {str_param("not a uri")};
	const char *err = NULL;

	assert_int_equal(cmd("setdsturi")->fixup(p, 1, &err), -EINVAL);
	assert_non_null(strstr(err, "$du"));
	p[0] = str_param("");
	assert_int_equal(cmd("setdsturi")->fixup(p, 1, &err), -EINVAL);
}

/* --- pv_printf, against a pseudo-variable of this test --- */

static char tv_value[128];
static int tv_sets;

static int tv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(tv_value, strlen(tv_value))};
	return 0;
}

static int tv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	if (val->type != KSR_VAL_STR || val->s.len >= sizeof(tv_value))
		return -EINVAL;
	memcpy(tv_value, val->s.s, val->s.len);
	tv_value[val->s.len] = '\0';
	tv_sets++;
	return 0;
}

static const struct ksr_pv_export test_pvs[] = {
        {.name = "kextv", .get = tv_get, .set = tv_set},
        {.name = "kexro", .get = tv_get},
        {0},
};

static void test_pv_printf(void **state)
{
	struct ksr_fparam p[2] = {str_param("$kextv"), str_param("sip:bob@example.com")};
	const char *err = NULL;
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena);
	for (int i = 0; i < 2; i++) {
		const char *fn = i ? "avp_printf" : "pv_printf";

		tv_sets = 0;
		p[0] = str_param("$kextv");
		assert_int_equal(cmd(fn)->fixup(p, 2, &err), 0);
		assert_non_null(p[0].ptr);
		/* the interpreter hands over the second parameter evaluated */
		assert_int_equal(cmd(fn)->func(&t.msg, p), 1);
		assert_int_equal(tv_sets, 1);
		assert_string_equal(tv_value, "sip:bob@example.com");
	}
	ksr_arena_destroy(&arena);
}

static void test_pv_printf_needs_a_writable_variable(void **state)
{
	struct ksr_fparam p[2] = {str_param("$kexro"), str_param("x")};
	const char *err = NULL;

	assert_int_equal(cmd("pv_printf")->fixup(p, 2, &err), -EINVAL);
	assert_string_equal(err, "the pseudo-variable is read-only");
	p[0] = str_param("$kextv junk");
	assert_int_equal(cmd("pv_printf")->fixup(p, 2, &err), -EINVAL);
	p[0] = str_param("plain text");
	assert_int_equal(cmd("pv_printf")->fixup(p, 2, &err), -EINVAL);
	p[0] = str_param("$nosuchvariablefamily");
	assert_int_equal(cmd("pv_printf")->fixup(p, 2, &err), -EINVAL);
}

/* --- is_myself --- */

static int myself(const char *what)
{
	struct ksr_fparam p[1] = {str_param(what)};

	return cmd("is_myself")->func(NULL, p);
}

static void test_is_myself(void **state)
{
	const char *err = NULL;

	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5070", &err), 0);
	assert_int_equal(ksr_alias_add("sip.example.org", &err), 0);
	/* without a port: any port this server listens on */
	assert_int_equal(myself("sip:127.0.0.1"), 1);
	assert_int_equal(myself("sip:alice@127.0.0.1;transport=udp"), 1);
	assert_int_equal(myself("sips:127.0.0.1"), 1);
	assert_int_equal(myself("127.0.0.1"), 1);
	/* with one: that port */
	assert_int_equal(myself("sip:127.0.0.1:5070"), 1);
	assert_int_equal(myself("sip:127.0.0.1:5999"), -1);
	/* host:port without a scheme is not a host (as upstream) */
	assert_int_equal(myself("127.0.0.1:5070"), -1);
	assert_int_equal(myself("sip:192.0.2.77"), -1);
	assert_int_equal(myself("sip:bob@sip.example.org"), 1);
	assert_int_equal(myself("SIP.example.org"), 1);
	assert_int_equal(myself("sip:other.example.org"), -1);
	assert_int_equal(myself(""), -1);
	assert_int_equal(myself("sip:"), -1);
	ksr_listeners_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sflags_in_one_message),
	        cmocka_unit_test(test_sflags_start_clear_for_every_message),
	        cmocka_unit_test(test_sflags_two_messages),
	        cmocka_unit_test(test_sflag_range),
	        cmocka_unit_test(test_setdsturi),
	        cmocka_unit_test(test_setdsturi_refuses_a_bad_uri),
	        cmocka_unit_test(test_pv_printf),
	        cmocka_unit_test(test_pv_printf_needs_a_writable_variable),
	        cmocka_unit_test(test_is_myself),
	};

	if (ksr_pv_register(test_pvs) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
