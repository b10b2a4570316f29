/*
 * maxfwd's functions on parsed messages: the return codes, and the bytes of the message
 * built after the edit (the module source is compiled into this binary).
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

static void set_max_limit(long v, int want);

static int teardown(void **state)
{
	struct fixture *f = *state;

	set_max_limit(70, 0); /* the default, for the next test */
	ksr_arena_destroy(&f->arena);
	free(f->buf);
	free(f);
	return 0;
}

/* A request whose Max-Forwards line is mf ("" for none), after the Via. */
#define REQ_HEAD                                                                           \
	"OPTIONS sip:bob@example.com SIP/2.0\r\n"                                          \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
#define REQ_TAIL                                                                           \
	"From: <sip:alice@example.com>;tag=a\r\n"                                          \
	"To: <sip:bob@example.com>\r\n"                                                    \
	"Call-ID: c1\r\n"                                                                  \
	"CSeq: 1 OPTIONS\r\n"                                                              \
	"Content-Length: 0\r\n"                                                            \
	"\r\n"

static void load(struct fixture *f, const char *mf)
{
	size_t n;

	free(f->buf);
	n = strlen(REQ_HEAD) + strlen(mf) + strlen(REQ_TAIL);
	f->buf = malloc(n + 1);
	assert_non_null(f->buf);
	snprintf(f->buf, n + 1, "%s%s%s", REQ_HEAD, mf, REQ_TAIL);
	ksr_arena_reset(&f->arena);
	memset(&f->msg, 0, sizeof(f->msg));
	assert_int_equal(ksr_msg_parse(&f->msg, f->buf, n, &f->arena, NULL), 0);
}

/* The built message is the request with want_head + mf_line + REQ_TAIL. */
static void expect_built(struct fixture *f, const char *want_head, const char *mf_line)
{
	char want[1024];
	struct ksr_str out;

	snprintf(want, sizeof(want), "%s%s%s", want_head, mf_line, REQ_TAIL);
	assert_int_equal(ksr_msg_build(&f->msg, &out), 0);
	if (out.len != strlen(want) || memcmp(out.s, want, out.len) != 0)
		fail_msg("built:\n%.*s\nwanted:\n%s", (int)out.len, out.s, want);
}

/* A call as the interpreter makes it: fixup once (0 or the refusal), then the function. */
static int call(struct fixture *f, const char *name, long value)
{
	const struct ksr_cmd_export *c = cmd(name);
	struct ksr_fparam p[1] = {{.type = KSR_PT_INT, .i = value}};
	const char *err = NULL;

	assert_int_equal(c->params[0], KSR_PT_INT);
	assert_int_equal(c->params[1], KSR_PT_NONE);
	if (c->fixup(p, 1, &err) < 0) {
		assert_non_null(err);
		return -1000;
	}
	return c->func(&f->msg, p);
}

/* A value from a pseudo-variable: the fixup lets it through, the function checks it. */
static int call_dynamic(struct fixture *f, const char *name, long value)
{
	const struct ksr_cmd_export *c = cmd(name);
	struct ksr_fparam p[1] = {{.type = KSR_PT_STR, .s = KSR_STR_STATIC("$var(x)"),
				   .dynamic = true}};
	const char *err = NULL;

	assert_int_equal(c->fixup(p, 1, &err), 0);
	p[0].type = KSR_PT_INT;
	p[0].i = value;
	return c->func(&f->msg, p);
}

static void set_max_limit(long v, int want)
{
	const struct ksr_param_export *p = ksr_module_exports.params;
	struct ksr_fparam val = {.type = KSR_PT_INT, .i = v};
	const char *err = NULL;

	assert_string_equal(p->name, "max_limit");
	assert_int_equal(p->set(&val, &err), want);
}

static void test_decrements(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 70\r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 69\r\n");
}

static void test_adds_when_absent(void **state)
{
	struct fixture *f = *state;

	load(f, "");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 2);
	/* at the top of the headers, as upstream */
	expect_built(f,
		     "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		     "Max-Forwards: 10\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n",
		     "");
}

static void test_zero_is_false_and_unchanged(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 0\r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), -1);
	assert_null(f->msg.edits);
	expect_built(f, REQ_HEAD, "Max-Forwards: 0\r\n");
}

