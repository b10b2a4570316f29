/*
 * textops: regular expressions over the received text: search, search_append, replace
 * and subst in the whole message, the headers or the body; search_hf and subst_hf in the
 * bodies of one kind of header. Every change is an edit of the message (core/msg/edit.h):
 * what these functions see is always the text as received.
 */
#include <errno.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "textops.h"
#include "tx_subst.h"

/* --- fixups --- */

static int fixup_re_flags(struct ksr_fparam *p, int cflags, const char **ret_err)
{
	regex_t *re;
	int r;

	if (p->dynamic)
		return 0;
	r = ksr_fixup_regcomp(p->s.s, cflags, &re, ret_err);
	if (r < 0)
		return r;
	p->ptr = re;
	return 0;
}

/* The first parameter is a regular expression (the others are text). */
int textops_fixup_re(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_re_flags(&p[0], TX_RE_FLAGS, ret_err);
}

/* replace_body_atonce: '.' and [^x] match newlines too, ^ and $ are the body's ends. */
int textops_fixup_re_nonl(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_re_flags(&p[0], REG_EXTENDED | REG_ICASE, ret_err);
}

static void subst_free(void *p)
{
	tx_subst_free(p);
}

static int fixup_one_subst(struct ksr_fparam *p, const char **ret_err)
{
	struct tx_subst *s;
	int r;

	r = tx_subst_parse(p->s, ksr_fixup_arena(), &s, ret_err);
	if (r < 0)
		return r;
	r = ksr_fixup_keep(s, subst_free);
	if (r < 0)
		return r;
	p->ptr = s;
	return 0;
}

int textops_fixup_subst(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_one_subst(&p[0], ret_err);
}

/* search_hf/subst_hf flags: a (any header, the default), f (the first), l (the last). */
static int fixup_hf_flags(struct ksr_fparam *p, const char **ret_err)
{
	if (p->s.len && p->s.s[0] != 'a' && p->s.s[0] != 'f' && p->s.s[0] != 'l') {
		*ret_err = "the flags must be a (all), f (first) or l (last)";
		return -EINVAL;
	}
	return 0;
}

int textops_fixup_search_hf(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = tx_fixup_hname(&p[0], false, ret_err);

	if (r == 0)
		r = fixup_re_flags(&p[1], TX_RE_FLAGS, ret_err);
	if (r == 0)
		r = fixup_hf_flags(&p[2], ret_err);
	return r;
}

int textops_fixup_subst_hf(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = tx_fixup_hname(&p[0], false, ret_err);

	if (r == 0)
		r = fixup_one_subst(&p[1], ret_err);
	if (r == 0)
		r = fixup_hf_flags(&p[2], ret_err);
	return r;
}

/* --- search --- */

static int search_in(const regex_t *re, struct ksr_str text)
{
	regmatch_t m[1];

	return textops_exec(re, text, 0, 1, m) == 0 ? 1 : -1;
}

int textops_search(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return search_in(p[0].ptr, tx_msg_all(msg));
}

int textops_search_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->body.len == 0)
		return -1;
	return search_in(p[0].ptr, msg->body);
}

/* search_str(text, re): both may hold variables. */
int textops_search_str(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	regex_t tmp, *re;
	int r;

	if (textops_param_re(&p[1], TX_RE_FLAGS, &tmp, &re) < 0)
		return -1;
	r = search_in(re, p[0].s);
	textops_param_re_done(&p[1], re);
	return r;
}

static bool hf_flag(const struct ksr_fparam *p, char f)
{
	return p->s.len && p->s.s[0] == f;
}

int textops_search_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct tx_hname *hn = p[0].ptr;
	struct ksr_hdr *h, *last = NULL;
	bool first_only = hf_flag(&p[2], 'f'), last_only = hf_flag(&p[2], 'l');

	for (h = msg->headers; h; h = h->next) {
		if (!tx_hname_match(hn, h))
			continue;
		if (last_only) {
			last = h;
			continue;
		}
		if (search_in(p[1].ptr, h->body) > 0)
			return 1;
		if (first_only)
			return -1;
	}
	return last ? search_in(p[1].ptr, last->body) : -1;
}

/* --- replacing matches --- */

/*
 * The matches of re in text (the first only unless all), each to become repl (len 0 and
 * insert_after: repl goes after the match). Collected before any edit is recorded, so
 * an error leaves the message as it was.
 */
static int replace_in(struct ksr_msg *msg, const regex_t *re, struct ksr_str text,
		      struct ksr_str repl, bool all, bool insert_after)
{
	struct tx_match *list = NULL;
	size_t n = 0, cap = 0, from = 0;
	regmatch_t m[1];
	int r;

