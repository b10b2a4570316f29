/*
 * Tests of the config parser and compile step (src/core/cfg/parse.c, lex.c, compile.c),
 * and of running what they produce (src/core/route/run.c) against parsed messages.
 * Module functions come from testmod.so (test/unit/core/cfg/testmod.c) and from sl.so.
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
#include <unistd.h>

#include <cmocka.h>

#include "core/cfg/cfg_fixture.h"
#include "core/cfg/reload.h"
#include "core/cfg/testmod.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/route/program.h"

/* ---- configs that parse ------------------------------------------------------------ */

static void test_full_config(void **state)
{
	struct ksr_program *prog;
	struct ksr_listener *l;
	size_t plen = strlen(ksr_module_path);

	prog = parse_ok("#!KAMAILIO\n"
	                "#\n"
	                "# every construct the parser knows\n"
	                "#!define WITH_MARKS\n"
	                "#!define GREETING \"hello\"\n"
	                "\n"
	                "debug=3\n"
	                "log_stderror=yes\n"
	                "children=4\n"
	                "server_signature=no\n"
	                "listen=udp:127.0.0.1:5071 # a comment after a raw value\n"
	                "loadpath \"/nonexistent/modules\"\n"
	                "\n"
	                "loadmodule \"testmod.so\"\n"
	                "loadmodule \"testmod\" # again: a no-op\n"
	                "modparam(\"testmod\", \"int_param\", 42)\n"
	                "modparam(\"testmod\", \"str_param\", GREETING)\n"
	                "\n"
	                "/* request handling\n"
	                "   starts here */\n"
	                "request_route {\n"
	                "\tf0();\n"
	                "\tf1(1); f1(\"2\"); f1(-3); f1(0x10);\n"
	                "\tf2(\"a\", 'b');\n"
	                "\tif (method == \"INVITE\") {\n"
	                "\t\tmark(1);\n"
	                "\t} else if (method =~ \"^REG\") {\n"
	                "\t\tmark(2);\n"
	                "\t} else {\n"
	                "\t\tmark(3);\n"
	                "\t}\n"
	                "\tif (!f0() && (f1(1) || f0())) mark(4);\n"
	                "\tif (method != \"ACK\" && method !~ \"^(BYE|CANCEL)$\") { mark(5); }\n"
	                "#!ifdef WITH_MARKS\n"
	                "\troute(sub);\n"
	                "#!endif\n"
	                "\troute(\"quoted\");\n"
	                "\troute(2);\n"
	                "\t;\n"
	                "\t{ mark(6); }\n"
	                "\texit;\n"
	                "}\n"
	                "\n"
	                "route[sub] { mark(10); return; }\n"
	                "route[\"quoted\"] { return(1); }\n"
	                "route[2] { return -1; }\n"
	                "route[never_called] {\n"
	                "\tif (f0()) { drop(); } else { exit(); }\n"
	                "\tdrop;\n"
	                "\treturn (-2);\n"
	                "}\n");
	assert_int_equal(ksr_core_cfg.debug, 3);
	assert_true(ksr_core_cfg.debug_set);
	assert_true(ksr_core_cfg.log_stderror);
	assert_true(ksr_core_cfg.log_stderror_set);
	assert_int_equal(ksr_core_cfg.children, 4);
	assert_true(ksr_core_cfg.children_set);
	assert_false(ksr_server_signature);
	l = ksr_listeners();
	assert_non_null(l);
	assert_string_equal(l->host, "127.0.0.1");
	assert_int_equal(l->port, 5071);
	assert_null(l->next);
	assert_true(strlen(ksr_module_path) > plen);
	assert_string_equal(ksr_module_path + plen, ":/nonexistent/modules");
	assert_int_equal(tm->int_param, 42);
	assert_string_equal(tm->str_param, "hello");

	assert_non_null(prog->request_route);
	assert_non_null(ksr_program_find_route(prog, "sub"));
	assert_non_null(ksr_program_find_route(prog, "quoted"));
	assert_non_null(ksr_program_find_route(prog, "2"));
	assert_non_null(ksr_program_find_route(prog, "never_called"));
	assert_null(ksr_program_find_route(prog, "other"));

	{
		struct request *rq = make_request("INVITE");

		assert_int_equal(ksr_run_request(prog, &rq->msg), KSR_RUN_EXIT);
		expect_trace("1 5 10 6");
		assert_int_equal(tm->f0_calls, 2);
		assert_int_equal(tm->f1_calls, 4);
		assert_int_equal(tm->f1_last, 16);
		assert_int_equal(tm->f2_calls, 1);
		assert_string_equal(tm->f2_a, "a");
		assert_string_equal(tm->f2_b, "b");
		free_request(rq);
	}
	ksr_program_unref(prog);
}

static void test_modparams(void **state)
{
	struct ksr_program *prog;

	prog = parse_ok("modparam(\"testmod\", \"int_param\", \"yes\")\n");
	assert_int_equal(tm->int_param, 1);
	ksr_program_unref(prog);
	prog = parse_ok("modparam(\"testmod\", \"int_param\", \"off\")\n");
	assert_int_equal(tm->int_param, 0);
	ksr_program_unref(prog);
	/* the module name is a regular expression matched against whole names */
	prog = parse_ok("modparam(\"test.*\", \"int_param\", -7)\n");
	assert_int_equal(tm->int_param, -7);
	ksr_program_unref(prog);
	prog = parse_ok("modparam(\"testmod|nosuch\", \"str_param\", \"x y\")\n");
	assert_string_equal(tm->str_param, "x y");
	ksr_program_unref(prog);
}

static void test_request_route_spellings(void **state)
{
	static const char *const cfgs[] = {
	        "request_route { mark(1); }",
	        "route { mark(1); }",
	        "route[0] { mark(1); }",
	        "route[main] { mark(1); }",
	};

	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		assert_int_equal(run(cfgs[i], "INVITE"), KSR_RUN_END);
		expect_trace("1");
	}
	/* no request route at all: nothing runs */
	assert_int_equal(run("route[x] { mark(1); }", "INVITE"), KSR_RUN_END);
	expect_trace("");
	assert_int_equal(run("", "INVITE"), KSR_RUN_END);
}

/* ---- errors ------------------------------------------------------------------------ */

