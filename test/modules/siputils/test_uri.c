/*
 * Tests of src/modules/siputils/uri.c: the Request-URI parameter functions, tel2sip and
 * set_uri_user/set_uri_host. Expected values follow the reference daemon (Kamailio 5.6.3)
 * except where a comment says why this module differs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "su_test.h"

#define CALL1(t, f, a) sut_call((t), (f), 1, (a), NULL, NULL)
#define CALL2(t, f, a, b) sut_call((t), (f), 2, (a), (b), NULL)
#define CALL3(t, f, a, b, c) sut_call((t), (f), 3, (a), (b), (c))

static void load_ruri(struct sut *t, const char *ruri)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "INVITE %s SIP/2.0\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	         "From: <sip:alice@example.com>;tag=f1\n"
	         "To: <sip:bob@example.com>\n"
	         "Call-ID: c1\n"
	         "CSeq: 1 INVITE\n"
	         "Content-Length: 0\n\n",
	         ruri);
	sut_load(t, buf);
}

static void set_ruri(struct sut *t, const char *ruri)
{
	assert_int_equal(ksr_msg_set_ruri(&t->msg, ksr_str_make((char *)ruri, strlen(ruri))), 0);
}

static void test_uri_param(void **state)
{
	struct sut *t = *state;

	load_ruri(t, "sip:bob@example.com;foo;bar=baz;Tr=X;e=");
	assert_int_equal(CALL1(t, "uri_param", "foo"), 1);
	assert_int_equal(CALL2(t, "uri_param", "foo", ""), 1);
	assert_int_equal(CALL1(t, "uri_param", "bar"), -1); /* has a value */
	assert_int_equal(CALL2(t, "uri_param", "bar", "baz"), 1);
	assert_int_equal(CALL2(t, "uri_param", "bar", "BAZ"), -1); /* values: case matters */
	assert_int_equal(CALL1(t, "uri_param", "e"), 1);           /* an empty value */
	assert_int_equal(CALL1(t, "uri_param", "nope"), -1);
	assert_int_equal(CALL1(t, "uri_param", "ba"), -1);
	/* names ignore case (RFC 3261 19.1.4); upstream's uri_param does not */
	assert_int_equal(CALL1(t, "uri_param", "FOO"), 1);
	assert_int_equal(CALL2(t, "uri_param", "tr", "X"), 1);
	assert_int_equal(CALL2(t, "uri_param", "tr", "x"), -1);

	assert_int_equal(CALL1(t, "uri_param_any", "foo"), 1);
	assert_int_equal(CALL1(t, "uri_param_any", "BAR"), 1);
	assert_int_equal(CALL1(t, "uri_param_any", "nope"), -1);

	/* the current R-URI counts, and every parameter of a name */
	set_ruri(t, "sip:x@h;p=1;p=2");
	assert_int_equal(CALL2(t, "uri_param", "p", "2"), 1);
	assert_int_equal(CALL2(t, "uri_param", "p", "3"), -1);
	set_ruri(t, "sip:x@h");
	assert_int_equal(CALL1(t, "uri_param_any", "p"), -1);
	set_ruri(t, "urn:service:sos");
	assert_int_equal(CALL1(t, "uri_param_any", "p"), -1);
}

static void test_get_uri_param(void **state)
{
	struct sut *t = *state;

	load_ruri(t, "sip:bob@example.com;foo;bar=baz;gr=urn:uuid:f81d4fae");
	assert_int_equal(CALL2(t, "get_uri_param", "bar", "$tv(g)"), 1);
	assert_string_equal(sut_tv_get("g"), "baz");
	assert_int_equal(CALL2(t, "get_uri_param", "GR", "$tv(g)"), 1);
	assert_string_equal(sut_tv_get("g"), "urn:uuid:f81d4fae");
	assert_int_equal(CALL2(t, "get_uri_param", "foo", "$tv(g)"), 1);
	assert_string_equal(sut_tv_get("g"), "");
	sut_tv_set("g", "unset");
	assert_int_equal(CALL2(t, "get_uri_param", "nope", "$tv(g)"), -1);
	assert_string_equal(sut_tv_get("g"), "unset");
	/* the output must be a writable pseudo-variable */
	assert_int_equal(CALL2(t, "get_uri_param", "bar", "tv"), -1000);
	assert_int_equal(CALL2(t, "get_uri_param", "bar", "$pcv(all)"), -1000);
	assert_int_equal(CALL2(t, "get_uri_param", "bar", "$tv(g) "), -1000);
}

