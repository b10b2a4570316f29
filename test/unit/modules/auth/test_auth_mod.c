/*
 * Tests of the auth module's functions and API (src/modules/auth/auth_mod.c,
 * auth_check.c, auth_challenge.c) on parsed requests: challenges, the return codes of
 * pv_*_authenticate / pv_auth_check, stale nonces, nc and one-time use, auth_checks,
 * the algorithm list, and what the API gives a backend. The modparams are set through
 * the module's own table and mod_init run, as the loader does.
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
#include "core/module/module-t.h"
#include "core/msg/edit.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/pv/avp.h"
#include "auth_api.h"
#include "auth_digest.h"
#include "auth_mod.h"
#include "auth_nonce.h"

extern const struct ksr_module_exports ksr_module_exports;

#define T0 1700000000
static time_t fake_now = T0;

static time_t fake_clock(void)
{
	return fake_now;
}

static struct ksr_str S(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

/* --- the module's parameters and functions, as the loader and interpreter use them --- */

static const struct ksr_param_export *param(const char *name)
{
	for (const struct ksr_param_export *p = ksr_module_exports.params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	fail_msg("no modparam %s", name);
	return NULL;
}

static void set_int(const char *name, int v)
{
	const struct ksr_param_export *p = param(name);

	assert_int_equal(p->type, KSR_MP_INT);
	*(int *)p->target = v;
}

static void set_str(const char *name, const char *v)
{
	const struct ksr_param_export *p = param(name);

	assert_int_equal(p->type, KSR_MP_STR);
	*(char **)p->target = (char *)v;
}

/* Upstream's defaults, a fixed secret; then what the test sets, and mod_init. */
static void defaults(void)
{
	set_str("secret", "0123456789abcdef0123456789abcdef");
	set_int("nonce_expire", 300);
	set_int("nonce_auth_max_drift", 3);
	set_str("qop", "");
	set_str("algorithm", "");
	set_int("nonce_count", 0);
	set_int("one_time_nonce", 0);
	set_int("nid_pool_no", 1);
	set_int("nc_array_order", 10);
	set_int("otn_in_flight_order", 10);
	set_int("auth_checks_register", 0);
	set_int("auth_checks_no_dlg", 0);
	set_int("auth_checks_in_dlg", 0);
	set_str("realm_prefix", "");
	set_int("use_domain", 0);
	set_int("add_authinfo_hdr", 0);
	set_str("challenge_attr", "$digest_challenge");
	set_str("www_challenge_header", "WWW-Authenticate");
	set_str("proxy_challenge_header", "Proxy-Authenticate");
}

static void start(void)
{
	assert_int_equal(ksr_module_exports.mod_init(), 0);
	auth_now = fake_clock;
	fake_now = T0;
}

static int setup(void **state)
{
	defaults();
	start();
	return 0;
}

static int teardown(void **state)
{
	ksr_module_exports.destroy();
	return 0;
}

static const struct ksr_cmd_export *cmd(const char *name, int nparams)
{
	for (const struct ksr_cmd_export *c = ksr_module_exports.cmds; c->name; c++) {
		int n = 0;

		while (n < KSR_MAX_PARAMS && c->params[n] != KSR_PT_NONE)
			n++;
		if (strcmp(c->name, name) == 0 && n == nparams)
			return c;
	}
	fail_msg("no function %s/%d", name, nparams);
	return NULL;
}

static struct ksr_fparam sp(const char *s)
{
	return (struct ksr_fparam){.type = KSR_PT_STR, .s = S(s)};
}

static struct ksr_fparam ip(long i)
{
	return (struct ksr_fparam){.type = KSR_PT_INT, .i = i};
}

/* --- requests --- */

struct req {
	struct ksr_arena arena;
	char *buf;
	struct ksr_msg msg;
};

/* Parse text ("\n" line ends become CRLF) as a request from 192.0.2.1. */
static void load(struct req *r, const char *text)
{
	struct sockaddr_in *sin;
	const char *err = NULL;
	size_t n = 0;

	free(r->buf);
	r->buf = malloc(2 * strlen(text) + 1);
	assert_non_null(r->buf);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			r->buf[n++] = '\r';
		r->buf[n++] = *p;
	}
	if (!r->arena.chunk_size)
		ksr_arena_init(&r->arena, 4096);
	ksr_arena_reset(&r->arena);
	memset(&r->msg, 0, sizeof(r->msg));
	if (ksr_msg_parse(&r->msg, r->buf, n, &r->arena, &err) != 0)
		fail_msg("test request does not parse: %s", err ? err : "?");
	sin = (struct sockaddr_in *)&r->msg.rcv.src;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000201u);
	r->msg.rcv.src_len = sizeof(*sin);
}

