/*
 * The fixup memory service (core/module/fixup.h): what a fixup makes while a program is
 * compiled belongs to that program and is released with it; outside a compile it is
 * load-time memory. Pseudo-variable and format fixups parse once into ptr.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/module/fixup.h"
#include "core/pv/pv.h"
#include "core/route/program.h"

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static int ro_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = 7};
	return 0;
}

static int rw_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	return 0;
}

static const struct ksr_pv_export test_pvs[] = {
        {.name = "ro", .get = ro_get},
        {.name = "rw", .get = ro_get, .set = rw_set},
        {0},
};

static int group_setup(void **state)
{
	return ksr_pv_register(test_pvs);
}

static int group_teardown(void **state)
{
	ksr_fixup_free_loadtime();
	return 0;
}

static struct ksr_fparam param(const char *text)
{
	return (struct ksr_fparam){.type = KSR_PT_STR,
	                           .s = ksr_str_make((char *)text, strlen(text))};
}

/* During a compile the program's arena is used, and kept things go when it goes. */
static void test_program_owns_fixups(void **state)
{
	struct ksr_program *prog = ksr_program_new();
	struct ksr_arena *loadtime = ksr_fixup_arena();
	regex_t *re = NULL;
	const char *why = NULL;

	assert_non_null(prog);
	ksr_fixup_begin(prog);
	assert_ptr_equal(ksr_fixup_arena(), &prog->arena);
	freed = 0;
	assert_int_equal(ksr_fixup_keep(malloc(16), count_free), 0);
	assert_int_equal(ksr_fixup_keep(malloc(16), count_free), 0);
	assert_int_equal(ksr_fixup_regcomp("^a+b$", REG_EXTENDED, &re, &why), 0);
	assert_int_equal(regexec(re, "aab", 0, NULL, 0), 0);
	ksr_fixup_end();
	assert_ptr_equal(ksr_fixup_arena(), loadtime);

	/* a message still running the old program holds it: nothing is freed yet */
	ksr_program_ref(prog);
	ksr_program_unref(prog);
	assert_int_equal(freed, 0);
	ksr_program_unref(prog); /* the regex is regfree'd here too (a leak checker sees it) */
	assert_int_equal(freed, 2);
}

/* Outside a compile: one load-time arena, freed only at exit. */
static void test_loadtime(void **state)
{
	struct ksr_arena *a = ksr_fixup_arena();

	assert_non_null(a);
	assert_ptr_equal(ksr_fixup_arena(), a);
	freed = 0;
	assert_int_equal(ksr_fixup_keep(malloc(8), count_free), 0);
	assert_int_equal(freed, 0);
	ksr_fixup_free_loadtime();
	assert_int_equal(freed, 1);
	ksr_fixup_free_loadtime(); /* twice is harmless */
	assert_int_equal(freed, 1);
}

static void test_regcomp_bad(void **state)
{
	regex_t *re = NULL;
	const char *why = NULL;

	assert_int_equal(ksr_fixup_regcomp("a(", REG_EXTENDED, &re, &why), -EINVAL);
	assert_string_equal(why, "bad regular expression");
	assert_null(re);
}

static void test_pvar(void **state)
{
	struct ksr_fparam p = param("$rw");
	const char *why = NULL;
	struct ksr_val v;

	assert_int_equal(ksr_fixup_pvar(&p, true, &why), 0);
	assert_non_null(p.ptr);
	assert_int_equal(ksr_pv_get(NULL, p.ptr, &v), 0);
	assert_int_equal(v.i, 7);

	p = param("$ro");
	assert_int_equal(ksr_fixup_pvar(&p, false, &why), 0);
	assert_int_equal(ksr_fixup_pvar(&p, true, &why), -EINVAL);
	assert_string_equal(why, "the pseudo-variable is read-only");

	p = param("$ro-x");
	assert_int_equal(ksr_fixup_pvar(&p, false, &why), -EINVAL);
	assert_string_equal(why, "the parameter must be one pseudo-variable");

	p = param("ro");
	assert_int_equal(ksr_fixup_pvar(&p, false, &why), -EINVAL);
	assert_string_equal(why, "the parameter must be a pseudo-variable");
}

static void test_fmt(void **state)
{
	struct ksr_fparam p = param("id-$ro-$$");
	const char *why = NULL;
	struct ksr_str out;

	assert_int_equal(ksr_fixup_fmt(&p, &why), 0);
	assert_non_null(p.ptr);
	assert_int_equal(ksr_pv_fmt_is_const(p.ptr), 0);
	p = param("plain");
	assert_int_equal(ksr_fixup_fmt(&p, &why), 0);
	assert_true(ksr_pv_fmt_is_const(p.ptr));
	assert_int_equal(ksr_pv_fmt_eval(NULL, p.ptr, &out), 0);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.s, "plain", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_program_owns_fixups),
	        cmocka_unit_test(test_loadtime),
	        cmocka_unit_test(test_regcomp_bad),
	        cmocka_unit_test(test_pvar),
	        cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
