/*
 * xlog's functions through the real core logger: stderr is captured into a file; lines
 * for another syslog facility go to the syslog() double below. The module source is
 * compiled into this binary; a few pseudo-variable families stand in for the pv module.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"

/* --- syslog double (with _FORTIFY_SOURCE the call is __syslog_chk) --- */

static int syslog_pri = -1;
static char syslog_text[512];

static void syslog_record(int pri, const char *fmt, va_list ap)
{
	syslog_pri = pri;
	vsnprintf(syslog_text, sizeof(syslog_text), fmt, ap);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	syslog_record(pri, fmt, ap);
	va_end(ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	syslog_record(pri, fmt, ap);
	va_end(ap);
}

/* --- pseudo-variables: $rm, $si, and $tv(name) from a small table; gets are counted --- */

static int pv_gets;
static long tv_level = 2;

static int get_rm(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	pv_gets++;
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = msg->first.req.method};
	return 0;
}

static int get_si(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	pv_gets++;
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = KSR_STR_STATIC("192.0.2.7")};
	return 0;
}

static int tv_parse(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	return 0;
}

/* $tv(level): tv_level; $tv(str): the string "2"; anything else: null */
static int get_tv(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	pv_gets++;
	if (ksr_str_caseeq_cstr(&spec->name, "level"))
		*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = tv_level};
	else if (ksr_str_caseeq_cstr(&spec->name, "str"))
		*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = KSR_STR_STATIC("2")};
	else
		*ret = (struct ksr_val){.type = KSR_VAL_NULL};
	return 0;
}

static const struct ksr_pv_export test_pvs[] = {
	{.name = "rm", .get = get_rm},
	{.name = "si", .get = get_si},
	{.name = "tv", .get = get_tv, .parse_name = tv_parse, .flags = KSR_PV_NAME_REQUIRED},
	{0},
};

/* --- messages and calls --- */

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
};

static void load(struct fixture *f, const char *method)
{
	char text[512];
	int n = snprintf(text, sizeof(text),
			 "%s sip:bob@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK1\r\n"
			 "From: <sip:alice@example.com>;tag=a\r\n"
			 "To: <sip:bob@example.com>\r\n"
			 "Call-ID: c1\r\n"
			 "CSeq: 1 %s\r\n"
			 "Content-Length: 0\r\n\r\n",
			 method, method);

	free(f->buf);
	f->buf = strdup(text);
	assert_non_null(f->buf);
	ksr_arena_reset(&f->arena);
	memset(&f->msg, 0, sizeof(f->msg));
	assert_int_equal(ksr_msg_parse(&f->msg, f->buf, (size_t)n, &f->arena, NULL), 0);
	f->msg.arena = &f->arena;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ksr_arena_init(&f->arena, 4096);
	load(f, "OPTIONS");
	ksr_log_level = L_DBG;
	ksr_log_stderr = true;
	pv_gets = 0;
	*state = f;
	return 0;
}

static void set_param(const char *name, const char *s, long i);

static int teardown(void **state)
{
	struct fixture *f = *state;

	/* defaults back for the next test; destroy() frees what the fixups parsed */
	set_param("buf_size", NULL, 4096);
	set_param("prefix_mode", NULL, 0);
	set_param("prefix", "", 0);
	set_param("methods_filter", NULL, -1);
	ksr_module_exports.destroy();
	ksr_arena_destroy(&f->arena);
	free(f->buf);
	free(f);
	return 0;
}

/* modparam(): s for a string value, else i. 0 or the setter's error. */
static int try_param(const char *name, const char *s, long i)
{
	struct ksr_fparam v = {.type = s ? KSR_PT_STR : KSR_PT_INT, .i = i};
	const char *err = NULL;

	if (s)
		v.s = ksr_str_make((char *)s, strlen(s));
	for (const struct ksr_param_export *p = ksr_module_exports.params; p->name; p++) {
		if (strcmp(p->name, name) != 0)
			continue;
		if (p->type == KSR_MP_FUNC)
			return p->set(&v, &err);
		assert_int_equal(p->type, KSR_MP_INT);
		*(int *)p->target = (int)i;
		return 0;
	}
	fail_msg("no parameter %s", name);
	return -1;
}

