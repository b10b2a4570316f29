/*
 * Substitution expressions "/regex/replacement/flags" (subst, subst_uri, subst_user,
 * subst_body, subst_hf): any separator but '\', flags i (ignore case), g (every match),
 * s (a newline is an ordinary character). In the replacement: \0..\9 (groups), \u (the
 * Request-URI), \n \r \t \\ \$, \<other> (that character), and pseudo-variables.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/pv/pv.h"
#include "tx_subst.h"

#define MAX_PIECES 100 /* escapes and variables in one replacement, as upstream */

enum piece_kind { P_TEXT, P_GROUP, P_URI, P_PV };

struct piece {
	enum piece_kind kind;
	struct ksr_str text; /* P_TEXT */
	int group; /* P_GROUP */
	struct ksr_pv_spec *pv; /* P_PV */
};

struct tx_subst {
	regex_t re;
	bool global;
	int max_group;
	size_t npieces;
	struct piece pieces[];
};

void tx_subst_free(struct tx_subst *s)
{
	if (!s)
		return;
	regfree(&s->re);
	free(s);
}

static int add_piece(struct piece *pc, size_t *n, struct piece p, const char **ret_err)
{
	if (*n >= MAX_PIECES) {
		*ret_err = "too many escapes and variables in the replacement";
		return -EINVAL;
	}
	pc[(*n)++] = p;
	return 0;
}

/* A literal byte of the replacement: joined to the text piece being built. */
static int add_char(struct piece *pc, size_t *n, char *lit, size_t *lit_len, char c,
		    const char **ret_err)
{
	if (*n == 0 || pc[*n - 1].kind != P_TEXT ||
	    pc[*n - 1].text.s + pc[*n - 1].text.len != lit + *lit_len) {
		int r = add_piece(pc, n, (struct piece){.kind = P_TEXT,
							 .text = ksr_str_make(lit + *lit_len, 0)},
				  ret_err);
		if (r < 0)
			return r;
	}
	lit[(*lit_len)++] = c;
	pc[*n - 1].text.len++;
	return 0;
}

/* The replacement from p up to the unescaped separator; *ret_end points at it. */
static int parse_repl(const char *p, const char *end, char sep, struct ksr_arena *arena,
		      struct piece *pc, size_t *n, int *max_group, const char **ret_end,
		      const char **ret_err)
{
	char *lit = ksr_arena_alloc(arena, (size_t)(end - p) + 1);
	size_t lit_len = 0;
	int r;

	if (!lit)
		return -ENOMEM;
	while (p < end && *p != sep) {
		if (*p == '\\' && p + 1 < end) {
			char c = p[1];

			p += 2;
			if (c >= '0' && c <= '9') {
				struct piece g = {.kind = P_GROUP, .group = c - '0'};

				r = add_piece(pc, n, g, ret_err);
				if (c - '0' > *max_group)
					*max_group = c - '0';
			} else if (c == 'u') {
				r = add_piece(pc, n, (struct piece){.kind = P_URI}, ret_err);
			} else {
				c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
				r = add_char(pc, n, lit, &lit_len, c, ret_err);
			}
		} else if (*p == '$') {
			struct ksr_pv_spec *spec;
			size_t used;

			r = ksr_pv_parse(ksr_str_make((char *)p, (size_t)(end - p)), arena, &spec,
					 &used, ret_err);
			if (r < 0)
				return r;
			r = add_piece(pc, n, (struct piece){.kind = P_PV, .pv = spec}, ret_err);
			p += used;
		} else {
			r = add_char(pc, n, lit, &lit_len, *p++, ret_err);
		}
		if (r < 0)
			return r;
	}
	if (p >= end) {
		*ret_err = "no separator after the replacement";
		return -EINVAL;
	}
	*ret_end = p;
	return 0;
}

int tx_subst_parse(struct ksr_str expr, struct ksr_arena *arena, struct tx_subst **ret,
		   const char **ret_err)
{
	const char *p, *end = ksr_str_end(expr), *re_end;
	struct piece pc[MAX_PIECES];
	int cflags = REG_EXTENDED | REG_NEWLINE, max_group = 0, r;
	bool global = false;
	struct tx_subst *s;
	size_t n = 0;
	char sep, *re_text;

	if (expr.len < 3 || expr.s[0] == '\\') {
		*ret_err = "a substitution is /regex/replacement/flags (any separator but '\\')";
		return -EINVAL;
	}
	sep = expr.s[0];
	for (p = expr.s + 1; p < end && !(*p == sep && p[-1] != '\\'); p++)
		;
	if (p >= end) {
		*ret_err = "no separator after the regular expression";
		return -EINVAL;
	}
	re_end = p;
	r = parse_repl(p + 1, end, sep, arena, pc, &n, &max_group, &p, ret_err);
	if (r < 0)
		return r;
	for (p++; p < end; p++) {
		switch (*p) {
		case 'i': cflags |= REG_ICASE; break;
		case 's': cflags &= ~REG_NEWLINE; break;
		case 'g': global = true; break;
		default: *ret_err = "unknown flag (i, g and s are known)"; return -EINVAL;
		}
	}
	re_text = ksr_arena_alloc(arena, (size_t)(re_end - expr.s));
	s = malloc(sizeof(*s) + n * sizeof(s->pieces[0]));
	if (!re_text || !s) {
		free(s);
		return -ENOMEM;
	}
	memcpy(re_text, expr.s + 1, (size_t)(re_end - expr.s - 1));
	if (regcomp(&s->re, re_text, cflags) != 0) {
		free(s);
		*ret_err = "bad regular expression";
		return -EINVAL;
	}
	s->global = global;
	s->max_group = max_group;
	s->npieces = n;
	memcpy(s->pieces, pc, n * sizeof(pc[0]));
	*ret = s;
	return 0;
}

