/*
 * Runtime configuration (upstream's "cfg framework"): named groups of variables
 * (core.debug, tm.fr_timer, the config's own group.var) that the cfg.* RPC commands read
 * and change while the daemon runs. A change makes a new snapshot of every value; a
 * worker picks the newest snapshot up between two messages (ksr_rtcfg_update), so the
 * values it reads stay the same for a whole message and a commit of several changes is
 * seen all at once.
 */
#ifndef KSR_CORE_CFG_RTCFG_H
#define KSR_CORE_CFG_RTCFG_H

#include <stdbool.h>

#include "core/pv/pv-t.h"
#include "core/str.h"

enum ksr_rtcfg_type { KSR_RTCFG_INT = 1, KSR_RTCFG_STR };

/* A declared group; a handle for the readers below. */
struct ksr_rtcfg_group;

/* One variable of a group, as the core or a module declares it (a static table). */
struct ksr_rtcfg_var {
	const char *name;
	enum ksr_rtcfg_type type;
	const char *desc;  /* for cfg.help */
	long min, max;     /* INT: the values allowed; min == max: any */
	long def;          /* INT: the start value (unless mirror) */
	const char *def_s; /* STR: the start value (NULL: "") */
	/*
	 * INT, optional: a global of the core or the module that its code reads directly.
	 * The start value is taken from it; every committed change is stored into it
	 * (atomically), for every thread at once.
	 */
	int *mirror;
	/*
	 * Optional: run after a committed change, in the thread that committed it, with the
	 * framework's lock held (it must not call ksr_rtcfg_* functions).
	 */
	void (*on_change)(const struct ksr_rtcfg_var *var, const struct ksr_val *val);
};

/*
 * Declare group with vars (terminated by a NULL name; kept, not copied), from the main
 * thread while the daemon starts (mod_init). 0, -EEXIST when the group exists, -EINVAL
 * for a bad name or a STR variable with a mirror, -ENOMEM.
 */
int ksr_rtcfg_declare(const char *group, const struct ksr_rtcfg_var *vars,
                      struct ksr_rtcfg_group **ret_grp);
/*
 * Take a declared group out, with its mirrors and callbacks: from a module's destroy,
 * when no worker runs any more (the other groups' indexes change). NULL is ignored.
 */
void ksr_rtcfg_undeclare(struct ksr_rtcfg_group *g);
/*
 * Add group.name = val (KSR_VAL_INT or KSR_VAL_STR, copied) to a group of the config's
 * own variables (created on first use); while the config loads. 0, -EEXIST when defined
 * or when group was declared by the core or a module, -EINVAL, -ENOMEM.
 */
int ksr_rtcfg_add_custom(const char *group, const char *name, const struct ksr_val *val,
                         const char *desc);

/* --- reading, from any thread --- */

/*
 * Take the newest snapshot if there is one: workers call it before each message, the
 * timer and RPC threads before each job. Between two calls a thread reads one snapshot.
 */
void ksr_rtcfg_update(void);
/* The value of a variable of g (by its index in the declared table) in this thread's snapshot. */
long ksr_rtcfg_int(const struct ksr_rtcfg_group *g, int var);
/* NUL-terminated; valid until this thread's second ksr_rtcfg_update() from now. */
struct ksr_str ksr_rtcfg_str(const struct ksr_rtcfg_group *g, int var);
/* Find group.var: 0, or -ENOENT. */
int ksr_rtcfg_lookup(struct ksr_str group, struct ksr_str var, struct ksr_rtcfg_group **ret_grp,
                     int *ret_var);
enum ksr_rtcfg_type ksr_rtcfg_var_type(const struct ksr_rtcfg_group *g, int var);
/*
 * The group's start values (those cfg.reset goes back to) and its current ones become
 * what its mirrors hold now: for the core's group, once the config and the command line
 * have set them. 0 or -ENOMEM.
 */
int ksr_rtcfg_sync_mirrors(struct ksr_rtcfg_group *g);

/* --- changing and listing, for the cfg.* RPC commands --- */

/* A variable as the listing functions pass it: pointers valid during the callback. */
struct ksr_rtcfg_item {
	const char *group, *name, *desc;
	enum ksr_rtcfg_type type;
	struct ksr_val val;     /* the committed value */
	struct ksr_val new_val; /* ksr_rtcfg_diff: the prepared value */
};

typedef void (*ksr_rtcfg_item_fn)(const struct ksr_rtcfg_item *item, void *arg);

/*
 * Set group.var to val (an integer, or a string: converted to the variable's type), now
 * (a commit of this one change) or delayed (prepared until ksr_rtcfg_commit). 0, or
 * -ENOENT (no such variable), -EINVAL (not a number for an integer variable), -ERANGE
 * (outside its range), -ENOMEM; *ret_err then says why (a static text).
 */
int ksr_rtcfg_set(struct ksr_str group, struct ksr_str var, const struct ksr_val *val, bool delayed,
                  const char **ret_err);
/* Apply the prepared changes at once: how many there were, or -ENOMEM. */
int ksr_rtcfg_commit(void);
/* Drop the prepared changes. */
void ksr_rtcfg_rollback(void);
/* The group's variables back to their start values, at once. 0, -ENOENT, -ENOMEM. */
int ksr_rtcfg_reset(struct ksr_str group);
/*
 * fn for every variable (group NULL), every variable of group (var NULL), or one, in
 * declaration order, with the committed values. Called with the framework's lock held: fn
 * must not call back into it. How many, or -ENOENT when group or var is not declared.
 */
int ksr_rtcfg_foreach(const struct ksr_str *group, const struct ksr_str *var, ksr_rtcfg_item_fn fn,
                      void *arg);
/* fn for every prepared change (val: the committed value, new_val: the prepared one). */
int ksr_rtcfg_diff(ksr_rtcfg_item_fn fn, void *arg);

/*
 * Forget the config's own groups (ksr_rtcfg_add_custom), before it is loaded again (tests)
 * or at exit; ksr_rtcfg_clear forgets everything.
 */
void ksr_rtcfg_clear_custom(void);
void ksr_rtcfg_clear(void);

#endif
