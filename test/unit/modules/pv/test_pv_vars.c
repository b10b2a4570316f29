/*
 * Tests of src/modules/pv/pv_vars.c, pv_avp.c and the functions of pv_mod.c: $var per
 * worker thread, $shv shared, $avp and $xavp stacks, pv_isset & co. Semantics marked "ref"
 * were checked against the reference daemon (kamailio 5.6.3) with the same assignments.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_test.h"

int pv_var_init_param(const char *def, bool shared);

static int setup(void **state)
{
	struct pvt *t = pvt_new();

	pvt_empty(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	pvt_free(*state);
	return 0;
}

static int group_teardown(void **state)
{
	ksr_module_exports.destroy();
	return 0;
}

/* ref: a $var never set is int 0; $null makes it int 0 */
static void test_var(void **state)
{
	struct pvt *t = *state;
	char buf[16] = "hello";
	struct ksr_val v;

	pvt_expect_int(t, "$var(never)", 0);
	assert_int_equal(pvt_set_str(t, "$var(x)", buf), 0);
	memcpy(buf, "XXXXX", 5); /* the value is copied */
	pvt_expect_str(t, "$var(x)", "hello");
	pvt_expect_int(t, "$(var(x){s.len})", 5);
	/* case-sensitive names (ref) */
	pvt_expect_int(t, "$var(X)", 0);
	/* a value read stays valid for the message after the variable changes */
	assert_int_equal(pvt_get(t, "$var(x)", &v), 0);
	assert_int_equal(pvt_set_int(t, "$var(x)", 7), 0);
	assert_int_equal(v.s.len, 5);
	assert_memory_equal(v.s.s, "hello", 5);
	pvt_expect_int(t, "$var(x)", 7);
	/* assigning its own value */
	assert_int_equal(pvt_set_str(t, "$var(y)", "self"), 0);
	assert_int_equal(pvt_get(t, "$var(y)", &v), 0);
	assert_int_equal(ksr_pv_set(&t->msg, pvt_spec(t, "$var(y)"), &v), 0);
	pvt_expect_str(t, "$var(y)", "self");
	assert_int_equal(pvt_set_null(t, "$var(y)"), 0);
	pvt_expect_int(t, "$var(y)", 0);
	assert_int_equal(pvt_set_str(t, "$var(e)", ""), 0);
	pvt_expect_str(t, "$var(e)", "");

	/* persists across messages */
	pvt_empty(t);
	pvt_expect_int(t, "$var(x)", 7);

	pvt_parse_err(t, "$var", "needs a name");
	pvt_parse_err(t, "$var(a b)", "bad variable name");
	pvt_parse_err(t, "$var(x)[0]", "takes no index");
}

struct thread_arg {
	const char *value;
	char seen_before[32];
	char seen_after[32];
	pthread_barrier_t *barrier;
};

static void read_var(struct pvt *t, char *out, size_t size)
{
	struct ksr_val v;
	struct ksr_str s;

	assert_int_equal(pvt_get(t, "$var(tl)", &v), 0);
	assert_int_equal(ksr_val_to_str(&t->msg, &v, &s), 0);
	snprintf(out, size, "%.*s", (int)s.len, s.s);
}

static void *var_thread(void *p)
{
	struct thread_arg *a = p;
	struct pvt *t = pvt_new();

	pvt_empty(t);
	read_var(t, a->seen_before, sizeof(a->seen_before));
	assert_int_equal(pvt_set_str(t, "$var(tl)", a->value), 0);
	/* both threads have set their value before either reads it back */
	pthread_barrier_wait(a->barrier);
	read_var(t, a->seen_after, sizeof(a->seen_after));
	pvt_free(t);
	return NULL;
}

