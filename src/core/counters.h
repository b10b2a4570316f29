/*
 * Counters (statistics): named values in groups, registered at startup by the core and
 * modules (sl's "1xx_replies", the counters module's script counters) and updated by
 * every worker with atomic operations, never a lock. Read by $stat() and the statistics
 * RPC commands.
 */
#ifndef KSR_CORE_COUNTERS_H
#define KSR_CORE_COUNTERS_H

#include <stdatomic.h>

#include "core/str.h"

struct ksr_counter {
	/* alone on its cache line: workers updating two counters do not share a line */
	_Alignas(64) atomic_long val;
	char *group;
	char *name;
	char *desc;
	struct ksr_counter *next;
	/* a computed statistic (shmem:used_size): its value, read on demand; never reset */
	long (*fn)(const struct ksr_counter *c);
};

/*
 * Register group.name with a description (NULL: none); *ret_cnt (when not NULL) is the
 * counter. Only while the daemon starts (config, mod_init): the list is read without a
 * lock afterwards. -EEXIST when it is already registered, -EINVAL for an empty group or
 * name, -ENOMEM.
 */
int ksr_counter_register(const char *group, const char *name, const char *desc,
			 struct ksr_counter **ret_cnt);
/* A computed one: its value is what fn returns when read (same errors). */
int ksr_counter_register_fn(const char *group, const char *name, const char *desc,
			    long (*fn)(const struct ksr_counter *c), struct ksr_counter **ret_cnt);
/* The counter group.name, or NULL. */
struct ksr_counter *ksr_counter_lookup(struct ksr_str group, struct ksr_str name);
/* The first counter named name in any group (upstream's $stat(name)), or NULL. */
struct ksr_counter *ksr_counter_find_name(struct ksr_str name);

static inline void ksr_counter_add(struct ksr_counter *c, long v)
{
	atomic_fetch_add_explicit(&c->val, v, memory_order_relaxed);
}

static inline void ksr_counter_reset(struct ksr_counter *c)
{
	atomic_store_explicit(&c->val, 0, memory_order_relaxed);
}

static inline long ksr_counter_get(const struct ksr_counter *c)
{
	if (c->fn)
		return c->fn(c);
	return atomic_load_explicit(&c->val, memory_order_relaxed);
}

/* Every counter in registration order. */
struct ksr_counter *ksr_counters_all(void);
/*
 * Every counter sorted by group, then name (byte order, as upstream lists them): a
 * malloc'ed array the caller frees, *ret_n long. 0 or -ENOMEM.
 */
int ksr_counters_sorted(struct ksr_counter ***ret, size_t *ret_n);
/* Forget every counter (at exit, and in tests). */
void ksr_counters_clear(void);

#endif
