/*
 * ctl's thread: one poll loop over the listeners and the stream connections, as upstream's
 * "ctl handler" process. Requests run there, one at a time; replies to stream clients are
 * queued and written as the socket takes them, so a slow reader holds no one else up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "ctl.h"

#define MAX_CONNS 64
#define FIFO_REPLY_TRIES 5 /* opening a reply FIFO whose reader is not there yet */
#define FIFO_REPLY_WAIT_US 80000
#define FIFO_REPLY_WRITE_MS 1000

struct conn {
	int fd;
	struct ctl_listen *l;
	char peer[INET6_ADDRSTRLEN], peer_port[8], local[INET6_ADDRSTRLEN], local_port[8];
	unsigned char *in;
	size_t in_len, in_cap;
	unsigned char *out;
	size_t out_len, out_off;
	bool closing; /* no more requests: close once the queued replies are written */
	bool dead;
	struct conn *next;
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static int nconns;
static pthread_t thread;
static bool running;
static int stop_pipe[2] = {-1, -1};

/* --- connections --- */

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Address and port of a socket end, as text ("" for a unix socket's port). */
static void describe(const struct sockaddr_storage *ss, char *host, size_t hsize, char *port,
                     size_t psize)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)hsize);
		snprintf(port, psize, "%u", ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hsize);
		snprintf(port, psize, "%u", ntohs(in6->sin6_port));
	} else {
		host[0] = port[0] = '\0';
	}
}

static void accept_one(struct ctl_listen *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct conn *c;
	int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (nconns >= MAX_CONNS) {
		LM_WARN("%d control connections open already: refusing one more\n", nconns);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->l = l;
	if (l->addr.transport == KSR_BINRPC_UNIXS) {
		/* as upstream's ctl.who shows a unix client */
		snprintf(c->peer, sizeof(c->peer), "<anonymous unix socket>");
		snprintf(c->local, sizeof(c->local), "%.*s", (int)sizeof(c->local) - 1,
		         l->addr.name);
	} else {
		describe(&ss, c->peer, sizeof(c->peer), c->peer_port, sizeof(c->peer_port));
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			describe(&ss, c->local, sizeof(c->local), c->local_port,
			         sizeof(c->local_port));
	}
	pthread_mutex_lock(&conns_lock);
	c->next = conns;
	conns = c;
	nconns++;
	pthread_mutex_unlock(&conns_lock);
}

/* Queue bytes to write to c. */
static void queue(struct conn *c, const void *data, size_t len)
{
	unsigned char *o;

	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
	}
	o = realloc(c->out, c->out_len + len);
	if (!o) {
		LM_ERR("out of memory for a control reply: closing the connection\n");
		c->dead = true;
		return;
	}
	memcpy(o + c->out_len, data, len);
	c->out = o;
	c->out_len += len;
}

/* Run the whole requests c has received; a request that can never be whole ends c. */
static void conn_run(struct conn *c, struct ksr_arena *arena)
{
	while (!c->closing && !c->dead && c->in_len) {
		unsigned char *reply = NULL;
		size_t reply_len = 0, used;

		if (c->l->proto == CTL_BINRPC) {
			ssize_t n = ctl_binrpc_frame(c->in, c->in_len);

			if (n == 0)
				break;
			if (n < 0) {
				/* the stream cannot be followed any further: say why and close */
				ctl_binrpc_fault(400,
				                 n == -E2BIG ? "bad request: too big"
				                             : "bad request: not a binrpc packet",
				                 &reply, &reply_len);
				c->closing = true;
				used = c->in_len;
			} else {
				used = (size_t)n;
				ctl_binrpc_handle(c->in, used, arena, &reply, &reply_len);
			}
		} else {
			size_t n = ctl_fifo_frame((const char *)c->in, c->in_len);
			char *fifo = NULL;

			if (n == 0) {
				if (c->in_len < CTL_MAX_REQUEST)
					break;
				reply = (unsigned char *)strdup("400 Bad request: too big\n");
				reply_len = reply ? strlen((char *)reply) : 0;
				c->closing = true;
				n = c->in_len;
			} else {
				ctl_fifo_handle((const char *)c->in, n, arena, (char **)&reply,
				                &reply_len, &fifo);
			}
			free(fifo); /* on a socket the reply goes back on the socket */
			used = n;
		}
		if (reply)
			queue(c, reply, reply_len);
		free(reply);
		ksr_arena_reset(arena);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

static void conn_read(struct conn *c, struct ksr_arena *arena)
{
	ssize_t n;

	if (c->in_cap - c->in_len < 4096) {
		size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
		unsigned char *p;

		if (cap > CTL_MAX_REQUEST + 4096)
			cap = CTL_MAX_REQUEST + 4096;
		p = realloc(c->in, cap);
		if (!p) {
			c->dead = true;
			return;
		}
		c->in = p;
		c->in_cap = cap;
	}
	if (c->in_len == c->in_cap) {
		/* cannot happen: a request that large was refused before */
		c->dead = true;
		return;
	}
	n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			c->dead = true;
		return;
	}
	if (n == 0) {
		/* the client is done sending; what it asked for is still answered */
		c->closing = true;
		if (c->out_off == c->out_len)
			c->dead = true;
		return;
	}
	c->in_len += (size_t)n;
	conn_run(c, arena);
	if (c->closing && c->out_off == c->out_len)
		c->dead = true;
}

static void conn_write(struct conn *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			c->dead = true;
		return;
	}
	c->out_off += (size_t)n;
	if (c->out_off == c->out_len && c->closing)
		c->dead = true;
}

