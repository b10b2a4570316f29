/*
 * ctl's protocols (ctl_binrpc.c, ctl_fifo.c) against methods registered here: replies in
 * upstream's shape, faults for every malformed request, the size limits, the FIFO text.
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
#include "core/rpc/rpc.h"
#include "ctl.h"
#include "lib/binrpc/binrpc.h"

/* ctl.c's parameters, which the protocol files read */
int ctl_mode = 0600;
char *ctl_user, *ctl_group;
int ctl_max_body_kib = 32;
int ctl_struct_max_body_kib = 8;

static struct ksr_arena arena;

/* --- methods --- */

static void t_echo(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a = ksr_rpc_add_array(ctx, NULL, NULL);
	struct ksr_str s;

	while (a && ksr_rpc_param_str(ctx, &s) == 0)
		ksr_rpc_add_str(ctx, a, NULL, s);
}

static void t_add(struct ksr_rpc_ctx *ctx)
{
	long a, b;

	if (ksr_rpc_param_int(ctx, &a) < 0 || ksr_rpc_param_int(ctx, &b) < 0) {
		ksr_rpc_fault(ctx, 400, "two integers expected");
		return;
	}
	ksr_rpc_add_int(ctx, NULL, NULL, a + b);
}

static void t_fault(struct ksr_rpc_ctx *ctx)
{
	ksr_rpc_fault(ctx, 403, "nope");
}

/* { Items: [ {Item: {n: 1}}, {Item: {n: 2}} ], List: ["a", 3], big: 2^33, u: 2^32-1 } */
static void t_nested(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *top = ksr_rpc_add_struct(ctx, NULL, NULL);
	struct ksr_rpc_val *items = ksr_rpc_add_array(ctx, top, "Items");
	struct ksr_rpc_val *list;

	for (int i = 1; i <= 2; i++) {
		struct ksr_rpc_val *o = ksr_rpc_add_struct(ctx, items, NULL);

		ksr_rpc_add_int(ctx, ksr_rpc_add_struct(ctx, o, "Item"), "n", i);
	}
	list = ksr_rpc_add_array(ctx, top, "List");
	ksr_rpc_add_str(ctx, list, NULL, ksr_str_make("a", 1));
	ksr_rpc_add_int(ctx, list, NULL, 3);
	ksr_rpc_add_int(ctx, top, "big", 1L << 33);
	ksr_rpc_add_int(ctx, top, "u", 4294967295L);
}

/* Two top-level values, the second an array: the array stays one. */
static void t_two(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *a;

	ksr_rpc_add_str(ctx, NULL, NULL, ksr_str_make("x", 1));
	a = ksr_rpc_add_array(ctx, NULL, NULL);
	ksr_rpc_add_int(ctx, a, NULL, 1);
}

/* n KiB of text in one struct. */
static void t_big(struct ksr_rpc_ctx *ctx)
{
	long n = 0;
	struct ksr_rpc_val *st;
	char *s;

	ksr_rpc_param_int(ctx, &n);
	s = ksr_arena_alloc(ctx->arena, (size_t)n * 1024);
	memset(s, 'x', (size_t)n * 1024);
	st = ksr_rpc_add_struct(ctx, NULL, NULL);
	ksr_rpc_add_str(ctx, st, "text", ksr_str_make(s, (size_t)n * 1024));
}

static const struct ksr_rpc_export methods[] = {
        {"t.echo", t_echo, "echo"},
        {"t.add", t_add, "add"},
        {"t.fault", t_fault, "fault"},
        {"t.nested", t_nested, "nested"},
        {"t.two", t_two, "two"},
        {"t.big", t_big, "big"},
        {0},
};

static int setup(void **state)
{
	ksr_arena_init(&arena, 4096);
	return ksr_rpc_register(methods);
}

static int teardown(void **state)
{
	ksr_rpc_clear();
	ksr_arena_destroy(&arena);
	return 0;
}

/* --- helpers --- */

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;

	while (*hex) {
		unsigned int b;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &b), 1);
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return n;
}

