/* Listening sockets: parsing `listen` values, binding, sending from them. */
#ifndef KSR_CORE_NET_LISTENER_H
#define KSR_CORE_NET_LISTENER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "core/str.h"

struct ksr_listener {
	int proto; /* IPPROTO_UDP */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host[64]; /* address as text, IPv6 without brackets */
	unsigned short port;
	int fd;
	struct ksr_listener *next;
};

/* Default port when a `listen` value has none (core parameter `port`). */
#define KSR_SIP_PORT 5060

/*
 * Parse "[proto:]addr[:port]" (addr an IPv4 address, [IPv6] or a name resolved at once)
 * and append it. 0, or -EINVAL/-EPROTONOSUPPORT with ret_err set to a static text.
 */
int ksr_listener_add(const char *spec, const char **ret_err);
struct ksr_listener *ksr_listeners(void);
void ksr_listeners_clear(void);
/* Open and bind every listener; 0 or -errno (logged with the address). */
int ksr_listeners_bind(void);
/* Wake up workers blocked on the sockets and stop further receives. */
void ksr_listeners_shutdown(void);
void ksr_listeners_close(void);

/*
 * Whether host (an IP, IPv6 with or without brackets) and port (0: the default 5060)
 * name one of our listeners: what `myself` means in the config.
 */
bool ksr_listener_is_local(struct ksr_str host, unsigned short port);

/* Send a datagram from listener l. 0 or -errno. */
int ksr_udp_send(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		 const char *buf, size_t len);
/* "1.2.3.4:5060" or "[::1]:5060" into buf; returns buf. */
const char *ksr_sockaddr_str(const struct sockaddr *sa, char *buf, size_t size);

#endif
