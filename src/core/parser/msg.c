/* First line and header splitting of SIP messages (RFC 3261 section 7 and 25). */
#include "core/parser/msg.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/mem/arena.h"
#include "core/parser/limits.h"

/* token characters (RFC 3261 25.1) as a bitmap: one lookup per header-name byte */
static const uint64_t token_bits[4] = {0x03ff6ca200000000ULL, 0x47ffffff87fffffeULL, 0, 0};

static inline bool is_token_char(unsigned char c)
{
	return (token_bits[c >> 6] >> (c & 63)) & 1;
}

static const struct {
	const char *name;
	enum ksr_method id;
} methods[] = {
	{"INVITE", KSR_METHOD_INVITE}, {"CANCEL", KSR_METHOD_CANCEL},
	{"ACK", KSR_METHOD_ACK}, {"BYE", KSR_METHOD_BYE},
	{"INFO", KSR_METHOD_INFO}, {"REGISTER", KSR_METHOD_REGISTER},
	{"SUBSCRIBE", KSR_METHOD_SUBSCRIBE}, {"NOTIFY", KSR_METHOD_NOTIFY},
	{"MESSAGE", KSR_METHOD_MESSAGE}, {"OPTIONS", KSR_METHOD_OPTIONS},
	{"PRACK", KSR_METHOD_PRACK}, {"UPDATE", KSR_METHOD_UPDATE},
	{"REFER", KSR_METHOD_REFER}, {"PUBLISH", KSR_METHOD_PUBLISH},
};

/* Method names are case-sensitive (RFC 3261 7.1). */
enum ksr_method ksr_method_id(struct ksr_str name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strlen(methods[i].name) == name.len &&
		    memcmp(methods[i].name, name.s, name.len) == 0)
			return methods[i].id;
	}
	return KSR_METHOD_OTHER;
}

static const struct hdr_name {
	const char *name;
	enum ksr_hdr_type type;
} hdr_names[] = {
	{"via", KSR_HDR_VIA}, {"v", KSR_HDR_VIA},
	{"from", KSR_HDR_FROM}, {"f", KSR_HDR_FROM},
	{"to", KSR_HDR_TO}, {"t", KSR_HDR_TO},
	{"call-id", KSR_HDR_CALLID}, {"i", KSR_HDR_CALLID},
	{"cseq", KSR_HDR_CSEQ},
	{"content-length", KSR_HDR_CONTENTLENGTH}, {"l", KSR_HDR_CONTENTLENGTH},
	{"content-type", KSR_HDR_CONTENTTYPE}, {"c", KSR_HDR_CONTENTTYPE},
	{"contact", KSR_HDR_CONTACT}, {"m", KSR_HDR_CONTACT},
	{"max-forwards", KSR_HDR_MAXFORWARDS},
	{"route", KSR_HDR_ROUTE}, {"record-route", KSR_HDR_RECORDROUTE},
	{"supported", KSR_HDR_SUPPORTED}, {"k", KSR_HDR_SUPPORTED},
	{"event", KSR_HDR_EVENT}, {"o", KSR_HDR_EVENT},
	{"subject", KSR_HDR_SUBJECT}, {"s", KSR_HDR_SUBJECT},
	{"expires", KSR_HDR_EXPIRES},
	{"min-expires", KSR_HDR_MINEXPIRES},
	{"path", KSR_HDR_PATH},
	{"authorization", KSR_HDR_AUTHORIZATION},
	{"proxy-authorization", KSR_HDR_PROXYAUTH},
	{"www-authenticate", KSR_HDR_WWWAUTH},
	{"proxy-authenticate", KSR_HDR_PROXYAUTHENTICATE},
	{"require", KSR_HDR_REQUIRE},
	{"proxy-require", KSR_HDR_PROXYREQUIRE},
	{"unsupported", KSR_HDR_UNSUPPORTED},
	{"allow", KSR_HDR_ALLOW},
	{"allow-events", KSR_HDR_ALLOWEVENTS}, {"u", KSR_HDR_ALLOWEVENTS},
	{"p-asserted-identity", KSR_HDR_PAI},
	{"p-preferred-identity", KSR_HDR_PPI},
	{"diversion", KSR_HDR_DIVERSION},
	{"privacy", KSR_HDR_PRIVACY},
	{"user-agent", KSR_HDR_USERAGENT},
	{"server", KSR_HDR_SERVER},
	{"accept", KSR_HDR_ACCEPT},
	{"date", KSR_HDR_DATE},
	{"content-encoding", KSR_HDR_CONTENTENCODING}, {"e", KSR_HDR_CONTENTENCODING},
	{"refer-to", KSR_HDR_REFERTO}, {"r", KSR_HDR_REFERTO},
	{"referred-by", KSR_HDR_REFERREDBY}, {"b", KSR_HDR_REFERREDBY},
	{"session-expires", KSR_HDR_SESSIONEXPIRES}, {"x", KSR_HDR_SESSIONEXPIRES},
	{"identity", KSR_HDR_IDENTITY}, {"y", KSR_HDR_IDENTITY},
	{"content-disposition", KSR_HDR_CONTENTDISPOSITION},
	{"retry-after", KSR_HDR_RETRYAFTER},
};