static void test_error_core_params(void **state)
{
	expect_error("debug=2\nfoo_bar = 3\n", 2, 1, "unknown core parameter 'foo_bar'");
	expect_error("\n  nosuch_param=\"x\"\n", 2, 3, "unknown core parameter 'nosuch_param'");
	expect_error("children=0\n", 1, 1, "children takes a number from 1 to 1024");
	expect_error("debug=\"three\"\n", 1, 1, "debug takes a number");
	expect_error("log_stderror=maybe\n", 1, 1, "log_stderror takes yes or no");
	expect_error("debug 3\n", 1, 7, "expected '='");
	expect_error("debug=;\n", 1, 7, "expected a value for 'debug'");
	expect_error("listen=tls:127.0.0.1:5061\n", 1, 8, "only udp and tcp");
	expect_error("{ }\n", 1, 1, "expected a core parameter, loadmodule, modparam or a route");
	expect_error("debug=2\n@\n", 2, 1, "unexpected character '@'");
}

static void test_error_syntax(void **state)
{
	/* missing ';' after a call, after exit, after route() */
	/* the error is where the ';' belongs: just after the statement */
	expect_error("request_route {\n\tf0()\n\tf1(1);\n}\n", 2, 6,
	             "expected ';' after the function call, found name");
	expect_error("request_route {\n\texit\n}\n", 2, 6, "expected ';' after exit");
	expect_error("route[a] { }\nrequest_route {\n  route(a)\n}\n", 3, 11,
	             "expected ';' after route(...)");
	expect_error("request_route {\n  return 1\n}\n", 2, 11, "expected ';' after return");
	/* '{' never closed: the error points at the '{' */
	expect_error("request_route {\n\tif (f0()) {\n\t\tf0();\n\t}\n", 1, 15,
	             "'{' is never closed");
	expect_error("request_route {\n\tf0();\n}\nroute[x] {\n", 4, 10, "'{' is never closed");
	/* strings: a line end or the end of the file inside one */
	expect_error("request_route {\n\tf2(\"abc, x);\n}\n", 2, 5, "unterminated string");
	expect_error("modparam(\"testmod\", \"str_param\", \"abc", 1, 34, "unterminated string");
	/* comments */
	expect_error("request_route {\n}\n  /* never\nclosed\n", 3, 3, "unterminated comment");
	/* statements */
	expect_error("request_route {\n  else { f0(); }\n}\n", 2, 3, "'else' without 'if'");
	expect_error("request_route {\n  if f0() { }\n}\n", 2, 6, "expected '('");
	expect_error("request_route {\n  if (f0() { }\n}\n", 2, 12, "expected ')'");
	expect_error("request_route {\n  if () { }\n}\n", 2, 7, "expected an expression");
	expect_error("request_route {\n  if (method == INVITE) { }\n}\n", 2, 17,
	             "unknown name 'INVITE' (a function call needs its parentheses)");
	expect_error("request_route {\n  if (method == ) { }\n}\n", 2, 17,
	             "expected an expression, found ')'");
	expect_error("request_route {\n  f1(1,);\n}\n", 2, 8,
	             "expected a string, a number or a pseudo-variable as parameter");
	expect_error("request_route {\n  f1(1 2);\n}\n", 2, 8, "expected ',' or ')'");
	expect_error("request_route {\n  \"string\";\n}\n", 2, 3, "expected a statement");
	expect_error("request_route mark(1);\n", 1, 15, "expected '{' to open the route block");
	expect_error("route[] { }\n", 1, 7, "expected a route name");
	/* numbers */
	expect_error("request_route {\n  f1(12abc);\n}\n", 2, 6, "bad number '12abc'");
	expect_error("request_route {\n  f1(99999999999999999999);\n}\n", 2, 6, "bad number");
	expect_error("request_route {\n  f1(1234567890123456789012345678901234);\n}\n", 2, 6,
	             "number too long");
	/* comments of all three kinds, anywhere between tokens */
	{
		struct ksr_program *prog = parse_ok("request_route { # line\n"
		                                    "  f1( /* inline */ 3) // line\n"
		                                    "  ; /* multi\n line */ f0();\n"
		                                    "}\n");

		ksr_program_unref(prog);
	}
}

static void test_error_functions(void **state)
{
	expect_error("request_route {\n  nosuch(1);\n}\n", 2, 3, "unknown function 'nosuch'");
	expect_error("route[r] {\n  if (nosuch()) { }\n}\n", 2, 7, "unknown function 'nosuch'");
	expect_error("request_route {\n  f1(1, 2);\n}\n", 2, 3,
	             "function 'f1' does not take 2 parameters");
	expect_error("request_route {\n  f0(1);\n}\n", 2, 3,
	             "function 'f0' does not take 1 parameter");
	expect_error("request_route {\n  f2();\n}\n", 2, 3,
	             "function 'f2' does not take 0 parameters");
	/* a string where an integer is expected: the error points at the parameter */
	expect_error("request_route {\n  f1(\"abc\");\n}\n", 2, 6,
	             "parameter 1 of 'f1' must be an integer, not \"abc\"");
	expect_error("request_route {\n  f1(\"12abc\");\n}\n", 2, 6,
	             "parameter 1 of 'f1' must be an integer");
	expect_error("request_route {\n  f1(\"\");\n}\n", 2, 6,
	             "parameter 1 of 'f1' must be an integer");
	/* fixups run at load and their message is kept */
	expect_error("request_route {\n  positive(0);\n}\n", 2, 3,
	             "function 'positive': the parameter must be positive");
	/* a function limited to other route types */
	expect_error("request_route {\n  onreply_only();\n}\n", 2, 3,
	             "'onreply_only' cannot be used in this route type");
}

static void test_error_sl_fixup(void **state)
{
#ifdef KSR_TEST_HAVE_SL
	struct ksr_program *prog;

	expect_error("loadmodule \"sl.so\"\nrequest_route {\n  sl_send_reply(\"99\", \"x\");\n}\n",
	             3, 3, "function 'sl_send_reply': the reply code must be from 100 to 699");
	expect_error("loadmodule \"sl.so\"\nrequest_route {\n  sl_send_reply(\"700\", \"x\");\n}\n",
	             3, 3, "the reply code must be from 100 to 699");
	expect_error(
	        "loadmodule \"sl.so\"\nrequest_route {\n  sl_send_reply(\"2OO\", \"OK\");\n}\n", 3,
	        3, "the reply code must be from 100 to 699");
	expect_error("loadmodule \"sl.so\"\nrequest_route {\n  sl_send_reply(\"200\", "
	             "\"a\\r\\nb\");\n}\n",
	             3, 3, "line breaks");
	prog = parse_ok("loadmodule \"sl.so\"\n"
	                "request_route {\n  sl_send_reply(\"200\", \"OK\");\n  sl_send_reply(404, "
	                "\"Not Here\");\n}\n");
	ksr_program_unref(prog);
#else
	skip();
#endif
}

