/*
 * TCP: `tcp_children` worker threads, each with its own epoll. Every worker watches the
 * listening sockets (EPOLLEXCLUSIVE: one wakes per connection) and owns the connections
 * it accepts or is handed: only the owner reads a connection, frames its messages by
 * Content-Length and runs them.
 *
 * Any thread may write: a connection is found by its peer's address in a table shared by
 * all threads (so a request forwarded to a peer, or a reply relayed to it, reuses the
 * connection it already has with us), and writes are serialized by the connection's own
 * lock. Connections are reference-counted: the owner holds one reference, a writer holds
 * one while it writes, and the last one out closes the socket.
 *
 * A thread that must send to a peer with no connection opens one itself (a bounded,
 * blocking connect: tcp_connect_timeout), writes, and hands the connection to a worker
 * (round robin) that reads the peer's answers from then on.
 */
#include "core/net/tcp.h"
#include "core/net/udp.h"

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
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/threads.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"
#include "core/receive.h"

int ksr_tcp_connection_lifetime = 120; /* seconds a connection may stay idle */
int ksr_tcp_max_connections = 2048;
int ksr_tcp_connect_timeout = 10;
int ksr_tcp_send_timeout = 10;
bool ksr_tcp_no_connect;
#define TCP_READ_CHUNK 4096
#define CONN_BUCKETS 1024 /* a power of two */

struct ksr_conn {
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct ksr_listener *listener;
	char *buf; /* bytes read and not yet framed (the owner's alone) */
	size_t len, cap;
	_Atomic long last; /* last activity (time_t), for the idle lifetime */
	atomic_int refs;
	atomic_bool closed;
	atomic_bool close_after; /* close once the message in hand is done */
	/* another protocol's handler owns the bytes (receive.h); decided on the first line */
	const struct ksr_stream_handler *stream;
	bool classified;
	pthread_mutex_t wlock; /* one writer at a time */
	struct ksr_conn *next; /* in the owner's list, or its hand-over queue */
	struct ksr_conn *hnext; /* in the table's bucket */
};

struct tcp_worker {
	pthread_t thread;
	int epfd, evfd;
	int rank;
	bool started;
	atomic_bool stop;
	struct ksr_conn *conns;
	pthread_mutex_t qlock;
	struct ksr_conn *queue; /* connections opened by other threads, for this one to own */
};

static struct tcp_worker *workers;
static int nstarted; /* workers set up, for stopping them */
static atomic_int nworkers; /* > 0 while the workers run */
static atomic_uint next_worker;
static atomic_int nconns;

/* The connections by peer address. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ksr_conn *table[CONN_BUCKETS];

/* FNV-1a over the peer's address and port: stable and spread is all it needs to be. */
static unsigned int addr_hash(const struct sockaddr *sa)
{
	const unsigned char *p;
	size_t n;
	unsigned int h = 2166136261u;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		p = (const unsigned char *)&a->sin6_addr;
		n = sizeof(a->sin6_addr);
		h = (h ^ a->sin6_port) * 16777619u;
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		p = (const unsigned char *)&a->sin_addr;
		n = sizeof(a->sin_addr);
		h = (h ^ a->sin_port) * 16777619u;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (CONN_BUCKETS - 1);
}

static bool addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

static void table_add(struct ksr_conn *c)
{
	unsigned int h = addr_hash((struct sockaddr *)&c->peer);

	pthread_mutex_lock(&table_lock);
	c->hnext = table[h];
	table[h] = c;
	pthread_mutex_unlock(&table_lock);
}

