/*
 * The timer wheel: order, never early, re-arming, disarming (also while the callback
 * runs), rounds beyond the wheel, timers armed before the start, periodic jobs. Waits
 * are bounded generously: a loaded machine makes timers late, never wrong.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/timer/timer.h"

#define WAIT_LIMIT_MS 10000

struct probe {
	struct ksr_timer t;
	uint64_t due; /* not to fire before */
	atomic_int fired;
	uint64_t fired_at;
	int order; /* the fire's rank among all probes */
	unsigned int again; /* returned: re-arm interval */
	int stop_after; /* with again: return 0 after this many fires */
	useconds_t sleep_us; /* the callback takes this long */
	atomic_bool in_cb;
};

static atomic_int ranks;

static unsigned int probe_cb(void *param)
{
	struct probe *p = param;
	int n;

	atomic_store(&p->in_cb, true);
	if (p->sleep_us)
		usleep(p->sleep_us);
	p->fired_at = ksr_timer_now_ms();
	p->order = atomic_fetch_add(&ranks, 1);
	n = atomic_fetch_add(&p->fired, 1) + 1;
	atomic_store(&p->in_cb, false);
	if (p->again && (!p->stop_after || n < p->stop_after))
		return p->again;
	return 0;
}

static void arm(struct probe *p, unsigned int ms)
{
	memset(p, 0, sizeof(*p));
	ksr_timer_init(&p->t, probe_cb, p);
	p->due = ksr_timer_now_ms() + ms;
	assert_int_equal(ksr_timer_add(&p->t, ms), 0);
}

/* Wait until p fired n times (or the limit); its count. */
static int wait_fired(struct probe *p, int n)
{
	uint64_t end = ksr_timer_now_ms() + WAIT_LIMIT_MS;

	while (atomic_load(&p->fired) < n && ksr_timer_now_ms() < end)
		usleep(1000);
	return atomic_load(&p->fired);
}

static int setup(void **state)
{
	atomic_store(&ranks, 0);
	return ksr_timer_start();
}

static int teardown(void **state)
{
	ksr_timer_stop();
	return 0;
}

static void test_order_and_never_early(void **state)
{
	struct probe a, b, c;

	arm(&a, 30);
	arm(&b, 10);
	arm(&c, 20);
	assert_int_equal(wait_fired(&a, 1), 1);
	assert_int_equal(wait_fired(&b, 1), 1);
	assert_int_equal(wait_fired(&c, 1), 1);
	assert_true(b.order < c.order && c.order < a.order);
	assert_true(a.fired_at >= a.due);
	assert_true(b.fired_at >= b.due);
	assert_true(c.fired_at >= c.due);
	assert_false(ksr_timer_is_armed(&a.t));
}

static void test_rearm_moves_and_del(void **state)
{
	struct probe a, b;

	arm(&a, 5000);
	assert_true(ksr_timer_is_armed(&a.t));
	/* armed again: moved, fires once, soon */
	assert_int_equal(ksr_timer_add(&a.t, 5), 0);
	assert_int_equal(wait_fired(&a, 1), 1);
	/* disarmed: never fires */
	arm(&b, 20);
	assert_true(ksr_timer_del(&b.t));
	assert_false(ksr_timer_del(&b.t));
	usleep(60000);
	assert_int_equal(atomic_load(&b.fired), 0);
	assert_int_equal(atomic_load(&a.fired), 1);
}

static void test_callback_rearms(void **state)
{
	struct probe a;

	arm(&a, 1);
	a.again = 3;
	a.stop_after = 5;
	assert_int_equal(wait_fired(&a, 5), 5);
	usleep(30000);
	/* 0 returned on the fifth: no sixth */
	assert_int_equal(atomic_load(&a.fired), 5);
	assert_false(ksr_timer_is_armed(&a.t));
}

/* ksr_timer_del from another thread returns only once the running callback is done. */
static void test_del_waits_for_running_callback(void **state)
{
	struct probe a;
	uint64_t end;

	arm(&a, 1);
	a.sleep_us = 100000;
	a.again = 1; /* it would re-arm: the del must win */
	end = ksr_timer_now_ms() + WAIT_LIMIT_MS;
	while (!atomic_load(&a.in_cb) && ksr_timer_now_ms() < end)
		usleep(500);
	assert_true(atomic_load(&a.in_cb));
	assert_true(ksr_timer_del(&a.t));
	assert_false(atomic_load(&a.in_cb));
	assert_int_equal(atomic_load(&a.fired), 1);
	assert_false(ksr_timer_is_armed(&a.t));
	usleep(20000);
	assert_int_equal(atomic_load(&a.fired), 1);
}

