/* Stateless forwarding of requests and replies, and sending to a destination (UDP, TCP). */
#ifndef KSR_CORE_NET_FORWARD_H
#define KSR_CORE_NET_FORWARD_H

#include <sys/socket.h>

#include "core/parser/msg-t.h"

/* Where a message goes: the transport and the address. */
struct ksr_dest {
	int proto; /* IPPROTO_UDP or IPPROTO_TCP */
	unsigned int flags; /* KSR_DEST_*, for stream transports */
	struct sockaddr_storage to;
	socklen_t to_len;
};

/* Over TCP: only on a connection that exists; close the connection once sent. */
#define KSR_DEST_NO_CONNECT 1u
#define KSR_DEST_CLOSE 2u

/*
 * The destination a sip/sips URI names: its maddr, else its host (resolved with
 * getaddrinfo), its port or 5060; the transport is proto when not 0, else the URI's
 * transport parameter (UDP when none). 0 or -errno (-EPROTONOSUPPORT for sips, TLS, SCTP
 * and WebSocket, which we cannot send over yet).
 */
int ksr_dest_from_uri(struct ksr_str uri, int proto, struct ksr_dest *ret);
/*
 * Send buf to d, from listener `from` when it has d's transport and address family (else
 * one that has: over TCP the connection we have with the peer, or a new one). 0 or -errno,
 * logged.
 */
int ksr_dest_send(const struct ksr_dest *d, struct ksr_listener *from, const char *buf,
		  size_t len);

/*
 * Send request msg, with its edits and our Via on top (a stateless branch: the same for
 * retransmissions, and for the ACK or CANCEL of an INVITE), to the sip/sips URI target
 * over proto (IPPROTO_UDP, IPPROTO_TCP, or 0 for what the URI says), from the forced send
 * socket when one fits. Over TCP a missing Content-Length is added. 0 or -errno.
 */
int ksr_forward_request(struct ksr_msg *msg, struct ksr_str target, int proto);

/*
 * Relay reply msg to the next hop: when its top Via is ours, that Via is removed and the
 * reply goes where the next Via says (received/rport, else sent-by), over its transport
 * (on the connection the request came on, when it is still open). -ENOENT when the reply
 * is not for relaying (not our Via, or no other Via).
 */
int ksr_forward_reply(struct ksr_msg *msg);

#endif
