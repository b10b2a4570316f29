/*
 * db_sqlite through srdb's public API, as a module uses it: the real db_sqlite.so loaded,
 * a temporary database made from the generated schema (utils/db/sqlite), every value
 * type, every operation, version checks, and the failures an operator meets (missing
 * table, file removed, read-only, locked) reported and recovered from.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/module/module.h"
#include "lib/srdb/db.h"

#define S(x) KSR_STR_STATIC(x)

static char dir[] = "/tmp/ksr-db-sqlite-XXXXXX";
static char path[256], url[300];
static struct ksr_db_funcs f;
static struct ksr_db_con *con;

/* ---- helpers ----------------------------------------------------------------------------- */

static char logbuf[16384];
static FILE *cap;
static int saved_fd = -1;

static void capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	assert_non_null(cap);
	saved_fd = dup(2);
	dup2(fileno(cap), 2);
}

static const char *captured(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	saved_fd = -1;
	rewind(cap);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, cap);
	logbuf[n] = '\0';
	fclose(cap);
	return logbuf;
}

/* After a test: a capture a failed assertion left open shows what it hid (cmocka's
 * message among it). */
static void uncapture(void)
{
	if (saved_fd >= 0)
		fputs(captured(), stderr);
}

static void assert_logged(const char *log, const char *text)
{
	if (!strstr(log, text))
		fail_msg("log has no \"%s\":\n%s", text, log);
}

static char *slurp(const char *file)
{
	FILE *fp = fopen(file, "r");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void remove_db(const char *p)
{
	char side[300];

	unlink(p);
	snprintf(side, sizeof(side), "%s-wal", p);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", p);
	unlink(side);
}

/* A new database at p with every table of the generated schema, as kamdbctl makes it. */
static void make_db(const char *p)
{
	static const char *const groups[] = {"standard", "usrloc",	"auth_db", "registrar",
					     "acc",	 "permissions", "domain"};
	sqlite3 *db;

	remove_db(p);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		char file[512], *sql, *err = NULL;

		snprintf(file, sizeof(file), "%s/%s-create.sql", KSR_SCHEMA_DIR, groups[i]);
		sql = slurp(file);
		if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
			fail_msg("%s: %s", file, err);
		free(sql);
	}
	sqlite3_close(db);
}

static void set_param(const char *name, const char *sval, long ival)
{
	struct ksr_fparam v = sval ? (struct ksr_fparam){.type = KSR_PT_STR,
							  .s = ksr_str_make((char *)sval, strlen(sval))}
				   : (struct ksr_fparam){.type = KSR_PT_INT, .i = ival};
	const char *err = NULL;

	if (ksr_module_set_param("db_sqlite", name, &v, &err) < 0)
		fail_msg("modparam %s: %s", name, err);
}

static int count_rows(const char *table)
{
	struct ksr_str t = ksr_str_make((char *)table, strlen(table));
	struct ksr_db_res *res;
	int n;

	assert_int_equal(f.use_table(con, &t), 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	n = res->nrows;
	f.free_result(con, res);
	return n;
}

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = s};

	return timegm(&tm);
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	char *why = NULL;

	ksr_module_path = strdup(KSR_MODULES_BUILD_DIR);
	if (ksr_module_load("db_sqlite", &why) < 0) {
		fprintf(stderr, "cannot load db_sqlite: %s\n", why);
		free(why);
		return -1;
	}
	if (ksr_modules_init() < 0 || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/kamailio.db", dir);
	/* three slashes and an absolute path: "sqlite:///tmp/..." */
	snprintf(url, sizeof(url), "sqlite://%s", path);
	return ksr_db_bind(url, &f) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	char p[300];

	remove_db(path);
	snprintf(p, sizeof(p), "%s/ro.db", dir);
	remove_db(p);
	rmdir(dir);
	ksr_modules_destroy();
	ksr_modules_unload();
	free(ksr_module_path);
	ksr_module_path = NULL;
	return 0;
}

static int setup(void **state)
{
	make_db(path);
	return f.init(url, &con);
}

