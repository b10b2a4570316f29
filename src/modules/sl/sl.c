/* sl: stateless replies from the routing script. */
#include <errno.h>

#include "core/log.h"
#include "core/module/module.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"

static const char *const bad_code = "the reply code must be from 100 to 699";
static const char *const bad_reason = "the reason phrase cannot contain line breaks";

/* code in 100..699 and a reason phrase without line breaks (RFC 3261 25.1). */
static const char *check_reply(long code, struct ksr_str reason)
{
	if (code < 100 || code > 699)
		return bad_code;
	for (size_t i = 0; i < reason.len; i++)
		if (reason.s[i] == '\r' || reason.s[i] == '\n')
			return bad_reason;
	return NULL;
}

/* Constant parameters are checked once here; values of pseudo-variables on each call. */
static int fixup_reply(struct ksr_fparam *p, int n, const char **ret_err)
{
	const char *why = check_reply(p[0].dynamic ? 200 : p[0].i,
				      p[1].dynamic ? KSR_STR_NULL : p[1].s);

	if (why) {
		*ret_err = why;
		return -EINVAL;
	}
	return 0;
}

static int w_sl_send_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	/* ACK is never answered (RFC 3261 17.2.1, 17.2.2) */
	if (msg->first.req.method_id == KSR_METHOD_ACK) {
		LM_DBG("not replying to ACK\n");
		return -1;
	}
	if (p[0].dynamic || p[1].dynamic) {
		/* a value from the message must not add header lines to the reply */
		const char *why = check_reply(p[0].i, p[1].s);

		if (why) {
			LM_ERR("not replying: %s (code %ld)\n", why, p[0].i);
			return -1;
		}
	}
	r = ksr_reply_send(msg, (unsigned int)p[0].i, p[1].s);
	if (r < 0) {
		LM_ERR("sending %ld reply failed: %s\n", p[0].i, strerror(-r));
		return -1;
	}
	return 1;
}

static const struct ksr_cmd_export cmds[] = {
	{.name = "sl_send_reply",
	 .func = w_sl_send_reply,
	 .params = {KSR_PT_INT, KSR_PT_STR},
	 .fixup = fixup_reply,
	 .route_types = KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH},
	{0},
};

KSR_MODULE(.name = "sl", .cmds = cmds);
