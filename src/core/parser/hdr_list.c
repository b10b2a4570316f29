/*
 * Lists in header bodies: comma-separated values (RFC 3261 7.3.1), values repeated over
 * several header lines, ";a=b" parameters, token lists (Supported, Require, Allow, ...).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

char *ksr__skip_lws(char *p, char *end)
{
	while (p < end) {
		if (is_ws(*p)) {
			p++;
		} else if (*p == '\r' && end - p >= 3 && p[1] == '\n' && is_ws(p[2])) {
			p += 3;
		} else if (*p == '\n' && end - p >= 2 && is_ws(p[1])) {
			p += 2;
		} else {
			break;
		}
	}
	return p;
}

char *ksr__skip_token(char *p, char *end)
{
	while (p < end && ksr__is_token_char((unsigned char)*p))
		p++;
	return p;
}

bool ksr__is_token(struct ksr_str s)
{
	return s.len > 0 && ksr__skip_token(s.s, ksr_str_end(s)) == ksr_str_end(s);
}

/* quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE; line breaks only as folding. */
char *ksr__skip_quoted(char *p, char *end)
{
	char *q = p + 1;

	while (q < end) {
		unsigned char c = (unsigned char)*q;

		if (c == '"')
			return q + 1;
		if (c == '\\') {
			if (end - q < 2 || q[1] == '\r' || q[1] == '\n')
				return NULL;
			q += 2;
		} else if (c == '\r' || c == '\n') {
			char *f = ksr__skip_lws(q, end);

			if (f == q)
				return NULL;
			q = f;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			return NULL;
		} else {
			q++;
		}
	}
	return NULL;
}

/* gen-value characters: token, host (with ':' and '[...]' for IPv6), and a bit more. */
/* visible characters but ; , = " < > \ — as a bitmap: every parameter byte comes here */
static inline bool is_value_char(unsigned char c)
{
	static const uint64_t bits[2] = {0x87ffeffa00000000ULL, 0x7fffffffefffffffULL};

	return c < 128 && ((bits[c >> 6] >> (c & 63)) & 1);
}

int ksr__param_next(char **pp, char *end, struct ksr_param *ret_param)
{
	char *q = ksr__skip_lws(*pp, end), *name, *name_end, *p, *val, *val_end;
	struct ksr_param prm = {0};

	if (q >= end || *q != ';')
		return 0;
	name = ksr__skip_lws(q + 1, end);
	name_end = ksr__skip_token(name, end);
	if (name_end == name)
		return -EINVAL;
	prm.name = ksr_str_make(name, (size_t)(name_end - name));
	p = name_end;
	q = ksr__skip_lws(p, end);
	if (q < end && *q == '=') {
		val = ksr__skip_lws(q + 1, end);
		if (val >= end)
			return -EINVAL;
		if (*val == '"') {
			val_end = ksr__skip_quoted(val, end);
			if (!val_end)
				return -EINVAL;
		} else if (*val == '[') {
			for (val_end = val + 1; val_end < end && (ksr__is_hex(*val_end) ||
								  *val_end == ':' || *val_end == '.');
			     val_end++)
				;
			if (val_end >= end || *val_end != ']' || val_end == val + 1)
				return -EINVAL;
			val_end++;
		} else {
			for (val_end = val; val_end < end && is_value_char((unsigned char)*val_end);
			     val_end++)
				;
			if (val_end == val)
				return -EINVAL;
		}
		prm.value = ksr_str_make(val, (size_t)(val_end - val));
		prm.has_value = true;
		p = val_end;
	}
	*ret_param = prm;
	*pp = p;
	return 1;
}

int ksr__parse_params(char **pp, char *end, struct ksr_arena *arena,
		      struct ksr_param **ret_list)
{
	struct ksr_param *first = NULL, **tail = &first, prm;
	char *p = *pp;
	int r;

	while ((r = ksr__param_next(&p, end, &prm)) > 0) {
		if (arena) {
			struct ksr_param *n = ksr_arena_alloc(arena, sizeof(*n));

			if (!n)
				return -ENOMEM;
			*n = prm;
			*tail = n;
			tail = &n->next;
		}
	}
	if (r < 0)
		return r;
	*pp = p;
	if (ret_list)
		*ret_list = first;
	return 0;
}

int ksr_parse_params(struct ksr_str s, struct ksr_arena *arena, struct ksr_param **ret_list)
{
	char *p = s.s, *end = ksr_str_end(s);
	struct ksr_param *list = NULL;
	int r;

	if (s.len == 0) {
		*ret_list = NULL;
		return 0;
	}
	r = ksr__parse_params(&p, end, arena, &list);
	if (r < 0)
		return r;
	if (ksr__skip_lws(p, end) != end)
		return -EINVAL;
	*ret_list = list;
	return 0;
}

