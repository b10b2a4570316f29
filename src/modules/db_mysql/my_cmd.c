/*
 * Running srdb's commands on MySQL/MariaDB: statements built by srdb with a placeholder
 * for every value, prepared once per connection and cached, values bound with their types,
 * rows read through the binary protocol into results typed from the column metadata. Raw
 * queries go through the text protocol. Errors are logged with the server's message and
 * mapped to errno; a lost connection is -ENOTCONN, never retried here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "core/log.h"
#include "db_mysql.h"

const char *const db_mysql_what[] = {
        [KSR_DB_CMD_QUERY] = "query",     [KSR_DB_CMD_INSERT] = "insert",
        [KSR_DB_CMD_UPDATE] = "update",   [KSR_DB_CMD_DELETE] = "delete",
        [KSR_DB_CMD_REPLACE] = "replace", [KSR_DB_CMD_RAW] = "raw query",
};

/* ---- errors ---------------------------------------------------------------------------- */

bool db_mysql_conn_lost(unsigned int code)
{
	switch (code) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_HANDSHAKE_ERR:
	case CR_COMMANDS_OUT_OF_SYNC:
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case ER_ABORTING_CONNECTION:
	case ER_NET_READ_ERROR:
	case ER_NET_READ_INTERRUPTED:
	case ER_NET_ERROR_ON_WRITE:
	case ER_NET_WRITE_INTERRUPTED: return true;
	}
	return false;
}

int db_mysql_errno(unsigned int code)
{
	if (db_mysql_conn_lost(code))
		return -ENOTCONN;
	switch (code) {
	case ER_DUP_ENTRY:
	case ER_DUP_KEY:
	case ER_DUP_ENTRY_WITH_KEY_NAME: return -EEXIST;
	case ER_NO_SUCH_TABLE:
	case ER_BAD_FIELD_ERROR:
	case ER_BAD_TABLE_ERROR:
	case ER_BAD_DB_ERROR: return -ENOENT;
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK: return -EBUSY;
	case ER_OPTION_PREVENTS_STATEMENT: /* --read-only */
	case ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION:
	case ER_OPEN_AS_READONLY: return -EROFS;
	case ER_RECORD_FILE_FULL:
	case ER_DISK_FULL: return -ENOSPC;
	case CR_OUT_OF_MEMORY:
	case ER_OUTOFMEMORY:
	case ER_OUT_OF_SORTMEMORY: return -ENOMEM;
	}
	/* the client library's own errors; the server's are SQL it refuses */
	if (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR)
		return -EIO;
	return -EINVAL;
}

int db_mysql_fail(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, unsigned int code,
                  const char *msg, const char *sql)
{
	if (cmd->table)
		LM_ERR("%s: %s on table %s failed: %s (%u) (%s)\n", c->target.shown,
		       db_mysql_what[cmd->kind], cmd->table, msg, code, sql);
	else
		LM_ERR("%s: %s failed: %s (%u)\n", c->target.shown, db_mysql_what[cmd->kind], msg,
		       code);
	return db_mysql_errno(code);
}

