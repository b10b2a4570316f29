/*
 * Types of the database API that modules use (src/lib/srdb): typed values, comparison
 * operators, result sets, the connection handle and the table of operations that
 * ksr_db_bind() fills. See README.md in this folder.
 */
#ifndef KSR_LIB_SRDB_DB_T_H
#define KSR_LIB_SRDB_DB_T_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/mem/arena.h"
#include "core/str.h"

/* The type of a value, and of a result column. */
enum ksr_db_type {
	KSR_DB_INT = 1, /* v.i */
	KSR_DB_BIGINT, /* v.ll */
	KSR_DB_DOUBLE, /* v.d */
	KSR_DB_STRING, /* v.string, NUL-terminated */
	KSR_DB_STR, /* v.str, counted */
	KSR_DB_DATETIME, /* v.t, seconds since the epoch (UTC) */
	KSR_DB_BLOB, /* v.blob, counted bytes */
};

/*
 * How a key compares with its value in a WHERE clause. 0 is "=", so a NULL ops array
 * means every key must equal its value. A null value with KSR_DB_EQ is "IS NULL", with
 * KSR_DB_NE "IS NOT NULL"; other operators refuse a null value.
 */
enum ksr_db_op {
	KSR_DB_EQ = 0, /* = */
	KSR_DB_LT, /* < */
	KSR_DB_GT, /* > */
	KSR_DB_LE, /* <= */
	KSR_DB_GE, /* >= */
	KSR_DB_NE, /* != */
};

/*
 * A value. `nul` makes it SQL NULL whatever the type says. In results, text columns are
 * KSR_DB_STR with a NUL-terminated str.s, so v.string reads the same pointer.
 */
struct ksr_db_val {
	enum ksr_db_type type;
	bool nul;
	union {
		int i;
		long long ll;
		double d;
		const char *string;
		struct ksr_str str;
		struct ksr_str blob;
		time_t t;
	} v;
};

struct ksr_db_row {
	struct ksr_db_val *values; /* ncols of them */
};

/*
 * A result set: nrows rows of ncols typed columns. Everything in it (names, strings,
 * blobs) belongs to the result and goes with free_result().
 */
struct ksr_db_res {
	int ncols;
	int nrows;
	struct ksr_str *names; /* column names, NUL-terminated */
	enum ksr_db_type *types; /* column types */
	struct ksr_db_row *rows;
	/* private to srdb and drivers */
	int rows_alloc;
	struct ksr_arena arena;
};

/* What a driver can do (ksr_db_funcs.caps); calls it cannot make fail with -EOPNOTSUPP. */
enum ksr_db_cap {
	KSR_DB_CAP_QUERY = 1 << 0,
	KSR_DB_CAP_RAW_QUERY = 1 << 1,
	KSR_DB_CAP_INSERT = 1 << 2,
	KSR_DB_CAP_DELETE = 1 << 3,
	KSR_DB_CAP_UPDATE = 1 << 4,
	KSR_DB_CAP_REPLACE = 1 << 5,
	KSR_DB_CAP_LAST_INSERTED_ID = 1 << 6,
	KSR_DB_CAP_AFFECTED_ROWS = 1 << 7,
};

/*
 * A connection: opaque. It belongs to the module that opened it, and is used by one
 * thread at a time: open one per worker thread in child_init.
 */
struct ksr_db_con;
struct ksr_db_driver;

/*
 * The operations, filled by ksr_db_bind(). Every call returns 0 (or a count) on success
 * and a negative errno on failure, after logging the driver's message:
 *   -EINVAL     bad arguments, or SQL the database refuses
 *   -ENOENT     no such table or column
 *   -EEXIST     a unique key is taken
 *   -EBUSY      the database stayed locked longer than the driver waits
 *   -EROFS      the database is read-only
 *   -ENOTCONN   the connection is lost: the call was not retried; the next call on the
 *               handle reconnects first
 *   -EOPNOTSUPP the driver cannot do that (see caps)
 *   -ENOMEM, -EIO
 * Names (table, keys, columns) are identifiers: they are quoted, never values. Values
 * are bound, never pasted into SQL text.
 */
struct ksr_db_funcs {
	unsigned int caps; /* enum ksr_db_cap bits of the driver */
	const struct ksr_db_driver *driver; /* private */

	/* Open a connection to url (same scheme as bound). */
	int (*init)(const char *url, struct ksr_db_con **ret_con);
	/* Close it; NULL is fine. */
	void (*close)(struct ksr_db_con *con);
	/* The table the next calls work on (copied). */
	int (*use_table)(struct ksr_db_con *con, const struct ksr_str *table);
	/*
	 * SELECT cols (all when ncols is 0) WHERE keys[i] ops[i] vals[i] (all AND-ed; no
	 * WHERE when nkeys is 0) ORDER BY order ("col", "col desc" or "col asc"; NULL for
	 * none). ops may be NULL (all KSR_DB_EQ). *ret_res is freed with free_result().
	 */
	int (*query)(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		     const struct ksr_db_val *vals, const struct ksr_str *cols, int nkeys, int ncols,
		     const struct ksr_str *order, struct ksr_db_res **ret_res);
	void (*free_result)(struct ksr_db_con *con, struct ksr_db_res *res);
	int (*insert)(struct ksr_db_con *con, const struct ksr_str *keys,
		      const struct ksr_db_val *vals, int n);
	/* UPDATE SET ukeys[j] = uvals[j] WHERE keys[i] ops[i] vals[i]. */
	int (*update)(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		      const struct ksr_db_val *vals, const struct ksr_str *ukeys,
		      const struct ksr_db_val *uvals, int n, int un);
	int (*delete)(struct ksr_db_con *con, const struct ksr_str *keys, const enum ksr_db_op *ops,
		      const struct ksr_db_val *vals, int n);
	/*
	 * Insert or update, atomically: the row whose first nunique keys equal their values
	 * gets the other values; without one, a row with all n values is inserted.
	 */
	int (*replace)(struct ksr_db_con *con, const struct ksr_str *keys,
		       const struct ksr_db_val *vals, int n, int nunique);
	/* One SQL statement as written; ret_res may be NULL for statements without rows. */
	int (*raw_query)(struct ksr_db_con *con, const struct ksr_str *sql,
			 struct ksr_db_res **ret_res);
	/* The id of the row the last insert on con created. */
	int (*last_inserted_id)(struct ksr_db_con *con, long long *ret_id);
	/* Rows changed by the last insert/update/delete/replace on con (>= 0), or -errno. */
	int (*affected_rows)(struct ksr_db_con *con);
};

#endif
