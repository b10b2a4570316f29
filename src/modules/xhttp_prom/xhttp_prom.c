/*
 * xhttp_prom: Prometheus metrics over xhttp. prom_dispatch() answers a scrape with the
 * user defined metrics (prom_counter, prom_gauge, prom_histogram, changed by the prom_*
 * functions and RPC commands) and the core's statistics that xhttp_prom_stats selects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/module/module.h"
#include "core/rpc/rpc.h"
#include "prom.h"
#include "../xhttp/xhttp_api.h"

static int buf_size;     /* 0: no limit */
static int timeout = 60; /* minutes */
static char *stats = "";
static char *beginning = "kamailio_";
static const struct xhttp_api *xhttp;

static int declare(enum prom_type type, const struct ksr_fparam *val, const char **ret_err)
{
	int r;

	if (val->type != KSR_PT_STR) {
		*ret_err = "takes a string: \"name=NAME; label=a:b\"";
		return -EINVAL;
	}
	r = prom_metric_declare(type, val->s.s, ret_err);
	if (r == -ENOMEM)
		*ret_err = "out of memory";
	return r;
}

static int set_counter(const struct ksr_fparam *val, const char **ret_err)
{
	return declare(PROM_COUNTER, val, ret_err);
}

static int set_gauge(const struct ksr_fparam *val, const char **ret_err)
{
	return declare(PROM_GAUGE, val, ret_err);
}

static int set_histogram(const struct ksr_fparam *val, const char **ret_err)
{
	return declare(PROM_HISTOGRAM, val, ret_err);
}

/* --- numbers --- */

