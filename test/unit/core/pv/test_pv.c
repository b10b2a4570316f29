/*
 * Tests of src/core/pv/pv.c: parsing pseudo-variable references, get/set with indexes and
 * transformation chains, format strings and value conversions, against mock families.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv.h"

/* --- mock families --- */

static int ret_str(struct ksr_val *ret, const char *s)
{
	ret->type = KSR_VAL_STR;
	ret->s = ksr_str_make((char *)s, strlen(s));
	return 0;
}

static int tst_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return ret_str(ret, "hello");
}

static int ti_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	ret->type = KSR_VAL_INT;
	ret->i = 2;
	return 0;
}

static int nul_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	ret->type = KSR_VAL_NULL;
	return 0;
}

static int bad_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return -EINVAL;
}

static int nm_parse(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	if (spec->name.len == 3 && memcmp(spec->name.s, "bad", 3) == 0) {
		*ret_err = "mock: bad name";
		return -EINVAL;
	}
	spec->pname_i = (long)spec->name.len;
	return 0;
}

static int nm_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	ret->type = KSR_VAL_STR;
	ret->s = spec->name; /* the framework's copy: NUL-terminated */
	return 0;
}

/* "$ix": the index as an int, or "all" for [*] and "none" without index */
static int ix_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	assert_true(spec->idx_type != KSR_PV_IDX_PV); /* the framework resolves those */
	if (spec->idx_type == KSR_PV_IDX_ALL)
		return ret_str(ret, "all");
	if (spec->idx_type == KSR_PV_IDX_NONE)
		return ret_str(ret, "none");
	ret->type = KSR_VAL_INT;
	ret->i = spec->idx;
	return 0;
}

static struct ksr_val rw_val;
static char rw_buf[64];
static long rw_last_idx;

static int rw_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	*ret = rw_val;
	return 0;
}

static int rw_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	rw_val = *val;
	rw_last_idx = spec->idx_type == KSR_PV_IDX_INT ? spec->idx : -1000;
	if (val->type == KSR_VAL_STR) {
		assert_true(val->s.len < sizeof(rw_buf));
		memcpy(rw_buf, val->s.s, val->s.len);
		rw_val.s.s = rw_buf;
	}
	return 0;
}

static const struct ksr_pv_export mock_pvs[] = {
        {.name = "tst", .get = tst_get},
        {.name = "ti", .get = ti_get},
        {.name = "nul", .get = nul_get},
        {.name = "bad", .get = bad_get},
        {.name = "nm", .get = nm_get, .parse_name = nm_parse, .flags = KSR_PV_NAME_REQUIRED},
        {.name = "opt", .get = nm_get, .parse_name = nm_parse},
        {.name = "ix", .get = ix_get, .flags = KSR_PV_INDEXED},
        {.name = "rw", .get = rw_get, .set = rw_set, .flags = KSR_PV_INDEXED},
        {.name = NULL},
};

/* --- mock transformation class "t": up, len, fail; "bad" refused at parse --- */

enum { T_UP, T_LEN, T_FAIL };

static int t_parse(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                   const char **ret_err)
{
	if (spec.len == 2 && memcmp(spec.s, "up", 2) == 0)
		tr->subtype = T_UP;
	else if (spec.len == 3 && memcmp(spec.s, "len", 3) == 0)
		tr->subtype = T_LEN;
	else if (spec.len == 4 && memcmp(spec.s, "fail", 4) == 0)
		tr->subtype = T_FAIL;
	else {
		*ret_err = "mock: unknown t.*";
		return -EINVAL;
	}
	return 0;
}

static int t_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	char *c;

	if (val->type != KSR_VAL_STR || tr->subtype == T_FAIL)
		return -EINVAL;
	if (tr->subtype == T_LEN) {
		val->type = KSR_VAL_INT;
		val->i = (long)val->s.len;
		return 0;
	}
	c = ksr_arena_alloc(msg->arena, val->s.len + 1);
	assert_non_null(c);
	for (size_t i = 0; i < val->s.len; i++)
		c[i] = (char)(val->s.s[i] >= 'a' && val->s.s[i] <= 'z' ? val->s.s[i] - 32
		                                                       : val->s.s[i]);
	val->s.s = c;
	return 0;
}

static const struct ksr_tr_export mock_trs[] = {
        {.name = "t", .parse = t_parse, .apply = t_apply},
        {.name = NULL},
};