static void test_error_routes(void **state)
{
	expect_error("request_route {\n  route(nope);\n}\n", 2, 3, "route 'nope' is not defined");
	expect_error("route[a] {\n  route(b);\n}\n", 2, 3, "route 'b' is not defined");
	expect_error("route[A] {\n}\nroute[A] {\n}\n", 3, 1, "[A] is defined twice");
	expect_error("route[\"x\"] { }\nroute[x] { }\n", 2, 1, "[x] is defined twice");
	expect_error("request_route {\n}\n\nrequest_route {\n}\n", 4, 1, "defined twice");
	expect_error("route[0] { }\nrequest_route { }\n", 2, 1, "defined twice");
	expect_error("route { }\nroute[main] { }\n", 2, 1, "defined twice");
}

static void test_error_modules(void **state)
{
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;

	/* the module name is in the error, at the position of the file name */
	expect_error("debug=2\nloadmodule \"nosuch_mod.so\"\n", 2, 12, "nosuch_mod");
	expect_error("loadmodule \"/nonexistent/dir/x.so\"\n", 1, 12, "/nonexistent/dir/x");
	assert_int_equal(parse_pp("loadmodule nosuch\n", NULL, &prog, &err), -EINVAL);
	assert_int_equal(err.pos.col, 12);

	expect_error("modparam(\"nosuchmod\", \"x\", 1)\n", 1, 1,
	             "modparam(\"nosuchmod\", \"x\"): no loaded module matches");
	expect_error("\nmodparam(\"testmod\", \"nosuch\", 1)\n", 2, 1,
	             "modparam(\"testmod\", \"nosuch\"): the module has no such parameter");
	/* adjacent strings are one ("testmodint_param"), as upstream reads them */
	expect_error("modparam(\"testmod\" \"int_param\", 5)\n", 1, 33,
	             "expected string (the parameter name), found number");
	expect_error("modparam(\"testmod\", \"int_param\" 5)\n", 1, 33, "expected ','");
	expect_error("modparam(testmod, \"int_param\", 5)\n", 1, 10, "expected string");
}

/*
 * loadmodule("name"), with parentheses, as upstream configs write it. Kept apart from
 * the tests above: with parse.c as of this writing it crashes (the name is taken from
 * the ')' token, whose text is NULL).
 */
static void test_loadmodule_parenthesized(void **state)
{
	struct ksr_program *prog;

	prog = parse_ok("loadmodule(\"testmod.so\")\nrequest_route { f0(); }\n");
	ksr_program_unref(prog);
	expect_error("loadmodule(\"nosuch_mod\")\n", 1, 12, "'nosuch_mod' not found");
	expect_error("loadmodule(\"testmod\"\n", 2, 1, "expected ')' after the module file");
}

/* A modparam value of the wrong type is reported at the value, not at `modparam`. */
static void test_error_modparam_value_position(void **state)
{
	expect_error("modparam(\"testmod\", \"int_param\", \"abc\")\n", 1, 34,
	             "modparam(\"testmod\", \"int_param\"): parameter takes an integer");
	expect_error("modparam(\"testmod\", \"str_param\", 5)\n", 1, 34, "takes a string");
}

static void test_error_preprocessor(void **state)
{
	expect_error("debug=2\n#!ifdef X\nrequest_route { }\n", 2, 1, "without #!endif");
	expect_error("debug=2\n\n#!else\n", 3, 1, "#!else without");
	expect_error("#!define A 1\n#!define A 2\n", 2, 1, "'A' is already defined");
}

/* Errors in a #!define'd name point at the name where it is used. */
static void test_define_positions(void **state)
{
	struct ksr_pp *pp;

	expect_error("#!define FN nosuch\nrequest_route {\n\t  FN(1);\n}\n", 3, 4,
	             "unknown function 'nosuch'");
	expect_error("#!define BAD \"abc\"\nrequest_route {\n    f2(\"x\", \"y\"); f1(BAD);\n}\n",
	             3, 22, "parameter 1 of 'f1' must be an integer");
	/* tokens after a substituted name keep their own columns */
	expect_error("#!define CALL f1(1)\nrequest_route {\n  CALL f0();\n}\n", 3, 7,
	             "expected ';' after the function call");
	/* an error inside the value is reported at the name */
	expect_error("#!define TWO f0() f0()\nrequest_route {\n  TWO;\n}\n", 3, 6,
	             "expected ';' after the function call");
	/* a define of a define */
	expect_error("#!define INNER nosuch\n#!define OUTER INNER\nrequest_route {\n"
	             "  f0(); OUTER();\n}\n",
	             4, 9, "unknown function 'nosuch'");
	/* a define that names itself is an error, not an endless substitution */
	expect_error("#!define LOOP LOOP\nrequest_route {\n  f0(); LOOP;\n}\n", 3, 9,
	             "nested too deep");
	/* names are not substituted inside strings */
	{
		static const char cfg[] = "#!define X y\n#!define Z 5\n"
		                          "request_route { f2(\"X\", 'Z'); f1(Z); }\n";

		assert_int_equal(run(cfg, "INVITE"), KSR_RUN_END);
		assert_string_equal(tm->f2_a, "X");
		assert_string_equal(tm->f2_b, "Z");
		assert_int_equal(tm->f1_last, 5);
	}
	/* -A defines too */
	pp = ksr_pp_new();
	assert_non_null(pp);
	assert_int_equal(ksr_pp_define_arg(pp, "CODE=404"), 0);
	assert_int_equal(ksr_pp_define_arg(pp, "WITH_F2"), 0);
	assert_int_equal(run_pp("request_route {\n"
	                        "  f1(CODE);\n"
	                        "#!ifdef WITH_F2\n"
	                        "  f2(\"with\", \"f2\");\n"
	                        "#!else\n"
	                        "  f2(\"without\", \"f2\");\n"
	                        "#!endif\n"
	                        "}\n",
	                        pp, "INVITE"),
	                 KSR_RUN_END);
	assert_int_equal(tm->f1_last, 404);
	assert_string_equal(tm->f2_a, "with");
	ksr_pp_free(pp);
}