/* A request packet: method and string parameters (a leading '#' makes one an int). */
static unsigned char *request(size_t *ret_len, uint32_t cookie, const char *method, ...)
{
	struct ksr_binrpc_writer w;
	const unsigned char *pkt;
	unsigned char *copy;
	const char *p;
	va_list ap;

	ksr_binrpc_writer_init(&w, 1 << 20);
	ksr_binrpc_put_str(&w, method, strlen(method));
	va_start(ap, method);
	while ((p = va_arg(ap, const char *))) {
		if (p[0] == '#')
			ksr_binrpc_put_int(&w, atoi(p + 1));
		else
			ksr_binrpc_put_str(&w, p, strlen(p));
	}
	va_end(ap);
	assert_int_equal(ksr_binrpc_finish(&w, KSR_BINRPC_REQ, cookie, &pkt, ret_len), 0);
	copy = malloc(*ret_len);
	memcpy(copy, pkt, *ret_len);
	ksr_binrpc_writer_free(&w);
	return copy;
}

/* Handle req and check the answer's type and cookie; the answer (caller frees). */
static unsigned char *answer(const unsigned char *req, size_t len, enum ksr_binrpc_msg type,
                             uint32_t cookie, struct ksr_binrpc_hdr *ret_h)
{
	unsigned char *rep = NULL;
	size_t rep_len = 0;

	assert_int_equal(ctl_binrpc_handle(req, len, &arena, &rep, &rep_len), 0);
	ksr_arena_reset(&arena);
	assert_non_null(rep);
	assert_int_equal(ksr_binrpc_parse_hdr(rep, rep_len, ret_h), 0);
	assert_int_equal(ret_h->hdr_len + ret_h->body_len, rep_len);
	assert_int_equal(ret_h->type, type);
	assert_int_equal(ret_h->cookie, cookie);
	return rep;
}

static void assert_fault(const unsigned char *req, size_t len, uint32_t cookie, int code,
                         const char *msg)
{
	struct ksr_binrpc_hdr h;
	struct ksr_binrpc_reader r;
	struct ksr_binrpc_val v;
	unsigned char *rep = answer(req, len, KSR_BINRPC_FAULT, cookie, &h);

	ksr_binrpc_reader_init(&r, rep + h.hdr_len, h.body_len);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.type, KSR_BINRPC_T_INT);
	assert_int_equal(v.i, code);
	assert_int_equal(ksr_binrpc_read(&r, &v), 0);
	assert_int_equal(v.type, KSR_BINRPC_T_STR);
	if (!strstr(v.s, msg))
		fail_msg("fault '%s' does not say '%s'", v.s, msg);
	assert_int_equal(ksr_binrpc_read(&r, &v), -ENODATA);
	free(rep);
}

static void assert_reply_body(const unsigned char *req, size_t len, uint32_t cookie,
                              const char *hex)
{
	struct ksr_binrpc_hdr h;
	unsigned char want[256], *rep = answer(req, len, KSR_BINRPC_REPL, cookie, &h);
	size_t n = unhex(hex, want);

	assert_int_equal(h.body_len, n);
	assert_memory_equal(rep + h.hdr_len, want, n);
	free(rep);
}

/* --- binrpc --- */

static void test_replies(void **state)
{
	size_t n;
	unsigned char *req;

	/* one array of values goes as the values: "a", "1" */
	req = request(&n, 7, "t.echo", "a", "#1", NULL);
	assert_reply_body(req, n, 7, "21 61 00  21 31 00");
	free(req);
	/* numbers typed as strings are read as integers */
	req = request(&n, 8, "t.add", "40", "#2", NULL);
	assert_reply_body(req, n, 8, "10 2a");
	free(req);
	/* no values: an empty body */
	req = request(&n, 9, "t.echo", NULL);
	assert_reply_body(req, n, 9, "");
	free(req);
	/* a top-level array among other values stays an array */
	req = request(&n, 10, "t.two", NULL);
	assert_reply_body(req, n, 10, "21 78 00  04 10 01 84");
	free(req);
}

/*
 * An array as a struct's member is a struct, its struct items' members inline (as 5.6's
 * ul.dump); plain items go bare; 2^32-1 is sent as upstream sends unsigned values, a
 * larger value as text.
 */
