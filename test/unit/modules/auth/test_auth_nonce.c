/*
 * Tests of nonces (src/modules/auth/auth_nonce.c): expiry and drift, tampering, the
 * request parts of auth_checks_*, nc replay and one-time use, and their windows.
 */
#include <arpa/inet.h>
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
#include "core/parser/msg.h"
#include "auth_nonce.h"

#define T0 1700000000

static const char key[] = "0123456789abcdef0123456789abcdef";
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct req {
	struct ksr_arena arena;
	char *buf;
	struct ksr_msg msg;
};

static struct ksr_str S(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

static struct auth_nonce_cfg base_cfg(void)
{
	return (struct auth_nonce_cfg){.expire = 300, .max_drift = 3, .pools = 1,
				       .nc_size = 1024, .otn_size = 1024};
}

static void init(struct auth_nonce_cfg c)
{
	assert_int_equal(auth_nonce_init(&c, key, strlen(key)), 0);
	auth_nonce_set_pool(0);
}

/* A request "\n"-separated, its source 192.0.2.<src>. */
static void load(struct req *r, const char *method, const char *callid, const char *ftag,
		 const char *totag, int src)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->msg.rcv.src;
	char text[1024];
	const char *err = NULL;
	int n;

	n = snprintf(text, sizeof(text),
		     "%s sip:example.com SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		     "From: <sip:alice@example.com>;tag=%s\r\n"
		     "To: <sip:alice@example.com>%s%s\r\n"
		     "Call-ID: %s\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
		     method, ftag, totag ? ";tag=" : "", totag ? totag : "", callid, method);
	free(r->buf);
	r->buf = strdup(text);
	assert_non_null(r->buf);
	memset(&r->msg, 0, sizeof(r->msg));
	ksr_arena_init(&r->arena, 2048);
	assert_int_equal(ksr_msg_parse(&r->msg, r->buf, (size_t)n, &r->arena, &err), 0);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000200u | (unsigned int)src);
	r->msg.rcv.src_len = sizeof(*sin);
}

static void unload(struct req *r)
{
	ksr_arena_destroy(&r->arena);
	free(r->buf);
	r->buf = NULL;
}

static void make(struct ksr_msg *msg, time_t now, char *nonce)
{
	assert_int_equal(auth_nonce_make(msg, now, nonce), 0);
	assert_int_equal(strlen(nonce), AUTH_NONCE_LEN);
}

static enum auth_nonce_status check(struct ksr_msg *msg, const char *nonce, time_t now,
				    struct auth_nonce *n)
{
	struct auth_nonce tmp;

	return auth_nonce_check(msg, S(nonce), now, n ? n : &tmp);
}

static void test_round_trip(void **state)
{
	char a[AUTH_NONCE_LEN + 1], b[AUTH_NONCE_LEN + 1];
	struct auth_nonce n;

	init(base_cfg());
	make(NULL, T0, a);
	make(NULL, T0, b);
	assert_string_not_equal(a, b);
	for (size_t i = 0; i < AUTH_NONCE_LEN; i++)
		assert_non_null(strchr(b64, a[i]));
	assert_int_equal(check(NULL, a, T0, &n), AUTH_NONCE_OK);
	assert_int_equal(n.created, T0);
	assert_int_equal(n.expires, T0 + 300);
	assert_int_equal(n.pool, 0);
	assert_int_equal(n.flags, 0);
	assert_int_equal(check(NULL, b, T0 + 10, NULL), AUTH_NONCE_OK);
	auth_nonce_destroy();
}

static void test_expiry_and_drift(void **state)
{
	char a[AUTH_NONCE_LEN + 1];

	init(base_cfg());
	make(NULL, T0, a);
	assert_int_equal(check(NULL, a, T0 + 300, NULL), AUTH_NONCE_OK);
	assert_int_equal(check(NULL, a, T0 + 301, NULL), AUTH_NONCE_EXPIRED);
	/* made in the future (the clock went back): up to max_drift seconds */
	assert_int_equal(check(NULL, a, T0 - 3, NULL), AUTH_NONCE_OK);
	assert_int_equal(check(NULL, a, T0 - 4, NULL), AUTH_NONCE_EXPIRED);
	auth_nonce_destroy();
}

