/* Loading kamailio.cfg: preprocess, parse, apply core parameters and modparams, compile. */
#ifndef KSR_CORE_CFG_CFG_H
#define KSR_CORE_CFG_CFG_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/cfg/error.h"
#include "core/cfg/pp.h"
#include "core/route/program-t.h"

struct ksr_pv_fmt;

/* Core parameters the config set; the command line may override some afterwards. */
struct ksr_core_cfg {
	int debug;
	bool debug_set;
	bool log_stderror;
	bool log_stderror_set;
	int children;
	bool children_set;
	int tcp_children; /* 0: as many as children */
	int maxbuffer; /* `maxbuffer`: UDP receive buffer asked of the kernel, bytes */
	int server_id; /* `server_id`: this instance's number (Via srvid) */
	bool disable_tcp; /* `disable_tcp`: TCP listeners are dropped before binding */
	const char *log_name; /* syslog ident; NULL: "kamailio" */
	int log_facility; /* LOG_DAEMON unless `log_facility` says otherwise */
	const char *log_prefix; /* NULL when not set */
	struct ksr_pv_fmt *log_prefix_fmt; /* log_prefix with pseudo-variables in it, or NULL */
	/* `user`/`group`: the ids to switch to once the sockets are bound */
	bool user_set, group_set;
	uid_t uid;
	gid_t gid; /* with user alone: that user's primary group */
	const char *user; /* the name, for initgroups() */
	const char *workdir; /* `workdir`: the daemon's current directory; NULL: "/" */
	const char *rundir; /* `rundir`, kept for modules that keep runtime files */
	const char *user_agent_header; /* for locally generated requests, once there are */
};

extern struct ksr_core_cfg ksr_core_cfg;

/* Parse a config held in memory (text is modified by the preprocessor). */
int ksr_cfg_parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
		       struct ksr_program **ret_prog, struct ksr_cfg_error *err);
/* Read file, then as ksr_cfg_parse_text. */
int ksr_cfg_load(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		 struct ksr_cfg_error *err);
/*
 * Reload: parse the config again and compile its route blocks against the modules
 * already loaded. Nothing outside the route blocks is applied: loadmodule, modparam, core
 * parameters and config variables must be exactly those of the running config (the last
 * one loaded with ksr_cfg_load or ksr_cfg_parse_text), or the reload is refused with the
 * first difference. The caller installs the new program (ksr_program_install).
 */
int ksr_cfg_reload(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		   struct ksr_cfg_error *err);
int ksr_cfg_reparse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
			 struct ksr_program **ret_prog, struct ksr_cfg_error *err);
/* Forget the running config's top-level items (tests, shutdown). */
void ksr_cfg_forget_running(void);

/* Resolve calls against the loaded modules, run fixups, resolve routes. */
int ksr_cfg_compile(struct ksr_program *prog, struct ksr_cfg_error *err);

/* A core parameter's value as written. */
enum ksr_cfg_val_type {
	KSR_CFG_VAL_INT, /* a number (with its sign) */
	KSR_CFG_VAL_STR, /* a quoted string */
	KSR_CFG_VAL_ID, /* a bare word: yes, no, LOG_LOCAL0, a user name */
	KSR_CFG_VAL_RAW, /* the rest of the line, for listen and alias */
};

struct ksr_cfg_val {
	enum ksr_cfg_val_type type;
	long i;
	const char *s; /* STR, ID, RAW */
	struct ksr_pos pos;
};

/*
 * Whether core parameter name takes the rest of the line as its value (listen, alias,
 * advertised_address). 0, or -ENOENT when there is no such core parameter.
 */
int ksr_cfg_core_param_takes_raw(const char *name, bool *ret_raw);
/* yes/no and their synonyms (true/false, on/off, enable/disable), as upstream reads them:
 * 1, 0, or -1 for another word. */
int ksr_cfg_bool_word(const char *s);
/* Set one core parameter (for the parser and for tests); pos is the name's position. */
int ksr_cfg_core_param(const char *name, const struct ksr_cfg_val *val, struct ksr_pos pos,
		       struct ksr_cfg_error *err);
/* After the whole file: what needs the modules loaded (log_prefix's pseudo-variables). */
int ksr_cfg_core_finish(struct ksr_cfg_error *err);
/*
 * Core parameters accepted but not acted on yet are listed here as they are set; this
 * logs each once (file, line, what is missing). The daemon calls it at start.
 */
void ksr_cfg_core_log_ignored(void);
/* Whether the config set name without it having an effect (tests). */
bool ksr_cfg_core_param_ignored(const char *name);
/* Back to the defaults; frees what the parameters kept (tests, clean shutdown). */
void ksr_cfg_core_reset(void);

#endif
