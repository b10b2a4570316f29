/* Memory for what module fixups make (fixup.h). */
#include "core/module/fixup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/pv/pv.h"
#include "core/route/program.h"

/* The program this thread is compiling; NULL outside a compile. */
static _Thread_local struct ksr_program *compiling;

/* Load-time memory: what fixups make outside a compile (mod_init, unit tests). */
static struct ksr_arena loadtime_arena;
static bool loadtime_ready;
static struct ksr_kept *loadtime_kept;

void ksr_fixup_begin(struct ksr_program *prog)
{
	compiling = prog;
}

void ksr_fixup_end(void)
{
	compiling = NULL;
}

struct ksr_program *ksr_fixup_program(void)
{
	return compiling;
}

struct ksr_arena *ksr_fixup_arena(void)
{
	if (compiling)
		return &compiling->arena;
	if (!loadtime_ready) {
		ksr_arena_init(&loadtime_arena, 4096);
		loadtime_ready = true;
	}
	return &loadtime_arena;
}

int ksr_fixup_keep(void *ptr, void (*free_fn)(void *))
{
	struct ksr_kept *k = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*k));
	struct ksr_kept **list = compiling ? &compiling->kept : &loadtime_kept;

	if (!k) {
		free_fn(ptr);
		return -ENOMEM;
	}
	k->ptr = ptr;
	k->free_fn = free_fn;
	k->next = *list;
	*list = k;
	return 0;
}

static void regex_free(void *p)
{
	regfree(p);
	free(p);
}

int ksr_fixup_regcomp(const char *text, int cflags, regex_t **ret, const char **ret_err)
{
	regex_t *re = malloc(sizeof(*re));

	if (!re)
		return -ENOMEM;
	if (regcomp(re, text, cflags) != 0) {
		free(re);
		*ret_err = "bad regular expression";
		return -EINVAL;
	}
	if (ksr_fixup_keep(re, regex_free) < 0)
		return -ENOMEM;
	*ret = re;
	return 0;
}

int ksr_fixup_pvar(struct ksr_fparam *p, bool writable, const char **ret_err)
{
	struct ksr_pv_spec *spec = NULL;
	size_t used = 0;
	int r;

	if (p->s.len == 0 || p->s.s[0] != '$') {
		*ret_err = "the parameter must be a pseudo-variable";
		return -EINVAL;
	}
	if ((r = ksr_pv_parse(p->s, ksr_fixup_arena(), &spec, &used, ret_err)) < 0)
		return r;
	if (used != p->s.len) {
		*ret_err = "the parameter must be one pseudo-variable";
		return -EINVAL;
	}
	if (writable && !ksr_pv_is_writable(spec)) {
		*ret_err = "the pseudo-variable is read-only";
		return -EINVAL;
	}
	p->ptr = spec;
	return 0;
}

int ksr_fixup_fmt(struct ksr_fparam *p, const char **ret_err)
{
	struct ksr_pv_fmt *fmt = NULL;
	int r = ksr_pv_fmt_parse(p->s, ksr_fixup_arena(), &fmt, ret_err);

	if (r < 0)
		return r;
	p->ptr = fmt;
	return 0;
}

void ksr_fixup_free_loadtime(void)
{
	if (!loadtime_ready)
		return;
	ksr_kept_free(loadtime_kept);
	loadtime_kept = NULL;
	ksr_arena_destroy(&loadtime_arena);
	loadtime_ready = false;
}
