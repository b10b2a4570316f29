/* Tests of textopsx's header value functions (hf_value.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "msgs.h"
#include "tx_test.h"

#define XP "X-P: <sip:a@b;lr>;p1=1;p2=\"x y\", \"N\" <sip:c@d>;p2=3\n"
#define AUTH "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\"\n"
#define HF_HEAD OPT_L1 VIA FROM TO CID OPT_CSEQ
/* headers with values and parameters */
#define HF HF_HEAD SUP XFOO XP AUTH CL0 "\n"

static void test_remove_value(void **state)
{
	struct tx *t = *state;

	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[2]"), 1);
	tx_expect_built(t, HF_HEAD SUP "X-Foo: a, c\nX-Foo: d\n" XP AUTH CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo"), 1); /* the first */
	tx_expect_built(t, HF_HEAD SUP "X-Foo: b, c\nX-Foo: d\n" XP AUTH CL0 "\n");
	/* values count over every line of the name; the last value of a line takes its line */
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[3]"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[-1]"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[5]"), -1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "k[2]"), 1); /* compact name */
	tx_expect_built(t, HF_HEAD "Supported: path\nX-Foo: a, b\n" XP AUTH CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[*]"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-None[*]"), -1);
	tx_expect_built(t, HF_HEAD SUP XP AUTH CL0 "\n");
}

static void test_append_insert_value(void **state)
{
	struct tx *t = *state;

	tx_load(t, HF);
	assert_int_equal(tx_run(t, "append_hf_value", 2, "X-Foo[1]", "n1"), 1);
	assert_int_equal(tx_run(t, "append_hf_value", 2, "X-Foo[-1]", "n5"), 1);
	assert_int_equal(tx_run(t, "append_hf_value", 2, "X-Foo", "n3"), 1); /* a new header */
	assert_int_equal(tx_run(t, "append_hf_value", 2, "X-Foo[9]", "n9"), 1); /* the same */
	tx_expect_built(t, HF_HEAD SUP "X-Foo: a, n1, b, c\nX-Foo: d, n5\n" XP AUTH CL0
			"X-Foo: n3\nX-Foo: n9\n\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "insert_hf_value", 2, "X-Foo[2]", "n2"), 1);
	assert_int_equal(tx_run(t, "insert_hf_value", 2, "X-Foo", "n4"), 1); /* before the first */
	assert_int_equal(tx_run(t, "insert_hf_value", 2, "X-Bar", "v"), 1); /* none: at the end */
	assert_int_equal(tx_run(t, "insert_hf_value", 2, "X-Foo[9]", "x"), -1);
	assert_int_equal(tx_run_dyn(t, 2, "insert_hf_value", 2, "X-Foo[1]", "a\r\nb"), -1);
	tx_expect_built(t, HF_HEAD SUP "X-Foo: n4\nX-Foo: a, n2, b, c\nX-Foo: d\n" XP AUTH CL0
			"X-Bar: v\n\n");
}

static void test_assign_value_and_params(void **state)
{
	struct tx *t = *state;

	tx_load(t, HF);
	assert_int_equal(tx_run(t, "assign_hf_value", 2, "X-P", "new"), 1);
	tx_expect_built(t, HF_HEAD SUP XFOO "X-P: new, \"N\" <sip:c@d>;p2=3\n" AUTH CL0 "\n");
	/* parameters: after the URI, in the value's own parameters (;lr in <> is the URI's) */
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "assign_hf_value", 2, "X-P.p2", "9"), 1);
	assert_int_equal(tx_run(t, "assign_hf_value", 2, "X-P[2].p3", ""), 1);
	assert_int_equal(tx_run(t, "assign_hf_value", 2, "X-P[2].p4", "4"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-P[1].p1"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-P[1].lr"), -1);
	tx_expect_built(t, HF_HEAD SUP XFOO "X-P: <sip:a@b;lr>;p2=9, \"N\" <sip:c@d>;p2=3;p3;p4=4\n"
			AUTH CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "assign_hf_value", 2, "X-P[*].p2", "z"), 1);
	tx_expect_built(t, HF_HEAD SUP XFOO "X-P: <sip:a@b;lr>;p1=1;p2=z, \"N\" <sip:c@d>;p2=z\n"
			AUTH CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-P[*].p2"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-P[*].p9"), -1);
	tx_expect_built(t, HF_HEAD SUP XFOO "X-P: <sip:a@b;lr>;p1=1, \"N\" <sip:c@d>\n" AUTH CL0
			"\n");
}

