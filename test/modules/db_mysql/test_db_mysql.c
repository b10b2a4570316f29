/*
 * db_mysql through srdb's public API, as a module uses it: the real db_mysql.so loaded,
 * against a scratch MariaDB server that run_db_mysql_test.py starts (its URL in
 * KSR_MYSQL_URL) and stops, restarts or freezes on request: every value type, every
 * operation, version checks, SQL errors, and the server going away, coming back and
 * hanging, reported and recovered from.
 */
#include <errno.h>
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

#include "core/log.h"
#include "core/module/module.h"
#include "lib/srdb/db.h"

#define S(x) KSR_STR_STATIC(x)

static const char *url;
static int port, ctl_w = -1, ctl_r = -1;
static char cnf_dir[] = "/tmp/ksr-db-mysql-cnf-XXXXXX", cnf[64];
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

/* After a test: a capture a failed assertion left open shows what it hid. */
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

/* A command to the runner (see run_db_mysql_test.py), which answers "ok". */
static void server(const char *cmd)
{
	char reply[512];
	size_t n = 0;

	if (dprintf(ctl_w, "%s\n", cmd) < 0)
		fail_msg("server %s: cannot write to the runner", cmd);
	while (n < sizeof(reply) - 1) {
		ssize_t r = read(ctl_r, reply + n, 1);

		if (r <= 0)
			fail_msg("server %s: the runner went away", cmd);
		if (reply[n] == '\n')
			break;
		n++;
	}
	reply[n] = '\0';
	if (strcmp(reply, "ok") != 0)
		fail_msg("server %s: %s", cmd, reply);
}

static void set_param(const char *name, long ival)
{
	struct ksr_fparam v = {.type = KSR_PT_INT, .i = ival};
	const char *err = NULL;

	if (ksr_module_set_param("db_mysql", name, &v, &err) < 0)
		fail_msg("modparam %s: %s", name, err);
}

static void raw(struct ksr_db_con *c, const char *sql)
{
	struct ksr_str s = ksr_str_make((char *)sql, strlen(sql));

	if (f.raw_query(c, &s, NULL) != 0)
		fail_msg("raw query failed: %s", sql);
}

/* The first column of the first row of sql, as text (raw query, text protocol). */
static char *raw_text(const char *sql)
{
	static char out[256];
	struct ksr_str s = ksr_str_make((char *)sql, strlen(sql));
	struct ksr_db_res *res;
	const struct ksr_db_val *v;

	assert_int_equal(f.raw_query(con, &s, &res), 0);
	assert_true(res->nrows >= 1);
	v = ksr_db_res_val(res, 0, 0);
	if (v->nul)
		snprintf(out, sizeof(out), "NULL");
	else if (v->type == KSR_DB_INT)
		snprintf(out, sizeof(out), "%d", v->v.i);
	else if (v->type == KSR_DB_BIGINT)
		snprintf(out, sizeof(out), "%lld", v->v.ll);
	else
		snprintf(out, sizeof(out), "%.*s", (int)v->v.str.len, v->v.str.s);
	f.free_result(con, res);
	return out;
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
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = s};

	return timegm(&tm);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	char *why = NULL;
	const char *w = getenv("KSR_MYSQL_CTL_W"), *r = getenv("KSR_MYSQL_CTL_R");

	url = getenv("KSR_MYSQL_URL");
	if (!url || !w || !r || !getenv("KSR_MYSQL_PORT")) {
		fprintf(stderr, "run me with run_db_mysql_test.py: it starts the server\n");
		return -1;
	}
	ctl_w = atoi(w);
	ctl_r = atoi(r);
	port = atoi(getenv("KSR_MYSQL_PORT"));
	/* kamailio's local time differs from UTC (and from the server's): datetimes must
	 * still come back as they went in */
	setenv("TZ", "XST-5:30", 1);
	tzset();
	/*
	 * a my.cnf group for test_group_url: libmariadb reads $MYSQL_HOME/my.cnf among the
	 * usual files, and takes the folders to read when the module starts it
	 */
	if (!mkdtemp(cnf_dir))
		return -1;
	snprintf(cnf, sizeof(cnf), "%s/my.cnf", cnf_dir);
	{
		FILE *fp = fopen(cnf, "w");

		if (!fp)
			return -1;
		fprintf(fp,
		        "[kamtest]\nhost=127.0.0.1\nport=%d\nuser=kamailio\npassword=kamailiorw\n",
		        port);
		fclose(fp);
	}
	setenv("MYSQL_HOME", cnf_dir, 1);
	ksr_log_level = L_INFO; /* "reconnected" */
	ksr_module_path = strdup(KSR_MODULES_BUILD_DIR);
	if (ksr_module_load("db_mysql", &why) < 0) {
		fprintf(stderr, "cannot load db_mysql: %s\n", why);
		free(why);
		return -1;
	}
	if (ksr_modules_init() < 0)
		return -1;
	return ksr_db_bind(url, &f) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	ksr_modules_destroy();
	ksr_modules_unload();
	free(ksr_module_path);
	ksr_module_path = NULL;
	close(ctl_w);
	close(ctl_r);
	unlink(cnf);
	rmdir(cnf_dir);
	return 0;
}

