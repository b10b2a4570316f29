/*
 * registrar's location queries (src/modules/registrar/reg_lookup.c, reg_pv.c) on
 * bindings saved from parsed REGISTERs: lookup() rewriting the Request-URI and adding
 * branches in q order, $du from received and Path, method filtering and its -2,
 * lookup_to_dset(), lookup_branches(), registered(), unregister() with and without a
 * ruid, and reg_fetch_contacts() read through $ulc.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/pv/pv.h"
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

/* A request to user: METHOD sip:user@example.com, with or without a To tag. */
static void request(struct regt *t, const char *method, const char *user, bool totag)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "%s sip:%s@example.com SIP/2.0\nVia: SIP/2.0/UDP "
	         "198.51.100.1:5070;branch=z9hG4bKq\n"
	         "From: <sip:caller@example.com>;tag=a\nTo: <sip:%s@example.com>%s\nCall-ID: q1\n"
	         "CSeq: 1 %s\nContent-Length: 0\n\n",
	         method, user, user, totag ? ";tag=b" : "", method);
	regt_load(t, text);
}

static const char *cur_ruri(struct regt *t)
{
	static char buf[256];
	struct ksr_str u = ksr_msg_cur_ruri(&t->msg);

	snprintf(buf, sizeof(buf), "%.*s", KSR_STR_FMT(u));
	return buf;
}

static const char *str(struct ksr_str s)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%.*s", KSR_STR_FMT(s));
	return buf[i];
}

static void test_lookup_order(void **state)
{
	struct regt *t = *state;
	struct ksr_branch *b;

	assert_int_equal(regt_save(t, "alice", "c1", 1, "Contact: <sip:a1@192.0.2.1>\n", 0), 1);
	assert_int_equal(regt_save(t, "alice", "c1", 2, "Contact: <sip:a2@192.0.2.2>\n", 0), 1);
	assert_int_equal(
	        regt_save(t, "alice", "c1", 3,
	                  "Contact: <sip:a3@192.0.2.3>;q=0.9;received=\"sip:203.0.113.3:5099\"\n",
	                  0),
	        1);
	request(t, "INVITE", "alice", false);
	t->msg.dst_uri = KSR_STR_STATIC("sip:stale");
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	/* the highest q first, its received as $du; then the others, the older first */
	assert_string_equal(cur_ruri(t), "sip:a3@192.0.2.3");
	assert_string_equal(str(t->msg.dst_uri), "sip:203.0.113.3:5099");
	assert_false(t->msg.ruri_consumed);
	assert_int_equal(t->msg.nbranches, 2);
	b = ksr_dset_get(&t->msg, 1);
	assert_string_equal(str(b->uri), "sip:a1@192.0.2.1");
	assert_int_equal(b->dst_uri.len, 0);
	assert_ptr_equal(b->socket, &t->listener);
	b = ksr_dset_get(&t->msg, 2);
	assert_string_equal(str(b->uri), "sip:a2@192.0.2.2");
	/* append_branches 0: the R-URI only */
	reg_append_branches = 0;
	request(t, "INVITE", "alice", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	assert_int_equal(t->msg.nbranches, 0);
	assert_int_equal(t->msg.dst_uri.len, strlen("sip:203.0.113.3:5099"));
	/* lookup_to_dset: every contact a branch, the R-URI untouched */
	request(t, "INVITE", "alice", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_DSET), 1);
	assert_string_equal(cur_ruri(t), "sip:alice@example.com");
	assert_int_equal(t->msg.nbranches, 3);
	assert_string_equal(str(ksr_dset_get(&t->msg, 1)->uri), "sip:a3@192.0.2.3");
	assert_string_equal(str(ksr_dset_get(&t->msg, 1)->dst_uri), "sip:203.0.113.3:5099");
	assert_int_equal(ksr_dset_get(&t->msg, 1)->q, 900);
	/* nobody there: -1, nothing changed */
	request(t, "INVITE", "nobody", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), -1);
	assert_string_equal(cur_ruri(t), "sip:nobody@example.com");
	/* the uri parameter instead of the R-URI */
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_STATIC("sip:Alice@other.org"),
	                                  REG_LOOKUP_RURI),
	                 1);
	assert_string_equal(cur_ruri(t), "sip:a3@192.0.2.3");
}

