/*
 * Via header bodies (RFC 3261 20.42, RFC 3581 rport, RFC 5923 alias, RFC 5118 IPv6): all
 * values of one line, and of every Via line of a message.
 */
#include <ctype.h>
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

#define skip_lws ksr__skip_lws

/* "SIP / 2.0 / UDP": returns the transport, advances *pp. */
static int parse_protocol(char **pp, char *end, struct ksr_str *ret_transport)
{
	char *p = skip_lws(*pp, end), *t, *v;

	/* "SIP" / version: any digits.digits, so that the 505 to another version has a way back */
	if ((size_t)(end - p) < 3 || strncasecmp(p, "SIP", 3) != 0)
		return -EINVAL;
	p = skip_lws(p + 3, end);
	if (p >= end || *p != '/')
		return -EINVAL;
	p = v = skip_lws(p + 1, end);
	while (p < end && ksr__is_digit(*p))
		p++;
	if (p == v || p >= end || *p != '.')
		return -EINVAL;
	v = ++p;
	while (p < end && ksr__is_digit(*p))
		p++;
	if (p == v)
		return -EINVAL;
	p = skip_lws(p, end);
	if (p >= end || *p != '/')
		return -EINVAL;
	p++;
	p = skip_lws(p, end);
	t = ksr__skip_token(p, end);
	if (t == p)
		return -EINVAL;
	*ret_transport = ksr_str_make(p, (size_t)(t - p));
	*pp = t;
	return 0;
}

/* host [":" port]; IPv6 references keep their brackets out of the result. */
static int parse_sent_by(char **pp, char *end, struct ksr_via *via)
{
	char *p = skip_lws(*pp, end), *h;

	if (p < end && *p == '[') {
		for (h = p + 1; h < end && *h != ']'; h++) {
			if (!(*h == ':' || *h == '.' || (*h >= '0' && *h <= '9') ||
			      (*h >= 'a' && *h <= 'f') || (*h >= 'A' && *h <= 'F')))
				return -EINVAL;
		}
		if (h >= end || h == p + 1)
			return -EINVAL;
		via->host = ksr_str_make(p + 1, (size_t)(h - p - 1));
		p = h + 1;
	} else {
		for (h = p; h < end && (isalnum((unsigned char)*h) || *h == '.' || *h == '-' ||
					*h == '_');
		     h++)
			;
		if (h == p)
			return -EINVAL;
		via->host = ksr_str_make(p, (size_t)(h - p));
		p = h;
	}
	p = skip_lws(p, end);
	if (p < end && *p == ':') {
		unsigned int port = 0;
		char *d;

		p = skip_lws(p + 1, end);
		for (d = p; d < end && *d >= '0' && *d <= '9' && d - p < 6; d++)
			port = port * 10 + (unsigned)(*d - '0');
		if (d == p || port == 0 || port > 65535 || (d < end && *d >= '0' && *d <= '9'))
			return -EINVAL;
		via->port = (unsigned short)port;
		p = d;
	}
	*pp = p;
	return 0;
}

/* 1*DIGIT no larger than max. */
static bool number_ok(struct ksr_str v, unsigned long max)
{
	unsigned long n = 0;

	if (v.len == 0 || v.len > 10)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		if (!ksr__is_digit(v.s[i]))
			return false;
		n = n * 10 + (unsigned long)(v.s[i] - '0');
	}
	return n <= max;
}

