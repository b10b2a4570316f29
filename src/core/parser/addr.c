/*
 * name-addr / addr-spec values with header params (RFC 3261 20.10, 20.20, 20.39), the
 * From/To bodies built on them, and CSeq.
 */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

/* Characters a URI may hold as written in a header (no LWS, quotes or angle brackets). */
static bool is_uri_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"';
}

/* scheme ":" something, scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool uri_has_scheme(struct ksr_str uri)
{
	size_t i;

	if (uri.len == 0 || !((uri.s[0] | 0x20) >= 'a' && (uri.s[0] | 0x20) <= 'z'))
		return false;
	for (i = 1; i < uri.len && uri.s[i] != ':'; i++) {
		char c = uri.s[i];

		if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || ksr__is_digit(c) || c == '+' ||
		      c == '-' || c == '.'))
			return false;
	}
	return i + 1 < uri.len; /* a ':' and something after it */
}

/* An unquoted display name: *(token LWS), loosely: no controls, quotes or brackets. */
static bool display_ok(struct ksr_str d)
{
	char *p = d.s, *end = ksr_str_end(d);

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r' || c == '\n') {
			char *f = ksr__skip_lws(p, end);

			if (f == p)
				return false;
			p = f;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f || c == '"' || c == '<' || c == '>')
			return false;
		p++;
	}
	return true;
}

bool ksr__uri_has_lr(struct ksr_str uri)
{
	char *s = uri.s, *end = ksr_str_end(uri), *colon, *host, *q, *p;

	colon = memchr(s, ':', uri.len);
	if (!colon)
		return false;
	q = memchr(colon, '?', (size_t)(end - colon));
	if (q)
		end = q;
	/* params follow the host part, which starts after the last '@' of userinfo */
	host = colon + 1;
	for (p = host; p < end; p++)
		if (*p == '@')
			host = p + 1;
	p = memchr(host, ';', (size_t)(end - host));
	while (p && p < end) {
		char *name = p + 1, *name_end = name;

		while (name_end < end && *name_end != ';' && *name_end != '=')
			name_end++;
		if (name_end - name == 2 && strncasecmp(name, "lr", 2) == 0)
			return true;
		p = memchr(name_end, ';', (size_t)(end - name_end));
	}
	return false;
}

int ksr__parse_addr(struct ksr_str item, unsigned int flags, struct ksr_arena *arena,
		    struct ksr_addr *ret)
{
	char *end = ksr_str_end(item), *p, *q, *lt = NULL, *start, *pstart;
	struct ksr_addr a = {0};
	int r;

	p = ksr__skip_lws(item.s, end);
	if (p >= end)
		return -EINVAL;
	start = p;
	if (*p == '"') {
		q = ksr__skip_quoted(p, end);
		if (!q)
			return -EINVAL;
		a.display = ksr_str_make(p, (size_t)(q - p));
		q = ksr__skip_lws(q, end);
		if (q >= end || *q != '<')
			return -EINVAL;
		lt = q;
	} else {
		for (q = p; q < end; q++) {
			if (*q == '<') {
				lt = q;
				break;
			}
			if (*q == ';' || *q == '"' || *q == '>' || *q == ',')
				break;
		}
		if (lt) {
			a.display = ksr_str_make(p, (size_t)(lt - p));
			ksr_str_trim(&a.display);
			if (!display_ok(a.display))
				return -EINVAL;
		}
	}
	if (lt) {
		for (q = lt + 1; q < end && *q != '>'; q++)
			if (!is_uri_char((unsigned char)*q))
				return -EINVAL;
		if (q >= end)
			return -EINVAL;
		a.uri = ksr_str_make(lt + 1, (size_t)(q - lt - 1));
		a.angle = true;
		p = q + 1;
	} else {
		/*
		 * addr-spec: the URI ends at the first ';', which starts the header params. A URI
		 * with headers ('?') or a comma must be written in <> (RFC 3261 20.10).
		 */
		if (flags & KSR__ADDR_ANGLE)
			return -EINVAL;
		for (q = p; q < end && *q != ';' && *q != ' ' && *q != '\t' && *q != '\r' &&
			    *q != '\n';
		     q++) {
			if (!is_uri_char((unsigned char)*q) || *q == ',' || *q == '?')
				return -EINVAL;
		}
		a.uri = ksr_str_make(p, (size_t)(q - p));
		p = q;
	}
	if (!uri_has_scheme(a.uri))
		return -EINVAL;
	pstart = ksr__skip_lws(p, end);
	r = ksr__parse_params(&p, end, arena, &a.param_list);
	if (r < 0)
		return r;
	if (ksr__skip_lws(p, end) != end)
		return -EINVAL;
	if (pstart < end && *pstart == ';')
		a.params = ksr_str_make(pstart, (size_t)(end - pstart));
	a.value = ksr_str_make(start, (size_t)(p - start));
	a.lr = (flags & KSR__ADDR_LR) && ksr__uri_has_lr(a.uri);
	*ret = a;
	return 0;
}