static void unload(struct req *r)
{
	if (r->arena.chunk_size)
		ksr_arena_destroy(&r->arena);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* A request with an optional credentials header (its whole line) and a body. */
static void request(struct req *r, const char *method, const char *from_user,
		    const char *callid, const char *cred_line, const char *body)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "%s sip:example.com SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
		 "From: <sip:%s@example.com>;tag=ft\n"
		 "To: <sip:alice@example.com>\n"
		 "Call-ID: %s\n"
		 "CSeq: 1 %s\n"
		 "%s%s"
		 "Content-Length: %zu\n\n%s",
		 method, from_user, callid, method, cred_line ? cred_line : "",
		 cred_line ? "\n" : "", strlen(body ? body : ""), body ? body : "");
	load(r, text);
}

/* A challenge's nonce: from a REGISTER with Call-ID callid. */
static void fresh_nonce(const char *callid, char *nonce)
{
	struct req r = {0};
	struct ksr_str h;
	const char *p;

	request(&r, "REGISTER", "alice", callid, NULL, NULL);
	assert_int_equal(auth_build_challenge(&r.msg, S("example.com"), 0, KSR_HDR_AUTHORIZATION,
					      &h),
			 0);
	p = strstr(h.s, "nonce=\"");
	assert_non_null(p);
	memcpy(nonce, p + 7, AUTH_NONCE_LEN);
	nonce[AUTH_NONCE_LEN] = '\0';
	unload(&r);
}

struct cred {
	const char *hdr; /* "Authorization" (default) or "Proxy-Authorization" */
	enum ksr_digest_alg alg;
	bool no_alg_param;
	const char *user, *realm, *password, *nonce, *method, *uri;
	const char *qop, *nc, *cnonce, *body;
};

/* The credentials line a client would send. */
static const char *cred_line(const struct cred *c)
{
	static char line[1024];
	char ha1[AUTH_HA1_MAX + 1], rsp[AUTH_HA1_MAX + 1];
	const char *user = c->user ? c->user : "alice";
	const char *realm = c->realm ? c->realm : "example.com";
	const char *uri = c->uri ? c->uri : "sip:example.com";
	enum ksr_digest_alg alg = c->alg ? c->alg : KSR_DIGEST_MD5;
	struct auth_digest_in in = {
		.alg = alg,
		.nonce = S(c->nonce),
		.nc = S(c->nc ? c->nc : "00000001"),
		.cnonce = S(c->cnonce ? c->cnonce : "0a4f113b"),
		.qop = !c->qop ? 0 : strcmp(c->qop, "auth") == 0 ? KSR_QOP_AUTH : KSR_QOP_AUTH_INT,
		.method = S(c->method ? c->method : "REGISTER"),
		.uri = S(uri),
		.body = S(c->body ? c->body : ""),
	};
	int n;

	assert_int_equal(auth_digest_ha1(alg, S(user), S(realm),
					 S(c->password ? c->password : "secret"), ha1),
			 0);
	in.ha1 = S(ha1);
	assert_int_equal(auth_digest_response(&in, rsp), 0);
	n = snprintf(line, sizeof(line),
		     "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
		     "response=\"%s\"",
		     c->hdr ? c->hdr : "Authorization", user, realm, c->nonce, uri, rsp);
	if (!c->no_alg_param && c->alg)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", algorithm=%s",
			      auth_digest_alg_name(alg));
	if (c->qop)
		snprintf(line + n, sizeof(line) - (size_t)n, ", qop=%s, nc=%s, cnonce=\"%s\"",
			 c->qop, in.nc.s, in.cnonce.s);
	return line;
}

