/*
 * Tests of src/modules/pv/pv_msg.c and pv_misc.c: message, URI, header, network, flag and
 * time pseudo-variables. Expected values were checked against the reference daemon
 * (kamailio 5.6.3, Debian 12) with xlog on the same messages, where noted "ref".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/cfg/pp.h"
#include "core/msg/dset.h"

#include "pv_test.h"

static const char *invite =
        "INVITE sip:bob:secret@Example.COM:5070;transport=udp;lr;maddr=10.0.0.1?Subject=hi "
        "SIP/2.0\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1\n"
        "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-2, SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK-3\n"
        "Max-Forwards: 70\n"
        "From: \"Alice A\" <sip:alice@atlanta.com;user=phone>;tag=1928301774;x=y\n"
        "To: Bob <sip:bob@biloxi.com>\n"
        "Call-ID: a84b4c76e66710@pc33.atlanta.com\n"
        "CSeq: 314159 INVITE\n"
        "Contact: <sip:alice@pc33.atlanta.com>;expires=60, <sip:alice2@pc34.atlanta.com>\n"
        "Contact: sip:alice3@pc35.atlanta.com\n"
        "User-Agent: TestUA/1.0\n"
        "P-Asserted-Identity: \"PAI\" <sip:pai@atlanta.com>, <tel:+1234>\n"
        "P-Preferred-Identity: <sip:ppi@atlanta.com>\n"
        "X-Multi: a, b\n"
        "x-multi: c\n"
        "Content-Type: application/sdp\n"
        "Content-Length: 5\n"
        "\n"
        "v=0\n";

static const char *options6 = "OPTIONS sips:carol@chicago.com SIP/2.0\n"
                              "Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK-1\n"
                              "f: sip:alice@atlanta.com;tag=1\n"
                              "t: <tel:+1234;phone-context=x>\n"
                              "i: c2\n"
                              "CSeq: 7 OPTIONS\n"
                              "l: 0\n"
                              "\n";

static const char *reply = "SIP/2.0 486 Busy Here\n"
                           "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1\n"
                           "From: <sip:alice@atlanta.com>;tag=1\n"
                           "To: <sip:bob@biloxi.com>;tag=2\n"
                           "Call-ID: c1\n"
                           "CSeq: 2 BYE\n"
                           "Content-Length: 0\n"
                           "\n";

static int setup(void **state)
{
	*state = pvt_new();
	return 0;
}

static int teardown(void **state)
{
	pvt_free(*state);
	return 0;
}

static int group_teardown(void **state)
{
	ksr_module_exports.destroy();
	return 0;
}

/* ref: every value below as the reference daemon printed it for this INVITE */
static void test_request_ipv4(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, invite, "192.0.2.10", 33351);
	pvt_expect_str(
	        t, "$ru",
	        "sip:bob:secret@Example.COM:5070;transport=udp;lr;maddr=10.0.0.1?Subject=hi");
	pvt_expect_str(t, "$rU", "bob");
	pvt_expect_str(t, "$rd", "Example.COM");
	pvt_expect_int(t, "$rp", 5070);
	pvt_expect_str(t, "$rz", "sip");
	pvt_expect_str(
	        t, "$ou",
	        "sip:bob:secret@Example.COM:5070;transport=udp;lr;maddr=10.0.0.1?Subject=hi");
	pvt_expect_str(t, "$oU", "bob");
	pvt_expect_null(t, "$du");
	pvt_expect_str(t, "$fu", "sip:alice@atlanta.com;user=phone");
	pvt_expect_str(t, "$fU", "alice");
	pvt_expect_str(t, "$fd", "atlanta.com");
	pvt_expect_str(t, "$fn", "\"Alice A\"");
	pvt_expect_str(t, "$ft", "1928301774");
	pvt_expect_str(t, "$tu", "sip:bob@biloxi.com");
	pvt_expect_str(t, "$tU", "bob");
	pvt_expect_str(t, "$td", "biloxi.com");
	pvt_expect_str(t, "$tn", "Bob");
	pvt_expect_null(t, "$tt");
	pvt_expect_str(t, "$ci", "a84b4c76e66710@pc33.atlanta.com");
	pvt_expect_int(t, "$cs", 314159);
	pvt_expect_str(t, "$rm", "INVITE");
	pvt_expect_int(t, "$mt", 1);
	pvt_expect_int(t, "$ml", (long)t->msg.len);
	pvt_expect_int(t, "$(mb{s.len})", (long)t->msg.len);
	pvt_expect_null(t, "$rs");
	pvt_expect_null(t, "$rr");
	pvt_expect_str(t, "$ua", "TestUA/1.0");
	pvt_expect_str(t, "$ct",
	               "<sip:alice@pc33.atlanta.com>;expires=60, <sip:alice2@pc34.atlanta.com>");
	pvt_expect_str(t, "$ai", "sip:pai@atlanta.com");
	pvt_expect_str(t, "$pu", "sip:ppi@atlanta.com");
	pvt_expect_str(t, "$rb", "v=0\r\n");
	pvt_expect_int(t, "$cl", 5);
	pvt_expect_str(t, "$cT", "application/sdp");
	/* network */
	pvt_expect_str(t, "$si", "192.0.2.10");
	pvt_expect_int(t, "$sp", 33351);
	pvt_expect_str(t, "$Ri", "192.0.2.5");
	pvt_expect_int(t, "$Rp", 5060);
	pvt_expect_str(t, "$pr", "udp");
	pvt_expect_str(t, "$proto", "udp");
	pvt_expect_int(t, "$af(id)", 2);
	pvt_expect_str(t, "$af(name)", "IPv4");
	pvt_expect_int(t, "$mf", 0);
	pvt_expect_int(t, "$bf", 0);
}

