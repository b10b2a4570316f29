/*
 * The core's own script functions (flags, Request-URI rewriting, force_rport), declared
 * in an export table like any module's, so that one table serves every engine.
 */
#include "core/route/core_cmds.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"

#define MAX_FLAG 31

static int fixup_flag(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > MAX_FLAG)) {
		*ret_err = "a flag is a number from 0 to 31";
		return -EINVAL;
	}
	return 0;
}

static bool flag_ok(long f)
{
	if (f < 0 || f > MAX_FLAG) {
		LM_ERR("flag %ld out of range 0..%d\n", f, MAX_FLAG);
		return false;
	}
	return true;
}

static int w_setflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!flag_ok(p[0].i))
		return -1;
	msg->flags |= 1u << p[0].i;
	return 1;
}

static int w_resetflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!flag_ok(p[0].i))
		return -1;
	msg->flags &= ~(1u << p[0].i);
	return 1;
}

static int w_isflagset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!flag_ok(p[0].i))
		return -1;
	return (msg->flags & (1u << p[0].i)) ? 1 : -1;
}

/*
 * Branch flags: branch 0 is the request itself ($bf), 1.. the branches append_branch
 * added. The flags of branch n, or NULL when it does not exist.
 */
static unsigned int *branch_flags(struct ksr_msg *msg, const struct ksr_fparam *p, int n)
{
	struct ksr_branch *b;

	if (!flag_ok(p[0].i))
		return NULL;
	if (n < 2 || p[1].i == 0)
		return &msg->bflags;
	if (p[1].i < 0 || !(b = ksr_dset_get(msg, (unsigned int)p[1].i))) {
		LM_ERR("branch %ld does not exist (%u branches)\n", p[1].i, msg->nbranches + 1);
		return NULL;
	}
	return &b->flags;
}

static int bflag_op(struct ksr_msg *msg, const struct ksr_fparam *p, int n, int op)
{
	unsigned int *f = branch_flags(msg, p, n);

	if (!f)
		return -1;
	if (op > 0)
		*f |= 1u << p[0].i;
	else if (op < 0)
		*f &= ~(1u << p[0].i);
	else
		return (*f & (1u << p[0].i)) ? 1 : -1;
	return 1;
}

static int w_setbflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 1, 1);
}

static int w_setbflag2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 2, 1);
}

static int w_resetbflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 1, -1);
}

static int w_resetbflag2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 2, -1);
}

static int w_isbflagset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 1, 0);
}

static int w_isbflagset2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return bflag_op(msg, p, 2, 0);
}

static int w_isdsturiset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return msg->dst_uri.len ? 1 : -1;
}

static int w_seturi(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_uri u;

	if (ksr_uri_parse(p[0].s, &u) < 0) {
		LM_ERR("not a valid URI: '%.*s'\n", KSR_STR_FMT(p[0].s));
		return -1;
	}
	return ksr_msg_set_ruri(msg, p[0].s) < 0 ? -1 : 1;
}

static int w_revert_uri(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	ksr_msg_reset_ruri(msg);
	return 1;
}

enum part { USER, HOST, PORT, HOSTPORT, PREFIX, STRIP, STRIP_TAIL };

/* Rewrite one part of the current Request-URI and set the result as the new one. */
static int rewrite(struct ksr_msg *msg, enum part part, struct ksr_str val, long n)
{
	struct ksr_str cur = ksr_msg_cur_ruri(msg), user, host, port;
	struct ksr_uri u;
	size_t size;
	char *out;
	int len;

	if (msg->type != KSR_MSG_REQUEST || ksr_uri_parse(cur, &u) < 0 ||
	    (u.scheme != KSR_URI_SIP && u.scheme != KSR_URI_SIPS)) {
		LM_ERR("the Request-URI is not a sip/sips URI: cannot rewrite it\n");
		return -1;
	}
	user = u.user;
	host = u.host;
	port = u.port_str;
	switch (part) {
	case USER: user = val; break;
	case HOST: host = val; break;
	case PORT: port = val; break;
	case HOSTPORT: host = val; port = KSR_STR_NULL; break;
	case PREFIX: break;
	case STRIP:
	case STRIP_TAIL:
		if (n < 0 || (size_t)n > user.len) {
			LM_ERR("cannot strip %ld characters from a user of %zu\n", n, user.len);
			return -1;
		}
		if (part == STRIP)
			user.s += n;
		user.len -= (size_t)n;
		break;
	}
	size = cur.len + val.len + 8;
	out = ksr_arena_alloc(msg->arena, size);
	if (!out)
		return -1;
	len = 0;
#define PUT(x)                                                                             \
	do {                                                                               \
		memcpy(out + len, (x).s, (x).len);                                         \
		len += (int)(x).len;                                                       \
	} while (0)
	PUT(u.scheme_str);
	PUT(KSR_STR_STATIC(":"));
	if (part == PREFIX)
		PUT(val);
	PUT(user);
	if (u.passwd.s) {
		PUT(KSR_STR_STATIC(":"));
		PUT(u.passwd);
	}
	if (user.len || (part == PREFIX && val.len))
		PUT(KSR_STR_STATIC("@"));
	PUT(host);
	if (port.len) {
		PUT(KSR_STR_STATIC(":"));
		PUT(port);
	}
	if (u.params.len) {
		PUT(KSR_STR_STATIC(";"));
		PUT(u.params);
	}
	if (u.headers.len) {
		PUT(KSR_STR_STATIC("?"));
		PUT(u.headers);
	}
#undef PUT
	if (ksr_uri_parse(ksr_str_make(out, (size_t)len), &u) < 0) {
		LM_ERR("the rewritten Request-URI is not valid: '%.*s'\n", len, out);
		return -1;
	}
	return ksr_msg_set_ruri(msg, ksr_str_make(out, (size_t)len)) < 0 ? -1 : 1;
}

