/*
 * cfgutils: core_hash() values as upstream computes them, probabilities, global flags,
 * pauses, the config file hash, $RANDOM, the named locks under concurrent workers, and
 * check_route_exists/route_if_exists in a routing program compiled from a config.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "module_test.h"

#include "cfgutils.h"
#include "core/cfg/cfg.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/core_cmds.h"
#include "core/route/program.h"

static char hash_path[] = "/tmp/test_cfgutils_XXXXXX";

static struct ksr_fparam bytes_param(const char *s, size_t len)
{
	return (struct ksr_fparam){.type = KSR_PT_STR, .s = ksr_str_make((char *)s, len)};
}

static int call0(const char *name)
{
	return cmd_n(name, 0)->func(NULL, NULL);
}

static int call1(const char *name, struct ksr_fparam p)
{
	struct ksr_fparam a[1] = {p};

	return cmd_n(name, 1)->func(NULL, a);
}

static int modparam_int(const char *name, long v)
{
	struct ksr_fparam p = int_param(v);
	const char *err = NULL;

	return ksr_module_set_param("cfgutils", name, &p, &err);
}

static int modparam_str(const char *name, const char *v)
{
	struct ksr_fparam p = str_param(v);
	const char *err = NULL;

	return ksr_module_set_param("cfgutils", name, &p, &err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int group_setup(void **state)
{
	int fd = mkstemp(hash_path);

	if (fd < 0)
		return -1;
	close(fd);
	write_file(hash_path, "abc");
	if (ksr_core_cmds_register() < 0 || ksr_module_register_builtin(&ksr_module_exports) < 0)
		return -1;
	/* the module's parameters, then its mod_init, as the daemon does */
	if (modparam_int("initial_probability", 15) < 0 || modparam_int("initial_gflags", 5) < 0 ||
	    modparam_int("lock_set_size", 3) < 0 || modparam_str("hash_file", hash_path) < 0)
		return -1;
	return ksr_modules_init();
}

static int group_teardown(void **state)
{
	ksr_program_install(NULL);
	ksr_cfg_forget_running();
	ksr_modules_destroy();
	ksr_modules_unload();
	unlink(hash_path);
	return 0;
}

/* --- core_hash --- */

static int core_hash(const char *s1, size_t l1, const char *s2, long size)
{
	struct ksr_fparam p[3] = {bytes_param(s1, l1), str_param(s2), int_param(size)};
	const char *err = NULL;

	assert_int_equal(cmd_n("core_hash", 3)->fixup(p, 3, &err), 0);
	return cmd_n("core_hash", 3)->func(NULL, p);
}

#define CH(s1, s2, size) core_hash(s1, sizeof(s1) - 1, s2, size)

/* The values Kamailio 5.6 returns for the same calls (bytes above 0x7f included). */
static void test_core_hash_matches_upstream(void **state)
{
	assert_int_equal(CH("abc", "", 4), 3);
	assert_int_equal(CH("hello world, this is kamailio", "", 10), 839);
	assert_int_equal(CH("hello", "world", 16), 13687);
	assert_int_equal(CH("\xe9\xff\x80zz", "", 20), 507402);
	assert_int_equal(CH("abc", "", 0), 1);
	assert_int_equal(CH("", "", 3), 1);
	assert_int_equal(CH("abcd", "efgh", 30), 389707805);
}

static void test_core_hash_size(void **state)
{
	struct ksr_fparam p[3] = {str_param("a"), str_param(""), int_param(31)};
	const char *err = NULL;

	assert_int_equal(cmd_n("core_hash", 3)->fixup(p, 3, &err), -EINVAL);
	assert_non_null(err);
	/* a size from a variable is checked when it comes */
	p[2].dynamic = true;
	assert_int_equal(cmd_n("core_hash", 3)->fixup(p, 3, &err), 0);
	assert_int_equal(cmd_n("core_hash", 3)->func(NULL, p), -1);
	/* a negative size means two slots */
	for (int i = 0; i < 50; i++) {
		char key[8];
		int r;

		snprintf(key, sizeof(key), "k%d", i);
		r = core_hash(key, strlen(key), "", -4);
		assert_true(r == 1 || r == 2);
	}
}

