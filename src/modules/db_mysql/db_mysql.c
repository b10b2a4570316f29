/*
 * db_mysql: the MySQL/MariaDB driver of the database API (src/lib/srdb), on libmariadb.
 * Exports the driver as the API "db_mysql"; this file holds the module parameters and
 * opening and closing connections, my_cmd.c runs the commands.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/module/module-t.h"
#include "db_mysql.h"

int db_mysql_ping_interval = 300;
int db_mysql_server_timezone;
int db_mysql_auto_reconnect = 1;
static int timeout_interval = 2;
static int insert_delayed;
static int update_affected_found = 1;
static int opt_ssl_mode;

/* ---- parameters ---------------------------------------------------------------------- */

/* An integer from an int or a decimal string; -EINVAL for anything else. */
static int int_value(const struct ksr_fparam *val, long *ret)
{
	char *end;
	long v;

	if (val->type == KSR_PT_INT) {
		*ret = val->i;
		return 0;
	}
	if (val->type != KSR_PT_STR || !val->s.len)
		return -EINVAL;
	errno = 0;
	v = strtol(val->s.s, &end, 10);
	if (errno || end != val->s.s + val->s.len)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int set_range(const struct ksr_fparam *val, int *target, long lo, long hi, const char *err,
                     const char **ret_err)
{
	long v;

	if (int_value(val, &v) < 0 || v < lo || v > hi) {
		*ret_err = err;
		return -EINVAL;
	}
	*target = (int)v;
	return 0;
}

static int set_ping_interval(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &db_mysql_ping_interval, 0, INT_MAX,
	                 "ping_interval must be seconds (0: no ping)", ret_err);
}

static int set_timeout_interval(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &timeout_interval, 1, 3600,
	                 "timeout_interval must be seconds from 1 to 3600", ret_err);
}

static int set_auto_reconnect(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &db_mysql_auto_reconnect, 0, 1, "auto_reconnect must be 0 or 1",
	                 ret_err);
}

static int set_insert_delayed(const struct ksr_fparam *val, const char **ret_err)
{
	int rc = set_range(val, &insert_delayed, 0, 1, "insert_delayed must be 0 or 1", ret_err);

	if (rc == 0 && insert_delayed)
		LM_WARN("insert_delayed is ignored: inserts are plain INSERTs (INSERT DELAYED is "
		        "gone from MySQL 8 and refused for InnoDB tables by MariaDB)\n");
	return rc;
}

static int set_update_affected_found(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &update_affected_found, 0, 1, "update_affected_found must be 0 or 1",
	                 ret_err);
}

static int set_server_timezone(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &db_mysql_server_timezone, 0, 1, "server_timezone must be 0 or 1",
	                 ret_err);
}

static int set_opt_ssl_mode(const struct ksr_fparam *val, const char **ret_err)
{
	return set_range(val, &opt_ssl_mode, 0, 5,
	                 "opt_ssl_mode must be 0 (library default), 1 (disabled), 2 (preferred), "
	                 "3 (required), 4 (verify CA) or 5 (verify identity)",
	                 ret_err);
}

/* ---- connections --------------------------------------------------------------------- */

/*
 * TLS as opt_ssl_mode says (MySQL's enum mysql_ssl_mode), mapped onto libmariadb 3.x:
 * MYSQL_OPT_SSL_ENFORCE asks for TLS and goes on without it when the server has none;
 * MYSQL_OPT_SSL_VERIFY_SERVER_CERT requires it and checks the chain and the host name.
 */
