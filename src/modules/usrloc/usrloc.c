/*
 * usrloc: the user location tables registrar keeps its bindings in, in memory (db_mode
 * 0). The module's parameters, its start (statistics, preloaded tables, the expiry timer)
 * and its export table; the tables are ul_table.c, the RPC methods ul_rpc.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/module/module.h"
#include "core/timer/timer.h"
#include "usrloc.h"

static int timer_interval = 60; /* seconds */
static int timer_procs;

/* Names given with `preload`, made into tables in mod_init. */
#define MAX_PRELOAD 16
static char *preload[MAX_PRELOAD];
static int npreload;

/*
 * Parameters of features not built yet: kept so that configs written for upstream load,
 * with no effect. Those whose non-default value would change behaviour are refused by
 * their setters below.
 */
static char *ka_strs[4];
static int ka_ints[3];

static int set_db_mode(const struct ksr_fparam *v, const char **ret_err)
{
	if (v->type != KSR_PT_INT || v->i < 0 || v->i > 4) {
		*ret_err = "db_mode is 0 (memory only), 1 (write-through), 2 (write-back), 3 (database "
		           "only) or 4 (read at start only)";
		return -EINVAL;
	}
	usrloc_db_mode = (int)v->i;
	return 0;
}

static int set_db_url(const struct ksr_fparam *v, const char **ret_err)
{
	char *url;

	if (v->type != KSR_PT_STR || !v->s.len) {
		*ret_err = "db_url is a database URL (sqlite:///path, mysql://user:pass@host/db)";
		return -EINVAL;
	}
	if (!(url = strndup(v->s.s, v->s.len))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	usrloc_db_url = url;
	return 0;
}

static int set_preload(const struct ksr_fparam *v, const char **ret_err)
{
	if (v->type != KSR_PT_STR || !v->s.len) {
		*ret_err = "preload takes a table name";
		return -EINVAL;
	}
	if (npreload >= MAX_PRELOAD) {
		*ret_err = "too many preloaded tables";
		return -ENOSPC;
	}
	if (!(preload[npreload] = strndup(v->s.s, v->s.len))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	npreload++;
	return 0;
}

/* An int in [lo, hi] into *target. */
static int set_range(const struct ksr_fparam *v, int lo, int hi, int *target, const char *what,
                     const char **ret_err)
{
	if (v->type != KSR_PT_INT || v->i < lo || v->i > hi) {
		*ret_err = what;
		return -EINVAL;
	}
	*target = (int)v->i;
	return 0;
}

static int set_matching_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 3, &usrloc_matching_mode,
	                 "matching_mode is 0 (contact), 1 (contact and Call-ID), 2 (contact and "
	                 "path) or 3 (Call-ID)",
	                 ret_err);
}

static int set_hash_size(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 1, 20, &usrloc_hash_size,
	                 "hash_size is the power of two of the slots: 1 to 20", ret_err);
}

static int set_nat_bflag(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, -1, 31, &usrloc_nat_bflag, "nat_bflag is a branch flag, 0 to 31",
	                 ret_err);
}

static int set_timer_interval(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 1, 86400, &timer_interval, "timer_interval is 1 to 86400 seconds",
	                 ret_err);
}

static int set_cseq_delay(const struct ksr_fparam *v, const char **ret_err)
{
	return set_range(v, 0, 86400, &usrloc_cseq_delay, "cseq_delay is 0 to 86400 seconds",
	                 ret_err);
}

/* Features not built: their default (0 or empty) is accepted, anything else refused. */
static int refuse_int(const struct ksr_fparam *v, const char *why, const char **ret_err)
{
	if (v->type == KSR_PT_INT && v->i == 0)
		return 0;
	*ret_err = why;
	return -ENOTSUP;
}

static int set_ka_mode(const struct ksr_fparam *v, const char **ret_err)
{
	return refuse_int(v, "keepalives (ka_mode) are not implemented: only 0 works", ret_err);
}

static int set_handle_lost_tcp(const struct ksr_fparam *v, const char **ret_err)
{
	return refuse_int(v, "handle_lost_tcp is not implemented: only 0 works", ret_err);
}

static int set_close_expired_tcp(const struct ksr_fparam *v, const char **ret_err)
{
	return refuse_int(v, "close_expired_tcp is not implemented: only 0 works", ret_err);
}

static int set_xavp_contact(const struct ksr_fparam *v, const char **ret_err)
{
	if (v->type == KSR_PT_STR && v->s.len == 0)
		return 0;
	*ret_err = "xavp_contact (contact attributes) is not implemented";
	return -ENOTSUP;
}

/* The expiry job: contacts past their time go, and their records when left empty. */
static unsigned int expiry_job(void *param)
{
	time_t now = time(NULL);
	unsigned int n = usrloc_expire(now);

	if (n)
		LM_DBG("%u contacts expired\n", n);
	usrloc_db_timer(now);
	return (unsigned int)timer_interval * 1000u;
}

