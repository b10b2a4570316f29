/*
 * textops: tests on strings (cmp_str, starts_with, in_list, ...), on the method, the
 * Privacy header and the SDP hold state, and regex_substring.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "textops.h"

/* --- comparisons: 1 equal; -1 (first greater, or shorter for starts_with), -2 (less) --- */

static int order(int c)
{
	return c == 0 ? 1 : c > 0 ? -1 : -2;
}

/* Byte order, a prefix before the longer string, as upstream's cmp_str. */
static int compare(struct ksr_str a, struct ksr_str b, bool icase)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? (icase ? strncasecmp(a.s, b.s, n) : memcmp(a.s, b.s, n)) : 0;

	if (c == 0 && a.len != b.len)
		c = a.len < b.len ? -1 : 1;
	return c;
}

int textops_cmp_str(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return order(compare(p[0].s, p[1].s, false));
}

int textops_cmp_istr(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return order(compare(p[0].s, p[1].s, true));
}

int textops_starts_with(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (p[0].s.len < p[1].s.len)
		return -1;
	return order(p[1].s.len ? memcmp(p[0].s.s, p[1].s.s, p[1].s.len) : 0);
}

int textops_ends_with(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (p[0].s.len < p[1].s.len)
		return -1;
	return order(p[1].s.len ? memcmp(ksr_str_end(p[0].s) - p[1].s.len, p[1].s.s, p[1].s.len)
				: 0);
}

/* str_find / str_ifind: the position of str2 in str1, from 1; -1 when it is not there. */
static int find_pos(struct ksr_str hay, struct ksr_str needle, bool icase)
{
	if (needle.len == 0 || needle.len > hay.len)
		return -1;
	for (size_t i = 0; i + needle.len <= hay.len; i++) {
		if (icase ? strncasecmp(hay.s + i, needle.s, needle.len) == 0
			  : memcmp(hay.s + i, needle.s, needle.len) == 0)
			return i + 1 > 0x7fffffff ? 0x7fffffff : (int)(i + 1);
	}
	return -1;
}

int textops_str_find(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return find_pos(p[0].s, p[1].s, false);
}

int textops_str_ifind(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return find_pos(p[0].s, p[1].s, true);
}

/* --- in_list(subject, list, separator) --- */

int textops_fixup_in_list(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[2].s.len != 1) {
		*ret_err = "the separator must be one character";
		return -EINVAL;
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Each item of list (trimmed) against subject: equal, or (prefix) a prefix of it. */
static int in_list(const struct ksr_fparam *p, bool prefix)
{
	struct ksr_str subject = p[0].s, list = p[1].s;
	char sep = p[2].s.s[0];
	const char *q = list.s, *end = ksr_str_end(list);

	if (subject.len == 0) {
		LM_ERR("the subject is empty\n");
		return -1;
	}
	while (q < end) {
		const char *e = memchr(q, sep, (size_t)(end - q));
		struct ksr_str item = ksr_str_make((char *)q, (size_t)((e ? e : end) - q));

		while (item.len && is_space(item.s[0])) {
			item.s++;
			item.len--;
		}
		while (item.len && is_space(item.s[item.len - 1]))
			item.len--;
		if (prefix ? item.len && item.len <= subject.len &&
				     memcmp(item.s, subject.s, item.len) == 0
			   : ksr_str_eq(&item, &subject))
			return 1;
		if (!e)
			break;
		q = e + 1;
	}
	return -1;
}

int textops_in_list(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return in_list(p, false);
}

int textops_in_list_prefix(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return in_list(p, true);
}

/* --- regex_substring(text, regex, index, count, $pv) --- */

#define MAX_SUBSTRINGS 64

int textops_fixup_regex_substring(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[1].dynamic) {
		regex_t *re;
		int r = ksr_fixup_regcomp(p[1].s.s, REG_EXTENDED, &re, ret_err);

		if (r < 0)
			return r;
		p[1].ptr = re;
	}
	if (!p[3].dynamic && (p[3].i < 1 || p[3].i > MAX_SUBSTRINGS)) {
		*ret_err = "the match count must be from 1 to 64";
		return -EINVAL;
	}
	if (!p[2].dynamic && !p[3].dynamic && (p[2].i < 0 || p[2].i >= p[3].i)) {
		*ret_err = "the match index must be from 0 to the match count less one";
		return -EINVAL;
	}
	return ksr_fixup_pvar(&p[4], true, ret_err);
}