static int teardown(void **state)
{
	uncapture();
	f.close(con);
	con = NULL;
	return 0;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_bind(void **state)
{
	struct ksr_db_funcs g;
	struct ksr_db_con *c = NULL;

	assert_true(ksr_db_has_caps(&f, KSR_DB_CAP_QUERY | KSR_DB_CAP_RAW_QUERY | KSR_DB_CAP_INSERT |
						KSR_DB_CAP_UPDATE | KSR_DB_CAP_DELETE |
						KSR_DB_CAP_REPLACE | KSR_DB_CAP_LAST_INSERTED_ID |
						KSR_DB_CAP_AFFECTED_ROWS));
	/* four slashes mean the same file */
	assert_int_equal(ksr_db_bind("sqlite:////var/lib/kamailio/kamailio.db", &g), 0);
	capture();
	assert_int_equal(ksr_db_bind("mysql://kamailio:pw@localhost/kamailio", &g), -ENOENT);
	assert_logged(captured(), "add loadmodule \"db_mysql.so\"");
	/* a host in an sqlite URL is refused, not ignored */
	capture();
	assert_int_equal(f.init("sqlite://somehost/var/k.db", &c), -EINVAL);
	assert_logged(captured(), "an sqlite URL names a file, no host or user");
	assert_null(c);
	/* a file that cannot be created */
	capture();
	assert_int_equal(f.init("sqlite:///nonexistent-dir/sub/k.db", &c), -ENOTCONN);
	assert_null(c);
	assert_logged(captured(), "cannot open database /nonexistent-dir/sub/k.db");
}

static void test_versions(void **state)
{
	static const struct {
		const char *table;
		int version;
	} expected[] = {{"version", 1}, {"location", 9}, {"location_attrs", 1}, {"subscriber", 7},
			{"aliases", 8}, {"acc", 5}, {"missed_calls", 4}, {"address", 6},
			{"trusted", 6}, {"domain", 2}};
	struct ksr_str loc = S("location"), key = S("table_name"), col = S("table_version");
	struct ksr_str vt = S("version"), nosuch = S("nosuch");
	struct ksr_db_val where = ksr_db_string("location"), eight = ksr_db_int(8);
	const char *log;

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		struct ksr_str t = ksr_str_make((char *)expected[i].table, strlen(expected[i].table));

		assert_int_equal(ksr_db_table_version(&f, con, &t), expected[i].version);
		assert_int_equal(ksr_db_check_table_version(&f, con, &t, expected[i].version), 0);
	}
	/* a database made for an older location table */
	assert_int_equal(f.use_table(con, &vt), 0);
	assert_int_equal(f.update(con, &key, NULL, &where, &col, &eight, 1, 1), 0);
	assert_int_equal(f.affected_rows(con), 1);
	capture();
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), -EPROTO);
	assert_int_equal(ksr_db_check_table_version(&f, con, &nosuch, 1), -ENOENT);
	log = captured();
	assert_logged(log, "table location has version 8, module expects 9: upgrade the schema "
			   "with kamdbctl");
	assert_logged(log, "table nosuch has no row in table version");

	/* no version table at all: an error, not a crash or a 0 */
	assert_int_equal(f.raw_query(con, &S("DROP TABLE version"), NULL), 0);
	capture();
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), -ENOENT);
	assert_logged(captured(), "no such table: version");
}

