/* Tests of credentials and challenges (src/core/parser/digest.c): RFC 3261, RFC 2617. */
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

static void assert_str(struct ksr_str s, const char *want)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("got '%.*s', expected '%s'", (int)s.len, s.s ? s.s : "", want);
}

static struct ksr_credentials *cred_ok(struct fixture *f, const char *text)
{
	struct ksr_credentials *c = NULL;
	int r = ksr_parse_credentials(body(f, text), &f->arena, &c);

	if (r != 0)
		fail_msg("credentials '%s' refused (%d)", text, r);
	return c;
}

static void test_credentials(void **state)
{
	struct fixture *f = *state;
	struct ksr_credentials *c;

	c = cred_ok(
	        f, "Digest username=\"bob\", realm=\"biloxi.com\",\r\n"
	           "  nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\",\r\n"
	           "  qop=auth, nc=0000000a, cnonce=\"0a4f113b\",\r\n"
	           "  response=\"6629fae49393a05397450978507c4ef1\",\r\n"
	           "  opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	assert_true(c->digest);
	assert_str(c->scheme, "Digest");
	assert_str(c->username, "bob");
	assert_str(c->realm, "biloxi.com");
	assert_str(c->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	assert_str(c->uri, "sip:bob@biloxi.com");
	assert_str(c->qop, "auth");
	assert_int_equal(c->qop_id, KSR_QOP_AUTH);
	assert_str(c->nc, "0000000a");
	assert_int_equal(c->nc_value, 10);
	assert_str(c->cnonce, "0a4f113b");
	assert_str(c->response, "6629fae49393a05397450978507c4ef1");
	assert_str(c->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	assert_int_equal(c->alg, KSR_DIGEST_MD5);
	assert_int_equal(c->algorithm.len, 0);
	assert_null(c->other);
	assert_null(c->hdr);

	/* names and scheme are case-insensitive; escapes stay raw, quotes go; commas inside */
	c = cred_ok(f, "digest USERNAME=\"b\\\"o,b\",Realm=\"\",nonce=\"n,1\",uri=\"sip:a@b;x=1\","
	               "response=\"ABCDEF0123456789abcdef0123456789\",algorithm=\"SHA-256-sess\","
	               "qop=\"auth-int\",nc=FFFFFFFF,cnonce=\"c\",userhash=false ,x=\"y z\"");
	assert_true(c->digest);
	assert_str(c->username, "b\\\"o,b");
	assert_str(c->realm, "");
	assert_non_null(c->realm.s);
	assert_str(c->nonce, "n,1");
	assert_str(c->uri, "sip:a@b;x=1");
	assert_int_equal(c->alg, KSR_DIGEST_SHA256_SESS);
	assert_str(c->algorithm, "SHA-256-sess");
	assert_int_equal(c->qop_id, KSR_QOP_AUTH_INT);
	assert_int_equal(c->nc_value, 0xffffffffu);
	assert_str(c->other->name, "userhash");
	assert_str(c->other->value, "false");
	assert_str(c->other->next->value, "\"y z\"");
	assert_null(c->other->next->next);

	c = cred_ok(f, "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", "
	               "response=\"00\", algorithm=MD5-sess");
	assert_int_equal(c->alg, KSR_DIGEST_MD5_SESS);
	assert_int_equal(c->qop_id, 0);
	c = cred_ok(f, "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", "
	               "response=\"00\", algorithm=AKAv1-MD5");
	assert_int_equal(c->alg, KSR_DIGEST_ALG_OTHER);

	/* another scheme is kept as written */
	c = cred_ok(f, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	assert_false(c->digest);
	assert_str(c->scheme, "Basic");
	assert_str(c->params, "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	assert_int_equal(c->username.len, 0);
}

static void test_credentials_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        "   ",
	        "Digest",
	        "Digest ",
	        "Digest,username=\"a\"",
	        "\"Digest\" username=\"a\"",
	        /* a required parameter missing */
	        "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",
	        "Digest username=\"\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"0g\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\"",
	        /* qop needs cnonce and nc; nc is 8 hex digits */
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "qop=auth",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "qop=auth, nc=00000001",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "qop=auth, cnonce=\"c\", nc=0001",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "qop=auth, cnonce=\"c\", nc=00000001x",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "qop=\"auth,auth-int\", cnonce=\"c\", nc=00000001",
	        /* syntax */
	        "Digest username=\"a\", username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	        "response=\"00\"",
	        "Digest username=\"a, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\",",
	        "Digest username=\"a\",, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\" realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest =\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", "
	        "algorithm=\"\"",
	        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"\r\n",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ksr_credentials *c = (struct ksr_credentials *)f;
		int r = ksr_parse_credentials(body(f, bad[i]), &f->arena, &c);

		if (r != -EINVAL)
			fail_msg("credentials '%s' gave %d", bad[i], r);
		assert_ptr_equal(c, f);
	}
}

static void test_challenge(void **state)
{
	struct fixture *f = *state;
	struct ksr_challenge *ch = NULL;

	/* RFC 3261 20.44 */
	assert_int_equal(
	        ksr_parse_challenge(body(f, "Digest realm=\"atlanta.com\",\r\n"
	                                    "  domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n"
	                                    "  nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n"
	                                    "  opaque=\"\", stale=FALSE, algorithm=MD5"),
	                            &f->arena, &ch),
	        0);
	assert_true(ch->digest);
	assert_str(ch->realm, "atlanta.com");
	assert_str(ch->domain, "sip:boxesbybob.com");
	assert_str(ch->nonce, "f84f1cec41e6cbe5aea9c8e88d359");
	assert_str(ch->opaque, "");
	assert_non_null(ch->opaque.s);
	assert_false(ch->stale);
	assert_str(ch->stale_str, "FALSE");
	assert_int_equal(ch->alg, KSR_DIGEST_MD5);
	assert_int_equal(ch->qop_mask, KSR_QOP_AUTH);
	assert_str(ch->qop_list->name, "auth");
	assert_null(ch->qop_list->next);

	assert_int_equal(ksr_parse_challenge(body(f, "Digest realm=\"r\", nonce=\"n\", "
	                                             "qop=\"auth, auth-int,x-new\", stale=true, "
	                                             "algorithm=SHA-512-256, charset=UTF-8"),
	                                     &f->arena, &ch),
	                 0);
	assert_true(ch->stale);
	assert_int_equal(ch->qop_mask, KSR_QOP_AUTH | KSR_QOP_AUTH_INT | KSR_QOP_OTHER);
	assert_str(ch->qop_list->next->name, "auth-int");
	assert_str(ch->qop_list->next->next->name, "x-new");
	assert_int_equal(ch->alg, KSR_DIGEST_SHA512_256);
	assert_str(ch->other->name, "charset");
	assert_int_equal(ch->domain.len, 0);
	assert_null(ch->domain.s);

	static const char *const bad[] = {
	        "Digest nonce=\"n\"",
	        "Digest realm=\"r\"",
	        "Digest realm=\"r\", nonce=\"n\", stale=maybe",
	        "Digest realm=\"r\", nonce=\"n\", qop=\"\"",
	        "Digest realm=\"r\", nonce=\"n\", qop=\"auth,,auth-int\"",
	        "Digest realm=\"r\", nonce=\"n\", qop=\"auth int\"",
	        "Digest realm=\"r\", realm=\"s\", nonce=\"n\"",
	        "Digest realm=\"r\", nonce=\"n\", Basic realm=\"x\"",
	        "Digest realm=\"r, nonce=\"n\"",
	        "Digest",
	        "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ch = (struct ksr_challenge *)f;
		if (ksr_parse_challenge(body(f, bad[i]), &f->arena, &ch) != -EINVAL)
			fail_msg("challenge '%s' accepted", bad[i]);
		assert_ptr_equal(ch, f);
	}
}

static void test_msg(void **state)
{
	struct fixture *f = *state;
	struct ksr_credentials *c = NULL, *again = NULL;
	struct ksr_challenge *ch = NULL;
	struct ksr_str b;

	b = body(f,
	         "INVITE sip:b@example.com SIP/2.0\r\n"
	         "Authorization: Digest username=\"a\", realm=\"one.example.com\", nonce=\"1\", "
	         "uri=\"sip:b@example.com\", response=\"01\"\r\n"
	         "Proxy-Authorization: Digest username=\"p\", realm=\"proxy\", nonce=\"3\", "
	         "uri=\"sip:b@example.com\", response=\"03\"\r\n"
	         "authorization: Digest username=\"a2\", realm=\"two.example.com\", nonce=\"2\", "
	         "uri=\"sip:b@example.com\", response=\"02\"\r\n"
	         "\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_credentials(&f->msg, KSR_HDR_AUTHORIZATION, &c), 0);
	assert_str(c->username, "a");
	assert_str(c->next->username, "a2");
	assert_str(c->next->hdr->name, "authorization");
	assert_null(c->next->next);
	assert_int_equal(ksr_msg_credentials(&f->msg, KSR_HDR_AUTHORIZATION, &again), 0);
	assert_ptr_equal(again, c);
	assert_int_equal(ksr_msg_credentials_realm(&f->msg, KSR_HDR_AUTHORIZATION,
	                                           KSR_STR_STATIC("two.example.com"), &c),
	                 0);
	assert_str(c->username, "a2");
	c = NULL;
	assert_int_equal(ksr_msg_credentials_realm(&f->msg, KSR_HDR_AUTHORIZATION,
	                                           KSR_STR_STATIC("TWO.example.com"), &c),
	                 -ENOENT);
	assert_null(c);
	assert_int_equal(
	        ksr_msg_credentials_realm(&f->msg, KSR_HDR_PROXYAUTH, KSR_STR_STATIC("proxy"), &c),
	        0);
	assert_str(c->username, "p");
	assert_int_equal(ksr_msg_credentials(&f->msg, KSR_HDR_VIA, &c), -EINVAL);
	assert_int_equal(ksr_msg_challenges(&f->msg, KSR_HDR_WWWAUTH, &ch), -ENOENT);
	assert_null(ch);

	b = body(f, "SIP/2.0 401 Unauthorized\r\n"
	            "WWW-Authenticate: Digest realm=\"a\", nonce=\"1\", qop=\"auth\"\r\n"
	            "WWW-Authenticate: Digest realm=\"b\", nonce=\"2\", algorithm=SHA-256\r\n"
	            "Proxy-Authenticate: Digest realm=\"c\", nonce=\"3\"\r\n"
	            "\r\n");
	assert_int_equal(ksr_msg_parse(&f->msg, b.s, b.len, &f->arena, NULL), 0);
	assert_int_equal(ksr_msg_challenges(&f->msg, KSR_HDR_WWWAUTH, &ch), 0);
	assert_str(ch->realm, "a");
	assert_int_equal(ch->next->alg, KSR_DIGEST_SHA256);
	assert_null(ch->next->next);
	assert_int_equal(ksr_msg_challenges(&f->msg, KSR_HDR_PROXYAUTHENTICATE, &ch), 0);
	assert_str(ch->realm, "c");
	assert_int_equal(ksr_msg_challenges(&f->msg, KSR_HDR_AUTHORIZATION, &ch), -EINVAL);
}

static void test_prefixes(void **state)
{
	static const char cred[] =
	        "Digest username=\"b\\\"o,b\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", "
	        "response=\"0123abcd\", qop=auth, nc=00000001, cnonce=\"c\", x=y";
	static const char chal[] = "Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\", "
	                           "stale=true, opaque=\"o\"";
	struct fixture *f = *state;

	for (size_t n = 0; n < sizeof(cred); n++) {
		struct ksr_credentials *c = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, cred, n);
		r = ksr_parse_credentials(ksr_str_make(b, n), &f->arena, &c);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
	for (size_t n = 0; n < sizeof(chal); n++) {
		struct ksr_challenge *ch = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, chal, n);
		r = ksr_parse_challenge(ksr_str_make(b, n), &f->arena, &ch);
		assert_true(r == 0 || r == -EINVAL);
		free(b);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_credentials), T(test_credentials_malformed), T(test_challenge), T(test_msg),
	        T(test_prefixes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
