/* db_mysql's shared state: the parameters, a connection, statements (my_cmd.c), results
 * (my_res.c). */
#ifndef KSR_MODULES_DB_MYSQL_DB_MYSQL_H
#define KSR_MODULES_DB_MYSQL_DB_MYSQL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <mysql.h>

#include "lib/srdb/db_driver.h"

/* Prepared statements kept per connection, least recently used replaced first. */
#define DB_MYSQL_STMT_CACHE 32

/* Module parameters (db_mysql.c), read-only once the workers run. */
extern int db_mysql_ping_interval;   /* s; 0: never */
extern int db_mysql_server_timezone; /* 1: the server converts datetimes */
extern int db_mysql_auto_reconnect;

struct db_mysql_stmt {
	char *sql; /* the text it was prepared from; NULL when the slot is free */
	MYSQL_STMT *stmt;
	unsigned long used; /* tick of the last use */
};

/* What a connection was opened with, to open it again after a failed idle ping. */
struct db_mysql_target {
	char *host; /* NULL: the library's default (or the my.cnf group's) */
	char *user, *password, *database;
	char *group; /* a my.cnf group, mysql://[group]/db; NULL when none */
	unsigned int port;
	char *shown; /* the URL for logs, without the password */
};

/* One connection to a server; used by one thread at a time (srdb's rule). */
struct db_mysql_con {
	MYSQL *my;
	struct db_mysql_target target;
	struct db_mysql_stmt cache[DB_MYSQL_STMT_CACHE];
	unsigned long tick;
	struct ksr_db_sql sql; /* scratch: the statement srdb's builder makes */
	char *text;            /* scratch: the statement sent (the builder's, rewritten) */
	size_t text_len, text_cap;
	MYSQL_BIND *binds; /* scratch for parameters, binds_cap of them */
	MYSQL_TIME *times; /* datetimes bound, server_timezone 0 */
	long long *secs;   /* datetimes bound, server_timezone 1 (time_t may be narrower) */
	int binds_cap;
	long long last_id;   /* of the last insert */
	int changes;         /* rows changed by the last insert/update/delete/replace/raw */
	int64_t last_use_ms; /* CLOCK_MONOTONIC, for ping_interval */
};

/* Connect c->my (a new handle) to c->target; 0 or -ENOTCONN (logged). db_mysql.c */
int db_mysql_connect(struct db_mysql_con *c);
/* Close c->my and forget its prepared statements; c->target is kept. */
void db_mysql_disconnect(struct db_mysql_con *c);

/* ---- my_cmd.c: statements --------------------------------------------------------- */

int db_mysql_exec(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res);
int db_mysql_last_inserted_id(void *dh, long long *ret_id);
int db_mysql_affected_rows(void *dh);
/* Close the cached statements (before closing the connection). */
void db_mysql_cache_clear(struct db_mysql_con *c);
/*
 * The prepared statement for sql (len bytes, NUL-terminated): cached or prepared now
 * (*ret_cached says which, when not NULL). NULL on failure, with the error number in
 * *ret_err and its text in msg.
 */
MYSQL_STMT *db_mysql_prepare(struct db_mysql_con *c, const char *sql, size_t len,
                             unsigned int *ret_err, char *msg, size_t msg_size, bool *ret_cached);
/* Drop st from the cache and close it. */
void db_mysql_forget(struct db_mysql_con *c, MYSQL_STMT *st);
/* Log a failed cmd (the server's message, the statement) and return its errno. */
int db_mysql_fail(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, unsigned int code,
                  const char *msg, const char *sql);
/* The negative errno for a MySQL/MariaDB error number (server or client). */
int db_mysql_errno(unsigned int code);
/* Whether code means the connection is gone (CR_SERVER_GONE_ERROR, CR_SERVER_LOST, ...). */
bool db_mysql_conn_lost(unsigned int code);
/* "query", "insert", ... by enum ksr_db_cmd_kind, for logs. */
extern const char *const db_mysql_what[];

/* ---- my_res.c: results ------------------------------------------------------------ */

/*
 * The result set of executed statement st into a new *ret_res (empty without one).
 * -ESTALE, not logged, when the statement's result layout changed (prepare it anew).
 */
int db_mysql_collect(struct db_mysql_con *c, MYSQL_STMT *st, const struct ksr_db_cmd *cmd,
                     struct ksr_db_res **ret_res);
/* The rows of a text-protocol result (a raw query) into a new *ret_res. */
int db_mysql_text_result(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, MYSQL_RES *r,
                         struct ksr_db_res **ret_res);
/*
 * Datetimes: with server_timezone 0 kamailio's local time, as upstream writes and reads
 * them; with 1 the server's wall clock, converted by the server (see my_res.c).
 */
void db_mysql_time_to_my(time_t t, MYSQL_TIME *ret);
/* 0, or -EINVAL for no valid date; the zero date '0000-00-00' is the epoch. */
int db_mysql_my_to_time(const MYSQL_TIME *m, time_t *ret);
/* "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" as the text protocol sends it; 0 or -EINVAL. */
int db_mysql_text_to_time(const char *s, size_t len, time_t *ret);

#endif
