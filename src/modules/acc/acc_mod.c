/*
 * acc: accounting of transactions to the log and to a database (upstream's names). This
 * file holds the parameters, their checks, the start and the script functions
 * acc_log_request(), acc_db_request() and acc_request().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core/log.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "acc.h"

struct acc_conf acc_conf = {
        .failed_transaction_flag = -1,
        .acc_prepare_flag = -1,
        .log_flag = -1,
        .log_missed_flag = -1,
        .log_level = L_NOTICE,
        .log_facility = LOG_DAEMON,
        .db_flag = -1,
        .db_missed_flag = -1,
        .time_attr = "time_attr",
        .time_exten = "time_exten",
        .time_format = "%Y-%m-%d %H:%M:%S",
        .extra_size = 64,
        .db_table_acc_name = "acc",
        .db_table_mc_name = "missed_calls",
};
const struct tm_api *acc_tm;

/* string modparams, parsed in mod_init */
static char *log_extra, *db_extra, *db_url;
static char *col_method = "method", *col_from_tag = "from_tag", *col_to_tag = "to_tag",
            *col_callid = "callid", *col_code = "sip_code", *col_reason = "sip_reason",
            *col_time = "time";
/* accepted for upstream's configs; what they set is not done here (README) */
static int clone_msg = 1, db_insert_mode, cdr_enable, cdr_log_enable = 1, cdr_start_on_confirmed,
           cdr_expired_dlg_enable, cdr_extra_nullable, cdr_on_failed = 1, cdr_extra_size = 64;
static char *cdr_facility, *cdr_extra, *cdr_skip, *cdr_start_id, *cdr_end_id, *cdr_duration_id,
        *cdrs_table;

/* --- checks of the modparams, when they are set (file and line in the error) --- */

/* An int modparam's value (a number, or a number in a string). 0 or -EINVAL. */
static int int_of(const struct ksr_fparam *val, long *ret)
{
	char *end;

	if (val->type == KSR_PT_INT) {
		*ret = val->i;
		return 0;
	}
	errno = 0;
	*ret = strtol(val->s.s, &end, 10);
	return errno || end == val->s.s || *end ? -EINVAL : 0;
}

/* A flag: 0..31, or -1 for none (upstream's flag_in_range). */
static int set_flag(const struct ksr_fparam *val, int *target, const char **ret_err)
{
	long v;

	if (int_of(val, &v) < 0 || v < -1 || v > 31) {
		*ret_err = "a flag is from 0 to 31 (-1: none)";
		return -EINVAL;
	}
	*target = (int)v;
	return 0;
}

#define FLAG_SETTER(name)                                                                          \
	static int set_##name(const struct ksr_fparam *val, const char **ret_err)                  \
	{                                                                                          \
		return set_flag(val, &acc_conf.name, ret_err);                                     \
	}
FLAG_SETTER(log_flag)
FLAG_SETTER(log_missed_flag)
FLAG_SETTER(db_flag)
FLAG_SETTER(db_missed_flag)
FLAG_SETTER(failed_transaction_flag)
FLAG_SETTER(acc_prepare_flag)

static int set_log_facility(const struct ksr_fparam *val, const char **ret_err)
{
	int f = val->type == KSR_PT_STR ? ksr_log_facility_parse(val->s.s) : -EINVAL;

	if (f < 0) {
		*ret_err = "log_facility is a syslog facility name (LOG_DAEMON, LOG_LOCAL0, ...)";
		return -EINVAL;
	}
	acc_conf.log_facility = f;
	return 0;
}

/* "404,407": codes of three digits, 300 and above, comma-separated. */
static int set_failed_filter(const struct ksr_fparam *val, const char **ret_err)
{
	const size_t max = sizeof(acc_conf.failed_filter) / sizeof(acc_conf.failed_filter[0]);
	const char *p = val->type == KSR_PT_STR ? val->s.s : "";
	unsigned short codes[sizeof(acc_conf.failed_filter) / sizeof(acc_conf.failed_filter[0])] = {
	        0};
	size_t n = 0;

	for (;;) {
		if (n == max - 1) {
			*ret_err = "failed_filter lists too many codes";
			return -EINVAL;
		}
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
		    p[2] > '9' || (p[3] >= '0' && p[3] <= '9') || (p[3] && p[3] != ',')) {
			*ret_err = "failed_filter is a comma-separated list of 3-digit codes";
			return -EINVAL;
		}
		codes[n] = (unsigned short)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
		if (codes[n++] < 300) {
			*ret_err = "failed_filter: a code below 300 is no failure";
			return -EINVAL;
		}
		if (!p[3])
			break;
		p += 4;
	}
	codes[n] = 0;
	memcpy(acc_conf.failed_filter, codes, sizeof(codes));
	return 0;
}

