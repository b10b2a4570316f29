/*
 * Checking credentials: find them, check their nonce and algorithm (pre_auth), the
 * response for an HA1, and the verdict with the nonce's state (post_auth).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/mdata.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "auth_digest.h"
#include "auth_mod.h"
#include "auth_nonce.h"

static char state_key; /* its address keys auth's data on a message */

struct auth_msg_state *auth_msg_state(struct ksr_msg *msg, bool create)
{
	struct auth_msg_state *st = ksr_msg_data_get(msg, &state_key), fresh = {0};
	void *copy;

	if (st || !create)
		return st;
	if (ksr_msg_data_set(msg, &state_key, &fresh, sizeof(fresh), &copy) < 0)
		return NULL;
	return copy;
}

struct ksr_str auth_strip_realm(struct ksr_str realm)
{
	size_t n = auth_conf.realm_prefix.len;

	if (n && realm.len >= n && strncasecmp(realm.s, auth_conf.realm_prefix.s, n) == 0) {
		realm.s += n;
		realm.len -= n;
	}
	return realm;
}

static bool alg_configured(enum ksr_digest_alg alg)
{
	for (unsigned int i = 0; i < auth_conf.nalgs; i++)
		if (auth_conf.algs[i] == alg)
			return true;
	return false;
}

/*
 * The algorithm the credentials use. Without an algorithm parameter RFC 7616 means MD5;
 * when MD5 is not configured, upstream takes its one configured algorithm: so do we,
 * with the first of the list.
 */
static enum ksr_digest_alg cred_alg(const struct ksr_credentials *c)
{
	if (c->algorithm.s)
		return c->alg;
	return alg_configured(KSR_DIGEST_MD5) ? KSR_DIGEST_MD5 : auth_conf.algs[0];
}

static void log_source(const struct ksr_msg *msg, const char *what)
{
	char src[80] = "?";

	if (msg->rcv.src_len)
		ksr_sockaddr_str((const struct sockaddr *)&msg->rcv.src, src, sizeof(src));
	LM_INFO("%s (from %s)\n", what, src);
}

int auth_pre_auth(struct ksr_msg *msg, struct ksr_str realm, enum ksr_hdr_type hftype,
		  struct ksr_str method, struct auth_ctx *ret)
{
	struct auth_ctx ctx = {.hftype = hftype};
	struct ksr_credentials *c;
	struct auth_nonce n = {0};
	const char *at;
	int r;

	if (msg->type != KSR_MSG_REQUEST ||
	    (hftype != KSR_HDR_AUTHORIZATION && hftype != KSR_HDR_PROXYAUTH))
		return AUTH_ERROR;
	/* ACK and CANCEL cannot be challenged (RFC 3261 22.1): they pass, as upstream */
	if (msg->first.req.method_id & (KSR_METHOD_ACK | KSR_METHOD_CANCEL))
		return AUTH_OK;
	ctx.realm = auth_strip_realm(realm);
	if (!ctx.realm.len) {
		LM_ERR("the realm is empty\n");
		return AUTH_ERROR;
	}
	r = ksr_msg_credentials_realm(msg, hftype, ctx.realm, &c);
	if (r == -ENOENT)
		return AUTH_NO_CREDENTIALS;
	if (r < 0) {
		log_source(msg, r == -EINVAL ? "malformed credentials"
					     : "cannot parse credentials");
		return AUTH_ERROR;
	}
	ctx.cred = c;
	ctx.alg = cred_alg(c);
	if (!alg_configured(ctx.alg)) {
		LM_INFO("credentials for realm '%.*s' use algorithm '%.*s', not configured\n",
			KSR_STR_FMT(ctx.realm), KSR_STR_FMT(c->algorithm));
		return AUTH_ERROR;
	}
	if (c->qop.s && c->qop_id != KSR_QOP_AUTH && c->qop_id != KSR_QOP_AUTH_INT) {
		LM_INFO("credentials with unknown qop '%.*s'\n", KSR_STR_FMT(c->qop));
		return AUTH_ERROR;
	}
	ctx.nonce_status = auth_nonce_check(msg, c->nonce, auth_now(), &n);
	if (ctx.nonce_status == AUTH_NONCE_BAD) {
		log_source(msg, "credentials with a nonce that is not ours");
		return AUTH_ERROR;
	}
	ctx.nonce_id = n.id;
	ctx.nonce_pool = n.pool;
	ctx.nonce_flags = n.flags;
	at = memchr(c->username.s, '@', c->username.len);
	ctx.user = c->username;
	ctx.domain = ctx.realm;
	if (at) {
		ctx.user.len = (size_t)(at - c->username.s);
		ctx.domain = ksr_str_make((char *)at + 1, c->username.len - ctx.user.len - 1);
	}
	ctx.method = method.len ? method : msg->first.req.method;
	*ret = ctx;
	return AUTH_PRE_CONTINUE;
}

int auth_calc_ha1(enum ksr_digest_alg alg, struct ksr_str user, struct ksr_str realm,
		  struct ksr_str password, char *ret_ha1)
{
	return auth_digest_ha1(alg, user, realm, password, ret_ha1);
}

static void digest_in(const struct ksr_msg *msg, const struct auth_ctx *ctx, struct ksr_str ha1,
		      struct auth_digest_in *ret)
{
	const struct ksr_credentials *c = ctx->cred;

	*ret = (struct auth_digest_in){
		.alg = ctx->alg,
		.ha1 = ha1,
		.nonce = c->nonce,
		.nc = c->nc,
		.cnonce = c->cnonce,
		.qop = c->qop_id,
		.method = ctx->method,
		.uri = c->uri,
		.body = msg->body,
	};
}

