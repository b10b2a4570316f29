/*
 * auth_db: digest authentication against a subscriber table (www_authorize(),
 * proxy_authorize(), auth_check(), is_subscriber()). This file holds the parameters, the
 * database connections and the table version checks; authorize.c the checks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/pv/pv.h"
#include "lib/srdb/db.h"
#include "auth_db.h"

/* modparams, upstream's names and defaults */
static char *db_url = "mysql://kamailioro:kamailioro@localhost/kamailio";
static char *user_column = "username";
static char *domain_column = "domain";
static char *password_column = "ha1";
static char *password_column_2 = "ha1b";
static int calculate_ha1;
static int use_domain;
static char *load_credentials;
static int version_table = 1;
static int force_generate_avps;

struct auth_db_conf auth_db_conf;
struct ksr_db_funcs auth_db_dbf;
const struct auth_api *auth_db_auth;

/* mod_init has bound the database: fixups (of a reload) check table versions at once */
static bool bound;

static struct ksr_str cstr(char *s)
{
	return ksr_str_make(s, s ? strlen(s) : 0);
}

/* --- connections: one per thread, all closed by destroy() --- */

struct con_slot {
	struct ksr_db_con *con;
	struct con_slot *next;
};

static pthread_mutex_t cons_lock = PTHREAD_MUTEX_INITIALIZER;
static struct con_slot *cons;
static _Thread_local struct ksr_db_con *thread_con;

struct ksr_db_con *auth_db_con(void)
{
	struct con_slot *slot;
	struct ksr_db_con *con;

	if (thread_con)
		return thread_con;
	if (!bound)
		return NULL;
	if (!(slot = malloc(sizeof(*slot))))
		return NULL;
	/* the driver logs why; the next call tries again */
	if (auth_db_dbf.init(db_url, &con) < 0) {
		free(slot);
		LM_ERR("cannot connect to the database of db_url\n");
		return NULL;
	}
	slot->con = con;
	pthread_mutex_lock(&cons_lock);
	slot->next = cons;
	cons = slot;
	pthread_mutex_unlock(&cons_lock);
	thread_con = con;
	return con;
}

/* --- table versions --- */

/* Tables named by the config's functions before mod_init: checked there. */
struct table_name {
	char *name;
	struct table_name *next;
};

static struct table_name *tables;

static int check_versions(struct table_name *list)
{
	struct ksr_db_con *con;
	int rc = 0;

	if (auth_db_dbf.init(db_url, &con) < 0) {
		LM_ERR("cannot connect to the database of db_url to check the table versions\n");
		return -ENOTCONN;
	}
	for (; list && rc == 0; list = list->next) {
		struct ksr_str t = cstr(list->name);

		rc = ksr_db_check_table_version(&auth_db_dbf, con, &t, AUTH_DB_TABLE_VERSION);
		if (rc < 0)
			LM_ERR("table %s: version check failed (version_table 0 skips it)\n",
			       list->name);
	}
	auth_db_dbf.close(con);
	return rc;
}