/* From/To: the tag header param, at most once and with a value. */
static int fromto(struct ksr_str body, struct ksr_arena *arena, struct ksr_nameaddr *ret)
{
	struct ksr_nameaddr na = {0};
	struct ksr_param prm;
	struct ksr_addr a;
	char *p;
	int r;

	r = ksr__parse_addr(body, 0, arena, &a);
	if (r < 0)
		return r;
	p = a.params.s;
	while (p && (r = ksr__param_next(&p, ksr_str_end(a.params), &prm)) > 0) {
		if (!ksr_str_caseeq_cstr(&prm.name, "tag"))
			continue;
		if (!prm.has_value || na.has_tag)
			return -EINVAL;
		na.tag = prm.value;
		na.has_tag = true;
	}
	if (r < 0)
		return r;
	na.display = a.display;
	na.uri = a.uri;
	na.params = a.params;
	na.param_list = a.param_list;
	*ret = na;
	return 0;
}

int ksr_parse_nameaddr(struct ksr_str body, struct ksr_nameaddr *ret)
{
	return fromto(body, NULL, ret);
}

int ksr_parse_fromto(struct ksr_str body, struct ksr_arena *arena, struct ksr_nameaddr **ret_na)
{
	struct ksr_nameaddr *na = ksr_arena_alloc(arena, sizeof(*na));
	int r;

	if (!na)
		return -ENOMEM;
	r = fromto(body, arena, na);
	if (r < 0)
		return r;
	*ret_na = na;
	return 0;
}

int ksr_parse_cseq(struct ksr_str body, struct ksr_cseq *ret)
{
	char *p = body.s, *end = ksr_str_end(body), *m;
	unsigned long n = 0;
	char *d;

	for (d = p; d < end && ksr__is_digit(*d); d++) {
		n = n * 10 + (unsigned long)(*d - '0');
		if (n > 0xffffffffUL) /* RFC 3261 8.1.1.5: less than 2^31, be lenient to 2^32 */
			return -EINVAL;
	}
	/* LWS between the number and the method may be folded (RFC 3261 25.1) */
	m = ksr__skip_lws(d, end);
	if (d == p || m == d || m >= end)
		return -EINVAL;
	if (m >= end)
		return -EINVAL;
	for (char *c = m; c < end; c++)
		if (!ksr__is_token_char((unsigned char)*c))
			return -EINVAL;
	ret->number = (unsigned int)n;
	ret->method = ksr_str_make(m, (size_t)(end - m));
	ret->method_id = ksr_method_id(ret->method);
	return 0;
}

static int cached_nameaddr(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_nameaddr **ret)
{
	struct ksr_nameaddr *na;
	int r;

	if (!h)
		return -ENOENT;
	if (!h->parsed) {
		r = ksr_parse_fromto(h->body, msg->arena, &na);
		if (r < 0)
			return r;
		h->parsed = na;
	}
	*ret = h->parsed;
	return 0;
}

int ksr_msg_to(struct ksr_msg *msg, struct ksr_nameaddr **ret_to)
{
	return cached_nameaddr(msg, msg->h_to, ret_to);
}

int ksr_msg_from(struct ksr_msg *msg, struct ksr_nameaddr **ret_from)
{
	return cached_nameaddr(msg, msg->h_from, ret_from);
}

int ksr_msg_cseq(struct ksr_msg *msg, struct ksr_cseq **ret_cseq)
{
	struct ksr_cseq *c;
	int r;

	if (!msg->h_cseq)
		return -ENOENT;
	if (!msg->h_cseq->parsed) {
		c = ksr_arena_alloc(msg->arena, sizeof(*c));
		if (!c)
			return -ENOMEM;
		r = ksr_parse_cseq(msg->h_cseq->body, c);
		if (r < 0)
			return r;
		msg->h_cseq->parsed = c;
	}
	*ret_cseq = msg->h_cseq->parsed;
	return 0;
}