/* The lock hash folds case: "ABC" and "abc" are one lock, as upstream. */
static void test_case_hash(void **state)
{
	struct ksr_str a = KSR_STR_STATIC("Alice@Example.COM"),
	               b = KSR_STR_STATIC("alice@example.com");

	assert_int_equal(cfgutils_core_hash(a, NULL, 0, true),
	                 cfgutils_core_hash(b, NULL, 0, true));
	assert_int_equal(cfgutils_core_hash(b, NULL, 0, true),
	                 cfgutils_core_hash(b, NULL, 0, false));
	assert_int_not_equal(cfgutils_core_hash(a, NULL, 0, false),
	                     cfgutils_core_hash(b, NULL, 0, false));
}

/* --- probability --- */

static void test_probability(void **state)
{
	struct ksr_fparam p[1] = {int_param(101)};
	const char *err = NULL;
	int hits = 0;

	assert_int_equal(cmd_n("rand_set_prob", 1)->fixup(p, 1, &err), -EINVAL);
	p[0] = int_param(-1);
	assert_int_equal(cmd_n("rand_set_prob", 1)->fixup(p, 1, &err), -EINVAL);

	/* initial_probability */
	assert_int_equal(call0("rand_get_prob"), 15);
	assert_int_equal(call1("rand_set_prob", int_param(100)), 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(call0("rand_event"), 1);
	assert_int_equal(call1("rand_set_prob", int_param(0)), 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(call0("rand_event"), -1);
	/* as upstream: the probability is the return code, so 0 stops the script */
	assert_int_equal(call0("rand_get_prob"), 0);
	assert_int_equal(call1("rand_set_prob", int_param(30)), 1);
	for (int i = 0; i < 20000; i++)
		hits += call0("rand_event") > 0;
	assert_in_range(hits, 5000, 7000);
	assert_int_equal(call1("rand_set_prob", int_param(200)), -1);
	assert_int_equal(call0("rand_get_prob"), 30);
	assert_int_equal(call0("rand_reset_prob"), 1);
	assert_int_equal(call0("rand_get_prob"), 15);
}

static void test_initial_probability_checked(void **state)
{
	assert_int_equal(modparam_int("initial_probability", 101), -EINVAL);
	assert_int_equal(modparam_str("initial_probability", "ten"), -EINVAL);
	assert_int_equal(call0("rand_get_prob"), 15);
	/* upstream's documentation writes it as a string */
	assert_int_equal(modparam_str("initial_probability", "15"), 0);
}

static void test_random_pv(void **state)
{
	struct ksr_pv_spec *spec;
	struct ksr_arena arena;
	const char *err = NULL;
	long first = -1;
	bool differ = false;
	size_t used;

	ksr_arena_init(&arena, 1024);
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$RANDOM"), &arena, &spec, &used, &err), 0);
	assert_false(ksr_pv_is_writable(spec));
	for (int i = 0; i < 100; i++) {
		struct ksr_val v;

		assert_int_equal(ksr_pv_get(NULL, spec, &v), 0);
		assert_int_equal(v.type, KSR_VAL_INT);
		assert_in_range(v.i, 0, 0x7fffffffL);
		if (first < 0)
			first = v.i;
		differ |= v.i != first;
	}
	assert_true(differ);
	ksr_arena_destroy(&arena);
}

/* --- global flags --- */

static void test_gflags(void **state)
{
	struct ksr_fparam p[1] = {int_param(32)};
	const char *err = NULL;

	assert_int_equal(cmd_n("set_gflag", 1)->fixup(p, 1, &err), -EINVAL);
	/* initial_gflags 5: flags 0 and 2 */
	assert_int_equal(call1("is_gflag", int_param(0)), 1);
	assert_int_equal(call1("is_gflag", int_param(1)), -1);
	assert_int_equal(call1("is_gflag", int_param(2)), 1);
	assert_int_equal(call1("set_gflag", int_param(31)), 1);
	assert_int_equal(call1("is_gflag", int_param(31)), 1);
	assert_int_equal(call1("reset_gflag", int_param(0)), 1);
	assert_int_equal(call1("is_gflag", int_param(0)), -1);
	assert_int_equal(call1("is_gflag", int_param(40)), -1);
}

/* --- pauses, memory reports --- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_sleep(void **state)
{
	double t0 = now();

	assert_int_equal(call1("usleep", int_param(30000)), 1);
	assert_true(now() - t0 >= 0.029);
	assert_int_equal(call1("sleep", int_param(0)), 1);
	assert_int_equal(call1("sleep", int_param(-1)), -1);
	assert_int_equal(call1("usleep", int_param(-1)), -1);
}

static void test_memory_reports(void **state)
{
	assert_int_equal(call0("pkg_status"), 1);
	assert_int_equal(call0("pkg_summary"), 1);
	assert_int_equal(call0("shm_status"), 1);
	assert_int_equal(call0("shm_summary"), 1);
}

/* --- config hash --- */

static void test_config_hash(void **state)
{
	char hex[33];

	assert_int_equal(cfgutils_md5_file(hash_path, hex), 0);
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	assert_non_null(cfgutils_config_hash());
	assert_string_equal(cfgutils_config_hash(), "900150983cd24fb0d6963f7d28e17f72");
	assert_int_equal(cfgutils_config_hash_check(), 1);
	write_file(hash_path, "abd");
	assert_int_equal(cfgutils_config_hash_check(), 0);
	write_file(hash_path, "abc");
	assert_int_equal(cfgutils_config_hash_check(), 1);
	assert_int_equal(cfgutils_md5_file("/nonexistent/file", hex), -ENOENT);
}

/* --- locks --- */

static void test_lock_basics(void **state)
{
	assert_int_equal(call1("lock", str_param("alice")), 1);
	/* the same key in other case is the same lock */
	assert_int_equal(call1("trylock", str_param("ALICE")), -1);
	assert_int_equal(call1("unlock", str_param("alice")), 1);
	assert_int_equal(call1("trylock", str_param("ALICE")), 1);
	assert_int_equal(call1("unlock", str_param("Alice")), 1);
	/* unlocking a free lock does nothing */
	assert_int_equal(call1("unlock", str_param("alice")), 1);
	assert_int_equal(call1("trylock", str_param("alice")), 1);
	assert_int_equal(call1("unlock", str_param("alice")), 1);
}

#define THREADS 8
#define ROUNDS 20000

static long shared_total;        /* guarded by lock("counter") only */
static atomic_int lock_failures; /* cmocka's asserts are for the main thread */

static void *locked_increments(void *arg)
{
	const char *key = arg;

	for (int i = 0; i < ROUNDS; i++) {
		long v;

		if (call1("lock", str_param(key)) != 1)
			atomic_fetch_add(&lock_failures, 1);
		v = shared_total;
		if (i % 1000 == 0)
			sched_yield(); /* give the others a chance to break in */
		shared_total = v + 1;
		if (call1("unlock", str_param(key)) != 1)
			atomic_fetch_add(&lock_failures, 1);
	}
	return NULL;
}

static void test_lock_threads(void **state)
{
	static const char *const keys[] = {"counter", "COUNTER", "Counter", "cOuNtEr"};
	pthread_t t[THREADS];

	shared_total = 0;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(
		        pthread_create(&t[i], NULL, locked_increments, (void *)keys[i % 4]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&lock_failures), 0);
	assert_int_equal(shared_total, (long)THREADS * ROUNDS);
}

static atomic_int waiter_state;

static void *waiter(void *arg)
{
	atomic_store(&waiter_state, 1);
	call1("lock", str_param("held"));
	atomic_store(&waiter_state, 2);
	call1("unlock", str_param("held"));
	return NULL;
}

static void *releaser(void *arg)
{
	return (void *)(long)call1("unlock", str_param("held"));
}

/* A worker blocked in lock() goes on once another unlocks, whichever thread that is. */
static void test_lock_wait_and_foreign_unlock(void **state)
{
	pthread_t w, r;
	void *ret;

	atomic_store(&waiter_state, 0);
	assert_int_equal(call1("lock", str_param("held")), 1);
	assert_int_equal(pthread_create(&w, NULL, waiter, NULL), 0);
	while (atomic_load(&waiter_state) == 0)
		sched_yield();
	usleep(50000);
	assert_int_equal(atomic_load(&waiter_state), 1);
	/* upstream's locks have no owner: another worker may release this one */
	assert_int_equal(pthread_create(&r, NULL, releaser, NULL), 0);
	pthread_join(r, &ret);
	assert_int_equal((long)ret, 1);
	pthread_join(w, NULL);
	assert_int_equal(atomic_load(&waiter_state), 2);
	assert_int_equal(call1("trylock", str_param("held")), 1);
	assert_int_equal(call1("unlock", str_param("held")), 1);
}

static void test_no_lock_set(void **state)
{
	cfgutils_locks_destroy();
	assert_int_equal(call1("lock", str_param("x")), -1);
	assert_int_equal(call1("trylock", str_param("x")), -1);
	assert_int_equal(call1("unlock", str_param("x")), -1);
	/* above the largest size: the largest */
	assert_int_equal(cfgutils_locks_init(20), 0);
	assert_int_equal(call1("trylock", str_param("x")), 1);
	assert_int_equal(call1("unlock", str_param("x")), 1);
	cfgutils_locks_destroy();
	assert_int_equal(cfgutils_locks_init(3), 0);
}

/* --- routes, in a program compiled from a config --- */

static const char routes_cfg[] = "route[A] { setflag(1); }\n"
                                 "route[E] { setflag(2); exit; }\n"
                                 "route[R] { setflag(3); route_if_exists(\"R\"); }\n"
                                 "route[NEG] { return -3; }\n"
                                 "request_route {\n"
                                 "	if (check_route_exists(\"A\")) setflag(10);\n"
                                 "	if (!check_route_exists(\"B\")) setflag(11);\n"
                                 "	if (route_if_exists(\"A\")) setflag(12);\n"
                                 "	if (!route_if_exists(\"B\")) setflag(13);\n"
                                 "	route_if_exists(\"R\");\n"
                                 "	if (check_route_exists(\"0\")) setflag(14);\n"
                                 /* the route's own return code is the result */
                                 "	if (!route_if_exists(\"NEG\")) setflag(16);\n"
                                 "	route_if_exists(\"E\");\n"
                                 "	setflag(15);\n"
                                 "}\n";

static const char request[] = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                              "From: <sip:alice@example.com>;tag=a\r\n"
                              "To: <sip:bob@example.com>\r\n"
                              "Call-ID: c1\r\n"
                              "CSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";

static void test_routes(void **state)
{
	char *text = strdup(routes_cfg), buf[sizeof(request)];
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err = {0};
	struct ksr_pp *pp = ksr_pp_new();
	struct ksr_arena arena;
	struct ksr_msg msg;
	unsigned int want;

	assert_non_null(text);
	assert_non_null(pp);
	if (ksr_cfg_parse_text("routes.cfg", text, strlen(text), pp, &prog, &err) < 0)
		fail_msg("config refused: %d:%d: %s", err.pos.line, err.pos.col, err.msg);
	ksr_pp_free(pp);
	free(text);
	/* check_route_exists and route_if_exists look in the program that runs */
	memset(&msg, 0, sizeof(msg));
	assert_int_equal(call1("check_route_exists", str_param("A")), -1);
	ksr_program_install(prog);

	ksr_arena_init(&arena, 4096);
	memcpy(buf, request, sizeof(request));
	assert_int_equal(ksr_msg_parse(&msg, buf, sizeof(request) - 1, &arena, NULL), 0);
	assert_int_equal(ksr_run_request(prog, &msg), KSR_RUN_EXIT);
	want = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 |
	       1u << 16;
	assert_int_equal(msg.flags, want);
	ksr_arena_destroy(&arena);
	ksr_program_unref(prog);
	ksr_program_install(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_core_hash_matches_upstream),
	        cmocka_unit_test(test_core_hash_size),
	        cmocka_unit_test(test_case_hash),
	        cmocka_unit_test(test_probability),
	        cmocka_unit_test(test_initial_probability_checked),
	        cmocka_unit_test(test_random_pv),
	        cmocka_unit_test(test_gflags),
	        cmocka_unit_test(test_sleep),
	        cmocka_unit_test(test_memory_reports),
	        cmocka_unit_test(test_config_hash),
	        cmocka_unit_test(test_lock_basics),
	        cmocka_unit_test(test_lock_threads),
	        cmocka_unit_test(test_lock_wait_and_foreign_unlock),
	        cmocka_unit_test(test_no_lock_set),
	        cmocka_unit_test(test_routes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
