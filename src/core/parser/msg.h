/* Parsing of SIP messages: the first line and header boundaries at once, bodies on use. */
#ifndef KSR_CORE_PARSER_MSG_H
#define KSR_CORE_PARSER_MSG_H

#include "core/parser/msg-t.h"

/*
 * Parse the first line and split the headers of buf[0..len). The message keeps pointers
 * into buf; parsed structures come from arena. Returns 0, or -EINVAL on a malformed
 * message (ret_err, when not NULL, names what was wrong), -E2BIG over a limit, -ENOMEM,
 * -EPROTONOSUPPORT for a request whose SIP version is not 2.0 (headers still parsed).
 */
int ksr_msg_parse(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
		  const char **ret_err);

/*
 * The same for the message at the start of a stream buffer (TCP, TLS, WebSocket):
 * Content-Length is mandatory and ends the message; *ret_used is its length, so the bytes
 * after it are the next message (RFC 3261 18.3). -EAGAIN when the buffer holds only part
 * of a message: read more and parse again. Other errors as ksr_msg_parse; with -EINVAL,
 * *ret_used is set when the faulty message is still framed (it can be answered and
 * skipped), and untouched when the stream's framing is lost.
 */
int ksr_msg_parse_stream(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
			 size_t *ret_used, const char **ret_err);
/*
 * Core parameter tcp_accept_no_cl: on a stream, a message without Content-Length is
 * taken as one without a body (it ends at the empty line) instead of an error.
 */
extern bool ksr_msg_stream_accept_no_clen;

/* Header bodies, parsed on first call and cached on the header. 0 or -EINVAL/-ENOENT. */
int ksr_msg_via1(struct ksr_msg *msg, struct ksr_via **ret_via);
int ksr_msg_to(struct ksr_msg *msg, struct ksr_nameaddr **ret_to);
int ksr_msg_from(struct ksr_msg *msg, struct ksr_nameaddr **ret_from);
int ksr_msg_cseq(struct ksr_msg *msg, struct ksr_cseq **ret_cseq);

/* Stand-alone body parsers, also used by the cached accessors above. */
int ksr_parse_via(struct ksr_str body, struct ksr_arena *arena, struct ksr_via **ret_via);
int ksr_parse_nameaddr(struct ksr_str body, struct ksr_nameaddr *ret);
int ksr_parse_cseq(struct ksr_str body, struct ksr_cseq *ret);
enum ksr_method ksr_method_id(struct ksr_str name);
/* The first header of a type, and the next one of the same type; NULL when none. */
struct ksr_hdr *ksr_msg_hdr_first(const struct ksr_msg *msg, enum ksr_hdr_type type);
struct ksr_hdr *ksr_msg_hdr_next(const struct ksr_hdr *h);
enum ksr_hdr_type ksr_hdr_type_of(struct ksr_str name);

#endif
