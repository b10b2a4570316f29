/*
 * The interpreter of routing programs, with Kamailio's rules: a function returning 0
 * ends the script, <0 is false, >0 true; $rc holds the last return code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "core/cfg/lex.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "core/route/program.h"

#define MAX_ROUTE_DEPTH 100 /* route(X) nesting, against runaway recursion */

int ksr_max_while_loops = 100; /* core parameter max_while_loops */

struct run {
	struct ksr_msg *msg;
	int depth;
	enum ksr_run_status status; /* set when the script must stop */
	bool returned; /* a `return` ends the current route only */
	bool broke; /* a `break` ends the innermost switch or while */
	int rc; /* $rc */
	unsigned int route_type; /* what the script runs as: KSR_ROUTE_REQUEST, ... */
};

static struct ksr_val v_int(long i)
{
	return (struct ksr_val){.type = KSR_VAL_INT, .i = i};
}

static struct ksr_val v_null(void)
{
	return (struct ksr_val){.type = KSR_VAL_NULL};
}

static struct ksr_val v_str(char *s, size_t len)
{
	return (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(s, len)};
}

/* A decimal string is its number; anything else converts to 0. */
static long to_int(const struct ksr_val *v)
{
	long i = 0;

	if (v->type == KSR_VAL_INT)
		return v->i;
	if (v->type == KSR_VAL_STR && ksr_val_to_int(v, &i) == 0)
		return i;
	return 0;
}

static struct ksr_val eval(struct run *rn, const struct ksr_expr *e);

static struct ksr_str to_str(struct run *rn, const struct ksr_val *v)
{
	struct ksr_str s = KSR_STR_NULL;

	if (v->type == KSR_VAL_STR)
		return v->s;
	if (v->type == KSR_VAL_NULL || ksr_val_to_str(rn->msg, v, &s) < 0)
		return ksr_str_make("", 0);
	return s;
}

static bool is_numeric(const struct ksr_val *v)
{
	long i;

	return v->type == KSR_VAL_INT || (v->type == KSR_VAL_STR && ksr_val_to_int(v, &i) == 0);
}

/* Truth of a value: a positive number, or a non-empty non-numeric string. */
static bool truth(const struct ksr_val *v)
{
	if (v->type == KSR_VAL_NULL)
		return false;
	if (is_numeric(v))
		return to_int(v) > 0;
	return v->s.len > 0;
}

/* A NUL-terminated copy in the message arena (regexec and module functions want one). */
static char *cstr(struct run *rn, struct ksr_str s)
{
	char *c = ksr_arena_alloc(rn->msg->arena, s.len + 1);

	if (c)
		memcpy(c, s.s, s.len);
	return c;
}

static int call(struct run *rn, const struct ksr_call *c)
{
	struct ksr_fparam args[KSR_MAX_PARAMS];
	int r;

	/* a route[] reached from several route types was checked against their union */
	if (!(c->cmd->route_types & rn->route_type)) {
		LM_ERR("%s() at line %d cannot be used in %s: skipped\n", c->name, c->pos.line,
		       ksr_route_type_name(rn->route_type));
		return rn->rc = -1;
	}
	memcpy(args, c->args, sizeof(args));
	for (int i = 0; i < c->nargs; i++) {
		struct ksr_str s;

		if (c->arg_expr[i]) {
			struct ksr_val v = eval(rn, c->arg_expr[i]);

			if (rn->status != KSR_RUN_END)
				return rn->rc = -1;
			s = to_str(rn, &v);
			if (!(s.s = cstr(rn, s))) {
				LM_ERR("cannot evaluate parameter %d of %s()\n", i + 1, c->name);
				return rn->rc = -1;
			}
		} else if (!c->arg_fmt[i]) {
			continue;
		} else if (ksr_pv_fmt_eval(rn->msg, c->arg_fmt[i], &s) < 0 || !(s.s = cstr(rn, s))) {
			LM_ERR("cannot evaluate parameter %d of %s()\n", i + 1, c->name);
			return rn->rc = -1;
		}
		args[i].s = s;
		if (c->cmd->params[i] == KSR_PT_INT) {
			struct ksr_val v = v_str(s.s, s.len);

			if (ksr_val_to_int(&v, &args[i].i) < 0) {
				LM_ERR("parameter %d of %s() is not a number: '%s'\n", i + 1, c->name,
				       s.s);
				return rn->rc = -1;
			}
			args[i].type = KSR_PT_INT;
		}
	}
	r = c->cmd->func(rn->msg, args);
	if (r == 0) /* a function returning 0 ends the script */
		rn->status = KSR_RUN_EXIT;
	return rn->rc = r;
}

