/* Tests of list splitting, parameters and token lists (src/core/parser/hdr_list.c). */
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

/* Parsers get exactly sized heap copies, so that valgrind sees reads past the end. */
static char *dup_exact(const char *s, size_t *ret_len)
{
	size_t n = strlen(s);
	char *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, s, n);
	*ret_len = n;
	return b;
}

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

/* Split body with ksr_list_next: the values joined with '|', or NULL on error. */
static int split(const char *body, char *out, size_t out_size)
{
	size_t n;
	char *b = dup_exact(body, &n);
	struct ksr_str cur = ksr_str_make(b, n), item;
	int r;

	out[0] = '\0';
	while ((r = ksr_list_next(&cur, &item)) > 0) {
		size_t l = strlen(out);

		if (l) {
			assert_true(l + 1 < out_size);
			out[l++] = '|';
		}
		assert_true(l + item.len < out_size);
		memcpy(out + l, item.s, item.len);
		out[l + item.len] = '\0';
	}
	free(b);
	return r;
}

static void test_list_next(void **state)
{
	static const struct {
		const char *body, *want;
	} good[] = {
	        {"a", "a"},
	        {"a,b", "a|b"},
	        {"  a  ,  b  ", "a|b"},
	        {"a\r\n , b", "a|b"},
	        {"a ,\r\n\tb", "a|b"},
	        {"", ""},
	        {"   ", ""},
	        /* commas inside quoted strings and <> do not split */
	        {"\"Doe, John\" <sip:j@example.com>, <sip:x@example.com>",
	         "\"Doe, John\" <sip:j@example.com>|<sip:x@example.com>"},
	        {"<sip:a@example.com;x=1,2>;q=0.5,<sip:b@example.com>",
	         "<sip:a@example.com;x=1,2>;q=0.5|<sip:b@example.com>"},
	        {"\"a \\\"quoted, still\\\" b\" <sip:a@b>",
	         "\"a \\\"quoted, still\\\" b\" <sip:a@b>"},
	        {"\"back\\\\\",x", "\"back\\\\\"|x"},
	        {"x;p=\"a,b\" , y", "x;p=\"a,b\"|y"},
	        {"\"<\" <sip:a@b>, \">\" <sip:c@d>", "\"<\" <sip:a@b>|\">\" <sip:c@d>"},
	};
	static const char *const bad[] = {
	        ",",           "a,",
	        "a, ",         ",a",
	        "a,,b",        "a, ,b",
	        "\"open, b",   "\"esc\\\"",
	        "<sip:a@b, c", "<sip:a@b <sip:c>>",
	        "a>, b",       "\"line\r\nbreak\"",
	};
	char out[512];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (split(good[i].body, out, sizeof(out)) != 0)
			fail_msg("'%s' refused", good[i].body);
		if (strcmp(out, good[i].want) != 0)
			fail_msg("'%s' split as '%s', expected '%s'", good[i].body, out,
			         good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (split(bad[i], out, sizeof(out)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	}
}

static void test_params(void **state)
{
	struct ksr_arena arena;
	struct ksr_param *list, *p;
	size_t n;
	char *b;

	ksr_arena_init(&arena, 1024);
	b = dup_exact(" ; a=1 ;B ; c = \"x;y\" ;maddr=[2001:db8::1];d=sip:x@y:5060 ", &n);
	assert_int_equal(ksr_parse_params(ksr_str_make(b, n), &arena, &list), 0);
	p = list;
	assert_str(p->name, "a");
	assert_str(p->value, "1");
	assert_true(p->has_value);
	p = p->next;
	assert_str(p->name, "B");
	assert_false(p->has_value);
	assert_int_equal(p->value.len, 0);
	p = p->next;
	assert_str(p->name, "c");
	assert_str(p->value, "\"x;y\"");
	assert_str(ksr_unquote(p->value), "x;y");
	p = p->next;
	assert_str(p->value, "[2001:db8::1]");
	p = p->next;
	assert_str(p->value, "sip:x@y:5060");
	assert_null(p->next);
	assert_ptr_equal(ksr_params_get(list, "b"), list->next);
	assert_ptr_equal(ksr_params_get(list, "MADDR"), list->next->next->next);
	assert_null(ksr_params_get(list, "zz"));
	free(b);

	b = dup_exact("", &n);
	list = (struct ksr_param *)b;
	assert_int_equal(ksr_parse_params(ksr_str_make(b, n), &arena, &list), 0);
	assert_null(list);
	free(b);

	static const char *const bad[] = {
	        ";",    "; ;a",    ";a=",   ";a= ;b",    ";=x",    ";a=\"open", "a=1",
	        ";a b", ";a=[::1", ";a=[]", ";a=[::1]x", ";a=<x>", ";a=1,b",    ";a==1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = dup_exact(bad[i], &n);
		list = (struct ksr_param *)b;
		if (ksr_parse_params(ksr_str_make(b, n), &arena, &list) != -EINVAL)
			fail_msg("params '%s' accepted", bad[i]);
		assert_ptr_equal(list, b);
		free(b);
	}
	ksr_arena_destroy(&arena);
}

static void test_unquote_qvalue(void **state)
{
	static const struct {
		const char *s;
		int q;
	} good[] = {
	        {"0", 0},      {"1", 1000},     {"0.", 0},      {"1.", 1000},
	        {"0.5", 500},  {"0.05", 50},    {"0.005", 5},   {"0.123", 123},
	        {"1.0", 1000}, {"1.000", 1000}, {"0.999", 999},
	};
	static const char *const bad[] = {
	        "", "2", "1.001", "1.1", "0.1234", ".5", "-0", "0,5", "01", "0.a", "1.0000", " 1",
	};
	char *b;
	size_t n;
	int q;

	b = dup_exact("\"a\\\"b\"", &n);
	assert_str(ksr_unquote(ksr_str_make(b, n)), "a\\\"b");
	assert_str(ksr_unquote(ksr_str_make(b, 1)), "\"");
	free(b);
	b = dup_exact("plain", &n);
	assert_str(ksr_unquote(ksr_str_make(b, n)), "plain");
	free(b);

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		b = dup_exact(good[i].s, &n);
		q = -7;
		if (ksr_parse_qvalue(ksr_str_make(b, n), &q) != 0)
			fail_msg("q '%s' refused", good[i].s);
		assert_int_equal(q, good[i].q);
		free(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = dup_exact(bad[i], &n);
		q = -7;
		if (ksr_parse_qvalue(ksr_str_make(b, n), &q) != -EINVAL)
			fail_msg("q '%s' accepted", bad[i]);
		assert_int_equal(q, -7);
		free(b);
	}
}

static void test_token_list(void **state)
{
	static const char *const bad[] = {"a b", "a,,b", "a;b", "\"a\"", "a,", "<a>", "a/b"};
	struct ksr_arena arena;
	struct ksr_token *t;
	size_t n;
	char *b;

	ksr_arena_init(&arena, 1024);
	b = dup_exact("100rel , timer,\r\n Path,x-Custom.tag", &n);
	assert_int_equal(ksr_parse_token_list(ksr_str_make(b, n), &arena, &t), 0);
	assert_str(t->name, "100rel");
	assert_str(t->next->name, "timer");
	assert_str(t->next->next->name, "Path");
	assert_str(t->next->next->next->name, "x-Custom.tag");
	assert_null(t->next->next->next->next);
	assert_true(ksr_tokens_has(t, "path"));
	assert_true(ksr_tokens_has(t, "TIMER"));
	assert_false(ksr_tokens_has(t, "gruu"));
	assert_int_equal(ksr_option_tags(t),
	                 KSR_OPT_100REL | KSR_OPT_TIMER | KSR_OPT_PATH | KSR_OPT_OTHER);
	free(b);

	b = dup_exact("INVITE, ACK,OPTIONS , BYE ,CANCEL,FOO, invite", &n);
	assert_int_equal(ksr_parse_token_list(ksr_str_make(b, n), &arena, &t), 0);
	/* method names are case-sensitive: "invite" is not INVITE */
	assert_int_equal(ksr_methods_mask(t), KSR_METHOD_INVITE | KSR_METHOD_ACK |
	                                              KSR_METHOD_OPTIONS | KSR_METHOD_BYE |
	                                              KSR_METHOD_CANCEL);
	free(b);

	b = dup_exact("  ", &n);
	t = (struct ksr_token *)b;
	assert_int_equal(ksr_parse_token_list(ksr_str_make(b, n), &arena, &t), 0);
	assert_null(t);
	free(b);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = dup_exact(bad[i], &n);
		t = (struct ksr_token *)b;
		if (ksr_parse_token_list(ksr_str_make(b, n), &arena, &t) != -EINVAL)
			fail_msg("token list '%s' accepted", bad[i]);
		assert_ptr_equal(t, b);
		free(b);
	}
	ksr_arena_destroy(&arena);
}

/* A message in an exactly sized heap buffer. */
struct tmsg {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
};

static void tmsg_parse(struct tmsg *m, const char *text)
{
	size_t n;

	ksr_arena_init(&m->arena, 4096);
	m->buf = dup_exact(text, &n);
	assert_int_equal(ksr_msg_parse(&m->msg, m->buf, n, &m->arena, NULL), 0);
}

static void tmsg_free(struct tmsg *m)
{
	ksr_arena_destroy(&m->arena);
	free(m->buf);
}

static void test_hdr_iter(void **state)
{
	struct tmsg m;
	struct ksr_hdr_iter it;
	struct ksr_str v;
	struct ksr_hdr *h1, *h3;

	tmsg_parse(&m, "OPTIONS sip:x@example.com SIP/2.0\r\n"
	               "Contact: <sip:a@example.com>, \"B, b\" <sip:b@example.com>\r\n"
	               "X-Foo: one, two\r\n"
	               "m: <sip:c@example.com>\r\n"
	               "x-foo:three\r\n"
	               "X-Bar: nope\r\n"
	               "Supported:\r\n"
	               "Supported: path,\r\n outbound\r\n"
	               "\r\n");
	ksr_hdr_iter_init(&it, &m.msg, KSR_HDR_CONTACT);
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "<sip:a@example.com>");
	h1 = it.hdr;
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "\"B, b\" <sip:b@example.com>");
	assert_ptr_equal(it.hdr, h1);
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "<sip:c@example.com>");
	h3 = it.hdr;
	assert_ptr_not_equal(h3, h1);
	assert_str(h3->name, "m");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 0);
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 0);

	/* by name: unknown headers match case-insensitively, known ones by type */
	ksr_hdr_iter_init_name(&it, &m.msg, KSR_STR_STATIC("X-FOO"));
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "one");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "two");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "three");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 0);
	ksr_hdr_iter_init_name(&it, &m.msg, KSR_STR_STATIC("contact"));
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	ksr_hdr_iter_init_name(&it, &m.msg, KSR_STR_STATIC("X-None"));
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 0);

	/* an empty line in the middle is skipped */
	ksr_hdr_iter_init(&it, &m.msg, KSR_HDR_SUPPORTED);
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "path");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 1);
	assert_str(v, "outbound");
	assert_int_equal(ksr_hdr_iter_next(&it, &v), 0);
	tmsg_free(&m);
}

