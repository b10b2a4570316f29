/*
 * Digest arithmetic of RFC 2617 / RFC 7616 (and RFC 8760 for SIP): HA1, the request
 * digest and rspauth, for MD5, SHA-256 and SHA-512-256, through OpenSSL's EVP digests.
 * No message handling here: the inputs are strings.
 */
#ifndef KSR_MODULES_AUTH_AUTH_DIGEST_H
#define KSR_MODULES_AUTH_AUTH_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/parser/hdr-t.h"
#include "core/str.h"
#include "auth_api.h"

/* Lower-case hex digits of alg's hash (32 or 64); 0 for an algorithm we do not do. */
size_t auth_digest_hex_len(enum ksr_digest_alg alg);
/* The name a challenge gives alg ("MD5", "SHA-256", "SHA-512-256"), or NULL. */
const char *auth_digest_alg_name(enum ksr_digest_alg alg);

/*
 * H(parts[0] ":" parts[1] ":" ...) as lower-case hex, NUL-terminated, into ret_hex
 * (AUTH_HA1_MAX + 1 bytes). 0, -EINVAL for an algorithm we do not do, -ENOMEM.
 */
int auth_digest_hash(enum ksr_digest_alg alg, const struct ksr_str *parts, size_t nparts,
		     char *ret_hex);

/* HA1 = H(user ":" realm ":" password) (RFC 7616 3.4.2). */
int auth_digest_ha1(enum ksr_digest_alg alg, struct ksr_str user, struct ksr_str realm,
		    struct ksr_str password, char *ret_hex);

/* What a request digest is computed from (RFC 7616 3.4.1, RFC 2617 3.2.2.1). */
struct auth_digest_in {
	enum ksr_digest_alg alg;
	struct ksr_str ha1; /* hex, as auth_digest_ha1 makes it (any case) */
	struct ksr_str nonce;
	struct ksr_str nc, cnonce; /* used with a qop only */
	unsigned int qop; /* 0 (RFC 2069 form), KSR_QOP_AUTH or KSR_QOP_AUTH_INT */
	struct ksr_str method; /* empty for rspauth (A2 = ":" uri) */
	struct ksr_str uri; /* digest-uri as the credentials give it */
	struct ksr_str body; /* the entity body, for auth-int */
};

/* The expected response (or rspauth) as lower-case hex into ret_hex. 0 or -errno. */
int auth_digest_response(const struct auth_digest_in *in, char *ret_hex);

/*
 * Whether response (hex, any case) is the one in yields. The comparison takes the same
 * time wherever the strings differ. false also on any error.
 */
bool auth_digest_check(const struct auth_digest_in *in, struct ksr_str response);

#endif