static void reap(void)
{
	pthread_mutex_lock(&conns_lock);
	for (struct conn **pc = &conns; *pc;) {
		struct conn *c = *pc;

		if (c->dead) {
			*pc = c->next;
			nconns--;
			conn_free(c);
		} else {
			pc = &c->next;
		}
	}
	pthread_mutex_unlock(&conns_lock);
}

/* --- datagrams --- */

static void dgram_one(struct ctl_listen *l, unsigned char *buf, struct ksr_arena *arena)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	unsigned char *reply = NULL;
	size_t reply_len = 0;
	ssize_t n = recvfrom(l->fd, buf, CTL_MAX_REQUEST, MSG_DONTWAIT, (struct sockaddr *)&from,
	                     &flen);

	if (n <= 0)
		return;
	if (l->proto == CTL_BINRPC) {
		ctl_binrpc_handle(buf, (size_t)n, arena, &reply, &reply_len);
	} else {
		char *fifo = NULL;

		ctl_fifo_handle((const char *)buf, (size_t)n, arena, (char **)&reply, &reply_len,
		                &fifo);
		free(fifo);
	}
	ksr_arena_reset(arena);
	if (!reply)
		return;
	if (flen <= sizeof(sa_family_t)) {
		/* an unbound unix client: there is nowhere to answer */
		LM_DBG("control request from an unnamed unix socket: no reply\n");
	} else if (sendto(l->fd, reply, reply_len, MSG_DONTWAIT, (struct sockaddr *)&from, flen) <
	           0) {
		if (errno == EMSGSIZE) {
			free(reply);
			reply = NULL;
			if (l->proto == CTL_BINRPC) {
				ctl_binrpc_fault(500,
				                 "internal server error: the reply is too big for "
				                 "a datagram",
				                 &reply, &reply_len);
			} else {
				reply = (unsigned char *)strdup(
				        "500 Internal server error: the reply is too big for a "
				        "datagram\n");
				reply_len = reply ? strlen((char *)reply) : 0;
			}
			if (reply)
				sendto(l->fd, reply, reply_len, MSG_DONTWAIT,
				       (struct sockaddr *)&from, flen);
		} else {
			LM_ERR("cannot send a control reply: %s\n", strerror(errno));
		}
	}
	free(reply);
}

/* --- FIFOs --- */

/* Write text to the reply FIFO at path: it must be a FIFO, not a link, not hard-linked. */
static void fifo_reply(const char *path, const char *text, size_t len)
{
	struct stat fst, lst;
	int fd = -1;
	size_t off = 0;

	for (int i = 0; i < FIFO_REPLY_TRIES && fd < 0; i++) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno != ENXIO)
			break;
		if (fd < 0)
			usleep(FIFO_REPLY_WAIT_US);
	}
	if (fd < 0) {
		LM_ERR("cannot open the reply FIFO %s: %s\n", path, strerror(errno));
		return;
	}
	if (fstat(fd, &fst) < 0 || !S_ISFIFO(fst.st_mode) || fst.st_nlink != 1 ||
	    lstat(path, &lst) < 0 || S_ISLNK(lst.st_mode) || lst.st_ino != fst.st_ino ||
	    lst.st_dev != fst.st_dev) {
		LM_ERR("%s is no plain FIFO: no reply written\n", path);
		close(fd);
		return;
	}
	while (off < len) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		ssize_t n;

		if (poll(&p, 1, FIFO_REPLY_WRITE_MS) <= 0)
			break;
		n = write(fd, text + off, len - off);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n > 0)
			off += (size_t)n;
	}
	if (off < len)
		LM_ERR("the reply to %s was not read: dropped\n", path);
	close(fd);
}

static void fifo_read(struct ctl_listen *l, struct ksr_arena *arena)
{
	char buf[4096];
	ssize_t n = read(l->fd, buf, sizeof(buf));
	size_t used;

	if (n <= 0)
		return;
	if (l->pending_len + (size_t)n > CTL_MAX_REQUEST) {
		LM_ERR("FIFO %s: a request larger than %d bytes: dropped\n", l->addr.name,
		       CTL_MAX_REQUEST);
		l->pending_len = 0;
		return;
	}
	{
		char *p = realloc(l->pending, l->pending_len + (size_t)n);

		if (!p)
			return;
		l->pending = p;
	}
	memcpy(l->pending + l->pending_len, buf, (size_t)n);
	l->pending_len += (size_t)n;
	while ((used = ctl_fifo_frame(l->pending, l->pending_len)) > 0) {
		char *reply = NULL, *fifo = NULL;
		size_t reply_len = 0;

		ctl_fifo_handle(l->pending, used, arena, &reply, &reply_len, &fifo);
		ksr_arena_reset(arena);
		if (reply && fifo)
			fifo_reply(fifo, reply, reply_len);
		free(reply);
		free(fifo);
		memmove(l->pending, l->pending + used, l->pending_len - used);
		l->pending_len -= used;
	}
}

