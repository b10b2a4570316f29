/*
 * registrar's save() (src/modules/registrar/reg_save.c) on parsed REGISTERs against
 * usrloc's tables: what is bound, the return codes, and the reply's header lines
 * (Contact with ;expires=, Min-Expires, Path, P-Registrar-Error, Retry-After), as
 * Kamailio 5.6 answers the same requests. Also the AoRs of reg_aor.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "reg_test.h"
#include "usrloc.h"

static int setup(void **state)
{
	*state = regt_new();
	return 0;
}

static int teardown(void **state)
{
	regt_free(*state);
	return 0;
}

#define HDRS(t, want) assert_string_equal(regt_hdrs(t), want)

static void test_bind_refresh_remove(void **state)
{
	struct regt *t = *state;

	/* a new binding: the Expires header's value */
	assert_int_equal(
	        regt_save(t, "alice", "c1", 1, "Contact: <sip:alice@192.0.2.1>\nExpires: 300\n", 0),
	        1);
	HDRS(t, "Contact: <sip:alice@192.0.2.1>;expires=300\r\n");
	/* a refresh: updated, the same one binding */
	assert_int_equal(
	        regt_save(t, "alice", "c1", 2, "Contact: <sip:alice@192.0.2.1>;expires=120\n", 0),
	        2);
	HDRS(t, "Contact: <sip:alice@192.0.2.1>;expires=120\r\n");
	/* a second one, with q: first in the list; default_expires without any expires */
	assert_int_equal(
	        regt_save(t, "alice", "c1", 3, "Contact: <sip:alice@192.0.2.2>;q=0.5\n", 0), 1);
	HDRS(t, "Contact: <sip:alice@192.0.2.2>;q=0.5;expires=3600, "
	        "<sip:alice@192.0.2.1>;expires=120\r\n");
	/* ;expires=0: removed */
	assert_int_equal(
	        regt_save(t, "alice", "c1", 4, "Contact: <sip:alice@192.0.2.1>;expires=0\n", 0), 3);
	HDRS(t, "Contact: <sip:alice@192.0.2.2>;q=0.5;expires=3600\r\n");
	/* no Contact: the list */
	assert_int_equal(regt_save(t, "alice", "c1", 5, "", 0), 4);
	HDRS(t, "Contact: <sip:alice@192.0.2.2>;q=0.5;expires=3600\r\n");
	/* Contact: * with Expires: 0: all gone, no Contact in the reply */
	assert_int_equal(regt_save(t, "alice", "c9", 1, "Contact: *\nExpires: 0\n", 0), 3);
	HDRS(t, "");
	assert_int_equal(regt_code(t), 200);
	/* one new contact given twice: one binding, the last expiry */
	assert_int_equal(regt_save(t, "alice", "c9", 2,
	                           "Contact: <sip:alice@192.0.2.7>;expires=100\nContact: "
	                           "<sip:alice@192.0.2.7>;expires=200\n",
	                           0),
	                 1);
	HDRS(t, "Contact: <sip:alice@192.0.2.7>;expires=200\r\n");
	assert_int_equal(regt_save(t, "alice", "c9", 3, "Contact: *\nExpires: 0\n", 0), 3);
	/* removing what is not there is no error */
	assert_int_equal(
	        regt_save(t, "alice", "c9", 4, "Contact: <sip:alice@192.0.2.1>;expires=0\n", 0), 1);
	HDRS(t, "");
}

static void test_star_errors(void **state)
{
	struct regt *t = *state;

	assert_int_equal(regt_save(t, "bob", "c1", 1, "Contact: *\n", 0), -1);
	HDRS(t, "P-Registrar-Error: * used in contact and expires is not zero\r\n");
	assert_int_equal(regt_code(t), 400);
	assert_int_equal(
	        regt_save(t, "bob", "c1", 2, "Contact: *\nContact: <sip:b@x>\nExpires: 0\n", 0),
	        -1);
	HDRS(t, "P-Registrar-Error: * used in contact and more than 1 contact\r\n");
	assert_int_equal(regt_save(t, "bob", "c1", 3, "Contact: *, <sip:b@x>\nExpires: 0\n", 0),
	                 -1);
	assert_int_equal(regt_code(t), 400);
	assert_int_equal(regt_save(t, "bob", "c1", 4, "Contact: garbage\n", 0), -1);
	HDRS(t, "P-Registrar-Error: Contact parse error\r\n");
}

