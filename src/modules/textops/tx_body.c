/*
 * textops: bodies: has_body, set_body, set_reply_body, and multipart bodies (RFC 2046:
 * set_body_multipart, append_body_part, get_body_part, remove_body_part, filter_body).
 */
#include <errno.h>
#include <stdio.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/msg/reply.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "textops.h"

#define DEFAULT_BOUNDARY "unique-boundary-1"

/* --- has_body --- */

/* "type/subtype", both tokens, kept in p->ptr as two strings. */
struct mime {
	struct ksr_str type, subtype;
};

static int parse_mime(struct ksr_str s, struct mime *ret)
{
	char *slash = memchr(s.s, '/', s.len);

	if (!slash)
		return -EINVAL;
	ret->type = ksr_str_make(s.s, (size_t)(slash - s.s));
	ret->subtype = ksr_str_make(slash + 1, (size_t)(ksr_str_end(s) - slash - 1));
	ksr_str_trim(&ret->type);
	ksr_str_trim(&ret->subtype);
	if (!ret->type.len || !ret->subtype.len || memchr(ret->subtype.s, ';', ret->subtype.len) ||
	    memchr(ret->subtype.s, ',', ret->subtype.len))
		return -EINVAL;
	return 0;
}

int textops_fixup_has_body(struct ksr_fparam *p, int n, const char **ret_err)
{
	struct mime *m;

	if (p[0].dynamic) {
		*ret_err = "the mime type must be a constant";
		return -EINVAL;
	}
	if (p[0].s.len == 0 || (p[0].s.len == 1 && p[0].s.s[0] == '0'))
		return 0; /* as upstream: no type to check */
	m = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (parse_mime(p[0].s, m) < 0) {
		*ret_err = "the mime type must be type/subtype (one of them)";
		return -EINVAL;
	}
	p[0].ptr = m;
	return 0;
}

/* A body that Content-Length announces (as upstream: without the header, no body). */
static bool has_body(const struct ksr_msg *msg)
{
	return msg->h_clen && msg->body.len > 0;
}

int textops_has_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct mime *want = p ? p[0].ptr : NULL;
	struct ksr_content_type *ct;
	struct mime have;

	if (!has_body(msg))
		return -1;
	if (!want)
		return 1;
	if (!ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE)) {
		/* RFC 3261 20.15 leaves it unsaid; upstream takes SDP */
		have.type = KSR_STR_STATIC("application");
		have.subtype = KSR_STR_STATIC("sdp");
	} else if (ksr_msg_content_type(msg, &ct) == 0) {
		have.type = ct->type;
		have.subtype = ct->subtype;
	} else {
		return -1;
	}
	return ksr_str_caseeq(&have.type, &want->type) &&
			       ksr_str_caseeq(&have.subtype, &want->subtype)
		       ? 1
		       : -1;
}

int textops_has_body0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return textops_has_body(msg, NULL);
}

/* --- set_body, remove_body (textopsx uses the core directly), set_reply_body --- */

static bool one_line(struct ksr_str s)
{
	return !memchr(s.s, '\r', s.len) && !memchr(s.s, '\n', s.len);
}

int textops_set_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_hdr *cth = ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE);
	struct ksr_str ct = p[1].s;
	int r;

	if (p[0].s.len == 0 || ct.len == 0 || !one_line(ct)) {
		LM_ERR("set_body needs a body and a one-line content type\n");
		return -1;
	}
	if (cth && ksr_str_eq(&cth->body, &ct))
		ct = KSR_STR_NULL; /* the same type: the header stays as it is */
	r = ksr_msg_set_body(msg, p[0].s, ct);
	if (r < 0) {
		LM_ERR("cannot set the body: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

int textops_set_reply_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r = ksr_reply_set_body(msg, p[0].s, p[1].s);

	if (r < 0) {
		LM_ERR("cannot set the reply body: %s\n",
		       r == -EEXIST ? "one is set already" : strerror(-r));
		return -1;
	}
	return 1;
}

/* --- multipart --- */

/* boundary := 0*69<bchars> bcharsnospace (RFC 2046 5.1.1) */
static bool boundary_ok(struct ksr_str b)
{
	if (b.len == 0 || b.len > 70 || b.s[b.len - 1] == ' ')
		return false;
	for (size_t i = 0; i < b.len; i++) {
		char c = b.s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("'()+_,-./:=? ", c)))
			return false;
	}
	return true;
}

