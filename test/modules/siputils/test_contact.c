/*
 * Tests of src/modules/siputils/contact.c: encode_contact / decode_contact(_header),
 * contact_param_encode / _decode / _decode_ruri / _rm and Base64URL. The encoded forms
 * were compared with the reference daemon (Kamailio 5.6.3).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "siputils.h"
#include "su_test.h"

#define CALL0(t, f) sut_call((t), (f), 0, NULL, NULL, NULL)
#define CALL1(t, f, a) sut_call((t), (f), 1, (a), NULL, NULL)
#define CALL2(t, f, a, b) sut_call((t), (f), 2, (a), (b), NULL)

/* A REGISTER with the given Contact lines (each with its "\n"). */
static void load_contacts(struct sut *t, const char *contacts)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
	         "REGISTER sip:example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	         "From: <sip:alice@example.com>;tag=f1\n"
	         "To: <sip:alice@example.com>\n"
	         "Call-ID: c1\n"
	         "CSeq: 1 REGISTER\n"
	         "%s"
	         "Content-Length: 0\n\n",
	         contacts);
	sut_load(t, buf);
}

/* The built message has this line (CRLF added). */
static void expect_line(struct sut *t, const char *line)
{
	char want[1024];
	const char *built = sut_built(t);

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	if (!strstr(built, want))
		fail_msg("no line '%s' in:\n%s", line, built);
}

static void test_b64url(void **state)
{
	struct sut *t = *state;
	struct ksr_str out;
	static const char *const plain[] = {"",
	                                    "f",
	                                    "fo",
	                                    "foo",
	                                    "foob",
	                                    "fooba",
	                                    "foobar",
	                                    "sip:alice@10.0.0.1:5070;transport=tcp",
	                                    "\xff\xfe\xfd"};
	static const char *const enc[] = {
	        "",         "Zg",
	        "Zm8",      "Zm9v",
	        "Zm9vYg",   "Zm9vYmE",
	        "Zm9vYmFy", "c2lwOmFsaWNlQDEwLjAuMC4xOjUwNzA7dHJhbnNwb3J0PXRjcA",
	        "__79"};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct ksr_str in = ksr_str_make((char *)plain[i], strlen(plain[i]));
		struct ksr_str e = ksr_str_make((char *)enc[i], strlen(enc[i]));

		assert_int_equal(siputils_b64url_encode(in, &t->arena, &out), 0);
		assert_int_equal(out.len, e.len);
		assert_memory_equal(out.s, e.s, e.len);
		assert_int_equal(siputils_b64url_decode(e, &t->arena, &out), 0);
		assert_int_equal(out.len, in.len);
		assert_memory_equal(out.s, in.s, in.len);
	}
	/* padding is accepted; bad characters and lengths are not */
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("Zm8="), &t->arena, &out), 0);
	assert_int_equal(out.len, 2);
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("Zg=="), &t->arena, &out), 0);
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("Zm9v+A"), &t->arena, &out),
	                 -EINVAL);
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("!!!"), &t->arena, &out), -EINVAL);
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("Zm9vY"), &t->arena, &out), -EINVAL);
	assert_int_equal(siputils_b64url_decode(KSR_STR_STATIC("Z==="), &t->arena, &out), -EINVAL);
}