static void test_lookup_path(void **state)
{
	struct regt *t = *state;
	struct ksr_branch *b;

	reg_use_path = 1;
	reg_path_mode = REG_PATH_LAZY;
	assert_int_equal(
	        regt_save(
	                t, "bob", "c1", 1,
	                "Contact: <sip:bob@10.0.0.1>;q=0.5\nPath: <sip:edge1;lr>, <sip:edge2;lr>\n",
	                0),
	        1);
	request(t, "INVITE", "bob", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	/* the first Path hop is $du; the Path goes with the contact as a branch's route set */
	assert_string_equal(cur_ruri(t), "sip:bob@10.0.0.1");
	assert_string_equal(str(t->msg.dst_uri), "sip:edge1;lr");
	assert_true(t->msg.ruri_consumed);
	assert_int_equal(t->msg.nbranches, 1);
	b = ksr_dset_get(&t->msg, 1);
	assert_string_equal(str(b->uri), "sip:bob@10.0.0.1");
	assert_string_equal(str(b->dst_uri), "sip:edge1;lr");
	assert_string_equal(str(b->path), "<sip:edge1;lr>, <sip:edge2;lr>");
	assert_int_equal(b->q, 500);
}

static void test_method_filtering(void **state)
{
	struct regt *t = *state;

	reg_method_filtering = 1;
	assert_int_equal(regt_save(t, "carol", "c1", 1,
	                           "Contact: <sip:c1@x>\nAllow: INVITE, ACK, BYE, CANCEL\n", 0),
	                 1);
	request(t, "MESSAGE", "carol", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), -2);
	/* within a dialog (To tag) there is no filtering */
	request(t, "MESSAGE", "carol", true);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	request(t, "INVITE", "carol", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	/* a contact without Allow takes everything */
	assert_int_equal(regt_save(t, "carol", "c1", 2, "Contact: <sip:c2@x>\n", 0), 1);
	request(t, "MESSAGE", "carol", false);
	assert_int_equal(registrar_lookup(&t->msg, t->d, KSR_STR_NULL, REG_LOOKUP_RURI), 1);
	assert_string_equal(cur_ruri(t), "sip:c2@x");
	assert_int_equal(t->msg.nbranches, 0);
}

static void test_lookup_branches(void **state)
{
	struct regt *t = *state;

	assert_int_equal(regt_save(t, "dave", "c1", 1, "Contact: <sip:d@x>\n", 0), 1);
	assert_int_equal(
	        regt_save(t, "erin", "c2", 1, "Contact: <sip:e1@x>\nContact: <sip:e2@x>\n", 0), 1);
	request(t, "INVITE", "dave", false);
	assert_int_equal(ksr_dset_append(&t->msg, KSR_STR_STATIC("sip:erin@example.com"),
	                                 KSR_STR_NULL, KSR_STR_NULL, KSR_Q_UNSET, 0, NULL),
	                 0);
	assert_int_equal(ksr_dset_append(&t->msg, KSR_STR_STATIC("sip:fixed@example.com"),
	                                 KSR_STR_STATIC("sip:proxy"), KSR_STR_NULL, KSR_Q_UNSET, 0,
	                                 NULL),
	                 0);
	assert_int_equal(registrar_lookup_branches(&t->msg, t->d), 1);
	assert_string_equal(cur_ruri(t), "sip:d@x");
	/*
	 * erin's branch became her first contact in place, the second was appended (ref);
	 * the branch with a $du stayed as it was
	 */
	assert_int_equal(t->msg.nbranches, 3);
	assert_string_equal(str(ksr_dset_get(&t->msg, 1)->uri), "sip:e1@x");
	assert_string_equal(str(ksr_dset_get(&t->msg, 2)->uri), "sip:fixed@example.com");
	assert_string_equal(str(ksr_dset_get(&t->msg, 3)->uri), "sip:e2@x");
	/* the last branch resolved: what was appended after it stays */
	request(t, "INVITE", "dave", false);
	assert_int_equal(ksr_dset_append(&t->msg, KSR_STR_STATIC("sip:erin@example.com"),
	                                 KSR_STR_NULL, KSR_STR_NULL, KSR_Q_UNSET, 0, NULL),
	                 0);
	assert_int_equal(registrar_lookup_branches(&t->msg, t->d), 1);
	assert_int_equal(t->msg.nbranches, 2);
	assert_string_equal(str(ksr_dset_get(&t->msg, 1)->uri), "sip:e1@x");
	assert_string_equal(str(ksr_dset_get(&t->msg, 2)->uri), "sip:e2@x");
}

static void test_registered_unregister(void **state)
{
	struct regt *t = *state;
	struct ul_record *r;
	char ruid[64];

	assert_int_equal(
	        regt_save(t, "frank", "c1", 1, "Contact: <sip:f1@x>\nContact: <sip:f2@x>\n", 0), 1);
	request(t, "OPTIONS", "frank", false);
	assert_int_equal(registrar_registered(&t->msg, t->d, KSR_STR_NULL, 0, 0), 1);
	assert_int_equal(registrar_registered(&t->msg, t->d, KSR_STR_STATIC("sip:gina@x"), 0, 0),
	                 -1);
	/* a contact by its ruid */
	assert_int_equal(usrloc_get_record(t->d, KSR_STR_STATIC("frank"), &r), 0);
	snprintf(ruid, sizeof(ruid), "%.*s", KSR_STR_FMT(r->contacts->ruid));
	assert_int_equal(registrar_unregister(&t->msg, t->d, KSR_STR_STATIC("sip:frank@x"),
	                                      KSR_STR_STATIC("nope")),
	                 -3);
	assert_int_equal(registrar_unregister(&t->msg, t->d, KSR_STR_STATIC("sip:frank@x"),
	                                      ksr_str_make(ruid, strlen(ruid))),
	                 1);
	assert_int_equal(usrloc_get_record(t->d, KSR_STR_STATIC("frank"), &r), 0);
	assert_string_equal(str(r->contacts->c), "sip:f2@x");
	assert_null(r->contacts->next);
	/* all of them; an AoR with none is no error */
	assert_int_equal(
	        registrar_unregister(&t->msg, t->d, KSR_STR_STATIC("sip:frank@x"), KSR_STR_NULL),
	        1);
	assert_int_equal(registrar_registered(&t->msg, t->d, KSR_STR_NULL, 0, 0), -1);
	assert_int_equal(
	        registrar_unregister(&t->msg, t->d, KSR_STR_STATIC("sip:frank@x"), KSR_STR_NULL),
	        1);
	assert_int_equal(
	        registrar_unregister(&t->msg, t->d, KSR_STR_STATIC("bad uri"), KSR_STR_NULL), -1);
}

/* $ulc(...) read the way the script does. */
static struct ksr_val ulc(struct regt *t, struct ksr_arena *a, const char *pv)
{
	struct ksr_pv_spec *spec;
	struct ksr_val v;
	const char *err = NULL;
	size_t used;

	if (ksr_pv_parse(ksr_str_make((char *)pv, strlen(pv)), a, &spec, &used, &err) < 0)
		fail_msg("%s: %s", pv, err ? err : "?");
	assert_int_equal(ksr_pv_get(&t->msg, spec, &v), 0);
	return v;
}

static void test_fetch_contacts(void **state)
{
	struct regt *t = *state;
	struct ksr_arena a;
	struct ksr_val v;

	ksr_arena_init(&a, 1024);
	assert_int_equal(ksr_pv_register(registrar_pvs), 0);
	assert_int_equal(
	        regt_save(t, "gina", "c1", 7,
	                  "Contact: <sip:g1@x>;q=0.8\nContact: <sip:g2@x>\nUser-Agent: ua\n", 0),
	        1);
	request(t, "OPTIONS", "x", false);
	assert_int_equal(registrar_fetch_contacts(&t->msg, t->d, KSR_STR_STATIC("sip:gina@x"),
	                                          KSR_STR_STATIC("p")),
	                 1);
	v = ulc(t, &a, "$ulc(p=>count)");
	assert_int_equal(v.i, 2);
	v = ulc(t, &a, "$ulc(p=>aor)");
	assert_string_equal(str(v.s), "gina");
	v = ulc(t, &a, "$ulc(p=>domain)");
	assert_string_equal(str(v.s), "location");
	v = ulc(t, &a, "$ulc(p=>addr)");
	assert_string_equal(str(v.s), "sip:g1@x");
	v = ulc(t, &a, "$(ulc(p=>addr)[1])");
	assert_string_equal(str(v.s), "sip:g2@x");
	v = ulc(t, &a, "$ulc(p=>q)");
	assert_int_equal(v.i, 800);
	v = ulc(t, &a, "$ulc(p=>cseq)");
	assert_int_equal(v.i, 7);
	v = ulc(t, &a, "$ulc(p=>user_agent)");
	assert_string_equal(str(v.s), "ua");
	v = ulc(t, &a, "$ulc(p=>socket)");
	assert_string_equal(str(v.s), "udp:192.0.2.5:5060");
	v = ulc(t, &a, "$(ulc(p=>addr)[2])");
	assert_int_equal(v.type, KSR_VAL_NULL);
	/* nothing bound: -1 and the profile is empty */
	assert_int_equal(registrar_fetch_contacts(&t->msg, t->d, KSR_STR_STATIC("sip:nobody@x"),
	                                          KSR_STR_STATIC("p")),
	                 -1);
	v = ulc(t, &a, "$ulc(p=>count)");
	assert_int_equal(v.type, KSR_VAL_NULL);
	assert_int_equal(registrar_fetch_contacts(&t->msg, t->d, KSR_STR_STATIC("sip:gina@x"),
	                                          KSR_STR_STATIC("q")),
	                 1);
	assert_int_equal(registrar_free_contacts(KSR_STR_STATIC("q")), 1);
	v = ulc(t, &a, "$ulc(q=>count)");
	assert_int_equal(v.type, KSR_VAL_NULL);
	ksr_arena_destroy(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_lookup_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_lookup_path, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_method_filtering, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_lookup_branches, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_registered_unregister, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fetch_contacts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
