/* The core's group of the runtime configuration: core.debug, core.memlog, ... */
#ifndef KSR_CORE_CFG_RTCFG_CORE_H
#define KSR_CORE_CFG_RTCFG_CORE_H

/*
 * Declare group `core`, with the defaults, before the config is loaded (so that
 * $sel(cfg_get.core.debug) resolves). 0, -EEXIST when declared already, -ENOMEM.
 */
int ksr_rtcfg_core_declare(void);
/*
 * Once the config and the command line have set the log level and the other values:
 * they become the group's start values (what cfg.reset core goes back to). 0 or -ENOMEM.
 */
int ksr_rtcfg_core_started(void);

#endif
