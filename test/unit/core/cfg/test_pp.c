/* Tests of the config preprocessor (src/core/cfg/pp.c, pp_expr.c, pp_subst.c). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cfg/pp.h"

struct fixture {
	struct ksr_pp *pp;
	struct ksr_cfg_error err;
	char *out; /* the text after the preprocessor */
	char *in;  /* a copy of the input, to compare lines with */
	char dir[PATH_MAX]; /* the fixtures: pp/ next to this file */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *slash;

	assert_non_null(f);
	f->pp = ksr_pp_new();
	assert_non_null(f->pp);
	/* CMake compiles this file by its absolute path */
	slash = strrchr(__FILE__, '/');
	assert_non_null(slash);
	snprintf(f->dir, sizeof(f->dir), "%.*s/pp", (int)(slash - __FILE__), __FILE__);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_pp_free(f->pp);
	free(f->out);
	free(f->in);
	free(f);
	return 0;
}

static void keep_output(struct fixture *f)
{
	size_t len;
	const char *t = ksr_pp_text(f->pp, &len);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	free(f->out);
	f->out = strdup(t);
	assert_non_null(f->out);
}

/* Run the preprocessor on text; the result stays in f->out. */
static int run(struct fixture *f, const char *text)
{
	int r;

	free(f->in);
	f->in = strdup(text);
	assert_non_null(f->in);
	memset(&f->err, 0, sizeof(f->err));
	r = ksr_pp_process(f->pp, "pp.cfg", text, strlen(text), &f->err);
	if (r == 0)
		keep_output(f);
	return r;
}

/* Load a fixture file (a name under pp/). */
static int load(struct fixture *f, const char *name)
{
	char path[PATH_MAX * 2];
	int r;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	memset(&f->err, 0, sizeof(f->err));
	r = ksr_pp_load(f->pp, path, &f->err);
	if (r == 0)
		keep_output(f);
	return r;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/*
 * Check f->out line by line against f->in: mask has one letter per line, 'k' for a line
 * kept as written and 'b' for a line turned into blanks (same length, CR kept). The
 * number of lines and the length of every line must not change.
 */
static void expect_lines(struct fixture *f, const char *mask)
{
	const char *in = f->in, *out = f->out;
	size_t line = 0;

	assert_int_equal(strlen(in), strlen(out));
	assert_int_equal(count_char(in, '\n'), count_char(out, '\n'));
	while (*in) {
		size_t n = strcspn(in, "\n");

		if (mask[line] == '\0')
			fail_msg("mask shorter than the text (line %zu)", line + 1);
		if (mask[line] == 'k') {
			if (strncmp(in, out, n) != 0)
				fail_msg("line %zu changed: '%.*s' -> '%.*s'", line + 1, (int)n, in,
				         (int)n, out);
		} else {
			for (size_t i = 0; i < n; i++) {
				char want = in[i] == '\r' ? '\r' : ' ';

				if (out[i] != want)
					fail_msg("line %zu not blanked: '%.*s'", line + 1, (int)n,
					         out);
			}
		}
		in += n;
		out += n;
		if (*in == '\n') {
			assert_int_equal(*out, '\n');
			in++;
			out++;
		}
		line++;
	}
	assert_int_equal(mask[line], '\0');
}

static void check_define(struct fixture *f, const char *name, const char *value)
{
	const struct ksr_str *v = ksr_pp_lookup(f->pp, name, strlen(name));

	if (!v)
		fail_msg("'%s' is not defined", name);
	if (v->len != strlen(value) || memcmp(v->s, value, v->len) != 0)
		fail_msg("'%s' is '%.*s', expected '%s'", name, (int)v->len, v->s, value);
}

static void check_undefined(struct fixture *f, const char *name)
{
	if (ksr_pp_lookup(f->pp, name, strlen(name)))
		fail_msg("'%s' is defined", name);
}

static void check_error(struct fixture *f, const char *file_suffix, int line, int col,
                        const char *msg_part)
{
	size_t n = strlen(f->err.pos.file), m = strlen(file_suffix);

	if (n < m || strcmp(f->err.pos.file + n - m, file_suffix) != 0)
		fail_msg("error '%s' in %s, expected %s", f->err.msg, f->err.pos.file, file_suffix);
	if (f->err.pos.line != line)
		fail_msg("error '%s' at line %d, expected line %d", f->err.msg, f->err.pos.line,
		         line);
	if (col && f->err.pos.col != col)
		fail_msg("error '%s' at column %d, expected %d", f->err.msg, f->err.pos.col, col);
	if (!strstr(f->err.msg, msg_part))
		fail_msg("error '%s' does not contain '%s'", f->err.msg, msg_part);
}

static void expect_error(struct fixture *f, const char *text, int line, int col,
                         const char *msg_part)
{
	int r = run(f, text);

	if (r != -EINVAL)
		fail_msg("'%s': %d, expected an error with '%s'", text, r, msg_part);
	check_error(f, "pp.cfg", line, col, msg_part);
}

/* Line n (1-based) of f->out, without its newline, in a static buffer. */
static const char *out_line(struct fixture *f, int n)
{
	static char buf[256];
	const char *p = f->out;
	size_t len;

	for (int i = 1; i < n; i++) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	len = strcspn(p, "\n");
	assert_true(len < sizeof(buf));
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static void check_map(struct fixture *f, int out, const char *file_suffix, int line)
{
	const char *file = NULL;
	int l = 0;
	size_t n, m = strlen(file_suffix);

	assert_int_equal(ksr_pp_map_pos(f->pp, out, &file, &l), 0);
	n = strlen(file);
	if (n < m || strcmp(file + n - m, file_suffix) != 0 || l != line)
		fail_msg("output line %d maps to %s:%d, expected %s:%d", out, file, l, file_suffix,
		         line);
}

/* The value of a string token at output line `at` after the #!subst rules. */
static void check_subst(struct fixture *f, int at, const char *in, const char *want)
{
	char *out = NULL;
	size_t len = 0;
	int r = ksr_pp_subst(f->pp, at, in, strlen(in), &out, &len);

	if (!want) {
		if (r != 0)
			fail_msg("'%s' at line %d became '%s'", in, at, out);
		return;
	}
	if (r != 1)
		fail_msg("'%s' at line %d unchanged, expected '%s'", in, at, want);
	assert_int_equal(len, strlen(out));
	assert_string_equal(out, want);
	free(out);
}

static void test_define_values(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!define A 1\n"
	                        "#!define B   spaced value  \n"
	                        "#!define EMPTY\n"
	                        "#!def SHORT x\n"
	                        "#!define QUOTED \"a string\"\n"
	                        "!!define BANG yes\n"
	                        "   #!define INDENTED 7\n"
	                        "#!define CRLF v\r\n"
	                        "request_route { A; }\n"),
	                 0);
	check_define(f, "A", "1");
	check_define(f, "B", "spaced value");
	check_define(f, "EMPTY", "");
	check_define(f, "SHORT", "x");
	check_define(f, "QUOTED", "\"a string\"");
	check_define(f, "BANG", "yes");
	check_define(f, "INDENTED", "7");
	check_define(f, "CRLF", "v");
	/* names are substituted by the lexer, not here: code lines stay as written */
	expect_lines(f, "bbbbbbbbk");
	check_undefined(f, "a");
}