static int set_time_mode(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (int_of(val, &v) < 0 || v < 0 || v > 4) {
		*ret_err = "time_mode is 0, 1, 2, 3 or 4";
		return -EINVAL;
	}
	acc_conf.time_mode = (int)v;
	return 0;
}

/* log_extra, db_extra: the shape now, the pseudo-variables in mod_init (all loaded). */
static int set_extra(const struct ksr_fparam *val, char **target, const char **ret_err)
{
	if (val->type != KSR_PT_STR) {
		*ret_err = "the extra attributes are a string: \"name=$pv;...\"";
		return -EINVAL;
	}
	if ((*ret_err = acc_extras_check(val->s.s)))
		return -EINVAL;
	free(*target);
	if (!(*target = strdup(val->s.s))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

static int set_log_extra(const struct ksr_fparam *val, const char **ret_err)
{
	return set_extra(val, &log_extra, ret_err);
}

static int set_db_extra(const struct ksr_fparam *val, const char **ret_err)
{
	return set_extra(val, &db_extra, ret_err);
}

/* A table name: not empty; pseudo-variables allowed, parsed in mod_init. */
static int set_table(const struct ksr_fparam *val, const char **target, const char **ret_err)
{
	char *copy;

	if (val->type != KSR_PT_STR || !val->s.len) {
		*ret_err = "the table name must not be empty";
		return -EINVAL;
	}
	if (!(copy = strdup(val->s.s))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	*target = copy;
	return 0;
}

static int set_db_table_acc(const struct ksr_fparam *val, const char **ret_err)
{
	return set_table(val, &acc_conf.db_table_acc_name, ret_err);
}

static int set_db_table_mc(const struct ksr_fparam *val, const char **ret_err)
{
	return set_table(val, &acc_conf.db_table_mc_name, ret_err);
}

/* CDRs are the dialog module's: there is none here. */
static int set_cdr_enable(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (int_of(val, &v) < 0 || v < 0 || v > 1) {
		*ret_err = "cdr_enable is 0 or 1";
		return -EINVAL;
	}
	if (v == 1) {
		*ret_err = "cdr_enable 1: CDRs need the dialog module, which is not there yet";
		return -EOPNOTSUPP;
	}
	cdr_enable = 0;
	return 0;
}

static int set_multi_leg_info(const struct ksr_fparam *val, const char **ret_err)
{
	if (val->type == KSR_PT_STR && !val->s.len)
		return 0;
	*ret_err = "multi_leg_info (multi call-leg accounting) is not supported";
	return -EOPNOTSUPP;
}

/* --- the start --- */

static struct ksr_str col(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

static int parse_table(const char *name, const char *param, struct ksr_pv_fmt **ret)
{
	const char *why = NULL;

	if (ksr_pv_fmt_parse(col(name), ksr_fixup_arena(), ret, &why) < 0) {
		LM_ERR("%s: bad table name '%s': %s\n", param, name, why ? why : "?");
		return -EINVAL;
	}
	return 0;
}

static int mod_init(void)
{
	const char *cols[] = {col_method, col_from_tag, col_to_tag, col_callid,
	                      col_code,   col_reason,   col_time};
	int r;

	if (!(acc_tm = ksr_api_bind("tm"))) {
		LM_ERR("acc needs the tm module: add loadmodule \"tm.so\" to the config\n");
		return -ENOENT;
	}
	if (acc_conf.extra_size < 1) {
		LM_ERR("acc_extra_size must be above 0\n");
		return -EINVAL;
	}
	if (acc_conf.time_mode && (!*acc_conf.time_attr || !*acc_conf.time_exten)) {
		LM_ERR("time_attr and time_exten must not be empty\n");
		return -EINVAL;
	}
	if (log_extra && (r = acc_extras_parse(log_extra, "log_extra", &acc_conf.log_extra)) < 0)
		return r;
	/* upstream: without db_url there is no database accounting, whatever the flags */
	if (!db_url || !*db_url) {
		acc_conf.db_flag = acc_conf.db_missed_flag = -1;
	} else {
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
			if (!cols[i] || !*cols[i]) {
				LM_ERR("the acc_*_column modparams must not be empty\n");
				return -EINVAL;
			}
		}
		acc_conf.col_method = col(col_method);
		acc_conf.col_from_tag = col(col_from_tag);
		acc_conf.col_to_tag = col(col_to_tag);
		acc_conf.col_callid = col(col_callid);
		acc_conf.col_code = col(col_code);
		acc_conf.col_reason = col(col_reason);
		acc_conf.col_time = col(col_time);
		if (db_extra &&
		    (r = acc_extras_parse(db_extra, "db_extra", &acc_conf.db_extra)) < 0)
			return r;
		if ((r = parse_table(acc_conf.db_table_acc_name, "db_table_acc",
		                     &acc_conf.db_table_acc)) < 0 ||
		    (r = parse_table(acc_conf.db_table_mc_name, "db_table_missed_calls",
		                     &acc_conf.db_table_mc)) < 0)
			return r;
		acc_conf.db_url = db_url;
		/* a missing driver module is named in srdb's message */
		if ((r = acc_db_init()) < 0)
			return r;
	}
	return acc_logic_init();
}

static int child_init(int rank)
{
	return acc_conf.db_url ? acc_db_child_init(rank) : 0;
}

static void destroy(void)
{
	acc_db_destroy();
	acc_conf.db_url = NULL;
}

/* --- script functions --- */

static int fixup_comment(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && !p[0].s.len) {
		*ret_err = "the comment must not be empty";
		return -EINVAL;
	}
	if (n < 2)
		return 0;
	if (!p[1].dynamic && !p[1].s.len) {
		*ret_err = "the table must not be empty";
		return -EINVAL;
	}
	return p[1].dynamic ? 0 : acc_db_note_table(p[1].s, ret_err);
}

/* acc_db_request() can only fail without a database (upstream: at run time only). */
static int fixup_db_request(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!db_url || !*db_url)
		LM_WARN("acc_db_request() with no db_url: it will fail\n");
	return fixup_comment(p, n, ret_err);
}

/* The record of msg with comment: the To tag of its To header. */
static int comment_rec(struct ksr_msg *msg, struct ksr_str comment, struct acc_rec *rec)
{
	struct ksr_nameaddr *to;
	struct ksr_str to_tag = KSR_STR_NULL;

	if (ksr_msg_to(msg, &to) == 0 && to->has_tag)
		to_tag = to->tag;
	if (acc_rec_init(rec, msg, "request accounted", to_tag, 0, KSR_STR_NULL, false) < 0)
		return -1;
	acc_rec_comment(rec, comment);
	return 0;
}

static int w_acc_log_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct acc_rec rec;

	if (comment_rec(msg, p[0].s, &rec) < 0)
		return -1;
	return acc_log_write(msg, &rec) < 0 ? -1 : 1;
}

