/*
 * usrloc's tables (src/modules/usrloc/ul_table.c): records and contacts inserted,
 * updated, matched (Call-ID/CSeq rules, matching modes, instance), ordered by q,
 * expired by the timer's job and deleted, with the statistics and callbacks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/counters.h"
#include "core/net/listener.h"
#include "usrloc.h"

#define S(x) ksr_str_make((char *)(x), strlen(x))

static struct ul_domain *dom;

static int setup(void **state)
{
	usrloc_desc_time_order = 0;
	usrloc_matching_mode = USRLOC_MATCH_CONTACT;
	usrloc_cseq_delay = 20;
	usrloc_hash_size = 4;
	if (usrloc_register_domain("location", &dom) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	usrloc_tables_free();
	ksr_counters_clear();
	dom = NULL;
	return 0;
}

static long stat_of(const char *name)
{
	struct ksr_counter *c = ksr_counter_lookup(S("usrloc"), S(name));

	return c ? ksr_counter_get(c) : -1;
}

/* A contact of a REGISTER with Call-ID "cid", expiring in 3600 s. */
static struct ul_contact_info info(const char *uri, int q, uint32_t cseq)
{
	time_t now = time(NULL);

	return (struct ul_contact_info){
	        .c = S(uri),
	        .callid = S("cid"),
	        .user_agent = S("ua"),
	        .cseq = cseq,
	        .q = q,
	        .expires = now + 3600,
	        .last_modified = now,
	        .methods = UL_ALL_METHODS,
	        .tcpconn_id = -1,
	};
}

static struct ul_record *record(const char *aor)
{
	struct ul_record *r;

	if (usrloc_get_record(dom, S(aor), &r) == 0)
		return r;
	assert_int_equal(usrloc_insert_record(dom, S(aor), &r), 0);
	return r;
}

static struct ul_contact *add(struct ul_record *r, const char *uri, int q)
{
	struct ul_contact_info ci = info(uri, q, 1);
	struct ul_contact *c = NULL;

	assert_int_equal(usrloc_insert_contact(r, &ci, &c), 0);
	assert_non_null(c);
	return c;
}

/* The contacts' URIs in list order, ' '-separated. */
static const char *order(const struct ul_record *r)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (const struct ul_contact *c = r->contacts; c; c = c->next)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s", n ? " " : "",
		                      KSR_STR_FMT(c->c));
	return buf;
}

static void test_domains(void **state)
{
	struct ul_domain *d2, *again;

	assert_ptr_equal(usrloc_find_domain(S("location")), dom);
	assert_null(usrloc_find_domain(S("nowhere")));
	assert_int_equal(usrloc_register_domain("location", &again), 0);
	assert_ptr_equal(again, dom);
	assert_int_equal(usrloc_register_domain("other", &d2), 0);
	assert_ptr_not_equal(d2, dom);
	assert_int_equal(dom->size, 16); /* 2^hash_size */
	assert_int_equal(usrloc_register_domain("", &d2), -EINVAL);
}

static void test_records(void **state)
{
	struct ul_record *r, *found;

	assert_int_equal(usrloc_get_record(dom, S("alice"), &found), -ENOENT);
	r = record("alice");
	assert_int_equal(usrloc_get_record(dom, S("alice"), &found), 0);
	assert_ptr_equal(found, r);
	assert_int_equal(r->aorhash, usrloc_aor_hash(S("alice")));
	assert_int_equal(stat_of("location_users"), 1);
	/* an empty record goes on release; one with contacts stays */
	add(r, "sip:alice@192.0.2.1", UL_Q_UNSET);
	usrloc_release_record(r);
	assert_int_equal(usrloc_get_record(dom, S("alice"), &found), 0);
	assert_int_equal(stat_of("location_contacts"), 1);
	assert_int_equal(usrloc_delete_record(dom, S("alice")), 0);
	assert_int_equal(usrloc_get_record(dom, S("alice"), &found), -ENOENT);
	assert_int_equal(stat_of("location_users"), 0);
	assert_int_equal(stat_of("location_contacts"), 0);
	assert_int_equal(usrloc_delete_record(dom, S("alice")), -ENOENT);
	r = record("bob");
	usrloc_release_record(r);
	assert_int_equal(usrloc_get_record(dom, S("bob"), &found), -ENOENT);
}

static void test_q_order(void **state)
{
	struct ul_record *r = record("carol");
	struct ul_contact *c;
	struct ul_contact_info ci;

	add(r, "sip:a@x", 500);
	add(r, "sip:b@x", UL_Q_UNSET);
	add(r, "sip:c@x", 1000);
	add(r, "sip:d@x", 500);
	/* by q; of two with one q the older first; no q after every q */
	assert_string_equal(order(r), "sip:c@x sip:a@x sip:d@x sip:b@x");
	/* a new q moves the binding; the same q keeps its place */
	assert_int_equal(usrloc_find_contact_uri(r, S("sip:b@x"), &c), 0);
	ci = info("sip:b@x", 700, 2);
	assert_int_equal(usrloc_update_contact(r, c, &ci), 0);
	assert_string_equal(order(r), "sip:c@x sip:b@x sip:a@x sip:d@x");
	assert_int_equal(usrloc_find_contact_uri(r, S("sip:a@x"), &c), 0);
	ci = info("sip:a@x", 500, 2);
	assert_int_equal(usrloc_update_contact(r, c, &ci), 0);
	assert_string_equal(order(r), "sip:c@x sip:b@x sip:a@x sip:d@x");
	/* prev links follow */
	for (c = r->contacts; c && c->next; c = c->next)
		assert_ptr_equal(c->next->prev, c);
	assert_null(r->contacts->prev);
}

