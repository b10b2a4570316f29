/*
 * db_sqlite: the SQLite driver of the database API (src/lib/srdb). Exports the driver as
 * the API "db_sqlite"; this file holds the module parameters and opening and closing a
 * database file, sqlite_cmd.c runs the commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/module/module-t.h"
#include "db_sqlite.h"

/* A path given to db_set_readonly or db_set_journal_mode. */
struct path_opt {
	char *path; /* absolute */
	char mode[16]; /* journal mode, db_set_journal_mode only */
	struct path_opt *next;
};

static struct path_opt *readonly_paths;
static struct path_opt *journal_paths;
/* Our additions: upstream sets neither a default journal mode nor a busy timeout. */
static char journal_mode[16] = "WAL";
static int busy_timeout = 5000; /* ms */

static const char *const journal_modes[] = {"DELETE", "TRUNCATE", "PERSIST",
					    "MEMORY", "WAL",      "OFF"};

/* mode, upper-cased into out; -EINVAL unless it is one of journal_modes ("" is none). */
static int journal_mode_parse(const char *s, size_t len, char out[16])
{
	for (size_t i = 0; i < sizeof(journal_modes) / sizeof(journal_modes[0]); i++) {
		if (strlen(journal_modes[i]) == len && strncasecmp(s, journal_modes[i], len) == 0) {
			memcpy(out, journal_modes[i], len + 1);
			return 0;
		}
	}
	return -EINVAL;
}

/* An absolute path: "etc/k.db" (sqlite:///etc/k.db, as upstream parses it) is "/etc/k.db". */
static char *abs_path(const char *s, size_t len)
{
	char *p;

	if (len == 0 || memchr(s, '\0', len))
		return NULL;
	if (s[0] == '/')
		return strndup(s, len);
	if (asprintf(&p, "/%.*s", (int)len, s) < 0)
		return NULL;
	return p;
}

static struct path_opt *find_path(struct path_opt *list, const char *path)
{
	for (; list; list = list->next)
		if (strcmp(list->path, path) == 0)
			return list;
	return NULL;
}

static int add_path(struct path_opt **list, const char *s, size_t len, const char *mode,
		    const char **ret_err)
{
	struct path_opt *o = calloc(1, sizeof(*o));

	if (!o || !(o->path = abs_path(s, len))) {
		free(o);
		*ret_err = len ? "out of memory" : "the path is empty";
		return len ? -ENOMEM : -EINVAL;
	}
	if (mode)
		memcpy(o->mode, mode, strlen(mode) + 1);
	o->next = *list;
	*list = o;
	return 0;
}

static int set_readonly(const struct ksr_fparam *val, const char **ret_err)
{
	if (val->type != KSR_PT_STR) {
		*ret_err = "db_set_readonly takes the path of a database file";
		return -EINVAL;
	}
	return add_path(&readonly_paths, val->s.s, val->s.len, NULL, ret_err);
}

/* "/var/db.sqlite=WAL;" as upstream: path, '=', mode, an optional ';'. */
static int set_journal_mode_path(const struct ksr_fparam *val, const char **ret_err)
{
	struct ksr_str v, mode;
	char m[16];
	const char *eq;

	*ret_err = "db_set_journal_mode takes \"/path/to/file.db=MODE\" with MODE one of DELETE, "
		   "TRUNCATE, PERSIST, MEMORY, WAL, OFF";
	if (val->type != KSR_PT_STR)
		return -EINVAL;
	v = val->s;
	ksr_str_trim(&v);
	if (v.len && v.s[v.len - 1] == ';')
		v.len--;
	eq = v.len ? memrchr(v.s, '=', v.len) : NULL;
	if (!eq)
		return -EINVAL;
	mode = ksr_str_make((char *)eq + 1, v.len - (size_t)(eq + 1 - v.s));
	ksr_str_trim(&mode);
	if (journal_mode_parse(mode.s, mode.len, m) < 0)
		return -EINVAL;
	v.len = (size_t)(eq - v.s);
	ksr_str_trim(&v);
	return add_path(&journal_paths, v.s, v.len, m, ret_err);
}

static int set_journal_mode(const struct ksr_fparam *val, const char **ret_err)
{
	if (val->type == KSR_PT_STR && val->s.len == 0) {
		journal_mode[0] = '\0'; /* SQLite's default, as upstream */
		return 0;
	}
	if (val->type != KSR_PT_STR || journal_mode_parse(val->s.s, val->s.len, journal_mode) < 0) {
		*ret_err = "journal_mode must be DELETE, TRUNCATE, PERSIST, MEMORY, WAL, OFF or \"\"";
		return -EINVAL;
	}
	return 0;
}

static int set_busy_timeout(const struct ksr_fparam *val, const char **ret_err)
{
	long v;
	char *end;

	if (val->type == KSR_PT_INT) {
		v = val->i;
	} else {
		v = strtol(val->s.s, &end, 10);
		if (end == val->s.s || *end)
			v = -1;
	}
	if (v < 0 || v > 3600000) {
		*ret_err = "busy_timeout must be milliseconds from 0 to 3600000";
		return -EINVAL;
	}
	busy_timeout = (int)v;
	return 0;
}