/* Every changed character is caught: no change ever gives a valid nonce. */
static void test_tamper(void **state)
{
	char a[AUTH_NONCE_LEN + 1], t[AUTH_NONCE_LEN + 1];

	init(base_cfg());
	make(NULL, T0, a);
	for (size_t i = 0; i < AUTH_NONCE_LEN; i++) {
		for (size_t k = 0; k < sizeof(b64) - 1; k += 7) {
			enum auth_nonce_status st;

			if (b64[k] == a[i])
				continue;
			memcpy(t, a, sizeof(t));
			t[i] = b64[k];
			st = check(NULL, t, T0, NULL);
			if (st != AUTH_NONCE_FORGED && st != AUTH_NONCE_BAD)
				fail_msg("char %zu changed to %c: status %d", i, b64[k], st);
		}
	}
	/* the HMAC part changed: forged, not merely malformed */
	memcpy(t, a, sizeof(t));
	t[40] = t[40] == 'A' ? 'B' : 'A';
	assert_int_equal(check(NULL, t, T0, NULL), AUTH_NONCE_FORGED);
	/* wrong length, characters outside base64, the empty string */
	assert_int_equal(auth_nonce_check(NULL, ksr_str_make(a, AUTH_NONCE_LEN - 1), T0,
					  &(struct auth_nonce){0}),
			 AUTH_NONCE_BAD);
	memcpy(t, a, sizeof(t));
	t[3] = '"';
	assert_int_equal(check(NULL, t, T0, NULL), AUTH_NONCE_BAD);
	assert_int_equal(check(NULL, "", T0, NULL), AUTH_NONCE_BAD);
	/* another secret: every nonce of the first is forged */
	{
		struct auth_nonce_cfg c = base_cfg();

		assert_int_equal(auth_nonce_init(&c, "another secret!!", 16), 0);
		assert_int_equal(check(NULL, a, T0, NULL), AUTH_NONCE_FORGED);
		/* and a random secret, the default */
		assert_int_equal(auth_nonce_init(&c, NULL, 0), 0);
		assert_int_equal(check(NULL, a, T0, NULL), AUTH_NONCE_FORGED);
	}
	auth_nonce_destroy();
}

static void test_auth_checks(void **state)
{
	struct auth_nonce_cfg c = base_cfg();
	struct req a = {0}, b = {0};
	char n[AUTH_NONCE_LEN + 1];
	struct auth_nonce info;

	c.checks_register = AUTH_CHECK_CALLID | AUTH_CHECK_SRCIP;
	c.checks_no_dlg = AUTH_CHECK_URI;
	c.checks_in_dlg = AUTH_CHECK_FROMTAG;
	init(c);

	load(&a, "REGISTER", "cid-1", "ft1", NULL, 1);
	assert_int_equal(auth_nonce_checks_for(&a.msg), AUTH_CHECK_CALLID | AUTH_CHECK_SRCIP);
	make(&a.msg, T0, n);
	assert_int_equal(check(&a.msg, n, T0, &info), AUTH_NONCE_OK);
	assert_int_equal(info.flags & AUTH_CHECK_ALL, AUTH_CHECK_CALLID | AUTH_CHECK_SRCIP);
	/* the same Call-ID and source, another From tag: fine */
	load(&b, "REGISTER", "cid-1", "ft2", NULL, 1);
	assert_int_equal(check(&b.msg, n, T0, NULL), AUTH_NONCE_OK);
	unload(&b);
	/* another Call-ID */
	load(&b, "REGISTER", "cid-2", "ft1", NULL, 1);
	assert_int_equal(check(&b.msg, n, T0, NULL), AUTH_NONCE_FORGED);
	unload(&b);
	/* another source address */
	load(&b, "REGISTER", "cid-1", "ft1", NULL, 2);
	assert_int_equal(check(&b.msg, n, T0, NULL), AUTH_NONCE_FORGED);
	unload(&b);
	/* within a dialog the From tag counts, and the REGISTER's nonce is not bound to it */
	load(&b, "BYE", "cid-1", "ft1", "tt", 1);
	assert_int_equal(auth_nonce_checks_for(&b.msg), AUTH_CHECK_FROMTAG);
	assert_int_equal(check(&b.msg, n, T0, NULL), AUTH_NONCE_FORGED);
	make(&b.msg, T0, n);
	assert_int_equal(check(&b.msg, n, T0, NULL), AUTH_NONCE_OK);
	unload(&a);
	load(&a, "BYE", "cid-9", "ft1", "tt", 7);
	assert_int_equal(check(&a.msg, n, T0, NULL), AUTH_NONCE_OK);
	unload(&a);
	load(&a, "BYE", "cid-1", "ft9", "tt", 1);
	assert_int_equal(check(&a.msg, n, T0, NULL), AUTH_NONCE_FORGED);
	unload(&a);
	unload(&b);
	/* a nonce bound to nothing does not do where checks are asked for */
	make(NULL, T0, n);
	load(&a, "INVITE", "cid-1", "ft1", NULL, 1);
	assert_int_equal(check(&a.msg, n, T0, NULL), AUTH_NONCE_FORGED);
	unload(&a);
	auth_nonce_destroy();
}

