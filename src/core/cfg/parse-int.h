/* Internal to the config parser (parse.c, parse_route.c): the parser state and helpers. */
#ifndef KSR_CORE_CFG_PARSE_INT_H
#define KSR_CORE_CFG_PARSE_INT_H

#include <string.h>

#include "core/cfg/lex.h"
#include "core/route/program-t.h"

/* The top-level items of a config, in a canonical form: what a reload may not change. */
struct ksr_cfg_item {
	char *text; /* "loadmodule sl", "modparam pv varset s:a=i:1", "param debug 3", ... */
	struct ksr_pos pos;
};

struct ksr_cfg_items {
	struct ksr_cfg_item *v;
	size_t n, cap;
};

struct parser {
	struct ksr_lexer lx;
	struct ksr_program *prog;
	struct ksr_cfg_error *err;
	struct ksr_tok tok; /* the last token taken */
	struct ksr_pos prev_end; /* end of the token before it */
	struct ksr_cfg_items items; /* the top-level items seen */
	bool verify_only; /* a reload: record the top-level items, apply none of them */
};

static inline int next(struct parser *ps)
{
	ps->prev_end = ps->tok.end;
	return ksr_lex_next(&ps->lx, &ps->tok, ps->err);
}

static inline int peek(struct parser *ps, struct ksr_tok *t)
{
	return ksr_lex_peek(&ps->lx, t, ps->err);
}

static inline int expect(struct parser *ps, enum ksr_tok_type t, const char *what)
{
	int r = next(ps);

	if (r < 0)
		return r;
	if (ps->tok.type != t)
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected %s %s, found %s",
				    ksr_tok_name(t), what, ksr_tok_name(ps->tok.type));
	return 0;
}

static inline bool is_id(const struct ksr_tok *t, const char *s)
{
	return t->type == T_ID && strcmp(t->text, s) == 0;
}

static inline void *node(struct parser *ps, size_t size)
{
	return ksr_arena_alloc(&ps->prog->arena, size);
}

static inline const char *keep(struct parser *ps, const char *s, size_t len)
{
	char *c = node(ps, len + 1);

	if (c)
		memcpy(c, s, len);
	return c;
}

/* The body of a block whose '{' was just taken (parse_route.c). */
struct ksr_action *ksr__cfg_parse_block_body(struct parser *ps, int *ret);

#endif