/* Every value type in, the same value and type out; nothing a value holds becomes SQL. */
static void test_types(void **state)
{
	static const char evil[] = "it's \"quoted\"; DROP TABLE t; --";
	static const char blob[] = {'a', '\0', 'b', '\xff'};
	struct ksr_str keys[] = {S("i"), S("b"), S("d"), S("s"), S("x"), S("bl"), S("dt"), S("n")};
	struct ksr_str t = S("t");
	struct ksr_db_val vals[] = {
		ksr_db_int(-2147483647 - 1),
		ksr_db_bigint(9007199254740993LL),
		ksr_db_double(0.125),
		ksr_db_string(evil),
		ksr_db_str(ksr_str_make("counted-but-longer", 7)),
		ksr_db_blob(blob, sizeof(blob)),
		ksr_db_datetime(utc(2024, 2, 29, 23, 59, 58)),
		ksr_db_null(KSR_DB_INT),
	};
	struct ksr_db_res *res;
	const struct ksr_db_val *v;
	long long id;

	assert_int_equal(f.raw_query(con,
				     &S("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, b BIGINT, "
					"d DOUBLE, s VARCHAR(64), x TEXT, bl BLOB, dt TIMESTAMP, "
					"n INT)"),
				     NULL),
			 0);
	assert_int_equal(f.use_table(con, &t), 0);
	assert_int_equal(f.insert(con, keys, vals, 8), 0);
	assert_int_equal(f.affected_rows(con), 1);
	assert_int_equal(f.last_inserted_id(con, &id), 0);
	assert_int_equal(id, 1);
	/* empty values are '' and an empty blob, not NULL */
	vals[3] = ksr_db_string("");
	vals[4] = ksr_db_str(KSR_STR_NULL);
	vals[5] = ksr_db_blob(NULL, 0);
	assert_int_equal(f.insert(con, keys, vals, 8), 0);
	assert_int_equal(f.last_inserted_id(con, &id), 0);
	assert_int_equal(id, 2);

	assert_int_equal(f.query(con, NULL, NULL, NULL, keys, 0, 8, &S("id"), &res), 0);
	assert_int_equal(res->nrows, 2);
	assert_int_equal(res->ncols, 8);
	assert_int_equal(res->types[0], KSR_DB_INT);
	assert_int_equal(res->types[1], KSR_DB_BIGINT);
	assert_int_equal(res->types[2], KSR_DB_DOUBLE);
	assert_int_equal(res->types[3], KSR_DB_STR);
	assert_int_equal(res->types[4], KSR_DB_STR);
	assert_int_equal(res->types[5], KSR_DB_BLOB);
	assert_int_equal(res->types[6], KSR_DB_DATETIME);
	assert_int_equal(res->types[7], KSR_DB_INT);
	assert_string_equal(res->names[5].s, "bl");
	assert_int_equal(ksr_db_res_col(res, "DT"), 6);
	assert_int_equal(ksr_db_res_col(res, "nope"), -1);

	v = ksr_db_res_val(res, 0, 0);
	assert_false(v->nul);
	assert_int_equal(v->v.i, -2147483647 - 1);
	assert_true(ksr_db_res_val(res, 0, 1)->v.ll == 9007199254740993LL);
	assert_true(ksr_db_res_val(res, 0, 2)->v.d == 0.125);
	v = ksr_db_res_val(res, 0, 3);
	assert_int_equal(v->v.str.len, strlen(evil));
	assert_string_equal(v->v.string, evil); /* NUL-terminated: string reads the same */
	v = ksr_db_res_val(res, 0, 4);
	assert_int_equal(v->v.str.len, 7);
	assert_string_equal(v->v.str.s, "counted");
	v = ksr_db_res_val(res, 0, 5);
	assert_int_equal(v->v.blob.len, sizeof(blob));
	assert_memory_equal(v->v.blob.s, blob, sizeof(blob));
	assert_int_equal(ksr_db_res_val(res, 0, 6)->v.t, utc(2024, 2, 29, 23, 59, 58));
	assert_true(ksr_db_res_val(res, 0, 7)->nul);
	assert_int_equal(ksr_db_res_val(res, 0, 7)->type, KSR_DB_INT);

	for (int c = 3; c <= 5; c++) {
		v = ksr_db_res_val(res, 1, c);
		assert_false(v->nul);
		assert_int_equal(v->v.str.len, 0);
	}
	f.free_result(con, res);

	/* WHERE on each type finds the row */
	for (int k = 0; k < 7; k++) {
		struct ksr_db_val w[] = {vals[k]};

		if (k >= 3 && k <= 5)
			continue; /* changed for row 2 */
		assert_int_equal(f.query(con, &keys[k], NULL, w, &S("id"), 1, 1, NULL, &res), 0);
		if (res->nrows != 2)
			fail_msg("WHERE %s: %d rows", keys[k].s, res->nrows);
		f.free_result(con, res);
	}
	/* IS NULL and IS NOT NULL */
	{
		struct ksr_db_val nul = ksr_db_null(KSR_DB_INT);
		enum ksr_db_op ne = KSR_DB_NE;

		assert_int_equal(f.query(con, &keys[7], NULL, &nul, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 2);
		f.free_result(con, res);
		assert_int_equal(f.query(con, &keys[7], &ne, &nul, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 0);
		assert_int_equal(res->ncols, 9); /* SELECT *: the columns even without rows */
		f.free_result(con, res);
	}
	/* the table is still there */
	assert_int_equal(count_rows("t"), 2);
}

/* Datetimes are stored as upstream stores them (Julian day numbers) and read back from
 * every form an SQLite file may hold: ours, upstream's, the schema's text defaults. */
static void test_datetime(void **state)
{
	time_t t = utc(2030, 5, 28, 21, 32, 15), now = time(NULL);
	struct ksr_str keys[] = {S("ruid"), S("username"), S("contact"), S("expires")};
	struct ksr_db_val vals[] = {ksr_db_string("r1"), ksr_db_string("alice"),
				    ksr_db_string("sip:alice@192.0.2.1"), ksr_db_datetime(now)};
	struct ksr_str loc = S("location");
	struct ksr_str cols[] = {S("expires"), S("last_modified")};
	struct ksr_db_res *res;
	char sql[256];
	struct ksr_str sqls;

	assert_int_equal(f.use_table(con, &loc), 0);
	assert_int_equal(f.insert(con, keys, vals, 4), 0);
	assert_int_equal(f.raw_query(con,
				     &S("SELECT typeof(expires), datetime(expires), "
					"typeof(last_modified) FROM location"),
				     &res),
			 0);
	assert_int_equal(res->nrows, 1);
	assert_string_equal(ksr_db_res_val(res, 0, 0)->v.string, "real");
	{
		char want[32];
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &tm);
		/* SQLite's own date functions read what we stored */
		assert_string_equal(ksr_db_res_val(res, 0, 1)->v.string, want);
	}
	/* the schema's default is text, as upstream's scripts leave it */
	assert_string_equal(ksr_db_res_val(res, 0, 2)->v.string, "text");
	f.free_result(con, res);

	assert_int_equal(f.use_table(con, &loc), 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, cols, 0, 2, NULL, &res), 0);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.t, now);
	assert_int_equal(ksr_db_res_val(res, 0, 1)->v.t, utc(2000, 1, 1, 0, 0, 1));
	f.free_result(con, res);

	/* as upstream's driver writes it: half a second early */
	snprintf(sql, sizeof(sql), "UPDATE location SET expires = %.17g",
		 ((double)t - 0.5) / 86400.0 + 2440587.5);
	sqls = ksr_str_make(sql, strlen(sql));
	assert_int_equal(f.raw_query(con, &sqls, NULL), 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, cols, 0, 1, NULL, &res), 0);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.t, t);
	f.free_result(con, res);
	/* SQLite's julianday() and Unix seconds written by other tools */
	assert_int_equal(f.raw_query(con, &S("UPDATE location SET expires = julianday('2030-05-28 "
					     "21:32:15'), last_modified = 1700000000"),
				     NULL),
			 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, cols, 0, 2, NULL, &res), 0);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.t, t);
	assert_int_equal(ksr_db_res_val(res, 0, 1)->v.t, 1700000000);
	f.free_result(con, res);

	/* comparisons work on the stored form: expired contacts */
	{
		struct ksr_str k = S("expires");
		struct ksr_db_val later = ksr_db_datetime(t + 1), earlier = ksr_db_datetime(t - 1);
		enum ksr_db_op lt = KSR_DB_LT;

		assert_int_equal(f.query(con, &k, &lt, &later, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		f.free_result(con, res);
		assert_int_equal(f.query(con, &k, &lt, &earlier, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 0);
		f.free_result(con, res);
	}

	/* text that is no date fails the query cleanly */
	assert_int_equal(f.raw_query(con, &S("UPDATE location SET expires = 'soon'"), NULL), 0);
	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, cols, 0, 1, NULL, &res), -EINVAL);
	assert_logged(captured(), "column expires of row 1 holds no valid date");
}

