/*
 * Tests of the runtime configuration (src/core/cfg/rtcfg.c): declaring groups, reading
 * in a thread's snapshot, setting now or delayed, commit, rollback, diff, reset, the
 * config's own variables, and readers that never see half a commit while a writer commits.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg/rtcfg.h"
#include "core/cfg/rtcfg_core.h"
#include "core/log.h"

#define S(x) ksr_str_make((char *)(x), strlen(x))

static int mirrored = 7;
static int changes;
static long last_change;

static void on_change(const struct ksr_rtcfg_var *var, const struct ksr_val *val)
{
	changes++;
	last_change = val->i;
}

enum { V_LEVEL, V_NAME, V_MIRROR, V_RANGED };

static const struct ksr_rtcfg_var grp_vars[] = {
        {.name = "level",
         .type = KSR_RTCFG_INT,
         .desc = "a level",
         .def = 3,
         .on_change = on_change},
        {.name = "name", .type = KSR_RTCFG_STR, .desc = "a name", .def_s = "alpha"},
        {.name = "mirror", .type = KSR_RTCFG_INT, .desc = "mirrored", .mirror = &mirrored},
        {.name = "ranged", .type = KSR_RTCFG_INT, .min = 1, .max = 10, .def = 5},
        {0},
};

static struct ksr_rtcfg_group *grp;

static int setup(void **state)
{
	mirrored = 7;
	changes = 0;
	ksr_log_level = L_WARN; /* the change lines are at INFO */
	return ksr_rtcfg_declare("grp", grp_vars, &grp);
}

static int teardown(void **state)
{
	ksr_rtcfg_clear();
	return 0;
}

static int set(const char *g, const char *v, const struct ksr_val *val, bool delayed)
{
	const char *why = NULL;
	int r = ksr_rtcfg_set(S(g), S(v), val, delayed, &why);

	if (r < 0)
		assert_non_null(why);
	return r;
}

static int seti(const char *g, const char *v, long i, bool delayed)
{
	struct ksr_val val = {.type = KSR_VAL_INT, .i = i};

	return set(g, v, &val, delayed);
}

static int sets(const char *g, const char *v, const char *s, bool delayed)
{
	struct ksr_val val = {.type = KSR_VAL_STR, .s = S(s)};

	return set(g, v, &val, delayed);
}

static bool str_is(struct ksr_str s, const char *c)
{
	return s.len == strlen(c) && memcmp(s.s, c, s.len) == 0 && s.s[s.len] == '\0';
}

static void test_declare_and_read(void **state)
{
	struct ksr_rtcfg_group *g;
	int idx;

	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 3);
	assert_true(str_is(ksr_rtcfg_str(grp, V_NAME), "alpha"));
	/* a mirrored variable starts from its global */
	assert_int_equal(ksr_rtcfg_int(grp, V_MIRROR), 7);
	assert_int_equal(ksr_rtcfg_declare("grp", grp_vars, NULL), -EEXIST);
	assert_int_equal(ksr_rtcfg_declare("9grp", grp_vars, NULL), -EINVAL);
	assert_int_equal(ksr_rtcfg_lookup(S("grp"), S("name"), &g, &idx), 0);
	assert_ptr_equal(g, grp);
	assert_int_equal(idx, V_NAME);
	assert_int_equal(ksr_rtcfg_var_type(g, idx), KSR_RTCFG_STR);
	assert_int_equal(ksr_rtcfg_lookup(S("grp"), S("nam"), &g, &idx), -ENOENT);
	assert_int_equal(ksr_rtcfg_lookup(S("gr"), S("name"), &g, &idx), -ENOENT);
}

