/*
 * acc's log record and parameter checks, with the module's sources linked in: the line
 * against a syslog() double (facility, level, text), the time_mode attributes, a line
 * longer than the core's logger carries, the debug level, the comment's code, and the
 * modparam setters' refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "acc.h"
#include "module_test.h"

static int last_prio = -1;
static char last_text[2048];
static int nsyslog;

/* the double: what the module sends to syslog */
void syslog(int priority, const char *format, ...)
{
	va_list ap;

	last_prio = priority;
	nsyslog++;
	va_start(ap, format);
	vsnprintf(last_text, sizeof(last_text), format, ap);
	va_end(ap);
}

static const char invite[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKx1\r\n"
                             "From: <sip:alice@example.org>;tag=ft1\r\n"
                             "To: <sip:bob@example.com>\r\n"
                             "Call-ID: c1@host\r\n"
                             "CSeq: 7 INVITE\r\n"
                             "Content-Length: 0\r\n\r\n";

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char buf[sizeof(invite)];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	ksr_arena_init(&f->arena, 4096);
	memcpy(f->buf, invite, sizeof(invite));
	assert_int_equal(ksr_msg_parse(&f->msg, f->buf, sizeof(invite) - 1, &f->arena, NULL), 0);
	ksr_log_stderr = false;
	ksr_log_level = L_INFO;
	acc_conf.log_level = L_NOTICE;
	acc_conf.log_facility = LOG_LOCAL3;
	acc_conf.time_mode = 0;
	acc_conf.log_extra = (struct acc_extras){0};
	nsyslog = 0;
	last_text[0] = '\0';
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	free(f);
	ksr_log_stderr = true;
	return 0;
}

static void rec_of(struct fixture *f, struct acc_rec *rec)
{
	assert_int_equal(acc_rec_init(rec, &f->msg, "transaction answered", KSR_STR_STATIC("tt9"),
	                              200, KSR_STR_STATIC("OK"), false),
	                 0);
	rec->tv.tv_sec = 1700000000;
	rec->tv.tv_usec = 250000;
}

static void test_line_to_syslog(void **state)
{
	struct fixture *f = *state;
	struct acc_rec rec;

	rec_of(f, &rec);
	assert_int_equal(acc_log_write(&f->msg, &rec), 0);
	assert_int_equal(nsyslog, 1);
	assert_int_equal(last_prio, LOG_LOCAL3 | LOG_NOTICE);
	assert_string_equal(last_text,
	                    "NOTICE: <acc> [acc_log_request]: ACC: transaction answered: "
	                    "timestamp=1700000000;method=INVITE;from_tag=ft1;to_tag=tt9;"
	                    "call_id=c1@host;code=200;reason=OK\n");
}

static void test_upstream_swaps_tags(void **state)
{
	struct fixture *f = *state;
	struct acc_rec rec;

	assert_int_equal(acc_rec_init(&rec, &f->msg, "call missed", KSR_STR_STATIC("tt9"), 486,
	                              KSR_STR_STATIC("Busy"), true),
	                 0);
	rec.tv.tv_sec = 1;
	assert_int_equal(acc_log_write(&f->msg, &rec), 0);
	assert_non_null(strstr(last_text, "ACC: call missed: timestamp=1;method=INVITE;"
	                                  "from_tag=tt9;to_tag=ft1;call_id=c1@host;code=486;"
	                                  "reason=Busy\n"));
}

static void test_time_modes(void **state)
{
	struct fixture *f = *state;
	struct acc_rec rec;

	rec_of(f, &rec);
	acc_conf.time_mode = 1;
	acc_log_write(&f->msg, &rec);
	assert_non_null(strstr(last_text, "timestamp=1700000000;time_exten=250000;method="));
	acc_conf.time_mode = 2;
	acc_log_write(&f->msg, &rec);
	assert_non_null(strstr(last_text, "timestamp=1700000000;time_attr=1700000000.250;method="));
	acc_conf.time_mode = 4;
	acc_log_write(&f->msg, &rec);
	assert_non_null(
	        strstr(last_text, "timestamp=1700000000;time_attr=2023-11-14 22:13:20;method="));
}