static void set_param(const char *name, const char *s, long i)
{
	assert_int_equal(try_param(name, s, i), 0);
}

#define REFUSED -1000

/* Parameters as the compile step hands KSR_PT_RAW ones over: the text as written. */
static int call(struct fixture *f, const char *name, int n, const char *a, const char *b,
		const char *c)
{
	const char *in[3] = {a, b, c};
	const struct ksr_cmd_export *x = cmd_n(name, n);
	struct ksr_fparam p[KSR_MAX_PARAMS];
	const char *err = NULL;

	memset(p, 0, sizeof(p));
	for (int i = 0; i < n; i++) {
		assert_int_equal(x->params[i], KSR_PT_RAW);
		p[i].type = KSR_PT_STR;
		p[i].s = ksr_str_make((char *)in[i], strlen(in[i]));
	}
	if (x->fixup(p, n, &err) < 0) {
		assert_non_null(err);
		return REFUSED;
	}
	return x->func(&f->msg, p);
}

/* --- stderr capture --- */

static FILE *cap_file;
static int cap_saved = -1;
static char cap_text[4096];

static void cap_start(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	assert_non_null(cap_file);
	cap_saved = dup(2);
	assert_true(cap_saved >= 0);
	assert_true(dup2(fileno(cap_file), 2) >= 0);
}

static const char *cap_end(void)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(cap_saved, 2) >= 0);
	close(cap_saved);
	rewind(cap_file);
	n = fread(cap_text, 1, sizeof(cap_text) - 1, cap_file);
	cap_text[n] = '\0';
	fclose(cap_file);
	return cap_text;
}

/* Call and return what reached stderr; *ret_rc gets the function's result. */
static const char *run(struct fixture *f, int *ret_rc, const char *name, int n, const char *a,
		       const char *b, const char *c)
{
	int rc;

	cap_start();
	rc = call(f, name, n, a, b, c);
	if (ret_rc)
		*ret_rc = rc;
	return cap_end();
}

static void expect_line(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("stderr:\n%s\nwanted a line with: %s", out, want);
}

/* --- tests --- */

static void test_format_with_pvs(void **state)
{
	struct fixture *f = *state;
	int rc;
	const char *out = run(f, &rc, "xlog", 2, "L_INFO", "m=$rm s=$si $$5 100%s %d\n", NULL);

	assert_int_equal(rc, 1);
	/* through the core logger: its header, then the text as evaluated, '%' untouched */
	expect_line(out, "INFO: <script> [xlog]: m=OPTIONS s=192.0.2.7 $5 100%s %d\n");
}

static void test_default_level_and_helpers(void **state)
{
	static const struct {
		const char *fn, *want;
	} cases[] = {
		{"xlog", "ERROR: <script> [xlog]: t\n"},
		{"xdbg", "DEBUG: <script> [xdbg]: t\n"},
		{"xinfo", "INFO: <script> [xinfo]: t\n"},
		{"xnotice", "NOTICE: <script> [xnotice]: t\n"},
		{"xwarn", "WARNING: <script> [xwarn]: t\n"},
		{"xerr", "ERROR: <script> [xerr]: t\n"},
		{"xbug", "BUG: <script> [xbug]: t\n"},
		{"xcrit", "CRITICAL: <script> [xcrit]: t\n"},
		{"xalert", "ALERT: <script> [xalert]: t\n"},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		const char *out = run(f, &rc, cases[i].fn, 1, "t\n", NULL, NULL);

		assert_int_equal(rc, 1);
		expect_line(out, cases[i].want);
		assert_int_equal(cmd_n(cases[i].fn, 1)->route_types, KSR_ROUTE_ANY);
	}
}

static void test_level_names(void **state)
{
	static const struct {
		const char *level, *want;
	} ok[] = {
		{"L_ALERT", "ALERT:"}, {"L_BUG", "BUG:"}, {"L_CRIT", "CRITICAL:"},
		{"L_ERR", "ERROR:"}, {"L_WARN", "WARNING:"}, {"L_NOTICE", "NOTICE:"},
		{"L_INFO", "INFO:"}, {"L_DBG", "DEBUG:"},
		/* only the third letter counts, as upstream */
		{"L_E", "ERROR:"}, {"xxA", "ALERT:"},
	};
	static const char *const bad[] = {"LOG_ERR", "E", "L_", "l_err", "L_XYZ", ""};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;

		expect_line(run(f, &rc, "xlog", 2, ok[i].level, "t\n", NULL), ok[i].want);
		assert_int_equal(rc, 1);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (call(f, "xlog", 2, bad[i], "t\n", NULL) != REFUSED)
			fail_msg("level '%s' accepted", bad[i]);
}