int textops_regex_substring(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	regmatch_t m[MAX_SUBSTRINGS];
	regex_t tmp, *re;
	long idx = p[2].i, count = p[3].i;
	int r, ret = -1;

	if (count < 1 || count > MAX_SUBSTRINGS || idx < 0 || idx >= count) {
		LM_ERR("match index %ld and count %ld out of range\n", idx, count);
		return -1;
	}
	if (textops_param_re(&p[1], REG_EXTENDED, &tmp, &re) < 0)
		return -1;
	r = textops_exec(re, p[0].s, 0, (size_t)count, m);
	if (r == 0 && m[idx].rm_so >= 0 &&
	    tx_pv_set_str(msg, &p[4],
			  ksr_str_make(p[0].s.s + m[idx].rm_so,
				       (size_t)(m[idx].rm_eo - m[idx].rm_so))) == 0)
		ret = 1;
	textops_param_re_done(&p[1], re);
	return ret;
}

/* --- is_method --- */

static const struct {
	const char *name;
	enum ksr_method id;
} methods[] = {
	{"INVITE", KSR_METHOD_INVITE}, {"CANCEL", KSR_METHOD_CANCEL},
	{"ACK", KSR_METHOD_ACK}, {"BYE", KSR_METHOD_BYE},
	{"INFO", KSR_METHOD_INFO}, {"REGISTER", KSR_METHOD_REGISTER},
	{"SUBSCRIBE", KSR_METHOD_SUBSCRIBE}, {"NOTIFY", KSR_METHOD_NOTIFY},
	{"MESSAGE", KSR_METHOD_MESSAGE}, {"OPTIONS", KSR_METHOD_OPTIONS},
	{"PRACK", KSR_METHOD_PRACK}, {"UPDATE", KSR_METHOD_UPDATE},
	{"REFER", KSR_METHOD_REFER}, {"PUBLISH", KSR_METHOD_PUBLISH},
};

/* The methods of is_method("a|b"): known ones as bits, others by name. */
struct method_set {
	unsigned int mask;
	size_t nnames;
	struct ksr_str names[];
};

int textops_fixup_is_method(struct ksr_fparam *p, int n, const char **ret_err)
{
	struct ksr_str s = p[0].s;
	struct method_set *set;
	size_t items = 1;
	const char *q, *end = ksr_str_end(s);

	if (p[0].dynamic || s.len == 0) {
		*ret_err = "the method must be a constant name, or names joined by '|'";
		return -EINVAL;
	}
	for (size_t i = 0; i < s.len; i++)
		items += s.s[i] == '|' || s.s[i] == ',';
	set = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*set) + items * sizeof(set->names[0]));
	if (!set)
		return -ENOMEM;
	for (q = s.s; q <= end;) {
		const char *e = q;
		struct ksr_str name;
		bool known = false;

		while (e < end && *e != '|' && *e != ',')
			e++;
		name = ksr_str_make((char *)q, (size_t)(e - q));
		ksr_str_trim(&name);
		if (name.len == 0) {
			*ret_err = "empty method name";
			return -EINVAL;
		}
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]) && !known; i++) {
			if (ksr_str_caseeq_cstr(&name, methods[i].name)) {
				set->mask |= methods[i].id;
				known = true;
			}
		}
		if (!known)
			set->names[set->nnames++] = name;
		q = e + 1;
	}
	p[0].ptr = set;
	return 0;
}

int textops_is_method(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct method_set *set = p[0].ptr;
	enum ksr_method id;
	struct ksr_str name;
	struct ksr_cseq *cseq;

	if (msg->type == KSR_MSG_REQUEST) {
		id = msg->first.req.method_id;
		name = msg->first.req.method;
	} else if (ksr_msg_cseq(msg, &cseq) == 0) {
		id = cseq->method_id;
		name = cseq->method;
	} else {
		LM_ERR("a reply without a CSeq method\n");
		return -1;
	}
	if (id != KSR_METHOD_OTHER)
		return (set->mask & id) ? 1 : -1;
	for (size_t i = 0; i < set->nnames; i++)
		if (ksr_str_caseeq(&set->names[i], &name))
			return 1;
	return -1;
}

