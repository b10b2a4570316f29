/*
 * srdb's API (src/lib/srdb/srdb.c) against a scripted driver: binding by scheme,
 * argument checks, capabilities, a lost connection reported then reopened, table
 * versions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/module/module.h"
#include "lib/srdb/db.h"
#include "lib/srdb/db_driver.h"

#define S(x) KSR_STR_STATIC(x)

/* ---- the scripted driver --------------------------------------------------------------- */

static struct mock {
	int opens, closes, execs;
	int open_rc, exec_rc; /* what the next open/exec return (0: success) */
	enum ksr_db_cmd_kind kind;
	char table[64];
	int n, nunique;
	bool version_row;
	struct ksr_db_val version; /* the table_version value the version table holds */
} mock;

static int m_open(const struct ksr_db_url *url, void **ret_dh)
{
	mock.opens++;
	if (mock.open_rc)
		return mock.open_rc;
	*ret_dh = &mock;
	return 0;
}

static void m_close(void *dh)
{
	assert_ptr_equal(dh, &mock);
	mock.closes++;
}

static int m_exec(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res)
{
	struct ksr_db_res *res;
	struct ksr_db_val *row;

	assert_ptr_equal(dh, &mock);
	mock.execs++;
	mock.kind = cmd->kind;
	snprintf(mock.table, sizeof(mock.table), "%s", cmd->table ? cmd->table : "");
	mock.n = cmd->n;
	mock.nunique = cmd->nunique;
	if (mock.exec_rc)
		return mock.exec_rc;
	if (!ret_res)
		return 0;
	assert_int_equal(ksr_db_res_new(1, &res), 0);
	assert_int_equal(ksr_db_res_set_col(res, 0, "table_version", 13, mock.version.type), 0);
	if (strcmp(mock.table, "version") == 0 && mock.version_row) {
		/* srdb asks for the row of one table, by name */
		assert_int_equal(cmd->n, 1);
		assert_int_equal(cmd->keys[0].len, 10);
		assert_memory_equal(cmd->keys[0].s, "table_name", 10);
		assert_string_equal(cmd->cols[0].s, "table_version");
		row = ksr_db_res_add_row(res);
		assert_non_null(row);
		row[0] = mock.version;
		if (mock.version.type == KSR_DB_STR)
			row[0].v.str.s = ksr_db_res_copy(res, mock.version.v.str.s, mock.version.v.str.len);
	}
	*ret_res = res;
	return 0;
}

static int m_last_id(void *dh, long long *ret_id)
{
	*ret_id = 42;
	return 0;
}

static int m_affected(void *dh)
{
	return 3;
}

#define ALL_CAPS                                                                              \
	(KSR_DB_CAP_QUERY | KSR_DB_CAP_RAW_QUERY | KSR_DB_CAP_INSERT | KSR_DB_CAP_DELETE |     \
	 KSR_DB_CAP_UPDATE | KSR_DB_CAP_REPLACE | KSR_DB_CAP_LAST_INSERTED_ID |               \
	 KSR_DB_CAP_AFFECTED_ROWS)

static const struct ksr_db_driver mock_driver = {
	KSR_DB_DRIVER_HEAD,
	.scheme = "mock",
	.caps = ALL_CAPS,
	.open = m_open,
	.close = m_close,
	.exec = m_exec,
	.last_inserted_id = m_last_id,
	.affected_rows = m_affected,
};

/* a driver that can only query */
static const struct ksr_db_driver ro_driver = {
	KSR_DB_DRIVER_HEAD, .scheme = "ro", .caps = KSR_DB_CAP_QUERY,
	.open = m_open, .close = m_close, .exec = m_exec,
};

/* a driver built against another version of srdb */
static const struct ksr_db_driver old_driver = {
	.abi_version = KSR_DB_DRIVER_ABI + 1, .struct_size = sizeof(struct ksr_db_driver),
	.scheme = "old", .caps = ALL_CAPS, .open = m_open, .close = m_close, .exec = m_exec,
};

