/* Tests of textops' regular expressions over the message: search, replace, subst. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "core/pv/pv.h"
#include "msgs.h"
#include "tx_test.h"

static void test_search(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "search", 1, "^call-id: c1@"), 1); /* case ignored */
	assert_int_equal(tx_run(t, "search", 1, "^INVITE sip:"), 1); /* the first line too */
	assert_int_equal(tx_run(t, "search", 1, "^s=-$"), -1); /* $ is before the LF: the CR */
	assert_int_equal(tx_run(t, "search", 1, "^s=-\r$"), 1);
	assert_int_equal(tx_run(t, "search", 1, "X-Bar"), -1);
	assert_int_equal(tx_run(t, "search_body", 1, "^v=0"), 1);
	assert_int_equal(tx_run(t, "search_body", 1, "Call-ID"), -1);
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "search_body", 1, ".*"), -1); /* no body: false */
}

static void test_search_str(void **state)
{
	struct tx *t = *state;

	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "search_str", 2, "sip:bob@example.com;transport=tcp",
				";transport=tcp"), 1);
	assert_int_equal(tx_run(t, "search_str", 2, "abcdef", "c.e"), 1);
	assert_int_equal(tx_run(t, "search_str", 2, "abcdef", "^b"), -1);
	/* a regex from a variable is compiled on each call */
	assert_int_equal(tx_run_dyn(t, 3, "search_str", 2, "abcdef", "D.F"), 1);
	assert_int_equal(tx_run_dyn(t, 3, "search_str", 2, "abcdef", "("), -1);
}

static void test_search_hf(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* a: any of them; f: the first only; l: the last only */
	assert_int_equal(tx_run(t, "search_hf", 3, "X-Foo", "^d$", "a"), 1);
	assert_int_equal(tx_run(t, "search_hf", 3, "X-Foo", "^d$", "f"), -1);
	assert_int_equal(tx_run(t, "search_hf", 3, "X-Foo", "^d$", "l"), 1);
	assert_int_equal(tx_run(t, "search_hf", 3, "X-Foo", "b", "f"), 1);
	assert_int_equal(tx_run(t, "search_hf", 3, "X-Foo", "b", "l"), -1);
	/* the value only, not the name; compact and long names are the same header */
	assert_int_equal(tx_run(t, "search_hf", 3, "Content-Type", "^application/sdp$", "a"), 1);
	assert_int_equal(tx_run(t, "search_hf", 3, "Content-Type", "^c:", "a"), -1);
	assert_int_equal(tx_run(t, "search_hf", 3, "X-None", ".", "a"), -1);
	assert_non_null(tx_fixup_fails("search_hf", 3, "X-Foo", "a", "x"));
	assert_non_null(tx_fixup_fails("search_hf", 3, "X-Foo", "(", "a"));
}

static void test_search_append(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* after the first match from the headers on: the Request-URI is not looked at */
	assert_int_equal(tx_run(t, "search_append", 2, "sip:bob@example.com", ";x=1"), 1);
	/* the text is taken as written */
	assert_int_equal(tx_run(t, "search_append_body", 2, "^v=0", " $1"), 1);
	assert_int_equal(tx_run(t, "search_append", 2, "nowhere", "x"), -1);
	tx_expect_built(t, L1 VIA FROM "To: <sip:bob@example.com;x=1>\n" CID CSEQ SUP XFOO CT
			"Content-Length: 13\n\nv=0 $1\ns=-\n");
}

static void test_replace(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace", 2, "example\\.com", "example.net"), 1);
	assert_int_equal(tx_run(t, "replace_body", 2, "s=-", "s=session"), 1);
	assert_int_equal(tx_run(t, "replace", 2, "nowhere", "x"), -1);
	/* the first match after the first line: From's host */
	tx_expect_built(t, L1 VIA "From: \"Alice\" <sip:alice@example.net>;tag=a1\n" TO CID CSEQ
			SUP XFOO CT "Content-Length: 16\n\nv=0\ns=session\n");
}

