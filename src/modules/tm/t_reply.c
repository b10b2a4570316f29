/*
 * Replies to our branches: matched by the Via branch we gave each (t_fwd.c), run
 * through onreply_route, relayed to the caller when provisional (except 100) or 2xx, kept
 * when another final. Once every branch has a final reply, the best one (RFC 3261 16.7)
 * goes to the caller, unless failure_route, which runs first, adds branches or replies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "core/route/program.h"
#include "tm.h"

int tm_restart_fr_on_each_reply = 1;
int tm_failure_reply_mode = 3;
int tm_remap_503_500 = 1;

/*
 * How good a final code is, lower better (RFC 3261 16.7 step 6): 6xx over the rest, then
 * the lowest class of 3xx, 4xx, 5xx. Within 4xx the replies the caller can act on (a
 * challenge, an unsupported media type or extension, an incomplete address) come first,
 * and a timeout of ours last, as upstream ranks them.
 */
static int rank(const struct tm_ubranch *b)
{
	unsigned int c = b->final_code;

	if (c >= 200 && c < 300)
		return 0;
	if (c >= 600)
		return 1;
	if (c >= 300 && c < 400)
		return 100;
	if (c >= 400 && c < 500) {
		if (c == 401 || c == 407 || c == 415 || c == 420 || c == 484)
			return 200;
		return b->local ? 290 : 250;
	}
	if (c >= 500 && c < 600)
		return b->local ? 350 : 300;
	return 400;
}

int tm_best_branch(struct tm_cell *t)
{
	int best = -1, best_rank = 0;

	for (unsigned int i = 0; i < t->nbranches; i++) {
		const struct tm_ubranch *b = t->branches[i];
		int r;

		if (!b->final_code || b->dropped || b->replicate)
			continue;
		r = rank(b);
		if (best < 0 || r < best_rank) {
			best = (int)i;
			best_rank = r;
		}
	}
	return best;
}

/* failure_route[name] on the request's copy, with branch w the winner so far. */
static void run_failure(struct tm_cell *t, int w, const char *name)
{
	struct ksr_program *prog = ksr_program_acquire();
	const struct ksr_route *rt = prog ? ksr_program_find_failure_route(prog, name) : NULL;
	struct tm_ctx saved = tm_ctx;

	if (!rt) {
		LM_ERR("failure_route[%s] is not defined\n", name);
		ksr_program_unref(prog);
		return;
	}
	ksr_dset_clear(t->req);
	tm_ctx = (struct tm_ctx){t, w, t->branches[w]->final_code, KSR_ROUTE_FAILURE};
	t->in_failure = true;
	t->fail_branch = w;
	t->fail_reply = NULL;
	t->drop_replies = 0;
	ksr_run_route(prog, rt, t->req, KSR_ROUTE_FAILURE);
	t->in_failure = false;
	tm_ctx = saved;
	ksr_program_unref(prog);
}

/*
 * failure_route started a new serial forking leg at branch `leg`: the replies that no
 * longer compete, by t_drop_replies() or else failure_reply_mode ('a': every earlier
 * branch, 'l': those of the last leg, 'n': none).
 */
static void drop_replies(struct tm_cell *t, unsigned int leg)
{
	static const char by_mode[] = {'n', 'a', 'l', 'a'};
	char mode = t->drop_replies;
	unsigned int from = 0;

	if (!mode)
		mode = tm_failure_reply_mode >= 0 && tm_failure_reply_mode <= 3
			       ? by_mode[tm_failure_reply_mode]
			       : 'a';
	if (mode == 'n')
		return;
	if (mode == 'l')
		from = t->leg;
	for (unsigned int i = from; i < leg; i++)
		t->branches[i]->dropped = true;
	t->leg = leg;
}

/*
 * The winner w is a 401 or 407: the challenges of the other branches' 401 and 407 replies
 * go with it (RFC 3261 16.7 step 7), so the caller can answer them all. The relayed
 * bytes of w with the others' WWW-Authenticate and Proxy-Authenticate lines added, in
 * t's arena; 0, or -errno (w goes as it came).
 */