static void test_request_ipv6_compact(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, options6, "2001:db8::1", 5062);
	pvt_expect_str(t, "$ru", "sips:carol@chicago.com");
	pvt_expect_int(t, "$rp", 5060); /* ref: 5060 for a URI without port, sips included */
	pvt_expect_str(t, "$rz", "sips");
	pvt_expect_str(t, "$si", "2001:db8::1"); /* ref: no brackets */
	pvt_expect_int(t, "$sp", 5062);
	pvt_expect_str(t, "$Ri", "2001:db8::5");
	pvt_expect_int(t, "$Rp", 5062);
	pvt_expect_int(t, "$af(id)", 10);
	pvt_expect_str(t, "$af(name)", "IPv6");
	/* compact header forms */
	pvt_expect_str(t, "$fu", "sip:alice@atlanta.com");
	pvt_expect_null(t, "$fn");
	pvt_expect_str(t, "$ft", "1");
	pvt_expect_str(t, "$tu", "tel:+1234;phone-context=x");
	pvt_expect_str(t, "$tU", "+1234"); /* ref */
	pvt_expect_null(t, "$td");
	pvt_expect_null(t, "$tn");
	pvt_expect_str(t, "$ci", "c2");
	pvt_expect_int(t, "$cl", 0);
	pvt_expect_str(t, "$rb", ""); /* ref: empty, not null */
	pvt_expect_null(t, "$ua");
	pvt_expect_null(t, "$ct");
	pvt_expect_null(t, "$ai");
	pvt_expect_null(t, "$pu");
	pvt_expect_null(t, "$cT");
	pvt_expect_str(t, "$hdr(From)", "sip:alice@atlanta.com;tag=1");
	pvt_expect_str(t, "$hdr(f)", "sip:alice@atlanta.com;tag=1");
	pvt_expect_str(t, "$hdr(call-id)", "c2");
	pvt_expect_int(t, "$hdrc(Content-Length)", 1);
}

/* ref: a reply has no Request-URI; $rm comes from CSeq */
static void test_reply(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, reply, "127.0.0.1", 5062);
	pvt_expect_int(t, "$rs", 486);
	pvt_expect_str(t, "$rr", "Busy Here");
	pvt_expect_str(t, "$rm", "BYE");
	pvt_expect_null(t, "$ru");
	pvt_expect_null(t, "$rU");
	pvt_expect_null(t, "$ou");
	pvt_expect_null(t, "$oU");
	pvt_expect_int(t, "$mt", 2);
	pvt_expect_int(t, "$cs", 2);
	pvt_expect_str(t, "$tt", "2");
	pvt_expect_str(t, "$msg(fline)", "SIP/2.0 486 Busy Here");
	assert_int_equal(pvt_set_str(t, "$ru", "sip:x@y"), -EINVAL);
	assert_int_equal(pvt_set_str(t, "$rU", "x"), -EINVAL);
}

