/*
 * xhttp: an HTTP/1.x request framed at the start of a stream buffer and checked the way
 * RFC 7230 asks a server to: a malformed request line or header field, folded lines,
 * conflicting Content-Length values or Content-Length with Transfer-Encoding (request
 * smuggling), a missing Host in HTTP/1.1 are refused. Bodies come by Content-Length or
 * chunked (decoded); line ends may be bare LF (RFC 7230 3.5).
 */
#include "xhttp_parse.h"

#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"

/* RFC 7230 3.2.6 tchar */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field value's bytes: VCHAR, SP, HTAB and obs-text; no other control character. */
static bool is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool xhttp_is_request_line(const char *line, size_t len)
{
	const char *sp;
	size_t i;

	/* method SP ... SP HTTP/d.d */
	for (i = 0; i < len && is_tchar((unsigned char)line[i]); i++)
		;
	if (i == 0 || i == len || line[i] != ' ')
		return false;
	if (len - i < 10)
		return false;
	sp = line + len - 9;
	return sp[0] == ' ' && !memcmp(sp + 1, "HTTP/", 5) && is_digit(sp[6]) && sp[7] == '.' &&
	       is_digit(sp[8]);
}

int xhttp_refusal_status(int err, const char **ret_reason)
{
	switch (err) {
	case -E2BIG: *ret_reason = "Payload Too Large"; return 413;
	case -EMSGSIZE: *ret_reason = "Request Header Fields Too Large"; return 431;
	case -ENOSYS: *ret_reason = "Not Implemented"; return 501;
	case -EPROTONOSUPPORT: *ret_reason = "HTTP Version Not Supported"; return 505;
	case -ENOMEM: *ret_reason = "Internal Server Error"; return 500;
	default: *ret_reason = "Bad Request"; return 400;
	}
}