static int merge_challenges(struct tm_cell *t, int w, struct ksr_str *ret)
{
	struct tm_ubranch *wb = t->branches[w];
	struct ksr_msg m;
	char *buf;
	int added = 0, r;

	if (!(buf = ksr_arena_alloc_nz(t->arena, wb->reply_len + 1)))
		return -ENOMEM;
	memcpy(buf, wb->reply, wb->reply_len);
	buf[wb->reply_len] = '\0';
	if ((r = ksr_msg_parse(&m, buf, wb->reply_len, t->arena, NULL)) < 0)
		return r;
	for (unsigned int i = 0; i < t->nbranches; i++) {
		struct tm_ubranch *b = t->branches[i];
		struct ksr_msg o;
		char *obuf;

		if ((int)i == w || b->local || !b->reply ||
		    (b->final_code != 401 && b->final_code != 407))
			continue;
		if (!(obuf = ksr_arena_alloc_nz(t->arena, b->reply_len + 1)))
			return -ENOMEM;
		memcpy(obuf, b->reply, b->reply_len);
		obuf[b->reply_len] = '\0';
		if (ksr_msg_parse(&o, obuf, b->reply_len, t->arena, NULL) < 0)
			continue;
		for (struct ksr_hdr *h = o.headers; h; h = h->next) {
			if (h->type != KSR_HDR_WWWAUTH && h->type != KSR_HDR_PROXYAUTHENTICATE)
				continue;
			if ((r = ksr_msg_add_hdr(&m, h->line, KSR_HDR_APPEND)) < 0)
				return r;
			added++;
		}
	}
	if (!added)
		return -ENOENT;
	return ksr_msg_build(&m, ret);
}

static bool all_final(const struct tm_cell *t)
{
	for (unsigned int i = 0; i < t->nbranches; i++)
		if (!t->branches[i]->final_code && !t->branches[i]->replicate)
			return false;
	return true;
}

void tm_branch_final(struct tm_cell *t)
{
	struct tm_ubranch *b;
	int w;

	if (!all_final(t) || t->state != TM_PROCEEDING)
		return;
	w = tm_best_branch(t);
	if (w < 0)
		return;
	t->picked = w;
	if (t->branches[w]->final_code >= 300)
		tm_cb_on_failure(t, w);
	if (t->set.on_failure && t->branches[w]->final_code >= 300) {
		const char *name = t->set.on_failure;

		unsigned int before = t->nbranches;

		/* one run per arming: failure_route arms it again for the next step */
		t->set.on_failure = NULL;
		run_failure(t, w, name);
		free((char *)name);
		if (t->nbranches > before)
			drop_replies(t, before);
		if (t->state != TM_PROCEEDING || !all_final(t))
			return; /* it replied, or the new branches decide */
		w = tm_best_branch(t);
		if (w < 0)
			return;
		t->picked = w;
	}
	b = t->branches[w];
	if (b->local || !b->reply) {
		tm_local_reply(t, t->req, b->final_code);
	} else if (b->final_code == 503 && tm_remap_503_500) {
		/* RFC 3261 16.7 step 6: a 503 is not passed on; ours is a 500, as upstream's */
		static const char reason[] = "Service Unavailable";

		tm_reply(t, t->req, 500, ksr_str_make((char *)reason, sizeof(reason) - 1));
	} else {
		struct ksr_str merged;

		if ((b->final_code == 401 || b->final_code == 407) &&
		    merge_challenges(t, w, &merged) == 0)
			tm_send_reply(t, NULL, NULL, merged.s, merged.len, b->final_code, false);
		else
			tm_send_reply(t, NULL, NULL, b->reply, b->reply_len, b->final_code, false);
	}
}

