/*
 * Results of db_mysql's statements: column types from the metadata, values from the binary
 * protocol (prepared statements) and from the text protocol (raw queries), and datetimes
 * in the time zone server_timezone says.
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>

#include "core/log.h"
#include "db_mysql.h"

/* The binary character set: a BLOB/BINARY column, not text. */
#define MY_BINARY_CHARSET 63
/* Datetimes converted by the server per round trip, with server_timezone 1. */
#define TZ_BATCH 32

static bool stale(MYSQL_STMT *st)
{
	return mysql_stmt_errno(st) == CR_NEW_STMT_METADATA;
}

static int fail_stmt(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, MYSQL_STMT *st,
                     const char *sql)
{
	return db_mysql_fail(c, cmd, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
}

/* ---- datetimes -------------------------------------------------------------------------- */

/*
 * With server_timezone 0 (upstream's default) a datetime is kamailio's local time, as
 * upstream writes and reads it. With 1 the server converts: values go out as
 * FROM_UNIXTIME(?) and come back through UNIX_TIMESTAMP(); until then a result holds the
 * server's wall clock read as if it were UTC.
 */
void db_mysql_time_to_my(time_t t, MYSQL_TIME *ret)
{
	struct tm tm;

	localtime_r(&t, &tm);
	*ret = (MYSQL_TIME){.year = (unsigned int)tm.tm_year + 1900,
	                    .month = (unsigned int)tm.tm_mon + 1,
	                    .day = (unsigned int)tm.tm_mday,
	                    .hour = (unsigned int)tm.tm_hour,
	                    .minute = (unsigned int)tm.tm_min,
	                    .second = (unsigned int)tm.tm_sec,
	                    .time_type = MYSQL_TIMESTAMP_DATETIME};
}

static int days_in_month(int y, int mo)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[mo - 1];
}

/* A date and time of the server to Unix time; -EINVAL for one that is none (2024-02-30). */
static int fields_to_time(int y, int mo, int d, int h, int mi, int s, time_t *ret)
{
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = s,
	                .tm_isdst = -1};
	time_t t;

	if (y == 0 && mo == 0 && d == 0) {
		*ret = 0; /* MySQL's zero date, '0000-00-00 00:00:00' */
		return 0;
	}
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    s > 59)
		return -EINVAL;
	t = db_mysql_server_timezone ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 && !(y == 1969 || y == 1970))
		return -EINVAL;
	*ret = t;
	return 0;
}

int db_mysql_my_to_time(const MYSQL_TIME *m, time_t *ret)
{
	return fields_to_time((int)m->year, (int)m->month, (int)m->day, (int)m->hour,
	                      (int)m->minute, (int)m->second, ret);
}

static int digits(const char **p, const char *end, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (*p >= end || **p < '0' || **p > '9')
			return -EINVAL;
		v = v * 10 + (**p - '0');
	}
	*ret = v;
	return 0;
}

int db_mysql_text_to_time(const char *s, size_t len, time_t *ret)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h = 0, mi = 0, sec = 0;

	if (digits(&p, end, 4, &y) < 0 || p == end || *p++ != '-' || digits(&p, end, 2, &mo) < 0 ||
	    p == end || *p++ != '-' || digits(&p, end, 2, &d) < 0)
		return -EINVAL;
	if (p < end && *p == ' ') {
		p++;
		if (digits(&p, end, 2, &h) < 0 || p == end || *p++ != ':' ||
		    digits(&p, end, 2, &mi) < 0 || p == end || *p++ != ':' ||
		    digits(&p, end, 2, &sec) < 0)
			return -EINVAL;
		if (p < end && *p == '.')
			for (p++; p < end && *p >= '0' && *p <= '9'; p++)
				;
	}
	if (p != end)
		return -EINVAL;
	return fields_to_time(y, mo, d, h, mi, sec, ret);
}

static void time_to_naive(time_t t, MYSQL_TIME *ret)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	*ret = (MYSQL_TIME){.year = (unsigned int)tm.tm_year + 1900,
	                    .month = (unsigned int)tm.tm_mon + 1,
	                    .day = (unsigned int)tm.tm_mday,
	                    .hour = (unsigned int)tm.tm_hour,
	                    .minute = (unsigned int)tm.tm_min,
	                    .second = (unsigned int)tm.tm_sec,
	                    .time_type = MYSQL_TIMESTAMP_DATETIME};
}

