/*
 * The siputils module: checks and small changes on SIP messages and URIs (upstream's
 * README.siputils). This file holds the export table, the parameters and the helpers
 * the other files share; each function lives with its kind in checks.c, msgchecks.c,
 * uri.c, contact.c, options.c and pcv.c.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/module/module-t.h"
#include "core/pv/pv.h"
#include "siputils.h"

char *siputils_opt_accept = "*/*";
char *siputils_opt_accept_encoding = "";
char *siputils_opt_accept_language = "en";
char *siputils_opt_support = "";
char *siputils_contact_sep = "*";
char *siputils_rpid_prefix = "";
char *siputils_rpid_suffix = ";party=calling;id-type=subscriber;screen=yes";
char *siputils_rpid_avp = "$avp(s:rpid)";

/* --- one function table, joined from the files' tables --- */

#define MAX_CMDS 64

static struct ksr_cmd_export all_cmds[MAX_CMDS + 1];

/*
 * The export table holds one pointer while each file keeps its own table: join them when
 * the module is mapped (dlopen runs this before the loader reads the exports). An overflow
 * leaves the table empty, which the unit tests and the minimal config catch.
 */
__attribute__((constructor)) static void join_tables(void)
{
	const struct ksr_cmd_export *tables[] = {siputils_check_cmds, siputils_msg_cmds,
	                                         siputils_uri_cmds,   siputils_contact_cmds,
	                                         siputils_misc_cmds,  siputils_pcv_cmds};
	size_t n = 0;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct ksr_cmd_export *c = tables[t]; c->name; c++) {
			if (n == MAX_CMDS) {
				all_cmds[0].name = NULL;
				return;
			}
			all_cmds[n++] = *c;
		}
}

int siputils_pv_get_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str *ret)
{
	struct ksr_val v;
	int r = ksr_pv_get(msg, p->ptr, &v);

	if (r < 0)
		return r;
	if (v.type == KSR_VAL_NULL)
		return -ENOENT;
	return ksr_val_to_str(msg, &v, ret);
}

int siputils_pv_set_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str s)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = s};

	return ksr_pv_set(msg, p->ptr, &v);
}

/* --- RPID AVP name --- */

static char rpid_name_buf[128];
static struct ksr_str rpid_name;

bool siputils_rpid_avp_name(struct ksr_str *ret_name)
{
	if (rpid_name.len == 0)
		return false;
	*ret_name = rpid_name;
	return true;
}

/*
 * "$avp(name)" or "$avp(s:name)", named as the pv module names AVPs ("s:" dropped,
 * "i:5" kept): the AVP is read through the core's AVP store, so the module does not need
 * pv loaded unless the script itself sets the AVP.
 */
int siputils_rpid_init(void)
{
	const char *v = siputils_rpid_avp ? siputils_rpid_avp : "";
	size_t n = strlen(v);

	rpid_name = KSR_STR_NULL;
	if (n == 0)
		return 0; /* RPID functions fail at runtime, as documented */
	if (n < 7 || strncmp(v, "$avp(", 5) != 0 || v[n - 1] != ')')
		goto bad;
	v += 5;
	n -= 6;
	if (n > 2 && v[0] == 's' && v[1] == ':') {
		v += 2;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(rpid_name_buf))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || strchr("()[]{}$\"'=;,<>", v[i]))
			goto bad;
	memcpy(rpid_name_buf, v, n);
	rpid_name = ksr_str_make(rpid_name_buf, n);
	return 0;
bad:
	LM_ERR("rpid_avp must be an AVP written as $avp(name), not '%s'\n", siputils_rpid_avp);
	return -EINVAL;
}

/* --- module --- */

static int mod_init(void)
{
	int r;

	if (!all_cmds[0].name) {
		LM_BUG("the function table overflowed: raise MAX_CMDS\n");
		return -1;
	}
	if ((r = siputils_rpid_init()) < 0)
		return r;
	return siputils_options_init();
}

static void destroy(void)
{
	siputils_options_destroy();
}

static const struct ksr_param_export params[] = {
        {"options_accept", KSR_MP_STR, &siputils_opt_accept, NULL},
        {"options_accept_encoding", KSR_MP_STR, &siputils_opt_accept_encoding, NULL},
        {"options_accept_language", KSR_MP_STR, &siputils_opt_accept_language, NULL},
        {"options_support", KSR_MP_STR, &siputils_opt_support, NULL},
        {"contact_flds_separator", KSR_MP_STR, &siputils_contact_sep, NULL},
        {"rpid_prefix", KSR_MP_STR, &siputils_rpid_prefix, NULL},
        {"rpid_suffix", KSR_MP_STR, &siputils_rpid_suffix, NULL},
        {"rpid_avp", KSR_MP_STR, &siputils_rpid_avp, NULL},
        {0},
};

KSR_MODULE(.name = "siputils", .cmds = all_cmds, .params = params, .pvs = siputils_pcv_pvs,
           .mod_init = mod_init, .destroy = destroy);
