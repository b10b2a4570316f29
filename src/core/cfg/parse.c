/* Recursive-descent parser of kamailio.cfg: top-level items and route blocks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/cfg/lex.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/route/program.h"

struct parser {
	struct ksr_lexer lx;
	struct ksr_program *prog;
	struct ksr_cfg_error *err;
	struct ksr_tok tok; /* the last token taken */
	struct ksr_pos prev_end; /* end of the token before it */
};

static int next(struct parser *ps)
{
	ps->prev_end = ps->tok.end;
	return ksr_lex_next(&ps->lx, &ps->tok, ps->err);
}

static int peek(struct parser *ps, struct ksr_tok *t)
{
	return ksr_lex_peek(&ps->lx, t, ps->err);
}

static int expect(struct parser *ps, enum ksr_tok_type t, const char *what)
{
	int r = next(ps);

	if (r < 0)
		return r;
	if (ps->tok.type != t)
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected %s %s, found %s",
				    ksr_tok_name(t), what, ksr_tok_name(ps->tok.type));
	return 0;
}

static bool is_id(const struct ksr_tok *t, const char *s)
{
	return t->type == T_ID && strcmp(t->text, s) == 0;
}

static void *node(struct parser *ps, size_t size)
{
	return ksr_arena_alloc(&ps->prog->arena, size);
}

static const char *keep(struct parser *ps, const char *s, size_t len)
{
	char *c = node(ps, len + 1);

	if (c)
		memcpy(c, s, len);
	return c;
}

static struct ksr_action *parse_stmt(struct parser *ps, int *ret);
static struct ksr_expr *parse_expr(struct parser *ps, int *ret);

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
	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_RPAREN)
		return next(ps);
	for (;;) {
		struct ksr_fparam *a;
		bool neg = false;

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
			return ksr_cfg_fail(ps->err, ps->tok.pos,
					    "too many parameters (at most %d)", KSR_MAX_PARAMS);
		a = &call->args[call->nargs];
		call->arg_pos[call->nargs] = ps->tok.pos;
		if (ps->tok.type == T_INT) {
			a->type = KSR_PT_INT;
			a->i = neg ? -ps->tok.num : ps->tok.num;
		} else if (ps->tok.type == T_STRING) {
			a->type = KSR_PT_STR;
			a->s.s = (char *)keep(ps, ps->tok.text, ps->tok.len);
			a->s.len = ps->tok.len;
			if (!a->s.s)
				return -ENOMEM;
		} else {
			return ksr_cfg_fail(ps->err, ps->tok.pos,
					    "expected a string or a number as parameter, found %s",
					    ksr_tok_name(ps->tok.type));
		}
		call->nargs++;
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

static struct ksr_expr *parse_primary(struct parser *ps, int *ret)
{
	struct ksr_expr *e;
	int r;

	if ((r = next(ps)) < 0)
		goto fail;
	e = node(ps, sizeof(*e));
	if (!e) {
		r = -ENOMEM;
		goto fail;
	}
	e->pos = ps->tok.pos;
	switch (ps->tok.type) {
	case T_NOT:
		e->type = KSR_E_NOT;
		e->l = parse_primary(ps, &r);
		if (!e->l)
			goto fail;
		return e;
	case T_LPAREN:
		e = parse_expr(ps, &r);
		if (!e)
			goto fail;
		if ((r = expect(ps, T_RPAREN, "to close '('")) < 0)
			goto fail;
		return e;
	case T_INT:
		e->type = KSR_E_INT;
		e->i = ps->tok.num;
		return e;
	case T_ID:
		if (is_id(&ps->tok, "method")) {
			if ((r = next(ps)) < 0)
				goto fail;
			if (ps->tok.type != T_EQ && ps->tok.type != T_NE &&
			    ps->tok.type != T_MATCH && ps->tok.type != T_NOMATCH) {
				r = ksr_cfg_fail(ps->err, ps->tok.pos,
						 "expected '==', '!=', '=~' or '!~' after 'method'");
				goto fail;
			}
			e->type = KSR_E_METHOD;
			e->op = ps->tok.type;
			if ((r = expect(ps, T_STRING, "to compare the method with")) < 0)
				goto fail;
			e->str = keep(ps, ps->tok.text, ps->tok.len);
			e->str_len = ps->tok.len;
			if (!e->str) {
				r = -ENOMEM;
				goto fail;
			}
			return e;
		}
		e->type = KSR_E_CALL;
		if ((r = parse_call(ps, &e->call)) < 0)
			goto fail;
		return e;
	default:
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a condition, found %s",
				 ksr_tok_name(ps->tok.type));
		goto fail;
	}
fail:
	*ret = r;
	return NULL;
}

