/*
 * Running srdb's commands on SQLite: statements built by srdb with a placeholder for
 * every value, prepared once per connection and cached, values bound, rows read into
 * typed result sets. Errors are logged with SQLite's message and mapped to errno.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "db_sqlite.h"

static const char *const what[] = {
	[KSR_DB_CMD_QUERY] = "query", [KSR_DB_CMD_INSERT] = "insert",
	[KSR_DB_CMD_UPDATE] = "update", [KSR_DB_CMD_DELETE] = "delete",
	[KSR_DB_CMD_REPLACE] = "replace", [KSR_DB_CMD_RAW] = "raw query",
};

/* ---- errors ---------------------------------------------------------------------------- */

int db_sqlite_errno(sqlite3 *db, int rc)
{
	const char *msg;

	switch (rc) {
	case SQLITE_READONLY_DBMOVED:
		return -ENOTCONN;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return -EEXIST;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		/* the file is gone, unreadable or replaced: a new connection may do better */
		return -ENOTCONN;
	case SQLITE_ERROR:
		msg = db ? sqlite3_errmsg(db) : "";
		if (strncmp(msg, "no such table", 13) == 0 || strncmp(msg, "no such column", 14) == 0)
			return -ENOENT;
		return -EINVAL;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return -EINVAL;
	}
	return -EIO;
}

/* Log SQLite's message for rc (before the statement is reset) and map it. */
static int fail(struct db_sqlite_con *c, int rc, const struct ksr_db_cmd *cmd, const char *sql)
{
	int err = db_sqlite_errno(c->db, rc);

	if (cmd->table)
		LM_ERR("%s: %s on table %s failed: %s (%s)\n", c->path, what[cmd->kind], cmd->table,
		       sqlite3_errmsg(c->db), sql);
	else
		LM_ERR("%s: %s failed: %s\n", c->path, what[cmd->kind], sqlite3_errmsg(c->db));
	return err;
}

/* ---- datetimes -------------------------------------------------------------------------- */

#define UNIX_EPOCH_JD 2440587.5

double db_sqlite_time_to_julian(time_t t)
{
	return (double)t / 86400.0 + UNIX_EPOCH_JD;
}

/*
 * Upstream writes t - 0.5 s and reads by truncating x + 0.5 s; we write t exactly. Rounding
 * x + 0.75 down reads both as t, whatever the last bits of the double.
 */
time_t db_sqlite_julian_to_time(double jd)
{
	double x = (jd - UNIX_EPOCH_JD) * 86400.0 + 0.75;
	time_t t = (time_t)x;

	if ((double)t > x)
		t--;
	return t;
}

static int digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -EINVAL;
		v = v * 10 + (**p - '0');
	}
	*ret = v;
	return 0;
}

int db_sqlite_text_to_time(const char *s, time_t *ret)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = s;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -EINVAL;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -EINVAL;
			if (*p == '.')
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ret = timegm(&tm);
	return 0;
}

/* ---- statements ------------------------------------------------------------------------- */

void db_sqlite_cache_clear(struct db_sqlite_con *c)
{
	for (int i = 0; i < DB_SQLITE_STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].stmt);
		free(c->cache[i].sql);
		c->cache[i] = (struct db_sqlite_stmt){0};
	}
}

