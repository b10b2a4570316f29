/*
 * Single-value header bodies: Call-ID, Content-Type, Max-Forwards, Expires, Min-Expires,
 * Event, Privacy, User-Agent/Server, Accept, Date (RFC 3261 20, RFC 6665, RFC 3323).
 */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

/* The parsed value of the first line of a type, cached in an arena block of size bytes. */
static int cached(struct ksr_msg *msg, struct ksr_hdr *h, size_t size,
		  int (*parse)(struct ksr_str body, struct ksr_arena *arena, void *out),
		  void **ret)
{
	void *v;
	int r;

	if (!h)
		return -ENOENT;
	if (!h->parsed) {
		v = ksr_arena_alloc(msg->arena, size);
		if (!v)
			return -ENOMEM;
		r = parse(h->body, msg->arena, v);
		if (r < 0)
			return r;
		h->parsed = v;
	}
	*ret = h->parsed;
	return 0;
}

/* --- Call-ID --- */

int ksr_parse_callid(struct ksr_str body, struct ksr_str *ret_callid)
{
	struct ksr_str c = body;

	ksr_str_trim(&c);
	if (c.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < c.len; i++)
		if ((unsigned char)c.s[i] <= 0x20 || c.s[i] == 0x7f)
			return -EINVAL;
	*ret_callid = c;
	return 0;
}

static int callid_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_callid(body, out);
}

int ksr_msg_callid(struct ksr_msg *msg, struct ksr_str *ret_callid)
{
	void *v;
	int r = cached(msg, msg->h_callid, sizeof(struct ksr_str), callid_cb, &v);

	if (r < 0)
		return r;
	*ret_callid = *(struct ksr_str *)v;
	return 0;
}

/* --- Content-Type --- */

/* type "/" subtype, LWS allowed around the slash (SLASH = SWS "/" SWS). */
static int media_type(char **pp, char *end, struct ksr_str *ret_type, struct ksr_str *ret_sub)
{
	char *p = ksr__skip_lws(*pp, end), *t;

	t = ksr__skip_token(p, end);
	if (t == p)
		return -EINVAL;
	*ret_type = ksr_str_make(p, (size_t)(t - p));
	p = ksr__skip_lws(t, end);
	if (p >= end || *p != '/')
		return -EINVAL;
	p = ksr__skip_lws(p + 1, end);
	t = ksr__skip_token(p, end);
	if (t == p)
		return -EINVAL;
	*ret_sub = ksr_str_make(p, (size_t)(t - p));
	*pp = t;
	return 0;
}

/* The params at *pp to the end of the text, with their raw span. */
static int trailing_params(char *p, char *end, struct ksr_arena *arena, struct ksr_str *ret_raw,
			   struct ksr_param **ret_list)
{
	char *pstart = ksr__skip_lws(p, end);
	int r = ksr__parse_params(&p, end, arena, ret_list);

	if (r < 0)
		return r;
	if (ksr__skip_lws(p, end) != end)
		return -EINVAL;
	*ret_raw = pstart < p ? ksr_str_make(pstart, (size_t)(p - pstart)) : KSR_STR_NULL;
	return 0;
}

static int content_type(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	struct ksr_content_type ct = {0};
	char *p = body.s, *end = ksr_str_end(body);
	int r;

	r = media_type(&p, end, &ct.type, &ct.subtype);
	if (r < 0)
		return r;
	r = trailing_params(p, end, arena, &ct.params, &ct.param_list);
	if (r < 0)
		return r;
	/* m-parameter = m-attribute EQUAL m-value: no flags */
	for (struct ksr_param *prm = ct.param_list; prm; prm = prm->next) {
		struct ksr_str *slot = NULL;

		if (!prm->has_value)
			return -EINVAL;
		if (ksr_str_caseeq_cstr(&prm->name, "boundary"))
			slot = &ct.boundary;
		else if (ksr_str_caseeq_cstr(&prm->name, "charset"))
			slot = &ct.charset;
		if (!slot)
			continue;
		if (slot->len || ksr_unquote(prm->value).len == 0)
			return -EINVAL;
		*slot = ksr_unquote(prm->value);
	}
	*(struct ksr_content_type *)out = ct;
	return 0;
}

