/*
 * Tests of the route-block language (src/core/cfg/parse_route.c, compile.c) and of running
 * it (src/core/route/run.c, core_cmds.c): every operator, the statements, the condition
 * keywords, $rc and the core functions. Results are observed through testmod's mark(N).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cfg/cfg_fixture.h"
#include "core/log.h"
#include "core/net/listener.h"

/* Run request_route { BODY } on an INVITE from 192.0.2.1:5062 and check the trace. */
static void expect_run(const char *body, const char *trace)
{
	char *cfg;
	struct ksr_program *prog;
	struct request *rq;
	struct sockaddr_in *sin;

	assert_true(asprintf(&cfg, "loadmodule \"testmod\"\nroute[seven] { return 7; }\n"
				   "route[neg] { no(99); return -2; }\n"
				   "request_route {\n%s\n}\n",
			     body) > 0);
	prog = parse_ok(cfg);
	rq = make_request("INVITE");
	sin = (struct sockaddr_in *)&rq->msg.rcv.src;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5062);
	inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
	rq->msg.rcv.src_len = sizeof(*sin);
	rq->msg.rcv.listener = ksr_listeners();
	tm->ntrace = 0;
	ksr_run_request(prog, &rq->msg);
	free_request(rq);
	ksr_program_unref(prog);
	free(cfg);
	expect_trace(trace);
}

static void test_arithmetic_and_precedence(void **state)
{
	expect_run("if (1 + 2 * 3 == 7) mark(1);"
		   "if ((1 + 2) * 3 == 9) mark(2);"
		   "if (7 mod 3 == 1 && 7 / 2 == 3 && 2 - 5 == -3) mark(3);"
		   "if ((6 & 3) == 2 && (6 | 1) == 7 && (6 ^ 2) == 4) mark(4);"
		   "if (~0 == -1 && -(2) == -2) mark(5);"
		   "if ((1 << 4) == 16 && (256 >> 4) == 16) mark(6);"
		   /* shifts bind looser than ==, as upstream: 1 << (2 == 2) is 2, not 0 */
		   "if ((1 << 2 == 2) == 2) mark(7);"
		   "if (1 < 2 && 2 > 1 && 2 <= 2 && 3 >= 4) mark(99); else mark(8);",
		   "1 2 3 4 5 6 7 8");
}

static void test_strings(void **state)
{
	expect_run("if (\"ab\" + \"cd\" == \"abcd\") mark(1);"
		   /* the left operand decides: a string concatenates, a number adds */
		   "if (\"a\" + 1 == \"a1\") mark(2);"
		   "if (1 + \"2\" == 3) mark(3);"
		   "if (\"abc\" eq \"abc\" && \"ABC\" ieq \"abc\" && \"a\" ne \"b\" && "
		   "\"A\" ine \"b\") mark(4);"
		   "if (\"ABC\" == \"abc\") mark(99);"
		   "if (strlen(\"abcd\") == 4 && strempty(\"\") && !strempty(\"x\")) mark(5);"
		   "if ((int)\"12\" + 1 == 13 && (str)12 + \"x\" == \"12x\") mark(6);"
		   "if (\"10\" == 10 && \"x\" != 10) mark(7);",
		   "1 2 3 4 5 6 7");
}

/* An argument may be an expression, evaluated on every call (as upstream takes it). */
static void test_expression_arguments(void **state)
{
	expect_run("f1(5060);"
		   "f2(\"sip:h:\" + $rc, \"x\" + (2 + 3));"
		   "mark(1 + 2 * 3);"
		   "f1(5060);"
		   "mark($rc - 5000);"
		   /* a plain string argument is taken as before */
		   "f1(\"42\");",
		   "7 60");
	assert_string_equal(tm->f2_a, "sip:h:5060");
	assert_string_equal(tm->f2_b, "x5");
	assert_int_equal(tm->f1_last, 42);
	/* a broken expression still names where */
	expect_error("request_route { mark(1 + ); }", 1, 26, "");
}

static void test_logic_and_truth(void **state)
{
	/* functions: >0 true, <0 false; short-circuit: no(9) never runs */
	expect_run("if (mark(1) || no(9)) mark(2);"
		   "if (no(3) && mark(9)) mark(9);"
		   "if (not no(4) and (mark(5) or no(9))) mark(6);"
		   "if (0) mark(9); if (-1) mark(9); if (\"\") mark(9); if (\"0\") mark(9);"
		   "if (\"x\" && 2) mark(7);",
		   "1 2 3 4 5 6 7");
}