static void test_below_debug_level_nothing(void **state)
{
	struct fixture *f = *state;
	struct acc_rec rec;

	rec_of(f, &rec);
	acc_conf.log_level = L_DBG;
	assert_int_equal(acc_log_write(&f->msg, &rec), 0);
	assert_int_equal(nsyslog, 0);
}

/* Longer than the core's 1024-byte line: written whole to stderr, newline included. */
static void test_long_line_whole_on_stderr(void **state)
{
	struct fixture *f = *state;
	char reason[1500], out[4096];
	struct acc_rec rec;
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	memset(reason, 'r', sizeof(reason));
	rec_of(f, &rec);
	rec.reason = ksr_str_make(reason, sizeof(reason));
	ksr_log_stderr = true;
	fflush(stderr);
	dup2(fileno(tmp), 2);
	acc_log_write(&f->msg, &rec);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	assert_non_null(strstr(out, "NOTICE: <acc> [acc_log_request]: ACC: transaction answered:"));
	assert_non_null(strstr(out, ";reason=rrrr"));
	assert_true(n > sizeof(reason) + 100 && out[n - 1] == '\n' && out[n - 2] == 'r');
}

static void test_comment_code(void **state)
{
	struct acc_rec rec = {0};

	acc_rec_comment(&rec, KSR_STR_STATIC("404  Not here"));
	assert_int_equal(rec.code.len, 3);
	assert_memory_equal(rec.code.s, "404", 3);
	assert_int_equal(rec.reason.len, 8);
	assert_memory_equal(rec.reason.s, "Not here", 8);
	rec = (struct acc_rec){0};
	acc_rec_comment(&rec, KSR_STR_STATIC("40x nothing"));
	assert_int_equal(rec.code.len, 0);
	assert_int_equal(rec.reason.len, 11);
}

static int set(const char *name, struct ksr_fparam val, const char **err)
{
	for (const struct ksr_param_export *p = ksr_module_exports.params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->set(&val, err);
	fail_msg("no parameter %s", name);
	return -1;
}

static void test_param_refusals(void **state)
{
	const char *err = NULL;

	assert_int_equal(set("log_flag", int_param(31), &err), 0);
	assert_int_equal(acc_conf.log_flag, 31);
	assert_int_equal(set("log_flag", int_param(-1), &err), 0);
	assert_true(set("log_flag", int_param(32), &err) < 0);
	assert_true(set("db_missed_flag", str_param("x"), &err) < 0);
	assert_int_equal(set("failed_filter", str_param("404,407,600"), &err), 0);
	assert_int_equal(acc_conf.failed_filter[0], 404);
	assert_int_equal(acc_conf.failed_filter[2], 600);
	assert_int_equal(acc_conf.failed_filter[3], 0);
	assert_true(set("failed_filter", str_param("404,"), &err) < 0);
	assert_true(set("failed_filter", str_param("4040"), &err) < 0);
	assert_true(set("failed_filter", str_param("299"), &err) < 0);
	assert_int_equal(acc_conf.failed_filter[0], 404); /* untouched by a refusal */
	assert_int_equal(set("log_facility", str_param("LOG_LOCAL5"), &err), 0);
	assert_int_equal(acc_conf.log_facility, LOG_LOCAL5);
	assert_true(set("log_facility", str_param("LOCAL5"), &err) < 0);
	assert_int_equal(set("log_extra", str_param("a=$fU; b = $(hdr(X){s.select,1,;})"), &err),
	                 0);
	assert_true(set("log_extra", str_param("a=$fU;;b=$tU"), &err) < 0);
	assert_true(set("log_extra", str_param("a=fU"), &err) < 0);
	assert_true(set("time_mode", int_param(5), &err) < 0);
	assert_true(set("cdr_enable", int_param(1), &err) < 0);
	assert_int_equal(set("cdr_enable", int_param(0), &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_line_to_syslog, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_upstream_swaps_tags, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time_modes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_below_debug_level_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_long_line_whole_on_stderr, setup, teardown),
	        cmocka_unit_test(test_comment_code),
	        cmocka_unit_test(test_param_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
