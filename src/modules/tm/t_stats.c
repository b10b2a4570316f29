/*
 * tm's statistics, by upstream's names: the "tmx" group (upstream's tmx module shows tm's
 * counts; here tm registers them, so they exist whenever tm is loaded), and the RPC
 * methods tm.stats, tm.list and tm.hash_stats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc/rpc.h"
#include "tm.h"

struct ksr_counter *tm_stats[TM_ST_COUNT];

static const char *const names[TM_ST_COUNT] = {
	[TM_ST_UAS] = "UAS_transactions",   [TM_ST_UAC] = "UAC_transactions",
	[TM_ST_2XX] = "2xx_transactions",   [TM_ST_3XX] = "3xx_transactions",
	[TM_ST_4XX] = "4xx_transactions",   [TM_ST_5XX] = "5xx_transactions",
	[TM_ST_6XX] = "6xx_transactions",   [TM_ST_INUSE] = "inuse_transactions",
	[TM_ST_ACTIVE] = "active_transactions", [TM_ST_RPL_RECEIVED] = "rpl_received",
	[TM_ST_RPL_ABSORBED] = "rpl_absorbed", [TM_ST_RPL_RELAYED] = "rpl_relayed",
	[TM_ST_RPL_GENERATED] = "rpl_generated", [TM_ST_RPL_SENT] = "rpl_sent",
};

int tm_stats_init(void)
{
	for (int i = 0; i < TM_ST_COUNT; i++) {
		int r = ksr_counter_register("tmx", names[i], NULL, &tm_stats[i]);

		if (r == -EEXIST) {
			/* a second mod_init in one process (tests): the counter is there */
			tm_stats[i] = ksr_counter_lookup(ksr_str_make("tmx", 3),
							 ksr_str_make((char *)names[i],
								      strlen(names[i])));
		} else if (r < 0) {
			LM_ERR("cannot register statistic %s: %s\n", names[i], strerror(-r));
			return r;
		}
	}
	return 0;
}

static long st(int i)
{
	return tm_stats[i] ? ksr_counter_get(tm_stats[i]) : 0;
}

/* tm.stats: upstream's members. */
static void rpc_stats(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *s = ksr_rpc_add_struct(ctx, NULL, NULL);
	long inuse = st(TM_ST_INUSE), active = st(TM_ST_ACTIVE);

	if (!s)
		return;
	ksr_rpc_add_int(ctx, s, "current", inuse);
	ksr_rpc_add_int(ctx, s, "waiting", inuse - active);
	ksr_rpc_add_int(ctx, s, "total", st(TM_ST_UAS) + st(TM_ST_UAC));
	ksr_rpc_add_int(ctx, s, "total_local", st(TM_ST_UAC));
	ksr_rpc_add_int(ctx, s, "rpl_received", st(TM_ST_RPL_RECEIVED));
	ksr_rpc_add_int(ctx, s, "rpl_generated", st(TM_ST_RPL_GENERATED));
	ksr_rpc_add_int(ctx, s, "rpl_sent", st(TM_ST_RPL_SENT));
	ksr_rpc_add_int(ctx, s, "6xx", st(TM_ST_6XX));
	ksr_rpc_add_int(ctx, s, "5xx", st(TM_ST_5XX));
	ksr_rpc_add_int(ctx, s, "4xx", st(TM_ST_4XX));
	ksr_rpc_add_int(ctx, s, "3xx", st(TM_ST_3XX));
	ksr_rpc_add_int(ctx, s, "2xx", st(TM_ST_2XX));
	ksr_rpc_add_int(ctx, s, "created", st(TM_ST_UAS) + st(TM_ST_UAC));
	ksr_rpc_add_int(ctx, s, "freed", st(TM_ST_UAS) + st(TM_ST_UAC) - inuse);
	ksr_rpc_add_int(ctx, s, "delayed_free", 0);
}

