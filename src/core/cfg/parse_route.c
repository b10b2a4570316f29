/*
 * The grammar inside route blocks: statements and expressions, with upstream's operator
 * precedence (lowest first): || && | & ^ << >> (== != =~ !~ eq ne ieq ine) (< > <= >=)
 * (+ -) (* / mod), then unary ! - ~ defined, casts and strlen()/strempty().
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/parse-int.h"

static struct ksr_action *parse_stmt(struct parser *ps, int *ret);
static struct ksr_expr *parse_expr(struct parser *ps, int *ret);
static int binop(const struct ksr_tok *t, int *ret_op);

static struct ksr_expr *new_expr(struct parser *ps, enum ksr_expr_type type, struct ksr_pos pos)
{
	struct ksr_expr *e = node(ps, sizeof(*e));

	if (e) {
		e->type = type;
		e->pos = pos;
	}
	return e;
}

/* One argument of a function call: a string, a number, or a pseudo-variable. */
static int parse_arg(struct parser *ps, struct ksr_call *call)
{
	struct ksr_fparam *a;
	bool neg = false;
	int r;

	if ((r = next(ps)) < 0)
		return r;
	if (ps->tok.type == T_MINUS) {
		neg = true;
		if ((r = next(ps)) < 0)
			return r;
		if (ps->tok.type != T_INT)
			return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a number after '-'");
	}
	if (call->nargs == KSR_MAX_PARAMS)
		return ksr_cfg_fail(ps->err, ps->tok.pos, "too many parameters (at most %d)",
				    KSR_MAX_PARAMS);
	a = &call->args[call->nargs];
	call->arg_pos[call->nargs] = ps->tok.pos;
	switch (ps->tok.type) {
	case T_INT:
		a->type = KSR_PT_INT;
		a->i = neg ? -ps->tok.num : ps->tok.num;
		break;
	case T_STRING:
	case T_PV: /* a bare pseudo-variable is a string made of it alone */
		a->type = KSR_PT_STR;
		a->s.s = (char *)keep(ps, ps->tok.text, ps->tok.len);
		a->s.len = ps->tok.len;
		a->dynamic = ps->tok.type == T_PV;
		if (!a->s.s)
			return -ENOMEM;
		break;
	default:
		return ksr_cfg_fail(ps->err, ps->tok.pos,
				    "expected a string, a number or a pseudo-variable as parameter, "
				    "found %s",
				    ksr_tok_name(ps->tok.type));
	}
	call->nargs++;
	return 0;
}

/*
 * An argument: a string, number or pseudo-variable as parse_arg takes it, or, when an
 * operator follows one, an expression ("sip:" + $var(host) + ":" + PORT), which upstream
 * accepts too: the lexer goes back to the argument's start and it is parsed as one.
 */
static int parse_arg_or_expr(struct parser *ps, struct ksr_call *call)
{
	struct ksr_lexer saved = ps->lx;
	struct ksr_tok saved_tok = ps->tok, t;
	struct ksr_pos saved_end = ps->prev_end;
	struct ksr_expr *e;
	int r, op, n = call->nargs;

	if ((r = parse_arg(ps, call)) < 0)
		return r;
	if ((r = peek(ps, &t)) < 0)
		return r;
	if (!binop(&t, &op))
		return 0;
	/* back to the start; the token texts allocated meanwhile stay with the lexer */
	saved.texts = ps->lx.texts;
	saved.ntexts = ps->lx.ntexts;
	saved.cap_texts = ps->lx.cap_texts;
	ps->lx = saved;
	ps->tok = saved_tok;
	ps->prev_end = saved_end;
	call->nargs = n;
	if (!(e = parse_expr(ps, &r)))
		return r;
	call->args[n] = (struct ksr_fparam){.type = KSR_PT_STR, .s = {(char *)"", 0}, .dynamic = true};
	call->arg_pos[n] = e->pos;
	call->arg_expr[n] = e;
	call->nargs++;
	return 0;
}

