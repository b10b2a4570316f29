/*
 * What tm offers other modules (ksr_api_bind("tm")): sl's send_reply() replies through
 * it; tmx's functions and pseudo-variables read and act on tm's transactions with it;
 * acc is called on the events of a transaction (register_cb).
 */
#ifndef KSR_MODULES_TM_TM_API_H
#define KSR_MODULES_TM_TM_API_H

#include <stdbool.h>

#include "core/parser/msg-t.h"

/* t_cancel_branches(): which branches. */
enum tm_cancel_which {
	TM_CANCEL_ALL, /* every branch without a final reply */
	TM_CANCEL_OTHERS, /* all but the one the reply being processed came from */
	TM_CANCEL_THIS, /* only that one */
};

/* What identifies a transaction to the script ($T(id_index), $T(id_label)). */
struct tm_info {
	unsigned int index, label;
	unsigned int branch; /* the branch the script runs for ($T_branch_idx) */
	unsigned int code; /* the reply code it looks at ($T_reply_code) */
	bool local; /* that reply is ours (a timeout), not received */
};

/*
 * Events of a transaction another module can be called on (register_cb), as upstream's
 * TMCB_* of the same names. Callbacks run on the thread that caused the event (a worker,
 * or the timer thread for a timeout) with the transaction locked: they must not block
 * for long, nor wait for another thread that could need the same transaction.
 */
enum tm_cb_type {
	/* a new transaction (t_newtran, t_relay): registered with t NULL, in mod_init */
	TMCB_REQUEST_IN = 1 << 0,
	/* a reply went to the caller: relayed or tm's own, provisional or final */
	TMCB_RESPONSE_OUT = 1 << 1,
	/* the best reply is negative, every branch has its final one: before failure_route */
	TMCB_ON_FAILURE = 1 << 2,
	/* the first ACK to a 2xx of this INVITE went through t_relay() or t_newtran() */
	TMCB_E2EACK_IN = 1 << 3,
};

struct tm_cell; /* a transaction: opaque outside tm */

/* What a callback is told; valid during the call only. */
struct tm_cb_params {
	struct tm_cell *t; /* for register_cb in TMCB_REQUEST_IN */
	/*
	 * The request: REQUEST_IN the message that made the transaction; RESPONSE_OUT and
	 * ON_FAILURE the transaction's copy of it when it was relayed (whose flags the
	 * callback may change: failure_route sees them), else the message being answered;
	 * E2EACK_IN the ACK.
	 */
	struct ksr_msg *req;
	/*
	 * RESPONSE_OUT: the reply as it was sent, parsed. ON_FAILURE: the winning reply as
	 * received (parsed), NULL when it is tm's own (a timeout). NULL otherwise.
	 */
	struct ksr_msg *rpl;
	unsigned int code; /* RESPONSE_OUT, ON_FAILURE: of that reply; E2EACK_IN: the 2xx's */
	struct ksr_str reason; /* its reason phrase */
	struct ksr_str to_tag; /* the To tag the caller got (tm's own for its replies) */
	bool local; /* the reply is tm's own, not a callee's */
	int branch; /* the branch the reply comes from, -1 when none (a reply of the script) */
	struct ksr_str branch_uri; /* that branch's Request-URI; empty when none */
	unsigned int flags; /* the request's script flags (E2EACK_IN: the INVITE's) */
	void *param; /* as registered */
};

typedef void (*tm_cb_fn)(unsigned int type, const struct tm_cb_params *params);

struct tm_api {
	/*
	 * Reply statefully to msg when it has a transaction (t_newtran): 0 sent, -ENOENT
	 * without a transaction, other -errno on failure.
	 */
	int (*reply)(struct ksr_msg *msg, unsigned int code, struct ksr_str reason);
	/* The transaction msg is processed for (its own, or the one tm runs a route for). */
	int (*info)(struct ksr_msg *msg, struct tm_info *ret);
	/* Whether msg belongs to a transaction that exists (a retransmission, an ACK). */
	bool (*exists)(struct ksr_msg *msg);
	/* CANCEL branches of msg's transaction (in onreply_route and failure_route). -1/1. */
	int (*cancel_branches)(struct ksr_msg *msg, enum tm_cancel_which which);
	/* The script flags of msg become its transaction's (for failure_route). -1/1. */
	int (*flush_flags)(struct ksr_msg *msg);
	/*
	 * The INVITE transaction with Call-ID callid and CSeq number cseq: reply to it
	 * (code/reason), or CANCEL its branches (code 0) and set script flag `flag` (> 0) on
	 * its request. 1, or -1 when there is none.
	 */
	int (*by_callid)(struct ksr_str callid, unsigned int cseq, unsigned int code,
			 struct ksr_str reason, int flag);
	/*
	 * For $T_req() and $T_rpl() in the routes tm runs: the transaction's copy of the
	 * request (for a reply msg only, as Kamailio 5.6), and the reply the script looks
	 * at (the received one in onreply_route, the winning one in failure_route, parsed).
	 * NULL when there is none (no relayed transaction, a reply of ours).
	 */
	struct ksr_msg *(*request_of)(struct ksr_msg *msg);
	struct ksr_msg *(*reply_of)(struct ksr_msg *msg);
	/*
	 * Call fn(type, params) on the events in types (enum tm_cb_type bits) of transaction
	 * t. With t NULL, only TMCB_REQUEST_IN, for every transaction from then on: from
	 * mod_init only. With a transaction (from a TMCB_REQUEST_IN callback, params->t),
	 * the other types, for that transaction. 0, -EINVAL, or -ENOMEM.
	 */
	int (*register_cb)(struct tm_cell *t, unsigned int types, tm_cb_fn fn, void *param);
};

#endif
