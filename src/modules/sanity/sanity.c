/*
 * The sanity module: sanity_check() runs the checks of checks.c on a message and answers a
 * failed one as upstream does; sanity_reply() sends that answer later (modparam noreply).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/module/module.h"
#include "core/msg/mdata.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "sanity.h"

static int default_checks = SANITY_DEFAULT_CHECKS;
static int default_uri_checks = SANITY_DEFAULT_URI_CHECKS;
static char *proxy_require = "";
static int autodrop = 1;
static int noreply = 0;

/* --- parameters --- */

/* An integer from the config, given as a number or as a numeric string. */
static int int_value(const struct ksr_fparam *val, long *ret)
{
	char *end;

	if (val->type != KSR_PT_STR) {
		*ret = val->i;
		return 0;
	}
	errno = 0;
	*ret = strtol(val->s.s, &end, 10);
	return errno || end == val->s.s || *end ? -EINVAL : 0;
}

static int set_default_checks(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (int_value(val, &v) < 0 || v < 1 || v > SANITY_MAX_CHECKS) {
		*ret_err = "default_checks must be from 1 to 32767";
		return -EINVAL;
	}
	default_checks = (int)v;
	return 0;
}

static int set_uri_checks(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (int_value(val, &v) < 0 || v < 1 || v > SANITY_MAX_URI_CHECKS) {
		*ret_err = "uri_checks must be from 1 to 15";
		return -EINVAL;
	}
	default_uri_checks = (int)v;
	return 0;
}

/* --- the answer of the last failed check, for sanity_reply() --- */

/* Kept on the message (core/msg/mdata.h): written by sanity_check(), read by sanity_reply(). */
static const char pending_key = 0;

struct pending {
	bool set; /* false: a later sanity_check() of the message passed */
	struct sanity_fail fail;
};

static void pending_set(struct ksr_msg *msg, const struct sanity_fail *f)
{
	struct pending p = {.set = f != NULL};

	if (f)
		p.fail = *f;
	if (ksr_msg_data_set(msg, &pending_key, &p, sizeof(p), NULL) < 0)
		LM_ERR("out of memory: sanity_reply() will not know this check's result\n");
}

static const struct sanity_fail *pending_get(const struct ksr_msg *msg)
{
	const struct pending *p = ksr_msg_data_get(msg, &pending_key);

	return p && p->set ? &p->fail : NULL;
}

/* --- the functions --- */

/* Requests other than ACK get replies; replies and ACKs never do (as upstream). */
static bool answerable(const struct ksr_msg *msg)
{
	return msg->type == KSR_MSG_REQUEST && msg->first.req.method_id != KSR_METHOD_ACK;
}

static int send_reply(struct ksr_msg *msg, unsigned int code, const char *reason)
{
	int r = ksr_reply_send(msg, code, ksr_str_make((char *)reason, strlen(reason)));

	if (r < 0)
		LM_ERR("sending %u %s failed: %s\n", code, reason, strerror(-r));
	return r;
}

static void log_failure(const struct ksr_msg *msg, const struct sanity_fail *f)
{
	char src[80];

	LM_INFO("%s from %s failed a sanity check: %s%s\n",
	        msg->type == KSR_MSG_REQUEST ? "request" : "reply",
	        ksr_sockaddr_str((const struct sockaddr *)&msg->rcv.src, src, sizeof(src)), f->why,
	        f->code && answerable(msg) && !noreply ? ", answered" : "");
}

/* Upstream's result: 1 passed; failed: 0 with autodrop (the script stops), else -1. */
static int do_check(struct ksr_msg *msg, long checks, long uri_checks)
{
	struct sanity_fail f;
	int r;

	if (checks < 1 || checks > SANITY_MAX_CHECKS) {
		LM_ERR("the checks must be from 1 to %d, not %ld\n", SANITY_MAX_CHECKS, checks);
		return -1;
	}
	if (uri_checks < 1 || uri_checks > SANITY_MAX_URI_CHECKS) {
		LM_ERR("the URI checks must be from 1 to %d, not %ld\n", SANITY_MAX_URI_CHECKS,
		       uri_checks);
		return -1;
	}
	if (noreply && pending_get(msg))
		pending_set(msg, NULL);
	r = sanity_run(msg, (unsigned int)checks, (unsigned int)uri_checks, &f);
	if (r < 0) {
		LM_ERR("the sanity checks could not run: %s\n", strerror(-r));
		return -1;
	}
	if (r > 0)
		return 1;
	log_failure(msg, &f);
	if (noreply)
		pending_set(msg, &f);
	else if (f.code && answerable(msg))
		send_reply(msg, f.code, f.reason);
	return autodrop ? 0 : -1;
}

static int w_check0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return do_check(msg, default_checks, default_uri_checks);
}

static int w_check1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return do_check(msg, p[0].i, default_uri_checks);
}

static int w_check2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return do_check(msg, p[0].i, p[1].i);
}

/* Constants out of range can never work: refused at load (upstream fails every call). */
static int fixup_check(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 1 || p[0].i > SANITY_MAX_CHECKS)) {
		*ret_err = "the checks must be from 1 to 32767";
		return -EINVAL;
	}
	if (n > 1 && !p[1].dynamic && (p[1].i < 1 || p[1].i > SANITY_MAX_URI_CHECKS)) {
		*ret_err = "the URI checks must be from 1 to 15";
		return -EINVAL;
	}
	return 0;
}

/*
 * With noreply: send what the last sanity_check() on this message would have sent;
 * 500 Server Sanity Failure when there is nothing to send (it passed, it was not run, or
 * its failure has no reply of its own). Nothing for a failure upstream never answers.
 */
static int w_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct sanity_fail *f;

	if (!answerable(msg) || !noreply)
		return 1;
	f = pending_get(msg);
	if (f && f->silent)
		return 1;
	if (!f || !f->code) {
		LM_INFO("no sanity reply to send: sending 500\n");
		return send_reply(msg, 500, "Server Sanity Failure") < 0 ? -1 : 1;
	}
	return send_reply(msg, f->code, f->reason) < 0 ? -1 : 1;
}

static int mod_init(void)
{
	return sanity_proxy_require_set(proxy_require);
}

static void destroy(void)
{
	sanity_proxy_require_free();
}

#define SANITY_ROUTES (KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY)

static const struct ksr_cmd_export cmds[] = {
        {"sanity_check", w_check0, {KSR_PT_NONE}, NULL, SANITY_ROUTES},
        {"sanity_check", w_check1, {KSR_PT_INT}, fixup_check, SANITY_ROUTES},
        {"sanity_check", w_check2, {KSR_PT_INT, KSR_PT_INT}, fixup_check, SANITY_ROUTES},
        {"sanity_reply", w_reply, {KSR_PT_NONE}, NULL, SANITY_ROUTES},
        {0},
};

static const struct ksr_param_export params[] = {
        {.name = "default_checks", .type = KSR_MP_FUNC, .set = set_default_checks},
        {.name = "uri_checks", .type = KSR_MP_FUNC, .set = set_uri_checks},
        {.name = "proxy_require", .type = KSR_MP_STR, .target = &proxy_require},
        {.name = "autodrop", .type = KSR_MP_INT, .target = &autodrop},
        {.name = "noreply", .type = KSR_MP_INT, .target = &noreply},
        {0},
};

KSR_MODULE(.name = "sanity", .cmds = cmds, .params = params, .mod_init = mod_init,
           .destroy = destroy);
