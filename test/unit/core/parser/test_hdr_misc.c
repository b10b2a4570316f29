/*
 * Tests of single-value header bodies (src/core/parser/hdr_misc.c): Call-ID, Content-Type,
 * Max-Forwards, Expires, Min-Expires, Event, Privacy, User-Agent, Server, Accept, Date.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"

struct fixture {
	struct ksr_arena arena;
	char *buf; /* exactly sized: valgrind sees over-reads */
	struct ksr_msg msg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ksr_arena_init(&f->arena, 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	free(f->buf);
	free(f);
	return 0;
}

static struct ksr_str body(struct fixture *f, const char *text)
{
	size_t n = strlen(text);

	free(f->buf);
	f->buf = malloc(n ? n : 1);
	assert_non_null(f->buf);
	memcpy(f->buf, text, n);
	return ksr_str_make(f->buf, n);
}

static struct ksr_msg *msg_parse(struct fixture *f, const char *text)
{
	struct ksr_str b = body(f, text);

	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	return &f->msg;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static void test_callid(void **state)
{
	static const char *const bad[] = {"", "  ", "a b", "a\tb", "a\r\n b", "x\x01y"};
	struct fixture *f = *state;
	struct ksr_str c = KSR_STR_NULL;

	assert_int_equal(
	        ksr_parse_callid(body(f, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com"), &c),
	        0);
	assert_str(c, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com");
	assert_int_equal(ksr_parse_callid(body(f, "  a84b4c76e66710@[2001:db8::1] \t"), &c), 0);
	assert_str(c, "a84b4c76e66710@[2001:db8::1]");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = KSR_STR_STATIC("untouched");
		if (ksr_parse_callid(body(f, bad[i]), &c) != -EINVAL)
			fail_msg("Call-ID '%s' accepted", bad[i]);
		assert_str(c, "untouched");
	}
}

static void test_content_type(void **state)
{
	static const char *const bad[] = {
	        "",
	        "application",
	        "application/",
	        "/sdp",
	        "application/sdp;",
	        "application/sdp;charset",
	        "application/sdp;charset=",
	        "application/sdp x",
	        "multipart/mixed;boundary=\"\"",
	        "multipart/mixed;boundary=a;boundary=b",
	        "multipart/mixed;boundary=\"open",
	        "text/plain, text/html",
	        "app lication/sdp",
	};
	struct fixture *f = *state;
	struct ksr_content_type *ct = NULL;

	assert_int_equal(ksr_parse_content_type(body(f, "application/sdp"), &f->arena, &ct), 0);
	assert_str(ct->type, "application");
	assert_str(ct->subtype, "sdp");
	assert_int_equal(ct->params.len, 0);
	assert_null(ct->param_list);

	assert_int_equal(
	        ksr_parse_content_type(body(f, "Multipart/Mixed ;\r\n BOUNDARY=\"b:1 x\" ; "
	                                       "charset=UTF-8;x=y"),
	                               &f->arena, &ct),
	        0);
	assert_str(ct->type, "Multipart");
	assert_str(ct->subtype, "Mixed");
	assert_str(ct->boundary, "b:1 x");
	assert_str(ct->charset, "UTF-8");
	assert_str(ct->params, ";\r\n BOUNDARY=\"b:1 x\" ; charset=UTF-8;x=y");
	assert_str(ct->param_list->next->next->name, "x");

	/* LWS around the slash is allowed (SLASH = SWS "/" SWS) */
	assert_int_equal(ksr_parse_content_type(body(f, "text / plain"), &f->arena, &ct), 0);
	assert_str(ct->subtype, "plain");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct = (struct ksr_content_type *)f;
		if (ksr_parse_content_type(body(f, bad[i]), &f->arena, &ct) != -EINVAL)
			fail_msg("Content-Type '%s' accepted", bad[i]);
		assert_ptr_equal(ct, f);
	}
}

static void test_numbers(void **state)
{
	static const char *const bad_mf[] = {
	        "", "256", "1000", "-1", "7a", " 70", "70 ", "0x10", "99999999999999999999999"};
	static const char *const bad_delta[] = {
	        "", "4294967296", "99999999999999999999", "-1", "1.5", "1h", " 1", "\"10\""};
	struct fixture *f = *state;
	unsigned int mf;
	uint32_t d;

	assert_int_equal(ksr_parse_maxfwd(body(f, "70"), &mf), 0);
	assert_int_equal(mf, 70);
	assert_int_equal(ksr_parse_maxfwd(body(f, "0"), &mf), 0);
	assert_int_equal(mf, 0);
	assert_int_equal(ksr_parse_maxfwd(body(f, "255"), &mf), 0);
	assert_int_equal(mf, 255);
	assert_int_equal(ksr_parse_maxfwd(body(f, "000000000000070"), &mf), 0);
	assert_int_equal(mf, 70);
	for (size_t i = 0; i < sizeof(bad_mf) / sizeof(bad_mf[0]); i++) {
		mf = 12345;
		if (ksr_parse_maxfwd(body(f, bad_mf[i]), &mf) != -EINVAL)
			fail_msg("Max-Forwards '%s' accepted", bad_mf[i]);
		assert_int_equal(mf, 12345);
	}

	assert_int_equal(ksr_parse_delta_seconds(body(f, "3600"), &d), 0);
	assert_int_equal(d, 3600);
	assert_int_equal(ksr_parse_delta_seconds(body(f, "4294967295"), &d), 0);
	assert_int_equal(d, 4294967295u);
	assert_int_equal(ksr_parse_delta_seconds(body(f, "0"), &d), 0);
	assert_int_equal(d, 0);
	for (size_t i = 0; i < sizeof(bad_delta) / sizeof(bad_delta[0]); i++) {
		d = 12345;
		if (ksr_parse_delta_seconds(body(f, bad_delta[i]), &d) != -EINVAL)
			fail_msg("delta-seconds '%s' accepted", bad_delta[i]);
		assert_int_equal(d, 12345);
	}
}

static void test_event(void **state)
{
	static const char *const bad[] = {
	        "",          ";id=1", "presence;id", "presence;id=1;id=2", ".presence",
	        "presence.", "a..b",  "presence x",  "presence;",          "pres/ence"};
	struct fixture *f = *state;
	struct ksr_event *ev = NULL;

	assert_int_equal(ksr_parse_event(body(f, "presence"), &f->arena, &ev), 0);
	assert_str(ev->type, "presence");
	assert_str(ev->package, "presence");
	assert_false(ev->has_id);
	assert_int_equal(
	        ksr_parse_event(body(f, "presence.winfo ; ID=\"a1\";vendor=x"), &f->arena, &ev), 0);
	assert_str(ev->type, "presence.winfo");
	assert_str(ev->package, "presence");
	assert_true(ev->has_id);
	assert_str(ev->id, "\"a1\"");
	assert_str(ev->params, "; ID=\"a1\";vendor=x");
	assert_str(ksr_params_get(ev->param_list, "vendor")->value, "x");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ev = (struct ksr_event *)f;
		if (ksr_parse_event(body(f, bad[i]), &f->arena, &ev) != -EINVAL)
			fail_msg("Event '%s' accepted", bad[i]);
		assert_ptr_equal(ev, f);
	}
}

static void test_privacy(void **state)
{
	static const char *const bad[] = {"",         ";",       "id;",     ";id",
	                                  "id;;user", "id user", "id,user", "\"id\""};
	struct fixture *f = *state;
	unsigned int m;

	assert_int_equal(ksr_parse_privacy(body(f, "id"), &m), 0);
	assert_int_equal(m, KSR_PRIVACY_ID);
	assert_int_equal(ksr_parse_privacy(body(f, "header ; SESSION;user;critical"), &m), 0);
	assert_int_equal(m, KSR_PRIVACY_HEADER | KSR_PRIVACY_SESSION | KSR_PRIVACY_USER |
	                            KSR_PRIVACY_CRITICAL);
	assert_int_equal(ksr_parse_privacy(body(f, "none"), &m), 0);
	assert_int_equal(m, KSR_PRIVACY_NONE);
	assert_int_equal(ksr_parse_privacy(body(f, "history;x-new"), &m), 0);
	assert_int_equal(m, KSR_PRIVACY_HISTORY | KSR_PRIVACY_OTHER);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 12345;
		if (ksr_parse_privacy(body(f, bad[i]), &m) != -EINVAL)
			fail_msg("Privacy '%s' accepted", bad[i]);
		assert_int_equal(m, 12345);
	}
}

