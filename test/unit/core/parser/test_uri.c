/* Tests of src/core/parser/uri.c: parsing (RFC 3261 19.1, RFC 3966, RFC 5118) and 19.1.4. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/parser/limits.h"
#include "core/parser/uri.h"

/* Parse text from an exactly-sized heap copy, so that over-reads are caught. */
static int parse(const char *text, struct ksr_uri *u, char **ret_buf)
{
	size_t n = strlen(text);
	char *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, text, n);
	*ret_buf = b;
	return ksr_uri_parse(ksr_str_make(b, n), u);
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || memcmp(s.s, want, s.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)s.len, s.s ? s.s : "", want);
}

static void test_sip_full(void **state)
{
	struct ksr_uri u;
	char *b;

	assert_int_equal(parse("sip:alice:secret@Example.COM:5070;transport=tcp;lr;maddr=[2001:db8::9]"
			       ";method=INVITE;ttl=5;user=phone;gr=abc;x=y?Subject=hi&Priority=urgent",
			       &u, &b),
			 0);
	assert_int_equal(u.scheme, KSR_URI_SIP);
	assert_str(u.user, "alice");
	assert_str(u.passwd, "secret");
	assert_str(u.host, "Example.COM");
	assert_int_equal(u.host_type, KSR_HOST_NAME);
	assert_int_equal(u.port, 5070);
	assert_str(u.transport, "tcp");
	assert_true(u.has_lr);
	assert_str(u.maddr, "[2001:db8::9]");
	assert_str(u.method, "INVITE");
	assert_str(u.ttl, "5");
	assert_str(u.user_param, "phone");
	assert_true(u.has_gr);
	assert_str(u.gr, "abc");
	assert_str(u.headers, "Subject=hi&Priority=urgent");
	free(b);
}

static void test_hosts(void **state)
{
	static const struct {
		const char *uri;
		int type;
		const char *host;
		unsigned short port;
	} ok[] = {
		{"sip:192.0.2.4", KSR_HOST_IPV4, "192.0.2.4", 0},
		{"sips:192.0.2.4:5061", KSR_HOST_IPV4, "192.0.2.4", 5061},
		{"sip:[2001:db8::10]", KSR_HOST_IPV6, "[2001:db8::10]", 0},
		{"sip:u@[2001:db8::10]:5070", KSR_HOST_IPV6, "[2001:db8::10]", 5070},
		{"sip:[::ffff:192.0.2.128]", KSR_HOST_IPV6, "[::ffff:192.0.2.128]", 0},
		{"sip:[2001:db8:0:0:1:0:0:1]", KSR_HOST_IPV6, "[2001:db8:0:0:1:0:0:1]", 0},
		{"sip:[::1]", KSR_HOST_IPV6, "[::1]", 0},
		{"sip:example.com.", KSR_HOST_NAME, "example.com.", 0},
		{"sip:a-b.c9", KSR_HOST_NAME, "a-b.c9", 0},
		{"sip:1.2.3.4.5", KSR_HOST_NAME, "1.2.3.4.5", 0}, /* not an IPv4: a name */
	};
	struct ksr_uri u;
	char *b;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse(ok[i].uri, &u, &b) != 0)
			fail_msg("'%s' did not parse", ok[i].uri);
		assert_int_equal(u.host_type, ok[i].type);
		assert_str(u.host, ok[i].host);
		assert_int_equal(u.port, ok[i].port);
		free(b);
	}
}

static void test_user_part(void **state)
{
	struct ksr_uri u;
	char *b;

	/* ';' and escapes in the user part, %00 included (RFC 4475 3.1.1.5/3.1.1.6) */
	assert_int_equal(parse("sip:user;par=u%40example.net@example.com", &u, &b), 0);
	assert_str(u.user, "user;par=u%40example.net");
	assert_str(u.host, "example.com");
	assert_int_equal(u.params.len, 0);
	free(b);
	assert_int_equal(parse("sip:null-%00-null@example.com", &u, &b), 0);
	assert_str(u.user, "null-%00-null");
	free(b);
	assert_int_equal(parse("sip:+1-(555)-0100;phone-context=example.com@gw.example.com;user=phone",
			       &u, &b),
			 0);
	assert_str(u.user, "+1-(555)-0100;phone-context=example.com");
	assert_str(u.user_param, "phone");
	free(b);
}

