/*
 * The Request-URI's parameters (uri_param, add_uri_param, get_uri_param, uri_param_rm),
 * tel: to sip: (tel2sip), and the user or host of a URI held in a variable.
 */
#include <ctype.h>
#include <errno.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "siputils.h"

/* Cut the next ';'-separated parameter off *rest: 1 with name and value, 0 at the end. */
static int next_param(struct ksr_str *rest, struct ksr_str *ret_whole, struct ksr_str *ret_name,
                      struct ksr_str *ret_value)
{
	char *semi, *eq;
	struct ksr_str w;

	if (rest->len == 0 || !rest->s)
		return 0;
	semi = memchr(rest->s, ';', rest->len);
	w = ksr_str_make(rest->s, semi ? (size_t)(semi - rest->s) : rest->len);
	if (semi) {
		rest->len -= w.len + 1;
		rest->s = semi + 1;
	} else {
		rest->s += rest->len;
		rest->len = 0;
	}
	eq = w.len ? memchr(w.s, '=', w.len) : NULL;
	*ret_whole = w;
	*ret_name = ksr_str_make(w.s, eq ? (size_t)(eq - w.s) : w.len);
	*ret_value = eq ? ksr_str_make(eq + 1, (size_t)(ksr_str_end(w) - eq - 1)) : KSR_STR_NULL;
	return 1;
}

int siputils_uri_param_nth(struct ksr_str params, struct ksr_str name, unsigned int n,
                           struct ksr_str *ret_value)
{
	struct ksr_str rest = params, whole, pname, pvalue;

	while (next_param(&rest, &whole, &pname, &pvalue))
		if (ksr_str_caseeq(&pname, &name) && n-- == 0) {
			*ret_value = pvalue;
			return 1;
		}
	return 0;
}

/* The current Request-URI, parsed; NULL for replies and R-URIs that do not parse. */
static struct ksr_uri *cur_ruri(struct ksr_msg *msg)
{
	struct ksr_uri *u;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return NULL;
	r = ksr_msg_cur_ruri_parsed(msg, &u);
	if (r < 0) {
		LM_DBG("the Request-URI does not parse (%d)\n", r);
		return NULL;
	}
	return u;
}

/* uri_param(name[, value]): some parameter name has exactly value (empty: no value). */
static int uri_param(struct ksr_msg *msg, struct ksr_str name, struct ksr_str value)
{
	struct ksr_uri *u = cur_ruri(msg);
	struct ksr_str v;

	if (!u)
		return -1;
	for (unsigned int i = 0; siputils_uri_param_nth(u->params, name, i, &v) == 1; i++)
		if (v.len == value.len && (v.len == 0 || memcmp(v.s, value.s, v.len) == 0))
			return 1;
	return -1;
}

static int w_uri_param(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return uri_param(msg, p[0].s, KSR_STR_NULL);
}

static int w_uri_param_value(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return uri_param(msg, p[0].s, p[1].s);
}

static int w_uri_param_any(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u = cur_ruri(msg);
	struct ksr_str v;

	if (!u)
		return -1;
	return siputils_uri_param_nth(u->params, p[0].s, 0, &v) == 1 ? 1 : -1;
}

static int fixup_get_uri_param(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[1], true, ret_err);
}

