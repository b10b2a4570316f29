/* What the auth module's files share: its settings and the steps its API is made of. */
#ifndef KSR_MODULES_AUTH_AUTH_MOD_H
#define KSR_MODULES_AUTH_AUTH_MOD_H

#include <stdbool.h>
#include <time.h>

#include "core/parser/hdr-t.h"
#include "core/parser/msg-t.h"
#include "auth_api.h"

#define AUTH_MAX_ALGS 3

/* The modparams once mod_init has checked them. */
struct auth_conf {
	struct ksr_str realm_prefix;
	bool use_domain;
	bool add_authinfo;
	bool force_stateless;
	unsigned int qop; /* KSR_QOP_* a challenge offers when its flags name none; 0: none */
	enum ksr_digest_alg algs[AUTH_MAX_ALGS]; /* the algorithm modparam, in order */
	unsigned int nalgs;
	bool alg_param; /* challenges say algorithm= (the modparam was set) */
	struct ksr_str www_hdr, proxy_hdr; /* header names of the challenges */
	struct ksr_str challenge_avp; /* $avp(name) the pv_*_authenticate challenge goes to */
};

extern struct auth_conf auth_conf;
/* tm's API when tm is loaded: challenges go through the request's transaction. */
extern const struct tm_api *auth_tm;
/* The clock nonces are made and checked with (a test may replace it). */
extern time_t (*auth_now)(void);

/* realm without realm_prefix when it starts with it. */
struct ksr_str auth_strip_realm(struct ksr_str realm);

/* The steps (auth_api.h has what each does). */
int auth_pre_auth(struct ksr_msg *msg, struct ksr_str realm, enum ksr_hdr_type hftype,
		  struct ksr_str method, struct auth_ctx *ret);
int auth_calc_ha1(enum ksr_digest_alg alg, struct ksr_str user, struct ksr_str realm,
		  struct ksr_str password, char *ret_ha1);
bool auth_check_response(struct ksr_msg *msg, const struct auth_ctx *ctx, struct ksr_str ha1);
int auth_post_auth(struct ksr_msg *msg, struct auth_ctx *ctx, struct ksr_str ha1);
int auth_unknown_user(struct ksr_msg *msg, struct auth_ctx *ctx);
int auth_check_user(struct ksr_msg *msg, const struct auth_ctx *ctx);
int auth_build_challenge(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
			 enum ksr_hdr_type hftype, struct ksr_str *ret_hdrs);
int auth_challenge(struct ksr_msg *msg, struct ksr_str realm, unsigned int flags,
		   enum ksr_hdr_type hftype);

/* What auth remembers on a message between its functions. */
struct auth_msg_state {
	struct ksr_credentials *authorized; /* for consume_credentials() */
	bool stale; /* an authentication found a stale nonce: the next challenge says so */
};
/* The message's state, created on first use when create; NULL when there is none. */
struct auth_msg_state *auth_msg_state(struct ksr_msg *msg, bool create);

#endif