int ksr_parse_content_type(struct ksr_str body, struct ksr_arena *arena,
			   struct ksr_content_type **ret_ct)
{
	struct ksr_content_type *ct = ksr_arena_alloc(arena, sizeof(*ct));
	int r;

	if (!ct)
		return -ENOMEM;
	r = content_type(body, arena, ct);
	if (r < 0)
		return r;
	*ret_ct = ct;
	return 0;
}

int ksr_msg_content_type(struct ksr_msg *msg, struct ksr_content_type **ret_ct)
{
	void *v;
	int r = cached(msg, ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE),
		       sizeof(struct ksr_content_type), content_type, &v);

	if (r < 0)
		return r;
	*ret_ct = v;
	return 0;
}

/* --- numbers --- */

/* 1*DIGIT no larger than max (leading zeros allowed). */
static int parse_number(struct ksr_str s, uint64_t max, uint64_t *ret)
{
	uint64_t n = 0;

	if (s.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		if (!ksr__is_digit(s.s[i]))
			return -EINVAL;
		n = n * 10 + (uint64_t)(s.s[i] - '0');
		if (n > max)
			return -EINVAL;
	}
	*ret = n;
	return 0;
}

int ksr_parse_maxfwd(struct ksr_str body, unsigned int *ret_maxfwd)
{
	uint64_t n;
	int r = parse_number(body, 255, &n);

	if (r < 0)
		return r;
	*ret_maxfwd = (unsigned int)n;
	return 0;
}

int ksr_parse_delta_seconds(struct ksr_str s, uint32_t *ret_secs)
{
	uint64_t n;
	int r = parse_number(s, 0xffffffffu, &n);

	if (r < 0)
		return r;
	*ret_secs = (uint32_t)n;
	return 0;
}

static int maxfwd_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_maxfwd(body, out);
}

static int delta_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_delta_seconds(body, out);
}

int ksr_msg_maxfwd(struct ksr_msg *msg, unsigned int *ret_maxfwd)
{
	void *v;
	int r = cached(msg, msg->h_maxfwd, sizeof(unsigned int), maxfwd_cb, &v);

	if (r < 0)
		return r;
	*ret_maxfwd = *(unsigned int *)v;
	return 0;
}

static int msg_delta(struct ksr_msg *msg, enum ksr_hdr_type type, uint32_t *ret_secs)
{
	void *v;
	int r = cached(msg, ksr_msg_hdr_first(msg, type), sizeof(uint32_t), delta_cb, &v);

	if (r < 0)
		return r;
	*ret_secs = *(uint32_t *)v;
	return 0;
}

int ksr_msg_expires(struct ksr_msg *msg, uint32_t *ret_secs)
{
	return msg_delta(msg, KSR_HDR_EXPIRES, ret_secs);
}

int ksr_msg_min_expires(struct ksr_msg *msg, uint32_t *ret_secs)
{
	return msg_delta(msg, KSR_HDR_MINEXPIRES, ret_secs);
}

/* --- Event --- */

/* event-type = event-package *( "." event-template ), each a token without '.' */
static int event_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	struct ksr_event ev = {0};
	char *end = ksr_str_end(body), *p = ksr__skip_lws(body.s, end), *t, *d;
	int r;

	t = ksr__skip_token(p, end);
	if (t == p || *p == '.' || t[-1] == '.')
		return -EINVAL;
	for (d = p; d + 1 < t; d++)
		if (d[0] == '.' && d[1] == '.')
			return -EINVAL;
	ev.type = ksr_str_make(p, (size_t)(t - p));
	d = memchr(p, '.', (size_t)(t - p));
	ev.package = ksr_str_make(p, (size_t)((d ? d : t) - p));
	r = trailing_params(t, end, arena, &ev.params, &ev.param_list);
	if (r < 0)
		return r;
	for (struct ksr_param *prm = ev.param_list; prm; prm = prm->next) {
		if (!ksr_str_caseeq_cstr(&prm->name, "id"))
			continue;
		if (ev.has_id || !prm->has_value)
			return -EINVAL;
		ev.id = prm->value;
		ev.has_id = true;
	}
	*(struct ksr_event *)out = ev;
	return 0;
}

