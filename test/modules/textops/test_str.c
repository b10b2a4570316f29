/* Tests of textops' string tests, is_method, is_privacy and regex_substring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "msgs.h"
#include "tx_test.h"

static void test_cmp(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	/* 1 equal, -1 the first is greater, -2 it is less (as upstream) */
	assert_int_equal(tx_run(t, "cmp_str", 2, "abc", "abc"), 1);
	assert_int_equal(tx_run(t, "cmp_str", 2, "abc", "abd"), -2);
	assert_int_equal(tx_run(t, "cmp_str", 2, "abd", "abc"), -1);
	assert_int_equal(tx_run(t, "cmp_str", 2, "ab", "abc"), -2);
	assert_int_equal(tx_run(t, "cmp_str", 2, "abc", "ABC"), -1);
	assert_int_equal(tx_run(t, "cmp_istr", 2, "abc", "ABC"), 1);
	assert_int_equal(tx_run(t, "cmp_istr", 2, "kamailio@YOU", "Kamailio@you"), 1);
	assert_int_equal(tx_run(t, "cmp_str", 2, "", ""), 1);
}

static void test_starts_ends_find(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "starts_with", 2, "+358123", "+358"), 1);
	assert_int_equal(tx_run(t, "starts_with", 2, "abcdef", "abd"), -2);
	assert_int_equal(tx_run(t, "starts_with", 2, "abcdef", "aaa"), -1);
	assert_int_equal(tx_run(t, "starts_with", 2, "ab", "abc"), -1);
	assert_int_equal(tx_run(t, "ends_with", 2, "abcdef", "ef"), 1);
	assert_int_equal(tx_run(t, "ends_with", 2, "abcdef", "xf"), -2);
	assert_int_equal(tx_run(t, "ends_with", 2, "ef", "abcdef"), -1);
	/* the position from 1 */
	assert_int_equal(tx_run(t, "str_find", 2, "abcdef", "cd"), 3);
	assert_int_equal(tx_run(t, "str_find", 2, "abcdef", "ab"), 1);
	assert_int_equal(tx_run(t, "str_find", 2, "abcdef", "CD"), -1);
	assert_int_equal(tx_run(t, "str_find", 2, "abcdef", ""), -1);
	assert_int_equal(tx_run(t, "str_ifind", 2, "abcdef", "CD"), 3);
	assert_int_equal(tx_run(t, "str_ifind", 2, "ab", "abc"), -1);
}

static void test_in_list(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "in_list", 3, "fi", "dk,fi,no,se", ","), 1);
	assert_int_equal(tx_run(t, "in_list", 3, "fi", " dk , fi ,no", ","), 1); /* trimmed */
	assert_int_equal(tx_run(t, "in_list", 3, "se", "dk,fi,no,se", ","), 1);
	assert_int_equal(tx_run(t, "in_list", 3, "f", "dk,fi", ","), -1);
	assert_int_equal(tx_run(t, "in_list", 3, "fi", "", ","), -1);
	assert_int_equal(tx_run(t, "in_list", 3, "", "dk,,fi", ","), -1);
	assert_int_equal(tx_run(t, "in_list", 3, "b", "a;b", ";"), 1);
	assert_int_equal(tx_run(t, "in_list_prefix", 3, "final", "dk, fi ,no", ","), 1);
	assert_int_equal(tx_run(t, "in_list_prefix", 3, "f", "dk, fi ,no", ","), -1);
	assert_non_null(tx_fixup_fails("in_list", 3, "a", "a", ",,"));
	assert_non_null(tx_fixup_fails("in_list", 3, "a", "a", ""));
}

static void test_is_method(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "is_method", 1, "INVITE"), 1);
	assert_int_equal(tx_run(t, "is_method", 1, "invite"), 1);
	assert_int_equal(tx_run(t, "is_method", 1, "OPTIONS|invite"), 1);
	assert_int_equal(tx_run(t, "is_method", 1, "BYE|CANCEL"), -1);
	assert_int_equal(tx_run(t, "is_method", 1, "KDMQ"), -1);
	tx_load(t, "KDMQ sip:x SIP/2.0\n" VIA "CSeq: 1 KDMQ\n" CL0 "\n");
	assert_int_equal(tx_run(t, "is_method", 1, "kdmq"), 1); /* other methods by name */
	assert_int_equal(tx_run(t, "is_method", 1, "INVITE|KDMQ"), 1);
	assert_int_equal(tx_run(t, "is_method", 1, "INVITE|KDMQX"), -1);
	/* a reply: the method of its CSeq */
	tx_load(t, RPL);
	assert_int_equal(tx_run(t, "is_method", 1, "INVITE"), 1);
	assert_int_equal(tx_run(t, "is_method", 1, "ACK"), -1);
	assert_non_null(tx_fixup_fails("is_method", 1, ""));
	assert_non_null(tx_fixup_fails("is_method", 1, "INVITE|"));
}

static void test_is_privacy(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT_L1 VIA CID OPT_CSEQ "Privacy: id; header\nPrivacy: user\n" CL0 "\n");
	assert_int_equal(tx_run(t, "is_privacy", 1, "id"), 1);
	assert_int_equal(tx_run(t, "is_privacy", 1, "header"), 1);
	assert_int_equal(tx_run(t, "is_privacy", 1, "user"), 1);
	assert_int_equal(tx_run(t, "is_privacy", 1, "session"), -1);
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "is_privacy", 1, "id"), -1);
	assert_non_null(tx_fixup_fails("is_privacy", 1, "nosuch"));
	assert_non_null(tx_fixup_fails("is_privacy", 1, "id;user"));
}

static void test_regex_substring(void **state)
{
	struct tx *t = *state;
	const char *text = "___ abc123def ___ ghi456 ___";

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "regex_substring", 5, text, "([a-z]*)([0-9]+)([a-z]*)", "1", "3",
				"$tst(w)"),
			 1);
	assert_string_equal(tx_written(), "abc");
	assert_int_equal(tx_run(t, "regex_substring", 5, text, "([a-z]*)([0-9]+)([a-z]*)", "0", "3",
				"$tst(w)"),
			 1);
	assert_string_equal(tx_written(), "abc123def");
	assert_int_equal(tx_run(t, "regex_substring", 5, text, "x([0-9])", "1", "2", "$tst(w)"),
			 -1);
	assert_int_equal(tx_run_dyn(t, 12, "regex_substring", 5, text, "[0-9]+", "5", "3",
				    "$tst(w)"),
			 -1);
	assert_non_null(tx_fixup_fails("regex_substring", 5, text, "(", "0", "1", "$tst(w)"));
	assert_non_null(tx_fixup_fails("regex_substring", 5, text, "a", "3", "3", "$tst(w)"));
	assert_non_null(tx_fixup_fails("regex_substring", 5, text, "a", "0", "1", "$tst"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_cmp),
		TX_TEST(test_starts_ends_find),
		TX_TEST(test_in_list),
		TX_TEST(test_is_method),
		TX_TEST(test_is_privacy),
		TX_TEST(test_regex_substring),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
