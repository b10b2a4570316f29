/*
 * Shared by the config tests (test_parse.c, test_parse_route.c): testmod.so loaded once,
 * configs parsed from text, and their request_route run on a parsed request.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg/cfg_fixture.h"
#include "core/msg/reply.h"
#include "core/cfg/cfgvars.h"
#include "core/net/listener.h"
#include "core/route/core_cmds.h"

/* sl.so calls ksr_reply_send: keep it linked into this binary so that dlopen finds it */
__attribute__((used)) static int (*const keep_reply_send)(struct ksr_msg *, unsigned int,
                                                          struct ksr_str) = ksr_reply_send;

#define FILE_NAME "test.cfg"

struct testmod_state *tm;
static struct ksr_core_cfg saved_core_cfg;
static bool saved_signature;

/* ---- fixtures ---------------------------------------------------------------------- */

int group_setup(void **state)
{
	struct ksr_module *m;
	char *why = NULL;

	ksr_module_path = strdup(KSR_TEST_MODULES_DIR ":" KSR_MODULES_BUILD_DIR);
	if (!ksr_module_path)
		return -1;
	if (ksr_module_load("testmod", &why) < 0) {
		fprintf(stderr, "cannot load testmod: %s\n", why);
		free(why);
		return -1;
	}
	m = ksr_module_find("testmod");
	if (!m)
		return -1;
	tm = dlsym(m->handle, TESTMOD_STATE_SYMBOL);
	if (!tm)
		return -1;
	if (ksr_core_cmds_register() < 0)
		return -1;
	saved_core_cfg = ksr_core_cfg;
	saved_signature = ksr_server_signature;
	return 0;
}

int group_teardown(void **state)
{
	ksr_cfg_forget_running();
	ksr_cfgvars_clear();
	ksr_modules_destroy();
	ksr_modules_unload();
	free(ksr_module_path);
	ksr_module_path = NULL;
	ksr_listeners_clear();
	return 0;
}

static void reset_testmod(void)
{
	int init_calls = tm->init_calls, destroy_calls = tm->destroy_calls;

	free(tm->str_param);
	memset(tm, 0, sizeof(*tm));
	tm->f0_ret = 1;
	tm->init_calls = init_calls;
	tm->destroy_calls = destroy_calls;
}

/* Every test starts with the testmod state and the core parameters as at start. */
int setup(void **state)
{
	reset_testmod();
	ksr_core_cfg = saved_core_cfg;
	ksr_server_signature = saved_signature;
	/* every test loads its config as the daemon does, once: no variables from before */
	ksr_cfgvars_clear();
	return 0;
}

int teardown(void **state)
{
	ksr_listeners_clear();
	if (strcmp(ksr_module_path, KSR_TEST_MODULES_DIR ":" KSR_MODULES_BUILD_DIR) != 0) {
		free(ksr_module_path);
		ksr_module_path = strdup(KSR_TEST_MODULES_DIR ":" KSR_MODULES_BUILD_DIR);
	}
	return 0;
}

/* ---- helpers ----------------------------------------------------------------------- */

/* Parse (and compile) text with the defines of pp, which may be NULL. */
int parse_pp(const char *text, struct ksr_pp *pp, struct ksr_program **ret_prog,
                    struct ksr_cfg_error *err)
{
	struct ksr_pp *own = NULL;
	char *buf = strdup(text);
	int r;

	assert_non_null(buf);
	if (!pp) {
		own = pp = ksr_pp_new();
		assert_non_null(pp);
	}
	memset(err, 0, sizeof(*err));
	r = ksr_cfg_parse_text(FILE_NAME, buf, strlen(buf), pp, ret_prog, err);
	ksr_pp_free(own);
	free(buf);
	return r;
}

/* A config that must parse; returns the program. */
struct ksr_program *parse_ok_pp(const char *text, struct ksr_pp *pp)
{
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;
	int r = parse_pp(text, pp, &prog, &err);

	if (r < 0)
		fail_msg("config refused: %s:%d:%d: %s", err.pos.file ? err.pos.file : "?",
		         err.pos.line, err.pos.col, err.msg);
	assert_non_null(prog);
	return prog;
}

struct ksr_program *parse_ok(const char *text)
{
	return parse_ok_pp(text, NULL);
}

/* A config that must be refused with an error at line:col whose text has msg_part. */
void expect_error(const char *text, int line, int col, const char *msg_part)
{
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;
	int r = parse_pp(text, NULL, &prog, &err);

	if (r == 0) {
		ksr_program_unref(prog);
		fail_msg("config accepted, expected an error at %d:%d with '%s'", line, col,
		         msg_part);
	}
	assert_null(prog);
	assert_true(r < 0);
	if (!err.pos.file || strcmp(err.pos.file, FILE_NAME) != 0 || err.pos.line != line ||
	    err.pos.col != col || !strstr(err.msg, msg_part))
		fail_msg("got error %s:%d:%d: %s\nexpected %s:%d:%d: ...%s...",
		         err.pos.file ? err.pos.file : "(null)", err.pos.line, err.pos.col, err.msg,
		         FILE_NAME, line, col, msg_part);
}


struct request *make_request(const char *method)
{
	struct request *rq = calloc(1, sizeof(*rq));
	const char *why = NULL;
	int n;

	assert_non_null(rq);
	n = asprintf(&rq->buf,
	             "%s sip:bob@example.com SIP/2.0\r\n"
	             "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
	             "Max-Forwards: 70\r\n"
	             "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
	             "To: Bob <sip:bob@example.com>\r\n"
	             "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
	             "CSeq: 314159 %s\r\n"
	             "Content-Length: 0\r\n"
	             "\r\n",
	             method, method);
	assert_true(n > 0);
	ksr_arena_init(&rq->arena, 4096);
	if (ksr_msg_parse(&rq->msg, rq->buf, (size_t)n, &rq->arena, &why) < 0)
		fail_msg("request not parsed: %s", why);
	return rq;
}

void free_request(struct request *rq)
{
	ksr_arena_destroy(&rq->arena);
	free(rq->buf);
	free(rq);
}

/* Parse cfg, run its request_route on a request with method; the trace goes to tm. */
enum ksr_run_status run_pp(const char *cfg, struct ksr_pp *pp, const char *method)
{
	struct ksr_program *prog = parse_ok_pp(cfg, pp);
	struct request *rq = make_request(method);
	enum ksr_run_status st;

	tm->ntrace = 0;
	st = ksr_run_request(prog, &rq->msg);
	free_request(rq);
	ksr_program_unref(prog);
	return st;
}

enum ksr_run_status run(const char *cfg, const char *method)
{
	return run_pp(cfg, NULL, method);
}

/* What mark(N)/no(N) recorded, as "1 2 3". */
void expect_trace(const char *want)
{
	char got[512] = "";
	size_t n = 0;

	for (int i = 0; i < tm->ntrace && n < sizeof(got) - 24; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, i ? " %ld" : "%ld", tm->trace[i]);
	assert_string_equal(got, want);
}