int ksr_parse_event(struct ksr_str body, struct ksr_arena *arena, struct ksr_event **ret_event)
{
	struct ksr_event *ev = ksr_arena_alloc(arena, sizeof(*ev));
	int r;

	if (!ev)
		return -ENOMEM;
	r = event_cb(body, arena, ev);
	if (r < 0)
		return r;
	*ret_event = ev;
	return 0;
}

int ksr_msg_event(struct ksr_msg *msg, struct ksr_event **ret_event)
{
	void *v;
	int r = cached(msg, ksr_msg_hdr_first(msg, KSR_HDR_EVENT), sizeof(struct ksr_event),
		       event_cb, &v);

	if (r < 0)
		return r;
	*ret_event = v;
	return 0;
}

/* --- Privacy --- */

static const struct {
	const char *name;
	unsigned int bit;
} priv_values[] = {
	{"header", KSR_PRIVACY_HEADER}, {"session", KSR_PRIVACY_SESSION},
	{"user", KSR_PRIVACY_USER},     {"none", KSR_PRIVACY_NONE},
	{"critical", KSR_PRIVACY_CRITICAL}, {"id", KSR_PRIVACY_ID},
	{"history", KSR_PRIVACY_HISTORY},
};

/* Privacy-hdr = "Privacy" HCOLON priv-value *(";" priv-value) */
int ksr_parse_privacy(struct ksr_str body, unsigned int *ret_mask)
{
	char *end = ksr_str_end(body), *p = body.s, *t;
	unsigned int mask = 0;

	for (;;) {
		struct ksr_str v;
		unsigned int bit = KSR_PRIVACY_OTHER;

		p = ksr__skip_lws(p, end);
		t = ksr__skip_token(p, end);
		if (t == p)
			return -EINVAL;
		v = ksr_str_make(p, (size_t)(t - p));
		for (size_t i = 0; i < sizeof(priv_values) / sizeof(priv_values[0]); i++) {
			if (ksr_str_caseeq_cstr(&v, priv_values[i].name)) {
				bit = priv_values[i].bit;
				break;
			}
		}
		mask |= bit;
		p = ksr__skip_lws(t, end);
		if (p >= end)
			break;
		if (*p != ';')
			return -EINVAL;
		p++;
	}
	*ret_mask = mask;
	return 0;
}

static int privacy_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_privacy(body, out);
}

int ksr_msg_privacy(struct ksr_msg *msg, unsigned int *ret_mask)
{
	struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_PRIVACY);
	unsigned int mask = 0;

	if (!h)
		return -ENOENT;
	for (; h; h = ksr_msg_hdr_next(h)) {
		void *v;
		int r = cached(msg, h, sizeof(unsigned int), privacy_cb, &v);

		if (r < 0)
			return r;
		mask |= *(unsigned int *)v;
	}
	*ret_mask = mask;
	return 0;
}

/* --- free text: User-Agent, Server --- */

int ksr_parse_text(struct ksr_str body, struct ksr_str *ret_text)
{
	struct ksr_str t = body;
	char *p, *end;

	ksr_str_trim(&t);
	if (t.len == 0)
		return -EINVAL;
	for (p = t.s, end = ksr_str_end(t); p < end;) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r' || c == '\n') {
			char *f = ksr__skip_lws(p, end);

			if (f == p)
				return -EINVAL;
			p = f;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EINVAL;
		p++;
	}
	*ret_text = t;
	return 0;
}

static int text_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_text(body, out);
}

static int msg_text(struct ksr_msg *msg, enum ksr_hdr_type type, struct ksr_str *ret_text)
{
	void *v;
	int r = cached(msg, ksr_msg_hdr_first(msg, type), sizeof(struct ksr_str), text_cb, &v);

	if (r < 0)
		return r;
	*ret_text = *(struct ksr_str *)v;
	return 0;
}

int ksr_msg_user_agent(struct ksr_msg *msg, struct ksr_str *ret_text)
{
	return msg_text(msg, KSR_HDR_USERAGENT, ret_text);
}

int ksr_msg_server(struct ksr_msg *msg, struct ksr_str *ret_text)
{
	return msg_text(msg, KSR_HDR_SERVER, ret_text);
}

/* --- Accept --- */

