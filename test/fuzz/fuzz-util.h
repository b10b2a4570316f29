/* Helpers shared by the fuzz targets: exact-size input copies and checks that abort. */
#ifndef KSR_TEST_FUZZ_UTIL_H
#define KSR_TEST_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed property aborts, which libFuzzer reports as a crash with the input. */
#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

/*
 * The input in a heap block of exactly its size, with no terminator, so that ASan
 * reports a read one byte past it (libFuzzer's own buffer gives no such promise).
 */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (p && size)
		memcpy(p, data, size);
	return p;
}

/* A parser result must point inside what was parsed (or be empty). */
static inline bool fuzz_inside(struct ksr_str s, const char *buf, size_t len)
{
	return s.len == 0 || (s.s >= buf && s.s <= buf + len && s.len <= (size_t)(buf + len - s.s));
}

#define FUZZ_CHECK_IN(s, buf, len) FUZZ_CHECK(fuzz_inside((s), (buf), (len)))

#endif
