/*
 * Challenges: the WWW-/Proxy-Authenticate lines (one per configured algorithm, RFC 8760
 * 2.4) and the 401/407 that carries them, through tm when the request has a transaction.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/reply.h"
#include "../tm/tm_api.h"
#include "auth_digest.h"
#include "auth_mod.h"
#include "auth_nonce.h"

/*
 * A realm goes into a quoted-string as it is: one that would need escaping, or that
 * could end the header line, is refused rather than rewritten.
 */
static bool realm_ok(struct ksr_str realm)
{
	if (!realm.len)
		return false;
	for (size_t i = 0; i < realm.len; i++) {
		unsigned char c = (unsigned char)realm.s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

static const char *qop_text(unsigned int flags)
{
	unsigned int qop = auth_conf.qop;

	if (flags & AUTH_CHF_QOP_AUTH_INT)
		qop = KSR_QOP_AUTH_INT;
	else if (flags & AUTH_CHF_QOP_AUTH)
		qop = KSR_QOP_AUTH;
	if (qop == KSR_QOP_AUTH_INT)
		return ", qop=\"auth-int\"";
	return qop == KSR_QOP_AUTH ? ", qop=\"auth\"" : "";
}

/* Output into a buffer sized beforehand, or (p NULL) only counted. */
struct out {
	char *p;
	size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->p)
		memcpy(o->p + o->n, s, n);
	o->n += n;
}

#define PUT_LIT(o, lit) put(o, lit, sizeof(lit) - 1)

/*
 * One line into buf; with buf NULL only its length. Upstream's order of parameters.
 * Copied piece by piece: snprintf() was a quarter of the cost of a challenge.
 */
static size_t line(char *buf, struct ksr_str name, struct ksr_str realm, const char *nonce,
                   const char *qop, bool stale, enum ksr_digest_alg alg)
{
	const char *alg_name = auth_conf.alg_param ? auth_digest_alg_name(alg) : NULL;
	struct out o = {buf, 0};

	put(&o, name.s, name.len);
	PUT_LIT(&o, ": Digest realm=\"");
	put(&o, realm.s, realm.len);
	PUT_LIT(&o, "\", nonce=\"");
	put(&o, nonce, strlen(nonce));
	PUT_LIT(&o, "\"");
	put(&o, qop, strlen(qop));
	if (stale)
		PUT_LIT(&o, ", stale=true");
	if (alg_name) {
		PUT_LIT(&o, ", algorithm=");
		put(&o, alg_name, strlen(alg_name));
	}
	PUT_LIT(&o, "\r\n");
	return o.n;
}

int auth_build_challenge(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
			 enum ksr_hdr_type hftype, struct ksr_str *ret_hdrs)
{
	struct ksr_str name = hftype == KSR_HDR_AUTHORIZATION ? auth_conf.www_hdr
							       : auth_conf.proxy_hdr;
	const struct auth_msg_state *st = auth_msg_state(msg, false);
	bool stale = (flags & AUTH_CHF_STALE) || (st && st->stale);
	const char *qop = qop_text(flags);
	char nonce[AUTH_NONCE_LEN + 1], *buf;
	size_t total = 0, off = 0;
	int r;

	realm = auth_strip_realm(realm);
	if (!realm_ok(realm)) {
		LM_ERR("cannot challenge with realm '%.*s': empty, or not fit for a quoted "
		       "string\n", KSR_STR_FMT(realm));
		return -EINVAL;
	}
	if ((r = auth_nonce_make(msg, auth_now(), nonce)) < 0)
		return r;
	for (unsigned int i = 0; i < auth_conf.nalgs; i++)
		total += line(NULL, name, realm, nonce, qop, stale, auth_conf.algs[i]);
	if (!(buf = ksr_arena_alloc(msg->arena, total + 1)))
		return -ENOMEM;
	for (unsigned int i = 0; i < auth_conf.nalgs; i++)
		off += line(buf + off, name, realm, nonce, qop, stale, auth_conf.algs[i]);
	buf[total] = '\0';
	*ret_hdrs = ksr_str_make(buf, total);
	return 0;
}

/* Through the transaction when there is one (and we may), else stateless. 0 or -errno. */
static int send_reply(struct ksr_msg *msg, unsigned int code, struct ksr_str reason)
{
	int r;

	if (!auth_conf.force_stateless && auth_tm &&
	    (r = auth_tm->reply(msg, code, reason)) != -ENOENT)
		return r;
	return ksr_reply_send(msg, code, reason);
}

int auth_challenge(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
		   enum ksr_hdr_type hftype)
{
	bool www = hftype == KSR_HDR_AUTHORIZATION;
	struct ksr_str hdrs;
	int r;

	if (msg->type != KSR_MSG_REQUEST || msg->first.req.method_id == KSR_METHOD_ACK) {
		LM_ERR("only requests other than ACK can be challenged\n");
		return -1;
	}
	if ((r = auth_build_challenge(msg, realm, flags, hftype, &hdrs)) < 0 ||
	    (r = ksr_reply_add_hdrs(msg, hdrs)) < 0) {
		LM_ERR("cannot build the challenge: %s\n", strerror(-r));
		goto fail;
	}
	r = www ? send_reply(msg, 401, KSR_STR_STATIC("Unauthorized"))
		: send_reply(msg, 407, KSR_STR_STATIC("Proxy Authentication Required"));
	if (r < 0) {
		LM_ERR("cannot send the %d challenge: %s\n", www ? 401 : 407, strerror(-r));
		return -1;
	}
	return 1;
fail:
	if (!(flags & AUTH_CHF_NO_500) &&
	    send_reply(msg, 500, KSR_STR_STATIC("Internal Server Error")) < 0)
		LM_ERR("cannot send the 500 reply either\n");
	return -1;
}