/* --- fixture --- */

struct fixture {
	struct ksr_arena arena;  /* the "routing program" */
	struct ksr_arena marena; /* the message's */
	struct ksr_msg msg;
};

static int group_setup(void **state)
{
	assert_int_equal(ksr_pv_register(mock_pvs), 0);
	assert_int_equal(ksr_tr_register(mock_trs), 0);
	/* names are unique: a second registration is refused whole */
	assert_int_equal(ksr_pv_register(mock_pvs), -EEXIST);
	assert_int_equal(ksr_tr_register(mock_trs), -EEXIST);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ksr_arena_init(&f->arena, 1024);
	ksr_arena_init(&f->marena, 1024);
	f->msg.arena = &f->marena;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	ksr_arena_destroy(&f->marena);
	free(f);
	return 0;
}

/* Parse from an exactly-sized heap copy (over-reads are caught), which is then wiped. */
static int parse(struct fixture *f, const char *text, struct ksr_pv_spec **spec, size_t *len,
                 const char **err)
{
	size_t n = strlen(text);
	char *b = malloc(n ? n : 1);
	int r;

	assert_non_null(b);
	memcpy(b, text, n);
	r = ksr_pv_parse(ksr_str_make(b, n), &f->arena, spec, len, err);
	memset(b, 'X', n); /* the spec must not point into the config text */
	free(b);
	return r;
}

static struct ksr_pv_spec *parse_ok(struct fixture *f, const char *text, size_t want_len)
{
	struct ksr_pv_spec *spec = NULL;
	const char *err = NULL;
	size_t len = 0;
	int r = parse(f, text, &spec, &len, &err);

	if (r != 0)
		fail_msg("parse '%s': %d %s", text, r, err ? err : "");
	assert_int_equal(len, want_len);
	return spec;
}

static void parse_err(struct fixture *f, const char *text, const char *want_err)
{
	struct ksr_pv_spec *spec = NULL;
	const char *err = NULL;
	size_t len = 12345;

	assert_int_equal(parse(f, text, &spec, &len, &err), -EINVAL);
	assert_non_null(err);
	if (want_err && !strstr(err, want_err))
		fail_msg("parse '%s': error '%s', want '%s'", text, err, want_err);
	assert_null(spec);
	assert_int_equal(len, 12345); /* untouched on failure */
}

static void expect_str(struct fixture *f, const char *text, const char *want)
{
	struct ksr_pv_spec *spec = parse_ok(f, text, strlen(text));
	struct ksr_val v;

	assert_int_equal(ksr_pv_get(&f->msg, spec, &v), 0);
	assert_int_equal(v.type, KSR_VAL_STR);
	if (v.s.len != strlen(want) || memcmp(v.s.s, want, v.s.len) != 0)
		fail_msg("%s: got '%.*s', want '%s'", text, (int)v.s.len, v.s.s, want);
}

static void expect_int(struct fixture *f, const char *text, long want)
{
	struct ksr_pv_spec *spec = parse_ok(f, text, strlen(text));
	struct ksr_val v;

	assert_int_equal(ksr_pv_get(&f->msg, spec, &v), 0);
	assert_int_equal(v.type, KSR_VAL_INT);
	assert_int_equal(v.i, want);
}

/* --- parsing --- */

