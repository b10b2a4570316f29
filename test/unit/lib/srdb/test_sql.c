/* The SQL builder (src/lib/srdb/sql.c): placeholders for values, quoted names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/srdb/db.h"
#include "lib/srdb/db_driver.h"

#define S(x) KSR_STR_STATIC(x)

static struct ksr_db_sql sql;

static int teardown(void **state)
{
	ksr_db_sql_free(&sql);
	return 0;
}

static void test_query(void **state)
{
	struct ksr_str keys[] = {S("username"), S("expires")};
	enum ksr_db_op ops[] = {KSR_DB_EQ, KSR_DB_GT};
	struct ksr_db_val vals[] = {ksr_db_string("alice"), ksr_db_datetime(1000)};
	struct ksr_str cols[] = {S("contact"), S("q")};
	struct ksr_str order = S("q DESC");
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_QUERY, .table = "location", .keys = keys,
				 .ops = ops, .vals = vals, .n = 2, .cols = cols, .ncols = 2,
				 .order = &order};

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
	assert_string_equal(sql.text, "SELECT `contact`,`q` FROM `location` WHERE "
				      "`username`=? AND `expires`>? ORDER BY `q` DESC");
	assert_int_equal(sql.len, strlen(sql.text));
	assert_int_equal(sql.nbinds, 2);
	assert_ptr_equal(sql.binds[0], &vals[0]);
	assert_ptr_equal(sql.binds[1], &vals[1]);

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_MYSQL, &cmd), 0);
	assert_string_equal(sql.text, "SELECT `contact`,`q` FROM `location` WHERE "
				      "`username`=? AND `expires`>? ORDER BY `q` DESC");

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_POSTGRES, &cmd), 0);
	assert_string_equal(sql.text, "SELECT \"contact\",\"q\" FROM \"location\" WHERE "
				      "\"username\"=$1 AND \"expires\">$2 ORDER BY \"q\" DESC");

	/* all columns, no WHERE, every operator, a schema-qualified table */
	{
		struct ksr_str k[] = {S("a"), S("b"), S("c"), S("d"), S("e"), S("f")};
		enum ksr_db_op o[] = {KSR_DB_EQ, KSR_DB_LT, KSR_DB_GT,
				      KSR_DB_LE, KSR_DB_GE, KSR_DB_NE};
		struct ksr_db_val v[6];
		struct ksr_db_cmd c = {.kind = KSR_DB_CMD_QUERY, .table = "kam.location"};

		for (int i = 0; i < 6; i++)
			v[i] = ksr_db_int(i);
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &c), 0);
		assert_string_equal(sql.text, "SELECT * FROM `kam`.`location`");
		assert_int_equal(sql.nbinds, 0);
		c.keys = k;
		c.ops = o;
		c.vals = v;
		c.n = 6;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &c), 0);
		assert_string_equal(sql.text, "SELECT * FROM `kam`.`location` WHERE `a`=? AND "
					      "`b`<? AND `c`>? AND `d`<=? AND `e`>=? AND `f`!=?");
		assert_int_equal(sql.nbinds, 6);
	}
}

static void test_null(void **state)
{
	struct ksr_str keys[] = {S("domain"), S("socket")};
	enum ksr_db_op ops[] = {KSR_DB_EQ, KSR_DB_NE};
	struct ksr_db_val vals[] = {ksr_db_null(KSR_DB_STR), ksr_db_null(KSR_DB_STR)};
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_DELETE, .table = "location", .keys = keys,
				 .ops = ops, .vals = vals, .n = 2};

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
	assert_string_equal(sql.text,
			    "DELETE FROM `location` WHERE `domain` IS NULL AND `socket` IS NOT NULL");
	assert_int_equal(sql.nbinds, 0);
	/* NULL has no order */
	ops[1] = KSR_DB_LT;
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
	assert_int_equal(sql.len, 0);
	assert_string_equal(sql.text, "");
}