static void test_define_multiline(void **state)
{
	struct fixture *f = *state;

	/* '\' at the end of a line continues the value; every line of it is blanked */
	assert_int_equal(run(f, "#!define LOOP $var(i) = 0; \\\n"
	                        "    while($var(i) < 5) { \\\n"
	                        "        $var(i) = $var(i) + 1; \\\n"
	                        "    }\n"
	                        "#!define CR a \\\r\n"
	                        "b\r\n"
	                        "#!define NOT_CONT a \\ b\n"
	                        "LOOP\n"),
	                 0);
	check_define(f, "LOOP", "$var(i) = 0;     while($var(i) < 5) {         "
	                        "$var(i) = $var(i) + 1;     }");
	check_define(f, "CR", "a b");
	check_define(f, "NOT_CONT", "a \\ b");
	expect_lines(f, "bbbbbbbk");
	/* a '\' on the last line of the file ends the value there */
	assert_int_equal(run(f, "#!redefine END x \\"), 0);
	check_define(f, "END", "x");
}

static void test_define_arg(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ksr_pp_define_arg(f->pp, "WITH_DEBUG"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "PORT=5080"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "EMPTYVAL="), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "EXPR=a=b"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "STR=\"quoted\""), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "=x"), -EINVAL);
	assert_int_equal(ksr_pp_define_arg(f->pp, ""), -EINVAL);
	assert_int_equal(ksr_pp_define_arg(f->pp, "bad name=1"), -EINVAL);
	assert_int_equal(ksr_pp_define_arg(f->pp, "bad-name"), -EINVAL);
	assert_int_equal(ksr_pp_define_arg(f->pp, "1ST"), -EINVAL);
	check_define(f, "WITH_DEBUG", "");
	check_define(f, "PORT", "5080");
	check_define(f, "EMPTYVAL", "");
	check_define(f, "EXPR", "a=b");
	check_define(f, "STR", "\"quoted\"");
	check_undefined(f, "bad");

	/* -A defines drive conditional blocks like #!define does */
	assert_int_equal(run(f, "#!ifdef WITH_DEBUG\n"
	                        "debug=3\n"
	                        "#!else\n"
	                        "debug=1\n"
	                        "#!endif\n"
	                        "#!ifndef WITH_NAT\n"
	                        "nonat\n"
	                        "#!endif\n"),
	                 0);
	expect_lines(f, "bkbbbbkb");
	/* and a #!define of the same name is refused, as a second #!define is */
	expect_error(f, "\n#!define PORT 5090\n", 2, 1, "'PORT' is already defined");
	check_define(f, "PORT", "5080");
}

static void test_ifdef_else(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!define HAVE\n"
	                        "#!ifdef HAVE\n"
	                        "taken\n"
	                        "#!else\n"
	                        "not taken\n"
	                        "#!endif\n"
	                        "#!ifdef MISSING\n"
	                        "not taken\n"
	                        "#!else\n"
	                        "taken\n"
	                        "#!endif\n"
	                        "#!ifndef MISSING\n"
	                        "taken\n"
	                        "#!endif\n"
	                        "#!ifndef HAVE\n"
	                        "not taken\n"
	                        "#!endif\n"
	                        "after\n"),
	                 0);
	expect_lines(f, "bbkbbbbbbkbbkbbbbk");
}

