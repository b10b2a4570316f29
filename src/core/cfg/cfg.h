/* Loading kamailio.cfg: preprocess, parse, apply core parameters and modparams, compile. */
#ifndef KSR_CORE_CFG_CFG_H
#define KSR_CORE_CFG_CFG_H

#include <stdbool.h>

#include "core/cfg/error.h"
#include "core/cfg/pp.h"
#include "core/route/program-t.h"

/* Core parameters the config set; the command line may override them afterwards. */
struct ksr_core_cfg {
	int debug;
	bool debug_set;
	bool log_stderror;
	bool log_stderror_set;
	int children;
	bool children_set;
};

extern struct ksr_core_cfg ksr_core_cfg;

/* Parse a config held in memory (text is modified by the preprocessor). */
int ksr_cfg_parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
		       struct ksr_program **ret_prog, struct ksr_cfg_error *err);
/* Read file, then as ksr_cfg_parse_text. */
int ksr_cfg_load(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		 struct ksr_cfg_error *err);
/* Resolve calls against the loaded modules, run fixups, resolve routes. */
int ksr_cfg_compile(struct ksr_program *prog, struct ksr_cfg_error *err);

/* Set one core parameter (for the parser and for tests). */
int ksr_cfg_core_param(const char *name, const char *sval, long ival, bool is_int,
		       struct ksr_pos pos, struct ksr_cfg_error *err);

#endif
