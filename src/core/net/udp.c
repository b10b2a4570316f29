/*
 * UDP workers: `children` threads per listener, each running the whole message path, and
 * sending from the listeners (ksr_udp_send).
 */
#include "core/net/udp.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/threads.h"
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

/*
 * Batching: under load a worker takes up to RECV_BATCH datagrams with one recvmmsg() and
 * sends what handling them produced with sendmmsg() once the batch is done, so the kernel
 * is entered twice per batch instead of twice per message; at low load a batch is one
 * datagram and nothing waits. Only a UDP worker's own sends are deferred, and only
 * until the end of the batch it is handling.
 */
#define RECV_BATCH 8
#define SEND_BATCH 32
#define SEND_BUF (64 * 1024)

struct send_batch {
	int fd;
	unsigned int n;
	size_t used;
	struct mmsghdr mm[SEND_BATCH];
	struct iovec iov[SEND_BATCH];
	struct sockaddr_storage to[SEND_BATCH];
	char buf[SEND_BUF];
};

/* The calling thread's batch while it handles received datagrams, else NULL. */
static __thread struct send_batch *batch;

static void batch_flush(struct send_batch *b)
{
	unsigned int done = 0;
	char dst[80];

	while (done < b->n) {
		int r = sendmmsg(b->fd, b->mm + done, b->n - done, 0);

		if (r > 0) {
			done += (unsigned int)r;
		} else if (r < 0 && errno != EINTR) {
			/* this one fails: log it and go on with the rest */
			LM_ERR("sending to %s failed: %s\n",
			       ksr_sockaddr_str((struct sockaddr *)&b->to[done], dst, sizeof(dst)),
			       strerror(errno));
			done++;
		}
	}
	b->n = 0;
	b->used = 0;
}

void ksr_udp_flush(void)
{
	if (batch && batch->n)
		batch_flush(batch);
}

int ksr_udp_send(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		 const char *buf, size_t len)
{
	struct send_batch *b = batch;
	ssize_t n;

	if (b && len <= SEND_BUF && to_len <= sizeof(b->to[0])) {
		if (b->n && (b->n == SEND_BATCH || b->fd != l->fd || b->used + len > SEND_BUF))
			batch_flush(b);
		b->fd = l->fd;
		memcpy(b->buf + b->used, buf, len);
		memcpy(&b->to[b->n], to, to_len);
		b->iov[b->n] = (struct iovec){.iov_base = b->buf + b->used, .iov_len = len};
		b->mm[b->n] = (struct mmsghdr){.msg_hdr = {.msg_name = &b->to[b->n],
							   .msg_namelen = to_len,
							   .msg_iov = &b->iov[b->n],
							   .msg_iovlen = 1}};
		b->used += len;
		b->n++;
		return 0;
	}
	do {
		n = sendto(l->fd, buf, len, 0, to, to_len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ksr_rcv_info rcv = {.listener = w->listener, .proto = IPPROTO_UDP};
	struct ksr_arena arena;
	/* one byte more than the limit per datagram, to tell an oversized one from a full one */
	const size_t slot = KSR_MSG_MAX_SIZE + 2;
	char *bufs = malloc(RECV_BATCH * slot);
	struct send_batch *sb = malloc(sizeof(*sb));
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage src[RECV_BATCH];

	if (!bufs || !sb) {
		LM_CRIT("worker %d: out of memory\n", w->rank);
		free(bufs);
		free(sb);
		return NULL;
	}
	sb->n = 0;
	sb->used = 0;
	ksr_arena_init(&arena, 32768);
	ksr_thread_register(w->rank, "udp", "udp receiver rank=%d sock=udp:%s:%u", w->rank,
			    w->listener->host, w->listener->port);
	if (ksr_modules_child_init(w->rank) < 0)
		LM_CRIT("worker %d: module child_init failed, serving anyway\n", w->rank);
	while (!atomic_load(&stopping)) {
		int got;

		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = bufs + (size_t)i * slot,
						.iov_len = KSR_MSG_MAX_SIZE + 1};
			mm[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &src[i],
							     .msg_namelen = sizeof(src[i]),
							     .msg_iov = &iov[i],
							     .msg_iovlen = 1}};
		}
		got = recvmmsg(w->listener->fd, mm, RECV_BATCH, MSG_WAITFORONE, NULL);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			if (!atomic_load(&stopping))
				LM_ERR("worker %d: recvmmsg: %s\n", w->rank, strerror(errno));
			break;
		}
		if (atomic_load(&stopping))
			break;
		batch = sb;
		for (int i = 0; i < got; i++) {
			char *buf = iov[i].iov_base;
			size_t n = mm[i].msg_len;

			if (n == 0)
				continue; /* an empty datagram */
			if (n > KSR_MSG_MAX_SIZE) {
				LM_WARN("datagram over %d bytes dropped\n", KSR_MSG_MAX_SIZE);
				continue;
			}
			buf[n] = '\0';
			/* CRLF keep-alives (RFC 5626 3.5.1) are not messages */
			if (n <= 4 && strspn(buf, "\r\n") >= n)
				continue;
			memcpy(&rcv.src, &src[i], mm[i].msg_hdr.msg_namelen);
			rcv.src_len = mm[i].msg_hdr.msg_namelen;
			ksr_receive(buf, n, &rcv, &arena);
			ksr_arena_reset(&arena);
		}
		batch = NULL;
		if (sb->n)
			batch_flush(sb);
	}
	ksr_arena_destroy(&arena);
	free(bufs);
	free(sb);
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
