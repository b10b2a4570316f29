/* textops: regexes, header names and the parts of a message's text. */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "textops.h"

/* --- regexes --- */

int textops_param_re(const struct ksr_fparam *p, int cflags, regex_t *tmp, regex_t **ret)
{
	if (!p->dynamic && p->ptr) {
		*ret = p->ptr;
		return 0;
	}
	if (regcomp(tmp, p->s.s, cflags) != 0) {
		LM_ERR("bad regular expression '%s'\n", p->s.s);
		return -EINVAL;
	}
	*ret = tmp;
	return 0;
}

void textops_param_re_done(const struct ksr_fparam *p, regex_t *re)
{
	if (re && re != p->ptr)
		regfree(re);
}

int textops_exec(const regex_t *re, struct ksr_str text, size_t from, size_t nmatch,
		 regmatch_t *m)
{
	if (from > text.len)
		return REG_NOMATCH;
	m[0].rm_so = (regoff_t)from;
	m[0].rm_eo = (regoff_t)text.len;
	/* an empty text may have no pointer; regexec wants one */
	return regexec(re, text.s ? text.s : "", nmatch, m, REG_STARTEND);
}

/* --- header names --- */

void tx_hname_set(struct tx_hname *n, struct ksr_str name)
{
	n->name = name;
	n->type = ksr_hdr_type_of(name);
}

bool tx_hname_match(const struct tx_hname *n, const struct ksr_hdr *h)
{
	if (n->type != KSR_HDR_OTHER)
		return h->type == n->type;
	return h->type == KSR_HDR_OTHER && ksr_str_caseeq(&h->name, &n->name);
}

int tx_fixup_hname(struct ksr_fparam *p, bool allow_dynamic, const char **ret_err)
{
	struct tx_hname *n;

	if (p->dynamic) {
		if (allow_dynamic)
			return 0;
		*ret_err = "the header name must be a constant (use the _pv variant)";
		return -EINVAL;
	}
	if (p->s.len == 0) {
		*ret_err = "empty header name";
		return -EINVAL;
	}
	n = ksr_arena_alloc(ksr_fixup_arena(), sizeof(*n));
	if (!n)
		return -ENOMEM;
	tx_hname_set(n, p->s);
	p->ptr = n;
	return 0;
}

void tx_param_hname(const struct ksr_fparam *p, struct tx_hname *ret)
{
	if (!p->dynamic && p->ptr)
		*ret = *(const struct tx_hname *)p->ptr;
	else
		tx_hname_set(ret, p->s);
}

/* --- parts of the text --- */

static char *body_end(const struct ksr_msg *msg)
{
	return msg->body.s + msg->body.len;
}

struct ksr_str tx_msg_all(const struct ksr_msg *msg)
{
	return ksr_str_make(msg->buf, (size_t)(body_end(msg) - msg->buf));
}

static char *headers_start(const struct ksr_msg *msg)
{
	return msg->headers ? msg->headers->line.s : msg->body.s;
}

struct ksr_str tx_msg_from_headers(const struct ksr_msg *msg)
{
	char *s = headers_start(msg);

	return ksr_str_make(s, (size_t)(body_end(msg) - s));
}

struct ksr_str tx_msg_headers(const struct ksr_msg *msg)
{
	const struct ksr_hdr *h = msg->headers;
	char *s = headers_start(msg);

	if (!h)
		return ksr_str_make(s, 0);
	while (h->next)
		h = h->next;
	return ksr_str_make(s, (size_t)(h->line.s + h->line.len - s));
}

/* --- header lines given by the script --- */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-.!%*_+`'~", c));
}

bool tx_hdr_lines_ok(struct ksr_str text)
{
	const char *p = text.s, *end = ksr_str_end(text);
	bool first = true;

	if (text.len == 0)
		return false;
	while (p < end) {
		const char *q = p;

		if (*q == ' ' || *q == '\t') {
			if (first) /* folding continues a header: it cannot come first */
				return false;
		} else {
			while (q < end && is_name_char(*q))
				q++;
			if (q == p)
				return false;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= end || *q != ':')
				return false;
		}
		while (q < end && *q != '\r' && *q != '\n')
			q++;
		if (end - q < 2 || q[0] != '\r' || q[1] != '\n')
			return false;
		p = q + 2;
		first = false;
	}
	return true;
}

/* --- pseudo-variables written by functions --- */

int tx_pv_set_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str s)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = s};

	return ksr_pv_set(msg, p->ptr, &v);
}