/* NAME ( [arg {, arg}] ) with the name already taken. */
static int parse_call(struct parser *ps, struct ksr_call *call)
{
	struct ksr_tok t;
	int r;

	call->name = keep(ps, ps->tok.text, ps->tok.len);
	call->pos = ps->tok.pos;
	if (!call->name)
		return -ENOMEM;
	if ((r = expect(ps, T_LPAREN, "after the function name")) < 0)
		return r;
	/* upstream's grammar takes the socket bare: force_send_socket(udp:10.0.0.1:5060) */
	if (!strcmp(call->name, "force_send_socket")) {
		ps->prev_end = ps->tok.end;
		if ((r = ksr_lex_socket(&ps->lx, &ps->tok, ps->err)) < 0)
			return r;
		if (r == 0) {
			struct ksr_fparam *a = &call->args[0];

			a->type = KSR_PT_STR;
			a->s.len = ps->tok.len;
			a->s.s = (char *)keep(ps, ps->tok.text, ps->tok.len);
			if (!a->s.s)
				return -ENOMEM;
			call->arg_pos[0] = ps->tok.pos;
			call->nargs = 1;
			return expect(ps, T_RPAREN, "after the socket");
		}
	}
	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_RPAREN)
		return next(ps);
	for (;;) {
		if ((r = parse_arg_or_expr(ps, call)) < 0)
			return r;
		if ((r = next(ps)) < 0)
			return r;
		if (ps->tok.type == T_RPAREN)
			return 0;
		if (ps->tok.type != T_COMMA)
			return ksr_cfg_fail(ps->err, ps->tok.pos,
					    "expected ',' or ')' in the parameter list, found %s",
					    ksr_tok_name(ps->tok.type));
	}
}

static const struct {
	const char *name;
	enum ksr_keyword kw;
} keywords[] = {
	{"method", KSR_KW_METHOD},     {"uri", KSR_KW_URI},           {"status", KSR_KW_STATUS},
	{"from_uri", KSR_KW_FROM_URI}, {"to_uri", KSR_KW_TO_URI},     {"src_ip", KSR_KW_SRC_IP},
	{"src_port", KSR_KW_SRC_PORT}, {"dst_ip", KSR_KW_DST_IP},     {"dst_port", KSR_KW_DST_PORT},
	{"proto", KSR_KW_PROTO},       {"af", KSR_KW_AF},
};

/* Bare names that stand for constants on the right of proto and af comparisons. */
static const struct {
	const char *name;
	const char *str;
	long i;
} constants[] = {
	{"UDP", "udp", 0}, {"TCP", "tcp", 0}, {"TLS", "tls", 0}, {"SCTP", "sctp", 0},
	{"WS", "ws", 0},   {"WSS", "wss", 0}, {"udp", "udp", 0}, {"tcp", "tcp", 0},
	{"tls", "tls", 0}, {"sctp", "sctp", 0}, {"ws", "ws", 0}, {"wss", "wss", 0},
	{"INET", NULL, 4}, {"INET6", NULL, 6},
};

static struct ksr_expr *parse_unary_operand(struct parser *ps, int *ret);

/* strlen(expr), strempty(expr), defined $pv: functions of the language, not modules. */
static struct ksr_expr *parse_builtin_op(struct parser *ps, int op, int *ret)
{
	struct ksr_expr *e = new_expr(ps, KSR_E_UNARY, ps->tok.pos);
	int r;