/* ---- running compiled programs ----------------------------------------------------- */

static void test_run_if_method(void **state)
{
	static const char cfg[] = "request_route {\n"
	                          "  if (method == \"INVITE\") { mark(1); }\n"
	                          "  else if (method =~ \"^reg\") { mark(2); }\n"
	                          "  else { mark(3); }\n"
	                          "  if (method != \"INVITE\") mark(4); else mark(5);\n"
	                          "  if (method !~ \"^(INVITE|ACK)$\") mark(6);\n"
	                          "  if (method == \"INVITEX\" || method == \"INVIT\") mark(7);\n"
	                          "}\n";

	assert_int_equal(run(cfg, "INVITE"), KSR_RUN_END);
	expect_trace("1 5");
	assert_int_equal(run(cfg, "REGISTER"), KSR_RUN_END);
	expect_trace("2 4 6");
	assert_int_equal(run(cfg, "OPTIONS"), KSR_RUN_END);
	expect_trace("3 4 6");
	assert_int_equal(run(cfg, "ACK"), KSR_RUN_END);
	expect_trace("3 4");
	/* extension methods compare by name too */
	assert_int_equal(
	        run("request_route { if (method == \"FOO\") mark(1); else mark(2); }", "FOO"),
	        KSR_RUN_END);
	expect_trace("1");
}

/* A method is a token of any length; a regex match must not depend on it. */
static void test_run_method_regex_long(void **state)
{
	static const char cfg[] = "request_route {\n"
	                          "  if (method =~ \"^X\") mark(1); else mark(2);\n"
	                          "  if (method !~ \"^X\") mark(3); else mark(4);\n"
	                          "}\n";
	char method[101];

	memset(method, 'X', sizeof(method) - 1);
	method[sizeof(method) - 1] = '\0';
	assert_int_equal(run(cfg, "XY"), KSR_RUN_END);
	expect_trace("1 4");
	assert_int_equal(run(cfg, method), KSR_RUN_END);
	expect_trace("1 4");
}