static void test_add_uri_param(void **state)
{
	struct sut *t = *state;

	load_ruri(t, "sip:bob@example.com;foo");
	assert_int_equal(CALL1(t, "add_uri_param", "nat=yes"), 1);
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;foo;nat=yes");
	assert_int_equal(CALL2(t, "uri_param", "nat", "yes"), 1);
	assert_int_equal(CALL1(t, "add_uri_param", "flag"), 1);
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;foo;nat=yes;flag");
	assert_int_equal(CALL1(t, "add_uri_param", ""), 1); /* nothing to add */
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;foo;nat=yes;flag");
	assert_true(
	        strstr(sut_built(t), "INVITE sip:bob@example.com;foo;nat=yes;flag SIP/2.0\r\n"));

	set_ruri(t, "sip:x@h");
	assert_int_equal(CALL1(t, "add_uri_param", "a=1"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h;a=1");
	/* parameters go before the headers (upstream appends after them) */
	set_ruri(t, "sip:x@h;p=1?hd=1");
	assert_int_equal(CALL1(t, "add_uri_param", "a=1"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h;p=1;a=1?hd=1");
	set_ruri(t, "tel:+123");
	assert_int_equal(CALL1(t, "add_uri_param", "a=1"), 1);
	assert_string_equal(sut_ruri(t), "tel:+123;a=1");
	/* a parameter that would break the URI is refused, the R-URI stays */
	set_ruri(t, "sip:x@h");
	assert_int_equal(CALL1(t, "add_uri_param", "a b"), -1);
	assert_int_equal(CALL1(t, "add_uri_param", "=x"), -1);
	assert_string_equal(sut_ruri(t), "sip:x@h");
	set_ruri(t, "urn:service:sos");
	assert_int_equal(CALL1(t, "add_uri_param", "a=1"), -1);
}

static void test_uri_param_rm(void **state)
{
	struct sut *t = *state;

	load_ruri(t, "sip:bob@example.com;foo;bar=baz;Tr=X;user=phone");
	assert_int_equal(CALL1(t, "uri_param_rm", "bar"), 1);
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;foo;Tr=X;user=phone");
	assert_int_equal(CALL1(t, "uri_param_rm", "FOO"), 1);
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;Tr=X;user=phone");
	assert_int_equal(CALL1(t, "uri_param_rm", "nope"), 1); /* true, unchanged */
	assert_string_equal(sut_ruri(t), "sip:bob@example.com;Tr=X;user=phone");
	assert_int_equal(CALL1(t, "uri_param_rm", "user"), 1);
	assert_int_equal(CALL1(t, "uri_param_rm", "tr"), 1);
	assert_string_equal(sut_ruri(t), "sip:bob@example.com");

	set_ruri(t, "sip:x@h;p=1?hd=1");
	assert_int_equal(CALL1(t, "uri_param_rm", "p"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h?hd=1");
	set_ruri(t, "sip:x@h;p=1;q");
	assert_int_equal(CALL1(t, "uri_param_rm", "q"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h;p=1");
	/* every parameter of the name goes (upstream removes one of two) */
	set_ruri(t, "sip:x@h;p=1;q;p=2");
	assert_int_equal(CALL1(t, "uri_param_rm", "p"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h;q");
	set_ruri(t, "sip:x@h");
	assert_int_equal(CALL1(t, "uri_param_rm", "p"), 1);
	assert_string_equal(sut_ruri(t), "sip:x@h");
}

static void expect_tel2sip(struct sut *t, const char *tel, const char *host, int rc,
                           const char *want)
{
	sut_tv_set("r", "unset");
	assert_int_equal(CALL3(t, "tel2sip", tel, host, "$tv(r)"), rc);
	assert_string_equal(sut_tv_get("r"), want ? want : "unset");
}

static void test_tel2sip(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	/* the examples of the module's documentation */
	expect_tel2sip(t, "tel:+(34)-999-888-777", "foo.com", 1,
	               "sip:+34999888777@foo.com;user=phone");
	expect_tel2sip(t, "tel:+12-(34)-56-78;Ext=200;ISUB=+123-456", "foo.com", 1,
	               "sip:+12345678;ext=200;isub=+123-456@foo.com;user=phone");
	expect_tel2sip(t, "tel:5551234;phone-context=Example.COM", "foo.com", 1,
	               "sip:5551234;phone-context=example.com@foo.com;user=phone");
	expect_tel2sip(t, "TEL:+1.2.3", "foo.com", 1, "sip:+123@foo.com;user=phone");
	expect_tel2sip(t, "tel:+1", "host.com:5070", 1, "sip:+1@host.com:5070;user=phone");
	/* not tel: nothing to do */
	expect_tel2sip(t, "sip:a@b", "foo.com", 2, NULL);
	expect_tel2sip(t, "sips:a@b", "foo.com", 2, NULL);
	expect_tel2sip(t, "garbage", "foo.com", 2, NULL);
	expect_tel2sip(t, "", "foo.com", 2, NULL);
	/* errors where upstream writes a broken URI */
	expect_tel2sip(t, "tel:", "foo.com", -1, NULL);
	expect_tel2sip(t, "tel:+1", "", -1, NULL);
	expect_tel2sip(t, "tel:+1", "sip:host.com", -1, NULL);
	expect_tel2sip(t, "tel:+1?x=y", "h", -1, NULL);
	expect_tel2sip(t, "tel:--", "h", -1, NULL);
	/* the output must be writable */
	assert_int_equal(CALL3(t, "tel2sip", "tel:+1", "h", "$pcv(all)"), -1000);
	assert_int_equal(CALL3(t, "tel2sip", "tel:+1", "h", "x"), -1000);
}

static void expect_set(struct sut *t, const char *fn, const char *uri, const char *value, int rc,
                       const char *want)
{
	sut_tv_set("u", uri);
	assert_int_equal(CALL2(t, fn, "$tv(u)", value), rc);
	assert_string_equal(sut_tv_get("u"), want ? want : uri);
}

static void test_set_uri_user_host(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	expect_set(t, "set_uri_user", "sip:user@host:5060;p=1", "newu", 1,
	           "sip:newu@host:5060;p=1");
	expect_set(t, "set_uri_user", "sip:host", "x", 1, "sip:x@host");
	expect_set(t, "set_uri_user", "sip:u@host", "", 1, "sip:host");
	/* as upstream: the password goes with the old user */
	expect_set(t, "set_uri_user", "sip:a:pw@host", "b", 1, "sip:b@host");
	expect_set(t, "set_uri_user", "sips:a@[2001:db8::1]:5061?h=v", "b", 1,
	           "sips:b@[2001:db8::1]:5061?h=v");
	expect_set(t, "set_uri_user", "garbage", "b", -1, NULL);
	expect_set(t, "set_uri_user", "tel:+123;x=1", "+456", -1, NULL); /* upstream: garbage */
	expect_set(t, "set_uri_user", "sip:a@h", "a b", -1, NULL);

	expect_set(t, "set_uri_host", "sip:newu@host:5060;p=1", "newh", 1,
	           "sip:newu@newh:5060;p=1");
	expect_set(t, "set_uri_host", "sip:[::1]:5060", "h", 1, "sip:h:5060");
	expect_set(t, "set_uri_host", "sip:a@h", "[2001:db8::2]", 1, "sip:a@[2001:db8::2]");
	expect_set(t, "set_uri_host", "sip:a@h", "", -1, NULL);
	expect_set(t, "set_uri_host", "sip:a@h", "b@c", -1, NULL);
	expect_set(t, "set_uri_host", "garbage", "h", -1, NULL);
	/* an unset variable holds no URI */
	sut_tv_set("u", NULL);
	assert_int_equal(CALL2(t, "set_uri_host", "$tv(u)", "h"), -1);
	assert_int_equal(CALL2(t, "set_uri_host", "$pcv(all)", "h"), -1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_uri_param, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_get_uri_param, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_add_uri_param, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_uri_param_rm, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_tel2sip, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_set_uri_user_host, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