static void test_nested_shape(void **state)
{
	size_t n;
	unsigned char *req = request(&n, 1, "t.nested", NULL);

	assert_reply_body(req, n, 1,
	                  "03"
	                  " 65 4974656d7300 03"                        /* Items: { */
	                  "  55 4974656d00 03 25 6e00 10 01 83"        /* Item: { n: 1 } */
	                  "  55 4974656d00 03 25 6e00 10 02 83"        /* Item: { n: 2 } */
	                  " 83"                                        /* } */
	                  " 55 4c69737400 03 21 6100 10 03 83"         /* List: { "a" 3 } */
	                  " 45 62696700 91 0b 38353839393334353932 00" /* big: "8589934592" */
	                  " 25 7500 40 ff ff ff ff"                    /* u: 0xffffffff */
	                  " 83");
	free(req);
}

static void test_faults(void **state)
{
	size_t n;
	unsigned char *req, bad[64];

	req = request(&n, 0x1234, "t.fault", NULL);
	assert_fault(req, n, 0x1234, 403, "nope");
	free(req);
	req = request(&n, 5, "no.such", NULL);
	assert_fault(req, n, 5, 500, "command no.such not found");
	free(req);
	req = request(&n, 5, "t.add", "x", NULL);
	assert_fault(req, n, 5, 400, "two integers expected");
	free(req);

	/* not binrpc: the cookie cannot be known */
	assert_fault((const unsigned char *)"GET / HTTP/1.0\r\n\r\n", 18, 0, 400,
	             "not a binrpc packet");
	/* a reply where a request belongs */
	n = unhex("a1 13 02 00 00 00 05  10 01", bad);
	assert_fault(bad, n, 5, 400, "not a request");
	/* the header promises more body than there is */
	n = unhex("a1 03 20 00 00 00 05  71 742e6563686f00", bad);
	assert_fault(bad, n, 5, 400, "truncated");
	/* the method is no string */
	n = unhex("a1 03 02 00 00 00 05  10 01", bad);
	assert_fault(bad, n, 5, 400, "bad request method");
	/* an empty body: no method */
	n = unhex("a1 03 00 00 00 00 05", bad);
	assert_fault(bad, n, 5, 400, "bad request method");
	/* a parameter whose length runs past the end */
	n = unhex("a1 03 0b 00 00 00 05  71 742e6563686f00 91 ff 61", bad);
	assert_fault(bad, n, 5, 400, "parameter 1 is malformed");
	/* a struct parameter */
	n = unhex("a1 03 0a 00 00 00 05  71 742e6563686f00 03 83", bad);
	assert_fault(bad, n, 5, 400, "structs and arrays are not supported");
	/* a string parameter without its NUL */
	n = unhex("a1 03 0b 00 00 00 05  71 742e6563686f00 21 61 62", bad);
	assert_fault(bad, n, 5, 400, "parameter 1 is malformed");
}

/* Every cut of a valid request: a fault or (for the whole one) a reply, never a crash. */
static void test_cuts(void **state)
{
	size_t n;
	unsigned char *req = request(&n, 77, "t.echo", "abc", "#5", "defghijk", NULL);

	for (size_t cut = 0; cut <= n; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1), *rep = NULL;
		size_t rep_len = 0;
		struct ksr_binrpc_hdr h;

		memcpy(copy, req, cut);
		assert_int_equal(ctl_binrpc_handle(copy, cut, &arena, &rep, &rep_len), 0);
		ksr_arena_reset(&arena);
		assert_int_equal(ksr_binrpc_parse_hdr(rep, rep_len, &h), 0);
		assert_int_equal(h.type, cut == n ? KSR_BINRPC_REPL : KSR_BINRPC_FAULT);
		free(rep);
		free(copy);
	}
	free(req);
}