static void test_encode_contact(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "Contact: <sip:alice:pw@10.0.0.1:5070;transport=tcp;ob>;expires=30, "
	                 "sip:carol@10.0.0.2\n"
	                 "m: \"Dave\" <sips:dave@10.0.0.4?h=v>\n");
	assert_int_equal(CALL2(t, "encode_contact", "natted", "1.2.3.4"), 1);
	expect_line(t, "Contact: <sip:natted*alice*pw*10.0.0.1*5070*tcp@1.2.3.4>;expires=30, "
	               "sip:natted*carol**10.0.0.2**@1.2.3.4");
	/* every Contact line (upstream: the first only) */
	expect_line(t, "m: \"Dave\" <sips:natted*dave**10.0.0.4**@1.2.3.4>");

	/* a separator inside a field would not decode: refused, nothing changed */
	load_contacts(t, "Contact: <sip:a*b@10.0.0.1>, <sip:c@10.0.0.2>\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), -1);
	expect_line(t, "Contact: <sip:a*b@10.0.0.1>, <sip:c@10.0.0.2>");
	assert_int_equal(CALL2(t, "encode_contact", "p*q", "1.2.3.4"), -1);
	/* IPv6 cannot be carried in the user part; other schemes are not SIP */
	load_contacts(t, "Contact: <sip:a@[2001:db8::1]>\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), -1);
	load_contacts(t, "Contact: <tel:+123>\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), -1);
	load_contacts(t, "Contact: *\nExpires: 0\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), -1);
	load_contacts(t, "");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), -1);
	load_contacts(t, "Contact: <sip:a@10.0.0.1>\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4;x"), 1);
	assert_int_equal(CALL2(t, "encode_contact", "p", ""), -1000);
}

static void test_encode_separator_param(void **state)
{
	struct sut *t = *state;
	char *saved = siputils_contact_sep;

	siputils_contact_sep = "-x";
	load_contacts(t, "Contact: sip:alice@10.0.0.1:5070\n");
	assert_int_equal(CALL2(t, "encode_contact", "p", "1.2.3.4"), 1);
	expect_line(t, "Contact: sip:p-alice--10.0.0.1-5070-@1.2.3.4");
	siputils_contact_sep = saved;
}

static void test_decode_contact(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "Contact: <sip:a@10.0.0.1>\n");
	assert_int_equal(
	        ksr_msg_set_ruri(&t->msg,
	                         KSR_STR_STATIC("sip:natted*alice*pw*10.0.0.1*5070*tcp@1.2.3.4")),
	        0);
	assert_int_equal(CALL0(t, "decode_contact"), 1);
	assert_string_equal(sut_ruri(t), "sip:alice:pw@10.0.0.1:5070;transport=tcp");

	/* the encoded URI's parameters stay, its headers go (as upstream) */
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:n*carol**10.0.0.2**@1.2.3.4;x=1?h=v"));
	assert_int_equal(CALL0(t, "decode_contact"), 1);
	assert_string_equal(sut_ruri(t), "sip:carol@10.0.0.2;x=1");
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:*a*b*1.1.1.1*5*udp@1.2.3.4"));
	assert_int_equal(CALL0(t, "decode_contact"), 1);
	assert_string_equal(sut_ruri(t), "sip:a:b@1.1.1.1:5;transport=udp");
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("SIPS:p***10.0.0.9**@h"));
	assert_int_equal(CALL0(t, "decode_contact"), 1);
	assert_string_equal(sut_ruri(t), "SIPS:10.0.0.9");

	/* not encoded: false, R-URI unchanged */
	static const char *const bad[] = {
	        "sip:plain@1.2.3.4",         "sip:n*a*b*c*d@1.2.3.4",
	        "sip:n*a*b*c*d*e*f@1.2.3.4", "sip:n*carol***5060*udp@1.2.3.4",
	        "sip:n**pw*10.0.0.1**@h",    "tel:+1*2*3*4*5*6",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ksr_msg_set_ruri(&t->msg, ksr_str_make((char *)bad[i], strlen(bad[i])));
		assert_int_equal(CALL0(t, "decode_contact"), -1);
		assert_string_equal(sut_ruri(t), bad[i]);
	}
}

