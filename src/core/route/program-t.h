/* The routing program: what the config's route blocks compile to. */
#ifndef KSR_CORE_ROUTE_PROGRAM_T_H
#define KSR_CORE_ROUTE_PROGRAM_T_H

#include <regex.h>
#include <stdatomic.h>

#include "core/cfg/error.h"
#include "core/mem/arena.h"
#include "core/module/module-t.h"

struct ksr_route;

/* A call of a module function, resolved and fixed up at load. */
struct ksr_call {
	const char *name;
	int nargs;
	struct ksr_fparam args[KSR_MAX_PARAMS];
	struct ksr_pos arg_pos[KSR_MAX_PARAMS];
	const struct ksr_cmd_export *cmd; /* set by the compile step */
	struct ksr_pos pos;
};

enum ksr_expr_type {
	KSR_E_CALL, /* a function's result: >0 true, <0 false, 0 stops the script */
	KSR_E_INT, /* a constant */
	KSR_E_NOT,
	KSR_E_AND,
	KSR_E_OR,
	KSR_E_METHOD, /* method OP "string" */
};

struct ksr_expr {
	enum ksr_expr_type type;
	struct ksr_pos pos;
	struct ksr_expr *l, *r;
	struct ksr_call call;
	long i;
	int op; /* KSR_E_METHOD: T_EQ, T_NE, T_MATCH, T_NOMATCH */
	const char *str;
	size_t str_len;
	regex_t *re; /* KSR_E_METHOD with =~ and !~, compiled at load */
};

enum ksr_action_type {
	KSR_A_CALL,
	KSR_A_IF,
	KSR_A_BLOCK,
	KSR_A_EXIT,
	KSR_A_DROP,
	KSR_A_RETURN,
	KSR_A_ROUTE,
};

struct ksr_action {
	enum ksr_action_type type;
	struct ksr_pos pos;
	struct ksr_action *next;
	struct ksr_call call; /* KSR_A_CALL */
	struct ksr_expr *cond; /* KSR_A_IF */
	struct ksr_action *then, *otherwise; /* KSR_A_IF; then is the body of KSR_A_BLOCK */
	long value; /* KSR_A_RETURN */
	const char *route_name; /* KSR_A_ROUTE */
	struct ksr_route *route; /* KSR_A_ROUTE, resolved at load */
};

struct ksr_route {
	const char *name; /* NULL for request_route */
	struct ksr_pos pos;
	struct ksr_action *body;
	struct ksr_route *next;
};

struct ksr_program {
	atomic_int refs;
	struct ksr_arena arena; /* every node above */
	struct ksr_route *request_route;
	struct ksr_route *routes; /* named route[...] blocks */
	regex_t **regexes; /* to regfree */
	size_t nregexes;
};

#endif