static int run_route(struct run *rn, const struct ksr_route *rt);

static struct ksr_val keyword(struct run *rn, long kw)
{
	struct ksr_msg *msg = rn->msg;
	struct ksr_nameaddr *na;
	struct ksr_cseq *cseq;
	char ip[INET6_ADDRSTRLEN], *s;
	const struct sockaddr_storage *ss = &msg->rcv.src;

	switch (kw) {
	case KSR_KW_METHOD:
		if (msg->type == KSR_MSG_REQUEST)
			return v_str(msg->first.req.method.s, msg->first.req.method.len);
		return ksr_msg_cseq(msg, &cseq) == 0 ? v_str(cseq->method.s, cseq->method.len)
						     : v_null();
	case KSR_KW_URI:
		if (msg->type != KSR_MSG_REQUEST)
			return v_null();
		return v_str(ksr_msg_cur_ruri(msg).s, ksr_msg_cur_ruri(msg).len);
	case KSR_KW_STATUS:
		return msg->type == KSR_MSG_REPLY ? v_int(msg->first.rpl.code) : v_null();
	case KSR_KW_FROM_URI:
		return ksr_msg_from(msg, &na) == 0 ? v_str(na->uri.s, na->uri.len) : v_null();
	case KSR_KW_TO_URI:
		return ksr_msg_to(msg, &na) == 0 ? v_str(na->uri.s, na->uri.len) : v_null();
	case KSR_KW_SRC_IP:
		if (ss->ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, ip, sizeof(ip));
		else if (ss->ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, ip, sizeof(ip));
		else
			return v_null();
		s = cstr(rn, ksr_str_make(ip, strlen(ip)));
		return s ? v_str(s, strlen(ip)) : v_null();
	case KSR_KW_SRC_PORT:
		if (ss->ss_family == AF_INET6)
			return v_int(ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
		if (ss->ss_family == AF_INET)
			return v_int(ntohs(((const struct sockaddr_in *)ss)->sin_port));
		return v_null();
	case KSR_KW_DST_IP:
		return msg->rcv.listener ? v_str(msg->rcv.listener->host, strlen(msg->rcv.listener->host))
					 : v_null();
	case KSR_KW_DST_PORT:
		return msg->rcv.listener ? v_int(msg->rcv.listener->port) : v_null();
	case KSR_KW_PROTO:
		return msg->rcv.proto == IPPROTO_TCP ? v_str("tcp", 3) : v_str("udp", 3);
	case KSR_KW_AF:
		return v_int(ss->ss_family == AF_INET6 ? 6 : 4);
	case KSR_KW_MSG_LEN:
		return v_int((long)msg->len);
	}
	return v_null();
}

/* `X == myself`: X names one of our addresses (a URI's host and port, or an IP). */
static bool is_myself(struct run *rn, const struct ksr_expr *l, const struct ksr_val *v)
{
	struct ksr_str s = to_str(rn, v);
	struct ksr_nameaddr *na;
	struct ksr_uri *pu, u;
	int r = -1;

	if (l->type != KSR_E_KEYWORD ||
	    (l->i != KSR_KW_URI && l->i != KSR_KW_FROM_URI && l->i != KSR_KW_TO_URI))
		return ksr_listener_is_local(s, 0);
	/* the URIs the keywords name are parsed once per message, not per comparison */
	if (l->i == KSR_KW_URI)
		r = ksr_msg_cur_ruri_parsed(rn->msg, &pu);
	else if ((l->i == KSR_KW_FROM_URI ? ksr_msg_from(rn->msg, &na) : ksr_msg_to(rn->msg, &na)) == 0)
		r = ksr_nameaddr_uri(rn->msg, na, &pu);
	if (r < 0) {
		if (ksr_uri_parse(s, &u) < 0)
			return false;
		pu = &u;
	}
	return ksr_listener_is_local(pu->host, pu->port);
}

static bool in_net(struct run *rn, const struct ksr_net *net, const struct ksr_val *v)
{
	unsigned char a[16];
	struct ksr_str s = to_str(rn, v);
	char *c = cstr(rn, s);
	unsigned int bits = net->bits;

	if (!c || inet_pton(net->af, c, a) != 1)
		return false;
	for (unsigned int i = 0; bits; i++) {
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));