static void test_text(void **state)
{
	static const char *const bad[] = {"", " \t ", "a\x01", "a\rb", "a\r\nb", "a\x7f"};
	struct fixture *f = *state;
	struct ksr_str t;

	assert_int_equal(ksr_parse_text(body(f, "Softphone Beta1.5 (x; y) \"q\""), &t), 0);
	assert_str(t, "Softphone Beta1.5 (x; y) \"q\"");
	assert_int_equal(ksr_parse_text(body(f, " HomeServer\r\n v2\t"), &t), 0);
	assert_str(t, "HomeServer\r\n v2");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = KSR_STR_STATIC("untouched");
		if (ksr_parse_text(body(f, bad[i]), &t) != -EINVAL)
			fail_msg("text '%s' accepted", bad[i]);
		assert_str(t, "untouched");
	}
}

static void test_accept(void **state)
{
	static const char *const bad[] = {"*/sdp",
	                                  "application",
	                                  "application/sdp;q=2",
	                                  "application/sdp;q",
	                                  "a/b;q=0.5;q=0.5",
	                                  "a/b,",
	                                  "a/b c",
	                                  "a/b;level=\"1"};
	struct fixture *f = *state;
	struct ksr_media_range *m = NULL;

	assert_int_equal(ksr_parse_accept(body(f, "application/sdp;level=1, application/x-private;"
	                                          " q=0.5,\r\n text/*;q=0 , */*"),
	                                  &f->arena, &m),
	                 0);
	assert_str(m->type, "application");
	assert_str(m->subtype, "sdp");
	assert_int_equal(m->q, 1000);
	assert_str(m->param_list->name, "level");
	m = m->next;
	assert_str(m->subtype, "x-private");
	assert_int_equal(m->q, 500);
	m = m->next;
	assert_str(m->type, "text");
	assert_str(m->subtype, "*");
	assert_int_equal(m->q, 0);
	m = m->next;
	assert_str(m->type, "*");
	assert_str(m->subtype, "*");
	assert_null(m->next);

	m = (struct ksr_media_range *)f;
	assert_int_equal(ksr_parse_accept(body(f, ""), &f->arena, &m), 0);
	assert_null(m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = (struct ksr_media_range *)f;
		if (ksr_parse_accept(body(f, bad[i]), &f->arena, &m) != -EINVAL)
			fail_msg("Accept '%s' accepted", bad[i]);
		assert_ptr_equal(m, f);
	}
}