static void add_subscriber(const char *user, const char *domain, const char *ha1)
{
	struct ksr_str keys[] = {S("username"), S("domain"), S("ha1")};
	struct ksr_db_val vals[] = {ksr_db_string(user), ksr_db_string(domain),
				    ksr_db_string(ha1)};

	assert_int_equal(f.insert(con, keys, vals, 3), 0);
}

static void test_update_delete_replace(void **state)
{
	struct ksr_str sub = S("subscriber");
	struct ksr_str keys[] = {S("username"), S("domain"), S("ha1")};
	struct ksr_str idcol = S("id");
	struct ksr_db_res *res;
	long long id, id2;

	assert_int_equal(f.use_table(con, &sub), 0);
	add_subscriber("alice", "example.com", "a1");
	add_subscriber("bob", "example.com", "b1");
	add_subscriber("carol", "example.org", "c1");
	assert_int_equal(f.last_inserted_id(con, &id), 0);
	assert_int_equal(id, 3);

	/* a unique key taken */
	capture();
	{
		struct ksr_db_val v[] = {ksr_db_string("bob"), ksr_db_string("example.com")};

		assert_int_equal(f.insert(con, keys, v, 2), -EEXIST);
	}
	assert_logged(captured(), "UNIQUE constraint failed");

	/* update with an operator: every example.com account */
	{
		struct ksr_db_val w = ksr_db_string("example.com"), nv = ksr_db_string("x");
		struct ksr_db_val none = ksr_db_string("nobody.invalid");

		assert_int_equal(f.update(con, &keys[1], NULL, &w, &keys[2], &nv, 1, 1), 0);
		assert_int_equal(f.affected_rows(con), 2);
		assert_int_equal(f.update(con, &keys[1], NULL, &none, &keys[2], &nv, 1, 1), 0);
		assert_int_equal(f.affected_rows(con), 0);
	}

	/* replace: bob exists (updated in place, same id), dave does not (inserted) */
	{
		struct ksr_db_val v[] = {ksr_db_string("bob"), ksr_db_string("example.com"),
					 ksr_db_string("b2")};
		struct ksr_db_val w[] = {ksr_db_string("bob"), ksr_db_string("example.com")};

		assert_int_equal(f.query(con, keys, NULL, w, &idcol, 2, 1, NULL, &res), 0);
		id = ksr_db_res_val(res, 0, 0)->v.i;
		f.free_result(con, res);
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.affected_rows(con), 1);
		assert_int_equal(f.query(con, keys, NULL, w, keys, 2, 3, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		assert_string_equal(ksr_db_res_val(res, 0, 2)->v.string, "b2");
		f.free_result(con, res);
		assert_int_equal(f.query(con, keys, NULL, w, &idcol, 2, 1, NULL, &res), 0);
		assert_int_equal(ksr_db_res_val(res, 0, 0)->v.i, id);
		f.free_result(con, res);

		v[0] = ksr_db_string("dave");
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.last_inserted_id(con, &id2), 0);
		assert_int_equal(id2, 4);
		assert_int_equal(count_rows("subscriber"), 4);
	}

	/* replace inside a transaction the caller opened: a savepoint, and it rolls back */
	{
		struct ksr_db_val v[] = {ksr_db_string("erin"), ksr_db_string("example.com"),
					 ksr_db_string("e1")};

		assert_int_equal(f.raw_query(con, &S("BEGIN"), NULL), 0);
		assert_int_equal(f.use_table(con, &sub), 0);
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.raw_query(con, &S("ROLLBACK"), NULL), 0);
		assert_int_equal(count_rows("subscriber"), 4);
	}

	/* delete with operators */
	{
		struct ksr_db_val lim = ksr_db_int(3);
		enum ksr_db_op ge = KSR_DB_GE;

		assert_int_equal(f.use_table(con, &sub), 0);
		assert_int_equal(f.delete(con, &idcol, &ge, &lim, 1), 0);
		assert_int_equal(f.affected_rows(con), 2);
		assert_int_equal(count_rows("subscriber"), 2);
		assert_int_equal(f.use_table(con, &sub), 0);
		assert_int_equal(f.delete(con, NULL, NULL, NULL, 0), 0);
		assert_int_equal(f.affected_rows(con), 2);
		assert_int_equal(count_rows("subscriber"), 0);
	}
}