static int w_get_uri_param(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u = cur_ruri(msg);
	struct ksr_str v;

	if (!u || siputils_uri_param_nth(u->params, p[0].s, 0, &v) != 1)
		return -1;
	if (siputils_pv_set_str(msg, &p[1], v.len ? v : KSR_STR_STATIC("")) < 0) {
		LM_ERR("cannot assign the value of URI parameter '%.*s'\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return 1;
}

/* Where the parameters of a URI end: before its headers ('?') or at its end. */
static char *params_end(struct ksr_str text, const struct ksr_uri *u)
{
	if (u->headers.s)
		return u->headers.s - 1;
	return ksr_str_end(text);
}

/* Set the Request-URI to text, which must parse. 1, or -1 logged. */
static int set_ruri(struct ksr_msg *msg, struct ksr_str text, const char *what)
{
	struct ksr_uri check;
	int r;

	if (ksr_uri_parse(text, &check) < 0) {
		LM_ERR("%s: the new Request-URI would not parse: '%.*s'\n", what,
		       KSR_STR_FMT(text));
		return -1;
	}
	r = ksr_msg_set_ruri(msg, text);
	if (r < 0) {
		LM_ERR("%s: cannot set the Request-URI: %s\n", what, strerror(-r));
		return -1;
	}
	return 1;
}

static int w_add_uri_param(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u = cur_ruri(msg);
	struct ksr_str cur, param = p[0].s;
	char *at, *buf, *o;
	bool semi;

	if (param.len == 0)
		return 1; /* nothing to add, as upstream */
	if (!u)
		return -1;
	if (u->scheme != KSR_URI_SIP && u->scheme != KSR_URI_SIPS && u->scheme != KSR_URI_TEL)
		return -1;
	cur = ksr_msg_cur_ruri(msg);
	at = params_end(cur, u);
	/* "sip:h;" has an empty last parameter already: do not add a second ';' */
	semi = !(at > cur.s && at[-1] == ';');
	buf = ksr_arena_alloc(msg->arena, cur.len + 1 + param.len);
	if (!buf)
		return -1;
	o = buf;
	memcpy(o, cur.s, (size_t)(at - cur.s));
	o += at - cur.s;
	if (semi)
		*o++ = ';';
	memcpy(o, param.s, param.len);
	o += param.len;
	memcpy(o, at, (size_t)(ksr_str_end(cur) - at));
	o += ksr_str_end(cur) - at;
	return set_ruri(msg, ksr_str_make(buf, (size_t)(o - buf)), "add_uri_param");
}

int siputils_uri_param_rm(struct ksr_str text, const struct ksr_uri *u, struct ksr_str name,
                          struct ksr_arena *arena, struct ksr_str *ret_text)
{
	struct ksr_str rest, whole, pname, pvalue;
	char *buf, *o, *pend;
	bool removed = false;

	if (name.len == 0 || u->params.len == 0)
		return 0;
	pend = ksr_str_end(u->params);
	buf = ksr_arena_alloc(arena, text.len);
	if (!buf)
		return -ENOMEM;
	/* the text up to the parameters, without the ';' that starts them */
	o = buf;
	memcpy(o, text.s, (size_t)(u->params.s - 1 - text.s));
	o += u->params.s - 1 - text.s;
	rest = u->params;
	while (next_param(&rest, &whole, &pname, &pvalue)) {
		if (ksr_str_caseeq(&pname, &name)) {
			removed = true;
			continue;
		}
		*o++ = ';';
		memcpy(o, whole.s, whole.len);
		o += whole.len;
	}
	if (!removed)
		return 0;
	memcpy(o, pend, (size_t)(ksr_str_end(text) - pend));
	o += ksr_str_end(text) - pend;
	*ret_text = ksr_str_make(buf, (size_t)(o - buf));
	return 1;
}

/* Every parameter named name goes; true when the URI has none to remove, as upstream. */
static int w_uri_param_rm(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri *u = cur_ruri(msg);
	struct ksr_str text;
	int r;

	if (!u)
		return -1;
	r = siputils_uri_param_rm(ksr_msg_cur_ruri(msg), u, p[0].s, msg->arena, &text);
	if (r < 0)
		return -1;
	return r == 0 ? 1 : set_ruri(msg, text, "uri_param_rm");
}

/* --- tel2sip --- */

int siputils_tel2sip(struct ksr_str tel, struct ksr_str host, struct ksr_arena *arena,
                     struct ksr_str *ret_sip)
{
	static const char user_phone[] = ";user=phone";
	struct ksr_uri u, check;
	struct ksr_str num, params;
	char *buf, *o, *semi;

	if (tel.len < 4 || strncasecmp(tel.s, "tel:", 4) != 0)
		return 2;
	if (ksr_uri_parse(tel, &u) < 0 || u.scheme != KSR_URI_TEL) {
		LM_DBG("not a tel URI: '%.*s'\n", KSR_STR_FMT(tel));
		return -1;
	}
	if (host.len == 0)
		return -1;
	num = ksr_str_make(tel.s + 4, tel.len - 4);
	semi = memchr(num.s, ';', num.len);
	params = semi ? ksr_str_make(semi, (size_t)(ksr_str_end(num) - semi)) : KSR_STR_NULL;
	if (semi)
		num.len = (size_t)(semi - num.s);
	buf = ksr_arena_alloc(arena, 4 + num.len + params.len + 1 + host.len + sizeof(user_phone));
	if (!buf)
		return -ENOMEM;
	o = buf;
	memcpy(o, "sip:", 4);
	o += 4;
	/* RFC 3261 19.1.6: visual separators go, the parameters become lowercase */
	for (size_t i = 0; i < num.len; i++)
		if (!strchr("-.()", num.s[i]))
			*o++ = num.s[i];
	if (o == buf + 4)
		return -1;
	for (size_t i = 0; i < params.len; i++)
		*o++ = (char)tolower((unsigned char)params.s[i]);
	*o++ = '@';
	memcpy(o, host.s, host.len);
	o += host.len;
	memcpy(o, user_phone, sizeof(user_phone) - 1);
	o += sizeof(user_phone) - 1;
	*ret_sip = ksr_str_make(buf, (size_t)(o - buf));
	if (ksr_uri_parse(*ret_sip, &check) < 0 || check.scheme != KSR_URI_SIP) {
		LM_DBG("tel2sip result does not parse: '%.*s'\n", KSR_STR_FMT(*ret_sip));
		return -1;
	}
	return 1;
}

static int fixup_tel2sip(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[2], true, ret_err);
}

static int w_tel2sip(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str sip;
	int r = siputils_tel2sip(p[0].s, p[1].s, msg->arena, &sip);

	if (r != 1)
		return r < 0 ? -1 : r;
	if (siputils_pv_set_str(msg, &p[2], sip) < 0) {
		LM_ERR("cannot assign the SIP URI '%.*s'\n", KSR_STR_FMT(sip));
		return -1;
	}
	return 1;
}

/* --- set_uri_user, set_uri_host --- */

static int fixup_set_uri(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[0], true, ret_err);
}