static void test_parse_forms(void **state)
{
	struct fixture *f = *state;
	struct ksr_pv_spec *s;

	s = parse_ok(f, "$tst", 4);
	assert_string_equal(s->exp->name, "tst");
	assert_int_equal(s->name.len, 0);
	assert_int_equal(s->idx_type, KSR_PV_IDX_NONE);
	assert_null(s->tr);

	/* the name ends where name characters end */
	parse_ok(f, "$tst@example.com", 4);
	parse_ok(f, "$tst;x", 4);
	s = parse_ok(f, "$nm(From) rest", 9);
	assert_int_equal(s->name.len, 4);
	assert_memory_equal(s->name.s, "From", 4);
	assert_int_equal(s->name.s[4], '\0');
	assert_int_equal(s->pname_i, 4);
	/* nested parentheses belong to the name */
	s = parse_ok(f, "$nm(a(b)c)", 10);
	assert_int_equal(s->name.len, 5);
	/* a family with an optional name */
	parse_ok(f, "$opt", 4);
	parse_ok(f, "$opt(x)", 7);

	s = parse_ok(f, "$ix[2]", 6);
	assert_int_equal(s->idx_type, KSR_PV_IDX_INT);
	assert_int_equal(s->idx, 2);
	s = parse_ok(f, "$ix[-1]", 7);
	assert_int_equal(s->idx, -1);
	s = parse_ok(f, "$ix[*]", 6);
	assert_int_equal(s->idx_type, KSR_PV_IDX_ALL);
	s = parse_ok(f, "$ix[$ti]", 8);
	assert_int_equal(s->idx_type, KSR_PV_IDX_PV);
	assert_string_equal(s->idx_pv->exp->name, "ti");
	s = parse_ok(f, "$ix[$(ti{t.len})]", 17);
	assert_non_null(s->idx_pv->tr);

	s = parse_ok(f, "$(ix[3]{t.up}{t.len})", 21);
	assert_int_equal(s->idx, 3);
	assert_non_null(s->tr);
	assert_int_equal(s->tr->subtype, T_UP);
	assert_memory_equal(s->tr->text.s, "t.up", 4);
	assert_non_null(s->tr->next);
	assert_int_equal(s->tr->next->subtype, T_LEN);
	assert_null(s->tr->next->next);
	s = parse_ok(f, "$(nm(x))", 8);
	assert_int_equal(s->name.len, 1);
	s = parse_ok(f, "$(tst)x", 6);
	/* without the outer parentheses, as the expression form allows */
	s = parse_ok(f, "$nm(abc){t.up}{t.len} ", 21);
	assert_non_null(s->tr->next);
	s = parse_ok(f, "$ix[1]{t.up}", 12);
	assert_int_equal(s->idx, 1);
	assert_non_null(s->tr);

	s = parse_ok(f, "$null", 5);
	assert_string_equal(s->exp->name, "null");
}

static void test_parse_errors(void **state)
{
	struct fixture *f = *state;

	parse_err(f, "", "starts with '$'");
	parse_err(f, "tst", "starts with '$'");
	parse_err(f, "$", "name is expected");
	parse_err(f, "$ tst", "name is expected");
	parse_err(f, "$(", "name is expected");
	parse_err(f, "$unknown", "unknown pseudo-variable");
	parse_err(f, "$tsx", "unknown pseudo-variable");
	parse_err(f, "$nm", "needs a name");
	parse_err(f, "$nm()", "empty name");
	parse_err(f, "$nm(abc", "unterminated");
	parse_err(f, "$nm(bad)", "mock: bad name");
	parse_err(f, "$tst(x)", "takes no name");
	parse_err(f, "$tst[1]", "takes no index");
	parse_err(f, "$ix[]", "bad index");
	parse_err(f, "$ix[a]", "bad index");
	parse_err(f, "$ix[1", "']' expected");
	parse_err(f, "$ix[1x]", "']' expected");
	parse_err(f, "$ix[-]", "bad index");
	parse_err(f, "$ix[99999999999999999999999]", "out of range");
	parse_err(f, "$ix[$nope]", "unknown pseudo-variable");
	parse_err(f, "$(tst{t.up}", "')' expected");
	parse_err(f, "$(tst", "')' expected");
	parse_err(f, "$(tst{x.up})", "unknown transformation");
	parse_err(f, "$(tst{t.bad})", "mock: unknown t.*");
	parse_err(f, "$(tst{tup})", "{class.name} expected");
	parse_err(f, "$(tst{.up})", "{class.name} expected");
	parse_err(f, "$(tst{t.up)", "unterminated transformation");
	parse_err(f, "$tst{x.y}", "unknown transformation");
}

/* The same text parses to the same spec, whatever was parsed before. */
static void test_parse_stable(void **state)
{
	struct fixture *f = *state;
	const char *text = "$(ix[-2]{t.up}{t.len})";
	struct ksr_pv_spec *a = parse_ok(f, text, strlen(text));
	struct ksr_pv_spec *b;

	parse_err(f, "$(ix[-2]{t.bad})", NULL);
	b = parse_ok(f, text, strlen(text));
	assert_ptr_equal(a->exp, b->exp);
	assert_int_equal(a->idx_type, b->idx_type);
	assert_int_equal(a->idx, b->idx);
	assert_int_equal(a->tr->subtype, b->tr->subtype);
	assert_int_equal(a->tr->next->subtype, b->tr->next->subtype);
	assert_ptr_equal(a->tr->exp, b->tr->exp);
	assert_int_equal(a->tr->text.len, b->tr->text.len);
	assert_memory_equal(a->tr->text.s, b->tr->text.s, a->tr->text.len);
}