static void test_keywords(void **state)
{
	expect_run("if (method == \"INVITE\" && method == \"invite\" && method != \"BYE\") mark(1);"
		   "if (method =~ \"^inv\" && method !~ \"^BYE\") mark(2);"
		   "if (uri == \"sip:bob@example.com\" && uri =~ \"@example\\\\.com$\") mark(3);"
		   "if (from_uri == \"sip:alice@example.com\" && to_uri =~ \"^sip:bob\") mark(4);"
		   "if (src_ip == 192.0.2.1 && src_ip == 192.0.2.0/24 && src_ip != 10.0.0.0/8) "
		   "mark(5);"
		   "if (src_ip == \"192.0.2.1\" && src_port == 5062 && af == INET && proto == UDP) "
		   "mark(6);"
		   "if (src_ip == [2001:db8::1]) mark(99);"
		   "if (msg:len > 100 && !status) mark(7);",
		   "1 2 3 4 5 6 7");
}

static void test_myself(void **state)
{
	const char *why;

	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5060", &why), 0);
	expect_run("if (uri == myself) mark(99); else mark(1);"
		   "seturi(\"sip:bob@127.0.0.1\");"
		   "if (uri == myself) mark(2);"
		   "seturi(\"sip:bob@127.0.0.1:5070\");"
		   "if (uri != myself) mark(3);"
		   "if (src_ip != myself) mark(4);",
		   "1 2 3 4");
}

/* force_send_socket takes the socket bare (upstream's grammar) or quoted. */
static void test_force_send_socket(void **state)
{
	const char *why;

	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5060", &why), 0);
	assert_int_equal(ksr_listener_add("tcp:[::1]:5061", &why), 0);
	expect_run("if (force_send_socket(udp:127.0.0.1:5060)) mark(1);"
		   "if (force_send_socket(tcp:[::1]:5061)) mark(2);"
		   "if (force_send_socket(\"udp:127.0.0.1\")) mark(3);"
		   "if (force_send_socket(udp:127.0.0.1:5061)) mark(99); else mark(4);"
		   "if (force_send_socket(tcp:127.0.0.1:5060)) mark(99); else mark(5);",
		   "1 2 3 4 5");
	expect_error("request_route { force_send_socket(udp:127.0.0.1:5060 x); }", 1, 54,
		     "expected ')' after the socket");
	expect_error("request_route { force_send_socket(/x); }", 1, 35,
		     "expected a socket: [proto:]address[:port]");
}

