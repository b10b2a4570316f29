/*
 * cfgutils: the lock set behind lock()/trylock()/unlock(). A key picks one of 2^N locks
 * by its case-insensitive hash, so every worker locking "$rU" for one user serialises.
 * Upstream's locks are not owned: a script may take a lock in one route and release it
 * in another, from any worker. Each lock is therefore a flag guarded by a mutex, with a
 * condition to wait on, rather than a mutex the locking thread would have to release.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "cfgutils.h"

#define MAX_LOCK_EXP 14

struct cfg_lock {
	pthread_mutex_t m;
	pthread_cond_t free;
	bool held;
};

static struct cfg_lock *locks;
static unsigned int nlocks;

int cfgutils_locks_init(int exp)
{
	if (exp <= 0)
		return 0;
	if (exp > MAX_LOCK_EXP) {
		LM_WARN("lock_set_size %d is too large, using %d\n", exp, MAX_LOCK_EXP);
		exp = MAX_LOCK_EXP;
	}
	nlocks = 1u << exp;
	locks = calloc(nlocks, sizeof(*locks));
	if (!locks) {
		nlocks = 0;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < nlocks; i++) {
		pthread_mutex_init(&locks[i].m, NULL);
		pthread_cond_init(&locks[i].free, NULL);
	}
	return 0;
}

void cfgutils_locks_destroy(void)
{
	for (unsigned int i = 0; i < nlocks; i++) {
		pthread_mutex_destroy(&locks[i].m);
		pthread_cond_destroy(&locks[i].free);
	}
	free(locks);
	locks = NULL;
	nlocks = 0;
}

static struct cfg_lock *lock_of(struct ksr_str key)
{
	if (!locks)
		return NULL;
	return &locks[cfgutils_core_hash(key, NULL, nlocks, true)];
}

int cfgutils_lock(struct ksr_str key)
{
	struct cfg_lock *l = lock_of(key);

	if (!l)
		return -ENOLCK;
	pthread_mutex_lock(&l->m);
	while (l->held)
		pthread_cond_wait(&l->free, &l->m);
	l->held = true;
	pthread_mutex_unlock(&l->m);
	return 0;
}

int cfgutils_trylock(struct ksr_str key)
{
	struct cfg_lock *l = lock_of(key);
	int r = 0;

	if (!l)
		return -ENOLCK;
	pthread_mutex_lock(&l->m);
	if (l->held)
		r = -EBUSY;
	else
		l->held = true;
	pthread_mutex_unlock(&l->m);
	return r;
}

int cfgutils_unlock(struct ksr_str key)
{
	struct cfg_lock *l = lock_of(key);

	if (!l)
		return -ENOLCK;
	pthread_mutex_lock(&l->m);
	l->held = false;
	pthread_cond_signal(&l->free);
	pthread_mutex_unlock(&l->m);
	return 0;
}
