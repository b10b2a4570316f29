/*
 * Tests of textopsx: msg_apply_changes and msg_set_buffer (and through them the core's
 * ksr_msg_apply_changes / ksr_msg_set_content), change_reply_status, remove_body, keep_hf,
 * fnmatch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "msgs.h"
#include "tx_test.h"

/* Every header the parser remembers lies in the message's (new) buffer. */
static void assert_in_buf(const struct ksr_msg *m)
{
	const struct ksr_hdr *hs[] = {m->h_via1, m->h_from, m->h_to, m->h_callid, m->h_cseq,
				      m->h_clen};

	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		assert_non_null(hs[i]);
		assert_true(hs[i]->line.s >= m->buf && hs[i]->line.s < m->buf + m->len);
	}
	for (const struct ksr_hdr *h = m->headers; h; h = h->next)
		assert_true(h->line.s >= m->buf && h->line.s + h->line.len <= m->buf + m->len);
	assert_true(m->body.s >= m->buf && m->body.s + m->body.len == m->buf + m->len);
}

static void test_apply_changes(void **state)
{
	struct tx *t = *state;
	char *old_buf;

	tx_load(t, REQ);
	t->msg.flags = 5;
	t->msg.dst_uri = KSR_STR_STATIC("sip:proxy.example.com");
	old_buf = t->msg.buf;
	assert_int_equal(tx_run(t, "include_hf_value", 2, "Supported", "timer"), 1);
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[2]"), 1);
	assert_int_equal(ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:carol@example.org")), 0);
	assert_int_equal(ksr_msg_set_body(&t->msg, KSR_STR_STATIC("v=1\r\n"), KSR_STR_NULL), 0);
	/* what a function sees before: the received text */
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "Supported", "timer"), -1);
	assert_int_equal(tx_run(t, "msg_apply_changes", 0), 1);
	/* after: the new text, parsed again, with nothing left to apply */
	assert_ptr_not_equal(t->msg.buf, old_buf);
	assert_in_buf(&t->msg);
	assert_int_equal(t->msg.nedits, 0);
	assert_null(t->msg.edits);
	assert_null(t->msg.new_uri.s);
	assert_false(t->msg.new_body_set);
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "Supported", "timer"), 1);
	assert_int_equal(t->msg.first.req.method_id, KSR_METHOD_INVITE);
	assert_int_equal(t->msg.first.req.uri.len, strlen("sip:carol@example.org"));
	assert_memory_equal(t->msg.body.s, "v=1\r\n", 5);
	/* what is not text stays */
	assert_int_equal(t->msg.flags, 5);
	assert_int_equal(t->msg.dst_uri.len, strlen("sip:proxy.example.com"));
	assert_int_equal(t->msg.rcv.src.ss_family, AF_INET);
	tx_expect_built(t, "INVITE sip:carol@example.org SIP/2.0\n" VIA FROM TO CID CSEQ
			"Supported: path, 100rel, timer\nX-Foo: a, c\nX-Foo: d\n" CT
			"Content-Length: 5\n\nv=1\n");
	/* and the next changes are made to that text */
	assert_int_equal(tx_run(t, "remove_hf_value", 1, "X-Foo[2]"), 1);
	tx_expect_built(t, "INVITE sip:carol@example.org SIP/2.0\n" VIA FROM TO CID CSEQ
			"Supported: path, 100rel, timer\nX-Foo: a\nX-Foo: d\n" CT
			"Content-Length: 5\n\nv=1\n");
}

static void test_apply_changes_fails_whole(void **state)
{
	struct tx *t = *state;
	char *old_buf;

	tx_load(t, REQ);
	old_buf = t->msg.buf;
	/* a text that no longer parses: false, and the message is as it was */
	assert_int_equal(ksr_msg_replace_range(&t->msg, t->msg.buf, 6, KSR_STR_STATIC("IN\rVITE")),
			 0);
	assert_int_equal(tx_run(t, "msg_apply_changes", 0), -1);
	assert_ptr_equal(t->msg.buf, old_buf);
	assert_int_equal(t->msg.nedits, 1);
	/* edits that cannot be built (a new Request-URI over a changed one): the same */
	tx_load(t, REQ);
	old_buf = t->msg.buf;
	assert_int_equal(ksr_msg_replace_range(&t->msg, t->msg.first.req.uri.s, 3,
					       KSR_STR_STATIC("sips")),
			 0);
	assert_int_equal(ksr_msg_set_ruri(&t->msg, KSR_STR_STATIC("sip:carol@example.org")), 0);
	assert_int_equal(ksr_msg_apply_changes(&t->msg, NULL), -EBUSY);
	assert_ptr_equal(t->msg.buf, old_buf);
	assert_int_equal(t->msg.nedits, 1);
}