/* The end of the line at p (its LF), or NULL when there is none before end. */
static char *line_end(char *p, char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

/* The line p..lf without its line end: a CR is only allowed right before the LF. */
static bool line_body(char *p, char *lf, struct ksr_str *ret)
{
	char *e = lf > p && lf[-1] == '\r' ? lf - 1 : lf;

	if (memchr(p, '\r', (size_t)(e - p)))
		return false;
	*ret = ksr_str_make(p, (size_t)(e - p));
	return true;
}

static int parse_request_line(struct ksr_str l, struct xhttp_request *ret, const char **ret_why)
{
	size_t i, t;

	for (i = 0; i < l.len && is_tchar((unsigned char)l.s[i]); i++)
		;
	if (i == 0 || i == l.len || l.s[i] != ' ') {
		*ret_why = "malformed method";
		return -EINVAL;
	}
	ret->method = ksr_str_make(l.s, i);
	for (t = ++i; i < l.len && (unsigned char)l.s[i] > 0x20 && (unsigned char)l.s[i] < 0x7f;
	     i++)
		;
	if (i == t || i == l.len || l.s[i] != ' ') {
		*ret_why = "malformed request target";
		return -EINVAL;
	}
	ret->target = ksr_str_make(l.s + t, i - t);
	i++;
	if (l.len - i != 8 || memcmp(l.s + i, "HTTP/", 5) || !is_digit(l.s[i + 5]) ||
	    l.s[i + 6] != '.' || !is_digit(l.s[i + 7])) {
		*ret_why = "malformed HTTP version";
		return -EINVAL;
	}
	if (l.s[i + 5] != '1') {
		*ret_why = "not HTTP/1.x";
		return -EPROTONOSUPPORT;
	}
	ret->minor = l.s[i + 7] - '0';
	return 0;
}

/* Whether the comma-separated list v holds token tok (case-insensitive). */
static bool list_has(struct ksr_str v, const char *tok)
{
	while (v.len) {
		const char *comma = memchr(v.s, ',', v.len);
		struct ksr_str item = ksr_str_make(v.s, comma ? (size_t)(comma - v.s) : v.len);

		ksr_str_trim(&item);
		if (ksr_str_caseeq_cstr(&item, tok))
			return true;
		if (!comma)
			break;
		v.len -= (size_t)(comma - v.s) + 1;
		v.s = (char *)comma + 1;
	}
	return false;
}

/* What the header fields say about framing and the connection. */
struct fields {
	int hosts;
	bool has_clen, chunked, close, keep_alive;
	size_t clen;
};

static int field(struct ksr_str name, struct ksr_str value, struct fields *f,
                 struct xhttp_request *ret, const char **ret_why)
{
	if (ksr_str_caseeq_cstr(&name, "Host")) {
		f->hosts++;
	} else if (ksr_str_caseeq_cstr(&name, "Content-Length")) {
		size_t v = 0;

		if (!value.len) {
			*ret_why = "bad Content-Length";
			return -EINVAL;
		}
		for (size_t i = 0; i < value.len; i++) {
			if (!is_digit(value.s[i])) {
				*ret_why = "bad Content-Length";
				return -EINVAL;
			}
			if (i >= 9) {
				*ret_why = "body too large";
				return -E2BIG;
			}
			v = v * 10 + (size_t)(value.s[i] - '0');
		}
		if (f->has_clen && v != f->clen) {
			*ret_why = "conflicting Content-Length values";
			return -EINVAL;
		}
		f->has_clen = true;
		f->clen = v;
	} else if (ksr_str_caseeq_cstr(&name, "Transfer-Encoding")) {
		if (f->chunked) {
			*ret_why = "more than one Transfer-Encoding";
			return -EINVAL;
		}
		if (!ksr_str_caseeq_cstr(&value, "chunked")) {
			*ret_why = "a transfer coding other than chunked";
			return -ENOSYS;
		}
		f->chunked = true;
	} else if (ksr_str_caseeq_cstr(&name, "Connection")) {
		f->close |= list_has(value, "close");
		f->keep_alive |= list_has(value, "keep-alive");
	} else if (ksr_str_caseeq_cstr(&name, "Expect")) {
		ret->expect_continue = ksr_str_caseeq_cstr(&value, "100-continue");
	}
	return 0;
}

/* The header fields from p to the empty line; *ret_end is past it. */
static int parse_fields(char *p, char *end, struct fields *f, struct xhttp_request *ret,
                        char **ret_end, const char **ret_why)
{
	int n = 0, r;

	for (;;) {
		char *lf = line_end(p, end);
		struct ksr_str l, name, value;
		size_t i;

		if (!lf) {
			*ret_why = "incomplete header";
			return -EAGAIN;
		}
		if (!line_body(p, lf, &l)) {
			*ret_why = "a CR without LF in the header";
			return -EINVAL;
		}
		p = lf + 1;
		if (!l.len)
			break;
		if (ksr_is_ws(l.s[0])) {
			*ret_why = "folded header line";
			return -EINVAL;
		}
		if (++n > XHTTP_MAX_HEADERS) {
			*ret_why = "too many header fields";
			return -EMSGSIZE;
		}
		for (i = 0; i < l.len && is_tchar((unsigned char)l.s[i]); i++)
			;
		if (i == 0 || i == l.len || l.s[i] != ':') {
			*ret_why = "malformed header field name";
			return -EINVAL;
		}
		name = ksr_str_make(l.s, i);
		value = ksr_str_make(l.s + i + 1, l.len - i - 1);
		for (i = 0; i < value.len; i++) {
			if (!is_field_char((unsigned char)value.s[i])) {
				*ret_why = "control character in a header field";
				return -EINVAL;
			}
		}
		ksr_str_trim(&value);
		if ((r = field(name, value, f, ret, ret_why)) < 0)
			return r;
	}
	*ret_end = p;
	return 0;
}

/*
 * Decode the chunked body at p[0..n) (RFC 7230 4.1) into the arena: 0 with the body and
 * the bytes it took in *ret_used, -EAGAIN, -EINVAL or -E2BIG (decoded body over max).
 */
static int dechunk(char *p, size_t n, size_t max, struct ksr_arena *arena, struct ksr_str *ret,
                   size_t *ret_used, const char **ret_why)
{
	char *start = p, *end = p + n, *out = ksr_arena_alloc_nz(arena, n + 1);
	size_t olen = 0;

	if (!out)
		return -ENOMEM;
	for (;;) {
		char *lf = line_end(p, end);
		size_t size = 0, digits = 0;
		struct ksr_str l;

		if (!lf)
			return -EAGAIN;
		if (!line_body(p, lf, &l)) {
			*ret_why = "a CR without LF in a chunk size";
			return -EINVAL;
		}
		for (; digits < l.len && hex_value(l.s[digits]) >= 0; digits++) {
			if (digits == 7) {
				*ret_why = "chunk too large";
				return -E2BIG;
			}
			size = size * 16 + (size_t)hex_value(l.s[digits]);
		}
		/* chunk extensions (";name=value") are ignored, as RFC 7230 4.1.1 allows */
		if (!digits || (digits < l.len && l.s[digits] != ';' && !ksr_is_ws(l.s[digits]))) {
			*ret_why = "malformed chunk size";
			return -EINVAL;
		}
		p = lf + 1;
		if (size == 0)
			break;
		if (olen + size > max) {
			*ret_why = "body too large";
			return -E2BIG;
		}
		if ((size_t)(end - p) < size + 1)
			return -EAGAIN;
		memcpy(out + olen, p, size);
		olen += size;
		p += size;
		if (*p == '\r' && p + 1 < end)
			p++;
		else if (*p == '\r')
			return -EAGAIN;
		if (*p != '\n') {
			*ret_why = "chunk not ended by a line end";
			return -EINVAL;
		}
		p++;
	}
	/* the trailer fields, up to the empty line: not kept */
	for (;;) {
		char *lf = line_end(p, end);
		struct ksr_str l;

		if (!lf)
			return -EAGAIN;
		if (!line_body(p, lf, &l)) {
			*ret_why = "a CR without LF in the trailer";
			return -EINVAL;
		}
		p = lf + 1;
		if (!l.len)
			break;
	}
	out[olen] = '\0';
	*ret = ksr_str_make(out, olen);
	*ret_used = (size_t)(p - start);
	return 0;
}

int xhttp_parse_request(char *buf, size_t len, struct ksr_arena *arena, struct xhttp_request *ret,
                        const char **ret_why)
{
	char *p = buf, *end = buf + len, *lf, *body;
	const char *why_dummy;
	struct fields f = {0};
	struct ksr_str line;
	size_t avail, used;
	int r;

	if (!ret_why)
		ret_why = &why_dummy;
	memset(ret, 0, sizeof(*ret));
	/* RFC 7230 3.5: empty lines before the request line are ignored */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (end - p > XHTTP_MAX_HEAD)
		end = p + XHTTP_MAX_HEAD;
	lf = line_end(p, end);
	if (!lf) {
		*ret_why = "request line too long";
		return (size_t)(end - p) >= XHTTP_MAX_HEAD ? -EMSGSIZE : -EAGAIN;
	}
	if (!line_body(p, lf, &line)) {
		*ret_why = "a CR without LF in the request line";
		return -EINVAL;
	}
	if ((r = parse_request_line(line, ret, ret_why)) < 0)
		return r;
	r = parse_fields(lf + 1, end, &f, ret, &body, ret_why);
	if (r == -EAGAIN && end - p >= XHTTP_MAX_HEAD) {
		*ret_why = "header section too large";
		return -EMSGSIZE;
	}
	if (r < 0)
		return r;
	ret->head = ksr_str_make(p, (size_t)(body - p));
	if (ret->minor >= 1 && f.hosts != 1) {
		*ret_why = f.hosts ? "more than one Host" : "no Host in an HTTP/1.1 request";
		return -EINVAL;
	}
	if (f.hosts > 1) {
		*ret_why = "more than one Host";
		return -EINVAL;
	}
	if (f.chunked && f.has_clen) {
		*ret_why = "both Content-Length and Transfer-Encoding";
		return -EINVAL;
	}
	ret->keep_alive = ret->minor >= 1 ? !f.close : f.keep_alive && !f.close;
	ret->head_done = true;
	avail = len - (size_t)(body - buf);
	ret->body_seen = avail;
	if (f.chunked) {
		r = dechunk(body, avail, XHTTP_MAX_REQUEST - ret->head.len, arena, &ret->body,
		            &used, ret_why);
		if (r == -EAGAIN && (size_t)(len - (size_t)(p - buf)) > XHTTP_MAX_REQUEST) {
			*ret_why = "chunked body too large";
			return -E2BIG;
		}
		if (r < 0)
			return r;
	} else {
		used = f.has_clen ? f.clen : 0;
		if (ret->head.len + used > XHTTP_MAX_REQUEST) {
			*ret_why = "body too large";
			return -E2BIG;
		}
		if (avail < used)
			return -EAGAIN;
		ret->body = ksr_str_make(body, used);
	}
	ret->head_done = false;
	ret->used = (size_t)(body - buf) + used;
	return 0;
}