static void test_desc_time_order(void **state)
{
	struct ul_record *r = record("dave");
	struct ul_contact *c;
	struct ul_contact_info ci;

	usrloc_desc_time_order = 1;
	add(r, "sip:a@x", 1000);
	add(r, "sip:b@x", 100);
	assert_string_equal(order(r), "sip:b@x sip:a@x");
	/* a refresh makes it the newest */
	assert_int_equal(usrloc_find_contact_uri(r, S("sip:a@x"), &c), 0);
	ci = info("sip:a@x", 1000, 2);
	assert_int_equal(usrloc_update_contact(r, c, &ci), 0);
	assert_string_equal(order(r), "sip:a@x sip:b@x");
}

static void test_update_keeps_ruid(void **state)
{
	struct ul_record *r = record("erin");
	struct ul_contact *c = add(r, "sip:erin@192.0.2.1", UL_Q_UNSET), *c2;
	struct ul_contact_info ci = info("sip:erin@192.0.2.1", 100, 5);
	char ruid[64];

	assert_true(c->ruid.len > 0);
	assert_true(c->ruid.len < sizeof(ruid));
	memcpy(ruid, c->ruid.s, c->ruid.len);
	ruid[c->ruid.len] = '\0';
	ci.user_agent = S("new agent");
	ci.received = S("sip:198.51.100.1:5060");
	ci.path = S("<sip:edge;lr>");
	assert_int_equal(usrloc_update_contact(r, c, &ci), 0);
	assert_string_equal(c->ruid.s, ruid);
	assert_string_equal(c->user_agent.s, "new agent");
	assert_string_equal(c->received.s, "sip:198.51.100.1:5060");
	assert_string_equal(c->path.s, "<sip:edge;lr>");
	assert_int_equal(c->cseq, 5);
	assert_int_equal(c->q, 100);
	assert_int_equal(usrloc_get_contact_by_ruid(r, S(ruid), &c2), 0);
	assert_ptr_equal(c2, c);
	assert_int_equal(usrloc_get_contact_by_ruid(r, S("nope"), &c2), -ENOENT);
	/* every binding gets its own ruid */
	c2 = add(r, "sip:erin@192.0.2.2", UL_Q_UNSET);
	assert_false(ksr_str_eq(&c->ruid, &c2->ruid));
	assert_ptr_equal(c->aor.s, r->aor.s);
	assert_string_equal(c->domain.s, "location");
}

static void test_cseq_rules(void **state)
{
	struct ul_record *r = record("frank");
	struct ul_contact *c = add(r, "sip:f@x", UL_Q_UNSET), *m;
	const struct ksr_str none = KSR_STR_NULL;

	c->cseq = 10;
	/* RFC 3261 10.3 step 7: same Call-ID, lower CSeq: out of order */
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), none, 9, &m), -EINVAL);
	/* the same CSeq soon after: a retransmission, later: out of order */
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), none, 10, &m), -EALREADY);
	c->last_modified = time(NULL) - 21;
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), none, 10, &m), -EINVAL);
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), none, 11, &m), 0);
	assert_ptr_equal(m, c);
	/* another Call-ID: any CSeq */
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("other"), none, 1, &m), 0);
	assert_int_equal(usrloc_get_contact(r, S("sip:g@x"), S("cid"), none, 11, &m), -ENOENT);
	/* contact and Call-ID must both match */
	usrloc_matching_mode = USRLOC_MATCH_CALLID;
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("other"), none, 1, &m), -ENOENT);
	/* Call-ID alone */
	usrloc_matching_mode = USRLOC_MATCH_CALLID_ONLY;
	assert_int_equal(usrloc_get_contact(r, S("sip:g@x"), S("cid"), none, 11, &m), 0);
	/* contact and Path; no Path given: contact alone */
	usrloc_matching_mode = USRLOC_MATCH_PATH;
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), S("<sip:p;lr>"), 11, &m),
	                 -ENOENT);
	assert_int_equal(usrloc_get_contact(r, S("sip:f@x"), S("cid"), none, 11, &m), 0);
	usrloc_matching_mode = USRLOC_MATCH_CONTACT;
}