/* pv_www_authenticate(realm, passwd, flags) on r. */
static int pv_www(struct req *r, const char *realm, const char *passwd, long flags)
{
	const struct ksr_fparam p[] = {sp(realm), sp(passwd), ip(flags)};

	return cmd("pv_www_authenticate", 3)->func(&r->msg, p);
}

/* A REGISTER carrying credentials c, through pv_www_authenticate(), password "secret". */
static int register_with(const struct cred *c, long flags)
{
	struct req r = {0};
	int rc;

	request(&r, "REGISTER", "alice", "cid-1", cred_line(c), c->body);
	rc = pv_www(&r, "example.com", "secret", flags);
	unload(&r);
	return rc;
}

static bool has(struct ksr_str s, const char *what)
{
	return memmem(s.s, s.len, what, strlen(what)) != NULL;
}

static struct ksr_str challenge_of(struct req *r, const char *realm, unsigned int flags,
				   enum ksr_hdr_type type)
{
	struct ksr_str h = {0};

	assert_int_equal(auth_build_challenge(&r->msg, S(realm), flags, type, &h), 0);
	return h;
}

/* --- tests --- */

static void test_challenge_format(void **state)
{
	struct req r = {0};
	struct ksr_str h;
	char want[256];
	const char *n;

	request(&r, "REGISTER", "alice", "cid-1", NULL, NULL);
	h = challenge_of(&r, "example.com", AUTH_CHF_QOP_AUTH, KSR_HDR_AUTHORIZATION);
	n = strstr(h.s, "nonce=\"") + 7;
	snprintf(want, sizeof(want),
		 "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"%.*s\", qop=\"auth\"\r\n",
		 AUTH_NONCE_LEN, n);
	assert_int_equal(h.len, strlen(want));
	assert_memory_equal(h.s, want, h.len);
	/* no algorithm= while the modparam is unset (upstream: MD5 implied) */
	h = challenge_of(&r, "example.com", 0, KSR_HDR_PROXYAUTH);
	assert_true(has(h, "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\""));
	assert_false(has(h, "qop"));
	assert_false(has(h, "algorithm"));
	assert_false(has(h, "stale"));
	h = challenge_of(&r, "example.com",
			 AUTH_CHF_QOP_AUTH | AUTH_CHF_QOP_AUTH_INT | AUTH_CHF_STALE,
			 KSR_HDR_AUTHORIZATION);
	assert_true(has(h, "\", qop=\"auth-int\", stale=true\r\n"));
	/* a realm that cannot be a quoted string as it is */
	assert_int_equal(auth_build_challenge(&r.msg, S("a\"b"), 0, KSR_HDR_AUTHORIZATION, &h),
			 -EINVAL);
	assert_int_equal(auth_build_challenge(&r.msg, S("a\r\nX: y"), 0, KSR_HDR_AUTHORIZATION, &h),
			 -EINVAL);
	assert_int_equal(auth_build_challenge(&r.msg, S(""), 0, KSR_HDR_AUTHORIZATION, &h),
			 -EINVAL);
	unload(&r);
}

