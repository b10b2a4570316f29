/* The interpreter of routing programs, with Kamailio's return-code rules. */
#include <strings.h>

#include "core/cfg/lex.h"
#include "core/log.h"
#include "core/parser/msg.h"
#include "core/route/program.h"

#define MAX_ROUTE_DEPTH 100 /* route(X) nesting, against runaway recursion */

struct run {
	struct ksr_msg *msg;
	int depth;
	enum ksr_run_status status; /* set when the script must stop */
	bool returned; /* a `return` ends the current route only */
};

static int eval(struct run *rn, const struct ksr_expr *e);

static int call(struct run *rn, const struct ksr_call *c)
{
	int r = c->cmd->func(rn->msg, c->args);

	if (r == 0) /* a function returning 0 stops the script */
		rn->status = KSR_RUN_EXIT;
	return r;
}

static bool method_is(const struct ksr_msg *msg, const struct ksr_expr *e)
{
	const struct ksr_str *m = &msg->first.req.method;

	if (msg->type != KSR_MSG_REQUEST)
		return false;
	if (e->re) {
		/* REG_STARTEND: match the counted method in place, whatever its length */
		regmatch_t range = {.rm_so = 0, .rm_eo = (regoff_t)m->len};

		return regexec(e->re, m->s, 1, &range, REG_STARTEND) == 0;
	}
	return m->len == e->str_len && strncasecmp(m->s, e->str, m->len) == 0;
}

/* >0 true, <0 false; a 0 from a function has already stopped the script. */
static int eval(struct run *rn, const struct ksr_expr *e)
{
	int l;

	switch (e->type) {
	case KSR_E_CALL:
		return call(rn, &e->call);
	case KSR_E_INT:
		return e->i > 0 ? 1 : -1;
	case KSR_E_NOT:
		l = eval(rn, e->l);
		return rn->status ? l : (l > 0 ? -1 : 1);
	case KSR_E_AND:
		l = eval(rn, e->l);
		if (rn->status || l <= 0)
			return l;
		return eval(rn, e->r);
	case KSR_E_OR:
		l = eval(rn, e->l);
		if (rn->status || l > 0)
			return l;
		return eval(rn, e->r);
	case KSR_E_METHOD: {
		bool is = method_is(rn->msg, e);

		if (e->op == T_NE || e->op == T_NOMATCH)
			is = !is;
		return is ? 1 : -1;
	}
	}
	return -1;
}

static int run_actions(struct run *rn, const struct ksr_action *a);

static int run_route(struct run *rn, const struct ksr_route *rt)
{
	int r;

	if (rn->depth >= MAX_ROUTE_DEPTH) {
		LM_ERR("route nesting deeper than %d, stopping the script\n", MAX_ROUTE_DEPTH);
		rn->status = KSR_RUN_ERROR;
		return -1;
	}
	rn->depth++;
	r = run_actions(rn, rt->body);
	rn->depth--;
	rn->returned = false;
	return r;
}

static int run_actions(struct run *rn, const struct ksr_action *a)
{
	int last = 1;

	for (; a && !rn->status && !rn->returned; a = a->next) {
		switch (a->type) {
		case KSR_A_CALL:
			last = call(rn, &a->call);
			break;
		case KSR_A_IF:
			last = eval(rn, a->cond);
			if (rn->status)
				break;
			if (last > 0)
				last = run_actions(rn, a->then);
			else if (a->otherwise)
				last = run_actions(rn, a->otherwise);
			break;
		case KSR_A_BLOCK:
			last = run_actions(rn, a->then);
			break;
		case KSR_A_EXIT:
			rn->status = KSR_RUN_EXIT;
			break;
		case KSR_A_DROP:
			rn->status = KSR_RUN_DROP;
			break;
		case KSR_A_RETURN:
			rn->returned = true;
			last = (int)a->value;
			break;
		case KSR_A_ROUTE:
			last = run_route(rn, a->route);
			break;
		}
	}
	return last;
}

enum ksr_run_status ksr_run_request(struct ksr_program *p, struct ksr_msg *msg)
{
	struct run rn = {.msg = msg};

	if (!p->request_route)
		return KSR_RUN_END;
	run_route(&rn, p->request_route);
	return rn.status;
}