static void test_date(void **state)
{
	static const struct {
		const char *s;
		time_t t;
	} good[] = {
	        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
	        {"Sat, 13 Nov 2010 23:29:00 GMT", 1289690940},
	        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
	        {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},
	        {"Fri, 31 Dec 1999 23:59:59 GMT", 946684799},
	        {"Mon, 01 Mar 2100 00:00:00 GMT", 4107542400},
	        {"sun, 06 nov 1994 08:49:37 gmt", 784111777},
	};
	static const char *const bad[] = {
	        "",
	        "Sun, 6 Nov 1994 08:49:37 GMT",
	        "Sunday, 06-Nov-94 08:49:37 GMT",
	        "Sun Nov  6 08:49:37 1994",
	        "Sun, 06 Nov 1994 08:49:37 UTC",
	        "Sun, 06 Nov 1994 08:49:37 +0000",
	        "Xyz, 06 Nov 1994 08:49:37 GMT",
	        "Sun, 06 Foo 1994 08:49:37 GMT",
	        "Sun, 32 Jan 1994 08:49:37 GMT",
	        "Sun, 00 Jan 1994 08:49:37 GMT",
	        "Sun, 31 Apr 1994 08:49:37 GMT",
	        "Sun, 29 Feb 1900 08:49:37 GMT",
	        "Sun, 06 Nov 1994 24:00:00 GMT",
	        "Sun, 06 Nov 1994 08:60:37 GMT",
	        "Sun, 06 Nov 1994 08:49:61 GMT",
	        "Sun, 06 Nov 19a4 08:49:37 GMT",
	        "Sun, 06 Nov 1994 08:49:37 GMT ",
	        "Sun,  06 Nov 1994 08:49:37 GMT",
	        "Sun, 06 Nov 1994 08.49.37 GMT",
	};
	struct fixture *f = *state;
	time_t t;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		if (ksr_parse_date(body(f, good[i].s), &t) != 0)
			fail_msg("Date '%s' refused", good[i].s);
		assert_int_equal(t, good[i].t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		if (ksr_parse_date(body(f, bad[i]), &t) != -EINVAL)
			fail_msg("Date '%s' accepted", bad[i]);
		assert_int_equal(t, 42);
	}
}