static void test_cseq(void **state)
{
	struct regt *t = *state;

	assert_int_equal(regt_save(t, "carol", "c1", 5, "Contact: <sip:carol@x>\n", 0), 1);
	/* the same Call-ID, a lower CSeq: 400, the bindings listed */
	assert_int_equal(regt_save(t, "carol", "c1", 4, "Contact: <sip:carol@x>\nExpires: 60\n", 0),
	                 -1);
	HDRS(t, "Contact: <sip:carol@x>;expires=3600\r\n"
	        "P-Registrar-Error: Invalid CSeq number\r\n");
	assert_int_equal(regt_code(t), 400);
	/* the same CSeq again at once: a retransmission, nothing changes, 200 */
	assert_int_equal(regt_save(t, "carol", "c1", 5, "Contact: <sip:carol@x>\nExpires: 60\n", 0),
	                 1);
	HDRS(t, "Contact: <sip:carol@x>;expires=3600\r\n");
	/* another Call-ID: any CSeq */
	assert_int_equal(regt_save(t, "carol", "c2", 1, "Contact: <sip:carol@x>\nExpires: 60\n", 0),
	                 2);
	HDRS(t, "Contact: <sip:carol@x>;expires=60\r\n");
}

static void test_expires_limits(void **state)
{
	struct regt *t = *state;

	/* below min_expires: raised to it (min_expires_mode 0) */
	assert_int_equal(regt_save(t, "dave", "c1", 1, "Contact: <sip:dave@x>;expires=5\n", 0), 1);
	HDRS(t, "Contact: <sip:dave@x>;expires=60\r\n");
	/* above max_expires: lowered */
	reg_max_expires = 1000;
	assert_int_equal(regt_save(t, "dave", "c1", 2, "Contact: <sip:dave@x>;expires=99999\n", 0),
	                 2);
	HDRS(t, "Contact: <sip:dave@x>;expires=1000\r\n");
	/* min_expires_mode 1: 423 with Min-Expires, nothing changed */
	reg_min_expires_mode = 1;
	assert_int_equal(regt_save(t, "dave", "c1", 3, "Contact: <sip:dave@y>\nExpires: 5\n", 0),
	                 -1);
	HDRS(t, "Contact: <sip:dave@x>;expires=1000\r\n"
	        "Min-Expires: 60\r\n"
	        "P-Registrar-Error: Interval too brief\r\n");
	assert_int_equal(regt_code(t), 423);
	assert_string_equal(registrar_reason(423), "Interval Too Brief");
	/* a REGISTER is taken whole or not at all: the good contact did not go in either */
	assert_int_equal(regt_save(t, "dave", "c1", 4,
	                           "Contact: <sip:dave@z>\nContact: <sip:dave@y>;expires=1\n", 0),
	                 -1);
	assert_int_equal(regt_save(t, "dave", "c1", 5, "", 0), 4);
	HDRS(t, "Contact: <sip:dave@x>;expires=1000\r\n");
	/* a bad Expires header counts as none: default_expires */
	assert_int_equal(regt_save(t, "dave", "c1", 6, "Contact: <sip:dave@x>\nExpires: soon\n", 0),
	                 2);
	HDRS(t, "Contact: <sip:dave@x>;expires=1000\r\n");
}