/* The replacement for one match, in msg's arena. */
static int build_repl(const struct tx_subst *s, struct ksr_msg *msg, const char *text,
		      const regmatch_t *m, struct ksr_str *ret)
{
	struct ksr_str part[MAX_PIECES];
	size_t len = 0, i;
	char *out;

	for (i = 0; i < s->npieces; i++) {
		const struct piece *p = &s->pieces[i];
		struct ksr_val v;

		part[i] = KSR_STR_NULL;
		switch (p->kind) {
		case P_TEXT:
			part[i] = p->text;
			break;
		case P_GROUP: {
			const regmatch_t *g = &m[p->group];

			if (g->rm_so >= 0)
				part[i] = ksr_str_make((char *)text + g->rm_so,
						       (size_t)(g->rm_eo - g->rm_so));
			break;
		}
		case P_URI:
			if (msg->type == KSR_MSG_REQUEST)
				part[i] = ksr_msg_cur_ruri(msg);
			else
				LM_ERR("\\u (the Request-URI) in a substitution on a reply\n");
			break;
		case P_PV:
			/* as upstream: a variable that cannot be read adds nothing */
			if (ksr_pv_get(msg, p->pv, &v) < 0 || v.type == KSR_VAL_NULL ||
			    ksr_val_to_str(msg, &v, &part[i]) < 0)
				part[i] = KSR_STR_NULL;
			break;
		}
		len += part[i].len;
	}
	out = ksr_arena_alloc(msg->arena, len + 1);
	if (!out)
		return -ENOMEM;
	*ret = ksr_str_make(out, len);
	for (i = 0; i < s->npieces; i++) {
		if (part[i].len)
			memcpy(out, part[i].s, part[i].len);
		out += part[i].len;
	}
	return 0;
}

int tx_subst_run(const struct tx_subst *s, struct ksr_msg *msg, struct ksr_str text,
		 struct tx_match **ret_list, size_t *ret_n)
{
	regmatch_t m[10];
	struct tx_match *list = NULL;
	size_t n = 0, cap = 0, from = 0;
	int r;

	while (textops_exec(&s->re, text, from, (size_t)s->max_group + 1, m) == 0) {
		if (m[0].rm_so == m[0].rm_eo) {
			LM_ERR("the regular expression matched an empty string\n");
			return -EINVAL;
		}
		if (n == cap) {
			struct tx_match *bigger;

			cap = cap ? 2 * cap : 4;
			bigger = ksr_arena_alloc(msg->arena, cap * sizeof(*bigger));
			if (!bigger)
				return -ENOMEM;
			if (n)
				memcpy(bigger, list, n * sizeof(*list));
			list = bigger;
		}
		list[n].off = (size_t)m[0].rm_so;
		list[n].len = (size_t)(m[0].rm_eo - m[0].rm_so);
		r = build_repl(s, msg, text.s, m, &list[n].repl);
		if (r < 0)
			return r;
		n++;
		from = (size_t)m[0].rm_eo;
		if (!s->global)
			break;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

int tx_subst_record(struct ksr_msg *msg, struct ksr_str text, const struct tx_match *list,
		    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = ksr_msg_replace_range(msg, text.s + list[i].off, list[i].len,
					      list[i].repl);

		if (r < 0)
			return r;
	}
	return 0;
}

int tx_subst_str(const struct tx_subst *s, struct ksr_msg *msg, struct ksr_str in,
		 struct ksr_str *ret)
{
	struct tx_match *list;
	size_t n, len, pos = 0, i;
	char *out, *o;
	int r;

	r = tx_subst_run(s, msg, in, &list, &n);
	if (r < 0)
		return r;
	if (n == 0)
		return -ENOENT;
	len = in.len;
	for (i = 0; i < n; i++)
		len = len - list[i].len + list[i].repl.len;
	o = out = ksr_arena_alloc(msg->arena, len + 1);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memcpy(o, in.s + pos, list[i].off - pos);
		o += list[i].off - pos;
		if (list[i].repl.len)
			memcpy(o, list[i].repl.s, list[i].repl.len);
		o += list[i].repl.len;
		pos = list[i].off + list[i].len;
	}
	if (in.len > pos)
		memcpy(o, in.s + pos, in.len - pos);
	*ret = ksr_str_make(out, len);
	return 0;
}
