/*
 * A hashed timing wheel (Varghese and Lauck): WHEEL_SLOTS lists indexed by the expiry's
 * millisecond, each holding timers of every round. The thread sleeps until the earliest
 * expiry it knows of (found through a bitmap of non-empty slots), or until a timer that
 * fires sooner is added, then runs the slots of each millisecond that has passed.
 * Timers are kept sorted by nothing: arming and disarming are O(1) under one lock.
 */
#include "core/timer/timer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cfg/rtcfg.h"
#include "core/log.h"
#include "core/threads.h"

#define WHEEL_BITS 10
#define WHEEL_SLOTS (1u << WHEEL_BITS) /* ~1 s of millisecond slots */
#define WHEEL_MASK (WHEEL_SLOTS - 1)
#define MAP_WORDS (WHEEL_SLOTS / 64)

#define SLACK_MS 4 /* the timer thread wakes at most this often (timer_main) */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* the thread: something changed */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER; /* ksr_timer_del: a callback ended */
static struct ksr_timer *slots[WHEEL_SLOTS];
static uint64_t map[MAP_WORDS]; /* bit set: the slot holds timers */
static size_t narmed;
static uint64_t processed; /* every slot up to this ms has been run */
static uint64_t sleep_until; /* when the thread wakes up unless told sooner */
static struct ksr_timer *running; /* whose callback runs now, on the thread */
/*
 * Where the scan of the slot being run goes on after a callback: unlinking that timer
 * moves it along, so that a callback disarming other timers of the slot (tm's end of a
 * transaction disarms its branches') does not make the scan start over.
 */
static struct ksr_timer *scan_next;
static bool running_deleted; /* ... and it was disarmed meanwhile: no re-arm */
static pthread_t thread;
static bool started, stopping;

/* The jobs of ksr_timer_register, freed at stop. */
struct job {
	struct ksr_timer t;
	ksr_timer_fn fn;
	void *param;
	unsigned int interval;
	struct job *next;
};
static struct job *jobs;

uint64_t ksr_timer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ksr_timer_init(struct ksr_timer *t, ksr_timer_fn fn, void *param)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->param = param;
}

static void unlink_locked(struct ksr_timer *t)
{
	unsigned int s = (unsigned int)(t->expires & WHEEL_MASK);

	if (t == scan_next)
		scan_next = t->next;
	if (t->prev)
		t->prev->next = t->next;
	else
		slots[s] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	if (!slots[s])
		map[s / 64] &= ~(1ull << (s % 64));
	t->next = t->prev = NULL;
	t->armed = false;
	narmed--;
}

static void link_locked(struct ksr_timer *t, uint64_t expires)
{
	unsigned int s = (unsigned int)(expires & WHEEL_MASK);

	t->expires = expires;
	t->prev = NULL;
	t->next = slots[s];
	if (t->next)
		t->next->prev = t;
	slots[s] = t;
	map[s / 64] |= 1ull << (s % 64);
	t->armed = true;
	narmed++;
}

