/*
 * What every registrar function shares: addresses of record from URIs, the errors and
 * their replies, and the xavp_cfg / xavp_rcd variables.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/uri.h"
#include "core/pv/avp.h"
#include "registrar.h"

/* Upstream's replies and P-Registrar-Error texts, so that clients and tests see the same. */
static const struct {
	unsigned short code;
	const char *text;
} errors[R_COUNT] = {
        [R_FINE] = {200, "No problem"},
        [R_UL_DEL_R] = {500, "usrloc_record_delete failed"},
        [R_UL_GET_R] = {500, "usrloc_record_get failed"},
        [R_UL_NEW_R] = {500, "usrloc_record_new failed"},
        [R_INV_CSEQ] = {400, "Invalid CSeq number"},
        [R_UL_INS_C] = {500, "usrloc_contact_insert failed"},
        [R_UL_INS_R] = {500, "usrloc_record_insert failed"},
        [R_UL_DEL_C] = {500, "usrloc_contact_delete failed"},
        [R_UL_UPD_C] = {500, "usrloc_contact_update failed"},
        [R_TO_USER] = {400, "No username in To URI"},
        [R_AOR_LEN] = {500, "Address Of Record too long"},
        [R_AOR_PARSE] = {400, "Error while parsing AOR"},
        [R_INV_EXP] = {400, "Invalid expires param in contact"},
        [R_INV_Q] = {400, "Invalid q param in contact"},
        [R_PARSE] = {400, "Message parse error"},
        [R_TO_MISS] = {400, "To header not found"},
        [R_CID_MISS] = {400, "Call-ID header not found"},
        [R_CS_MISS] = {400, "CSeq header not found"},
        [R_PARSE_EXP] = {400, "Expires parse error"},
        [R_PARSE_CONT] = {400, "Contact parse error"},
        [R_STAR_EXP] = {400, "* used in contact and expires is not zero"},
        [R_STAR_CONT] = {400, "* used in contact and more than 1 contact"},
        [R_OOO] = {200, "Out of order request"},
        [R_RETRANS] = {200, "Retransmission"},
        [R_UNESCAPE] = {400, "Error while unescaping username"},
        [R_TOO_MANY] = {503, "Too many registered contacts"},
        [R_CONTACT_LEN] = {400, "Contact/received too long"},
        [R_CALLID_LEN] = {400, "Callid too long"},
        [R_PARSE_PATH] = {400, "Path parse error"},
        [R_PATH_UNSUP] = {420, "No support for found Path indicated"},
        [R_OB_UNSUP] = {421, "No support for Outbound indicated"},
        [R_OB_REQD] = {420, "No support for Outbound on server"},
        [R_OB_UNSUP_EDGE] = {439, "No support for Outbound on edge proxy"},
        [R_INV_REGID] = {400, "Invalid Reg-Id number"},
        [R_LOW_EXP] = {423, "Interval too brief"},
};

unsigned int registrar_error_code(enum reg_error e)
{
	return e < R_COUNT ? errors[e].code : 500;
}

const char *registrar_error_text(enum reg_error e)
{
	return e < R_COUNT ? errors[e].text : "Server Internal Error";
}

const char *registrar_reason(unsigned int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 423: return "Interval Too Brief";
	case 439: return "First Hop Lacks Outbound Support";
	case 503: return "Service Unavailable";
	default: return "Server Internal Error";
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int registrar_aor(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str *ret_aor)
{
	struct ksr_uri u;
	struct ksr_str host;
	char *buf;
	size_t n = 0, plen;

	if (ksr_uri_parse(uri, &u) < 0) {
		LM_ERR("cannot parse the AoR URI '%.*s'\n", KSR_STR_FMT(uri));
		return -R_AOR_PARSE;
	}
	host = u.host;
	plen = reg_realm_prefix ? strlen(reg_realm_prefix) : 0;
	if (plen && host.len > plen && strncasecmp(host.s, reg_realm_prefix, plen) == 0) {
		host.s += plen;
		host.len -= plen;
	}
	if (u.user.len + 1 + host.len >= REG_MAX_AOR_LEN) {
		LM_ERR("the AoR of '%.*s' is too long\n", KSR_STR_FMT(uri));
		return -R_AOR_LEN;
	}
	if (!(buf = ksr_arena_alloc(msg->arena, REG_MAX_AOR_LEN)))
		return -R_UL_GET_R;
	/* %XX escapes in the user part stand for their characters (RFC 3261 19.1.2) */
	for (size_t i = 0; i < u.user.len; i++) {
		char c = u.user.s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= u.user.len || (hi = hexval(u.user.s[i + 1])) < 0 ||
			    (lo = hexval(u.user.s[i + 2])) < 0) {
				LM_ERR("bad escape in the user of '%.*s'\n", KSR_STR_FMT(uri));
				return -R_UNESCAPE;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		buf[n++] = c;
	}
	if (*reg_ul->use_domain && host.len) {
		if (n)
			buf[n++] = '@';
		memcpy(buf + n, host.s, host.len);
		n += host.len;
	}
	if (!reg_case_sensitive)
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)tolower((unsigned char)buf[i]);
	buf[n] = '\0';
	*ret_aor = ksr_str_make(buf, n);
	return 0;
}

const struct ksr_val *registrar_xavp_cfg(struct ksr_msg *msg, const char *name)
{
	struct ksr_xavp *root, *x;

	if (!reg_xavp_cfg || !*reg_xavp_cfg)
		return NULL;
	root = ksr_xavp_find(msg->xavps, ksr_str_make(reg_xavp_cfg, strlen(reg_xavp_cfg)), 0);
	if (!root || root->type != KSR_XAVP_LIST)
		return NULL;
	x = ksr_xavp_find(root->list, ksr_str_make((char *)name, strlen(name)), 0);
	return x && x->type == KSR_XAVP_VAL && x->val.type != KSR_VAL_NULL ? &x->val : NULL;
}

static void rcd_add(struct ksr_msg *msg, struct ksr_xavp **list, const char *name,
                    const struct ksr_val *v)
{
	ksr_xavp_add_val(msg->arena, list, ksr_str_make((char *)name, strlen(name)), v, NULL);
}

void registrar_xavp_rcd(struct ksr_msg *msg, const struct ul_contact *c)
{
	struct ksr_xavp *root;
	struct ksr_val v;

	if (!reg_xavp_rcd || !*reg_xavp_rcd)
		return;
	if (ksr_xavp_add_list(msg->arena, &msg->xavps,
	                      ksr_str_make(reg_xavp_rcd, strlen(reg_xavp_rcd)), &root) < 0) {
		LM_ERR("cannot add $xavp(%s)\n", reg_xavp_rcd);
		return;
	}
	v.type = KSR_VAL_STR;
	if (!(reg_xavp_rcd_mask & 1) && c->ruid.len) {
		v.s = c->ruid;
		rcd_add(msg, &root->list, "ruid", &v);
	}
	if (!(reg_xavp_rcd_mask & 2)) {
		v.s = c->c;
		rcd_add(msg, &root->list, "contact", &v);
	}
	if (!(reg_xavp_rcd_mask & 8) && c->received.len) {
		v.s = c->received;
		rcd_add(msg, &root->list, "received", &v);
	}
	if (!(reg_xavp_rcd_mask & 16) && c->path.len) {
		v.s = c->path;
		rcd_add(msg, &root->list, "path", &v);
	}
	if (!(reg_xavp_rcd_mask & 4)) {
		v.type = KSR_VAL_INT;
		v.i = (long)c->expires;
		rcd_add(msg, &root->list, "expires", &v);
	}
}