/* ref: indexes count header lines, [*] joins lines with ',' */
static void test_hdr(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, invite, "192.0.2.10", 5060);
	pvt_expect_str(t, "$hdr(X-Multi)", "a, b");
	pvt_expect_str(t, "$hdr(X-Multi)[0]", "a, b");
	pvt_expect_str(t, "$(hdr(X-Multi)[1])", "c");
	pvt_expect_str(t, "$(hdr(X-Multi)[-1])", "c");
	pvt_expect_str(t, "$(hdr(X-Multi)[-2])", "a, b");
	pvt_expect_null(t, "$(hdr(X-Multi)[-3])");
	pvt_expect_null(t, "$(hdr(X-Multi)[2])");
	pvt_expect_str(t, "$(hdr(X-Multi)[*])", "a, b,c");
	pvt_expect_int(t, "$hdrc(X-Multi)", 2);
	pvt_expect_int(t, "$hdrc(x-multi)", 2);
	pvt_expect_str(t, "$hdr(Via)", "SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1");
	pvt_expect_str(t, "$(hdr(Via)[1])",
	               "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-2, SIP/2.0/TCP "
	               "10.0.0.3;branch=z9hG4bK-3");
	pvt_expect_str(t, "$(hdr(Via)[*])",
	               "SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1,SIP/2.0/UDP 10.0.0.2:5060;"
	               "branch=z9hG4bK-2, SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK-3");
	pvt_expect_int(t, "$hdrc(Via)", 2);
	pvt_expect_int(t, "$hdrc(v)", 2);
	pvt_expect_str(t, "$(hdr(Contact)[1])", "sip:alice3@pc35.atlanta.com");
	pvt_expect_int(t, "$hdrc(Contact)", 2);
	pvt_expect_null(t, "$hdr(X-None)");
	pvt_expect_null(t, "$(hdr(X-None)[*])");
	pvt_expect_int(t, "$hdrc(X-None)", 0);
	pvt_expect_str(t, "$(hdr(X-Multi)[1]{s.toupper})", "C");
	pvt_expect_str(t, "$(hdr(From){tobody.tag})", "1928301774");
	/* an index from a variable */
	assert_int_equal(pvt_set_int(t, "$var(i)", 1), 0);
	pvt_expect_str(t, "$(hdr(X-Multi)[$var(i)])", "c");

	/* the name from a variable */
	assert_int_equal(pvt_set_str(t, "$var(h)", "x-MULTI"), 0);
	pvt_expect_str(t, "$(hdr($var(h))[1])", "c");
	pvt_expect_int(t, "$hdrc($var(h))", 2);
	assert_int_equal(pvt_set_str(t, "$var(h)", "t"), 0);
	pvt_expect_str(t, "$hdr($var(h))", "Bob <sip:bob@biloxi.com>");
	assert_int_equal(pvt_set_str(t, "$var(h)", "bad name"), 0);
	pvt_expect_err(t, "$hdr($var(h))");

	pvt_parse_err(t, "$hdr", "needs a name");
	pvt_parse_err(t, "$hdr($var(h)x)", "text after");
	pvt_parse_err(t, "$hdr(Bad Name)", "bad header name");
	pvt_parse_err(t, "$hdr(X:)", "bad header name");
	pvt_parse_err(t, "$hdrc(X)[1]", "takes no index");
}

/* ref: fline, hdrs without the last CRLF, fpart up to it, lpart from the headers on */
static void test_msg_attrs(void **state)
{
	struct pvt *t = *state;
	const char *hdrs = "Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK-1\r\n"
	                   "f: sip:alice@atlanta.com;tag=1\r\n"
	                   "t: <tel:+1234;phone-context=x>\r\n"
	                   "i: c2\r\n"
	                   "CSeq: 7 OPTIONS\r\n"
	                   "l: 0";
	char want[512];

	pvt_load(t, options6, "2001:db8::1", 5062);
	pvt_expect_int(t, "$msg(len)", (long)t->msg.len);
	pvt_expect_int(t, "$(msg(buf){s.len})", (long)t->msg.len);
	pvt_expect_str(t, "$msg(fline)", "OPTIONS sips:carol@chicago.com SIP/2.0");
	pvt_expect_str(t, "$msg(hdrs)", hdrs);
	pvt_expect_int(t, "$msg(hdrs_len)", (long)strlen(hdrs));
	snprintf(want, sizeof(want), "OPTIONS sips:carol@chicago.com SIP/2.0\r\n%s", hdrs);
	pvt_expect_str(t, "$msg(fpart)", want);
	snprintf(want, sizeof(want), "%s\r\n\r\n", hdrs);
	pvt_expect_str(t, "$msg(lpart)", want);
	pvt_expect_str(t, "$msg(body)", "");
	pvt_expect_int(t, "$msg(body_len)", 0);

	pvt_load(t, invite, "192.0.2.10", 5060);
	pvt_expect_str(t, "$msg(body)", "v=0\r\n");
	pvt_expect_int(t, "$msg(body_len)", 5);
	pvt_parse_err(t, "$msg(nope)", "unknown $msg() attribute");
	pvt_parse_err(t, "$msg", "needs a name");
}

