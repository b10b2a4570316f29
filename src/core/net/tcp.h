/* TCP transport: listening, reading and framing connections, replying on them. */
#ifndef KSR_CORE_NET_TCP_H
#define KSR_CORE_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct ksr_conn;
struct ksr_listener;

/* Core parameters tcp_connection_lifetime (idle seconds) and tcp_max_connections. */
extern int ksr_tcp_connection_lifetime;
extern int ksr_tcp_max_connections;
/* Core parameters tcp_connect_timeout and tcp_send_timeout (seconds), tcp_no_connect. */
extern int ksr_tcp_connect_timeout;
extern int ksr_tcp_send_timeout;
extern bool ksr_tcp_no_connect;

/* Start `children` workers over the TCP listeners (none: nothing); ranks from first_rank. */
int ksr_tcp_start(int children, int first_rank);
/*
 * Stop them: each finishes the message in hand; connections are closed. Other threads
 * that send over TCP are stopped first.
 */
void ksr_tcp_stop(void);
/*
 * Write a whole message on a connection the caller holds (the one a message came on).
 * Any thread may; writes do not interleave. 0 or -errno; a peer that does not read for
 * tcp_send_timeout seconds is -ETIMEDOUT.
 */
int ksr_tcp_send(struct ksr_conn *c, const char *buf, size_t len);
/*
 * Send a whole message to peer `to` over TCP, from any thread: on the connection we
 * already have with it (accepted or opened), else on a new one opened from listener l
 * (NULL: the first TCP listener of to's family). flags: KSR_DEST_NO_CONNECT (never open
 * one), KSR_DEST_CLOSE (close the connection once written). 0 or -errno: -ENETUNREACH
 * when there is no TCP listener, -ENOTCONN with tcp_no_connect or KSR_DEST_NO_CONNECT
 * and no connection.
 */
int ksr_tcp_send_to(struct ksr_listener *l, const struct sockaddr *to, socklen_t to_len,
		    const char *buf, size_t len, unsigned int flags);
/*
 * Close c once the message that came on it has been handled (set_reply_close(),
 * send_reply_mode() with mode 2). Only for the connection of the message in hand.
 */
void ksr_tcp_close_after(struct ksr_conn *c);
/* For core.tcp_info: the TCP workers running and the connections open now. */
struct ksr_tcp_info {
	int readers;
	int connections;
};

void ksr_tcp_get_info(struct ksr_tcp_info *ret);
/* The first TCP listener of an address family, or NULL. */
struct ksr_listener *ksr_tcp_listener(int family);

#endif