/* algorithm lists (RFC 8760): one line each, in order, one nonce; qop, names, prefix. */
static void test_challenge_settings(void **state)
{
	struct req r = {0};
	struct ksr_str h;
	const char *a, *b;

	defaults();
	set_str("algorithm", "SHA-512-256, SHA-256,MD5");
	set_str("qop", "auth");
	set_str("realm_prefix", "sip.");
	set_str("www_challenge_header", "X-Challenge");
	start();
	request(&r, "REGISTER", "alice", "cid-1", NULL, NULL);
	h = challenge_of(&r, "sip.example.com", 0, KSR_HDR_AUTHORIZATION);
	a = strstr(h.s, "algorithm=SHA-512-256\r\n");
	b = strstr(h.s, "algorithm=SHA-256\r\n");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_true(b < strstr(h.s, "algorithm=MD5\r\n"));
	assert_true(strncmp(h.s, "X-Challenge: Digest realm=\"example.com\", nonce=\"", 48) == 0);
	/* the same nonce in each line */
	{
		const char *n1 = strstr(h.s, "nonce=\"");
		const char *n2 = strstr(n1 + 1, "nonce=\"");
		const char *n3 = strstr(n2 + 1, "nonce=\"");

		assert_non_null(n3);
		assert_memory_equal(n1, n2, 7 + AUTH_NONCE_LEN);
		assert_memory_equal(n1, n3, 7 + AUTH_NONCE_LEN);
	}
	/* qop modparam: offered when the flags name none */
	assert_int_equal(strstr(h.s, "qop=\"auth\", algorithm=SHA-512-256") != NULL, 1);
	unload(&r);

	/* bad settings fail mod_init */
	defaults();
	set_str("algorithm", "SHA-1");
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	set_str("algorithm", "MD5,MD5");
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	set_str("algorithm", "MD5-sess");
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	defaults();
	set_str("qop", "auth-conf");
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	defaults();
	set_str("challenge_attr", "$var(x");
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	defaults();
	set_int("auth_checks_register", 16);
	assert_int_not_equal(ksr_module_exports.mod_init(), 0);
	defaults();
	start();
}

static void test_authenticate_codes(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1], ha1[AUTH_HA1_MAX + 1];
	struct req r = {0};

	fresh_nonce("cid-1", nonce);
	/* no credentials; credentials of another realm; Basic only */
	request(&r, "REGISTER", "alice", "cid-1", NULL, NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_NO_CREDENTIALS);
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .realm = "other.com"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_NO_CREDENTIALS);
	request(&r, "REGISTER", "alice", "cid-1", "Authorization: Basic YWxpY2U6c2VjcmV0", NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_NO_CREDENTIALS);
	/* the right header type only: Proxy-Authorization does not do for pv_www */
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_NO_CREDENTIALS);
	/* malformed credentials; a nonce that is not of our format */
	request(&r, "REGISTER", "alice", "cid-1",
		"Authorization: Digest username=\"alice\", realm=\"example.com\"", NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_ERROR);
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_ERROR);
	unload(&r);
	/* right and wrong passwords */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .password = "wrong"}, 0),
			 AUTH_INVALID_PASSWORD);
	/* the name hashed is the one in the credentials: bob with this password passes */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .user = "bob"}, 0), AUTH_OK);
	/* the password given as HA1 (flag 1) */
	assert_int_equal(auth_digest_ha1(KSR_DIGEST_MD5, S("alice"), S("example.com"), S("secret"),
					 ha1),
			 0);
	request(&r, "REGISTER", "alice", "cid-1", cred_line(&(struct cred){.nonce = nonce}), NULL);
	assert_int_equal(pv_www(&r, "example.com", ha1, 1), AUTH_OK);
	assert_int_equal(pv_www(&r, "example.com", "secret", 1), AUTH_INVALID_PASSWORD);
	/* the method of the response given as the fourth parameter */
	{
		const struct ksr_fparam p[] = {sp("example.com"), sp("secret"), ip(0),
					       sp("INVITE")};

		assert_int_equal(cmd("pv_www_authenticate", 4)->func(&r.msg, p),
				 AUTH_INVALID_PASSWORD);
		request(&r, "REGISTER", "alice", "cid-1",
			cred_line(&(struct cred){.nonce = nonce, .method = "INVITE"}), NULL);
		assert_int_equal(cmd("pv_www_authenticate", 4)->func(&r.msg, p), AUTH_OK);
	}
	/* ACK and CANCEL pass without credentials (RFC 3261 22.1) */
	request(&r, "CANCEL", "alice", "cid-1", NULL, NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_OK);
	/* pv_proxy_authenticate reads Proxy-Authorization */
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE"}),
		NULL);
	{
		const struct ksr_fparam p[] = {sp("example.com"), sp("secret"), ip(0)};

		assert_int_equal(cmd("pv_proxy_authenticate", 3)->func(&r.msg, p), AUTH_OK);
		assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_NO_CREDENTIALS);
	}
	unload(&r);
}