static int setup(void **state)
{
	server("reset");
	set_param("ping_interval", 300);
	set_param("auto_reconnect", 1);
	set_param("timeout_interval", 2);
	set_param("update_affected_found", 1);
	set_param("server_timezone", 0);
	set_param("opt_ssl_mode", 0);
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
	char bad[256];
	struct timespec t0;

	assert_true(ksr_db_has_caps(
	        &f, KSR_DB_CAP_QUERY | KSR_DB_CAP_RAW_QUERY | KSR_DB_CAP_INSERT |
	                    KSR_DB_CAP_UPDATE | KSR_DB_CAP_DELETE | KSR_DB_CAP_REPLACE |
	                    KSR_DB_CAP_LAST_INSERTED_ID | KSR_DB_CAP_AFFECTED_ROWS));
	assert_int_equal(ksr_db_bind("mysql://kamailio@localhost/kamailio", &g), 0);
	/* a wrong password: refused, and the password is not logged */
	snprintf(bad, sizeof(bad), "mysql://kamailio:wrong-secret@127.0.0.1:%d/kamailio", port);
	capture();
	assert_int_equal(f.init(bad, &c), -ENOTCONN);
	{
		const char *log = captured();

		assert_logged(log, "cannot connect to mysql://kamailio:***@127.0.0.1:");
		assert_logged(log, "Access denied");
		assert_null(strstr(log, "wrong-secret"));
	}
	assert_null(c);
	/* a database that is not there */
	snprintf(bad, sizeof(bad), "mysql://kamailio:kamailiorw@127.0.0.1:%d/nosuchdb", port);
	capture();
	assert_int_equal(f.init(bad, &c), -ENOTCONN);
	assert_logged(captured(), "nosuchdb");
	/* nobody listening: refused at once */
	snprintf(bad, sizeof(bad), "mysql://kamailio:kamailiorw@127.0.0.1:1/kamailio");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	capture();
	assert_int_equal(f.init(bad, &c), -ENOTCONN);
	assert_logged(captured(), "cannot connect to mysql://kamailio:***@127.0.0.1:1/kamailio");
	assert_true(ms_since(&t0) < 2000);
	/* utf8mb4 is the connection's character set */
	assert_string_equal(raw_text("SELECT @@character_set_client"), "utf8mb4");
	assert_string_equal(raw_text("SELECT @@character_set_results"), "utf8mb4");
}

static void test_versions(void **state)
{
	static const struct {
		const char *table;
		int version;
	} expected[] = {{"version", 1}, {"location", 9}, {"location_attrs", 1}, {"subscriber", 7},
	                {"aliases", 8}, {"acc", 5},      {"missed_calls", 4},   {"address", 6},
	                {"trusted", 6}, {"domain", 2}};
	struct ksr_str loc = S("location"), key = S("table_name"), col = S("table_version");
	struct ksr_str vt = S("version"), nosuch = S("nosuch");
	struct ksr_db_val where = ksr_db_string("location"), eight = ksr_db_int(8);
	const char *log;

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		struct ksr_str t =
		        ksr_str_make((char *)expected[i].table, strlen(expected[i].table));

		assert_int_equal(ksr_db_table_version(&f, con, &t), expected[i].version);
		assert_int_equal(ksr_db_check_table_version(&f, con, &t, expected[i].version), 0);
	}
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

	raw(con, "DROP TABLE version");
	capture();
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), -ENOENT);
	assert_logged(captured(), "version' doesn't exist");
}