static void test_apply_changes_to_reply(void **state)
{
	struct tx *t = *state;

	tx_load(t, RPL);
	assert_int_equal(tx_run(t, "append_hf_value", 2, "X-New", "1"), 1);
	assert_int_equal(tx_run(t, "msg_apply_changes", 0), 1);
	assert_int_equal(t->msg.type, KSR_MSG_REPLY);
	assert_int_equal(t->msg.first.rpl.code, 200);
	assert_int_equal(tx_run(t, "hf_value_exists", 2, "X-New", "1"), 1);
	assert_in_buf(&t->msg);
}

static void test_set_buffer(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run_dyn(t, 1, "msg_set_buffer", 1, tx_crlf(t, OPT).s), 1);
	assert_int_equal(t->msg.first.req.method_id, KSR_METHOD_OPTIONS);
	assert_in_buf(&t->msg);
	tx_expect_built(t, OPT);
	/* a reply is not what a request can become; nor is garbage */
	assert_int_equal(tx_run_dyn(t, 1, "msg_set_buffer", 1, tx_crlf(t, RPL).s), -1);
	assert_int_equal(tx_run_dyn(t, 1, "msg_set_buffer", 1, "hello"), -1);
	assert_int_equal(t->msg.first.req.method_id, KSR_METHOD_OPTIONS);
}

static void test_change_reply_status(void **state)
{
	struct tx *t = *state;
	const char *busy = "SIP/2.0 603 Decline\n" VIA FROM "To: <sip:bob@example.com>;tag=b1\n" CID
			   CSEQ CL0 "\n";

	tx_load(t, busy);
	assert_int_equal(tx_run(t, "change_reply_status", 2, "404", "Not Found"), 1);
	assert_int_equal(t->msg.first.rpl.code, 404);
	tx_expect_built(t, "SIP/2.0 404 Not Found\n" VIA FROM "To: <sip:bob@example.com>;tag=b1\n"
			CID CSEQ CL0 "\n");
	/* a 2xx stays a 2xx, nothing becomes one */
	tx_load(t, RPL);
	assert_int_equal(tx_run(t, "change_reply_status", 2, "486", "Busy"), -1);
	assert_int_equal(tx_run(t, "change_reply_status", 2, "202", "Accepted"), 1);
	tx_load(t, busy);
	assert_int_equal(tx_run(t, "change_reply_status", 2, "200", "OK"), -1);
	assert_int_equal(tx_run_dyn(t, 2, "change_reply_status", 2, "480", "a\r\nb"), -1);
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "change_reply_status", 2, "404", "No"), -1);
	assert_non_null(tx_fixup_fails("change_reply_status", 2, "99", "x"));
	assert_non_null(tx_fixup_fails("change_reply_status", 2, "404", ""));
}

static void test_remove_body(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "remove_body", 0), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT "Content-Length: 0\n\n");
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "remove_body", 0), 1);
	tx_expect_built(t, OPT);
}

static void test_keep_hf(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "keep_hf", 0), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ CT CL "\n" BODY);
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "keep_hf", 1, "^x-"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ XFOO CT CL "\n" BODY);
	assert_non_null(tx_fixup_fails("keep_hf", 1, "("));
}

static void test_fnmatch(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "fnmatch", 2, "1234", "123*"), 1);
	assert_int_equal(tx_run(t, "fnmatch", 2, "abc", "a?c"), 1);
	assert_int_equal(tx_run(t, "fnmatch", 2, "ABC", "a*"), -1);
	assert_int_equal(tx_run(t, "fnmatch", 3, "ABC", "a*", "i"), 1);
	assert_int_equal(tx_run(t, "fnmatch", 3, "ABC", "[ab]B?", "i"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_apply_changes),
		TX_TEST(test_apply_changes_fails_whole),
		TX_TEST(test_apply_changes_to_reply),
		TX_TEST(test_set_buffer),
		TX_TEST(test_change_reply_status),
		TX_TEST(test_remove_body),
		TX_TEST(test_keep_hf),
		TX_TEST(test_fnmatch),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