static void test_tel_and_opaque(void **state)
{
	struct ksr_uri u;
	char *b;

	assert_int_equal(parse("tel:+1-201-555-0123;ext=42", &u, &b), 0);
	assert_int_equal(u.scheme, KSR_URI_TEL);
	assert_str(u.user, "+1-201-555-0123");
	assert_str(u.params, "ext=42");
	free(b);
	assert_int_equal(parse("tel:7042;phone-context=example.com", &u, &b), 0);
	assert_str(u.user, "7042");
	free(b);
	assert_int_equal(parse("urn:service:sos", &u, &b), 0);
	assert_int_equal(u.scheme, KSR_URI_URN);
	assert_str(u.opaque, "service:sos");
	free(b);
	assert_int_equal(parse("name:John_Smith", &u, &b), 0);
	assert_int_equal(u.scheme, KSR_URI_OTHER);
	assert_str(u.scheme_str, "name");
	free(b);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "sip:", "sip", ":x", "1sip:a", "s p:a", "sip:@example.com",
		"sip:a@", "sip:a@b@c", "sip:a b@c", "sip:a@exa mple.com", "sip:a@b:",
		"sip:a@b:65536", "sip:a@b:5x", "sip:a@b;", "sip:a@b;=x", "sip:a@b?",
		"sip:a@b?x", "sip:a@b?=x", "sip:[2001:db8::10", "sip:[2001:db8::10]x",
		"sip:[1:2:3:4:5:6:7:8:9]", "sip:[1::2::3]", "sip:[1:2:3]", "sip:[12345::1]",
		"sip:[::ffff:192.0.2.256]", "sip:a@ex..com", "sip:a@.example.com",
		"sip:a%4@b", "sip:a%zz@b", "sip:<a@b>", "sip:a\"b@c", "sip:a@b\r\n",
		"tel:", "tel:12g;x", /* hex digits are fine: local numbers */ "tel:+1+2", "tel:1;", "urn:", "sip:a@b;lr;;x",
	};
	struct ksr_uri u, before;
	char *b;

	memset(&before, 0x5a, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u = before;
		if (parse(bad[i], &u, &b) != -EINVAL)
			fail_msg("'%s' was not refused", bad[i]);
		/* ret is untouched on failure */
		assert_memory_equal(&u, &before, sizeof(u));
		free(b);
	}
}

static void test_too_long(void **state)
{
	size_t n = KSR_URI_MAX_LEN + 1;
	char *big = malloc(n + 1);
	struct ksr_uri u;
	char *b;

	assert_non_null(big);
	memcpy(big, "sip:", 4);
	memset(big + 4, 'a', n - 4);
	big[n] = '\0';
	assert_int_equal(parse(big, &u, &b), -E2BIG);
	free(b);
	big[n - 1] = '\0'; /* exactly at the limit is fine */
	assert_int_equal(parse(big, &u, &b), 0);
	free(b);
	free(big);
}

static bool equal(const char *x, const char *y)
{
	struct ksr_uri a, b;
	char *ba, *bb;
	bool r;

	if (parse(x, &a, &ba) != 0 || parse(y, &b, &bb) != 0)
		fail_msg("'%s' or '%s' did not parse", x, y);
	r = ksr_uri_equal(&a, &b);
	/* equivalence is symmetric */
	assert_int_equal(r, ksr_uri_equal(&b, &a));
	free(ba);
	free(bb);
	return r;
}

/* RFC 3261 19.1.4, with the rules written out as cases. */
static void test_compare(void **state)
{
	static const char *const same[][2] = {
		{"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
		{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
		{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
		 "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
		 "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
		{"sip:[2001:db8::10]:5060", "sip:[2001:DB8::10]:5060"},
		{"tel:+1-201-555-0123", "tel:+1-201-555-0123"},
		/* a repeated parameter: first occurrences are compared (a URI equals itself) */
		{"sip:a@b;x=1;x=2", "sip:a@b;x=1;x=2"},
		{"sip:b;r;r=:", "sip:b;r;r=:"},
		/* names of any length take part */
		{"sip:a@b;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
		 "sip:a@b"},
	};
	static const char *const differ[][2] = {
		{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
		{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
		{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
		{"sip:alice@atlanta.com", "sips:alice@atlanta.com"},
		{"sip:atlanta.com", "sip:alice@atlanta.com"},
		{"sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"},
		{"sip:a%3bb@atlanta.com", "sip:a;b@atlanta.com"}, /* escaped reserved stays apart */
		{"sip:alice@atlanta.com;maddr=192.0.2.1", "sip:alice@atlanta.com"},
		{"sip:a@b;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
		 "sip:a@b;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=2"},
	};

	/* the first pair of `differ` is from the RFC: userinfo is case-sensitive */
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (!equal(same[i][0], same[i][1]))
			fail_msg("'%s' and '%s' should be equal", same[i][0], same[i][1]);
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
		if (equal(differ[i][0], differ[i][1]))
			fail_msg("'%s' and '%s' should differ", differ[i][0], differ[i][1]);
}

static void test_param_find(void **state)
{
	char params[] = "transport=tcp; lr ;Foo=Bar;empty=";
	struct ksr_str v;

	assert_int_equal(ksr_param_find(ksr_str_make(params, strlen(params)), "foo", &v), 1);
	assert_str(v, "Bar");
	assert_int_equal(ksr_param_find(ksr_str_make(params, strlen(params)), "lr", &v), 1);
	assert_int_equal(v.len, 0);
	assert_int_equal(ksr_param_find(ksr_str_make(params, strlen(params)), "empty", &v), 1);
	assert_int_equal(v.len, 0);
	assert_int_equal(ksr_param_find(ksr_str_make(params, strlen(params)), "l", &v), 0);
	assert_int_equal(ksr_param_find(ksr_str_make(params, strlen(params)), "maddr", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sip_full),     cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_user_part),    cmocka_unit_test(test_tel_and_opaque),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_compare),      cmocka_unit_test(test_param_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