static void test_replace_all(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_all", 2, "example\\.com", "h"), 1);
	tx_expect_built(t, L1 VIA "From: \"Alice\" <sip:alice@h>;tag=a1\nTo: <sip:bob@h>\n"
			"Call-ID: c1@h\n" CSEQ SUP XFOO CT CL "\n" BODY);

	/* ^ is at every line start, in the headers and in the body */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_all", 2, "^x-foo", "X-Bar"), 1);
	assert_int_equal(tx_run(t, "replace_hdrs", 2, "^v=0", "v=1"), -1); /* not the body */
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP "X-Bar: a, b, c\nX-Bar: d\n" CT CL "\n"
			BODY);

	/* a regex that can match nothing is refused before anything changes */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_all", 2, "z*", "y"), -1);
	tx_expect_built(t, REQ);
}

static void test_replace_body_all_and_atonce(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_body_all", 2, "^.", "#"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT CL "\n#=0\n#=-\n");

	/* at once: ^ is the start of the body only, and . matches line ends */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_body_atonce", 2, "^.", "#"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT CL "\n#=0\ns=-\n");
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_body_atonce", 2, "^.+$", ""), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT "Content-Length: 0\n\n");
}

static void test_replace_hdrs(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace_hdrs", 2, "100rel", "timer"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ "Supported: path, timer\n" XFOO CT CL "\n" BODY);
}

static void test_replace_str(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* plain text, case kept; f: the first, a: all of them; not the first line */
	assert_int_equal(tx_run(t, "replace_str", 3, "example.com", "EX", "f"), 1);
	assert_int_equal(tx_run(t, "replace_body_str", 3, "=", ":", "a"), 1);
	assert_int_equal(tx_run(t, "replace_hdrs_str", 3, "X-Foo", "X-F", "a"), 1);
	assert_int_equal(tx_run(t, "replace_hdrs_str", 3, "v=0", "?", "a"), -1);
	tx_expect_built(t, L1 VIA "From: \"Alice\" <sip:alice@EX>;tag=a1\n" TO CID CSEQ SUP
			"X-F: a, b, c\nX-F: d\n" CT CL "\nv:0\ns:-\n");
	assert_non_null(tx_fixup_fails("replace_str", 3, "a", "b", "x"));
}

static void test_subst(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* groups, \u (the Request-URI), a variable, escapes; i: case ignored */
	assert_int_equal(tx_run(t, "subst", 1,
				"/^to:(.*)sip:[^@]*@[a-z.]+>/t:\\1\\u>;v=$tst(x)\\t\\//i"), 1);
	tx_expect_built(t, L1 VIA FROM "t: <sip:bob@example.com>;v=V-x\t/\n" CID CSEQ SUP XFOO CT
			CL "\n" BODY);
	/* $ is before the LF of CRLF: (.*)$ takes the CR along */
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "subst", 1, "/^(Call-ID:.*)$/\\1x/"), 1);
	assert_int_equal(tx_run(t, "search", 1, "x$"), -1); /* the received text is searched */
}

static void test_subst_global_and_separator(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* g: every match; any separator; without i the case counts */
	assert_int_equal(tx_run(t, "subst", 1, "#EXAMPLE#x#g"), -1);
	assert_int_equal(tx_run(t, "subst", 1, "#example\\.(com)#\\1.example#g"), 1);
	tx_expect_built(t, L1 VIA "From: \"Alice\" <sip:alice@com.example>;tag=a1\n"
			"To: <sip:bob@com.example>\nCall-ID: c1@com.example\n" CSEQ SUP XFOO CT CL
			"\n" BODY);
	assert_non_null(tx_fixup_fails("subst", 1, "/a/b/q"));
	assert_non_null(tx_fixup_fails("subst", 1, "/a/b"));
	assert_non_null(tx_fixup_fails("subst", 1, "\\a\\b\\"));
	assert_non_null(tx_fixup_fails("subst", 1, "/(/b/"));
	assert_non_null(tx_fixup_fails("subst", 1, "/a/$nosuchvar(x)/"));
}