/* --- get / set --- */

static void test_get(void **state)
{
	struct fixture *f = *state;
	struct ksr_pv_spec *s;
	struct ksr_val v;

	expect_str(f, "$tst", "hello");
	expect_int(f, "$ti", 2);
	expect_str(f, "$(tst{t.up})", "HELLO");
	expect_int(f, "$(tst{t.up}{t.len})", 5);
	expect_str(f, "$nm(Via)", "Via");
	expect_str(f, "$ix", "none");
	expect_int(f, "$ix[7]", 7);
	expect_int(f, "$ix[-3]", -3);
	expect_str(f, "$ix[*]", "all");
	/* an index from a pseudo-variable is resolved before the family sees it */
	expect_int(f, "$ix[$ti]", 2);
	s = parse_ok(f, "$ix[$tst]", 9);
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), -EINVAL);
	s = parse_ok(f, "$ix[$nul]", 9);
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), -EINVAL);

	s = parse_ok(f, "$null", 5);
	v.type = KSR_VAL_INT;
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), 0);
	assert_int_equal(v.type, KSR_VAL_NULL);
	assert_false(ksr_pv_is_writable(s));

	/* errors of the family or of a transformation come back */
	s = parse_ok(f, "$bad", 4);
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), -EINVAL);
	s = parse_ok(f, "$(tst{t.fail})", 14);
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), -EINVAL);
	s = parse_ok(f, "$(ti{t.up})", 11);
	assert_int_equal(ksr_pv_get(&f->msg, s, &v), -EINVAL);
}

static void test_set(void **state)
{
	struct fixture *f = *state;
	struct ksr_pv_spec *s = parse_ok(f, "$rw", 3);
	struct ksr_val v = {.type = KSR_VAL_STR, .s = KSR_STR_STATIC("abc")};

	assert_true(ksr_pv_is_writable(s));
	assert_int_equal(ksr_pv_set(&f->msg, s, &v), 0);
	expect_str(f, "$rw", "abc");
	expect_int(f, "$(rw{t.len})", 3);

	v = (struct ksr_val){.type = KSR_VAL_INT, .i = 9};
	s = parse_ok(f, "$rw[$ti]", 8);
	assert_int_equal(ksr_pv_set(&f->msg, s, &v), 0);
	assert_int_equal(rw_last_idx, 2);
	expect_int(f, "$rw", 9);

	/* read-only, and transformed values, cannot be assigned */
	s = parse_ok(f, "$tst", 4);
	assert_false(ksr_pv_is_writable(s));
	assert_int_equal(ksr_pv_set(&f->msg, s, &v), -EPERM);
	s = parse_ok(f, "$(rw{t.up})", 11);
	assert_false(ksr_pv_is_writable(s));
	assert_int_equal(ksr_pv_set(&f->msg, s, &v), -EPERM);
	s = parse_ok(f, "$null", 5);
	assert_int_equal(ksr_pv_set(&f->msg, s, &v), -EPERM);
}

/* --- format strings --- */

static int fmt_parse(struct fixture *f, const char *text, struct ksr_pv_fmt **fmt, const char **err)
{
	return ksr_pv_fmt_parse(ksr_str_make((char *)text, strlen(text)), &f->arena, fmt, err);
}

static void expect_fmt(struct fixture *f, const char *text, const char *want, bool is_const)
{
	struct ksr_pv_fmt *fmt;
	const char *err = NULL;
	struct ksr_str out;

	if (fmt_parse(f, text, &fmt, &err) != 0)
		fail_msg("format '%s': %s", text, err ? err : "");
	assert_int_equal(ksr_pv_fmt_is_const(fmt), is_const);
	assert_int_equal(ksr_pv_fmt_eval(&f->msg, fmt, &out), 0);
	if (out.len != strlen(want) || memcmp(out.s, want, out.len) != 0)
		fail_msg("format '%s': got '%.*s', want '%s'", text, (int)out.len, out.s, want);
	assert_int_equal(out.s[out.len], '\0');
}

