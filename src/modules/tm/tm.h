/*
 * tm: SIP transactions (RFC 3261 section 17 and 16). A transaction has a server side
 * (UAS, t_uas.c): t_newtran() makes it of a request, t_reply() answers it statefully, and
 * it absorbs retransmissions of the request (answered with the last reply) and the ACK to
 * its final reply, retransmitting a final reply to an INVITE over UDP until the ACK comes
 * (timers G and H). t_relay() gives it a client side (t_fwd.c): one branch per
 * destination, each a client transaction with its own Via branch, retransmissions
 * (timers A and E) and final-response timer (fr_timer, fr_inv_timer). Replies (t_reply.c)
 * are matched to their branch by that Via branch, provisional ones relayed, the best
 * final one picked (RFC 3261 16.7) once every branch has one, after failure_route had
 * its chance to add branches.
 *
 * Locking: each cell has one recursive lock, held while its state changes and while the
 * script runs for it (branch_route, onreply_route, failure_route), so that a reply and
 * the timer never race a t_relay() in progress. Its timers' callbacks take it; so no
 * thread holding it waits for a timer callback: it disarms with ksr_timer_cancel(), and
 * a callback already running finds out from the state that it has nothing left to do.
 */
#ifndef KSR_MODULES_TM_TM_H
#define KSR_MODULES_TM_TM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <threads.h>

#include "core/counters.h"
#include "core/net/forward.h"
#include "core/rpc/rpc.h"
#include "core/parser/msg-t.h"
#include "core/timer/timer.h"
#include "tm_api.h"

/* modparams, milliseconds */
extern int tm_fr_timer, tm_fr_inv_timer, tm_wt_timer, tm_retr_timer1, tm_retr_timer2;
extern int tm_max_inv_lifetime, tm_max_noninv_lifetime, tm_auto_inv_100;
extern char *tm_auto_inv_100_reason;
extern int tm_restart_fr_on_each_reply, tm_failure_reply_mode, tm_remap_503_500;
/* tm's runtime config group, over the globals above (tm_cfg.c): from mod_init, destroy */
int tm_cfg_declare(void);
void tm_cfg_undeclare(void);

/* Branches of one transaction at most, serial forking included. */
#define TM_MAX_BRANCHES 32

struct tm_cell;
struct ksr_arena;

/* A client transaction: one destination of t_relay(). */
struct tm_ubranch {
	struct tm_cell *t;
	unsigned int idx;
	struct ksr_dest dest;
	struct ksr_listener *listener;
	char *req; /* the request as sent (heap): retransmissions, the CANCEL and ACK */
	size_t req_len;
	char *uri; /* its Request-URI (heap) when callbacks want it (tm_api.h); else NULL */
	size_t uri_len;
	char *ack; /* the ACK to a non-2xx final reply, once sent (for its retransmissions) */
	size_t ack_len;
	char *cancel; /* our CANCEL, while it is retransmitted */
	size_t cancel_len;
	unsigned int last_code; /* the highest reply code received; 0: none yet */
	unsigned int final_code; /* the final code: received, or ours (408, 487, 477...) */
	char *reply; /* a received final reply as it is relayed (our Via taken off) */
	size_t reply_len;
	bool local; /* final_code is ours: no reply came */
	bool timed_out; /* ... because fr_timer or fr_inv_timer fired */
	bool dropped; /* its reply no longer competes for the best (failure_reply_mode) */
	bool replicate; /* t_replicate(): its replies stay here, it takes no part in the best */
	bool cancel_pending; /* to CANCEL once a provisional reply comes (RFC 3261 9.1) */
	bool cancel_sent;
	struct ksr_timer retr; /* timers A and E */
	unsigned int retr_ms;
	struct ksr_timer fr; /* timers B and F: fr_timer, fr_inv_timer after a 1xx */
};

/* What t_on_*() and t_set_fr() asked for, per request until t_relay() takes it over. */
struct tm_settings {
	const char *on_failure, *on_reply, *on_branch; /* route names; NULL: none */
	unsigned int fr_ms, fr_inv_ms; /* 0: the modparams */
};

