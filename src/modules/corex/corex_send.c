/*
 * corex: sending as is. send_udp/send_tcp send the received message unchanged (no Via
 * added), send_data/sendx send arbitrary text to a SIP URI's address, forward_reply relays
 * a reply on demand. All go through the core's send layer (core/net/forward.h), so TCP
 * reuses the connection we have with the peer.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "corex.h"

/* "host[:port]" (an IP, [IPv6] or a name) as a sip: URI in the message's arena. */
static int hostport_uri(struct ksr_msg *msg, struct ksr_str hp, struct ksr_str *ret)
{
	size_t size = hp.len + sizeof("sip:");
	char *u;

	if (!hp.len || memchr(hp.s, ';', hp.len) || memchr(hp.s, '@', hp.len)) {
		LM_ERR("bad destination '%.*s': host[:port] expected\n", KSR_STR_FMT(hp));
		return -EINVAL;
	}
	u = ksr_arena_alloc(msg->arena, size);
	if (!u)
		return -ENOMEM;
	*ret = ksr_str_make(u, (size_t)snprintf(u, size, "sip:%.*s", KSR_STR_FMT(hp)));
	return 0;
}

/* The received message, unchanged, to dest (or $du / the R-URI), over proto. */
static int send_as_is(struct ksr_msg *msg, const struct ksr_fparam *p, int n, int proto)
{
	struct ksr_str uri;
	struct ksr_dest d;

	if (n) {
		if (hostport_uri(msg, p[0].s, &uri) < 0)
			return -1;
	} else if (msg->dst_uri.len) {
		uri = msg->dst_uri;
	} else if (msg->type == KSR_MSG_REQUEST) {
		uri = ksr_msg_cur_ruri(msg);
	} else {
		LM_ERR("no destination: a reply has no R-URI and $du is not set\n");
		return -1;
	}
	if (ksr_dest_from_uri(uri, proto, &d) < 0)
		return -1;
	return ksr_dest_send(&d, msg->send_socket, msg->buf, msg->len) < 0 ? -1 : 1;
}

int corex_w_send_udp0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return send_as_is(msg, p, 0, IPPROTO_UDP);
}

int corex_w_send_udp1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return send_as_is(msg, p, 1, IPPROTO_UDP);
}

int corex_w_send_tcp0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return send_as_is(msg, p, 0, IPPROTO_TCP);
}

int corex_w_send_tcp1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return send_as_is(msg, p, 1, IPPROTO_TCP);
}

/* data to the address of a SIP URI, over the transport it names, from socket from. */
static int send_data(struct ksr_str uri, struct ksr_listener *from, struct ksr_str data)
{
	struct ksr_dest d;

	if (!data.len) {
		LM_ERR("nothing to send to '%.*s'\n", KSR_STR_FMT(uri));
		return -1;
	}
	if (ksr_dest_from_uri(uri, 0, &d) < 0)
		return -1;
	return ksr_dest_send(&d, from, data.s, data.len) < 0 ? -1 : 1;
}

int corex_w_send_data(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return send_data(p[0].s, NULL, p[1].s);
}

int corex_w_sendx(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct corex_sockaddr a;
	struct ksr_listener *l;
	const char *err = NULL;

	if (corex_sockaddr_parse(p[1].s, &a, &err) < 0) {
		LM_ERR("sendx: bad socket '%.*s': %s\n", KSR_STR_FMT(p[1].s), err);
		return -1;
	}
	if (!(l = corex_listener_match(&a))) {
		LM_ERR("sendx: no local socket matches '%.*s'\n", KSR_STR_FMT(p[1].s));
		return -1;
	}
	return send_data(p[0].s, l, p[2].s);
}

int corex_w_forward_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (msg->type != KSR_MSG_REPLY)
		return -1;
	return ksr_forward_reply(msg) < 0 ? -1 : 1;
}