/* ---- results ---------------------------------------------------------------------------- */

/* Our type for a column, from its metadata (upstream's mapping, text apart from blobs). */
static enum ksr_db_type col_type(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_YEAR:
	case MYSQL_TYPE_BIT: return KSR_DB_INT;
	case MYSQL_TYPE_LONGLONG: return KSR_DB_BIGINT;
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL: return KSR_DB_DOUBLE;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_NEWDATE: return KSR_DB_DATETIME;
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_GEOMETRY:
		return f->charsetnr == MY_BINARY_CHARSET ? KSR_DB_BLOB : KSR_DB_STR;
	default: return KSR_DB_STR; /* TIME, ENUM, SET, JSON, NULL: as text */
	}
}

/* A FLOAT column's value as the decimal it was written as: 0.9, not 0.899999976. */
static double float_to_double(float f)
{
	char buf[32];

	for (int prec = FLT_DIG; prec <= 9; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			return strtod(buf, NULL);
	}
	return (double)f;
}

/* A BIT(n) value: big-endian bytes. */
static long long bits_value(const unsigned char *p, size_t len)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < len; i++)
		v = (v << 8) | p[i];
	return (long long)v;
}

static int set_text(struct ksr_db_res *res, struct ksr_db_val *v, const char *p, size_t len)
{
	char *s = ksr_db_res_copy(res, p, len);

	if (!s)
		return -ENOMEM;
	v->v.str = ksr_str_make(s, len);
	return 0;
}

/* One column's storage for binary-protocol fetches. */
struct col_buf {
	long long ll;
	double d;
	float f;
	MYSQL_TIME t;
	char *data; /* strings, blobs, decimals, bits */
	unsigned long len;
	my_bool is_null, error;
};

static void col_bind(const MYSQL_FIELD *f, struct col_buf *cb, MYSQL_BIND *b)
{
	memset(b, 0, sizeof(*b));
	b->is_null = &cb->is_null;
	b->length = &cb->len;
	b->error = &cb->error;
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &cb->ll;
		b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
		return;
	case MYSQL_TYPE_FLOAT:
		b->buffer_type = MYSQL_TYPE_FLOAT;
		b->buffer = &cb->f;
		return;
	case MYSQL_TYPE_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &cb->d;
		return;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_NEWDATE:
		b->buffer_type = MYSQL_TYPE_DATETIME;
		b->buffer = &cb->t;
		return;
	default:
		b->buffer_type = col_type(f) == KSR_DB_BLOB ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
		b->buffer = cb->data;
		b->buffer_length = f->max_length + 1;
		return;
	}
}

/* The fetched column into v (typed as its result column). 0, -EINVAL (bad date), -ENOMEM. */
static int col_value(struct ksr_db_res *res, const MYSQL_FIELD *f, const struct col_buf *cb,
                     struct ksr_db_val *v)
{
	if (cb->is_null)
		return 0; /* add_row made it null */
	v->nul = false;
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_YEAR:
		v->v.i = (int)cb->ll; /* INT UNSIGNED above INT_MAX wraps, as upstream's */
		return 0;
	case MYSQL_TYPE_LONGLONG: v->v.ll = cb->ll; return 0;
	case MYSQL_TYPE_FLOAT: v->v.d = float_to_double(cb->f); return 0;
	case MYSQL_TYPE_DOUBLE: v->v.d = cb->d; return 0;
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
		v->v.d = strtod(cb->data, NULL); /* the buffer is NUL-terminated */
		return 0;
	case MYSQL_TYPE_BIT:
		v->v.i = (int)bits_value((const unsigned char *)cb->data, cb->len);
		return 0;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_NEWDATE: return db_mysql_my_to_time(&cb->t, &v->v.t);
	default: return set_text(res, v, cb->data, cb->len);
	}
}

