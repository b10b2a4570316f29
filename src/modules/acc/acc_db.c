/*
 * The database backend: one row per record in the acc or missed_calls table (or the one
 * acc_db_request names), through srdb. Columns: the core attributes under the
 * acc_*_column names, the time, time_mode's columns, then db_extra's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/pv/pv.h"
#include "lib/srdb/db.h"
#include "acc.h"

/* The layouts this code writes: utils/db/schema/schema.json */
#define ACC_TABLE_VERSION 5
#define MISSED_CALLS_TABLE_VERSION 4

static struct ksr_db_funcs dbf;
static bool bound;
/* acc or missed_calls named by a function before mod_init: checked there */
static bool check_acc, check_mc;

/* --- connections: one per thread (workers and the timer), all closed by destroy --- */

struct con_slot {
	struct ksr_db_con *con;
	struct con_slot *next;
};

static pthread_mutex_t cons_lock = PTHREAD_MUTEX_INITIALIZER;
static struct con_slot *cons;
static _Thread_local struct ksr_db_con *thread_con;

static struct ksr_db_con *con_get(void)
{
	struct con_slot *slot;
	struct ksr_db_con *con;

	if (thread_con || !bound)
		return thread_con;
	if (!(slot = malloc(sizeof(*slot))))
		return NULL;
	/* the driver logs why; the next record tries again */
	if (dbf.init(acc_conf.db_url, &con) < 0) {
		free(slot);
		LM_ERR("cannot connect to the database of db_url\n");
		return NULL;
	}
	slot->con = con;
	pthread_mutex_lock(&cons_lock);
	slot->next = cons;
	cons = slot;
	pthread_mutex_unlock(&cons_lock);
	thread_con = con;
	return con;
}

/* --- table versions --- */

static int check_version(struct ksr_db_con *con, const char *name, int expected)
{
	struct ksr_str t = ksr_str_make((char *)name, strlen(name));

	return ksr_db_check_table_version(&dbf, con, &t, expected);
}

/* The versions of acc and missed_calls, those of the schema acc writes. */
static int check_versions(bool acc, bool mc)
{
	struct ksr_db_con *con;
	int r = 0;

	if (!acc && !mc)
		return 0;
	if (dbf.init(acc_conf.db_url, &con) < 0) {
		LM_ERR("cannot connect to the database of db_url to check the table versions\n");
		return -ENOTCONN;
	}
	if (acc)
		r = check_version(con, "acc", ACC_TABLE_VERSION);
	if (r == 0 && mc)
		r = check_version(con, "missed_calls", MISSED_CALLS_TABLE_VERSION);
	dbf.close(con);
	return r;
}

static void note(struct ksr_str table)
{
	if (ksr_str_eq(&table, &KSR_STR_STATIC("acc")))
		check_acc = true;
	else if (ksr_str_eq(&table, &KSR_STR_STATIC("missed_calls")))
		check_mc = true;
}

int acc_db_note_table(struct ksr_str table, const char **ret_err)
{
	bool was_acc = check_acc, was_mc = check_mc;

	note(table);
	/* a reload: the daemon runs, the check is now */
	if (bound && (check_acc != was_acc || check_mc != was_mc) &&
	    check_versions(check_acc && !was_acc, check_mc && !was_mc) < 0) {
		*ret_err = "the table's version check failed (see the log)";
		return -EPROTO;
	}
	return 0;
}

int acc_db_init(void)
{
	int r;

	if ((r = ksr_db_bind(acc_conf.db_url, &dbf)) < 0)
		return r;
	if (!ksr_db_has_caps(&dbf, KSR_DB_CAP_INSERT)) {
		LM_ERR("the database driver of db_url cannot insert rows\n");
		return -EOPNOTSUPP;
	}
	bound = true;
	/* the tables of the schema, by their names: their layout is the one acc writes */
	note(ksr_str_make((char *)acc_conf.db_table_acc_name, strlen(acc_conf.db_table_acc_name)));
	note(ksr_str_make((char *)acc_conf.db_table_mc_name, strlen(acc_conf.db_table_mc_name)));
	return check_versions(check_acc, check_mc);
}

int acc_db_child_init(int rank)
{
	/* a worker fails early without its database (the timer thread connects on use) */
	if (!bound || rank == KSR_RANK_MAIN)
		return 0;
	return con_get() ? 0 : -1;
}

