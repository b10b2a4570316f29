/*
 * The checks behind auth_db's script functions: the user's row looked up in the
 * database, its password or HA1 handed to auth's API, the load_credentials columns put
 * into pseudo-variables, and auth_check()'s user checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "lib/srdb/db.h"
#include "auth_db.h"

/* A result value as a script value; strings are copied into msg's arena. 0 or -errno. */
static int db_to_val(struct ksr_msg *msg, const struct ksr_db_val *v, struct ksr_val *ret)
{
	struct ksr_str s;
	char num[40];

	*ret = (struct ksr_val){.type = KSR_VAL_NULL};
	if (v->nul)
		return 0;
	switch (v->type) {
	case KSR_DB_INT:
		ret->type = KSR_VAL_INT;
		ret->i = v->v.i;
		return 0;
	case KSR_DB_BIGINT:
		ret->type = KSR_VAL_INT;
		ret->i = (long)v->v.ll;
		return 0;
	case KSR_DB_DATETIME:
		ret->type = KSR_VAL_INT;
		ret->i = (long)v->v.t;
		return 0;
	case KSR_DB_DOUBLE:
		s = ksr_str_make(num, (size_t)snprintf(num, sizeof(num), "%g", v->v.d));
		break;
	case KSR_DB_STRING:
		s = ksr_str_make((char *)v->v.string, v->v.string ? strlen(v->v.string) : 0);
		break;
	case KSR_DB_STR:
		s = v->v.str;
		break;
	case KSR_DB_BLOB:
		s = v->v.blob;
		break;
	default:
		return -EINVAL;
	}
	ret->type = KSR_VAL_STR;
	ret->s.len = s.len;
	ret->s.s = ksr_arena_alloc(msg->arena, s.len + 1);
	if (!ret->s.s)
		return -ENOMEM;
	if (s.len)
		memcpy(ret->s.s, s.s, s.len);
	ret->s.s[s.len] = '\0';
	return 0;
}

/*
 * The load_credentials columns of row 0, from result column `first` on, into their
 * pseudo-variables (a NULL column assigns $null). 0, or -EINVAL when one fails.
 */
static int load_credentials(struct ksr_msg *msg, const struct ksr_db_res *res, int first)
{
	int rc = 0;

	for (int i = 0; i < auth_db_conf.ncreds; i++) {
		const struct auth_db_cred *c = &auth_db_conf.creds[i];
		struct ksr_val v;

		if (first + i >= res->ncols ||
		    db_to_val(msg, ksr_db_res_val(res, 0, first + i), &v) < 0 ||
		    ksr_pv_set(msg, c->spec, &v) < 0) {
			LM_ERR("cannot store column %.*s in its pseudo-variable\n",
			       KSR_STR_FMT(c->column));
			rc = -EINVAL;
		}
	}
	return rc;
}

/* The text of a password / HA1 column; false for NULL or a non-text type. */
static bool column_text(const struct ksr_db_val *v, struct ksr_str *ret)
{
	if (v->nul)
		return false;
	switch (v->type) {
	case KSR_DB_STR:
		*ret = v->v.str;
		return true;
	case KSR_DB_STRING:
		*ret = ksr_str_make((char *)v->v.string, strlen(v->v.string));
		return true;
	case KSR_DB_BLOB:
		*ret = v->v.blob;
		return true;
	default:
		return false;
	}
}

/* What a database error means here; the driver has logged its own message. */
static const char *db_error(int rc)
{
	switch (rc) {
	case -ENOTCONN:
		return "the connection is lost (the next call reconnects)";
	case -ENOENT:
		return "no such table or column";
	case -EBUSY:
		return "the database is locked";
	default:
		return strerror(-rc);
	}
}

/*
 * The user's row: user part and domain (or realm) of the credentials' username, the
 * password column first. 0 with *ret_res (rows may be 0), or -errno (logged).
 */
static int lookup_user(struct ksr_db_con *con, const struct auth_ctx *ctx,
		       struct ksr_str table, bool ha1b, struct ksr_db_res **ret_res)
{
	struct ksr_str keys[] = {auth_db_conf.user_col, auth_db_conf.domain_col};
	struct ksr_db_val vals[] = {ksr_db_str(ctx->user), ksr_db_str(ctx->domain)};
	const struct ksr_str *cols = ha1b ? auth_db_conf.cols_ha1b : auth_db_conf.cols;
	int nkeys = auth_db_conf.use_domain ? 2 : 1, rc;

