/*
 * Nonces: made and checked here, integrity-protected by an HMAC under the module's
 * secret, with the state of nonce_count (the last nc of each nonce) and one_time_nonce
 * (a bit per nonce) in fixed tables indexed by the nonce's id. README.md describes the
 * format.
 */
#ifndef KSR_MODULES_AUTH_AUTH_NONCE_H
#define KSR_MODULES_AUTH_AUTH_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/parser/msg-t.h"

/* Characters of a nonce (base64 of AUTH_NONCE_BIN_LEN bytes, no padding). */
#define AUTH_NONCE_LEN 48
#define AUTH_NONCE_BIN_LEN 36

/* auth_checks_* bits: what of the request a nonce is bound to. */
#define AUTH_CHECK_URI 1u
#define AUTH_CHECK_CALLID 2u
#define AUTH_CHECK_FROMTAG 4u
#define AUTH_CHECK_SRCIP 8u
#define AUTH_CHECK_ALL 15u

struct auth_nonce_cfg {
	unsigned int expire; /* seconds a nonce is valid (nonce_expire) */
	unsigned int max_drift; /* seconds a creation time may lie ahead (nonce_auth_max_drift) */
	bool nc; /* nonce_count */
	bool otn; /* one_time_nonce */
	unsigned int pools; /* nid_pool_no: a power of 2, 1..64 */
	unsigned int nc_size; /* nonces nc is kept for: a power of 2, >= pools */
	unsigned int otn_size; /* nonces one-time use is kept for: a power of 2, >= pools */
	unsigned int checks_register, checks_no_dlg, checks_in_dlg; /* AUTH_CHECK_* */
};

/* What a nonce holds once checked. */
struct auth_nonce {
	uint32_t created, expires;
	uint32_t id;
	uint8_t pool, flags;
};

enum auth_nonce_status {
	AUTH_NONCE_OK = 0,
	AUTH_NONCE_BAD, /* not of our format at all */
	AUTH_NONCE_FORGED, /* the HMAC does not match: another secret, changed, or auth_checks */
	AUTH_NONCE_EXPIRED, /* past its expiry, or made too far in the future */
	AUTH_NONCE_STALE, /* nc replayed or over 255, or its state was overwritten */
	AUTH_NONCE_USED, /* one_time_nonce: used already */
};

/*
 * Set up with cfg (copied) and the HMAC key (key_len 0: 32 random bytes). The tables of
 * nonce_count and one_time_nonce are allocated when enabled. 0 or -errno. Call once; a
 * second call replaces the first.
 */
int auth_nonce_init(const struct auth_nonce_cfg *cfg, const void *key, size_t key_len);
void auth_nonce_destroy(void);
/* Whether one_time_nonce is on (a used nonce is spent). */
bool auth_nonce_one_time(void);
/* The partition this thread's nonces come from (worker rank; taken modulo the pools). */
void auth_nonce_set_pool(unsigned int rank);

/* The auth_checks_* bits that apply to msg (REGISTER, within a dialog, or not). */
unsigned int auth_nonce_checks_for(struct ksr_msg *msg);

/*
 * A new nonce for msg, bound to the parts its auth_checks_* name, into ret
 * (AUTH_NONCE_LEN + 1 bytes, NUL-terminated). msg may be NULL when no checks are set.
 * 0 or -errno.
 */
int auth_nonce_make(struct ksr_msg *msg, time_t now, char *ret);

/*
 * Check a nonce against msg at time now: format, HMAC (with the parts of msg the nonce
 * is bound to, which must include what msg's auth_checks_* ask for), expiry and drift.
 * No state is looked at or changed. ret is filled whenever the nonce decodes.
 */
enum auth_nonce_status auth_nonce_check(struct ksr_msg *msg, struct ksr_str nonce, time_t now,
					struct auth_nonce *ret);

/*
 * Use a checked nonce once its response is known to be right: with has_nc (a response
 * with qop) and nonce_count on, nc must be above the last one seen (AUTH_NONCE_STALE
 * otherwise); else with one_time_nonce on the nonce must not have been used
 * (AUTH_NONCE_USED). The state is updated atomically.
 */
enum auth_nonce_status auth_nonce_use(const struct auth_nonce *n, bool has_nc, uint32_t nc);

#endif