	if (!e) {
		*ret = -ENOMEM;
		return NULL;
	}
	e->op = op;
	if (op == KSR_OP_DEFINED) {
		e->l = parse_unary_operand(ps, ret);
		if (e->l && e->l->type != KSR_E_PV) {
			*ret = ksr_cfg_fail(ps->err, e->l->pos, "'defined' needs a pseudo-variable");
			return NULL;
		}
		return e->l ? e : NULL;
	}
	if ((r = expect(ps, T_LPAREN, "after the name")) < 0) {
		*ret = r;
		return NULL;
	}
	e->l = parse_expr(ps, ret);
	if (!e->l)
		return NULL;
	if ((r = expect(ps, T_RPAREN, "to close the parameter")) < 0) {
		*ret = r;
		return NULL;
	}
	return e;
}

static struct ksr_expr *parse_id_primary(struct parser *ps, struct ksr_expr *e, int *ret)
{
	struct ksr_tok t;
	int r;

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (is_id(&ps->tok, keywords[i].name)) {
			e->type = KSR_E_KEYWORD;
			e->i = keywords[i].kw;
			return e;
		}
	}
	if (is_id(&ps->tok, "msg")) {
		/* msg:len */
		if ((r = expect(ps, T_COLON, "after 'msg'")) < 0 || (r = expect(ps, T_ID, "")) < 0)
			goto fail;
		if (!is_id(&ps->tok, "len")) {
			r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected 'msg:len'");
			goto fail;
		}
		e->type = KSR_E_KEYWORD;
		e->i = KSR_KW_MSG_LEN;
		return e;
	}
	if (is_id(&ps->tok, "myself")) {
		e->type = KSR_E_MYSELF;
		return e;
	}
	if (is_id(&ps->tok, "not")) {
		e->type = KSR_E_UNARY;
		e->op = T_NOT;
		e->l = parse_unary_operand(ps, ret);
		return e->l ? e : NULL;
	}
	if (is_id(&ps->tok, "defined"))
		return parse_builtin_op(ps, KSR_OP_DEFINED, ret);
	if (is_id(&ps->tok, "strlen"))
		return parse_builtin_op(ps, KSR_OP_STRLEN, ret);
	if (is_id(&ps->tok, "strempty"))
		return parse_builtin_op(ps, KSR_OP_STREMPTY, ret);
	if (is_id(&ps->tok, "route")) {
		/* route(NAME) as a value: what the route returns */
		e->type = KSR_E_ROUTE;
		if ((r = expect(ps, T_LPAREN, "after 'route'")) < 0 || (r = next(ps)) < 0)
			goto fail;
		if (ps->tok.type != T_ID && ps->tok.type != T_STRING && ps->tok.type != T_INT) {
			r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a route name");
			goto fail;
		}
		if (ps->tok.type == T_INT) {
			char num[24];

			snprintf(num, sizeof(num), "%ld", ps->tok.num);
			e->str = keep(ps, num, strlen(num));
		} else {
			e->str = keep(ps, ps->tok.text, ps->tok.len);
		}
		if (!e->str) {
			r = -ENOMEM;
			goto fail;
		}
		if ((r = expect(ps, T_RPAREN, "after the route name")) < 0)
			goto fail;
		return e;
	}
	for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
		if (is_id(&ps->tok, constants[i].name)) {
			if ((r = peek(ps, &t)) < 0)
				goto fail;
			if (t.type == T_LPAREN)
				break;
			if (constants[i].str) {
				e->type = KSR_E_STR;
				e->str = constants[i].str;
				e->str_len = strlen(constants[i].str);
			} else {
				e->type = KSR_E_INT;
				e->i = constants[i].i;
			}
			return e;
		}
	}
	if ((r = peek(ps, &t)) < 0)
		goto fail;
	if (t.type != T_LPAREN) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos,
				 "unknown name '%s' (a function call needs its parentheses)",
				 ps->tok.text);
		goto fail;
	}
	e->type = KSR_E_CALL;
	if ((r = parse_call(ps, &e->call)) < 0)
		goto fail;
	return e;
fail:
	*ret = r;
	return NULL;
}

/* A primary, with prefix operators applied. */
static struct ksr_expr *parse_unary_operand(struct parser *ps, int *ret)
{
	struct ksr_expr *e;
	struct ksr_tok t;
	int r;