static void test_decode_contact_header(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "Contact: <sip:natted*alice*pw*10.0.0.1*5070*tcp@1.2.3.4>;expires=30, "
	                 "sip:natted*carol**10.0.0.2**@1.2.3.4\n"
	                 "Contact: \"D\" <sip:n*dave**10.0.0.4**@1.2.3.4;x=1>\n");
	assert_int_equal(CALL0(t, "decode_contact_header"), 1);
	expect_line(t, "Contact: <sip:alice:pw@10.0.0.1:5070;transport=tcp>;expires=30, "
	               "sip:carol@10.0.0.2");
	/* a bare URI that gets parameters takes <> so they stay URI parameters */
	expect_line(t, "Contact: \"D\" <sip:dave@10.0.0.4;x=1>");
	load_contacts(t, "Contact: sip:n*bob**10.0.0.5*5062*tcp@1.2.3.4;expires=60\n");
	assert_int_equal(CALL0(t, "decode_contact_header"), 1);
	expect_line(t, "Contact: <sip:bob@10.0.0.5:5062;transport=tcp>;expires=60");

	/* one that is not encoded fails the call, and nothing changes (upstream: partly) */
	load_contacts(t, "Contact: <sip:n*carol**10.0.0.2**@1.2.3.4>, <sip:plain@10.0.0.3>\n");
	assert_int_equal(CALL0(t, "decode_contact_header"), -1);
	expect_line(t, "Contact: <sip:n*carol**10.0.0.2**@1.2.3.4>, <sip:plain@10.0.0.3>");
	load_contacts(t, "");
	assert_int_equal(CALL0(t, "decode_contact_header"), -1);
}

static void test_encode_decode_round_trip(void **state)
{
	struct sut *t = *state;
	const char *built;
	char *copy;

	load_contacts(t, "Contact: <sip:alice:pw@10.0.0.1:5070;transport=tcp>;q=0.5\n");
	assert_int_equal(CALL2(t, "encode_contact", "x", "203.0.113.1"), 1);
	built = sut_built(t);
	assert_non_null(
	        strstr(built, "Contact: <sip:x*alice*pw*10.0.0.1*5070*tcp@203.0.113.1>;q=0.5"));
	/* the encoded message parsed again, as the next hop would send it back (LF ends:
	 * sut_load adds the CRs) */
	copy = strdup(built);
	assert_non_null(copy);
	{
		char *o = copy;

		for (const char *p = copy; *p; p++)
			if (*p != '\r')
				*o++ = *p;
		*o = '\0';
	}
	sut_load(t, copy);
	free(copy);
	assert_int_equal(CALL0(t, "decode_contact_header"), 1);
	expect_line(t, "Contact: <sip:alice:pw@10.0.0.1:5070;transport=tcp>;q=0.5");
}

static void test_contact_param_encode_decode(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "Contact: <sip:alice@10.0.0.1:5070;transport=tcp>;expires=30, "
	                 "\"X\" <sip:carol@10.0.0.2;ob?h=v>\n");
	assert_int_equal(CALL2(t, "contact_param_encode", "ksu", "sip:1.2.3.4:5060;transport=tcp"),
	                 1);
	expect_line(
	        t, "Contact: <sip:1.2.3.4:5060;transport=tcp;"
	           "ksu=c2lwOmFsaWNlQDEwLjAuMC4xOjUwNzA7dHJhbnNwb3J0PXRjcA>;expires=30, "
	           "\"X\" <sip:1.2.3.4:5060;transport=tcp;ksu=c2lwOmNhcm9sQDEwLjAuMC4yO29iP2g9dg>");

	/* bare URIs get <> around the new parameters */
	load_contacts(t, "Contact: sip:bob@10.0.0.5;expires=60\n");
	assert_int_equal(CALL2(t, "contact_param_encode", "ksu", "sip:1.2.3.4"), 1);
	expect_line(t, "Contact: <sip:1.2.3.4;ksu=c2lwOmJvYkAxMC4wLjAuNQ>;expires=60");

	/* bad parameters are refused at load */
	assert_int_equal(CALL2(t, "contact_param_encode", "", "sip:1.2.3.4"), -1000);
	assert_int_equal(CALL2(t, "contact_param_encode", "a;b", "sip:1.2.3.4"), -1000);
	assert_int_equal(CALL2(t, "contact_param_encode", "ksu", "1.2.3.4"), -1000);
	assert_int_equal(CALL2(t, "contact_param_encode", "ksu", "sip:1.2.3.4?h=1"), -1000);

	load_contacts(t, "Contact: <sip:1.2.3.4;transport=tcp;"
	                 "ksu=c2lwOmFsaWNlQDEwLjAuMC4xOjUwNzA7dHJhbnNwb3J0PXRjcA>;expires=30, "
	                 "\"X\" <sip:1.2.3.4;ksu=c2lwOmNhcm9sQDEwLjAuMC4yO29iP2g9dg>, "
	                 "<sip:other@10.0.0.7>\n");
	assert_int_equal(CALL1(t, "contact_param_decode", "ksu"), 1);
	expect_line(t, "Contact: <sip:alice@10.0.0.1:5070;transport=tcp>;expires=30, "
	               "\"X\" <sip:carol@10.0.0.2;ob?h=v>, <sip:other@10.0.0.7>");

	/* a value that is no encoded URI fails the call, nothing changes */
	load_contacts(t, "Contact: <sip:1.2.3.4;ksu=c2lwOmFsaWNlQDEwLjAuMC4x>, "
	                 "<sip:1.2.3.4;ksu=Zm9v>\n");
	assert_int_equal(CALL1(t, "contact_param_decode", "ksu"), -1);
	expect_line(t, "Contact: <sip:1.2.3.4;ksu=c2lwOmFsaWNlQDEwLjAuMC4x>, "
	               "<sip:1.2.3.4;ksu=Zm9v>");
	assert_int_equal(CALL1(t, "contact_param_decode", "k u"), -1000);
}