static void test_nested(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ksr_pp_define_arg(f->pp, "A"), 0);
	assert_int_equal(run(f, "#!ifdef A\n"
	                        "a\n"
	                        "  #!ifndef B\n"
	                        "  a_not_b\n"
	                        "  #!else\n"
	                        "  a_and_b\n"
	                        "  #!endif\n"
	                        "#!else\n"
	                        "not_a\n"
	                        "  #!ifndef B\n"
	                        "  not_a_not_b\n"
	                        "  #!else\n"
	                        "  not_a_b\n"
	                        "  #!endif\n"
	                        "#!endif\n"
	                        "end\n"),
	                 0);
	expect_lines(f, "bkbkbbbbbbbbbbbk");

	/* inside a false block, an inner #!else must not switch the text back on */
	assert_int_equal(run(f, "#!ifdef NOPE\n"
	                        "#!ifdef ALSO_NOPE\n"
	                        "x\n"
	                        "#!else\n"
	                        "y\n"
	                        "#!endif\n"
	                        "#!define HIDDEN 1\n"
	                        "#!include_file \"not/read.cfg\"\n"
	                        "include_file \"not/read.cfg\"\n"
	                        "#!subst \"/x/y/\"\n"
	                        "#!defenv NOT_READ_EITHER\n"
	                        "#!endif\n"
	                        "z\n"),
	                 0);
	expect_lines(f, "bbbbbbbbbbbbk");
	/* and directives there are not run */
	check_undefined(f, "HIDDEN");
	check_subst(f, 100, "x", NULL);
}

static void test_trydef_redefine_undef(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!define X first\n"
	                        "#!trydef X second\n"
	                        "#!trydef Y tried\n"
	                        "#!redefine X third\n"
	                        "#!redefine Z fresh\n"
	                        "#!define GONE 1\n"
	                        "#!undef GONE\n"
	                        "#!undef NEVER_DEFINED\n"
	                        "#!ifdef GONE\n"
	                        "gone\n"
	                        "#!endif\n"
	                        "#!trydefine Y other\n"
	                        "#!redef Y re\n"),
	                 0);
	check_define(f, "X", "third");
	check_define(f, "Y", "re");
	check_define(f, "Z", "fresh");
	check_undefined(f, "GONE");
	expect_lines(f, "bbbbbbbbbbbbb");

	/* after #!undef the name can be defined again */
	assert_int_equal(run(f, "#!define X again\n"), -EINVAL);
	assert_int_equal(run(f, "#!undef X\n#!define X again\n"), 0);
	check_define(f, "X", "again");
	expect_error(f, "#!undef\n", 1, 1, "#!undef needs a name");
	expect_error(f, "#!undef A B\n", 1, 11, "unexpected 'B'");
}

static void test_markers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!KAMAILIO\n#!SER\n#!MAXCOMPAT\n#!ALL\n# a comment\nx\n"), 0);
	expect_lines(f, "bbbbkk");
}

static void test_unbalanced(void **state)
{
	struct fixture *f = *state;

	/* the error names the line of the #!if that is never closed (the innermost) */
	expect_error(f, "#!ifdef A\nx\n#!endif\n\n#!ifdef B\n#!ifndef C\ny\n#!endif\n", 5, 1,
	             "#!ifdef without #!endif");
	expect_error(f, "x\n#!ifndef A\ny\n", 2, 0, "#!ifndef without #!endif");
	expect_error(f, "x\n#!ifexp 1\ny\n", 2, 0, "#!ifexp without #!endif");
	expect_error(f, "x\ny\n#!else\n", 3, 1, "#!else without");
	expect_error(f, "x\n  #!endif\n", 2, 3, "#!endif without");
	expect_error(f, "#!ifdef A\n#!endif\n#!endif\n", 3, 1, "#!endif without");
	expect_error(f, "#!ifdef A\na\n#!else\nb\n#!else\nc\n#!endif\n", 5, 1, "second #!else");
	/* the second #!else message points back at its #!ifdef */
	assert_non_null(strstr(f->err.msg, "pp.cfg:1"));
	expect_error(f, "\n\n#!ifdef\n#!endif\n", 3, 1, "needs a name");
	expect_error(f, "#!ifdef bad-name\n#!endif\n", 1, 1, "bad name 'bad-name'");
	expect_error(f, "#!define\n", 1, 1, "needs a name");
	expect_error(f, "#!define bad-name 1\n", 1, 1, "bad name 'bad-name'");
	expect_error(f, "#!define 9lives 1\n", 1, 1, "bad name '9lives'");
	/* text after a directive would be lost: refused (upstream misreads it) */
	expect_error(f, "#!ifdef A junk\n#!endif\n", 1, 11, "unexpected 'junk'");
	expect_error(f, "#!ifdef A\n#!else // x\n#!endif\n", 2, 8, "unexpected '// x'");
	expect_error(f, "#!ifdef A\n#!endif done\n", 2, 9, "unexpected 'done'");
	/* a directive inside a false block is still checked */
	expect_error(f, "#!ifdef NOPE\n#!ifdef\n#!endif\n#!endif\n", 2, 1, "needs a name");
	/* any other #!word line is a comment, as upstream (a shebang, say) */
	assert_int_equal(run(f, "#!/usr/sbin/kamailio\n#!frobnicate A\nx\n"), 0);
	expect_lines(f, "bbk");
}

static void test_block_comments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "/*\n"
	                        "#!define IN_COMMENT 1\n"
	                        "#!ifdef NOPE\n"
	                        "include_file \"not/read.cfg\"\n"
	                        "loadmodule \"commented.so\"\n"
	                        "*/\n"
	                        "#!define AFTER 1\n"
	                        "x /* opened here\n"
	                        "#!else\n"
	                        "closed here */ y\n"
	                        "/* one line */\n"
	                        "#!define ONE_LINE 1\n"),
	                 0);
	check_undefined(f, "IN_COMMENT");
	check_undefined(f, "MOD_commented");
	check_define(f, "AFTER", "1");
	check_define(f, "ONE_LINE", "1");
	/* the commented directives are left for the lexer, which skips the comment */
	expect_lines(f, "kkkkkkbkkkkb");

	/* a comment opener in a string or after a line comment opens no block comment */
	assert_int_equal(run(f, "s = \"/*\";\n"
	                        "#!define Q 1\n"
	                        "# see /* here\n"
	                        "#!define R 1\n"
	                        "// and /* here\n"
	                        "#!define S 1\n"),
	                 0);
	check_define(f, "Q", "1");
	check_define(f, "R", "1");
	check_define(f, "S", "1");
}

