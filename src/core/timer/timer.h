/*
 * The timer service: one timer thread running a hashed wheel with millisecond slots; it
 * wakes at most every 4 ms, so a timer fires up to 4 ms late.
 * Modules arm timers for retransmissions, timeouts and periodic jobs; callbacks run on
 * the timer thread, one at a time, and must not block for long.
 */
#ifndef KSR_CORE_TIMER_TIMER_H
#define KSR_CORE_TIMER_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A timer callback: returns 0 when done, or N to run again N ms later (a periodic job
 * returns its interval).
 */
typedef unsigned int (*ksr_timer_fn)(void *param);

/* A timer, embedded in the object it serves; zero it or ksr_timer_init() it first. */
struct ksr_timer {
	struct ksr_timer *next, *prev; /* in its slot; NULL when not armed */
	uint64_t expires; /* ksr_timer_now_ms() at which it fires */
	ksr_timer_fn fn;
	void *param;
	bool armed;
};

void ksr_timer_init(struct ksr_timer *t, ksr_timer_fn fn, void *param);
/*
 * Arm t to fire ms milliseconds from now (0: on the next tick). Re-arming an armed timer
 * moves it. Any thread may call it, before the service starts as well. 0 or -EINVAL.
 */
int ksr_timer_add(struct ksr_timer *t, unsigned int ms);
/*
 * Disarm t. When its callback is running on the timer thread, waits for it to return
 * (unless called from that callback) and the callback's re-arm is ignored. Returns true
 * when t was armed or running.
 */
bool ksr_timer_del(struct ksr_timer *t);
/*
 * Disarm t without waiting for a callback of it that is running (whose re-arm is then
 * ignored): for a caller holding a lock that callback takes. The object must stay alive
 * until such a callback has returned. Returns true when t was armed or running.
 */
bool ksr_timer_cancel(struct ksr_timer *t);
/* Whether t is armed. */
bool ksr_timer_is_armed(const struct ksr_timer *t);

/*
 * A periodic job for the daemon's lifetime, as modules register in mod_init (upstream's
 * register_timer): fn runs every interval_ms (its return value is ignored). 0 or -errno.
 */
int ksr_timer_register(ksr_timer_fn fn, void *param, unsigned int interval_ms);

/* Milliseconds on the monotonic clock: what expiries are measured in. */
uint64_t ksr_timer_now_ms(void);

/*
 * Start the timer thread (timers armed before fire from now on, those overdue at once);
 * stop it, freeing the registered jobs. Timers a module armed itself it disarms in its
 * destroy, before it frees them.
 */
int ksr_timer_start(void);
void ksr_timer_stop(void);

#endif
