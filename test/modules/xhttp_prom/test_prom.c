/*
 * xhttp_prom: the text format writer (prom_out.c), the user defined metrics as declared,
 * changed and printed (prom_metric.c), and the selection and naming of the core's
 * statistics (prom_stats.c), compared byte for byte with what a scrape must show.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/counters.h"
#include "prom.h"

static struct ksr_str S(const char *s) {
	return ksr_str_make((char *)s, strlen(s));
}

static int
setup(void **state)
{
	prom_metric_clear();
	ksr_counters_clear();
	return 0;
}

static void test_writer(void **state)
{
	struct prom_out o;

	prom_out_init(&o, 0);
	o.ts = 42;
	prom_put_name(&o, "kamailio_", "my-group", "a.b-c");
	prom_printf(&o, "{l=");
	prom_put_label_value(&o, "q\"b\\s\nx");
	prom_printf(&o, "} ");
	prom_put_double(&o, 5.2);
	prom_end_sample(&o);
	prom_put_double(&o, NAN);
	prom_printf(&o, " ");
	prom_put_double(&o, INFINITY);
	prom_printf(&o, " ");
	prom_put_double(&o, -INFINITY);
	prom_printf(&o, "\n");
	prom_put_family(&o, S("x"), "a\\b\nc", "gauge");
	assert_false(o.failed);
	assert_string_equal(o.s, "kamailio_my_group_a_b_c{l=\"q\\\"b\\\\s\\nx\"} 5.2 42\n"
	                         "NaN +Inf -Inf\n"
	                         "# HELP x a\\\\b\\nc\n# TYPE x gauge\n");
	prom_out_free(&o);

	/* past the limit the text fails, keeping what fitted */
	prom_out_init(&o, 10);
	prom_printf(&o, "0123456789");
	assert_false(o.failed);
	prom_printf(&o, "x");
	assert_true(o.failed);
	assert_int_equal(o.len, 10);
	prom_out_free(&o);

	assert_true(prom_valid_name("a_b:c9", false));
	assert_false(prom_valid_name("a_b:c9", true));
	assert_false(prom_valid_name("9a", false));
	assert_false(prom_valid_name("", true));
}

static void test_declare(void **state)
{
	const char *why = NULL;

	assert_int_equal(prom_metric_declare(PROM_COUNTER, "name=c1;", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_COUNTER, " name = c2 ; label=method:IP ", &why),
	                 0);
	assert_int_equal(prom_metric_declare(PROM_GAUGE, "name=g1; label=handler;", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_HISTOGRAM, "name=h1; buckets=3.1:5:6.5", &why),
	                 0);
	assert_int_equal(prom_metric_declare(PROM_HISTOGRAM, "name=h2", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_GAUGE, "name=c1", &why), -EEXIST);

	static const struct {
		enum prom_type t;
		const char *spec;
	} bad[] = {
	        {PROM_COUNTER, "label=a"},
	        {PROM_COUNTER, "name=1x"},
	        {PROM_COUNTER, "name=x y"},
	        {PROM_COUNTER, "name=x; label=a:b:c:d"},
	        {PROM_COUNTER, "name=x; label=a:"},
	        {PROM_COUNTER, "name=x; label=__a"},
	        {PROM_COUNTER, "name=x; label=a; label=b"},
	        {PROM_COUNTER, "name=x; buckets=1:2"},
	        {PROM_COUNTER, "name=x; color=red"},
	        {PROM_COUNTER, "name=x; nonsense"},
	        {PROM_HISTOGRAM, "name=x; label=le"},
	        {PROM_HISTOGRAM, "name=x; buckets=2:1"},
	        {PROM_HISTOGRAM, "name=x; buckets=1:x"},
	        {PROM_HISTOGRAM, "name=x; buckets=1:inf"},
	        {PROM_HISTOGRAM, "name=x; buckets="},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (prom_metric_declare(bad[i].t, bad[i].spec, &why) != -EINVAL)
			fail_msg("\"%s\" was accepted", bad[i].spec);
		assert_non_null(why);
	}
	assert_int_equal(prom_metric_check(PROM_COUNTER, S("c2"), 2, &why), 0);
	assert_int_equal(prom_metric_check(PROM_COUNTER, S("c2"), 1, &why), -EINVAL);
	assert_int_equal(prom_metric_check(PROM_GAUGE, S("c2"), 2, &why), -ENOENT);
	assert_int_equal(prom_metric_check(PROM_COUNTER, S("nope"), 0, &why), -ENOENT);
}