static void use_ok(const char *nonce, bool has_nc, uint32_t nc, enum auth_nonce_status want)
{
	struct auth_nonce n;

	assert_int_equal(check(NULL, nonce, T0, &n), AUTH_NONCE_OK);
	assert_int_equal(auth_nonce_use(&n, has_nc, nc), want);
}

static void test_nonce_count(void **state)
{
	struct auth_nonce_cfg c = base_cfg();
	char a[AUTH_NONCE_LEN + 1], b[AUTH_NONCE_LEN + 1], c3[AUTH_NONCE_LEN + 1],
		d[AUTH_NONCE_LEN + 1];

	c.nc = true;
	c.nc_size = 4;
	init(c);
	make(NULL, T0, a);
	make(NULL, T0, b);
	use_ok(a, true, 1, AUTH_NONCE_OK);
	use_ok(a, true, 1, AUTH_NONCE_STALE); /* replayed */
	use_ok(a, true, 3, AUTH_NONCE_OK); /* gaps are fine: only increasing counts */
	use_ok(a, true, 2, AUTH_NONCE_STALE);
	use_ok(a, true, 255, AUTH_NONCE_OK);
	use_ok(a, true, 256, AUTH_NONCE_STALE); /* past 255: a new nonce is needed */
	use_ok(b, true, 0, AUTH_NONCE_STALE); /* nc starts at 1 */
	use_ok(b, true, 1, AUTH_NONCE_OK); /* each nonce counts on its own */
	/* without nc (no qop) and no one_time_nonce: nothing to check */
	use_ok(a, false, 0, AUTH_NONCE_OK);
	use_ok(a, false, 0, AUTH_NONCE_OK);
	/* four slots: a nonce keeps its state while it is among the last four made */
	make(NULL, T0, c3);
	use_ok(c3, true, 1, AUTH_NONCE_OK);
	make(NULL, T0, d);
	make(NULL, T0, d);
	use_ok(c3, true, 2, AUTH_NONCE_OK); /* third newest */
	make(NULL, T0, d);
	use_ok(c3, true, 3, AUTH_NONCE_OK); /* fourth newest */
	make(NULL, T0, d);
	use_ok(c3, true, 4, AUTH_NONCE_STALE); /* its slot went to the newest */
	use_ok(d, true, 1, AUTH_NONCE_OK);
	auth_nonce_destroy();
}

