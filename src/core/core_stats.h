/*
 * The core's statistics, with upstream's names in group `core`: what was received
 * (rcv_requests, rcv_replies_4xx_invite, ...), refused at receipt (err_requests,
 * bad_msg_hdr, ...) and relayed statelessly (fwd_requests, fwd_replies, drop_replies).
 */
#ifndef KSR_CORE_CORE_STATS_H
#define KSR_CORE_CORE_STATS_H

#include "core/msg/check.h"
#include "core/parser/msg-t.h"

/* Register them, once, while the daemon starts. 0 or -ENOMEM. */
int ksr_core_stats_register(void);

/* A message the receive checks accepted: rcv_requests/rcv_replies and their breakdowns. */
void ksr_core_stats_received(struct ksr_msg *msg);
/* A message they refused (chk says why): err_requests/err_replies, bad_*. */
void ksr_core_stats_refused(const struct ksr_msg *msg, const struct ksr_msg_check *chk);

enum ksr_core_stat {
	KSR_STAT_FWD_REQUESTS, /* requests forwarded statelessly */
	KSR_STAT_FWD_REPLIES,  /* replies relayed statelessly */
	KSR_STAT_DROP_REPLIES, /* replies dropped by reply_route */
	KSR_STAT_COUNT
};

void ksr_core_stat_inc(enum ksr_core_stat which);

#endif