static void list_one(struct tm_cell *t, void *arg)
{
	struct ksr_rpc_ctx *ctx = arg;
	struct ksr_rpc_val *s = ksr_rpc_add_struct(ctx, NULL, NULL);
	char id[32];

	if (!s)
		return;
	snprintf(id, sizeof(id), "%u:%u", t->hash, t->label);
	ksr_rpc_add_str(ctx, s, "tindex", ksr_str_make(id, strlen(id)));
	ksr_rpc_add_int(ctx, s, "tlabel", (long)t->label);
	ksr_rpc_add_str(ctx, s, "method", t->method_name);
	ksr_rpc_add_str(ctx, s, "from_tag", t->from_tag);
	ksr_rpc_add_str(ctx, s, "callid", t->callid);
	ksr_rpc_add_int(ctx, s, "cseq", (long)t->cseq);
	ksr_rpc_add_str(ctx, s, "uri", t->ruri);
	ksr_rpc_add_int(ctx, s, "uas_status", (long)t->reply_code);
	ksr_rpc_add_int(ctx, s, "nr_of_outgoings", (long)t->nbranches);
	ksr_rpc_add_int(ctx, s, "canceled", t->canceled);
}

/* tm.list: each transaction in the table. */
static void rpc_list(struct ksr_rpc_ctx *ctx)
{
	tm_foreach(list_one, ctx);
}

struct hash_stats {
	unsigned long used, max;
};

/* tm.hash_stats: how full the table's buckets are. */
static void rpc_hash_stats(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *s = ksr_rpc_add_struct(ctx, NULL, NULL);
	unsigned int used = 0, max = 0, n;

	n = tm_bucket_usage(&used, &max);
	if (!s)
		return;
	ksr_rpc_add_int(ctx, s, "hash_size", (long)n);
	ksr_rpc_add_int(ctx, s, "used_slots", (long)used);
	ksr_rpc_add_int(ctx, s, "dupl_slots", 0);
	ksr_rpc_add_int(ctx, s, "max_dupl", (long)max);
	ksr_rpc_add_int(ctx, s, "current", (long)tm_count());
}

/* tm.cancel(callid, cseq): CANCEL the branches of that INVITE transaction. */
static void rpc_cancel(struct ksr_rpc_ctx *ctx)
{
	struct ksr_str callid, cseq_s;
	unsigned long cseq = 0;
	struct tm_cell *t;

	if (ksr_rpc_param_str(ctx, &callid) < 0 || ksr_rpc_param_str(ctx, &cseq_s) < 0) {
		ksr_rpc_fault(ctx, 400, "callid and cseq expected");
		return;
	}
	for (size_t i = 0; i < cseq_s.len; i++) {
		if (cseq_s.s[i] < '0' || cseq_s.s[i] > '9' || cseq > 0xfffffffUL) {
			ksr_rpc_fault(ctx, 400, "bad cseq");
			return;
		}
		cseq = cseq * 10 + (unsigned long)(cseq_s.s[i] - '0');
	}
	if (!cseq_s.len || !(t = tm_lookup_callid(callid, (unsigned int)cseq))) {
		ksr_rpc_fault(ctx, 404, "Transaction not found");
		return;
	}
	pthread_mutex_lock(&t->lock);
	t->canceled = true;
	tm_cancel_branches(t);
	pthread_mutex_unlock(&t->lock);
	tm_unref(t);
	ksr_rpc_add_str(ctx, NULL, NULL, ksr_str_make("200 OK", 6));
}

const struct ksr_rpc_export tm_rpcs[] = {
	{"tm.cancel", rpc_cancel, "CANCEL the branches of an INVITE transaction: callid, cseq."},
	{"tm.stats", rpc_stats, "Statistics of the transactions."},
	{"tm.list", rpc_list, "The transactions in the table."},
	{"tm.hash_stats", rpc_hash_stats, "How full the transaction table's buckets are."},
	{0},
};