static void test_msg_tokens(void **state)
{
	struct tmsg m;
	struct ksr_token *t = NULL, *again = NULL;
	unsigned int methods = 0;

	tmsg_parse(&m, "REGISTER sip:example.com SIP/2.0\r\n"
	               "Supported:\r\n"
	               "k: path, gruu\r\n"
	               "Supported: outbound\r\n"
	               "Require: 100rel\r\n"
	               "Allow: INVITE, ACK\r\n"
	               "Allow: BYE,REGISTER\r\n"
	               "Unsupported:\r\n"
	               "\r\n");
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_SUPPORTED, &t), 0);
	assert_str(t->name, "path");
	assert_str(t->hdr->name, "k");
	assert_str(t->next->name, "gruu");
	assert_str(t->next->next->name, "outbound");
	assert_str(t->next->next->hdr->body, "outbound");
	assert_null(t->next->next->next);
	assert_int_equal(ksr_option_tags(t), KSR_OPT_PATH | KSR_OPT_GRUU | KSR_OPT_OUTBOUND);
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_SUPPORTED, &again), 0);
	assert_ptr_equal(again, t);
	assert_null(again->next->next->next);

	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_REQUIRE, &t), 0);
	assert_str(t->name, "100rel");
	assert_int_equal(ksr_msg_allow(&m.msg, &methods), 0);
	assert_int_equal(methods,
	                 KSR_METHOD_INVITE | KSR_METHOD_ACK | KSR_METHOD_BYE | KSR_METHOD_REGISTER);
	/* Unsupported must name something */
	t = NULL;
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_UNSUPPORTED, &t), -EINVAL);
	assert_null(t);
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_PROXYREQUIRE, &t), -ENOENT);
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_CONTACT, &t), -EINVAL);
	assert_null(t);
	tmsg_free(&m);

	/* an empty Supported alone is an empty list */
	tmsg_parse(&m, "OPTIONS sip:example.com SIP/2.0\r\nSupported: \r\nAllow:\r\n\r\n");
	t = (struct ksr_token *)&m;
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_SUPPORTED, &t), 0);
	assert_null(t);
	methods = 7;
	assert_int_equal(ksr_msg_allow(&m.msg, &methods), 0);
	assert_int_equal(methods, 0);
	tmsg_free(&m);

	/* a bad second line fails the whole list, without caching anything wrong */
	tmsg_parse(&m, "OPTIONS sip:example.com SIP/2.0\r\nRequire: a\r\nRequire: b c\r\n\r\n");
	t = NULL;
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_REQUIRE, &t), -EINVAL);
	assert_int_equal(ksr_msg_tokens(&m.msg, KSR_HDR_REQUIRE, &t), -EINVAL);
	assert_null(t);
	tmsg_free(&m);
}

/* Every prefix of a tricky list splits or fails cleanly (valgrind checks the reads). */
static void test_prefixes(void **state)
{
	static const char good[] =
	        "\"A \\\"q\\\", b\" <sip:a@b;x=1,2>;p=\"v,w\", sip:c@d;q=1 ,\r\n <sip:e>";
	char out[512];

	for (size_t n = 0; n < sizeof(good); n++) {
		char *t = strndup(good, n);
		int r;

		assert_non_null(t);
		r = split(t, out, sizeof(out));
		assert_true(r == 0 || r == -EINVAL);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_list_next),      cmocka_unit_test(test_params),
	        cmocka_unit_test(test_unquote_qvalue), cmocka_unit_test(test_token_list),
	        cmocka_unit_test(test_hdr_iter),       cmocka_unit_test(test_msg_tokens),
	        cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