static void test_set_now(void **state)
{
	ksr_rtcfg_update();
	assert_int_equal(seti("grp", "level", 5, false), 0);
	/* this thread keeps its snapshot until it takes the next one */
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 3);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 5);
	assert_int_equal(changes, 1);
	assert_int_equal(last_change, 5);

	/* the mirror follows every change, at once */
	assert_int_equal(seti("grp", "mirror", 42, false), 0);
	assert_int_equal(mirrored, 42);

	/* conversions: a numeric string for an integer, a number's text for a string */
	assert_int_equal(sets("grp", "level", "-2", false), 0);
	assert_int_equal(seti("grp", "name", 12, false), 0);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), -2);
	assert_true(str_is(ksr_rtcfg_str(grp, V_NAME), "12"));
	/* a string read before an update stays readable until the update after */
	{
		struct ksr_str before = ksr_rtcfg_str(grp, V_NAME);

		assert_int_equal(sets("grp", "name", "delta", false), 0);
		ksr_rtcfg_update();
		assert_true(str_is(ksr_rtcfg_str(grp, V_NAME), "delta"));
		assert_true(str_is(before, "12"));
	}

	/* refused: nothing changes */
	assert_int_equal(sets("grp", "level", "x4", false), -EINVAL);
	assert_int_equal(sets("grp", "level", "", false), -EINVAL);
	assert_int_equal(sets("grp", "level", " 4", false), -EINVAL);
	assert_int_equal(seti("grp", "ranged", 11, false), -ERANGE);
	assert_int_equal(seti("grp", "ranged", 0, false), -ERANGE);
	assert_int_equal(seti("grp", "nosuch", 1, false), -ENOENT);
	assert_int_equal(seti("nosuch", "level", 1, false), -ENOENT);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), -2);
	assert_int_equal(ksr_rtcfg_int(grp, V_RANGED), 5);
	assert_int_equal(seti("grp", "ranged", 10, false), 0);
}

struct seen {
	char text[512];
};

static void print_item(const struct ksr_rtcfg_item *it, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	if (it->val.type == KSR_VAL_INT)
		snprintf(s->text + n, sizeof(s->text) - n, "%s.%s=%ld", it->group, it->name,
		         it->val.i);
	else
		snprintf(s->text + n, sizeof(s->text) - n, "%s.%s=%.*s", it->group, it->name,
		         (int)it->val.s.len, it->val.s.s);
	n = strlen(s->text);
	if (it->new_val.type == KSR_VAL_INT)
		snprintf(s->text + n, sizeof(s->text) - n, "->%ld", it->new_val.i);
	else if (it->new_val.type == KSR_VAL_STR)
		snprintf(s->text + n, sizeof(s->text) - n, "->%.*s", (int)it->new_val.s.len,
		         it->new_val.s.s);
	n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, " ");
}

static void test_delayed_commit_rollback(void **state)
{
	struct seen s = {""};

	assert_int_equal(seti("grp", "level", 8, true), 0);
	assert_int_equal(sets("grp", "name", "beta", true), 0);
	/* preparing the same variable again replaces the prepared value */
	assert_int_equal(seti("grp", "level", 9, true), 0);
	assert_int_equal(seti("grp", "ranged", 99, true), -ERANGE);
	assert_int_equal(ksr_rtcfg_diff(print_item, &s), 2);
	assert_string_equal(s.text, "grp.level=3->9 grp.name=alpha->beta ");
	/* nothing applied yet */
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 3);
	assert_int_equal(changes, 0);

	assert_int_equal(ksr_rtcfg_commit(), 2);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 9);
	assert_true(str_is(ksr_rtcfg_str(grp, V_NAME), "beta"));
	assert_int_equal(changes, 1);
	s.text[0] = '\0';
	assert_int_equal(ksr_rtcfg_diff(print_item, &s), 0);
	assert_int_equal(ksr_rtcfg_commit(), 0);

	assert_int_equal(seti("grp", "level", 1, true), 0);
	ksr_rtcfg_rollback();
	assert_int_equal(ksr_rtcfg_commit(), 0);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 9);
}