static void test_lines_preserved(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!KAMAILIO\r\n"
	                        "#!define WITH_X\r\n"
	                        "#!ifdef WITH_X\r\n"
	                        "\tloadmodule \"x.so\"\r\n"
	                        "#!else\r\n"
	                        "\tloadmodule \"y.so\"\r\n"
	                        "#!endif\r\n"
	                        "request_route {\r\n"
	                        "}"),
	                 0);
	expect_lines(f, "bbbkbbbkk");
	/* no trailing newline, no change */
	assert_int_equal(run(f, "#!define LAST 1"), 0);
	expect_lines(f, "b");
	assert_int_equal(run(f, ""), 0);
	assert_string_equal(f->out, "");
}

static void test_ifexp(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *expr;
		bool taken;
	} cases[] = {
		{"1", true}, {"0", false}, {"2 > 1", true}, {"1 + 2 * 3 == 7", true},
		{"(1 + 2) * 3 == 9", true}, {"10 / 4 == 2.5", true}, {"7 % 3 == 1", true},
		{"2 ** 10 == 1024", true}, {"1 << 4 == 16", true}, {"256 >> 4 == 16", true},
		{"(6 & 3) == 2", true}, {"(6 | 1) == 7", true}, {"(6 ^ 3) == 5", true},
		{"-3 + 5 == 2", true}, {"!0", true}, {"!1", false}, {"1 && 0", false},
		{"0 || 2", true}, {"1 < 2 && 2 < 3", true}, {"\"abc\"", true}, {"''", false},
		{"\"abc\" == 'abc'", true}, {"\"abc\" < \"abd\"", true}, {"\"a\" + \"b\" == \"ab\"", true},
		/* the right operand takes the left one's type, as upstream */
		{"1 + \"20\" == 21", true}, {"\"1\" + 20 == \"120\"", true}, {"4 > \"20\"", false},
		{"\"4\" > 20", true}, {"\"x\" + 1.5 == \"x1.5\"", true},
		/* names: with a value a string, without one 1, undefined 0 */
		{"FLAG", true}, {"NOPE", false}, {"!NOPE && FLAG", true}, {"FLAG + 1 == 2", true},
		{"VER >= 5000000", true}, {"VER == \"5000000\"", true}, {"QSTR == \"sip\"", true},
		{"OS == \"linux\" && FLAG", true}, {"EMPTY_STR", false},
		/* && and || do not evaluate the side they skip */
		{"0 && 1 / 0", false}, {"1 || 1 / 0", true},
		{"1, 0", false}, {"1 # a comment", true},
	};
	char text[256];

	assert_int_equal(ksr_pp_define_arg(f->pp, "FLAG"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "VER=5000000"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "QSTR=\"sip\""), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "OS=linux"), 0);
	assert_int_equal(ksr_pp_define_arg(f->pp, "EMPTY_STR=''"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "#!ifexp %s\nyes\n#!else\nno\n#!endif\n",
		         cases[i].expr);
		if (run(f, text) != 0)
			fail_msg("#!ifexp %s: %s", cases[i].expr, f->err.msg);
		if (strcmp(out_line(f, cases[i].taken ? 2 : 4), cases[i].taken ? "yes" : "no") != 0)
			fail_msg("#!ifexp %s: expected %s", cases[i].expr,
			         cases[i].taken ? "true" : "false");
	}
	/* a false block's expressions are not evaluated */
	assert_int_equal(run(f, "#!ifdef NOPE\n#!ifexp 1 / 0\n#!endif\n#!endif\n"), 0);
	/* errors name the line and say what is wrong */
	expect_error(f, "\n#!ifexp\n#!endif\n", 2, 1, "#!ifexp needs an expression");
	expect_error(f, "#!ifexp 1 +\n#!endif\n", 1, 1, "where a value is expected");
	expect_error(f, "#!ifexp (1\n#!endif\n", 1, 1, "missing ')'");
	expect_error(f, "#!ifexp 1 / 0\n#!endif\n", 1, 1, "division by zero");
	expect_error(f, "#!ifexp \"abc\n#!endif\n", 1, 1, "unterminated string");
	expect_error(f, "#!ifexp 1 2\n#!endif\n", 1, 1, "unexpected '2'");
	expect_error(f, "#!ifexp FLAG = 1\n#!endif\n", 1, 1, "'==' compares");
	expect_error(f, "#!ifexp f(1)\n#!endif\n", 1, 1, "unknown function 'f'");
	expect_error(f, "#!ifexp \"a\" - 1\n#!endif\n", 1, 1, "'-' needs numbers");
	expect_error(f, "#!ifexp 1 @ 2\n#!endif\n", 1, 1, "unexpected '@ 2'");
}