int ksr_timer_add(struct ksr_timer *t, unsigned int ms)
{
	uint64_t expires;

	if (!t || !t->fn)
		return -EINVAL;
	expires = ksr_timer_now_ms() + ms;
	pthread_mutex_lock(&lock);
	if (t->armed)
		unlink_locked(t);
	/* a slot already run would wait a whole round: the next one is as early as it gets */
	if (expires <= processed)
		expires = processed + 1;
	link_locked(t, expires);
	if (t == running)
		running_deleted = false;
	if (expires < sleep_until)
		pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Disarm t, and drop the re-arm of its running callback; wait for that one to end. */
static bool disarm(struct ksr_timer *t, bool wait)
{
	bool was = false;

	pthread_mutex_lock(&lock);
	if (t->armed) {
		unlink_locked(t);
		was = true;
	}
	if (t == running) {
		running_deleted = true;
		was = true;
		/* from another thread: the callback may be using what the caller will free */
		if (wait && !pthread_equal(pthread_self(), thread))
			while (running == t)
				pthread_cond_wait(&done, &lock);
	}
	pthread_mutex_unlock(&lock);
	return was;
}

bool ksr_timer_del(struct ksr_timer *t)
{
	return disarm(t, true);
}

bool ksr_timer_cancel(struct ksr_timer *t)
{
	return disarm(t, false);
}

bool ksr_timer_is_armed(const struct ksr_timer *t)
{
	bool armed;

	pthread_mutex_lock(&lock);
	armed = t->armed;
	pthread_mutex_unlock(&lock);
	return armed;
}

/*
 * Run what is due in slot ms (timers of later rounds stay). Called with the lock held.
 * Timers a callback arms go to later slots (their expiry is past `processed`), so the
 * scan only has to survive unlinks, which scan_next follows.
 */
static void run_slot_locked(uint64_t ms)
{
	unsigned int s = (unsigned int)(ms & WHEEL_MASK);
	struct ksr_timer *t;

	for (t = slots[s]; t; t = scan_next) {
		unsigned int again;

		scan_next = t->next;
		if (t->expires > ms)
			continue;
		unlink_locked(t);
		running = t;
		running_deleted = false;
		pthread_mutex_unlock(&lock);
		/* each timer job sees the runtime config as it is when the job starts */
		ksr_rtcfg_update();
		again = t->fn(t->param);
		pthread_mutex_lock(&lock);
		running = NULL;
		if (again && !running_deleted && !t->armed && !stopping)
			link_locked(t, ms + again > processed ? ms + again : processed + 1);
		pthread_cond_broadcast(&done);
	}
	scan_next = NULL;
}

/* The first expiry to wake up for: the next non-empty slot after processed. */
static uint64_t next_wakeup_locked(void)
{
	unsigned int from = (unsigned int)((processed + 1) & WHEEL_MASK);

	if (!narmed)
		return processed + WHEEL_SLOTS;
	for (unsigned int i = 0; i < WHEEL_SLOTS;) {
		unsigned int s = (from + i) & WHEEL_MASK;
		uint64_t word = map[s / 64] >> (s % 64);

		if (word & 1)
			return processed + 1 + i;
		/* skip the empty rest of this word at once */
		if (!word) {
			i += 64 - s % 64;
			continue;
		}
		i += (unsigned int)__builtin_ctzll(word);
	}
	return processed + WHEEL_SLOTS;
}

static void *timer_main(void *arg)
{
	(void)arg;
	ksr_thread_register(-1, "timer", "timer");
	pthread_mutex_lock(&lock);
	while (!stopping) {
		uint64_t now = ksr_timer_now_ms(), target;

		/* after a long stall every slot is run once, which covers every expiry */
		if (now > processed + WHEEL_SLOTS)
			processed = now - WHEEL_SLOTS;
		while (processed < now && !stopping)
			run_slot_locked(++processed);
		target = next_wakeup_locked();
		/*
		 * Under load nearly every slot holds a timer: waking for each would cost a
		 * context switch per millisecond. Timers due within SLACK_MS of the last run
		 * wait for the next one (what a timer is for here tolerates it: tm's are T1,
		 * 500 ms, and up).
		 */
		if (target < now + SLACK_MS)
			target = now + SLACK_MS;
		if (target > ksr_timer_now_ms()) {
			struct timespec ts;

			sleep_until = target;
			ts.tv_sec = (time_t)(target / 1000u);
			ts.tv_nsec = (long)(target % 1000u) * 1000000L;
			pthread_cond_timedwait(&wake, &lock, &ts);
			sleep_until = UINT64_MAX;
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* A periodic job: whatever its function returns, it runs again after its interval. */
static unsigned int run_job(void *param)
{
	struct job *j = param;

	j->fn(j->param);
	return j->interval;
}

int ksr_timer_register(ksr_timer_fn fn, void *param, unsigned int interval_ms)
{
	struct job *j;

	if (!fn || !interval_ms)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fn = fn;
	j->param = param;
	j->interval = interval_ms;
	ksr_timer_init(&j->t, run_job, j);
	pthread_mutex_lock(&lock);
	j->next = jobs;
	jobs = j;
	pthread_mutex_unlock(&lock);
	return ksr_timer_add(&j->t, interval_ms);
}

int ksr_timer_start(void)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int r;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wake);
	pthread_cond_init(&wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&lock);
	stopping = false;
	/*
	 * The first round runs the last second's slots: timers armed before the start whose
	 * time has come fire at once (every slot is visited, so none waits a round).
	 */
	processed = ksr_timer_now_ms();
	processed = processed > WHEEL_SLOTS ? processed - WHEEL_SLOTS : 0;
	sleep_until = UINT64_MAX;
	pthread_mutex_unlock(&lock);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = -pthread_create(&thread, NULL, timer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		LM_CRIT("cannot start the timer thread: %s\n", strerror(-r));
		return r;
	}
	started = true;
	return 0;
}

void ksr_timer_stop(void)
{
	struct job *j, *next;

	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (started)
		pthread_join(thread, NULL);
	started = false;
	pthread_mutex_lock(&lock);
	for (j = jobs; j; j = next) {
		next = j->next;
		if (j->t.armed)
			unlink_locked(&j->t);
		free(j);
	}
	jobs = NULL;
	pthread_mutex_unlock(&lock);
}