/* Expired and forged nonces: stale (-4) with the right response only. */
static void test_stale(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];
	struct req r = {0};
	struct ksr_str h;

	fresh_nonce("cid-1", nonce);
	fake_now = T0 + 300;
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	fake_now = T0 + 301;
	request(&r, "REGISTER", "alice", "cid-1", cred_line(&(struct cred){.nonce = nonce}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_STALE_NONCE);
	/* the next challenge to this request says so without being asked */
	h = challenge_of(&r, "example.com", AUTH_CHF_QOP_AUTH, KSR_HDR_AUTHORIZATION);
	assert_true(has(h, "qop=\"auth\", stale=true\r\n"));
	/* a wrong password with an expired nonce is a wrong password, and no stale */
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .password = "bad"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_INVALID_PASSWORD);
	h = challenge_of(&r, "example.com", 0, KSR_HDR_AUTHORIZATION);
	assert_false(has(h, "stale"));
	/* a nonce of another secret (a restart with a random one): stale too */
	fake_now = T0;
	{
		char changed[AUTH_NONCE_LEN + 1];

		memcpy(changed, nonce, sizeof(changed));
		changed[30] = changed[30] == 'A' ? 'B' : 'A';
		assert_int_equal(register_with(&(struct cred){.nonce = changed}, 0),
				 AUTH_STALE_NONCE);
		assert_int_equal(
			register_with(&(struct cred){.nonce = changed, .password = "x"}, 0),
			AUTH_INVALID_PASSWORD);
	}
	unload(&r);
}

static void test_algorithms(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];

	defaults();
	set_str("algorithm", "SHA-512-256,SHA-256");
	start();
	fresh_nonce("cid-1", nonce);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_SHA256}, 0),
			 AUTH_OK);
	assert_int_equal(
		register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_SHA512_256}, 0),
		AUTH_OK);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_SHA256,
						       .password = "x"},
				       0),
			 AUTH_INVALID_PASSWORD);
	/* MD5 is not offered: an error, as upstream */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_MD5}, 0),
			 AUTH_ERROR);
	/* no algorithm parameter: the first configured when MD5 is not */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_SHA512_256,
						       .no_alg_param = true},
				       0),
			 AUTH_OK);
	defaults();
	set_str("algorithm", "SHA-256,MD5");
	start();
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .alg = KSR_DIGEST_MD5,
						       .no_alg_param = true},
				       0),
			 AUTH_OK);
	defaults();
	start();
}

static void test_qop(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];
	struct req r = {0};

	fresh_nonce("cid-1", nonce);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth"}, 0), AUTH_OK);
	assert_int_equal(
		register_with(
			&(struct cred){.nonce = nonce, .qop = "auth-int", .body = "v=0 o=x"}, 0),
		AUTH_OK);
	/* the body the response covers is not the one sent */
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .qop = "auth-int", .body = "v=0 o=x"}),
		"v=1 o=x");
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_INVALID_PASSWORD);
	unload(&r);
}

static void test_nonce_count(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];

	defaults();
	set_int("nonce_count", 1);
	set_str("qop", "auth");
	start();
	fresh_nonce("cid-1", nonce);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth"}, 0), AUTH_OK);
	/* replayed: stale, so the client gets a fresh nonce */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth"}, 0),
			 AUTH_STALE_NONCE);
	/* a replay with a wrong password is a wrong password */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth",
						       .password = "x"},
				       0),
			 AUTH_INVALID_PASSWORD);
	assert_int_equal(
		register_with(&(struct cred){.nonce = nonce, .qop = "auth", .nc = "00000002"}, 0),
		AUTH_OK);
	/* a wrong password does not move the count on */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth",
						       .nc = "00000004", .password = "x"},
				       0),
			 AUTH_INVALID_PASSWORD);
	assert_int_equal(
		register_with(&(struct cred){.nonce = nonce, .qop = "auth", .nc = "00000003"}, 0),
		AUTH_OK);
	assert_int_equal(
		register_with(&(struct cred){.nonce = nonce, .qop = "auth", .nc = "00000100"}, 0),
		AUTH_STALE_NONCE);
	/* without qop nothing is counted (upstream) */
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	defaults();
	start();
}