/*
 * Header names by length: every header of every message is looked up, so a name is
 * compared only with the few known names of its length (built once, then read-only).
 */
#define HDR_NAME_MAX 24
#define HDR_PER_LEN 24 /* the compact forms share length 1 */
static const struct hdr_name *by_len[HDR_NAME_MAX + 1][HDR_PER_LEN];
static pthread_once_t by_len_once = PTHREAD_ONCE_INIT;

static void by_len_init(void)
{
	for (size_t i = 0; i < sizeof(hdr_names) / sizeof(hdr_names[0]); i++) {
		size_t n = strlen(hdr_names[i].name), j = 0;

		while (by_len[n][j])
			j++;
		by_len[n][j] = &hdr_names[i];
	}
}

static bool by_len_ready;

/*
 * The known names are lowercase [a-z0-9-]; a header name is token characters. Setting
 * bit 0x20 lowercases a letter and leaves '-' and digits as they are, so this compares
 * without regard to case, without a library call per header.
 */
static inline bool name_is(const char *lc, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((char)(s[i] | 0x20) != lc[i])
			return false;
	return true;
}

enum ksr_hdr_type ksr_hdr_type_of(struct ksr_str name)
{
	const struct hdr_name *const *b;

	if (name.len == 0 || name.len > HDR_NAME_MAX)
		return KSR_HDR_OTHER;
	if (!__atomic_load_n(&by_len_ready, __ATOMIC_ACQUIRE)) {
		pthread_once(&by_len_once, by_len_init);
		__atomic_store_n(&by_len_ready, true, __ATOMIC_RELEASE);
	}
	for (b = by_len[name.len]; *b; b++)
		if (name_is((*b)->name, name.s, name.len))
			return (*b)->type;
	return KSR_HDR_OTHER;
}

struct ksr_hdr *ksr_msg_hdr_first(const struct ksr_msg *msg, enum ksr_hdr_type type)
{
	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		if (h->type == type)
			return h;
	return NULL;
}

struct ksr_hdr *ksr_msg_hdr_next(const struct ksr_hdr *h)
{
	for (struct ksr_hdr *n = h->next; n; n = n->next)
		if (n->type == h->type)
			return n;
	return NULL;
}

/* End of the line starting at p: points at CR or LF, or at end. */
/*
 * The end of the line at p: the CR of its CRLF, or a bare LF (accepted: some stacks send
 * them). NULL when no LF follows. A CR anywhere else sets *ret_bad: copied into a reply,
 * it would end that reply's headers early. memchr, because every byte of every header
 * goes through here.
 */
static char *line_end(char *p, char *end, bool *ret_bad)
{
	char *nl = memchr(p, '\n', (size_t)(end - p)), *cr;

	if (!nl)
		return NULL;
	cr = memchr(p, '\r', (size_t)(nl - p));
	if (cr && cr != nl - 1)
		*ret_bad = true;
	return cr == nl - 1 ? cr : nl;
}

/* Step over one line terminator (CRLF or bare LF). */
static char *skip_eol(char *p, char *end)
{
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	return p;
}