/* Every value type in, the same value and type out; nothing a value holds becomes SQL. */
static void test_types(void **state)
{
	static const char evil[] = "it's \"quoted\"; DROP TABLE t; -- \\ `x` ?";
	static const char utf8[] = "Grüße \xf0\x9f\x93\x9e"; /* a 4-byte character: utf8mb4 */
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

	raw(con, "CREATE TABLE t (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, i INT, b BIGINT, "
	         "d DOUBLE, s VARCHAR(64), x TEXT, bl BLOB, dt DATETIME, n INT)");
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
	vals[3] = ksr_db_string(utf8);
	assert_int_equal(f.insert(con, keys, vals, 4), 0);

	assert_int_equal(f.query(con, NULL, NULL, NULL, keys, 0, 8, &S("id"), &res), 0);
	assert_int_equal(res->nrows, 3);
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
	assert_string_equal(ksr_db_res_val(res, 2, 3)->v.string, utf8);
	assert_true(ksr_db_res_val(res, 2, 4)->nul); /* not given: the column's default */
	f.free_result(con, res);

	/* WHERE on each type finds the rows */
	vals[3] = ksr_db_string(evil);
	for (int k = 0; k < 7; k++) {
		struct ksr_db_val w[] = {vals[k]};
		int want = k < 3 ? 3 : k == 3 ? 1 : 2;

		if (k == 4 || k == 5)
			continue; /* changed for row 2 */
		assert_int_equal(f.query(con, &keys[k], NULL, w, &S("id"), 1, 1, NULL, &res), 0);
		if (res->nrows != want)
			fail_msg("WHERE %s: %d rows, not %d", keys[k].s, res->nrows, want);
		f.free_result(con, res);
	}
	/* IS NULL and IS NOT NULL; operators */
	{
		struct ksr_db_val nul = ksr_db_null(KSR_DB_INT), two = ksr_db_int(2);
		enum ksr_db_op ne = KSR_DB_NE, ops[] = {KSR_DB_GE, KSR_DB_NE};
		struct ksr_str ks[] = {S("id"), S("x")};
		struct ksr_db_val vs[] = {ksr_db_int(2), ksr_db_string("")};

		assert_int_equal(f.query(con, &keys[7], NULL, &nul, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 3);
		f.free_result(con, res);
		assert_int_equal(f.query(con, &keys[7], &ne, &nul, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 0);
		assert_int_equal(res->ncols, 9); /* SELECT *: the columns even without rows */
		f.free_result(con, res);
		/* id >= 2 AND x != '': row 3 only has NULL there, row 2 has '' */
		assert_int_equal(f.query(con, ks, ops, vs, NULL, 2, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 0);
		f.free_result(con, res);
		ops[1] = KSR_DB_LT;
		vs[0] = two;
		assert_int_equal(f.query(con, ks, ops, vs, &S("id"), 2, 1, NULL, &res), 0);
		assert_int_equal(res->nrows, 0); /* '' < '' is false */
		f.free_result(con, res);
	}
	assert_int_equal(count_rows("t"), 3);

	/* the table changes under the cached statements: they see the new layout */
	raw(con, "ALTER TABLE t ADD COLUMN extra INT DEFAULT 7");
	assert_int_equal(f.use_table(con, &t), 0);
	assert_int_equal(f.query(con, &keys[7], NULL, &vals[7], NULL, 1, 0, NULL, &res), 0);
	assert_int_equal(res->ncols, 10);
	assert_int_equal(ksr_db_res_val(res, 0, 9)->v.i, 7);
	f.free_result(con, res);
	raw(con, "DROP TABLE t");
	raw(con, "CREATE TABLE t (n VARCHAR(8), i INT)");
	raw(con, "INSERT INTO t VALUES ('x', 1)");
	assert_int_equal(f.use_table(con, &t), 0);
	assert_int_equal(f.query(con, &keys[7], NULL, &vals[7], NULL, 1, 0, NULL, &res), 0);
	assert_int_equal(res->ncols, 2);
	assert_int_equal(res->nrows, 0);
	f.free_result(con, res);
	assert_int_equal(f.query(con, NULL, NULL, NULL, keys, 0, 1, NULL, &res), 0);
	assert_int_equal(res->ncols, 1);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.i, 1);
	f.free_result(con, res);
}

/* The column types of MySQL beyond the ones srdb writes, read as upstream reads them. */
static void test_column_types(void **state)
{
	struct ksr_str t = S("ct");
	struct ksr_db_res *res;
	enum ksr_db_type want[] = {KSR_DB_INT,      KSR_DB_INT,    KSR_DB_INT,    KSR_DB_INT,
	                           KSR_DB_BIGINT,   KSR_DB_DOUBLE, KSR_DB_DOUBLE, KSR_DB_DATETIME,
	                           KSR_DB_DATETIME, KSR_DB_STR,    KSR_DB_STR,    KSR_DB_BLOB,
	                           KSR_DB_STR,      KSR_DB_INT};

	raw(con,
	    "CREATE TABLE ct (ti TINYINT, si SMALLINT, ui INT UNSIGNED, y YEAR, "
	    "ub BIGINT UNSIGNED, q FLOAT(10,2), dec1 DECIMAL(10,3), dt DATE, ts TIMESTAMP NULL, "
	    "tm TIME, ch CHAR(3), vb VARBINARY(8), e ENUM('a','b'), bits BIT(12))");
	raw(con, "INSERT INTO ct VALUES (-5, 300, 4000000000, 2024, 18446744073709551615, 0.9, "
	         "-12.345, '2024-02-29', '2024-02-29 12:00:00', '12:34:56', 'ab', x'00ff', 'b', "
	         "b'101010101010')");
	for (int pass = 0; pass < 2; pass++) {
		/* the binary protocol (prepared), then the text protocol (raw) */
		if (pass == 0) {
			assert_int_equal(f.use_table(con, &t), 0);
			assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
		} else {
			assert_int_equal(f.raw_query(con, &S("SELECT * FROM ct"), &res), 0);
		}
		assert_int_equal(res->nrows, 1);
		for (int i = 0; i < res->ncols; i++)
			if (res->types[i] != want[i])
				fail_msg("pass %d: column %s has type %d, not %d", pass,
				         res->names[i].s, res->types[i], want[i]);
		assert_int_equal(ksr_db_res_val(res, 0, 0)->v.i, -5);
		assert_int_equal(ksr_db_res_val(res, 0, 1)->v.i, 300);
		assert_int_equal((unsigned int)ksr_db_res_val(res, 0, 2)->v.i, 4000000000u);
		assert_int_equal(ksr_db_res_val(res, 0, 3)->v.i, 2024);
		assert_true((unsigned long long)ksr_db_res_val(res, 0, 4)->v.ll ==
		            18446744073709551615ull);
		/* FLOAT: the decimal that was written, not the nearest float */
		assert_true(ksr_db_res_val(res, 0, 5)->v.d == 0.9);
		assert_true(ksr_db_res_val(res, 0, 6)->v.d == -12.345);
		/* local time, midnight */
		{
			struct tm tm = {.tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_isdst = -1};

			assert_int_equal(ksr_db_res_val(res, 0, 7)->v.t, mktime(&tm));
			tm.tm_hour = 12;
			assert_int_equal(ksr_db_res_val(res, 0, 8)->v.t, mktime(&tm));
		}
		assert_string_equal(ksr_db_res_val(res, 0, 9)->v.string, "12:34:56");
		assert_string_equal(ksr_db_res_val(res, 0, 10)->v.string, "ab");
		assert_int_equal(ksr_db_res_val(res, 0, 11)->v.blob.len, 2);
		assert_memory_equal(ksr_db_res_val(res, 0, 11)->v.blob.s, "\x00\xff", 2);
		assert_string_equal(ksr_db_res_val(res, 0, 12)->v.string, "b");
		assert_int_equal(ksr_db_res_val(res, 0, 13)->v.i, 0xaaa);
		f.free_result(con, res);
	}
	/* expressions */
	assert_int_equal(f.raw_query(con, &S("SELECT NULL AS a, 1+1 AS b, 'x' AS c"), &res), 0);
	assert_int_equal(res->ncols, 3);
	assert_true(ksr_db_res_val(res, 0, 0)->nul);
	assert_int_equal(res->types[1], KSR_DB_INT);
	assert_int_equal(ksr_db_res_val(res, 0, 1)->v.i, 2);
	assert_string_equal(ksr_db_res_val(res, 0, 2)->v.string, "x");
	f.free_result(con, res);
}

/* Datetimes are kamailio's local time in the database, as upstream keeps them. */
static void test_datetime(void **state)
{
	time_t t = utc(2030, 5, 28, 21, 32, 15), now = time(NULL);
	struct ksr_str keys[] = {S("ruid"), S("username"), S("contact"), S("expires")};
	struct ksr_db_val vals[] = {ksr_db_string("r1"), ksr_db_string("alice"),
	                            ksr_db_string("sip:alice@192.0.2.1"), ksr_db_datetime(now)};
	struct ksr_str loc = S("location");
	struct ksr_str cols[] = {S("expires"), S("last_modified")};
	struct ksr_db_res *res;
	char want[32];
	struct tm tm;

	assert_int_equal(f.use_table(con, &loc), 0);
	assert_int_equal(f.insert(con, keys, vals, 4), 0);
	localtime_r(&now, &tm);
	strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &tm);
	assert_string_equal(raw_text("SELECT DATE_FORMAT(expires, '%Y-%m-%d %H:%i:%s') FROM "
	                             "location"),
	                    want);

	assert_int_equal(f.use_table(con, &loc), 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, cols, 0, 2, NULL, &res), 0);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.t, now);
	/* the schema's default, local time as upstream reads it */
	{
		struct tm d = {.tm_year = 100, .tm_mday = 1, .tm_sec = 1, .tm_isdst = -1};

		assert_int_equal(ksr_db_res_val(res, 0, 1)->v.t, mktime(&d));
	}
	f.free_result(con, res);

	/* comparisons: expired contacts */
	{
		struct ksr_str k = S("expires");
		struct ksr_db_val later = ksr_db_datetime(now + 1),
		                  earlier = ksr_db_datetime(now - 1);
		enum ksr_db_op lt = KSR_DB_LT;

		assert_int_equal(f.query(con, &k, &lt, &later, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		f.free_result(con, res);
		assert_int_equal(f.query(con, &k, &lt, &earlier, NULL, 1, 0, NULL, &res), 0);
		assert_int_equal(res->nrows, 0);
		f.free_result(con, res);
	}

	/* server_timezone 1: the server converts, in its session's time zone, both ways */
	set_param("server_timezone", 1);
	raw(con, "SET time_zone = '+02:00'");
	vals[0] = ksr_db_string("r2");
	vals[3] = ksr_db_datetime(t);
	assert_int_equal(f.insert(con, keys, vals, 4), 0);
	assert_string_equal(raw_text("SELECT DATE_FORMAT(expires, '%Y-%m-%d %H:%i:%s') FROM "
	                             "location WHERE ruid = 'r2'"),
	                    "2030-05-28 23:32:15");
	{
		struct ksr_str k = S("ruid");
		struct ksr_db_val r2 = ksr_db_string("r2");

		assert_int_equal(f.query(con, &k, NULL, &r2, cols, 1, 1, NULL, &res), 0);
		assert_int_equal(ksr_db_res_val(res, 0, 0)->v.t, t);
		f.free_result(con, res);
		assert_int_equal(f.raw_query(con,
		                             &S("SELECT expires, ruid FROM location ORDER BY id"),
		                             &res),
		                 0);
		assert_int_equal(res->nrows, 2);
		assert_int_equal(ksr_db_res_val(res, 1, 0)->v.t, t);
		f.free_result(con, res);
	}
	/* more datetimes in one result than one conversion round trip takes */
	raw(con, "CREATE TABLE many (id INT AUTO_INCREMENT PRIMARY KEY, a DATETIME, b DATETIME)");
	{
		struct ksr_str mk[] = {S("a"), S("b")}, mt = S("many");

		assert_int_equal(f.use_table(con, &mt), 0);
		for (int i = 0; i < 40; i++) {
			struct ksr_db_val mv[] = {ksr_db_datetime(t + i), ksr_db_datetime(t - i)};

			assert_int_equal(f.insert(con, mk, mv, 2), 0);
		}
		assert_int_equal(f.query(con, NULL, NULL, NULL, mk, 0, 2, &S("id"), &res), 0);
		assert_int_equal(res->nrows, 40);
		for (int i = 0; i < 40; i++) {
			assert_int_equal(ksr_db_res_val(res, i, 0)->v.t, t + i);
			assert_int_equal(ksr_db_res_val(res, i, 1)->v.t, t - i);
		}
		f.free_result(con, res);
	}
	set_param("server_timezone", 0);

	/* a value that is no date */
	raw(con, "CREATE TABLE baddate (d DATETIME)");
	raw(con, "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'");
	raw(con, "INSERT INTO baddate VALUES ('2024-02-30 10:00:00')");
	assert_string_equal(raw_text("SELECT COUNT(*) FROM baddate"), "1");
	capture();
	assert_int_equal(f.raw_query(con, &S("SELECT d FROM baddate"), &res), -EINVAL);
	assert_logged(captured(), "column d of row 1 holds no valid date");
}

static void add_subscriber(const char *user, const char *domain, const char *ha1)
{
	struct ksr_str keys[] = {S("username"), S("domain"), S("ha1")};
	struct ksr_db_val vals[] = {ksr_db_string(user), ksr_db_string(domain), ksr_db_string(ha1)};

	assert_int_equal(f.insert(con, keys, vals, 3), 0);
}

static long long id_of(const char *user)
{
	struct ksr_str k = S("username"), idcol = S("id");
	struct ksr_db_val v = ksr_db_string(user);
	struct ksr_db_res *res;
	long long id;

	assert_int_equal(f.query(con, &k, NULL, &v, &idcol, 1, 1, NULL, &res), 0);
	assert_int_equal(res->nrows, 1);
	id = ksr_db_res_val(res, 0, 0)->v.i;
	f.free_result(con, res);
	return id;
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
	assert_logged(captured(), "Duplicate entry 'bob-example.com'");

	/* update: the rows found, also those given the value they had (update_affected_found) */
	{
		struct ksr_db_val w = ksr_db_string("example.com"), nv = ksr_db_string("x");
		struct ksr_db_val none = ksr_db_string("nobody.invalid");

		assert_int_equal(f.update(con, &keys[1], NULL, &w, &keys[2], &nv, 1, 1), 0);
		assert_int_equal(f.affected_rows(con), 2);
		assert_int_equal(f.update(con, &keys[1], NULL, &w, &keys[2], &nv, 1, 1), 0);
		assert_int_equal(f.affected_rows(con), 2);
		assert_int_equal(f.update(con, &keys[1], NULL, &none, &keys[2], &nv, 1, 1), 0);
		assert_int_equal(f.affected_rows(con), 0);

		/* update_affected_found 0: MySQL's count of rows changed (new connections) */
		{
			struct ksr_db_con *c2;

			set_param("update_affected_found", 0);
			assert_int_equal(f.init(url, &c2), 0);
			assert_int_equal(f.use_table(c2, &sub), 0);
			assert_int_equal(f.update(c2, &keys[1], NULL, &w, &keys[2], &nv, 1, 1), 0);
			assert_int_equal(f.affected_rows(c2), 0);
			f.close(c2);
			set_param("update_affected_found", 1);
		}
	}

	/* replace: bob exists (updated in place, same id), dave does not (inserted) */
	{
		struct ksr_db_val v[] = {ksr_db_string("bob"), ksr_db_string("example.com"),
		                         ksr_db_string("b2")};
		struct ksr_db_val w[] = {ksr_db_string("bob"), ksr_db_string("example.com")};

		id = id_of("bob");
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.affected_rows(con), 1);
		assert_int_equal(f.query(con, keys, NULL, w, keys, 2, 3, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		assert_string_equal(ksr_db_res_val(res, 0, 2)->v.string, "b2");
		f.free_result(con, res);
		assert_int_equal(id_of("bob"), id);
		/* the same values again: still one row written */
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.affected_rows(con), 1);
		/* every key unique */
		assert_int_equal(f.replace(con, keys, v, 2, 2), 0);
		assert_int_equal(id_of("bob"), id);

		v[0] = ksr_db_string("dave");
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(f.last_inserted_id(con, &id2), 0);
		assert_int_equal(id2, id_of("dave"));
		assert_true(id2 > 3);
		assert_int_equal(count_rows("subscriber"), 4);
	}

	/* replace inside a transaction the caller opened rolls back with it */
	{
		struct ksr_db_val v[] = {ksr_db_string("erin"), ksr_db_string("example.com"),
		                         ksr_db_string("e1")};

		raw(con, "BEGIN");
		assert_int_equal(f.use_table(con, &sub), 0);
		assert_int_equal(f.replace(con, keys, v, 3, 2), 0);
		assert_int_equal(count_rows("subscriber"), 5);
		raw(con, "ROLLBACK");
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
	/* raw statements report rows and ids too */
	raw(con, "INSERT INTO subscriber (username, domain) VALUES ('frank', 'example.com')");
	assert_int_equal(f.affected_rows(con), 1);
	assert_int_equal(f.last_inserted_id(con, &id), 0);
	assert_int_equal(id, id_of("frank"));
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
	/* the statements are prepared once per connection: the same text, the same answer */
	for (int i = 0; i < 50; i++) {
		struct ksr_str k = S("ruid");
		struct ksr_db_val v = ksr_db_string(i % 2 ? "r1" : "r2");

		assert_int_equal(f.query(con, &k, NULL, &v, &qcol, 1, 1, NULL, &res), 0);
		assert_int_equal(res->nrows, 1);
		assert_true(ksr_db_res_val(res, 0, 0)->v.d == (i % 2 ? 0.9 : 0.5));
		f.free_result(con, res);
	}
}

static void test_errors(void **state)
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
	/* SQL the server refuses, and more than one statement at once */
	assert_int_equal(f.raw_query(con, &S("SELEC 1"), NULL), -EINVAL);
	assert_int_equal(f.raw_query(con, &S("SELECT 1; DELETE FROM location"), NULL), -EINVAL);
	/* a value the column cannot take (strict mode) */
	{
		struct ksr_str k = S("cseq");
		struct ksr_db_val big = ksr_db_bigint(1LL << 40);

		assert_int_equal(f.insert(con, &k, &big, 1), -EINVAL);
	}
	/* a name that could end the quoting is refused before any SQL */
	{
		struct ksr_str k = S("a`b");

		assert_int_equal(f.insert(con, &k, &v, 1), -EINVAL);
	}
	log = captured();
	assert_null(res);
	assert_logged(log, "query on table nosuch failed: Table 'kamailio.nosuch' doesn't exist");
	assert_logged(log, "Unknown column 'nocolumn'");
	assert_logged(log, "You have an error in your SQL syntax");
	assert_logged(log, "Out of range value for column 'cseq'");
	assert_logged(log, "a bad column name, operator or value");
	/* the connection is fine, and the table still has every row */
	assert_int_equal(f.raw_query(con, &S("SELECT COUNT(*) AS n FROM location"), &res), 0);
	assert_int_equal(res->types[0], KSR_DB_BIGINT);
	assert_int_equal(ksr_db_res_val(res, 0, 0)->v.ll, 0);
	f.free_result(con, res);
	/* a raw statement without rows gives an empty result when one is asked for */
	assert_int_equal(f.raw_query(con, &S("DO 1"), &res), 0);
	assert_int_equal(res->nrows, 0);
	assert_int_equal(res->ncols, 0);
	f.free_result(con, res);
}

/* The server goes away under a running connection: the call fails, the next reconnects. */
static void test_server_restart(void **state)
{
	struct ksr_str keys[] = {S("username"), S("domain")};
	struct ksr_db_val vals[] = {ksr_db_string("alice"), ksr_db_string("example.com")};
	struct ksr_str sub = S("subscriber");
	struct ksr_db_res *res;
	struct timespec t0;
	const char *log;

	assert_int_equal(f.use_table(con, &sub), 0);
	assert_int_equal(f.insert(con, keys, vals, 2), 0);
	server("stop");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), -ENOTCONN);
	/* and while it is down, calls fail at once without running */
	assert_int_equal(f.insert(con, keys, vals, 2), -ENOTCONN);
	log = captured();
	assert_true(ms_since(&t0) < 3000);
	assert_logged(log, "query on table subscriber failed: ");
	assert_logged(log, "connection lost; the next call reconnects");
	assert_logged(log, "cannot connect to mysql://kamailio:***@127.0.0.1:");

	server("start");
	/* the same handle works again, and the row written before is there */
	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	assert_logged(captured(), "reconnected");
	assert_int_equal(res->nrows, 1);
	f.free_result(con, res);
	/* the statement cache went with the old connection: a prepared insert works */
	vals[0] = ksr_db_string("bob");
	assert_int_equal(f.insert(con, keys, vals, 2), 0);
	assert_int_equal(count_rows("subscriber"), 2);
}

