/*
 * The interface between srdb and a database driver module (db_sqlite, ...), and the
 * helpers drivers share: URL parsing, an SQL builder with placeholders, result sets.
 * A driver module exports one struct ksr_db_driver through its .apis as "db_<scheme>".
 */
#ifndef KSR_LIB_SRDB_DB_DRIVER_H
#define KSR_LIB_SRDB_DB_DRIVER_H

#include "lib/srdb/db-t.h"

/* Bump on any change to the types of db-t.h or this file: srdb refuses other versions. */
#define KSR_DB_DRIVER_ABI 1u

/* A parsed URL: scheme://[user[:password]@]host[:port]/database[?params]. */
struct ksr_db_url {
	char *scheme; /* "sqlite", "mysql", "postgres" */
	char *user, *password; /* NULL when absent */
	char *host; /* "" when absent (sqlite:///path); IPv6 without brackets */
	unsigned short port; /* 0 when absent */
	char *database; /* the rest after the host's '/': "etc/kamailio.db" for sqlite:///etc/... */
	char *params; /* after '?', or NULL */
	char *shown; /* the URL for logs, the password replaced by "***" */
	char *buf_; /* private: one allocation behind all of the above */
};

/* Parse url. 0, -EINVAL when malformed, -ENOMEM. */
int ksr_db_url_parse(const char *url, struct ksr_db_url *ret);
/* Free what parse allocated; a zeroed or NULL url is fine. */
void ksr_db_url_free(struct ksr_db_url *url);

/* One command, as srdb hands it to the driver once the arguments are checked. */
enum ksr_db_cmd_kind {
	KSR_DB_CMD_QUERY,
	KSR_DB_CMD_INSERT,
	KSR_DB_CMD_UPDATE,
	KSR_DB_CMD_DELETE,
	KSR_DB_CMD_REPLACE,
	KSR_DB_CMD_RAW,
};

struct ksr_db_cmd {
	enum ksr_db_cmd_kind kind;
	const char *table; /* NUL-terminated; NULL for RAW */
	/* QUERY/UPDATE/DELETE: the WHERE keys; INSERT/REPLACE: the columns written */
	const struct ksr_str *keys;
	const enum ksr_db_op *ops; /* NULL: all KSR_DB_EQ */
	const struct ksr_db_val *vals;
	int n;
	/* QUERY: the columns returned (0: all); UPDATE: the columns set, to uvals */
	const struct ksr_str *cols;
	const struct ksr_db_val *uvals;
	int ncols;
	const struct ksr_str *order; /* QUERY: "col", "col desc", "col asc", or NULL */
	int nunique; /* REPLACE: the first nunique keys identify the row */
	const struct ksr_str *sql; /* RAW */
};

struct ksr_db_driver {
	unsigned int abi_version; /* KSR_DB_DRIVER_ABI */
	unsigned int struct_size; /* sizeof(struct ksr_db_driver) */
	const char *scheme; /* "sqlite" */
	unsigned int caps; /* enum ksr_db_cap */
	/* Connect; the driver's handle in *ret_dh. -errno (after logging) on failure. */
	int (*open)(const struct ksr_db_url *url, void **ret_dh);
	void (*close)(void *dh);
	/*
	 * Run cmd; *ret_res for QUERY (and RAW when ret_res is not NULL). Returns -ENOTCONN
	 * when the connection is lost: srdb then closes dh and opens a new one on the next
	 * call. Other errors as listed at struct ksr_db_funcs.
	 */
	int (*exec)(void *dh, const struct ksr_db_cmd *cmd, struct ksr_db_res **ret_res);
	int (*last_inserted_id)(void *dh, long long *ret_id);
	int (*affected_rows)(void *dh);
};

#define KSR_DB_DRIVER_HEAD .abi_version = KSR_DB_DRIVER_ABI, .struct_size = sizeof(struct ksr_db_driver)

/* ---- SQL text with placeholders ---------------------------------------------------- */

enum ksr_db_sql_dialect {
	KSR_DB_SQL_SQLITE, /* `ident`, ? */
	KSR_DB_SQL_MYSQL, /* `ident`, ? */
	KSR_DB_SQL_POSTGRES, /* "ident", $1 $2 ... */
};

/*
 * SQL text and the values to bind to its placeholders, in order. Reusable: build()
 * starts over and keeps the buffers; free() releases them.
 */
struct ksr_db_sql {
	char *text; /* NUL-terminated */
	size_t len, cap;
	const struct ksr_db_val **binds;
	int nbinds, binds_cap;
};

/*
 * The statement for a QUERY, INSERT, UPDATE or DELETE command. Identifiers are quoted
 * (each part of "schema.table" on its own); one holding the quote character, a NUL or
 * nothing is refused with -EINVAL, as are bad operators, null values with an order
 * operator and unknown value types.
 */
int ksr_db_sql_build(struct ksr_db_sql *sql, enum ksr_db_sql_dialect dialect,
		     const struct ksr_db_cmd *cmd);
void ksr_db_sql_free(struct ksr_db_sql *sql);

/* ---- result sets ------------------------------------------------------------------- */

/* An empty result of ncols columns (names and types to be set). 0 or -ENOMEM. */
int ksr_db_res_new(int ncols, struct ksr_db_res **ret_res);
/* Name column i (copied) and give its type. 0 or -ENOMEM. */
int ksr_db_res_set_col(struct ksr_db_res *res, int i, const char *name, size_t len,
		       enum ksr_db_type type);
/* A new row of ncols values typed as the columns, all null; NULL when out of memory. */
struct ksr_db_val *ksr_db_res_add_row(struct ksr_db_res *res);
/* A copy of len bytes, NUL-terminated, owned by the result; NULL when out of memory. */
char *ksr_db_res_copy(struct ksr_db_res *res, const void *p, size_t len);
/* Free a result; NULL is fine. */
void ksr_db_res_free(struct ksr_db_res *res);

#endif