static int w_setuser(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, USER, p[0].s, 0);
}

static int w_sethost(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, HOST, p[0].s, 0);
}

static int w_setport(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, PORT, p[0].s, 0);
}

static int w_sethostport(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, HOSTPORT, p[0].s, 0);
}

static int w_prefix(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, PREFIX, p[0].s, 0);
}

static int w_strip(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, STRIP, KSR_STR_NULL, p[0].i);
}

static int w_strip_tail(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rewrite(msg, STRIP_TAIL, KSR_STR_NULL, p[0].i);
}

/* forward(): to $du when set, else to the Request-URI; forward_udp/tcp force the transport. */
static int forward_dflt(struct ksr_msg *msg, int proto)
{
	return ksr_forward_request(msg, msg->dst_uri.len ? msg->dst_uri : ksr_msg_cur_ruri(msg),
				   proto) < 0
		       ? -1
		       : 1;
}

/* forward(host[, port]): "host" may also be a whole sip: URI. */
static int forward_to(struct ksr_msg *msg, struct ksr_str host, long port, int proto)
{
	char *uri;
	int n;

	if (port < 0 || port > 65535) {
		LM_ERR("forward: bad port %ld\n", port);
		return -1;
	}
	if (port == 0 && host.len > 4 && !strncasecmp(host.s, "sip:", 4))
		return ksr_forward_request(msg, host, proto) < 0 ? -1 : 1;
	uri = ksr_arena_alloc(msg->arena, host.len + 16);
	if (!uri)
		return -1;
	n = port ? snprintf(uri, host.len + 16, "sip:%.*s:%ld", KSR_STR_FMT(host), port)
		 : snprintf(uri, host.len + 16, "sip:%.*s", KSR_STR_FMT(host));
	return ksr_forward_request(msg, ksr_str_make(uri, (size_t)n), proto) < 0 ? -1 : 1;
}

static int w_forward(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_dflt(msg, 0);
}

static int w_forward1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, 0, 0);
}

static int w_forward2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, p[1].i, 0);
}

static int w_forward_udp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_dflt(msg, IPPROTO_UDP);
}

static int w_forward_udp1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, 0, IPPROTO_UDP);
}

static int w_forward_udp2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, p[1].i, IPPROTO_UDP);
}

static int w_forward_tcp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_dflt(msg, IPPROTO_TCP);
}

static int w_forward_tcp1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, 0, IPPROTO_TCP);
}

static int w_forward_tcp2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return forward_to(msg, p[0].s, p[1].i, IPPROTO_TCP);
}

/*
 * force_send_socket([proto:]addr[:port]): send from that listener (written bare or
 * quoted). One we do not listen on is an error when the function runs: -1.
 */
static int w_force_send_socket(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	char spec[300];
	struct ksr_listener *l;

	if (p[0].s.len >= sizeof(spec)) {
		LM_ERR("force_send_socket: address too long\n");
		return -1;
	}
	memcpy(spec, p[0].s.s, p[0].s.len);
	spec[p[0].s.len] = '\0';
	l = ksr_listener_find(spec);
	if (!l) {
		LM_ERR("force_send_socket: %s is not one of our sockets\n", spec);
		return -1;
	}
	msg->send_socket = l;
	return 1;
}

/* log([level,] text): the text as written (no pseudo-variables), at L_DBG+1 by default */
static int do_log(long level, struct ksr_str text)
{
	if (level <= ksr_log_level)
		ksr_log((int)level, "script", "log", "%.*s", KSR_STR_FMT(text));
	return 1;
}

static int w_log1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return do_log(L_DBG + 1, p[0].s);
}

static int w_log2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return do_log(p[0].i, p[1].s);
}

