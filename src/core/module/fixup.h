/*
 * Memory for what module fixups make: parsed pseudo-variables, formats, regexes.
 *
 * A fixup runs while a routing program is compiled, at start and again on every reload.
 * What it allocates here belongs to that program and is released with it, once the last
 * message running the program has ended, so reloading never grows memory and modules keep
 * no arenas or locks of their own. Called outside a compile (from mod_init, or from a unit
 * test calling a fixup directly) the same functions use load-time memory kept until exit.
 *
 * Fixups and mod_init run in one thread at a time per program; these functions are not
 * for the message path.
 */
#ifndef KSR_CORE_MODULE_FIXUP_H
#define KSR_CORE_MODULE_FIXUP_H

#include <regex.h>
#include <stdbool.h>

#include "core/mem/arena.h"
#include "core/module/module-t.h"

struct ksr_program;

/* The arena of the program being compiled, or the load-time arena. Never NULL. */
struct ksr_arena *ksr_fixup_arena(void);
/*
 * Have free_fn(ptr) called when the memory of ksr_fixup_arena() goes: for what lives
 * outside the arena. On failure free_fn(ptr) is called at once and -ENOMEM returned.
 */
int ksr_fixup_keep(void *ptr, void (*free_fn)(void *));
/* regcomp() a constant pattern kept like the rest; *ret_err names a bad one. */
int ksr_fixup_regcomp(const char *text, int cflags, regex_t **ret, const char **ret_err);

/*
 * The parameter is exactly one pseudo-variable ("$var(x)", "$hdr(From)"): parse it into
 * p->ptr (a struct ksr_pv_spec *). writable refuses one the script cannot assign.
 */
int ksr_fixup_pvar(struct ksr_fparam *p, bool writable, const char **ret_err);
/* The parameter is a format ("id-$ci"): parse it into p->ptr (a struct ksr_pv_fmt *). */
int ksr_fixup_fmt(struct ksr_fparam *p, const char **ret_err);

/*
 * The program being compiled (its route blocks are all known by the time fixups run),
 * or NULL outside a compile: for a fixup that checks a route name.
 */
struct ksr_program *ksr_fixup_program(void);

/* Core: compile.c brackets a program's fixups with these (calling thread only). */
void ksr_fixup_begin(struct ksr_program *prog);
void ksr_fixup_end(void);
/* Core: release the load-time memory, at exit. */
void ksr_fixup_free_loadtime(void);

#endif