static void test_instance(void **state)
{
	struct ul_record *r = record("gina");
	struct ul_contact_info ci = info("sip:g1@x", UL_Q_UNSET, 1), q;
	struct ul_contact *c, *m;

	ci.instance = S("<urn:uuid:1>");
	ci.reg_id = 1;
	assert_int_equal(usrloc_insert_contact(r, &ci, &c), 0);
	/* RFC 5626: the same instance and reg-id are the same flow, whatever the URI */
	q = info("sip:g2@x", UL_Q_UNSET, 2);
	q.instance = S("<urn:uuid:1>");
	q.reg_id = 1;
	assert_int_equal(usrloc_get_contact_by_instance(r, &q, &m), 0);
	assert_ptr_equal(m, c);
	q.reg_id = 2;
	assert_int_equal(usrloc_get_contact_by_instance(r, &q, &m), -ENOENT);
	q.reg_id = 1;
	q.cseq = 0;
	assert_int_equal(usrloc_get_contact_by_instance(r, &q, &m), -EINVAL);
	q.instance = KSR_STR_NULL;
	assert_int_equal(usrloc_get_contact_by_instance(r, &q, &m), -ENOENT);
}

static int events[4];

static void on_event(struct ul_record *r, struct ul_contact *c, enum ul_cb_type type, void *param)
{
	assert_ptr_equal(param, &events);
	assert_non_null(r);
	assert_non_null(c);
	switch (type) {
	case UL_CONTACT_INSERT: events[0]++; break;
	case UL_CONTACT_UPDATE: events[1]++; break;
	case UL_CONTACT_DELETE: events[2]++; break;
	case UL_CONTACT_EXPIRE: events[3]++; break;
	}
}

static void test_expire(void **state)
{
	struct ul_record *r = record("hank"), *r2 = record("ivy"), *found;
	struct ul_contact *c;
	time_t now = time(NULL);

	memset(events, 0, sizeof(events));
	assert_int_equal(usrloc_register_callback(UL_CONTACT_INSERT | UL_CONTACT_UPDATE |
	                                                  UL_CONTACT_DELETE | UL_CONTACT_EXPIRE,
	                                          on_event, &events),
	                 0);
	c = add(r, "sip:gone@x", UL_Q_UNSET);
	c->expires = now - 1;
	c = add(r, "sip:stays@x", UL_Q_UNSET);
	c = add(r, "sip:permanent@x", UL_Q_UNSET);
	c->expires = 0;
	c = add(r2, "sip:ivy@x", UL_Q_UNSET);
	c->expires = now;
	assert_int_equal(events[0], 4);
	assert_false(ul_contact_valid(c, now));
	assert_int_equal(usrloc_expire(now), 2);
	assert_int_equal(events[3], 2);
	assert_int_equal(events[2], 0); /* expired, not deleted by anyone */
	assert_string_equal(order(r), "sip:stays@x sip:permanent@x");
	/* a record left without contacts goes with them */
	assert_int_equal(usrloc_get_record(dom, S("ivy"), &found), -ENOENT);
	assert_int_equal(stat_of("location_expires"), 2);
	assert_int_equal(stat_of("location_contacts"), 2);
	assert_int_equal(stat_of("location_users"), 1);
	/* the permanent one never expires */
	assert_int_equal(usrloc_expire(now + 100000), 1);
	assert_string_equal(order(r), "sip:permanent@x");
	assert_int_equal(usrloc_delete_contact(r, r->contacts), 0);
	assert_int_equal(events[2], 1);
}

static int count_cb(struct ul_record *r, struct ul_contact *c, void *arg)
{
	int *n = arg;

	return ++*n == 3 ? 99 : 0;
}

static void test_foreach(void **state)
{
	struct ul_domain *other;
	int n = 0;

	add(record("a"), "sip:a1@x", UL_Q_UNSET);
	add(record("a"), "sip:a2@x", UL_Q_UNSET);
	assert_int_equal(usrloc_register_domain("other", &other), 0);
	assert_int_equal(usrloc_foreach_contact(dom, count_cb, &n), 0);
	assert_int_equal(n, 2);
	dom = other;
	add(record("b"), "sip:b1@x", UL_Q_UNSET);
	add(record("c"), "sip:c1@x", UL_Q_UNSET);
	/* every table; a non-zero return stops the walk and is returned */
	n = 0;
	assert_int_equal(usrloc_foreach_contact(NULL, count_cb, &n), 99);
	assert_int_equal(n, 3);
}

static void test_socket_str(void **state)
{
	struct ksr_listener l = {.proto = IPPROTO_UDP, .port = 5060};
	char buf[96];

	strcpy(l.host, "192.0.2.1");
	assert_int_equal(usrloc_socket_str(&l, buf, sizeof(buf)), strlen("udp:192.0.2.1:5060"));
	assert_string_equal(buf, "udp:192.0.2.1:5060");
	l.proto = IPPROTO_TCP;
	strcpy(l.host, "2001:db8::1");
	usrloc_socket_str(&l, buf, sizeof(buf));
	assert_string_equal(buf, "tcp:[2001:db8::1]:5060");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_q_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_desc_time_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_update_keeps_ruid, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cseq_rules, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_instance, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_foreach, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_socket_str, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
