/*
 * TCP: `tcp_children` worker threads, each with its own epoll. Every worker watches the
 * listening sockets (EPOLLEXCLUSIVE: one wakes per connection) and owns the connections
 * it accepts: it reads them, frames messages by Content-Length, runs them, and writes
 * replies on them, so a connection is never touched by two threads.
 */
#include "core/net/tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"
#include "core/receive.h"

int ksr_tcp_connection_lifetime = 120; /* seconds a connection may stay idle */
int ksr_tcp_max_connections = 2048;
#define TCP_SEND_TIMEOUT_MS 2000
#define TCP_READ_CHUNK 4096

struct ksr_conn {
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct ksr_listener *listener;
	char *buf; /* bytes read and not yet framed */
	size_t len, cap;
	time_t last; /* last activity, for the idle lifetime */
	struct ksr_conn *next;
};

struct tcp_worker {
	pthread_t thread;
	int epfd, evfd;
	int rank;
	bool started;
	struct ksr_conn *conns;
};

static struct tcp_worker *workers;
static int nworkers;
static atomic_int nconns;

static void conn_close(struct tcp_worker *w, struct ksr_conn *c)
{
	struct ksr_conn **pc;

	for (pc = &w->conns; *pc; pc = &(*pc)->next) {
		if (*pc == c) {
			*pc = c->next;
			break;
		}
	}
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	free(c);
	atomic_fetch_sub(&nconns, 1);
}

int ksr_tcp_send(struct ksr_conn *c, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* the peer reads slowly: wait for room, for a bounded time */
			struct pollfd p = {.fd = c->fd, .events = POLLOUT};

			if (poll(&p, 1, TCP_SEND_TIMEOUT_MS) == 1)
				continue;
			return -ETIMEDOUT;
		}
		return n < 0 ? -errno : -EPIPE;
	}
	c->last = time(NULL);
	return 0;
}

static void accept_all(struct tcp_worker *w, struct ksr_listener *l)
{
	for (;;) {
		struct ksr_conn *c;
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		struct epoll_event ev = {.events = EPOLLIN};
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN: another worker took it, or none is left */
		if (atomic_fetch_add(&nconns, 1) >= ksr_tcp_max_connections) {
			atomic_fetch_sub(&nconns, 1);
			LM_WARN("tcp_max_connections (%d) reached: connection refused\n",
				ksr_tcp_max_connections);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			atomic_fetch_sub(&nconns, 1);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->peer = peer;
		c->peer_len = plen;
		c->listener = l;
		c->last = time(NULL);
		ev.data.ptr = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			atomic_fetch_sub(&nconns, 1);
			continue;
		}
		c->next = w->conns;
		w->conns = c;
	}
}

/*
 * Frame and run the messages in c's buffer. Returns false when the connection must be
 * closed: the peer sent what cannot be framed.
 */