/* Run body with stderr (where the log goes) captured into out, at log level level. */
static void run_logging(const char *body, int level, char *out, size_t size)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), old_level = ksr_log_level;
	bool to_stderr = ksr_log_stderr;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ksr_log_stderr = true;
	ksr_log_level = level;
	expect_run(body, "1");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ksr_log_level = old_level;
	ksr_log_stderr = to_stderr;
	rewind(tmp);
	n = fread(out, 1, size - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

/* log([level,] text): the text as written, at the level given, L_DBG+1 without one. */
static void test_log(void **state)
{
	static const char body[] = "log(1, \"level one $ru\\n\"); log(\"at debug 4\\n\"); mark(1);";
	char out[4096];

	run_logging(body, L_DBG, out, sizeof(out));
	/* as written: $ru is not evaluated */
	assert_non_null(strstr(out, "NOTICE: <script> [log]: level one $ru\n"));
	assert_null(strstr(out, "at debug 4"));
	run_logging(body, L_DBG + 1, out, sizeof(out));
	assert_non_null(strstr(out, "at debug 4\n"));
	expect_error("request_route { log(-1, \"x\"); }", 1, 17,
		     "the level of log() is a number from 0 (L_WARN) up");
}

static void test_switch(void **state)
{
	expect_run("switch (2) { case 1: mark(1); case 2: mark(2); case 3: mark(3); break; "
		   "case 4: mark(4); default: mark(5); }"
		   "switch (\"b\") { case \"a\": mark(10); break; case \"b\": mark(11); break; "
		   "default: mark(12); }"
		   "switch (9) { case 1: mark(20); default: mark(21); case 2: mark(22); }"
		   "switch (method) { case \"INVITE\": mark(30); break; }",
		   "2 3 11 21 22 30");
}

static void test_while_and_break(void **state)
{
	expect_run("while (1) { mark(1); break; mark(99); }"
		   "while (no(2)) mark(99);"
		   "switch (1) { case 1: while (1) { mark(3); break; } mark(4); break; }",
		   "1 2 3 4");
	/* a loop that never ends stops after max_while_loops (100) rounds */
	tm->f0_calls = 0;
	expect_run("while (1) f0(); mark(1);", "1");
	assert_int_equal(tm->f0_calls, 100);
	/* the core parameter changes it */
	tm->f0_calls = 0;
	{
		struct ksr_program *prog = parse_ok("max_while_loops=7\nloadmodule \"testmod\"\n"
						    "request_route { while (1) f0(); }\n");
		struct request *rq = make_request("OPTIONS");

		ksr_run_request(prog, &rq->msg);
		free_request(rq);
		ksr_program_unref(prog);
	}
	assert_int_equal(tm->f0_calls, 7);
	ksr_max_while_loops = 100;
}

static void test_return_codes(void **state)
{
	expect_run("f1(5); if ($rc == 5) mark(1);"
		   "no(2); if ($? == -1 && $retcode == -1) mark(3);"
		   "route(seven); if ($rc == 7) mark(4);"
		   "if (route(seven) == 7) mark(5);"
		   "if (route(neg)) mark(98); else mark(6);",
		   "1 2 3 4 5 99 6");
}

static void test_flags(void **state)
{
	expect_run("if (isflagset(3)) mark(99);"
		   "setflag(3); if (isflagset(3)) mark(1);"
		   "setflag(31); resetflag(3); if (!isflagset(3) && isflagset(31)) mark(2);",
		   "1 2");
	expect_error("request_route { setflag(32); }", 1, 17, "a flag is a number from 0 to 31");
	/* branch flags: branch 0 is the request itself */
	expect_run("setbflag(2); if (isbflagset(2) && isbflagset(2, 0) && !isflagset(2)) mark(3);"
		   "resetbflag(2, 0); if (!isbflagset(2)) mark(4);"
		   "if (setbflag(1, 1)) mark(99); else mark(5);"
		   "if (isdsturiset()) mark(99); else mark(6);",
		   "3 4 5 6");
}

static void test_uri_rewriting(void **state)
{
	expect_run("setuser(\"carol\"); if (uri == \"sip:carol@example.com\") mark(1);"
		   "sethost(\"192.0.2.9\"); if (uri == \"sip:carol@192.0.2.9\") mark(2);"
		   "setport(\"5070\"); if (uri == \"sip:carol@192.0.2.9:5070\") mark(3);"
		   "prefix(\"00\"); if (uri == \"sip:00carol@192.0.2.9:5070\") mark(4);"
		   "strip(1); strip_tail(2); if (uri == \"sip:0car@192.0.2.9:5070\") mark(5);"
		   "sethostport(\"h.example.com\"); if (uri == \"sip:0car@h.example.com\") mark(6);"
		   "if (strip(10)) mark(99); else mark(7);"
		   "revert_uri(); if (uri == \"sip:bob@example.com\") mark(8);"
		   "if (seturi(\"not a uri\")) mark(99); else mark(9);",
		   "1 2 3 4 5 6 7 8 9");
}

/* "a" "b" is one string; \n \r \t \\ and quotes are escapes, other backslashes stay. */
static void test_string_literals(void **state)
{
	expect_run("if (\"ab\" \"cd\" == \"abcd\") mark(1);"
		   "if (\"a\\tb\" == \"a\tb\" && strlen(\"\\\\\") == 1) mark(2);"
		   /* the stock config's "^(\+|00)" must reach the regex with its backslash */
		   "if (\"+49\" =~ \"^(\\+|00)49\") mark(3);"
		   "if (strlen(\"\\+\") == 2) mark(4);",
		   "1 2 3 4");
}

static void test_errors(void **state)
{
	expect_error("request_route { if (1 + ) f0(); }", 1, 25, "expected an expression");
	expect_error("request_route { if (uri < myself) f0(); }", 1, 27,
		     "'myself' can only be compared with == or !=");
	expect_error("request_route { case 1: f0(); }", 1, 17, "'case' outside a switch");
	expect_error("request_route { switch (1) { case 1: f0(); case 1: f0(); } }", 1, 49,
		     "duplicate case value");
	expect_error("request_route { switch (1) { f0(); } }", 1, 30,
		     "expected 'case' or 'default'");
	expect_error("request_route { if (foo) f0(); }", 1, 21, "unknown name 'foo'");
	expect_error("request_route { f3(); }", 1, 17,
		     "unknown function 'f3' (is its module loaded?); did you mean 'f0', 'f1', 'f2'?");
	expect_error("request_route { marks(1); }", 1, 17, "did you mean 'mark'?");
	expect_error("request_route { if (src_ip == 300.1.1.1/8) f0(); }", 1, 31,
		     "bad IP address or network '300.1.1.1/8'");
	expect_error("request_route { if (src_ip == 10.0.0.0/33) f0(); }", 1, 31,
		     "bad IP address or network");
	expect_error("request_route { if (uri =~ \"(\") f0(); }", 1, 28, "bad regular expression");
	expect_error("request_route { while (1) f0() }", 1, 31, "expected ';' after the function call");
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_arithmetic_and_precedence), T(test_strings), T(test_expression_arguments),
		T(test_logic_and_truth),
		T(test_keywords), T(test_myself), T(test_force_send_socket), T(test_log), T(test_switch), T(test_while_and_break),
		T(test_return_codes), T(test_flags), T(test_uri_rewriting), T(test_string_literals),
		T(test_errors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