static void test_level_from_variable(void **state)
{
	struct fixture *f = *state;
	int rc;

	tv_level = 1;
	expect_line(run(f, &rc, "xlog", 2, "$tv(level)", "v\n", NULL),
		    "NOTICE: <script> [xlog]: v\n");
	assert_int_equal(rc, 1);
	/* beyond the names: printed under the nearest one, when debug allows */
	tv_level = -12;
	expect_line(run(f, &rc, "xlog", 2, "$tv(level)", "v\n", NULL), "ALERT: <script> [xlog]: v");
	tv_level = 12;
	assert_string_equal(run(f, &rc, "xlog", 2, "$tv(level)", "v\n", NULL), "");
	assert_int_equal(rc, 1);
	/* a string is not a level, even "2" (upstream) */
	assert_null(strstr(run(f, &rc, "xlog", 2, "$tv(str)", "v\n", NULL), "<script>"));
	assert_int_equal(rc, -1);
	assert_null(strstr(run(f, &rc, "xlog", 2, "$tv(unset)", "v\n", NULL), "<script>"));
	assert_int_equal(rc, -1);
	/* one pseudo-variable, nothing after it */
	assert_int_equal(call(f, "xlog", 2, "$tv(level)x", "v\n", NULL), REFUSED);
	assert_int_equal(call(f, "xlog", 2, "$nosuchpv", "v\n", NULL), REFUSED);
	tv_level = 2;
}

static void test_filtered_line_is_not_evaluated(void **state)
{
	struct fixture *f = *state;
	int rc;

	ksr_log_level = L_WARN;
	assert_string_equal(run(f, &rc, "xinfo", 1, "$rm $si\n", NULL, NULL), "");
	assert_int_equal(rc, 1);
	assert_string_equal(run(f, &rc, "xdbg", 1, "$rm $si\n", NULL, NULL), "");
	assert_int_equal(pv_gets, 0);
	expect_line(run(f, &rc, "xwarn", 1, "$rm\n", NULL, NULL), "WARNING: <script> [xwarn]: OPTIONS");
	assert_int_equal(pv_gets, 1);
}

static void test_bad_format_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(call(f, "xlog", 1, "x $nosuchpv y", NULL, NULL), REFUSED);
	assert_int_equal(call(f, "xinfo", 1, "$(rm", NULL, NULL), REFUSED);
}

static void test_buf_size(void **state)
{
	struct fixture *f = *state;
	int rc;
	const char *out;

	set_param("buf_size", NULL, 32);
	/* upstream's buffer holds the text and a NUL: 31 bytes fit, 32 do not */
	expect_line(run(f, &rc, "xlog", 1, "0123456789012345678901234567890", NULL, NULL),
		    "ERROR: <script> [xlog]: 0123456789012345678901234567890");
	assert_int_equal(rc, 1);
	out = run(f, &rc, "xlog", 1, "01234567890123456789012345678901", NULL, NULL);
	assert_int_equal(rc, -1);
	assert_null(strstr(out, "<script>"));
	expect_line(out, "buf_size");
	assert_int_equal(try_param("buf_size", NULL, 0), -EINVAL);
	assert_int_equal(try_param("buf_size", "x", 0), -EINVAL);
	set_param("buf_size", "64", 0);
}

