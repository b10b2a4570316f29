/*
 * The compile step: bind calls to module exports, run fixups, parse pseudo-variables
 * and strings with pseudo-variables, compile constant regexes, resolve route names.
 * Everything that can be done once is done here; the interpreter only evaluates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/cfg.h"
#include "core/cfg/lex.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/pv/pv.h"
#include "core/route/program.h"

struct compiler {
	struct ksr_program *prog;
	struct ksr_cfg_error *err;
};

static const char *ptype_name(enum ksr_ptype t)
{
	return t == KSR_PT_INT ? "an integer" : "a string";
}

/* A string that may hold pseudo-variables: *ret_fmt is NULL when it is constant. */
static int compile_fmt(struct compiler *c, const char *s, size_t len, struct ksr_pos pos,
		       struct ksr_pv_fmt **ret_fmt)
{
	struct ksr_pv_fmt *fmt;
	const char *why = NULL;

	*ret_fmt = NULL;
	if (!memchr(s, '$', len))
		return 0;
	if (ksr_pv_fmt_parse(ksr_str_make((char *)s, len), &c->prog->arena, &fmt, &why) < 0)
		return ksr_cfg_fail(c->err, pos, "bad pseudo-variable in \"%.*s\": %s", (int)len, s,
				    why ? why : "cannot parse");
	if (!ksr_pv_fmt_is_const(fmt))
		*ret_fmt = fmt;
	return 0;
}

