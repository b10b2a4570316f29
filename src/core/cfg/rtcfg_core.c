/*
 * The variables of group `core` that mean something in this daemon. Each mirrors the
 * global its code reads (the log level that every LM_* line checks, the while-loop limit
 * of the interpreter), so a change applies to every thread at once.
 */
#include "core/cfg/rtcfg_core.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>

#include "core/cfg/rtcfg.h"
#include "core/log.h"
#include "core/mem/meminfo.h"
#include "core/route/program.h"

static struct ksr_rtcfg_group *core_group;

/* cfg.seti core mem_dump_shm 1: the memory status, now, at level memlog. */
static void dump_shm(const struct ksr_rtcfg_var *var, const struct ksr_val *val)
{
	if (val->i)
		ksr_meminfo_log(ksr_memlog, "mem_dump_shm");
}

static const struct ksr_rtcfg_var core_vars[] = {
        {.name = "debug", .type = KSR_RTCFG_INT, .desc = "debug level", .mirror = &ksr_log_level},
        {.name = "max_while_loops",
         .type = KSR_RTCFG_INT,
         .desc = "maximum loops that can be done within a \"while\"",
         .min = 1,
         .max = INT_MAX,
         .mirror = &ksr_max_while_loops},
        {.name = "memlog",
         .type = KSR_RTCFG_INT,
         .desc = "log level for memory status/summary information",
         .mirror = &ksr_memlog},
        {.name = "mem_summary",
         .type = KSR_RTCFG_INT,
         .desc = "memory status logged when the daemon stops (flags): 4 or 8 - the heap's "
                 "figures at level memlog, 0 - nothing",
         .min = 0,
         .max = 255,
         .mirror = &ksr_mem_summary},
        {.name = "mem_dump_shm",
         .type = KSR_RTCFG_INT,
         .desc = "set to a value other than 0: log the memory status now, at level memlog",
         .on_change = dump_shm},
        {0},
};

int ksr_rtcfg_core_declare(void)
{
	return ksr_rtcfg_declare("core", core_vars, &core_group);
}

int ksr_rtcfg_core_started(void)
{
	return core_group ? ksr_rtcfg_sync_mirrors(core_group) : -ENOENT;
}