/* The prepared statement for sql (len bytes, NUL-terminated): cached or prepared now. */
static int prepare(struct db_sqlite_con *c, const char *sql, size_t len, sqlite3_stmt **ret)
{
	struct db_sqlite_stmt *slot = &c->cache[0];
	sqlite3_stmt *st;
	char *copy;
	int rc;

	for (int i = 0; i < DB_SQLITE_STMT_CACHE; i++) {
		struct db_sqlite_stmt *s = &c->cache[i];

		if (s->sql && strcmp(s->sql, sql) == 0) {
			s->used = ++c->tick;
			*ret = s->stmt;
			return SQLITE_OK;
		}
		if (!s->sql ? slot->sql != NULL : (slot->sql && s->used < slot->used))
			slot = s;
	}
	if (len >= INT_MAX)
		return SQLITE_TOOBIG;
	rc = sqlite3_prepare_v3(c->db, sql, (int)len + 1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	copy = strdup(sql);
	if (!copy) {
		sqlite3_finalize(st);
		return SQLITE_NOMEM;
	}
	sqlite3_finalize(slot->stmt);
	free(slot->sql);
	*slot = (struct db_sqlite_stmt){copy, st, ++c->tick};
	*ret = st;
	return SQLITE_OK;
}

static int bind_one(sqlite3_stmt *st, int i, const struct ksr_db_val *v)
{
	if (v->nul)
		return sqlite3_bind_null(st, i);
	switch (v->type) {
	case KSR_DB_INT:
		return sqlite3_bind_int(st, i, v->v.i);
	case KSR_DB_BIGINT:
		return sqlite3_bind_int64(st, i, v->v.ll);
	case KSR_DB_DOUBLE:
		return sqlite3_bind_double(st, i, v->v.d);
	case KSR_DB_STRING:
		return sqlite3_bind_text(st, i, v->v.string, -1, SQLITE_STATIC);
	case KSR_DB_STR:
		/* an empty string is '', not NULL, whatever its pointer */
		return sqlite3_bind_text64(st, i, v->v.str.len ? v->v.str.s : "", v->v.str.len,
					   SQLITE_STATIC, SQLITE_UTF8);
	case KSR_DB_BLOB:
		if (!v->v.blob.len)
			return sqlite3_bind_zeroblob(st, i, 0);
		return sqlite3_bind_blob64(st, i, v->v.blob.s, v->v.blob.len, SQLITE_STATIC);
	case KSR_DB_DATETIME:
		return sqlite3_bind_double(st, i, db_sqlite_time_to_julian(v->v.t));
	}
	return SQLITE_MISMATCH;
}

/* ---- results ---------------------------------------------------------------------------- */

/*
 * Our type for a declared column type, by the substrings SQLite's affinity rules look
 * for; 0 when undeclared or unknown (then the first row's values decide).
 */
static enum ksr_db_type decl_type(const char *decl)
{
	static const struct {
		const char *sub;
		enum ksr_db_type type;
	} map[] = {
		{"BIGINT", KSR_DB_BIGINT}, {"INT", KSR_DB_INT},	    {"CHAR", KSR_DB_STR},
		{"CLOB", KSR_DB_STR},	   {"TEXT", KSR_DB_STR},    {"BLOB", KSR_DB_BLOB},
		{"REAL", KSR_DB_DOUBLE},   {"FLOA", KSR_DB_DOUBLE}, {"DOUB", KSR_DB_DOUBLE},
		{"TIME", KSR_DB_DATETIME}, {"DATE", KSR_DB_DATETIME},
	};

	if (!decl)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasestr(decl, map[i].sub))
			return map[i].type;
	return 0;
}

static enum ksr_db_type storage_type(int t)
{
	switch (t) {
	case SQLITE_INTEGER:
		return KSR_DB_INT;
	case SQLITE_FLOAT:
		return KSR_DB_DOUBLE;
	case SQLITE_BLOB:
		return KSR_DB_BLOB;
	default:
		return KSR_DB_STR;
	}
}

static int read_datetime(sqlite3_stmt *st, int i, time_t *ret)
{
	sqlite3_int64 n;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		n = sqlite3_column_int64(st, i);
		/* Julian days stay below 10^7 until the year 22,000: more are Unix seconds */
		if (n > 10000000 || n < -10000000)
			*ret = (time_t)n;
		else
			*ret = db_sqlite_julian_to_time((double)n);
		return 0;
	case SQLITE_FLOAT:
		*ret = db_sqlite_julian_to_time(sqlite3_column_double(st, i));
		return 0;
	case SQLITE_TEXT:
		/* the schema's defaults ('2030-05-28 21:32:15') are text */
		return db_sqlite_text_to_time((const char *)sqlite3_column_text(st, i), ret);
	}
	return -EINVAL;
}

