/* UDP workers: `children` threads per listener, each running the whole message path. */
#include "core/net/udp.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/parser/limits.h"
#include "core/receive.h"

struct worker {
	pthread_t thread;
	struct ksr_listener *listener;
	int rank;
	bool started;
};

static struct worker *workers;
static int nworkers;
static atomic_bool stopping;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ksr_rcv_info rcv = {.listener = w->listener, .proto = IPPROTO_UDP};
	struct ksr_arena arena;
	/* one byte more than the limit, to tell an oversized datagram from a full one */
	char *buf = malloc(KSR_MSG_MAX_SIZE + 2);

	if (!buf) {
		LM_CRIT("worker %d: out of memory\n", w->rank);
		return NULL;
	}
	ksr_arena_init(&arena, 32768);
	if (ksr_modules_child_init(w->rank) < 0)
		LM_CRIT("worker %d: module child_init failed, serving anyway\n", w->rank);
	while (!atomic_load(&stopping)) {
		ssize_t n;

		rcv.src_len = sizeof(rcv.src);
		n = recvfrom(w->listener->fd, buf, KSR_MSG_MAX_SIZE + 1, 0,
			     (struct sockaddr *)&rcv.src, &rcv.src_len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			if (!atomic_load(&stopping))
				LM_ERR("worker %d: recvfrom: %s\n", w->rank, strerror(errno));
			break;
		}
		if (n == 0) {
			if (atomic_load(&stopping))
				break;
			continue; /* an empty datagram */
		}
		if (n > KSR_MSG_MAX_SIZE) {
			LM_WARN("datagram over %d bytes dropped\n", KSR_MSG_MAX_SIZE);
			continue;
		}
		buf[n] = '\0';
		/* CRLF keep-alives (RFC 5626 3.5.1) are not messages */
		if (n <= 4 && strspn(buf, "\r\n") >= (size_t)n)
			continue;
		ksr_receive(buf, (size_t)n, &rcv, &arena);
		ksr_arena_reset(&arena);
	}
	ksr_arena_destroy(&arena);
	free(buf);
	return NULL;
}

int ksr_udp_start(int children)
{
	sigset_t all, old;
	int n = 0, rank = 1, r = 0;

	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next)
		if (l->proto == IPPROTO_UDP)
			n += children;
	if (!n)
		return 0;
	workers = calloc((size_t)n, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	/* workers never take signals: the main thread waits for them */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next) {
		if (l->proto != IPPROTO_UDP)
			continue;
		for (int i = 0; i < children; i++, nworkers++) {
			struct worker *w = &workers[nworkers];

			w->listener = l;
			w->rank = rank++;
			r = -pthread_create(&w->thread, NULL, worker_main, w);
			if (r < 0) {
				LM_CRIT("cannot start worker %d: %s\n", w->rank, strerror(-r));
				goto out;
			}
			w->started = true;
		}
	}
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r < 0 ? r : nworkers;
}

void ksr_udp_stop(void)
{
	atomic_store(&stopping, true);
	ksr_listeners_shutdown();
	for (int i = 0; i < nworkers; i++)
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
	free(workers);
	workers = NULL;
	nworkers = 0;
}