/* ref: each part set, then $null removes user or port */
static void test_ruri_set(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, options6, "2001:db8::1", 5062);
	assert_int_equal(pvt_set_str(t, "$rU", "dave"), 0);
	assert_int_equal(pvt_set_str(t, "$rd", "x.org"), 0);
	assert_int_equal(pvt_set_int(t, "$rp", 5090), 0);
	pvt_expect_str(t, "$ru", "sips:dave@x.org:5090");
	pvt_expect_str(t, "$ou", "sips:carol@chicago.com");
	pvt_expect_str(t, "$oU", "carol");
	pvt_expect_str(t, "$rU", "dave");
	pvt_expect_int(t, "$rp", 5090);
	assert_int_equal(pvt_set_str(t, "$rp", "5091"), 0);
	pvt_expect_str(t, "$ru", "sips:dave@x.org:5091");
	assert_int_equal(pvt_set_null(t, "$rp"), 0);
	pvt_expect_str(t, "$ru", "sips:dave@x.org");
	assert_int_equal(pvt_set_null(t, "$rp"), 0);
	assert_int_equal(pvt_set_null(t, "$rU"), 0);
	pvt_expect_str(t, "$ru", "sips:x.org");
	pvt_expect_null(t, "$rU");
	assert_int_equal(pvt_set_null(t, "$rU"), 0);
	assert_int_equal(pvt_set_str(t, "$rU", "eve"), 0);
	pvt_expect_str(t, "$ru", "sips:eve@x.org");

	/* a new user keeps the password; removing the user removes it too */
	assert_int_equal(pvt_set_str(t, "$ru", "sip:u:pw@h.com;transport=tcp"), 0);
	assert_int_equal(pvt_set_str(t, "$rU", "v"), 0);
	pvt_expect_str(t, "$ru", "sip:v:pw@h.com;transport=tcp");
	assert_int_equal(pvt_set_str(t, "$rd", "[2001:db8::2]"), 0);
	assert_int_equal(pvt_set_int(t, "$rp", 1), 0);
	pvt_expect_str(t, "$ru", "sip:v:pw@[2001:db8::2]:1;transport=tcp");
	pvt_expect_str(t, "$rd", "[2001:db8::2]");
	assert_int_equal(pvt_set_str(t, "$rU", ""), 0);
	pvt_expect_str(t, "$ru", "sip:[2001:db8::2]:1;transport=tcp");

	/* bad values are refused, the URI stays */
	assert_int_equal(pvt_set_str(t, "$ru", "not a uri"), -EINVAL);
	assert_int_equal(pvt_set_null(t, "$ru"), -EINVAL);
	assert_int_equal(pvt_set_null(t, "$rd"), -EINVAL);
	assert_int_equal(pvt_set_str(t, "$rd", ""), -EINVAL);
	assert_int_equal(pvt_set_int(t, "$rp", 0), -EINVAL);
	assert_int_equal(pvt_set_int(t, "$rp", 65536), -EINVAL);
	assert_int_equal(pvt_set_str(t, "$rp", "50x"), -EINVAL);
	pvt_expect_str(t, "$ru", "sip:[2001:db8::2]:1;transport=tcp");
	/* read-only ones */
	assert_int_equal(pvt_set_str(t, "$rz", "sip"), -EPERM);
	assert_int_equal(pvt_set_str(t, "$ou", "sip:a@b"), -EPERM);
	assert_int_equal(pvt_set_str(t, "$fu", "sip:a@b"), -EPERM);
	assert_int_equal(pvt_set_str(t, "$si", "1.2.3.4"), -EPERM);
	assert_int_equal(pvt_set_str(t, "$hdr(X)", "1"), -EPERM);
}