static void test_fmt(void **state)
{
	struct fixture *f = *state;
	struct ksr_pv_fmt *fmt;
	const char *err;

	expect_fmt(f, "", "", true);
	expect_fmt(f, "plain text", "plain text", true);
	expect_fmt(f, "$$", "$", true);
	expect_fmt(f, "cost: $$5 and $$$$", "cost: $5 and $$", true);
	expect_fmt(f, "$tst", "hello", false);
	expect_fmt(f, "a $tst b $$ c $ti", "a hello b $ c 2", false);
	expect_fmt(f, "$tst$ti$tst", "hello2hello", false);
	expect_fmt(f, "<$nm(x y)>", "<x y>", false);
	expect_fmt(f, "$(tst{t.up}{t.len}) chars", "5 chars", false);
	expect_fmt(f, "$(ix[-1])|$(ix[*])", "-1|all", false);
	/* null values and errors print as <null> */
	expect_fmt(f, "[$nul][$bad][$(tst{t.fail})][$null]", "[<null>][<null>][<null>][<null>]",
	           false);
	/* in a format, only $(...) takes an index or transformations: as upstream, the
	 * brackets after a bare name are text */
	expect_fmt(f, "$ix[1]", "none[1]", false);
	expect_fmt(f, "$tst{t.up}", "hello{t.up}", false);
	expect_fmt(f, "$tst{x.unknown}", "hello{x.unknown}", false);

	err = NULL;
	assert_int_equal(fmt_parse(f, "cost $ 5", &fmt, &err), -EINVAL);
	assert_non_null(err);
	err = NULL;
	assert_int_equal(fmt_parse(f, "end$", &fmt, &err), -EINVAL);
	assert_non_null(err);
	assert_int_equal(fmt_parse(f, "x $unknown y", &fmt, &err), -EINVAL);
	assert_non_null(strstr(err, "unknown pseudo-variable"));
	assert_int_equal(fmt_parse(f, "$(tst{t.nope})", &fmt, &err), -EINVAL);
	assert_int_equal(fmt_parse(f, "$(tst", &fmt, &err), -EINVAL);
}

/* --- conversions --- */

static void test_val_to_int(void **state)
{
	struct {
		const char *s;
		int r;
		long want;
	} cases[] = {
	        {"12", 0, 12},
	        {"-5", 0, -5},
	        {"+3", 0, 3},
	        {"0", 0, 0},
	        {"", -EINVAL, 0},
	        {"-", -EINVAL, 0},
	        {"12a", -EINVAL, 0},
	        {" 7", -EINVAL, 0},
	        {"7 ", -EINVAL, 0},
	        {"0x1A", -EINVAL, 0},
	        {"9223372036854775807", 0, 9223372036854775807L},
	        {"9223372036854775808", -ERANGE, 0},
	};
	struct ksr_val v;
	long out;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = (struct ksr_val){.type = KSR_VAL_STR,
		                     .s = ksr_str_make((char *)cases[i].s, strlen(cases[i].s))};
		out = -999;
		if (ksr_val_to_int(&v, &out) != cases[i].r)
			fail_msg("'%s': want %d", cases[i].s, cases[i].r);
		assert_int_equal(out, cases[i].r ? -999 : cases[i].want);
	}
	v = (struct ksr_val){.type = KSR_VAL_INT, .i = -42};
	assert_int_equal(ksr_val_to_int(&v, &out), 0);
	assert_int_equal(out, -42);
	v = (struct ksr_val){.type = KSR_VAL_NULL};
	assert_int_equal(ksr_val_to_int(&v, &out), 0);
	assert_int_equal(out, 0);
}

static void test_val_to_str(void **state)
{
	struct fixture *f = *state;
	struct ksr_val v = {.type = KSR_VAL_INT, .i = -1234567};
	struct ksr_str s;

	assert_int_equal(ksr_val_to_str(&f->msg, &v, &s), 0);
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.s, "-1234567", 8);
	v = (struct ksr_val){.type = KSR_VAL_STR, .s = KSR_STR_STATIC("x")};
	assert_int_equal(ksr_val_to_str(&f->msg, &v, &s), 0);
	assert_ptr_equal(s.s, v.s.s);
	v = (struct ksr_val){.type = KSR_VAL_NULL};
	assert_int_equal(ksr_val_to_str(&f->msg, &v, &s), 0);
	assert_int_equal(s.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_parse_forms, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_parse_stable, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_set, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fmt, setup, teardown),
	        cmocka_unit_test(test_val_to_int),
	        cmocka_unit_test_setup_teardown(test_val_to_str, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
