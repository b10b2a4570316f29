/*
 * xlog: log lines from the routing script, formatted with pseudo-variables, written
 * through the core logger (stderr or syslog, like every other line).
 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"

/* what the core's lines name as their module: grep "<script>" finds every xlog line */
#define XLOG_MOD "script"
/* upstream's METHOD_OTHER bit, for a method the core has no id for (xlogm) */
#define METHOD_OTHER_BIT (1u << 19)

static int buf_size = 4096;
static int force_color; /* accepted: the core logger has no colours yet */
static int long_format; /* accepted: only xlogl()/xdbgl() use it, not implemented yet */
static char *prefix; /* before each message; NULL is "" */
static int prefix_mode; /* 1: prefix is a format with pseudo-variables */
static int methods_filter = -1; /* xlogm(): methods (bits) whose lines are skipped */
static int log_colors_given;

static int facility = -1; /* log_facility: a syslog facility for xlog lines, -1: the core's */
static struct ksr_str prefix_text;
static struct ksr_pv_fmt *prefix_fmt; /* prefix_mode 1 with pseudo-variables */

/* --- levels and facilities --- */

/*
 * A level as upstream reads it: only the third letter counts ("L_ERR", "L_E..."), so
 * "LOG_ERR" is not a level. -EINVAL when the letter names none.
 */
static int level_parse(struct ksr_str s, int *ret_level)
{
	static const struct {
		char letter;
		int level;
	} letters[] = {
		{'A', L_ALERT}, {'B', L_BUG}, {'C', L_CRIT}, {'E', L_ERR},
		{'W', L_WARN}, {'N', L_NOTICE}, {'I', L_INFO}, {'D', L_DBG},
	};

	if (s.len < 3)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
		if (s.s[2] == letters[i].letter) {
			*ret_level = letters[i].level;
			return 0;
		}
	}
	return -EINVAL;
}


/* --- writing a line --- */

/*
 * The message of one call. A line above the `debug` level is dropped before the format
 * is evaluated, as upstream: xdbg() all over a config costs nothing at debug=2.
 */
static int emit(struct ksr_msg *msg, const char *fname, long level, int fac,
		const struct ksr_pv_fmt *fmt)
{
	struct ksr_str text, pre = prefix_text;
	int lev;

	if (level > ksr_log_level)
		return 1;
	if (!msg && (!ksr_pv_fmt_is_const(fmt) || prefix_fmt)) {
		LM_ERR("%s(): no message to evaluate the format on\n", fname);
		return -1;
	}
	if (ksr_pv_fmt_eval(msg, fmt, &text) < 0 ||
	    (prefix_fmt && ksr_pv_fmt_eval(msg, prefix_fmt, &pre) < 0)) {
		LM_ERR("%s(): cannot evaluate the format (out of memory)\n", fname);
		return -1;
	}
	/* upstream's buffer holds the text and its NUL */
	if (text.len >= (size_t)buf_size) {
		LM_ERR("%s(): the message has %zu bytes, more than buf_size (%d) allows: "
		       "increase modparam(\"xlog\", \"buf_size\", ...)\n",
		       fname, text.len, buf_size);
		return -1;
	}
	/* a level from a variable may be anything: print it under the nearest name */
	lev = level < L_ALERT ? L_ALERT : level > L_DBG ? L_DBG : (int)level;
	if (fac < 0)
		fac = facility;
	if (fac >= 0 && !ksr_log_stderr) {
		/* the core logger has one facility: a line for another goes to syslog here */
		syslog(fac | ksr_log_syslog_prio(lev), "%s: <" XLOG_MOD "> [%s]: %.*s%.*s",
		       ksr_log_level_name(lev),
		       fname, KSR_STR_FMT(pre), KSR_STR_FMT(text));
		return 1;
	}
	ksr_log(lev, XLOG_MOD, fname, "%.*s%.*s", KSR_STR_FMT(pre), KSR_STR_FMT(text));
	return 1;
}

/* The level of a call: the constant parsed at load, or the integer in a variable. */
static int call_level(struct ksr_msg *msg, const struct ksr_fparam *p, const char *fname,
		      long *ret_level)
{
	struct ksr_val v;

	if (!p->ptr) {
		*ret_level = p->i;
		return 0;
	}
	if (!msg || ksr_pv_get(msg, p->ptr, &v) < 0 || v.type != KSR_VAL_INT) {
		LM_ERR("%s(): the level in %.*s is not an integer\n", fname, KSR_STR_FMT(p->s));
		return -1;
	}
	*ret_level = v.i;
	return 0;
}

/* --- fixups: every parameter is taken as written (KSR_PT_RAW) and parsed once here --- */

