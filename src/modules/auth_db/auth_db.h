/*
 * What auth_db's files share: its settings once mod_init has checked them, the database
 * and auth APIs it binds, and the checks its script functions make.
 */
#ifndef KSR_MODULES_AUTH_DB_AUTH_DB_H
#define KSR_MODULES_AUTH_DB_AUTH_DB_H

#include <stdbool.h>

#include "core/parser/hdr-t.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv-t.h"
#include "lib/srdb/db-t.h"
#include "../auth/auth_api.h"

/* The subscriber table layout this module reads (utils/db/schema/schema.json). */
#define AUTH_DB_TABLE_VERSION 7

/* is_subscriber() flags (upstream's) */
#define AUTH_DB_SUBS_USE_DOMAIN 1 /* look the URI's host up in domain_column too */
#define AUTH_DB_SUBS_SKIP_CREDENTIALS 2 /* only whether the row exists: no AVPs */

/* auth_check() flags (upstream's) */
#define AUTH_DB_CHECK_ID 1 /* the auth user must be the From / To user */
#define AUTH_DB_CHECK_SKIP_FWD 2 /* ... except for requests that may be anonymous */

/* One load_credentials item: a column and the writable pseudo-variable it goes to. */
struct auth_db_cred {
	struct ksr_str column; /* NUL-terminated */
	struct ksr_pv_spec *spec;
};

struct auth_db_conf {
	struct ksr_str user_col, domain_col;
	bool calc_ha1;
	bool use_domain;
	bool force_avps; /* force_generate_avps: load the credentials even on failure */
	/*
	 * The columns an authentication reads: the password (or HA1) first, then the
	 * load_credentials ones. cols_ha1b has password_column_2 first instead, for a
	 * username with "@domain" when calc_ha1 is off.
	 */
	struct ksr_str *cols, *cols_ha1b;
	struct auth_db_cred *creds;
	int ncreds;
};

extern struct auth_db_conf auth_db_conf;
extern struct ksr_db_funcs auth_db_dbf;
extern const struct auth_api *auth_db_auth;

/* This thread's connection, opened on first use; NULL (logged) when it cannot be. */
struct ksr_db_con *auth_db_con(void);

/*
 * Check the request's credentials for realm (in hftype's header) against the user's row
 * of table: upstream's return codes (enum auth_result). method: empty for the request's.
 * On AUTH_OK *ret_ctx (may be NULL) has the credentials checked.
 */
int auth_db_authenticate(struct ksr_msg *msg, struct ksr_str realm, struct ksr_str table,
			 enum ksr_hdr_type hftype, struct ksr_str method, struct auth_ctx *ret_ctx);
/* auth_check(): www for REGISTER, proxy for the rest, and the user checks of flags. */
int auth_db_check(struct ksr_msg *msg, struct ksr_str realm, struct ksr_str table, long flags);
/* is_subscriber(): 1 found, -1 error, -2 not found, -3 a column could not be stored. */
int auth_db_is_subscriber(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str table,
			  long flags);

#endif
