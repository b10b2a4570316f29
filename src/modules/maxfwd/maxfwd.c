/* maxfwd: add, decrement and check the Max-Forwards header (RFC 3261 8.1.1.6, 16.6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/cfg/rtcfg.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/edit.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"

#define MF_NAME "Max-Forwards"
#define MF_MAX 255 /* the core parses 0..255 (core/parser/hdr.h), upstream's parameter range */

/* The decremented value never exceeds this (upstream's default and range: 1..256). */
static int max_limit = 70;

/* Checked when set, so that `kamailio -c` refuses a bad value with its line. */
static int set_max_limit(const struct ksr_fparam *val, const char **ret_err)
{
	long v = val->i;

	if (val->type == KSR_PT_STR) {
		char *end;

		v = strtol(val->s.s, &end, 10);
		if (end == val->s.s || *end)
			v = -1;
	}
	if (v < 1 || v > MF_MAX + 1) {
		*ret_err = "max_limit must be from 1 to 256";
		return -EINVAL;
	}
	max_limit = (int)v;
	return 0;
}

/*
 * Where the Max-Forwards value of the outgoing message lives. The value a later call sees
 * is the one the message will carry: so a second call decrements again (as upstream,
 * which rewrites the received buffer), and a header this module added is found, not
 * added twice.
 */
struct mf_state {
	struct ksr_hdr *hdr; /* the received header, or NULL */
	struct ksr_edit *edit; /* the line that replaces it, or the line added; or NULL */
	unsigned int value;
};

/* "Max-Forwards : 69\r\n" (a line of an edit) to 69. -EINVAL when it is not one. */
static int line_value(struct ksr_str line, unsigned int *ret_value)
{
	struct ksr_str v;
	const char *colon;

	if (line.len < sizeof(MF_NAME) || strncasecmp(line.s, MF_NAME, sizeof(MF_NAME) - 1) != 0)
		return -EINVAL;
	colon = memchr(line.s, ':', line.len);
	if (!colon)
		return -EINVAL;
	for (const char *p = line.s + sizeof(MF_NAME) - 1; p < colon; p++)
		if (!ksr_is_ws(*p))
			return -EINVAL; /* "Max-Forwards-X:" */
	v = ksr_str_make((char *)colon + 1, (size_t)(ksr_str_end(line) - colon - 1));
	ksr_str_trim(&v);
	return ksr_parse_maxfwd(v, ret_value);
}

/* The edit that rewrote the received header or added one: the module's own edits. */
static struct ksr_edit *find_edit(const struct ksr_msg *msg, const struct ksr_hdr *h)
{
	unsigned int v;

	for (struct ksr_edit *e = msg->edits; e; e = e->next) {
		if (h && (e->off != (size_t)(h->line.s - msg->buf) || e->del != h->line.len))
			continue;
		if (!h && e->del != 0)
			continue;
		if (line_value(e->ins, &v) == 0)
			return e;
	}
	return NULL;
}

/* 0 with *st filled, -ENOENT when the message has no Max-Forwards, -EINVAL when bad. */
static int mf_current(struct ksr_msg *msg, struct mf_state *st)
{
	int r;

	st->hdr = msg->h_maxfwd;
	st->edit = find_edit(msg, st->hdr);
	if (st->edit)
		return line_value(st->edit->ins, &st->value);
	if (!st->hdr)
		return -ENOENT;
	r = ksr_msg_maxfwd(msg, &st->value);
	if (r < 0)
		LM_ERR("bad Max-Forwards value '%.*s'\n", KSR_STR_FMT(st->hdr->body));
	return r;
}

/* The header line "Name: value\r\n" in the message's arena; the name as received. */
static int make_line(struct ksr_msg *msg, const struct mf_state *st, unsigned int value,
		     struct ksr_str *ret_line)
{
	struct ksr_str name = st->hdr ? st->hdr->name : KSR_STR_STATIC(MF_NAME);
	size_t size = name.len + sizeof(": 255\r\n");
	char *s = ksr_arena_alloc(msg->arena, size);
	int n;

	if (!s)
		return -ENOMEM;
	n = snprintf(s, size, "%.*s: %u\r\n", KSR_STR_FMT(name), value);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	*ret_line = ksr_str_make(s, (size_t)n);
	return 0;
}