/* via-params (RFC 3261 20.42, RFC 3581 rport, RFC 5923 alias), every one kept in a list. */
static int parse_params(char **pp, char *end, struct ksr_arena *arena, struct ksr_via *via)
{
	struct ksr_param **tail = &via->param_list, prm;
	char *p = *pp, *pstart = NULL;
	int r;

	while ((r = ksr__param_next(&p, end, &prm)) > 0) {
		struct ksr_param *n = ksr_arena_alloc(arena, sizeof(*n));

		if (!n)
			return -ENOMEM;
		*n = prm;
		*tail = n;
		tail = &n->next;
		if (!pstart)
			pstart = memchr(*pp, ';', (size_t)(prm.name.s - *pp));
		if (ksr_str_caseeq_cstr(&prm.name, "branch")) {
			via->branch = prm.value;
		} else if (ksr_str_caseeq_cstr(&prm.name, "received")) {
			via->received = prm.value;
			via->has_received = true;
		} else if (ksr_str_caseeq_cstr(&prm.name, "rport")) {
			if (prm.has_value && !number_ok(prm.value, 65535))
				return -EINVAL;
			via->has_rport = true;
			via->rport = prm.value;
			via->rport_name = prm.name.s;
			via->rport_end = p;
		} else if (ksr_str_caseeq_cstr(&prm.name, "maddr")) {
			if (!prm.has_value)
				return -EINVAL;
			via->maddr = prm.value;
		} else if (ksr_str_caseeq_cstr(&prm.name, "ttl")) {
			if (!prm.has_value || prm.value.len > 3 || !number_ok(prm.value, 255))
				return -EINVAL;
			via->ttl = prm.value;
		} else if (ksr_str_caseeq_cstr(&prm.name, "alias")) {
			via->has_alias = true;
		}
	}
	if (r < 0)
		return r;
	via->params = pstart ? ksr_str_make(pstart, (size_t)(p - pstart)) : KSR_STR_NULL;
	*pp = p;
	return 0;
}

int ksr_parse_via(struct ksr_str body, struct ksr_arena *arena, struct ksr_via **ret_via)
{
	char *p = body.s, *end = ksr_str_end(body);
	struct ksr_via *first = NULL, *last = NULL;
	int r;

	for (;;) {
		struct ksr_via *via = ksr_arena_alloc(arena, sizeof(*via));

		if (!via)
			return -ENOMEM;
		if (parse_protocol(&p, end, &via->transport) < 0 || parse_sent_by(&p, end, via) < 0)
			return -EINVAL;
		r = parse_params(&p, end, arena, via);
		if (r < 0)
			return r;
		via->end = p;
		if (last)
			last->next = last->next_all = via;
		else
			first = via;
		last = via;
		p = skip_lws(p, end);
		if (p >= end)
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	*ret_via = first;
	return 0;
}

static int via_line(struct ksr_msg *msg, struct ksr_hdr *h, struct ksr_via **ret_via)
{
	struct ksr_via *v;
	int r;

	if (!h->parsed) {
		r = ksr_parse_via(h->body, msg->arena, &v);
		if (r < 0)
			return r;
		for (struct ksr_via *x = v; x; x = x->next)
			x->hdr = h;
		h->parsed = v;
	}
	*ret_via = h->parsed;
	return 0;
}

int ksr_msg_via1(struct ksr_msg *msg, struct ksr_via **ret_via)
{
	if (!msg->h_via1)
		return -ENOENT;
	return via_line(msg, msg->h_via1, ret_via);
}

/* `next` stays within a line (callers rewrite lines by it); `next_all` crosses them. */
int ksr_msg_vias(struct ksr_msg *msg, struct ksr_via **ret_first)
{
	struct ksr_via *first = NULL, *last = NULL, *v;
	struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_VIA);
	int r;

	if (!h)
		return -ENOENT;
	for (; h; h = ksr_msg_hdr_next(h)) {
		r = via_line(msg, h, &v);
		if (r < 0)
			return r;
		if (last)
			last->next_all = v;
		else
			first = v;
		for (last = v; last->next; last = last->next)
			;
	}
	*ret_first = first;
	return 0;
}

int ksr_msg_via2(struct ksr_msg *msg, struct ksr_via **ret_via)
{
	struct ksr_via *first;
	int r = ksr_msg_vias(msg, &first);

	if (r < 0)
		return r;
	if (!first->next_all)
		return -ENOENT;
	*ret_via = first->next_all;
	return 0;
}
