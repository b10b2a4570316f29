/*
 * textops: headers: adding (append_hf, insert_hf, append_urihf, append_time*), finding
 * (is_present_hf*), removing (remove_hf*), and the headers of local replies
 * (append_to_reply, append_time).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"
#include "textops.h"

/* --- adding --- */

static bool lines_ok(struct ksr_str text)
{
	if (tx_hdr_lines_ok(text))
		return true;
	LM_ERR("not header lines, each ending in \\r\\n: '%.*s'\n", KSR_STR_FMT(text));
	return false;
}

static int insert_at(struct ksr_msg *msg, const char *at, struct ksr_str text)
{
	int r;

	if (!lines_ok(text))
		return -1;
	r = ksr_msg_replace_range(msg, at, 0, text);
	if (r < 0) {
		LM_ERR("cannot add the header: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static struct ksr_hdr *first_named(const struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tx_hname hn;

	tx_param_hname(p, &hn);
	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		if (tx_hname_match(&hn, h))
			return h;
	return NULL;
}

static char *after_headers(const struct ksr_msg *msg)
{
	return ksr_str_end(tx_msg_headers(msg));
}

static char *before_headers(const struct ksr_msg *msg)
{
	return tx_msg_headers(msg).s;
}

int textops_fixup_add_hf(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && !tx_hdr_lines_ok(p[0].s)) {
		*ret_err = "the header must be whole lines, each ending in \\r\\n";
		return -EINVAL;
	}
	return n > 1 ? tx_fixup_hname(&p[1], true, ret_err) : 0;
}

int textops_append_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return insert_at(msg, after_headers(msg), p[0].s);
}

/* append_hf(txt, hdr): after the first hdr header, else after the last header. */
int textops_append_hf2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_hdr *h = first_named(msg, &p[1]);

	return insert_at(msg, h ? ksr_str_end(h->line) : after_headers(msg), p[0].s);
}

int textops_insert_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return insert_at(msg, before_headers(msg), p[0].s);
}

/* insert_hf(txt, hdr): before the first hdr header, else before the first header. */
int textops_insert_hf2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_hdr *h = first_named(msg, &p[1]);

	return insert_at(msg, h ? h->line.s : before_headers(msg), p[0].s);
}

/* Three pieces joined in msg's arena. */
static struct ksr_str join3(struct ksr_msg *msg, struct ksr_str a, struct ksr_str b,
			    struct ksr_str c)
{
	char *s = ksr_arena_alloc(msg->arena, a.len + b.len + c.len + 1);

	if (!s)
		return KSR_STR_NULL;
	if (a.len)
		memcpy(s, a.s, a.len);
	if (b.len)
		memcpy(s + a.len, b.s, b.len);
	if (c.len)
		memcpy(s + a.len + b.len, c.s, c.len);
	return ksr_str_make(s, a.len + b.len + c.len);
}

/* append_urihf(prefix, suffix): prefix, the Request-URI as received, suffix. */
int textops_append_urihf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str line;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	line = join3(msg, p[0].s, msg->first.req.uri, p[1].s);
	if (!line.s)
		return -1;
	return insert_at(msg, after_headers(msg), line);
}

/* "Date: Thu, 26 Nov 2026 07:43:26 GMT\r\n" (RFC 3261 20.17), at the message's time. */
static int date_line(struct ksr_msg *msg, struct ksr_str *ret)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	time_t t;
	char *s;
	int n;

	if (!msg->time_set) {
		gettimeofday(&msg->time, NULL);
		msg->time_set = true;
	}
	t = msg->time.tv_sec;
	if (!gmtime_r(&t, &tm) || !(s = ksr_arena_alloc(msg->arena, 64)))
		return -1;
	/* names written out: the locale must not change a protocol header */
	n = snprintf(s, 64, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", days[tm.tm_wday],
		     tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		     tm.tm_sec);
	if (n < 0 || n >= 64)
		return -1;
	*ret = ksr_str_make(s, (size_t)n);
	return 0;
}