static void test_defexp(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!define IPADDR 127.0.0.1\n"
	                        "#!defexp SIPURI \"sip:\" + IPADDR + \":5060\"\n"
	                        "#!defexp QSIPURI '\"sip:' + IPADDR + ':5060\"'\n"
	                        "#!defexp V16 1<<4\n"
	                        "#!defexps SV16 1<<4\n"
	                        "#!defexp HALF 7 / 2\n"
	                        "#!defexp NEG -(2 + 3)\n"
	                        "#!defexp LONG 1 + \\\n"
	                        "   2\n"
	                        "#!defexp ISDEF IPADDR != \"\" && NOPE == 0\n"),
	                 0);
	check_define(f, "SIPURI", "sip:127.0.0.1:5060");
	check_define(f, "QSIPURI", "\"sip:127.0.0.1:5060\"");
	check_define(f, "V16", "16");
	check_define(f, "SV16", "\"16\"");
	check_define(f, "HALF", "3"); /* numbers are defined as integers, as upstream */
	check_define(f, "NEG", "-5");
	check_define(f, "LONG", "3");
	check_define(f, "ISDEF", "1");
	expect_lines(f, "bbbbbbbbbb");
	expect_error(f, "#!defexp E\n", 1, 1, "#!defexp needs an expression");
	expect_error(f, "\n#!defexp E 1 +\n", 2, 1, "#!defexp E: expression ends");
	expect_error(f, "#!defexp V16 2\n", 1, 1, "'V16' is already defined");
}

static void test_defenv(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("KSR_PP_TEST_HOST", "example.net", 1), 0);
	assert_int_equal(setenv("KSR_PP_TEST_EMPTY", "", 1), 0);
	unsetenv("KSR_PP_TEST_UNSET");
	assert_int_equal(run(f, "#!defenv KSR_PP_TEST_HOST\n"
	                        "#!defenv MYHOST=KSR_PP_TEST_HOST\n"
	                        "#!defenvs QHOST=KSR_PP_TEST_HOST\n"
	                        "#!trydefenv KSR_PP_TEST_UNSET\n"
	                        "#!trydefenvs OPT=KSR_PP_TEST_UNSET\n"
	                        "#!defenv KSR_PP_TEST_EMPTY\n"
	                        "#!ifdef KSR_PP_TEST_EMPTY\n"
	                        "set_but_empty\n"
	                        "#!endif\n"),
	                 0);
	check_define(f, "KSR_PP_TEST_HOST", "example.net");
	check_define(f, "MYHOST", "example.net");
	check_define(f, "QHOST", "\"example.net\"");
	check_undefined(f, "KSR_PP_TEST_UNSET");
	check_undefined(f, "OPT");
	check_define(f, "KSR_PP_TEST_EMPTY", "");
	expect_lines(f, "bbbbbbbkb");
	expect_error(f, "\n#!defenv KSR_PP_TEST_UNSET\n", 2, 1,
	             "environment variable 'KSR_PP_TEST_UNSET' is not set");
	expect_error(f, "#!defenv X=KSR_PP_TEST_UNSET\n", 1, 1, "'KSR_PP_TEST_UNSET' is not set");
	expect_error(f, "#!defenv MYHOST=KSR_PP_TEST_HOST\n", 1, 1, "'MYHOST' is already defined");
	expect_error(f, "#!defenv\n", 1, 1, "needs NAME or ID=NAME");
	expect_error(f, "#!defenv X=\n", 1, 1, "bad name 'X='");
	expect_error(f, "#!defenv bad-name=HOME\n", 1, 1, "bad name");
	expect_error(f, "#!defenv A B\n", 1, 12, "unexpected 'B'");
}

static void test_subst(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("KSR_PP_TEST_PW", "s3cret", 1), 0);
	assert_int_equal(run(f, "before\n"
	                        "#!subst \"/DBPASSWD/xyz/\"\n"
	                        "#!subst \"/a(b+)c/<\\1>/g\"\n"
	                        "#!subst '|THEHOST|example.org|i'\n"
	                        "#!substdef \"/DBHOST/127.0.0.1/\"\n"
	                        "#!substdefs \"!DBUSER!kamailio!\"\n"
	                        "#!substdef \"/PW/$env(KSR_PP_TEST_PW)/\"\n"
	                        "#!subst \"/x\\\\/y/slash/\"\n"
	                        "#!subst \"/[.]cfg$/.conf/\"\n"
	                        "after\n"),
	                 0);
	expect_lines(f, "kbbbbbbbbk");
	/* a rule applies to the strings after its line only, in order */
	check_subst(f, 2, "mysql://u:DBPASSWD@h", NULL);
	check_subst(f, 3, "mysql://u:DBPASSWD@h", "mysql://u:xyz@h");
	check_subst(f, 3, "abbc", NULL);
	check_subst(f, 4, "abbc-abc-ac", "<bb>-<b>-ac");
	check_subst(f, 10, "thehost thehost", "example.org thehost"); /* i: any case, once */
	check_subst(f, 10, "DBUSER@DBHOST:PW", "kamailio@127.0.0.1:s3cret");
	check_subst(f, 10, "x/y", "slash");
	check_subst(f, 10, "a.cfg", "a.conf");
	check_subst(f, 10, "nothing to do", NULL);
	/* #!substdef defines the name too: bare, or quoted for #!substdefs */
	check_define(f, "DBHOST", "127.0.0.1");
	check_define(f, "DBUSER", "\"kamailio\"");
	check_define(f, "PW", "s3cret");

	/* rules belong to a run; defines stay */
	assert_int_equal(run(f, "x\n"), 0);
	check_subst(f, 10, "DBPASSWD", NULL);
	check_define(f, "DBHOST", "127.0.0.1");

	/* a regex that is no name makes no define */
	assert_int_equal(run(f, "#!substdef \"/a.b/c/\"\n"), 0);
	check_undefined(f, "a");
	/* s: '.' matches a newline too */
	assert_int_equal(run(f, "#!subst \"/a.b/X/\"\n#!subst \"/c.d/Y/s\"\n"), 0);
	check_subst(f, 3, "a\nb c\nd", "a\nb Y");

	expect_error(f, "\n#!subst\n", 2, 1, "#!subst needs one quoted");
	expect_error(f, "#!subst /a/b/\n", 1, 1, "needs one quoted");
	expect_error(f, "#!subst \"/a/b/\" x\n", 1, 1, "needs one quoted");
	expect_error(f, "#!subst \"/a/b/\n", 1, 1, "needs one quoted");
	expect_error(f, "#!subst \"/a/b\"\n", 1, 1, "no '/' after the replacement");
	expect_error(f, "#!subst \"/ab\"\n", 1, 1, "no '/' after the regular expression");
	expect_error(f, "#!subst \"/a/b/q\"\n", 1, 1, "unknown flag 'q'");
	expect_error(f, "#!subst \"/a(/b/\"\n", 1, 1, "bad regular expression 'a('");
	expect_error(f, "#!subst \"/a\"\n", 1, 1, "too short");
	expect_error(f, "#!substdef \"/DBHOST/x/\"\n", 1, 1, "'DBHOST' is already defined");
}