	while (textops_exec(re, text, from, 1, m) == 0) {
		if (m[0].rm_so == m[0].rm_eo && !insert_after) {
			LM_ERR("the regular expression matched an empty string\n");
			return -1;
		}
		if (n == cap) {
			struct tx_match *bigger;

			cap = cap ? 2 * cap : 4;
			bigger = ksr_arena_alloc(msg->arena, cap * sizeof(*bigger));
			if (!bigger)
				return -1;
			if (n)
				memcpy(bigger, list, n * sizeof(*list));
			list = bigger;
		}
		if (insert_after)
			list[n++] = (struct tx_match){.off = (size_t)m[0].rm_eo, .repl = repl};
		else
			list[n++] = (struct tx_match){.off = (size_t)m[0].rm_so,
						      .len = (size_t)(m[0].rm_eo - m[0].rm_so),
						      .repl = repl};
		if (!all)
			break;
		from = (size_t)m[0].rm_eo;
	}
	if (n == 0)
		return -1;
	r = tx_subst_record(msg, text, list, n);
	if (r < 0) {
		LM_ERR("cannot change the message: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

int textops_search_append(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_in(msg, p[0].ptr, tx_msg_from_headers(msg), p[1].s, false, true);
}

int textops_search_append_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->body.len == 0)
		return -1;
	return replace_in(msg, p[0].ptr, msg->body, p[1].s, false, true);
}

int textops_replace(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_in(msg, p[0].ptr, tx_msg_from_headers(msg), p[1].s, false, false);
}

int textops_replace_all(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_in(msg, p[0].ptr, tx_msg_from_headers(msg), p[1].s, true, false);
}

int textops_replace_hdrs(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_in(msg, p[0].ptr, tx_msg_headers(msg), p[1].s, false, false);
}

int textops_replace_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->body.len == 0)
		return -1;
	return replace_in(msg, p[0].ptr, msg->body, p[1].s, false, false);
}

/* replace_body_all (line by line) and replace_body_atonce (compiled without REG_NEWLINE). */
int textops_replace_body_all(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->body.len == 0)
		return -1;
	return replace_in(msg, p[0].ptr, msg->body, p[1].s, true, false);
}

/* --- replace_str: plain text instead of a regex --- */

static char *find(struct ksr_str hay, size_t from, struct ksr_str needle)
{
	if (from > hay.len)
		return NULL;
	return memmem(hay.s + from, hay.len - from, needle.s, needle.len);
}

static int replace_str_in(struct ksr_msg *msg, struct ksr_str text, const struct ksr_fparam *p)
{
	struct ksr_str match = p[0].s;
	bool all = p[2].s.len && p[2].s.s[0] == 'a';
	size_t from = 0, n = 0;
	char *at;
	int r;

	if (match.len == 0) {
		LM_ERR("nothing to match\n");
		return -1;
	}
	/* the matches do not overlap: a failed edit can only come first */
	while ((at = find(text, from, match))) {
		r = ksr_msg_replace_range(msg, at, match.len, p[1].s);
		if (r < 0) {
			LM_ERR("cannot change the message: %s\n", strerror(-r));
			return -1;
		}
		n++;
		from = (size_t)(at - text.s) + match.len;
		if (!all)
			break;
	}
	return n ? 1 : -1;
}

int textops_fixup_replace_str(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[2].dynamic && !(p[2].s.len == 1 && (p[2].s.s[0] == 'a' || p[2].s.s[0] == 'f'))) {
		*ret_err = "the mode must be f (first) or a (all)";
		return -EINVAL;
	}
	return 0;
}

int textops_replace_str(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_str_in(msg, tx_msg_from_headers(msg), p);
}

int textops_replace_hdrs_str(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_str_in(msg, tx_msg_headers(msg), p);
}

int textops_replace_body_str(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replace_str_in(msg, msg->body, p);
}

/* --- subst --- */

static int subst_in(struct ksr_msg *msg, const struct tx_subst *s, struct ksr_str text)
{
	struct tx_match *list;
	size_t n;
	int r;

	r = tx_subst_run(s, msg, text, &list, &n);
	if (r < 0 || n == 0)
		return -1;
	r = tx_subst_record(msg, text, list, n);
	if (r < 0) {
		LM_ERR("cannot change the message: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/* subst: from the first header on, so that the Request-URI is left to subst_uri. */
int textops_subst(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return subst_in(msg, p[0].ptr, tx_msg_from_headers(msg));
}

int textops_subst_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->body.len == 0)
		return -1;
	return subst_in(msg, p[0].ptr, msg->body);
}

int textops_subst_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str out;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (tx_subst_str(p[0].ptr, msg, ksr_msg_cur_ruri(msg), &out) < 0)
		return -1;
	r = ksr_msg_set_ruri(msg, out);
	if (r < 0) {
		LM_ERR("cannot set the Request-URI '%.*s': %s\n", KSR_STR_FMT(out), strerror(-r));
		return -1;
	}
	return 1;
}

int textops_subst_user(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_fparam arg = {.type = KSR_PT_STR};
	struct ksr_uri *uri;

	if (!textops_setuser || msg->type != KSR_MSG_REQUEST ||
	    ksr_msg_cur_ruri_parsed(msg, &uri) < 0) {
		LM_ERR("no Request-URI to change\n");
		return -1;
	}
	if (tx_subst_str(p[0].ptr, msg, uri->user, &arg.s) < 0)
		return -1;
	/* the core's setuser() rebuilds the Request-URI around the new user */
	return textops_setuser(msg, &arg);
}

int textops_subst_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct tx_hname *hn = p[0].ptr;
	bool first_only = hf_flag(&p[2], 'f'), last_only = hf_flag(&p[2], 'l');
	struct ksr_hdr *h, *last = NULL;
	int ret = -1;

	for (h = msg->headers; h; h = h->next) {
		if (!tx_hname_match(hn, h))
			continue;
		if (last_only) {
			last = h;
			continue;
		}
		if (subst_in(msg, p[1].ptr, h->body) > 0)
			ret = 1;
		if (first_only)
			return ret;
	}
	if (last)
		ret = subst_in(msg, p[1].ptr, last->body);
	return ret;
}