static void test_one_time_nonce(void **state)
{
	const struct auth_api *api = ksr_module_exports.apis[0].api;
	char nonce[AUTH_NONCE_LEN + 1];
	struct auth_ctx ctx;
	struct req r = {0};

	defaults();
	set_int("one_time_nonce", 1);
	start();
	fresh_nonce("cid-1", nonce);
	/* an unknown user and a wrong password do not use the nonce up */
	request(&r, "REGISTER", "alice", "cid-1", cred_line(&(struct cred){.nonce = nonce}), NULL);
	assert_int_equal(api->pre_auth(&r.msg, S("example.com"), KSR_HDR_AUTHORIZATION,
				       KSR_STR_NULL, &ctx),
			 AUTH_PRE_CONTINUE);
	assert_int_equal(api->unknown_user(&r.msg, &ctx), AUTH_USER_UNKNOWN);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .password = "x"}, 0),
			 AUTH_INVALID_PASSWORD);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_NONCE_REUSED);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce, .qop = "auth",
						       .nc = "00000002"},
				       0),
			 AUTH_NONCE_REUSED);
	unload(&r);
	defaults();
	start();
}

/* auth_checks_register = 2: a nonce works with the Call-ID it was made for only. */
static void test_auth_checks(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];
	struct req r = {0};

	defaults();
	set_int("auth_checks_register", 2);
	start();
	fresh_nonce("cid-1", nonce);
	assert_int_equal(register_with(&(struct cred){.nonce = nonce}, 0), AUTH_OK);
	request(&r, "REGISTER", "alice", "cid-2", cred_line(&(struct cred){.nonce = nonce}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_STALE_NONCE);
	unload(&r);
	defaults();
	start();
}

static int auth_check(struct req *r, long checks)
{
	const struct ksr_fparam p[] = {sp("example.com"), sp("secret"), ip(0), ip(checks)};

	return cmd("pv_auth_check", 4)->func(&r->msg, p);
}

static void test_auth_check_user(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];
	struct req r = {0};

	fresh_nonce("cid-1", nonce);
	/* REGISTER: the To user (alice) */
	request(&r, "REGISTER", "carol", "cid-1", cred_line(&(struct cred){.nonce = nonce}), NULL);
	assert_int_equal(auth_check(&r, 1), AUTH_OK);
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .user = "bob"}), NULL);
	assert_int_equal(auth_check(&r, 0), AUTH_OK);
	assert_int_equal(auth_check(&r, 1), AUTH_USER_MISMATCH);
	unload(&r);
	/* other requests: the From user, Proxy-Authorization */
	request(&r, "INVITE", "bob", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE"}),
		NULL);
	assert_int_equal(auth_check(&r, 1), AUTH_USER_MISMATCH);
	assert_int_equal(auth_check(&r, 0), AUTH_OK);
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE"}),
		NULL);
	assert_int_equal(auth_check(&r, 1), AUTH_OK);
	/* user@domain: the user part counts; with use_domain the domain too */
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE", .user = "alice@other.org"}),
		NULL);
	assert_int_equal(auth_check(&r, 1), AUTH_OK);
	defaults();
	set_int("use_domain", 1);
	start();
	assert_int_equal(auth_check(&r, 1), AUTH_USER_MISMATCH);
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE", .user = "alice@EXAMPLE.com"}),
		NULL);
	assert_int_equal(auth_check(&r, 1), AUTH_OK);
	unload(&r);
	defaults();
	start();
}

