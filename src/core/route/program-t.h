/* The routing program: what the config's route blocks compile to. */
#ifndef KSR_CORE_ROUTE_PROGRAM_T_H
#define KSR_CORE_ROUTE_PROGRAM_T_H

#include <netinet/in.h>
#include <regex.h>
#include <stdatomic.h>

#include "core/cfg/error.h"
#include "core/mem/arena.h"
#include "core/module/module-t.h"
#include "core/pv/pv-t.h"

struct ksr_route;
struct ksr_expr;
struct ksr_pv_fmt;

/* A call of a module function, resolved and fixed up at load. */
struct ksr_call {
	const char *name;
	int nargs;
	struct ksr_fparam args[KSR_MAX_PARAMS];
	struct ksr_pos arg_pos[KSR_MAX_PARAMS];
	/* a dynamic argument: evaluated on every call (string with pvs, or a bare pv) */
	struct ksr_pv_fmt *arg_fmt[KSR_MAX_PARAMS];
	/* an argument written as an expression ("sip:h:" + $var(p)): evaluated on every call */
	struct ksr_expr *arg_expr[KSR_MAX_PARAMS];
	const struct ksr_cmd_export *cmd; /* set by the compile step */
	struct ksr_pos pos;
};

enum ksr_expr_type {
	KSR_E_CALL, /* a function's result: >0 true, <0 false, 0 stops the script */
	KSR_E_INT, /* a constant */
	KSR_E_STR, /* a string, as written: expressions do not interpolate (upstream) */
	KSR_E_NULL, /* $null */
	KSR_E_PV, /* a pseudo-variable */
	KSR_E_RC, /* $rc, $?, $retcode: the last return code */
	KSR_E_KEYWORD, /* method, uri, status, src_ip, ...: the value it names */
	KSR_E_MYSELF, /* `myself`, only as the right side of == and != */
	KSR_E_NET, /* an IP network written bare: 10.0.0.0/8, [2001:db8::]/32 */
	KSR_E_ROUTE, /* route(NAME) as a value: what the route returns */
	KSR_E_UNARY, /* op: T_NOT, T_MINUS, T_TILDE, or one of KSR_OP_* below */
	KSR_E_BINARY, /* op: a token type, or KSR_OP_* below */
};

/* Operators without a token of their own. */
enum {
	KSR_OP_CAST_INT = 1000,
	KSR_OP_CAST_STR,
	KSR_OP_DEFINED,
	KSR_OP_STRLEN,
	KSR_OP_STREMPTY,
	KSR_OP_STREQ, /* eq */
	KSR_OP_STRNE, /* ne */
	KSR_OP_IEQ, /* ieq */
	KSR_OP_INE, /* ine */
	KSR_OP_MOD, /* mod */
};

enum ksr_keyword {
	KSR_KW_METHOD = 1,
	KSR_KW_URI,
	KSR_KW_STATUS,
	KSR_KW_FROM_URI,
	KSR_KW_TO_URI,
	KSR_KW_SRC_IP,
	KSR_KW_SRC_PORT,
	KSR_KW_DST_IP,
	KSR_KW_DST_PORT,
	KSR_KW_PROTO,
	KSR_KW_AF,
	KSR_KW_MSG_LEN,
};

struct ksr_net {
	int af;
	unsigned char addr[16];
	unsigned int bits;
};

struct ksr_expr {
	enum ksr_expr_type type;
	struct ksr_pos pos;
	int op;
	struct ksr_expr *l, *r;
	struct ksr_call call; /* KSR_E_CALL */
	long i; /* KSR_E_INT; KSR_E_KEYWORD: enum ksr_keyword */
	const char *str; /* KSR_E_STR as written, KSR_E_PV text, KSR_E_ROUTE name */
	size_t str_len;
	struct ksr_pv_spec *pv; /* KSR_E_PV */
	struct ksr_net net; /* KSR_E_NET */
	struct ksr_route *route; /* KSR_E_ROUTE */
	regex_t *re; /* =~ and !~ with a constant right side, compiled at load */
};

enum ksr_action_type {
	KSR_A_CALL,
	KSR_A_IF,
	KSR_A_BLOCK,
	KSR_A_EXIT,
	KSR_A_DROP,
	KSR_A_RETURN,
	KSR_A_ROUTE,
	KSR_A_ASSIGN, /* $pv = expr */
	KSR_A_SWITCH,
	KSR_A_WHILE,
	KSR_A_BREAK,
	KSR_A_EXPR, /* an expression evaluated for its effect: its value becomes $rc */
};

struct ksr_case {
	bool is_default;
	struct ksr_expr *value; /* a constant int or string */
	struct ksr_action *body; /* runs on, into the next case, until break */
	struct ksr_case *next;
};

struct ksr_action {
	enum ksr_action_type type;
	struct ksr_pos pos;
	struct ksr_action *next;
	struct ksr_call call; /* KSR_A_CALL */
	struct ksr_expr *cond; /* KSR_A_IF, KSR_A_WHILE, KSR_A_SWITCH, KSR_A_RETURN, ASSIGN, EXPR */
	struct ksr_action *then, *otherwise; /* KSR_A_IF; then: body of BLOCK and WHILE */
	long value; /* KSR_A_RETURN without an expression */
	const char *route_name; /* KSR_A_ROUTE */
	struct ksr_route *route; /* KSR_A_ROUTE, resolved at load */
	struct ksr_expr *lhs; /* KSR_A_ASSIGN: a KSR_E_PV */
	struct ksr_case *cases; /* KSR_A_SWITCH */
};

struct ksr_route {
	/* NULL for request_route, reply_route and onsend_route; "mod:event" for event_route */
	const char *name;
	/* the route type it runs as (KSR_ROUTE_REQUEST for request_route and route[]) */
	enum ksr_route_type type;
	/*
	 * route[] only, set by the compile step: the route types of the blocks that reach it
	 * through route(); KSR_ROUTE_REQUEST when none does (modules run it as a request
	 * route). Its functions are checked against these.
	 */
	unsigned int reached;
	struct ksr_pos pos;
	struct ksr_action *body;
	struct ksr_route *next;
};

/* Something made outside a program's arena, released with the program (core/module/fixup.h). */
struct ksr_kept {
	void *ptr;
	void (*free_fn)(void *);
	struct ksr_kept *next;
};

struct ksr_program {
	atomic_int refs;
	struct ksr_arena arena; /* every node above */
	struct ksr_route *request_route;
	struct ksr_route *routes; /* named route[...] blocks */
	struct ksr_route *reply_route; /* reply_route, or onreply_route without a name */
	struct ksr_route *onsend_route;
	/* named blocks run by tm (and the default "0" of failure_route/branch_route) */
	struct ksr_route *failure_routes, *branch_routes, *onreply_routes;
	struct ksr_route *event_routes; /* event_route[mod:event], run by modules */
	struct ksr_kept *kept; /* what compiling and fixups made outside the arena */
};

#endif