	if ((r = next(ps)) < 0)
		goto fail;
	e = new_expr(ps, KSR_E_INT, ps->tok.pos);
	if (!e) {
		r = -ENOMEM;
		goto fail;
	}
	switch (ps->tok.type) {
	case T_NOT:
	case T_MINUS:
	case T_TILDE:
		e->type = KSR_E_UNARY;
		e->op = ps->tok.type;
		e->l = parse_unary_operand(ps, ret);
		return e->l ? e : NULL;
	case T_LPAREN:
		if ((r = peek(ps, &t)) < 0)
			goto fail;
		if (is_id(&t, "int") || is_id(&t, "str")) {
			next(ps);
			e->type = KSR_E_UNARY;
			e->op = ps->tok.text[0] == 'i' ? KSR_OP_CAST_INT : KSR_OP_CAST_STR;
			if ((r = expect(ps, T_RPAREN, "after the cast")) < 0)
				goto fail;
			e->l = parse_unary_operand(ps, ret);
			return e->l ? e : NULL;
		}
		e = parse_expr(ps, ret);
		if (!e)
			return NULL;
		if ((r = expect(ps, T_RPAREN, "to close '('")) < 0)
			goto fail;
		return e;
	case T_INT:
		e->i = ps->tok.num;
		return e;
	case T_STRING:
		e->type = KSR_E_STR;
		e->str = keep(ps, ps->tok.text, ps->tok.len);
		e->str_len = ps->tok.len;
		if (!e->str) {
			r = -ENOMEM;
			goto fail;
		}
		return e;
	case T_PV:
		if (!strcmp(ps->tok.text, "$null")) {
			e->type = KSR_E_NULL;
		} else if (!strcmp(ps->tok.text, "$rc") || !strcmp(ps->tok.text, "$?") ||
			   !strcmp(ps->tok.text, "$retcode")) {
			e->type = KSR_E_RC;
		} else {
			e->type = KSR_E_PV;
			e->str = keep(ps, ps->tok.text, ps->tok.len);
			e->str_len = ps->tok.len;
			if (!e->str) {
				r = -ENOMEM;
				goto fail;
			}
		}
		return e;
	case T_ID:
		return parse_id_primary(ps, e, ret);
	default:
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected an expression, found %s",
				 ksr_tok_name(ps->tok.type));
		goto fail;
	}
fail:
	*ret = r;
	return NULL;
}

#define LEVELS 10

/* The binary operator a token is, and its precedence level (1 lowest), or 0. */
static int binop(const struct ksr_tok *t, int *ret_op)
{
	static const struct {
		enum ksr_tok_type tok;
		int level;
	} ops[] = {
		{T_OR, 1},    {T_AND, 2},   {T_PIPE, 3},  {T_AMP, 4},     {T_CARET, 5},
		{T_LSHIFT, 6}, {T_RSHIFT, 6}, {T_EQ, 7},   {T_NE, 7},      {T_MATCH, 7},
		{T_NOMATCH, 7}, {T_LT, 8},  {T_GT, 8},    {T_LE, 8},      {T_GE, 8},
		{T_PLUS, 9},  {T_MINUS, 9}, {T_STAR, 10}, {T_SLASH, 10},
	};
	static const struct {
		const char *word;
		int op, level;
	} words[] = {
		{"or", T_OR, 1},         {"and", T_AND, 2},       {"eq", KSR_OP_STREQ, 7},
		{"ne", KSR_OP_STRNE, 7}, {"ieq", KSR_OP_IEQ, 7},  {"ine", KSR_OP_INE, 7},
		{"mod", KSR_OP_MOD, 10},
	};

	if (t->type == T_ID) {
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (!strcmp(t->text, words[i].word)) {
				*ret_op = words[i].op;
				return words[i].level;
			}
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].tok == t->type) {
			*ret_op = t->type;
			return ops[i].level;
		}
	}
	return 0;
}