/* The same from the text protocol. */
static int text_value(struct ksr_db_res *res, const MYSQL_FIELD *f, const char *p,
                      unsigned long len, struct ksr_db_val *v)
{
	if (!p)
		return 0;
	v->nul = false;
	switch (col_type(f)) {
	case KSR_DB_INT:
		if (f->type == MYSQL_TYPE_BIT)
			v->v.i = (int)bits_value((const unsigned char *)p, len);
		else
			v->v.i = (int)strtoll(p, NULL, 10);
		return 0;
	case KSR_DB_BIGINT:
		v->v.ll = (f->flags & UNSIGNED_FLAG) ? (long long)strtoull(p, NULL, 10)
		                                     : strtoll(p, NULL, 10);
		return 0;
	case KSR_DB_DOUBLE: v->v.d = strtod(p, NULL); return 0;
	case KSR_DB_DATETIME: return db_mysql_text_to_time(p, len, &v->v.t);
	default: return set_text(res, v, p, len);
	}
}

/* A result's column count as an int: MySQL has at most 4096 (more is a broken packet). */
static int ncols(unsigned int n)
{
	return n <= 4096 ? (int)n : 0;
}

static int res_columns(struct ksr_db_res *res, const MYSQL_FIELD *fields, int n)
{
	for (int i = 0; i < n; i++)
		if (ksr_db_res_set_col(res, i, fields[i].name, fields[i].name_length,
		                       col_type(&fields[i])) < 0)
			return -ENOMEM;
	return 0;
}

static void bad_date(struct db_mysql_con *c, const struct ksr_db_cmd *cmd,
                     const struct ksr_db_res *res, int col)
{
	LM_ERR("%s: %s: column %s of row %d holds no valid date\n", c->target.shown,
	       db_mysql_what[cmd->kind], res->names[col].s, res->nrows);
}

/* One round trip of server_times(): n values (n <= TZ_BATCH) to Unix time. */
static int server_times_batch(struct db_mysql_con *c, const struct ksr_db_cmd *cmd,
                              struct ksr_db_val **todo, int n)
{
	MYSQL_BIND in[TZ_BATCH], out[TZ_BATCH];
	MYSQL_TIME t[TZ_BATCH];
	long long secs[TZ_BATCH];
	my_bool nul[TZ_BATCH];
	char sql[TZ_BATCH * 40], msg[256];
	size_t len = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	unsigned int err;
	MYSQL_STMT *st;
	int rc;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
		                        "%sCAST(UNIX_TIMESTAMP(?) AS SIGNED)", i ? "," : "");
	st = db_mysql_prepare(c, sql, len, &err, msg, sizeof(msg), NULL);
	if (!st)
		return db_mysql_fail(c, cmd, err, msg, sql);
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	for (int i = 0; i < n; i++) {
		time_to_naive(todo[i]->v.t, &t[i]);
		in[i].buffer_type = MYSQL_TYPE_DATETIME;
		in[i].buffer = &t[i];
		out[i].buffer_type = MYSQL_TYPE_LONGLONG;
		out[i].buffer = &secs[i];
		out[i].is_null = &nul[i];
	}
	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st) ||
	    mysql_stmt_bind_result(st, out) || mysql_stmt_fetch(st) != 0) {
		rc = fail_stmt(c, cmd, st, sql);
		if (rc != -ENOTCONN)
			db_mysql_forget(c, st);
		return rc;
	}
	/* NULL: outside the range of TIMESTAMP; the wall clock read as UTC stays */
	for (int i = 0; i < n; i++)
		if (!nul[i])
			todo[i]->v.t = (time_t)secs[i];
	mysql_stmt_free_result(st);
	return 0;
}

/*
 * server_timezone 1: the datetimes of res hold the server's wall clock read as UTC; the
 * server turns them into Unix time with UNIX_TIMESTAMP(), in its session's time zone.
 */
static int server_times(struct db_mysql_con *c, const struct ksr_db_cmd *cmd,
                        struct ksr_db_res *res)
{
	struct ksr_db_val *todo[TZ_BATCH];
	int n = 0, rc;

	for (int row = 0; row < res->nrows; row++) {
		for (int col = 0; col < res->ncols; col++) {
			struct ksr_db_val *v = &res->rows[row].values[col];

			if (res->types[col] != KSR_DB_DATETIME || v->nul || v->v.t == 0)
				continue; /* the zero date stays 0 */
			todo[n++] = v;
			if (n == TZ_BATCH) {
				if ((rc = server_times_batch(c, cmd, todo, n)) < 0)
					return rc;
				n = 0;
			}
		}
	}
	return n ? server_times_batch(c, cmd, todo, n) : 0;
}

