/*
 * Lists of name-addr values: Route, Record-Route (RFC 3261 20.30/20.34), Path (RFC 3327),
 * P-Asserted-Identity / P-Preferred-Identity (RFC 3325), Diversion (RFC 5806).
 */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

int ksr_parse_addr_list(struct ksr_str body, bool require_angle, struct ksr_arena *arena,
			struct ksr_addr **ret_first)
{
	struct ksr_addr *first = NULL, **tail = &first;
	struct ksr_str cur = body, item;
	int r;

	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_addr *a = ksr_arena_alloc(arena, sizeof(*a));

		if (!a)
			return -ENOMEM;
		r = ksr__parse_addr(item, KSR__ADDR_LR | (require_angle ? KSR__ADDR_ANGLE : 0), arena,
				    a);
		if (r < 0)
			return r;
		*tail = a;
		tail = &a->next;
	}
	if (r < 0)
		return r;
	if (!first)
		return -EINVAL;
	*ret_first = first;
	return 0;
}

static int angle_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_addr *first;
	int r = ksr_parse_addr_list(body, true, arena, &first);

	if (r == 0)
		*ret_first = first;
	return r;
}

static int addr_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_addr *first;
	int r = ksr_parse_addr_list(body, false, arena, &first);

	if (r == 0)
		*ret_first = first;
	return r;
}

int ksr_msg_addr_list(struct ksr_msg *msg, enum ksr_hdr_type type, struct ksr_addr **ret_first)
{
	struct ksr__list_ops ops = {
	        .next_off = offsetof(struct ksr_addr, next),
	        .hdr_off = offsetof(struct ksr_addr, hdr),
	};
	void *first;
	int r;

	switch (type) {
	case KSR_HDR_ROUTE:
	case KSR_HDR_RECORDROUTE:
	case KSR_HDR_PATH:
		ops.parse = angle_line;
		break;
	case KSR_HDR_PAI:
	case KSR_HDR_PPI:
	case KSR_HDR_REFERTO:
	case KSR_HDR_REFERREDBY:
		ops.parse = addr_line;
		break;
	default:
		return -EINVAL;
	}
	r = ksr__msg_list(msg, type, &ops, &first);
	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}

int ksr_msg_routes(struct ksr_msg *msg, struct ksr_addr **ret_first)
{
	return ksr_msg_addr_list(msg, KSR_HDR_ROUTE, ret_first);
}

int ksr_msg_record_routes(struct ksr_msg *msg, struct ksr_addr **ret_first)
{
	return ksr_msg_addr_list(msg, KSR_HDR_RECORDROUTE, ret_first);
}

int ksr_msg_paths(struct ksr_msg *msg, struct ksr_addr **ret_first)
{
	return ksr_msg_addr_list(msg, KSR_HDR_PATH, ret_first);
}

int ksr_msg_pai(struct ksr_msg *msg, struct ksr_addr **ret_first)
{
	return ksr_msg_addr_list(msg, KSR_HDR_PAI, ret_first);
}

int ksr_msg_ppi(struct ksr_msg *msg, struct ksr_addr **ret_first)
{
	return ksr_msg_addr_list(msg, KSR_HDR_PPI, ret_first);
}

/* --- Diversion --- */

/* diversion-counter = "counter" EQUAL 1*2DIGIT */
static int parse_counter(struct ksr_str v, unsigned int *ret)
{
	unsigned int n = 0;

	if (v.len == 0 || v.len > 2)
		return -EINVAL;
	for (size_t i = 0; i < v.len; i++) {
		if (!ksr__is_digit(v.s[i]))
			return -EINVAL;
		n = n * 10 + (unsigned int)(v.s[i] - '0');
	}
	*ret = n;
	return 0;
}

static int diversion_value(struct ksr_str item, struct ksr_arena *arena, struct ksr_diversion *d)
{
	struct ksr_addr a;
	int r = ksr__parse_addr(item, KSR__ADDR_ANGLE | KSR__ADDR_LR, arena, &a);

	if (r < 0)
		return r;
	d->value = a.value;
	d->display = a.display;
	d->uri = a.uri;
	d->params = a.params;
	d->param_list = a.param_list;
	for (struct ksr_param *p = a.param_list; p; p = p->next) {
		struct ksr_str *slot = NULL;

		if (ksr_str_caseeq_cstr(&p->name, "counter")) {
			if (d->has_counter || !p->has_value || parse_counter(p->value, &d->counter) < 0)
				return -EINVAL;
			d->has_counter = true;
			continue;
		}
		if (ksr_str_caseeq_cstr(&p->name, "reason"))
			slot = &d->reason;
		else if (ksr_str_caseeq_cstr(&p->name, "privacy"))
			slot = &d->privacy;
		else if (ksr_str_caseeq_cstr(&p->name, "screen"))
			slot = &d->screen;
		if (!slot)
			continue;
		if (slot->len || !p->has_value || ksr_unquote(p->value).len == 0)
			return -EINVAL;
		*slot = ksr_unquote(p->value);
	}
	return 0;
}

int ksr_parse_diversion(struct ksr_str body, struct ksr_arena *arena,
			struct ksr_diversion **ret_first)
{
	struct ksr_diversion *first = NULL, **tail = &first;
	struct ksr_str cur = body, item;
	int r;

	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_diversion *d = ksr_arena_alloc(arena, sizeof(*d));

		if (!d)
			return -ENOMEM;
		r = diversion_value(item, arena, d);
		if (r < 0)
			return r;
		*tail = d;
		tail = &d->next;
	}
	if (r < 0)
		return r;
	if (!first)
		return -EINVAL;
	*ret_first = first;
	return 0;
}

static int diversion_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_diversion *first;
	int r = ksr_parse_diversion(body, arena, &first);

	if (r == 0)
		*ret_first = first;
	return r;
}

int ksr_msg_diversions(struct ksr_msg *msg, struct ksr_diversion **ret_first)
{
	static const struct ksr__list_ops ops = {
	        .parse = diversion_line,
	        .next_off = offsetof(struct ksr_diversion, next),
	        .hdr_off = offsetof(struct ksr_diversion, hdr),
	};
	void *first;
	int r = ksr__msg_list(msg, KSR_HDR_DIVERSION, &ops, &first);

	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}