static void test_order(void **state)
{
	static const double qs[] = {0.1, 0.9, 0.5, 1.0};
	struct ksr_str loc = S("location"), qcol = S("q");
	struct ksr_str keys[] = {S("ruid"), S("username"), S("q")};
	struct ksr_db_res *res;
	char ruid[8];

	assert_int_equal(f.use_table(con, &loc), 0);
	for (int i = 0; i < 4; i++) {
		struct ksr_db_val v[] = {ksr_db_string(ruid), ksr_db_string("alice"),
					 ksr_db_double(qs[i])};

		snprintf(ruid, sizeof(ruid), "r%d", i);
		assert_int_equal(f.insert(con, keys, v, 3), 0);
	}
	assert_int_equal(f.query(con, NULL, NULL, NULL, &qcol, 0, 1, &S("q desc"), &res), 0);
	assert_int_equal(res->nrows, 4);
	assert_true(ksr_db_res_val(res, 0, 0)->v.d == 1.0);
	assert_true(ksr_db_res_val(res, 1, 0)->v.d == 0.9);
	assert_true(ksr_db_res_val(res, 2, 0)->v.d == 0.5);
	assert_true(ksr_db_res_val(res, 3, 0)->v.d == 0.1);
	f.free_result(con, res);
	assert_int_equal(f.query(con, NULL, NULL, NULL, keys, 0, 1, &S("q"), &res), 0);
	assert_string_equal(ksr_db_res_val(res, 0, 0)->v.string, "r0");
	assert_string_equal(ksr_db_res_val(res, 3, 0)->v.string, "r3");
	f.free_result(con, res);
}

