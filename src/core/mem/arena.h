/* Per-worker arena: per-message allocations freed all at once by a reset. */
#ifndef KSR_CORE_MEM_ARENA_H
#define KSR_CORE_MEM_ARENA_H

#include <stddef.h>

struct ksr_arena_chunk;

struct ksr_arena {
	struct ksr_arena_chunk *chunks; /* newest first; the oldest is kept on reset */
	size_t chunk_size;
};

void ksr_arena_init(struct ksr_arena *a, size_t chunk_size);
/* Zeroed memory aligned for any type, or NULL when out of memory. */
void *ksr_arena_alloc(struct ksr_arena *a, size_t size);
/* Forget every allocation; keeps one chunk for the next message. */
void ksr_arena_reset(struct ksr_arena *a);
void ksr_arena_destroy(struct ksr_arena *a);

#endif