static void test_has_and_consume(void **state)
{
	const struct ksr_fparam realm[] = {sp("example.com")}, other[] = {sp("other.com")};
	const struct ksr_cmd_export *consume = cmd("consume_credentials", 0);
	char nonce[AUTH_NONCE_LEN + 1];
	struct req r = {0};

	fresh_nonce("cid-1", nonce);
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE"}),
		NULL);
	assert_int_equal(cmd("has_credentials", 1)->func(&r.msg, realm), 1);
	assert_int_equal(cmd("has_credentials", 1)->func(&r.msg, other), -1);
	assert_int_equal(consume->func(&r.msg, NULL), -1); /* nothing authorized yet */
	{
		const struct ksr_fparam p[] = {sp("example.com"), sp("secret"), ip(0)};

		assert_int_equal(cmd("pv_proxy_authenticate", 3)->func(&r.msg, p), AUTH_OK);
	}
	assert_int_equal(r.msg.nedits, 0);
	assert_int_equal(consume->func(&r.msg, NULL), 1);
	assert_int_equal(r.msg.nedits, 1);
	assert_true(r.msg.edits->del > 0);
	request(&r, "REGISTER", "alice", "cid-1", NULL, NULL);
	assert_int_equal(cmd("has_credentials", 1)->func(&r.msg, realm), -1);
	unload(&r);
}

/* pv_*_authenticate flags 2/4/8/16: the challenge in $avp(digest_challenge) on failure. */
static void test_challenge_avp(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1];
	struct ksr_avp *avp;
	struct req r = {0};

	fresh_nonce("cid-1", nonce);
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .password = "x"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_INVALID_PASSWORD);
	assert_null(ksr_avp_find(&r.msg, S("digest_challenge"), 0));
	assert_int_equal(pv_www(&r, "example.com", "secret", 4), AUTH_INVALID_PASSWORD);
	avp = ksr_avp_find(&r.msg, S("digest_challenge"), 0);
	assert_non_null(avp);
	assert_true(has(avp->val.s, "WWW-Authenticate: Digest realm=\"example.com\""));
	assert_true(has(avp->val.s, "qop=\"auth\"\r\n"));
	assert_int_equal(pv_www(&r, "example.com", "secret", 8 | 16), AUTH_INVALID_PASSWORD);
	avp = ksr_avp_find(&r.msg, S("digest_challenge"), 0);
	assert_true(has(avp->val.s, "qop=\"auth-int\", stale=true\r\n"));
	/* no credentials at all: the challenge is there too */
	request(&r, "INVITE", "alice", "cid-1", NULL, NULL);
	{
		const struct ksr_fparam p[] = {sp("example.com"), sp("secret"), ip(2)};

		assert_int_equal(cmd("pv_proxy_authenticate", 3)->func(&r.msg, p),
				 AUTH_NO_CREDENTIALS);
	}
	avp = ksr_avp_find(&r.msg, S("digest_challenge"), 0);
	assert_non_null(avp);
	assert_true(has(avp->val.s, "Proxy-Authenticate: Digest "));
	assert_false(has(avp->val.s, "qop"));
	unload(&r);
}