/* Further than one turn of the wheel (1024 slots): later rounds wait for their turn. */
static void test_beyond_one_round(void **state)
{
	struct probe a, b;

	arm(&a, 1300);
	arm(&b, 1300 - 1024); /* the same slot, one round earlier */
	assert_int_equal(wait_fired(&b, 1), 1);
	assert_int_equal(atomic_load(&a.fired), 0);
	assert_int_equal(wait_fired(&a, 1), 1);
	assert_true(a.fired_at >= a.due);
}

static atomic_int job_runs;

static unsigned int job(void *param)
{
	atomic_fetch_add(&job_runs, 1);
	return 0; /* ignored: a job runs every interval */
}

static void test_registered_job(void **state)
{
	uint64_t end = ksr_timer_now_ms() + WAIT_LIMIT_MS;

	atomic_store(&job_runs, 0);
	assert_int_equal(ksr_timer_register(job, NULL, 0), -EINVAL);
	assert_int_equal(ksr_timer_register(job, NULL, 2), 0);
	while (atomic_load(&job_runs) < 3 && ksr_timer_now_ms() < end)
		usleep(1000);
	assert_true(atomic_load(&job_runs) >= 3);
}

/* Timers armed before the service starts fire once it does, overdue ones at once. */
static void test_armed_before_start(void **state)
{
	struct probe a, b;

	ksr_timer_stop();
	arm(&a, 1);
	arm(&b, 40);
	usleep(20000);
	assert_int_equal(atomic_load(&a.fired), 0);
	assert_int_equal(ksr_timer_start(), 0);
	assert_int_equal(wait_fired(&a, 1), 1);
	assert_int_equal(wait_fired(&b, 1), 1);
	assert_true(b.fired_at >= b.due);
}

/* A callback that disarms the other timers due in its slot (as tm's end of a transaction). */
static struct probe *victims[3];

static unsigned int killer_cb(void *param)
{
	struct probe *p = param;

	for (int i = 0; i < 3; i++)
		ksr_timer_del(&victims[i]->t);
	atomic_fetch_add(&p->fired, 1);
	return 0;
}

static void test_callback_disarms_slot_mates(void **state)
{
	struct probe killer, v[3], after, survivor;

	/*
	 * All due in one millisecond (armed in one go): a slot runs newest first, so the
	 * killer runs first, the victims come after it and the survivor last. Once the
	 * killer has disarmed the victims, the scan must still reach the survivor.
	 */
	arm(&survivor, 50);
	for (int i = 0; i < 3; i++) {
		arm(&v[i], 50);
		victims[i] = &v[i];
	}
	memset(&killer, 0, sizeof(killer));
	ksr_timer_init(&killer.t, killer_cb, &killer);
	assert_int_equal(ksr_timer_add(&killer.t, 50), 0);
	arm(&after, 120);
	assert_int_equal(wait_fired(&after, 1), 1);
	/* the scan went on past the timers the killer disarmed, without running them */
	assert_int_equal(atomic_load(&killer.fired), 1);
	assert_int_equal(atomic_load(&survivor.fired), 1);
	assert_true(survivor.order < after.order);
	/* a victim armed in an earlier millisecond may have run before the killer; at
	 * least the ones in the killer's slot did not */
	int ran = 0;
	for (int i = 0; i < 3; i++)
		ran += atomic_load(&v[i].fired);
	assert_true(ran < 3);
	for (int i = 0; i < 3; i++)
		assert_false(ksr_timer_is_armed(&v[i].t));
}

/* ksr_timer_cancel: disarms an armed timer; on a running one it does not wait. */
static void test_cancel(void **state)
{
	struct probe a, b;

	arm(&a, 30);
	assert_true(ksr_timer_cancel(&a.t));
	assert_false(ksr_timer_is_armed(&a.t));
	assert_false(ksr_timer_cancel(&a.t));
	arm(&b, 1);
	b.sleep_us = 300000;
	b.again = 10;
	while (!atomic_load(&b.in_cb))
		usleep(1000);
	uint64_t t0 = ksr_timer_now_ms();
	/* the callback sleeps 300 ms: cancel returns at once, and its re-arm is dropped */
	assert_true(ksr_timer_cancel(&b.t));
	assert_true(ksr_timer_now_ms() - t0 < 200);
	usleep(500000);
	assert_int_equal(atomic_load(&b.fired), 1);
	assert_false(ksr_timer_is_armed(&b.t));
	usleep(100000);
	assert_int_equal(atomic_load(&a.fired), 0);
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_order_and_never_early),
		T(test_rearm_moves_and_del),
		T(test_callback_rearms),
		T(test_del_waits_for_running_callback),
		T(test_beyond_one_round),
		T(test_registered_job),
		T(test_armed_before_start),
		T(test_callback_disarms_slot_mates),
		T(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
