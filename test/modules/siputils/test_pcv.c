/*
 * Tests of src/modules/siputils/pcv.c: sip_p_charging_vector() and $pcv. The reference
 * daemon (5.6.3) reads the header as these tests expect, but its 'f' flag breaks the
 * message; here removal and generation are edits, and $pcv sees through them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/pv/pv.h"
#include "su_test.h"

#define CALL1(t, f, a) sut_call((t), (f), 1, (a), NULL, NULL)

static const char with_pcv[] =
        "INVITE sip:bob@example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
        "From: <sip:alice@example.com>;tag=f1\n"
        "To: <sip:bob@example.com>\n"
        "Call-ID: c1\n"
        "CSeq: 1 INVITE\n"
        "P-Charging-Vector: icid-value=1234bc9876e; icid-generated-at=192.0.6.8;"
        "orig-ioi=home1.net;term-ioi=home2.net\n"
        "Content-Length: 0\n\n";

/* $pcv(name) as a string, or NULL when it has no value. */
static const char *pcv(struct sut *t, const char *name)
{
	char text[32];
	struct ksr_arena a;
	struct ksr_pv_spec *spec = NULL;
	const char *err = NULL;
	struct ksr_val v;
	size_t used = 0;
	char *s = NULL;

	snprintf(text, sizeof(text), "$pcv(%s)", name);
	ksr_arena_init(&a, 512);
	assert_int_equal(ksr_pv_parse(ksr_str_make(text, strlen(text)), &a, &spec, &used, &err), 0);
	assert_int_equal(ksr_pv_get(&t->msg, spec, &v), 0);
	if (v.type == KSR_VAL_STR) {
		s = ksr_arena_alloc(&t->arena, v.s.len + 1);
		assert_non_null(s);
		memcpy(s, v.s.s, v.s.len);
		s[v.s.len] = '\0';
	} else {
		assert_int_equal(v.type, KSR_VAL_NULL);
	}
	ksr_arena_destroy(&a);
	return s;
}

static int count(const char *text, const char *part)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, part)); p++)
		n++;
	return n;
}

static void test_pcv_read(void **state)
{
	struct sut *t = *state;

	sut_load(t, with_pcv);
	assert_string_equal(pcv(t, "all"), "icid-value=1234bc9876e; icid-generated-at=192.0.6.8;"
	                                   "orig-ioi=home1.net;term-ioi=home2.net");
	assert_string_equal(pcv(t, "value"), "1234bc9876e");
	assert_string_equal(pcv(t, "genaddr"), "192.0.6.8");
	assert_string_equal(pcv(t, "orig"), "home1.net");
	assert_string_equal(pcv(t, "term"), "home2.net");
	sut_options(t);
	assert_null(pcv(t, "all"));
	assert_null(pcv(t, "value"));
}

static void test_pcv_names(void **state)
{
	struct ksr_arena a;
	struct ksr_pv_spec *spec;
	const char *err = NULL;
	size_t used;

	ksr_arena_init(&a, 512);
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$pcv(nope)"), &a, &spec, &used, &err),
	                 -EINVAL);
	assert_non_null(strstr(err, "$pcv takes"));
	assert_true(ksr_pv_parse(KSR_STR_STATIC("$pcv"), &a, &spec, &used, &err) < 0);
	ksr_arena_destroy(&a);
}

static void test_generate(void **state)
{
	struct sut *t = *state;
	const char *v, *built;

	/* g keeps an existing vector */
	sut_load(t, with_pcv);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "g"), 1);
	assert_string_equal(pcv(t, "value"), "1234bc9876e");
	assert_int_equal(count(sut_built(t), "P-Charging-Vector:"), 1);

	/* and makes one when there is none: 128 random bits, our address */
	sut_options(t);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "g"), 1);
	v = pcv(t, "value");
	assert_non_null(v);
	assert_int_equal(strlen(v), 32);
	assert_int_equal(strspn(v, "0123456789ABCDEF"), 32);
	assert_string_equal(pcv(t, "genaddr"), "192.0.2.5");
	assert_null(pcv(t, "orig"));
	built = sut_built(t);
	assert_non_null(strstr(built, "\r\nP-Charging-Vector: icid-value="));
	assert_non_null(strstr(built, v));
	/* a second g does not add another */
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "g"), 1);
	assert_string_equal(pcv(t, "value"), v);
	assert_int_equal(count(sut_built(t), "P-Charging-Vector:"), 1);
}

static void test_remove_force(void **state)
{
	struct sut *t = *state;
	const char *built;

	sut_load(t, with_pcv);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "r"), 1);
	assert_null(pcv(t, "all"));
	assert_null(strstr(sut_built(t), "P-Charging-Vector"));
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "r"), 1); /* nothing left: fine */

	/* f: the old one goes, a new one comes */
	sut_load(t, with_pcv);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "f"), 1);
	assert_string_not_equal(pcv(t, "value"), "1234bc9876e");
	assert_string_equal(pcv(t, "genaddr"), "192.0.2.5");
	built = sut_built(t);
	assert_null(strstr(built, "1234bc9876e"));
	assert_int_equal(count(built, "P-Charging-Vector:"), 1);
	/* a vector generated here cannot be removed, but a second f keeps it */
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "f"), 1);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "r"), -1);

	/* r then g: a fresh one */
	sut_load(t, with_pcv);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "rg"), 1);
	assert_string_not_equal(pcv(t, "value"), "1234bc9876e");
}

static void test_flags(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "x"), -1000);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", ""), -1000);
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "gx"), -1000);
}

static void test_ipv6_listener(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	strcpy(t->listener.host, "2001:db8::5");
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "g"), 1);
	assert_string_equal(pcv(t, "genaddr"), "[2001:db8::5]");
	strcpy(t->listener.adv_host, "sip.example.net");
	sut_options(t);
	strcpy(t->listener.adv_host, "sip.example.net");
	assert_int_equal(CALL1(t, "sip_p_charging_vector", "g"), 1);
	assert_string_equal(pcv(t, "genaddr"), "sip.example.net");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_pcv_read, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_pcv_names, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_generate, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_remove_force, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_flags, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_ipv6_listener, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
