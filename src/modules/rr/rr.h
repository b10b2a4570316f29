/* The rr module's shared declarations: parameters, per-message state, each file's functions. */
#ifndef KSR_MODULES_RR_RR_H
#define KSR_MODULES_RR_RR_H

#include <stdbool.h>

#include "core/module/module-t.h"
#include "core/pv/pv-t.h"
#include "core/str.h"

struct ksr_listener;
struct ksr_msg;
struct ksr_uri;

/* Route types as upstream allows them (event routes run as request routes there). */
#define RR_REQ (KSR_ROUTE_REQUEST | KSR_ROUTE_EVENT)
#define RR_REQ_FB (RR_REQ | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)

/* --- modparams (rr.c) --- */

extern int rr_enable_full_lr;   /* ";lr=on" instead of ";lr" */
extern int rr_append_fromtag;   /* ";ftag=" with the From tag of the dialog's first request */
extern int rr_enable_double_rr; /* 0 never, 1 when the sockets differ, 2 always */
extern int rr_add_username;     /* the R-URI's user (or custom_user_avp) in our URI */
extern int rr_socket_mismatch_warning;
extern int rr_force_send_socket; /* a single Route of ours forces its socket too */
extern int rr_ignore_sips;       /* always sip:, even when the R-URI is sips: */
extern int rr_sockname_mode;     /* ";sn=NAME" in our URI, used to find the socket again */
/* Parsed from custom_user_avp at mod_init, NULL when not set. */
extern struct ksr_pv_spec *rr_custom_user;
/* ignore_user: a Route URI with this user is never ours; empty when not set. */
extern struct ksr_str rr_ignore_user;

/* --- Record-Route (record.c) --- */

int rr_w_record_route0(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_record_route1(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_record_route_preset1(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_record_route_preset2(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_record_route_adv(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_remove_record_route(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_add_rr_param(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_fixup_preset(struct ksr_fparam *p, int n, const char **ret_err);
int rr_fixup_rr_param(struct ksr_fparam *p, int n, const char **ret_err);

/*
 * The core's forward hook (core/net/forward.h): the Record-Route header(s) the script
 * asked for, built for the listener `out` the request leaves from, recorded on msg. 0,
 * or -errno.
 */
int rr_forward_hook(struct ksr_msg *msg, const struct ksr_listener *out);
/* What record_route() asked for goes with a transaction's copy of the request (tm). */
int rr_record_clone_register(void);
void rr_record_clone_unregister(void);

/* --- Route (loose.c) --- */

#define RR_FLOW_DOWNSTREAM 1 /* as the dialog's first request: caller to callee */
#define RR_FLOW_UPSTREAM 2

int rr_w_loose_route(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_loose_route_preloaded(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_loose_route_mode(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_check_route_param(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_is_direction(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_w_next_hop_route(struct ksr_msg *msg, const struct ksr_fparam *p);
int rr_fixup_loose_route_mode(struct ksr_fparam *p, int n, const char **ret_err);
int rr_fixup_check_route_param(struct ksr_fparam *p, int n, const char **ret_err);
int rr_fixup_is_direction(struct ksr_fparam *p, int n, const char **ret_err);

/*
 * loose_route() in mode vmode (0: as loose_route, 1: the R-URI is never taken for ours):
 * 1 routed by the Route set, -1 no Route or an error, -3 the only Route was ours in a
 * request outside a dialog (pre-loaded) and is gone. Once per message: a second call
 * returns the first one's result and changes nothing.
 */
int rr_loose_route(struct ksr_msg *msg, int vmode);
/* The flow of msg: RR_FLOW_UPSTREAM when the ftag of our Route is not its From tag. */
int rr_direction(struct ksr_msg *msg);
/*
 * The value of parameter `name` of our Route URI (the one loose_route() took off);
 * 0 with *ret (empty for a flag), -ENOENT when there is none.
 */
int rr_route_param(struct ksr_msg *msg, const char *name, struct ksr_str *ret);

/* The listener the URI of one of our Route/Record-Route values names, or NULL. */
struct ksr_listener *rr_uri_listener(const struct ksr_uri *u);
/* Whether the Route URI names this server: host and port, and not ignore_user. */
bool rr_uri_is_myself(const struct ksr_uri *u);

/* --- pseudo-variables (loose.c) --- */

extern const struct ksr_pv_export rr_pvs[];

#endif