static void test_msg_accessors(void **state)
{
	struct fixture *f = *state;
	struct ksr_content_type *ct = NULL, *ct2 = NULL;
	struct ksr_event *ev = NULL;
	struct ksr_media_range *m = NULL;
	struct ksr_msg *msg;
	struct ksr_str s;
	unsigned int mf = 0, priv = 0;
	uint32_t e = 0;
	time_t t = 0;

	msg = msg_parse(f, "SUBSCRIBE sip:b@example.com SIP/2.0\r\n"
	                   "i:  abc@host \r\n"
	                   "Max-Forwards: 69\r\n"
	                   "Expires: 600\r\n"
	                   "Min-Expires: 60\r\n"
	                   "o: dialog;id=7\r\n"
	                   "Privacy: id\r\n"
	                   "Privacy: user\r\n"
	                   "User-Agent: ua/1.0 (test)\r\n"
	                   "Server: srv\r\n"
	                   "Accept: application/dialog-info+xml\r\n"
	                   "Accept: application/pidf+xml;q=0.3\r\n"
	                   "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
	                   "c: application/sdp\r\n"
	                   "Content-Length: 0\r\n"
	                   "\r\n");
	assert_int_equal(ksr_msg_callid(msg, &s), 0);
	assert_str(s, "abc@host");
	assert_int_equal(ksr_msg_maxfwd(msg, &mf), 0);
	assert_int_equal(mf, 69);
	assert_int_equal(ksr_msg_expires(msg, &e), 0);
	assert_int_equal(e, 600);
	assert_int_equal(ksr_msg_min_expires(msg, &e), 0);
	assert_int_equal(e, 60);
	assert_int_equal(ksr_msg_event(msg, &ev), 0);
	assert_str(ev->package, "dialog");
	assert_str(ev->id, "7");
	assert_int_equal(ksr_msg_privacy(msg, &priv), 0);
	assert_int_equal(priv, KSR_PRIVACY_ID | KSR_PRIVACY_USER);
	assert_int_equal(ksr_msg_user_agent(msg, &s), 0);
	assert_str(s, "ua/1.0 (test)");
	assert_int_equal(ksr_msg_server(msg, &s), 0);
	assert_str(s, "srv");
	assert_int_equal(ksr_msg_accept(msg, &m), 0);
	assert_str(m->subtype, "dialog-info+xml");
	assert_int_equal(m->next->q, 300);
	assert_ptr_not_equal(m->hdr, m->next->hdr);
	assert_int_equal(ksr_msg_date(msg, &t), 0);
	assert_int_equal(t, 1289690940);
	assert_int_equal(ksr_msg_content_type(msg, &ct), 0);
	assert_str(ct->subtype, "sdp");
	assert_int_equal(ksr_msg_content_type(msg, &ct2), 0);
	assert_ptr_equal(ct, ct2);

	/* absent: -ENOENT and untouched */
	msg = msg_parse(f, "OPTIONS sip:b@example.com SIP/2.0\r\nMax-Forwards: 256\r\n"
	                   "Expires: 4294967296\r\nDate: yesterday\r\n\r\n");
	s = KSR_STR_STATIC("untouched");
	assert_int_equal(ksr_msg_callid(msg, &s), -ENOENT);
	assert_int_equal(ksr_msg_user_agent(msg, &s), -ENOENT);
	assert_str(s, "untouched");
	ct = NULL;
	assert_int_equal(ksr_msg_content_type(msg, &ct), -ENOENT);
	assert_int_equal(ksr_msg_event(msg, &ev), -ENOENT);
	assert_int_equal(ksr_msg_accept(msg, &m), -ENOENT);
	assert_int_equal(ksr_msg_privacy(msg, &priv), -ENOENT);
	assert_int_equal(ksr_msg_min_expires(msg, &e), -ENOENT);
	assert_null(ct);
	/* malformed: -EINVAL, nothing cached */
	mf = 1;
	assert_int_equal(ksr_msg_maxfwd(msg, &mf), -EINVAL);
	assert_int_equal(mf, 1);
	assert_null(msg->h_maxfwd->parsed);
	assert_int_equal(ksr_msg_expires(msg, &e), -EINVAL);
	assert_int_equal(ksr_msg_date(msg, &t), -EINVAL);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_callid), T(test_content_type), T(test_numbers),
	        T(test_event),  T(test_privacy),      T(test_text),
	        T(test_accept), T(test_date),         T(test_msg_accessors),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