static void table_del(struct ksr_conn *c)
{
	unsigned int h = addr_hash((struct sockaddr *)&c->peer);

	pthread_mutex_lock(&table_lock);
	for (struct ksr_conn **pc = &table[h]; *pc; pc = &(*pc)->hnext) {
		if (*pc == c) {
			*pc = c->hnext;
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
}

/* The open connection with peer to, with a reference the caller drops; NULL when none. */
static struct ksr_conn *conn_find(const struct sockaddr *to)
{
	struct ksr_conn *c;

	pthread_mutex_lock(&table_lock);
	for (c = table[addr_hash(to)]; c; c = c->hnext) {
		if (!atomic_load(&c->closed) && addr_equal((struct sockaddr *)&c->peer, to)) {
			atomic_fetch_add(&c->refs, 1);
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return c;
}

static struct ksr_conn *conn_new(int fd, const struct sockaddr *peer, socklen_t peer_len,
				 struct ksr_listener *l, int refs)
{
	struct ksr_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	memcpy(&c->peer, peer, peer_len);
	c->peer_len = peer_len;
	c->listener = l;
	atomic_store(&c->last, (long)time(NULL));
	atomic_store(&c->refs, refs);
	pthread_mutex_init(&c->wlock, NULL);
	return c;
}

static void conn_unref(struct ksr_conn *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->wlock);
	free(c->buf);
	free(c);
	atomic_fetch_sub(&nconns, 1);
}

/* The owner lets c go: no more reads, no new writers; the last reference closes it. */
static void conn_close(struct tcp_worker *w, struct ksr_conn *c)
{
	struct ksr_conn **pc;

	for (pc = &w->conns; *pc; pc = &(*pc)->next) {
		if (*pc == c) {
			*pc = c->next;
			break;
		}
	}
	table_del(c);
	atomic_store(&c->closed, true);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	/* a writer blocked on the socket wakes up now */
	shutdown(c->fd, SHUT_RDWR);
	conn_unref(c);
}

int ksr_tcp_send(struct ksr_conn *c, const char *buf, size_t len)
{
	int r = 0;

	/* what this worker sent before over UDP goes first */
	ksr_udp_flush();
	pthread_mutex_lock(&c->wlock);
	while (len && !atomic_load(&c->closed)) {
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

			if (poll(&p, 1, ksr_tcp_send_timeout * 1000) == 1)
				continue;
			r = -ETIMEDOUT;
			break;
		}
		r = n < 0 ? -errno : -EPIPE;
		break;
	}
	if (!r && len)
		r = -EPIPE; /* closed meanwhile */
	pthread_mutex_unlock(&c->wlock);
	if (!r)
		atomic_store(&c->last, (long)time(NULL));
	return r;
}

void ksr_tcp_close_after(struct ksr_conn *c)
{
	atomic_store(&c->close_after, true);
}

/* A new connection to `to` from listener l's address; its socket or -errno. */
static int tcp_connect(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len)
{
	int fd = socket(to->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, err = 0;
	socklen_t elen = sizeof(err);
	struct sockaddr_storage src;
	struct pollfd p;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* from the listener's address (what our Via names), on a port the kernel picks */
	memcpy(&src, &l->addr, l->addr_len);
	if (src.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	else
		((struct sockaddr_in *)&src)->sin_port = 0;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, l->addr_len) < 0) {
		err = errno;
		goto fail;
	}
	if (connect(fd, to, to_len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = errno;
		goto fail;
	}
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, ksr_tcp_connect_timeout * 1000) != 1) {
		err = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (!err)
		return fd;
fail:
	close(fd);
	return -err;
}

/* Give c to a worker, which reads it from then on. */
static void hand_over(struct ksr_conn *c, int n)
{
	struct tcp_worker *w = &workers[atomic_fetch_add(&next_worker, 1) % (unsigned)n];
	uint64_t one = 1;

	pthread_mutex_lock(&w->qlock);
	c->next = w->queue;
	w->queue = c;
	pthread_mutex_unlock(&w->qlock);
	if (write(w->evfd, &one, sizeof(one)) < 0)
		LM_ERR("cannot wake tcp worker %d\n", w->rank);
}

struct ksr_listener *ksr_tcp_listener(int family)
{
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next)
		if (l->proto == IPPROTO_TCP && l->addr.ss_family == family)
			return l;
	return NULL;
}

/* After a write with KSR_DEST_CLOSE: no new writer finds c, its owner sees the end. */
static void close_when_sent(struct ksr_conn *c)
{
	table_del(c);
	atomic_store(&c->closed, true);
	shutdown(c->fd, SHUT_RDWR);
}

int ksr_tcp_send_to(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		    const char *buf, size_t len, unsigned int flags)
{
	struct ksr_conn *c;
	char dst[80];
	int fd, r, n = atomic_load(&nworkers);

	/* what this worker sent before over UDP goes first */
	ksr_udp_flush();
	if (n <= 0)
		return -ENETUNREACH; /* no TCP listener, or stopping */
	c = conn_find(to);
	if (c) {
		r = ksr_tcp_send(c, buf, len);
		if (!r && (flags & KSR_DEST_CLOSE))
			close_when_sent(c);
		conn_unref(c);
		/* a connection the peer closed meanwhile: a new one is tried below */
		if (r != -EPIPE && r != -ECONNRESET && r != -ENOTCONN)
			return r;
	}
	if (ksr_tcp_no_connect || (flags & KSR_DEST_NO_CONNECT))
		return -ENOTCONN;
	if (!l && !(l = ksr_tcp_listener(to->sa_family)))
		return -ENETUNREACH;
	if (atomic_fetch_add(&nconns, 1) >= ksr_tcp_max_connections) {
		atomic_fetch_sub(&nconns, 1);
		LM_WARN("tcp_max_connections (%d) reached: no new connection to %s\n",
			ksr_tcp_max_connections, ksr_sockaddr_str(to, dst, sizeof(dst)));
		return -EMFILE;
	}
	fd = tcp_connect(l, to, to_len);
	if (fd < 0) {
		atomic_fetch_sub(&nconns, 1);
		LM_ERR("cannot connect to %s: %s\n", ksr_sockaddr_str(to, dst, sizeof(dst)),
		       strerror(-fd));
		return fd;
	}
	/* two references: the owner's, and ours until the write is done */
	c = conn_new(fd, to, to_len, l, 2);
	if (!c) {
		close(fd);
		atomic_fetch_sub(&nconns, 1);
		return -ENOMEM;
	}
	table_add(c);
	hand_over(c, n);
	r = ksr_tcp_send(c, buf, len);
	if (!r && (flags & KSR_DEST_CLOSE))
		close_when_sent(c);
	conn_unref(c);
	return r;
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
		c = conn_new(fd, (struct sockaddr *)&peer, plen, l, 1);
		if (!c) {
			atomic_fetch_sub(&nconns, 1);
			close(fd);
			continue;
		}
		ev.data.ptr = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			conn_unref(c);
			continue;
		}
		c->next = w->conns;
		w->conns = c;
		table_add(c);
	}
}