struct ksr_param *ksr_params_get(struct ksr_param *list, const char *name)
{
	for (; list; list = list->next)
		if (ksr_str_caseeq_cstr(&list->name, name))
			return list;
	return NULL;
}

struct ksr_str ksr_unquote(struct ksr_str s)
{
	if (s.len >= 2 && s.s[0] == '"' && s.s[s.len - 1] == '"')
		return ksr_str_make(s.s + 1, s.len - 2);
	return s;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
int ksr_parse_qvalue(struct ksr_str s, int *ret_q)
{
	int q, scale = 100;

	if (s.len == 0 || s.len > 5 || (s.s[0] != '0' && s.s[0] != '1'))
		return -EINVAL;
	q = (s.s[0] - '0') * 1000;
	if (s.len > 1) {
		if (s.s[1] != '.')
			return -EINVAL;
		for (size_t i = 2; i < s.len; i++, scale /= 10) {
			if (!ksr__is_digit(s.s[i]) || (q == 1000 && s.s[i] != '0'))
				return -EINVAL;
			q += (s.s[i] - '0') * scale;
		}
	}
	*ret_q = q;
	return 0;
}

int ksr_list_next(struct ksr_str *cursor, struct ksr_str *ret_item)
{
	char *end = cursor->s + cursor->len, *p, *q, *item_end;
	bool angle = false, folded = false;

	p = ksr__skip_lws(cursor->s, end);
	if (p >= end)
		return 0;
	for (q = p; q < end; q++) {
		char c = *q;

		if (angle) {
			if (c == '>')
				angle = false;
			else if (c == '<')
				return -EINVAL;
		} else if (c == '"') {
			char *e = ksr__skip_quoted(q, end);

			if (!e)
				return -EINVAL;
			q = e - 1;
		} else if (c == '<') {
			angle = true;
		} else if (c == '>') {
			return -EINVAL;
		} else if (c == ',') {
			break;
		}
	}
	if (angle)
		return -EINVAL;
	/* trailing LWS is not part of the value; a line break counts only when it folds */
	for (item_end = q; item_end > p;) {
		if (is_ws(item_end[-1])) {
			item_end--;
			folded = true;
		} else if (item_end[-1] == '\n' && folded) {
			item_end--;
			if (item_end > p && item_end[-1] == '\r')
				item_end--;
		} else {
			break;
		}
	}
	if (item_end == p)
		return -EINVAL;
	if (q < end) {
		/* a comma must be followed by another value */
		if (ksr__skip_lws(q + 1, end) >= end)
			return -EINVAL;
		q++;
	}
	*ret_item = ksr_str_make(p, (size_t)(item_end - p));
	*cursor = ksr_str_make(q, (size_t)(end - q));
	return 1;
}

/* --- all values of all lines of a type --- */

static bool iter_match(const struct ksr_hdr_iter *it, const struct ksr_hdr *h)
{
	if (h->type != it->type)
		return false;
	return it->type != KSR_HDR_OTHER || ksr_str_caseeq(&h->name, &it->name);
}

static struct ksr_hdr *iter_from(const struct ksr_hdr_iter *it, struct ksr_hdr *h)
{
	for (; h; h = h->next)
		if (iter_match(it, h))
			return h;
	return NULL;
}

void ksr_hdr_iter_init(struct ksr_hdr_iter *it, const struct ksr_msg *msg,
		       enum ksr_hdr_type type)
{
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->hdr = iter_from(it, msg->headers);
	if (it->hdr)
		it->rest = it->hdr->body;
}

void ksr_hdr_iter_init_name(struct ksr_hdr_iter *it, const struct ksr_msg *msg,
			    struct ksr_str name)
{
	memset(it, 0, sizeof(*it));
	it->type = ksr_hdr_type_of(name);
	it->name = name;
	it->hdr = iter_from(it, msg->headers);
	if (it->hdr)
		it->rest = it->hdr->body;
}

int ksr_hdr_iter_next(struct ksr_hdr_iter *it, struct ksr_str *ret_value)
{
	while (it->hdr) {
		int r = ksr_list_next(&it->rest, ret_value);

		if (r != 0)
			return r;
		/* this line is done (an empty line has no values): on to the next one */
		struct ksr_hdr *n = iter_from(it, it->hdr->next);

		if (!n)
			break;
		it->hdr = n;
		it->rest = n->body;
	}
	it->rest = KSR_STR_NULL;
	return 0;
}

/* --- per-line cache of list headers --- */

struct parsed_list {
	void *first, *last;
};

static void *elem_ptr(void *elem, size_t off)
{
	void *v;

	memcpy(&v, (char *)elem + off, sizeof(v));
	return v;
}

static void elem_set(void *elem, size_t off, void *v)
{
	memcpy((char *)elem + off, &v, sizeof(v));
}

static int parse_line(struct ksr_msg *msg, struct ksr_hdr *h, const struct ksr__list_ops *ops)
{
	struct parsed_list *pl;
	void *first = NULL, *e;
	int r;

	pl = ksr_arena_alloc(msg->arena, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	r = ops->parse(h->body, msg->arena, &first);
	if (r < 0)
		return r;
	if (!first && !ops->allow_empty)
		return -EINVAL;
	pl->first = first;
	for (e = first; e; e = elem_ptr(e, ops->next_off)) {
		elem_set(e, ops->hdr_off, h);
		pl->last = e;
	}
	h->parsed = pl;
	return 0;
}

int ksr__msg_list(struct ksr_msg *msg, enum ksr_hdr_type type, const struct ksr__list_ops *ops,
		  void **ret_first)
{
	struct ksr_hdr *h, *first_h = ksr_msg_hdr_first(msg, type);
	void *first = NULL, *prev_last = NULL;
	int r;

	if (!first_h)
		return -ENOENT;
	for (h = first_h; h; h = ksr_msg_hdr_next(h)) {
		if (!h->parsed) {
			r = parse_line(msg, h, ops);
			if (r < 0)
				return r;
		}
	}
	/* link the lines: deterministic, so doing it again on a later call is harmless */
	for (h = first_h; h; h = ksr_msg_hdr_next(h)) {
		struct parsed_list *pl = h->parsed;

		if (!pl->first)
			continue;
		if (prev_last)
			elem_set(prev_last, ops->next_off, pl->first);
		else
			first = pl->first;
		prev_last = pl->last;
	}
	*ret_first = first;
	return 0;
}

/* --- token lists --- */

int ksr_parse_token_list(struct ksr_str body, struct ksr_arena *arena,
			 struct ksr_token **ret_first)
{
	struct ksr_token *first = NULL, **tail = &first;
	struct ksr_str cur = body, item;
	int r;

	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_token *t;

		if (!ksr__is_token(item))
			return -EINVAL;
		t = ksr_arena_alloc(arena, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->name = item;
		*tail = t;
		tail = &t->next;
	}
	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}

static int token_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_token *first;
	int r = ksr_parse_token_list(body, arena, &first);

	if (r == 0)
		*ret_first = first;
	return r;
}

int ksr_msg_tokens(struct ksr_msg *msg, enum ksr_hdr_type type, struct ksr_token **ret_first)
{
	struct ksr__list_ops ops = {
	        .parse = token_line,
	        .next_off = offsetof(struct ksr_token, next),
	        .hdr_off = offsetof(struct ksr_token, hdr),
	};
	void *first;
	int r;

	switch (type) {
	case KSR_HDR_SUPPORTED:
	case KSR_HDR_ALLOW:
	case KSR_HDR_ALLOWEVENTS:
		ops.allow_empty = true;
		break;
	case KSR_HDR_REQUIRE:
	case KSR_HDR_PROXYREQUIRE:
	case KSR_HDR_UNSUPPORTED:
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

bool ksr_tokens_has(const struct ksr_token *list, const char *name)
{
	for (; list; list = list->next)
		if (ksr_str_caseeq_cstr(&list->name, name))
			return true;
	return false;
}

static const struct {
	const char *name;
	unsigned int bit;
} option_tags[] = {
	{"100rel", KSR_OPT_100REL},       {"timer", KSR_OPT_TIMER},
	{"path", KSR_OPT_PATH},           {"gruu", KSR_OPT_GRUU},
	{"outbound", KSR_OPT_OUTBOUND},   {"replaces", KSR_OPT_REPLACES},
	{"norefersub", KSR_OPT_NOREFERSUB}, {"eventlist", KSR_OPT_EVENTLIST},
	{"precondition", KSR_OPT_PRECONDITION}, {"sec-agree", KSR_OPT_SEC_AGREE},
};

unsigned int ksr_option_tags(const struct ksr_token *list)
{
	unsigned int mask = 0;

	for (; list; list = list->next) {
		unsigned int bit = KSR_OPT_OTHER;

		for (size_t i = 0; i < sizeof(option_tags) / sizeof(option_tags[0]); i++) {
			if (ksr_str_caseeq_cstr(&list->name, option_tags[i].name)) {
				bit = option_tags[i].bit;
				break;
			}
		}
		mask |= bit;
	}
	return mask;
}

unsigned int ksr_methods_mask(const struct ksr_token *list)
{
	unsigned int mask = 0;

	for (; list; list = list->next)
		mask |= (unsigned int)ksr_method_id(list->name);
	return mask;
}

int ksr_msg_allow(struct ksr_msg *msg, unsigned int *ret_methods)
{
	struct ksr_token *first;
	int r = ksr_msg_tokens(msg, KSR_HDR_ALLOW, &first);

	if (r < 0)
		return r;
	*ret_methods = ksr_methods_mask(first);
	return 0;
}