static void test_values(void **state)
{
	struct ksr_str l2[] = {S("push"), S("192.168.0.1")}, l1[] = {S("my \"h\"")};
	const char *why;
	struct prom_out o;

	assert_int_equal(prom_metric_declare(PROM_COUNTER, "name=cnt; label=method:IP", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_COUNTER, "name=unused", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_GAUGE, "name=gg; label=handler", &why), 0);
	assert_int_equal(prom_metric_declare(PROM_HISTOGRAM, "name=hh; buckets=1:2.5", &why), 0);

	assert_int_equal(prom_metric_update(PROM_COUNTER, S("cnt"), l2, 2, PROM_OP_ADD, 0, 10), 0);
	assert_int_equal(prom_metric_update(PROM_COUNTER, S("cnt"), l2, 2, PROM_OP_ADD, 0, 5), 0);
	assert_int_equal(prom_metric_update(PROM_COUNTER, S("cnt"), l2, 1, PROM_OP_ADD, 0, 5),
	                 -EINVAL);
	assert_int_equal(prom_metric_update(PROM_GAUGE, S("cnt"), l2, 2, PROM_OP_SET, 1, 0),
	                 -ENOENT);
	assert_int_equal(prom_metric_update(PROM_GAUGE, S("gg"), l1, 1, PROM_OP_SET, -12.5, 0), 0);
	assert_int_equal(
	        prom_metric_update(PROM_HISTOGRAM, S("hh"), NULL, 0, PROM_OP_OBSERVE, 2, 0), 0);
	assert_int_equal(
	        prom_metric_update(PROM_HISTOGRAM, S("hh"), NULL, 0, PROM_OP_OBSERVE, 0.5, 0), 0);
	assert_int_equal(
	        prom_metric_update(PROM_HISTOGRAM, S("hh"), NULL, 0, PROM_OP_OBSERVE, 7, 0), 0);

	prom_out_init(&o, 0);
	o.ts = 7;
	prom_metric_print(&o, "kamailio_", 60);
	assert_string_equal(o.s, "# HELP kamailio_cnt User defined counter\n"
	                         "# TYPE kamailio_cnt counter\n"
	                         "kamailio_cnt{method=\"push\",IP=\"192.168.0.1\"} 15 7\n"
	                         "# HELP kamailio_gg User defined gauge\n"
	                         "# TYPE kamailio_gg gauge\n"
	                         "kamailio_gg{handler=\"my \\\"h\\\"\"} -12.5 7\n"
	                         "# HELP kamailio_hh User defined histogram\n"
	                         "# TYPE kamailio_hh histogram\n"
	                         "kamailio_hh_bucket{le=\"1\"} 1 7\n"
	                         "kamailio_hh_bucket{le=\"2.5\"} 2 7\n"
	                         "kamailio_hh_bucket{le=\"+Inf\"} 3 7\n"
	                         "kamailio_hh_sum 9.5 7\n"
	                         "kamailio_hh_count 3 7\n");
	prom_out_free(&o);

	/* reset keeps the series at 0; no prefix */
	assert_int_equal(prom_metric_update(PROM_COUNTER, S("cnt"), l2, 2, PROM_OP_RESET, 0, 0), 0);
	prom_out_init(&o, 0);
	prom_metric_print(&o, "", 0);
	assert_non_null(strstr(o.s, "\ncnt{method=\"push\",IP=\"192.168.0.1\"} 0 0\n"));
	prom_out_free(&o);
}

