/*
 * auth: digest authentication for the script (challenges, checks against a password the
 * script gives) and, through auth_api.h, for the credentials backends.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/msg/edit.h"
#include "core/parser/hdr.h"
#include "core/pv/avp.h"
#include "core/pv/pv.h"
#include "../tm/tm_api.h"
#include "auth_digest.h"
#include "auth_mod.h"
#include "auth_nonce.h"

/* modparams, upstream's names and defaults */
static char *secret;
static int nonce_expire = 300;
static int nonce_auth_max_drift = 3;
static char *qop = "";
static char *algorithm = "";
static int nonce_count;
static int one_time_nonce;
static int nid_pool_no = 1;
static int nc_array_size = -1, nc_array_order = -1;
static int otn_in_flight_no = -1, otn_in_flight_order = -1;
static int auth_checks_register, auth_checks_no_dlg, auth_checks_in_dlg;
static int force_stateless_reply;
static char *realm_prefix = "";
static int use_domain;
static int add_authinfo_hdr;
static char *challenge_attr = "$digest_challenge";
static char *www_challenge_header = "WWW-Authenticate";
static char *proxy_challenge_header = "Proxy-Authenticate";
static int protect_contacts;

struct auth_conf auth_conf;
const struct tm_api *auth_tm;

static time_t wall_clock(void)
{
	return time(NULL);
}

time_t (*auth_now)(void) = wall_clock;

/* pv_*_authenticate() flags */
#define PVF_HA1 1u /* the password is HA1 */
#define PVF_CHALLENGE 2u /* on failure, a challenge to challenge_attr (no qop) */
#define PVF_QOP_AUTH 4u /* ... with qop=auth */
#define PVF_QOP_AUTH_INT 8u /* ... with qop=auth-int */
#define PVF_STALE 16u /* ... with stale=true */

static struct ksr_str cstr(char *s)
{
	return ksr_str_make(s, s ? strlen(s) : 0);
}

/* --- module set-up --- */

/* "MD5", "SHA-256, MD5", ...: the algorithms challenges offer, most preferred first. */
static int parse_algorithms(const char *text)
{
	struct ksr_str cur = cstr((char *)text), item;
	int r;

	auth_conf.nalgs = 0;
	auth_conf.alg_param = false;
	while ((r = ksr_list_next(&cur, &item)) > 0) {
		enum ksr_digest_alg alg = ksr_digest_alg_id(item);

		if (!auth_digest_hex_len(alg)) {
			LM_ERR("algorithm '%.*s' is not one of MD5, SHA-256, SHA-512-256\n",
			       KSR_STR_FMT(item));
			return -EINVAL;
		}
		for (unsigned int i = 0; i < auth_conf.nalgs; i++) {
			if (auth_conf.algs[i] == alg) {
				LM_ERR("algorithm '%.*s' is listed twice\n", KSR_STR_FMT(item));
				return -EINVAL;
			}
		}
		auth_conf.algs[auth_conf.nalgs++] = alg;
		auth_conf.alg_param = true;
	}
	if (r < 0) {
		LM_ERR("bad algorithm list '%s'\n", text);
		return -EINVAL;
	}
	if (auth_conf.nalgs == 0) /* unset: MD5, and challenges do not name it (upstream) */
		auth_conf.algs[auth_conf.nalgs++] = KSR_DIGEST_MD5;
	return 0;
}

static int parse_qop(const char *text)
{
	struct ksr_str q = cstr((char *)text);

	ksr_str_trim(&q);
	if (!q.len)
		auth_conf.qop = 0;
	else if (ksr_str_caseeq_cstr(&q, "auth"))
		auth_conf.qop = KSR_QOP_AUTH;
	else if (ksr_str_caseeq_cstr(&q, "auth-int"))
		auth_conf.qop = KSR_QOP_AUTH_INT;
	else {
		LM_ERR("qop '%s' is not one of \"\", \"auth\", \"auth-int\"\n", text);
		return -EINVAL;
	}
	return 0;
}

/* challenge_attr: "$avp(name)" or upstream's short "$name". */
static int parse_challenge_attr(const char *text)
{
	struct ksr_str s = cstr((char *)text);

	if (s.len > 6 && strncmp(s.s, "$avp(", 5) == 0 && s.s[s.len - 1] == ')') {
		s.s += 5;
		s.len -= 6;
	} else if (s.len > 1 && s.s[0] == '$') {
		s.s++;
		s.len--;
	}
	for (size_t i = 0; i < s.len; i++) {
		char c = s.s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.')) {
			s.len = 0;
			break;
		}
	}
	if (!s.len) {
		LM_ERR("challenge_attr '%s' is not an AVP ($avp(name))\n", text);
		return -EINVAL;
	}
	auth_conf.challenge_avp = s;
	return 0;
}