static void test_foreach_and_reset(void **state)
{
	struct seen s = {""};
	struct ksr_str g = S("grp"), v = S("name"), bad = S("nosuch");

	assert_int_equal(ksr_rtcfg_foreach(&g, NULL, print_item, &s), 4);
	assert_string_equal(s.text, "grp.level=3 grp.name=alpha grp.mirror=7 grp.ranged=5 ");
	s.text[0] = '\0';
	assert_int_equal(ksr_rtcfg_foreach(&g, &v, print_item, &s), 1);
	assert_string_equal(s.text, "grp.name=alpha ");
	assert_int_equal(ksr_rtcfg_foreach(&g, &bad, print_item, &s), -ENOENT);
	assert_int_equal(ksr_rtcfg_foreach(&bad, NULL, print_item, &s), -ENOENT);

	assert_int_equal(seti("grp", "mirror", 1, false), 0);
	assert_int_equal(sets("grp", "name", "gamma", false), 0);
	assert_int_equal(ksr_rtcfg_reset(S("grp")), 0);
	assert_int_equal(mirrored, 7);
	s.text[0] = '\0';
	ksr_rtcfg_foreach(&g, NULL, print_item, &s);
	assert_string_equal(s.text, "grp.level=3 grp.name=alpha grp.mirror=7 grp.ranged=5 ");
	assert_int_equal(ksr_rtcfg_reset(S("nosuch")), -ENOENT);

	/* the start values of mirrors can be taken again (the core's, after the config) */
	mirrored = 11;
	assert_int_equal(ksr_rtcfg_sync_mirrors(grp), 0);
	assert_int_equal(seti("grp", "mirror", 1, false), 0);
	assert_int_equal(ksr_rtcfg_reset(S("grp")), 0);
	assert_int_equal(mirrored, 11);
}

static void test_custom(void **state)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = S("1.2.3.4")};
	struct ksr_rtcfg_group *g;
	struct seen s = {""};
	int idx;

	assert_int_equal(ksr_rtcfg_add_custom("pstn", "gw_ip", &v, "the gateway"), 0);
	v = (struct ksr_val){.type = KSR_VAL_INT, .i = 5060};
	assert_int_equal(ksr_rtcfg_add_custom("pstn", "port", &v, NULL), 0);
	assert_int_equal(ksr_rtcfg_add_custom("pstn", "port", &v, NULL), -EEXIST);
	/* a declared group is not the config's to add to */
	assert_int_equal(ksr_rtcfg_add_custom("grp", "extra", &v, NULL), -EEXIST);
	v.type = KSR_VAL_NULL;
	assert_int_equal(ksr_rtcfg_add_custom("pstn", "n", &v, NULL), -EINVAL);

	assert_int_equal(ksr_rtcfg_lookup(S("pstn"), S("port"), &g, &idx), 0);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(g, idx), 5060);
	assert_int_equal(sets("pstn", "gw_ip", "5.6.7.8", false), 0);
	/* every group, the newest first */
	ksr_rtcfg_foreach(NULL, NULL, print_item, &s);
	assert_string_equal(s.text, "pstn.gw_ip=5.6.7.8 pstn.port=5060 grp.level=3 grp.name=alpha "
	                            "grp.mirror=7 grp.ranged=5 ");

	/* the declared groups stay, with their values and handles */
	assert_int_equal(seti("grp", "level", 4, true), 0);
	assert_int_equal(seti("pstn", "port", 1, true), 0);
	ksr_rtcfg_clear_custom();
	assert_int_equal(ksr_rtcfg_lookup(S("pstn"), S("port"), &g, &idx), -ENOENT);
	assert_int_equal(ksr_rtcfg_commit(), 1);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 4);
}

