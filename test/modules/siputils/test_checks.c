/*
 * Tests of src/modules/siputils/checks.c: the string checks and the comparisons of URIs
 * and header names. Expected values were compared with the reference daemon (Kamailio
 * 5.6.3) unless a comment says where and why this module differs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "su_test.h"

#define CALL1(t, f, a) sut_call((t), (f), 1, (a), NULL, NULL)
#define CALL2(t, f, a, b) sut_call((t), (f), 2, (a), (b), NULL)

static void test_is_e164(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "is_e164", "+12"), 1);
	assert_int_equal(CALL1(t, "is_e164", "+0123"), 1);
	assert_int_equal(CALL1(t, "is_e164", "+123456789012345"), 1);
	assert_int_equal(CALL1(t, "is_e164", "+1234567890123456"), -1); /* 16 digits */
	assert_int_equal(CALL1(t, "is_e164", "+1"), -1);
	assert_int_equal(CALL1(t, "is_e164", "+"), -1);
	assert_int_equal(CALL1(t, "is_e164", ""), -1);
	assert_int_equal(CALL1(t, "is_e164", "1234"), -1);
	assert_int_equal(CALL1(t, "is_e164", "+12a34"), -1);
	assert_int_equal(CALL1(t, "is_e164", "+12.34"), -1);
	assert_int_equal(CALL1(t, "is_e164", "sip:+1234567@example.com"), -1);
}

static void test_is_uri_user_e164(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+1234567@example.com"), 1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sips:+1234567@example.com"), 1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+12@example.com;user=phone"), 1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+123@example.com;x=1?h=2"), 1);
	/* as upstream: the userinfo with a password is no number */
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+1234567:pw@example.com"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+1@example.com"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:+1234567890123456@example.com"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "tel:+1234567"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "sip:example.com"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", "+1234567"), -1);
	assert_int_equal(CALL1(t, "is_uri_user_e164", ""), -1);
}

static void test_is_uri(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "is_uri", "sip:a@b"), 1);
	assert_int_equal(CALL1(t, "is_uri", "sips:+1234567:pw@example.com"), 1);
	assert_int_equal(CALL1(t, "is_uri", "sip:[::1]:5060"), 1);
	assert_int_equal(CALL1(t, "is_uri", "tel:+1-234"), 1);
	assert_int_equal(CALL1(t, "is_uri", "urn:service:sos"), 1);
	assert_int_equal(CALL1(t, "is_uri", "foo:bar"), -1);
	assert_int_equal(CALL1(t, "is_uri", "sip:"), -1);
	assert_int_equal(CALL1(t, "is_uri", "sip:a@b@c"), -1);
	assert_int_equal(CALL1(t, "is_uri", "<sip:a@b>"), -1);
	assert_int_equal(CALL1(t, "is_uri", " sip:a@b"), -1);
	assert_int_equal(CALL1(t, "is_uri", "sip:a@b "), -1);
	assert_int_equal(CALL1(t, "is_uri", "1234"), -1);
	assert_int_equal(CALL1(t, "is_uri", ""), -1);
}

static void test_is_tel_number(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "is_tel_number", "+1"), 1);
	assert_int_equal(CALL1(t, "is_tel_number", "+10"), 1);
	assert_int_equal(CALL1(t, "is_tel_number", "+1234567890123456"), 1); /* no length limit */
	assert_int_equal(CALL1(t, "is_tel_number", "1234"), 1);
	assert_int_equal(CALL1(t, "is_tel_number", "0123"), 1);
	assert_int_equal(CALL1(t, "is_tel_number", "0"), 1);
	assert_int_equal(CALL1(t, "is_tel_number", "+0"), -2);
	assert_int_equal(CALL1(t, "is_tel_number", "+0123"), -2);
	assert_int_equal(CALL1(t, "is_tel_number", "+"), -2);
	assert_int_equal(CALL1(t, "is_tel_number", ""), -2);
	assert_int_equal(CALL1(t, "is_tel_number", "12 34"), -2);
	assert_int_equal(CALL1(t, "is_tel_number", "+12a34"), -2);
}