static void test_limits(void **state)
{
	size_t n;
	unsigned char *req;

	/* 40 KiB in one struct: more than 32 KiB of body */
	ctl_struct_max_body_kib = 64;
	req = request(&n, 3, "t.big", "#40", NULL);
	assert_fault(req, n, 3, 500, "binrpc_max_body_size (32 KiB)");
	free(req);
	/* 10 KiB: fits the body, not a struct of 8 KiB */
	ctl_struct_max_body_kib = 8;
	req = request(&n, 3, "t.big", "#10", NULL);
	assert_fault(req, n, 3, 500, "binrpc_struct_max_body_size (8 KiB)");
	free(req);
	req = request(&n, 3, "t.big", "#7", NULL);
	free(answer(req, n, KSR_BINRPC_REPL, 3, &(struct ksr_binrpc_hdr){0}));
	free(req);
}

static void test_frame(void **state)
{
	size_t n;
	unsigned char *req = request(&n, 1, "t.echo", "a", NULL), big[16];

	assert_int_equal(ctl_binrpc_frame(req, 0), 0);
	assert_int_equal(ctl_binrpc_frame(req, 3), 0);
	assert_int_equal(ctl_binrpc_frame(req, n - 1), 0);
	assert_int_equal(ctl_binrpc_frame(req, n), (ssize_t)n);
	free(req);
	assert_int_equal(ctl_binrpc_frame((const unsigned char *)"{\"jsonrpc\"", 10), -EBADMSG);
	/* a body of 16 MiB announced: refused before it is read */
	unhex("a1 0b ff ff ff 00 00 00 01", big);
	assert_int_equal(ctl_binrpc_frame(big, 9), -E2BIG);
}

/* --- the FIFO protocol --- */

static char *fifo(const char *req, char **ret_reply_fifo)
{
	char *out = NULL, *copy;
	size_t len = 0;

	assert_int_equal(ctl_fifo_handle(req, strlen(req), &arena, &out, &len, ret_reply_fifo), 0);
	ksr_arena_reset(&arena);
	if (!out)
		return NULL;
	copy = strndup(out, len);
	free(out);
	return copy;
}

static void test_fifo(void **state)
{
	char *out, *rf;
	const char *r1 = ":t.echo:rf1\nab\\nc\n\\o\\c\n\nnext";

	assert_int_equal(ctl_fifo_frame(r1, strlen(r1)), strlen(r1) - 4);
	assert_int_equal(ctl_fifo_frame(":t.echo:x\r\n\r\n", 13), 13);
	assert_int_equal(ctl_fifo_frame(":t.echo:x\na\n", 12), 0);

	out = fifo(r1, &rf);
	assert_string_equal(out, "200 OK\nab\\nc\n,:\n");
	assert_string_equal(rf, "/tmp/rf1");
	free(out);
	free(rf);

	out = fifo(":t.nested:\n\n", &rf);
	assert_null(rf);
	assert_string_equal(out, "200 OK\n"
	                         "big:8589934592,u:4294967295\n"
	                         "Items:\nItem:\nn:1\nItem:\nn:2\n"
	                         "List:\na\n3\n");
	free(out);

	out = fifo(":t.add:../etc\n1\n2\n\n", &rf);
	assert_null(rf); /* a reply FIFO outside /tmp is refused */
	assert_string_equal(out, "200 OK\n3\n");
	free(out);

	out = fifo(":no.such:r\n\n", &rf);
	assert_string_equal(out, "500 command no.such not found\n");
	free(out);
	free(rf);
	out = fifo(":t.fault:r\n\n", &rf);
	assert_string_equal(out, "403 nope\n");
	free(out);
	free(rf);
	out = fifo(":t.echo:r\nbad\\q\n\n", &rf);
	assert_string_equal(out, "400 Bad escape sequence on line 2\n");
	free(out);
	free(rf);
	out = fifo("t.echo\n\n", &rf);
	assert_string_equal(out, "400 Bad request: the first line must be :method:reply_fifo\n");
	assert_null(rf);
	free(out);
	/* an empty line alone is no request */
	assert_null(fifo("\n", &rf));
	assert_null(fifo("\r\n", &rf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_replies), cmocka_unit_test(test_nested_shape),
	        cmocka_unit_test(test_faults),  cmocka_unit_test(test_cuts),
	        cmocka_unit_test(test_limits),  cmocka_unit_test(test_frame),
	        cmocka_unit_test(test_fifo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
