/*
 * The database API modules call: binds the driver module named by a URL's scheme,
 * checks arguments, runs commands through the driver and reconnects a lost connection on
 * the call after the one that found it lost. Each module links its own copy of this
 * library, so nothing here is global: drivers are found with ksr_api_bind().
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/module/module.h"
#include "lib/srdb/db.h"
#include "lib/srdb/db_driver.h"

struct ksr_db_con {
	const struct ksr_db_driver *drv;
	struct ksr_db_url url;
	char *table; /* from use_table(), NUL-terminated */
	void *dh; /* the driver's handle; NULL once lost, until reconnected */
};

static const char *const cmd_names[] = {
	[KSR_DB_CMD_QUERY] = "query", [KSR_DB_CMD_INSERT] = "insert",
	[KSR_DB_CMD_UPDATE] = "update", [KSR_DB_CMD_DELETE] = "delete",
	[KSR_DB_CMD_REPLACE] = "replace", [KSR_DB_CMD_RAW] = "raw_query",
};

/* The driver module for url's scheme ("db_" + scheme), checked; logs why not. */
static int find_driver(const struct ksr_db_url *url, const struct ksr_db_driver **ret)
{
	const struct ksr_db_driver *drv;
	char name[64];

	if ((size_t)snprintf(name, sizeof(name), "db_%s", url->scheme) >= sizeof(name)) {
		LM_ERR("database URL %s: scheme too long\n", url->shown);
		return -EINVAL;
	}
	drv = ksr_api_bind(name);
	if (!drv) {
		LM_ERR("database URL %s needs the module %s: add loadmodule \"%s.so\" to the "
		       "config\n",
		       url->shown, name, name);
		return -ENOENT;
	}
	if (drv->abi_version != KSR_DB_DRIVER_ABI || drv->struct_size != sizeof(*drv)) {
		LM_ERR("module %s was built for database driver ABI %u (size %u), this module for "
		       "%u (size %zu): rebuild them together\n",
		       name, drv->abi_version, drv->struct_size, KSR_DB_DRIVER_ABI, sizeof(*drv));
		return -ELIBBAD;
	}
	*ret = drv;
	return 0;
}

static int parse_url(const char *url, struct ksr_db_url *ret)
{
	int rc = ksr_db_url_parse(url, ret);

	if (rc == -EINVAL)
		LM_ERR("malformed database URL '%s': expected "
		       "scheme://[user[:password]@]host[:port]/database or sqlite:///path\n",
		       url ? url : "");
	else if (rc < 0)
		LM_ERR("cannot parse database URL: %s\n", strerror(-rc));
	return rc;
}

/* ---- connections --------------------------------------------------------------------- */

static void db_close(struct ksr_db_con *con)
{
	if (!con)
		return;
	if (con->dh)
		con->drv->close(con->dh);
	ksr_db_url_free(&con->url);
	free(con->table);
	free(con);
}

static int db_init(const char *url, struct ksr_db_con **ret_con)
{
	struct ksr_db_con *con;
	int rc;

	if (!ret_con)
		return -EINVAL;
	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	if ((rc = parse_url(url, &con->url)) < 0 || (rc = find_driver(&con->url, &con->drv)) < 0)
		goto fail;
	/* the driver logs why it cannot connect */
	if ((rc = con->drv->open(&con->url, &con->dh)) < 0) {
		con->dh = NULL;
		goto fail;
	}
	*ret_con = con;
	return 0;

fail:
	db_close(con);
	return rc;
}

static int db_use_table(struct ksr_db_con *con, const struct ksr_str *table)
{
	char *t;

	if (!con || !table || !table->len || !table->s || memchr(table->s, '\0', table->len)) {
		LM_ERR("use_table: no table name\n");
		return -EINVAL;
	}
	t = strndup(table->s, table->len);
	if (!t)
		return -ENOMEM;
	free(con->table);
	con->table = t;
	return 0;
}

/* A lost connection is closed now and opened again by the next call, not retried here. */
static void lose(struct ksr_db_con *con)
{
	LM_WARN("%s: connection lost; the next call reconnects\n", con->url.shown);
	con->drv->close(con->dh);
	con->dh = NULL;
}

static int reconnect(struct ksr_db_con *con)
{
	if (con->dh)
		return 0;
	if (con->drv->open(&con->url, &con->dh) < 0) {
		con->dh = NULL;
		return -ENOTCONN;
	}
	LM_INFO("%s: reconnected\n", con->url.shown);
	return 0;
}