static int mod_init(void)
{
	struct ul_domain *d;
	int r;

	r = ksr_counter_register("usrloc", "registered_users", NULL, &usrloc_st_registered);
	if (r == -EEXIST) {
		usrloc_st_registered = ksr_counter_lookup(KSR_STR_STATIC("usrloc"),
		                                          KSR_STR_STATIC("registered_users"));
	} else if (r < 0) {
		LM_ERR("cannot register statistic registered_users: %s\n", strerror(-r));
		return r;
	}
	/* records of tables registrar's fixups made before now */
	for (d = usrloc_domains(); d; d = d->next)
		for (unsigned int i = 0; i < d->size; i++)
			ksr_counter_add(usrloc_st_registered, (long)d->slots[i].n);
	for (int i = 0; i < npreload; i++) {
		if ((r = usrloc_register_domain(preload[i], &d)) < 0) {
			LM_ERR("cannot make table '%s': %s\n", preload[i], strerror(-r));
			return r;
		}
	}
	/* the database's rows into the tables, and writes from now on (db_mode 1 to 3) */
	if ((r = usrloc_db_init()) < 0)
		return r;
	if (timer_procs > 0)
		LM_INFO("timer_procs %d: the expiry runs on the timer thread\n", timer_procs);
	r = ksr_timer_register(expiry_job, NULL, (unsigned int)timer_interval * 1000u);
	if (r < 0) {
		LM_ERR("cannot start the expiry timer: %s\n", strerror(-r));
		return r;
	}
	usrloc_stats_closed = true;
	return 0;
}

static int child_init(int rank)
{
	if (rank != KSR_RANK_MAIN)
		usrloc_db_child_init();
	return 0;
}

static void free_params(void)
{
	for (int i = 0; i < npreload; i++)
		free(preload[i]);
	npreload = 0;
}

static void destroy(void)
{
	usrloc_db_destroy();
	usrloc_tables_free();
	usrloc_st_registered = NULL;
	usrloc_stats_closed = false;
	free_params();
}

/*
 * A check run (kamailio -c) ends without destroy(): what registrar's fixups made goes
 * when the module is unloaded.
 */
__attribute__((destructor)) static void at_unload(void)
{
	usrloc_tables_free();
	free_params();
}

/* clang-format off */
#define COL(i, n) {n, KSR_MP_STR, &usrloc_cols[i], NULL}
#define DBI(i, n) {n, KSR_MP_INT, &usrloc_db_tuning[i], NULL}
/* clang-format on */

static const struct ksr_param_export params[] = {
        {"nat_bflag", KSR_MP_FUNC, NULL, set_nat_bflag},
        {"use_domain", KSR_MP_INT, &usrloc_use_domain, NULL},
        {"desc_time_order", KSR_MP_INT, &usrloc_desc_time_order, NULL},
        {"timer_interval", KSR_MP_FUNC, NULL, set_timer_interval},
        {"timer_procs", KSR_MP_INT, &timer_procs, NULL},
        {"db_url", KSR_MP_FUNC, NULL, set_db_url},
        {"db_mode", KSR_MP_FUNC, NULL, set_db_mode},
        {"matching_mode", KSR_MP_FUNC, NULL, set_matching_mode},
        {"cseq_delay", KSR_MP_FUNC, NULL, set_cseq_delay},
        {"hash_size", KSR_MP_FUNC, NULL, set_hash_size},
        {"preload", KSR_MP_FUNC, NULL, set_preload},
        {"xavp_contact", KSR_MP_FUNC, NULL, set_xavp_contact},
        {"handle_lost_tcp", KSR_MP_FUNC, NULL, set_handle_lost_tcp},
        {"close_expired_tcp", KSR_MP_FUNC, NULL, set_close_expired_tcp},
        {"ka_mode", KSR_MP_FUNC, NULL, set_ka_mode},
        {"ka_method", KSR_MP_STR, &ka_strs[0], NULL},
        {"ka_from", KSR_MP_STR, &ka_strs[1], NULL},
        {"ka_domain", KSR_MP_STR, &ka_strs[2], NULL},
        {"ka_logmsg", KSR_MP_STR, &ka_strs[3], NULL},
        {"ka_filter", KSR_MP_INT, &ka_ints[0], NULL},
        {"ka_timeout", KSR_MP_INT, &ka_ints[1], NULL},
        {"ka_loglevel", KSR_MP_INT, &ka_ints[2], NULL},
        /* the location table's columns */
        COL(0, "user_column"),
        COL(1, "domain_column"),
        COL(2, "contact_column"),
        COL(3, "expires_column"),
        COL(4, "q_column"),
        COL(5, "callid_column"),
        COL(6, "cseq_column"),
        COL(7, "methods_column"),
        COL(8, "flags_column"),
        COL(9, "cflags_column"),
        COL(10, "user_agent_column"),
        COL(11, "received_column"),
        COL(12, "socket_column"),
        COL(13, "path_column"),
        COL(14, "ruid_column"),
        COL(15, "instance_column"),
        COL(16, "reg_id_column"),
        COL(17, "server_id_column"),
        COL(18, "connection_id_column"),
        COL(19, "keepalive_column"),
        COL(20, "partition_column"),
        /* database tuning (README: which have an effect) */
        DBI(0, "db_load"),
        DBI(1, "db_insert_update"),
        DBI(2, "fetch_rows"),
        DBI(3, "db_update_as_insert"),
        DBI(4, "db_check_update"),
        DBI(5, "db_ops_ruid"),
        DBI(6, "expires_type"),
        DBI(7, "db_raw_fetch_type"),
        DBI(8, "db_insert_null"),
        DBI(9, "skip_remote_socket"),
        DBI(10, "db_timer_clean"),
        DBI(11, "rm_expired_delay"),
        DBI(12, "server_id_filter"),
        DBI(13, "version_table"),
        DBI(14, "load_rank"),
        DBI(15, "db_clean_tcp"),
        {0},
};

static const struct ksr_api_export apis[] = {
        {"usrloc", &usrloc_api},
        {0},
};

KSR_MODULE(.name = "usrloc", .params = params, .apis = apis, .rpcs = usrloc_rpcs,
           .mod_init = mod_init, .child_init = child_init, .destroy = destroy);
