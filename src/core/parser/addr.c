/* From/To bodies (name-addr or addr-spec with header params) and CSeq. */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/msg.h"

static char *skip_lws(char *p, char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Header params after the URI: ";tag=abc;x". Only tag is pulled out for now. */
static int parse_addr_params(char *p, char *end, struct ksr_nameaddr *ret)
{
	p = skip_lws(p, end);
	ret->params = ksr_str_make(p, (size_t)(end - p));
	while (p < end) {
		char *name, *name_end, *val = NULL, *val_end = NULL;

		if (*p != ';')
			return -EINVAL;
		name = skip_lws(p + 1, end);
		for (name_end = name;
		     name_end < end && *name_end != '=' && *name_end != ';' && *name_end > ' ';
		     name_end++)
			;
		if (name_end == name)
			return -EINVAL;
		p = skip_lws(name_end, end);
		if (p < end && *p == '=') {
			val = skip_lws(p + 1, end);
			if (val < end && *val == '"') {
				for (val_end = val + 1; val_end < end && *val_end != '"'; val_end++)
					if (*val_end == '\\' && val_end + 1 < end)
						val_end++;
				if (val_end >= end)
					return -EINVAL;
				val_end++;
			} else {
				for (val_end = val; val_end < end && *val_end != ';' && *val_end > ' ';
				     val_end++)
					;
			}
			p = skip_lws(val_end, end);
		}
		if (name_end - name == 3 && strncasecmp(name, "tag", 3) == 0) {
			if (!val || val_end == val)
				return -EINVAL;
			ret->tag = ksr_str_make(val, (size_t)(val_end - val));
			ret->has_tag = true;
		}
	}
	return 0;
}

int ksr_parse_nameaddr(struct ksr_str body, struct ksr_nameaddr *ret)
{
	char *p = body.s, *end = body.s + body.len, *lt = NULL, *q;
	struct ksr_nameaddr na = {0};

	p = skip_lws(p, end);
	if (p >= end)
		return -EINVAL;
	/* find '<' outside a quoted display name */
	for (q = p; q < end; q++) {
		if (*q == '"') {
			for (q++; q < end && *q != '"'; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			if (q >= end)
				return -EINVAL;
		} else if (*q == '<') {
			lt = q;
			break;
		} else if (*q == ';') {
			break;
		}
	}
	if (lt) {
		char *gt = memchr(lt, '>', (size_t)(end - lt));

		if (!gt || gt == lt + 1)
			return -EINVAL;
		na.display = ksr_str_make(p, (size_t)(lt - p));
		ksr_str_trim(&na.display);
		na.uri = ksr_str_make(lt + 1, (size_t)(gt - lt - 1));
		p = gt + 1;
	} else {
		/* addr-spec: the URI ends at the first ';' (RFC 3261 20.10) */
		for (q = p; q < end && *q != ';' && *q != ' ' && *q != '\t'; q++)
			;
		na.uri = ksr_str_make(p, (size_t)(q - p));
		p = q;
	}
	if (!memchr(na.uri.s, ':', na.uri.len))
		return -EINVAL;
	if (parse_addr_params(p, end, &na) < 0)
		return -EINVAL;
	*ret = na;
	return 0;
}

int ksr_parse_cseq(struct ksr_str body, struct ksr_cseq *ret)
{
	char *p = body.s, *end = body.s + body.len, *m;
	unsigned long n = 0;
	char *d;

	for (d = p; d < end && *d >= '0' && *d <= '9'; d++) {
		n = n * 10 + (unsigned long)(*d - '0');
		if (n > 0xffffffffUL) /* RFC 3261 8.1.1.5: less than 2^31, be lenient to 2^32 */
			return -EINVAL;
	}
	if (d == p || d >= end || !(*d == ' ' || *d == '\t'))
		return -EINVAL;
	m = skip_lws(d, end);
	if (m >= end)
		return -EINVAL;
	for (char *c = m; c < end; c++)
		if (*c <= ' ')
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
		na = ksr_arena_alloc(msg->arena, sizeof(*na));
		if (!na)
			return -ENOMEM;
		r = ksr_parse_nameaddr(h->body, na);
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