/* src_ip == 10.0.0.0/8: the right side of an address comparison may be written bare. */
static bool wants_address(const struct ksr_expr *l, int op)
{
	return l->type == KSR_E_KEYWORD && (l->i == KSR_KW_SRC_IP || l->i == KSR_KW_DST_IP) &&
	       (op == T_EQ || op == T_NE);
}

/* Whether the text at p is a bare address: "[v6", "1.2...", or "fe80:..." (hex then ':'). */
static bool looks_like_address(const char *p, const char *end)
{
	const char *q = p;

	if (p < end && *p == '[')
		return true;
	while (q < end && q - p < 5 && isxdigit((unsigned char)*q))
		q++;
	return q > p && q < end && (*q == ':' || (*q == '.' && isdigit((unsigned char)*p)));
}

static struct ksr_expr *parse_address(struct parser *ps, int *ret)
{
	struct ksr_lexer *lx = &ps->lx;
	const char *p = lx->src[lx->depth - 1].p, *end = lx->src[lx->depth - 1].end;
	struct ksr_expr *e;
	int r;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (!looks_like_address(p, end))
		return parse_unary_operand(ps, ret);
	if ((r = ksr_lex_addr(lx, &ps->tok, ps->err)) < 0) {
		*ret = r;
		return NULL;
	}
	e = new_expr(ps, KSR_E_NET, ps->tok.pos);
	if (!e) {
		*ret = -ENOMEM;
		return NULL;
	}
	e->str = keep(ps, ps->tok.text, ps->tok.len);
	e->str_len = ps->tok.len;
	return e->str ? e : (*ret = -ENOMEM, NULL);
}

static struct ksr_expr *parse_level(struct parser *ps, int level, int *ret)
{
	struct ksr_expr *l;
	struct ksr_tok t;
	int r, op = 0;

	l = level > LEVELS ? parse_unary_operand(ps, ret) : parse_level(ps, level + 1, ret);
	if (!l || level > LEVELS)
		return l;
	for (;;) {
		struct ksr_expr *e;

		if ((r = peek(ps, &t)) < 0) {
			*ret = r;
			return NULL;
		}
		if (binop(&t, &op) != level)
			return l;
		next(ps);
		e = new_expr(ps, KSR_E_BINARY, t.pos);
		if (!e) {
			*ret = -ENOMEM;
			return NULL;
		}
		e->op = op;
		e->l = l;
		e->r = wants_address(l, op) ? parse_address(ps, ret) : parse_level(ps, level + 1, ret);
		if (!e->r)
			return NULL;
		l = e;
	}
}

static struct ksr_expr *parse_expr(struct parser *ps, int *ret)
{
	return parse_level(ps, 1, ret);
}

struct ksr_action *ksr__cfg_parse_block_body(struct parser *ps, int *ret)
{
	struct ksr_action *first = NULL, **tail = &first, *b;
	struct ksr_pos open = ps->tok.pos;
	struct ksr_tok t;
	int r;

	for (;;) {
		struct ksr_action *a;

		if ((r = peek(ps, &t)) < 0)
			goto fail;
		if (t.type == T_RBRACE) {
			next(ps);
			break;
		}
		if (t.type == T_EOF) {
			r = ksr_cfg_fail(ps->err, open, "'{' is never closed");
			goto fail;
		}
		a = parse_stmt(ps, &r);
		if (r < 0)
			goto fail;
		if (a) {
			*tail = a;
			while (a->next)
				a = a->next;
			tail = &a->next;
		}
	}
	b = node(ps, sizeof(*b));
	if (!b) {
		r = -ENOMEM;
		goto fail;
	}
	b->type = KSR_A_BLOCK;
	b->pos = open;
	b->then = first;
	*ret = 0;
	return b;
fail:
	*ret = r;
	return NULL;
}

