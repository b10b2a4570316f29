/*
 * multipart bodies (RFC 2046 5.1.1): the parts between "--boundary" delimiter lines, each
 * with its own headers and content. SDP and other contents stay text.
 */
#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"

/* boundary := 0*69<bchars> bcharsnospace */
static bool boundary_ok(struct ksr_str b)
{
	if (b.len == 0 || b.len > 70 || b.s[b.len - 1] == ' ')
		return false;
	for (size_t i = 0; i < b.len; i++) {
		char c = b.s[i];

		if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || ksr__is_digit(c) ||
		      strchr("'()+_,-./:=? ", c)))
			return false;
	}
	return true;
}

/*
 * The next delimiter line at or after from: "--" boundary at the start of a line, then
 * "--" (the close delimiter: *ret_close) or transport padding and a line end. Returns where
 * it starts, with *ret_after after it; NULL when there is none.
 */
static char *find_delim(char *start, char *from, char *end, struct ksr_str bnd, bool *ret_close,
			char **ret_after)
{
	char *q = from;

	while (q < end) {
		char *m = memmem(q, (size_t)(end - q), bnd.s, bnd.len), *d, *a;

		if (!m)
			return NULL;
		q = m + 1;
		if (m - from < 2)
			continue;
		d = m - 2;
		if (d[0] != '-' || d[1] != '-' || (d != start && d[-1] != '\n'))
			continue;
		a = m + bnd.len;
		if (end - a >= 2 && a[0] == '-' && a[1] == '-') {
			*ret_close = true;
			*ret_after = a + 2;
			return d;
		}
		while (a < end && (*a == ' ' || *a == '\t'))
			a++;
		if (a < end && *a == '\n') {
			*ret_after = a + 1;
		} else if (end - a >= 2 && a[0] == '\r' && a[1] == '\n') {
			*ret_after = a + 2;
		} else {
			continue;
		}
		*ret_close = false;
		return d;
	}
	return NULL;
}

/* The end of the header line at p (folding followed), and where the next line starts. */
static int header_line_end(char *p, char *pe, char **ret_end, char **ret_next)
{
	char *e = p, *nl;

	for (;;) {
		while (e < pe && *e != '\r' && *e != '\n')
			e++;
		if (e >= pe) {
			*ret_end = *ret_next = pe;
			return 0;
		}
		nl = e;
		if (*nl == '\r') {
			if (pe - nl < 2 || nl[1] != '\n')
				return -EINVAL;
			nl += 2;
		} else {
			nl++;
		}
		if (nl < pe && (*nl == ' ' || *nl == '\t')) {
			e = nl;
			continue;
		}
		*ret_end = e;
		*ret_next = nl;
		return 0;
	}
}

/* body-part := MIME-part-headers [CRLF *OCTET] */
static int parse_part(char *p, char *pe, struct ksr_arena *arena, struct ksr_body_part *part)
{
	struct ksr_hdr **tail = &part->hdrs;
	char *hstart = p;
	unsigned int n = 0;

	for (;;) {
		char *name_end, *colon, *vend, *next;
		struct ksr_hdr *h;
		int r;

		if (p >= pe) {
			part->content = ksr_str_make(pe, 0);
			break;
		}
		if (*p == '\r' || *p == '\n') {
			char *c = p;

			if (*c == '\r' && (pe - c < 2 || c[1] != '\n'))
				return -EINVAL;
			c += *c == '\r' ? 2 : 1;
			part->content = ksr_str_make(c, (size_t)(pe - c));
			break;
		}
		if (++n > KSR_MSG_MAX_HEADERS)
			return -E2BIG;
		name_end = ksr__skip_token(p, pe);
		for (colon = name_end; colon < pe && (*colon == ' ' || *colon == '\t'); colon++)
			;
		if (name_end == p || colon >= pe || *colon != ':')
			return -EINVAL;
		r = header_line_end(colon + 1, pe, &vend, &next);
		if (r < 0)
			return r;
		h = ksr_arena_alloc(arena, sizeof(*h));
		if (!h)
			return -ENOMEM;
		h->name = ksr_str_make(p, (size_t)(name_end - p));
		h->type = ksr_hdr_type_of(h->name);
		h->body = ksr_str_make(colon + 1, (size_t)(vend - colon - 1));
		ksr_str_trim(&h->body);
		h->line = ksr_str_make(p, (size_t)(next - p));
		if (h->type == KSR_HDR_CONTENTTYPE && !part->content_type.s)
			part->content_type = h->body;
		*tail = h;
		tail = &h->next;
		p = next;
	}
	part->headers = ksr_str_make(hstart, (size_t)(p - hstart));
	return 0;
}

int ksr_parse_multipart(struct ksr_str body, struct ksr_str boundary, struct ksr_arena *arena,
			struct ksr_body_part **ret_parts)
{
	char *start = body.s, *end = ksr_str_end(body), *after, *d;
	struct ksr_body_part *first = NULL, **tail = &first;
	unsigned int nparts = 0;
	bool close = false;

	if (!boundary_ok(boundary) || !start)
		return -EINVAL;
	/* the preamble is skipped; the first delimiter must not be the close one */
	d = find_delim(start, start, end, boundary, &close, &after);
	if (!d || close)
		return -EINVAL;
	while (!close) {
		char *part_start = after, *cend;
		struct ksr_body_part *part;
		int r;

		d = find_delim(start, part_start, end, boundary, &close, &after);
		if (!d)
			return -EINVAL; /* no close delimiter */
		/* the line break before a delimiter belongs to it */
		cend = d;
		if (cend > part_start && cend[-1] == '\n') {
			cend--;
			if (cend > part_start && cend[-1] == '\r')
				cend--;
		}
		if (++nparts > KSR_MSG_MAX_BODY_PARTS)
			return -E2BIG;
		part = ksr_arena_alloc(arena, sizeof(*part));
		if (!part)
			return -ENOMEM;
		r = parse_part(part_start, cend, arena, part);
		if (r < 0)
			return r;
		*tail = part;
		tail = &part->next;
	}
	/* the epilogue, after the close delimiter, is ignored */
	*ret_parts = first;
	return 0;
}

int ksr_msg_body_parts(struct ksr_msg *msg, struct ksr_body_part **ret_parts)
{
	struct ksr_content_type *ct;
	struct ksr_body_part *parts;
	int r = ksr_msg_content_type(msg, &ct);

	if (r < 0)
		return r;
	if (!ksr_str_caseeq_cstr(&ct->type, "multipart"))
		return -ENOENT;
	if (!ct->boundary.len)
		return -EINVAL;
	if (!ct->parts) {
		r = ksr_parse_multipart(msg->body, ct->boundary, msg->arena, &parts);
		if (r < 0)
			return r;
		ct->parts = parts;
	}
	*ret_parts = ct->parts;
	return 0;
}
