/* tm's script functions and pseudo-variables of t_script.c, for the export table in tm.c. */
#ifndef KSR_MODULES_TM_T_SCRIPT_H
#define KSR_MODULES_TM_T_SCRIPT_H

#include "core/module/module-t.h"

int w_t_relay(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_relay2(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_relay_to_udp(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_relay_to_udp2(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_relay_to_tcp(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_relay_to_tcp2(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_replicate0(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_replicate1(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_replicate2(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_replicate_udp(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_replicate_tcp(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_save_lumps(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_on_failure(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_on_reply(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_on_branch(struct ksr_msg *msg, const struct ksr_fparam *p);
int fixup_t_on_failure(struct ksr_fparam *p, int n, const char **ret_err);
int fixup_t_on_reply(struct ksr_fparam *p, int n, const char **ret_err);
int fixup_t_on_branch(struct ksr_fparam *p, int n, const char **ret_err);
int w_t_set_fr1(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_set_fr2(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_reset_fr(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_check_status(struct ksr_msg *msg, const struct ksr_fparam *p);
int fixup_t_check_status(struct ksr_fparam *p, int n, const char **ret_err);
int w_t_is_canceled(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_is_expired(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_any_timeout(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_any_replied(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_branch_timeout(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_branch_replied(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_is_set(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_drop_replies0(struct ksr_msg *msg, const struct ksr_fparam *p);
int w_t_drop_replies1(struct ksr_msg *msg, const struct ksr_fparam *p);
int fixup_t_drop_replies(struct ksr_fparam *p, int n, const char **ret_err);
int fixup_t_is_set(struct ksr_fparam *p, int n, const char **ret_err);

#include "tm_api.h"

int tm_api_info(struct ksr_msg *msg, struct tm_info *ret);
bool tm_api_exists(struct ksr_msg *msg);
int tm_api_cancel_branches(struct ksr_msg *msg, enum tm_cancel_which which);
int tm_api_flush_flags(struct ksr_msg *msg);
int tm_api_by_callid(struct ksr_str callid, unsigned int cseq, unsigned int code,
		     struct ksr_str reason, int flag);
struct ksr_msg *tm_api_request_of(struct ksr_msg *msg);
struct ksr_msg *tm_api_reply_of(struct ksr_msg *msg);

#endif
