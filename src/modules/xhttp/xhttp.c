/*
 * xhttp: HTTP/1.x on the SIP TCP listeners. A connection whose first line is an HTTP
 * request line is claimed from the core's TCP reader (receive.h's stream handlers); each
 * request on it runs event_route[xhttp:request] as a message ($hu, $rm, $hdr(), $rb) and
 * is answered by xhttp_reply() or, through this module's API, by jsonrpcs and xhttp_prom.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/mdata.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "core/receive.h"
#include "core/route/program.h"
#include "xhttp_api.h"
#include "xhttp_parse.h"

#define EVENT_ROUTE "xhttp:request"

static char *url_skip, *url_match, *event_callback;
static regex_t skip_re, match_re;
static bool skip_set, match_set, handler_set;

/* What a request being handled needs for its answer; kept on its message (mdata). */
struct xhttp_state {
	bool keep_alive;
	bool head; /* a HEAD request: the answer has no body */
	bool replied;
};

static const char state_key = 0;

static struct xhttp_state *state_of(const struct ksr_msg *msg)
{
	return ksr_msg_data_get(msg, &state_key);
}

static bool has_line_end(struct ksr_str s)
{
	return s.len && (memchr(s.s, '\r', s.len) || memchr(s.s, '\n', s.len));
}

/* Write an answer on conn, built in arena. 0 or -errno. */
static int send_answer(const struct ksr_rcv_info *rcv, struct ksr_arena *arena, int code,
                       struct ksr_str reason, struct ksr_str ctype, struct ksr_str body,
                       bool keep_alive, bool head)
{
	/* RFC 7230 3.3.2: no Content-Length (and no body) with 204 and 304 */
	bool no_body = code == 204 || code == 304;
	size_t size = 160 + reason.len + ctype.len + ksr_server_header.len + body.len;
	char *buf = ksr_arena_alloc_nz(arena, size);
	int n;

	if (!buf)
		return -ENOMEM;
	n = snprintf(buf, size, "HTTP/1.1 %d %.*s\r\n", code, KSR_STR_FMT(reason));
	if (ctype.len)
		n += snprintf(buf + n, size - (size_t)n, "Content-Type: %.*s\r\n",
		              KSR_STR_FMT(ctype));
	if (ksr_server_signature && ksr_server_header.len)
		n += snprintf(buf + n, size - (size_t)n, "%.*s\r\n",
		              KSR_STR_FMT(ksr_server_header));
	if (!no_body)
		n += snprintf(buf + n, size - (size_t)n, "Content-Length: %zu\r\n", body.len);
	n += snprintf(buf + n, size - (size_t)n, "%s\r\n",
	              keep_alive ? "" : "Connection: close\r\n");
	if (!no_body && !head && body.len) {
		memcpy(buf + n, body.s, body.len);
		n += (int)body.len;
	}
	if (!keep_alive)
		ksr_tcp_close_after(rcv->conn);
	return ksr_tcp_send(rcv->conn, buf, (size_t)n);
}

/* --- the API (xhttp_api.h) and xhttp_reply() --- */

static int api_reply(struct ksr_msg *msg, int code, struct ksr_str reason, struct ksr_str ctype,
                     struct ksr_str body)
{
	struct xhttp_state *st = state_of(msg);
	int r;

	if (!st) {
		LM_ERR("not an HTTP request: nothing to answer\n");
		return -EINVAL;
	}
	if (st->replied) {
		LM_ERR("the HTTP request has been answered already\n");
		return -EALREADY;
	}
	if (code < 200 || code > 599) {
		LM_ERR("HTTP status code %d out of 200..599\n", code);
		return -EINVAL;
	}
	/* values from the request must not add header lines to the answer */
	if (has_line_end(reason) || has_line_end(ctype)) {
		LM_ERR("line end in the reason or Content-Type of an HTTP answer\n");
		return -EINVAL;
	}
	st->replied = true;
	/* set_reply_close() in the route closes the connection after the answer, as upstream */
	r = send_answer(&msg->rcv, msg->arena, code, reason, ctype, body,
	                st->keep_alive && !msg->reply_close, st->head);
	if (r < 0)
		LM_ERR("sending the HTTP answer failed: %s\n", strerror(-r));
	return r;
}

static bool api_is_request(const struct ksr_msg *msg)
{
	const struct xhttp_state *st = state_of(msg);

	return st && !st->replied;
}

static const struct xhttp_api api = {.reply = api_reply, .is_request = api_is_request};

static int w_xhttp_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	/* api_reply() checks the range again, on an int */
	int code = p[0].i < 0 || p[0].i > 999 ? 0 : (int)p[0].i;

	return api_reply(msg, code, p[1].s, p[2].s, p[3].s) < 0 ? -1 : 1;
}