/*
 * ping_interval: a connection idle that long is pinged before the statement; a dead one is
 * replaced first with auto_reconnect 1, reported with 0.
 */
static void test_idle_ping(void **state)
{
	struct ksr_str sub = S("subscriber");
	struct ksr_db_res *res;
	const char *log;

	set_param("ping_interval", 1);
	assert_int_equal(count_rows("subscriber"), 0);
	server("stop");
	server("start");
	usleep(1100 * 1000);
	capture();
	assert_int_equal(f.use_table(con, &sub), 0);
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	log = captured();
	assert_logged(log, "does not answer");
	assert_logged(log, "reconnected before sending the statement");
	f.free_result(con, res);

	set_param("auto_reconnect", 0);
	server("stop");
	server("start");
	usleep(1100 * 1000);
	capture();
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), -ENOTCONN);
	log = captured();
	assert_logged(log, "does not answer");
	assert_logged(log, "connection lost; the next call reconnects");
	assert_int_equal(f.query(con, NULL, NULL, NULL, NULL, 0, 0, NULL, &res), 0);
	f.free_result(con, res);
}

/* A server that hangs: the call gives up after timeout_interval, and the next recovers. */
static void test_timeout(void **state)
{
	struct ksr_db_con *c;
	struct ksr_db_res *res;
	struct timespec t0;
	const char *log;
	long ms, ms2;

	set_param("timeout_interval", 1);
	assert_int_equal(f.init(url, &c), 0);
	server("pause");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	capture();
	assert_int_equal(f.raw_query(c, &S("SELECT 1"), &res), -ENOTCONN);
	ms = ms_since(&t0);
	/* the next call reconnects, and a connection attempt gives up as soon */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(f.raw_query(c, &S("SELECT 1"), &res), -ENOTCONN);
	ms2 = ms_since(&t0);
	server("resume");
	log = captured();
	assert_logged(log, "raw query failed: ");
	assert_logged(log, "cannot connect to ");
	/* libmariadb gives up after one read timeout (libmysqlclient retried twice more) */
	if (ms < 900 || ms > 2500 || ms2 < 900 || ms2 > 2500)
		fail_msg("a hung server took %ld and %ld ms to give up, timeout_interval is 1 s",
		         ms, ms2);
	capture();
	assert_int_equal(f.raw_query(c, &S("SELECT 1"), &res), 0);
	captured();
	f.free_result(c, res);
	f.close(c);
}