/* --- the loop --- */

static void listener_ready(struct ctl_listen *l, unsigned char *dgram, struct ksr_arena *arena)
{
	switch (l->addr.transport) {
	case KSR_BINRPC_UNIXS:
	case KSR_BINRPC_TCP: accept_one(l); break;
	case KSR_BINRPC_UNIXD:
	case KSR_BINRPC_UDP: dgram_one(l, dgram, arena); break;
	case KSR_BINRPC_FIFO: fifo_read(l, arena); break;
	}
}

static void *io_main(void *arg)
{
	struct ksr_arena arena;
	unsigned char *dgram = malloc(CTL_MAX_REQUEST);
	struct pollfd *pfd = NULL;
	void **who = NULL; /* what each pollfd stands for: a listener or a connection */
	size_t cap = 0;

	/* as upstream's process is named in core.ps */
	pthread_setname_np(pthread_self(), "ctl handler");
	ksr_arena_init(&arena, 8192);
	while (dgram) {
		size_t n = 1, nl;

		for (struct ctl_listen *l = ctl_listens(); l; l = l->next)
			n++;
		nl = n;
		n += (size_t)nconns;
		if (n > cap) {
			struct pollfd *np = realloc(pfd, n * sizeof(*pfd));
			void **nw = np ? realloc(who, n * sizeof(*who)) : NULL;

			if (np)
				pfd = np;
			if (!np || !nw) {
				LM_ERR("out of memory: the control thread stops\n");
				break;
			}
			who = nw;
			cap = n;
		}
		pfd[0] = (struct pollfd){.fd = stop_pipe[0], .events = POLLIN};
		n = 1;
		for (struct ctl_listen *l = ctl_listens(); l; l = l->next) {
			pfd[n] = (struct pollfd){.fd = l->fd, .events = POLLIN};
			who[n++] = l;
		}
		for (struct conn *c = conns; c; c = c->next) {
			short ev = c->out_off < c->out_len ? POLLOUT : c->closing ? 0 : POLLIN;

			pfd[n] = (struct pollfd){.fd = c->fd, .events = ev};
			who[n++] = c;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			LM_ERR("poll: %s: the control thread stops\n", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			break;
		for (size_t i = 1; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (i < nl) {
				listener_ready(who[i], dgram, &arena);
				continue;
			}
			struct conn *c = who[i];

			if (pfd[i].revents & POLLOUT)
				conn_write(c);
			else if (pfd[i].revents & POLLIN)
				conn_read(c, &arena);
			else
				c->dead = true; /* error or hang-up with nothing to read */
		}
		reap();
	}
	pthread_mutex_lock(&conns_lock);
	while (conns) {
		struct conn *c = conns;

		conns = c->next;
		conn_free(c);
	}
	nconns = 0;
	pthread_mutex_unlock(&conns_lock);
	ksr_arena_destroy(&arena);
	free(pfd);
	free(who);
	free(dgram);
	return NULL;
}

int ctl_io_start(void)
{
	int r;

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	r = pthread_create(&thread, NULL, io_main, NULL);
	if (r) {
		close(stop_pipe[0]);
		close(stop_pipe[1]);
		stop_pipe[0] = stop_pipe[1] = -1;
		return -r;
	}
	running = true;
	return 0;
}

void ctl_io_stop(void)
{
	if (running) {
		if (write(stop_pipe[1], "x", 1) < 0)
			LM_ERR("cannot stop the control thread: %s\n", strerror(errno));
		pthread_join(thread, NULL);
		running = false;
	}
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] >= 0)
			close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
}

/* --- for ctl.who and ctl.connections (any thread) --- */

int ctl_io_connections(void)
{
	int n;

	pthread_mutex_lock(&conns_lock);
	n = nconns;
	pthread_mutex_unlock(&conns_lock);
	return n;
}

void ctl_io_foreach_conn(void (*fn)(const struct ctl_conn_info *ci, void *arg), void *arg)
{
	pthread_mutex_lock(&conns_lock);
	for (struct conn *c = conns; c; c = c->next) {
		struct ctl_conn_info ci = {
		        .proto = c->l->proto,
		        .transport = c->l->addr.transport,
		        .peer = c->peer,
		        .peer_port = c->peer_port,
		        .local = c->local,
		        .local_port = c->local_port,
		};

		fn(&ci, arg);
	}
	pthread_mutex_unlock(&conns_lock);
}
