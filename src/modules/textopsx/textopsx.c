/*
 * textopsx: more text operations: msg_apply_changes (edits become the message's text),
 * msg_set_buffer, change_reply_status, remove_body, keep_hf, fnmatch, and the header value
 * functions of hf_value.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "textopsx.h"

bool textopsx_hdr_is(const struct ksr_hdr *h, enum ksr_hdr_type type, struct ksr_str name)
{
	if (type != KSR_HDR_OTHER)
		return h->type == type;
	return h->type == KSR_HDR_OTHER && ksr_str_caseeq(&h->name, &name);
}

/* --- msg_apply_changes, msg_set_buffer --- */

static int w_msg_apply_changes(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const char *why = NULL;
	int r = ksr_msg_apply_changes(msg, &why);

	if (r < 0) {
		/* the old text is still in place: false, the script goes on */
		LM_ERR("cannot apply the changes: %s\n", why ? why : strerror(-r));
		return -1;
	}
	return 1;
}

static int w_msg_set_buffer(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const char *why = NULL;
	int r = ksr_msg_set_content(msg, p[0].s, &why);

	if (r < 0) {
		LM_ERR("cannot make that the message: %s\n", why ? why : strerror(-r));
		return -1;
	}
	return 1;
}

/* --- change_reply_status --- */

static bool reason_ok(struct ksr_str r)
{
	return r.len && !memchr(r.s, '\r', r.len) && !memchr(r.s, '\n', r.len);
}

static int fixup_reply_status(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 100 || p[0].i > 699)) {
		*ret_err = "the status code must be from 100 to 699";
		return -EINVAL;
	}
	if (!p[1].dynamic && !reason_ok(p[1].s)) {
		*ret_err = "the reason phrase must be one non-empty line";
		return -EINVAL;
	}
	return 0;
}

/*
 * The new code is written over the received one (three digits for three, as upstream,
 * so that $rs and later checks see it); the reason phrase is an edit.
 */
static int w_change_reply_status(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int code = (unsigned int)p[0].i, cur;
	struct ksr_str reason = p[1].s, old;
	char *status;
	int r;

	if (msg->type != KSR_MSG_REPLY || p[0].i < 100 || p[0].i > 699 || !reason_ok(reason)) {
		LM_ERR("a reply, a code from 100 to 699 and a one-line reason are needed\n");
		return -1;
	}
	cur = msg->first.rpl.code;
	if ((code < 300 || cur < 300) && code / 100 != cur / 100) {
		LM_ERR("the class of a provisional or successful reply cannot change (%u to %u)\n",
		       cur, code);
		return -1;
	}
	old = msg->first.rpl.reason;
	if (old.len == 0 && old.s[-1] != ' ') { /* "SIP/2.0 200" alone: a space first */
		reason.len = p[1].s.len + 1;
		reason.s = ksr_arena_alloc(msg->arena, reason.len);
		if (!reason.s)
			return -1;
		reason.s[0] = ' ';
		memcpy(reason.s + 1, p[1].s.s, p[1].s.len);
	}
	r = ksr_msg_replace_range(msg, old.s, old.len, reason);
	if (r < 0) {
		LM_ERR("cannot change the reason phrase: %s\n", strerror(-r));
		return -1;
	}
	status = msg->first.rpl.status.s;
	status[0] = (char)('0' + code / 100);
	status[1] = (char)('0' + code / 10 % 10);
	status[2] = (char)('0' + code % 10);
	msg->first.rpl.code = code;
	return 1;
}

/* --- remove_body, keep_hf, fnmatch --- */