/* --- requests --- */

/* Whether url_skip / url_match let the request reach the event route. */
static bool url_wanted(struct ksr_str target, struct ksr_arena *arena)
{
	char *u;

	if (!skip_set && !match_set)
		return true;
	u = ksr_arena_alloc_nz(arena, target.len + 1);
	if (!u)
		return false;
	memcpy(u, target.s, target.len);
	u[target.len] = '\0';
	if (skip_set && regexec(&skip_re, u, 0, NULL, 0) == 0)
		return false;
	return !match_set || regexec(&match_re, u, 0, NULL, 0) == 0;
}

/* The request as a message, for the route: the SIP parser splits the head. 0 or -errno. */
static int make_msg(const struct xhttp_request *req, const struct ksr_rcv_info *rcv,
                    struct ksr_arena *arena, struct ksr_msg *msg)
{
	size_t n = req->head.len + req->body.len;
	char *copy = ksr_arena_alloc_nz(arena, n + 1);
	const char *why = NULL;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, req->head.s, req->head.len);
	if (req->body.len)
		memcpy(copy + req->head.len, req->body.s, req->body.len);
	copy[n] = '\0';
	/*
	 * The version is not SIP's, so the parse ends in an error, but with the request line
	 * and the header fields split (as for a 505): all the route needs.
	 */
	ksr_msg_parse(msg, copy, n, arena, &why);
	if (msg->type != KSR_MSG_REQUEST || !msg->body.s)
		return -EINVAL;
	msg->body = ksr_str_make(copy + req->head.len, req->body.len);
	msg->bad_version = false;
	msg->rcv = *rcv;
	return 0;
}

static void run_route(struct ksr_msg *msg, struct xhttp_state *st)
{
	struct ksr_program *prog = ksr_program_acquire();
	struct ksr_route *rt = prog ? ksr_program_find_event_route(prog, EVENT_ROUTE) : NULL;

	if (rt)
		ksr_run_route(prog, rt, msg, KSR_ROUTE_EVENT);
	else
		LM_ERR("no event_route[" EVENT_ROUTE "] in the routing script to handle HTTP\n");
	ksr_program_unref(prog);
	/* the client must not wait for ever: a request nobody answered gets 500 */
	if (!st->replied) {
		LM_DBG("HTTP request not answered by the script: 500\n");
		api_reply(msg, 500, KSR_STR_STATIC("Internal Server Error"), KSR_STR_NULL,
		          KSR_STR_NULL);
	}
}

static void handle(const struct xhttp_request *req, const struct ksr_rcv_info *rcv,
                   struct ksr_arena *arena)
{
	struct xhttp_state st = {.keep_alive = req->keep_alive,
	                         .head = ksr_str_caseeq_cstr(&req->method, "HEAD")};
	struct xhttp_state *stp;
	struct ksr_msg msg;
	const char *reason;
	char src[80];
	int r, code;

	if (!url_wanted(req->target, arena)) {
		send_answer(rcv, arena, 404, KSR_STR_STATIC("Not Found"), KSR_STR_NULL,
		            KSR_STR_NULL, st.keep_alive, st.head);
		return;
	}
	r = make_msg(req, rcv, arena, &msg);
	if (r == 0)
		r = ksr_msg_data_set(&msg, &state_key, &st, sizeof(st), (void **)&stp);
	if (r < 0) {
		/* what the SIP parser cannot split (too many Via-named fields, say) is refused */
		code = xhttp_refusal_status(r, &reason);
		LM_WARN("HTTP request from %s not handled: %s, answering %d\n",
		        ksr_sockaddr_str((const struct sockaddr *)&rcv->src, src, sizeof(src)),
		        strerror(-r), code);
		send_answer(rcv, arena, code, ksr_str_make((char *)reason, strlen(reason)),
		            KSR_STR_NULL, KSR_STR_NULL, false, st.head);
		return;
	}
	run_route(&msg, stp);
}

static bool claim(const char *line, size_t len)
{
	return xhttp_is_request_line(line, len);
}

static long process(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct xhttp_request req;
	const char *why = NULL, *reason;
	char src[80];
	int r = xhttp_parse_request(buf, len, arena, &req, &why), code;

	if (r == -EAGAIN) {
		/* RFC 7231 5.1.1: the client waits for this before it sends the body */
		if (req.head_done && req.expect_continue && req.minor >= 1 && !req.body_seen)
			ksr_tcp_send(rcv->conn, cont, sizeof(cont) - 1);
		return 0;
	}
	if (r < 0) {
		code = xhttp_refusal_status(r, &reason);
		LM_WARN("bad HTTP request from %s: %s, answering %d and closing the connection\n",
		        ksr_sockaddr_str((const struct sockaddr *)&rcv->src, src, sizeof(src)),
		        why ? why : "malformed", code);
		send_answer(rcv, arena, code, ksr_str_make((char *)reason, strlen(reason)),
		            KSR_STR_NULL, KSR_STR_NULL, false, false);
		return -EINVAL;
	}
	handle(&req, rcv, arena);
	return (long)req.used;
}

