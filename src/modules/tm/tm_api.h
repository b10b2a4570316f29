/*
 * What tm offers other modules (ksr_api_bind("tm")): sl's send_reply() replies through
 * it; tmx's functions and pseudo-variables read and act on tm's transactions with it.
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
};

#endif
