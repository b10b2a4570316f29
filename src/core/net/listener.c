/* Listening sockets: parsing `listen` values, binding, sending from them. */
#include "core/net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/log.h"

static struct ksr_listener *listeners;
static unsigned short default_port = KSR_SIP_PORT;

struct alias {
	char *host; /* IPv6 without brackets */
	unsigned short port; /* 0: any */
	bool subdomains; /* its sub-domains match too (corex alias_subdomains) */
	struct alias *next;
};

static struct alias *aliases;

struct ksr_listener *ksr_listeners(void)
{
	return listeners;
}

void ksr_listeners_clear(void)
{
	struct ksr_listener *l, *next;
	struct alias *a, *anext;

	for (l = listeners; l; l = next) {
		next = l->next;
		if (l->fd >= 0)
			close(l->fd);
		free(l);
	}
	listeners = NULL;
	for (a = aliases; a; a = anext) {
		anext = a->next;
		free(a->host);
		free(a);
	}
	aliases = NULL;
	default_port = KSR_SIP_PORT;
}

void ksr_listeners_set_default_port(unsigned short port)
{
	default_port = port;
	for (struct ksr_listener *l = listeners; l; l = l->next) {
		if (l->port_given)
			continue;
		l->port = port;
		if (l->addr.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&l->addr)->sin6_port = htons(port);
		else
			((struct sockaddr_in *)&l->addr)->sin_port = htons(port);
	}
}

unsigned short ksr_listeners_default_port(void)
{
	return default_port;
}

int ksr_listeners_drop_proto(int proto)
{
	struct ksr_listener **pl = &listeners, *l;
	int n = 0;

	while ((l = *pl)) {
		if (l->proto == proto) {
			*pl = l->next;
			free(l);
			n++;
		} else {
			pl = &l->next;
		}
	}
	return n;
}

