/*
 * Control socket addresses as ctl's `binrpc` and `fifo` parameters and kamcmd's -s write
 * them: "[proto:]address", proto one of unixs (or unix), unixd, tcp, udp, fifo.
 */
#ifndef KSR_LIB_BINRPC_ADDR_H
#define KSR_LIB_BINRPC_ADDR_H

#define KSR_BINRPC_DEFAULT_PORT 2049 /* tcp and udp, when an address has no port */

enum ksr_binrpc_transport {
	KSR_BINRPC_UNIXS = 1, /* unix stream socket */
	KSR_BINRPC_UNIXD,     /* unix datagram socket */
	KSR_BINRPC_TCP,
	KSR_BINRPC_UDP,
	KSR_BINRPC_FIFO, /* a named pipe (the old text protocol) */
};

struct ksr_binrpc_addr {
	enum ksr_binrpc_transport transport;
	char *name; /* a path, or a host: "*" for any address, IPv6 without brackets */
	int port;   /* tcp and udp: 0 when the address has none */
};

/*
 * Parse spec. Without a proto, "host:port" is udp, and anything else is def (a name with a
 * '/' is unixs when def is tcp or udp), as upstream guesses. "tcp:3012" is port 3012 on any
 * address. 0, or -EINVAL with *ret_err naming the problem (a static text); ret->name is
 * malloc'ed (ksr_binrpc_addr_free).
 */
int ksr_binrpc_addr_parse(const char *spec, enum ksr_binrpc_transport def,
                          struct ksr_binrpc_addr *ret, const char **ret_err);
void ksr_binrpc_addr_free(struct ksr_binrpc_addr *a);
/* "unix_stream", "unix_dgram", "tcp", "udp", "fifo": as ctl.listen names them. */
const char *ksr_binrpc_transport_name(enum ksr_binrpc_transport t);

#endif