/* Run cmd on the connection's table (or cmd->table when set). */
static int run(struct ksr_db_con *con, unsigned int cap, struct ksr_db_cmd *cmd,
	       struct ksr_db_res **ret_res)
{
	int rc;

	if (!con)
		return -EINVAL;
	if (!(con->drv->caps & cap)) {
		LM_ERR("%s: the %s driver cannot run %s\n", con->url.shown, con->drv->scheme,
		       cmd_names[cmd->kind]);
		return -EOPNOTSUPP;
	}
	if (cmd->kind != KSR_DB_CMD_RAW && !cmd->table) {
		if (!con->table) {
			LM_ERR("%s: %s without a table: call use_table() first\n", con->url.shown,
			       cmd_names[cmd->kind]);
			return -EINVAL;
		}
		cmd->table = con->table;
	}
	if ((rc = reconnect(con)) < 0)
		return rc;
	rc = con->drv->exec(con->dh, cmd, ret_res);
	if (rc == -ENOTCONN)
		lose(con);
	return rc;
}

static bool args_bad(struct ksr_db_con *con, const char *what, int n, const void *keys,
		     const void *vals)
{
	if (n < 0 || (n > 0 && (!keys || !vals))) {
		LM_ERR("%s: %s: %d names or values given, without the arrays\n",
		       con ? con->url.shown : "", what, n);
		return true;
	}
	return false;
}

/* ---- operations ---------------------------------------------------------------------- */

static int db_query(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		    const struct ksr_db_val *vals, const struct ksr_str *cols, int nkeys, int ncols,
		    const struct ksr_str *order, struct ksr_db_res **ret_res)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_QUERY, .keys = keys, .ops = ops, .vals = vals,
				 .n = nkeys, .cols = cols, .ncols = ncols, .order = order};

	if (!ret_res || args_bad(con, "query", nkeys, keys, vals) ||
	    args_bad(con, "query", ncols, cols, cols))
		return -EINVAL;
	return run(con, KSR_DB_CAP_QUERY, &cmd, ret_res);
}

static void db_free_result(struct ksr_db_con *con, struct ksr_db_res *res)
{
	ksr_db_res_free(res);
}

static int db_insert(struct ksr_db_con *con, const struct ksr_str *keys,
		     const struct ksr_db_val *vals, int n)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_INSERT, .keys = keys, .vals = vals, .n = n};

	if (n <= 0 || args_bad(con, "insert", n, keys, vals))
		return -EINVAL;
	return run(con, KSR_DB_CAP_INSERT, &cmd, NULL);
}

static int db_update(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		     const struct ksr_db_val *vals, const struct ksr_str *ukeys,
		     const struct ksr_db_val *uvals, int n, int un)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_UPDATE, .keys = keys, .ops = ops, .vals = vals,
				 .n = n, .cols = ukeys, .uvals = uvals, .ncols = un};

	if (un <= 0 || args_bad(con, "update", n, keys, vals) ||
	    args_bad(con, "update", un, ukeys, uvals))
		return -EINVAL;
	return run(con, KSR_DB_CAP_UPDATE, &cmd, NULL);
}

static int db_delete(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		     const struct ksr_db_val *vals, int n)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_DELETE, .keys = keys, .ops = ops, .vals = vals,
				 .n = n};

	if (args_bad(con, "delete", n, keys, vals))
		return -EINVAL;
	return run(con, KSR_DB_CAP_DELETE, &cmd, NULL);
}

static int db_replace(struct ksr_db_con *con, const struct ksr_str *keys,
		      const struct ksr_db_val *vals, int n, int nunique)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_REPLACE, .keys = keys, .vals = vals, .n = n,
				 .nunique = nunique};

	if (args_bad(con, "replace", n, keys, vals))
		return -EINVAL;
	if (n <= 0 || nunique <= 0 || nunique > n) {
		LM_ERR("replace: %d unique keys among %d\n", nunique, n);
		return -EINVAL;
	}
	return run(con, KSR_DB_CAP_REPLACE, &cmd, NULL);
}

static int db_raw_query(struct ksr_db_con *con, const struct ksr_str *sql,
			struct ksr_db_res **ret_res)
{
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_RAW, .sql = sql};

	if (!sql || !sql->s || !sql->len)
		return -EINVAL;
	return run(con, KSR_DB_CAP_RAW_QUERY, &cmd, ret_res);
}

