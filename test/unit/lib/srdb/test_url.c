/* Database URLs (src/lib/srdb/url.c): the forms Kamailio's db_url takes, and refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/srdb/db_driver.h"

static void test_sqlite(void **state)
{
	struct ksr_db_url u;

	/* three slashes: upstream takes the path after the host's '/'; the driver adds '/' */
	assert_int_equal(ksr_db_url_parse("sqlite:///etc/kamailio/kamailio.db", &u), 0);
	assert_string_equal(u.scheme, "sqlite");
	assert_string_equal(u.host, "");
	assert_null(u.user);
	assert_null(u.password);
	assert_int_equal(u.port, 0);
	assert_string_equal(u.database, "etc/kamailio/kamailio.db");
	assert_string_equal(u.shown, "sqlite:///etc/kamailio/kamailio.db");
	ksr_db_url_free(&u);

	/* four slashes (sqlops' examples): an absolute path; '@' in it is no user */
	assert_int_equal(ksr_db_url_parse("sqlite:////var/db/a@b.sqlite", &u), 0);
	assert_string_equal(u.database, "/var/db/a@b.sqlite");
	assert_null(u.user);
	ksr_db_url_free(&u);
	ksr_db_url_free(NULL);
}

static void test_mysql(void **state)
{
	struct ksr_db_url u;

	assert_int_equal(ksr_db_url_parse("mysql://kamailio:kamailiorw@localhost:3306/kamailio", &u), 0);
	assert_string_equal(u.scheme, "mysql");
	assert_string_equal(u.user, "kamailio");
	assert_string_equal(u.password, "kamailiorw");
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 3306);
	assert_string_equal(u.database, "kamailio");
	assert_null(u.params);
	/* logs never carry the password */
	assert_string_equal(u.shown, "mysql://kamailio:***@localhost:3306/kamailio");
	ksr_db_url_free(&u);

	/* a password with '@' and '/', as upstream allows; parameters after '?' */
	assert_int_equal(ksr_db_url_parse("postgres://u:p@s/s@db.example.com/kam?sslmode=require", &u), 0);
	assert_string_equal(u.user, "u");
	assert_string_equal(u.password, "p@s/s");
	assert_string_equal(u.host, "db.example.com");
	assert_string_equal(u.database, "kam");
	assert_string_equal(u.params, "sslmode=require");
	assert_string_equal(u.shown, "postgres://u:***@db.example.com/kam?sslmode=require");
	ksr_db_url_free(&u);

	/* a user without password; IPv6 host with port */
	assert_int_equal(ksr_db_url_parse("mysql://root@[2001:db8::1]:3307/k", &u), 0);
	assert_string_equal(u.user, "root");
	assert_null(u.password);
	assert_string_equal(u.host, "2001:db8::1");
	assert_int_equal(u.port, 3307);
	ksr_db_url_free(&u);

	assert_int_equal(ksr_db_url_parse("mysql://h/db", &u), 0);
	assert_string_equal(u.host, "h");
	assert_null(u.user);
	ksr_db_url_free(&u);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "sqlite", "sqlite:/x.db", "sqlite://", "sqlite:///", "://x/y", "mysql://host",
		"mysql://host/", "mysql://host:0/db", "mysql://host:65536/db", "mysql://host:x/db",
		"mysql://[::1/db", "mysql://[::1]x/db", "my sql://h/db",
	};
	struct ksr_db_url u = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ksr_db_url_parse(bad[i], &u);

		if (rc != -EINVAL)
			fail_msg("'%s' parsed (%d)", bad[i], rc);
	}
	assert_int_equal(ksr_db_url_parse(NULL, &u), -EINVAL);
	/* untouched on failure */
	assert_null(u.scheme);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
