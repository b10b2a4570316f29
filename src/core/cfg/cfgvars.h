/*
 * The config's own variables: `group.var = value [desc "text"]` at the top level of
 * kamailio.cfg, read by scripts as $sel(cfg_get.group.var). Their values live in the
 * runtime configuration (core/cfg/rtcfg.h): cfg.set and the other cfg.* RPC commands
 * change them while the daemon runs.
 */
#ifndef KSR_CORE_CFG_CFGVARS_H
#define KSR_CORE_CFG_CFGVARS_H

#include "core/cfg/error.h"
#include "core/pv/pv-t.h"

/* One variable; opaque, read with the functions below. */
struct ksr_cfgvar;

/*
 * Define group.name with an integer or string value (val->type KSR_VAL_INT or
 * KSR_VAL_STR) and an optional description; everything is copied. 0, -EEXIST when
 * already defined (or group is the core's), -EINVAL for a bad name or value, -ENOMEM.
 */
int ksr_cfgvar_define(const char *group, const char *name, const struct ksr_val *val,
		      const char *desc, struct ksr_pos pos);
/* The variable, or NULL. */
const struct ksr_cfgvar *ksr_cfgvar_find(struct ksr_str group, struct ksr_str name);
/*
 * Its value in this thread's runtime configuration snapshot: a KSR_VAL_INT, or a
 * KSR_VAL_STR valid until the thread's next ksr_rtcfg_update().
 */
void ksr_cfgvar_get(const struct ksr_cfgvar *v, struct ksr_val *ret);
const char *ksr_cfgvar_desc(const struct ksr_cfgvar *v); /* "" when none */
/* Where it was defined (file and line; the file name is the variable's own copy). */
struct ksr_pos ksr_cfgvar_pos(const struct ksr_cfgvar *v);

/* Forget every variable (tests; a full restart). */
void ksr_cfgvars_clear(void);

/*
 * Register the core's $sel pseudo-variable (only $sel(cfg_get.group.var) for now, for the
 * groups declared when the script is compiled: the config's own and the core's); once,
 * at start, before the config is loaded. 0, or -EEXIST when a module registered `sel`.
 */
int ksr_cfgvars_pv_register(void);

#endif
