/*
 * Checks on the message itself: request or reply, To tag, first hop, GRUU, Supported
 * option tags, Date freshness.
 */
#include <errno.h>
#include <time.h>

#include "core/log.h"
#include "core/net/listener.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "siputils.h"

static int w_is_request(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return msg->type == KSR_MSG_REQUEST ? 1 : -1;
}

static int w_is_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return msg->type == KSR_MSG_REPLY ? 1 : -1;
}

static int w_has_totag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_nameaddr *to;

	if (ksr_msg_to(msg, &to) < 0) {
		LM_DBG("no To header that parses\n");
		return -1;
	}
	return to->has_tag && to->tag.len ? 1 : -1;
}

/*
 * A request came straight from its sender when it has one Via value. For a reply, the
 * top Record-Route (ours, when we record-routed) must be one of our addresses: mode 0
 * wants an IP address there, mode 1 also takes a name of ours (an alias). A reply without
 * Record-Route counts as first hop, as upstream's does.
 */
static int first_hop(struct ksr_msg *msg, long mode)
{
	struct ksr_addr *rr;
	struct ksr_via *via;
	struct ksr_uri u;
	int r;

	if (msg->type == KSR_MSG_REQUEST) {
		if (ksr_msg_vias(msg, &via) < 0)
			return -1;
		return via->next_all ? -1 : 1;
	}
	r = ksr_msg_record_routes(msg, &rr);
	if (r == -ENOENT)
		return 1;
	if (r < 0 || ksr_uri_parse(rr->uri, &u) < 0)
		return -1;
	if (u.scheme != KSR_URI_SIP && u.scheme != KSR_URI_SIPS)
		return -1;
	if (mode == 0 && u.host_type == KSR_HOST_NAME)
		return -1;
	return ksr_listener_is_local(u.host, u.port) ? 1 : -1;
}

static int w_is_first_hop(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return first_hop(msg, 0);
}

static int w_is_first_hop_mode(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return first_hop(msg, p[0].i);
}

/* 1 for a public GRUU (gr=value), 2 for a temporary one (gr alone), -1 for none. */
static int gruu_kind(const struct ksr_uri *u)
{
	if (!u->has_gr)
		return -1;
	return u->gr.len ? 1 : 2;
}

static int w_is_gruu(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u;

	if (ksr_msg_cur_ruri_parsed(msg, &u) < 0)
		return -1;
	return gruu_kind(u);
}

static int w_is_gruu_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri u;

	if (ksr_uri_parse(p[0].s, &u) < 0) {
		LM_DBG("not a URI: '%.*s'\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return gruu_kind(&u);
}

/* The option tags upstream knows; any other is refused when the config loads. */
static const struct {
	const char *name;
	unsigned int bit;
} options[] = {
        {"path", KSR_OPT_PATH},   {"100rel", KSR_OPT_100REL},
        {"timer", KSR_OPT_TIMER}, {"eventlist", KSR_OPT_EVENTLIST},
        {"gruu", KSR_OPT_GRUU},   {"outbound", KSR_OPT_OUTBOUND},
};

static int fixup_option(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[0].dynamic) {
		*ret_err = "the option must be a constant";
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (ksr_str_caseeq_cstr(&p[0].s, options[i].name)) {
			p[0].i = (long)options[i].bit;
			return 0;
		}
	*ret_err = "unknown option (known: path, 100rel, timer, eventlist, gruu, outbound)";
	return -EINVAL;
}

static int w_is_supported(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_token *list;

	if (ksr_msg_tokens(msg, KSR_HDR_SUPPORTED, &list) < 0)
		return -1;
	return ksr_option_tags(list) & (unsigned int)p[0].i ? 1 : -1;
}

/* True when the Date header is not older than tdiff seconds (upstream: -1 without one). */
static int w_hdr_date_check(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	time_t date, now = time(NULL);
	int r = ksr_msg_date(msg, &date);

	if (r < 0) {
		LM_DBG("%s Date header\n", r == -ENOENT ? "no" : "a malformed");
		return -1;
	}
	if ((long long)date + p[0].i < (long long)now) {
		LM_DBG("Date is %lld s old, more than %ld\n", (long long)(now - date), p[0].i);
		return -1;
	}
	return 1;
}

const struct ksr_cmd_export siputils_msg_cmds[] = {
        {"is_request", w_is_request, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"is_reply", w_is_reply, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"has_totag", w_has_totag, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"is_first_hop", w_is_first_hop, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"is_first_hop", w_is_first_hop_mode, {KSR_PT_INT}, NULL, KSR_ROUTE_ANY},
        {"is_gruu", w_is_gruu, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"is_gruu", w_is_gruu_uri, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"is_supported", w_is_supported, {KSR_PT_STR}, fixup_option, KSR_ROUTE_ANY},
        {"hdr_date_check", w_hdr_date_check, {KSR_PT_INT}, NULL, KSR_ROUTE_ANY},
        {0},
};