/* opt_ssl_mode against a server without TLS. */
static void test_ssl_mode(void **state)
{
	struct ksr_db_con *c = NULL;

	set_param("opt_ssl_mode", 3); /* required */
	capture();
	assert_int_equal(f.init(url, &c), -ENOTCONN);
	assert_logged(captured(), "opt_ssl_mode 3 requires TLS and the server does not offer it");
	set_param("opt_ssl_mode", 4); /* verify CA: also needs TLS */
	capture();
	assert_int_equal(f.init(url, &c), -ENOTCONN);
	assert_logged(captured(), "SSL is required");
	set_param("opt_ssl_mode", 1); /* disabled */
	assert_int_equal(f.init(url, &c), 0);
	assert_string_equal(raw_text("SELECT 'ok'"), "ok");
	f.close(c);
	set_param("opt_ssl_mode", 2); /* preferred: plain when the server has no TLS */
	assert_int_equal(f.init(url, &c), 0);
	f.close(c);
}

/* mysql://[group]/db: the server and the credentials from a my.cnf group, as upstream. */
static void test_group_url(void **state)
{
	struct ksr_db_con *c = NULL;
	struct ksr_db_res *res;

	assert_int_equal(f.init("mysql://[kamtest]/kamailio", &c), 0);
	assert_int_equal(f.raw_query(c, &S("SELECT CURRENT_USER()"), &res), 0);
	assert_string_equal(ksr_db_res_val(res, 0, 0)->v.string, "kamailio@127.0.0.1");
	f.free_result(c, res);
	f.close(c);
	/* the URL's user and password win over the group's */
	capture();
	assert_int_equal(f.init("mysql://kamailio:wrong@[kamtest]/kamailio", &c), -ENOTCONN);
	assert_logged(captured(), "Access denied");
}

