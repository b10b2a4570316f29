/*
 * The config preprocessor: #!define and friends, conditional blocks, include_file, #!subst.
 * Its output is a new text for the lexer plus a map from the lines of that text back to
 * the file and line each came from.
 */
#ifndef KSR_CORE_CFG_PP_H
#define KSR_CORE_CFG_PP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg/error.h"
#include "core/str.h"

/* include_file may nest this deep below the main file, as upstream */
#define KSR_PP_MAX_INCLUDE_DEPTH 10

struct ksr_pp;

struct ksr_pp *ksr_pp_new(void);
void ksr_pp_free(struct ksr_pp *pp);

/* "NAME" or "NAME=VALUE" as given to -A. 0 or -EINVAL/-ENOMEM. */
int ksr_pp_define_arg(struct ksr_pp *pp, const char *arg);
/* Define (or replace) name; a name is a letter or '_', then letters, digits, '_'. */
int ksr_pp_define(struct ksr_pp *pp, const char *name, size_t name_len, const char *value,
                  size_t value_len);
/*
 * The predefined names, as upstream: KAMAILIO_X, KAMAILIO_X_Y, KAMAILIO_X_Y_Z for version
 * "X.Y.Z", KAMAILIO_VERSION (X*1000000 + Y*1000 + Z), OS_NAME (os) and OS_<os>.
 * MOD_<name> is defined by the preprocessor itself at each loadmodule line it passes.
 */
int ksr_pp_define_core(struct ksr_pp *pp, const char *version, const char *os);
/* The value of a defined name ("" when defined without one), or NULL. */
const struct ksr_str *ksr_pp_lookup(const struct ksr_pp *pp, const char *name, size_t len);
/*
 * Keep a copy of pp's defines as they are now (the startup config does it once it is
 * preprocessed) for $def() and the RPC commands; look one up (NULL: not defined); forget
 * them (at exit). 0 or -ENOMEM.
 */
int ksr_pp_keep_defines(const struct ksr_pp *pp);
const struct ksr_str *ksr_pp_kept_define(const char *name, size_t len);
void ksr_pp_forget_defines(void);
/* Each kept define, in the order the preprocessor holds them (core.ppdefines). */
void ksr_pp_kept_foreach(void (*fn)(struct ksr_str name, struct ksr_str value, void *arg),
			 void *arg);

/* Also build the text --cfg-print shows (ksr_pp_print_text); call before running. */
void ksr_pp_keep_print(struct ksr_pp *pp, bool on);

/*
 * Preprocess text, the contents of file. On success the output is ksr_pp_text(): every
 * line of every file in order, included files spliced in before the line that includes
 * them, directive lines and lines of false blocks turned into blanks (CR kept), so that
 * columns stay those of the files. Defines persist from run to run; the output, the line
 * map and the #!subst rules are those of the last run. 0, or -EINVAL with err filled
 * (file and line of the file the error is in), or -ENOMEM.
 */
int ksr_pp_process(struct ksr_pp *pp, const char *file, const char *text, size_t len,
                   struct ksr_cfg_error *err);
/* Read file, then as ksr_pp_process. */
int ksr_pp_load(struct ksr_pp *pp, const char *file, struct ksr_cfg_error *err);
/* The output of the last successful run (NUL-terminated, valid until the next run), or NULL. */
const char *ksr_pp_text(const struct ksr_pp *pp, size_t *ret_len);
/*
 * Where line out_line (1-based) of ksr_pp_text() comes from; columns are unchanged. Lines
 * past the end continue the last file's numbering (the lexer's end-of-file position).
 * 0, or -ENOENT when nothing was preprocessed. File names stay valid for the life of the
 * process (program positions point at them).
 */
int ksr_pp_map_pos(const struct ksr_pp *pp, int out_line, const char **ret_file, int *ret_line);
/*
 * Apply the #!subst/#!substdef rules that come before output line out_line to the value of
 * a string token (after unescaping), as upstream does for every string. 0 when no rule
 * changed it, 1 with *ret_s a new malloc'ed NUL-terminated string, or -ENOMEM.
 */
int ksr_pp_subst(const struct ksr_pp *pp, int out_line, const char *s, size_t len, char **ret_s,
                 size_t *ret_len);
/*
 * The config as --cfg-print shows it, as upstream: lines as written, with included files
 * spliced in, lines of false blocks and the #!ifdef/#!ifndef/#!ifexp/#!else/#!endif lines
 * left out, defines not substituted. NULL unless ksr_pp_keep_print was on.
 */
const char *ksr_pp_print_text(const struct ksr_pp *pp, size_t *ret_len);

#endif