/* Column i of the current row into v (typed as its column). */
static int read_val(struct ksr_db_res *res, sqlite3_stmt *st, int i, struct ksr_db_val *v)
{
	const void *p;
	size_t n;
	char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0; /* add_row made it null */
	v->nul = false;
	switch (v->type) {
	case KSR_DB_INT:
		v->v.i = sqlite3_column_int(st, i);
		return 0;
	case KSR_DB_BIGINT:
		v->v.ll = sqlite3_column_int64(st, i);
		return 0;
	case KSR_DB_DOUBLE:
		v->v.d = sqlite3_column_double(st, i);
		return 0;
	case KSR_DB_DATETIME:
		return read_datetime(st, i, &v->v.t);
	case KSR_DB_BLOB:
		p = sqlite3_column_blob(st, i);
		break;
	default:
		v->type = KSR_DB_STR;
		p = sqlite3_column_text(st, i);
		break;
	}
	n = (size_t)sqlite3_column_bytes(st, i);
	s = ksr_db_res_copy(res, p, n);
	if (!s)
		return -ENOMEM;
	v->v.str = ksr_str_make(s, n);
	return 0;
}

/* Step st to the end, its rows into a new *ret_res. SQLite code, or a negative errno. */
static int collect(struct db_sqlite_con *c, sqlite3_stmt *st, const struct ksr_db_cmd *cmd,
		   struct ksr_db_res **ret_res)
{
	struct ksr_db_res *res;
	int ncols = sqlite3_column_count(st), rc;

	if ((rc = ksr_db_res_new(ncols, &res)) < 0)
		return rc;
	for (int i = 0; i < ncols; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (!name || ksr_db_res_set_col(res, i, name, strlen(name),
						decl_type(sqlite3_column_decltype(st, i))) < 0) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ksr_db_val *vals;

		if (res->nrows == 0)
			for (int i = 0; i < ncols; i++)
				if (!res->types[i])
					res->types[i] = storage_type(sqlite3_column_type(st, i));
		vals = ksr_db_res_add_row(res);
		if (!vals) {
			rc = -ENOMEM;
			goto fail;
		}
		for (int i = 0; i < ncols; i++) {
			if ((rc = read_val(res, st, i, &vals[i])) < 0) {
				if (rc == -EINVAL)
					LM_ERR("%s: %s: column %s of row %d holds no valid date\n",
					       c->path, what[cmd->kind], res->names[i].s, res->nrows);
				goto fail;
			}
		}
	}
	if (rc != SQLITE_DONE)
		goto fail;
	for (int i = 0; i < ncols; i++)
		if (!res->types[i])
			res->types[i] = KSR_DB_STR;
	*ret_res = res;
	return SQLITE_OK;

fail:
	ksr_db_res_free(res);
	return rc;
}

/* ---- commands --------------------------------------------------------------------------- */

/* Run c->sql (built for cmd): rows into *ret_res when given. 0 or -errno (logged). */
static int run_built(struct db_sqlite_con *c, const struct ksr_db_cmd *cmd,
		     struct ksr_db_res **ret_res)
{
	sqlite3_stmt *st;
	int rc, err = 0;

	rc = ksr_db_sql_build(&c->sql, KSR_DB_SQL_SQLITE, cmd);
	if (rc < 0) {
		LM_ERR("%s: %s on table %s: %s\n", c->path, what[cmd->kind], cmd->table,
		       rc == -ENOMEM ? "out of memory"
				     : "a bad column name, operator or value (see srdb's README)");
		return rc;
	}
	rc = prepare(c, c->sql.text, c->sql.len, &st);
	if (rc != SQLITE_OK)
		return fail(c, rc, cmd, c->sql.text);
	for (int i = 0; i < c->sql.nbinds && rc == SQLITE_OK; i++)
		rc = bind_one(st, i + 1, c->sql.binds[i]);
	if (rc == SQLITE_OK) {
		if (ret_res) {
			rc = collect(c, st, cmd, ret_res);
		} else {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				;
			if (rc == SQLITE_DONE) {
				rc = SQLITE_OK;
				c->changes = sqlite3_changes(c->db);
			}
		}
	}
	if (rc < 0)
		err = rc;
	else if (rc != SQLITE_OK)
		err = fail(c, rc, cmd, c->sql.text);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return err;
}

/* A statement without values (BEGIN, COMMIT, ...). */
static int run_plain(struct db_sqlite_con *c, const struct ksr_db_cmd *cmd, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(c, sql, strlen(sql), &st);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	rc = rc == SQLITE_OK ? 0 : fail(c, rc, cmd, sql);
	if (st)
		sqlite3_reset(st);
	return rc;
}

