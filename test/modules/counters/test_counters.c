/*
 * counters: declarations as modparam script_counter writes them, the fixups and the
 * script functions through the module's export table, and exact totals when many
 * worker threads update the same counters at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/module/module.h"
#include "counters.h"

/* modparam("counters", name, value) as the config loader applies it */
static int modparam(const char *name, const char *value, const char **ret_err)
{
	struct ksr_fparam v = {.type = KSR_PT_STR, .s = ksr_str_make((char *)value, strlen(value))};

	return ksr_module_set_param("counters", name, &v, ret_err);
}

static struct ksr_counter *find(const char *group, const char *name)
{
	return ksr_counter_lookup(ksr_str_make((char *)group, strlen(group)),
	                       ksr_str_make((char *)name, strlen(name)));
}

static int group_setup(void **state)
{
	return ksr_module_register_builtin(&ksr_module_exports);
}

static int group_teardown(void **state)
{
	ksr_modules_unload();
	return 0;
}

static int setup(void **state)
{
	ksr_counters_clear();
	return 0;
}

static void test_declarations(void **state)
{
	const char *err = NULL;
	struct ksr_counter *c;

	assert_int_equal(modparam("script_counter", "foo", &err), 0);
	assert_int_equal(modparam("script_counter", "test.bar", &err), 0);
	assert_int_equal(modparam("script_counter", "baz example counter", &err), 0);
	assert_int_equal(modparam("script_counter", "test.x:another example", &err), 0);
	assert_int_equal(modparam("script_counter", "out.reqs  \tforwarded requests", &err), 0);

	assert_non_null(c = find("script", "foo"));
	assert_string_equal(c->desc, "custom script counter.");
	assert_non_null(find("test", "bar"));
	assert_non_null(c = find("script", "baz"));
	assert_string_equal(c->desc, "example counter");
	assert_non_null(c = find("test", "x"));
	assert_string_equal(c->desc, "another example");
	assert_non_null(c = find("out", "reqs"));
	assert_string_equal(c->desc, "forwarded requests");
	assert_null(find("script", "bar"));
	/* declaration order is kept */
	assert_string_equal(ksr_counters_all()->name, "foo");
}

static void test_duplicate_is_reported_not_fatal(void **state)
{
	const char *err = NULL;

	assert_int_equal(modparam("script_counter", "dup", &err), 0);
	assert_int_equal(counters_declare("dup"), -EEXIST);
	/* as upstream: the config still loads */
	assert_int_equal(modparam("script_counter", "dup other description", &err), 0);
	assert_int_equal(counters_declare("script.dup"), -EEXIST);
}

static void test_bad_declarations(void **state)
{
	const char *err = NULL;
	struct ksr_fparam num = {.type = KSR_PT_INT, .i = 3};

	assert_int_equal(modparam("script_counter", "grp.", &err), -EINVAL);
	assert_non_null(err);
	assert_int_equal(modparam("script_counter", ".name", &err), -EINVAL);
	assert_int_equal(modparam("script_counter", ":only a description", &err), -EINVAL);
	assert_int_equal(ksr_module_set_param("counters", "script_counter", &num, &err), -EINVAL);
	assert_null(ksr_counters_all());
}

/* script_cnt_grp_name applies to what is declared after it, and to the functions */
static void test_default_group(void **state)
{
	const char *err = NULL;
	char *saved = counters_script_grp;
	struct ksr_fparam p[1];

	assert_int_equal(modparam("script_counter", "early", &err), 0);
	counters_script_grp = "mine";
	assert_int_equal(modparam("script_counter", "late", &err), 0);
	assert_non_null(find("script", "early"));
	assert_non_null(find("mine", "late"));

	p[0] = str_param("late");
	assert_int_equal(cmd("cnt_inc")->fixup(p, 1, &err), 0);
	assert_ptr_equal(p[0].ptr, find("mine", "late"));
	p[0] = str_param("early");
	assert_int_equal(cmd("cnt_inc")->fixup(p, 1, &err), -ENOENT);
	counters_script_grp = saved;
}

static void test_undeclared_refused_at_load(void **state)
{
	struct ksr_fparam p[2] = {str_param("nope"), {.type = KSR_PT_INT, .i = 1}};
	const char *err = NULL;

	assert_int_equal(cmd("cnt_inc")->fixup(p, 1, &err), -ENOENT);
	assert_non_null(strstr(err, "script_counter"));
	assert_int_equal(cmd("cnt_add")->fixup(p, 2, &err), -ENOENT);
	assert_int_equal(cmd("cnt_reset")->fixup(p, 1, &err), -ENOENT);
}

