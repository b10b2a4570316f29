/* Listening sockets: parsing `listen` values, binding, sending from them. */
#ifndef KSR_CORE_NET_LISTENER_H
#define KSR_CORE_NET_LISTENER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "core/str.h"

struct ksr_listener {
	int proto; /* IPPROTO_UDP or IPPROTO_TCP */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host[64]; /* address as text, IPv6 without brackets */
	unsigned short port;
	bool port_given; /* false: the default port (core parameter `port`) applies */
	/* `listen=... advertise HOST[:PORT]`: what goes into Via/Record-Route; "" when none */
	char adv_host[256]; /* IPv6 without brackets */
	unsigned short adv_port; /* 0: the listening port */
	char name[64]; /* `listen=... name "NAME"`: "" when none */
	int fd;
	struct ksr_listener *next;
};

/* The SIP port of RFC 3261: a URI without a port means this one. */
#define KSR_SIP_PORT 5060

/*
 * Parse "[proto:]addr[:port]" (addr an IPv4 address, [IPv6] or a name resolved at once)
 * and append it. 0, or -EINVAL/-EPROTONOSUPPORT with ret_err set to a static text.
 */
int ksr_listener_add(const char *spec, const char **ret_err);
/*
 * As ksr_listener_add, with what `listen` may add: advertise ("host[:port]", IPv6 in
 * brackets; NULL for none) and name (NULL for none; unique among listeners).
 */
int ksr_listener_add_ex(const char *spec, const char *advertise, const char *name,
			const char **ret_err);
struct ksr_listener *ksr_listeners(void);
struct ksr_listener *ksr_listener_find_name(const char *name);
/*
 * The listener "[proto:]addr[:port]" names (no proto: any; no port: any), as
 * force_send_socket() and set_send_socket() take it; NULL when none.
 */
struct ksr_listener *ksr_listener_find(const char *spec);
/* Forget the listeners of a transport (disable_tcp): how many went. */
int ksr_listeners_drop_proto(int proto);
/* Listeners and aliases are forgotten; the default port goes back to 5060. */
void ksr_listeners_clear(void);
/*
 * The port of listeners given without one (core parameter `port`, default 5060): applies
 * to those already added and to later ones.
 */
void ksr_listeners_set_default_port(unsigned short port);
unsigned short ksr_listeners_default_port(void);

/*
 * Another name of this server (core parameter `alias`): "[proto:]host[:port]"; without a
 * port it matches every port. 0 or -EINVAL with ret_err set.
 */
int ksr_alias_add(const char *spec, const char **ret_err);
/* The same; with subdomains, every sub-domain of the host matches too (a name only). */
int ksr_alias_add_ex(const char *spec, bool subdomains, const char **ret_err);
/*
 * Every alias, the last added first: host (IPv6 without brackets), port (0: any) and
 * whether its sub-domains match too. Aliases are set while the config loads, then only
 * read.
 */
void ksr_aliases_foreach(void (*fn)(const char *host, unsigned short port, bool subdomains,
				    void *arg),
			 void *arg);
/* Open and bind every listener; 0 or -errno (logged with the address). */
int ksr_listeners_bind(void);
/* Wake up workers blocked on the sockets and stop further receives. */
void ksr_listeners_shutdown(void);
void ksr_listeners_close(void);

/*
 * Whether host (an IP or a name, IPv6 with or without brackets) and port (0: none given,
 * meaning 5060 for listeners) name this server: a listener's address, an advertised
 * address, or an alias. What `myself` means in the config.
 */
bool ksr_listener_is_local(struct ksr_str host, unsigned short port);

/*
 * Send a datagram from listener l. 0 or -errno. From a UDP worker handling received
 * datagrams, it is queued and sent with the others when the batch is done: 0 then, and a
 * failure is logged when it happens (net/udp.c).
 */
int ksr_udp_send(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		 const char *buf, size_t len);
/* "1.2.3.4:5060" or "[::1]:5060" into buf; returns buf. */
const char *ksr_sockaddr_str(const struct sockaddr *sa, char *buf, size_t size);

#endif
