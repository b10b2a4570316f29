/* TCP transport: listening, reading and framing connections, replying on them. */
#ifndef KSR_CORE_NET_TCP_H
#define KSR_CORE_NET_TCP_H

#include <stddef.h>

struct ksr_conn;

/* Core parameters tcp_connection_lifetime (idle seconds) and tcp_max_connections. */
extern int ksr_tcp_connection_lifetime;
extern int ksr_tcp_max_connections;

/* Start `children` workers over the TCP listeners (none: nothing); ranks from first_rank. */
int ksr_tcp_start(int children, int first_rank);
/* Stop them: each finishes the message in hand; connections are closed. */
void ksr_tcp_stop(void);
/*
 * Write on a connection, from the worker that owns it (the one running the message that
 * came on it). 0 or -errno; a peer that does not read for 2 s is -ETIMEDOUT.
 */
int ksr_tcp_send(struct ksr_conn *c, const char *buf, size_t len);

#endif
