/* Replies built by the server itself (stateless): from a request to bytes on the wire. */
#ifndef KSR_CORE_MSG_REPLY_H
#define KSR_CORE_MSG_REPLY_H

#include "core/parser/msg-t.h"

/* Add the Server header to local replies (core parameter `server_signature`). */
extern bool ksr_server_signature;
/*
 * That header's whole line without CRLF: "Server: kamailio (...)" by default, replaced
 * by core parameter `server_header`. The text must outlive every reply built with it.
 */
extern struct ksr_str ksr_server_header;

/*
 * Build the reply to request req per RFC 3261 8.2.6: Vias (the top one with received
 * and rport per RFC 3581), From, To (with to_tag added when the To has no tag and
 * code > 100), Call-ID, CSeq, then the headers and body added for req's replies
 * (ksr_reply_add_hdrs, ksr_reply_set_body). The bytes come from req's arena. 0 or -errno.
 */
int ksr_reply_build(struct ksr_msg *req, unsigned int code, struct ksr_str reason,
		    struct ksr_str to_tag, struct ksr_str *ret_buf);

/*
 * Header lines for every local reply to req, after the copied headers, in the order
 * added: one or more "Name: value\r\n" (copied). -EINVAL for text that is not whole
 * header lines. 0 or -errno.
 */
int ksr_reply_add_hdrs(struct ksr_msg *req, struct ksr_str lines);
/*
 * A body for the local replies to req; its "Content-Type: content_type" line joins the
 * added headers at this point. -EEXIST when a body was set already. 0 or -errno.
 */
int ksr_reply_set_body(struct ksr_msg *req, struct ksr_str body, struct ksr_str content_type);

/* Where a reply to req goes (RFC 3261 18.2.2, RFC 3581 4). 0 or -errno. */
int ksr_reply_dest(struct ksr_msg *req, struct sockaddr_storage *ret_to, socklen_t *ret_len);

/*
 * A To-tag for local replies: the same for retransmissions of one request. All share a
 * prefix chosen at start (upstream's "signature"), which ksr_reply_is_local_tag finds.
 */
int ksr_reply_local_tag(struct ksr_msg *req, struct ksr_str *ret_tag);
/* Whether tag is one ksr_reply_local_tag made (in this run of the daemon). */
bool ksr_reply_is_local_tag(struct ksr_str tag);

/*
 * A status code as a script writes it ("404"): its value, or -1 when it is not 1 to 3
 * digits (the range 100..699 is the caller's to check).
 */
long ksr_reply_code_parse(struct ksr_str s);
/* Whether a reason phrase has no line break (RFC 3261 25.1): nothing can add headers. */
bool ksr_reply_reason_ok(struct ksr_str reason);

/* Build, then send on the socket the request came in. 0 or -errno. */
int ksr_reply_send(struct ksr_msg *req, unsigned int code, struct ksr_str reason);

#endif
