/* cfgutils: what its files share (and what the RPC commands will use). */
#ifndef KSR_MODULES_CFGUTILS_CFGUTILS_H
#define KSR_MODULES_CFGUTILS_CFGUTILS_H

#include <stdbool.h>

#include "core/str.h"

/* --- named locks (cfgutils_lock.c) --- */

/* 2^exp locks (modparam lock_set_size; 0: none, above 14: 14). 0 or -errno. */
int cfgutils_locks_init(int exp);
void cfgutils_locks_destroy(void);
/*
 * The lock a key hashes to (case-insensitive), shared by every worker. Any thread may
 * unlock; unlocking a free lock does nothing. -ENOLCK without a lock set, -EBUSY when
 * trylock finds the lock taken.
 */
int cfgutils_lock(struct ksr_str key);
int cfgutils_trylock(struct ksr_str key);
int cfgutils_unlock(struct ksr_str key);

/* --- hashes (cfgutils_hash.c) --- */

/*
 * Upstream's core_hash(): the same value for the same input on any Kamailio, so
 * distributions computed with it agree. size is a power of two (0: the whole hash).
 */
unsigned int cfgutils_core_hash(struct ksr_str s1, const struct ksr_str *s2, unsigned int size,
                                bool nocase);
/* The MD5 of a file as 32 lowercase hex digits and a NUL. 0 or -errno. */
int cfgutils_md5_file(const char *path, char ret_hex[33]);

/* --- config hash (modparam hash_file), for cfgutils.get/check_config_hash --- */

/* The hash taken at startup, or NULL when hash_file is not set. */
const char *cfgutils_config_hash(void);
/* 1 when the file still has that hash, 0 when it changed, -errno (-ENOENT: no hash_file). */
int cfgutils_config_hash_check(void);

#endif