static const struct ksr_stream_handler handler = {
        .name = "xhttp",
        .claim = claim,
        .process = process,
};

/* --- $hu and {url.path}, {url.querystring} --- */

static int hu_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	if (msg->type != KSR_MSG_REQUEST) {
		ret->type = KSR_VAL_NULL;
		return 0;
	}
	ret->type = KSR_VAL_STR;
	ret->s = msg->first.req.uri;
	return 0;
}

enum { URL_PATH, URL_QUERY };

static int url_parse(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
                     const char **ret_err)
{
	if (ksr_str_eq(&spec, &KSR_STR_STATIC("path"))) {
		tr->subtype = URL_PATH;
	} else if (ksr_str_eq(&spec, &KSR_STR_STATIC("querystring"))) {
		tr->subtype = URL_QUERY;
	} else {
		*ret_err = "unknown transformation {url.*}: path or querystring";
		return -EINVAL;
	}
	return 0;
}

/* The path is what comes before '?', the query string what follows it. */
static int url_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	const char *q;

	if (val->type != KSR_VAL_STR)
		return -EINVAL;
	q = val->s.len ? memchr(val->s.s, '?', val->s.len) : NULL;
	if (tr->subtype == URL_PATH) {
		if (q)
			val->s.len = (size_t)(q - val->s.s);
	} else if (q) {
		val->s = ksr_str_make((char *)q + 1, val->s.len - (size_t)(q - val->s.s) - 1);
	} else {
		val->s = ksr_str_make(val->s.s + val->s.len, 0);
	}
	return 0;
}

/* --- module --- */

static int compile(const char *name, const char *re, regex_t *ret)
{
	char err[128];
	int r = regcomp(ret, re, REG_EXTENDED | REG_NOSUB);

	if (r) {
		regerror(r, ret, err, sizeof(err));
		LM_ERR("modparam %s \"%s\": %s\n", name, re, err);
		return -EINVAL;
	}
	return 0;
}

static void destroy(void)
{
	if (handler_set)
		ksr_receive_del_stream_handler(&handler);
	if (skip_set)
		regfree(&skip_re);
	if (match_set)
		regfree(&match_re);
	handler_set = skip_set = match_set = false;
}

static int mod_init(void)
{
	int r;

	if (url_skip && *url_skip) {
		if ((r = compile("url_skip", url_skip, &skip_re)) < 0)
			goto fail;
		skip_set = true;
	}
	if (url_match && *url_match) {
		if ((r = compile("url_match", url_match, &match_re)) < 0)
			goto fail;
		match_set = true;
	}
	if (event_callback && *event_callback)
		LM_WARN("modparam event_callback \"%s\" has no effect: no KEMI engine is loaded "
		        "(event_route[" EVENT_ROUTE "] runs)\n",
		        event_callback);
	if ((r = ksr_receive_add_stream_handler(&handler)) < 0) {
		LM_ERR("cannot register the HTTP handler: %s\n", strerror(-r));
		goto fail;
	}
	handler_set = true;
	if (!ksr_tcp_listener(AF_INET) && !ksr_tcp_listener(AF_INET6))
		LM_WARN("no TCP listener: no HTTP request can come (listen=tcp:...)\n");
	return 0;
fail:
	destroy();
	return r;
}

static const struct ksr_cmd_export cmds[] = {
        {"xhttp_reply",
         w_xhttp_reply,
         {KSR_PT_INT, KSR_PT_STR, KSR_PT_STR, KSR_PT_STR},
         NULL,
         KSR_ROUTE_EVENT | KSR_ROUTE_REQUEST},
        {0},
};

static const struct ksr_param_export params[] = {
        {"url_skip", KSR_MP_STR, &url_skip, NULL},
        {"url_match", KSR_MP_STR, &url_match, NULL},
        {"event_callback", KSR_MP_STR, &event_callback, NULL},
        {0},
};

static const struct ksr_pv_export pvs[] = {
        {.name = "hu", .get = hu_get},
        {0},
};

static const struct ksr_tr_export trans[] = {
        {.name = "url", .parse = url_parse, .apply = url_apply},
        {0},
};

static const struct ksr_api_export apis[] = {
        {XHTTP_API_NAME, &api},
        {0},
};

KSR_MODULE(.name = "xhttp", .cmds = cmds, .params = params, .pvs = pvs, .trans = trans,
           .apis = apis, .mod_init = mod_init, .destroy = destroy);
