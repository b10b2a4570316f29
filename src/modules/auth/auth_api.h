/*
 * What auth offers other modules (ksr_api_bind("auth")): the steps of a digest
 * authentication that a credentials backend (auth_db, ...) runs around its own lookup of
 * the user's password or HA1, and the challenges.
 *
 * A backend's check, as pv_www_authenticate() does it with a password from the script:
 *
 *	struct auth_ctx ctx;
 *	int r = auth->pre_auth(msg, realm, KSR_HDR_AUTHORIZATION, KSR_STR_NULL, &ctx);
 *	if (r != AUTH_PRE_CONTINUE)
 *		return r;                       // a verdict already
 *	if (!lookup(ctx.user, ctx.domain, &ha1))  // the backend's own store
 *		return auth->unknown_user(msg, &ctx);
 *	return auth->post_auth(msg, &ctx, ha1);
 *
 * A wrong password and an unknown user then cost the same work, change no nonce state
 * and lead to the same challenge: only the return code differs (AUTH_INVALID_PASSWORD,
 * AUTH_USER_UNKNOWN), as upstream's; a backend that must not tell them apart to its
 * script maps the second to the first.
 *
 * All functions run on the message's worker thread; what they return in strings lives
 * in the message's arena.
 */
#ifndef KSR_MODULES_AUTH_AUTH_API_H
#define KSR_MODULES_AUTH_AUTH_API_H

#include <stdbool.h>
#include <stdint.h>

#include "core/parser/hdr-t.h"
#include "core/parser/msg-t.h"

/* Results, as the script sees them (upstream's values). */
enum auth_result {
	AUTH_USER_MISMATCH = -8, /* the auth user is not the From / To user */
	AUTH_NONCE_REUSED = -6, /* one_time_nonce: the nonce was used already */
	AUTH_NO_CREDENTIALS = -5, /* no Digest credentials for the realm */
	AUTH_STALE_NONCE = -4, /* right response, but the nonce is expired or not valid here */
	AUTH_USER_UNKNOWN = -3, /* the backend has no such user */
	AUTH_INVALID_PASSWORD = -2, /* the response is wrong */
	AUTH_ERROR = -1, /* malformed credentials, an algorithm not offered, internal error */
	AUTH_DROP = 0, /* stop the script */
	AUTH_OK = 1,
};

/* pre_auth(): credentials to check; any other value is the verdict. */
#define AUTH_PRE_CONTINUE 0

/* Flags of the challenge functions (www_challenge(), auth_get_www_authenticate(), ...). */
#define AUTH_CHF_QOP_AUTH 1u /* qop="auth" */
#define AUTH_CHF_QOP_AUTH_INT 2u /* qop="auth-int" (wins over 1) */
#define AUTH_CHF_NO_500 4u /* on failure, no automatic 500 reply */
#define AUTH_CHF_STALE 16u /* stale=true */

/* Hex digits of the longest HA1 / response (SHA-256, SHA-512-256). */
#define AUTH_HA1_MAX 64

/* One authentication in progress: pre_auth fills it, the others read it. */
struct auth_ctx {
	struct ksr_credentials *cred; /* the credentials for the realm (core/parser/hdr-t.h) */
	enum ksr_hdr_type hftype; /* KSR_HDR_AUTHORIZATION or KSR_HDR_PROXYAUTH */
	struct ksr_str realm; /* the realm asked for, realm_prefix taken off */
	struct ksr_str user; /* the credentials' username up to an '@' */
	struct ksr_str domain; /* after that '@'; the realm when there is none */
	struct ksr_str method; /* the method the response covers */
	enum ksr_digest_alg alg; /* the algorithm the response uses */
	/* auth's own record of the nonce check: not for backends */
	int nonce_status;
	uint32_t nonce_id;
	uint8_t nonce_pool, nonce_flags;
};

struct auth_api {
	/*
	 * Find the Digest credentials for realm in hftype's headers (KSR_HDR_AUTHORIZATION
	 * or KSR_HDR_PROXYAUTH) and check their nonce and algorithm. method is the one the
	 * response covers; empty for the request's. AUTH_PRE_CONTINUE with ret filled (find
	 * the user's HA1, then post_auth), or the verdict: AUTH_OK for ACK and CANCEL (they
	 * cannot be challenged, RFC 3261 22.1), AUTH_NO_CREDENTIALS, AUTH_ERROR (malformed
	 * credentials, a nonce not of our format, an algorithm not configured).
	 */
	int (*pre_auth)(struct ksr_msg *msg, struct ksr_str realm, enum ksr_hdr_type hftype,
			struct ksr_str method, struct auth_ctx *ret);
	/*
	 * HA1 = H(user:realm:password) for alg, in lower-case hex, NUL-terminated, into
	 * ret_ha1 (AUTH_HA1_MAX + 1 bytes). 0, or -EINVAL for an algorithm auth does not do.
	 */
	int (*calc_ha1)(enum ksr_digest_alg alg, struct ksr_str user, struct ksr_str realm,
			struct ksr_str password, char *ret_ha1);
	/*
	 * Whether the credentials' response is the one ha1 (hex, for ctx->alg) gives, with
	 * no verdict: for a backend that has several HA1s to try (post_auth gives it).
	 */
	bool (*check_response)(struct ksr_msg *msg, const struct auth_ctx *ctx,
			       struct ksr_str ha1);
	/*
	 * The verdict for the user's ha1 (hex, for ctx->alg): AUTH_INVALID_PASSWORD when the
	 * response is not the one ha1 gives; else AUTH_STALE_NONCE
	 * (expired nonce, failed auth_checks_*, nc not above the last), AUTH_NONCE_REUSED
	 * (one_time_nonce) or AUTH_OK. Nonce state (nc, one-time use) changes only for a right
	 * response. AUTH_OK marks the credentials authorized (consume_credentials()) and adds
	 * Authentication-Info to the replies when add_authinfo_hdr is on; AUTH_STALE_NONCE
	 * makes the next challenge to this request say stale=true.
	 */
	int (*post_auth)(struct ksr_msg *msg, struct auth_ctx *ctx, struct ksr_str ha1);
	/*
	 * For a user the backend does not have: the work of check_response against a random
	 * HA1, no state changed. Returns AUTH_USER_UNKNOWN.
	 */
	int (*unknown_user)(struct ksr_msg *msg, struct auth_ctx *ctx);
	/*
	 * Whether the auth user is the To user (REGISTER) or the From user (others); with
	 * use_domain the domain too. AUTH_OK, AUTH_USER_MISMATCH, or AUTH_ERROR.
	 */
	int (*check_user)(struct ksr_msg *msg, const struct auth_ctx *ctx);
	/*
	 * The challenge header lines ("WWW-Authenticate: Digest ...\r\n", one per configured
	 * algorithm) for realm with AUTH_CHF_* flags; hftype names the credentials the
	 * challenge asks for (KSR_HDR_AUTHORIZATION: WWW-Authenticate, else
	 * Proxy-Authenticate). 0 or -errno.
	 */
	int (*build_challenge)(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
			       enum ksr_hdr_type hftype, struct ksr_str *ret_hdrs);
	/*
	 * Reply 401 (KSR_HDR_AUTHORIZATION) or 407 with the challenge: through the
	 * transaction when the request has one (unless force_stateless_reply), else
	 * statelessly. 1, or -1 (after a 500 reply unless flags has AUTH_CHF_NO_500).
	 */
	int (*challenge)(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
			 enum ksr_hdr_type hftype);
};

#endif