static void test_max_contacts(void **state)
{
	struct regt *t = *state;

	reg_max_contacts = 2;
	reg_retry_after = 30;
	assert_int_equal(
	        regt_save(t, "erin", "c1", 1, "Contact: <sip:e1@x>\nContact: <sip:e2@x>\n", 0), 1);
	assert_int_equal(regt_save(t, "erin", "c1", 2, "Contact: <sip:e3@x>\n", 0), -2);
	HDRS(t, "Contact: <sip:e1@x>;expires=3600, <sip:e2@x>;expires=3600\r\n"
	        "P-Registrar-Error: Too many registered contacts\r\n"
	        "Retry-After: 30\r\n");
	assert_int_equal(regt_code(t), 503);
	/* one out, one in: within the limit */
	assert_int_equal(regt_save(t, "erin", "c1", 3,
	                           "Contact: <sip:e1@x>;expires=0\nContact: <sip:e3@x>\n", 0),
	                 1);
	HDRS(t, "Contact: <sip:e2@x>;expires=3600, <sip:e3@x>;expires=3600\r\n");
}

static void test_single_contact(void **state)
{
	struct regt *t = *state;

	assert_int_equal(
	        regt_save(t, "frank", "c1", 1, "Contact: <sip:f1@x>\nContact: <sip:f2@x>\n", 0), 1);
	/* 0x04: one binding per AoR: the first that stays replaces all others */
	assert_int_equal(
	        regt_save(
	                t, "frank", "c1", 2,
	                "Contact: <sip:f9@x>;expires=0\nContact: <sip:f3@x>\nContact: <sip:f4@x>\n",
	                REG_SAVE_SINGLE),
	        1);
	HDRS(t, "Contact: <sip:f3@x>;expires=3600\r\n");
}

static void test_path(void **state)
{
	struct regt *t = *state;

	reg_use_path = 1;
	reg_path_mode = REG_PATH_LAZY;
	/* lazy: stored; given back only when the UA supports path */
	assert_int_equal(regt_save(t, "gina", "c1", 1,
	                           "Contact: <sip:g@x>\nPath: <sip:e1;lr>\nPath: <sip:e2;lr>\n", 0),
	                 1);
	HDRS(t, "Contact: <sip:g@x>;expires=3600\r\n");
	assert_int_equal(
	        regt_save(t, "gina", "c1", 2,
	                  "Contact: <sip:g@x>\nPath: <sip:e1;lr>, <sip:e2;lr>\nSupported: path\n",
	                  0),
	        2);
	HDRS(t, "Contact: <sip:g@x>;expires=3600\r\nPath: <sip:e1;lr>, <sip:e2;lr>\r\n");
	/* strict: refused without Supported: path (RFC 3327 5.3) */
	reg_path_mode = REG_PATH_STRICT;
	assert_int_equal(
	        regt_save(t, "gina", "c1", 3, "Contact: <sip:g2@x>\nPath: <sip:e1;lr>\n", 0), -1);
	HDRS(t, "Contact: <sip:g@x>;expires=3600\r\n"
	        "Unsupported: path\r\n"
	        "Path: <sip:e1;lr>\r\n"
	        "P-Registrar-Error: No support for found Path indicated\r\n");
	assert_int_equal(regt_code(t), 420);
	/* Require: outbound: no RFC 5626 here */
	assert_int_equal(
	        regt_save(t, "gina", "c1", 4, "Contact: <sip:g2@x>\nRequire: outbound\n", 0), -1);
	HDRS(t,
	     "Unsupported: outbound\r\nP-Registrar-Error: No support for Outbound on server\r\n");
}

static void test_instance_reg_id(void **state)
{
	struct regt *t = *state;

	assert_int_equal(regt_save(t, "hank", "c1", 1,
	                           "Contact: <sip:h1@x>;+sip.instance=\"<urn:uuid:1>\";reg-id=1\n",
	                           0),
	                 1);
	HDRS(t, "Contact: <sip:h1@x>;expires=3600;+sip.instance=\"<urn:uuid:1>\";reg-id=1\r\n");
	/* the same instance and reg-id: the same flow, its URI replaced */
	assert_int_equal(regt_save(t, "hank", "c1", 2,
	                           "Contact: <sip:h2@x>;+sip.instance=\"<urn:uuid:1>\";reg-id=1\n",
	                           0),
	                 2);
	HDRS(t, "Contact: <sip:h2@x>;expires=3600;+sip.instance=\"<urn:uuid:1>\";reg-id=1\r\n");
	/* another reg-id: another flow */
	assert_int_equal(regt_save(t, "hank", "c1", 3,
	                           "Contact: <sip:h3@x>;+sip.instance=\"<urn:uuid:1>\";reg-id=2\n",
	                           0),
	                 1);
	HDRS(t, "Contact: <sip:h2@x>;expires=3600;+sip.instance=\"<urn:uuid:1>\";reg-id=1, "
	        "<sip:h3@x>;expires=3600;+sip.instance=\"<urn:uuid:1>\";reg-id=2\r\n");
}

