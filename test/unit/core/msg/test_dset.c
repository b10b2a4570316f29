/* The destination set: q values, appending up to max_branches, the redirect Contact. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"

#define S(lit) ksr_str_make((lit), sizeof(lit) - 1)

static char req[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		    "From: <sip:a@example.com>;tag=1\r\n"
		    "To: <sip:bob@example.com>\r\n"
		    "Call-ID: c1\r\n"
		    "CSeq: 1 INVITE\r\n"
		    "Content-Length: 0\r\n"
		    "\r\n";

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char buf[sizeof(req)];
};

static int setup(void **state)
{
	static struct fixture f;
	const char *why = NULL;

	ksr_arena_init(&f.arena, 4096);
	memcpy(f.buf, req, sizeof(req));
	if (ksr_msg_parse(&f.msg, f.buf, sizeof(req) - 1, &f.arena, &why) < 0)
		return -1;
	ksr_max_branches = 12;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	return 0;
}

static void test_q(void **state)
{
	static const struct {
		const char *in;
		int q;
		const char *out;
	} ok[] = {{"0", 0, "0"},	 {"1", 1000, "1"},	{"0.5", 500, "0.5"},
		  {"0.25", 250, "0.25"}, {"0.125", 125, "0.125"}, {"1.0", 1000, "1"},
		  {"1.000", 1000, "1"},	 {"0.050", 50, "0.05"},	{"0.", 0, "0"}};
	static const char *const bad[] = {"", "2", "1.5", "0.1234", "-0.5", ".5", "0,5", "1.001", "x"};
	char buf[8];
	int q;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct ksr_str s = ksr_str_make((char *)ok[i].in, strlen(ok[i].in));
		size_t n;

		assert_int_equal(ksr_q_parse(s, &q), 0);
		assert_int_equal(q, ok[i].q);
		n = ksr_q_print(q, buf);
		buf[n] = '\0';
		assert_string_equal(buf, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ksr_q_parse(ksr_str_make((char *)bad[i], strlen(bad[i])), &q),
				 -EINVAL);
}

static void test_append_and_limit(void **state)
{
	struct fixture *f = *state;
	struct ksr_str c = S("sip:c@example.net"), d = S("sip:d@example.net"), bad = S("nonsense");
	struct ksr_branch *b;

	ksr_max_branches = 3; /* the R-URI and two more */
	f->msg.bflags = 6;
	f->msg.dst_uri = S("sip:192.0.2.50");
	assert_int_equal(ksr_dset_append_script(&f->msg, NULL, KSR_Q_UNSET), 0);
	assert_int_equal(ksr_dset_append_script(&f->msg, &c, 300), 0);
	assert_int_equal(ksr_dset_append_script(&f->msg, &d, 0), -ENOSPC);
	assert_int_equal(f->msg.nbranches, 2);
	/* without a URI: the R-URI, $du and branch 0's flags */
	b = ksr_dset_get(&f->msg, 1);
	assert_non_null(b);
	assert_int_equal(b->uri.len, strlen("sip:bob@example.com"));
	assert_memory_equal(b->uri.s, "sip:bob@example.com", b->uri.len);
	assert_memory_equal(b->dst_uri.s, "sip:192.0.2.50", b->dst_uri.len);
	assert_int_equal(b->flags, 6);
	assert_int_equal(b->q, KSR_Q_UNSET);
	/* with one: that URI, with $du and branch 0's flags too (as Kamailio 5.6) */
	b = ksr_dset_get(&f->msg, 2);
	assert_memory_equal(b->dst_uri.s, "sip:192.0.2.50", b->dst_uri.len);
	assert_int_equal(b->flags, 6);
	assert_int_equal(b->q, 300);
	assert_null(ksr_dset_get(&f->msg, 0));
	assert_null(ksr_dset_get(&f->msg, 3));
	/* not a URI */
	ksr_dset_clear(&f->msg);
	assert_int_equal(ksr_dset_append_script(&f->msg, &bad, 0), -EINVAL);
	assert_int_equal(f->msg.nbranches, 0);
}

static void test_contact(void **state)
{
	struct fixture *f = *state;
	struct ksr_str line;

	/* nothing changed, nothing appended: no Contact */
	assert_int_equal(ksr_dset_contact(&f->msg, &line), -ENOENT);
	assert_int_equal(ksr_dset_append(&f->msg, S("sip:b1@192.0.2.1"), KSR_STR_NULL, KSR_STR_NULL,
					 500, 0, NULL),
			 0);
	assert_int_equal(ksr_dset_contact(&f->msg, &line), 0);
	assert_int_equal(line.len, strlen("Contact: <sip:b1@192.0.2.1>;q=0.5\r\n"));
	assert_memory_equal(line.s, "Contact: <sip:b1@192.0.2.1>;q=0.5\r\n", line.len);
	/* a changed R-URI comes first */
	assert_int_equal(ksr_msg_set_ruri(&f->msg, S("sip:new@192.0.2.9")), 0);
	assert_int_equal(ksr_dset_append(&f->msg, S("sip:b2@192.0.2.2"), KSR_STR_NULL, KSR_STR_NULL,
					 KSR_Q_UNSET, 0, NULL),
			 0);
	assert_int_equal(ksr_dset_contact(&f->msg, &line), 0);
	assert_memory_equal(line.s,
			    "Contact: <sip:new@192.0.2.9>, <sip:b1@192.0.2.1>;q=0.5, <sip:b2@192.0.2.2>\r\n",
			    line.len);
	/* a consumed R-URI is one of the branches: listed once */
	f->msg.ruri_consumed = true;
	assert_int_equal(ksr_dset_contact(&f->msg, &line), 0);
	assert_memory_equal(line.s, "Contact: <sip:b1@192.0.2.1>;q=0.5, <sip:b2@192.0.2.2>\r\n",
			    line.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q),
		cmocka_unit_test_setup_teardown(test_append_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