/*
 * UPDATE the row the unique keys name; INSERT when there is none. In one transaction
 * (a savepoint inside one the caller opened), so that no other writer comes between.
 */
static int run_replace(struct db_sqlite_con *c, const struct ksr_db_cmd *cmd)
{
	struct ksr_db_cmd upd = {.kind = KSR_DB_CMD_UPDATE, .table = cmd->table, .keys = cmd->keys,
				 .vals = cmd->vals, .n = cmd->nunique, .cols = cmd->keys,
				 .uvals = cmd->vals, .ncols = cmd->n};
	struct ksr_db_cmd ins = {.kind = KSR_DB_CMD_INSERT, .table = cmd->table, .keys = cmd->keys,
				 .vals = cmd->vals, .n = cmd->n};
	bool outer = sqlite3_get_autocommit(c->db);
	int rc;

	rc = run_plain(c, cmd, outer ? "BEGIN IMMEDIATE" : "SAVEPOINT ksr_replace");
	if (rc < 0)
		return rc;
	rc = run_built(c, &upd, NULL);
	if (rc == 0 && c->changes == 0)
		rc = run_built(c, &ins, NULL);
	if (rc == 0)
		rc = run_plain(c, cmd, outer ? "COMMIT" : "RELEASE ksr_replace");
	if (rc < 0) {
		if (outer) {
			if (!sqlite3_get_autocommit(c->db))
				run_plain(c, cmd, "ROLLBACK");
		} else {
			run_plain(c, cmd, "ROLLBACK TO ksr_replace");
			run_plain(c, cmd, "RELEASE ksr_replace");
		}
		return rc;
	}
	c->changes = 1;
	return 0;
}

static bool only_space(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != ';')
			return false;
	return true;
}

/* One statement as written: not cached (the text varies), rows into *ret_res if given. */
static int run_raw(struct db_sqlite_con *c, const struct ksr_db_cmd *cmd,
		   struct ksr_db_res **ret_res)
{
	const struct ksr_str *sql = cmd->sql;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc, err = 0;

	if (sql->len >= INT_MAX)
		return -EINVAL;
	rc = sqlite3_prepare_v2(c->db, sql->s, (int)sql->len, &st, &tail);
	if (rc != SQLITE_OK)
		return fail(c, rc, cmd, NULL);
	if (!st || (tail && !only_space(tail, sql->s + sql->len))) {
		LM_ERR("%s: raw query: %s\n", c->path,
		       st ? "more than one statement (run them one by one)" : "no statement");
		sqlite3_finalize(st);
		return -EINVAL;
	}
	if (ret_res) {
		rc = collect(c, st, cmd, ret_res);
	} else {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK)
		c->changes = sqlite3_changes(c->db);
	else
		err = rc < 0 ? rc : fail(c, rc, cmd, NULL);
	sqlite3_finalize(st);
	return err;
}

/* Whether the file we opened is still the one at our path (not removed or replaced). */
static int check_moved(struct db_sqlite_con *c)
{
	int moved = 0;

	if (sqlite3_file_control(c->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
	    moved) {
		LM_ERR("%s: the database file was removed or replaced\n", c->path);
		return -ENOTCONN;
	}
	return 0;
}

int db_sqlite_exec(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res)
{
	struct db_sqlite_con *c = dh;
	int rc;

	if ((rc = check_moved(c)) < 0)
		return rc;
	switch (cmd->kind) {
	case KSR_DB_CMD_QUERY:
		return run_built(c, cmd, ret_res);
	case KSR_DB_CMD_INSERT:
	case KSR_DB_CMD_UPDATE:
	case KSR_DB_CMD_DELETE:
		return run_built(c, cmd, NULL);
	case KSR_DB_CMD_REPLACE:
		return run_replace(c, cmd);
	case KSR_DB_CMD_RAW:
		return run_raw(c, cmd, ret_res);
	}
	return -EINVAL;
}

int db_sqlite_last_inserted_id(void *dh, long long *ret_id)
{
	struct db_sqlite_con *c = dh;

	*ret_id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

int db_sqlite_affected_rows(void *dh)
{
	struct db_sqlite_con *c = dh;

	return c->changes;
}