static int header_name(const char *text, struct ksr_str *ret)
{
	struct ksr_str s = cstr((char *)text);

	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.s[i];

		if (c <= 0x20 || c >= 0x7f || c == ':') {
			s.len = 0;
			break;
		}
	}
	if (!s.len) {
		LM_ERR("'%s' is not a header name\n", text);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

/* A power of 2: size rounded down when given, else 2^order, else 2^20 (upstream). */
static int table_size(const char *name, int size, int order, unsigned int *ret)
{
	unsigned int v = 1u << 20;

	if (size > 0) {
		if (size > (1 << 30)) {
			LM_ERR("%s: at most 2^30\n", name);
			return -EINVAL;
		}
		for (v = 1; v * 2 <= (unsigned int)size;)
			v *= 2;
	} else if (order >= 0) {
		if (order > 30) {
			LM_ERR("%s: the order is at most 30\n", name);
			return -EINVAL;
		}
		v = 1u << order;
	}
	*ret = v;
	return 0;
}

static int mod_init(void)
{
	struct auth_nonce_cfg nc = {0};
	unsigned int pools = 1;
	int r;

	if (parse_algorithms(algorithm) < 0 || parse_qop(qop) < 0 ||
	    parse_challenge_attr(challenge_attr) < 0 ||
	    header_name(www_challenge_header, &auth_conf.www_hdr) < 0 ||
	    header_name(proxy_challenge_header, &auth_conf.proxy_hdr) < 0)
		return -EINVAL;
	if (nonce_expire <= 0 || nonce_auth_max_drift < 0) {
		LM_ERR("nonce_expire must be > 0 and nonce_auth_max_drift >= 0\n");
		return -EINVAL;
	}
	if (nid_pool_no < 1 || nid_pool_no > 64) {
		LM_ERR("nid_pool_no must be 1..64\n");
		return -EINVAL;
	}
	while (pools * 2 <= (unsigned int)nid_pool_no)
		pools *= 2;
	if (pools != (unsigned int)nid_pool_no)
		LM_WARN("nid_pool_no %d rounded down to %u\n", nid_pool_no, pools);
	nc = (struct auth_nonce_cfg){
		.expire = (unsigned int)nonce_expire,
		.max_drift = (unsigned int)nonce_auth_max_drift,
		.nc = nonce_count != 0,
		.otn = one_time_nonce != 0,
		.pools = pools,
		.checks_register = (unsigned int)auth_checks_register,
		.checks_no_dlg = (unsigned int)auth_checks_no_dlg,
		.checks_in_dlg = (unsigned int)auth_checks_in_dlg,
	};
	if (table_size("nc_array_size", nc_array_size, nc_array_order, &nc.nc_size) < 0 ||
	    table_size("otn_in_flight_no", otn_in_flight_no, otn_in_flight_order,
		       &nc.otn_size) < 0)
		return -EINVAL;
	if ((nc.nc && nc.nc_size < pools) ||
	    (nc.otn && (nc.otn_size < pools || nc.otn_size < 32))) {
		LM_ERR("nc_array_size / otn_in_flight_no too small for %u pools\n", pools);
		return -EINVAL;
	}
	if ((auth_checks_register | auth_checks_no_dlg | auth_checks_in_dlg) & ~AUTH_CHECK_ALL) {
		LM_ERR("auth_checks_*: the flags are 1 (R-URI), 2 (Call-ID), 4 (From tag), "
		       "8 (source IP)\n");
		return -EINVAL;
	}
	if (secret && strlen(secret) < 16)
		LM_WARN("the secret is short: 32 characters or more are advised\n");
	r = auth_nonce_init(&nc, secret, secret ? strlen(secret) : 0);
	if (r < 0) {
		LM_ERR("cannot set up nonces: %s\n", strerror(-r));
		return r;
	}
	if (nc.nc && !auth_conf.qop)
		LM_INFO("nonce_count is on: it works with challenges that offer qop\n");
	if (protect_contacts)
		LM_WARN("modparam protect_contacts has no effect\n");
	auth_conf.realm_prefix = cstr(realm_prefix);
	auth_conf.use_domain = use_domain != 0;
	auth_conf.add_authinfo = add_authinfo_hdr != 0;
	auth_conf.force_stateless = force_stateless_reply != 0;
	auth_tm = ksr_api_bind("tm");
	return 0;
}

static int child_init(int rank)
{
	auth_nonce_set_pool((unsigned int)rank);
	return 0;
}

static void destroy(void)
{
	auth_nonce_destroy();
}

/* --- script functions --- */

static int fixup_realm(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && p[0].s.len == 0) {
		*ret_err = "the realm must not be empty";
		return -EINVAL;
	}
	return 0;
}