static void test_params(void **state)
{
	static const struct {
		const char *name;
		long bad;
	} bad[] = {{"ping_interval", -1}, {"timeout_interval", 0}, {"timeout_interval", 3601},
	           {"auto_reconnect", 2}, {"insert_delayed", -1},  {"update_affected_found", 3},
	           {"opt_ssl_mode", 6},   {"opt_ssl_mode", -1},    {"server_timezone", 2}};
	const char *err = NULL;
	struct ksr_fparam v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = (struct ksr_fparam){.type = KSR_PT_INT, .i = bad[i].bad};
		if (ksr_module_set_param("db_mysql", bad[i].name, &v, &err) != -EINVAL)
			fail_msg("%s %ld accepted", bad[i].name, bad[i].bad);
	}
	v = (struct ksr_fparam){.type = KSR_PT_STR, .s = S("soon")};
	assert_int_equal(ksr_module_set_param("db_mysql", "ping_interval", &v, &err), -EINVAL);
	assert_non_null(strstr(err, "ping_interval must be seconds"));
	v = (struct ksr_fparam){.type = KSR_PT_STR, .s = S("30")};
	assert_int_equal(ksr_module_set_param("db_mysql", "ping_interval", &v, &err), 0);
	/* insert_delayed is accepted and ignored: inserts are plain */
	set_param("insert_delayed", 1);
	{
		struct ksr_str sub = S("subscriber"), k = S("username");
		struct ksr_db_val val = ksr_db_string("alice");

		assert_int_equal(f.use_table(con, &sub), 0);
		assert_int_equal(f.insert(con, &k, &val, 1), 0);
		assert_int_equal(count_rows("subscriber"), 1);
	}
	set_param("insert_delayed", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_column_types, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_datetime, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_update_delete_replace, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_server_restart, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_idle_ping, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ssl_mode, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_group_url, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_params, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
