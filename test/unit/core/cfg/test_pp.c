/* Tests of the config preprocessor (src/core/cfg/pp.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg/pp.h"

struct fixture {
	struct ksr_pp *pp;
	struct ksr_cfg_error err;
	char *out; /* the text after the preprocessor */
	char *in;  /* a copy of the input, to compare lines with */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pp = ksr_pp_new();
	assert_non_null(f->pp);
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

/* Run the preprocessor on text; the result stays in f->out. */
static int run(struct fixture *f, const char *text)
{
	free(f->out);
	free(f->in);
	f->in = strdup(text);
	f->out = strdup(text);
	assert_non_null(f->in);
	assert_non_null(f->out);
	memset(&f->err, 0, sizeof(f->err));
	return ksr_pp_run(f->pp, "pp.cfg", f->out, strlen(f->out), &f->err);
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
	assert_int_equal(v->len, strlen(value));
	assert_memory_equal(v->s, value, v->len);
}

static void check_undefined(struct fixture *f, const char *name)
{
	if (ksr_pp_lookup(f->pp, name, strlen(name)))
		fail_msg("'%s' is defined", name);
}

static void expect_error(struct fixture *f, const char *text, int line, int col,
                         const char *msg_part)
{
	assert_int_equal(run(f, text), -EINVAL);
	assert_string_equal(f->err.pos.file, "pp.cfg");
	if (f->err.pos.line != line)
		fail_msg("error '%s' at line %d, expected line %d", f->err.msg, f->err.pos.line,
		         line);
	if (col)
		assert_int_equal(f->err.pos.col, col);
	if (!strstr(f->err.msg, msg_part))
		fail_msg("error '%s' does not contain '%s'", f->err.msg, msg_part);
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
	                        "#!endif\n"
	                        "z\n"),
	                 0);
	expect_lines(f, "bbbbbbbbk");
	/* and directives there are not run */
	check_undefined(f, "HIDDEN");
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
	                        "#!endif\n"),
	                 0);
	check_define(f, "X", "third");
	check_define(f, "Y", "tried");
	check_define(f, "Z", "fresh");
	check_undefined(f, "GONE");
	expect_lines(f, "bbbbbbbbbbb");

	/* after #!undef the name can be defined again */
	assert_int_equal(run(f, "#!define X again\n"), -EINVAL);
	assert_int_equal(run(f, "#!undef X\n#!define X again\n"), 0);
	check_define(f, "X", "again");
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
	             "without #!endif");
	expect_error(f, "x\n#!ifndef A\ny\n", 2, 0, "without #!endif");
	expect_error(f, "x\ny\n#!else\n", 3, 1, "#!else without");
	expect_error(f, "x\n  #!endif\n", 2, 3, "#!endif without");
	expect_error(f, "#!ifdef A\n#!endif\n#!endif\n", 3, 1, "#!endif without");
	expect_error(f, "#!ifdef A\na\n#!else\nb\n#!else\nc\n#!endif\n", 5, 1, "second #!else");
	/* the second #!else message points back at its #!ifdef */
	assert_non_null(strstr(f->err.msg, "line 1"));
	expect_error(f, "\n\n#!ifdef\n#!endif\n", 3, 1, "needs a name");
	expect_error(f, "#!define\n", 1, 1, "needs a name");
	expect_error(f, "#!define bad-name 1\n", 1, 1, "bad name 'bad-name'");
	/* upstream directives not implemented yet are refused, not ignored */
	expect_error(f, "x\n #!include_file \"a.cfg\"\n", 2, 2, "'#!include_file' is not supported");
	expect_error(f, "#!substdef \"/a/b/\"\n", 1, 1, "'#!substdef' is not supported");
	/* any other #!word line is a comment, as upstream (a shebang, say) */
	assert_int_equal(run(f, "#!/usr/sbin/kamailio\n#!frobnicate A\nx\n"), 0);
}

static void test_block_comments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "/*\n"
	                        "#!define IN_COMMENT 1\n"
	                        "#!ifdef NOPE\n"
	                        "*/\n"
	                        "#!define AFTER 1\n"
	                        "x /* opened here\n"
	                        "#!else\n"
	                        "closed here */ y\n"
	                        "/* one line */\n"
	                        "#!define ONE_LINE 1\n"),
	                 0);
	check_undefined(f, "IN_COMMENT");
	check_define(f, "AFTER", "1");
	check_define(f, "ONE_LINE", "1");
	/* the commented directives are left for the lexer, which skips the comment */
	expect_lines(f, "kkkkbkkkkb");

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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_define_values, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_define_arg, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ifdef_else, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_trydef_redefine_undef, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_markers, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unbalanced, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_block_comments, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_lines_preserved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
