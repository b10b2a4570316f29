/*
 * The edit model: changes to a received message are recorded against offsets of its
 * buffer and applied once, when the outgoing message is built (ARCHITECTURE.md 4).
 *
 * Order: edits apply by offset. At one offset, insertions come in the order they were
 * recorded, except that KSR_HDR_INSERT places its header before every other insertion
 * at that offset; then comes a deletion or replacement of the bytes from there on (what
 * is inserted before a byte stays before what replaces it). Deletions may not overlap,
 * and nothing may be inserted inside a deleted range (-EBUSY when recorded): a header
 * removed twice is one error, not two edits.
 */
#ifndef KSR_CORE_MSG_EDIT_H
#define KSR_CORE_MSG_EDIT_H

#include <stddef.h>

#include "core/parser/msg-t.h"

struct ksr_edit {
	size_t off; /* where in msg->buf */
	size_t del; /* bytes removed from off */
	struct ksr_str ins; /* bytes inserted at off (after the removal) */
	unsigned int seq; /* record order, for a stable sort */
	int prio; /* lower first among insertions at one offset */
	struct ksr_edit *next;
};

enum ksr_hdr_pos {
	KSR_HDR_APPEND, /* after the last header */
	KSR_HDR_INSERT, /* before the first header */
};

/* Header changes. line is a whole header with its CRLF ("X-A: b\r\n"); it is copied. */
int ksr_msg_add_hdr(struct ksr_msg *msg, struct ksr_str line, enum ksr_hdr_pos pos);
int ksr_msg_remove_hdr(struct ksr_msg *msg, struct ksr_hdr *h);
int ksr_msg_replace_hdr(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_str line);
/* Insert a header line right before header h. */
int ksr_msg_insert_hdr_before(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_str line);
/* Remove the first value of a multi-value header (e.g. the top Via of "Via: a, b"). */
int ksr_msg_remove_first_value(struct ksr_msg *msg, struct ksr_hdr *h, const char *value_end);

/*
 * Replace the len bytes of the received text at `at` with text (copied): len 0 inserts
 * before `at`, empty text deletes. For changes no other kind of edit names (textops'
 * replace, subst, search_append). The range must lie in msg->buf[0..len). A change in
 * the body makes the build rewrite Content-Length (when there is one). 0 or -errno.
 */
int ksr_msg_replace_range(struct ksr_msg *msg, const char *at, size_t len, struct ksr_str text);

/* A new Request-URI ($ru): replaces the one of the first line when built. */
int ksr_msg_set_ruri(struct ksr_msg *msg, struct ksr_str uri);
/* The Request-URI the message has now: the new one if set, else the received one. */
struct ksr_str ksr_msg_cur_ruri(const struct ksr_msg *msg);
/* Back to the received Request-URI (revert_uri). */
void ksr_msg_reset_ruri(struct ksr_msg *msg);

/*
 * A new body (empty to remove it); Content-Length is set to match when built, and
 * Content-Type replaced when content_type is not empty.
 */
int ksr_msg_set_body(struct ksr_msg *msg, struct ksr_str body, struct ksr_str content_type);

/*
 * Build the message with its edits applied into msg's arena. Content-Length is
 * rewritten when the body changed. 0 or -errno.
 */
int ksr_msg_build(struct ksr_msg *msg, struct ksr_str *ret_buf);

/*
 * msg_apply_changes() (core/msg/apply.c): build msg with its edits and make the result
 * its content, parsed again (in msg's arena): buffer, first line, headers, body. The edits,
 * the new Request-URI and the new body are then part of the text and cleared; what is not
 * text stays (source, flags, AVPs, $du, reply additions). On failure msg is unchanged:
 * -errno from the build, or -EINVAL (with *ret_err when not NULL) when the result does
 * not parse. 0 on success.
 */
int ksr_msg_apply_changes(struct ksr_msg *msg, const char **ret_err);
/*
 * msg_set_buffer(): text (copied) becomes msg's content, as ksr_msg_apply_changes; it must
 * parse as a message of the same kind (request or reply). 0 or -errno.
 */
int ksr_msg_set_content(struct ksr_msg *msg, struct ksr_str text, const char **ret_err);

/*
 * A Via header line for a message we send:
 * "Via: SIP/2.0/UDP host:port;branch=B[;rport][;srvid=N]" (srvid 0: none). host is an IP
 * or name (IPv6 without brackets); the result comes from arena.
 */
int ksr_via_build(struct ksr_arena *arena, const char *transport, const char *host,
		  unsigned short port, struct ksr_str branch, bool rport, unsigned int srvid,
		  struct ksr_str *ret_line);

/* Flags of the forward builders: for a stream transport, Content-Length is added if missing. */
#define KSR_BUILD_STREAM 1u

/*
 * A forwarded request: the message with its edits plus via_line as the new top Via.
 * (Route removal and R-URI changes are edits the caller records before.)
 */
int ksr_msg_build_fwd_request(struct ksr_msg *msg, struct ksr_str via_line, unsigned int flags,
			      struct ksr_str *ret_buf);
/* A forwarded reply: the message with its edits, minus its top Via value. */
int ksr_msg_build_fwd_reply(struct ksr_msg *msg, unsigned int flags, struct ksr_str *ret_buf);

#endif