static void test_contact_param_decode_ruri(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "");
	ksr_msg_set_ruri(&t->msg,
	                 KSR_STR_STATIC("sip:bob@127.0.0.1;ksu="
	                                "c2lwOmFsaWNlQDEwLjAuMC4xOjUwNzA7dHJhbnNwb3J0PXRjcA"));
	assert_int_equal(CALL1(t, "contact_param_decode_ruri", "ksu"), 1);
	assert_string_equal(sut_ruri(t), "sip:alice@10.0.0.1:5070;transport=tcp");
	/* no such parameter, or one without a value: true, unchanged (as upstream) */
	assert_int_equal(CALL1(t, "contact_param_decode_ruri", "nope"), 1);
	assert_string_equal(sut_ruri(t), "sip:alice@10.0.0.1:5070;transport=tcp");
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:a@b;ksu"));
	assert_int_equal(CALL1(t, "contact_param_decode_ruri", "ksu"), 1);
	assert_string_equal(sut_ruri(t), "sip:a@b;ksu");
	/* bad Base64URL, or no URI inside (upstream sets that as the R-URI) */
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:a@b;ksu=Zm9v"));
	assert_int_equal(CALL1(t, "contact_param_decode_ruri", "ksu"), -1);
	assert_string_equal(sut_ruri(t), "sip:a@b;ksu=Zm9v");
	ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:a@b;ksu=Zm9v*"));
	assert_int_equal(CALL1(t, "contact_param_decode_ruri", "ksu"), -1);
}

static void test_contact_param_rm(void **state)
{
	struct sut *t = *state;

	load_contacts(t, "Contact: <sip:alice@10.0.0.1:5070;transport=tcp;ob>;expires=30, "
	                 "\"X\" <sip:carol@10.0.0.2;ob?h=v>, <sip:dave@10.0.0.3;Transport=udp>\n");
	assert_int_equal(CALL1(t, "contact_param_rm", "transport"), 1);
	expect_line(t, "Contact: <sip:alice@10.0.0.1:5070;ob>;expires=30, "
	               "\"X\" <sip:carol@10.0.0.2;ob?h=v>, <sip:dave@10.0.0.3>");
	load_contacts(t, "Contact: <sip:alice@10.0.0.1>\n");
	assert_int_equal(CALL1(t, "contact_param_rm", "nope"), 1);
	expect_line(t, "Contact: <sip:alice@10.0.0.1>");
	load_contacts(t, "Contact: *\nExpires: 0\n");
	assert_int_equal(CALL1(t, "contact_param_rm", "x"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_b64url, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_encode_contact, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_encode_separator_param, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_decode_contact, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_decode_contact_header, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_encode_decode_round_trip, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_contact_param_encode_decode, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_contact_param_decode_ruri, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_contact_param_rm, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