static void test_received_and_details(void **state)
{
	struct regt *t = *state;
	struct ul_record *r;
	struct ul_contact *c;

	assert_int_equal(regt_save(t, "ivy", "c1", 1,
	                           "Contact: <sip:ivy@10.0.0.1>;received=\"sip:203.0.113.9:5090\"\n"
	                           "User-Agent: phone/2\nAllow: INVITE, ACK, BYE, CANCEL\n",
	                           REG_SAVE_MEMORY),
	                 1);
	HDRS(t, "Contact: <sip:ivy@10.0.0.1>;expires=3600;received=\"sip:203.0.113.9:5090\"\r\n");
	assert_int_equal(usrloc_get_record(t->d, KSR_STR_STATIC("ivy"), &r), 0);
	c = r->contacts;
	assert_string_equal(c->user_agent.s, "phone/2");
	assert_string_equal(c->callid.s, "c1");
	assert_int_equal(c->methods,
	                 KSR_METHOD_INVITE | KSR_METHOD_ACK | KSR_METHOD_BYE | KSR_METHOD_CANCEL);
	assert_int_equal(c->flags, UL_FL_MEM);
	assert_ptr_equal(c->sock, &t->listener);
	assert_int_equal(c->q, UL_Q_UNSET);
	/* no User-Agent: "n/a"; no Allow: every method; default_q */
	reg_default_q = 300;
	assert_int_equal(regt_save(t, "ivy", "c2", 1, "Contact: <sip:ivy@10.0.0.2>\n", 0), 1);
	assert_int_equal(usrloc_find_contact_uri(r, KSR_STR_STATIC("sip:ivy@10.0.0.2"), &c), 0);
	assert_string_equal(c->user_agent.s, "n/a");
	assert_int_equal(c->methods, UL_ALL_METHODS);
	assert_int_equal(c->q, 300);
}

static void test_aor(void **state)
{
	struct regt *t = *state;
	struct ksr_str aor;

	regt_load(
	        t,
	        "OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\n"
	        "To: <sip:a@b>\nCall-ID: 1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
	assert_int_equal(registrar_aor(&t->msg, KSR_STR_STATIC("sip:J%41ck@Example.COM"), &aor), 0);
	assert_string_equal(aor.s, "jack");
	reg_case_sensitive = 1;
	assert_int_equal(registrar_aor(&t->msg, KSR_STR_STATIC("sip:J%41ck@Example.COM"), &aor), 0);
	assert_string_equal(aor.s, "JAck");
	reg_case_sensitive = 0;
	usrloc_use_domain = 1;
	reg_realm_prefix = "sip.";
	assert_int_equal(
	        registrar_aor(&t->msg, KSR_STR_STATIC("sip:bob@sip.Example.com;x=y"), &aor), 0);
	assert_string_equal(aor.s, "bob@example.com");
	assert_int_equal(registrar_aor(&t->msg, KSR_STR_STATIC("sip:example.com"), &aor), 0);
	assert_string_equal(aor.s, "example.com");
	usrloc_use_domain = 0;
	/* a bad escape: the URI parser refuses it already */
	assert_int_equal(registrar_aor(&t->msg, KSR_STR_STATIC("sip:b%4@x"), &aor), -R_AOR_PARSE);
	assert_int_equal(registrar_aor(&t->msg, KSR_STR_STATIC("not a uri"), &aor), -R_AOR_PARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_bind_refresh_remove, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_star_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cseq, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_expires_limits, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_max_contacts, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_single_contact, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_path, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_instance_reg_id, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_received_and_details, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_aor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