static void test_prefix(void **state)
{
	struct fixture *f = *state;
	int rc;

	set_param("prefix", "-x- ", 0);
	expect_line(run(f, &rc, "xerr", 1, "t\n", NULL, NULL), "ERROR: <script> [xerr]: -x- t\n");
	/* prefix_mode 1: a format, whichever parameter comes first */
	set_param("prefix_mode", NULL, 1);
	set_param("prefix", "[$rm] ", 0);
	expect_line(run(f, &rc, "xerr", 1, "t\n", NULL, NULL), "ERROR: <script> [xerr]: [OPTIONS] t\n");
	set_param("prefix", "$$ ", 0);
	expect_line(run(f, &rc, "xerr", 1, "t\n", NULL, NULL), "ERROR: <script> [xerr]: $ t\n");
	assert_int_equal(try_param("prefix", "$nosuchpv", 0), -EINVAL);
	assert_int_equal(try_param("prefix_mode", NULL, 2), -EINVAL);
	set_param("prefix_mode", NULL, 0);
	set_param("prefix", "$rm ", 0);
	expect_line(run(f, &rc, "xerr", 1, "t\n", NULL, NULL), "ERROR: <script> [xerr]: $rm t\n");
}

static void test_facility(void **state)
{
	struct fixture *f = *state;
	int rc;

	/* with log_stderror the facility does not matter */
	expect_line(run(f, &rc, "xlog", 3, "LOG_LOCAL3", "L_ERR", "to $rm\n"),
		    "ERROR: <script> [xlog]: to OPTIONS\n");
	/* to syslog: this line with its own facility */
	ksr_log_stderr = false;
	syslog_pri = -1;
	assert_string_equal(run(f, &rc, "xlog", 3, "LOG_LOCAL3", "L_WARN", "to $rm\n"), "");
	assert_int_equal(rc, 1);
	assert_int_equal(syslog_pri, LOG_LOCAL3 | LOG_WARNING);
	assert_string_equal(syslog_text, "WARNING: <script> [xlog]: to OPTIONS\n");
	/* log_facility: every xlog line */
	set_param("log_facility", "LOG_LOCAL5", 0);
	syslog_pri = -1;
	assert_string_equal(run(f, &rc, "xinfo", 1, "i\n", NULL, NULL), "");
	assert_int_equal(syslog_pri, LOG_LOCAL5 | LOG_INFO);
	assert_string_equal(syslog_text, "INFO: <script> [xinfo]: i\n");
	assert_int_equal(try_param("log_facility", "LOG_NOPE", 0), -EINVAL);
	ksr_log_stderr = true;
	assert_int_equal(call(f, "xlog", 3, "LOG_LOCAL9", "L_ERR", "x"), REFUSED);
	assert_int_equal(call(f, "xlog", 3, "LOG_LOCAL0", "LOG_ERR", "x"), REFUSED);
	assert_int_equal(call(f, "xlog", 3, "LOG_LOCAL0", "L_ERR", "$nosuchpv"), REFUSED);
}

static void test_xlogm(void **state)
{
	struct fixture *f = *state;
	int rc;

	/* methods_filter -1 (default): every method is skipped */
	assert_string_equal(run(f, &rc, "xlogm", 2, "L_ERR", "m\n", NULL), "");
	assert_int_equal(rc, 1);
	set_param("methods_filter", NULL, KSR_METHOD_OPTIONS);
	assert_string_equal(run(f, &rc, "xlogm", 2, "L_ERR", "m\n", NULL), "");
	load(f, "INVITE");
	expect_line(run(f, &rc, "xlogm", 2, "L_ERR", "m $rm\n", NULL), "ERROR: <script> [xlogm]: m INVITE\n");
	set_param("methods_filter", NULL, 0);
	load(f, "OPTIONS");
	expect_line(run(f, &rc, "xlogm", 2, "L_INFO", "m\n", NULL), "INFO: <script> [xlogm]: m\n");
}

static void test_log_colors_checked(void **state)
{
	assert_int_equal(try_param("log_colors", "L_ERR=cr", 0), 0);
	assert_int_equal(try_param("log_colors", "L_ERR=cr;L_WARN=px", 0), 0);
	assert_int_equal(try_param("log_colors", "L_ERR", 0), -EINVAL);
	assert_int_equal(try_param("log_colors", "L_ERR=c", 0), -EINVAL);
	assert_int_equal(try_param("log_colors", "LOUD=cr", 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format_with_pvs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_level_and_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_from_variable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filtered_line_is_not_evaluated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_format_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buf_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_facility, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xlogm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_colors_checked, setup, teardown),
	};

	if (ksr_pv_register(test_pvs) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