static const struct ksr_api_export apis[] = {
	{"db_mock", &mock_driver}, {"db_ro", &ro_driver}, {"db_old", &old_driver}, {0}};
static const struct ksr_module_exports drivers = {.abi_version = KSR_MODULE_ABI_VERSION,
						  .struct_size = sizeof(struct ksr_module_exports),
						  .name = "db_mock",
						  .apis = apis};

/* ---- log capture ----------------------------------------------------------------------- */

static char logbuf[8192];
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

/* ---- tests ----------------------------------------------------------------------------- */

static int setup(void **state)
{
	mock = (struct mock){0};
	return 0;
}

static int teardown(void **state)
{
	uncapture();
	return 0;
}

static int group_setup(void **state)
{
	return ksr_module_register_builtin(&drivers);
}

static int group_teardown(void **state)
{
	ksr_modules_unload();
	return 0;
}

static void test_bind_missing_driver(void **state)
{
	struct ksr_db_funcs f, before;
	const char *log;

	memset(&f, 0xa5, sizeof(f));
	before = f;
	capture();
	assert_int_equal(ksr_db_bind("sqlite:///var/lib/kamailio/kamailio.db", &f), -ENOENT);
	assert_int_equal(ksr_db_bind("mysql://kamailio:secret@localhost/kamailio", &f), -ENOENT);
	assert_int_equal(ksr_db_bind("no scheme", &f), -EINVAL);
	assert_int_equal(ksr_db_bind("old://h/db", &f), -ELIBBAD);
	log = captured();
	assert_logged(log, "needs the module db_sqlite: add loadmodule \"db_sqlite.so\"");
	assert_logged(log, "needs the module db_mysql: add loadmodule \"db_mysql.so\"");
	/* the password stays out of the logs */
	assert_logged(log, "mysql://kamailio:***@localhost/kamailio");
	assert_null(strstr(log, "secret"));
	assert_logged(log, "malformed database URL 'no scheme'");
	assert_logged(log, "rebuild them together");
	/* out-parameters untouched on failure */
	assert_memory_equal(&f, &before, sizeof(f));
	assert_int_equal(mock.opens, 0);
}