/* onreply_route[name] of t on reply msg from branch b: false when it dropped the reply. */
static bool run_onreply(struct tm_cell *t, struct tm_ubranch *b, struct ksr_msg *msg)
{
	struct ksr_program *prog;
	const struct ksr_route *rt;
	struct tm_ctx saved = tm_ctx;
	enum ksr_run_status st = KSR_RUN_END;

	if (!t->set.on_reply)
		return true;
	prog = ksr_program_acquire();
	rt = prog ? ksr_program_find_onreply_route(prog, t->set.on_reply) : NULL;
	if (rt) {
		tm_set_msg(msg, t);
		tm_ctx = (struct tm_ctx){t, (int)b->idx, msg->first.rpl.code, KSR_ROUTE_ONREPLY};
		st = ksr_run_route(prog, rt, msg, KSR_ROUTE_ONREPLY);
		tm_ctx = saved;
	} else {
		LM_ERR("onreply_route[%s] is not defined\n", t->set.on_reply);
	}
	ksr_program_unref(prog);
	return st != KSR_RUN_DROP;
}

/* Reply msg as it goes to the caller: our Via off, onreply_route's edits in. */
static int relay_bytes(struct tm_cell *t, struct ksr_msg *msg, struct ksr_str *ret)
{
	int r = ksr_msg_build_fwd_reply(msg, t->proto == IPPROTO_TCP ? KSR_BUILD_STREAM : 0, ret);

	if (r < 0)
		LM_ERR("cannot build the %u reply to relay: %s\n", msg->first.rpl.code, strerror(-r));
	return r;
}

static void provisional(struct tm_cell *t, struct tm_ubranch *b, struct ksr_msg *msg,
			unsigned int code)
{
	struct ksr_str out;
	bool first = !b->last_code;

	b->last_code = code;
	/* an INVITE is no longer sent again once it rings (timer A) */
	if (t->invite && !b->cancel_sent)
		ksr_timer_cancel(&b->retr);
	if (b->cancel_pending)
		tm_cancel_branches(t); /* the CANCEL may go now */
	/* the INVITE rings: fr_inv_timer from now on (timer B's extension, upstream's) */
	if (t->invite && !t->ended && (first || tm_restart_fr_on_each_reply))
		ksr_timer_add(&b->fr, t->set.fr_inv_ms ? t->set.fr_inv_ms
						       : (unsigned int)tm_fr_inv_timer);
	if (!run_onreply(t, b, msg))
		return;
	/* 100 is hop by hop: the caller has ours */
	if (code > 100 && relay_bytes(t, msg, &out) == 0) {
		t->picked = (int)b->idx;
		tm_send_reply(t, NULL, NULL, out.s, out.len, code, false);
	}
}

static void final(struct tm_cell *t, struct tm_ubranch *b, struct ksr_msg *msg, unsigned int code)
{
	struct ksr_str out;

	run_onreply(t, b, msg);
	if (relay_bytes(t, msg, &out) < 0)
		out = KSR_STR_NULL;
	b->last_code = code;
	b->final_code = code;
	b->local = false;
	/* done: no retransmission, no timeout (the callbacks would find nothing to do) */
	ksr_timer_cancel(&b->retr);
	ksr_timer_cancel(&b->fr);
	/* a 2xx goes at once; the others wait for the best to be picked */
	if (code >= 300 && out.len && (b->reply = malloc(out.len))) {
		memcpy(b->reply, out.s, out.len);
		b->reply_len = out.len;
	}
	if (t->invite && code >= 300 && msg->h_to)
		tm_send_ack(b, msg->h_to->line);
	if (code < 300) {
		/* a 2xx goes at once, and the other branches are no longer wanted */
		t->picked = (int)b->idx;
		if (out.len)
			tm_send_reply(t, NULL, NULL, out.s, out.len, code, false);
		if (t->invite)
			tm_cancel_branches(t);
	} else if (code >= 600 && t->invite) {
		tm_cancel_branches(t);
	}
	tm_branch_final(t);
}

/* A final reply that came again, or after our timeout. */
static void late_final(struct tm_cell *t, struct tm_ubranch *b, struct ksr_msg *msg,
		       unsigned int code)
{
	struct ksr_str out;

	if (t->invite && code >= 300) {
		/* the callee missed our ACK */
		if (b->ack && !b->local)
			ksr_dest_send(&b->dest, b->listener, b->ack, b->ack_len);
		else if (msg->h_to)
			tm_send_ack(b, msg->h_to->line);
	} else if (code < 300 && t->invite && relay_bytes(t, msg, &out) == 0) {
		/* every 2xx reaches the caller, even after our timeout (RFC 3261 16.7) */
		t->picked = (int)b->idx;
		tm_send_reply(t, NULL, NULL, out.s, out.len, code, false);
	}
}

