/*
 * acc: accounting of transactions to the log and to a database. What its files share:
 * the settings (acc_mod.c), the record (acc_logic.c), the extra attributes
 * (acc_extra.c), and the two backends (acc_log.c, acc_db.c).
 */
#ifndef KSR_MODULES_ACC_ACC_H
#define KSR_MODULES_ACC_ACC_H

#include <stdbool.h>
#include <sys/time.h>

#include "core/parser/msg-t.h"
#include "core/pv/pv-t.h"
#include "../tm/tm_api.h"

/* One "name=$pv" of log_extra or db_extra. */
struct acc_extra {
	struct ksr_str name; /* NUL-terminated */
	struct ksr_pv_spec *spec;
};

struct acc_extras {
	struct acc_extra *v;
	int n;
};

/* A value of a record: an empty string when nul (NULL in a database when allowed). */
struct acc_val {
	struct ksr_str s;
	bool nul;
};

/* What every record holds (upstream's core attributes), and what the log line says. */
struct acc_rec {
	const char *text; /* "transaction answered", "call missed", ... */
	struct ksr_str method, from_tag, to_tag, callid, code, reason;
	struct timeval tv;
};

/* The modparams, upstream's names; flags are -1 when not set. */
struct acc_conf {
	int early_media, report_ack, report_cancels, detect_direction;
	int failed_transaction_flag, acc_prepare_flag, acc_prepare_always;
	unsigned short failed_filter[32]; /* 0-terminated */
	int log_flag, log_missed_flag, log_level, log_facility;
	int db_flag, db_missed_flag;
	int time_mode; /* 0..4 */
	const char *time_attr, *time_exten, *time_format;
	int reason_from_hf, extra_nullable, extra_size;
	struct acc_extras log_extra, db_extra;
	const char *db_url;                               /* NULL: no database */
	const char *db_table_acc_name, *db_table_mc_name; /* as written */
	struct ksr_pv_fmt *db_table_acc, *db_table_mc;    /* parsed */
	/* columns of the core attributes and of the time */
	struct ksr_str col_method, col_from_tag, col_to_tag, col_callid, col_code, col_reason,
	        col_time;
};
extern struct acc_conf acc_conf;
extern const struct tm_api *acc_tm;

/* --- acc_extra.c --- */
/*
 * "name=$pv;name2=$pv2" (blanks around the parts allowed) into ret, with pseudo-variables
 * parsed into the load-time arena. param names the modparam in errors. 0 or -errno.
 */
int acc_extras_parse(const char *text, const char *param, struct acc_extras *ret);
/* Whether text has that shape (pseudo-variables are not looked up): NULL or why not. */
const char *acc_extras_check(const char *text);
/* The values of x for msg into vals (x->n of them, strings in msg's arena). */
void acc_extras_eval(struct ksr_msg *msg, const struct acc_extras *x, struct acc_val *vals);

/* --- acc_logic.c --- */
/* Register with tm (mod_init). 0 or -errno. */
int acc_logic_init(void);
/*
 * The core attributes of msg, a request or a reply: method (of the CSeq), From tag,
 * Call-ID, with to_tag, code and reason as given; the time is now. upstream: From and To
 * swapped. 0, or -EINVAL when msg lacks what a record needs.
 */
int acc_rec_init(struct acc_rec *rec, struct ksr_msg *msg, const char *text, struct ksr_str to_tag,
                 unsigned int code, struct ksr_str reason, bool upstream);
/* acc_*_request(comment): "CODE reason" or "reason" into rec's code and reason. */
void acc_rec_comment(struct acc_rec *rec, struct ksr_str comment);

/* --- acc_log.c --- */
/* One "ACC: text: timestamp=...;method=...;..." line at log_level, log_facility. */
int acc_log_write(struct ksr_msg *msg, const struct acc_rec *rec);
/* rec's time by time_format, local (time_mode 3) or UTC (4); "" when it does not fit. */
void acc_time_text(const struct acc_rec *rec, char *buf, size_t size);

/* --- acc_db.c --- */
/* Bind db_url and check the acc and missed_calls tables' versions (mod_init). */
int acc_db_init(void);
/* A table a function names: its version is checked at start (or now, on a reload). */
int acc_db_note_table(struct ksr_str table, const char **ret_err);
int acc_db_child_init(int rank);
void acc_db_destroy(void);
/* One row in table (its name evaluated already). 0 or -errno. */
int acc_db_write(struct ksr_msg *msg, const struct acc_rec *rec, struct ksr_str table);
/* The name of a db_table_* for msg. 0 or -errno. */
int acc_db_table(struct ksr_msg *msg, const struct ksr_pv_fmt *fmt, struct ksr_str *ret);

#endif
