/* Listening sockets: parsing `listen` values, binding, sending from them. */
#include "core/net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static struct ksr_listener *listeners;

struct ksr_listener *ksr_listeners(void)
{
	return listeners;
}

void ksr_listeners_clear(void)
{
	struct ksr_listener *l, *next;

	for (l = listeners; l; l = next) {
		next = l->next;
		if (l->fd >= 0)
			close(l->fd);
		free(l);
	}
	listeners = NULL;
}

int ksr_listener_add(const char *spec, const char **ret_err)
{
	char host[256];
	const char *p = spec, *hs, *he, *port_s = NULL;
	struct addrinfo hints = {0}, *ai = NULL;
	struct ksr_listener *l, **tail;
	unsigned long port = KSR_SIP_PORT;
	int proto = IPPROTO_UDP;

	if (strncasecmp(p, "udp:", 4) == 0) {
		p += 4;
	} else if (strncasecmp(p, "tcp:", 4) == 0 || strncasecmp(p, "tls:", 4) == 0 ||
		   strncasecmp(p, "sctp:", 5) == 0 || strncasecmp(p, "ws:", 3) == 0 ||
		   strncasecmp(p, "wss:", 4) == 0) {
		*ret_err = "only udp listeners are supported so far";
		return -EPROTONOSUPPORT;
	}
	if (*p == '[') {
		hs = p + 1;
		he = strchr(hs, ']');
		if (!he) {
			*ret_err = "missing ']' after IPv6 address";
			return -EINVAL;
		}
		if (he[1] == ':')
			port_s = he + 2;
		else if (he[1]) {
			*ret_err = "unexpected text after IPv6 address";
			return -EINVAL;
		}
	} else {
		hs = p;
		he = strchr(hs, ':');
		if (he)
			port_s = he + 1;
		else
			he = hs + strlen(hs);
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(host)) {
		*ret_err = "missing or too long address";
		return -EINVAL;
	}
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (port_s) {
		char *end;

		errno = 0;
		port = strtoul(port_s, &end, 10);
		if (errno || *end || end == port_s || port == 0 || port > 65535) {
			*ret_err = "bad port";
			return -EINVAL;
		}
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai) {
		*ret_err = "address does not resolve";
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		freeaddrinfo(ai);
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
	l->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	l->proto = proto;
	l->port = (unsigned short)port;
	l->fd = -1;
	if (l->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&l->addr;

		a6->sin6_port = htons(l->port);
		inet_ntop(AF_INET6, &a6->sin6_addr, l->host, sizeof(l->host));
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&l->addr;

		a4->sin_port = htons(l->port);
		inet_ntop(AF_INET, &a4->sin_addr, l->host, sizeof(l->host));
	}
	for (tail = &listeners; *tail; tail = &(*tail)->next)
		;
	*tail = l;
	return 0;
}

const char *ksr_sockaddr_str(const struct sockaddr *sa, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(a6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(a4->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
	return buf;
}

int ksr_listeners_bind(void)
{
	char name[80];
	int one = 1;

	for (struct ksr_listener *l = listeners; l; l = l->next) {
		l->fd = socket(l->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
		if (l->fd < 0)
			goto fail;
		/*
		 * No SO_REUSEADDR: UDP has no TIME_WAIT to get past, and with it a second
		 * daemon would silently share the port instead of failing to start.
		 */
		if (l->addr.ss_family == AF_INET6)
			setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(l->fd, (struct sockaddr *)&l->addr, l->addr_len) < 0)
			goto fail;
		LM_INFO("listening on udp:%s\n",
			ksr_sockaddr_str((struct sockaddr *)&l->addr, name, sizeof(name)));
		continue;
	fail:;
		int err = errno;

		LM_ERR("cannot listen on udp:%s: %s\n",
		       ksr_sockaddr_str((struct sockaddr *)&l->addr, name, sizeof(name)),
		       strerror(err));
		return -err;
	}
	return 0;
}

void ksr_listeners_shutdown(void)
{
	/* on Linux, shutdown() of a UDP socket wakes up threads blocked in recv */
	for (struct ksr_listener *l = listeners; l; l = l->next)
		if (l->fd >= 0)
			shutdown(l->fd, SHUT_RDWR);
}

void ksr_listeners_close(void)
{
	for (struct ksr_listener *l = listeners; l; l = l->next) {
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
	}
}

bool ksr_listener_is_local(struct ksr_str host, unsigned short port)
{
	unsigned char a[16], b[16];
	char buf[64];
	int af;

	if (host.len >= 2 && host.s[0] == '[' && host.s[host.len - 1] == ']') {
		host.s++;
		host.len -= 2;
	}
	if (host.len == 0 || host.len >= sizeof(buf))
		return false;
	memcpy(buf, host.s, host.len);
	buf[host.len] = '\0';
	af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, buf, a) != 1)
		return false; /* names become local with `alias` (not yet) */
	for (struct ksr_listener *l = listeners; l; l = l->next) {
		if (l->addr.ss_family != af || (port ? port : KSR_SIP_PORT) != l->port)
			continue;
		if (inet_pton(af, l->host, b) == 1 && memcmp(a, b, af == AF_INET6 ? 16 : 4) == 0)
			return true;
	}
	return false;
}

int ksr_udp_send(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		 const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = sendto(l->fd, buf, len, 0, to, to_len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}