static void test_missing_table(void **state)
{
	struct ksr_str nosuch = S("nosuch"), loc = S("location"), bad = S("nocolumn");
	struct ksr_db_val v = ksr_db_int(1);
	struct ksr_db_res *res = NULL;
	const char *log;

	assert_int_equal(f.use_table(con, &nosuch), 0);
	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), -ENOENT);
	assert_int_equal(f.insert(con, &bad, &v, 1), -ENOENT);
	assert_int_equal(f.use_table(con, &loc), 0);
	assert_int_equal(f.query(con, &bad, NULL, &v, NULL, 1, 0, NULL, &res), -ENOENT);
	/* SQL the database refuses, and more than one statement at once */
	assert_int_equal(f.raw_query(con, &S("SELEC 1"), NULL), -EINVAL);
	assert_int_equal(f.raw_query(con, &S("SELECT 1; DELETE FROM location"), NULL), -EINVAL);
	log = captured();
	assert_null(res);
	assert_logged(log, "query on table nosuch failed: no such table: nosuch");
	assert_logged(log, "no such column: nocolumn");
	assert_logged(log, "syntax error");
	assert_logged(log, "more than one statement");
	/* the connection is fine */
	assert_int_equal(f.raw_query(con, &S("SELECT count(*) AS n FROM location;  "), &res), 0);
	assert_int_equal(res->types[0], KSR_DB_INT);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.i, 0);
	f.free_result(con, res);
}

