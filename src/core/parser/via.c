/* Via header bodies (RFC 3261 20.42, RFC 3581 rport), all values of one header line. */
#include <ctype.h>
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/msg.h"

static char *skip_lws(char *p, char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool is_param_char(unsigned char c)
{
	return c > ' ' && c != ';' && c != ',' && c != '=' && c != 0x7f;
}

/* "SIP / 2.0 / UDP": returns the transport, advances *pp. */
static int parse_protocol(char **pp, char *end, struct ksr_str *ret_transport)
{
	static const char *const parts[2] = {"SIP", "2.0"};
	char *p = *pp, *t;

	for (int i = 0; i < 2; i++) {
		size_t n = strlen(parts[i]);

		p = skip_lws(p, end);
		if ((size_t)(end - p) < n || strncasecmp(p, parts[i], n) != 0)
			return -EINVAL;
		p = skip_lws(p + n, end);
		if (p >= end || *p != '/')
			return -EINVAL;
		p++;
	}
	p = skip_lws(p, end);
	for (t = p; t < end && is_param_char((unsigned char)*t) && *t != ':'; t++)
		;
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

static int parse_params(char **pp, char *end, struct ksr_via *via)
{
	char *p = *pp, *pstart = NULL;

	for (;;) {
		char *name, *name_end, *val = NULL, *val_end = NULL;
		char *q = skip_lws(p, end);

		if (q >= end || *q != ';')
			break;
		if (!pstart)
			pstart = q;
		name = skip_lws(q + 1, end);
		for (name_end = name; name_end < end && is_param_char((unsigned char)*name_end);
		     name_end++)
			;
		if (name_end == name)
			return -EINVAL;
		p = name_end;
		q = skip_lws(p, end);
		if (q < end && *q == '=') {
			val = skip_lws(q + 1, end);
			if (val < end && *val == '"') {
				for (val_end = val + 1; val_end < end && *val_end != '"'; val_end++) {
					if (*val_end == '\\' && val_end + 1 < end)
						val_end++;
				}
				if (val_end >= end)
					return -EINVAL;
				val_end++;
			} else if (val < end && *val == '[') {
				for (val_end = val; val_end < end && *val_end != ']'; val_end++)
					;
				if (val_end >= end)
					return -EINVAL;
				val_end++;
			} else {
				for (val_end = val;
				     val_end < end && is_param_char((unsigned char)*val_end);
				     val_end++)
					;
			}
			p = val_end;
		}
		struct ksr_str n = ksr_str_make(name, (size_t)(name_end - name));
		struct ksr_str v = val ? ksr_str_make(val, (size_t)(val_end - val)) : KSR_STR_NULL;
		if (ksr_str_caseeq_cstr(&n, "branch")) {
			via->branch = v;
		} else if (ksr_str_caseeq_cstr(&n, "received")) {
			via->received = v;
			via->has_received = true;
		} else if (ksr_str_caseeq_cstr(&n, "rport")) {
			via->has_rport = true;
			via->rport = v;
			via->rport_name = name;
			via->rport_end = p;
		}
	}
	via->params = pstart ? ksr_str_make(pstart, (size_t)(p - pstart)) : KSR_STR_NULL;
	*pp = p;
	return 0;
}

int ksr_parse_via(struct ksr_str body, struct ksr_arena *arena, struct ksr_via **ret_via)
{
	char *p = body.s, *end = body.s + body.len;
	struct ksr_via *first = NULL, *last = NULL;

	for (;;) {
		struct ksr_via *via = ksr_arena_alloc(arena, sizeof(*via));

		if (!via)
			return -ENOMEM;
		if (parse_protocol(&p, end, &via->transport) < 0 ||
		    parse_sent_by(&p, end, via) < 0 || parse_params(&p, end, via) < 0)
			return -EINVAL;
		via->end = p;
		if (last)
			last->next = via;
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

int ksr_msg_via1(struct ksr_msg *msg, struct ksr_via **ret_via)
{
	struct ksr_hdr *h = msg->h_via1;
	struct ksr_via *v;
	int r;

	if (!h)
		return -ENOENT;
	if (!h->parsed) {
		r = ksr_parse_via(h->body, msg->arena, &v);
		if (r < 0)
			return r;
		h->parsed = v;
	}
	*ret_via = h->parsed;
	return 0;
}