		if ((a[i] & mask) != (net->addr[i] & mask))
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static bool regex_match(struct run *rn, const struct ksr_expr *e, const struct ksr_val *l,
			const struct ksr_val *r)
{
	struct ksr_str s = to_str(rn, l);
	char *subject = cstr(rn, s);
	bool m;

	if (!subject)
		return false;
	if (e->re)
		return regexec(e->re, subject, 0, NULL, 0) == 0;
	{
		/* a pattern with pseudo-variables: compiled on each use */
		char *pat = cstr(rn, to_str(rn, r));
		regex_t re;

		if (!pat || regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0) {
			LM_ERR("bad regular expression '%s'\n", pat ? pat : "");
			return false;
		}
		m = regexec(&re, subject, 0, NULL, 0) == 0;
		regfree(&re);
	}
	return m;
}

/* == and !=: numbers as numbers, method without case, strings as strings. */
static bool equal(struct run *rn, const struct ksr_expr *e, const struct ksr_val *l,
		  const struct ksr_val *r)
{
	struct ksr_str a, b;

	if (l->type == KSR_VAL_NULL || r->type == KSR_VAL_NULL)
		return l->type == r->type;
	if ((l->type == KSR_VAL_INT || r->type == KSR_VAL_INT) && is_numeric(l) && is_numeric(r))
		return to_int(l) == to_int(r);
	if (l->type == KSR_VAL_INT || r->type == KSR_VAL_INT)
		return false;
	a = l->s;
	b = r->s;
	if (e->l->type == KSR_E_KEYWORD && e->l->i == KSR_KW_METHOD)
		return ksr_str_caseeq(&a, &b);
	return ksr_str_eq(&a, &b);
}

static struct ksr_val concat(struct run *rn, struct ksr_str a, struct ksr_str b)
{
	char *s = ksr_arena_alloc(rn->msg->arena, a.len + b.len + 1);

	if (!s)
		return v_null();
	memcpy(s, a.s, a.len);
	memcpy(s + a.len, b.s, b.len);
	return v_str(s, a.len + b.len);
}

static struct ksr_val binary(struct run *rn, const struct ksr_expr *e)
{
	struct ksr_val l, r;
	struct ksr_str a, b;
	long x, y;

	l = eval(rn, e->l);
	if (rn->status)
		return l;
	if (e->op == T_OR || e->op == T_AND) {
		bool t = truth(&l);

		if ((e->op == T_OR) == t)
			return v_int(t);
		r = eval(rn, e->r);
		return v_int(truth(&r));
	}
	if (e->r->type == KSR_E_MYSELF) {
		bool m = is_myself(rn, e->l, &l);

		return v_int(e->op == T_EQ ? m : !m);
	}
	if (e->r->type == KSR_E_NET) {
		bool m = in_net(rn, &e->r->net, &l);

		return v_int(e->op == T_EQ ? m : !m);
	}
	r = eval(rn, e->r);
	if (rn->status)
		return r;
	switch (e->op) {
	case T_EQ:
		return v_int(equal(rn, e, &l, &r));
	case T_NE:
		return v_int(!equal(rn, e, &l, &r));
	case T_MATCH:
		return v_int(regex_match(rn, e, &l, &r));
	case T_NOMATCH:
		return v_int(!regex_match(rn, e, &l, &r));
	case KSR_OP_STREQ:
	case KSR_OP_STRNE:
	case KSR_OP_IEQ:
	case KSR_OP_INE: {
		bool same;

		a = to_str(rn, &l);
		b = to_str(rn, &r);
		same = (e->op == KSR_OP_IEQ || e->op == KSR_OP_INE) ? ksr_str_caseeq(&a, &b)
								      : ksr_str_eq(&a, &b);
		return v_int(e->op == KSR_OP_STREQ || e->op == KSR_OP_IEQ ? same : !same);
	}
	case T_PLUS:
		/* the left operand decides: a string concatenates, a number adds */
		if (l.type == KSR_VAL_STR)
			return concat(rn, l.s, to_str(rn, &r));
		return v_int(to_int(&l) + to_int(&r));
	default:
		break;
	}
	x = to_int(&l);
	y = to_int(&r);
	switch (e->op) {
	case T_LT: return v_int(x < y);
	case T_GT: return v_int(x > y);
	case T_LE: return v_int(x <= y);
	case T_GE: return v_int(x >= y);
	case T_MINUS: return v_int(x - y);
	case T_STAR: return v_int(x * y);
	case T_SLASH:
	case KSR_OP_MOD:
		if (y == 0) {
			LM_ERR("division by zero at line %d\n", e->pos.line);
			return v_null();
		}
		return v_int(e->op == T_SLASH ? x / y : x % y);
	case T_AMP: return v_int(x & y);
	case T_PIPE: return v_int(x | y);
	case T_CARET: return v_int(x ^ y);
	case T_LSHIFT: return v_int((long)((unsigned long)x << (y & 63)));
	case T_RSHIFT: return v_int(x >> (y & 63));
	}
	return v_null();
}

static struct ksr_val unary(struct run *rn, const struct ksr_expr *e)
{
	struct ksr_val v;
	struct ksr_str s;

