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
};

/*
 * Register group.name with a description (NULL: none); *ret_cnt (when not NULL) is the
 * counter. Only while the daemon starts (config, mod_init): the list is read without a
 * lock afterwards. -EEXIST when it is already registered, -EINVAL for an empty group or
 * name, -ENOMEM.
 */
int ksr_counter_register(const char *group, const char *name, const char *desc,
			 struct ksr_counter **ret_cnt);
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
	return atomic_load_explicit(&c->val, memory_order_relaxed);
}

/* Every counter in registration order. */
struct ksr_counter *ksr_counters_all(void);
/* Forget every counter (at exit, and in tests). */
void ksr_counters_clear(void);

#endif
