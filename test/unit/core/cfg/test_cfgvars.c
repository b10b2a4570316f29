/*
 * Tests of the config variables (src/core/cfg/cfgvars.c): group.var = value [desc "..."]
 * at the top level, and $sel(cfg_get.group.var) in scripts.
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

#include "core/cfg/cfg_fixture.h"
#include "core/cfg/cfgvars.h"
#include "core/mem/arena.h"
#include "core/pv/pv.h"

static int my_group_setup(void **state)
{
	int r = group_setup(state);

	return r < 0 ? r : ksr_cfgvars_pv_register();
}

static int my_teardown(void **state)
{
	ksr_cfgvars_clear();
	ksr_cfg_core_reset();
	return teardown(state);
}

static const struct ksr_cfgvar *find(const char *group, const char *name)
{
	return ksr_cfgvar_find(ksr_str_make((char *)group, strlen(group)),
	                       ksr_str_make((char *)name, strlen(name)));
}

static void test_api(void **state)
{
	struct ksr_pos pos = {"x.cfg", 7, 1};
	struct ksr_val v = {.type = KSR_VAL_INT, .i = 42}, got;
	const struct ksr_cfgvar *cv;

	assert_int_equal(ksr_cfgvar_define("pstn", "port", &v, "the port", pos), 0);
	v = (struct ksr_val){.type = KSR_VAL_STR, .s = KSR_STR_STATIC("10.0.0.1")};
	assert_int_equal(ksr_cfgvar_define("pstn", "ip", &v, NULL, pos), 0);
	assert_int_equal(ksr_cfgvar_define("pstn", "ip", &v, NULL, pos), -EEXIST);
	assert_int_equal(ksr_cfgvar_define("pstn", "9x", &v, NULL, pos), -EINVAL);
	assert_int_equal(ksr_cfgvar_define("", "x", &v, NULL, pos), -EINVAL);
	v.type = KSR_VAL_NULL;
	assert_int_equal(ksr_cfgvar_define("pstn", "n", &v, NULL, pos), -EINVAL);

	cv = find("pstn", "port");
	assert_non_null(cv);
	ksr_cfgvar_get(cv, &got);
	assert_int_equal(got.type, KSR_VAL_INT);
	assert_int_equal(got.i, 42);
	assert_string_equal(ksr_cfgvar_desc(cv), "the port");
	assert_string_equal(ksr_cfgvar_pos(cv).file, "x.cfg");
	assert_int_equal(ksr_cfgvar_pos(cv).line, 7);

	cv = find("pstn", "ip");
	ksr_cfgvar_get(cv, &got);
	assert_int_equal(got.type, KSR_VAL_STR);
	assert_int_equal(got.s.len, 8);
	assert_memory_equal(got.s.s, "10.0.0.1", 8);
	assert_string_equal(ksr_cfgvar_desc(cv), "");

	/* the group and the name both count; a prefix is not a match */
	assert_null(find("pstn", "por"));
	assert_null(find("pst", "port"));
	assert_null(find("voicemail", "port"));
	ksr_cfgvars_clear();
	assert_null(find("pstn", "port"));
}

static void test_parse(void **state)
{
	struct ksr_val got;

	ksr_program_unref(parse_ok("pstn.gw_ip = \"1.2.3.4\" desc \"PSTN GW Address\"\n"
	                           "pstn.gw_port = 5080 descr \"port\"\n"
	                           "voicemail.enabled = yes description 'on or off'\n"
	                           "voicemail.srv_ip = \"\"\n"
	                           "a.b=0x10;\n"));
	ksr_cfgvar_get(find("pstn", "gw_ip"), &got);
	assert_string_equal(got.s.s, "1.2.3.4");
	assert_string_equal(ksr_cfgvar_desc(find("pstn", "gw_ip")), "PSTN GW Address");
	assert_int_equal(ksr_cfgvar_pos(find("pstn", "gw_ip")).line, 1);
	ksr_cfgvar_get(find("pstn", "gw_port"), &got);
	assert_int_equal(got.i, 5080);
	ksr_cfgvar_get(find("voicemail", "enabled"), &got);
	assert_int_equal(got.type, KSR_VAL_INT);
	assert_int_equal(got.i, 1);
	assert_string_equal(ksr_cfgvar_desc(find("voicemail", "enabled")), "on or off");
	ksr_cfgvar_get(find("voicemail", "srv_ip"), &got);
	assert_int_equal(got.s.len, 0);
	ksr_cfgvar_get(find("a", "b"), &got);
	assert_int_equal(got.i, 16);
}