static int end_stmt(struct parser *ps, const char *what)
{
	int r = next(ps);

	if (r < 0)
		return r;
	/* the ';' is missing right after the statement, not where the next token is */
	if (ps->tok.type != T_SEMI)
		return ksr_cfg_fail(ps->err, ps->prev_end, "expected ';' after %s, found %s", what,
				    ksr_tok_name(ps->tok.type));
	return 0;
}

/* (expr) of if, while and switch. */
static struct ksr_expr *paren_expr(struct parser *ps, const char *what, int *ret)
{
	struct ksr_expr *e;
	int r;

	if ((r = expect(ps, T_LPAREN, what)) < 0) {
		*ret = r;
		return NULL;
	}
	e = parse_expr(ps, ret);
	if (!e)
		return NULL;
	if ((r = expect(ps, T_RPAREN, "after the condition")) < 0) {
		*ret = r;
		return NULL;
	}
	return e;
}

/* switch (expr) { case C: ... default: ... } with "switch" taken. */
static int parse_switch(struct parser *ps, struct ksr_action *a)
{
	struct ksr_case **tail = &a->cases, *c = NULL;
	struct ksr_action **body_tail = NULL;
	bool seen_default = false;
	struct ksr_tok t;
	int r = 0;

	a->cond = paren_expr(ps, "after 'switch'", &r);
	if (!a->cond)
		return r;
	if ((r = expect(ps, T_LBRACE, "to open the switch")) < 0)
		return r;
	for (;;) {
		if ((r = peek(ps, &t)) < 0)
			return r;
		if (t.type == T_RBRACE) {
			next(ps);
			return 0;
		}
		if (is_id(&t, "case") || is_id(&t, "default")) {
			next(ps);
			c = node(ps, sizeof(*c));
			if (!c)
				return -ENOMEM;
			if (is_id(&t, "default")) {
				if (seen_default)
					return ksr_cfg_fail(ps->err, t.pos, "second 'default' in switch");
				seen_default = true;
				c->is_default = true;
			} else {
				bool neg = false;

				if ((r = next(ps)) < 0)
					return r;
				if (ps->tok.type == T_MINUS) {
					neg = true;
					if ((r = expect(ps, T_INT, "after '-'")) < 0)
						return r;
				}
				c->value = new_expr(ps, KSR_E_INT, ps->tok.pos);
				if (!c->value)
					return -ENOMEM;
				if (ps->tok.type == T_INT) {
					c->value->i = neg ? -ps->tok.num : ps->tok.num;
				} else if (ps->tok.type == T_STRING) {
					c->value->type = KSR_E_STR;
					c->value->str = keep(ps, ps->tok.text, ps->tok.len);
					c->value->str_len = ps->tok.len;
				} else {
					return ksr_cfg_fail(ps->err, ps->tok.pos,
							    "a case value must be a number or a string");
				}
			}
			if ((r = expect(ps, T_COLON, "after the case")) < 0)
				return r;
			*tail = c;
			tail = &c->next;
			body_tail = &c->body;
			continue;
		}
		if (!c)
			return ksr_cfg_fail(ps->err, t.pos, "expected 'case' or 'default' in switch");
		{
			struct ksr_action *s = parse_stmt(ps, &r);

			if (r < 0)
				return r;
			if (s) {
				*body_tail = s;
				while (s->next)
					s = s->next;
				body_tail = &s->next;
			}
		}
	}
}

/* A statement; returns NULL with *ret == 0 for an empty one. */
static struct ksr_action *parse_stmt(struct parser *ps, int *ret)
{
	struct ksr_action *a;
	struct ksr_tok t;
	int r;