static int db_last_inserted_id(struct ksr_db_con *con, long long *ret_id)
{
	if (!con || !ret_id)
		return -EINVAL;
	if (!(con->drv->caps & KSR_DB_CAP_LAST_INSERTED_ID))
		return -EOPNOTSUPP;
	/* after a reconnect there is no last insert to speak of */
	if (!con->dh)
		return -ENOTCONN;
	return con->drv->last_inserted_id(con->dh, ret_id);
}

static int db_affected_rows(struct ksr_db_con *con)
{
	if (!con)
		return -EINVAL;
	if (!(con->drv->caps & KSR_DB_CAP_AFFECTED_ROWS))
		return -EOPNOTSUPP;
	if (!con->dh)
		return -ENOTCONN;
	return con->drv->affected_rows(con->dh);
}

int ksr_db_bind(const char *url, struct ksr_db_funcs *ret)
{
	struct ksr_db_url u;
	const struct ksr_db_driver *drv;
	int rc;

	if (!ret)
		return -EINVAL;
	if ((rc = parse_url(url, &u)) < 0)
		return rc;
	rc = find_driver(&u, &drv);
	ksr_db_url_free(&u);
	if (rc < 0)
		return rc;
	*ret = (struct ksr_db_funcs){
		.caps = drv->caps,
		.driver = drv,
		.init = db_init,
		.close = db_close,
		.use_table = db_use_table,
		.query = db_query,
		.free_result = db_free_result,
		.insert = db_insert,
		.update = db_update,
		.delete = db_delete,
		.replace = db_replace,
		.raw_query = db_raw_query,
		.last_inserted_id = db_last_inserted_id,
		.affected_rows = db_affected_rows,
	};
	return 0;
}

/* ---- table versions ------------------------------------------------------------------ */

static int version_of(const struct ksr_db_val *v, int *ret)
{
	long long n;
	char *end;

	if (v->nul)
		return -EINVAL;
	switch (v->type) {
	case KSR_DB_INT:
		n = v->v.i;
		break;
	case KSR_DB_BIGINT:
		n = v->v.ll;
		break;
	case KSR_DB_STR:
	case KSR_DB_STRING:
		/* result strings are NUL-terminated */
		n = strtoll(v->v.str.s, &end, 10);
		if (end == v->v.str.s || *end)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || n > INT_MAX)
		return -EINVAL;
	*ret = (int)n;
	return 0;
}

int ksr_db_table_version(const struct ksr_db_funcs *f, struct ksr_db_con *con,
			 const struct ksr_str *table)
{
	static const struct ksr_str key = KSR_STR_STATIC("table_name");
	static const struct ksr_str col = KSR_STR_STATIC("table_version");
	struct ksr_db_val val;
	struct ksr_db_res *res = NULL;
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_QUERY, .table = "version", .keys = &key,
				 .vals = &val, .n = 1, .cols = &col, .ncols = 1};
	int rc, ver;

	if (!f || !con || !table || !table->s || !table->len)
		return -EINVAL;
	val = ksr_db_str(*table);
	rc = run(con, KSR_DB_CAP_QUERY, &cmd, &res);
	if (rc < 0) {
		LM_ERR("%s: cannot read the version of table %.*s from table version: %s\n",
		       con->url.shown, KSR_STR_FMT(*table), strerror(-rc));
		return rc;
	}
	if (res->nrows == 0 || res->ncols < 1) {
		LM_ERR("%s: table %.*s has no row in table version: create the tables with "
		       "kamdbctl\n",
		       con->url.shown, KSR_STR_FMT(*table));
		rc = -ENOENT;
	} else if (version_of(ksr_db_res_val(res, 0, 0), &ver) < 0) {
		LM_ERR("%s: the version of table %.*s in table version is not a number\n",
		       con->url.shown, KSR_STR_FMT(*table));
		rc = -EINVAL;
	} else {
		rc = ver;
	}
	ksr_db_res_free(res);
	return rc;
}

int ksr_db_check_table_version(const struct ksr_db_funcs *f, struct ksr_db_con *con,
			       const struct ksr_str *table, int expected)
{
	int ver = ksr_db_table_version(f, con, table);

	if (ver < 0)
		return ver;
	if (ver == expected)
		return 0;
	LM_ERR("table %.*s has version %d, module expects %d: %s\n", KSR_STR_FMT(*table), ver,
	       expected,
	       ver < expected ? "upgrade the schema with kamdbctl"
			      : "the schema is newer than this module; use the matching kamailio");
	return -EPROTO;
}