	rc = auth_db_dbf.use_table(con, &table);
	if (rc == 0)
		rc = auth_db_dbf.query(con, keys, NULL, vals, cols, nkeys, 1 + auth_db_conf.ncreds,
				       NULL, ret_res);
	if (rc < 0)
		LM_ERR("cannot look up a user in table %.*s: %s\n", KSR_STR_FMT(table),
		       db_error(rc));
	return rc;
}

int auth_db_authenticate(struct ksr_msg *msg, struct ksr_str realm, struct ksr_str table,
			 enum ksr_hdr_type hftype, struct ksr_str method, struct auth_ctx *ret_ctx)
{
	char ha1[AUTH_HA1_MAX + 1];
	struct ksr_db_res *res = NULL;
	struct ksr_db_con *con;
	struct auth_ctx ctx;
	struct ksr_str secret;
	bool has_domain;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return AUTH_ERROR;
	if (!table.len) {
		LM_ERR("the table is empty\n");
		return AUTH_ERROR;
	}
	r = auth_db_auth->pre_auth(msg, realm, hftype, method, &ctx);
	if (r != AUTH_PRE_CONTINUE)
		return r; /* 1 for ACK and CANCEL, -5, -1 */
	/* a username with "@domain": its precomputed HA1 is in password_column_2 */
	has_domain = ctx.cred->username.len &&
		     memchr(ctx.cred->username.s, '@', ctx.cred->username.len) != NULL;
	/* a database error is upstream's -1: the script may answer 500 */
	if (!(con = auth_db_con()) ||
	    lookup_user(con, &ctx, table, has_domain && !auth_db_conf.calc_ha1, &res) < 0)
		return AUTH_ERROR;
	if (res->nrows == 0) {
		LM_DBG("no user '%.*s' (domain '%.*s') in table %.*s\n", KSR_STR_FMT(ctx.user),
		       KSR_STR_FMT(ctx.domain), KSR_STR_FMT(table));
		auth_db_dbf.free_result(con, res);
		/* the same work and the same challenge as a wrong password */
		return auth_db_auth->unknown_user(msg, &ctx);
	}
	if (auth_db_conf.force_avps)
		load_credentials(msg, res, 1);
	if (!column_text(ksr_db_res_val(res, 0, 0), &secret)) {
		/* a user who has no password cannot authenticate: as a wrong one */
		LM_DBG("user '%.*s' has no text in the password column\n", KSR_STR_FMT(ctx.user));
		auth_db_auth->unknown_user(msg, &ctx);
		r = AUTH_INVALID_PASSWORD;
		goto done;
	}
	if (auth_db_conf.calc_ha1) {
		/* HA1 from the username as the credentials give it, as upstream */
		r = auth_db_auth->calc_ha1(ctx.alg, ctx.cred->username, ctx.realm, secret, ha1);
		if (r < 0) {
			r = AUTH_ERROR;
			goto done;
		}
		secret = ksr_str_make(ha1, strlen(ha1));
	}
	r = auth_db_auth->post_auth(msg, &ctx, secret);
	if (r == AUTH_OK && !auth_db_conf.force_avps)
		load_credentials(msg, res, 1);
	if (r == AUTH_OK && ret_ctx)
		*ret_ctx = ctx;
done:
	auth_db_dbf.free_result(con, res);
	return r;
}

/* Requests that may come with an anonymous caller id (auth_check flag 2). */
#define ANON_METHODS                                                                     \
	(KSR_METHOD_INVITE | KSR_METHOD_BYE | KSR_METHOD_PRACK | KSR_METHOD_UPDATE |     \
	 KSR_METHOD_MESSAGE)

static int msg_uri(struct ksr_msg *msg, bool to, struct ksr_uri **ret)
{
	struct ksr_nameaddr *na;

	if ((to ? ksr_msg_to(msg, &na) : ksr_msg_from(msg, &na)) < 0 ||
	    ksr_nameaddr_uri(msg, na, ret) < 0) {
		LM_INFO("cannot parse the %s URI\n", to ? "To" : "From");
		return -EINVAL;
	}
	return 0;
}

/* a's user (and with use_domain its host) is b's. */
static bool same_aor(const struct ksr_uri *a, const struct ksr_uri *b)
{
	return ksr_str_eq(&a->user, &b->user) &&
	       (!auth_db_conf.use_domain || ksr_str_caseeq(&a->host, &b->host));
}