bool auth_check_response(struct ksr_msg *msg, const struct auth_ctx *ctx, struct ksr_str ha1)
{
	struct auth_digest_in in;

	if (!ctx->cred)
		return false;
	digest_in(msg, ctx, ha1, &in);
	return auth_digest_check(&in, ctx->cred->response);
}

int auth_unknown_user(struct ksr_msg *msg, struct auth_ctx *ctx)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char rnd[AUTH_HA1_MAX / 2];
	char ha1[AUTH_HA1_MAX];
	size_t len = auth_digest_hex_len(ctx->alg);

	/* the same work as a wrong password: a response computed and compared */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x5a, sizeof(rnd));
	for (size_t i = 0; i < sizeof(ha1); i++)
		ha1[i] = digits[(rnd[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	(void)auth_check_response(msg, ctx, ksr_str_make(ha1, len));
	return AUTH_USER_UNKNOWN;
}

/* A header line for the replies to msg, formatted into its arena. 0 or -errno. */
__attribute__((format(printf, 2, 3))) static int add_reply_line(struct ksr_msg *msg,
								 const char *fmt, ...)
{
	va_list ap;
	char *line;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(line = ksr_arena_alloc(msg->arena, (size_t)len + 1)))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(line, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return ksr_reply_add_hdrs(msg, ksr_str_make(line, (size_t)len));
}

/* Authentication-Info (RFC 2617 3.2.3) for the replies to msg: nextnonce, rspauth. */
static int add_authinfo(struct ksr_msg *msg, const struct auth_ctx *ctx, struct ksr_str ha1)
{
	const struct ksr_credentials *c = ctx->cred;
	char nonce[AUTH_NONCE_LEN + 1], rsp[AUTH_HA1_MAX + 1];
	struct ksr_str next = c->nonce;
	struct auth_digest_in in;
	int r;

	/* with one_time_nonce the nonce just used is spent: offer a new one */
	if (auth_nonce_one_time()) {
		if ((r = auth_nonce_make(msg, auth_now(), nonce)) < 0)
			return r;
		next = ksr_str_make(nonce, AUTH_NONCE_LEN);
	}
	/* rspauth is defined with a qop only: without one, nextnonce alone */
	if (!c->qop_id)
		return add_reply_line(msg, "Authentication-Info: nextnonce=\"%.*s\"\r\n",
				      KSR_STR_FMT(next));
	/* rspauth: the response with A2 = ":" digest-uri (and the reply's body, empty) */
	digest_in(msg, ctx, ha1, &in);
	in.method = KSR_STR_NULL;
	in.body = KSR_STR_NULL;
	if ((r = auth_digest_response(&in, rsp)) < 0)
		return r;
	return add_reply_line(msg,
			      "Authentication-Info: nextnonce=\"%.*s\", qop=%s, rspauth=\"%s\", "
			      "cnonce=\"%.*s\", nc=%.*s\r\n",
			      KSR_STR_FMT(next), c->qop_id == KSR_QOP_AUTH ? "auth" : "auth-int",
			      rsp, KSR_STR_FMT(c->cnonce), KSR_STR_FMT(c->nc));
}

/* The next challenge to msg says stale=true. */
static void mark_stale(struct ksr_msg *msg)
{
	struct auth_msg_state *st = auth_msg_state(msg, true);

	if (st)
		st->stale = true;
}

int auth_post_auth(struct ksr_msg *msg, struct auth_ctx *ctx, struct ksr_str ha1)
{
	const struct ksr_credentials *c = ctx->cred;
	struct auth_msg_state *st;
	struct auth_nonce n;
	int r;

	if (!c)
		return AUTH_ERROR;
	/* a wrong response says nothing of the nonce, and leaves its state alone */
	if (!auth_check_response(msg, ctx, ha1))
		return AUTH_INVALID_PASSWORD;
	if (ctx->nonce_status != AUTH_NONCE_OK) {
		/* the client knows the password: a new nonce is all it needs (RFC 2617 3.2.1) */
		mark_stale(msg);
		return AUTH_STALE_NONCE;
	}
	n = (struct auth_nonce){.id = ctx->nonce_id, .pool = ctx->nonce_pool,
				.flags = ctx->nonce_flags};
	switch (auth_nonce_use(&n, c->qop_id && c->nc.s, c->nc_value)) {
	case AUTH_NONCE_OK:
		break;
	case AUTH_NONCE_USED:
		mark_stale(msg);
		return AUTH_NONCE_REUSED;
	default:
		mark_stale(msg);
		return AUTH_STALE_NONCE;
	}
	if (!(st = auth_msg_state(msg, true)))
		return AUTH_ERROR;
	st->authorized = ctx->cred;
	if (auth_conf.add_authinfo && (r = add_authinfo(msg, ctx, ha1)) < 0)
		LM_ERR("cannot add Authentication-Info: %s\n", strerror(-r));
	return AUTH_OK;
}

int auth_check_user(struct ksr_msg *msg, const struct auth_ctx *ctx)
{
	struct ksr_nameaddr *na;
	struct ksr_uri *uri;
	bool reg = msg->first.req.method_id == KSR_METHOD_REGISTER;

	if (!ctx->cred)
		return AUTH_ERROR;
	if ((reg ? ksr_msg_to(msg, &na) : ksr_msg_from(msg, &na)) < 0 ||
	    ksr_nameaddr_uri(msg, na, &uri) < 0) {
		log_source(msg, reg ? "cannot parse the To URI" : "cannot parse the From URI");
		return AUTH_ERROR;
	}
	if (!ksr_str_eq(&ctx->user, &uri->user))
		return AUTH_USER_MISMATCH;
	if (auth_conf.use_domain && !ksr_str_caseeq(&ctx->domain, &uri->host))
		return AUTH_USER_MISMATCH;
	return AUTH_OK;
}