enum tm_state {
	TM_PROCEEDING, /* created; provisional replies only */
	TM_COMPLETED, /* a final reply was sent; waiting for the ACK (INVITE) or the end */
	TM_CONFIRMED, /* the ACK came (INVITE) */
	TM_TERMINATED, /* out of the table */
};

/* A server transaction. The table holds one reference, each user one more. */
struct tm_cell {
	atomic_int refs;
	pthread_mutex_t lock;
	unsigned int hash;
	struct tm_cell *next; /* in its bucket */
	enum tm_state state;
	bool invite;
	/* matching: RFC 3261 17.2.3, or RFC 2543's when the branch has no magic cookie */
	bool rfc3261;
	char *key; /* the strings below, one allocation */
	struct ksr_str branch, sent_by, callid, from_tag, ruri, method_name;
	unsigned short sent_by_port;
	unsigned int cseq;
	enum ksr_method method;
	struct ksr_str to_tag; /* of our replies: an ACK to a 2xx carries it */
	char to_tag_buf[64];
	/* where replies go: the request's source */
	int proto;
	struct ksr_listener *listener;
	struct sockaddr_storage to;
	socklen_t to_len;
	/* the last reply sent, for retransmissions */
	char *reply;
	size_t reply_len;
	unsigned int reply_code;
	struct ksr_timer retr; /* timer G */
	unsigned int retr_ms;
	struct ksr_timer wait; /* the end: lifetime, timers H, I, J */
	bool local_reply; /* the final reply was ours (an ACK to a 2xx of it is absorbed) */
	bool ended; /* the end timer fired: no timer is armed any more */

	/* --- the client side: set by t_relay() --- */
	unsigned int label; /* with hash, in our branches' Via: "z9hG4bKtm<hash>.<label>.<idx>" */
	struct ksr_arena *arena; /* of req and what the script does with it later */
	struct ksr_msg *req; /* the request's copy (core/msg/clone.h); NULL before t_relay */
	struct tm_ubranch *branches[TM_MAX_BRANCHES];
	unsigned int nbranches;
	struct tm_settings set; /* the route names are heap copies (tm_set_name) */
	bool canceled; /* the caller sent CANCEL */
	bool relayed; /* t_relay() ran in the request route */
	bool expired; /* a branch timed out */
	bool in_failure; /* failure_route runs */
	unsigned int leg; /* the first branch of the last serial forking leg */
	char drop_replies; /* t_drop_replies() in this failure_route: 'a', 'l', 'n'; 0 none */
	int fail_branch; /* the winning branch failure_route sees; -1 none */
	struct ksr_msg *fail_reply; /* its reply parsed, for $T_rpl() (in arena) */

	/* --- other modules' callbacks (t_cb.c, tm_api.h) --- */
	struct tm_cb *cbs;
	unsigned int cb_types; /* the events some callback wants */
	int picked; /* the branch whose reply goes to the caller now; -1: none */
	unsigned int req_flags; /* the request's script flags, kept when its copy goes */
	bool e2e_acked; /* an ACK to its 2xx went through */
};

/*
 * What the script is running for, on this thread: the transaction, the branch (in
 * branch_route and onreply_route, the winner's in failure_route), its reply code.
 */
struct tm_ctx {
	struct tm_cell *t;
	int branch;
	unsigned int code;
	unsigned int route_type;
};
extern _Thread_local struct tm_ctx tm_ctx;

/* --- statistics (t_stats.c): the "tmx" group, upstream's names --- */
enum {
	TM_ST_UAS,
	TM_ST_UAC,
	TM_ST_2XX,
	TM_ST_3XX,
	TM_ST_4XX,
	TM_ST_5XX,
	TM_ST_6XX,
	TM_ST_INUSE,
	TM_ST_ACTIVE,
	TM_ST_RPL_RECEIVED,
	TM_ST_RPL_ABSORBED,
	TM_ST_RPL_RELAYED,
	TM_ST_RPL_GENERATED,
	TM_ST_RPL_SENT,
	TM_ST_COUNT,
};
struct ksr_counter;
extern struct ksr_counter *tm_stats[TM_ST_COUNT];
int tm_stats_init(void);
static inline void tm_stat(int i, long v)
{
	if (tm_stats[i])
		ksr_counter_add(tm_stats[i], v);
}
extern const struct ksr_rpc_export tm_rpcs[];

