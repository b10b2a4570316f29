/*
 * Stateless forwarding: a request to its destination with our Via on top, a reply to the
 * address its next Via names (RFC 3261 16.11, 18.2.2; RFC 3581), over UDP or TCP.
 */
#include "core/net/forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "core/cfg/cfg.h"
#include "core/core_stats.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"

/* host (a name, an IP, or [IPv6]) and port to a socket address, by getaddrinfo. */
static int resolve(struct ksr_str host, unsigned short port, struct sockaddr_storage *ret,
		   socklen_t *ret_len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char name[256], serv[8];
	int r;

	if (host.len >= 2 && host.s[0] == '[' && host.s[host.len - 1] == ']') {
		host.s++;
		host.len -= 2;
	}
	if (host.len == 0 || host.len >= sizeof(name))
		return -EINVAL;
	memcpy(name, host.s, host.len);
	name[host.len] = '\0';
	/* an IP address, the usual case of a proxy's next hop, needs no resolver */
	memset(ret, 0, sizeof(*ret));
	if (inet_pton(AF_INET, name, &((struct sockaddr_in *)ret)->sin_addr) == 1) {
		ret->ss_family = AF_INET;
		((struct sockaddr_in *)ret)->sin_port = htons(port);
		*ret_len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, name, &((struct sockaddr_in6 *)ret)->sin6_addr) == 1) {
		ret->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ret)->sin6_port = htons(port);
		*ret_len = sizeof(struct sockaddr_in6);
		return 0;
	}
	snprintf(serv, sizeof(serv), "%u", port);
	r = getaddrinfo(name, serv, &hints, &ai);
	if (r != 0 || !ai) {
		LM_ERR("cannot resolve '%s': %s\n", name, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	memcpy(ret, ai->ai_addr, ai->ai_addrlen);
	*ret_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* The UDP listener to send from: the one the message came in on when the family fits. */
static struct ksr_listener *pick_listener(const struct ksr_msg *msg, int family)
{
	if (msg && msg->rcv.listener && msg->rcv.listener->proto == IPPROTO_UDP &&
	    msg->rcv.listener->addr.ss_family == family)
		return msg->rcv.listener;
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next)
		if (l->proto == IPPROTO_UDP && l->addr.ss_family == family)
			return l;
	return NULL;
}

/*
 * A stateless proxy must give a request and its retransmissions the same branch (RFC 3261
 * 16.11): derived from what identifies the transaction. FNV-1a: the value only has to be
 * stable and spread, not secret.
 */
static unsigned int mix(unsigned int h, struct ksr_str s)
{
	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.s[i];
		h *= 16777619u;
	}
	return h;
}

static int stateless_branch(struct ksr_msg *msg, char *buf, size_t size, struct ksr_str *ret)
{
	unsigned int h = 2166136261u;
	static const char hex[] = "0123456789abcdef";
	static const char prefix[] = "z9hG4bKsl";
	struct ksr_cseq *cseq;
	struct ksr_via *via;
	unsigned char num[4];

	if (ksr_msg_via1(msg, &via) < 0 || ksr_msg_cseq(msg, &cseq) < 0)
		return -EINVAL;
	h = mix(h, via->branch);
	if (msg->h_callid)
		h = mix(h, msg->h_callid->body);
	/*
	 * The CSeq number, not its method: an ACK for a non-2xx and a CANCEL carry their
	 * INVITE's branch (RFC 3261 17.1.1.3, 9.1), so they must hash alike.
	 */
	for (int i = 0; i < 4; i++)
		num[i] = (unsigned char)(cseq->number >> (8 * i));
	h = mix(h, ksr_str_make((char *)num, sizeof(num)));
	h = mix(h, ksr_msg_cur_ruri(msg));
	/* per message: formatted by hand, printf's machinery costs more than the hash */
	if (size < sizeof(prefix) + 8)
		return -EINVAL;
	memcpy(buf, prefix, sizeof(prefix) - 1);
	for (int i = 0; i < 8; i++)
		buf[sizeof(prefix) - 1 + i] = hex[(h >> (28 - 4 * i)) & 15];
	buf[sizeof(prefix) + 7] = '\0';
	*ret = ksr_str_make(buf, sizeof(prefix) - 1 + 8);
	return 0;
}