	if (e->op == KSR_OP_DEFINED) {
		if (ksr_pv_get(rn->msg, e->l->pv, &v) < 0)
			return v_int(0);
		return v_int(v.type != KSR_VAL_NULL);
	}
	v = eval(rn, e->l);
	if (rn->status)
		return v;
	switch (e->op) {
	case T_NOT: return v_int(!truth(&v));
	case T_MINUS: return v_int(-to_int(&v));
	case T_TILDE: return v_int(~to_int(&v));
	case KSR_OP_CAST_INT: return v_int(to_int(&v));
	case KSR_OP_CAST_STR:
		s = to_str(rn, &v);
		return v_str(s.s, s.len);
	case KSR_OP_STRLEN: return v_int((long)to_str(rn, &v).len);
	case KSR_OP_STREMPTY: return v_int(to_str(rn, &v).len == 0);
	}
	return v_null();
}

static struct ksr_val eval(struct run *rn, const struct ksr_expr *e)
{
	struct ksr_val v;

	switch (e->type) {
	case KSR_E_CALL: {
		int r = call(rn, &e->call);

		/* a function's result is its truth: >0 true, <0 false */
		return v_int(r > 0 ? 1 : (r < 0 ? -1 : 0));
	}
	case KSR_E_INT:
		return v_int(e->i);
	case KSR_E_STR:
		return v_str((char *)e->str, e->str_len);
	case KSR_E_NULL:
		return v_null();
	case KSR_E_PV:
		if (ksr_pv_get(rn->msg, e->pv, &v) < 0)
			return v_null();
		return v;
	case KSR_E_RC:
		return v_int(rn->rc);
	case KSR_E_KEYWORD:
		return keyword(rn, e->i);
	case KSR_E_ROUTE:
		return v_int(run_route(rn, e->route));
	case KSR_E_UNARY:
		return unary(rn, e);
	case KSR_E_BINARY:
		return binary(rn, e);
	case KSR_E_MYSELF:
	case KSR_E_NET:
		break; /* only as the right side of == and !=, handled there */
	}
	return v_null();
}

static int run_actions(struct run *rn, const struct ksr_action *a);

static int run_route(struct run *rn, const struct ksr_route *rt)
{
	if (rn->depth >= MAX_ROUTE_DEPTH) {
		LM_ERR("route nesting deeper than %d, stopping the script\n", MAX_ROUTE_DEPTH);
		rn->status = KSR_RUN_ERROR;
		return -1;
	}
	rn->depth++;
	run_actions(rn, rt->body);
	rn->depth--;
	rn->returned = false;
	rn->broke = false;
	return rn->rc;
}

static bool case_matches(struct run *rn, const struct ksr_case *k, const struct ksr_val *v)
{
	struct ksr_str a, b;

	if (k->value->type == KSR_E_INT)
		return is_numeric(v) && to_int(v) == k->value->i;
	a = to_str(rn, v);
	b = ksr_str_make((char *)k->value->str, k->value->str_len);
	return v->type != KSR_VAL_NULL && ksr_str_eq(&a, &b);
}

static void run_switch(struct run *rn, const struct ksr_action *a)
{
	struct ksr_val v = eval(rn, a->cond);
	const struct ksr_case *k, *start = NULL, *dflt = NULL;

	if (rn->status)
		return;
	for (k = a->cases; k && !start; k = k->next) {
		if (k->is_default)
			dflt = k;
		else if (case_matches(rn, k, &v))
			start = k;
	}
	if (!start)
		start = dflt;
	/* from the matching case on, falling through, until break */
	for (k = start; k && !rn->status && !rn->returned && !rn->broke; k = k->next)
		run_actions(rn, k->body);
	rn->broke = false;
}

static void run_while(struct run *rn, const struct ksr_action *a)
{
	int loops = 0;

	for (;;) {
		struct ksr_val v = eval(rn, a->cond);

		if (rn->status || !truth(&v))
			break;
		if (++loops > ksr_max_while_loops) {
			LM_ERR("while at line %d ran more than max_while_loops (%d) times: stopped\n",
			       a->pos.line, ksr_max_while_loops);
			break;
		}
		run_actions(rn, a->then);
		if (rn->status || rn->returned || rn->broke)
			break;
	}
	rn->broke = false;
}

static int run_actions(struct run *rn, const struct ksr_action *a)
{
	struct ksr_val v;

	for (; a && !rn->status && !rn->returned && !rn->broke; a = a->next) {
		switch (a->type) {
		case KSR_A_CALL:
			call(rn, &a->call);
			break;
		case KSR_A_IF:
			v = eval(rn, a->cond);
			if (rn->status)
				break;
			if (truth(&v))
				run_actions(rn, a->then);
			else if (a->otherwise)
				run_actions(rn, a->otherwise);
			break;
		case KSR_A_BLOCK:
			run_actions(rn, a->then);
			break;
		case KSR_A_EXIT:
			rn->status = KSR_RUN_EXIT;
			break;
		case KSR_A_DROP:
			rn->status = KSR_RUN_DROP;
			break;
		case KSR_A_RETURN:
			if (a->cond) {
				v = eval(rn, a->cond);
				if (rn->status)
					break;
				rn->rc = (int)to_int(&v);
			} else {
				rn->rc = (int)a->value;
			}
			rn->returned = true;
			break;
		case KSR_A_ROUTE:
			run_route(rn, a->route);
			break;
		case KSR_A_ASSIGN:
			v = eval(rn, a->cond);
			if (rn->status)
				break;
			if (ksr_pv_set(rn->msg, a->lhs->pv, &v) < 0)
				LM_ERR("cannot assign to %s at line %d\n", a->lhs->str, a->pos.line);
			break;
		case KSR_A_SWITCH:
			run_switch(rn, a);
			break;
		case KSR_A_WHILE:
			run_while(rn, a);
			break;
		case KSR_A_BREAK:
			rn->broke = true;
			break;
		case KSR_A_EXPR:
			v = eval(rn, a->cond);
			rn->rc = (int)to_int(&v);
			break;
		}
	}
	return rn->rc;
}

/* The route type running on this thread (innermost), for ksr_run_route_type(). */
static _Thread_local unsigned int cur_type;

unsigned int ksr_run_route_type(void)
{
	return cur_type;
}

enum ksr_run_status ksr_run_request(struct ksr_program *p, struct ksr_msg *msg)
{
	struct run rn = {.msg = msg, .rc = 1, .route_type = KSR_ROUTE_REQUEST};
	unsigned int outer = cur_type;

	if (!p->request_route)
		return KSR_RUN_END;
	cur_type = KSR_ROUTE_REQUEST;
	run_route(&rn, p->request_route);
	cur_type = outer;
	return rn.status;
}

enum ksr_run_status ksr_run_route_rc(struct ksr_program *p, const struct ksr_route *rt,
				     struct ksr_msg *msg, enum ksr_route_type type, int *ret_rc)
{
	struct run rn = {.msg = msg, .rc = 1, .route_type = type};
	unsigned int outer = cur_type;

	(void)p; /* the caller holds the program that rt belongs to */
	cur_type = type;
	if (rt)
		run_route(&rn, rt);
	cur_type = outer;
	if (ret_rc)
		*ret_rc = rn.rc;
	return rt ? rn.status : KSR_RUN_END;
}

enum ksr_run_status ksr_run_route(struct ksr_program *p, const struct ksr_route *rt,
				  struct ksr_msg *msg, enum ksr_route_type type)
{
	return ksr_run_route_rc(p, rt, msg, type, NULL);
}