/*
 * Upstream's identity checks after a successful authentication: the auth user is the To
 * user (REGISTER, PUBLISH) or the From user (the rest; flag 2 skips this for requests
 * that may be anonymous); REGISTER and PUBLISH also need From = To, and PUBLISH From =
 * R-URI.
 */
static int check_ids(struct ksr_msg *msg, const struct auth_ctx *ctx, long flags)
{
	enum ksr_method m = msg->first.req.method_id;
	bool aor = m == KSR_METHOD_REGISTER || m == KSR_METHOD_PUBLISH;
	struct ksr_uri *from, *to = NULL, *ruri;

	if (msg_uri(msg, false, &from) < 0 || (aor && msg_uri(msg, true, &to) < 0))
		return AUTH_ERROR;
	if (!((flags & AUTH_DB_CHECK_SKIP_FWD) && (m & ANON_METHODS)) &&
	    !ksr_str_eq(&ctx->user, aor ? &to->user : &from->user)) {
		LM_DBG("auth user '%.*s' is not the %s user\n", KSR_STR_FMT(ctx->user),
		       aor ? "To" : "From");
		return AUTH_USER_MISMATCH;
	}
	if (!aor)
		return AUTH_OK;
	if (!same_aor(from, to))
		return AUTH_USER_MISMATCH;
	if (m == KSR_METHOD_PUBLISH) {
		if (ksr_msg_cur_ruri_parsed(msg, &ruri) < 0) {
			LM_INFO("cannot parse the R-URI\n");
			return AUTH_ERROR;
		}
		if (!same_aor(from, ruri))
			return AUTH_USER_MISMATCH;
	}
	return AUTH_OK;
}

int auth_db_check(struct ksr_msg *msg, struct ksr_str realm, struct ksr_str table, long flags)
{
	struct auth_ctx ctx;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return AUTH_ERROR;
	if (msg->first.req.method_id & (KSR_METHOD_ACK | KSR_METHOD_CANCEL))
		return AUTH_OK;
	if (flags < 0) {
		LM_ERR("bad flags %ld\n", flags);
		return AUTH_ERROR;
	}
	r = auth_db_authenticate(msg, realm, table,
				 msg->first.req.method_id == KSR_METHOD_REGISTER
					 ? KSR_HDR_AUTHORIZATION
					 : KSR_HDR_PROXYAUTH,
				 KSR_STR_NULL, &ctx);
	if (r != AUTH_OK || !(flags & AUTH_DB_CHECK_ID))
		return r;
	return check_ids(msg, &ctx, flags);
}

int auth_db_is_subscriber(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str table,
			  long flags)
{
	struct ksr_str keys[] = {auth_db_conf.user_col, auth_db_conf.domain_col};
	struct ksr_db_val vals[2];
	struct ksr_db_res *res = NULL;
	struct ksr_db_con *con;
	struct ksr_uri u;
	bool creds = !(flags & AUTH_DB_SUBS_SKIP_CREDENTIALS) && auth_db_conf.ncreds > 0;
	int rc;

	if (flags < 0 || !uri.len || !table.len || ksr_uri_parse(uri, &u) < 0) {
		LM_ERR("is_subscriber: bad flags, an empty table or URI, or a URI that does not "
		       "parse\n");
		return -1;
	}
	if (!(con = auth_db_con()))
		return -1;
	vals[0] = ksr_db_str(u.user);
	vals[1] = ksr_db_str(u.host);
	rc = auth_db_dbf.use_table(con, &table);
	if (rc == 0)
		rc = auth_db_dbf.query(con, keys, NULL, vals,
				       creds ? auth_db_conf.cols + 1 : &auth_db_conf.user_col,
				       (flags & AUTH_DB_SUBS_USE_DOMAIN) ? 2 : 1,
				       creds ? auth_db_conf.ncreds : 1, NULL, &res);
	if (rc < 0) {
		LM_ERR("cannot look up a subscriber in table %.*s: %s\n", KSR_STR_FMT(table),
		       db_error(rc));
		return -1;
	}
	if (res->nrows == 0)
		rc = -2;
	else if (creds && load_credentials(msg, res, 0) < 0)
		rc = -3;
	else
		rc = 1;
	auth_db_dbf.free_result(con, res);
	return rc;
}