/* Binary operators, lowest precedence first: || then &&. */
static struct ksr_expr *parse_binary(struct parser *ps, int level, int *ret)
{
	static const enum ksr_tok_type ops[] = {T_OR, T_AND};
	struct ksr_expr *l;
	struct ksr_tok t;
	int r;

	l = level < 2 ? parse_binary(ps, level + 1, ret) : parse_primary(ps, ret);
	if (!l || level >= 2)
		return l;
	for (;;) {
		struct ksr_expr *e;

		if ((r = peek(ps, &t)) < 0) {
			*ret = r;
			return NULL;
		}
		if (t.type != ops[level])
			return l;
		next(ps);
		e = node(ps, sizeof(*e));
		if (!e) {
			*ret = -ENOMEM;
			return NULL;
		}
		e->type = level == 0 ? KSR_E_OR : KSR_E_AND;
		e->pos = t.pos;
		e->l = l;
		e->r = parse_binary(ps, level + 1, ret);
		if (!e->r)
			return NULL;
		l = e;
	}
}

static struct ksr_expr *parse_expr(struct parser *ps, int *ret)
{
	return parse_binary(ps, 0, ret);
}

/* '{' stmt* '}' with '{' already taken. */
static struct ksr_action *parse_block_body(struct parser *ps, int *ret)
{
	struct ksr_action *first = NULL, **tail = &first;
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
	struct ksr_action *b = node(ps, sizeof(*b));

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
		return parse_block_body(ps, ret);
	if (ps->tok.type != T_ID) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a statement, found %s",
				 ksr_tok_name(ps->tok.type));
		goto fail;
	}
	a = node(ps, sizeof(*a));
	if (!a) {
		r = -ENOMEM;
		goto fail;
	}
	a->pos = ps->tok.pos;
	if (is_id(&ps->tok, "if")) {
		a->type = KSR_A_IF;
		if ((r = expect(ps, T_LPAREN, "after 'if'")) < 0)
			goto fail;
		a->cond = parse_expr(ps, &r);
		if (!a->cond)
			goto fail;
		if ((r = expect(ps, T_RPAREN, "after the condition")) < 0)
			goto fail;
		a->then = parse_stmt(ps, &r);
		if (r < 0)
			goto fail;
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
		bool paren = false, neg = false;

		a->type = KSR_A_RETURN;
		a->value = 1;
		if ((r = next(ps)) < 0)
			goto fail;
		if (ps->tok.type == T_LPAREN) {
			paren = true;
			if ((r = next(ps)) < 0)
				goto fail;
		}
		if (ps->tok.type == T_MINUS) {
			neg = true;
			if ((r = next(ps)) < 0)
				goto fail;
		}
		if (ps->tok.type == T_INT) {
			a->value = neg ? -ps->tok.num : ps->tok.num;
			if ((r = next(ps)) < 0)
				goto fail;
		} else if (neg || (paren && ps->tok.type != T_RPAREN)) {
			r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a number after 'return'");
			goto fail;
		}
		if (paren) {
			if (ps->tok.type != T_RPAREN) {
				r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected ')' after return value");
				goto fail;
			}
			if ((r = next(ps)) < 0)
				goto fail;
		}
		if (ps->tok.type != T_SEMI) {
			r = ksr_cfg_fail(ps->err, ps->prev_end, "expected ';' after return, found %s",
					 ksr_tok_name(ps->tok.type));
			goto fail;
		}
		return a;
	}
	if (is_id(&ps->tok, "route")) {
		a->type = KSR_A_ROUTE;
		if ((r = expect(ps, T_LPAREN, "after 'route'")) < 0)
			goto fail;
		if ((r = next(ps)) < 0)
			goto fail;
		if (ps->tok.type == T_ID || ps->tok.type == T_STRING) {
			a->route_name = keep(ps, ps->tok.text, ps->tok.len);
		} else if (ps->tok.type == T_INT) {
			char num[24];

			snprintf(num, sizeof(num), "%ld", ps->tok.num);
			a->route_name = keep(ps, num, strlen(num));
		} else {
			r = ksr_cfg_fail(ps->err, ps->tok.pos, "expected a route name");
			goto fail;
		}
		if (!a->route_name) {
			r = -ENOMEM;
			goto fail;
		}
		if ((r = expect(ps, T_RPAREN, "after the route name")) < 0 ||
		    (r = end_stmt(ps, "route(...)")) < 0)
			goto fail;
		return a;
	}
	if (is_id(&ps->tok, "else")) {
		r = ksr_cfg_fail(ps->err, ps->tok.pos, "'else' without 'if'");
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

static int parse_route_block(struct parser *ps, const char *name, struct ksr_pos pos)
{
	struct ksr_action *body;
	struct ksr_route *rt;
	int r;

	if (name ? ksr_program_find_route(ps->prog, name) != NULL : ps->prog->request_route != NULL)
		return ksr_cfg_fail(ps->err, pos, "route %s%s%s is defined twice",
				    name ? "[" : "request_route", name ? name : "", name ? "]" : "");
	if ((r = expect(ps, T_LBRACE, "to open the route block")) < 0)
		return r;
	body = parse_block_body(ps, &r);
	if (!body)
		return r;
	rt = node(ps, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->name = name;
	rt->pos = pos;
	rt->body = body;
	if (name) {
		rt->next = ps->prog->routes;
		ps->prog->routes = rt;
	} else {
		ps->prog->request_route = rt;
	}
	return 0;
}

/* modparam("module", "name", value) */
static int parse_modparam(struct parser *ps)
{
	struct ksr_pos pos = ps->tok.pos, vpos;
	struct ksr_fparam val = {0};
	const char *why = NULL;
	char *mod, *name;
	bool neg = false;
	int r;

	if ((r = expect(ps, T_LPAREN, "after modparam")) < 0 ||
	    (r = expect(ps, T_STRING, "(the module name)")) < 0)
		return r;
	mod = ps->tok.text;
	if ((r = expect(ps, T_COMMA, "after the module name")) < 0 ||
	    (r = expect(ps, T_STRING, "(the parameter name)")) < 0)
		return r;
	name = ps->tok.text;
	if ((r = expect(ps, T_COMMA, "after the parameter name")) < 0 || (r = next(ps)) < 0)
		return r;
	vpos = ps->tok.pos;
	if (ps->tok.type == T_MINUS) {
		neg = true;
		if ((r = next(ps)) < 0)
			return r;
	}
	if (ps->tok.type == T_INT) {
		val.type = KSR_PT_INT;
		val.i = neg ? -ps->tok.num : ps->tok.num;
	} else if (ps->tok.type == T_STRING && !neg) {
		val.type = KSR_PT_STR;
		val.s = ksr_str_make(ps->tok.text, ps->tok.len);
	} else {
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a string or a number as value");
	}
	if ((r = expect(ps, T_RPAREN, "after the value")) < 0)
		return r;
	if ((r = ksr_module_set_param(mod, name, &val, &why)) < 0)
		return ksr_cfg_fail(ps->err, r == -EINVAL ? vpos : pos,
				    "modparam(\"%s\", \"%s\"): %s", mod, name, why);
	return 0;
}

static int parse_loadmodule(struct parser *ps)
{
	struct ksr_pos pos;
	bool paren = false;
	char *why = NULL, *name;
	struct ksr_tok t;
	int r;

	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_LPAREN) {
		paren = true;
		next(ps);
	}
	if ((r = expect(ps, T_STRING, "(the module file)")) < 0)
		return r;
	pos = ps->tok.pos;
	name = ps->tok.text;
	if (paren && (r = expect(ps, T_RPAREN, "after the module file")) < 0)
		return r;
	r = ksr_module_load(name, &why);
	if (r < 0) {
		r = ksr_cfg_fail(ps->err, pos, "%s", why ? why : "cannot load module");
		free(why);
	}
	return r;
}

static int parse_top(struct parser *ps)
{
	struct ksr_tok t;
	int r;

	for (;;) {
		if ((r = next(ps)) < 0)
			return r;
		if (ps->tok.type == T_EOF)
			return 0;
		if (ps->tok.type == T_SEMI)
			continue;
		if (ps->tok.type != T_ID)
			return ksr_cfg_fail(ps->err, ps->tok.pos,
					    "expected a core parameter, loadmodule, modparam or a "
					    "route block, found %s",
					    ksr_tok_name(ps->tok.type));
		if (is_id(&ps->tok, "loadmodule")) {
			if ((r = parse_loadmodule(ps)) < 0)
				return r;
		} else if (is_id(&ps->tok, "modparam")) {
			if ((r = parse_modparam(ps)) < 0)
				return r;
		} else if (is_id(&ps->tok, "request_route")) {
			if ((r = parse_route_block(ps, NULL, ps->tok.pos)) < 0)
				return r;
		} else if (is_id(&ps->tok, "route")) {
			struct ksr_pos pos = ps->tok.pos;
			const char *name;

			if ((r = peek(ps, &t)) < 0)
				return r;
			if (t.type != T_LBRACKET) {
				if ((r = parse_route_block(ps, NULL, pos)) < 0)
					return r;
				continue;
			}
			next(ps);
			if ((r = next(ps)) < 0)
				return r;
			if (ps->tok.type == T_ID || ps->tok.type == T_STRING) {
				name = keep(ps, ps->tok.text, ps->tok.len);
			} else if (ps->tok.type == T_INT) {
				char num[24];

				snprintf(num, sizeof(num), "%ld", ps->tok.num);
				name = keep(ps, num, strlen(num));
			} else {
				return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a route name");
			}
			if (!name)
				return -ENOMEM;
			if ((r = expect(ps, T_RBRACKET, "after the route name")) < 0)
				return r;
			/* route[0] and route[main] are the request route, as upstream */
			if (!strcmp(name, "0") || !strcmp(name, "main"))
				name = NULL;
			if ((r = parse_route_block(ps, name, pos)) < 0)
				return r;
		} else if (is_id(&ps->tok, "branch_route") || is_id(&ps->tok, "failure_route") ||
			   is_id(&ps->tok, "onreply_route") || is_id(&ps->tok, "reply_route") ||
			   is_id(&ps->tok, "onsend_route") || is_id(&ps->tok, "event_route")) {
			return ksr_cfg_fail(ps->err, ps->tok.pos, "%s is not supported yet",
					    ps->tok.text);
		} else if (is_id(&ps->tok, "loadpath") || is_id(&ps->tok, "mpath")) {
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;

			if ((r = peek(ps, &t)) < 0)
				return r;
			if (t.type == T_ASSIGN)
				next(ps);
			if ((r = expect(ps, T_STRING, "(the module directory)")) < 0)
				return r;
			if ((r = ksr_cfg_core_param(name, ps->tok.text, 0, false, pos, ps->err)) < 0)
				return r;
		} else {
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;
			bool neg = false;

			if ((r = expect(ps, T_ASSIGN, "after the core parameter name")) < 0)
				return r;
			if (!strcmp(name, "listen")) {
				if ((r = ksr_lex_raw_value(&ps->lx, &ps->tok, ps->err)) < 0)
					return r;
				r = ksr_cfg_core_param(name, ps->tok.text, 0, false, ps->tok.pos, ps->err);
				if (r < 0)
					return r;
				continue;
			}
			if ((r = next(ps)) < 0)
				return r;
			if (ps->tok.type == T_MINUS) {
				neg = true;
				if ((r = expect(ps, T_INT, "after '-'")) < 0)
					return r;
			}
			if (ps->tok.type == T_INT)
				r = ksr_cfg_core_param(name, NULL, neg ? -ps->tok.num : ps->tok.num,
						       true, pos, ps->err);
			else if (ps->tok.type == T_STRING || ps->tok.type == T_ID)
				r = ksr_cfg_core_param(name, ps->tok.text, 0, false, pos, ps->err);
			else
				return ksr_cfg_fail(ps->err, ps->tok.pos,
						    "expected a value for '%s', found %s", name,
						    ksr_tok_name(ps->tok.type));
			if (r < 0)
				return r;
		}
	}
}

int ksr_cfg_parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
		       struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	struct parser ps = {.err = err};
	int r;

	r = ksr_pp_run(pp, file, text, len, err);
	if (r < 0)
		return r;
	ps.prog = ksr_program_new();
	if (!ps.prog)
		return -ENOMEM;
	ksr_lex_init(&ps.lx, file, text, len, pp);
	r = parse_top(&ps);
	ksr_lex_free(&ps.lx);
	if (r == 0)
		r = ksr_cfg_compile(ps.prog, err);
	if (r < 0) {
		if (r == -ENOMEM && !err->msg[0])
			ksr_cfg_fail(err, (struct ksr_pos){file, 0, 0}, "out of memory");
		ksr_program_unref(ps.prog);
		return r;
	}
	*ret_prog = ps.prog;
	return 0;
}

int ksr_cfg_load(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		 struct ksr_cfg_error *err)
{
	struct ksr_pos pos = {file, 0, 0};
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, r;

	memset(err, 0, sizeof(*err));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ksr_cfg_fail(err, pos, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ksr_cfg_fail(err, pos, "not a regular file");
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return ksr_cfg_fail(err, pos, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	r = ksr_cfg_parse_text(file, text, got, pp, ret_prog, err);
	free(text);
	return r;
}
