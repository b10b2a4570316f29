/*
 * log_systemd's function against a journal double: the module source is linked with a
 * sd_journal_print() defined here, so the test needs no running journald.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <syslog.h>
#include <cmocka.h>

#include "core/module/module.h"

extern const struct ksr_module_exports ksr_module_exports;

static int last_prio = -1;
static char last_text[256];
static int journal_result;

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

int sd_journal_print(int priority, const char *format, ...)
{
	va_list ap;

	last_prio = priority;
	va_start(ap, format);
	vsnprintf(last_text, sizeof(last_text), format, ap);
	va_end(ap);
	return journal_result;
}

static const struct ksr_cmd_export *cmd(void)
{
	const struct ksr_cmd_export *c = ksr_module_exports.cmds;

	assert_string_equal(c->name, "sd_journal_print");
	return c;
}

static void set_params(struct ksr_fparam p[2], const char *level, const char *text)
{
	p[0] = (struct ksr_fparam){.type = KSR_PT_STR, .s = ksr_str_make((char *)level, strlen(level))};
	p[1] = (struct ksr_fparam){.type = KSR_PT_STR, .s = ksr_str_make((char *)text, strlen(text))};
}

static void test_prints_text_at_level(void **state)
{
	struct ksr_fparam p[2];
	const char *err = NULL;

	set_params(p, "LOG_WARNING", "R-URI is sip:a@b\n");
	assert_int_equal(cmd()->fixup(p, 2, &err), 0);
	journal_result = 0;
	assert_int_equal(cmd()->func(NULL, p), 1);
	assert_int_equal(last_prio, LOG_WARNING);
	assert_string_equal(last_text, "R-URI is sip:a@b\n");
}

static void test_every_level_name(void **state)
{
	static const char *const names[] = {"LOG_EMERG", "LOG_ALERT", "LOG_CRIT", "LOG_ERR",
					    "LOG_WARNING", "LOG_NOTICE", "LOG_INFO", "LOG_DEBUG"};
	struct ksr_fparam p[2];
	const char *err = NULL;

	for (int i = 0; i < 8; i++) {
		set_params(p, names[i], "x");
		assert_int_equal(cmd()->fixup(p, 2, &err), 0);
		assert_int_equal(p[0].i, i); /* syslog priorities 0..7 in this order */
	}
}

static void test_unknown_level_refused_at_load(void **state)
{
	struct ksr_fparam p[2];
	const char *err = NULL;

	set_params(p, "LOG_LOUD", "x");
	assert_int_equal(cmd()->fixup(p, 2, &err), -EINVAL);
	assert_non_null(err);
	assert_non_null(strstr(err, "LOG_INFO"));
}

static void test_journal_failure_is_false(void **state)
{
	struct ksr_fparam p[2];
	const char *err = NULL;

	set_params(p, "LOG_INFO", "x");
	assert_int_equal(cmd()->fixup(p, 2, &err), 0);
	journal_result = -ENOENT; /* no journal socket */
	assert_int_equal(cmd()->func(NULL, p), -1);
	journal_result = 0;
}

static void test_text_with_percent_is_not_a_format(void **state)
{
	struct ksr_fparam p[2];
	const char *err = NULL;

	set_params(p, "LOG_INFO", "100%s done %n");
	assert_int_equal(cmd()->fixup(p, 2, &err), 0);
	assert_int_equal(cmd()->func(NULL, p), 1);
	assert_string_equal(last_text, "100%s done %n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prints_text_at_level),
		cmocka_unit_test(test_every_level_name),
		cmocka_unit_test(test_unknown_level_refused_at_load),
		cmocka_unit_test(test_journal_failure_is_false),
		cmocka_unit_test(test_text_with_percent_is_not_a_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