static int w_remove_body(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r;

	if (msg->body.len == 0)
		return 1; /* nothing to remove */
	r = ksr_msg_set_body(msg, KSR_STR_NULL, KSR_STR_NULL);
	if (r < 0) {
		LM_ERR("cannot remove the body: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static int fixup_keep_hf(struct ksr_fparam *p, int n, const char **ret_err)
{
	regex_t *re;
	int r;

	if (n == 0 || p[0].dynamic)
		return 0;
	if ((r = ksr_fixup_regcomp(p[0].s.s, REG_EXTENDED | REG_ICASE | REG_NEWLINE, &re,
	                           ret_err)) < 0)
		return r;
	p[0].ptr = re;
	return 0;
}

/* The headers keep_hf() never removes: those that make the message what it is. */
static bool always_kept(enum ksr_hdr_type t)
{
	switch (t) {
	case KSR_HDR_VIA: case KSR_HDR_FROM: case KSR_HDR_TO: case KSR_HDR_CALLID:
	case KSR_HDR_CSEQ: case KSR_HDR_CONTENTLENGTH: case KSR_HDR_CONTENTTYPE:
	case KSR_HDR_MAXFORWARDS: case KSR_HDR_CONTACT: case KSR_HDR_ROUTE:
	case KSR_HDR_RECORDROUTE:
		return true;
	default:
		return false;
	}
}

static int keep_hf(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	regex_t tmp, *re = NULL;
	int ret = 1;

	if (p && (re = p[0].ptr) == NULL) {
		if (regcomp(&tmp, p[0].s.s, REG_EXTENDED | REG_ICASE | REG_NEWLINE) != 0) {
			LM_ERR("bad regular expression '%s'\n", p[0].s.s);
			return -1;
		}
		re = &tmp;
	}
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		regmatch_t m[1] = {{.rm_so = 0, .rm_eo = (regoff_t)h->name.len}};
		int r;

		if (always_kept(h->type) || (re && regexec(re, h->name.s, 1, m, REG_STARTEND) == 0))
			continue;
		r = ksr_msg_remove_hdr(msg, h);
		if (r < 0 && r != -EBUSY) { /* EBUSY: an earlier change removed it already */
			LM_ERR("cannot remove header %.*s: %s\n", KSR_STR_FMT(h->name),
			       strerror(-r));
			ret = -1;
			break;
		}
	}
	if (re == &tmp)
		regfree(&tmp);
	return ret;
}

static int w_keep_hf0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return keep_hf(msg, NULL);
}

static int w_keep_hf1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return keep_hf(msg, p);
}

static int w_fnmatch(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return fnmatch(p[1].s.s, p[0].s.s, 0) == 0 ? 1 : -1;
}

static int w_fnmatch3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int flags = p[2].s.len && (p[2].s.s[0] == 'i' || p[2].s.s[0] == 'I') ? FNM_CASEFOLD : 0;

	return fnmatch(p[1].s.s, p[0].s.s, flags) == 0 ? 1 : -1;
}

/* --- the export table --- */

#define ANY KSR_ROUTE_ANY
#define RQ_ON_FB (KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)
#define STR KSR_PT_STR

static const struct ksr_cmd_export cmds[] = {
	{"msg_apply_changes", w_msg_apply_changes, {KSR_PT_NONE}, NULL,
	 KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY},
	{"msg_set_buffer", w_msg_set_buffer, {STR}, NULL, KSR_ROUTE_REQUEST | KSR_ROUTE_ONREPLY},
	{"change_reply_status", w_change_reply_status, {KSR_PT_INT, STR}, fixup_reply_status,
	 KSR_ROUTE_ONREPLY},
	{"remove_body", w_remove_body, {KSR_PT_NONE}, NULL, ANY},
	{"keep_hf", w_keep_hf0, {KSR_PT_NONE}, NULL, ANY},
	{"keep_hf", w_keep_hf1, {KSR_PT_RAW}, fixup_keep_hf, ANY},
	{"fnmatch", w_fnmatch, {STR, STR}, NULL, ANY},
	{"fnmatch", w_fnmatch3, {STR, STR, STR}, NULL, ANY},
	{"append_hf_value", textopsx_append_hf_value, {STR, STR}, textopsx_fixup_append_hf_value,
	 RQ_ON_FB},
	{"insert_hf_value", textopsx_insert_hf_value, {STR, STR}, textopsx_fixup_insert_hf_value,
	 RQ_ON_FB},
	{"remove_hf_value", textopsx_remove_hf_value, {STR}, textopsx_fixup_remove_hf_value,
	 RQ_ON_FB},
	{"assign_hf_value", textopsx_assign_hf_value, {STR, STR}, textopsx_fixup_assign_hf_value,
	 RQ_ON_FB},
	{"remove_hf_value2", textopsx_remove_hf_value2, {STR}, textopsx_fixup_remove_hf_value2,
	 RQ_ON_FB},
	{"assign_hf_value2", textopsx_assign_hf_value2, {STR, STR},
	 textopsx_fixup_assign_hf_value2, RQ_ON_FB},
	{"include_hf_value", textopsx_include_hf_value, {STR, STR}, textopsx_fixup_hf_value_set,
	 RQ_ON_FB},
	{"exclude_hf_value", textopsx_exclude_hf_value, {STR, STR}, textopsx_fixup_hf_value_set,
	 RQ_ON_FB},
	{"hf_value_exists", textopsx_hf_value_exists, {STR, STR}, textopsx_fixup_hf_value_set,
	 RQ_ON_FB},
	{0},
};

KSR_MODULE(.name = "textopsx", .cmds = cmds);
