/* Stateless forwarding of requests and replies (UDP so far). */
#ifndef KSR_CORE_NET_FORWARD_H
#define KSR_CORE_NET_FORWARD_H

#include "core/parser/msg-t.h"

/*
 * Send request msg, with its edits and our Via on top (a stateless branch: the same for
 * retransmissions, and for the ACK or CANCEL of an INVITE), to the sip/sips URI target
 * (its maddr, else its host, resolved with getaddrinfo; port 5060 when absent).
 * 0 or -errno (-EPROTONOSUPPORT for a transport we cannot send over yet).
 */
int ksr_forward_request(struct ksr_msg *msg, struct ksr_str target);

/*
 * Relay reply msg to the next hop: when its top Via is ours, that Via is removed and the
 * reply goes where the next Via says (received/rport, else sent-by). -ENOENT when the reply
 * is not for relaying (not our Via, or no other Via).
 */
int ksr_forward_reply(struct ksr_msg *msg);

#endif
