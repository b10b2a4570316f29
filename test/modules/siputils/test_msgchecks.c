/*
 * Tests of src/modules/siputils/msgchecks.c: request/reply, To tag, first hop, GRUU,
 * Supported, Date. Expected values follow the reference daemon (Kamailio 5.6.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/net/listener.h"
#include "su_test.h"

#define CALL0(t, f) sut_call((t), (f), 0, NULL, NULL, NULL)
#define CALL1(t, f, a) sut_call((t), (f), 1, (a), NULL, NULL)

static const char invite[] = "INVITE sip:bob@example.com;gr=urn:uuid:f81d4fae SIP/2.0\n"
                             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
                             "From: <sip:alice@example.com>;tag=f1\n"
                             "To: <sip:bob@example.com>\n"
                             "Call-ID: c1\n"
                             "CSeq: 1 INVITE\n"
                             "Supported: path, 100rel\n"
                             "k: Timer\n"
                             "Content-Length: 0\n\n";

static const char bye[] = "BYE sip:bob@192.0.2.9 SIP/2.0\n"
                          "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-2\n"
                          "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
                          "From: <sip:alice@example.com>;tag=f1\n"
                          "To: <sip:bob@example.com>;tag=t1\n"
                          "Call-ID: c1\n"
                          "CSeq: 2 BYE\n"
                          "Content-Length: 0\n\n";

static void test_request_reply_totag(void **state)
{
	struct sut *t = *state;

	sut_load(t, invite);
	assert_int_equal(CALL0(t, "is_request"), 1);
	assert_int_equal(CALL0(t, "is_reply"), -1);
	assert_int_equal(CALL0(t, "has_totag"), -1);
	sut_load(t, bye);
	assert_int_equal(CALL0(t, "has_totag"), 1);
	sut_load(t, "SIP/2.0 200 OK\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	            "From: <sip:alice@example.com>;tag=f1\n"
	            "To: <sip:bob@example.com>;tag=t2\n"
	            "Call-ID: c1\n"
	            "CSeq: 1 INVITE\n"
	            "Content-Length: 0\n\n");
	assert_int_equal(CALL0(t, "is_request"), -1);
	assert_int_equal(CALL0(t, "is_reply"), 1);
	assert_int_equal(CALL0(t, "has_totag"), 1);
	/* "tag" without a value is no tag */
	sut_load(t, "OPTIONS sip:x@example.com SIP/2.0\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	            "From: <sip:alice@example.com>;tag=f1\n"
	            "To: <sip:x@example.com>;xtag=1\n"
	            "Call-ID: c1\n"
	            "CSeq: 1 OPTIONS\n"
	            "Content-Length: 0\n\n");
	assert_int_equal(CALL0(t, "has_totag"), -1);
}

/* A 200 from 192.0.2.1 with the given Record-Route lines ("" for none). */
static void load_reply(struct sut *t, const char *rr)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "SIP/2.0 200 OK\n"
	         "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-3\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	         "%s"
	         "From: <sip:alice@example.com>;tag=f1\n"
	         "To: <sip:bob@example.com>;tag=t2\n"
	         "Call-ID: c1\n"
	         "CSeq: 1 INVITE\n"
	         "Content-Length: 0\n\n",
	         rr);
	sut_load(t, buf);
}

static void test_is_first_hop(void **state)
{
	struct sut *t = *state;
	const char *why = NULL;

	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5060", &why), 0);
	assert_int_equal(ksr_alias_add("example.org", &why), 0);

	/* requests: one Via value only */
	sut_load(t, invite);
	assert_int_equal(CALL0(t, "is_first_hop"), 1);
	assert_int_equal(CALL1(t, "is_first_hop", "1"), 1);
	sut_load(t, bye);
	assert_int_equal(CALL0(t, "is_first_hop"), -1);
	sut_load(t, "OPTIONS sip:x@example.com SIP/2.0\n"
	            "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-2, SIP/2.0/UDP 192.0.2.1\n"
	            "From: <sip:alice@example.com>;tag=f1\n"
	            "To: <sip:x@example.com>\n"
	            "Call-ID: c1\n"
	            "CSeq: 1 OPTIONS\n"
	            "Content-Length: 0\n\n");
	assert_int_equal(CALL0(t, "is_first_hop"), -1);

	/* replies: the top Record-Route is ours */
	load_reply(t, "Record-Route: <sip:127.0.0.1;lr>\nRecord-Route: <sip:192.0.2.9;lr>\n");
	assert_int_equal(CALL0(t, "is_first_hop"), 1);
	assert_int_equal(CALL1(t, "is_first_hop", "1"), 1);
	load_reply(t, "Record-Route: <sip:127.0.0.1:5060;lr>, <sip:192.0.2.9;lr>\n");
	assert_int_equal(CALL0(t, "is_first_hop"), 1);
	load_reply(t, "Record-Route: <sip:192.0.2.9;lr>\nRecord-Route: <sip:127.0.0.1;lr>\n");
	assert_int_equal(CALL0(t, "is_first_hop"), -1);
	assert_int_equal(CALL1(t, "is_first_hop", "1"), -1);
	load_reply(t, "Record-Route: <sip:127.0.0.1:5070;lr>\n"); /* not our port */
	assert_int_equal(CALL0(t, "is_first_hop"), -1);
	/* a name of ours counts in mode 1 only */
	load_reply(t, "Record-Route: <sip:example.org;lr>\n");
	assert_int_equal(CALL0(t, "is_first_hop"), -1);
	assert_int_equal(CALL1(t, "is_first_hop", "1"), 1);
	load_reply(t, "Record-Route: <sip:localhost;lr>\n");
	assert_int_equal(CALL1(t, "is_first_hop", "1"), -1);
	/* no Record-Route: first hop, as upstream */
	load_reply(t, "");
	assert_int_equal(CALL0(t, "is_first_hop"), 1);
	load_reply(t, "Record-Route: <tel:+123>\n");
	assert_int_equal(CALL0(t, "is_first_hop"), -1);
	ksr_listeners_clear();
}

