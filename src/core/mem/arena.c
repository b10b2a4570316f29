/* Bump allocator over a list of chunks; see arena.h. */
#include "core/mem/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ksr_arena_init(struct ksr_arena *a, size_t chunk_size)
{
	a->chunks = NULL;
	a->chunk_size = chunk_size ? chunk_size : 16384;
}

static struct ksr_arena_chunk *chunk_new(size_t size)
{
	struct ksr_arena_chunk *c = malloc(sizeof(*c) + size);

	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *ksr__arena_alloc_slow(struct ksr_arena *a, size_t need)
{
	struct ksr_arena_chunk *c = chunk_new(need > a->chunk_size ? need : a->chunk_size);

	if (!c)
		return NULL;
	c->next = a->chunks;
	a->chunks = c;
	c->used = need;
	return c->data;
}

void *ksr_arena_alloc(struct ksr_arena *a, size_t size)
{
	void *p = ksr_arena_alloc_nz(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void ksr_arena_reset(struct ksr_arena *a)
{
	struct ksr_arena_chunk *c = a->chunks, *next;

	if (!c)
		return;
	/* keep the last (oldest, normally full-sized) chunk, free the rest */
	while (c->next) {
		next = c->next;
		free(c);
		c = next;
	}
	c->used = 0;
	a->chunks = c;
}

void ksr_arena_destroy(struct ksr_arena *a)
{
	struct ksr_arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
}
