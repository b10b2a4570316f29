/* The thread table: what each thread registered, joined with /proc/self/task. */
#include "core/threads.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
	pid_t tid;
	int rank;
	char *desc;
	struct entry *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void entry_remove(void *p)
{
	pthread_mutex_lock(&lock);
	for (struct entry **pe = &entries; *pe; pe = &(*pe)->next) {
		if (*pe == p) {
			*pe = (*pe)->next;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (p)
		free(((struct entry *)p)->desc);
	free(p);
}

static void make_key(void)
{
	pthread_key_create(&key, entry_remove);
}

int ksr_thread_register(int rank, const char *name, const char *fmt, ...)
{
	struct entry *e = calloc(1, sizeof(*e));
	va_list ap;
	int n;

	if (!e)
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&e->desc, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(e);
		return -ENOMEM;
	}
	e->tid = gettid();
	e->rank = rank;
	pthread_once(&key_once, make_key);
	/* registering again replaces the thread's entry */
	entry_remove(pthread_getspecific(key));
	pthread_setspecific(key, e);
	pthread_mutex_lock(&lock);
	e->next = entries;
	entries = e;
	pthread_mutex_unlock(&lock);
	if (name) {
		char comm[16];

		snprintf(comm, sizeof(comm), "%s", name);
		pthread_setname_np(pthread_self(), comm);
	}
	return 0;
}

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* The thread ids of the process, sorted; a malloc'ed array. */
static int list_tids(pid_t **ret, size_t *ret_n)
{
	DIR *d = opendir("/proc/self/task");
	size_t n = 0, cap = 0;
	pid_t *v = NULL;
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		if (n == cap) {
			pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (pid_t)tid;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_tid);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The kernel's name of a thread that did not register. */
static void comm_of(pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(buf, size, "thread");
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int ksr_threads_foreach(void (*fn)(const struct ksr_thread_info *t, void *arg), void *arg)
{
	struct ksr_thread_info t;
	char comm[32];
	size_t n;
	pid_t *tids;
	int r = list_tids(&tids, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct entry *e;

		t = (struct ksr_thread_info){.idx = (int)i, .tid = tids[i], .rank = -1};
		/* the lock stays held while fn runs: an entry's text lives as long as its thread */
		pthread_mutex_lock(&lock);
		for (e = entries; e && e->tid != tids[i]; e = e->next)
			;
		if (e) {
			t.rank = e->rank;
			t.desc = e->desc;
		} else {
			comm_of(tids[i], comm, sizeof(comm));
			t.desc = comm;
		}
		fn(&t, arg);
		pthread_mutex_unlock(&lock);
	}
	free(tids);
	return (int)n;
}

void ksr_thread_unregister(void)
{
	pthread_once(&key_once, make_key);
	entry_remove(pthread_getspecific(key));
	pthread_setspecific(key, NULL);
}