/* append_time(): a Date header for the local replies to the request. */
int textops_append_time(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str line;

	if (date_line(msg, &line) < 0 || ksr_reply_add_hdrs(msg, line) < 0)
		return -1;
	return 1;
}

/* append_time_to_request(): a Date header after the first header (as upstream). */
int textops_append_time_to_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str line;

	if (!msg->headers || date_line(msg, &line) < 0)
		return -1;
	return insert_at(msg, ksr_str_end(msg->headers->line), line);
}

int textops_append_to_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r = ksr_reply_add_hdrs(msg, p[0].s);

	if (r < 0) {
		if (r == -EINVAL)
			LM_ERR("not header lines, each ending in \\r\\n: '%.*s'\n",
			       KSR_STR_FMT(p[0].s));
		return -1;
	}
	return 1;
}

int textops_fixup_reply_hdrs(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && !tx_hdr_lines_ok(p[0].s)) {
		*ret_err = "the header must be whole lines, each ending in \\r\\n";
		return -EINVAL;
	}
	return 0;
}

/* --- finding and removing by name, by regex, by index, by value --- */

int textops_fixup_hname(struct ksr_fparam *p, int n, const char **ret_err)
{
	return tx_fixup_hname(&p[0], false, ret_err);
}

int textops_fixup_hname_pv(struct ksr_fparam *p, int n, const char **ret_err)
{
	return tx_fixup_hname(&p[0], true, ret_err);
}

static bool name_matches(const regex_t *re, const struct ksr_hdr *h)
{
	regmatch_t m[1];

	return textops_exec(re, h->name, 0, 1, m) == 0;
}

int textops_is_present_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return first_named(msg, &p[0]) ? 1 : -1;
}

int textops_is_present_hf_re(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	regex_t tmp, *re;
	int ret = -1;

	if (textops_param_re(&p[0], TX_RE_FLAGS, &tmp, &re) < 0)
		return -1;
	for (struct ksr_hdr *h = msg->headers; h && ret < 0; h = h->next)
		if (name_matches(re, h))
			ret = 1;
	textops_param_re_done(&p[0], re);
	return ret;
}

/* Remove h; one that an earlier change overlaps is left (logged). 1 when removed. */
static int remove_one(struct ksr_msg *msg, struct ksr_hdr *h)
{
	int r = ksr_msg_remove_hdr(msg, h);

	if (r == -EBUSY) {
		LM_WARN("header %.*s was changed already: not removed\n", KSR_STR_FMT(h->name));
		return 0;
	}
	return r < 0 ? -1 : 1;
}

int textops_remove_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tx_hname hn;
	int n = 0, r;

	tx_param_hname(&p[0], &hn);
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		if (!tx_hname_match(&hn, h))
			continue;
		if ((r = remove_one(msg, h)) < 0)
			return -1;
		n += r;
	}
	return n ? 1 : -1;
}

/* remove_hf_re(re) and remove_hf_exp(match, skip): by the name, as regexes. */
static int remove_re(struct ksr_msg *msg, const struct ksr_fparam *pm,
		     const struct ksr_fparam *ps)
{
	regex_t tmp_m, tmp_s, *re_m = NULL, *re_s = NULL;
	int n = 0, ret = -1, r;

	if (textops_param_re(pm, TX_RE_FLAGS, &tmp_m, &re_m) < 0)
		return -1;
	if (ps && textops_param_re(ps, TX_RE_FLAGS, &tmp_s, &re_s) < 0)
		goto done;
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		if (!name_matches(re_m, h) || (re_s && name_matches(re_s, h)))
			continue;
		if ((r = remove_one(msg, h)) < 0)
			goto done;
		n += r;
	}
	ret = n ? 1 : -1;