static int convert_arg(struct compiler *c, struct ksr_call *call, int i, enum ksr_ptype want)
{
	struct ksr_fparam *a = &call->args[i];

	if (a->type == want || a->dynamic)
		return 0; /* dynamic values are converted when evaluated */
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

static int compile_expr(struct compiler *c, struct ksr_expr *e);

static int compile_call(struct compiler *c, struct ksr_call *call)
{
	const struct ksr_cmd_export *cmd;
	const char *why = NULL;
	int r;

	cmd = ksr_module_find_cmd(call->name, call->nargs, NULL);
	if (!cmd) {
		char near[160];

		if (ksr_module_cmd_exists(call->name))
			return ksr_cfg_fail(c->err, call->pos,
					    "function '%s' does not take %d parameter%s", call->name,
					    call->nargs, call->nargs == 1 ? "" : "s");
		if (ksr_module_cmd_near(call->name, near, sizeof(near)) > 0)
			return ksr_cfg_fail(c->err, call->pos,
					    "unknown function '%s' (is its module loaded?); did you mean "
					    "%s?",
					    call->name, near);
		return ksr_cfg_fail(c->err, call->pos,
				    "unknown function '%s' (is its module loaded?)", call->name);
	}
	for (int i = 0; i < call->nargs; i++) {
		struct ksr_fparam *a = &call->args[i];

		if (call->arg_expr[i]) {
			/* evaluated on every call; the fixup sees a dynamic parameter */
			if ((r = compile_expr(c, call->arg_expr[i])) < 0)
				return r;
			continue;
		}
		if (a->type == KSR_PT_STR && cmd->params[i] != KSR_PT_RAW) {
			r = compile_fmt(c, a->s.s, a->s.len, call->arg_pos[i], &call->arg_fmt[i]);
			if (r < 0)
				return r;
			a->dynamic = call->arg_fmt[i] != NULL;
		}
		if ((r = convert_arg(c, call, i,
				     cmd->params[i] == KSR_PT_RAW ? KSR_PT_STR : cmd->params[i])) < 0)
			return r;
	}
	if (cmd->fixup && (r = cmd->fixup(call->args, call->nargs, &why)) < 0)
		return ksr_cfg_fail(c->err, call->pos, "function '%s': %s", call->name,
				    why ? why : "bad parameters");
	call->cmd = cmd;
	return 0;
}

/* "10.0.0.0/8", "192.0.2.1", "[2001:db8::]/32", "2001:db8::1". */
static int compile_net(struct compiler *c, struct ksr_expr *e)
{
	char buf[64];
	const char *slash;
	size_t alen;
	char *end;

	slash = memchr(e->str, '/', e->str_len);
	alen = slash ? (size_t)(slash - e->str) : e->str_len;
	if (alen >= sizeof(buf))
		goto bad;
	memcpy(buf, e->str, alen);
	buf[alen] = '\0';
	if (buf[0] == '[') {
		if (alen < 3 || buf[alen - 1] != ']')
			goto bad;
		memmove(buf, buf + 1, alen - 2);
		buf[alen - 2] = '\0';
	}
	if (inet_pton(AF_INET, buf, e->net.addr) == 1) {
		e->net.af = AF_INET;
		e->net.bits = 32;
	} else if (inet_pton(AF_INET6, buf, e->net.addr) == 1) {
		e->net.af = AF_INET6;
		e->net.bits = 128;
	} else {
		goto bad;
	}
	if (slash) {
		unsigned long bits = strtoul(slash + 1, &end, 10);

		if (end == slash + 1 || end != e->str + e->str_len || bits > e->net.bits)
			goto bad;
		e->net.bits = (unsigned int)bits;
	}
	return 0;
bad:
	return ksr_cfg_fail(c->err, e->pos, "bad IP address or network '%.*s'", (int)e->str_len,
			    e->str);
}

static int compile_regex(struct compiler *c, struct ksr_expr *e)
{
	const char *why = NULL;
	regex_t *re;
	int r;

	/* a string pattern is compiled once; one from a pseudo-variable on every use */
	if (e->r->type != KSR_E_STR)
		return 0;
	r = ksr_fixup_regcomp(e->r->str, REG_EXTENDED | REG_NOSUB | REG_ICASE, &re, &why);
	if (r == -EINVAL)
		return ksr_cfg_fail(c->err, e->r->pos, "bad regular expression \"%s\"", e->r->str);
	if (r < 0)
		return r;
	e->re = re;
	return 0;
}

static int compile_pv(struct compiler *c, struct ksr_expr *e)
{
	const char *why = NULL;
	size_t used = 0;

	if (ksr_pv_parse(ksr_str_make((char *)e->str, e->str_len), &c->prog->arena, &e->pv, &used,
			 &why) < 0)
		return ksr_cfg_fail(c->err, e->pos, "bad pseudo-variable '%s': %s", e->str,
				    why ? why : "cannot parse");
	if (used != e->str_len)
		return ksr_cfg_fail(c->err, e->pos, "unexpected text after the pseudo-variable in '%s'",
				    e->str);
	return 0;
}

static int compile_expr(struct compiler *c, struct ksr_expr *e)
{
	int r;

	switch (e->type) {
	case KSR_E_CALL:
		return compile_call(c, &e->call);
	case KSR_E_PV:
		return compile_pv(c, e);
	case KSR_E_NET:
		return compile_net(c, e);
	case KSR_E_ROUTE:
		e->route = ksr_program_find_route(c->prog, e->str);
		return e->route ? 0
				: ksr_cfg_fail(c->err, e->pos, "route '%s' is not defined", e->str);
	case KSR_E_MYSELF:
		return ksr_cfg_fail(c->err, e->pos,
				    "'myself' can only be compared with == or !=");
	case KSR_E_UNARY:
		return compile_expr(c, e->l);
	case KSR_E_BINARY:
		if ((r = compile_expr(c, e->l)) < 0)
			return r;
		if (e->r->type == KSR_E_MYSELF) {
			if (e->op != T_EQ && e->op != T_NE)
				return ksr_cfg_fail(c->err, e->r->pos,
						    "'myself' can only be compared with == or !=");
			return 0;
		}
		if ((r = compile_expr(c, e->r)) < 0)
			return r;
		if (e->op == T_MATCH || e->op == T_NOMATCH)
			return compile_regex(c, e);
		return 0;
	default:
		return 0;
	}
}

static int compile_actions(struct compiler *c, struct ksr_action *a);

static int compile_switch(struct compiler *c, struct ksr_action *a)
{
	int r;

	if ((r = compile_expr(c, a->cond)) < 0)
		return r;
	for (struct ksr_case *k = a->cases; k; k = k->next) {
		for (struct ksr_case *o = a->cases; o != k && k->value; o = o->next) {
			if (!o->value || o->value->type != k->value->type)
				continue;
			if (k->value->type == KSR_E_INT ? o->value->i == k->value->i
							: !strcmp(o->value->str, k->value->str))
				return ksr_cfg_fail(c->err, k->value->pos, "duplicate case value");
		}
		if ((r = compile_actions(c, k->body)) < 0)
			return r;
	}
	return 0;
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
		case KSR_A_WHILE:
			r = compile_expr(c, a->cond);
			if (r == 0)
				r = compile_actions(c, a->then);
			break;
		case KSR_A_BLOCK:
			r = compile_actions(c, a->then);
			break;
		case KSR_A_SWITCH:
			r = compile_switch(c, a);
			break;
		case KSR_A_ASSIGN:
			r = compile_pv(c, a->lhs);
			if (r == 0 && !ksr_pv_is_writable(a->lhs->pv))
				r = ksr_cfg_fail(c->err, a->lhs->pos,
						 "'%s' is read-only: it cannot be assigned",
						 a->lhs->str);
			if (r == 0)
				r = compile_expr(c, a->cond);
			break;
		case KSR_A_RETURN:
		case KSR_A_EXPR:
			r = a->cond ? compile_expr(c, a->cond) : 0;
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

/*
 * Route types. A block of each kind runs as its own route type, and a function called in
 * it must allow that type, as upstream checks it. A route[] has no type of its own: it
 * runs as the type of the block that calls it, and one route[] is often reached from
 * several (the stock config's route[NATMANAGE] from request, branch, onreply and failure
 * routes), its calls guarded by runtime tests such as is_request(). So a route[] is
 * checked against the union of the types it is reached from, found by following route()
 * calls from every block: a function allowed in none of them is a load error; one
 * allowed in some is checked again when it runs (run.c). A route[] that no block calls
 * is checked as a request route, the type modules run such routes as.
 */
struct checker {
	struct ksr_cfg_error *err;
	unsigned int type; /* walking a top-level block: its type; a route[]: its reach */
	const struct ksr_route *rt; /* the block being checked */
	bool propagate; /* reach pass: follow route() and check nothing else */
};

static int check_actions(struct checker *k, const struct ksr_action *a);

static void type_names(unsigned int types, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int t = 1; t <= KSR_ROUTE_EVENT && n < size; t <<= 1)
		if (types & t)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
					      ksr_route_type_name(t));
	if (!buf[0])
		snprintf(buf, size, "none");
}

