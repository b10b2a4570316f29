/* kex's parts, one file each: the core extensions (kex.c) and the statistics commands. */
#ifndef KSR_MODULES_KEX_KEX_H
#define KSR_MODULES_KEX_KEX_H

#include "core/rpc/rpc.h"

/* stats.get_statistics, stats.reset_statistics, ... (kex_stats.c) */
extern const struct ksr_rpc_export kex_stats_rpcs[];

#endif