done:
	textops_param_re_done(pm, re_m);
	if (ps)
		textops_param_re_done(ps, re_s);
	return ret;
}

int textops_fixup_re_all(struct ksr_fparam *p, int n, const char **ret_err)
{
	for (int i = 0; i < n; i++) {
		regex_t *re;
		int r;

		if (p[i].dynamic)
			continue;
		r = ksr_fixup_regcomp(p[i].s.s, TX_RE_FLAGS, &re, ret_err);
		if (r < 0)
			return r;
		p[i].ptr = re;
	}
	return 0;
}

int textops_remove_hf_re(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_re(msg, &p[0], NULL);
}

int textops_remove_hf_exp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return remove_re(msg, &p[0], &p[1]);
}

/* remove_hf_idx(hname, idx): the idx-th (from 0; negative: from the last) of that name. */
int textops_remove_hf_idx(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_hdr *h;
	struct tx_hname hn;
	long count = 0, i = 0, want = p[1].i;

	tx_param_hname(&p[0], &hn);
	for (h = msg->headers; h; h = h->next)
		count += tx_hname_match(&hn, h);
	if (want < 0)
		want += count;
	if (want < 0 || want >= count)
		return -1;
	for (h = msg->headers; h; h = h->next)
		if (tx_hname_match(&hn, h) && i++ == want)
			return remove_one(msg, h) > 0 ? 1 : -1;
	return -1;
}

enum match_op { OP_EQ, OP_NE, OP_IN, OP_RE };

static int match_op(struct ksr_str s, enum match_op *ret)
{
	static const char *const names[] = {"eq", "ne", "in", "re"};

	for (int i = 0; i < 4; i++) {
		if (ksr_str_caseeq_cstr(&s, names[i])) {
			*ret = (enum match_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

int textops_fixup_remove_hf_match(struct ksr_fparam *p, int n, const char **ret_err)
{
	enum match_op op;
	regex_t *re;
	int r;

	if (p[1].dynamic)
		return 0;
	if (match_op(p[1].s, &op) < 0) {
		*ret_err = "the operator must be eq, ne, in or re";
		return -EINVAL;
	}
	if (op == OP_RE && !p[2].dynamic) {
		r = ksr_fixup_regcomp(p[2].s.s, TX_RE_FLAGS, &re, ret_err);
		if (r < 0)
			return r;
		p[2].ptr = re;
	}
	return tx_fixup_hname(&p[0], true, ret_err);
}

/* remove_hf_match(hname, op, expr): those whose value is (eq), is not (ne), contains (in)
 * or matches (re) expr. */
int textops_remove_hf_match(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	regex_t tmp, *re = NULL;
	struct tx_hname hn;
	enum match_op op;
	int n = 0, ret = -1, r;

	if (match_op(p[1].s, &op) < 0) {
		LM_ERR("unknown operator '%.*s' (eq, ne, in, re)\n", KSR_STR_FMT(p[1].s));
		return -1;
	}
	if (op == OP_RE && textops_param_re(&p[2], TX_RE_FLAGS, &tmp, &re) < 0)
		return -1;
	tx_param_hname(&p[0], &hn);
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		bool hit;
		regmatch_t m[1];

		if (!tx_hname_match(&hn, h))
			continue;
		switch (op) {
		case OP_EQ: hit = ksr_str_eq(&h->body, &p[2].s); break;
		case OP_NE: hit = !ksr_str_eq(&h->body, &p[2].s); break;
		case OP_IN:
			hit = p[2].s.len && memmem(h->body.s, h->body.len, p[2].s.s, p[2].s.len);
			break;
		default: hit = textops_exec(re, h->body, 0, 1, m) == 0; break;
		}
		if (!hit)
			continue;
		if ((r = remove_one(msg, h)) < 0)
			goto done;
		n += r;
	}
	ret = n ? 1 : -1;
done:
	if (re)
		textops_param_re_done(&p[2], re);
	return ret;
}