static int w_acc_db_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct acc_rec rec;

	if (!acc_conf.db_url) {
		LM_ERR("acc_db_request: no database (modparam db_url)\n");
		return -1;
	}
	if (!p[1].s.len) {
		LM_ERR("acc_db_request: the table name is empty\n");
		return -1;
	}
	if (comment_rec(msg, p[0].s, &rec) < 0)
		return -1;
	return acc_db_write(msg, &rec, p[1].s) < 0 ? -1 : 1;
}

/* Both backends; the database only with db_url (upstream's). */
static int w_acc_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct acc_rec rec;
	int r;

	if (comment_rec(msg, p[0].s, &rec) < 0)
		return -1;
	r = acc_log_write(msg, &rec) < 0 ? -1 : 1;
	if (acc_conf.db_url && (!p[1].s.len || acc_db_write(msg, &rec, p[1].s) < 0))
		r = -1;
	return r;
}

static const struct ksr_cmd_export cmds[] = {
        {"acc_log_request", w_acc_log_request, {KSR_PT_STR}, fixup_comment, KSR_ROUTE_ANY},
        {"acc_db_request",
         w_acc_db_request,
         {KSR_PT_STR, KSR_PT_STR},
         fixup_db_request,
         KSR_ROUTE_ANY},
        {"acc_request", w_acc_request, {KSR_PT_STR, KSR_PT_STR}, fixup_comment, KSR_ROUTE_ANY},
        {0},
};