static int fixup_level(struct ksr_fparam *p, const char **ret_err)
{
	int level;

	if (p->s.len && p->s.s[0] == '$')
		return ksr_fixup_pvar(p, false, ret_err);
	if (level_parse(p->s, &level) < 0) {
		*ret_err = "the level must be L_ALERT, L_BUG, L_CRIT, L_ERR, L_WARN, L_NOTICE, "
			   "L_INFO, L_DBG or a pseudo-variable holding an integer";
		return -EINVAL;
	}
	p->i = level;
	p->ptr = NULL;
	return 0;
}

static int fixup_facility(struct ksr_fparam *p, const char **ret_err)
{
	int f = ksr_log_facility_parse(p->s.s);

	if (f < 0) {
		*ret_err = "the facility must be a syslog facility name (LOG_LOCAL0, LOG_DAEMON, ...)";
		return -EINVAL;
	}
	p->i = f;
	return 0;
}

static int fixup_1(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_fmt(&p[0], ret_err);
}

static int fixup_2(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = fixup_level(&p[0], ret_err);

	return r < 0 ? r : ksr_fixup_fmt(&p[1], ret_err);
}

static int fixup_3(struct ksr_fparam *p, int n, const char **ret_err)
{
	int r = fixup_facility(&p[0], ret_err);

	if (r < 0 || (r = fixup_level(&p[1], ret_err)) < 0)
		return r;
	return ksr_fixup_fmt(&p[2], ret_err);
}

/* --- functions --- */

static int w_xlog1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return emit(msg, "xlog", L_ERR, -1, p[0].ptr);
}

static int w_xlog2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	long level;

	if (call_level(msg, &p[0], "xlog", &level) < 0)
		return -1;
	return emit(msg, "xlog", level, -1, p[1].ptr);
}

static int w_xlog3(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	long level;

	if (call_level(msg, &p[1], "xlog", &level) < 0)
		return -1;
	return emit(msg, "xlog", level, (int)p[0].i, p[2].ptr);
}

/* The method of a request, or of the request a reply answers (its CSeq), as a bit. */
static unsigned int method_bit(struct ksr_msg *msg)
{
	struct ksr_cseq *cseq;
	enum ksr_method id;

	if (msg->type == KSR_MSG_REQUEST)
		id = msg->first.req.method_id;
	else
		id = ksr_msg_cseq(msg, &cseq) == 0 ? cseq->method_id : KSR_METHOD_OTHER;
	return id == KSR_METHOD_OTHER ? METHOD_OTHER_BIT : (unsigned int)id;
}

static int w_xlogm(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	long level;

	if (msg && ((unsigned int)methods_filter & method_bit(msg)))
		return 1;
	if (call_level(msg, &p[0], "xlogm", &level) < 0)
		return -1;
	return emit(msg, "xlogm", level, -1, p[1].ptr);
}

