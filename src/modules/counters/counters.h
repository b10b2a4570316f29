/*
 * The counters module's side of the core counters registry (core/counters.h): script
 * counters as modparam script_counter declares them, and references as the script
 * functions take them.
 */
#ifndef KSR_MODULES_COUNTERS_COUNTERS_H
#define KSR_MODULES_COUNTERS_COUNTERS_H

#include "core/counters.h"
#include "core/rpc/rpc.h"
#include "core/str.h"

/* The default group of "name" without "group." (modparam script_cnt_grp_name). */
extern char *counters_script_grp;

/*
 * A declaration as modparam script_counter writes it: "[group.]name[( |:)description]".
 * The group defaults to counters_script_grp as it is at the time of the call. 0, or
 * -EEXIST, -EINVAL, -ENOMEM as ksr_counter_register.
 */
int counters_declare(const char *decl);
/* "[group.]name" as the script functions take it; the group defaults as above. */
struct ksr_counter *counters_lookup_ref(struct ksr_str ref);

/* The cnt.* RPC commands (counters_rpc.c). */
extern const struct ksr_rpc_export counters_rpcs[];

#endif
