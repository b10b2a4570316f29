/*
 * The daemon's threads, for core.ps and core.psx: each thread says what it is when it
 * starts (upstream lists processes; our workers are threads of one process).
 */
#ifndef KSR_CORE_THREADS_H
#define KSR_CORE_THREADS_H

#include <sys/types.h>

/*
 * The calling thread is rank (0 the main thread, a worker's rank, -1 others), described
 * by desc ("udp receiver child=0 sock=127.0.0.1:5060"); its kernel name becomes name
 * (15 bytes at most, for ps/top: "udp 1"). The entry goes when the thread ends. 0 or
 * -ENOMEM.
 */
int ksr_thread_register(int rank, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A thread as listed: registered (desc from it) or not (its kernel name). */
struct ksr_thread_info {
	int idx; /* 0, 1, ... in the list */
	pid_t tid;
	int rank; /* -1 for a thread that did not register */
	const char *desc;
};

/*
 * Every thread of the process, by thread id (the main thread first), from
 * /proc/self/task. How many, or -errno.
 */
int ksr_threads_foreach(void (*fn)(const struct ksr_thread_info *t, void *arg), void *arg);

/* The calling thread's entry goes now (the main thread's, at exit). */
void ksr_thread_unregister(void);

#endif