static void test_core_defines(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ksr_pp_define_core(f->pp, "5.0.0", "linux"), 0);
	check_define(f, "KAMAILIO_5", "");
	check_define(f, "KAMAILIO_5_0", "");
	check_define(f, "KAMAILIO_5_0_0", "");
	check_define(f, "KAMAILIO_VERSION", "5000000");
	check_define(f, "OS_NAME", "linux");
	check_define(f, "OS_linux", "");
	check_undefined(f, "KAMAILIO");
	assert_int_equal(run(f, "#!ifexp KAMAILIO_VERSION >= 5000000 && OS_NAME == \"linux\"\n"
	                        "new_enough\n"
	                        "#!endif\n"
	                        "#!ifexp KAMAILIO_VERSION >= 5001000\n"
	                        "too_new\n"
	                        "#!endif\n"),
	                 0);
	expect_lines(f, "bkbbbb");
	assert_int_equal(ksr_pp_define_core(f->pp, "5.12.3", "gnu/kfreebsd"), 0);
	check_define(f, "KAMAILIO_VERSION", "5012003");
	check_define(f, "KAMAILIO_5_12_3", "");
	check_define(f, "OS_gnu_kfreebsd", "");
	assert_int_equal(ksr_pp_define_core(f->pp, "x", "linux"), -EINVAL);
}

static void test_module_defines(void **state)
{
	struct fixture *f = *state;

	/* MOD_<name> from the loadmodule lines passed so far, as upstream */
	assert_int_equal(run(f, "#!ifdef MOD_sl\n"
	                        "early\n"
	                        "#!endif\n"
	                        "loadmodule \"sl.so\"\n"
	                        "#!ifdef MOD_sl\n"
	                        "late\n"
	                        "#!endif\n"
	                        "loadmodule \"/usr/lib/kamailio/modules/tm.so\" # comment\n"
	                        "loadmodule(\"xlog\")\n"
	                        "  loadmodule 'rr.so'; loadmodule \"pv.so\"\n"
	                        "#!define DBMOD \"db_sqlite.so\"\n"
	                        "loadmodule DBMOD\n"
	                        "x = \"loadmodule \\\"not.so\\\"\" # loadmodule \"nor.so\"\n"
	                        "#!ifdef NOPE\n"
	                        "loadmodule \"hidden.so\"\n"
	                        "#!endif\n"
	                        "#!ifexp MOD_tm && MOD_xlog && !MOD_hidden\n"
	                        "all\n"
	                        "#!endif\n"),
	                 0);
	expect_lines(f, "bbbkbkbkkkbkkbbbbkb");
	check_define(f, "MOD_sl", "");
	check_define(f, "MOD_tm", "");
	check_define(f, "MOD_xlog", "");
	check_define(f, "MOD_rr", "");
	check_define(f, "MOD_pv", "");
	check_define(f, "MOD_db_sqlite", "");
	check_undefined(f, "MOD_not");
	check_undefined(f, "MOD_nor");
	check_undefined(f, "MOD_hidden");
	/* loading a module twice is the loader's business, not an error here */
	assert_int_equal(run(f, "loadmodule \"sl.so\"\nloadmodule \"sl.so\"\n"), 0);
	/* the module name goes through #!subst as any string does */
	assert_int_equal(run(f, "#!subst \"/MYMOD/acc/\"\nloadmodule \"MYMOD.so\"\n"), 0);
	check_define(f, "MOD_acc", "");
}