struct ksr_listener *ksr_listener_find_name(const char *name)
{
	for (struct ksr_listener *l = listeners; l; l = l->next)
		if (l->name[0] && strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

/* Skip "proto:": IPPROTO_UDP for udp or none, IPPROTO_TCP for tcp, 0 for another one. */
static int skip_proto(const char **p)
{
	static const char *const others[] = {"tls:", "sctp:", "ws:", "wss:"};

	if (strncasecmp(*p, "udp:", 4) == 0) {
		*p += 4;
		return IPPROTO_UDP;
	}
	if (strncasecmp(*p, "tcp:", 4) == 0) {
		*p += 4;
		return IPPROTO_TCP;
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		if (strncasecmp(*p, others[i], strlen(others[i])) == 0) {
			*p += strlen(others[i]);
			return 0;
		}
	}
	return IPPROTO_UDP;
}

/*
 * "host[:port]" or "[v6][:port]" into host (brackets dropped) and *ret_port (0 when
 * none). 0 or -EINVAL with ret_err set.
 */
static int split_hostport(const char *p, char *host, size_t size, unsigned short *ret_port,
			  const char **ret_err)
{
	const char *hs, *he, *port_s = NULL;

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
	if (he == hs || (size_t)(he - hs) >= size) {
		*ret_err = "missing or too long address";
		return -EINVAL;
	}
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	*ret_port = 0;
	if (port_s) {
		unsigned long port;
		char *end;

		errno = 0;
		port = strtoul(port_s, &end, 10);
		if (errno || *end || end == port_s || port == 0 || port > 65535) {
			*ret_err = "bad port";
			return -EINVAL;
		}
		*ret_port = (unsigned short)port;
	}
	return 0;
}

struct ksr_listener *ksr_listener_find(const char *spec)
{
	const char *p = spec, *err;
	char host[256], text[64];
	unsigned short port;
	int proto = skip_proto(&p);
	bool proto_given = p != spec;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST}, *ai = NULL;

	if (!proto || split_hostport(p, host, sizeof(host), &port, &err) < 0)
		return NULL;
	/* the address as the listeners hold it (inet_ntop's form), when it is an IP */
	if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai) {
		const void *a = ai->ai_family == AF_INET6
					? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
					: (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		if (inet_ntop(ai->ai_family, a, text, sizeof(text)))
			snprintf(host, sizeof(host), "%s", text);
		freeaddrinfo(ai);
	}
	for (struct ksr_listener *l = listeners; l; l = l->next) {
		if (proto_given && l->proto != proto)
			continue;
		if (port && l->port != port)
			continue;
		if (strcasecmp(l->host, host) == 0)
			return l;
	}
	return NULL;
}

int ksr_listener_add(const char *spec, const char **ret_err)
{
	return ksr_listener_add_ex(spec, NULL, NULL, ret_err);
}

int ksr_listener_add_ex(const char *spec, const char *advertise, const char *name,
			const char **ret_err)
{
	char host[256], adv_host[256] = "";
	const char *p = spec;
	struct addrinfo hints = {0}, *ai = NULL;
	struct ksr_listener *l, **tail;
	unsigned short port, adv_port = 0;
	int r, proto;

	if (!(proto = skip_proto(&p))) {
		*ret_err = "only udp and tcp listeners are supported so far";
		return -EPROTONOSUPPORT;
	}
	if ((r = split_hostport(p, host, sizeof(host), &port, ret_err)) < 0)
		return r;
	if (advertise && (r = split_hostport(advertise, adv_host, sizeof(adv_host), &adv_port,
					     ret_err)) < 0)
		return r;
	if (name && (strlen(name) >= sizeof(l->name) || !*name)) {
		*ret_err = "the listener name is empty or too long";
		return -EINVAL;
	}
	if (name && ksr_listener_find_name(name)) {
		*ret_err = "another listener has this name";
		return -EINVAL;
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
	l->port_given = port != 0;
	l->port = port ? port : default_port;
	l->fd = -1;
	memcpy(l->adv_host, adv_host, sizeof(adv_host));
	l->adv_port = adv_port;
	if (name)
		memcpy(l->name, name, strlen(name) + 1);
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

void ksr_aliases_foreach(void (*fn)(const char *host, unsigned short port, bool subdomains,
				    void *arg),
			 void *arg)
{
	for (const struct alias *a = aliases; a; a = a->next)
		fn(a->host, a->port, a->subdomains, arg);
}

int ksr_alias_add(const char *spec, const char **ret_err)
{
	return ksr_alias_add_ex(spec, false, ret_err);
}

int ksr_alias_add_ex(const char *spec, bool subdomains, const char **ret_err)
{
	char host[256];
	const char *p = spec;
	unsigned short port;
	struct alias *a;
	int r;

	/* the transport does not matter: we match on host and port only */
	skip_proto(&p);
	if ((r = split_hostport(p, host, sizeof(host), &port, ret_err)) < 0)
		return r;
	a = calloc(1, sizeof(*a));
	if (!a || !(a->host = strdup(host))) {
		free(a);
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	a->port = port;
	a->subdomains = subdomains;
	a->next = aliases;
	aliases = a;
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
		bool tcp = l->proto == IPPROTO_TCP;

		l->fd = socket(l->addr.ss_family,
			       (tcp ? SOCK_STREAM | SOCK_NONBLOCK : SOCK_DGRAM) | SOCK_CLOEXEC,
			       l->proto);
		if (l->fd < 0)
			goto fail;
		/*
		 * SO_REUSEADDR only for TCP, to restart past TIME_WAIT; UDP has none, and with
		 * it a second daemon would silently share the port instead of failing to start.
		 */
		if (tcp)
			setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (l->addr.ss_family == AF_INET6)
			setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		/*
		 * A burst must not overflow the receive queue while the workers are busy: ask
		 * for maxbuffer (the kernel caps it at net.core.rmem_max), as upstream does.
		 */
		if (!tcp)
			setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &ksr_core_cfg.maxbuffer,
				   sizeof(ksr_core_cfg.maxbuffer));
		if (bind(l->fd, (struct sockaddr *)&l->addr, l->addr_len) < 0)
			goto fail;
		if (tcp && listen(l->fd, 128) < 0)
			goto fail;
		LM_INFO("listening on %s:%s\n", tcp ? "tcp" : "udp",
			ksr_sockaddr_str((struct sockaddr *)&l->addr, name, sizeof(name)));
		continue;
	fail:;
		int err = errno;

		LM_ERR("cannot listen on %s:%s: %s\n", tcp ? "tcp" : "udp",
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

/* Whether two address texts name the same IP (af of a), or else the same host name. */
static bool same_host(const char *h, int af, const unsigned char *a, const char *other)
{
	unsigned char b[16];

	if (af)
		return inet_pton(af, other, b) == 1 && memcmp(a, b, af == AF_INET6 ? 16 : 4) == 0;
	return strcasecmp(h, other) == 0;
}

/* h is domain or one of its sub-domains ("a.b.example.com" of "example.com"). */
static bool in_domain(const char *h, const char *domain)
{
	size_t hl = strlen(h), dl = strlen(domain);

	if (hl == dl)
		return strcasecmp(h, domain) == 0;
	return hl > dl + 1 && h[hl - dl - 1] == '.' && strcasecmp(h + hl - dl, domain) == 0;
}

bool ksr_listener_is_local(struct ksr_str host, unsigned short port)
{
	unsigned char a[16];
	unsigned short want = port ? port : KSR_SIP_PORT;
	char buf[256];
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
		af = 0; /* a name: only advertised names and aliases can match */
	for (struct ksr_listener *l = listeners; l; l = l->next) {
		if (af && want == l->port && same_host(buf, af, a, l->host))
			return true;
		if (l->adv_host[0] && want == (l->adv_port ? l->adv_port : l->port) &&
		    same_host(buf, af, a, l->adv_host))
			return true;
	}
	/* as upstream: an alias without a port, or a host without one, matches any port */
	for (struct alias *al = aliases; al; al = al->next) {
		if (al->port && port && al->port != port)
			continue;
		if (al->subdomains && !af ? in_domain(buf, al->host) : same_host(buf, af, a, al->host))
			return true;
	}
	return false;
}