/* The result set of an executed statement into a new *ret_res. */
int db_mysql_collect(struct db_mysql_con *c, MYSQL_STMT *st, const struct ksr_db_cmd *cmd,
                     struct ksr_db_res **ret_res)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	struct ksr_db_res *res = NULL;
	struct col_buf *cbs = NULL;
	MYSQL_BIND *binds = NULL;
	MYSQL_FIELD *fields;
	int n, rc;

	if (!meta) /* no result set */
		return ksr_db_res_new(0, ret_res);
	n = ncols(mysql_num_fields(meta));
	if (mysql_stmt_store_result(st)) {
		/* the caller prepares a stale statement anew */
		rc = stale(st) ? -ESTALE : fail_stmt(c, cmd, st, c->text);
		goto out;
	}
	fields = mysql_fetch_fields(meta);
	rc = -ENOMEM;
	if (ksr_db_res_new(n, &res) < 0 || res_columns(res, fields, n) < 0)
		goto out;
	cbs = calloc(n ? (size_t)n : 1, sizeof(*cbs));
	binds = calloc(n ? (size_t)n : 1, sizeof(*binds));
	if (!cbs || !binds)
		goto out;
	for (int i = 0; i < n; i++) {
		if (!(cbs[i].data = malloc(fields[i].max_length + 1)))
			goto out;
		col_bind(&fields[i], &cbs[i], &binds[i]);
	}
	if (n && mysql_stmt_bind_result(st, binds)) {
		rc = stale(st) ? -ESTALE : fail_stmt(c, cmd, st, c->text);
		goto out;
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		struct ksr_db_val *vals = ksr_db_res_add_row(res);

		if (!vals) {
			rc = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++) {
			if (!cbs[i].is_null && cbs[i].len > fields[i].max_length &&
			    binds[i].buffer_type != MYSQL_TYPE_DATETIME &&
			    binds[i].buffer == cbs[i].data) {
				LM_BUG("%s: column %s longer than its maximum\n", c->target.shown,
				       fields[i].name);
				rc = -EIO;
				goto out;
			}
			if ((rc = col_value(res, &fields[i], &cbs[i], &vals[i])) < 0) {
				if (rc == -EINVAL)
					bad_date(c, cmd, res, i);
				goto out;
			}
		}
	}
	if (rc != MYSQL_NO_DATA) {
		rc = fail_stmt(c, cmd, st, c->text);
		goto out;
	}
	rc = 0;
	if (db_mysql_server_timezone)
		rc = server_times(c, cmd, res);

out:
	mysql_stmt_free_result(st);
	if (cbs)
		for (int i = 0; i < n; i++)
			free(cbs[i].data);
	free(cbs);
	free(binds);
	mysql_free_result(meta);
	if (rc < 0) {
		ksr_db_res_free(res);
		return rc;
	}
	*ret_res = res;
	return 0;
}

/* The rows of a text-protocol result r into a new *ret_res (raw queries). */
int db_mysql_text_result(struct db_mysql_con *c, const struct ksr_db_cmd *cmd, MYSQL_RES *r,
                         struct ksr_db_res **ret_res)
{
	int n = ncols(mysql_num_fields(r));
	MYSQL_FIELD *fields = mysql_fetch_fields(r);
	struct ksr_db_res *res = NULL;
	MYSQL_ROW row;
	int rc = -ENOMEM;

	if (ksr_db_res_new(n, &res) < 0 || res_columns(res, fields, n) < 0)
		goto fail;
	while ((row = mysql_fetch_row(r))) {
		unsigned long *lens = mysql_fetch_lengths(r);
		struct ksr_db_val *vals = ksr_db_res_add_row(res);

		if (!vals || !lens) {
			rc = -ENOMEM;
			goto fail;
		}
		for (int i = 0; i < n; i++) {
			if ((rc = text_value(res, &fields[i], row[i], lens[i], &vals[i])) < 0) {
				if (rc == -EINVAL)
					bad_date(c, cmd, res, i);
				goto fail;
			}
		}
	}
	if (db_mysql_server_timezone && (rc = server_times(c, cmd, res)) < 0)
		goto fail;
	*ret_res = res;
	return 0;

fail:
	ksr_db_res_free(res);
	return rc;
}
