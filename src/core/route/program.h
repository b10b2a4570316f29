/* The running routing program: reference-counted so that a reload can swap it. */
#ifndef KSR_CORE_ROUTE_PROGRAM_H
#define KSR_CORE_ROUTE_PROGRAM_H

#include "core/route/program-t.h"

struct ksr_msg;

struct ksr_program *ksr_program_new(void);
void ksr_program_ref(struct ksr_program *p);
/* Drop a reference; the last one frees the program. Accepts NULL. */
void ksr_program_unref(struct ksr_program *p);
/* Call each free_fn of a kept list (the nodes themselves are arena memory). */
void ksr_kept_free(struct ksr_kept *list);
struct ksr_route *ksr_program_find_route(struct ksr_program *p, const char *name);
/* failure_route[name], branch_route[name], onreply_route[name]; NULL when not defined. */
struct ksr_route *ksr_program_find_failure_route(struct ksr_program *p, const char *name);
struct ksr_route *ksr_program_find_branch_route(struct ksr_program *p, const char *name);
struct ksr_route *ksr_program_find_onreply_route(struct ksr_program *p, const char *name);
/* event_route["mod:event"]: for modules to check once whether a config handles an event. */
struct ksr_route *ksr_program_find_event_route(struct ksr_program *p, const char *name);
/* The list a block of type t lives in (request_route and route[] excepted). */
struct ksr_route **ksr__program_list(struct ksr_program *p, enum ksr_route_type t);
/* Name of a route type as the config writes it: "failure_route", ... */
const char *ksr_route_type_name(enum ksr_route_type t);

/* Make p the program new messages run; the old one is freed when its last message ends. */
void ksr_program_install(struct ksr_program *p);
/* The current program with a reference taken, or NULL; release with ksr_program_unref. */
struct ksr_program *ksr_program_acquire(void);

/* What running a route ended with. */
enum ksr_run_status {
	KSR_RUN_END = 0, /* fell off the end or returned */
	KSR_RUN_EXIT, /* exit, or a function returned 0 */
	KSR_RUN_DROP,
	KSR_RUN_ERROR,
};

/* Rounds a while loop may run before it is stopped (core parameter max_while_loops). */
extern int ksr_max_while_loops;

/* Run request_route of p on msg. */
enum ksr_run_status ksr_run_request(struct ksr_program *p, struct ksr_msg *msg);
/*
 * Run route rt of p (a block found with the lookups above) on msg as route type `type`:
 * reply_route for a received reply, failure_route[X] for tm, event_route[...] for a
 * module. A function not allowed in `type` (possible in a route[] reached from several
 * route types) is skipped with an error, as false.
 */
enum ksr_run_status ksr_run_route(struct ksr_program *p, const struct ksr_route *rt,
				  struct ksr_msg *msg, enum ksr_route_type type);
/* The same, and the route's return code ($rc when it ended) in *ret_rc. */
enum ksr_run_status ksr_run_route_rc(struct ksr_program *p, const struct ksr_route *rt,
				     struct ksr_msg *msg, enum ksr_route_type type, int *ret_rc);
/*
 * The type of the route running on this thread (the innermost: a failure_route run from
 * a request_route's t_relay()), KSR_ROUTE_REQUEST, ...; 0 when no script runs.
 */
unsigned int ksr_run_route_type(void);

#endif