static void test_include(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *file;
		int line;
		const char *text;
	} want[] = {
		{"pp/main.cfg", 1, ""},
		{"pp/main.cfg", 2, ""},
		{"pp/sub/first.cfg", 1, "first_line"},
		{"pp/sub/first.cfg", 2, ""},
		{"pp/sub/second.cfg", 1, "second_line"},
		{"pp/sub/first.cfg", 3, ""},
		{"pp/sub/first.cfg", 4, "first_last"},
		{"pp/main.cfg", 3, ""},
		{"pp/main.cfg", 4, ""},
		{"pp/main.cfg", 5, "after_first FIRST"},
		{"pp/main.cfg", 6, ""},
		{"pp/main.cfg", 7, ""}, /* import_file of a missing file: nothing */
		{"pp/sub/opt.cfg", 1, "optional"},
		{"pp/main.cfg", 8, ""},
		{"pp/main.cfg", 9, "last line"},
	};
	const char *file;
	int n = (int)(sizeof(want) / sizeof(want[0])), line;

	ksr_pp_keep_print(f->pp, true);
	if (load(f, "main.cfg") != 0)
		fail_msg("%s:%d: %s", f->err.pos.file, f->err.pos.line, f->err.msg);
	assert_int_equal(count_char(f->out, '\n'), n);
	for (int i = 0; i < n; i++) {
		const char *got = out_line(f, i + 1);
		size_t k = strspn(got, " ");

		check_map(f, i + 1, want[i].file, want[i].line);
		if (want[i].text[0] ? strcmp(got, want[i].text) != 0 : got[k] != '\0')
			fail_msg("output line %d is '%s', expected '%s'", i + 1, got, want[i].text);
	}
	/* the lexer's end of file is after the last line of the main file */
	check_map(f, n + 1, "pp/main.cfg", 10);
	check_define(f, "FIRST", "yes");
	/* --cfg-print, as the reference daemon prints it */
	assert_string_equal(ksr_pp_print_text(f->pp, NULL), "#!KAMAILIO\n"
	                                                    "#!define MAIN 1\n"
	                                                    "first_line\n"
	                                                    "#!define FIRST yes\n"
	                                                    "second_line\n"
	                                                    "\n"
	                                                    "first_last\n"
	                                                    "\n"
	                                                    "after_first FIRST\n"
	                                                    "\n"
	                                                    "optional\n"
	                                                    "last line\n");
	/* the file names outlive the preprocessor: positions keep pointing at them */
	assert_int_equal(ksr_pp_map_pos(f->pp, 5, &file, &line), 0);
	ksr_pp_free(f->pp);
	f->pp = ksr_pp_new();
	assert_non_null(f->pp);
	assert_non_null(strstr(file, "second.cfg"));
	assert_int_equal(ksr_pp_map_pos(f->pp, 1, &file, &line), -ENOENT);
	assert_null(ksr_pp_text(f->pp, NULL));
	assert_null(ksr_pp_print_text(f->pp, NULL));
}

static void test_include_errors(void **state)
{
	struct fixture *f = *state;

	/* an error inside an included file names that file and its line */
	assert_int_equal(load(f, "bad_main.cfg"), -EINVAL);
	check_error(f, "pp/sub/bad.cfg", 3, 1, "#!else without");
	/* a missing include_file names the including line */
	assert_int_equal(load(f, "missing_main.cfg"), -EINVAL);
	check_error(f, "pp/missing_main.cfg", 3, 3, "include_file 'no/such/file.cfg'");
	assert_non_null(strstr(f->err.msg, "No such file"));
	assert_int_equal(load(f, "loop_a.cfg"), -EINVAL);
	check_error(f, "pp/loop_b.cfg", 2, 1, "include loop");
	assert_int_equal(load(f, "no_such_main.cfg"), -EINVAL);
	check_error(f, "no_such_main.cfg", 0, 0, "cannot open");

	expect_error(f, "include_file\n", 1, 1, "include_file needs a file name in quotes");
	expect_error(f, "x\n#!import_file sub/a.cfg\n", 2, 1, "needs a file name in quotes");
	expect_error(f, "include_file \"a.cfg\n", 1, 1, "unterminated file name");
	expect_error(f, "include_file \"\"\n", 1, 1, "needs a file name");
	expect_error(f, "include_file \"a.cfg\" junk\n", 1, 22, "unexpected 'junk'");
	expect_error(f, "include_file \"/\"\n", 1, 1, "not a regular file");
	/* a missing import_file is skipped, a trailing ';' or comment is fine */
	assert_int_equal(run(f, "import_file \"/no/such.cfg\"; # optional\n!!import_file 'x'\n"), 0);
	expect_lines(f, "bb");
	/* "include_file" must be the whole first word */
	assert_int_equal(run(f, "include_files = 1\n"), 0);
	expect_lines(f, "k");
}