/* A table a function names: its version is checked at start, or now on a reload. */
static int note_table(struct ksr_str name, const char **ret_err)
{
	struct table_name *t;

	if (bound) {
		struct table_name one = {.name = name.s};

		if (version_table && check_versions(&one) < 0) {
			*ret_err = "the table's version check failed (see the log)";
			return -EPROTO;
		}
		return 0;
	}
	for (t = tables; t; t = t->next)
		if (strlen(t->name) == name.len && memcmp(t->name, name.s, name.len) == 0)
			return 0;
	if (!(t = calloc(1, sizeof(*t))) || !(t->name = strndup(name.s, name.len))) {
		free(t);
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	t->next = tables;
	tables = t;
	return 0;
}

/* --- load_credentials --- */

/*
 * "$avp(i:123)=rpid;email_address": items split by ';', each "pv=column" (the last '='
 * splits) or "column", which goes to $avp(column).
 */
static int parse_credentials(const char *text)
{
	struct ksr_arena *arena = ksr_fixup_arena();
	struct ksr_str rest = cstr((char *)text), item, pv, col;
	int n = 1;

	for (size_t i = 0; i < rest.len; i++)
		n += rest.s[i] == ';';
	auth_db_conf.creds = ksr_arena_alloc(arena, sizeof(*auth_db_conf.creds) * (size_t)n);
	if (!auth_db_conf.creds)
		return -ENOMEM;
	while (rest.len) {
		const char *semi = memchr(rest.s, ';', rest.len), *eq, *err = NULL;
		struct auth_db_cred *c = &auth_db_conf.creds[auth_db_conf.ncreds];
		size_t used = 0;
		char *s;

		item = ksr_str_make(rest.s, semi ? (size_t)(semi - rest.s) : rest.len);
		rest = semi ? ksr_str_make((char *)semi + 1, rest.len - item.len - 1)
			    : KSR_STR_NULL;
		ksr_str_trim(&item);
		if (!item.len)
			continue;
		eq = memrchr(item.s, '=', item.len);
		col = eq ? ksr_str_make((char *)eq + 1, item.len - (size_t)(eq + 1 - item.s))
			 : item;
		pv = eq ? ksr_str_make(item.s, (size_t)(eq - item.s)) : KSR_STR_NULL;
		ksr_str_trim(&col);
		ksr_str_trim(&pv);
		if (!col.len || (eq && !pv.len)) {
			LM_ERR("load_credentials: '%.*s' is not \"column\" or \"$pv=column\"\n",
			       KSR_STR_FMT(item));
			return -EINVAL;
		}
		/* the column, NUL-terminated; without a pv, "$avp(column)" */
		if (!(s = ksr_arena_alloc(arena, col.len + 1)))
			return -ENOMEM;
		c->column = ksr_str_make(s, col.len);
		memcpy(s, col.s, col.len);
		s[col.len] = '\0';
		if (!eq) {
			if (!(s = ksr_arena_alloc(arena, col.len + 7)))
				return -ENOMEM;
			pv = ksr_str_make(s, (size_t)snprintf(s, col.len + 7, "$avp(%.*s)",
							      KSR_STR_FMT(col)));
		}
		if (ksr_pv_parse(pv, arena, &c->spec, &used, &err) < 0 || used != pv.len ||
		    !ksr_pv_is_writable(c->spec)) {
			LM_ERR("load_credentials: '%.*s' is not a writable pseudo-variable%s%s\n",
			       KSR_STR_FMT(pv), err ? ": " : "", err ? err : "");
			return -EINVAL;
		}
		auth_db_conf.ncreds++;
	}
	return 0;
}

/* The columns an authentication reads: password (or HA1) first, then the credentials. */
static int build_columns(void)
{
	size_t n = 1 + (size_t)auth_db_conf.ncreds;
	struct ksr_arena *arena = ksr_fixup_arena();

	auth_db_conf.cols = ksr_arena_alloc(arena, sizeof(struct ksr_str) * n);
	auth_db_conf.cols_ha1b = ksr_arena_alloc(arena, sizeof(struct ksr_str) * n);
	if (!auth_db_conf.cols || !auth_db_conf.cols_ha1b)
		return -ENOMEM;
	auth_db_conf.cols[0] = cstr(password_column);
	auth_db_conf.cols_ha1b[0] = cstr(password_column_2);
	for (int i = 0; i < auth_db_conf.ncreds; i++)
		auth_db_conf.cols[1 + i] = auth_db_conf.creds[i].column;
	memcpy(auth_db_conf.cols_ha1b + 1, auth_db_conf.cols + 1,
	       sizeof(struct ksr_str) * (size_t)auth_db_conf.ncreds);
	return 0;
}

/* --- module set-up --- */

static int mod_init(void)
{
	const char *names[] = {user_column, domain_column, password_column, password_column_2};
	int r;

	auth_db_auth = ksr_api_bind("auth");
	if (!auth_db_auth) {
		LM_ERR("auth_db needs the auth module: add loadmodule \"auth.so\" to the config\n");
		return -ENOENT;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!names[i] || !*names[i]) {
			LM_ERR("the column modparams must not be empty\n");
			return -EINVAL;
		}
	}
	/* a missing driver module is named in srdb's message */
	if ((r = ksr_db_bind(db_url, &auth_db_dbf)) < 0)
		return r;
	if (!ksr_db_has_caps(&auth_db_dbf, KSR_DB_CAP_QUERY)) {
		LM_ERR("the database driver of db_url cannot run queries\n");
		return -EOPNOTSUPP;
	}
	if (load_credentials && (r = parse_credentials(load_credentials)) < 0)
		return r;
	if ((r = build_columns()) < 0)
		return r;
	auth_db_conf.user_col = cstr(user_column);
	auth_db_conf.domain_col = cstr(domain_column);
	auth_db_conf.calc_ha1 = calculate_ha1 != 0;
	auth_db_conf.use_domain = use_domain != 0;
	auth_db_conf.force_avps = force_generate_avps != 0;
	bound = true;
	if (version_table && tables && (r = check_versions(tables)) < 0)
		return r;
	return 0;
}

