/* db_sqlite's shared state: a connection and the command runner (sqlite_cmd.c). */
#ifndef KSR_MODULES_DB_SQLITE_DB_SQLITE_H
#define KSR_MODULES_DB_SQLITE_DB_SQLITE_H

#include <sqlite3.h>

#include "lib/srdb/db_driver.h"

/* Prepared statements kept per connection, least recently used replaced first. */
#define DB_SQLITE_STMT_CACHE 32

struct db_sqlite_stmt {
	char *sql; /* the text it was prepared from; NULL when the slot is free */
	sqlite3_stmt *stmt;
	unsigned long used; /* tick of the last use */
};

/* One open database file; used by one thread at a time (opened SQLITE_OPEN_NOMUTEX). */
struct db_sqlite_con {
	sqlite3 *db;
	char *path; /* absolute, for sqlite3_open_v2() and the logs */
	struct db_sqlite_stmt cache[DB_SQLITE_STMT_CACHE];
	unsigned long tick;
	struct ksr_db_sql sql; /* scratch for the statement being built */
	int changes; /* rows changed by the last insert/update/delete/replace/raw */
};

int db_sqlite_exec(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res);
int db_sqlite_last_inserted_id(void *dh, long long *ret_id);
int db_sqlite_affected_rows(void *dh);
/* Finalize the cached statements (before closing the database). */
void db_sqlite_cache_clear(struct db_sqlite_con *c);
/* The negative errno for an SQLite result code (extended codes on). */
int db_sqlite_errno(sqlite3 *db, int rc);

/* Datetimes are stored as upstream's driver stores them: a Julian day number (REAL). */
double db_sqlite_time_to_julian(time_t t);
time_t db_sqlite_julian_to_time(double jd);
/* "2030-05-28 21:32:15" (UTC, as SQLite's date functions read it) to *ret. 0 or -EINVAL. */
int db_sqlite_text_to_time(const char *s, time_t *ret);

#endif