/* Includes in a scratch directory: lookup order, depth, paths. */
static void test_include_paths(void **state)
{
	struct fixture *f = *state;
	char tmpl[] = "/tmp/ksr_pp_XXXXXX", old[PATH_MAX], path[PATH_MAX + 64];
	char *dir = mkdtemp(tmpl);
	const char *file;
	int line;
	FILE *fp;

	assert_non_null(dir);
	assert_non_null(getcwd(old, sizeof(old)));
	snprintf(path, sizeof(path), "%s/conf", dir);
	assert_int_equal(mkdir(path, 0700), 0);
#define WRITE(name, text)                                      \
	do {                                                   \
		snprintf(path, sizeof(path), "%s/%s", dir, name); \
		fp = fopen(path, "w");                         \
		assert_non_null(fp);                           \
		fputs(text, fp);                               \
		fclose(fp);                                    \
	} while (0)
	WRITE("conf/main.cfg", "include_file \"inc.cfg\"\n");
	WRITE("conf/inc.cfg", "from_conf_dir\n");
	WRITE("inc.cfg", "from_cwd\n");
	/* the current directory first, then the including file's, as upstream */
	assert_int_equal(chdir(dir), 0);
	snprintf(path, sizeof(path), "%s/conf/main.cfg", dir);
	assert_int_equal(ksr_pp_load(f->pp, path, &f->err), 0);
	keep_output(f);
	assert_string_equal(out_line(f, 1), "from_cwd");
	assert_int_equal(ksr_pp_map_pos(f->pp, 1, &file, &line), 0);
	assert_string_equal(file, "inc.cfg");
	snprintf(path, sizeof(path), "%s/inc.cfg", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/conf/main.cfg", dir);
	assert_int_equal(ksr_pp_load(f->pp, path, &f->err), 0);
	keep_output(f);
	assert_string_equal(out_line(f, 1), "from_conf_dir");
	check_map(f, 1, "conf/inc.cfg", 1);
	/* a relative main file works the same */
	assert_int_equal(ksr_pp_load(f->pp, "conf/main.cfg", &f->err), 0);
	keep_output(f);
	check_map(f, 1, "conf/inc.cfg", 1);
	/* an absolute path is taken as is */
	snprintf(path, sizeof(path), "include_file \"%s/conf/inc.cfg\"\n", dir);
	assert_int_equal(run(f, path), 0);
	assert_string_equal(out_line(f, 1), "from_conf_dir");

	/* KSR_PP_MAX_INCLUDE_DEPTH files below the main one, not more */
	for (int i = 0; i <= KSR_PP_MAX_INCLUDE_DEPTH + 1; i++) {
		char name[32], text[64];

		snprintf(name, sizeof(name), "conf/d%d.cfg", i);
		snprintf(text, sizeof(text), "line%d\ninclude_file \"d%d.cfg\"\n", i, i + 1);
		WRITE(name, text);
	}
	WRITE("conf/d10.cfg", "bottom\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/d0.cfg", &f->err), 0);
	keep_output(f);
	assert_string_equal(out_line(f, 11), "bottom");
	check_map(f, 11, "conf/d10.cfg", 1);
	WRITE("conf/d10.cfg", "include_file \"d11.cfg\"\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/d0.cfg", &f->err), -EINVAL);
	check_error(f, "conf/d10.cfg", 1, 1, "more than 10 deep");
	/* the same file twice in a row is no loop */
	WRITE("conf/twice.cfg", "include_file \"inc.cfg\"\ninclude_file \"inc.cfg\"\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/twice.cfg", &f->err), 0);
	keep_output(f);
	assert_int_equal(count_char(f->out, '\n'), 4);
	/* a file that includes itself */
	WRITE("conf/self.cfg", "\n#!include_file \"self.cfg\"\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/self.cfg", &f->err), -EINVAL);
	check_error(f, "conf/self.cfg", 2, 1, "include loop");
	/* the included file name goes through #!subst */
	WRITE("conf/subst.cfg", "#!subst \"/NAME/inc/\"\ninclude_file \"NAME.cfg\"\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/subst.cfg", &f->err), 0);
	keep_output(f);
	assert_string_equal(out_line(f, 2), "from_conf_dir");
	/* an included file without a final newline still ends its line */
	WRITE("conf/nonl.cfg", "no_newline");
	WRITE("conf/nl_main.cfg", "include_file \"nonl.cfg\"\nnext\n");
	assert_int_equal(ksr_pp_load(f->pp, "conf/nl_main.cfg", &f->err), 0);
	keep_output(f);
	assert_string_equal(f->out, "no_newline\n                       \nnext\n");
#undef WRITE
	assert_int_equal(chdir(old), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* The conditional stack spans files, as upstream's does. */
static void test_include_conditionals(void **state)
{
	struct fixture *f = *state;
	char tmpl[] = "/tmp/ksr_pp_XXXXXX", path[PATH_MAX + 64], text[PATH_MAX + 128];
	char *dir = mkdtemp(tmpl);
	FILE *fp;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/open.cfg", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("x\n#!ifdef NOPE\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text), "include_file \"%s\"\nhidden\n#!endif\nshown\n", path);
	assert_int_equal(run(f, text), 0);
	assert_string_equal(out_line(f, 1), "x");
	assert_string_equal(out_line(f, 6), "shown");
	assert_null(strstr(f->out, "hidden"));
	/* never closed: the error names the included file's line */
	snprintf(text, sizeof(text), "include_file \"%s\"\n", path);
	assert_int_equal(run(f, text), -EINVAL);
	check_error(f, "open.cfg", 2, 1, "#!ifdef without #!endif");
	unlink(path);
	rmdir(dir);
}

static void test_print(void **state)
{
	struct fixture *f = *state;

	ksr_pp_keep_print(f->pp, true);
	assert_int_equal(run(f, "#!KAMAILIO\n"
	                        "#!define A 1\n"
	                        "#!define ML x \\\n"
	                        "  y\n"
	                        "#!ifdef A\n"
	                        "a_on A\n"
	                        "#!else\n"
	                        "a_off\n"
	                        "#!endif\n"
	                        "#!subst \"/x/y/\"\n"
	                        "/* #!ifdef B\n"
	                        "*/\n"
	                        "#!import_file \"/no/such.cfg\" # gone\n"
	                        "last"),
	                 0);
	assert_string_equal(ksr_pp_print_text(f->pp, NULL), "#!KAMAILIO\n"
	                                                    "#!define A 1\n"
	                                                    "#!define ML x \\\n"
	                                                    "  y\n"
	                                                    "a_on A\n"
	                                                    "#!subst \"/x/y/\"\n"
	                                                    "/* #!ifdef B\n"
	                                                    "*/\n"
	                                                    " # gone\n"
	                                                    "last");
	ksr_pp_keep_print(f->pp, false);
	assert_int_equal(run(f, "x\n"), 0);
	assert_null(ksr_pp_print_text(f->pp, NULL));
}

static void test_map(void **state)
{
	struct fixture *f = *state;
	const char *file;
	int line;

	assert_int_equal(ksr_pp_map_pos(f->pp, 1, &file, &line), -ENOENT);
	assert_int_equal(run(f, "a\n#!define X\nb\n"), 0);
	check_map(f, 1, "pp.cfg", 1);
	check_map(f, 3, "pp.cfg", 3);
	check_map(f, 4, "pp.cfg", 4);
	check_map(f, 0, "pp.cfg", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_define_values, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_define_multiline, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_define_arg, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ifdef_else, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_trydef_redefine_undef, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_markers, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unbalanced, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_block_comments, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_lines_preserved, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ifexp, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_defexp, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_defenv, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_subst, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_core_defines, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_module_defines, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_include, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_include_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_include_paths, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_include_conditionals, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_print, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_map, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
