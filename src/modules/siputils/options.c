/*
 * options_reply (a stateless 200 to an OPTIONS for the server itself, with its
 * capabilities) and the Remote-Party-ID functions fed by the rpid_avp AVP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/avp.h"
#include "siputils.h"

/* --- options_reply --- */

static char *opt_lines; /* "Accept: ...\r\n...Supported: ...\r\n", built at mod_init */
static size_t opt_lines_len;

static bool one_line(const char *name, const char *v)
{
	if (v && strpbrk(v, "\r\n")) {
		LM_ERR("modparam %s cannot contain line breaks\n", name);
		return false;
	}
	return true;
}

int siputils_options_init(void)
{
	const char *acc = siputils_opt_accept ? siputils_opt_accept : "";
	const char *enc = siputils_opt_accept_encoding ? siputils_opt_accept_encoding : "";
	const char *lang = siputils_opt_accept_language ? siputils_opt_accept_language : "";
	const char *sup = siputils_opt_support ? siputils_opt_support : "";
	int n;

	if (!one_line("options_accept", acc) || !one_line("options_accept_encoding", enc) ||
	    !one_line("options_accept_language", lang) || !one_line("options_support", sup))
		return -EINVAL;
	free(opt_lines);
	/* empty values stay as empty headers: RFC 3261 allows them, upstream sends them */
	n = asprintf(
	        &opt_lines,
	        "Accept: %s\r\nAccept-Encoding: %s\r\nAccept-Language: %s\r\nSupported: %s\r\n",
	        acc, enc, lang, sup);
	if (n < 0) {
		opt_lines = NULL;
		return -ENOMEM;
	}
	opt_lines_len = (size_t)n;
	return 0;
}

void siputils_options_destroy(void)
{
	free(opt_lines);
	opt_lines = NULL;
	opt_lines_len = 0;
}

static int w_options_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (msg->first.req.method_id != KSR_METHOD_OPTIONS) {
		LM_ERR("called for a %.*s request, not OPTIONS\n",
		       KSR_STR_FMT(msg->first.req.method));
		return -1;
	}
	if (ksr_msg_cur_ruri_parsed(msg, &u) < 0 || u->user.len) {
		LM_ERR("the Request-URI has a user part or does not parse: not for this server\n");
		return -1;
	}
	if (!opt_lines) {
		LM_BUG("options_reply before mod_init\n");
		return -1;
	}
	r = ksr_reply_add_hdrs(msg, ksr_str_make(opt_lines, opt_lines_len));
	if (r < 0) {
		LM_ERR("cannot add the capability headers: %s\n", strerror(-r));
		if (ksr_reply_send(msg, 500, KSR_STR_STATIC("Server Internal Error")) < 0)
			LM_ERR("sending 500 failed too\n");
		return -1;
	}
	r = ksr_reply_send(msg, 200, KSR_STR_STATIC("OK"));
	if (r < 0) {
		LM_ERR("sending the 200 reply failed: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

/* --- Remote-Party-ID --- */

/* The RPID AVP's string value; false (logged) when disabled or not set. */
static bool rpid_value(struct ksr_msg *msg, struct ksr_str *ret)
{
	struct ksr_str name;
	struct ksr_avp *avp;

	if (!siputils_rpid_avp_name(&name)) {
		LM_ERR("modparam rpid_avp is empty: the RPID functions are disabled\n");
		return false;
	}
	avp = ksr_avp_find(msg, name, 0);
	if (!avp || avp->val.type != KSR_VAL_STR || avp->val.s.len == 0) {
		LM_DBG("no RPID value in $avp(%.*s)\n", KSR_STR_FMT(name));
		return false;
	}
	*ret = avp->val.s;
	return true;
}

static bool no_line_break(struct ksr_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.s[i] == '\r' || s.s[i] == '\n')
			return false;
	return true;
}

/* "Remote-Party-ID: " prefix value suffix, appended after the last header. */
static int append_rpid(struct ksr_msg *msg, struct ksr_str prefix, struct ksr_str suffix)
{
	static const char name[] = "Remote-Party-ID: ";
	struct ksr_str v;
	char *line, *o;
	size_t len;
	int r;

	if (!rpid_value(msg, &v))
		return -1;
	if (!no_line_break(prefix) || !no_line_break(v) || !no_line_break(suffix)) {
		LM_ERR("the Remote-Party-ID value cannot contain line breaks\n");
		return -1;
	}
	len = sizeof(name) - 1 + prefix.len + v.len + suffix.len + 2;
	line = o = ksr_arena_alloc(msg->arena, len);
	if (!line)
		return -1;
	memcpy(o, name, sizeof(name) - 1);
	o += sizeof(name) - 1;
	if (prefix.len)
		memcpy(o, prefix.s, prefix.len);
	o += prefix.len;
	memcpy(o, v.s, v.len);
	o += v.len;
	if (suffix.len)
		memcpy(o, suffix.s, suffix.len);
	o += suffix.len;
	memcpy(o, "\r\n", 2);
	r = ksr_msg_add_hdr(msg, ksr_str_make(line, len), KSR_HDR_APPEND);
	if (r < 0) {
		LM_ERR("cannot add Remote-Party-ID: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static struct ksr_str cstr(const char *s)
{
	return s ? ksr_str_make((char *)s, strlen(s)) : KSR_STR_NULL;
}

static int w_append_rpid_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_rpid(msg, cstr(siputils_rpid_prefix), cstr(siputils_rpid_suffix));
}

static int w_append_rpid_hf_ps(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return append_rpid(msg, p[0].s, p[1].s);
}

/* The user of the RPID URI (a name-addr or a bare URI; sip, sips or tel) is E.164. */
static int w_is_rpid_user_e164(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_nameaddr na;
	struct ksr_str v;
	struct ksr_uri u;

	if (!rpid_value(msg, &v))
		return -1;
	if (ksr_parse_nameaddr(v, &na) < 0 || ksr_uri_parse(na.uri, &u) < 0) {
		LM_DBG("the RPID value is not a URI: '%.*s'\n", KSR_STR_FMT(v));
		return -1;
	}
	if (u.scheme == KSR_URI_TEL)
		return siputils_is_e164(u.user) ? 1 : -1;
	if (u.scheme != KSR_URI_SIP && u.scheme != KSR_URI_SIPS)
		return -1;
	return u.passwd.s == NULL && siputils_is_e164(u.user) ? 1 : -1;
}

const struct ksr_cmd_export siputils_misc_cmds[] = {
        {"options_reply", w_options_reply, {KSR_PT_NONE}, NULL, SU_REQ},
        {"append_rpid_hf", w_append_rpid_hf, {KSR_PT_NONE}, NULL, SU_REQ_FB},
        {"append_rpid_hf", w_append_rpid_hf_ps, {KSR_PT_STR, KSR_PT_STR}, NULL, SU_REQ_FB},
        {"is_rpid_user_e164", w_is_rpid_user_e164, {KSR_PT_NONE}, NULL, SU_REQ},
        {0},
};