static int fixup_log(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (n == 2 && (p[0].dynamic || p[0].i < 0)) {
		*ret_err = "the level of log() is a number from 0 (L_WARN) up";
		return -EINVAL;
	}
	return 0;
}

/* Transport options of this message: they act where it is sent (net/forward.c, reply.c). */
static int w_add_local_rport(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->local_rport = true;
	return 1;
}

static int w_set_forward_no_connect(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->fwd_no_connect = true;
	return 1;
}

static int w_set_forward_close(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->fwd_close = true;
	return 1;
}

static int w_set_reply_close(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->reply_close = true;
	return 1;
}

/* Our replies never open a connection: they go back on the request's, or over UDP. */
static int w_set_reply_no_connect(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return 1;
}

static int w_force_rport(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->force_rport = true;
	return 1;
}

#define REQ KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH

static const struct ksr_cmd_export cmds[] = {
	{"setflag", w_setflag, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"resetflag", w_resetflag, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"isflagset", w_isflagset, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"setbflag", w_setbflag, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"setbflag", w_setbflag2, {KSR_PT_INT, KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"resetbflag", w_resetbflag, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"resetbflag", w_resetbflag2, {KSR_PT_INT, KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"isbflagset", w_isbflagset, {KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"isbflagset", w_isbflagset2, {KSR_PT_INT, KSR_PT_INT}, fixup_flag, KSR_ROUTE_ANY},
	{"isdsturiset", w_isdsturiset, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
	{"seturi", w_seturi, {KSR_PT_STR}, NULL, REQ},
	{"rewriteuri", w_seturi, {KSR_PT_STR}, NULL, REQ},
	{"setuser", w_setuser, {KSR_PT_STR}, NULL, REQ},
	{"rewriteuser", w_setuser, {KSR_PT_STR}, NULL, REQ},
	{"sethost", w_sethost, {KSR_PT_STR}, NULL, REQ},
	{"rewritehost", w_sethost, {KSR_PT_STR}, NULL, REQ},
	{"setport", w_setport, {KSR_PT_STR}, NULL, REQ},
	{"rewriteport", w_setport, {KSR_PT_STR}, NULL, REQ},
	{"sethostport", w_sethostport, {KSR_PT_STR}, NULL, REQ},
	{"rewritehostport", w_sethostport, {KSR_PT_STR}, NULL, REQ},
	{"prefix", w_prefix, {KSR_PT_STR}, NULL, REQ},
	{"strip", w_strip, {KSR_PT_INT}, NULL, REQ},
	{"strip_tail", w_strip_tail, {KSR_PT_INT}, NULL, REQ},
	{"revert_uri", w_revert_uri, {KSR_PT_NONE}, NULL, REQ},
	{"forward", w_forward, {KSR_PT_NONE}, NULL, REQ},
	{"forward", w_forward1, {KSR_PT_STR}, NULL, REQ},
	{"forward", w_forward2, {KSR_PT_STR, KSR_PT_INT}, NULL, REQ},
	{"forward_udp", w_forward_udp, {KSR_PT_NONE}, NULL, REQ},
	{"forward_udp", w_forward_udp1, {KSR_PT_STR}, NULL, REQ},
	{"forward_udp", w_forward_udp2, {KSR_PT_STR, KSR_PT_INT}, NULL, REQ},
	{"forward_tcp", w_forward_tcp, {KSR_PT_NONE}, NULL, REQ},
	{"forward_tcp", w_forward_tcp1, {KSR_PT_STR}, NULL, REQ},
	{"forward_tcp", w_forward_tcp2, {KSR_PT_STR, KSR_PT_INT}, NULL, REQ},
	{"force_send_socket", w_force_send_socket, {KSR_PT_STR}, NULL, REQ},
	{"force_rport", w_force_rport, {KSR_PT_NONE}, NULL, KSR_ROUTE_REQUEST | KSR_ROUTE_BRANCH},
	{"log", w_log1, {KSR_PT_RAW}, NULL, KSR_ROUTE_ANY},
	{"log", w_log2, {KSR_PT_INT, KSR_PT_RAW}, fixup_log, KSR_ROUTE_ANY},
	{"add_local_rport", w_add_local_rport, {KSR_PT_NONE}, NULL, REQ},
	{"set_forward_no_connect", w_set_forward_no_connect, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
	{"set_forward_close", w_set_forward_close, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
	{"set_reply_no_connect", w_set_reply_no_connect, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
	{"set_reply_close", w_set_reply_close, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
	{0},
};

static const struct ksr_module_exports core_exports = {
	.abi_version = KSR_MODULE_ABI_VERSION,
	.struct_size = sizeof(struct ksr_module_exports),
	.name = "core",
	.cmds = cmds,
};

int ksr_core_cmds_register(void)
{
	return ksr_module_register_builtin(&core_exports);
}
