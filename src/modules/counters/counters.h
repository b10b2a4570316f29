/*
 * The counters registry of the counters module: named counters in groups, declared at
 * startup, updated by every worker with atomic operations. Read by the unit tests now
 * and by the cnt.* RPC commands when the RPC layer comes.
 */
#ifndef KSR_MODULES_COUNTERS_COUNTERS_H
#define KSR_MODULES_COUNTERS_COUNTERS_H

#include <stdatomic.h>

#include "core/str.h"

struct counters_cnt {
	/* alone on its cache line: workers updating two counters do not share a line */
	_Alignas(64) atomic_long val;
	char *group;
	char *name;
	char *desc;
	struct counters_cnt *next;
};

/* The default group of "name" without "group." (modparam script_cnt_grp_name). */
extern char *counters_script_grp;

/*
 * Declare group.name with a description (NULL: the default one). -EEXIST when it is
 * already declared, -EINVAL for an empty group or name, -ENOMEM.
 */
int counters_register(const char *group, const char *name, const char *desc);
/*
 * A declaration as modparam script_counter writes it: "[group.]name[( |:)description]".
 * The group defaults to counters_script_grp as it is at the time of the call.
 */
int counters_declare(const char *decl);
/* The counter group.name, or NULL. */
struct counters_cnt *counters_lookup(struct ksr_str group, struct ksr_str name);
/* "[group.]name" as the script functions take it; the group defaults as above. */
struct counters_cnt *counters_lookup_ref(struct ksr_str ref);

static inline void counters_add(struct counters_cnt *c, long v)
{
	atomic_fetch_add_explicit(&c->val, v, memory_order_relaxed);
}

static inline void counters_reset(struct counters_cnt *c)
{
	atomic_store_explicit(&c->val, 0, memory_order_relaxed);
}

static inline long counters_get(const struct counters_cnt *c)
{
	return atomic_load_explicit(&c->val, memory_order_relaxed);
}

/* Every counter in declaration order (groups interleaved as declared). */
struct counters_cnt *counters_all(void);
/* Forget every counter (module destroy, tests). */
void counters_clear(void);

#endif
