/*
 * When a transaction is accounted, as upstream decides it: the flags of the request when
 * its transaction is made choose the events acc asks tm for (tm_api.h); the flags then
 * (and the missed-call flags that failure_route sets again) choose what is written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "acc.h"

/* $rdir(id) of rr, for detect_direction: 2 for a request going to the caller */
static struct ksr_pv_spec *rdir;
/* the param of a transaction's callbacks whose request goes upstream */
static char upstream_mark;

int acc_rec_init(struct acc_rec *rec, struct ksr_msg *msg, const char *text, struct ksr_str to_tag,
                 unsigned int code, struct ksr_str reason, bool upstream)
{
	struct ksr_nameaddr *from;
	struct ksr_cseq *cseq;
	char *buf;

	if (ksr_msg_cseq(msg, &cseq) < 0 || ksr_msg_from(msg, &from) < 0) {
		LM_ERR("the message has no CSeq or From to account\n");
		return -EINVAL;
	}
	*rec = (struct acc_rec){
	        .text = text, .method = cseq->method, .to_tag = to_tag, .reason = reason};
	if (from->has_tag)
		rec->from_tag = from->tag;
	if (upstream) {
		/* the From and To of the dialog's first request */
		rec->to_tag = rec->from_tag;
		rec->from_tag = to_tag;
	}
	if (msg->h_callid)
		rec->callid = msg->h_callid->body;
	if (code) {
		if (!(buf = ksr_arena_alloc_nz(msg->arena, 12)))
			return -ENOMEM;
		rec->code = ksr_str_make(buf, (size_t)snprintf(buf, 12, "%u", code));
	}
	gettimeofday(&rec->tv, NULL);
	return 0;
}

void acc_rec_comment(struct acc_rec *rec, struct ksr_str c)
{
	/* "404 Not here": a code of three digits first, then the reason (upstream's rule) */
	if (c.len >= 3 && c.s[0] >= '0' && c.s[0] <= '9' && c.s[1] >= '0' && c.s[1] <= '9' &&
	    c.s[2] >= '0' && c.s[2] <= '9') {
		rec->code = ksr_str_make(c.s, 3);
		c.s += 3;
		c.len -= 3;
		while (c.len && (ksr_is_ws(*c.s) || *c.s == '\r' || *c.s == '\n')) {
			c.s++;
			c.len--;
		}
	}
	rec->reason = c;
}

static bool flag_on(unsigned int flags, int flag)
{
	return flag >= 0 && (flags & (1u << flag));
}

static bool acc_on(unsigned int flags)
{
	return flag_on(flags, acc_conf.log_flag) || flag_on(flags, acc_conf.db_flag);
}

static bool missed_on(unsigned int flags)
{
	return flag_on(flags, acc_conf.log_missed_flag) || flag_on(flags, acc_conf.db_missed_flag);
}

static bool prepare_on(unsigned int flags)
{
	return acc_conf.acc_prepare_always || flag_on(flags, acc_conf.acc_prepare_flag);
}

static bool is_invite(struct ksr_msg *req)
{
	return req->type == KSR_MSG_REQUEST && req->first.req.method_id == KSR_METHOD_INVITE;
}

/* Write rec to the log and/or the table the flags ask for (db_table: of that kind). */
static void write_rec(struct ksr_msg *req, const struct acc_rec *rec, bool log, bool db,
                      const struct ksr_pv_fmt *db_table)
{
	struct ksr_str table;

	if (log)
		acc_log_write(req, rec);
	if (db && acc_db_table(req, db_table, &table) == 0)
		acc_db_write(req, rec, table);
}

/* The reply's reason, or its first Reason header with reason_from_hf. */
static struct ksr_str reason_of(const struct tm_cb_params *p)
{
	if (acc_conf.reason_from_hf && p->rpl) {
		for (struct ksr_hdr *h = p->rpl->headers; h; h = h->next)
			if (ksr_str_caseeq_cstr(&h->name, "Reason"))
				return h->body;
	}
	return p->reason;
}

/*
 * For the record, $ru and its parts are the Request-URI of the branch the reply came
 * from (upstream's); put back after.
 */
struct ruri_saved {
	struct ksr_str new_uri;
	struct ksr_uri *new_ruri;
	bool set;
};

static void use_branch_uri(struct ksr_msg *req, const struct tm_cb_params *p, struct ruri_saved *s)
{
	s->set = p->branch_uri.len > 0;
	if (!s->set)
		return;
	s->new_uri = req->new_uri;
	s->new_ruri = req->new_ruri;
	req->new_uri = p->branch_uri;
	req->new_ruri = NULL;
}

static void restore_uri(struct ksr_msg *req, const struct ruri_saved *s)
{
	if (!s->set)
		return;
	req->new_uri = s->new_uri;
	req->new_ruri = s->new_ruri;
}