#define XLOG_AT(fn, level)                                                 \
	static int w_##fn(struct ksr_msg *msg, const struct ksr_fparam *p) \
	{                                                                  \
		return emit(msg, #fn, level, -1, p[0].ptr);                \
	}
XLOG_AT(xdbg, L_DBG)
XLOG_AT(xinfo, L_INFO)
XLOG_AT(xnotice, L_NOTICE)
XLOG_AT(xwarn, L_WARN)
XLOG_AT(xerr, L_ERR)
XLOG_AT(xbug, L_BUG)
XLOG_AT(xcrit, L_CRIT)
XLOG_AT(xalert, L_ALERT)

/* --- parameters: checked when set, so that `kamailio -c` names the bad line --- */

static int param_int(const struct ksr_fparam *val, long *ret)
{
	char *end;

	if (val->type == KSR_PT_INT) {
		*ret = val->i;
		return 0;
	}
	*ret = strtol(val->s.s, &end, 10);
	return end == val->s.s || *end ? -EINVAL : 0;
}

static int set_buf_size(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (param_int(val, &v) < 0 || v < 1 || v > 1 << 24) {
		*ret_err = "buf_size must be a number of bytes from 1 to 16777216";
		return -EINVAL;
	}
	buf_size = (int)v;
	return 0;
}

static int set_log_facility(const struct ksr_fparam *val, const char **ret_err)
{
	int f = val->type == KSR_PT_STR ? ksr_log_facility_parse(val->s.s) : -EINVAL;

	if (f < 0) {
		*ret_err = "log_facility must be a syslog facility name (LOG_LOCAL0, LOG_DAEMON, ...)";
		return -EINVAL;
	}
	facility = f;
	return 0;
}

/* prefix_mode 1: the prefix is a format, parsed once whichever of the two is set last. */
static int parse_prefix(const char **ret_err)
{
	struct ksr_pv_fmt *fmt;
	int r;

	prefix_fmt = NULL;
	prefix_text = prefix ? ksr_str_make(prefix, strlen(prefix)) : KSR_STR_NULL;
	if (!prefix_mode || !prefix_text.len)
		return 0;
	r = ksr_pv_fmt_parse(prefix_text, ksr_fixup_arena(), &fmt, ret_err);
	if (r < 0)
		return r;
	if (ksr_pv_fmt_is_const(fmt))
		ksr_pv_fmt_eval(NULL, fmt, &prefix_text); /* "$$" is one '$' */
	else
		prefix_fmt = fmt;
	return 0;
}

static int set_prefix(const struct ksr_fparam *val, const char **ret_err)
{
	char *copy;

	if (val->type != KSR_PT_STR) {
		*ret_err = "prefix must be a string";
		return -EINVAL;
	}
	if (!(copy = strndup(val->s.s, val->s.len))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	free(prefix);
	prefix = copy;
	return parse_prefix(ret_err);
}

static int set_prefix_mode(const struct ksr_fparam *val, const char **ret_err)
{
	long v;

	if (param_int(val, &v) < 0 || (v != 0 && v != 1)) {
		*ret_err = "prefix_mode must be 0 (text) or 1 (pseudo-variables)";
		return -EINVAL;
	}
	prefix_mode = (int)v;
	return parse_prefix(ret_err);
}

/* "L_ERR=cr" or "L_ERR=cr;L_WARN=px": checked, then ignored (no colours in the core). */
static int set_log_colors(const struct ksr_fparam *val, const char **ret_err)
{
	const char *s, *end;
	int level;

	if (val->type != KSR_PT_STR) {
		*ret_err = "log_colors must be a string";
		return -EINVAL;
	}
	s = val->s.s;
	end = s + val->s.len;
	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *item_end = semi ? semi : end;
		const char *eq = memchr(s, '=', (size_t)(item_end - s));

		if (!eq || level_parse(ksr_str_make((char *)s, (size_t)(eq - s)), &level) < 0 ||
		    item_end - eq - 1 != 2) {
			*ret_err = "log_colors must be 'L_LEVEL=xy' items separated by ';'";
			return -EINVAL;
		}
		s = semi ? semi + 1 : end;
	}
	log_colors_given = 1;
	return 0;
}

static int mod_init(void)
{
	if (force_color || log_colors_given)
		LM_NOTICE("force_color and log_colors have no effect: the core logs without "
			  "colours\n");
	return 0;
}

/* Back to the state before the parameters were set: nothing parsed is kept. */
static void destroy(void)
{
	prefix_fmt = NULL;
	prefix_text = KSR_STR_NULL;
	free(prefix);
	prefix = NULL;
	facility = -1;
}

static const struct ksr_cmd_export cmds[] = {
	{"xlog", w_xlog1, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xlog", w_xlog2, {KSR_PT_RAW, KSR_PT_RAW}, fixup_2, KSR_ROUTE_ANY},
	{"xlog", w_xlog3, {KSR_PT_RAW, KSR_PT_RAW, KSR_PT_RAW}, fixup_3, KSR_ROUTE_ANY},
	{"xdbg", w_xdbg, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xinfo", w_xinfo, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xnotice", w_xnotice, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xwarn", w_xwarn, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xerr", w_xerr, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xbug", w_xbug, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xcrit", w_xcrit, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xalert", w_xalert, {KSR_PT_RAW}, fixup_1, KSR_ROUTE_ANY},
	{"xlogm", w_xlogm, {KSR_PT_RAW, KSR_PT_RAW}, fixup_2, KSR_ROUTE_ANY},
	{0},
};

static const struct ksr_param_export params[] = {
	{.name = "buf_size", .type = KSR_MP_FUNC, .set = set_buf_size},
	{.name = "force_color", .type = KSR_MP_INT, .target = &force_color},
	{.name = "long_format", .type = KSR_MP_INT, .target = &long_format},
	{.name = "prefix", .type = KSR_MP_FUNC, .set = set_prefix},
	{.name = "prefix_mode", .type = KSR_MP_FUNC, .set = set_prefix_mode},
	{.name = "log_facility", .type = KSR_MP_FUNC, .set = set_log_facility},
	{.name = "log_colors", .type = KSR_MP_FUNC, .set = set_log_colors},
	{.name = "methods_filter", .type = KSR_MP_INT, .target = &methods_filter},
	{0},
};

KSR_MODULE(.name = "xlog", .cmds = cmds, .params = params, .mod_init = mod_init,
	   .destroy = destroy);