static int media_range(struct ksr_str item, struct ksr_arena *arena, struct ksr_media_range *m)
{
	char *p = item.s, *end = ksr_str_end(item);
	int r;

	r = media_type(&p, end, &m->type, &m->subtype);
	if (r < 0)
		return r;
	/* "*" / "*" or type / "*" or type / subtype, never "*" / subtype */
	if (ksr_str_caseeq_cstr(&m->type, "*") && !ksr_str_caseeq_cstr(&m->subtype, "*"))
		return -EINVAL;
	r = trailing_params(p, end, arena, &m->params, &m->param_list);
	if (r < 0)
		return r;
	m->q = -1;
	for (struct ksr_param *prm = m->param_list; prm; prm = prm->next) {
		if (!ksr_str_caseeq_cstr(&prm->name, "q"))
			continue;
		if (m->q >= 0 || !prm->has_value || ksr_parse_qvalue(prm->value, &m->q) < 0)
			return -EINVAL;
	}
	if (m->q < 0)
		m->q = 1000;
	return 0;
}

int ksr_parse_accept(struct ksr_str body, struct ksr_arena *arena,
		     struct ksr_media_range **ret_first)
{
	struct ksr_media_range *first = NULL, **tail = &first;
	struct ksr_str cur = body, item;
	int r;

	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_media_range *m = ksr_arena_alloc(arena, sizeof(*m));

		if (!m)
			return -ENOMEM;
		r = media_range(item, arena, m);
		if (r < 0)
			return r;
		*tail = m;
		tail = &m->next;
	}
	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}

static int accept_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_media_range *first;
	int r = ksr_parse_accept(body, arena, &first);

	if (r == 0)
		*ret_first = first;
	return r;
}

int ksr_msg_accept(struct ksr_msg *msg, struct ksr_media_range **ret_first)
{
	static const struct ksr__list_ops ops = {
	        .parse = accept_line,
	        .next_off = offsetof(struct ksr_media_range, next),
	        .hdr_off = offsetof(struct ksr_media_range, hdr),
	        .allow_empty = true,
	};
	void *first;
	int r = ksr__msg_list(msg, KSR_HDR_ACCEPT, &ops, &first);

	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}

/* --- Date --- */

static int two_digits(const char *s)
{
	if (!ksr__is_digit(s[0]) || !ksr__is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Index of the 3-letter name at s in names (case-insensitive, as ABNF literals), or -1. */
static int name3(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strncasecmp(s, names[i], 3) == 0)
			return i;
	return -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), counting March-based years. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* rfc1123-date = wkday "," SP date1 SP time SP "GMT"; date1 = 2DIGIT SP month SP 4DIGIT */
int ksr_parse_date(struct ksr_str body, time_t *ret_time)
{
	static const char *const wkdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *s = body.s;
	int day, mon, year, hh, mm, ss;
	bool leap;

	if (body.len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' ||
	    strncasecmp(s + 26, "GMT", 3) != 0)
		return -EINVAL;
	if (name3(s, wkdays, 7) < 0)
		return -EINVAL;
	day = two_digits(s + 5);
	mon = name3(s + 8, months, 12);
	year = two_digits(s + 12) * 100 + two_digits(s + 14);
	hh = two_digits(s + 17);
	mm = two_digits(s + 20);
	ss = two_digits(s + 23);
	if (mon < 0 || two_digits(s + 12) < 0 || two_digits(s + 14) < 0 || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -EINVAL;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (day < 1 || day > mdays[mon] || (mon == 1 && day == 29 && !leap))
		return -EINVAL;
	*ret_time = (time_t)(days_from_civil(year, mon + 1, day) * 86400 + hh * 3600 + mm * 60 +
			     ss);
	return 0;
}

static int date_cb(struct ksr_str body, struct ksr_arena *arena, void *out)
{
	return ksr_parse_date(body, out);
}

int ksr_msg_date(struct ksr_msg *msg, time_t *ret_time)
{
	void *v;
	int r = cached(msg, ksr_msg_hdr_first(msg, KSR_HDR_DATE), sizeof(time_t), date_cb, &v);

	if (r < 0)
		return r;
	*ret_time = *(time_t *)v;
	return 0;
}