static void test_insert_update(void **state)
{
	struct ksr_str keys[] = {S("username"), S("q"), S("received")};
	struct ksr_db_val vals[] = {ksr_db_str(S("bob")), ksr_db_double(0.5),
				    ksr_db_null(KSR_DB_STRING)};
	struct ksr_str wk[] = {S("ruid")};
	struct ksr_db_val wv[] = {ksr_db_string("r-1")};
	struct ksr_db_cmd ins = {.kind = KSR_DB_CMD_INSERT, .table = "location", .keys = keys,
				 .vals = vals, .n = 3};
	struct ksr_db_cmd upd = {.kind = KSR_DB_CMD_UPDATE, .table = "location", .keys = wk,
				 .vals = wv, .n = 1, .cols = keys, .uvals = vals, .ncols = 3};

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &ins), 0);
	assert_string_equal(sql.text,
			    "INSERT INTO `location` (`username`,`q`,`received`) VALUES (?,?,?)");
	/* a null value is bound like any other in INSERT and SET */
	assert_int_equal(sql.nbinds, 3);
	assert_ptr_equal(sql.binds[2], &vals[2]);

	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_POSTGRES, &upd), 0);
	assert_string_equal(sql.text, "UPDATE \"location\" SET \"username\"=$1,\"q\"=$2,"
				      "\"received\"=$3 WHERE \"ruid\"=$4");
	assert_int_equal(sql.nbinds, 4);
	assert_ptr_equal(sql.binds[3], &wv[0]);

	/* nothing to insert or set */
	ins.n = 0;
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &ins), -EINVAL);
	upd.ncols = 0;
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &upd), -EINVAL);
}

/* Names are identifiers: nothing in them can end the quoting. */
static void test_bad_names(void **state)
{
	static const char *const bad[] = {"", "a\"b", "a`b", "a..b", ".a", "a.", "."};
	struct ksr_db_val v = ksr_db_int(1);
	struct ksr_str k;
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_QUERY, .table = "t", .keys = &k, .vals = &v,
				 .n = 1};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = ksr_str_make((char *)bad[i], strlen(bad[i]));
		if (ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd) != -EINVAL)
			fail_msg("key '%s' accepted: %s", bad[i], sql.text);
		cmd.n = 0;
		cmd.table = bad[i];
		if (ksr_db_sql_build(&sql, KSR_DB_SQL_MYSQL, &cmd) != -EINVAL)
			fail_msg("table '%s' accepted: %s", bad[i], sql.text);
		cmd.n = 1;
		cmd.table = "t";
	}
	/* a NUL inside a counted name */
	k = ksr_str_make("a\0b", 3);
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
	/* a space is fine inside the quotes */
	k = S("my col");
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
	assert_string_equal(sql.text, "SELECT * FROM `t` WHERE `my col`=?");
	/* bad operator, bad value, no table, a kind the builder does not make */
	{
		enum ksr_db_op op = (enum ksr_db_op)42;
		struct ksr_db_val bv = {.type = (enum ksr_db_type)99};
		struct ksr_db_val ns = {.type = KSR_DB_STRING};

		cmd.ops = &op;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
		cmd.ops = NULL;
		cmd.vals = &bv;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
		cmd.vals = &ns; /* a string value without its string */
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
		cmd.vals = &v;
		cmd.table = NULL;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
		cmd.table = "t";
		cmd.kind = KSR_DB_CMD_REPLACE;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), -EINVAL);
	}
}

static void test_order(void **state)
{
	static const struct {
		const char *order, *sql;
	} cases[] = {
		{"q", "SELECT * FROM `t` ORDER BY `q`"},
		{" q  asc ", "SELECT * FROM `t` ORDER BY `q` ASC"},
		{"last_modified desc", "SELECT * FROM `t` ORDER BY `last_modified` DESC"},
		{"", "SELECT * FROM `t`"},
	};
	struct ksr_db_cmd cmd = {.kind = KSR_DB_CMD_QUERY, .table = "t"};
	struct ksr_str o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = ksr_str_make((char *)cases[i].order, strlen(cases[i].order));
		cmd.order = &o;
		assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
		assert_string_equal(sql.text, cases[i].sql);
	}
	/* whatever the order holds is one quoted name, never SQL */
	o = S("desc; DROP TABLE t");
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
	assert_string_equal(sql.text, "SELECT * FROM `t` ORDER BY `desc; DROP TABLE t`");
	o = S(" desc");
	assert_int_equal(ksr_db_sql_build(&sql, KSR_DB_SQL_SQLITE, &cmd), 0);
	assert_string_equal(sql.text, "SELECT * FROM `t` ORDER BY `desc`");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_query, teardown),
		cmocka_unit_test_teardown(test_null, teardown),
		cmocka_unit_test_teardown(test_insert_update, teardown),
		cmocka_unit_test_teardown(test_bad_names, teardown),
		cmocka_unit_test_teardown(test_order, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