/* The file goes away under a running server: the call says so, the next one reconnects. */
static void test_file_removed(void **state)
{
	struct ksr_str keys[] = {S("username"), S("domain")};
	struct ksr_db_val vals[] = {ksr_db_string("alice"), ksr_db_string("example.com")};
	struct ksr_str sub = S("subscriber");
	struct ksr_db_res *res;
	const char *log;

	assert_int_equal(f.use_table(con, &sub), 0);
	assert_int_equal(f.insert(con, keys, vals, 2), 0);
	remove_db(path);

	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), -ENOTCONN);
	log = captured();
	assert_logged(log, "the database file was removed or replaced");
	assert_logged(log, "connection lost; the next call reconnects");

	/* the operator restores the database: the next call works on it */
	make_db(path);
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	assert_int_equal(res->nrows, 0);
	f.free_result(con, res);
	assert_int_equal(f.insert(con, keys, vals, 2), 0);
	assert_int_equal(count_rows("subscriber"), 1);

	/*
	 * replaced by a database another program is writing (its rows still in its -wal):
	 * letting go of the old file must not checkpoint or delete by name what is now the
	 * new database's WAL
	 */
	{
		sqlite3 *other;

		remove_db(path);
		make_db(path);
		assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
		assert_int_equal(sqlite3_exec(other, "PRAGMA journal_mode=WAL; INSERT INTO subscriber "
						     "(username, domain) VALUES ('new', 'x')",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		capture();
		assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), -ENOTCONN);
		captured();
		assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		assert_string_equal(ksr_db_res_val(res, 0, ksr_db_res_col(res, "username"))->v.string,
				    "new");
		f.free_result(con, res);
		sqlite3_close(other);
	}

	/* replaced by something that is no database */
	{
		FILE *fp;

		remove_db(path);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs("this is not an SQLite database, but it is long enough to look like one....."
		      "................................................................",
		      fp);
		fclose(fp);
	}
	capture();
	assert_int_equal(f.use_table(con, &sub), 0);
	assert_int_equal(f.insert(con, keys, vals, 2), -ENOTCONN); /* moved */
	assert_int_equal(f.insert(con, keys, vals, 2), -ENOTCONN); /* cannot reopen */
	log = captured();
	assert_logged(log, "file is not a database");
	make_db(path);
	assert_int_equal(f.insert(con, keys, vals, 2), 0);
}

