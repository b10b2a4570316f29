/* The compile step: bind calls to module exports, run fixups, resolve route names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/cfg.h"
#include "core/cfg/lex.h"
#include "core/module/module.h"
#include "core/route/program.h"

struct compiler {
	struct ksr_program *prog;
	struct ksr_cfg_error *err;
	unsigned int route_type;
};

static const char *ptype_name(enum ksr_ptype t)
{
	return t == KSR_PT_INT ? "an integer" : "a string";
}

static int convert_arg(struct compiler *c, struct ksr_call *call, int i, enum ksr_ptype want)
{
	struct ksr_fparam *a = &call->args[i];

	if (a->type == want)
		return 0;
	if (want == KSR_PT_INT) {
		char *end;
		long v;

		errno = 0;
		v = strtol(a->s.s, &end, 10);
		if (errno || end == a->s.s || *end)
			return ksr_cfg_fail(c->err, call->arg_pos[i],
					    "parameter %d of '%s' must be %s, not \"%s\"", i + 1,
					    call->name, ptype_name(want), a->s.s);
		a->type = KSR_PT_INT;
		a->i = v;
		return 0;
	}
	{
		char num[24];
		char *s;

		snprintf(num, sizeof(num), "%ld", a->i);
		s = ksr_arena_alloc(&c->prog->arena, strlen(num) + 1);
		if (!s)
			return -ENOMEM;
		memcpy(s, num, strlen(num));
		a->type = KSR_PT_STR;
		a->s = ksr_str_make(s, strlen(num));
	}
	return 0;
}

static int compile_call(struct compiler *c, struct ksr_call *call)
{
	const struct ksr_cmd_export *cmd;
	const char *why = NULL;
	int r;

	cmd = ksr_module_find_cmd(call->name, call->nargs, NULL);
	if (!cmd) {
		if (ksr_module_cmd_exists(call->name))
			return ksr_cfg_fail(c->err, call->pos,
					    "function '%s' does not take %d parameter%s", call->name,
					    call->nargs, call->nargs == 1 ? "" : "s");
		return ksr_cfg_fail(c->err, call->pos,
				    "unknown function '%s' (is its module loaded?)", call->name);
	}
	if (!(cmd->route_types & c->route_type))
		return ksr_cfg_fail(c->err, call->pos,
				    "function '%s' cannot be used in this route type", call->name);
	for (int i = 0; i < call->nargs; i++)
		if ((r = convert_arg(c, call, i, cmd->params[i])) < 0)
			return r;
	if (cmd->fixup && (r = cmd->fixup(call->args, call->nargs, &why)) < 0)
		return ksr_cfg_fail(c->err, call->pos, "function '%s': %s", call->name,
				    why ? why : "bad parameters");
	call->cmd = cmd;
	return 0;
}

static int keep_regex(struct compiler *c, regex_t *re)
{
	regex_t **n = realloc(c->prog->regexes, (c->prog->nregexes + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	c->prog->regexes = n;
	n[c->prog->nregexes++] = re;
	return 0;
}

static int compile_expr(struct compiler *c, struct ksr_expr *e)
{
	int r;

	switch (e->type) {
	case KSR_E_CALL:
		return compile_call(c, &e->call);
	case KSR_E_INT:
		return 0;
	case KSR_E_NOT:
		return compile_expr(c, e->l);
	case KSR_E_AND:
	case KSR_E_OR:
		if ((r = compile_expr(c, e->l)) < 0)
			return r;
		return compile_expr(c, e->r);
	case KSR_E_METHOD:
		if (e->op == T_MATCH || e->op == T_NOMATCH) {
			regex_t *re = malloc(sizeof(*re));

			if (!re)
				return -ENOMEM;
			if (regcomp(re, e->str, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0) {
				free(re);
				return ksr_cfg_fail(c->err, e->pos, "bad regular expression \"%s\"",
						    e->str);
			}
			if ((r = keep_regex(c, re)) < 0) {
				regfree(re);
				free(re);
				return r;
			}
			e->re = re;
		}
		return 0;
	}
	return ksr_cfg_fail(c->err, e->pos, "internal error: unknown expression");
}

static int compile_actions(struct compiler *c, struct ksr_action *a)
{
	int r;

	for (; a; a = a->next) {
		switch (a->type) {
		case KSR_A_CALL:
			r = compile_call(c, &a->call);
			break;
		case KSR_A_IF:
			r = compile_expr(c, a->cond);
			if (r == 0)
				r = compile_actions(c, a->then);
			if (r == 0)
				r = compile_actions(c, a->otherwise);
			break;
		case KSR_A_BLOCK:
			r = compile_actions(c, a->then);
			break;
		case KSR_A_ROUTE:
			a->route = ksr_program_find_route(c->prog, a->route_name);
			r = a->route ? 0
				     : ksr_cfg_fail(c->err, a->pos, "route '%s' is not defined",
						    a->route_name);
			break;
		default:
			r = 0;
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int ksr_cfg_compile(struct ksr_program *prog, struct ksr_cfg_error *err)
{
	/* named routes run from request_route, so they are checked as request routes */
	struct compiler c = {.prog = prog, .err = err, .route_type = KSR_ROUTE_REQUEST};
	int r;

	if (prog->request_route && (r = compile_actions(&c, prog->request_route->body)) < 0)
		return r;
	for (struct ksr_route *rt = prog->routes; rt; rt = rt->next)
		if ((r = compile_actions(&c, rt->body)) < 0)
			return r;
	return 0;
}
