/*
 * corex: the message's local sockets (set_send_socket, set_recv_socket and their _name
 * forms), its source address (set_source_address) and listener names (is_socket_name).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "corex.h"

/* --- "[proto:]host[:port]" --- */

static const struct {
	const char *name;
	int proto;
} protos[] = {
        {"udp", IPPROTO_UDP},        {"tcp", IPPROTO_TCP},      {"tls", COREX_PROTO_OTHER},
        {"sctp", COREX_PROTO_OTHER}, {"ws", COREX_PROTO_OTHER}, {"wss", COREX_PROTO_OTHER},
};

static const char *proto_name(int proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

static bool host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == ':';
}

/*
 * The family of host when it is an IP address literal, with its 4 or 16 bytes in ret;
 * 0 for a name.
 */
static int host_ip(struct ksr_str host, unsigned char ret[16])
{
	char buf[INET6_ADDRSTRLEN];
	int af;

	if (host.len == 0 || host.len >= sizeof(buf))
		return 0;
	memcpy(buf, host.s, host.len);
	buf[host.len] = '\0';
	af = memchr(host.s, ':', host.len) ? AF_INET6 : AF_INET;
	return inet_pton(af, buf, ret) == 1 ? af : 0;
}

static int parse_port(const char *p, const char *end, unsigned short *ret)
{
	unsigned long v = 0;

	if (p == end || end - p > 5)
		return -EINVAL;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*ret = (unsigned short)v;
	return 0;
}

int corex_sockaddr_parse(struct ksr_str s, struct corex_sockaddr *ret, const char **ret_err)
{
	struct corex_sockaddr a = {.proto = COREX_PROTO_ANY};
	const char *p = s.s, *end = ksr_str_end(s), *colon, *port = NULL;
	unsigned char ip[16];
	size_t ncolons = 0;

	colon = s.len ? memchr(p, ':', s.len) : NULL;
	for (size_t i = 0; colon && i < sizeof(protos) / sizeof(protos[0]); i++) {
		struct ksr_str w = ksr_str_make((char *)p, (size_t)(colon - p));

		if (ksr_str_caseeq_cstr(&w, protos[i].name)) {
			a.proto = protos[i].proto;
			p = colon + 1;
			break;
		}
	}
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (!rb) {
			*ret_err = "socket address: missing ']' after the IPv6 address";
			return -EINVAL;
		}
		a.host = ksr_str_make((char *)p + 1, (size_t)(rb - p - 1));
		if (rb + 1 < end && rb[1] != ':') {
			*ret_err = "socket address: unexpected text after the IPv6 address";
			return -EINVAL;
		}
		if (rb + 1 < end)
			port = rb + 2;
		if (host_ip(a.host, ip) != AF_INET6) {
			*ret_err = "socket address: not an IPv6 address in the brackets";
			return -EINVAL;
		}
	} else {
		for (const char *c = p; c < end; c++)
			if (*c == ':' && ncolons++ == 0)
				colon = c;
		a.host = ksr_str_make((char *)p,
		                      ncolons == 1 ? (size_t)(colon - p) : (size_t)(end - p));
		if (ncolons == 1)
			port = colon + 1;
		/* more than one colon: an IPv6 address without a port */
		if (ncolons > 1 && host_ip(a.host, ip) != AF_INET6) {
			*ret_err = "socket address: too many colons (an IPv6 address with a port "
			           "goes in brackets)";
			return -EINVAL;
		}
	}
	if (a.host.len == 0) {
		*ret_err = "socket address: no host";
		return -EINVAL;
	}
	for (size_t i = 0; i < a.host.len; i++)
		if (!host_char_ok(a.host.s[i])) {
			*ret_err = "socket address: bad character in the host";
			return -EINVAL;
		}
	if (port && parse_port(port, end, &a.port) < 0) {
		*ret_err = "socket address: the port is a number from 1 to 65535";
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

/* Whether a listener's address (the bytes of its sockaddr) is ip of family af. */
static bool listener_ip_is(const struct ksr_listener *l, int af, const unsigned char *ip)
{
	if (af != l->addr.ss_family)
		return false;
	if (af == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&l->addr)->sin_addr, ip, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&l->addr)->sin6_addr, ip, 16) == 0;
}

/* Whether host (ip of family af, or a name when af is 0) is the advertised host text. */
static bool adv_host_is(const char *adv, struct ksr_str host, int af, const unsigned char *ip)
{
	unsigned char b[16];

	if (af)
		return inet_pton(af, adv, b) == 1 && memcmp(b, ip, af == AF_INET6 ? 16 : 4) == 0;
	return ksr_str_caseeq_cstr(&host, adv);
}

struct ksr_listener *corex_listener_match(const struct corex_sockaddr *a)
{
	unsigned char ip[16];
	int af = host_ip(a->host, ip);

