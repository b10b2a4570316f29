/* The edit model: changes recorded against buffer offsets, applied once when built. */
#include "core/msg/edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/mem/arena.h"
#include "core/parser/msg.h"

/* Insertion priorities at one offset: lower first. */
enum {
	PRIO_VIA = -2, /* the Via of a forwarded request is the top header */
	PRIO_INSERT = -1, /* KSR_HDR_INSERT */
	PRIO_NORMAL = 0,
};

static size_t off_of(const struct ksr_msg *msg, const char *p)
{
	return (size_t)(p - msg->buf);
}

/* Where the header block ends: the start of the empty line. */
static size_t headers_end(const struct ksr_msg *msg)
{
	const struct ksr_hdr *h = msg->headers;

	if (!h) {
		/* the body starts after "first line CRLF CRLF": the empty line is before it */
		size_t b = off_of(msg, msg->body.s);

		if (b >= 2 && msg->buf[b - 1] == '\n' && msg->buf[b - 2] == '\r')
			return b - 2;
		return b >= 1 ? b - 1 : b;
	}
	while (h->next)
		h = h->next;
	return off_of(msg, ksr_str_end(h->line));
}

static size_t headers_start(const struct ksr_msg *msg)
{
	return msg->headers ? off_of(msg, msg->headers->line.s) : headers_end(msg);
}

