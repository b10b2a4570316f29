/*
 * The database API for modules (src/lib/srdb): bind a driver by URL, check table
 * versions, and build values and read results. Types in db-t.h; see README.md.
 */
#ifndef KSR_LIB_SRDB_DB_H
#define KSR_LIB_SRDB_DB_H

#include <string.h>

#include "lib/srdb/db-t.h"

/*
 * Find the driver for url's scheme ("sqlite:///var/lib/kamailio/kamailio.db" needs the
 * module db_sqlite, which provides the API "db_sqlite") and fill *ret with the
 * operations. Call it in mod_init, when every module is loaded; open connections with
 * ret->init() in child_init. Logs and returns -EINVAL for a malformed URL, -ENOENT when
 * the driver module is not loaded (the message says which loadmodule is missing),
 * -ELIBBAD for a driver built against another version of this API. *ret is untouched on
 * failure.
 */
int ksr_db_bind(const char *url, struct ksr_db_funcs *ret);

/*
 * The version of table in the `version` table (columns table_name, table_version), or a
 * negative errno: -ENOENT (and a logged error) when the table has no row there. The
 * connection's current table is kept.
 */
int ksr_db_table_version(const struct ksr_db_funcs *f, struct ksr_db_con *con,
			 const struct ksr_str *table);

/*
 * 0 when table has version `expected`; otherwise logs what to do ("table location has
 * version 8, module expects 9: upgrade the schema with kamdbctl") and returns -EPROTO,
 * or the error of ksr_db_table_version().
 */
int ksr_db_check_table_version(const struct ksr_db_funcs *f, struct ksr_db_con *con,
			       const struct ksr_str *table, int expected);

/* Whether the bound driver can do all of caps (enum ksr_db_cap bits). */
static inline bool ksr_db_has_caps(const struct ksr_db_funcs *f, unsigned int caps)
{
	return (f->caps & caps) == caps;
}

/* ---- values ---------------------------------------------------------------------- */

static inline struct ksr_db_val ksr_db_int(int i)
{
	return (struct ksr_db_val){.type = KSR_DB_INT, .v.i = i};
}

static inline struct ksr_db_val ksr_db_bigint(long long ll)
{
	return (struct ksr_db_val){.type = KSR_DB_BIGINT, .v.ll = ll};
}

static inline struct ksr_db_val ksr_db_double(double d)
{
	return (struct ksr_db_val){.type = KSR_DB_DOUBLE, .v.d = d};
}

/* s must outlive the call the value is passed to (it is not copied). */
static inline struct ksr_db_val ksr_db_string(const char *s)
{
	return (struct ksr_db_val){.type = KSR_DB_STRING, .v.string = s};
}

static inline struct ksr_db_val ksr_db_str(struct ksr_str s)
{
	return (struct ksr_db_val){.type = KSR_DB_STR, .v.str = s};
}

static inline struct ksr_db_val ksr_db_blob(const void *p, size_t len)
{
	return (struct ksr_db_val){.type = KSR_DB_BLOB, .v.blob = {(char *)p, len}};
}

static inline struct ksr_db_val ksr_db_datetime(time_t t)
{
	return (struct ksr_db_val){.type = KSR_DB_DATETIME, .v.t = t};
}

/* SQL NULL, for a column of the given type. */
static inline struct ksr_db_val ksr_db_null(enum ksr_db_type type)
{
	return (struct ksr_db_val){.type = type, .nul = true};
}

/* ---- results --------------------------------------------------------------------- */

static inline const struct ksr_db_val *ksr_db_res_val(const struct ksr_db_res *res, int row,
						      int col)
{
	return &res->rows[row].values[col];
}

/* The index of the result column called name, or -1. */
static inline int ksr_db_res_col(const struct ksr_db_res *res, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < res->ncols; i++)
		if (res->names[i].len == n && strncasecmp(res->names[i].s, name, n) == 0)
			return i;
	return -1;
}

#endif