	*ret = 0;
	if ((r = next(ps)) < 0)
		goto fail;
	if (ps->tok.type == T_SEMI)
		return NULL;
	if (ps->tok.type == T_LBRACE)
		return ksr__cfg_parse_block_body(ps, ret);
	a = node(ps, sizeof(*a));
	if (!a) {
		r = -ENOMEM;
		goto fail;
	}
	a->pos = ps->tok.pos;
	if (ps->tok.type == T_PV) {
		/* $pv = expr; */
		a->type = KSR_A_ASSIGN;
		a->lhs = new_expr(ps, KSR_E_PV, ps->tok.pos);
		if (!a->lhs) {
			r = -ENOMEM;
			goto fail;
		}
		a->lhs->str = keep(ps, ps->tok.text, ps->tok.len);
		a->lhs->str_len = ps->tok.len;
		if ((r = expect(ps, T_ASSIGN, "after the pseudo-variable")) < 0)
			goto fail;
		a->cond = parse_expr(ps, &r);
		if (!a->cond)
			goto fail;
		if ((r = end_stmt(ps, "the assignment")) < 0)
			goto fail;
		return a;
	}
	if (ps->tok.type != T_ID) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a statement, found %s",
				 ksr_tok_name(ps->tok.type));
		goto fail;
	}
	if (is_id(&ps->tok, "if") || is_id(&ps->tok, "while")) {
		bool is_if = ps->tok.text[0] == 'i';

		a->type = is_if ? KSR_A_IF : KSR_A_WHILE;
		a->cond = paren_expr(ps, is_if ? "after 'if'" : "after 'while'", &r);
		if (!a->cond)
			goto fail;
		a->then = parse_stmt(ps, &r);
		if (r < 0)
			goto fail;
		if (!is_if)
			return a;
		if ((r = peek(ps, &t)) < 0)
			goto fail;
		if (is_id(&t, "else")) {
			next(ps);
			a->otherwise = parse_stmt(ps, &r);
			if (r < 0)
				goto fail;
		}
		return a;
	}
	if (is_id(&ps->tok, "switch")) {
		a->type = KSR_A_SWITCH;
		if ((r = parse_switch(ps, a)) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "break")) {
		a->type = KSR_A_BREAK;
		if ((r = end_stmt(ps, "break")) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "exit") || is_id(&ps->tok, "drop")) {
		a->type = ps->tok.text[0] == 'e' ? KSR_A_EXIT : KSR_A_DROP;
		if ((r = peek(ps, &t)) < 0)
			goto fail;
		if (t.type == T_LPAREN) { /* exit() and drop() are accepted as upstream */
			next(ps);
			if ((r = expect(ps, T_RPAREN, "after '('")) < 0)
				goto fail;
		}
		if ((r = end_stmt(ps, a->type == KSR_A_EXIT ? "exit" : "drop")) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "return")) {
		a->type = KSR_A_RETURN;
		a->value = 1;
		if ((r = peek(ps, &t)) < 0)
			goto fail;
		if (t.type != T_SEMI) {
			a->cond = parse_expr(ps, &r);
			if (!a->cond)
				goto fail;
		}
		if ((r = end_stmt(ps, "return")) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "route")) {
		/* route(NAME); — parsed as the expression, so that $rc gets its value */
		struct ksr_expr *e = new_expr(ps, KSR_E_INT, ps->tok.pos);

		if (!e) {
			r = -ENOMEM;
			goto fail;
		}
		if (!parse_id_primary(ps, e, &r))
			goto fail;
		a->type = KSR_A_ROUTE;
		a->route_name = e->str;
		if ((r = end_stmt(ps, "route(...)")) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "else")) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "'else' without 'if'");
		goto fail;
	}
	if (is_id(&ps->tok, "case") || is_id(&ps->tok, "default")) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "'%s' outside a switch", ps->tok.text);
		goto fail;
	}
	a->type = KSR_A_CALL;
	if ((r = parse_call(ps, &a->call)) < 0)
		goto fail;
	if ((r = end_stmt(ps, "the function call")) < 0)
		goto fail;
	return a;
fail:
	*ret = r;
	return NULL;
}