/* A counter increment: an integer >= 0. */
static int parse_count(struct ksr_str s, uint64_t *ret)
{
	char buf[32], *end;
	unsigned long long v;

	if (!s.len || s.len >= sizeof(buf) || s.s[0] == '-')
		return -EINVAL;
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A gauge value or an observation: a float. */
static int parse_number(struct ksr_str s, double *ret)
{
	char buf[64], *end;
	double v;

	if (!s.len || s.len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* --- functions --- */

/* What a call does, found by its fixup: the parameters after the name are the label values. */
struct call {
	enum prom_type type;
	int op;
	int nlabels;
};

#define CALLS(type, op)                                                                            \
	{                                                                                          \
		{type, op, 0}, {type, op, 1}, {type, op, 2},                                       \
		{                                                                                  \
			type, op, 3                                                                \
		}                                                                                  \
	}
static const struct call calls[5][4] = {
        CALLS(PROM_COUNTER, PROM_OP_RESET),     CALLS(PROM_GAUGE, PROM_OP_RESET),
        CALLS(PROM_COUNTER, PROM_OP_ADD),       CALLS(PROM_GAUGE, PROM_OP_SET),
        CALLS(PROM_HISTOGRAM, PROM_OP_OBSERVE),
};

static int fixup_call(int kind, struct ksr_fparam *p, int n, const char **ret_err)
{
	const struct call *c;
	int first_label = kind < 2 ? 1 : 2;
	uint64_t count;
	double v;

	c = &calls[kind][n - first_label];
	p[0].ptr = (void *)c;
	if (!p[0].dynamic && prom_metric_check(c->type, p[0].s, c->nlabels, ret_err) < 0)
		return -EINVAL;
	if (first_label == 2 && !p[1].dynamic &&
	    (c->op == PROM_OP_ADD ? parse_count(p[1].s, &count) : parse_number(p[1].s, &v)) < 0) {
		*ret_err = c->op == PROM_OP_ADD ? "the number is an integer >= 0" : "not a number";
		return -EINVAL;
	}
	return 0;
}

static int fixup_counter_reset(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_call(0, p, n, ret_err);
}

static int fixup_gauge_reset(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_call(1, p, n, ret_err);
}

static int fixup_counter_inc(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_call(2, p, n, ret_err);
}

static int fixup_gauge_set(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_call(3, p, n, ret_err);
}

static int fixup_histogram(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_call(4, p, n, ret_err);
}

/* Apply call c with the name, number (when c takes one) and label values given. */
static int apply(const struct call *c, struct ksr_str name, const struct ksr_str *number,
                 const struct ksr_str *labels, const char **ret_why)
{
	uint64_t count = 0;
	double v = 0;
	int r;

	if (number &&
	    (c->op == PROM_OP_ADD ? parse_count(*number, &count) : parse_number(*number, &v)) < 0) {
		*ret_why = c->op == PROM_OP_ADD ? "the number is not an integer >= 0"
		                                : "the number is not a number";
		return -EINVAL;
	}
	r = prom_metric_update(c->type, name, labels, c->nlabels, c->op, v, count);
	if (r == -ENOENT)
		*ret_why = "no such metric of that type";
	else if (r == -EINVAL)
		*ret_why = "the number of labels differs from the declaration";
	else if (r < 0)
		*ret_why = "out of memory";
	return r;
}

static int w_update(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct call *c = p[0].ptr;
	int first_label = c->op == PROM_OP_RESET ? 1 : 2;
	struct ksr_str labels[PROM_MAX_LABELS];
	const char *why = "";

	for (int i = 0; i < c->nlabels; i++)
		labels[i] = p[first_label + i].s;
	if (apply(c, p[0].s, first_label == 2 ? &p[1].s : NULL, labels, &why) < 0) {
		LM_ERR("%.*s: %s\n", KSR_STR_FMT(p[0].s), why);
		return -1;
	}
	return 1;
}

static int w_prom_check_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_str u;
	const char *q;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	u = msg->first.req.uri;
	q = memchr(u.s, '?', u.len);
	if (q)
		u.len = (size_t)(q - u.s);
	return ksr_str_eq(&u, &KSR_STR_STATIC("/metrics")) ? 1 : -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int w_prom_dispatch(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct prom_out o;
	int r;

	if (!xhttp->is_request(msg)) {
		LM_ERR("prom_dispatch(): not an HTTP request, or answered already\n");
		return -1;
	}
	prom_out_init(&o, (size_t)buf_size);
	o.ts = now_ms();
	prom_printf(&o, "# User defined metrics\n");
	prom_metric_print(&o, beginning, timeout);
	r = prom_stats_print(&o, beginning, stats);
	if (r < 0 || o.failed) {
		LM_ERR("the metrics do not fit in xhttp_prom_buf_size (%d bytes) or memory\n",
		       buf_size);
		r = xhttp->reply(msg, 500, KSR_STR_STATIC("Internal Server Error"), KSR_STR_NULL,
		                 KSR_STR_NULL);
	} else {
		r = xhttp->reply(msg, 200, KSR_STR_STATIC("OK"),
		                 KSR_STR_STATIC("text/plain; version=0.0.4"),
		                 ksr_str_make(o.s, o.len));
	}
	prom_out_free(&o);
	return r < 0 ? -1 : 1;
}

/* --- RPC --- */

/* kind: the row of calls[] */
static void rpc_update(struct ksr_rpc_ctx *ctx, int kind)
{
	struct ksr_str name, number, labels[PROM_MAX_LABELS];
	bool has_number = calls[kind][0].op != PROM_OP_RESET;
	const char *why = "";
	int n = 0;

	if (ksr_rpc_param_str(ctx, &name) < 0 ||
	    (has_number && ksr_rpc_param_str(ctx, &number) < 0)) {
		ksr_rpc_fault(ctx, 400, has_number ? "name and number expected" : "name expected");
		return;
	}
	while (ksr_rpc_param_left(ctx)) {
		if (n == PROM_MAX_LABELS || ksr_rpc_param_str(ctx, &labels[n]) < 0) {
			ksr_rpc_fault(ctx, 400, "at most 3 label values");
			return;
		}
		n++;
	}
	if (apply(&calls[kind][n], name, has_number ? &number : NULL, labels, &why) < 0)
		ksr_rpc_fault(ctx, 500, "%.*s: %s", KSR_STR_FMT(name), why);
}

static void rpc_counter_reset(struct ksr_rpc_ctx *ctx)
{
	rpc_update(ctx, 0);
}

static void rpc_gauge_reset(struct ksr_rpc_ctx *ctx)
{
	rpc_update(ctx, 1);
}

static void rpc_counter_inc(struct ksr_rpc_ctx *ctx)
{
	rpc_update(ctx, 2);
}

static void rpc_gauge_set(struct ksr_rpc_ctx *ctx)
{
	rpc_update(ctx, 3);
}

static void rpc_histogram_observe(struct ksr_rpc_ctx *ctx)
{
	rpc_update(ctx, 4);
}

static void rpc_metric_list_print(struct ksr_rpc_ctx *ctx)
{
	struct prom_out o;

	prom_out_init(&o, 0);
	o.ts = now_ms();
	prom_metric_print(&o, beginning, timeout);
	if (o.failed)
		ksr_rpc_fault(ctx, 500, "out of memory");
	else
		ksr_rpc_add_str(ctx, NULL, NULL, ksr_str_make(o.s ? o.s : "", o.len));
	prom_out_free(&o);
}

/* --- module --- */

static int mod_init(void)
{
	if (timeout < 0 || buf_size < 0) {
		LM_ERR("xhttp_prom_timeout and xhttp_prom_buf_size cannot be negative\n");
		return -EINVAL;
	}
	xhttp = ksr_api_bind(XHTTP_API_NAME);
	if (!xhttp) {
		LM_ERR("the xhttp module is needed: load it\n");
		return -ENOENT;
	}
	return 0;
}

/* Once every module has registered its statistics: xhttp_prom_stats must name some. */
static int child_init(int rank)
{
	const char *why = NULL;

	if (rank != KSR_RANK_MAIN || !stats)
		return 0;
	if (prom_stats_check(stats, &why) < 0) {
		LM_ERR("xhttp_prom_stats \"%s\": %s\n", stats, why);
		return -ENOENT;
	}
	return 0;
}

static void destroy(void)
{
	prom_metric_clear();
	xhttp = NULL;
}

#define ANY KSR_ROUTE_ANY
#define S KSR_PT_STR

static const struct ksr_cmd_export cmds[] = {
        {"prom_dispatch",
         w_prom_dispatch,
         {KSR_PT_NONE},
         NULL,
         KSR_ROUTE_EVENT | KSR_ROUTE_REQUEST},
        {"prom_check_uri", w_prom_check_uri, {KSR_PT_NONE}, NULL, ANY},
        {"prom_counter_reset", w_update, {S}, fixup_counter_reset, ANY},
        {"prom_counter_reset", w_update, {S, S}, fixup_counter_reset, ANY},
        {"prom_counter_reset", w_update, {S, S, S}, fixup_counter_reset, ANY},
        {"prom_counter_reset", w_update, {S, S, S, S}, fixup_counter_reset, ANY},
        {"prom_gauge_reset", w_update, {S}, fixup_gauge_reset, ANY},
        {"prom_gauge_reset", w_update, {S, S}, fixup_gauge_reset, ANY},
        {"prom_gauge_reset", w_update, {S, S, S}, fixup_gauge_reset, ANY},
        {"prom_gauge_reset", w_update, {S, S, S, S}, fixup_gauge_reset, ANY},
        {"prom_counter_inc", w_update, {S, S}, fixup_counter_inc, ANY},
        {"prom_counter_inc", w_update, {S, S, S}, fixup_counter_inc, ANY},
        {"prom_counter_inc", w_update, {S, S, S, S}, fixup_counter_inc, ANY},
        {"prom_counter_inc", w_update, {S, S, S, S, S}, fixup_counter_inc, ANY},
        {"prom_gauge_set", w_update, {S, S}, fixup_gauge_set, ANY},
        {"prom_gauge_set", w_update, {S, S, S}, fixup_gauge_set, ANY},
        {"prom_gauge_set", w_update, {S, S, S, S}, fixup_gauge_set, ANY},
        {"prom_gauge_set", w_update, {S, S, S, S, S}, fixup_gauge_set, ANY},
        {"prom_histogram_observe", w_update, {S, S}, fixup_histogram, ANY},
        {"prom_histogram_observe", w_update, {S, S, S}, fixup_histogram, ANY},
        {"prom_histogram_observe", w_update, {S, S, S, S}, fixup_histogram, ANY},
        {"prom_histogram_observe", w_update, {S, S, S, S, S}, fixup_histogram, ANY},
        {0},
};

static const struct ksr_param_export params[] = {
        {"xhttp_prom_buf_size", KSR_MP_INT, &buf_size, NULL},
        {"xhttp_prom_timeout", KSR_MP_INT, &timeout, NULL},
        {"xhttp_prom_stats", KSR_MP_STR, &stats, NULL},
        {"xhttp_prom_beginning", KSR_MP_STR, &beginning, NULL},
        {"prom_counter", KSR_MP_FUNC, NULL, set_counter},
        {"prom_gauge", KSR_MP_FUNC, NULL, set_gauge},
        {"prom_histogram", KSR_MP_FUNC, NULL, set_histogram},
        {0},
};

static const struct ksr_rpc_export rpcs[] = {
        {"xhttp_prom.counter_reset", rpc_counter_reset, "Set a counter to 0."},
        {"xhttp_prom.counter_inc", rpc_counter_inc, "Add an integer to a counter."},
        {"xhttp_prom.gauge_reset", rpc_gauge_reset, "Set a gauge to 0."},
        {"xhttp_prom.gauge_set", rpc_gauge_set, "Set a gauge to a number."},
        {"xhttp_prom.histogram_observe", rpc_histogram_observe, "Observe a number in a histogram."},
        {"xhttp_prom.metric_list_print", rpc_metric_list_print,
         "The user defined metrics, as Prometheus reads them."},
        {0},
};

KSR_MODULE(.name = "xhttp_prom", .cmds = cmds, .params = params, .rpcs = rpcs, .mod_init = mod_init,
           .child_init = child_init, .destroy = destroy);