/* $var is per thread: two workers do not see each other's values (nor the main one's) */
static void test_var_threads(void **state)
{
	struct pvt *t = *state;
	pthread_barrier_t barrier;
	struct thread_arg a = {.value = "one", .barrier = &barrier};
	struct thread_arg b = {.value = "two", .barrier = &barrier};
	pthread_t ta, tb;

	assert_int_equal(pvt_set_str(t, "$var(tl)", "main"), 0);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
	assert_int_equal(pthread_create(&ta, NULL, var_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, var_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&barrier);
	assert_string_equal(a.seen_before, "0");
	assert_string_equal(b.seen_before, "0");
	assert_string_equal(a.seen_after, "one");
	assert_string_equal(b.seen_after, "two");
	pvt_expect_str(t, "$var(tl)", "main");
}

struct shv_arg {
	int n;
};

static void *shv_thread(void *p)
{
	struct shv_arg *a = p;
	struct pvt *t = pvt_new();

	pvt_empty(t);
	for (int i = 0; i < a->n; i++) {
		struct ksr_val v;
		struct ksr_pv_spec *s = pvt_spec(t, "$shv(count)");

		/* the other thread writes the same variables: each access sees a whole value */
		assert_int_equal(ksr_pv_get(&t->msg, s, &v), 0);
		assert_true(v.type == KSR_VAL_INT);
		assert_int_equal(pvt_set_str(t, "$shv(text)", i % 2 ? "odd value" : "even"), 0);
		assert_int_equal(pvt_get(t, "$shv(text)", &v), 0);
		assert_true((v.s.len == 4 && memcmp(v.s.s, "even", 4) == 0) ||
		            (v.s.len == 9 && memcmp(v.s.s, "odd value", 9) == 0));
	}
	assert_int_equal(pvt_set_int(t, "$shv(last)", a->n), 0);
	pvt_free(t);
	return NULL;
}

/* $shv is one value for every thread */
static void test_shv(void **state)
{
	struct pvt *t = *state;
	struct shv_arg a = {.n = 2000};
	pthread_t ta, tb;

	pvt_expect_int(t, "$shv(never)", 0); /* ref */
	assert_int_equal(pvt_set_int(t, "$shv(count)", 1), 0);
	assert_int_equal(pthread_create(&ta, NULL, shv_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, shv_thread, &a), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pvt_expect_int(t, "$shv(last)", 2000);
	pvt_expect_str(t, "$shv(text)", "odd value");
	assert_int_equal(pvt_set_null(t, "$shv(text)"), 0);
	pvt_expect_int(t, "$shv(text)", 0);
	pvt_parse_err(t, "$shv()", "empty name");
}

static void test_var_params(void **state)
{
	struct pvt *t = *state;

	assert_int_equal(pv_var_init_param("init=i:12", false), 0);
	assert_int_equal(pv_var_init_param("gw=s:sip:10.0.0.1;transport=tcp", false), 0);
	assert_int_equal(pv_var_init_param("sgw=s:sip:a", true), 0);
	assert_int_equal(pv_var_init_param("sn=i:-3", true), 0);
	pvt_expect_int(t, "$var(init)", 12);
	pvt_expect_str(t, "$var(gw)", "sip:10.0.0.1;transport=tcp");
	pvt_expect_str(t, "$shv(sgw)", "sip:a");
	pvt_expect_int(t, "$shv(sn)", -3);
	/* an assignment wins over the initial value */
	assert_int_equal(pvt_set_int(t, "$var(init)", 1), 0);
	pvt_expect_int(t, "$var(init)", 1);
	assert_int_equal(pv_var_init_param("x=i:abc", false), -EINVAL);
	assert_int_equal(pv_var_init_param("x=q:1", false), -EINVAL);
	assert_int_equal(pv_var_init_param("=i:1", false), -EINVAL);
	assert_int_equal(pv_var_init_param("noequal", true), -EINVAL);
	assert_int_equal(pv_var_init_param("x=s", true), -EINVAL);
}

/* ref: stack order, [*] joined with ", ", $null removes the newest, [*] = v replaces all */
static void test_avp(void **state)
{
	struct pvt *t = *state;

	pvt_expect_null(t, "$avp(a)");
	pvt_expect_null(t, "$(avp(a)[*])");
	assert_int_equal(pvt_set_int(t, "$avp(a)", 1), 0);
	assert_int_equal(pvt_set_str(t, "$avp(a)", "two"), 0);
	assert_int_equal(pvt_set_int(t, "$avp(a)", 3), 0);
	pvt_expect_int(t, "$avp(a)", 3);
	pvt_expect_int(t, "$(avp(a)[0])", 3);
	pvt_expect_str(t, "$(avp(a)[1])", "two");
	pvt_expect_int(t, "$avp(a)[2]", 1);
	pvt_expect_int(t, "$(avp(a)[-1])", 1);
	pvt_expect_null(t, "$(avp(a)[5])");
	pvt_expect_str(t, "$(avp(a)[*])", "3, two, 1");
	pvt_expect_int(t, "$(avp(a)[*]{s.len})", 9);
	/* s: is the plain name; i:N is another name (ref) */
	pvt_expect_int(t, "$avp(s:a)", 3);
	pvt_expect_null(t, "$avp(A)");
	assert_int_equal(pvt_set_str(t, "$avp(i:5)", "int5"), 0);
	pvt_expect_str(t, "$avp(i:5)", "int5");
	pvt_expect_null(t, "$avp(5)");

	assert_int_equal(pvt_set_null(t, "$avp(a)"), 0);
	pvt_expect_str(t, "$(avp(a)[*])", "two, 1");
	/* an index replaces or removes that value */
	assert_int_equal(pvt_set_str(t, "$(avp(a)[1])", "x"), 0);
	pvt_expect_str(t, "$(avp(a)[*])", "two, x");
	assert_int_equal(pvt_set_str(t, "$(avp(a)[7])", "x"), -ENOENT);
	assert_int_equal(pvt_set_null(t, "$(avp(a)[0])"), 0);
	pvt_expect_str(t, "$(avp(a)[*])", "x");
	assert_int_equal(pvt_set_int(t, "$avp(a)", 4), 0);
	assert_int_equal(pvt_set_str(t, "$(avp(a)[*])", "z"), 0);
	pvt_expect_str(t, "$(avp(a)[*])", "z");
	assert_int_equal(pvt_set_null(t, "$(avp(a)[*])"), 0);
	pvt_expect_null(t, "$avp(a)");

	/* the name from a variable: strings as they are, integers as i:N */
	assert_int_equal(pvt_set_str(t, "$var(n)", "dyn"), 0);
	assert_int_equal(pvt_set_str(t, "$avp($var(n))", "d"), 0);
	pvt_expect_str(t, "$avp(dyn)", "d");
	assert_int_equal(pvt_set_int(t, "$var(n)", 5), 0);
	pvt_expect_str(t, "$avp($var(n))", "int5");

	/* AVPs belong to the message */
	pvt_empty(t);
	pvt_expect_null(t, "$avp(dyn)");

	pvt_parse_err(t, "$avp", "needs a name");
	pvt_parse_err(t, "$avp(a b)", "bad AVP name");
	pvt_parse_err(t, "$avp(i:x)", "i: takes a number");
	pvt_parse_err(t, "$avp($nope)", "unknown pseudo-variable");
	pvt_parse_err(t, "$avp($var(x)y)", "text after");
}

/* ref: the sequence of upstream's README examples and of a reference run */
static void test_xavp(void **state)
{
	struct pvt *t = *state;
	struct ksr_val v;

	pvt_expect_null(t, "$xavp(r)");
	pvt_expect_null(t, "$xavp(r=>a)");
	assert_int_equal(pvt_set_str(t, "$xavp(r=>a)", "1"), 0);
	assert_int_equal(pvt_set_int(t, "$xavp(r[0]=>b)", 2), 0);
	assert_int_equal(pvt_set_str(t, "$xavp(r=>a)", "3"), 0);
	assert_int_equal(pvt_get(t, "$xavp(r)", &v), 0);
	assert_int_equal(v.type, KSR_VAL_STR);
	assert_memory_equal(v.s.s, "<<xavp:", 7);
	pvt_expect_str(t, "$xavp(r=>a)", "3");
	pvt_expect_str(t, "$xavp(r[1]=>a)", "1");
	pvt_expect_int(t, "$xavp(r[1]=>b)", 2);
	pvt_expect_null(t, "$xavp(r[0]=>b)");
	pvt_expect_str(t, "$xavp(r[*]=>a)", "3");
	pvt_expect_str(t, "$xavp(r[-1]=>a)", "1");
	pvt_expect_null(t, "$xavp(r[2]=>a)");

	assert_int_equal(pvt_set_str(t, "$xavp(s)", "root"), 0);
	pvt_expect_str(t, "$xavp(s)", "root");
	pvt_expect_null(t, "$xavp(s=>a)");
	assert_int_equal(pvt_set_str(t, "$xavp(s[0]=>a)", "x"), -EINVAL);

	assert_int_equal(pvt_set_str(t, "$xavp(r[0]=>a)", "4"), 0);
	pvt_expect_str(t, "$xavp(r[0]=>a)", "4");
	pvt_expect_str(t, "$xavp(r[0]=>a[1])", "3");
	pvt_expect_str(t, "$xavp(r[0]=>a[*])", "4, 3");
	assert_int_equal(pvt_set_str(t, "$xavp(r[0]=>a[1])", "5"), 0);
	pvt_expect_str(t, "$xavp(r[0]=>a[*])", "4, 5");
	assert_int_equal(pvt_set_null(t, "$xavp(r=>a)"), 0);
	pvt_expect_str(t, "$xavp(r[0]=>a[*])", "5");
	assert_int_equal(pvt_set_str(t, "$xavp(r[5]=>a)", "5"), -ENOENT);

	/* an index from a variable */
	assert_int_equal(pvt_set_int(t, "$var(i)", 1), 0);
	pvt_expect_str(t, "$xavp(r[$var(i)]=>a)", "1");

	/* $null on the root removes the newest root only (ref) */
	assert_int_equal(pvt_set_null(t, "$xavp(r)"), 0);
	pvt_expect_str(t, "$xavp(r=>a)", "1");
	pvt_expect_null(t, "$xavp(r[1]=>a)");
	/* r[0]=>c with no r at all makes it */
	assert_int_equal(pvt_set_null(t, "$xavp(r[*])"), 0);
	pvt_expect_null(t, "$xavp(r)");
	assert_int_equal(pvt_set_str(t, "$xavp(r[0]=>c)", "made"), 0);
	pvt_expect_str(t, "$xavp(r=>c)", "made");
	pvt_expect_str(t, "$(xavp(r=>c){s.toupper})", "MADE");

	pvt_parse_err(t, "$xavp", "needs a name");
	pvt_parse_err(t, "$xavp(=>a)", "bad XAVP name");
	pvt_parse_err(t, "$xavp(a=>)", "bad XAVP name");
	pvt_parse_err(t, "$xavp(a[x]=>b)", "bad XAVP index");
	pvt_parse_err(t, "$xavp(a[1=>b)", "bad XAVP index");
	pvt_parse_err(t, "$xavp(a[]=>b)", "bad XAVP index");
	pvt_parse_err(t, "$xavp(a)[1]", "takes no index");
}

/* ref: pv_isset, is_int (type int only), typeof, not_empty (non-empty strings only) */
static void test_functions(void **state)
{
	struct pvt *t = *state;

	assert_int_equal(pvt_set_int(t, "$avp(n)", 5), 0);
	assert_int_equal(pvt_set_str(t, "$var(s12)", "12"), 0);
	assert_int_equal(pvt_set_str(t, "$var(e)", ""), 0);

	assert_int_equal(pvt_call(t, "pv_isset", 1, "$avp(n)", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$avp(none)", NULL, NULL), -1);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$var(never_set)", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$ru", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$(ru{uri.bogus})", NULL, NULL), -1000);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$ru x", NULL, NULL), -1000);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "text", NULL, NULL), -1000);

	assert_int_equal(pvt_call(t, "is_int", 1, "$avp(n)", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "is_int", 1, "$var(s12)", NULL, NULL), -1);
	assert_int_equal(pvt_call(t, "is_int", 1, "$(var(s12){s.int})", NULL, NULL), 1);

	assert_int_equal(pvt_call(t, "typeof", 2, "$avp(n)", "int", NULL), 1);
	assert_int_equal(pvt_call(t, "typeof", 2, "$var(s12)", "str", NULL), 1);
	assert_int_equal(pvt_call(t, "typeof", 2, "$var(s12)", "int", NULL), -1);
	assert_int_equal(pvt_call(t, "typeof", 2, "$avp(none)", "null", NULL), 1);
	assert_int_equal(pvt_call(t, "typeof", 2, "$avp(none)", "float", NULL), -1000);

	assert_int_equal(pvt_call(t, "not_empty", 1, "$var(s12)", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "not_empty", 1, "$var(e)", NULL, NULL), -1);
	assert_int_equal(pvt_call(t, "not_empty", 1, "$avp(n)", NULL, NULL), -1);
	assert_int_equal(pvt_call(t, "not_empty", 1, "$avp(none)", NULL, NULL), -1);

	assert_int_equal(pvt_call(t, "pv_unset", 1, "$avp(n)", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "pv_isset", 1, "$avp(n)", NULL, NULL), -1);
	/* read-only: refused at load */
	assert_int_equal(pvt_call(t, "pv_unset", 1, "$ci", NULL, NULL), -1000);
}

/* ref: explode makes a new root each time; child_seti replaces; rm removes the newest */
static void test_xavp_functions(void **state)
{
	struct pvt *t = *state;

	assert_int_equal(pvt_call(t, "xavp_params_explode", 2, "a=b;c=d;e", "x", NULL), 1);
	assert_int_equal(pvt_call(t, "xavp_params_explode", 2, "a=z", "x", NULL), 1);
	pvt_expect_str(t, "$xavp(x=>a)", "z");
	pvt_expect_str(t, "$xavp(x[1]=>a)", "b");
	pvt_expect_str(t, "$xavp(x[1]=>c)", "d");
	pvt_expect_str(t, "$xavp(x[1]=>e)", "");
	assert_int_equal(pvt_call(t, "xavp_params_explode", 2, " p = 1 ; q=2;;", "y", NULL), 1);
	pvt_expect_str(t, "$xavp(y=>p)", "1");
	pvt_expect_str(t, "$xavp(y=>q)", "2");

	assert_int_equal(pvt_set_int(t, "$xavp(w=>a)", 1), 0);
	assert_int_equal(pvt_call(t, "xavp_child_seti", 3, "w", "a", "5"), 1);
	assert_int_equal(pvt_call(t, "xavp_child_sets", 3, "w", "c", "x"), 1);
	assert_int_equal(pvt_call(t, "xavp_child_seti", 3, "nw", "a", "7"), 1);
	pvt_expect_int(t, "$xavp(w=>a)", 5);
	pvt_expect_null(t, "$xavp(w=>a[1])");
	pvt_expect_str(t, "$xavp(w=>c)", "x");
	pvt_expect_int(t, "$xavp(nw=>a)", 7);

	assert_int_equal(pvt_set_int(t, "$xavp(q=>a)", 1), 0);
	assert_int_equal(pvt_set_int(t, "$xavp(q[0]=>a)", 2), 0);
	assert_int_equal(pvt_set_int(t, "$xavp(q[0]=>b)", 3), 0);
	assert_int_equal(pvt_call(t, "xavp_child_rm", 2, "q", "a", NULL), 1);
	pvt_expect_int(t, "$xavp(q=>a)", 1);
	pvt_expect_int(t, "$xavp(q=>b)", 3);
	assert_int_equal(pvt_call(t, "xavp_child_rm", 2, "q", "zz", NULL), -1);
	assert_int_equal(pvt_call(t, "xavp_child_rm", 2, "none", "a", NULL), -1);

	assert_int_equal(pvt_set_int(t, "$xavp(r=>a)", 1), 0);
	assert_int_equal(pvt_set_int(t, "$xavp(r=>a)", 2), 0);
	assert_int_equal(pvt_call(t, "xavp_rm", 1, "r", NULL, NULL), 1);
	pvt_expect_int(t, "$xavp(r=>a)", 1);
	assert_int_equal(pvt_call(t, "xavp_rm", 1, "r", NULL, NULL), 1);
	assert_int_equal(pvt_call(t, "xavp_rm", 1, "r", NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_var, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_var_threads, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_shv, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_var_params, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_avp, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_xavp, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_xavp_functions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