static bool process(struct ksr_conn *c, struct ksr_arena *arena)
{
	struct ksr_rcv_info rcv = {.listener = c->listener, .proto = IPPROTO_TCP, .conn = c};
	size_t off = 0;
	bool ok = true;

	rcv.src = c->peer;
	rcv.src_len = c->peer_len;
	while (off < c->len) {
		char *p = c->buf + off;
		size_t left = c->len - off, used;
		struct ksr_msg msg;
		const char *why = NULL;
		char *copy;
		int r;

		/* RFC 5626 3.5.1: a double CRLF is a ping, answered with one CRLF (a pong) */
		if (left >= 4 && !memcmp(p, "\r\n\r\n", 4)) {
			ksr_tcp_send(c, "\r\n", 2);
			off += 4;
			continue;
		}
		if (left >= 2 && !memcmp(p, "\r\n", 2)) {
			off += 2; /* a pong, or a stray line end between messages */
			continue;
		}
		if (left < 4 && strspn(p, "\r\n") == left && memchr(p, '\r', left))
			break; /* the rest of a ping may follow */
		used = 0;
		r = ksr_msg_parse_stream(&msg, p, left, arena, &used, &why);
		ksr_arena_reset(arena);
		if (r == -EAGAIN)
			break;
		if (r < 0 && r != -EPROTONOSUPPORT && !used) {
			char src[80];

			/* framing is lost: the receive path answers 400 where it can, then close */
			LM_WARN("bad message on tcp from %s: %s, closing the connection\n",
				ksr_sockaddr_str((struct sockaddr *)&c->peer, src, sizeof(src)), why);
			used = left;
			ok = false;
		}
		/* the message alone, NUL-terminated, through the path every message takes */
		copy = ksr_arena_alloc_nz(arena, used + 1);
		if (!copy)
			return false;
		memcpy(copy, p, used);
		ksr_receive(copy, used, &rcv, arena);
		ksr_arena_reset(arena);
		off += used;
		if (!ok)
			return false;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return true;
}

/* Read what c has; false when it must be closed (closed by the peer, error, too big). */
static bool read_conn(struct ksr_conn *c, struct ksr_arena *arena)
{
	for (;;) {
		ssize_t n;

		if (c->cap - c->len < TCP_READ_CHUNK) {
			size_t cap = c->cap ? c->cap * 2 : 2 * TCP_READ_CHUNK;
			char *nb;

			/* a message never exceeds the limit: more unframed bytes is an attack */
			if (cap > 2 * (size_t)KSR_MSG_MAX_SIZE) {
				LM_WARN("tcp message over %d bytes: closing the connection\n",
					KSR_MSG_MAX_SIZE);
				return false;
			}
			nb = realloc(c->buf, cap + 1);
			if (!nb)
				return false;
			c->buf = nb;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			c->last = time(NULL);
			if (!process(c, arena))
				return false;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		return false; /* 0: closed by the peer */
	}
}

static void close_idle(struct tcp_worker *w)
{
	time_t now = time(NULL);
	struct ksr_conn *c = w->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (now - c->last > ksr_tcp_connection_lifetime)
			conn_close(w, c);
	}
}

static void *worker_main(void *arg)
{
	struct tcp_worker *w = arg;
	struct epoll_event ev[64];
	struct ksr_arena arena;
	bool stop = false;

	ksr_arena_init(&arena, 32768);
	if (ksr_modules_child_init(w->rank) < 0)
		LM_CRIT("tcp worker %d: module child_init failed, serving anyway\n", w->rank);
	while (!stop) {
		int n = epoll_wait(w->epfd, ev, 64, 1000);

		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if (p == &w->evfd) {
				stop = true;
			} else if (((uintptr_t)p & 1) != 0) {
				accept_all(w, (struct ksr_listener *)((uintptr_t)p & ~(uintptr_t)1));
			} else {
				struct ksr_conn *c = p;

				if ((ev[i].events & (EPOLLERR | EPOLLHUP)) && !(ev[i].events & EPOLLIN))
					conn_close(w, c);
				else if (!read_conn(c, &arena))
					conn_close(w, c);
			}
		}
		close_idle(w);
	}
	while (w->conns)
		conn_close(w, w->conns);
	ksr_arena_destroy(&arena);
	return NULL;
}

int ksr_tcp_start(int children, int first_rank)
{
	sigset_t all, old;
	int n = 0, r = 0;

	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next)
		if (l->proto == IPPROTO_TCP)
			n++;
	if (!n)
		return 0;
	workers = calloc((size_t)children, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < children; i++, nworkers++) {
		struct tcp_worker *w = &workers[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->evfd};

		w->rank = first_rank + i;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->epfd < 0 || w->evfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) < 0) {
			r = -errno;
			goto out;
		}
		for (struct ksr_listener *l = ksr_listeners(); l; l = l->next) {
			/* a listener's pointer, tagged with its low bit, tells it from connections */
			struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
						  .data.ptr = (void *)((uintptr_t)l | 1)};

			if (l->proto == IPPROTO_TCP && epoll_ctl(w->epfd, EPOLL_CTL_ADD, l->fd, &lev) < 0) {
				r = -errno;
				goto out;
			}
		}
		r = -pthread_create(&w->thread, NULL, worker_main, w);
		if (r < 0)
			goto out;
		w->started = true;
	}
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		LM_CRIT("cannot start the tcp workers: %s\n", strerror(-r));
	return r;
}

void ksr_tcp_stop(void)
{
	uint64_t one = 1;

	for (int i = 0; i < nworkers; i++)
		if (workers[i].evfd >= 0 && write(workers[i].evfd, &one, sizeof(one)) < 0)
			LM_ERR("cannot stop tcp worker %d\n", workers[i].rank);
	for (int i = 0; i < nworkers; i++) {
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
		if (workers[i].epfd >= 0)
			close(workers[i].epfd);
		if (workers[i].evfd >= 0)
			close(workers[i].evfd);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