/* Read the URI in the variable of p[0]: a sip or sips URI, parsed into u. */
static int var_uri(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str *ret_text,
                   struct ksr_uri *u)
{
	if (siputils_pv_get_str(msg, &p[0], ret_text) < 0)
		return -1;
	if (ksr_uri_parse(*ret_text, u) < 0 ||
	    (u->scheme != KSR_URI_SIP && u->scheme != KSR_URI_SIPS)) {
		LM_ERR("not a SIP URI: '%.*s'\n", KSR_STR_FMT(*ret_text));
		return -1;
	}
	return 0;
}

/* Store text in the variable of p[0] when it parses. */
static int var_set_uri(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str text)
{
	struct ksr_uri check;

	if (ksr_uri_parse(text, &check) < 0) {
		LM_ERR("the new URI would not parse: '%.*s'\n", KSR_STR_FMT(text));
		return -1;
	}
	return siputils_pv_set_str(msg, &p[0], text) < 0 ? -1 : 1;
}

/* The user (and any password) replaced; an empty user removes "user[:password]@". */
static int w_set_uri_user(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str text, user = p[1].s;
	struct ksr_uri u;
	size_t head, tail;
	char *buf, *o;

	if (var_uri(msg, p, &text, &u) < 0)
		return -1;
	head = u.scheme_str.len + 1; /* "sip:" */
	tail = (size_t)(ksr_str_end(text) - u.host.s);
	buf = ksr_arena_alloc(msg->arena, head + user.len + 1 + tail);
	if (!buf)
		return -1;
	o = buf;
	memcpy(o, text.s, head);
	o += head;
	if (user.len) {
		memcpy(o, user.s, user.len);
		o += user.len;
		*o++ = '@';
	}
	memcpy(o, u.host.s, tail);
	o += tail;
	return var_set_uri(msg, p, ksr_str_make(buf, (size_t)(o - buf)));
}

static int w_set_uri_host(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str text, host = p[1].s;
	struct ksr_uri u;
	size_t head, tail;
	char *buf, *o;

	if (host.len == 0) {
		LM_ERR("the host of a URI cannot be empty\n");
		return -1;
	}
	if (var_uri(msg, p, &text, &u) < 0)
		return -1;
	head = (size_t)(u.host.s - text.s);
	tail = (size_t)(ksr_str_end(text) - ksr_str_end(u.host));
	buf = ksr_arena_alloc(msg->arena, head + host.len + tail);
	if (!buf)
		return -1;
	o = buf;
	memcpy(o, text.s, head);
	o += head;
	memcpy(o, host.s, host.len);
	o += host.len;
	memcpy(o, ksr_str_end(u.host), tail);
	o += tail;
	return var_set_uri(msg, p, ksr_str_make(buf, (size_t)(o - buf)));
}

const struct ksr_cmd_export siputils_uri_cmds[] = {
        {"uri_param", w_uri_param, {KSR_PT_STR}, NULL, SU_REQ_FB},
        {"uri_param", w_uri_param_value, {KSR_PT_STR, KSR_PT_STR}, NULL, SU_REQ_FB},
        {"uri_param_any", w_uri_param_any, {KSR_PT_STR}, NULL, SU_REQ_FB},
        {"get_uri_param", w_get_uri_param, {KSR_PT_STR, KSR_PT_RAW}, fixup_get_uri_param, SU_REQ},
        {"add_uri_param", w_add_uri_param, {KSR_PT_STR}, NULL, SU_REQ},
        {"uri_param_rm", w_uri_param_rm, {KSR_PT_STR}, NULL, SU_REQ_FB},
        {"tel2sip",
         w_tel2sip,
         {KSR_PT_STR, KSR_PT_STR, KSR_PT_RAW},
         fixup_tel2sip,
         SU_REQ_FB | KSR_ROUTE_ONREPLY},
        {"set_uri_user", w_set_uri_user, {KSR_PT_RAW, KSR_PT_STR}, fixup_set_uri, KSR_ROUTE_ANY},
        {"set_uri_host", w_set_uri_host, {KSR_PT_RAW, KSR_PT_STR}, fixup_set_uri, KSR_ROUTE_ANY},
        {0},
};