static bool is_version(struct ksr_str v)
{
	return ksr_str_caseeq_cstr(&v, "SIP/2.0");
}

/*
 * The first line. A request line whose method is readable but whose rest is malformed
 * is a request all the same, with *ret_deferred set: the headers are still split, so
 * that the 400 (or 505) can be built, and the parse fails at the end.
 */
static int parse_first_line(struct ksr_msg *msg, char *p, char *eol, const char **ret_err,
			    const char **ret_deferred)
{
	char *sp1, *sp2;

	for (sp1 = p; sp1 < eol && *sp1 != ' '; sp1++)
		;
	if (sp1 == eol || sp1 == p) {
		*ret_err = "malformed first line";
		return -EINVAL;
	}
	if (sp1 - p == 7 && strncasecmp(p, "SIP/2.0", 7) == 0) {
		/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
		char *c = sp1 + 1;
		unsigned int code = 0;

		if (eol - c < 3) {
			*ret_err = "malformed status line";
			return -EINVAL;
		}
		for (int i = 0; i < 3; i++) {
			if (c[i] < '0' || c[i] > '9') {
				*ret_err = "malformed status code";
				return -EINVAL;
			}
			code = code * 10 + (unsigned)(c[i] - '0');
		}
		if (code < 100 || (c + 3 < eol && c[3] != ' ')) {
			*ret_err = "malformed status code";
			return -EINVAL;
		}
		msg->type = KSR_MSG_REPLY;
		msg->first.rpl.version = ksr_str_make(p, (size_t)(sp1 - p));
		msg->first.rpl.status = ksr_str_make(c, 3);
		msg->first.rpl.code = code;
		msg->first.rpl.reason = c + 3 < eol ? ksr_str_make(c + 4, (size_t)(eol - c - 4))
						    : ksr_str_make(c + 3, 0);
		return 0;
	}
	/* Request-Line = Method SP Request-URI SP SIP-Version */
	for (char *m = p; m < sp1; m++) {
		if (!is_token_char((unsigned char)*m)) {
			*ret_err = "bad character in method";
			return -EINVAL;
		}
	}
	for (sp2 = sp1 + 1; sp2 < eol && *sp2 != ' '; sp2++)
		;
	msg->type = KSR_MSG_REQUEST;
	msg->first.req.method = ksr_str_make(p, (size_t)(sp1 - p));
	msg->first.req.method_id = ksr_method_id(msg->first.req.method);
	msg->first.req.uri = ksr_str_make(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	msg->first.req.version = sp2 < eol ? ksr_str_make(sp2 + 1, (size_t)(eol - sp2 - 1))
					   : ksr_str_make(eol, 0);
	/* a Request-URI split by spaces, doubled spaces, a missing version: 400 */
	if (sp2 == eol || sp2 == sp1 + 1 || msg->first.req.version.len == 0 ||
	    memchr(msg->first.req.version.s, ' ', msg->first.req.version.len) ||
	    memchr(msg->first.req.version.s, '\t', msg->first.req.version.len)) {
		*ret_deferred = "malformed request line";
		return 0;
	}
	for (char *u = sp1 + 1; u < sp2; u++) {
		if ((unsigned char)*u <= ' ' || *u == 0x7f) {
			*ret_deferred = "bad character in request URI";
			return 0;
		}
	}
	/* another SIP version is answered 505 (RFC 3261 21.5.7); not SIP at all, 400 */
	if (!is_version(msg->first.req.version)) {
		if (msg->first.req.version.len > 4 &&
		    strncasecmp(msg->first.req.version.s, "SIP/", 4) == 0)
			msg->bad_version = true;
		else
			*ret_deferred = "unsupported protocol version";
	}
	return 0;
}

/*
 * Keep the first header of each kind the core needs. Call-ID, From, To, CSeq and
 * Max-Forwards are single-valued (RFC 3261 20, RFC 4475 3.3.9): a second one is a fault,
 * returned as a text for the caller to report once the headers are split. Content-Length
 * may repeat only with the same value (checked with the body).
 */
static const char *remember_header(struct ksr_msg *msg, struct ksr_hdr *h)
{
	struct ksr_hdr **slot = NULL;
	const char *dup = NULL;

	switch (h->type) {
	case KSR_HDR_VIA: slot = &msg->h_via1; break;
	case KSR_HDR_FROM: slot = &msg->h_from; dup = "two From headers"; break;
	case KSR_HDR_TO: slot = &msg->h_to; dup = "two To headers"; break;
	case KSR_HDR_CALLID: slot = &msg->h_callid; dup = "two Call-ID headers"; break;
	case KSR_HDR_CSEQ: slot = &msg->h_cseq; dup = "two CSeq headers"; break;
	case KSR_HDR_CONTENTLENGTH: slot = &msg->h_clen; break;
	case KSR_HDR_MAXFORWARDS: slot = &msg->h_maxfwd; dup = "two Max-Forwards headers"; break;
	case KSR_HDR_CONTACT: slot = &msg->h_contact; break;
	default: return NULL;
	}
	if (!*slot) {
		*slot = h;
		return NULL;
	}
	return dup;
}

bool ksr_msg_stream_accept_no_clen;

/* Content-Length = 1*DIGIT; anything else is an error. */
static int parse_clen(struct ksr_str body, size_t *ret_len)
{
	size_t v = 0;

	if (body.len == 0 || body.len > 9)
		return -EINVAL;
	for (size_t i = 0; i < body.len; i++) {
		if (body.s[i] < '0' || body.s[i] > '9')
			return -EINVAL;
		v = v * 10 + (size_t)(body.s[i] - '0');
	}
	*ret_len = v;
	return 0;
}

/*
 * On a datagram the message is the whole buffer; on a stream (TCP, TLS, WebSocket) it is
 * a prefix of it: Content-Length is mandatory and says where the next message starts
 * (RFC 3261 18.3), and a message cut short is not an error but a request for more bytes.
 */
static int parse(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
		 bool stream, size_t *ret_used, const char **ret_err);

int ksr_msg_parse(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
		  const char **ret_err)
{
	size_t used;

	return parse(msg, buf, len, arena, false, &used, ret_err);
}

int ksr_msg_parse_stream(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
			 size_t *ret_used, const char **ret_err)
{
	size_t used = 0;
	int r = parse(msg, buf, len, arena, true, &used, ret_err);

	if (r == 0 || r == -EPROTONOSUPPORT || used)
		*ret_used = used;
	return r;
}

static int parse(struct ksr_msg *msg, char *buf, size_t len, struct ksr_arena *arena,
		 bool stream, size_t *ret_used, const char **ret_err)
{
	const char *err_dummy;
	char *p = buf, *end = buf + len, *eol;
	struct ksr_hdr *last = NULL;
	const char *deferred = NULL; /* a fault found early, reported once the headers are split */
	bool bare_cr = false;
	unsigned int nhdr = 0, nvia = 0;
	int r;

	if (!ret_err)
		ret_err = &err_dummy;
	memset(msg, 0, sizeof(*msg));
	msg->buf = buf;
	msg->len = len;
	msg->arena = arena;
	if (len > KSR_MSG_MAX_SIZE) {
		*ret_err = "message too large";
		return -E2BIG;
	}
	/* RFC 3261 7.5: empty lines before the start line are ignored */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	eol = line_end(p, end, &bare_cr);
	if (!eol) {
		*ret_err = "no end of first line";
		return stream ? -EAGAIN : -EINVAL;
	}
	if (bare_cr) {
		*ret_err = "a CR without LF in the first line";
		return -EINVAL;
	}
	r = parse_first_line(msg, p, eol, ret_err, &deferred);
	if (r < 0)
		return r;
	p = skip_eol(eol, end);

	for (;;) {
		struct ksr_hdr *h;
		char *name_end, *colon, *vstart, *vend;

		if (p >= end) {
			*ret_err = "no empty line after headers";
			return stream ? -EAGAIN : -EINVAL;
		}
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p = skip_eol(p, end);
			break;
		}
		if (*p == '\r') {
			*ret_err = "a CR without LF in the headers";
			/* on a stream, the LF may be in the next read */
			return stream && p + 1 == end ? -EAGAIN : -EINVAL;
		}
		if (ksr_is_ws(*p)) {
			*ret_err = "continuation line without header";
			return -EINVAL;
		}
		if (++nhdr > KSR_MSG_MAX_HEADERS) {
			*ret_err = "too many headers";
			return -E2BIG;
		}
		for (name_end = p; name_end < end && is_token_char((unsigned char)*name_end);
		     name_end++)
			;
		colon = name_end;
		while (colon < end && ksr_is_ws(*colon))
			colon++;
		if (stream && colon >= end) {
			*ret_err = "header cut short";
			return -EAGAIN;
		}
		if (name_end == p || colon >= end || *colon != ':') {
			*ret_err = "malformed header name";
			return -EINVAL;
		}
		vstart = colon + 1;
		/* the value runs to the first line end not followed by folding whitespace */
		vend = vstart;
		for (;;) {
			vend = line_end(vend, end, &bare_cr);
			if (!vend) {
				*ret_err = "header without line end";
				return stream ? -EAGAIN : -EINVAL;
			}
			if (bare_cr) {
				/* not kept: a reply built from the headers before never copies it */
				*ret_err = "a CR without LF in the headers";
				return -EINVAL;
			}
			char *next = skip_eol(vend, end);
			if (next < end && ksr_is_ws(*next)) {
				vend = next;
				continue;
			}
			break;
		}
		h = ksr_arena_alloc_nz(arena, sizeof(*h)); /* every field is set below */
		if (!h)
			return -ENOMEM;
		h->parsed = NULL;
		h->next = NULL;
		h->name = ksr_str_make(p, (size_t)(name_end - p));
		h->type = ksr_hdr_type_of(h->name);
		h->body = ksr_str_make(vstart, (size_t)(vend - vstart));
		ksr_str_trim(&h->body);
		p = skip_eol(vend, end);
		h->line = ksr_str_make(h->name.s, (size_t)(p - h->name.s));
		if (last)
			last->next = h;
		else
			msg->headers = h;
		last = h;
		{
			const char *dup = remember_header(msg, h);

			if (dup && !deferred)
				deferred = dup;
		}
		if (h->type == KSR_HDR_VIA && ++nvia > KSR_MSG_MAX_VIA) {
			*ret_err = "too many Via headers";
			return -E2BIG;
		}
	}

	msg->body = ksr_str_make(p, (size_t)(end - p));
	if (deferred) {
		size_t clen;

		/*
		 * On a stream a faulty message that is still framed can be answered and
		 * skipped, the connection kept: tell its length when Content-Length gives it.
		 */
		if (stream && msg->h_clen && parse_clen(msg->h_clen->body, &clen) == 0 &&
		    clen <= msg->body.len)
			*ret_used = (size_t)(msg->body.s - buf) + clen;
		*ret_err = deferred;
		return -EINVAL;
	}
	if (msg->h_clen) {
		size_t clen, other;

		if (parse_clen(msg->h_clen->body, &clen) < 0) {
			*ret_err = "bad Content-Length";
			return -EINVAL;
		}
		for (struct ksr_hdr *h = msg->h_clen->next; h; h = h->next) {
			if (h->type == KSR_HDR_CONTENTLENGTH &&
			    (parse_clen(h->body, &other) < 0 || other != clen)) {
				*ret_err = "conflicting Content-Length values";
				return -EINVAL;
			}
		}
		if (clen > msg->body.len) {
			*ret_err = "body shorter than Content-Length";
			return stream ? -EAGAIN : -EINVAL;
		}
		/* on datagrams, bytes after Content-Length are ignored (RFC 3261 18.3) */
		msg->body.len = clen;
	} else if (stream && ksr_msg_stream_accept_no_clen) {
		/* tcp_accept_no_cl: a message without one has no body */
		msg->body.len = 0;
	} else if (stream) {
		*ret_err = "no Content-Length on a stream";
		return -EINVAL;
	}
	*ret_used = (size_t)(ksr_str_end(msg->body) - buf);
	if (msg->bad_version) {
		*ret_err = "unsupported SIP version";
		return -EPROTONOSUPPORT;
	}
	return 0;
}