static void test_is_gruu(void **state)
{
	struct sut *t = *state;

	sut_load(t, invite);
	assert_int_equal(CALL0(t, "is_gruu"), 1);
	assert_int_equal(CALL1(t, "is_gruu", "sip:a@b;gr=x"), 1);
	assert_int_equal(CALL1(t, "is_gruu", "sip:a@b;gr"), 2);
	assert_int_equal(CALL1(t, "is_gruu", "sip:a@b;GR"), 2);
	assert_int_equal(CALL1(t, "is_gruu", "sip:a@b"), -1);
	assert_int_equal(CALL1(t, "is_gruu", "sip:a@b;grx=1"), -1);
	assert_int_equal(CALL1(t, "is_gruu", "garbage"), -1);
	sut_load(t, bye);
	assert_int_equal(CALL0(t, "is_gruu"), -1);
	load_reply(t, "");
	assert_int_equal(CALL0(t, "is_gruu"), -1); /* a reply has no R-URI */
}

static void test_is_supported(void **state)
{
	struct sut *t = *state;

	sut_load(t, invite);
	assert_int_equal(CALL1(t, "is_supported", "path"), 1);
	assert_int_equal(CALL1(t, "is_supported", "PATH"), 1);
	assert_int_equal(CALL1(t, "is_supported", "100rel"), 1);
	assert_int_equal(CALL1(t, "is_supported", "timer"), 1); /* the compact form k */
	assert_int_equal(CALL1(t, "is_supported", "gruu"), -1);
	assert_int_equal(CALL1(t, "is_supported", "outbound"), -1);
	assert_int_equal(CALL1(t, "is_supported", "eventlist"), -1);
	/* upstream knows these six only: anything else is refused at load */
	assert_int_equal(CALL1(t, "is_supported", "foo"), -1000);
	assert_int_equal(CALL1(t, "is_supported", "replaces"), -1000);
	sut_load(t, bye);
	assert_int_equal(CALL1(t, "is_supported", "path"), -1);
}

static void load_with_date(struct sut *t, time_t when)
{
	char date[64], buf[512];

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&when));
	snprintf(buf, sizeof(buf),
	         "MESSAGE sip:bob@example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	         "From: <sip:alice@example.com>;tag=f1\n"
	         "To: <sip:bob@example.com>\n"
	         "Call-ID: c1\n"
	         "CSeq: 1 MESSAGE\n"
	         "Date: %s\n"
	         "Content-Length: 0\n\n",
	         date);
	sut_load(t, buf);
}

static void test_hdr_date_check(void **state)
{
	struct sut *t = *state;
	time_t now = time(NULL);

	load_with_date(t, now - 2);
	assert_int_equal(CALL1(t, "hdr_date_check", "10"), 1);
	assert_int_equal(CALL1(t, "hdr_date_check", "0"), -1);
	load_with_date(t, now - 3600);
	assert_int_equal(CALL1(t, "hdr_date_check", "10"), -1);
	assert_int_equal(CALL1(t, "hdr_date_check", "7200"), 1);
	load_with_date(t, now + 3600); /* a clock ahead is not outdated */
	assert_int_equal(CALL1(t, "hdr_date_check", "10"), 1);
	sut_load(t, invite); /* no Date */
	assert_int_equal(CALL1(t, "hdr_date_check", "10"), -1);
	sut_load(t, "MESSAGE sip:bob@example.com SIP/2.0\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	            "From: <sip:alice@example.com>;tag=f1\n"
	            "To: <sip:bob@example.com>\n"
	            "Call-ID: c1\n"
	            "CSeq: 1 MESSAGE\n"
	            "Date: yesterday\n"
	            "Content-Length: 0\n\n");
	assert_int_equal(CALL1(t, "hdr_date_check", "1000000000"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_request_reply_totag, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_first_hop, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_gruu, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_supported, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_hdr_date_check, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