static const struct ksr_param_export params[] = {
        {"early_media", KSR_MP_INT, &acc_conf.early_media, NULL},
        {"failed_transaction_flag", KSR_MP_FUNC, NULL, set_failed_transaction_flag},
        {"failed_filter", KSR_MP_FUNC, NULL, set_failed_filter},
        {"report_ack", KSR_MP_INT, &acc_conf.report_ack, NULL},
        {"report_cancels", KSR_MP_INT, &acc_conf.report_cancels, NULL},
        {"detect_direction", KSR_MP_INT, &acc_conf.detect_direction, NULL},
        {"acc_prepare_flag", KSR_MP_FUNC, NULL, set_acc_prepare_flag},
        {"acc_prepare_always", KSR_MP_INT, &acc_conf.acc_prepare_always, NULL},
        {"acc_extra_nullable", KSR_MP_INT, &acc_conf.extra_nullable, NULL},
        {"multi_leg_info", KSR_MP_FUNC, NULL, set_multi_leg_info},
        {"log_flag", KSR_MP_FUNC, NULL, set_log_flag},
        {"log_missed_flag", KSR_MP_FUNC, NULL, set_log_missed_flag},
        {"log_level", KSR_MP_INT, &acc_conf.log_level, NULL},
        {"log_facility", KSR_MP_FUNC, NULL, set_log_facility},
        {"log_extra", KSR_MP_FUNC, NULL, set_log_extra},
        {"db_flag", KSR_MP_FUNC, NULL, set_db_flag},
        {"db_missed_flag", KSR_MP_FUNC, NULL, set_db_missed_flag},
        {"db_table_acc", KSR_MP_FUNC, NULL, set_db_table_acc},
        {"db_table_missed_calls", KSR_MP_FUNC, NULL, set_db_table_mc},
        {"db_url", KSR_MP_STR, &db_url, NULL},
        {"acc_method_column", KSR_MP_STR, &col_method, NULL},
        {"acc_from_tag_column", KSR_MP_STR, &col_from_tag, NULL},
        {"acc_to_tag_column", KSR_MP_STR, &col_to_tag, NULL},
        {"acc_callid_column", KSR_MP_STR, &col_callid, NULL},
        {"acc_sip_code_column", KSR_MP_STR, &col_code, NULL},
        {"acc_sip_reason_column", KSR_MP_STR, &col_reason, NULL},
        {"acc_time_column", KSR_MP_STR, &col_time, NULL},
        {"db_extra", KSR_MP_FUNC, NULL, set_db_extra},
        {"db_insert_mode", KSR_MP_INT, &db_insert_mode, NULL},
        {"time_mode", KSR_MP_FUNC, NULL, set_time_mode},
        {"time_attr", KSR_MP_STR, &acc_conf.time_attr, NULL},
        {"time_exten", KSR_MP_STR, &acc_conf.time_exten, NULL},
        {"time_format", KSR_MP_STR, &acc_conf.time_format, NULL},
        {"reason_from_hf", KSR_MP_INT, &acc_conf.reason_from_hf, NULL},
        {"clone_msg", KSR_MP_INT, &clone_msg, NULL},
        {"acc_extra_size", KSR_MP_INT, &acc_conf.extra_size, NULL},
        {"cdr_enable", KSR_MP_FUNC, NULL, set_cdr_enable},
        {"cdr_log_enable", KSR_MP_INT, &cdr_log_enable, NULL},
        {"cdr_start_on_confirmed", KSR_MP_INT, &cdr_start_on_confirmed, NULL},
        {"cdr_expired_dlg_enable", KSR_MP_INT, &cdr_expired_dlg_enable, NULL},
        {"cdr_extra_nullable", KSR_MP_INT, &cdr_extra_nullable, NULL},
        {"cdr_on_failed", KSR_MP_INT, &cdr_on_failed, NULL},
        {"cdr_extra_size", KSR_MP_INT, &cdr_extra_size, NULL},
        {"cdr_facility", KSR_MP_STR, &cdr_facility, NULL},
        {"cdr_extra", KSR_MP_STR, &cdr_extra, NULL},
        {"cdr_skip", KSR_MP_STR, &cdr_skip, NULL},
        {"cdr_start_id", KSR_MP_STR, &cdr_start_id, NULL},
        {"cdr_end_id", KSR_MP_STR, &cdr_end_id, NULL},
        {"cdr_duration_id", KSR_MP_STR, &cdr_duration_id, NULL},
        {"cdrs_table", KSR_MP_STR, &cdrs_table, NULL},
        {0},
};

KSR_MODULE(.name = "acc", .cmds = cmds, .params = params, .mod_init = mod_init,
           .child_init = child_init, .destroy = destroy);