static void test_subst_body(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* s: a newline is an ordinary character; the Content-Length follows the body */
	assert_int_equal(tx_run(t, "subst_body", 1, "/v=0.*s=-/v=0\\r\\ns=long session/s"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT "Content-Length: 21\n\n"
			"v=0\ns=long session\n");
	tx_load(t, OPT);
	assert_int_equal(tx_run(t, "subst_body", 1, "/a/b/"), -1);
}

static void test_subst_uri_and_user(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "subst_uri", 1, "/^sip:([a-z]+)@(.*)$/sip:00\\1@\\2;orig=\\1/"),
			 1);
	assert_int_equal(tx_run(t, "subst_user", 1, "/^00(.*)$/+49\\1/"), 1);
	tx_expect_built(t, "INVITE sip:+49bob@example.com;orig=bob SIP/2.0\n" VIA
			FROM TO CID CSEQ SUP XFOO CT CL "\n" BODY);
	assert_int_equal(tx_run(t, "subst_uri", 1, "/nomatch//"), -1);
	/* a Request-URI with white space in it is refused */
	assert_int_equal(tx_run(t, "subst_uri", 1, "/@/ @/"), -1);
	tx_load(t, RPL);
	assert_int_equal(tx_run(t, "subst_uri", 1, "/a/b/"), -1);
}

static void test_subst_hf(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "subst_hf", 3, "X-Foo", "/^(.)/<\\1>/", "a"), 1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP "X-Foo: <a>, b, c\nX-Foo: <d>\n" CT CL "\n"
			BODY);
	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "subst_hf", 3, "X-Foo", "/[a-z]/_/g", "l"), 1);
	assert_int_equal(tx_run(t, "subst_hf", 3, "Content-Type", "/sdp/SDP/", "f"), 1);
	assert_int_equal(tx_run(t, "subst_hf", 3, "X-Foo", "/d/_/", "f"), -1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP "X-Foo: a, b, c\nX-Foo: _\n"
			"c: application/SDP\n" CL "\n" BODY);
}

static void test_edits_that_overlap(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	assert_int_equal(tx_run(t, "replace", 2, "path", "PATH"), 1);
	/* the same bytes again: refused, the first change stays */
	assert_int_equal(tx_run(t, "replace", 2, "path, 100rel", "x"), -1);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ "Supported: PATH, 100rel\n" XFOO CT CL "\n"
			BODY);
}

static void test_insertions_inside_changes(void **state)
{
	struct tx *t = *state;

	tx_load(t, REQ);
	/* an insertion inside a replaced range, or a range over an insertion: refused */
	assert_int_equal(tx_run(t, "subst", 1, "/^To: <(sip:bob@example.com)>/To: \\1/"), 1);
	assert_int_equal(tx_run(t, "search_append", 2, "bob@", "x"), -1);
	assert_int_equal(tx_run(t, "search_append", 2, "c1@", "x"), 1);
	assert_int_equal(tx_run(t, "replace", 2, "Call-ID: c1@example", "i: c"), -1);
	/* at either end of a replaced range an insertion has its place */
	assert_int_equal(tx_run(t, "search_append", 2, "^To: <sip:bob@example.com>", "X"), 1);
	assert_int_equal(tx_run(t, "append_hf", 2, "X-A: 1\r\n", "From"), 1);
	tx_expect_built(t, L1 VIA FROM "X-A: 1\nTo: sip:bob@example.comX\nCall-ID: c1@xexample.com\n"
			CSEQ SUP XFOO CT CL "\n" BODY);
}

