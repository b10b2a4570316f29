/* The config tests' shared fixture (cfg_fixture.c). */
#ifndef KSR_TEST_UNIT_CORE_CFG_FIXTURE_H
#define KSR_TEST_UNIT_CORE_CFG_FIXTURE_H

#include "core/cfg/cfg.h"
#include "core/cfg/testmod.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/route/program.h"

#define FILE_NAME "test.cfg"

/* testmod's state, read and reset by the tests */
extern struct testmod_state *tm;

/* A parsed request; make_request() builds one with the given method. */
struct request {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
};

/* cmocka group and per-test fixtures */
int group_setup(void **state);
int group_teardown(void **state);
int setup(void **state);
int teardown(void **state);

/* Parse (and compile) text with the defines of pp (NULL for none). */
int parse_pp(const char *text, struct ksr_pp *pp, struct ksr_program **ret_prog,
	     struct ksr_cfg_error *err);
/* A config that must parse; returns the program. */
struct ksr_program *parse_ok_pp(const char *text, struct ksr_pp *pp);
struct ksr_program *parse_ok(const char *text);
/* A config that must be refused with an error at line:col whose text has msg_part. */
void expect_error(const char *text, int line, int col, const char *msg_part);
struct request *make_request(const char *method);
void free_request(struct request *rq);
/* Parse cfg and run its request_route on a request with method; the trace goes to tm. */
enum ksr_run_status run_pp(const char *cfg, struct ksr_pp *pp, const char *method);
enum ksr_run_status run(const char *cfg, const char *method);
/* What mark(N)/no(N) recorded, as "1 2 3". */
void expect_trace(const char *want);

#endif