static bool overlaps(size_t a, size_t alen, size_t b, size_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static int record(struct ksr_msg *msg, size_t off, size_t del, struct ksr_str ins, int prio,
		  bool copy)
{
	struct ksr_edit *e;

	if (off > msg->len || del > msg->len - off)
		return -EINVAL;
	for (e = msg->edits; e; e = e->next) {
		if (overlaps(off, del, e->off, e->del))
			return -EBUSY;
		/*
		 * bytes inserted inside a deleted range could not be placed: refused now, not
		 * when the message is built (at either end of the range they can)
		 */
		if ((!del && off > e->off && off < e->off + e->del) ||
		    (!e->del && e->off > off && e->off < off + del))
			return -EBUSY;
	}
	e = ksr_arena_alloc(msg->arena, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (copy && ins.len) {
		char *c = ksr_arena_alloc(msg->arena, ins.len);

		if (!c)
			return -ENOMEM;
		memcpy(c, ins.s, ins.len);
		ins.s = c;
	}
	e->off = off;
	e->del = del;
	e->ins = ins;
	e->prio = prio;
	e->seq = msg->nedits++;
	e->next = msg->edits;
	msg->edits = e;
	return 0;
}

/* A header line must be one line ending in CRLF, with a name and a colon. */
static bool valid_line(struct ksr_str line)
{
	if (line.len < 4 || line.s[line.len - 2] != '\r' || line.s[line.len - 1] != '\n')
		return false;
	for (size_t i = 0; i + 2 < line.len; i++)
		if (line.s[i] == '\r' || line.s[i] == '\n')
			return false;
	return memchr(line.s, ':', line.len) != NULL && line.s[0] != ':' && line.s[0] != ' ';
}

int ksr_msg_add_hdr(struct ksr_msg *msg, struct ksr_str line, enum ksr_hdr_pos pos)
{
	if (!valid_line(line))
		return -EINVAL;
	if (pos == KSR_HDR_INSERT)
		return record(msg, headers_start(msg), 0, line, PRIO_INSERT, true);
	return record(msg, headers_end(msg), 0, line, PRIO_NORMAL, true);
}

int ksr_msg_remove_hdr(struct ksr_msg *msg, struct ksr_hdr *h)
{
	return record(msg, off_of(msg, h->line.s), h->line.len, KSR_STR_NULL, PRIO_NORMAL, false);
}

int ksr_msg_replace_hdr(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_str line)
{
	if (!valid_line(line))
		return -EINVAL;
	return record(msg, off_of(msg, h->line.s), h->line.len, line, PRIO_NORMAL, true);
}

int ksr_msg_insert_hdr_before(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_str line)
{
	if (!valid_line(line))
		return -EINVAL;
	return record(msg, off_of(msg, h->line.s), 0, line, PRIO_NORMAL, true);
}

/* The bytes that remove the first value of h, up to the next value (or the whole line). */
static void first_value_range(const struct ksr_hdr *h, const char *value_end, size_t *ret_from,
			      size_t *ret_len, const struct ksr_msg *msg)
{
	const char *body_end = ksr_str_end(h->body), *p = value_end;

	while (p < body_end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p < body_end && *p == ',') {
		p++;
		while (p < body_end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		*ret_from = off_of(msg, h->body.s);
		*ret_len = (size_t)(p - h->body.s);
		return;
	}
	/* the only value: the whole header goes */
	*ret_from = off_of(msg, h->line.s);
	*ret_len = h->line.len;
}

int ksr_msg_remove_first_value(struct ksr_msg *msg, struct ksr_hdr *h, const char *value_end)
{
	size_t from, len;

	if (value_end < h->body.s || value_end > ksr_str_end(h->body))
		return -EINVAL;
	first_value_range(h, value_end, &from, &len, msg);
	return record(msg, from, len, KSR_STR_NULL, PRIO_NORMAL, false);
}

int ksr_msg_replace_range(struct ksr_msg *msg, const char *at, size_t len, struct ksr_str text)
{
	if (!at || at < msg->buf || at > msg->buf + msg->len ||
	    len > (size_t)(msg->buf + msg->len - at))
		return -EINVAL;
	if (len == 0 && text.len == 0)
		return 0;
	return record(msg, off_of(msg, at), len, text, PRIO_NORMAL, true);
}

int ksr_msg_set_ruri(struct ksr_msg *msg, struct ksr_str uri)
{
	char *c;

	if (msg->type != KSR_MSG_REQUEST || uri.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < uri.len; i++)
		if ((unsigned char)uri.s[i] <= ' ')
			return -EINVAL;
	c = ksr_arena_alloc(msg->arena, uri.len);
	if (!c)
		return -ENOMEM;
	memcpy(c, uri.s, uri.len);
	msg->ruri_consumed = false;
	msg->new_uri = ksr_str_make(c, uri.len);
	msg->new_ruri = NULL;
	return 0;
}

struct ksr_str ksr_msg_cur_ruri(const struct ksr_msg *msg)
{
	return msg->new_uri.s ? msg->new_uri : msg->first.req.uri;
}

void ksr_msg_reset_ruri(struct ksr_msg *msg)
{
	msg->new_uri = KSR_STR_NULL;
	msg->new_ruri = NULL;
	msg->ruri_consumed = false;
}

int ksr_msg_set_body(struct ksr_msg *msg, struct ksr_str body, struct ksr_str content_type)
{
	char *c = NULL;
	int r;

	if (body.len) {
		c = ksr_arena_alloc(msg->arena, body.len);
		if (!c)
			return -ENOMEM;
		memcpy(c, body.s, body.len);
	}
	if (content_type.len) {
		struct ksr_hdr *ct = ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE);
		char *line = ksr_arena_alloc(msg->arena, content_type.len + 17);
		struct ksr_str l;

		if (!line)
			return -ENOMEM;
		l.len = (size_t)snprintf(line, content_type.len + 17, "Content-Type: %.*s\r\n",
					 KSR_STR_FMT(content_type));
		l.s = line;
		r = ct ? ksr_msg_replace_hdr(msg, ct, l) : ksr_msg_add_hdr(msg, l, KSR_HDR_APPEND);
		if (r < 0)
			return r;
	}
	msg->new_body_set = true;
	msg->new_body = ksr_str_make(c, body.len);
	return 0;
}

/* Edits that exist only when building: new R-URI, body and its Content-Length. */
struct build {
	struct ksr_edit *v;
	size_t n, cap;
};

static int push(struct build *b, size_t off, size_t del, struct ksr_str ins, int prio,
		unsigned int seq)
{
	if (b->n == b->cap)
		return -ENOMEM;
	b->v[b->n++] = (struct ksr_edit){.off = off, .del = del, .ins = ins, .prio = prio, .seq = seq};
	return 0;
}

static int cmp_edit(const void *pa, const void *pb)
{
	const struct ksr_edit *a = pa, *b = pb;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	/*
	 * at one offset the insertions come first: what goes before a byte goes before
	 * whatever replaces it (a header added after the one before a replaced header)
	 */
	if ((a->del != 0) != (b->del != 0))
		return a->del ? 1 : -1;
	if (a->prio != b->prio)
		return a->prio < b->prio ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/*
 * Whether recorded edits fall in the body (ksr_msg_replace_range), and its length then:
 * its Content-Length must follow. An insertion at the body's first byte is in the body.
 */
static bool body_edited(const struct ksr_msg *msg, size_t *ret_len)
{
	size_t b = off_of(msg, msg->body.s), e = b + msg->body.len, len = msg->body.len;
	bool any = false;

	for (const struct ksr_edit *ed = msg->edits; ed; ed = ed->next) {
		size_t from = ed->off > b ? ed->off : b;
		size_t to = ed->off + ed->del < e ? ed->off + ed->del : e;

		if (to > from) {
			len -= to - from;
			any = true;
		}
		if (ed->ins.len && ed->off >= b) {
			len += ed->ins.len;
			any = true;
		}
	}
	*ret_len = len;
	return any;
}

/* Content-Length set to len: its value replaced, or a header added when there is none. */
static int push_clen(struct build *b, struct ksr_msg *msg, size_t len)
{
	char clen[40];
	struct ksr_str l;

	if (msg->h_clen)
		l.len = (size_t)snprintf(clen, sizeof(clen), "%zu", len);
	else
		l.len = (size_t)snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n", len);
	l.s = ksr_arena_alloc(msg->arena, l.len);
	if (!l.s)
		return -ENOMEM;
	memcpy(l.s, clen, l.len);
	if (msg->h_clen)
		return push(b, off_of(msg, msg->h_clen->body.s), msg->h_clen->body.len, l,
			    PRIO_NORMAL, msg->nedits + 4);
	return push(b, headers_end(msg), 0, l, PRIO_NORMAL, msg->nedits + 4);
}

static int build(struct ksr_msg *msg, struct ksr_str via_line, bool drop_top_via,
		 unsigned int flags, struct ksr_str *ret_buf)
{
	struct build b;
	size_t out_len, pos, i, blen;
	char *out, *o;
	int r;

	b.cap = msg->nedits + 6;
	b.n = 0;
	b.v = ksr_arena_alloc(msg->arena, b.cap * sizeof(*b.v));
	if (!b.v)
		return -ENOMEM;
	for (struct ksr_edit *e = msg->edits; e; e = e->next)
		b.v[b.n++] = *e;
	if (msg->type == KSR_MSG_REQUEST && msg->new_uri.s &&
	    (r = push(&b, off_of(msg, msg->first.req.uri.s), msg->first.req.uri.len,
		      msg->new_uri, PRIO_NORMAL, msg->nedits)) < 0)
		return r;
	if (via_line.len &&
	    (r = push(&b, headers_start(msg), 0, via_line, PRIO_VIA, msg->nedits + 1)) < 0)
		return r;
	if (drop_top_via) {
		struct ksr_via *via;
		size_t from, len;

		if ((r = ksr_msg_via1(msg, &via)) < 0)
			return r;
		first_value_range(msg->h_via1, via->end, &from, &len, msg);
		if ((r = push(&b, from, len, KSR_STR_NULL, PRIO_NORMAL, msg->nedits + 2)) < 0)
			return r;
	}
	if (msg->new_body_set) {
		if ((r = push(&b, off_of(msg, msg->body.s), msg->body.len, msg->new_body,
			      PRIO_NORMAL, msg->nedits + 3)) < 0 ||
		    (r = push_clen(&b, msg, msg->new_body.len)) < 0)
			return r;
	} else if (msg->h_clen && body_edited(msg, &blen) && (r = push_clen(&b, msg, blen)) < 0) {
		/* without Content-Length (UDP) the body runs to the end whatever its length */
		return r;
	} else if (!msg->h_clen && (flags & KSR_BUILD_STREAM)) {
		/* over a stream the receiver frames by Content-Length: it must be there */
		body_edited(msg, &blen);
		if ((r = push_clen(&b, msg, blen)) < 0)
			return r;
	}
	qsort(b.v, b.n, sizeof(*b.v), cmp_edit);

	/* the bytes kept are the message up to the end of its body (UDP extras dropped) */
	size_t end = off_of(msg, ksr_str_end(msg->body));

	/*
	 * Check the set before sizing it: deletions may not overlap, and an insertion may
	 * not fall inside a deleted range (at its start it sorts before the deletion).
	 */
	out_len = end;
	pos = 0;
	for (i = 0; i < b.n; i++) {
		const struct ksr_edit *e = &b.v[i];

		if (e->off > end || e->del > end - e->off)
			return -EINVAL;
		if (e->off < pos)
			return -EBUSY;
		if (e->del)
			pos = e->off + e->del;
		out_len += e->ins.len;
		out_len -= e->del;
	}
	out = ksr_arena_alloc(msg->arena, out_len + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	pos = 0;
	for (i = 0; i < b.n; i++) {
		const struct ksr_edit *e = &b.v[i];

		if (e->off > pos) {
			memcpy(o, msg->buf + pos, e->off - pos);
			o += e->off - pos;
			pos = e->off;
		}
		if (e->del)
			pos = e->off + e->del;
		if (e->ins.len) { /* a pure deletion has no bytes to insert (and may have no pointer) */
			memcpy(o, e->ins.s, e->ins.len);
			o += e->ins.len;
		}
	}
	memcpy(o, msg->buf + pos, end - pos);
	o += end - pos;
	*o = '\0';
	ret_buf->s = out;
	ret_buf->len = (size_t)(o - out);
	return 0;
}

int ksr_msg_build(struct ksr_msg *msg, struct ksr_str *ret_buf)
{
	return build(msg, KSR_STR_NULL, false, 0, ret_buf);
}

int ksr_msg_build_fwd_request(struct ksr_msg *msg, struct ksr_str via_line, unsigned int flags,
			      struct ksr_str *ret_buf)
{
	if (msg->type != KSR_MSG_REQUEST || !valid_line(via_line))
		return -EINVAL;
	return build(msg, via_line, false, flags, ret_buf);
}

int ksr_msg_build_fwd_reply(struct ksr_msg *msg, unsigned int flags, struct ksr_str *ret_buf)
{
	if (msg->type != KSR_MSG_REPLY || !msg->h_via1)
		return -EINVAL;
	return build(msg, KSR_STR_NULL, true, flags, ret_buf);
}

/* Append n bytes; the caller sized the buffer. */
static char *put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

/* n in decimal at o; the end. */
static char *put_uint(char *o, unsigned int n)
{
	char digits[10];
	int nd = 0;

	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (nd)
		*o++ = digits[--nd];
	return o;
}

int ksr_via_build(struct ksr_arena *arena, const char *transport, const char *host,
		  unsigned short port, struct ksr_str branch, bool rport, unsigned int srvid,
		  struct ksr_str *ret_line)
{
	bool v6 = strchr(host, ':') != NULL;
	size_t tlen = strlen(transport), hlen = strlen(host);
	size_t size = tlen + hlen + branch.len + 64;
	char *line, *o;

	if (branch.len == 0)
		return -EINVAL;
	line = ksr_arena_alloc(arena, size);
	if (!line)
		return -ENOMEM;
	/* built by hand: this runs for every forwarded request */
	o = put(line, "Via: SIP/2.0/", 13);
	o = put(o, transport, tlen);
	*o++ = ' ';
	if (v6)
		*o++ = '[';
	o = put(o, host, hlen);
	if (v6)
		*o++ = ']';
	*o++ = ':';
	o = put_uint(o, port);
	o = put(o, ";branch=", 8);
	o = put(o, branch.s, branch.len);
	if (rport)
		o = put(o, ";rport", 6);
	if (srvid) {
		o = put(o, ";srvid=", 7);
		o = put_uint(o, srvid);
	}
	o = put(o, "\r\n", 2);
	*ret_line = ksr_str_make(line, (size_t)(o - line));
	return 0;
}