static void tls_options(MYSQL *my)
{
	my_bool on = 1, off = 0;

	switch (opt_ssl_mode) {
	case 1: /* disabled: libmariadb uses TLS only when asked to */
		mysql_options(my, MYSQL_OPT_SSL_ENFORCE, &off);
		mysql_options(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
		break;
	case 2: /* preferred */
	case 3: /* required, the certificate not checked: see db_mysql_connect() */
		mysql_options(my, MYSQL_OPT_SSL_ENFORCE, &on);
		mysql_options(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
		break;
	case 4: /* verify CA: libmariadb checks the chain and the name together */
	case 5: /* verify identity */
		mysql_options(my, MYSQL_OPT_SSL_ENFORCE, &on);
		mysql_options(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
		break;
	}
}

int db_mysql_connect(struct db_mysql_con *c)
{
	const struct db_mysql_target *t = &c->target;
	unsigned int tmo = (unsigned int)timeout_interval;
	unsigned long flags = update_affected_found ? CLIENT_FOUND_ROWS : 0;
	my_bool off = 0;
	MYSQL *my = mysql_init(NULL);

	if (!my) {
		LM_ERR("%s: out of memory\n", t->shown);
		return -ENOMEM;
	}
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &tmo);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &tmo);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &tmo);
	/* never behind srdb's back: a statement on a lost connection fails, see README */
	mysql_options(my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (t->group)
		mysql_options(my, MYSQL_READ_DEFAULT_GROUP, t->group);
	tls_options(my);
	if (!mysql_real_connect(my, t->host, t->user, t->password, t->database, t->port, NULL,
	                        flags)) {
		LM_ERR("cannot connect to %s: %s (%u)\n", t->shown, mysql_error(my),
		       mysql_errno(my));
		mysql_close(my);
		return -ENOTCONN;
	}
	if (opt_ssl_mode == 3 && !mysql_get_ssl_cipher(my)) {
		/* libmariadb has no "required without verification": refuse the plain one */
		LM_ERR("cannot connect to %s: opt_ssl_mode 3 requires TLS and the server does not "
		       "offer it\n",
		       t->shown);
		mysql_close(my);
		return -ENOTCONN;
	}
	LM_DBG("connected to %s, server %s, %s, TLS %s\n", t->shown, mysql_get_server_info(my),
	       mysql_get_host_info(my),
	       mysql_get_ssl_cipher(my) ? mysql_get_ssl_cipher(my) : "off");
	c->my = my;
	return 0;
}

void db_mysql_disconnect(struct db_mysql_con *c)
{
	db_mysql_cache_clear(c);
	if (c->my)
		mysql_close(c->my);
	c->my = NULL;
}

static void target_free(struct db_mysql_target *t)
{
	free(t->host);
	free(t->user);
	free(t->password);
	free(t->database);
	free(t->group);
	free(t->shown);
	*t = (struct db_mysql_target){0};
}

static void db_close(void *dh)
{
	struct db_mysql_con *c = dh;

	if (!c)
		return;
	db_mysql_disconnect(c);
	target_free(&c->target);
	ksr_db_sql_free(&c->sql);
	free(c->text);
	free(c->binds);
	free(c->times);
	free(c->secs);
	free(c);
}

/*
 * mysql://user:pass@[group]/db names a my.cnf group (upstream's form): srdb's parser
 * takes "[group]" as a bracketed IPv6 host, so a bracketed host without ':' is a group.
 */
static bool is_group(const struct ksr_db_url *url)
{
	char pat[300];
	const char *p;

	if (!url->host[0] || strchr(url->host, ':') || strlen(url->host) > 256)
		return false;
	snprintf(pat, sizeof(pat), "[%s]", url->host);
	p = strstr(url->shown, "://");
	return p && strstr(p, pat) && strchr(strstr(p, pat), '/');
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int db_open(const struct ksr_db_url *url, void **ret_dh)
{
	struct db_mysql_con *c = calloc(1, sizeof(*c));
	struct db_mysql_target *t;
	bool group;
	int rc;

	if (!c)
		return -ENOMEM;
	t = &c->target;
	group = is_group(url);
	if (url->params)
		LM_WARN("%s: URL parameters are ignored\n", url->shown);
	t->host = group || !url->host[0] ? NULL : strdup(url->host);
	t->group = group ? strdup(url->host) : NULL;
	t->user = dup_or_null(url->user);
	t->password = dup_or_null(url->password);
	t->database = strdup(url->database);
	t->shown = strdup(url->shown);
	t->port = url->port;
	if ((!group && url->host[0] && !t->host) || (group && !t->group) ||
	    (url->user && !t->user) || (url->password && !t->password) || !t->database ||
	    !t->shown) {
		db_close(c);
		return -ENOMEM;
	}
	if ((rc = db_mysql_connect(c)) < 0) {
		db_close(c);
		return rc;
	}
	*ret_dh = c;
	return 0;
}

static const struct ksr_db_driver driver = {
        KSR_DB_DRIVER_HEAD,
        .scheme = "mysql",
        .caps = KSR_DB_CAP_QUERY | KSR_DB_CAP_RAW_QUERY | KSR_DB_CAP_INSERT | KSR_DB_CAP_DELETE |
                KSR_DB_CAP_UPDATE | KSR_DB_CAP_REPLACE | KSR_DB_CAP_LAST_INSERTED_ID |
                KSR_DB_CAP_AFFECTED_ROWS,
        .open = db_open,
        .close = db_close,
        .exec = db_mysql_exec,
        .last_inserted_id = db_mysql_last_inserted_id,
        .affected_rows = db_mysql_affected_rows,
};

/* ---- module ---------------------------------------------------------------------------- */

static int mod_init(void)
{
	/* once, before the worker threads open connections: mysql_init() is not safe then */
	if (mysql_library_init(0, NULL, NULL)) {
		LM_ERR("cannot initialize libmariadb\n");
		return -1;
	}
	if (!mysql_thread_safe()) {
		LM_ERR("libmariadb %s was built without thread support\n", mysql_get_client_info());
		return -1;
	}
	LM_DBG("libmariadb %s\n", mysql_get_client_info());
	return 0;
}

static const struct ksr_param_export params[] = {
        {"ping_interval", KSR_MP_FUNC, NULL, set_ping_interval},
        {"timeout_interval", KSR_MP_FUNC, NULL, set_timeout_interval},
        {"auto_reconnect", KSR_MP_FUNC, NULL, set_auto_reconnect},
        {"insert_delayed", KSR_MP_FUNC, NULL, set_insert_delayed},
        {"update_affected_found", KSR_MP_FUNC, NULL, set_update_affected_found},
        {"opt_ssl_mode", KSR_MP_FUNC, NULL, set_opt_ssl_mode},
        {"server_timezone", KSR_MP_FUNC, NULL, set_server_timezone},
        {0},
};

static const struct ksr_api_export apis[] = {{"db_mysql", &driver}, {0}};

KSR_MODULE(.name = "db_mysql", .params = params, .apis = apis, .mod_init = mod_init);