/* --- the table (t_table.c) --- */
int tm_table_init(void);
void tm_table_destroy(void);
/*
 * The transaction request msg belongs to, with a reference the caller drops (tm_unref):
 * for an ACK, the INVITE transaction it acknowledges. NULL when none.
 */
struct tm_cell *tm_lookup(struct ksr_msg *msg);
/* The INVITE transaction a CANCEL cancels, referenced; NULL when none. */
struct tm_cell *tm_lookup_cancel(struct ksr_msg *msg);
/*
 * A new transaction for msg, in the table, referenced for the caller; NULL with
 * *ret_old set (referenced) when one exists already (a retransmission), or on error.
 */
struct tm_cell *tm_insert(struct ksr_msg *msg, struct tm_cell **ret_old);
void tm_ref(struct tm_cell *t);
void tm_unref(struct tm_cell *t);
/* Take t out of the table (its reference goes): retransmissions no longer find it. */
void tm_remove(struct tm_cell *t);
/* Transactions in the table, for tests and statistics. */
unsigned int tm_count(void);
/* Call fn for each transaction (bucket locked: fn must not block or take other cells). */
void tm_foreach(void (*fn)(struct tm_cell *t, void *arg), void *arg);
/* Buckets in use and the longest chain: returns the number of buckets. */
unsigned int tm_bucket_usage(unsigned int *used, unsigned int *max);

/* --- the server side (t_uas.c) --- */
/* Send t's last reply again (a retransmitted request). */
void tm_resend_reply(struct tm_cell *t);
/* Reply statefully to the request of t (msg): 0 or -errno. */
int tm_reply(struct tm_cell *t, struct ksr_msg *msg, unsigned int code, struct ksr_str reason);
/* An ACK matched t: absorb it (stop retransmitting; the end comes after timer I). */
void tm_ack(struct tm_cell *t);
/* A new cell's timers (the retransmission of the final reply, the end). */
void tm_cell_timers_init(struct tm_cell *t);
/* Arm t's end: ms from now it leaves the table. */
void tm_set_end(struct tm_cell *t, unsigned int ms);

/* The transaction of the message being processed (t_newtran's), or NULL. */
struct tm_cell *tm_of_msg(struct ksr_msg *msg);
int tm_set_msg(struct ksr_msg *msg, struct tm_cell *t);
/*
 * Send reply bytes (built or relayed) to t's caller and keep them for retransmissions:
 * a provisional one while no final went, a final one once (then t is completed: timers
 * G/H for an INVITE over UDP, else J), a further 2xx to an INVITE as it comes. conn is
 * the connection to use when the caller is on one (else the address); req the request
 * it answers (the callbacks' params: NULL for t's copy). 0 or -errno;
 * -EALREADY when t has its final reply already (nothing sent).
 */
int tm_send_reply(struct tm_cell *t, struct ksr_msg *req, struct ksr_conn *conn,
		  const char *buf, size_t len, unsigned int code, bool local);
/* Set when tm_send_reply relays a received reply: tells relayed replies from absorbed. */
extern _Thread_local bool tm_relayed_now;
/* The t_newtran() of the script functions: 1 new, 0 a retransmission or ACK, -1 error. */
int tm_newtran(struct ksr_msg *msg);
/* A reply of ours with the usual reason phrase for code (408, 487, 477, ...). */
int tm_local_reply(struct tm_cell *t, struct ksr_msg *msg, unsigned int code);
/* That phrase. */
const char *tm_reason_of(unsigned int code);

/* --- the client side (t_fwd.c) --- */
/* The settings of t_on_*() and t_set_fr() for msg (created when create). */
struct tm_settings *tm_settings_of(struct ksr_msg *msg, bool create);
/*
 * t_relay(): forward request msg statefully to its destination set (or to proxy, a
 * "sip:host:port" URI, when not empty, over proto when not 0). 1 when at least one branch
 * went, 0 when the script must stop (a retransmission absorbed, or an error answered
 * with a reply), -1 on error.
 */
