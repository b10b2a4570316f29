/*
 * Contact bodies (RFC 3261 20.10): "*" or a list of name-addr / addr-spec with expires, q,
 * and the RFC 5626 +sip.instance and reg-id parameters.
 */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

/* reg-id = 1*DIGIT, 1 to 2^31-1 (RFC 5626 4.2) */
static int parse_reg_id(struct ksr_str v, uint32_t *ret)
{
	uint32_t n;

	if (ksr_parse_delta_seconds(v, &n) < 0 || n == 0 || n > 0x7fffffffu)
		return -EINVAL;
	*ret = n;
	return 0;
}

static int contact_params(struct ksr_contact *c)
{
	for (struct ksr_param *p = c->param_list; p; p = p->next) {
		struct ksr_str *text = NULL;

		if (ksr_str_caseeq_cstr(&p->name, "expires")) {
			if (c->has_expires || !p->has_value ||
			    ksr_parse_delta_seconds(p->value, &c->expires) < 0)
				return -EINVAL;
			c->has_expires = true;
		} else if (ksr_str_caseeq_cstr(&p->name, "q")) {
			if (c->q >= 0 || !p->has_value || ksr_parse_qvalue(p->value, &c->q) < 0)
				return -EINVAL;
		} else if (ksr_str_caseeq_cstr(&p->name, "reg-id")) {
			if (c->has_reg_id || !p->has_value || parse_reg_id(p->value, &c->reg_id) < 0)
				return -EINVAL;
			c->has_reg_id = true;
		} else if (ksr_str_caseeq_cstr(&p->name, "+sip.instance")) {
			if (c->has_instance || !p->has_value || ksr_unquote(p->value).len == 0)
				return -EINVAL;
			c->instance = ksr_unquote(p->value);
			c->has_instance = true;
		} else if (ksr_str_caseeq_cstr(&p->name, "received")) {
			text = &c->received;
		} else if (ksr_str_caseeq_cstr(&p->name, "methods")) {
			text = &c->methods;
		}
		if (text) {
			if (text->len || !p->has_value || ksr_unquote(p->value).len == 0)
				return -EINVAL;
			*text = ksr_unquote(p->value);
		}
	}
	return 0;
}

static int contact_value(struct ksr_str item, struct ksr_arena *arena, struct ksr_contact *c)
{
	struct ksr_addr a;
	int r = ksr__parse_addr(item, 0, arena, &a);

	if (r < 0)
		return r;
	c->value = a.value;
	c->display = a.display;
	c->uri = a.uri;
	c->params = a.params;
	c->param_list = a.param_list;
	c->q = -1;
	return contact_params(c);
}

int ksr_parse_contact(struct ksr_str body, struct ksr_arena *arena,
		      struct ksr_contacts **ret_contacts)
{
	struct ksr_contacts *cs;
	struct ksr_contact **tail;
	struct ksr_str cur = body, item;
	int r;

	cs = ksr_arena_alloc(arena, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	tail = &cs->first;
	item = body;
	ksr_str_trim(&item);
	if (item.len == 1 && item.s[0] == '*') {
		cs->star = true;
		*ret_contacts = cs;
		return 0;
	}
	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_contact *c = ksr_arena_alloc(arena, sizeof(*c));

		if (!c)
			return -ENOMEM;
		/* a star anywhere but alone fails here: it has no URI scheme */
		r = contact_value(item, arena, c);
		if (r < 0)
			return r;
		*tail = c;
		tail = &c->next;
	}
	if (r < 0)
		return r;
	if (!cs->first)
		return -EINVAL;
	*ret_contacts = cs;
	return 0;
}

/* Each line caches its own struct ksr_contacts; the lists are linked line to line. */
int ksr_msg_contacts(struct ksr_msg *msg, struct ksr_contacts **ret_contacts)
{
	struct ksr_hdr *h, *first_h = ksr_msg_hdr_first(msg, KSR_HDR_CONTACT);
	struct ksr_contact *last = NULL;
	unsigned int lines = 0;
	bool star = false;
	int r;

	if (!first_h)
		return -ENOENT;
	for (h = first_h; h; h = ksr_msg_hdr_next(h)) {
		struct ksr_contacts *cs;

		if (!h->parsed) {
			r = ksr_parse_contact(h->body, msg->arena, &cs);
			if (r < 0)
				return r;
			for (struct ksr_contact *c = cs->first; c; c = c->next)
				c->hdr = h;
			h->parsed = cs;
		}
		cs = h->parsed;
		star = star || cs->star;
		lines++;
	}
	if (star && lines > 1)
		return -EINVAL;
	for (h = first_h; h; h = ksr_msg_hdr_next(h)) {
		struct ksr_contacts *cs = h->parsed;

		if (last)
			last->next = cs->first;
		for (last = cs->first; last && last->next && last->next->hdr == h;
		     last = last->next)
			;
	}
	*ret_contacts = first_h->parsed;
	return 0;
}