static void test_duri(void **state)
{
	struct pvt *t = *state;

	pvt_load(t, invite, "192.0.2.10", 5060);
	pvt_expect_null(t, "$du");
	assert_int_equal(pvt_set_str(t, "$du", "sip:proxy.org;transport=tcp"), 0);
	pvt_expect_str(t, "$du", "sip:proxy.org;transport=tcp");
	pvt_expect_str(t, "$(du{uri.transport})", "tcp");
	assert_int_equal(pvt_set_str(t, "$du", "bad uri"), -EINVAL);
	pvt_expect_str(t, "$du", "sip:proxy.org;transport=tcp");
	assert_int_equal(pvt_set_null(t, "$du"), 0);
	pvt_expect_null(t, "$du");
	assert_int_equal(pvt_set_str(t, "$du", "sip:a.org"), 0);
	assert_int_equal(pvt_set_str(t, "$du", ""), 0);
	pvt_expect_null(t, "$du");
}

static void test_flags(void **state)
{
	struct pvt *t = *state;

	pvt_empty(t);
	assert_int_equal(pvt_set_int(t, "$mf", 5), 0);
	pvt_expect_int(t, "$mf", 5);
	assert_int_equal(t->msg.flags, 5u);
	assert_int_equal(pvt_set_str(t, "$mf", "21"), 0);
	pvt_expect_int(t, "$mf", 21);
	assert_int_equal(pvt_set_str(t, "$mf", "x"), -EINVAL);
	assert_int_equal(pvt_set_int(t, "$mf", -1), -EINVAL);
	assert_int_equal(pvt_set_int(t, "$bf", 3), 0);
	pvt_expect_int(t, "$bf", 3);
	pvt_expect_int(t, "$mf", 21);
	assert_int_equal(pvt_set_null(t, "$bf"), 0);
	pvt_expect_int(t, "$bf", 0);
	/* branch flags live with the message */
	pvt_empty(t);
	pvt_expect_int(t, "$bf", 0);
}

/* $branch(): what append_branch added, read and changed by index. */
static void test_branch(void **state)
{
	struct pvt *t = *state;

	pvt_empty(t);
	pvt_expect_int(t, "$branch(count)", 0);
	pvt_expect_null(t, "$branch(uri)");
	assert_int_equal(ksr_dset_append(&t->msg, ksr_str_make("sip:a@192.0.2.1", 15),
					 KSR_STR_NULL, KSR_STR_NULL, 500, 4, NULL),
			 0);
	assert_int_equal(ksr_dset_append(&t->msg, ksr_str_make("sip:b@192.0.2.2", 15),
					 ksr_str_make("sip:192.0.2.50", 14), KSR_STR_NULL, KSR_Q_UNSET,
					 0, NULL),
			 0);
	pvt_expect_int(t, "$branch(count)", 2);
	pvt_expect_str(t, "$branch(uri)", "sip:a@192.0.2.1");
	pvt_expect_str(t, "$branch(q)", "0.5");
	pvt_expect_int(t, "$branch(flags)", 4);
	pvt_expect_null(t, "$branch(dst_uri)");
	pvt_expect_str(t, "$(branch(dst_uri)[1])", "sip:192.0.2.50");
	pvt_expect_str(t, "$(branch(uri)[-1])", "sip:b@192.0.2.2");
	pvt_expect_null(t, "$(branch(q)[1])");
	pvt_expect_null(t, "$(branch(uri)[2])");
	/* written */
	assert_int_equal(pvt_set_str(t, "$(branch(uri)[1])", "sip:c@192.0.2.3"), 0);
	pvt_expect_str(t, "$(branch(uri)[1])", "sip:c@192.0.2.3");
	assert_int_equal(pvt_set_str(t, "$(branch(q)[1])", "0.25"), 0);
	pvt_expect_str(t, "$(branch(q)[1])", "0.25");
	assert_int_equal(pvt_set_int(t, "$(branch(flags)[1])", 3), 0);
	pvt_expect_int(t, "$(branch(flags)[1])", 3);
	assert_int_equal(pvt_set_null(t, "$(branch(dst_uri)[1])"), 0);
	pvt_expect_null(t, "$(branch(dst_uri)[1])");
	/* what cannot be */
	assert_int_equal(pvt_set_str(t, "$(branch(uri)[1])", "not a uri"), -EINVAL);
	assert_int_equal(pvt_set_str(t, "$(branch(q)[1])", "2"), -EINVAL);
	assert_int_equal(pvt_set_str(t, "$(branch(uri)[5])", "sip:x@y"), -ENOENT);
	assert_int_equal(pvt_set_int(t, "$branch(count)", 1), -EROFS);
	pvt_parse_err(t, "$branch(nope)", "takes uri");
}