static void test_inc_add_reset(void **state)
{
	struct ksr_fparam p[2] = {str_param("grp.hits"), {.type = KSR_PT_INT, .i = 10}};
	const char *err = NULL;
	struct ksr_counter *c;

	assert_int_equal(counters_declare("grp.hits"), 0);
	c = find("grp", "hits");
	assert_int_equal(cmd("cnt_add")->fixup(p, 2, &err), 0);
	assert_ptr_equal(p[0].ptr, c);

	assert_int_equal(cmd("cnt_inc")->func(NULL, p), 1);
	assert_int_equal(cmd("cnt_inc")->func(NULL, p), 1);
	assert_int_equal(ksr_counter_get(c), 2);
	assert_int_equal(cmd("cnt_add")->func(NULL, p), 1);
	assert_int_equal(ksr_counter_get(c), 12);
	p[1].i = -5;
	assert_int_equal(cmd("cnt_add")->func(NULL, p), 1);
	assert_int_equal(ksr_counter_get(c), 7);
	assert_int_equal(cmd("cnt_reset")->func(NULL, p), 1);
	assert_int_equal(ksr_counter_get(c), 0);
}

/* A name from pseudo-variables is looked up on every call. */
static void test_dynamic_name(void **state)
{
	struct ksr_fparam p[1] = {str_param("$var(c)")};
	const char *err = NULL;

	p[0].dynamic = true;
	assert_int_equal(counters_declare("dyn"), 0);
	assert_int_equal(cmd("cnt_inc")->fixup(p, 1, &err), 0);
	assert_null(p[0].ptr);
	/* what the interpreter hands over after evaluating the parameter */
	p[0].s = ksr_str_make("dyn", 3);
	assert_int_equal(cmd("cnt_inc")->func(NULL, p), 1);
	assert_int_equal(ksr_counter_get(find("script", "dyn")), 1);
	p[0].s = ksr_str_make("other.dyn", 9);
	assert_int_equal(cmd("cnt_inc")->func(NULL, p), -1);
}

/* --- workers updating the same counters at once --- */

#define THREADS 8
#define ROUNDS 100000

struct worker {
	pthread_t t;
	struct ksr_fparam inc[1], add[2];
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		cmd("cnt_inc")->func(NULL, w->inc);
		cmd("cnt_add")->func(NULL, w->add);
	}
	return NULL;
}

static void test_threads_exact_totals(void **state)
{
	struct worker w[THREADS];
	const char *err = NULL;

	assert_int_equal(counters_declare("mt.inc"), 0);
	assert_int_equal(counters_declare("mt.add"), 0);
	for (int i = 0; i < THREADS; i++) {
		w[i].inc[0] = str_param("mt.inc");
		assert_int_equal(cmd("cnt_inc")->fixup(w[i].inc, 1, &err), 0);
		w[i].add[0] = str_param("mt.add");
		w[i].add[1] = (struct ksr_fparam){.type = KSR_PT_INT, .i = 3};
		assert_int_equal(cmd("cnt_add")->fixup(w[i].add, 2, &err), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(w[i].t, NULL);
	assert_int_equal(ksr_counter_get(find("mt", "inc")), (long)THREADS * ROUNDS);
	assert_int_equal(ksr_counter_get(find("mt", "add")), 3L * THREADS * ROUNDS);
}

/* Counters do not share cache lines, so workers on different counters do not contend. */
static void test_counter_alignment(void **state)
{
	assert_int_equal(counters_declare("a"), 0);
	assert_int_equal(counters_declare("b"), 0);
	assert_int_equal((uintptr_t)find("script", "a") % 64, 0);
	assert_int_equal((uintptr_t)find("script", "b") % 64, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_declarations, setup),
	        cmocka_unit_test_setup(test_duplicate_is_reported_not_fatal, setup),
	        cmocka_unit_test_setup(test_bad_declarations, setup),
	        cmocka_unit_test_setup(test_default_group, setup),
	        cmocka_unit_test_setup(test_undeclared_refused_at_load, setup),
	        cmocka_unit_test_setup(test_inc_add_reset, setup),
	        cmocka_unit_test_setup(test_dynamic_name, setup),
	        cmocka_unit_test_setup(test_threads_exact_totals, setup),
	        cmocka_unit_test_setup(test_counter_alignment, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
