/* textops: load-time memory, regexes, header names and the parts of a message's text. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "textops.h"

/* --- what fixups make, kept until destroy --- */

struct kept {
	void *ptr;
	void (*free_fn)(void *);
	struct kept *next;
};

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept *kept_list;
static struct ksr_arena fixup_arena;
static bool fixup_arena_ready;

int textops_keep(void *ptr, void (*free_fn)(void *))
{
	struct kept *k = malloc(sizeof(*k));

	if (!k) {
		free_fn(ptr);
		return -ENOMEM;
	}
	k->ptr = ptr;
	k->free_fn = free_fn;
	pthread_mutex_lock(&kept_lock);
	k->next = kept_list;
	kept_list = k;
	pthread_mutex_unlock(&kept_lock);
	return 0;
}

struct ksr_arena *textops_lock_arena(void)
{
	pthread_mutex_lock(&kept_lock);
	if (!fixup_arena_ready) {
		ksr_arena_init(&fixup_arena, 4096);
		fixup_arena_ready = true;
	}
	return &fixup_arena;
}

void textops_unlock_arena(void)
{
	pthread_mutex_unlock(&kept_lock);
}

void textops_free_kept(void)
{
	pthread_mutex_lock(&kept_lock);
	while (kept_list) {
		struct kept *k = kept_list;

		kept_list = k->next;
		k->free_fn(k->ptr);
		free(k);
	}
	if (fixup_arena_ready) {
		ksr_arena_destroy(&fixup_arena);
		fixup_arena_ready = false;
	}
	pthread_mutex_unlock(&kept_lock);
}

/* --- regexes --- */

static void regex_free(void *p)
{
	regfree(p);
	free(p);
}

int textops_regcomp(const char *text, int cflags, regex_t **ret, const char **ret_err)
{
	regex_t *re = malloc(sizeof(*re));

	if (!re)
		return -ENOMEM;
	if (regcomp(re, text, cflags) != 0) {
		free(re);
		*ret_err = "bad regular expression";
		return -EINVAL;
	}
	if (textops_keep(re, regex_free) < 0)
		return -ENOMEM;
	*ret = re;
	return 0;
}

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
	n = ksr_arena_alloc(textops_lock_arena(), sizeof(*n));
	textops_unlock_arena();
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

int tx_fixup_pv_out(struct ksr_fparam *p, const char **ret_err)
{
	struct ksr_pv_spec *spec;
	size_t used;
	int r;

	r = ksr_pv_parse(p->s, textops_lock_arena(), &spec, &used, ret_err);
	textops_unlock_arena();
	if (r < 0)
		return r;
	if (used != p->s.len) {
		*ret_err = "the parameter must be one pseudo-variable";
		return -EINVAL;
	}
	if (!ksr_pv_is_writable(spec)) {
		*ret_err = "the pseudo-variable is read-only";
		return -EINVAL;
	}
	p->ptr = spec;
	return 0;
}

int tx_pv_set_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str s)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = s};

	return ksr_pv_set(msg, p->ptr, &v);
}