	if (a->proto == COREX_PROTO_OTHER)
		return NULL; /* only udp and tcp listeners exist */
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next) {
		unsigned short adv_port = l->adv_port ? l->adv_port : l->port;

		if (a->proto != COREX_PROTO_ANY && a->proto != l->proto)
			continue;
		if (af && (!a->port || a->port == l->port) && listener_ip_is(l, af, ip))
			return l;
		if (l->adv_host[0] && (!a->port || a->port == adv_port) &&
		    adv_host_is(l->adv_host, a->host, af, ip))
			return l;
	}
	return NULL;
}

/* --- fixups: a constant address is parsed once, into ptr --- */

static int fixup_parse(struct ksr_fparam *p, bool need_ip, const char **ret_err)
{
	struct corex_sockaddr *a;
	unsigned char ip[16];
	int r;

	if (p[0].dynamic)
		return 0;
	if (!(a = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*a))))
		return -ENOMEM;
	if ((r = corex_sockaddr_parse(p[0].s, a, ret_err)) < 0)
		return r;
	if (need_ip && !host_ip(a->host, ip)) {
		*ret_err = "the source address takes an IP address, not a name";
		return -EINVAL;
	}
	p[0].ptr = a;
	return 0;
}

int corex_fixup_sockaddr(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_parse(p, false, ret_err);
}

int corex_fixup_source(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_parse(p, true, ret_err);
}

/* The address of parameter p: parsed at load when constant, now when from a variable. */
static int param_sockaddr(const struct ksr_fparam *p, struct corex_sockaddr *ret)
{
	const char *err = NULL;

	if (p->ptr) {
		*ret = *(const struct corex_sockaddr *)p->ptr;
		return 0;
	}
	if (corex_sockaddr_parse(p->s, ret, &err) < 0) {
		LM_ERR("invalid socket address [%.*s]: %s\n", KSR_STR_FMT(p->s), err);
		return -EINVAL;
	}
	return 0;
}

/* --- the sending socket ($fs, as force_send_socket sets it) --- */

/* A socket that does not fit a destination is passed over when sending (core/net/forward.c). */
int corex_w_set_send_socket(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct corex_sockaddr a;
	struct ksr_listener *l;

	if (param_sockaddr(&p[0], &a) < 0)
		return -1;
	if (!(l = corex_listener_match(&a))) {
		LM_WARN("no local socket matches [%.*s]\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	msg->send_socket = l;
	return 1;
}

/* --- the receiving socket --- */

/*
 * Replies go out of the receiving socket: one of another transport could not send them
 * (a UDP reply from a TCP socket), so only a socket of the message's transport is taken.
 */
static int take_listener(struct ksr_msg *msg, struct ksr_listener *l, struct ksr_str what)
{
	if (msg->rcv.proto && l->proto != msg->rcv.proto) {
		LM_ERR("socket [%.*s] is %s, the message came over %s: not switched\n",
		       KSR_STR_FMT(what), proto_name(l->proto), proto_name(msg->rcv.proto));
		return -1;
	}
	msg->rcv.listener = l;
	return 1;
}

int corex_w_set_recv_socket(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct corex_sockaddr a;
	struct ksr_listener *l;

	if (param_sockaddr(&p[0], &a) < 0)
		return -1;
	if (!(l = corex_listener_match(&a))) {
		LM_WARN("no local socket matches [%.*s]\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return take_listener(msg, l, p[0].s);
}

/* A name from a variable may hold a NUL byte, which would cut it short. */
static struct ksr_listener *find_name(struct ksr_str name)
{
	if (name.len == 0 || memchr(name.s, '\0', name.len))
		return NULL;
	return ksr_listener_find_name(name.s);
}

int corex_w_set_recv_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_listener *l = find_name(p[0].s);

	if (!l) {
		LM_WARN("no local socket is named [%.*s]\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return take_listener(msg, l, p[0].s);
}

int corex_w_set_send_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_listener *l = find_name(p[0].s);

	if (!l) {
		LM_WARN("no local socket is named [%.*s]\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	msg->send_socket = l;
	return 1;
}

int corex_w_is_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return find_name(p[0].s) ? 1 : -1;
}

/* --- the source address --- */

int corex_w_set_source_address(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct sockaddr_storage ss = {0};
	struct corex_sockaddr a;
	unsigned char ip[16];
	unsigned short port;
	socklen_t len;
	int af;

	if (param_sockaddr(&p[0], &a) < 0)
		return -1;
	if (!(af = host_ip(a.host, ip))) {
		LM_ERR("source address [%.*s]: not an IP address\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	/* a socket address without a port means the SIP port, as in `listen` */
	port = a.port ? a.port : KSR_SIP_PORT;
	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, ip, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip, 16);
		len = sizeof(*s6);
	}
	msg->rcv.src = ss;
	msg->rcv.src_len = len;
	return 1;
}