void acc_db_destroy(void)
{
	struct con_slot *slot, *next;

	pthread_mutex_lock(&cons_lock);
	for (slot = cons; slot; slot = next) {
		next = slot->next;
		dbf.close(slot->con);
		free(slot);
	}
	cons = NULL;
	pthread_mutex_unlock(&cons_lock);
	thread_con = NULL;
	bound = check_acc = check_mc = false;
}

int acc_db_table(struct ksr_msg *msg, const struct ksr_pv_fmt *fmt, struct ksr_str *ret)
{
	int r = ksr_pv_fmt_eval(msg, fmt, ret);

	if (r < 0 || !ret->len) {
		LM_ERR("cannot get the name of the accounting table\n");
		return r < 0 ? r : -EINVAL;
	}
	return 0;
}

/* The time columns of time_mode into keys/vals from i; the count. */
static int time_cols(const struct acc_rec *rec, struct ksr_msg *msg, struct ksr_str *keys,
                     struct ksr_db_val *vals, int i)
{
	int n = 0;

	keys[i] = acc_conf.col_time;
	vals[i + n++] = ksr_db_datetime(rec->tv.tv_sec);
	if (acc_conf.time_mode == 1) {
		keys[i + n] = ksr_str_make((char *)acc_conf.time_attr, strlen(acc_conf.time_attr));
		vals[i + n++] = ksr_db_int((int)rec->tv.tv_sec);
		keys[i + n] =
		        ksr_str_make((char *)acc_conf.time_exten, strlen(acc_conf.time_exten));
		vals[i + n++] = ksr_db_int((int)rec->tv.tv_usec);
	} else if (acc_conf.time_mode == 2) {
		keys[i + n] = ksr_str_make((char *)acc_conf.time_attr, strlen(acc_conf.time_attr));
		vals[i + n++] =
		        ksr_db_double((double)rec->tv.tv_sec + (double)rec->tv.tv_usec / 1e6);
	} else if (acc_conf.time_mode >= 3) {
		char *when = ksr_arena_alloc_nz(msg->arena, 128);

		if (!when)
			return -ENOMEM;
		acc_time_text(rec, when, 128);
		keys[i + n] = ksr_str_make((char *)acc_conf.time_attr, strlen(acc_conf.time_attr));
		vals[i + n++] = ksr_db_string(when);
	}
	return n;
}

int acc_db_write(struct ksr_msg *msg, const struct acc_rec *rec, struct ksr_str table)
{
	const struct acc_extras *x = &acc_conf.db_extra;
	const struct ksr_str core[] = {rec->method, rec->from_tag, rec->to_tag,
	                               rec->callid, rec->code,     rec->reason};
	const struct ksr_str *cols[] = {&acc_conf.col_method, &acc_conf.col_from_tag,
	                                &acc_conf.col_to_tag, &acc_conf.col_callid,
	                                &acc_conf.col_code,   &acc_conf.col_reason};
	size_t max = 6 + 3 + (size_t)x->n;
	struct ksr_db_con *con = con_get();
	struct ksr_db_val *vals;
	struct acc_val *xvals;
	struct ksr_str *keys;
	int n = 0, r;

	if (!con)
		return -ENOTCONN;
	keys = ksr_arena_alloc(msg->arena, sizeof(*keys) * max);
	vals = ksr_arena_alloc(msg->arena, sizeof(*vals) * max);
	xvals = ksr_arena_alloc(msg->arena, sizeof(*xvals) * (x->n ? (size_t)x->n : 1));
	if (!keys || !vals || !xvals)
		return -ENOMEM;
	/* an absent value is an empty string: the columns are NOT NULL DEFAULT '' */
	for (int i = 0; i < 6; i++) {
		keys[n] = *cols[i];
		vals[n++] = ksr_db_str(core[i].len ? core[i] : KSR_STR_STATIC(""));
	}
	if ((r = time_cols(rec, msg, keys, vals, n)) < 0)
		return r;
	n += r;
	acc_extras_eval(msg, x, xvals);
	for (int i = 0; i < x->n; i++) {
		keys[n] = x->v[i].name;
		vals[n++] = xvals[i].nul && acc_conf.extra_nullable
		                    ? ksr_db_null(KSR_DB_STR)
		                    : ksr_db_str(xvals[i].s.len ? xvals[i].s : KSR_STR_STATIC(""));
	}
	if ((r = dbf.use_table(con, &table)) < 0 || (r = dbf.insert(con, keys, vals, n)) < 0) {
		LM_ERR("cannot write the record to table %.*s: %s\n", KSR_STR_FMT(table),
		       strerror(-r));
		return r;
	}
	return 0;
}