static int fail_stmt(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, MYSQL_STMT *st,
                     const char *sql)
{
	return db_mysql_fail(c, cmd, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
}

static int fail_conn(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, const char *sql)
{
	return db_mysql_fail(c, cmd, mysql_errno(c->my), mysql_error(c->my), sql);
}

/* ---- statements ------------------------------------------------------------------------- */

void db_mysql_cache_clear(struct db_mysql_con *c)
{
	for (int i = 0; i < DB_MYSQL_STMT_CACHE; i++) {
		if (c->cache[i].stmt)
			mysql_stmt_close(c->cache[i].stmt);
		free(c->cache[i].sql);
		c->cache[i] = (struct db_mysql_stmt){0};
	}
}

MYSQL_STMT *db_mysql_prepare(struct db_mysql_con *c, const char *sql, size_t len,
                             unsigned int *ret_err, char *msg, size_t msg_size, bool *ret_cached)
{
	struct db_mysql_stmt *slot = &c->cache[0];
	my_bool on = 1;
	MYSQL_STMT *st;
	char *copy;

	for (int i = 0; i < DB_MYSQL_STMT_CACHE; i++) {
		struct db_mysql_stmt *s = &c->cache[i];

		if (s->sql && strcmp(s->sql, sql) == 0) {
			s->used = ++c->tick;
			if (ret_cached)
				*ret_cached = true;
			return s->stmt;
		}
		if (!s->sql ? slot->sql != NULL : (slot->sql && s->used < slot->used))
			slot = s;
	}
	*ret_err = CR_OUT_OF_MEMORY;
	snprintf(msg, msg_size, "out of memory");
	st = mysql_stmt_init(c->my);
	if (!st)
		return NULL;
	if (mysql_stmt_prepare(st, sql, len)) {
		*ret_err = mysql_stmt_errno(st);
		snprintf(msg, msg_size, "%s", mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	/* store_result() then gives each column's longest value: buffers sized once */
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	copy = strdup(sql);
	if (!copy) {
		mysql_stmt_close(st);
		return NULL;
	}
	if (slot->stmt)
		mysql_stmt_close(slot->stmt);
	free(slot->sql);
	*slot = (struct db_mysql_stmt){copy, st, ++c->tick};
	if (ret_cached)
		*ret_cached = false;
	return st;
}

/* Drop st from the cache (its connection state is unknown after some errors). */
void db_mysql_forget(struct db_mysql_con *c, MYSQL_STMT *st)
{
	for (int i = 0; i < DB_MYSQL_STMT_CACHE; i++) {
		if (c->cache[i].stmt == st) {
			mysql_stmt_close(st);
			free(c->cache[i].sql);
			c->cache[i] = (struct db_mysql_stmt){0};
			return;
		}
	}
}

static int text_put(struct db_mysql_con *c, const char *s, size_t len)
{
	if (c->text_len + len + 1 > c->text_cap) {
		size_t cap = c->text_cap ? c->text_cap : 256;
		char *t;

		while (cap < c->text_len + len + 1)
			cap *= 2;
		t = realloc(c->text, cap);
		if (!t)
			return -ENOMEM;
		c->text = t;
		c->text_cap = cap;
	}
	memcpy(c->text + c->text_len, s, len);
	c->text_len += len;
	c->text[c->text_len] = '\0';
	return 0;
}

static int text_puts(struct db_mysql_con *c, const char *s)
{
	return text_put(c, s, strlen(s));
}

/*
 * The statement to send, from the builder's: with server_timezone 1 a datetime value's
 * '?' becomes FROM_UNIXTIME(?). Names are `quoted` and hold no backquote (the builder
 * refuses them), so every '?' outside backquotes is a placeholder, in binds order.
 */
static int final_text(struct db_mysql_con *c)
{
	const char *s = c->sql.text;
	bool quoted = false;
	int nth = 0, rc = 0;

	c->text_len = 0;
	if (!db_mysql_server_timezone)
		return text_put(c, s, c->sql.len);
	for (size_t i = 0; i < c->sql.len && rc == 0; i++) {
		if (s[i] == '`')
			quoted = !quoted;
		if (s[i] != '?' || quoted) {
			rc = text_put(c, s + i, 1);
			continue;
		}
		if (nth < c->sql.nbinds && c->sql.binds[nth]->type == KSR_DB_DATETIME &&
		    !c->sql.binds[nth]->nul)
			rc = text_puts(c, "FROM_UNIXTIME(?)");
		else
			rc = text_put(c, "?", 1);
		nth++;
	}
	return rc;
}

/* A name as the builder quotes it: each '.'-separated part in backquotes. */
static int put_ident(struct db_mysql_con *c, const struct ksr_str *name)
{
	size_t start = 0;
	int rc = 0;

	for (size_t i = 0; i <= name->len && rc == 0; i++) {
		if (i < name->len && name->s[i] != '.')
			continue;
		if (start)
			rc = text_put(c, ".", 1);
		if (rc == 0)
			rc = text_put(c, "`", 1);
		if (rc == 0)
			rc = text_put(c, name->s + start, i - start);
		if (rc == 0)
			rc = text_put(c, "`", 1);
		start = i + 1;
	}
	return rc;
}

/*
 * REPLACE: INSERT ... ON DUPLICATE KEY UPDATE the other columns. The row keeps its id and
 * the columns not named; the unique keys must be a PRIMARY or UNIQUE key of the table.
 */
static int replace_suffix(struct db_mysql_con *c, const struct ksr_db_cmd *cmd)
{
	int first = cmd->nunique < cmd->n ? cmd->nunique : 0;
	int rc = text_puts(c, " ON DUPLICATE KEY UPDATE ");

	for (int i = first; i < cmd->n && rc == 0; i++) {
		if (i > first)
			rc = text_put(c, ",", 1);
		if (rc == 0)
			rc = put_ident(c, &cmd->keys[i]);
		if (rc == 0)
			rc = text_puts(c, "=VALUES(");
		if (rc == 0)
			rc = put_ident(c, &cmd->keys[i]);
		if (rc == 0)
			rc = text_put(c, ")", 1);
		if (first == 0)
			break; /* every key is unique: a no-op update of the first */
	}
	return rc;
}

static int binds_reserve(struct db_mysql_con *c, int n)
{
	MYSQL_BIND *b;
	MYSQL_TIME *t;
	long long *ll;

	if (n <= c->binds_cap)
		return 0;
	b = realloc(c->binds, (size_t)n * sizeof(*b));
	if (!b)
		return -ENOMEM;
	c->binds = b;
	t = realloc(c->times, (size_t)n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->times = t;
	ll = realloc(c->secs, (size_t)n * sizeof(*ll));
	if (!ll)
		return -ENOMEM;
	c->secs = ll;
	c->binds_cap = n;
	return 0;
}

/* Parameters for c->sql.binds: pointers into the caller's values, which outlive the call. */
static int bind_params(struct db_mysql_con *c, MYSQL_STMT *st)
{
	int n = c->sql.nbinds;

	if (n == 0)
		return 0;
	if (binds_reserve(c, n) < 0)
		return -ENOMEM;
	memset(c->binds, 0, (size_t)n * sizeof(*c->binds));
	for (int i = 0; i < n; i++) {
		const struct ksr_db_val *v = c->sql.binds[i];
		MYSQL_BIND *b = &c->binds[i];

		if (v->nul) {
			b->buffer_type = MYSQL_TYPE_NULL;
			continue;
		}
		switch (v->type) {
		case KSR_DB_INT:
			b->buffer_type = MYSQL_TYPE_LONG;
			b->buffer = (void *)&v->v.i;
			break;
		case KSR_DB_BIGINT:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = (void *)&v->v.ll;
			break;
		case KSR_DB_DOUBLE:
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = (void *)&v->v.d;
			break;
		case KSR_DB_STRING:
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = (void *)v->v.string;
			b->buffer_length = strlen(v->v.string);
			break;
		case KSR_DB_STR:
			/* an empty string is '', not NULL, whatever its pointer */
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = v->v.str.len ? v->v.str.s : "";
			b->buffer_length = v->v.str.len;
			break;
		case KSR_DB_BLOB:
			b->buffer_type = MYSQL_TYPE_BLOB;
			b->buffer = v->v.blob.len ? v->v.blob.s : "";
			b->buffer_length = v->v.blob.len;
			break;
		case KSR_DB_DATETIME:
			if (db_mysql_server_timezone) {
				/* FROM_UNIXTIME(?): the server converts */
				c->secs[i] = (long long)v->v.t;
				b->buffer_type = MYSQL_TYPE_LONGLONG;
				b->buffer = &c->secs[i];
				break;
			}
			db_mysql_time_to_my(v->v.t, &c->times[i]);
			b->buffer_type = MYSQL_TYPE_DATETIME;
			b->buffer = &c->times[i];
			break;
		default: return -EINVAL;
		}
	}
	return mysql_stmt_bind_param(st, c->binds) ? -EINVAL : 0;
}

/* ---- commands --------------------------------------------------------------------------- */

/* Build the statement for cmd (with the REPLACE suffix) into c->text. */
static int build(struct db_mysql_con *c, const struct ksr_db_cmd *cmd)
{
	struct ksr_db_cmd ins;
	int rc;

	if (cmd->kind == KSR_DB_CMD_REPLACE) {
		ins = (struct ksr_db_cmd){.kind = KSR_DB_CMD_INSERT,
		                          .table = cmd->table,
		                          .keys = cmd->keys,
		                          .vals = cmd->vals,
		                          .n = cmd->n};
		rc = ksr_db_sql_build(&c->sql, KSR_DB_SQL_MYSQL, &ins);
	} else {
		rc = ksr_db_sql_build(&c->sql, KSR_DB_SQL_MYSQL, cmd);
	}
	if (rc == 0)
		rc = final_text(c);
	if (rc == 0 && cmd->kind == KSR_DB_CMD_REPLACE)
		rc = replace_suffix(c, cmd);
	if (rc < 0)
		LM_ERR("%s: %s on table %s: %s\n", c->target.shown, db_mysql_what[cmd->kind],
		       cmd->table,
		       rc == -ENOMEM ? "out of memory"
		                     : "a bad column name, operator or value (see srdb's README)");
	return rc;
}

/*
 * A cached statement gone stale: the table changed since it was prepared (ALTER, DROP and
 * CREATE), and the server wants it prepared anew or sends another result layout.
 */
static bool stale(unsigned int err)
{
	return err == ER_NEED_REPREPARE || err == CR_NEW_STMT_METADATA;
}

/* A query, insert, update, delete or replace through a prepared statement. */
static int run_built(struct db_mysql_con *c, const struct ksr_db_cmd *cmd,
                     struct ksr_db_res **ret_res)
{
	char msg[512];
	unsigned int err;
	MYSQL_STMT *st;
	bool cached;
	int rc;

	if ((rc = build(c, cmd)) < 0)
		return rc;
again:
	st = db_mysql_prepare(c, c->text, c->text_len, &err, msg, sizeof(msg), &cached);
	if (!st)
		return db_mysql_fail(c, cmd, err, msg, c->text);
	if ((rc = bind_params(c, st)) < 0) {
		if (rc == -EINVAL)
			return fail_stmt(c, cmd, st, c->text);
		return rc;
	}
	if (mysql_stmt_execute(st)) {
		err = mysql_stmt_errno(st);
		/*
		 * Once more on a new statement: the server ran nothing (ER_NEED_REPREPARE), or
		 * only a SELECT, whose result was not read
		 */
		if (cached && stale(err) &&
		    (err == ER_NEED_REPREPARE || cmd->kind == KSR_DB_CMD_QUERY)) {
			LM_DBG("%s: %s prepared anew: %s\n", c->target.shown, c->text,
			       mysql_stmt_error(st));
			db_mysql_forget(c, st);
			goto again;
		}
		rc = fail_stmt(c, cmd, st, c->text);
		if (!db_mysql_conn_lost(err))
			db_mysql_forget(c, st);
		return rc;
	}
	if (cmd->kind == KSR_DB_CMD_QUERY) {
		rc = db_mysql_collect(c, st, cmd, ret_res);
		if (rc == -ESTALE && cached) {
			db_mysql_forget(c, st);
			goto again;
		}
		if (rc == -ESTALE)
			rc = fail_stmt(c, cmd, st, c->text);
		return rc;
	}
	c->changes = (int)mysql_stmt_affected_rows(st);
	if (cmd->kind == KSR_DB_CMD_INSERT || cmd->kind == KSR_DB_CMD_REPLACE) {
		long long id = (long long)mysql_stmt_insert_id(st);

		if (id)
			c->last_id = id;
	}
	/* ON DUPLICATE KEY UPDATE counts 2 for an updated row: one row was written */
	if (cmd->kind == KSR_DB_CMD_REPLACE)
		c->changes = 1;
	return 0;
}

/* One statement as written, through the text protocol (anything the server takes). */
static int run_raw(struct db_mysql_con *c, const struct ksr_db_cmd *cmd,
                   struct ksr_db_res **ret_res)
{
	const struct ksr_str *sql = cmd->sql;
	MYSQL_RES *r;
	int rc = 0;

	/* no CLIENT_MULTI_STATEMENTS: a second statement is a syntax error */
	if (mysql_real_query(c->my, sql->s, sql->len))
		return fail_conn(c, cmd, NULL);
	r = mysql_store_result(c->my);
	if (!r) {
		if (mysql_field_count(c->my) != 0) /* rows were due */
			return fail_conn(c, cmd, NULL);
		c->changes = (int)mysql_affected_rows(c->my);
		if (mysql_insert_id(c->my))
			c->last_id = (long long)mysql_insert_id(c->my);
		return ret_res ? ksr_db_res_new(0, ret_res) : 0;
	}
	c->changes = (int)mysql_num_rows(r);
	if (ret_res)
		rc = db_mysql_text_result(c, cmd, r, ret_res);
	mysql_free_result(r);
	return rc;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A connection idle for ping_interval is pinged before the statement is sent: the server
 * may have closed it (wait_timeout) or restarted. A dead one is replaced here with
 * auto_reconnect, which is safe because the statement was not sent; without, the call
 * fails with -ENOTCONN and srdb reconnects on the next call.
 */
static int check_idle(struct db_mysql_con *c)
{
	int64_t now = now_ms();
	int64_t idle = now - c->last_use_ms;

	c->last_use_ms = now;
	if (!db_mysql_ping_interval || idle < (int64_t)db_mysql_ping_interval * 1000 ||
	    mysql_ping(c->my) == 0)
		return 0;
	LM_WARN("%s: the connection, idle for %llds, does not answer: %s (%u)\n", c->target.shown,
	        (long long)(idle / 1000), mysql_error(c->my), mysql_errno(c->my));
	if (!db_mysql_auto_reconnect)
		return -ENOTCONN;
	db_mysql_disconnect(c);
	if (db_mysql_connect(c) < 0)
		return -ENOTCONN;
	LM_INFO("%s: reconnected before sending the statement\n", c->target.shown);
	return 0;
}

int db_mysql_exec(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res)
{
	struct db_mysql_con *c = dh;
	int rc;

	if (!c->last_use_ms)
		c->last_use_ms = now_ms();
	if ((rc = check_idle(c)) < 0)
		return rc;
	if (cmd->kind == KSR_DB_CMD_QUERY && !ret_res)
		return -EINVAL;
	switch (cmd->kind) {
	case KSR_DB_CMD_QUERY:
	case KSR_DB_CMD_INSERT:
	case KSR_DB_CMD_UPDATE:
	case KSR_DB_CMD_DELETE:
	case KSR_DB_CMD_REPLACE: return run_built(c, cmd, ret_res);
	case KSR_DB_CMD_RAW: return run_raw(c, cmd, ret_res);
	}
	return -EINVAL;
}

int db_mysql_last_inserted_id(void *dh, long long *ret_id)
{
	struct db_mysql_con *c = dh;

	*ret_id = c->last_id;
	return 0;
}

int db_mysql_affected_rows(void *dh)
{
	struct db_mysql_con *c = dh;

	return c->changes;
}