static void test_undeclare(void **state)
{
	static const struct ksr_rtcfg_var other_vars[] = {
	        {.name = "x", .type = KSR_RTCFG_INT, .def = 1},
	        {0},
	};
	struct ksr_rtcfg_group *other, *g;
	int idx;

	assert_int_equal(ksr_rtcfg_declare("other", other_vars, &other), 0);
	assert_int_equal(seti("grp", "level", 6, false), 0);
	/* the first group goes: the second keeps its values under its new index */
	ksr_rtcfg_undeclare(grp);
	grp = NULL;
	assert_int_equal(ksr_rtcfg_lookup(S("grp"), S("level"), &g, &idx), -ENOENT);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(other, 0), 1);
	assert_int_equal(seti("other", "x", 2, false), 0);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(other, 0), 2);
	ksr_rtcfg_undeclare(NULL);
}

static void test_core_group(void **state)
{
	struct ksr_rtcfg_group *g;
	int idx;

	assert_int_equal(ksr_rtcfg_core_declare(), 0);
	assert_int_equal(ksr_rtcfg_lookup(S("core"), S("debug"), &g, &idx), 0);
	/* core.debug is the log level every LM_* line checks */
	ksr_log_level = L_ERR;
	assert_int_equal(ksr_rtcfg_core_started(), 0);
	assert_int_equal(seti("core", "debug", L_DBG, false), 0);
	assert_int_equal(ksr_log_level, L_DBG);
	assert_int_equal(ksr_rtcfg_reset(S("core")), 0);
	assert_int_equal(ksr_log_level, L_ERR);
	assert_int_equal(seti("core", "max_while_loops", 0, false), -ERANGE);
	ksr_log_level = L_WARN;
}

/* ---- readers against a committing writer ------------------------------------------ */

#define READERS 4
#define COMMITS 3000

static atomic_bool done;
static atomic_long torn, reads;
static atomic_int started;

/*
 * A message's worth of reads: every commit changes level and name together (level k,
 * name "vk"), so one snapshot never shows one without the other.
 */
static void read_once(long *last)
{
	long level, n;
	struct ksr_str name;
	char buf[32];

	ksr_rtcfg_update();
	level = ksr_rtcfg_int(grp, V_LEVEL);
	name = ksr_rtcfg_str(grp, V_NAME);
	n = snprintf(buf, sizeof(buf), "v%ld", level);
	if (level != 3 && (name.len != (size_t)n || memcmp(name.s, buf, (size_t)n) != 0))
		atomic_fetch_add(&torn, 1);
	/* values only move forward */
	if (level != 3 && level < *last)
		atomic_fetch_add(&torn, 1);
	if (level != 3)
		*last = level;
	atomic_fetch_add(&reads, 1);
}

static void *reader(void *arg)
{
	long last = -1;

	read_once(&last);
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&done))
		read_once(&last);
	return NULL;
}

static void test_concurrent_readers(void **state)
{
	pthread_t th[READERS];
	char buf[32];

	atomic_store(&done, false);
	atomic_store(&torn, 0);
	atomic_store(&reads, 0);
	atomic_store(&started, 0);
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, NULL), 0);
	/* the commits start once every reader reads */
	while (atomic_load(&started) < READERS)
		sched_yield();
	for (long k = 10; k < 10 + COMMITS; k++) {
		snprintf(buf, sizeof(buf), "v%ld", k);
		assert_int_equal(seti("grp", "level", k, true), 0);
		assert_int_equal(sets("grp", "name", buf, true), 0);
		assert_int_equal(ksr_rtcfg_commit(), 2);
		/* a change made now, alone, in between */
		assert_int_equal(seti("grp", "ranged", 1 + k % 10, false), 0);
	}
	atomic_store(&done, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&torn), 0);
	assert_true(atomic_load(&reads) >= READERS);
	ksr_rtcfg_update();
	assert_int_equal(ksr_rtcfg_int(grp, V_LEVEL), 10 + COMMITS - 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_declare_and_read),
	        T(test_set_now),
	        T(test_delayed_commit_rollback),
	        T(test_foreach_and_reset),
	        T(test_custom),
	        T(test_undeclare),
	        T(test_core_group),
	        T(test_concurrent_readers),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