static void test_value2(void **state)
{
	struct tx *t = *state;

	tx_load(t, HF);
	assert_int_equal(tx_run(t, "assign_hf_value2", 2, "Authorization.realm", "\"R2\""), 1);
	assert_int_equal(tx_run(t, "assign_hf_value2", 2, "Authorization.qop", "auth"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value2", 1, "Authorization.nonce"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value2", 1, "Authorization.cnonce"), -1);
	tx_expect_built(t, HF_HEAD SUP XFOO XP
			"Authorization: Digest username=\"u\", realm=\"R2\", qop=auth\n" CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "remove_hf_value2", 1, "Authorization.username"), 1);
	/* commas are not value separators here: the header is one value */
	assert_int_equal(tx_run(t, "assign_hf_value2", 2, "X-Foo[2]", "e, f"), 1);
	tx_expect_built(t, HF_HEAD SUP "X-Foo: a, b, c\nX-Foo: e, f\n" XP
			"Authorization: Digest realm=\"r\", nonce=\"n\"\n" CL0 "\n");
	tx_load(t, HF);
	assert_int_equal(tx_run(t, "assign_hf_value2", 2, "Authorization", "Basic abc"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value2", 1, "X-Foo[-1]"), 1);
	tx_expect_built(t, HF_HEAD SUP "X-Foo: a, b, c\n" XP "Authorization: Basic abc\n" CL0 "\n");
	tx_load(t, HF_HEAD "Authorization: Digest\n" CL0 "\n");
	assert_int_equal(tx_run(t, "assign_hf_value2", 2, "Authorization.realm", "r"), 1);
	tx_expect_built(t, HF_HEAD "Authorization: Digest realm=r\n" CL0 "\n");
}

static void test_sets(void **state)
{
	struct tx *t = *state;

	tx_load(t, HF);
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "Supported", "Path"), 1);
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "k", "100rel"), 1);
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "Supported", "timer"), -1);
	assert_int_equal(tx_run(t, "include_hf_value", 2, "Supported", "timer"), 1);
	assert_int_equal(tx_run(t, "include_hf_value", 2, "Supported", "PATH"), 1); /* there */
	assert_int_equal(tx_run(t, "include_hf_value", 2, "X-New", "v"), 1);
	assert_int_equal(tx_run(t, "exclude_hf_value", 2, "X-Foo", "A"), 1);
	assert_int_equal(tx_run(t, "exclude_hf_value", 2, "X-None", "a"), 1); /* as upstream */
	tx_expect_built(t, HF_HEAD "Supported: path, 100rel, timer\nX-Foo: b, c\nX-Foo: d\n" XP AUTH
			CL0 "X-New: v\n\n");
	/* several values of one line in one call */
	tx_load(t, HF_HEAD "X-M: x, y, x, z, x\nX-M: x\n" CL0 "\n");
	assert_int_equal(tx_run(t, "exclude_hf_value", 2, "X-M", "x"), 1);
	tx_expect_built(t, HF_HEAD "X-M: y, z\n" CL0 "\n");
}

static void test_specs_checked_at_load(void **state)
{
	assert_non_null(tx_fixup_fails("append_hf_value", 2, "X[*]", "v"));
	assert_non_null(tx_fixup_fails("append_hf_value", 2, "X.p", "v"));
	assert_non_null(tx_fixup_fails("insert_hf_value", 2, "X[*]", "v"));
	assert_non_null(tx_fixup_fails("assign_hf_value", 2, "X[*]", "v"));
	assert_non_null(tx_fixup_fails("include_hf_value", 2, "X[1]", "v"));
	assert_non_null(tx_fixup_fails("exclude_hf_value", 2, "X.p", "v"));
	assert_non_null(tx_fixup_fails("remove_hf_value", 1, "X["));
	assert_non_null(tx_fixup_fails("remove_hf_value", 1, "X[a]"));
	assert_non_null(tx_fixup_fails("remove_hf_value", 1, "X."));
	assert_non_null(tx_fixup_fails("remove_hf_value", 1, ""));
	assert_non_null(tx_fixup_fails("remove_hf_value", 1, "X junk"));
	assert_non_null(tx_fixup_fails("remove_hf_value2", 1, "X[1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_remove_value),
		TX_TEST(test_append_insert_value),
		TX_TEST(test_assign_value_and_params),
		TX_TEST(test_value2),
		TX_TEST(test_sets),
		TX_TEST(test_specs_checked_at_load),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