static void test_api(void **state)
{
	const struct ksr_api_export *e = ksr_module_exports.apis;
	const struct auth_api *api;
	char nonce[AUTH_NONCE_LEN + 1], ha1[AUTH_HA1_MAX + 1];
	struct auth_ctx ctx;
	struct req r = {0};

	assert_string_equal(e[0].name, "auth");
	assert_null(e[1].name);
	api = e[0].api;
	assert_int_equal(api->calc_ha1(KSR_DIGEST_MD5, S("Mufasa"), S("testrealm@host.com"),
				       S("Circle Of Life"), ha1),
			 0);
	assert_string_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
	assert_int_equal(api->calc_ha1(KSR_DIGEST_ALG_OTHER, S("a"), S("b"), S("c"), ha1), -EINVAL);

	fresh_nonce("cid-1", nonce);
	request(&r, "INVITE", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .hdr = "Proxy-Authorization",
					 .method = "INVITE", .user = "alice@example.net",
					 .qop = "auth"}),
		NULL);
	assert_int_equal(api->pre_auth(&r.msg, S("example.com"), KSR_HDR_AUTHORIZATION,
				       KSR_STR_NULL, &ctx),
			 AUTH_NO_CREDENTIALS);
	assert_int_equal(api->pre_auth(&r.msg, S("example.com"), KSR_HDR_PROXYAUTH, KSR_STR_NULL,
				       &ctx),
			 AUTH_PRE_CONTINUE);
	assert_memory_equal(ctx.user.s, "alice", ctx.user.len);
	assert_int_equal(ctx.user.len, 5);
	assert_int_equal(ctx.domain.len, strlen("example.net"));
	assert_memory_equal(ctx.domain.s, "example.net", ctx.domain.len);
	assert_int_equal(ctx.realm.len, strlen("example.com"));
	assert_int_equal(ctx.alg, KSR_DIGEST_MD5);
	assert_int_equal(ctx.hftype, KSR_HDR_PROXYAUTH);
	assert_int_equal(api->calc_ha1(ctx.alg, ctx.cred->username, ctx.realm, S("secret"), ha1),
			 0);
	assert_true(api->check_response(&r.msg, &ctx, S(ha1)));
	assert_false(api->check_response(&r.msg, &ctx, S("939e7578ed9e3c518a452acee763bce9")));
	assert_int_equal(api->check_user(&r.msg, &ctx), AUTH_OK);
	assert_int_equal(api->post_auth(&r.msg, &ctx, S("939e7578ed9e3c518a452acee763bce9")),
			 AUTH_INVALID_PASSWORD);
	assert_int_equal(api->post_auth(&r.msg, &ctx, S(ha1)), AUTH_OK);
	/* a challenge to send: 407 for proxy credentials; no listener here, so it fails */
	assert_int_equal(api->challenge(&r.msg, S("example.com"), AUTH_CHF_NO_500,
					KSR_HDR_PROXYAUTH),
			 -1);
	assert_true(has(r.msg.reply_hdrs, "Proxy-Authenticate: Digest realm=\"example.com\""));
	unload(&r);
}

/* add_authinfo_hdr: Authentication-Info with nextnonce and rspauth in the replies. */
static void test_authinfo(void **state)
{
	char nonce[AUTH_NONCE_LEN + 1], ha1[AUTH_HA1_MAX + 1], rsp[AUTH_HA1_MAX + 1], want[512];
	struct req r = {0};
	struct auth_digest_in in = {
		.alg = KSR_DIGEST_MD5,
		.nc = S("00000001"),
		.cnonce = S("0a4f113b"),
		.qop = KSR_QOP_AUTH,
		.uri = S("sip:example.com"),
	};

	defaults();
	set_int("add_authinfo_hdr", 1);
	start();
	fresh_nonce("cid-1", nonce);
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .qop = "auth"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_OK);
	assert_int_equal(auth_digest_ha1(KSR_DIGEST_MD5, S("alice"), S("example.com"), S("secret"),
					 ha1),
			 0);
	in.ha1 = S(ha1);
	in.nonce = S(nonce);
	assert_int_equal(auth_digest_response(&in, rsp), 0);
	snprintf(want, sizeof(want),
		 "Authentication-Info: nextnonce=\"%s\", qop=auth, rspauth=\"%s\", "
		 "cnonce=\"0a4f113b\", nc=00000001\r\n",
		 nonce, rsp);
	assert_int_equal(r.msg.reply_hdrs.len, strlen(want));
	assert_memory_equal(r.msg.reply_hdrs.s, want, strlen(want));
	/* a failure adds nothing */
	request(&r, "REGISTER", "alice", "cid-1",
		cred_line(&(struct cred){.nonce = nonce, .password = "x"}), NULL);
	assert_int_equal(pv_www(&r, "example.com", "secret", 0), AUTH_INVALID_PASSWORD);
	assert_int_equal(r.msg.reply_hdrs.len, 0);
	unload(&r);
	defaults();
	start();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_format),
		cmocka_unit_test(test_challenge_settings),
		cmocka_unit_test(test_authenticate_codes),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_algorithms),
		cmocka_unit_test(test_qop),
		cmocka_unit_test(test_nonce_count),
		cmocka_unit_test(test_one_time_nonce),
		cmocka_unit_test(test_auth_checks),
		cmocka_unit_test(test_auth_check_user),
		cmocka_unit_test(test_has_and_consume),
		cmocka_unit_test(test_challenge_avp),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_authinfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