static int challenge(struct ksr_msg *msg, const struct ksr_fparam *p, enum ksr_hdr_type hftype)
{
	if (p[1].i < 0) {
		LM_ERR("bad flags %ld\n", p[1].i);
		return -1;
	}
	return auth_challenge(msg, p[0].s, (unsigned int)p[1].i, hftype);
}

static int w_www_challenge(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return challenge(msg, p, KSR_HDR_AUTHORIZATION);
}

static int w_proxy_challenge(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return challenge(msg, p, KSR_HDR_PROXYAUTH);
}

/* REGISTER is challenged with 401, the rest with 407 (upstream). */
static enum ksr_hdr_type hftype_of(const struct ksr_msg *msg)
{
	return msg->first.req.method_id == KSR_METHOD_REGISTER ? KSR_HDR_AUTHORIZATION
							       : KSR_HDR_PROXYAUTH;
}

static int w_auth_challenge(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	return challenge(msg, p, hftype_of(msg));
}

static int w_auth_get_www_authenticate(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_val v = {.type = KSR_VAL_STR};
	unsigned int flags = (unsigned int)p[1].i;

	if (p[1].i < 0 || msg->type != KSR_MSG_REQUEST)
		return -1;
	if (auth_build_challenge(msg, p[0].s, flags, KSR_HDR_AUTHORIZATION, &v.s) < 0)
		return -1;
	return ksr_pv_set(msg, p[2].ptr, &v) == 0 ? 1 : -1;
}

static int fixup_get_www(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = fixup_realm(p, n, ret_err);

	return r < 0 ? r : ksr_fixup_pvar(&p[2], true, ret_err);
}

static int w_has_credentials(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str realm = auth_strip_realm(p[0].s);
	struct ksr_credentials *c;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (ksr_msg_credentials_realm(msg, KSR_HDR_AUTHORIZATION, realm, &c) == 0 ||
	    ksr_msg_credentials_realm(msg, KSR_HDR_PROXYAUTH, realm, &c) == 0)
		return 1;
	return -1;
}

