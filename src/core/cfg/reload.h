/* Reloading the routing rules of the running daemon, without a restart. */
#ifndef KSR_CORE_CFG_RELOAD_H
#define KSR_CORE_CFG_RELOAD_H

#include "core/cfg/error.h"

/*
 * What the daemon was started with: the config file and the -A defines (kept, not
 * copied: argv outlives the daemon). Called once by main.
 */
void ksr_reload_setup(const char *cfg_file, char **defines, int ndefines);

/*
 * Parse the config file again and, when its route blocks compile against the loaded
 * modules and nothing else in it changed, make them the routes new messages run; messages
 * in flight finish on the old ones. 0, or -errno with err filled (the old routes stay).
 * For the main loop and the RPC command; never called from a signal handler.
 */
int ksr_reload_routes(struct ksr_cfg_error *err);

#endif