/* Set the value the outgoing message carries. */
static int mf_set(struct ksr_msg *msg, struct mf_state *st, unsigned int value)
{
	struct ksr_str line;
	int r = make_line(msg, st, value, &line);

	if (r < 0)
		return r;
	if (st->edit) {
		/* our own line, recorded before: the new value replaces it in place */
		st->edit->ins = line;
		return 0;
	}
	if (st->hdr)
		return ksr_msg_replace_hdr(msg, st->hdr, line);
	/* at the top, as upstream adds it */
	return ksr_msg_add_hdr(msg, line, KSR_HDR_INSERT);
}

/*
 * 2: added with value max; 1: decremented; -1: the value is 0 (the caller answers 483);
 * -2: a bad value or an internal error.
 */
static int mf_process(struct ksr_msg *msg, long max)
{
	struct mf_state st;
	unsigned int v;
	int r;

	if (max < 0 || max > MF_MAX) {
		LM_ERR("the value must be from 0 to %d, not %ld\n", MF_MAX, max);
		return -1;
	}
	r = mf_current(msg, &st);
	if (r == -ENOENT) {
		r = mf_set(msg, &st, (unsigned int)max);
		if (r < 0) {
			LM_ERR("cannot add Max-Forwards: %s\n", strerror(-r));
			return -2;
		}
		return 2;
	}
	if (r < 0)
		return -2;
	if (st.value == 0)
		return -1;
	if (st.value > (unsigned int)max_limit) {
		LM_DBG("Max-Forwards %u lowered to max_limit %d\n", st.value, max_limit);
		v = (unsigned int)max_limit;
	} else {
		v = st.value - 1;
	}
	r = mf_set(msg, &st, v);
	if (r < 0) {
		LM_ERR("cannot rewrite Max-Forwards: %s\n", strerror(-r));
		return -2;
	}
	return 1;
}

/* 1: value < limit; -1: value >= limit; -2: no header; -3: a bad value. */
static int mf_lt(struct ksr_msg *msg, long limit)
{
	struct mf_state st;
	int r;

	if (limit < 0 || limit > MF_MAX) {
		LM_ERR("the value must be from 0 to %d, not %ld\n", MF_MAX, limit);
		return -1;
	}
	r = mf_current(msg, &st);
	if (r == -ENOENT)
		return -2;
	if (r < 0)
		return -3;
	return st.value < (unsigned long)limit ? 1 : -1;
}

/* A constant out of 0..255 can never work: refuse it at load. */
static int fixup_value(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > MF_MAX)) {
		*ret_err = "the value must be from 0 to 255";
		return -EINVAL;
	}
	return 0;
}

static int w_process(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	return mf_process(msg, p[0].i);
}

static int w_lt(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return mf_lt(msg, p[0].i);
}

#define MF_LT_ROUTES (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)

static const struct ksr_cmd_export cmds[] = {
	{"maxfwd_process", w_process, {KSR_PT_INT}, fixup_value, KSR_ROUTE_REQUEST},
	{"mf_process_maxfwd_header", w_process, {KSR_PT_INT}, fixup_value, KSR_ROUTE_REQUEST},
	{"process_maxfwd", w_process, {KSR_PT_INT}, fixup_value, KSR_ROUTE_REQUEST},
	{"is_maxfwd_lt", w_lt, {KSR_PT_INT}, fixup_value, MF_LT_ROUTES},
	{"maxfwd_at_least", w_lt, {KSR_PT_INT}, fixup_value, MF_LT_ROUTES},
	{"mf_lowlimit", w_lt, {KSR_PT_INT}, fixup_value, MF_LT_ROUTES},
	{0},
};

static const struct ksr_param_export params[] = {
	{.name = "max_limit", .type = KSR_MP_FUNC, .set = set_max_limit},
	{0},
};

/* max_limit changes at runtime too: cfg.seti maxfwd max_limit 20 (core/cfg/rtcfg.h) */
static const struct ksr_rtcfg_var cfg_vars[] = {
	{.name = "max_limit",
	 .type = KSR_RTCFG_INT,
	 .desc = "the highest Max-Forwards value a request leaves with",
	 .min = 1,
	 .max = MF_MAX + 1,
	 .mirror = &max_limit},
	{0},
};

static struct ksr_rtcfg_group *cfg_group;

static int mod_init(void)
{
	return ksr_rtcfg_declare("maxfwd", cfg_vars, &cfg_group);
}

static void destroy(void)
{
	ksr_rtcfg_undeclare(cfg_group);
	cfg_group = NULL;
}

KSR_MODULE(.name = "maxfwd", .cmds = cmds, .params = params, .mod_init = mod_init,
	   .destroy = destroy);