int tm_relay(struct ksr_msg *msg, struct ksr_str proxy, int proto);
/*
 * t_replicate(): the request, statefully, to target (a sip URI; empty: $du or the R-URI)
 * over proto (0: the URI's), on a branch whose replies stay here. 1 sent, -1 not.
 */
int tm_replicate(struct ksr_msg *msg, struct ksr_str target, int proto);
/* t_save_lumps(): the copy failure_route's branches are built from, made now. 1 / -1. */
int tm_save_request(struct ksr_msg *msg);
/* modparam on_sl_reply: the onreply_route for replies of no transaction (NULL: none). */
extern char *tm_on_sl_reply;
/* CANCEL the branches of t that have no final reply (lock held). */
void tm_cancel_branches(struct tm_cell *t);
/* CANCEL branch b unless it has its final reply (lock held). */
void tm_cancel_branch(struct tm_ubranch *b);
/* The ACK of a non-2xx final reply (its To line) to branch b, sent hop by hop. */
void tm_send_ack(struct tm_ubranch *b, struct ksr_str to_line);
/* Set a route name of t's settings (a heap copy; NULL clears). */
void tm_set_name(const char **slot, const char *name);
/*
 * Free t's copy of the request once t has its final reply and failure_route does not run
 * (always: at the end): nothing needs it any more, and it is most of a transaction's
 * memory. Lock held.
 */
void tm_release_request(struct tm_cell *t, bool always);
/* The branch timers' callbacks are armed in t_fwd.c; the end timer disarms them. */
void tm_branches_stop(struct tm_cell *t);
void tm_branches_free(struct tm_cell *t);
/* Decode "z9hG4bKtm<hash>.<label>.<idx>": 0, or -EINVAL when it is not one of ours. */
int tm_branch_decode(struct ksr_str branch, unsigned int *hash, unsigned int *label,
		     unsigned int *idx);
/* The cell with hash and label, referenced, or NULL. */
struct tm_cell *tm_lookup_label(unsigned int hash, unsigned int label);
/* The INVITE transaction of Call-ID callid and CSeq number cseq, referenced, or NULL. */
struct tm_cell *tm_lookup_callid(struct ksr_str callid, unsigned int cseq);

/* --- replies to our branches (t_reply.c) --- */
/* The core's reply handler: true when reply msg belonged to a transaction of ours. */
bool tm_reply_received(struct ksr_msg *msg);
/*
 * Branch b has its final code now (a reply, a timeout): when every branch has one, pick
 * the best, run failure_route, and relay or send the winner (lock held).
 */
void tm_branch_final(struct tm_cell *t);
/* The winning branch by RFC 3261 16.7 among t's branches, or -1 when none is final. */
int tm_best_branch(struct tm_cell *t);

/* --- other modules' callbacks (t_cb.c) --- */
int tm_register_cb(struct tm_cell *t, unsigned int types, tm_cb_fn fn, void *param);
/* TMCB_REQUEST_IN for new transaction t of request msg. */
void tm_cb_request_in(struct tm_cell *t, struct ksr_msg *msg);
/* TMCB_RESPONSE_OUT: reply bytes buf went to the caller (lock held). */
void tm_cb_response_out(struct tm_cell *t, struct ksr_msg *req, const char *buf, size_t len,
			unsigned int code, bool local);
/* TMCB_ON_FAILURE: branch w won with a negative reply (lock held). */
void tm_cb_on_failure(struct tm_cell *t, int w);
/* TMCB_E2EACK_IN: ack may acknowledge a 2xx of an INVITE transaction of ours. */
void tm_cb_e2e_ack(struct ksr_msg *ack);
void tm_cbs_free(struct tm_cell *t);
/* Forget the TMCB_REQUEST_IN callbacks (destroy: a later mod_init registers again). */
void tm_cbs_clear(void);

#endif