/* Take the connections other threads opened and handed to w. */
static void adopt_queue(struct tcp_worker *w)
{
	struct ksr_conn *q, *next;
	uint64_t v;

	if (read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		LM_ERR("tcp worker %d: reading its eventfd failed\n", w->rank);
	pthread_mutex_lock(&w->qlock);
	q = w->queue;
	w->queue = NULL;
	pthread_mutex_unlock(&w->qlock);
	for (; q; q = next) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = q};

		next = q->next;
		q->next = w->conns;
		w->conns = q;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, q->fd, &ev) < 0)
			conn_close(w, q);
	}
}

/* A first line longer than this is left to the SIP parser, which refuses it. */
#define CLAIM_MAX_LINE 8192

/*
 * Whether a module's handler claims c (receive.h), once its first line is whole: until
 * then (pings and line ends before it are SIP's) c stays unclassified.
 */
static void classify(struct ksr_conn *c)
{
	const char *p = c->buf, *end = c->buf + c->len, *nl;

	if (!ksr_receive_stream_handlers()) {
		c->classified = true;
		return;
	}
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl) {
		c->classified = end - p > CLAIM_MAX_LINE;
		return;
	}
	c->classified = true;
	c->stream = ksr_receive_stream_claim(p, (size_t)(nl - p) - (nl > p && nl[-1] == '\r'));
}

/* The bytes of a connection another protocol's handler claimed: false to close it. */
static bool process_stream(struct ksr_conn *c, const struct ksr_rcv_info *rcv,
                           struct ksr_arena *arena)
{
	size_t off = 0;
	bool ok = true;

	while (off < c->len) {
		long used = c->stream->process(c->buf + off, c->len - off, rcv, arena);

		ksr_arena_reset(arena);
		if (used < 0 || (size_t)used > c->len - off) {
			ok = false;
			break;
		}
		if (used == 0)
			break;
		off += (size_t)used;
		if (atomic_load(&c->close_after)) {
			ok = false;
			break;
		}
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return ok;
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
	if (!c->classified)
		classify(c);
	if (c->stream)
		return process_stream(c, &rcv, arena);
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
		if (!ok || atomic_load(&c->close_after))
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
			atomic_store(&c->last, (long)time(NULL));
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
		if (now - atomic_load(&c->last) > ksr_tcp_connection_lifetime)
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
	ksr_thread_register(w->rank, "tcp", "tcp receiver rank=%d", w->rank);
	if (ksr_modules_child_init(w->rank) < 0)
		LM_CRIT("tcp worker %d: module child_init failed, serving anyway\n", w->rank);
	while (!stop) {
		int n = epoll_wait(w->epfd, ev, 64, 1000);

		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if (p == &w->evfd) {
				adopt_queue(w);
				stop = atomic_load(&w->stop);
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
	adopt_queue(w);
	while (w->conns)
		conn_close(w, w->conns);
	ksr_arena_destroy(&arena);
	return NULL;
}

void ksr_tcp_get_info(struct ksr_tcp_info *ret)
{
	ret->readers = atomic_load(&nworkers);
	ret->connections = atomic_load(&nconns);
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
	for (int i = 0; i < children; i++, nstarted++) {
		struct tcp_worker *w = &workers[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->evfd};

		w->rank = first_rank + i;
		pthread_mutex_init(&w->qlock, NULL);
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
	if (r == 0)
		atomic_store(&nworkers, n ? children : 0);
	if (r < 0)
		LM_CRIT("cannot start the tcp workers: %s\n", strerror(-r));
	return r;
}

void ksr_tcp_stop(void)
{
	uint64_t one = 1;
	int n = nstarted;

	/* no new connections from other threads; they are stopped before us */
	atomic_store(&nworkers, 0);
	for (int i = 0; i < n; i++) {
		atomic_store(&workers[i].stop, true);
		if (workers[i].evfd >= 0 && write(workers[i].evfd, &one, sizeof(one)) < 0)
			LM_ERR("cannot stop tcp worker %d\n", workers[i].rank);
	}
	for (int i = 0; i < n; i++) {
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
		if (workers[i].epfd >= 0)
			close(workers[i].epfd);
		if (workers[i].evfd >= 0)
			close(workers[i].evfd);
		/* what a worker handed to another that had stopped already */
		while (workers[i].queue) {
			struct ksr_conn *c = workers[i].queue;

			workers[i].queue = c->next;
			table_del(c);
			atomic_store(&c->closed, true);
			conn_unref(c);
		}
		pthread_mutex_destroy(&workers[i].qlock);
	}
	free(workers);
	workers = NULL;
	nstarted = 0;
}