static void test_one_becomes_zero(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 1\r\n");
	assert_int_equal(call(f, "maxfwd_process", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 0\r\n");
	/* the next call sees the value the message carries now */
	assert_int_equal(call(f, "maxfwd_process", 10), -1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 0\r\n");
}

static void test_capped_by_max_limit(void **state)
{
	struct fixture *f = *state;

	/* default 70: a larger value becomes 70, 70 itself is decremented */
	load(f, "Max-Forwards: 255\r\n");
	assert_int_equal(call(f, "process_maxfwd", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 70\r\n");
	load(f, "Max-Forwards: 70\r\n");
	assert_int_equal(call(f, "process_maxfwd", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 69\r\n");

	set_max_limit(20, 0);
	load(f, "Max-Forwards: 21\r\n");
	assert_int_equal(call(f, "process_maxfwd", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 20\r\n");
	load(f, "Max-Forwards: 20\r\n");
	assert_int_equal(call(f, "process_maxfwd", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 19\r\n");
	/* the parameter of the function is only for an absent header */
	load(f, "");
	assert_int_equal(call(f, "process_maxfwd", 50), 2);
	expect_built(f,
		     "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		     "Max-Forwards: 50\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n",
		     "");
}

static void test_max_limit_range(void **state)
{
	set_max_limit(0, -EINVAL);
	set_max_limit(257, -EINVAL);
	set_max_limit(1, 0);
	set_max_limit(256, 0);
	set_max_limit(70, 0);
}

static void test_twice_decrements_twice(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 10\r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 1);
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 1);
	expect_built(f, REQ_HEAD, "Max-Forwards: 8\r\n");
	assert_int_equal(f->msg.nedits, 1); /* one line, rewritten */
}

static void test_added_header_is_seen_later(void **state)
{
	struct fixture *f = *state;

	load(f, "");
	assert_int_equal(call(f, "is_maxfwd_lt", 5), -2);
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 2);
	/* not added twice: the added line is the message's header now */
	assert_int_equal(call(f, "is_maxfwd_lt", 11), 1);
	assert_int_equal(call(f, "is_maxfwd_lt", 10), -1);
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 1);
	expect_built(f,
		     "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		     "Max-Forwards: 9\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n",
		     "");
}

static void test_name_as_received_and_padding(void **state)
{
	struct fixture *f = *state;

	load(f, "max-forwards:   0070  \r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), 1);
	expect_built(f, REQ_HEAD, "max-forwards: 69\r\n");
	assert_int_equal(call(f, "is_maxfwd_lt", 70), 1);
	assert_int_equal(call(f, "is_maxfwd_lt", 69), -1);
}

static void test_lt(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 3\r\n");
	assert_int_equal(call(f, "is_maxfwd_lt", 5), 1);
	assert_int_equal(call(f, "is_maxfwd_lt", 4), 1);
	assert_int_equal(call(f, "is_maxfwd_lt", 3), -1);
	assert_int_equal(call(f, "maxfwd_at_least", 0), -1);
	assert_int_equal(call(f, "mf_lowlimit", 255), 1);
	assert_null(f->msg.edits); /* a check changes nothing */
	load(f, "");
	assert_int_equal(call(f, "is_maxfwd_lt", 1), -2);
}

static void test_bad_value(void **state)
{
	struct fixture *f = *state;

	/* the receive check answers 400 to these before a script runs; still: */
	load(f, "Max-Forwards: abc\r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), -2);
	assert_int_equal(call(f, "is_maxfwd_lt", 10), -3);
	assert_null(f->msg.edits);
	load(f, "Max-Forwards: 256\r\n");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 10), -2);
	assert_int_equal(call(f, "is_maxfwd_lt", 10), -3);
}

static void test_parameter_range(void **state)
{
	struct fixture *f = *state;

	load(f, "Max-Forwards: 10\r\n");
	/* a constant out of 0..255 is refused at load */
	assert_int_equal(call(f, "mf_process_maxfwd_header", 256), -1000);
	assert_int_equal(call(f, "mf_process_maxfwd_header", -1), -1000);
	assert_int_equal(call(f, "is_maxfwd_lt", 256), -1000);
	/* from a variable: false when called, nothing changed */
	assert_int_equal(call_dynamic(f, "mf_process_maxfwd_header", 256), -1);
	assert_int_equal(call_dynamic(f, "is_maxfwd_lt", -1), -1);
	assert_null(f->msg.edits);
	/* 0 and 255 are values */
	assert_int_equal(call(f, "mf_process_maxfwd_header", 0), 1);
	assert_int_equal(call(f, "is_maxfwd_lt", 255), 1);
	load(f, "");
	assert_int_equal(call(f, "mf_process_maxfwd_header", 0), 2);
	assert_int_equal(call(f, "is_maxfwd_lt", 1), 1);
}

static void test_route_types(void **state)
{
	unsigned int lt = KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH;

	assert_int_equal(cmd("maxfwd_process")->route_types, KSR_ROUTE_REQUEST);
	assert_int_equal(cmd("mf_process_maxfwd_header")->route_types, KSR_ROUTE_REQUEST);
	assert_int_equal(cmd("process_maxfwd")->route_types, KSR_ROUTE_REQUEST);
	assert_int_equal(cmd("is_maxfwd_lt")->route_types, lt);
	assert_int_equal(cmd("maxfwd_at_least")->route_types, lt);
	assert_int_equal(cmd("mf_lowlimit")->route_types, lt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decrements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adds_when_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_is_false_and_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_becomes_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capped_by_max_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_limit_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_twice_decrements_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_header_is_seen_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_as_received_and_padding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parameter_range, setup, teardown),
		cmocka_unit_test(test_route_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
