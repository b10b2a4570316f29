/* Reference-counted routing programs and the one that is running. */
#include "core/route/program.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct ksr_program *current;
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;

struct ksr_program *ksr_program_new(void)
{
	struct ksr_program *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	atomic_init(&p->refs, 1);
	ksr_arena_init(&p->arena, 8192);
	return p;
}

void ksr_program_ref(struct ksr_program *p)
{
	atomic_fetch_add(&p->refs, 1);
}

void ksr_program_unref(struct ksr_program *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (size_t i = 0; i < p->nregexes; i++) {
		regfree(p->regexes[i]);
		free(p->regexes[i]);
	}
	free(p->regexes);
	ksr_arena_destroy(&p->arena);
	free(p);
}

struct ksr_route *ksr_program_find_route(struct ksr_program *p, const char *name)
{
	for (struct ksr_route *r = p->routes; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

void ksr_program_install(struct ksr_program *p)
{
	struct ksr_program *old;

	if (p)
		ksr_program_ref(p);
	pthread_mutex_lock(&current_lock);
	old = current;
	current = p;
	pthread_mutex_unlock(&current_lock);
	ksr_program_unref(old);
}

struct ksr_program *ksr_program_acquire(void)
{
	struct ksr_program *p;

	pthread_mutex_lock(&current_lock);
	p = current;
	if (p)
		ksr_program_ref(p);
	pthread_mutex_unlock(&current_lock);
	return p;
}