static void test_is_numeric_alphanum(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "is_numeric", "12345"), 1);
	assert_int_equal(CALL1(t, "is_numeric", "0"), 1);
	assert_int_equal(CALL1(t, "is_numeric", ""), -2);
	assert_int_equal(CALL1(t, "is_numeric", "+1"), -2);
	assert_int_equal(CALL1(t, "is_numeric", "12 34"), -2);

	assert_int_equal(CALL1(t, "is_alphanum", "abcXYZ09"), 1);
	assert_int_equal(CALL1(t, "is_alphanum", "1234"), 1);
	assert_int_equal(CALL1(t, "is_alphanum", ""), -2);
	assert_int_equal(CALL1(t, "is_alphanum", "+1"), -3);
	assert_int_equal(CALL1(t, "is_alphanum", "a b"), -3);
	assert_int_equal(CALL1(t, "is_alphanum", "\xc3\xa9"), -3); /* é: not ASCII */

	assert_int_equal(CALL2(t, "is_alphanumex", "a.b-c_d+e", "+.-_"), 1);
	assert_int_equal(CALL2(t, "is_alphanumex", "+", "+.-_"), 1);
	assert_int_equal(CALL2(t, "is_alphanumex", "abc", ""), 1);
	assert_int_equal(CALL2(t, "is_alphanumex", "", "+"), -2);
	assert_int_equal(CALL2(t, "is_alphanumex", "a b", "+.-_"), -3);
	assert_int_equal(CALL2(t, "is_alphanumex", "sip:+1@x", "+.-_"), -3);
}

static void test_cmp_uri(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@B", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;x=1", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;lr", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "tel:+123", "tel:+123"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b:5060", "sip:a@b:5060"), 1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:A@b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b:5060", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;x=1", "sip:a@b;x=2"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;user=phone", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;maddr=1.2.3.4", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;ttl=5", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;method=INVITE", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sips:a@b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a:pw@b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:b", "sip:a@b"), -1);
	/* RFC 3261 19.1.4, where upstream (1 for all three) does not follow it */
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b;transport=udp", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b?h=1", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:%61@b", "sip:a@b"), 1);
	/* not URIs */
	assert_int_equal(CALL2(t, "cmp_uri", "a@b", "sip:a@b"), -2);
	assert_int_equal(CALL2(t, "cmp_uri", "sip:a@b", "garbage"), -2);
	assert_int_equal(CALL2(t, "cmp_uri", "", ""), -2);
}

static void test_cmp_aor(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@b", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@B", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@b:5060", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@b;transport=udp;x=1", "sip:a@b;x=2"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sips:a@b", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a:pw@b", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@b?h=1", "sip:a@b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "tel:+123", "tel:+123"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:b", "sip:b"), 1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:A@b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:a@b:5070", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_aor", "sips:a@b:5061", "sips:a@b"), -1); /* 5060 default */
	assert_int_equal(CALL2(t, "cmp_aor", "sip:%61@b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_aor", "sip:b", "sip:a@b"), -1);
	assert_int_equal(CALL2(t, "cmp_aor", "tel:+123", "tel:+124"), -1);
	assert_int_equal(CALL2(t, "cmp_aor", "a@b", "sip:a@b"), -2);
	assert_int_equal(CALL2(t, "cmp_aor", "garbage", "garbage"), -2);
}

static void test_cmp_hdr_name(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "From", "from"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "From", "f"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "Via", "v"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "k", "Supported"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "X-Foo", "x-foo"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "Accept-Contact", "a"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", " To ", "t"), 1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "X-Foo", "X-Bar"), -1);
	/* upstream answers -2 here (the sign of a string comparison); false either way */
	assert_int_equal(CALL2(t, "cmp_hdr_name", "X-Foo", "X-Foo2"), -1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "From", "To"), -1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "a", "j"), -1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "From", "X-From"), -1);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "", ""), -2);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "From:", "From"), -2);
	assert_int_equal(CALL2(t, "cmp_hdr_name", "X Y", "X Y"), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_is_e164, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_uri_user_e164, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_uri, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_tel_number, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_numeric_alphanum, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_cmp_uri, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_cmp_aor, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_cmp_hdr_name, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