static void test_operations(void **state)
{
	struct ksr_db_funcs f;
	struct ksr_db_con *con = NULL;
	struct ksr_db_res *res = NULL;
	struct ksr_str keys[] = {S("username"), S("domain")};
	struct ksr_db_val vals[] = {ksr_db_string("alice"), ksr_db_string("example.com")};
	struct ksr_str table = S("subscriber");
	struct ksr_str sql = S("SELECT 1");
	long long id = 0;
	const char *log;

	assert_int_equal(ksr_db_bind("mock://host/db", &f), 0);
	assert_int_equal(f.caps, ALL_CAPS);
	assert_true(ksr_db_has_caps(&f, KSR_DB_CAP_REPLACE | KSR_DB_CAP_QUERY));
	assert_int_equal(f.init("mock://host/db", &con), 0);
	assert_non_null(con);
	assert_int_equal(mock.opens, 1);

	/* no table yet: refused before the driver sees it */
	capture();
	assert_int_equal(f.query(con, keys, NULL, vals, NULL, 2, 0, NULL, &res), -EINVAL);
	log = captured();
	assert_logged(log, "call use_table() first");
	assert_int_equal(mock.execs, 0);

	assert_int_equal(f.use_table(con, &table), 0);
	assert_int_equal(f.query(con, keys, NULL, vals, NULL, 2, 0, NULL, &res), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_QUERY);
	assert_string_equal(mock.table, "subscriber");
	assert_int_equal(mock.n, 2);
	f.free_result(con, res);
	f.free_result(con, NULL);

	assert_int_equal(f.insert(con, keys, vals, 2), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_INSERT);
	assert_int_equal(f.update(con, keys, NULL, vals, keys, vals, 1, 2), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_UPDATE);
	assert_int_equal(f.delete(con, keys, NULL, vals, 2), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_DELETE);
	assert_int_equal(f.replace(con, keys, vals, 2, 1), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_REPLACE);
	assert_int_equal(mock.nunique, 1);
	assert_int_equal(f.raw_query(con, &sql, NULL), 0);
	assert_int_equal(mock.kind, KSR_DB_CMD_RAW);
	assert_string_equal(mock.table, "");
	assert_int_equal(f.last_inserted_id(con, &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(f.affected_rows(con), 3);
	assert_int_equal(mock.execs, 6);

	/* bad arguments never reach the driver */
	capture();
	assert_int_equal(f.insert(con, keys, vals, 0), -EINVAL);
	assert_int_equal(f.insert(con, NULL, vals, 2), -EINVAL);
	assert_int_equal(f.query(con, keys, NULL, vals, NULL, 2, 0, NULL, NULL), -EINVAL);
	assert_int_equal(f.query(con, keys, NULL, vals, NULL, 0, 1, NULL, &res), -EINVAL);
	assert_int_equal(f.update(con, keys, NULL, vals, keys, vals, 1, 0), -EINVAL);
	assert_int_equal(f.replace(con, keys, vals, 2, 3), -EINVAL);
	assert_int_equal(f.replace(con, keys, vals, 2, 0), -EINVAL);
	assert_int_equal(f.delete(con, keys, NULL, vals, -1), -EINVAL);
	assert_int_equal(f.raw_query(con, &(struct ksr_str){NULL, 0}, NULL), -EINVAL);
	assert_int_equal(f.use_table(con, &(struct ksr_str){"", 0}), -EINVAL);
	assert_int_equal(f.insert(NULL, keys, vals, 2), -EINVAL);
	assert_int_equal(f.init("mock:/x", &con), -EINVAL);
	captured();
	assert_int_equal(mock.execs, 6);
	/* a failed init leaves the handle alone */
	assert_non_null(con);

	f.close(con);
	assert_int_equal(mock.closes, 1);
	f.close(NULL);
}

static void test_caps(void **state)
{
	struct ksr_db_funcs f;
	struct ksr_db_con *con;
	struct ksr_str k = S("a"), t = S("t");
	struct ksr_db_val v = ksr_db_int(1);
	long long id;

	assert_int_equal(ksr_db_bind("ro://h/db", &f), 0);
	assert_false(ksr_db_has_caps(&f, KSR_DB_CAP_INSERT));
	assert_int_equal(f.init("ro://h/db", &con), 0);
	assert_int_equal(f.use_table(con, &t), 0);
	capture();
	assert_int_equal(f.insert(con, &k, &v, 1), -EOPNOTSUPP);
	assert_int_equal(f.replace(con, &k, &v, 1, 1), -EOPNOTSUPP);
	assert_logged(captured(), "the ro driver cannot run insert");
	assert_int_equal(f.last_inserted_id(con, &id), -EOPNOTSUPP);
	assert_int_equal(f.affected_rows(con), -EOPNOTSUPP);
	assert_int_equal(mock.execs, 0);
	f.close(con);
}

/* A lost connection is reported, not retried; the next call opens a new one. */
static void test_reconnect(void **state)
{
	struct ksr_db_funcs f;
	struct ksr_db_con *con;
	struct ksr_db_res *res = NULL;
	struct ksr_str k = S("a"), t = S("t");
	struct ksr_db_val v = ksr_db_int(1);
	long long id;
	const char *log;

	assert_int_equal(ksr_db_bind("mock://h/db", &f), 0);
	assert_int_equal(f.init("mock://u:pw@h/db", &con), 0);
	assert_int_equal(f.use_table(con, &t), 0);

	mock.exec_rc = -ENOTCONN;
	capture();
	assert_int_equal(f.insert(con, &k, &v, 1), -ENOTCONN);
	log = captured();
	assert_logged(log, "mock://u:***@h/db: connection lost; the next call reconnects");
	assert_int_equal(mock.execs, 1); /* once: no blind retry */
	assert_int_equal(mock.closes, 1);
	assert_int_equal(mock.opens, 1);
	/* nothing to report about a connection that is gone */
	assert_int_equal(f.last_inserted_id(con, &id), -ENOTCONN);
	assert_int_equal(f.affected_rows(con), -ENOTCONN);

	/* the server is still away: the call fails without reaching exec */
	mock.open_rc = -ENOTCONN;
	assert_int_equal(f.query(con, &k, NULL, &v, NULL, 1, 0, NULL, &res), -ENOTCONN);
	assert_int_equal(mock.opens, 2);
	assert_int_equal(mock.execs, 1);

	/* back: the next call reconnects and runs */
	mock.open_rc = 0;
	mock.exec_rc = 0;
	assert_int_equal(f.insert(con, &k, &v, 1), 0);
	assert_int_equal(mock.opens, 3);
	assert_int_equal(mock.execs, 2);
	assert_string_equal(mock.table, "t"); /* the table survives the reconnect */

	/* other errors keep the connection */
	mock.exec_rc = -EBUSY;
	assert_int_equal(f.insert(con, &k, &v, 1), -EBUSY);
	assert_int_equal(f.insert(con, &k, &v, 1), -EBUSY);
	assert_int_equal(mock.closes, 1);
	assert_int_equal(mock.opens, 3);

	/* a driver that cannot connect at all fails init */
	mock.open_rc = -ENOTCONN;
	f.close(con);
	assert_int_equal(f.init("mock://h/db", &con), -ENOTCONN);
}

static void test_table_version(void **state)
{
	struct ksr_db_funcs f;
	struct ksr_db_con *con;
	struct ksr_str loc = S("location"), k = S("a");
	struct ksr_db_val v = ksr_db_int(1);
	const char *log;

	assert_int_equal(ksr_db_bind("mock://h/db", &f), 0);
	assert_int_equal(f.init("mock://h/db", &con), 0);
	assert_int_equal(f.use_table(con, &loc), 0);

	mock.version_row = true;
	mock.version = ksr_db_int(9);
	assert_int_equal(ksr_db_table_version(&f, con, &loc), 9);
	assert_string_equal(mock.table, "version");
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), 0);
	/* the connection's table is still location */
	assert_int_equal(f.insert(con, &k, &v, 1), 0);
	assert_string_equal(mock.table, "location");

	capture();
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 10), -EPROTO);
	mock.version = ksr_db_int(11);
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 10), -EPROTO);
	log = captured();
	assert_logged(log, "table location has version 9, module expects 10: upgrade the schema "
			   "with kamdbctl");
	assert_logged(log, "table location has version 11, module expects 10: the schema is newer");

	/* drivers that return the version as text or as a bigint */
	mock.version = ksr_db_str(S("7"));
	assert_int_equal(ksr_db_table_version(&f, con, &loc), 7);
	mock.version = ksr_db_bigint(8);
	assert_int_equal(ksr_db_table_version(&f, con, &loc), 8);

	capture();
	mock.version = ksr_db_str(S("seven"));
	assert_int_equal(ksr_db_table_version(&f, con, &loc), -EINVAL);
	mock.version = ksr_db_null(KSR_DB_INT);
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), -EINVAL);
	mock.version_row = false;
	mock.version = ksr_db_int(9);
	assert_int_equal(ksr_db_check_table_version(&f, con, &loc, 9), -ENOENT);
	mock.exec_rc = -ENOENT; /* no version table at all */
	assert_int_equal(ksr_db_table_version(&f, con, &loc), -ENOENT);
	log = captured();
	assert_logged(log, "is not a number");
	assert_logged(log, "table location has no row in table version: create the tables with "
			   "kamdbctl");
	assert_logged(log, "cannot read the version of table location from table version");
	f.close(con);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_missing_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_version, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