static void test_parse_errors(void **state)
{
	expect_error("a.x = 1\n\na.x = 2\n", 3, 1, "config variable a.x is defined twice");
	ksr_cfgvars_clear();
	expect_error("a.x = -1\n", 1, 7, "expected a number or a string");
	expect_error("a.x = foo\n", 1, 7, "expected a number or a string");
	expect_error("a.x = 1 desc two\n", 1, 14, "expected string");
	expect_error("a.x 1\n", 1, 5, "expected '='");
	expect_error("a. = 1\n", 1, 4, "expected name after '.'");
}

static void test_sel_in_script(void **state)
{
	assert_int_equal(run("pstn.gw_ip = \"1.2.3.4\"\n"
	                     "pstn.port = 5080\n"
	                     "pstn.empty = \"\"\n"
	                     "request_route {\n"
	                     "  if ($sel(cfg_get.pstn.gw_ip) == \"1.2.3.4\") mark(1);\n"
	                     "  if ($sel(cfg_get.pstn.port) == 5080) mark(2);\n"
	                     "  if ($sel(cfg_get.pstn.port) > 5000) mark(3);\n"
	                     "  if (strempty($sel(cfg_get.pstn.empty))) mark(4);\n"
	                     "  f2(\"$sel(cfg_get.pstn.gw_ip):$sel(cfg_get.pstn.port)\", \"x\");\n"
	                     "}\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 2 3 4");
	assert_string_equal(tm->f2_a, "1.2.3.4:5080");
}

static void test_sel_errors(void **state)
{
	/* a misspelt variable is found at load, not a $null at runtime */
	expect_error("a.x = 1\nrequest_route {\n  if ($sel(cfg_get.a.y) == 1) exit;\n}\n", 3, 7,
	             "unknown config variable");
	ksr_cfgvars_clear();
	expect_error("request_route {\n  if ($sel(foo.bar) == 1) exit;\n}\n", 2, 7,
	             "supports only cfg_get.group.var");
	expect_error("request_route {\n  if ($sel(cfg_get.x) == 1) exit;\n}\n", 2, 7,
	             "takes group.var");
	expect_error("request_route {\n  if ($sel == 1) exit;\n}\n", 2, 7, "$sel");
	expect_error("a.x = 1\nrequest_route {\n  $sel(cfg_get.a.x) = 2;\n}\n", 3, 3, "read-only");
}

/* The pseudo-variable alone: parse once, read with no message needed. */
static void test_sel_pv(void **state)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = KSR_STR_STATIC("abc")}, got;
	struct ksr_pv_spec *spec;
	struct ksr_arena arena;
	const char *why = NULL;
	size_t used = 0;

	assert_int_equal(ksr_cfgvar_define("g", "s", &v, NULL, (struct ksr_pos){"t", 1, 1}), 0);
	ksr_arena_init(&arena, 1024);
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$sel(cfg_get.g.s)"), &arena, &spec, &used,
	                              &why),
	                 0);
	assert_int_equal(used, 17);
	assert_int_equal(ksr_pv_get(NULL, spec, &got), 0);
	assert_int_equal(got.type, KSR_VAL_STR);
	assert_memory_equal(got.s.s, "abc", 3);
	assert_false(ksr_pv_is_writable(spec));
	/* registering twice is refused: one `sel` family */
	assert_int_equal(ksr_cfgvars_pv_register(), -EEXIST);
	ksr_arena_destroy(&arena);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, my_teardown)
	const struct CMUnitTest tests[] = {
	        T(test_api),
	        T(test_parse),
	        T(test_parse_errors),
	        T(test_sel_in_script),
	        T(test_sel_errors),
	        T(test_sel_pv),
	};
#undef T

	return cmocka_run_group_tests(tests, my_group_setup, group_teardown);
}
