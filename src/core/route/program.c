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

void ksr_kept_free(struct ksr_kept *list)
{
	/* the nodes live in the arena released after this */
	for (struct ksr_kept *k = list; k; k = k->next)
		k->free_fn(k->ptr);
}

void ksr_program_unref(struct ksr_program *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	ksr_kept_free(p->kept);
	ksr_arena_destroy(&p->arena);
	free(p);
}

static struct ksr_route *find(struct ksr_route *list, const char *name)
{
	for (struct ksr_route *r = list; r; r = r->next)
		if (r->name && strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

struct ksr_route *ksr_program_find_route(struct ksr_program *p, const char *name)
{
	return find(p->routes, name);
}

struct ksr_route *ksr_program_find_failure_route(struct ksr_program *p, const char *name)
{
	return find(p->failure_routes, name);
}

struct ksr_route *ksr_program_find_branch_route(struct ksr_program *p, const char *name)
{
	return find(p->branch_routes, name);
}

struct ksr_route *ksr_program_find_onreply_route(struct ksr_program *p, const char *name)
{
	return find(p->onreply_routes, name);
}

struct ksr_route *ksr_program_find_event_route(struct ksr_program *p, const char *name)
{
	return find(p->event_routes, name);
}

struct ksr_route **ksr__program_list(struct ksr_program *p, enum ksr_route_type t)
{
	switch (t) {
	case KSR_ROUTE_FAILURE: return &p->failure_routes;
	case KSR_ROUTE_BRANCH: return &p->branch_routes;
	case KSR_ROUTE_ONREPLY: return &p->onreply_routes;
	case KSR_ROUTE_EVENT: return &p->event_routes;
	default: return &p->routes;
	}
}

const char *ksr_route_type_name(enum ksr_route_type t)
{
	switch (t) {
	case KSR_ROUTE_REQUEST: return "request_route";
	case KSR_ROUTE_FAILURE: return "failure_route";
	case KSR_ROUTE_ONREPLY: return "onreply_route";
	case KSR_ROUTE_BRANCH: return "branch_route";
	case KSR_ROUTE_ONSEND: return "onsend_route";
	case KSR_ROUTE_EVENT: return "event_route";
	default: return "route";
	}
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
