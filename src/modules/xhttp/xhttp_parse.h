/* xhttp: framing and checking of HTTP/1.x requests (RFC 7230), apart for unit tests. */
#ifndef KSR_MODULES_XHTTP_XHTTP_PARSE_H
#define KSR_MODULES_XHTTP_XHTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct ksr_arena;

/* Bounds of what is accepted; beyond them the request is refused (413 or 431). */
#define XHTTP_MAX_HEAD 16384    /* bytes from the request line to the empty line */
#define XHTTP_MAX_HEADERS 100   /* header fields */
#define XHTTP_MAX_REQUEST 65535 /* head and body: what the SIP parser takes at most */

/* One request, as it was found at the start of a stream buffer. */
struct xhttp_request {
	struct ksr_str method, target;
	int minor; /* HTTP/1.minor */
	/* the request line to the empty line included (empty lines before it left out) */
	struct ksr_str head;
	/* the body: in the buffer (Content-Length), or decoded into the arena (chunked) */
	struct ksr_str body;
	size_t used;          /* bytes of the buffer the request took */
	bool keep_alive;      /* the connection stays open after the answer */
	bool expect_continue; /* "Expect: 100-continue" */
	bool head_done;       /* with -EAGAIN: the head is whole, the body is not */
	size_t body_seen;     /* with -EAGAIN and head_done: body bytes received so far */
};

/*
 * Whether line[0..len) (its line end excluded) looks like an HTTP/1.x request line: a
 * method token, a request target, "HTTP/" digit "." digit. Checked loosely (what is
 * claimed and malformed gets 400): method SP anything SP HTTP-version.
 */
bool xhttp_is_request_line(const char *line, size_t len);

/*
 * Frame and check the request at the start of buf[0..len). 0 with *ret filled; -EAGAIN
 * when more bytes are needed; or the refusal, with *ret_why naming it: -EINVAL (400),
 * -E2BIG (413), -EMSGSIZE (431), -ENOSYS (a transfer coding other than chunked, 501),
 * -EPROTONOSUPPORT (not HTTP/1.x, 505), -ENOMEM.
 */
int xhttp_parse_request(char *buf, size_t len, struct ksr_arena *arena, struct xhttp_request *ret,
                        const char **ret_why);

/* The status code and reason answering a refusal of xhttp_parse_request. */
int xhttp_refusal_status(int err, const char **ret_reason);

#endif