int ksr_dest_from_uri(struct ksr_str uri, int proto, struct ksr_dest *ret)
{
	struct ksr_uri u;
	unsigned short port;

	if (ksr_uri_parse(uri, &u) < 0 || (u.scheme != KSR_URI_SIP && u.scheme != KSR_URI_SIPS)) {
		LM_ERR("cannot send to '%.*s': not a sip/sips URI\n", KSR_STR_FMT(uri));
		return -EINVAL;
	}
	if (!proto) {
		if (u.scheme == KSR_URI_SIPS) {
			proto = 0;
		} else if (!u.transport.len || ksr_str_caseeq_cstr(&u.transport, "udp")) {
			proto = IPPROTO_UDP;
		} else if (ksr_str_caseeq_cstr(&u.transport, "tcp")) {
			proto = IPPROTO_TCP;
		}
		if (!proto) {
			LM_ERR("cannot send to '%.*s': only UDP and TCP are available so far\n",
			       KSR_STR_FMT(uri));
			return -EPROTONOSUPPORT;
		}
	}
	ret->proto = proto;
	ret->flags = 0;
	/* maddr, when given, is where the request goes (RFC 3261 19.1.1) */
	port = u.port ? u.port : KSR_SIP_PORT;
	return resolve(u.maddr.len ? u.maddr : u.host, port, &ret->to, &ret->to_len);
}

int ksr_dest_send(const struct ksr_dest *d, struct ksr_listener *from, const char *buf,
		  size_t len)
{
	char dst[80];
	int r;

	if (from && (from->proto != d->proto || from->addr.ss_family != d->to.ss_family))
		from = NULL;
	if (d->proto == IPPROTO_TCP) {
		r = ksr_tcp_send_to(from, (const struct sockaddr *)&d->to, d->to_len, buf, len,
				    d->flags);
	} else if (!from && !(from = pick_listener(NULL, d->to.ss_family))) {
		r = -ENETUNREACH;
	} else {
		r = ksr_udp_send(from, (const struct sockaddr *)&d->to, d->to_len, buf, len);
	}
	if (r < 0)
		LM_ERR("sending to %s:%s failed: %s\n", d->proto == IPPROTO_TCP ? "tcp" : "udp",
		       ksr_sockaddr_str((const struct sockaddr *)&d->to, dst, sizeof(dst)),
		       strerror(-r));
	return r;
}

static ksr_forward_hook_fn hooks[KSR_MAX_FORWARD_HOOKS];
static int nhooks;

int ksr_forward_add_hook(ksr_forward_hook_fn fn)
{
	for (int i = 0; i < nhooks; i++)
		if (hooks[i] == fn)
			return 0;
	if (nhooks == KSR_MAX_FORWARD_HOOKS)
		return -ENOSPC;
	hooks[nhooks++] = fn;
	return 0;
}

void ksr_forward_del_hook(ksr_forward_hook_fn fn)
{
	for (int i = 0; i < nhooks; i++) {
		if (hooks[i] == fn) {
			memmove(&hooks[i], &hooks[i + 1], (size_t)(nhooks - i - 1) * sizeof(hooks[0]));
			nhooks--;
			return;
		}
	}
}

int ksr_forward_run_hooks(struct ksr_msg *msg, const struct ksr_listener *out)
{
	int r = 0;

	for (int i = 0; i < nhooks && r >= 0; i++)
		r = hooks[i](msg, out);
	return r < 0 ? r : 0;
}

struct ksr_listener *ksr_forward_listener(const struct ksr_msg *msg, const struct ksr_dest *d)
{
	struct ksr_listener *l = msg->send_socket;

	if (l && l->proto == d->proto && l->addr.ss_family == d->to.ss_family)
		return l;
	if (l) {
		LM_WARN("the forced send socket %s:%s:%u does not fit the destination: ignored\n",
			l->proto == IPPROTO_TCP ? "tcp" : "udp", l->host, l->port);
	}
	if (d->proto == IPPROTO_UDP)
		return pick_listener(msg, d->to.ss_family);
	l = msg->rcv.listener;
	if (l && l->proto == IPPROTO_TCP && l->addr.ss_family == d->to.ss_family)
		return l;
	return ksr_tcp_listener(d->to.ss_family);
}

int ksr_forward_via(struct ksr_msg *msg, const struct ksr_listener *l, struct ksr_str branch,
		    struct ksr_str *ret_line)
{
	/* the Via names the address we advertise, when there is one */
	return ksr_via_build(msg->arena, l->proto == IPPROTO_TCP ? "TCP" : "UDP",
			     l->adv_host[0] ? l->adv_host : l->host, l->adv_port ? l->adv_port : l->port,
			     branch, msg->local_rport,
			     msg->via_srvid ? (unsigned int)ksr_core_cfg.server_id : 0, ret_line);
}