static void test_time(void **state)
{
	struct pvt *t = *state;
	struct ksr_val a, b, c;
	time_t now = time(NULL);
	char want[64];
	struct tm tm;

	pvt_empty(t);
	assert_int_equal(pvt_get(t, "$Ts", &a), 0);
	assert_int_equal(a.type, KSR_VAL_INT);
	assert_true(a.i >= now && a.i <= now + 2);
	/* one message sees one time */
	assert_int_equal(pvt_get(t, "$TV(s)", &b), 0);
	assert_int_equal(b.i, a.i);
	assert_int_equal(pvt_get(t, "$TV(u)", &b), 0);
	assert_int_equal(pvt_get(t, "$TV(u)", &c), 0);
	assert_int_equal(b.i, c.i);
	assert_true(b.i >= 0 && b.i < 1000000);
	assert_int_equal(pvt_get(t, "$TV(sn)", &b), 0);
	assert_true(b.i >= a.i);
	assert_int_equal(pvt_get(t, "$TV(un)", &b), 0);
	assert_true(b.i >= 0 && b.i < 1000000);
	assert_int_equal(pvt_get(t, "$TV(Sn)", &b), 0);
	assert_int_equal(b.type, KSR_VAL_STR);
	assert_int_equal(b.s.s[b.s.len - 7], '.');
	/* ref: $Tf is ctime() without its line end */
	{
		time_t ts = (time_t)a.i;
		char ct[64];

		ctime_r(&ts, ct);
		ct[strlen(ct) - 1] = '\0';
		pvt_expect_str(t, "$Tf", ct);
	}
	{
		time_t ts = (time_t)a.i;

		localtime_r(&ts, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d", &tm);
		pvt_expect_str(t, "$timef(%Y-%m-%d)", want);
	}
	pvt_parse_err(t, "$TV(x)", "$TV()");
	pvt_parse_err(t, "$TV", "needs a name");
	pvt_parse_err(t, "$timef", "needs a name");
}

static void test_env_def(void **state)
{
	struct pvt *t = *state;

	pvt_empty(t);
	assert_int_equal(setenv("KSR_PV_TEST_ENV", "on", 1), 0);
	pvt_expect_str(t, "$env(KSR_PV_TEST_ENV)", "on");
	pvt_expect_null(t, "$env(KSR_PV_TEST_NOT_SET)");
	pvt_parse_err(t, "$env", "needs a name");
	/* the defines the core kept from the preprocessor */
	{
		struct ksr_pp *pp = ksr_pp_new();

		assert_non_null(pp);
		assert_int_equal(ksr_pp_define_arg(pp, "KSR_PV_DEF=sip.example.com"), 0);
		assert_int_equal(ksr_pp_define_arg(pp, "KSR_PV_NUM=42"), 0);
		assert_int_equal(ksr_pp_keep_defines(pp), 0);
		ksr_pp_free(pp);
	}
	pvt_expect_str(t, "$def(KSR_PV_DEF)", "sip.example.com");
	pvt_expect_null(t, "$def(KSR_PV_UNDEFINED)");
	pvt_expect_int(t, "$defn(KSR_PV_NUM)", 42);
	pvt_expect_int(t, "$defn(KSR_PV_DEF)", 0);
	pvt_expect_int(t, "$defn(KSR_PV_UNDEFINED)", 0);
	ksr_pp_forget_defines();
	pvt_parse_err(t, "$def", "needs a name");
	pvt_parse_err(t, "$af", "needs a name");
	pvt_parse_err(t, "$af(x)", "id or name");
	pvt_parse_err(t, "$ru(x)", "takes no name");
	pvt_parse_err(t, "$ru[1]", "takes no index");
}

/* A message whose source is not an address family we know. */
static void test_no_source(void **state)
{
	struct pvt *t = *state;

	pvt_empty(t);
	memset(&t->msg.rcv, 0, sizeof(t->msg.rcv));
	pvt_expect_null(t, "$si");
	pvt_expect_null(t, "$sp");
	pvt_expect_null(t, "$Ri");
	pvt_expect_null(t, "$Rp");
	pvt_expect_null(t, "$pr");
	pvt_expect_null(t, "$af(id)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_request_ipv4, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_request_ipv6_compact, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reply, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_hdr, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_msg_attrs, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ruri_set, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_duri, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_branch, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_env_def, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_source, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