static int check_call(struct checker *k, const struct ksr_call *call)
{
	char where[120], allowed[120];

	if (k->propagate || (call->cmd->route_types & k->type))
		return 0;
	type_names(call->cmd->route_types, allowed, sizeof(allowed));
	if (k->rt->type != KSR_ROUTE_REQUEST || !k->rt->name)
		return ksr_cfg_fail(k->err, call->pos,
				    "function '%s' cannot be used in this route type (%s; it is "
				    "allowed in %s)",
				    call->name, ksr_route_type_name(k->rt->type), allowed);
	type_names(k->type, where, sizeof(where));
	return ksr_cfg_fail(k->err, call->pos,
			    "function '%s' cannot be used in route[%s], which runs as %s (the "
			    "route types of the blocks that call it; request_route when none "
			    "does); '%s' is allowed in %s",
			    call->name, k->rt->name, where, call->name, allowed);
}

/* route(X) met while walking: X runs as the walker's type(s) too. */
static int check_route_call(struct checker *k, struct ksr_route *x, struct ksr_pos pos)
{
	struct checker sub = *k;

	if (k->rt->type == KSR_ROUTE_ONSEND)
		return ksr_cfg_fail(k->err, pos, "route() cannot be used in onsend_route");
	if (!k->propagate || (x->reached & k->type) == k->type)
		return 0;
	x->reached |= k->type;
	sub.rt = x;
	return check_actions(&sub, x->body);
}