static int w_consume_credentials(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct auth_msg_state *st = auth_msg_state(msg, false);
	int r;

	if (!st || !st->authorized) {
		LM_ERR("no authorized credentials to remove (check them first)\n");
		return -1;
	}
	r = ksr_msg_remove_hdr(msg, st->authorized->hdr);
	if (r < 0 && r != -EBUSY) {
		LM_ERR("cannot remove the credentials: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/*
 * pv_www_authenticate() and friends: the password (or HA1) comes from the script. A
 * failure leaves a challenge in challenge_attr when the flags ask for one.
 */
static int pv_authenticate(struct ksr_msg *msg, struct ksr_str realm, struct ksr_str passwd,
			   long flags, enum ksr_hdr_type hftype, struct ksr_str method, bool checks)
{
	char ha1[AUTH_HA1_MAX + 1];
	struct auth_ctx ctx;
	struct ksr_str h = passwd;
	int r;

	if (flags < 0 || msg->type != KSR_MSG_REQUEST) {
		LM_ERR("bad flags %ld, or not a request\n", flags);
		return AUTH_ERROR;
	}
	r = auth_pre_auth(msg, realm, hftype, method, &ctx);
	if (r != AUTH_PRE_CONTINUE)
		goto done;
	if (!(flags & PVF_HA1)) {
		/* HA1 from the name as the credentials give it, the realm as checked */
		if (auth_calc_ha1(ctx.alg, ctx.cred->username, ctx.realm, passwd, ha1) < 0) {
			r = AUTH_ERROR;
			goto done;
		}
		h = ksr_str_make(ha1, strlen(ha1));
	}
	r = auth_post_auth(msg, &ctx, h);
	if (r == AUTH_OK && checks)
		r = auth_check_user(msg, &ctx);
done:
	if (r < 0 && (flags & (PVF_CHALLENGE | PVF_QOP_AUTH | PVF_QOP_AUTH_INT))) {
		unsigned int cf = (flags & PVF_QOP_AUTH_INT) ? AUTH_CHF_QOP_AUTH_INT
				  : (flags & PVF_QOP_AUTH)   ? AUTH_CHF_QOP_AUTH
							     : 0;
		struct ksr_val v = {.type = KSR_VAL_STR};

		if (flags & PVF_STALE)
			cf |= AUTH_CHF_STALE;
		if (auth_build_challenge(msg, realm, cf, hftype, &v.s) < 0 ||
		    ksr_avp_add(msg, auth_conf.challenge_avp, &v) < 0)
			LM_ERR("cannot store the challenge in $avp(%.*s)\n",
			       KSR_STR_FMT(auth_conf.challenge_avp));
	}
	return r;
}

static int w_pv_www_authenticate(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return pv_authenticate(msg, p[0].s, p[1].s, p[2].i, KSR_HDR_AUTHORIZATION, KSR_STR_NULL,
			       false);
}

static int w_pv_www_authenticate4(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return pv_authenticate(msg, p[0].s, p[1].s, p[2].i, KSR_HDR_AUTHORIZATION, p[3].s, false);
}

static int w_pv_proxy_authenticate(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return pv_authenticate(msg, p[0].s, p[1].s, p[2].i, KSR_HDR_PROXYAUTH, KSR_STR_NULL,
			       false);
}

/* REGISTER as pv_www_authenticate, the others as pv_proxy_authenticate; checks 1: user. */
static int w_pv_auth_check(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->type != KSR_MSG_REQUEST)
		return AUTH_ERROR;
	return pv_authenticate(msg, p[0].s, p[1].s, p[2].i, hftype_of(msg), KSR_STR_NULL,
			       (p[3].i & 1) != 0);
}

static const struct ksr_cmd_export cmds[] = {
	{.name = "consume_credentials",
	 .func = w_consume_credentials,
	 .params = {KSR_PT_NONE},
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "has_credentials",
	 .func = w_has_credentials,
	 .params = {KSR_PT_STR},
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "www_challenge",
	 .func = w_www_challenge,
	 .params = {KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "proxy_challenge",
	 .func = w_proxy_challenge,
	 .params = {KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "auth_challenge",
	 .func = w_auth_challenge,
	 .params = {KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "pv_www_authenticate",
	 .func = w_pv_www_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "pv_www_authenticate",
	 .func = w_pv_www_authenticate4,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT, KSR_PT_STR},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "pv_proxy_authenticate",
	 .func = w_pv_proxy_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "pv_auth_check",
	 .func = w_pv_auth_check,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT, KSR_PT_INT},
	 .fixup = fixup_realm,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "auth_get_www_authenticate",
	 .func = w_auth_get_www_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_INT, KSR_PT_RAW},
	 .fixup = fixup_get_www,
	 .route_types = KSR_ROUTE_ANY},
	{0},
};

static const struct ksr_param_export params[] = {
	{"secret", KSR_MP_STR, &secret, NULL},
	{"nonce_expire", KSR_MP_INT, &nonce_expire, NULL},
	{"nonce_auth_max_drift", KSR_MP_INT, &nonce_auth_max_drift, NULL},
	{"qop", KSR_MP_STR, &qop, NULL},
	{"algorithm", KSR_MP_STR, &algorithm, NULL},
	{"nonce_count", KSR_MP_INT, &nonce_count, NULL},
	{"one_time_nonce", KSR_MP_INT, &one_time_nonce, NULL},
	{"nid_pool_no", KSR_MP_INT, &nid_pool_no, NULL},
	{"nc_array_size", KSR_MP_INT, &nc_array_size, NULL},
	{"nc_array_order", KSR_MP_INT, &nc_array_order, NULL},
	{"otn_in_flight_no", KSR_MP_INT, &otn_in_flight_no, NULL},
	{"otn_in_flight_order", KSR_MP_INT, &otn_in_flight_order, NULL},
	{"auth_checks_register", KSR_MP_INT, &auth_checks_register, NULL},
	{"auth_checks_no_dlg", KSR_MP_INT, &auth_checks_no_dlg, NULL},
	{"auth_checks_in_dlg", KSR_MP_INT, &auth_checks_in_dlg, NULL},
	{"force_stateless_reply", KSR_MP_INT, &force_stateless_reply, NULL},
	{"realm_prefix", KSR_MP_STR, &realm_prefix, NULL},
	{"use_domain", KSR_MP_INT, &use_domain, NULL},
	{"add_authinfo_hdr", KSR_MP_INT, &add_authinfo_hdr, NULL},
	{"challenge_attr", KSR_MP_STR, &challenge_attr, NULL},
	{"www_challenge_header", KSR_MP_STR, &www_challenge_header, NULL},
	{"proxy_challenge_header", KSR_MP_STR, &proxy_challenge_header, NULL},
	{"protect_contacts", KSR_MP_INT, &protect_contacts, NULL},
	{0},
};

static const struct auth_api api = {
	.pre_auth = auth_pre_auth,
	.calc_ha1 = auth_calc_ha1,
	.check_response = auth_check_response,
	.post_auth = auth_post_auth,
	.unknown_user = auth_unknown_user,
	.check_user = auth_check_user,
	.build_challenge = auth_build_challenge,
	.challenge = auth_challenge,
};

static const struct ksr_api_export apis[] = {{"auth", &api}, {0}};

KSR_MODULE(.name = "auth", .cmds = cmds, .params = params, .apis = apis, .mod_init = mod_init,
	   .child_init = child_init, .destroy = destroy);