static void test_one_time(void **state)
{
	struct auth_nonce_cfg c = base_cfg();
	char a[AUTH_NONCE_LEN + 1], b[AUTH_NONCE_LEN + 1];

	c.otn = true;
	c.otn_size = 32;
	init(c);
	make(NULL, T0, a);
	make(NULL, T0, b);
	use_ok(a, false, 0, AUTH_NONCE_OK);
	use_ok(a, false, 0, AUTH_NONCE_USED);
	use_ok(a, true, 5, AUTH_NONCE_USED); /* nc does not help without nonce_count */
	use_ok(b, true, 1, AUTH_NONCE_OK);
	use_ok(b, true, 2, AUTH_NONCE_USED);
	/* 32 newer nonces: b's bit belongs to another now */
	make(NULL, T0, a);
	for (int i = 0; i < 31; i++)
		make(NULL, T0, b);
	use_ok(a, false, 0, AUTH_NONCE_OK);
	make(NULL, T0, b);
	use_ok(a, false, 0, AUTH_NONCE_STALE);
	/* a nonce made while one_time_nonce was off is no good once it is on */
	c.otn = false;
	init(c);
	make(NULL, T0, a);
	c.otn = true;
	assert_int_equal(auth_nonce_init(&c, key, strlen(key)), 0);
	use_ok(a, false, 0, AUTH_NONCE_STALE);
	auth_nonce_destroy();
}

/* Both on: a response with nc is checked by its count, one without by one-time use. */
static void test_nc_and_otn(void **state)
{
	struct auth_nonce_cfg c = base_cfg();
	char a[AUTH_NONCE_LEN + 1];

	c.nc = c.otn = true;
	init(c);
	make(NULL, T0, a);
	use_ok(a, true, 1, AUTH_NONCE_OK);
	use_ok(a, true, 2, AUTH_NONCE_OK);
	use_ok(a, false, 0, AUTH_NONCE_OK);
	use_ok(a, false, 0, AUTH_NONCE_USED);
	use_ok(a, true, 3, AUTH_NONCE_OK);
	auth_nonce_destroy();
}

static void test_pools(void **state)
{
	struct auth_nonce_cfg c = base_cfg();
	char a[AUTH_NONCE_LEN + 1], b[AUTH_NONCE_LEN + 1];
	struct auth_nonce n;

	c.pools = 4;
	c.nc = true;
	c.nc_size = 8; /* two slots per pool */
	init(c);
	auth_nonce_set_pool(5);
	make(NULL, T0, a);
	assert_int_equal(check(NULL, a, T0, &n), AUTH_NONCE_OK);
	assert_int_equal(n.pool, 1);
	/* another pool's nonces do not touch pool 1's slots */
	auth_nonce_set_pool(2);
	for (int i = 0; i < 5; i++)
		make(NULL, T0, b);
	use_ok(a, true, 1, AUTH_NONCE_OK);
	use_ok(b, true, 1, AUTH_NONCE_OK);
	auth_nonce_set_pool(1);
	make(NULL, T0, b);
	use_ok(a, true, 2, AUTH_NONCE_OK);
	make(NULL, T0, b);
	use_ok(a, true, 3, AUTH_NONCE_STALE);
	/* a pool this configuration does not have */
	n.pool = 4;
	assert_int_equal(auth_nonce_use(&n, true, 9), AUTH_NONCE_STALE);
	auth_nonce_set_pool(0);
	auth_nonce_destroy();
}

static void test_bad_config(void **state)
{
	struct auth_nonce_cfg c = base_cfg();

	c.pools = 3;
	assert_int_equal(auth_nonce_init(&c, key, 8), -EINVAL);
	c = base_cfg();
	c.nc = true;
	c.nc_size = 1000;
	assert_int_equal(auth_nonce_init(&c, key, 8), -EINVAL);
	c = base_cfg();
	c.otn = true;
	c.otn_size = 16;
	assert_int_equal(auth_nonce_init(&c, key, 8), -EINVAL);
	/* not set up: no nonce */
	{
		char n[AUTH_NONCE_LEN + 1];

		auth_nonce_destroy();
		assert_int_equal(auth_nonce_make(NULL, T0, n), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_expiry_and_drift),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_auth_checks),
		cmocka_unit_test(test_nonce_count),
		cmocka_unit_test(test_one_time),
		cmocka_unit_test(test_nc_and_otn),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
