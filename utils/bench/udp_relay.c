/* udp_relay: the floor of a stateless SIP proxy's cost. It relays UDP datagrams without
 * reading them: what comes from the UAS goes to the last other peer, everything else goes
 * to the UAS. run-bench drives SIPp through it as through a proxy (docs/performance.md). */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_BATCH 256
#define DGRAM_MAX 65536

struct counters {
	unsigned long long received;
	unsigned long long sent;
	unsigned long long dropped; /* from the UAS before any other peer was seen, or unsendable */
	unsigned long long batches;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: udp_relay -u UAS_ADDR:PORT [-l LISTEN_ADDR:PORT] [-b BATCH] [-B BYTES] [-q]\n"
		"  -l  address and port to listen on (default 127.0.0.1:0, a free port)\n"
		"  -u  the UAS: datagrams from it go to the last other peer, all others to it\n"
		"  -b  datagrams per recvmmsg/sendmmsg call (1-%d, default 64)\n"
		"  -B  SO_RCVBUF and SO_SNDBUF in bytes (default: the system's)\n"
		"  -q  print no counters on exit\n"
		"Prints 'listening on ADDR:PORT' on stdout once bound; stops on SIGTERM or SIGINT.\n",
		MAX_BATCH);
}

/* Parses "a.b.c.d:port" (IPv4 only: the benchmark runs on loopback). */
static int parse_addr(const char *s, struct sockaddr_in *ret_sa)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return -EINVAL;
	sa.sin_port = htons((unsigned short)port);
	*ret_sa = sa;
	return 0;
}

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static int open_socket(const struct sockaddr_in *listen_sa, int bufsize, struct sockaddr_in *ret_bound)
{
	struct sockaddr_in bound;
	socklen_t len = sizeof(bound);
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bufsize > 0) {
		/* best effort: the kernel caps these at net.core.[rw]mem_max */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	}
	if (bind(fd, (const struct sockaddr *)listen_sa, sizeof(*listen_sa)) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&bound, &len) < 0)
		goto fail;
	*ret_bound = bound;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* Sends msgs[0..n), resuming after partial sends; a datagram the kernel refuses is
 * dropped rather than retried, as a real proxy would do. */
static void send_all(int fd, struct mmsghdr *msgs, unsigned int n, struct counters *c)
{
	unsigned int done = 0;

	while (done < n) {
		int r = sendmmsg(fd, msgs + done, n - done, 0);
		if (r > 0) {
			done += (unsigned int)r;
			c->sent += (unsigned long long)r;
		} else if (r < 0 && errno == EINTR) {
			if (stop)
				return;
		} else {
			done++;
			c->dropped++;
		}
	}
}

static int relay(int fd, const struct sockaddr_in *uas, unsigned int batch, struct counters *c)
{
	static char bufs[MAX_BATCH][DGRAM_MAX];
	static struct sockaddr_in from[MAX_BATCH];
	static struct sockaddr_in to[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	static struct mmsghdr in[MAX_BATCH], out[MAX_BATCH];
	struct sockaddr_in peer = {0};
	int have_peer = 0;

	for (unsigned int i = 0; i < batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = DGRAM_MAX;
	}
	while (!stop) {
		unsigned int n_out = 0;
		int n;

		for (unsigned int i = 0; i < batch; i++) {
			iov[i].iov_len = DGRAM_MAX;
			in[i].msg_hdr = (struct msghdr){
				.msg_name = &from[i],
				.msg_namelen = sizeof(from[i]),
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
			};
		}
		/* blocks for the first datagram, then takes whatever else is queued */
		n = recvmmsg(fd, in, batch, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->received += (unsigned long long)n;
		c->batches++;
		for (int i = 0; i < n; i++) {
			if (same_addr(&from[i], uas)) {
				if (!have_peer) {
					c->dropped++;
					continue;
				}
				to[n_out] = peer;
			} else {
				peer = from[i];
				have_peer = 1;
				to[n_out] = *uas;
			}
			iov[i].iov_len = in[i].msg_len;
			out[n_out].msg_hdr = (struct msghdr){
				.msg_name = &to[n_out],
				.msg_namelen = sizeof(to[n_out]),
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
			};
			n_out++;
		}
		if (n_out)
			send_all(fd, out, n_out, c);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in listen_sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in uas, bound;
	struct counters c = {0};
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: recvmmsg must return */
	char host[INET_ADDRSTRLEN];
	unsigned int batch = 64;
	int bufsize = 0, quiet = 0, have_uas = 0;
	int opt, fd, r;

	while ((opt = getopt(argc, argv, "l:u:b:B:qh")) != -1) {
		switch (opt) {
		case 'l':
			if (parse_addr(optarg, &listen_sa) < 0) {
				fprintf(stderr, "udp_relay: bad listen address '%s'\n", optarg);
				return 2;
			}
			break;
		case 'u':
			if (parse_addr(optarg, &uas) < 0) {
				fprintf(stderr, "udp_relay: bad UAS address '%s'\n", optarg);
				return 2;
			}
			have_uas = 1;
			break;
		case 'b':
			batch = (unsigned int)strtoul(optarg, NULL, 10);
			if (batch < 1 || batch > MAX_BATCH) {
				fprintf(stderr, "udp_relay: batch must be 1-%d\n", MAX_BATCH);
				return 2;
			}
			break;
		case 'B':
			bufsize = atoi(optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!have_uas || optind != argc) {
		usage(stderr);
		return 2;
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = open_socket(&listen_sa, bufsize, &bound);
	if (fd < 0) {
		fprintf(stderr, "udp_relay: cannot bind: %s\n", strerror(-fd));
		return 1;
	}
	inet_ntop(AF_INET, &bound.sin_addr, host, sizeof(host));
	printf("listening on %s:%u\n", host, ntohs(bound.sin_port));
	fflush(stdout);

	r = relay(fd, &uas, batch, &c);
	close(fd);
	if (r < 0)
		fprintf(stderr, "udp_relay: recvmmsg: %s\n", strerror(-r));
	if (!quiet)
		fprintf(stderr, "udp_relay: received %llu, sent %llu, dropped %llu, batches %llu\n",
			c.received, c.sent, c.dropped, c.batches);
	return r < 0 ? 1 : 0;
}
