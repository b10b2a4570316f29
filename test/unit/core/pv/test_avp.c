/* Tests of src/core/pv/avp.c: the AVP and XAVP stores of a message, and its hidden state. */
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
#include "core/pv/avp.h"

struct fixture {
	struct ksr_arena arena;
	struct ksr_msg msg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ksr_arena_init(&f->arena, 512);
	f->msg.arena = &f->arena;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	free(f);
	return 0;
}

static struct ksr_str S(const char *s) {
	return ksr_str_make((char *)s, strlen(s));
}

static struct ksr_val
I(long i) {
	return (struct ksr_val){.type = KSR_VAL_INT, .i = i};
}

static struct ksr_val
V(const char *s) {
	return (struct ksr_val){.type = KSR_VAL_STR, .s = S(s)};
}

static void
assert_val_str(const struct ksr_val *v, const char *want)
{
	assert_int_equal(v->type, KSR_VAL_STR);
	if (v->s.len != strlen(want) || memcmp(v->s.s, want, v->s.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)v->s.len, v->s.s, want);
}

static void test_avp_stack(void **state)
{
	struct fixture *f = *state;
	struct ksr_msg *m = &f->msg;
	struct ksr_val v;
	char buf[8] = "two";

	assert_null(ksr_avp_find(m, S("a"), 0));
	assert_int_equal(ksr_avp_count(m, S("a")), 0);
	v = I(1);
	assert_int_equal(ksr_avp_add(m, S("a"), &v), 0);
	v = V(buf);
	assert_int_equal(ksr_avp_add(m, S("a"), &v), 0);
	memcpy(buf, "XXX", 3); /* values are copied */
	v = I(3);
	assert_int_equal(ksr_avp_add(m, S("a"), &v), 0);
	v = V("other");
	assert_int_equal(ksr_avp_add(m, S("b"), &v), 0);
	/* a NULL value is stored as int 0 */
	v = (struct ksr_val){.type = KSR_VAL_NULL};
	assert_int_equal(ksr_avp_add(m, S("n"), &v), 0);
	assert_int_equal(ksr_avp_find(m, S("n"), 0)->val.type, KSR_VAL_INT);

	assert_int_equal(ksr_avp_count(m, S("a")), 3);
	/* newest first; negative from the oldest */
	assert_int_equal(ksr_avp_find(m, S("a"), 0)->val.i, 3);
	assert_val_str(&ksr_avp_find(m, S("a"), 1)->val, "two");
	assert_int_equal(ksr_avp_find(m, S("a"), 2)->val.i, 1);
	assert_int_equal(ksr_avp_find(m, S("a"), -1)->val.i, 1);
	assert_int_equal(ksr_avp_find(m, S("a"), -3)->val.i, 3);
	assert_null(ksr_avp_find(m, S("a"), 3));
	assert_null(ksr_avp_find(m, S("a"), -4));
	/* names are case-sensitive, as upstream */
	assert_null(ksr_avp_find(m, S("A"), 0));
	assert_int_equal(ksr_avp_next_same(ksr_avp_find(m, S("a"), 0))->val.type, KSR_VAL_STR);
	assert_null(ksr_avp_next_same(ksr_avp_find(m, S("a"), 2)));

	v = V("new");
	assert_int_equal(ksr_avp_replace(m, S("a"), 1, &v), 0);
	assert_val_str(&ksr_avp_find(m, S("a"), 1)->val, "new");
	assert_int_equal(ksr_avp_replace(m, S("a"), 5, &v), -ENOENT);

	assert_int_equal(ksr_avp_del(m, S("a"), 0), 0);
	assert_int_equal(ksr_avp_find(m, S("a"), 0)->val.type, KSR_VAL_STR);
	assert_int_equal(ksr_avp_del(m, S("a"), -1), 0);
	assert_int_equal(ksr_avp_count(m, S("a")), 1);
	assert_int_equal(ksr_avp_del(m, S("a"), 4), -ENOENT);
	v = I(5);
	assert_int_equal(ksr_avp_add(m, S("a"), &v), 0);
	assert_int_equal(ksr_avp_del_all(m, S("a")), 2);
	assert_int_equal(ksr_avp_del_all(m, S("a")), 0);
	assert_null(ksr_avp_find(m, S("a"), 0));
	assert_val_str(&ksr_avp_find(m, S("b"), 0)->val, "other");
}

static void test_xavp(void **state)
{
	struct fixture *f = *state;
	struct ksr_xavp *r1, *r2, *x;
	struct ksr_val v;

	/* $xavp(r=>a) = 1; $xavp(r[0]=>b) = "x"; $xavp(r=>a) = 2 */
	assert_int_equal(ksr_xavp_add_list(&f->arena, &f->msg.xavps, S("r"), &r1), 0);
	v = I(1);
	assert_int_equal(ksr_xavp_add_val(&f->arena, &r1->list, S("a"), &v, NULL), 0);
	v = V("x");
	assert_int_equal(ksr_xavp_add_val(&f->arena, &r1->list, S("b"), &v, &x), 0);
	assert_val_str(&x->val, "x");
	assert_int_equal(ksr_xavp_add_list(&f->arena, &f->msg.xavps, S("r"), &r2), 0);
	v = I(2);
	assert_int_equal(ksr_xavp_add_val(&f->arena, &r2->list, S("a"), &v, NULL), 0);

	assert_int_equal(ksr_xavp_count(f->msg.xavps, S("r")), 2);
	assert_ptr_equal(ksr_xavp_find(f->msg.xavps, S("r"), 0), r2);
	assert_ptr_equal(ksr_xavp_find(f->msg.xavps, S("r"), 1), r1);
	assert_ptr_equal(ksr_xavp_find(f->msg.xavps, S("r"), -1), r1);
	assert_ptr_equal(ksr_xavp_next_same(r2), r1);
	assert_int_equal(r2->type, KSR_XAVP_LIST);
	assert_int_equal(ksr_xavp_find(r2->list, S("a"), 0)->val.i, 2);
	assert_null(ksr_xavp_find(r2->list, S("b"), 0));
	assert_int_equal(ksr_xavp_find(r1->list, S("a"), 0)->val.i, 1);

	v = V("y");
	assert_int_equal(ksr_xavp_replace_val(&f->arena, &r1->list, S("b"), 0, &v), 0);
	assert_val_str(&ksr_xavp_find(r1->list, S("b"), 0)->val, "y");
	assert_int_equal(ksr_xavp_replace_val(&f->arena, &r1->list, S("zz"), 0, &v), -ENOENT);

	assert_int_equal(ksr_xavp_del(&f->msg.xavps, S("r"), 0), 0);
	assert_ptr_equal(ksr_xavp_find(f->msg.xavps, S("r"), 0), r1);
	assert_int_equal(ksr_xavp_del(&f->msg.xavps, S("r"), 3), -ENOENT);
	v = I(7);
	assert_int_equal(ksr_xavp_add_val(&f->arena, &f->msg.xavps, S("r"), &v, NULL), 0);
	assert_int_equal(ksr_xavp_del_all(&f->msg.xavps, S("r")), 2);
	assert_null(f->msg.xavps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_avp_stack, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_xavp, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