/* A missed call: once, then its flags are reset (failure_route may set them again). */
static void on_missed(const struct tm_cb_params *p, bool upstream)
{
	struct ksr_msg *req = p->req;
	bool log = flag_on(req->flags, acc_conf.log_missed_flag);
	bool db = flag_on(req->flags, acc_conf.db_missed_flag);
	struct ruri_saved saved;
	struct acc_rec rec;

	use_branch_uri(req, p, &saved);
	if (acc_rec_init(&rec, req, "call missed", p->to_tag, p->code, reason_of(p), upstream) == 0)
		write_rec(req, &rec, log, db, acc_conf.db_table_mc);
	restore_uri(req, &saved);
	if (log)
		req->flags &= ~(1u << acc_conf.log_missed_flag);
	if (db)
		req->flags &= ~(1u << acc_conf.db_missed_flag);
}

/* Whether a reply is accounted: a 2xx, a negative one with failed_transaction_flag. */
static bool should_acc(const struct tm_cb_params *p)
{
	unsigned int flags = p->req->flags;

	if (p->code >= 300) {
		if (!flag_on(flags, acc_conf.failed_transaction_flag))
			return false;
		for (int i = 0; acc_conf.failed_filter[i]; i++)
			if (acc_conf.failed_filter[i] == p->code)
				return false;
		return true;
	}
	if (!acc_on(flags))
		return false;
	/* early media: a provisional reply with a body */
	return p->code >= 200 || (acc_conf.early_media && p->rpl && p->rpl->body.len > 0);
}

static void on_reply(const struct tm_cb_params *p, bool upstream)
{
	struct ksr_msg *req = p->req;
	struct ruri_saved saved;
	struct acc_rec rec;

	/* a negative final reply that ON_FAILURE did not see (tm's own, or flags set later) */
	if (is_invite(req) && p->code >= 300 && missed_on(req->flags))
		on_missed(p, upstream);
	if (!should_acc(p))
		return;
	use_branch_uri(req, p, &saved);
	if (acc_rec_init(&rec, req, "transaction answered", p->to_tag, p->code, reason_of(p),
	                 upstream) == 0)
		write_rec(req, &rec, flag_on(req->flags, acc_conf.log_flag),
		          flag_on(req->flags, acc_conf.db_flag), acc_conf.db_table_acc);
	restore_uri(req, &saved);
}

/* report_ack: the ACK to the 2xx, with the INVITE's flags and final reply. */
static void on_ack(const struct tm_cb_params *p, bool upstream)
{
	struct acc_rec rec;

	if (acc_rec_init(&rec, p->req, "request acknowledged", p->to_tag, p->code, p->reason,
	                 upstream) == 0)
		write_rec(p->req, &rec, flag_on(p->flags, acc_conf.log_flag),
		          flag_on(p->flags, acc_conf.db_flag), acc_conf.db_table_acc);
}

static void on_event(unsigned int type, const struct tm_cb_params *p)
{
	bool upstream = p->param == &upstream_mark;

	if (type & TMCB_RESPONSE_OUT)
		on_reply(p, upstream);
	else if (type & TMCB_ON_FAILURE)
		on_missed(p, upstream);
	else if (type & TMCB_E2EACK_IN)
		on_ack(p, upstream);
}

/* $rdir(id) is 2: the request goes from the callee to the caller. */
static bool goes_upstream(struct ksr_msg *req)
{
	struct ksr_val v;

	return rdir && ksr_pv_get(req, rdir, &v) == 0 && v.type == KSR_VAL_INT && v.i == 2;
}

/* A new transaction: the events acc needs of it, if its request is to be accounted. */
static void on_request_in(unsigned int type, const struct tm_cb_params *p)
{
	struct ksr_msg *req = p->req;
	unsigned int flags = req->flags, types = TMCB_RESPONSE_OUT;
	int r;

	if (req->first.req.method_id == KSR_METHOD_CANCEL && !acc_conf.report_cancels)
		return;
	if (!acc_on(flags) && !missed_on(flags) && !prepare_on(flags))
		return;
	if (acc_conf.report_ack && acc_on(flags))
		types |= TMCB_E2EACK_IN;
	if (is_invite(req) && (missed_on(flags) || prepare_on(flags)))
		types |= TMCB_ON_FAILURE;
	r = acc_tm->register_cb(p->t, types, on_event,
	                        acc_conf.detect_direction && goes_upstream(req) ? &upstream_mark
	                                                                        : NULL);
	if (r < 0)
		LM_ERR("cannot register with the transaction: %s\n", strerror(-r));
}

int acc_logic_init(void)
{
	static const char rdir_name[] = "$rdir(id)";
	const char *why = NULL;
	size_t used;
	int r;

	if (acc_conf.detect_direction &&
	    ksr_pv_parse(KSR_STR_STATIC(rdir_name), ksr_fixup_arena(), &rdir, &used, &why) < 0) {
		LM_ERR("detect_direction needs the rr module (its $rdir): add loadmodule "
		       "\"rr.so\" to the config\n");
		return -ENOENT;
	}
	if ((r = acc_tm->register_cb(NULL, TMCB_REQUEST_IN, on_request_in, NULL)) < 0) {
		LM_ERR("cannot register with tm: %s\n", strerror(-r));
		return r;
	}
	return 0;
}