void ksr_forward_dest_flags(const struct ksr_msg *msg, struct ksr_dest *d)
{
	d->flags = (msg->fwd_no_connect ? KSR_DEST_NO_CONNECT : 0) |
		   (msg->fwd_close ? KSR_DEST_CLOSE : 0);
}

int ksr_forward_request(struct ksr_msg *msg, struct ksr_str target, int proto)
{
	struct ksr_listener *l;
	struct ksr_str branch, via, out;
	struct ksr_edit *edits;
	unsigned int nedits;
	struct ksr_dest d;
	char bbuf[32];
	bool tcp;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	if ((r = ksr_dest_from_uri(target, proto, &d)) < 0)
		return r;
	tcp = d.proto == IPPROTO_TCP;
	ksr_forward_dest_flags(msg, &d);
	l = ksr_forward_listener(msg, &d);
	if (!l) {
		LM_ERR("no %s listener for the address family of '%.*s'\n", tcp ? "TCP" : "UDP",
		       KSR_STR_FMT(target));
		return -ENETUNREACH;
	}
	/* the hooks' edits are for this copy only: the list is put back once it is built */
	edits = msg->edits;
	nedits = msg->nedits;
	r = ksr_forward_run_hooks(msg, l);
	if (r >= 0 && (r = stateless_branch(msg, bbuf, sizeof(bbuf), &branch)) >= 0 &&
	    (r = ksr_forward_via(msg, l, branch, &via)) >= 0)
		r = ksr_msg_build_fwd_request(msg, via, tcp ? KSR_BUILD_STREAM : 0, &out);
	msg->edits = edits;
	msg->nedits = nedits;
	if (r < 0 || (r = ksr_dest_send(&d, l, out.s, out.len)) < 0)
		return r;
	ksr_core_stat_inc(KSR_STAT_FWD_REQUESTS);
	return 0;
}

/* Where a reply goes: received/rport of the Via, else its sent-by (RFC 3261 18.2.2). */
static int reply_target(const struct ksr_via *v, struct ksr_str *ret_host,
			unsigned short *ret_port)
{
	unsigned long port = 0;

	*ret_host = v->has_received && v->received.len ? v->received : v->host;
	for (size_t i = 0; i < v->rport.len; i++) {
		if (v->rport.s[i] < '0' || v->rport.s[i] > '9')
			return -EINVAL;
		port = port * 10 + (unsigned long)(v->rport.s[i] - '0');
		if (port > 65535)
			return -EINVAL;
	}
	*ret_port = port ? (unsigned short)port : (v->port ? v->port : KSR_SIP_PORT);
	return 0;
}

int ksr_forward_reply(struct ksr_msg *msg)
{
	struct ksr_via *via1, *via2;
	struct ksr_str host, out;
	struct ksr_dest d;
	unsigned short port;
	int r;

	if (msg->type != KSR_MSG_REPLY || ksr_msg_via1(msg, &via1) < 0)
		return -EINVAL;
	/* only a reply to what we sent: its top Via is ours */
	if (!ksr_listener_is_local(via1->host, via1->port)) {
		LM_DBG("reply whose top Via is not ours: dropped\n");
		return -ENOENT;
	}
	if (ksr_msg_via2(msg, &via2) < 0) {
		LM_DBG("reply with no second Via: it was for us, dropped\n");
		return -ENOENT;
	}
	d.flags = 0;
	if (ksr_str_caseeq_cstr(&via2->transport, "UDP")) {
		d.proto = IPPROTO_UDP;
	} else if (ksr_str_caseeq_cstr(&via2->transport, "TCP")) {
		d.proto = IPPROTO_TCP;
	} else {
		LM_ERR("cannot relay a reply over %.*s: only UDP and TCP are available so far\n",
		       KSR_STR_FMT(via2->transport));
		return -EPROTONOSUPPORT;
	}
	/*
	 * Over TCP received/rport name the connection the request came on, which is reused
	 * when it is still open (RFC 3261 18.2.2); else a new one goes to that address.
	 */
	if ((r = reply_target(via2, &host, &port)) < 0 ||
	    (r = resolve(host, port, &d.to, &d.to_len)) < 0)
		return r;
	if ((r = ksr_msg_build_fwd_reply(msg, d.proto == IPPROTO_TCP ? KSR_BUILD_STREAM : 0,
					 &out)) < 0)
		return r;
	r = ksr_dest_send(&d, d.proto == IPPROTO_UDP ? pick_listener(msg, d.to.ss_family) : NULL,
			  out.s, out.len);
	if (r == 0)
		ksr_core_stat_inc(KSR_STAT_FWD_REPLIES);
	return r;
}