static void test_run_expressions(void **state)
{
	assert_int_equal(run("request_route {\n"
	                     "  if (mark(1) || no(2) && no(3)) mark(10); else mark(11);\n"
	                     "  if ((mark(4) || no(5)) && no(6)) mark(12); else mark(13);\n"
	                     "  if (!no(7) && mark(8)) mark(14);\n"
	                     "  if (no(9) || mark(15)) mark(16);\n"
	                     "  if (1) mark(17);\n"
	                     "  if (0) mark(18); else mark(19);\n"
	                     "  if (!(no(20))) mark(21);\n"
	                     "  if (!mark(22)) mark(23);\n"
	                     "  if (no(24) && mark(25)) mark(26); else mark(27);\n"
	                     "}\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 10 4 6 13 7 8 14 9 15 16 17 19 20 21 22 24 27");
	/* the return value of a function is its truth: f1(N) returns N */
	assert_int_equal(run("request_route {\n"
	                     "  if (f1(5)) mark(1);\n"
	                     "  if (f1(-5)) mark(2); else mark(3);\n"
	                     "}\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 3");
}

static void test_run_zero_stops(void **state)
{
	/* a function returning 0 stops the script, as exit does */
	assert_int_equal(run("request_route { mark(1); f1(0); mark(2); }", "INVITE"), KSR_RUN_EXIT);
	expect_trace("1");
	assert_int_equal(
	        run("request_route { if (f1(0)) mark(1); else mark(2); mark(3); }", "INVITE"),
	        KSR_RUN_EXIT);
	expect_trace("");
	assert_int_equal(run("request_route { if (!f1(0)) mark(1); mark(2); }", "INVITE"),
	                 KSR_RUN_EXIT);
	expect_trace("");
	assert_int_equal(
	        run("request_route { if (no(1) || f1(0) || mark(2)) mark(3); mark(4); }", "INVITE"),
	        KSR_RUN_EXIT);
	expect_trace("1");
	assert_int_equal(
	        run("request_route { if (mark(1) && f1(0)) mark(2); else mark(3); }", "INVITE"),
	        KSR_RUN_EXIT);
	expect_trace("1");
	/* from a sub-route too, and with the 0 coming from a configurable function */
	tm->f0_ret = 0;
	assert_int_equal(run("request_route { route(r); mark(2); }\n"
	                     "route[r] { mark(1); f0(); mark(3); }\n",
	                     "INVITE"),
	                 KSR_RUN_EXIT);
	expect_trace("1");
	assert_int_equal(tm->f0_calls, 1);
	/* negative is false but does not stop */
	tm->f0_ret = -1;
	assert_int_equal(run("request_route { f0(); mark(1); if (f0()) mark(2); }", "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1");
	assert_int_equal(tm->f0_calls, 3);
}

static void test_run_exit_drop_return(void **state)
{
	assert_int_equal(run("request_route { mark(1); exit; mark(2); }", "INVITE"), KSR_RUN_EXIT);
	expect_trace("1");
	assert_int_equal(run("request_route { mark(1); exit(); mark(2); }", "INVITE"),
	                 KSR_RUN_EXIT);
	expect_trace("1");
	assert_int_equal(run("request_route { mark(1); drop; mark(2); }", "INVITE"), KSR_RUN_DROP);
	expect_trace("1");
	assert_int_equal(run("request_route { drop(); }", "INVITE"), KSR_RUN_DROP);
	assert_int_equal(run("request_route { mark(1); return; mark(2); }", "INVITE"), KSR_RUN_END);
	expect_trace("1");
	assert_int_equal(run("request_route { mark(1); }", "INVITE"), KSR_RUN_END);
	assert_int_equal(run("request_route { }", "INVITE"), KSR_RUN_END);

	/* return ends the sub-route only; the caller goes on */
	assert_int_equal(run("request_route { route(r); mark(3); }\n"
	                     "route[r] { mark(1); return(-1); mark(2); }\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 3");
	assert_int_equal(run("request_route { route(r); mark(3); }\n"
	                     "route[r] { { if (1) { mark(1); return 1; } mark(4); } mark(2); }\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 3");
	/* a return in the request route ends it even inside blocks */
	assert_int_equal(
	        run("request_route { if (1) { mark(1); { return; } } mark(2); }", "INVITE"),
	        KSR_RUN_END);
	expect_trace("1");
	/* exit and drop end the whole script from any depth */
	assert_int_equal(run("request_route { route(a); mark(9); }\n"
	                     "route[a] { mark(1); route(b); mark(8); }\n"
	                     "route[b] { mark(2); exit; }\n",
	                     "INVITE"),
	                 KSR_RUN_EXIT);
	expect_trace("1 2");
	assert_int_equal(run("request_route { route(a); mark(9); }\n"
	                     "route[a] { mark(1); route(b); mark(8); }\n"
	                     "route[b] { if (1) { mark(2); drop; } }\n",
	                     "INVITE"),
	                 KSR_RUN_DROP);
	expect_trace("1 2");
	/* route() runs the named route each time it is called */
	assert_int_equal(run("request_route { route(a); route(a); route(\"2\"); route(2); }\n"
	                     "route[a] { mark(1); }\n"
	                     "route[2] { mark(2); }\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("1 1 2 2");
}

static void test_run_recursion(void **state)
{
	/* endless route() recursion is stopped, not a stack overflow */
	assert_int_equal(run("request_route { route(a); mark(2); }\n"
	                     "route[a] { route(a); }\n",
	                     "INVITE"),
	                 KSR_RUN_ERROR);
	expect_trace("");
}

static void test_run_parameters(void **state)
{
	assert_int_equal(run("request_route { f1(\"42\"); }", "INVITE"), KSR_RUN_END);
	assert_int_equal(tm->f1_last, 42);
	assert_int_equal(run("request_route { f1(-5); }", "INVITE"), KSR_RUN_END);
	assert_int_equal(tm->f1_last, -5);
	assert_int_equal(run("request_route { f1(0x1f); }", "INVITE"), KSR_RUN_END);
	assert_int_equal(tm->f1_last, 31);
	/* an integer where a string is expected is passed as its text */
	assert_int_equal(run("request_route { f2(1, \"b\"); }", "INVITE"), KSR_RUN_END);
	assert_string_equal(tm->f2_a, "1");
	assert_string_equal(tm->f2_b, "b");
	assert_int_equal(
	        run("request_route { f2(\"quote \\\" tab\\t nl\\n\", 'single'); }", "INVITE"),
	        KSR_RUN_END);
	assert_string_equal(tm->f2_a, "quote \" tab\t nl\n");
	assert_string_equal(tm->f2_b, "single");
	assert_int_equal(tm->f2_calls, 2);
}

static void test_run_sl(void **state)
{
#ifdef KSR_TEST_HAVE_SL
	/* no listener to send from: the reply fails and the call is false, not fatal */
	assert_int_equal(run("loadmodule \"sl.so\"\n"
	                     "request_route { if (sl_send_reply(\"404\", \"Not Here\")) mark(1); "
	                     "else mark(2); }\n",
	                     "INVITE"),
	                 KSR_RUN_END);
	expect_trace("2");
	/* ACK is never answered */
	assert_int_equal(run("loadmodule \"sl.so\"\n"
	                     "request_route { if (sl_send_reply(\"200\", \"OK\")) mark(1); "
	                     "else mark(2); }\n",
	                     "ACK"),
	                 KSR_RUN_END);
	expect_trace("2");
#else
	skip();
#endif
}

/* ---- route blocks of every type ----------------------------------------------------- */

static void test_route_blocks(void **state)
{
	struct ksr_program *prog;
	struct ksr_route *rt;

	prog = parse_ok("request_route { route(COMMON); }\n"
	                "route[COMMON] { mark(1); }\n"
	                "branch_route[MANAGE_BRANCH] { route(COMMON); }\n"
	                "onreply_route[MANAGE_REPLY] { route(COMMON); }\n"
	                "failure_route[MANAGE_FAILURE] { route(COMMON); }\n"
	                "failure_route { exit; }\n"
	                "branch_route[\"quoted\"] { exit; }\n"
	                "failure_route[7] { exit; }\n"
	                "reply_route { drop; }\n"
	                "onsend_route { if (isflagset(1)) drop; }\n"
	                "event_route[xhttp:request] { exit; }\n"
	                "event_route[htable:mod-init] { exit; }\n"
	                "event_route[tm:branch-failure:MYNAME] { exit; }\n"
	                "event_route[\"core:worker-one-init\"] { exit; }\n");
	assert_non_null(prog->reply_route);
	assert_int_equal(prog->reply_route->type, KSR_ROUTE_ONREPLY);
	assert_null(prog->reply_route->name);
	assert_non_null(prog->onsend_route);
	assert_int_equal(prog->onsend_route->type, KSR_ROUTE_ONSEND);
	rt = ksr_program_find_failure_route(prog, "MANAGE_FAILURE");
	assert_non_null(rt);
	assert_int_equal(rt->type, KSR_ROUTE_FAILURE);
	assert_string_equal(rt->name, "MANAGE_FAILURE");
	assert_int_equal(rt->pos.line, 5);
	/* an unnamed failure_route / branch_route is the default one, "0", as upstream */
	assert_non_null(ksr_program_find_failure_route(prog, "0"));
	assert_non_null(ksr_program_find_failure_route(prog, "7"));
	assert_non_null(ksr_program_find_branch_route(prog, "MANAGE_BRANCH"));
	assert_non_null(ksr_program_find_branch_route(prog, "quoted"));
	assert_int_equal(ksr_program_find_branch_route(prog, "quoted")->type, KSR_ROUTE_BRANCH);
	rt = ksr_program_find_onreply_route(prog, "MANAGE_REPLY");
	assert_non_null(rt);
	assert_int_equal(rt->type, KSR_ROUTE_ONREPLY);
	assert_non_null(ksr_program_find_event_route(prog, "xhttp:request"));
	assert_non_null(ksr_program_find_event_route(prog, "htable:mod-init"));
	assert_non_null(ksr_program_find_event_route(prog, "tm:branch-failure:MYNAME"));
	assert_non_null(ksr_program_find_event_route(prog, "core:worker-one-init"));
	assert_int_equal(ksr_program_find_event_route(prog, "xhttp:request")->type,
	                 KSR_ROUTE_EVENT);
	/* each kind has its own names */
	assert_null(ksr_program_find_failure_route(prog, "MANAGE_BRANCH"));
	assert_null(ksr_program_find_route(prog, "MANAGE_FAILURE"));
	assert_null(ksr_program_find_event_route(prog, "xhttp"));
	/* route[COMMON] is reached from four route types */
	rt = ksr_program_find_route(prog, "COMMON");
	assert_int_equal(rt->reached, KSR_ROUTE_REQUEST | KSR_ROUTE_BRANCH | KSR_ROUTE_ONREPLY |
	                                      KSR_ROUTE_FAILURE);
	ksr_program_unref(prog);

	/* onreply_route without a name (or [0]) is reply_route */
	prog = parse_ok("onreply_route { drop; }\nroute[A] { exit; }\nfailure_route[A] { exit; }\n");
	assert_non_null(prog->reply_route);
	assert_int_equal(ksr_program_find_route(prog, "A")->reached, KSR_ROUTE_REQUEST);
	ksr_program_unref(prog);
	prog = parse_ok("onreply_route[0] { drop; }\n");
	assert_non_null(prog->reply_route);
	ksr_program_unref(prog);
}

static void test_route_block_errors(void **state)
{
	expect_error("reply_route { }\nonreply_route { }\n", 2, 1, "reply_route is defined twice");
	expect_error("onreply_route[0] { }\nreply_route { }\n", 2, 1, "reply_route is defined twice");
	expect_error("failure_route[A] { }\n\nfailure_route[A] { }\n", 3, 1,
	             "failure_route[A] is defined twice");
	expect_error("failure_route { }\nfailure_route[0] { }\n", 2, 1,
	             "failure_route[0] is defined twice");
	expect_error("branch_route[b] { }\nbranch_route[\"b\"] { }\n", 2, 1,
	             "branch_route[b] is defined twice");
	expect_error("onreply_route[r] { }\nonreply_route[r] { }\n", 2, 1,
	             "onreply_route[r] is defined twice");
	expect_error("onsend_route { }\nonsend_route { }\n", 2, 1, "onsend_route is defined twice");
	expect_error("event_route[a:b] { }\nevent_route[a:b] { exit; }\n", 2, 1,
	             "event_route[a:b] is defined twice");
	expect_error("event_route[foo] { }\n", 1, 13, "an event route name is module:event");
	expect_error("event_route[a:] { }\n", 1, 13, "an event route name is module:event");
	expect_error("event_route[a::b] { }\n", 1, 13, "an event route name is module:event");
	expect_error("event_route { }\n", 1, 13, "expected '[' and a module:event name");
	expect_error("event_route[a:b { }\n", 1, 17, "expected ']' after the event route name");
	expect_error("reply_route[x] { }\n", 1, 12, "reply_route takes no name");
	expect_error("onsend_route[x] { }\n", 1, 13, "onsend_route takes no name");
	expect_error("request_route[x] { }\n", 1, 14, "request_route takes no name");
	expect_error("failure_route[] { }\n", 1, 15, "expected a route name");
	expect_error("branch_route[x] mark(1);\n", 1, 17, "expected '{' to open the route block");
	/* route() calls route[] blocks only */
	expect_error("failure_route[F] { }\nrequest_route {\n  route(F);\n}\n", 3, 3,
	             "route 'F' is not defined");
	/* and not from onsend_route, as upstream */
	expect_error("route[X] { }\nonsend_route {\n  route(X);\n}\n", 3, 3,
	             "route() cannot be used in onsend_route");
	expect_error("route[X] { }\nonsend_route {\n  if (route(X)) drop;\n}\n", 3, 7,
	             "route() cannot be used in onsend_route");
}

/*
 * Route types: a block's own calls must be allowed in its type; a route[] is checked
 * against the types of the blocks that reach it; one that none reaches, as request_route.
 * seturi() is allowed in request, failure and branch routes; onreply_only() in onreply.
 */
static void test_route_types(void **state)
{
	struct ksr_program *prog;

	expect_error("onreply_route[R] {\n  seturi(\"sip:a@b\");\n}\n", 2, 3,
	             "function 'seturi' cannot be used in this route type (onreply_route; it is "
	             "allowed in request_route, failure_route, branch_route)");
	expect_error("reply_route {\n  if (seturi(\"sip:a@b\")) exit;\n}\n", 2, 7,
	             "cannot be used in this route type (onreply_route");
	expect_error("onsend_route {\n  seturi(\"sip:a@b\");\n}\n", 2, 3, "(onsend_route;");
	expect_error("failure_route[F] {\n  force_rport();\n}\n", 2, 3, "(failure_route;");
	expect_error("event_route[a:b] {\n  onreply_only();\n}\n", 2, 3, "(event_route;");
	expect_error("branch_route[B] {\n  switch ($rc) { case 1: onreply_only(); }\n}\n", 2, 26,
	             "(branch_route;");
	/* through route(): the types of the callers, directly or through other routes */
	expect_error("reply_route { route(A); }\nroute[A] { route(B); }\nroute[B] {\n"
	             "  while (seturi(\"sip:a@b\")) break;\n}\n",
	             4, 10,
	             "function 'seturi' cannot be used in route[B], which runs as onreply_route");
	/* a route[] nobody calls runs as a request route */
	expect_error("route[X] {\n  onreply_only();\n}\n", 2, 3,
	             "cannot be used in route[X], which runs as request_route");
	/* allowed in one of the callers' types: accepted, checked again when it runs */
	prog = parse_ok("request_route { route(A); }\nreply_route { route(A); }\n"
	                "route[A] { seturi(\"sip:a@b\"); onreply_only(); route(A); }\n");
	assert_int_equal(ksr_program_find_route(prog, "A")->reached,
	                 KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY);
	ksr_program_unref(prog);
	/* recursion terminates */
	prog = parse_ok("route[U] { route(V); }\nroute[V] { route(U); onreply_only(); }\n"
	                "reply_route { route(V); }\n");
	assert_int_equal(ksr_program_find_route(prog, "V")->reached, KSR_ROUTE_ONREPLY);
	assert_int_equal(ksr_program_find_route(prog, "U")->reached, KSR_ROUTE_ONREPLY);
	ksr_program_unref(prog);
	/* an uncalled route runs as a request route, and so do the routes it calls */
	prog = parse_ok("route[U] { route(V); }\nroute[V] { onreply_only(); }\n"
	                "reply_route { route(V); }\n");
	assert_int_equal(ksr_program_find_route(prog, "U")->reached, KSR_ROUTE_REQUEST);
	assert_int_equal(ksr_program_find_route(prog, "V")->reached,
	                 KSR_ROUTE_ONREPLY | KSR_ROUTE_REQUEST);
	ksr_program_unref(prog);
}

/* A reply as the daemon receives it. */
static struct request *make_reply(unsigned int code)
{
	struct request *rq = calloc(1, sizeof(*rq));
	const char *why = NULL;
	int n;

	assert_non_null(rq);
	n = asprintf(&rq->buf,
	             "SIP/2.0 %u Whatever\r\n"
	             "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
	             "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
	             "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
	             "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
	             "CSeq: 314159 INVITE\r\n"
	             "Content-Length: 0\r\n"
	             "\r\n",
	             code);
	assert_true(n > 0);
	ksr_arena_init(&rq->arena, 4096);
	if (ksr_msg_parse(&rq->msg, rq->buf, (size_t)n, &rq->arena, &why) < 0)
		fail_msg("reply not parsed: %s", why);
	return rq;
}

static void test_run_route_types(void **state)
{
	struct ksr_program *prog;
	struct request *rq;

	prog = parse_ok("request_route { route(A); }\n"
	                "reply_route {\n"
	                "  if (status == 180) { mark(180); drop; }\n"
	                "  route(A);\n"
	                "  mark(2);\n"
	                "}\n"
	                "route[A] {\n"
	                "  if (seturi(\"sip:x@example.net\")) mark(10); else mark(11);\n"
	                "  if (onreply_only()) mark(20); else mark(21);\n"
	                "}\n"
	                "failure_route[F] { mark(30); exit; mark(31); }\n"
	                "event_route[test:ev] { mark(40); return 5; }\n");
	rq = make_reply(180);
	tm->ntrace = 0;
	assert_int_equal(ksr_run_route(prog, prog->reply_route, &rq->msg, KSR_ROUTE_ONREPLY),
	                 KSR_RUN_DROP);
	expect_trace("180");
	free_request(rq);

	/* in a reply route, seturi() is skipped as false; onreply_only() runs */
	rq = make_reply(200);
	tm->ntrace = 0;
	assert_int_equal(ksr_run_route(prog, prog->reply_route, &rq->msg, KSR_ROUTE_ONREPLY),
	                 KSR_RUN_END);
	expect_trace("11 20 2");
	assert_int_equal(tm->f0_calls, 1);
	free_request(rq);

	/* in the request route, the other way round */
	rq = make_request("INVITE");
	tm->ntrace = 0;
	tm->f0_calls = 0;
	assert_int_equal(ksr_run_request(prog, &rq->msg), KSR_RUN_END);
	expect_trace("10 21");
	assert_int_equal(tm->f0_calls, 0);

	/* the lookups give what tm and modules will run */
	tm->ntrace = 0;
	assert_int_equal(ksr_run_route(prog, ksr_program_find_failure_route(prog, "F"), &rq->msg,
	                               KSR_ROUTE_FAILURE),
	                 KSR_RUN_EXIT);
	assert_int_equal(ksr_run_route(prog, ksr_program_find_event_route(prog, "test:ev"),
	                               &rq->msg, KSR_ROUTE_EVENT),
	                 KSR_RUN_END);
	assert_int_equal(ksr_run_route(prog, NULL, &rq->msg, KSR_ROUTE_EVENT), KSR_RUN_END);
	expect_trace("30 40");
	free_request(rq);
	ksr_program_unref(prog);
}

/*
 * A broken config is refused with a position, never a crash: a good config with bytes
 * changed at random (fixed seed) and every prefix of it either parses or fails with an
 * error that names the file and a line within the text.
 */
/* ---- reloading the routes ----------------------------------------------------------- */

#define RELOAD_TOP                                                                         \
	"debug=2\n"                                                                         \
	"loadmodule \"testmod\"\n"                                                          \
	"modparam(\"testmod\", \"int_param\", 7)\n"                                          \
	"pstn.gw = \"sip:gw\" desc \"the gateway\"\n"

static int reparse(const char *text, struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	struct ksr_pp *pp = ksr_pp_new();
	char *buf = strdup(text);
	int r;

	assert_non_null(pp);
	assert_non_null(buf);
	memset(err, 0, sizeof(*err));
	r = ksr_cfg_reparse_text(FILE_NAME, buf, strlen(buf), pp, ret_prog, err);
	ksr_pp_free(pp);
	free(buf);
	return r;
}

static void expect_reload_error(const char *text, int line, const char *msg_part)
{
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;

	if (reparse(text, &prog, &err) == 0) {
		ksr_program_unref(prog);
		fail_msg("reload accepted, expected an error with '%s'", msg_part);
	}
	if (err.pos.line != line || !strstr(err.msg, msg_part))
		fail_msg("got %d: %s\nexpected %d: ...%s...", err.pos.line, err.msg, line, msg_part);
}

static void run_program(struct ksr_program *prog)
{
	struct request *rq = make_request("OPTIONS");

	tm->ntrace = 0;
	ksr_run_request(prog, &rq->msg);
	free_request(rq);
}

static void test_reload_routes(void **state)
{
	struct ksr_program *old, *cur, *fresh = NULL;
	struct ksr_cfg_error err;

	old = parse_ok(RELOAD_TOP "request_route { mark(1); }\n");
	ksr_program_install(old);
	tm->int_param = 0; /* a reload must not apply modparams again */

	/* new routes, same top section: accepted, and new messages run them */
	assert_int_equal(reparse(RELOAD_TOP "route[r] { mark(3); }\n"
					    "request_route { mark(2); route(r); }\n",
				 &fresh, &err),
			 0);
	assert_int_equal(tm->int_param, 0);
	ksr_program_install(fresh);
	cur = ksr_program_acquire();
	assert_ptr_equal(cur, fresh);
	run_program(cur);
	expect_trace("2 3");
	ksr_program_unref(cur);
	/* a message in flight keeps the program it started with until it is done */
	run_program(old);
	expect_trace("1");
	ksr_program_unref(old);
	ksr_program_unref(fresh);
	ksr_program_install(NULL);
}

static void test_reload_refused(void **state)
{
	struct ksr_program *old = parse_ok(RELOAD_TOP "request_route { mark(1); }\n");

	ksr_program_install(old);
	/* a changed modparam, core parameter or config variable; a module more or less */
	expect_reload_error("debug=2\nloadmodule \"testmod\"\n"
			    "modparam(\"testmod\", \"int_param\", 8)\n"
			    "pstn.gw = \"sip:gw\"\nrequest_route { mark(1); }\n",
			    3, "'modparam testmod int_param i:8' differs from the running config");
	expect_reload_error("debug=3\nloadmodule \"testmod\"\n"
			    "modparam(\"testmod\", \"int_param\", 7)\npstn.gw = \"sip:gw\"\n", 1,
			    "'param debug 3' differs from the running config ('param debug 2'");
	expect_reload_error(RELOAD_TOP "debug=2\nrequest_route { }\n", 5,
			    "'param debug 2' is not in the running config");
	expect_reload_error("debug=2\nloadmodule \"testmod\"\n"
			    "modparam(\"testmod\", \"int_param\", 7)\nrequest_route { }\n",
			    0, "'cfgvar pstn.gw s:sip:gw' (line 4 of the running config) is missing");
	/* errors in the routes refuse the reload as at start */
	expect_reload_error(RELOAD_TOP "request_route { nosuch(); }\n", 5,
			    "unknown function 'nosuch'");
	/* the running program is untouched by refused reloads */
	{
		struct ksr_program *cur = ksr_program_acquire();

		assert_ptr_equal(cur, old);
		run_program(cur);
		expect_trace("1");
		ksr_program_unref(cur);
	}
	ksr_program_unref(old);
	ksr_program_install(NULL);
}

/* The daemon's reload: the startup file again, with the startup -A defines. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_reload_from_file(void **state)
{
	char path[] = "/tmp/ksr-reload-XXXXXX";
	char *defines[] = {"WHICH=5"};
	struct ksr_program *prog = NULL, *cur;
	struct ksr_cfg_error err;
	struct ksr_pp *pp = ksr_pp_new();
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, "loadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", 1)\n"
			 "request_route { mark(WHICH); }\n");
	assert_non_null(pp);
	assert_int_equal(ksr_pp_define_arg(pp, defines[0]), 0);
	assert_int_equal(ksr_cfg_load(path, pp, &prog, &err), 0);
	ksr_pp_free(pp);
	ksr_program_install(prog);
	ksr_program_unref(prog);
	ksr_reload_setup(path, defines, 1);

	/* the routes change on disk; the define from the command line still holds */
	write_file(path, "loadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", 1)\n"
			 "request_route { if (WHICH == 5) mark(6); }\n");
	assert_int_equal(ksr_reload_routes(&err), 0);
	cur = ksr_program_acquire();
	run_program(cur);
	expect_trace("6");
	ksr_program_unref(cur);

	/* a changed modparam: refused with its line, the routes of before stay */
	write_file(path, "loadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", 2)\n"
			 "request_route { mark(9); }\n");
	assert_int_equal(ksr_reload_routes(&err), -EINVAL);
	assert_int_equal(err.pos.line, 2);
	assert_non_null(strstr(err.msg, "differs from the running config"));
	cur = ksr_program_acquire();
	run_program(cur);
	expect_trace("6");
	ksr_program_unref(cur);

	ksr_program_install(NULL);
	ksr_reload_setup(NULL, NULL, 0);
	unlink(path);
}

static void test_never_crash(void **state)
{
	static const char good[] = "#!define N 2\n"
	                           "#!ifdef N\n"
	                           "debug=2\n"
	                           "#!else\n"
	                           "children=3\n"
	                           "#!endif\n"
	                           "modparam(\"testmod\", \"int_param\", 7)\n"
	                           "request_route {\n"
	                           "  if (method == \"INVITE\" && !no(1) || f1(N)) { mark(1); } "
	                           "else { f2(\"a\", 'b'); }\n"
	                           "  route(r); /* c */ exit;\n"
	                           "}\n"
	                           "route[r] { if (method =~ \"^(A|B)$\") return -1; drop; }\n";
	static const char bytes[] = "\"'(){}[];,=!~&|#/*\n x1-";
	size_t len = sizeof(good) - 1;
	unsigned int seed = 4242;
	char text[sizeof(good)];

	for (int i = 0; i < 3000 + (int)len; i++) {
		struct ksr_program *prog = NULL;
		struct ksr_cfg_error err;
		size_t n = len;
		int r, lines;

		memcpy(text, good, sizeof(good));
		if (i < (int)len) {
			n = (size_t)i; /* every prefix first */
			text[n] = '\0';
		} else {
			for (int c = 1 + (int)(rand_r(&seed) % 3); c > 0; c--)
				text[rand_r(&seed) % len] =
				        bytes[rand_r(&seed) % (sizeof(bytes) - 1)];
		}
		lines = 1;
		for (const char *c = text; *c; c++)
			lines += *c == '\n';
		r = parse_pp(text, NULL, &prog, &err);
		if (r == 0) {
			ksr_program_unref(prog);
			continue;
		}
		assert_null(prog);
		if (r != -EINVAL || !err.pos.file || err.pos.line < 1 || err.pos.line > lines ||
		    err.pos.col < 1 || !err.msg[0])
			fail_msg("r=%d error %s:%d:%d '%s' for:\n%s", r,
			         err.pos.file ? err.pos.file : "(null)", err.pos.line, err.pos.col,
			         err.msg, text);
		assert_string_equal(err.pos.file, FILE_NAME);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_full_config),
	        T(test_modparams),
	        T(test_request_route_spellings),
	        T(test_error_core_params),
	        T(test_error_syntax),
	        T(test_error_functions),
	        T(test_error_sl_fixup),
	        T(test_error_routes),
	        T(test_error_modules),
	        T(test_loadmodule_parenthesized),
	        T(test_error_modparam_value_position),
	        T(test_error_preprocessor),
	        T(test_define_positions),
	        T(test_run_if_method),
	        T(test_run_method_regex_long),
	        T(test_run_expressions),
	        T(test_run_zero_stops),
	        T(test_run_exit_drop_return),
	        T(test_run_recursion),
	        T(test_run_parameters),
	        T(test_run_sl),
	        T(test_route_blocks),
	        T(test_route_block_errors),
	        T(test_route_types),
	        T(test_run_route_types),
	        T(test_reload_routes),
	        T(test_reload_refused),
	        T(test_reload_from_file),
	        T(test_never_crash),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