static void test_readonly(void **state)
{
	struct ksr_db_con *ro;
	char ropath[300], rourl[310];
	struct ksr_str sub = S("subscriber"), k = S("username");
	struct ksr_db_val v = ksr_db_string("alice");
	struct ksr_db_res *res;

	snprintf(ropath, sizeof(ropath), "%s/ro.db", dir);
	snprintf(rourl, sizeof(rourl), "sqlite://%s", ropath);
	make_db(ropath);
	set_param("db_set_readonly", ropath, 0);
	assert_int_equal(f.init(rourl, &ro), 0);
	assert_int_equal(f.use_table(ro, &sub), 0);
	assert_int_equal(f.query(ro, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	f.free_result(ro, res);
	capture();
	assert_int_equal(f.insert(ro, &k, &v, 1), -EROFS);
	assert_logged(captured(), "attempt to write a readonly database");
	/* still usable for reading */
	assert_int_equal(f.query(ro, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	f.free_result(ro, res);
	f.close(ro);

	/* read-only needs the file: it is not created */
	remove_db(ropath);
	capture();
	assert_int_equal(f.init(rourl, &ro), -ENOTCONN);
	assert_logged(captured(), "(read-only)");
	/* writers elsewhere are not affected */
	assert_int_equal(f.use_table(con, &sub), 0);
	assert_int_equal(f.insert(con, &k, &v, 1), 0);
}

/* Another writer holds the lock past busy_timeout: -EBUSY; once it is gone, the call works. */
static void test_locked(void **state)
{
	struct ksr_db_con *c2;
	struct ksr_str sub = S("subscriber"), k = S("username");
	struct ksr_db_val v = ksr_db_string("alice");
	sqlite3 *other;
	struct timespec t0, t1;
	long ms;

	set_param("busy_timeout", NULL, 100);
	assert_int_equal(f.init(url, &c2), 0);
	set_param("busy_timeout", NULL, 5000);
	assert_int_equal(f.use_table(c2, &sub), 0);

	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	capture();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(f.insert(c2, &k, &v, 1), -EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_logged(captured(), "database is locked");
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (ms < 90 || ms > 3000)
		fail_msg("waited %ld ms for a lock, busy_timeout is 100", ms);
	/* WAL: readers are not blocked by the writer */
	assert_int_equal(count_rows("subscriber"), 0);

	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(f.insert(c2, &k, &v, 1), 0);
	f.close(c2);
}

static void test_journal_mode(void **state)
{
	struct ksr_db_res *res;

	assert_int_equal(f.raw_query(con, &S("PRAGMA journal_mode"), &res), 0);
	assert_string_equal(ksr_db_res_val(res, 0, 0)->v.string, "wal");
	f.free_result(con, res);
	assert_int_equal(f.raw_query(con, &S("PRAGMA busy_timeout"), &res), 0);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.i, 5000);
	f.free_result(con, res);
}

static void test_params(void **state)
{
	static const char *const bad_path_modes[] = {"/x.db", "/x.db=", "/x.db=FAST", "=WAL", ""};
	const char *err = NULL;
	struct ksr_fparam v;

	for (size_t i = 0; i < sizeof(bad_path_modes) / sizeof(bad_path_modes[0]); i++) {
		v = (struct ksr_fparam){.type = KSR_PT_STR,
					.s = ksr_str_make((char *)bad_path_modes[i],
							  strlen(bad_path_modes[i]))};
		if (ksr_module_set_param("db_sqlite", "db_set_journal_mode", &v, &err) != -EINVAL)
			fail_msg("db_set_journal_mode \"%s\" accepted", bad_path_modes[i]);
	}
	assert_non_null(strstr(err, "DELETE, TRUNCATE, PERSIST, MEMORY, WAL, OFF"));
	v = (struct ksr_fparam){.type = KSR_PT_INT, .i = -1};
	assert_int_equal(ksr_module_set_param("db_sqlite", "busy_timeout", &v, &err), -EINVAL);
	v = (struct ksr_fparam){.type = KSR_PT_STR, .s = S("sometimes")};
	assert_int_equal(ksr_module_set_param("db_sqlite", "journal_mode", &v, &err), -EINVAL);

	/* upstream's form, with its ';': a DELETE-mode file */
	{
		char p[300], u[310], spec[320];
		struct ksr_db_con *c;
		struct ksr_db_res *res;

		snprintf(p, sizeof(p), "%s/delete.db", dir);
		snprintf(u, sizeof(u), "sqlite://%s", p);
		snprintf(spec, sizeof(spec), "%s=delete;", p);
		set_param("db_set_journal_mode", spec, 0);
		remove_db(p);
		/* the driver creates no database: an empty file is one */
		assert_int_equal(f.init(u, &c), -ENOTCONN);
		fclose(fopen(p, "w"));
		assert_int_equal(f.init(u, &c), 0);
		assert_int_equal(f.raw_query(c, &S("PRAGMA journal_mode"), &res), 0);
		assert_string_equal(ksr_db_res_val(res, 0, 0)->v.string, "delete");
		f.free_result(c, res);
		f.close(c);
		remove_db(p);
	}
}

/* Workers each own a connection: concurrent writers wait for each other, none fails. */
struct writer {
	int id, failures;
};

static void *write_rows(void *arg)
{
	struct writer *w = arg;
	struct ksr_db_con *c;
	struct ksr_str acc = S("acc");
	struct ksr_str keys[] = {S("method"), S("callid"), S("time")};
	char callid[32];

	if (f.init(url, &c) < 0 || f.use_table(c, &acc) < 0) {
		w->failures = -1;
		return NULL;
	}
	for (int i = 0; i < 40; i++) {
		struct ksr_db_val v[] = {ksr_db_string("INVITE"), ksr_db_string(callid),
					 ksr_db_datetime(time(NULL))};

		snprintf(callid, sizeof(callid), "w%d-%d", w->id, i);
		if (f.insert(c, keys, v, 3) < 0)
			w->failures++;
	}
	f.close(c);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[3];
	struct writer w[3];

	for (int i = 0; i < 3; i++) {
		w[i] = (struct writer){.id = i};
		assert_int_equal(pthread_create(&th[i], NULL, write_rows, &w[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(count_rows("acc"), 120);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datetime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_delete_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