/* --- is_privacy --- */

int textops_fixup_is_privacy(struct ksr_fparam *p, int n, const char **ret_err)
{
	unsigned int mask = 0;

	if (p[0].dynamic || ksr_parse_privacy(p[0].s, &mask) < 0 || (mask & KSR_PRIVACY_OTHER) ||
	    (mask & (mask - 1))) {
		*ret_err = "the privacy value must be one of header, session, user, none, "
			   "critical, id, history";
		return -EINVAL;
	}
	p[0].i = mask;
	return 0;
}

int textops_is_privacy(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int mask;

	if (!ksr_msg_hdr_first(msg, KSR_HDR_PRIVACY) || ksr_msg_privacy(msg, &mask) < 0)
		return -1;
	return (mask & (unsigned int)p[0].i) ? 1 : -1;
}

/* --- is_audio_on_hold --- */

/* The value of an SDP line "x=value" at p (up to its line end); *ret_next after it. */
static struct ksr_str sdp_line(const char *p, const char *end, const char **ret_next)
{
	const char *e = p;

	while (e < end && *e != '\r' && *e != '\n')
		e++;
	*ret_next = e;
	while (*ret_next < end && (**ret_next == '\r' || **ret_next == '\n'))
		(*ret_next)++;
	return ksr_str_make((char *)p + 2, e - p >= 2 ? (size_t)(e - p - 2) : 0);
}

/* "IN IP4 0.0.0.0": the hold address of RFC 2543. */
static bool null_address(struct ksr_str c)
{
	return c.len >= 7 && memcmp(ksr_str_end(c) - 7, "0.0.0.0", 7) == 0 &&
	       (c.len == 7 || ksr_str_end(c)[-8] == ' ');
}

static bool hold_mode(struct ksr_str a)
{
	return ksr_str_caseeq_cstr(&a, "sendonly") || ksr_str_caseeq_cstr(&a, "inactive");
}

/*
 * The hold type of the first audio stream on hold in an SDP body: 1 for a null
 * connection address (RFC 2543), 2 for sendonly/inactive (RFC 3264), 0 for none.
 */
static int sdp_audio_hold(struct ksr_str sdp)
{
	const char *p = sdp.s, *end = ksr_str_end(sdp), *next;
	bool sess_null = false, sess_mode = false, in_media = false, audio = false;
	bool m_null = false, m_mode = false, m_c = false;
	int found = 0;

	for (; p + 1 < end && !found; p = next) {
		struct ksr_str v = sdp_line(p, end, &next);

		if (p[1] != '=')
			continue;
		if (p[0] == 'm') {
			if (audio && (m_c ? m_null : sess_null))
				found = 1;
			else if (audio && (m_mode || sess_mode))
				found = 2;
			in_media = true;
			audio = v.len >= 6 && memcmp(v.s, "audio ", 6) == 0;
			m_null = m_mode = m_c = false;
		} else if (p[0] == 'c' && in_media) {
			m_c = true;
			m_null = null_address(v);
		} else if (p[0] == 'c') {
			sess_null = null_address(v);
		} else if (p[0] == 'a' && hold_mode(v)) {
			if (in_media)
				m_mode = true;
			else
				sess_mode = true;
		}
	}
	if (!found && audio && (m_c ? m_null : sess_null))
		found = 1;
	else if (!found && audio && (m_mode || sess_mode))
		found = 2;
	return found;
}

int textops_is_audio_on_hold(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_content_type *ct;
	struct ksr_body_part *parts;
	int hold = 0;

	if (msg->body.len == 0)
		return -1;
	if (!ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE)) {
		hold = sdp_audio_hold(msg->body);
	} else if (ksr_msg_content_type(msg, &ct) == 0) {
		if (ksr_str_caseeq_cstr(&ct->type, "application") &&
		    ksr_str_caseeq_cstr(&ct->subtype, "sdp")) {
			hold = sdp_audio_hold(msg->body);
		} else if (ksr_msg_body_parts(msg, &parts) == 0) {
			for (; parts && !hold; parts = parts->next)
				if (ksr_str_caseeq_cstr(&parts->content_type, "application/sdp"))
					hold = sdp_audio_hold(parts->content);
		}
	}
	return hold ? hold : -1;
}