static int child_init(int rank)
{
	/* the main thread does no lookups; a worker fails early without its database */
	if (rank == KSR_RANK_MAIN)
		return 0;
	return auth_db_con() ? 0 : -1;
}

static void destroy(void)
{
	struct con_slot *slot, *next_slot;
	struct table_name *t, *next_t;

	/* every worker has stopped: their connections can go */
	pthread_mutex_lock(&cons_lock);
	for (slot = cons; slot; slot = next_slot) {
		next_slot = slot->next;
		auth_db_dbf.close(slot->con);
		free(slot);
	}
	cons = NULL;
	pthread_mutex_unlock(&cons_lock);
	thread_con = NULL;
	for (t = tables; t; t = next_t) {
		next_t = t->next;
		free(t->name);
		free(t);
	}
	tables = NULL;
	bound = false;
}

/* --- script functions --- */

static int fixup_nonempty(const struct ksr_fparam *p, const char *err, const char **ret_err)
{
	if (!p->dynamic && p->s.len == 0) {
		*ret_err = err;
		return -EINVAL;
	}
	return 0;
}

/* realm, table [, method]: none empty; a constant table has its version checked. */
static int fixup_auth(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (fixup_nonempty(&p[0], "the realm must not be empty", ret_err) < 0 ||
	    fixup_nonempty(&p[1], "the table must not be empty", ret_err) < 0 ||
	    (n > 2 && p[2].type == KSR_PT_STR &&
	     fixup_nonempty(&p[2], "the method must not be empty", ret_err) < 0))
		return -EINVAL;
	return p[1].dynamic ? 0 : note_table(p[1].s, ret_err);
}

static int fixup_is_subscriber(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (fixup_nonempty(&p[0], "the URI must not be empty", ret_err) < 0 ||
	    fixup_nonempty(&p[1], "the table must not be empty", ret_err) < 0)
		return -EINVAL;
	return 0;
}

static int w_www_authenticate(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return auth_db_authenticate(msg, p[0].s, p[1].s, KSR_HDR_AUTHORIZATION, KSR_STR_NULL,
				    NULL);
}

static int w_www_authenticate3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!p[2].s.len) {
		LM_ERR("the method is empty\n");
		return AUTH_ERROR;
	}
	return auth_db_authenticate(msg, p[0].s, p[1].s, KSR_HDR_AUTHORIZATION, p[2].s, NULL);
}

static int w_proxy_authenticate(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return auth_db_authenticate(msg, p[0].s, p[1].s, KSR_HDR_PROXYAUTH, KSR_STR_NULL, NULL);
}

static int w_auth_check(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return auth_db_check(msg, p[0].s, p[1].s, p[2].i);
}

static int w_is_subscriber(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return auth_db_is_subscriber(msg, p[0].s, p[1].s, p[2].i);
}

static const struct ksr_cmd_export cmds[] = {
	{.name = "www_authorize",
	 .func = w_www_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "www_authenticate",
	 .func = w_www_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "www_authenticate",
	 .func = w_www_authenticate3,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "proxy_authorize",
	 .func = w_proxy_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "proxy_authenticate",
	 .func = w_proxy_authenticate,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "auth_check",
	 .func = w_auth_check,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_auth,
	 .route_types = KSR_ROUTE_REQUEST},
	{.name = "is_subscriber",
	 .func = w_is_subscriber,
	 .params = {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
	 .fixup = fixup_is_subscriber,
	 .route_types = KSR_ROUTE_ANY},
	{0},
};

static const struct ksr_param_export params[] = {
	{"db_url", KSR_MP_STR, &db_url, NULL},
	{"user_column", KSR_MP_STR, &user_column, NULL},
	{"domain_column", KSR_MP_STR, &domain_column, NULL},
	{"password_column", KSR_MP_STR, &password_column, NULL},
	{"password_column_2", KSR_MP_STR, &password_column_2, NULL},
	{"calculate_ha1", KSR_MP_INT, &calculate_ha1, NULL},
	{"use_domain", KSR_MP_INT, &use_domain, NULL},
	{"load_credentials", KSR_MP_STR, &load_credentials, NULL},
	{"version_table", KSR_MP_INT, &version_table, NULL},
	{"force_generate_avps", KSR_MP_INT, &force_generate_avps, NULL},
	{0},
};

KSR_MODULE(.name = "auth_db", .cmds = cmds, .params = params, .mod_init = mod_init,
	   .child_init = child_init, .destroy = destroy);
