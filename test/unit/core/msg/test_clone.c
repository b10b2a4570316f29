/*
 * Tests of src/core/msg/clone.c: a request's copy keeps its text, the script's edits and
 * state, and registered module data, in its own arena, independent of the original.
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
#include "core/msg/clone.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/msg/mdata.h"
#include "core/parser/msg.h"
#include "core/pv/avp.h"

static const char request[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
			      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
			      "From: <sip:alice@example.com>;tag=a1\r\n"
			      "To: <sip:bob@example.com>\r\n"
			      "Call-ID: c1\r\n"
			      "CSeq: 1 INVITE\r\n"
			      "X-Gone: yes\r\n"
			      "Content-Length: 0\r\n\r\n";

/* What a module keeps: a string pointing into the message's arena. */
struct data {
	int n;
	struct ksr_str s;
};
static const char data_key;

static int data_clone(struct ksr_msg *dst, void *p)
{
	struct data *d = p;
	char *c = ksr_arena_alloc(dst->arena, d->s.len);

	if (!c)
		return -ENOMEM;
	memcpy(c, d->s.s, d->s.len);
	d->s.s = c;
	return 0;
}

static struct ksr_hdr *find(struct ksr_msg *m, const char *name)
{
	for (struct ksr_hdr *h = m->headers; h; h = h->next)
		if (ksr_str_caseeq_cstr(&h->name, name))
			return h;
	return NULL;
}

static void test_clone_keeps_state(void **state)
{
	struct ksr_arena a, ca;
	struct ksr_msg m, c;
	struct ksr_str out1, out2;
	struct ksr_val v = {.type = KSR_VAL_STR, .s = ksr_str_make("v1", 2)};
	char *buf = strdup(request), *text;
	struct data d, *got;
	void *copy;

	(void)state;
	ksr_arena_init(&a, 1024);
	ksr_arena_init(&ca, 1024);
	assert_int_equal(ksr_msg_parse(&m, buf, strlen(buf), &a, NULL), 0);
	assert_int_equal(ksr_msg_add_hdr(&m, ksr_str_make("X-New: 1\r\n", 10), KSR_HDR_APPEND), 0);
	assert_int_equal(ksr_msg_remove_hdr(&m, find(&m, "X-Gone")), 0);
	assert_int_equal(ksr_msg_set_ruri(&m, ksr_str_make("sip:carol@example.net", 21)), 0);
	m.dst_uri = ksr_str_make("sip:10.0.0.9:5070", 17);
	m.flags = 5;
	m.bflags = 2;
	assert_int_equal(ksr_avp_add(&m, ksr_str_make("a", 1), &v), 0);
	assert_int_equal(ksr_dset_append(&m, ksr_str_make("sip:dave@example.org", 20), KSR_STR_NULL,
					 KSR_STR_NULL, 500, 0, NULL),
			 0);
	text = ksr_arena_alloc(&a, 3);
	memcpy(text, "abc", 3);
	d = (struct data){7, ksr_str_make(text, 3)};
	assert_int_equal(ksr_msg_data_set(&m, &data_key, &d, sizeof(d), &copy), 0);
	assert_int_equal(ksr_msg_data_register_clone(&data_key, sizeof(d), data_clone), 0);

	assert_int_equal(ksr_msg_build(&m, &out1), 0);
	assert_int_equal(ksr_msg_clone(&m, &ca, &c), 0);
	/* the original goes: its buffer and arena are overwritten */
	memset(buf, 'x', strlen(buf));
	ksr_arena_destroy(&a);

	assert_int_equal(ksr_msg_build(&c, &out2), 0);
	assert_true(strstr(out2.s, "INVITE sip:carol@example.net SIP/2.0\r\n") == out2.s);
	assert_non_null(strstr(out2.s, "X-New: 1\r\n"));
	assert_null(strstr(out2.s, "X-Gone"));
	assert_int_equal(c.dst_uri.len, 17);
	assert_memory_equal(c.dst_uri.s, "sip:10.0.0.9:5070", 17);
	assert_int_equal(c.flags, 5);
	assert_int_equal(c.bflags, 2);
	assert_non_null(ksr_avp_find(&c, ksr_str_make("a", 1), 0));
	assert_int_equal(c.nbranches, 1);
	assert_memory_equal(ksr_dset_get(&c, 1)->uri.s, "sip:dave@example.org", 20);
	assert_null(c.rcv.conn);
	got = ksr_msg_data_get(&c, &data_key);
	assert_non_null(got);
	assert_int_equal(got->n, 7);
	assert_memory_equal(got->s.s, "abc", 3);

	ksr_msg_data_unregister_clone(&data_key);
	ksr_arena_destroy(&ca);
	free(buf);
	(void)out1;
}

/* Data whose owner registered no copier stays with the original. */
static void test_unregistered_data_stays(void **state)
{
	struct ksr_arena a, ca;
	struct ksr_msg m, c;
	char *buf = strdup(request);
	int one = 1;

	(void)state;
	ksr_arena_init(&a, 1024);
	ksr_arena_init(&ca, 1024);
	assert_int_equal(ksr_msg_parse(&m, buf, strlen(buf), &a, NULL), 0);
	assert_int_equal(ksr_msg_data_set(&m, &data_key, &one, sizeof(one), NULL), 0);
	assert_int_equal(ksr_msg_clone(&m, &ca, &c), 0);
	assert_null(ksr_msg_data_get(&c, &data_key));
	ksr_arena_destroy(&a);
	ksr_arena_destroy(&ca);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_keeps_state),
		cmocka_unit_test(test_unregistered_data_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