/* A reply to a t_replicate() branch: kept from the caller; its transaction goes on. */
static void replicated(struct tm_cell *t, struct tm_ubranch *b, struct ksr_msg *msg,
		       unsigned int code)
{
	if (code < 200) {
		if (!b->final_code) {
			b->last_code = code;
			if (t->invite)
				ksr_timer_cancel(&b->retr);
		}
		return;
	}
	if (t->invite && code >= 300 && msg->h_to) {
		if (b->ack)
			ksr_dest_send(&b->dest, b->listener, b->ack, b->ack_len);
		else
			tm_send_ack(b, msg->h_to->line);
	}
	if (!b->final_code) {
		b->last_code = b->final_code = code;
		ksr_timer_cancel(&b->retr);
		ksr_timer_cancel(&b->fr);
	}
}

char *tm_on_sl_reply;

/*
 * A reply of no transaction of ours: onreply_route[on_sl_reply] first; `drop` or a
 * return of 0 there keeps the core from relaying it statelessly.
 */
static bool sl_reply(struct ksr_msg *msg)
{
	struct ksr_program *prog;
	const struct ksr_route *rt;
	enum ksr_run_status st;
	int rc = 1;

	if (!tm_on_sl_reply)
		return false;
	prog = ksr_program_acquire();
	rt = prog ? ksr_program_find_onreply_route(prog, tm_on_sl_reply) : NULL;
	if (!rt) {
		ksr_program_unref(prog);
		return false;
	}
	st = ksr_run_route_rc(prog, rt, msg, KSR_ROUTE_ONREPLY, &rc);
	ksr_program_unref(prog);
	return st == KSR_RUN_DROP || st == KSR_RUN_EXIT || rc == 0;
}

bool tm_reply_received(struct ksr_msg *msg)
{
	unsigned int hash, label, idx, code = msg->first.rpl.code;
	struct ksr_cseq *cseq;
	struct ksr_via *via;
	struct tm_ubranch *b;
	struct tm_cell *t;

	if (ksr_msg_via1(msg, &via) < 0 || tm_branch_decode(via->branch, &hash, &label, &idx) < 0)
		return sl_reply(msg);
	if (!(t = tm_lookup_label(hash, label)))
		return sl_reply(msg); /* gone: the core relays it statelessly (a late 2xx) */
	if (ksr_msg_cseq(msg, &cseq) < 0) {
		tm_unref(t);
		return true;
	}
	tm_stat(TM_ST_RPL_RECEIVED, 1);
	tm_relayed_now = false;
	pthread_mutex_lock(&t->lock);
	if (idx >= t->nbranches) {
		LM_DBG("reply for branch %u that transaction %p does not have\n", idx, (void *)t);
	} else if (b = t->branches[idx], cseq->method_id == KSR_METHOD_CANCEL) {
		/* the answer to our CANCEL: its retransmissions stop */
		if (b->cancel_sent && code >= 200) {
			free(b->cancel);
			b->cancel = NULL;
		}
	} else if (cseq->method_id != t->method) {
		LM_DBG("reply to %.*s for a transaction of another method\n",
		       KSR_STR_FMT(cseq->method));
	} else if (b->replicate) {
		/* t_replicate(): its replies go nowhere and run no route (upstream's) */
		replicated(t, b, msg, code);
	} else if (b->final_code) {
		late_final(t, b, msg, code);
	} else if (code < 200) {
		provisional(t, b, msg, code);
	} else {
		final(t, b, msg, code);
	}
	tm_release_request(t, false);
	pthread_mutex_unlock(&t->lock);
	if (!tm_relayed_now)
		tm_stat(TM_ST_RPL_ABSORBED, 1);
	tm_unref(t);
	return true;
}
