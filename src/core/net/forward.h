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
 * The pieces of ksr_forward_request, for a transaction layer that builds its own
 * branches: the listener a request to d leaves from (the forced send socket when it fits,
 * else the receiving one, else one of d's transport and family; NULL when none); our Via
 * for a request leaving from l with the given branch (advertised address, rport and
 * srvid as the script asked), in msg's arena; d's flags from set_forward_no_connect() and
 * set_forward_close().
 */
struct ksr_listener *ksr_forward_listener(const struct ksr_msg *msg, const struct ksr_dest *d);
int ksr_forward_via(struct ksr_msg *msg, const struct ksr_listener *l, struct ksr_str branch,
		    struct ksr_str *ret_line);
void ksr_forward_dest_flags(const struct ksr_msg *msg, struct ksr_dest *d);

/*
 * What a module adds to a request once forwarding knows the listener it leaves from: rr's
 * Record-Route names that listener (and the receiving one too when they differ), which
 * the script cannot know when it calls record_route(). ksr_forward_request calls every
 * hook, in the order they were added, after it has chosen the outgoing listener and
 * before it builds the message. The edits a hook records on msg (ksr_msg_add_hdr, ...)
 * go into that one copy and are dropped once it is built, so a request forwarded twice
 * gets them afresh each time, for its own listener. A hook returns 0, or a negative errno
 * that fails the forward.
 */
typedef int (*ksr_forward_hook_fn)(struct ksr_msg *msg, const struct ksr_listener *out);
#define KSR_MAX_FORWARD_HOOKS 8
/*
 * Add a hook (from mod_init; adding one that is there already does nothing). 0, or
 * -ENOSPC past KSR_MAX_FORWARD_HOOKS.
 */
int ksr_forward_add_hook(ksr_forward_hook_fn fn);
/* Forget a hook (from the module's destroy); one that is not there is ignored. */
void ksr_forward_del_hook(ksr_forward_hook_fn fn);
/*
 * Run the hooks for request msg leaving from out: what ksr_forward_request does, and what
 * a transaction layer building its branches does too. The caller keeps msg->edits and
 * msg->nedits from before the call and puts them back once the copy is built. 0, or the
 * first failing hook's negative errno.
 */
int ksr_forward_run_hooks(struct ksr_msg *msg, const struct ksr_listener *out);

/*
 * Relay reply msg to the next hop: when its top Via is ours, that Via is removed and the
 * reply goes where the next Via says (received/rport, else sent-by), over its transport
 * (on the connection the request came on, when it is still open). -ENOENT when the reply
 * is not for relaying (not our Via, or no other Via).
 */
int ksr_forward_reply(struct ksr_msg *msg);

#endif