/* The boundary of a multipart body; -ENOENT when the body is not multipart. */
static int msg_boundary(struct ksr_msg *msg, struct ksr_str *ret)
{
	struct ksr_content_type *ct;

	if (!has_body(msg) || !ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE) ||
	    ksr_msg_content_type(msg, &ct) < 0 || !ksr_str_caseeq_cstr(&ct->type, "multipart") ||
	    ct->boundary.len == 0)
		return -ENOENT;
	*ret = ct->boundary;
	return 0;
}

/* Concatenate n strings into msg's arena. */
static struct ksr_str concat(struct ksr_msg *msg, const struct ksr_str *v, size_t n)
{
	size_t len = 0, i;
	char *s, *o;

	for (i = 0; i < n; i++)
		len += v[i].len;
	o = s = ksr_arena_alloc(msg->arena, len + 1);
	if (!s)
		return KSR_STR_NULL;
	for (i = 0; i < n; i++) {
		if (v[i].len)
			memcpy(o, v[i].s, v[i].len);
		o += v[i].len;
	}
	return ksr_str_make(s, len);
}

#define S(x) KSR_STR_STATIC(x)

/*
 * One part after its delimiter line: "Content-Type: ct\r\n[Content-Disposition: cd\r\n]
 * \r\n" content "\r\n". ct may carry more header lines ("text/plain\r\nX-A: b").
 */
static struct ksr_str part_text(struct ksr_msg *msg, struct ksr_str content, struct ksr_str ct,
				struct ksr_str cd)
{
	struct ksr_str v[] = {S("Content-Type: "), ct, S("\r\n"),
			      cd.len ? S("Content-Disposition: ") : KSR_STR_NULL, cd,
			      cd.len ? S("\r\n") : KSR_STR_NULL, S("\r\n"), content, S("\r\n")};
	struct ksr_str hdrs = concat(msg, v, 6);

	if (!hdrs.s || !tx_hdr_lines_ok(hdrs)) {
		LM_ERR("bad content type or disposition for a body part\n");
		return KSR_STR_NULL;
	}
	return concat(msg, v, sizeof(v) / sizeof(v[0]));
}

/* The multipart Content-Type value for boundary b. */
static struct ksr_str multipart_ct(struct ksr_msg *msg, struct ksr_str b)
{
	struct ksr_str v[] = {S("multipart/mixed;boundary=\""), b, S("\"")};

	return concat(msg, v, 3);
}

/* A new multipart body of one part, with its Content-Type and Mime-Version. */
static int set_multipart(struct ksr_msg *msg, struct ksr_str content, struct ksr_str ct,
			 struct ksr_str b)
{
	struct ksr_str part, body, v[5];
	int r;

	if (!boundary_ok(b)) {
		LM_ERR("bad boundary '%.*s'\n", KSR_STR_FMT(b));
		return -1;
	}
	part = part_text(msg, content, ct, KSR_STR_NULL);
	if (!part.s)
		return -1;
	v[0] = S("--");
	v[1] = b;
	v[2] = S("\r\n");
	v[3] = part;
	body = concat(msg, v, 4);
	v[0] = body;
	v[1] = S("--");
	v[2] = b;
	v[3] = S("--\r\n");
	body = concat(msg, v, 4);
	if (!body.s)
		return -1;
	r = ksr_msg_set_body(msg, body, multipart_ct(msg, b));
	if (r == 0) {
		struct tx_hname mv;
		bool have = false;

		tx_hname_set(&mv, S("Mime-Version"));
		for (struct ksr_hdr *h = msg->headers; h && !have; h = h->next)
			have = tx_hname_match(&mv, h);
		if (!have)
			r = ksr_msg_add_hdr(msg, S("Mime-Version: 1.0\r\n"), KSR_HDR_APPEND);
	}
	if (r < 0) {
		LM_ERR("cannot set the body: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/* set_body_multipart([boundary]): the body as it is becomes the first part. */
static int convert_to_multipart(struct ksr_msg *msg, struct ksr_str b)
{
	struct ksr_hdr *cth = ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE);
	struct ksr_str ignored;

	if (msg_boundary(msg, &ignored) == 0) {
		LM_WARN("the body is multipart already\n");
		return -1;
	}
	if (!has_body(msg) || !cth) {
		LM_ERR("no body with a Content-Type to make a part of\n");
		return -1;
	}
	return set_multipart(msg, msg->body, cth->body, b);
}

int textops_set_body_multipart0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return convert_to_multipart(msg, S(DEFAULT_BOUNDARY));
}

int textops_set_body_multipart1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return convert_to_multipart(msg, p[0].s);
}