static void test_stats(void **state)
{
	struct ksr_counter *c;
	const char *why = NULL;
	struct prom_out o;

	assert_int_equal(ksr_counter_register("sl", "200_replies", NULL, &c), 0);
	ksr_counter_add(c, 3);
	assert_int_equal(ksr_counter_register("sl", "1xx_replies", NULL, NULL), 0);
	assert_int_equal(ksr_counter_register("my-grp", "x-y", "Some\nthing", &c), 0);
	ksr_counter_add(c, -2);
	assert_int_equal(ksr_counter_register("tmx", "200_replies", NULL, NULL), 0);

	prom_out_init(&o, 0);
	o.ts = 1;
	assert_int_equal(prom_stats_print(&o, "kamailio_", "sl:"), 0);
	assert_string_equal(o.s, "\n# Kamailio statistics for group: sl:\n"
	                         "# HELP kamailio_sl_1xx_replies sl:1xx_replies\n"
	                         "# TYPE kamailio_sl_1xx_replies untyped\n"
	                         "kamailio_sl_1xx_replies 0 1\n"
	                         "# HELP kamailio_sl_200_replies sl:200_replies\n"
	                         "# TYPE kamailio_sl_200_replies untyped\n"
	                         "kamailio_sl_200_replies 3 1\n");
	prom_out_free(&o);

	/* by name: the first of that name; then what "all" adds is not shown twice */
	prom_out_init(&o, 0);
	o.ts = 1;
	assert_int_equal(prom_stats_print(&o, "p_", "200_replies, all"), 0);
	assert_string_equal(o.s, "\n# Kamailio statistics for: 200_replies\n"
	                         "# HELP p_sl_200_replies sl:200_replies\n"
	                         "# TYPE p_sl_200_replies untyped\n"
	                         "p_sl_200_replies 3 1\n"
	                         "\n# Kamailio whole internal statistics\n"
	                         "# HELP p_my_grp_x_y Some\\nthing\n"
	                         "# TYPE p_my_grp_x_y untyped\n"
	                         "p_my_grp_x_y -2 1\n"
	                         "# HELP p_sl_1xx_replies sl:1xx_replies\n"
	                         "# TYPE p_sl_1xx_replies untyped\n"
	                         "p_sl_1xx_replies 0 1\n"
	                         "# HELP p_tmx_200_replies tmx:200_replies\n"
	                         "# TYPE p_tmx_200_replies untyped\n"
	                         "p_tmx_200_replies 0 1\n");
	prom_out_free(&o);

	/* a name shown by its group already is not shown again, nor another of that name */
	prom_out_init(&o, 0);
	assert_int_equal(prom_stats_print(&o, "kamailio_", "sl: 200_replies"), 0);
	assert_null(strstr(o.s, "tmx"));
	assert_non_null(strstr(o.s, "\n# Kamailio statistics for: 200_replies\n"));
	assert_int_equal(strstr(o.s, "for: 200_replies\n")[strlen("for: 200_replies\n")], '\0');
	prom_out_free(&o);

	prom_out_init(&o, 0);
	assert_int_equal(prom_stats_print(&o, "kamailio_", ""), 0);
	assert_int_equal(o.len, 0);
	prom_out_free(&o);

	assert_int_equal(prom_stats_check("all sl: 1xx_replies", &why), 0);
	assert_int_equal(prom_stats_check("", &why), 0);
	assert_int_equal(prom_stats_check("nogroup:", &why), -ENOENT);
	assert_int_equal(prom_stats_check("sl: nostat", &why), -ENOENT);
	ksr_counters_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_writer, setup),
	        cmocka_unit_test_setup(test_declare, setup),
	        cmocka_unit_test_setup(test_values, setup),
	        cmocka_unit_test_setup(test_stats, setup),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	prom_metric_clear();
	return r;
}