/* The value of a pseudo-variable written with transformations, as a string. */
static const char *pv_value(struct tx *t, struct ksr_arena *a, const char *text)
{
	static char out[256];
	struct ksr_pv_spec *spec;
	const char *err = NULL;
	struct ksr_val v;
	size_t used;

	if (ksr_pv_parse(ksr_str_make((char *)text, strlen(text)), a, &spec, &used, &err) != 0)
		fail_msg("%s does not parse: %s", text, err ? err : "?");
	assert_int_equal(ksr_pv_get(&t->msg, spec, &v), 0);
	assert_int_equal(v.type, KSR_VAL_STR);
	snprintf(out, sizeof(out), "%.*s", KSR_STR_FMT(v.s));
	return out;
}

static void test_re_subst_transformation(void **state)
{
	struct tx *t = *state;
	struct ksr_pv_spec *spec;
	struct ksr_arena a;
	const char *err = NULL;
	struct ksr_val expr = {.type = KSR_VAL_STR, .s = KSR_STR_STATIC("/n(a)/N\\1/")};
	size_t used;

	ksr_arena_init(&a, 1024);
	tx_load(t, REQ);
	/* $tst(x) reads "V-x" */
	assert_string_equal(pv_value(t, &a, "$(tst(banana){re.subst,/a/A/g})"), "V-bAnAnA");
	assert_string_equal(pv_value(t, &a, "$(tst(banana){re.subst,/z/Z/})"), "V-banana");
	assert_string_equal(pv_value(t, &a, "$(tst(x){re.subst,/^V/\\u,$tst(y)/})"),
			    "sip:bob@example.com,V-y-x");
	/* the expression from a variable */
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$tst(w)"), &a, &spec, &used, &err), 0);
	assert_int_equal(ksr_pv_set(&t->msg, spec, &expr), 0);
	assert_string_equal(pv_value(t, &a, "$(tst(banana){re.subst,$tst(w)})"), "V-baNana");
	assert_int_not_equal(ksr_pv_parse(KSR_STR_STATIC("$(tst(x){re.subst})"), &a, &spec, &used,
					  &err),
			     0);
	assert_int_not_equal(ksr_pv_parse(KSR_STR_STATIC("$(tst(x){re.nope,/a/b/})"), &a, &spec,
					  &used, &err),
			     0);
	assert_int_not_equal(ksr_pv_parse(KSR_STR_STATIC("$(tst(x){re.subst,/a/b})"), &a, &spec,
					  &used, &err),
			     0);
	ksr_arena_destroy(&a);
}

static void test_replace_range_is_checked(void **state)
{
	struct tx *t = *state;
	char outside[4] = "abc";

	tx_load(t, REQ);
	assert_int_equal(ksr_msg_replace_range(&t->msg, outside, 1, KSR_STR_STATIC("x")), -EINVAL);
	assert_int_equal(ksr_msg_replace_range(&t->msg, t->msg.buf + t->msg.len, 1,
					       KSR_STR_STATIC("x")),
			 -EINVAL);
	assert_int_equal(ksr_msg_replace_range(&t->msg, t->msg.buf + t->msg.len, 0,
					       KSR_STR_STATIC("x")),
			 0); /* an insertion at the very end */
	assert_int_equal(ksr_msg_replace_range(&t->msg, t->msg.buf, 0, KSR_STR_NULL), 0);
	tx_expect_built(t, L1 VIA FROM TO CID CSEQ SUP XFOO CT "Content-Length: 11\n\n" BODY "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TX_TEST(test_search),
		TX_TEST(test_search_str),
		TX_TEST(test_search_hf),
		TX_TEST(test_search_append),
		TX_TEST(test_replace),
		TX_TEST(test_replace_all),
		TX_TEST(test_replace_body_all_and_atonce),
		TX_TEST(test_replace_hdrs),
		TX_TEST(test_replace_str),
		TX_TEST(test_subst),
		TX_TEST(test_subst_global_and_separator),
		TX_TEST(test_subst_body),
		TX_TEST(test_subst_uri_and_user),
		TX_TEST(test_subst_hf),
		TX_TEST(test_edits_that_overlap),
		TX_TEST(test_insertions_inside_changes),
		TX_TEST(test_re_subst_transformation),
		TX_TEST(test_replace_range_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, tx_group_teardown);
}