int textops_set_body_multipart2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (p[0].s.len == 0 || p[1].s.len == 0)
		return -1;
	return set_multipart(msg, p[0].s, p[1].s, S(DEFAULT_BOUNDARY));
}

int textops_set_body_multipart3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (p[0].s.len == 0 || p[1].s.len == 0)
		return -1;
	return set_multipart(msg, p[0].s, p[1].s, p[2].s);
}

/*
 * The delimiter lines of body: "--" boundary at a line start; *ret_close for the close
 * delimiter "--boundary--". Returns the start of the next one at or after from, NULL
 * when none; *ret_after is where its line ends.
 */
static char *next_delim(struct ksr_str body, char *from, struct ksr_str b, bool *ret_close,
			char **ret_after)
{
	char *end = ksr_str_end(body), *q = from;

	while (q < end) {
		char *d = memmem(q, (size_t)(end - q), "--", 2), *a;

		if (!d)
			return NULL;
		q = d + 1;
		if ((d != body.s && d[-1] != '\n') || (size_t)(end - d - 2) < b.len ||
		    memcmp(d + 2, b.s, b.len) != 0)
			continue;
		a = d + 2 + b.len;
		*ret_close = end - a >= 2 && a[0] == '-' && a[1] == '-';
		if (*ret_close)
			a += 2;
		while (a < end && *a != '\n')
			a++;
		*ret_after = a < end ? a + 1 : a;
		return d;
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Hex digits to bytes; spaces between pairs are ignored. */
static int unhex(struct ksr_msg *msg, struct ksr_str in, struct ksr_str *ret)
{
	char *out = ksr_arena_alloc(msg->arena, in.len / 2 + 1);
	size_t n = 0, i = 0;

	if (!out)
		return -ENOMEM;
	while (i < in.len) {
		int hi, lo;

		if (in.s[i] == ' ' || in.s[i] == '\t') {
			i++;
			continue;
		}
		if (i + 1 >= in.len)
			return -EINVAL;
		hi = hexval(in.s[i]);
		lo = hexval(in.s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	*ret = ksr_str_make(out, n);
	return 0;
}

/*
 * append_body_part(txt, ct[, cd]): a new last part, before the close delimiter (or after
 * the last delimiter when a sender left the close one out).
 */
static int append_part(struct ksr_msg *msg, struct ksr_str content, struct ksr_str ct,
		       struct ksr_str cd)
{
	struct ksr_str b, part, v[4];
	char *d, *after, *at = NULL, *at_after = NULL, *from;
	bool close = false, at_close = false;
	int r;

	if (content.len == 0 || ct.len == 0)
		return -1;
	if (msg_boundary(msg, &b) < 0) {
		LM_ERR("the body is not multipart\n");
		return -1;
	}
	for (from = msg->body.s; (d = next_delim(msg->body, from, b, &close, &after));
	     from = after) {
		at = d;
		at_after = after;
		at_close = close;
		if (close)
			break;
	}
	if (!at) {
		LM_ERR("no delimiter in the multipart body\n");
		return -1;
	}
	part = part_text(msg, content, ct, cd);
	if (!part.s)
		return -1;
	if (at_close) { /* "--b\r\n" part, then the close delimiter that is there */
		v[0] = S("--");
		v[1] = b;
		v[2] = S("\r\n");
		v[3] = part;
	} else { /* part after the last delimiter line, then a close delimiter */
		v[0] = part;
		v[1] = S("--");
		v[2] = b;
		v[3] = S("--\r\n");
		at = at_after;
	}
	part = concat(msg, v, 4);
	if (!part.s)
		return -1;
	r = ksr_msg_replace_range(msg, at, 0, part);
	if (r < 0) {
		LM_ERR("cannot add the body part: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

int textops_append_body_part(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_part(msg, p[0].s, p[1].s, KSR_STR_NULL);
}

int textops_append_body_part3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_part(msg, p[0].s, p[1].s, p[2].s);
}

static int append_part_hex(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str cd)
{
	struct ksr_str bytes;

	if (unhex(msg, p[0].s, &bytes) < 0) {
		LM_ERR("not hex digits: '%.*s'\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return append_part(msg, bytes, p[1].s, cd);
}

int textops_append_body_part_hex(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_part_hex(msg, p, KSR_STR_NULL);
}

int textops_append_body_part_hex3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_part_hex(msg, p, p[2].s);
}

/*
 * The first part whose Content-Type is ct (compared as text, case-insensitively), with
 * where it starts (its delimiter line) and where the next delimiter line starts and ends.
 */
struct found_part {
	char *delim; /* its delimiter line */
	char *start; /* its headers */
	struct ksr_str content;
	char *next; /* the next delimiter line */
	char *next_end; /* the end of that line */
};

static int find_part(struct ksr_msg *msg, struct ksr_str ct, struct found_part *ret)
{
	struct ksr_body_part *parts;
	struct ksr_str b;
	char *from = NULL, *d, *after;
	bool close;

	if (msg_boundary(msg, &b) < 0 || ksr_msg_body_parts(msg, &parts) < 0) {
		LM_ERR("the body is not multipart\n");
		return -EINVAL;
	}
	for (struct ksr_body_part *bp = parts; bp; bp = bp->next) {
		struct ksr_str pct = bp->content_type;

		if (!ksr_str_caseeq(&pct, &ct))
			continue;
		/* the delimiter before it is the last one before its headers */
		for (from = msg->body.s, ret->delim = NULL;
		     (d = next_delim(msg->body, from, b, &close, &after)) && d < bp->headers.s;
		     from = after)
			ret->delim = d;
		ret->start = bp->headers.s;
		ret->content = bp->content;
		ret->next = next_delim(msg->body, ksr_str_end(bp->content), b, &close, &after);
		if (!ret->delim || !ret->next)
			return -EINVAL;
		ret->next_end = after;
		return 0;
	}
	return -ENOENT;
}

int textops_fixup_get_body_part(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[1], true, ret_err);
}

/* get_body_part(ct, $pv): the content of the first part of type ct. */
int textops_get_body_part(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct found_part f;

	if (find_part(msg, p[0].s, &f) < 0)
		return -1;
	return tx_pv_set_str(msg, &p[1], f.content) < 0 ? -1 : 1;
}

/* get_body_part_raw(ct, $pv): the part with its headers and the delimiter line after it. */
int textops_get_body_part_raw(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct found_part f;

	if (find_part(msg, p[0].s, &f) < 0)
		return -1;
	return tx_pv_set_str(msg, &p[1], ksr_str_make(f.start, (size_t)(f.next_end - f.start)))
		       < 0
		       ? -1
		       : 1;
}

/* remove_body_part(ct): the first part of type ct goes, with one delimiter line. */
int textops_remove_body_part(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct found_part f;
	char *from, *to;
	int r;

	if (find_part(msg, p[0].s, &f) < 0)
		return -1;
	/* from its delimiter to the next one: the next delimiter stays, closing or not */
	from = f.delim;
	to = f.next;
	r = ksr_msg_replace_range(msg, from, (size_t)(to - from), KSR_STR_NULL);
	if (r < 0) {
		LM_ERR("cannot remove the body part: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/* filter_body(ct): the body becomes the content of the first part of type ct. */
int textops_filter_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct found_part f;
	char *body_end = ksr_str_end(msg->body);
	char *content_end;
	int r;

	if (find_part(msg, p[0].s, &f) < 0)
		return -1;
	content_end = ksr_str_end(f.content);
	r = ksr_msg_replace_range(msg, msg->body.s, (size_t)(f.content.s - msg->body.s),
				  KSR_STR_NULL);
	if (r == 0 && body_end > content_end)
		r = ksr_msg_replace_range(msg, content_end, (size_t)(body_end - content_end),
					  KSR_STR_NULL);
	if (r < 0) {
		LM_ERR("cannot filter the body: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}
