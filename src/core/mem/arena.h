/* Per-worker arena: per-message allocations freed all at once by a reset. */
#ifndef KSR_CORE_MEM_ARENA_H
#define KSR_CORE_MEM_ARENA_H

#include <stddef.h>

#include <stdalign.h>
#include <stddef.h>

struct ksr_arena_chunk {
	struct ksr_arena_chunk *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct ksr_arena {
	struct ksr_arena_chunk *chunks; /* newest first; the oldest is kept on reset */
	size_t chunk_size;
};

void ksr_arena_init(struct ksr_arena *a, size_t chunk_size);
/* Zeroed memory aligned for any type, or NULL when out of memory. */
void *ksr_arena_alloc(struct ksr_arena *a, size_t size);
/* A new chunk for an allocation of need bytes (the slow path of the inline below). */
void *ksr__arena_alloc_slow(struct ksr_arena *a, size_t need);

/*
 * As ksr_arena_alloc, without zeroing: for records the caller fills whole. Inline,
 * because the parser takes one per header of every message.
 */
static inline void *ksr_arena_alloc_nz(struct ksr_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct ksr_arena_chunk *c = a->chunks;
	size_t need = (size + align - 1) & ~(align - 1);
	void *p;

	if (size == 0 || need < size)
		need = align;
	if (!c || c->size - c->used < need)
		return ksr__arena_alloc_slow(a, need);
	p = c->data + c->used;
	c->used += need;
	return p;
}
/* Forget every allocation; keeps one chunk for the next message. */
void ksr_arena_reset(struct ksr_arena *a);
void ksr_arena_destroy(struct ksr_arena *a);

#endif