static int check_expr(struct checker *k, const struct ksr_expr *e)
{
	int r;

	if (!e)
		return 0;
	switch (e->type) {
	case KSR_E_CALL:
		return check_call(k, &e->call);
	case KSR_E_ROUTE:
		return check_route_call(k, e->route, e->pos);
	case KSR_E_UNARY:
		return check_expr(k, e->l);
	case KSR_E_BINARY:
		if ((r = check_expr(k, e->l)) < 0)
			return r;
		return e->r->type == KSR_E_MYSELF ? 0 : check_expr(k, e->r);
	default:
		return 0;
	}
}

static int check_actions(struct checker *k, const struct ksr_action *a)
{
	int r;

	for (; a; a = a->next) {
		switch (a->type) {
		case KSR_A_CALL:
			r = check_call(k, &a->call);
			break;
		case KSR_A_IF:
			r = check_expr(k, a->cond);
			if (r == 0)
				r = check_actions(k, a->then);
			if (r == 0)
				r = check_actions(k, a->otherwise);
			break;
		case KSR_A_WHILE:
			r = check_expr(k, a->cond);
			if (r == 0)
				r = check_actions(k, a->then);
			break;
		case KSR_A_BLOCK:
			r = check_actions(k, a->then);
			break;
		case KSR_A_SWITCH:
			r = check_expr(k, a->cond);
			for (const struct ksr_case *c = a->cases; r == 0 && c; c = c->next)
				r = check_actions(k, c->body);
			break;
		case KSR_A_ASSIGN:
		case KSR_A_RETURN:
		case KSR_A_EXPR:
			r = check_expr(k, a->cond);
			break;
		case KSR_A_ROUTE:
			r = check_route_call(k, a->route, a->pos);
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

/* Check a top-level block's own calls, then spread its type to the route[]s it reaches. */
static int check_block(struct ksr_cfg_error *err, const struct ksr_route *rt)
{
	struct checker k = {.err = err, .type = rt->type, .rt = rt};
	int r;

	if ((r = check_actions(&k, rt->body)) < 0)
		return r;
	k.propagate = true;
	return check_actions(&k, rt->body);
}

static int check_route_types(struct ksr_program *p, struct ksr_cfg_error *err)
{
	struct ksr_route *lists[] = {p->request_route, p->reply_route, p->onsend_route,
				     p->failure_routes, p->branch_routes, p->onreply_routes,
				     p->event_routes};
	int r;

	for (struct ksr_route *rt = p->routes; rt; rt = rt->next)
		rt->reached = 0;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (struct ksr_route *rt = lists[i]; rt; rt = rt->next)
			if ((r = check_block(err, rt)) < 0)
				return r;
	/* routes no block calls run as request routes (rtimer-like modules run them so) */
	for (struct ksr_route *rt = p->routes; rt; rt = rt->next) {
		struct checker k = {.err = err, .type = KSR_ROUTE_REQUEST, .rt = rt,
				    .propagate = true};

		if (rt->reached)
			continue;
		rt->reached = KSR_ROUTE_REQUEST;
		if ((r = check_actions(&k, rt->body)) < 0)
			return r;
	}
	for (struct ksr_route *rt = p->routes; rt; rt = rt->next) {
		struct checker k = {.err = err, .type = rt->reached, .rt = rt};

		if ((r = check_actions(&k, rt->body)) < 0)
			return r;
	}
	return 0;
}

int ksr_cfg_compile(struct ksr_program *prog, struct ksr_cfg_error *err)
{
	struct compiler c = {.prog = prog, .err = err};
	struct ksr_route *lists[] = {prog->request_route, prog->routes, prog->reply_route,
				     prog->onsend_route, prog->failure_routes, prog->branch_routes,
				     prog->onreply_routes, prog->event_routes};
	int r = 0;

	/* what fixups make from here on belongs to prog */
	ksr_fixup_begin(prog);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && r >= 0; i++)
		for (struct ksr_route *rt = lists[i]; rt && r >= 0; rt = rt->next)
			r = compile_actions(&c, rt->body);
	ksr_fixup_end();
	return r < 0 ? r : check_route_types(prog, err);
}