/* ---- connections --------------------------------------------------------------------- */

/* Run a PRAGMA; its first result column, if any, into out. */
static int pragma(struct db_sqlite_con *c, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, size, "%s", t ? (const char *)t : "");
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

static void db_close(void *dh)
{
	struct db_sqlite_con *c = dh;

	if (!c)
		return;
	db_sqlite_cache_clear(c);
	sqlite3_close_v2(c->db);
	ksr_db_sql_free(&c->sql);
	free(c->path);
	free(c);
}

/* WAL (or what db_set_journal_mode/journal_mode say), and a check that it is a database. */
static int setup(struct db_sqlite_con *c, bool readonly)
{
	struct path_opt *o = find_path(journal_paths, c->path);
	const char *mode = o ? o->mode : readonly ? "" : journal_mode;
	char sql[64], got[32] = "";
	int rc;

	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, busy_timeout);
	if (!*mode)
		return pragma(c, "PRAGMA schema_version", NULL, 0);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s", mode);
	rc = pragma(c, sql, got, sizeof(got));
	if (rc != SQLITE_OK && readonly) {
		/* a read-only connection cannot change the mode: read with what the file has */
		LM_WARN("%s: journal mode %s not set on a read-only connection: %s\n", c->path,
			mode, sqlite3_errmsg(c->db));
		return pragma(c, "PRAGMA schema_version", NULL, 0);
	}
	if (rc != SQLITE_OK)
		return rc;
	if (strcasecmp(got, mode) != 0)
		LM_WARN("%s: journal mode %s refused, SQLite keeps %s\n", c->path, mode, got);
	return SQLITE_OK;
}

static int db_open(const struct ksr_db_url *url, void **ret_dh)
{
	struct db_sqlite_con *c;
	bool readonly;
	int rc, flags;

	if (url->host[0] || url->port || url->user) {
		LM_ERR("%s: an sqlite URL names a file, no host or user: sqlite:///path/to/file.db\n",
		       url->shown);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = abs_path(url->database, strlen(url->database)))) {
		free(c);
		return -ENOMEM;
	}
	readonly = find_path(readonly_paths, c->path) != NULL;
	/*
	 * NOMUTEX: a connection is used by one thread at a time (srdb's rule). No CREATE: a
	 * database is made with its tables (kamdbctl), and a file that went away must not
	 * come back empty at a reconnect, sharing the -wal file the old one left behind.
	 */
	flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(c->path, &c->db, flags, NULL);
	if (rc == SQLITE_OK)
		rc = setup(c, readonly);
	if (rc != SQLITE_OK) {
		LM_ERR("cannot open database %s%s: %s\n", c->path, readonly ? " (read-only)" : "",
		       c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		db_close(c);
		return -ENOTCONN;
	}
	LM_DBG("opened %s%s\n", c->path, readonly ? " read-only" : "");
	*ret_dh = c;
	return 0;
}

static const struct ksr_db_driver driver = {
	KSR_DB_DRIVER_HEAD,
	.scheme = "sqlite",
	.caps = KSR_DB_CAP_QUERY | KSR_DB_CAP_RAW_QUERY | KSR_DB_CAP_INSERT | KSR_DB_CAP_DELETE |
		KSR_DB_CAP_UPDATE | KSR_DB_CAP_REPLACE | KSR_DB_CAP_LAST_INSERTED_ID |
		KSR_DB_CAP_AFFECTED_ROWS,
	.open = db_open,
	.close = db_close,
	.exec = db_sqlite_exec,
	.last_inserted_id = db_sqlite_last_inserted_id,
	.affected_rows = db_sqlite_affected_rows,
};

/* ---- module ---------------------------------------------------------------------------- */

static int mod_init(void)
{
	/* each worker thread opens its own connections: the library must allow threads */
	if (!sqlite3_threadsafe()) {
		LM_ERR("libsqlite3 %s was built without thread support\n", sqlite3_libversion());
		return -1;
	}
	LM_DBG("libsqlite3 %s\n", sqlite3_libversion());
	return 0;
}

static void free_paths(struct path_opt **list)
{
	struct path_opt *o, *next;

	for (o = *list; o; o = next) {
		next = o->next;
		free(o->path);
		free(o);
	}
	*list = NULL;
}

static void destroy(void)
{
	free_paths(&readonly_paths);
	free_paths(&journal_paths);
}

static const struct ksr_param_export params[] = {
	{"db_set_readonly", KSR_MP_FUNC, NULL, set_readonly},
	{"db_set_journal_mode", KSR_MP_FUNC, NULL, set_journal_mode_path},
	{"journal_mode", KSR_MP_FUNC, NULL, set_journal_mode},
	{"busy_timeout", KSR_MP_FUNC, NULL, set_busy_timeout},
	{0},
};

static const struct ksr_api_export apis[] = {{"db_sqlite", &driver}, {0}};

KSR_MODULE(.name = "db_sqlite", .params = params, .apis = apis, .mod_init = mod_init,
	   .destroy = destroy);
