/* Stateless replies: building them from the request and sending them back. */
#include "core/msg/reply.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "core/version.h"

bool ksr_server_signature = true;
struct ksr_str ksr_server_header = KSR_STR_STATIC("Server: " KSR_SERVER_SIGNATURE);

/* A growing output buffer over the message arena; the size is known beforehand. */
struct out {
	char *p;
	char *end;
};

static void put(struct out *o, const char *s, size_t n)
{
	memcpy(o->p, s, n);
	o->p += n;
}

static void put_str(struct out *o, struct ksr_str s)
{
	put(o, s.s, s.len);
}

static void put_cstr(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void src_ip(struct ksr_msg *req, char *buf, size_t size)
{
	const struct sockaddr_storage *ss = &req->rcv.src;

	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  (socklen_t)size);
	else if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
			  (socklen_t)size);
	else
		buf[0] = '\0';
}

static unsigned short src_port(struct ksr_msg *req)
{
	const struct sockaddr_storage *ss = &req->rcv.src;

	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return 0;
}

/* Whether the Via sent-by host is the address the request came from. */
static bool via_host_is_src(const struct ksr_via *via, const char *ip)
{
	unsigned char a[16], b[16];
	char host[64];
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (via->host.len >= sizeof(host))
		return false;
	memcpy(host, via->host.s, via->host.len);
	host[via->host.len] = '\0';
	if (inet_pton(af, host, a) != 1 || inet_pton(af, ip, b) != 1)
		return false;
	return memcmp(a, b, af == AF_INET6 ? 16 : 4) == 0;
}

/* One header line at s: a token name, a colon, a value without line breaks, CRLF. */
static size_t hdr_line_len(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && (isalnum((unsigned char)*p) || strchr("-.!%*_+`'~", *p)))
		p++;
	if (p == s)
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != ':')
		return 0;
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return 0;
	return (size_t)(p + 2 - s);
}

static void cat(char *t, size_t *n, struct ksr_str piece)
{
	if (piece.len) { /* an empty piece may have no pointer, which memcpy may not get */
		memcpy(t + *n, piece.s, piece.len);
		*n += piece.len;
	}
}

/* Append a, b, c to req->reply_hdrs (a new copy in the arena: they are short and few). */
static int add_reply_text(struct ksr_msg *req, struct ksr_str a, struct ksr_str b,
			  struct ksr_str c)
{
	char *t = ksr_arena_alloc(req->arena, req->reply_hdrs.len + a.len + b.len + c.len);
	size_t n = 0;

	if (!t)
		return -ENOMEM;
	cat(t, &n, req->reply_hdrs);
	cat(t, &n, a);
	cat(t, &n, b);
	cat(t, &n, c);
	req->reply_hdrs = ksr_str_make(t, n);
	return 0;
}

int ksr_reply_add_hdrs(struct ksr_msg *req, struct ksr_str lines)
{
	const char *p = lines.s, *end = ksr_str_end(lines);
	size_t n;

	if (lines.len == 0)
		return -EINVAL;
	for (; p < end; p += n)
		if (!(n = hdr_line_len(p, end)))
			return -EINVAL;
	return add_reply_text(req, lines, KSR_STR_NULL, KSR_STR_NULL);
}

int ksr_reply_set_body(struct ksr_msg *req, struct ksr_str body, struct ksr_str content_type)
{
	char *b;
	int r;

	if (req->reply_body_set)
		return -EEXIST;
	if (body.len == 0 || content_type.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < content_type.len; i++)
		if (content_type.s[i] == '\r' || content_type.s[i] == '\n')
			return -EINVAL;
	b = ksr_arena_alloc(req->arena, body.len);
	if (!b)
		return -ENOMEM;
	memcpy(b, body.s, body.len);
	r = add_reply_text(req, KSR_STR_STATIC("Content-Type: "), content_type,
			   KSR_STR_STATIC("\r\n"));
	if (r < 0)
		return r;
	req->reply_body = ksr_str_make(b, body.len);
	req->reply_body_set = true;
	return 0;
}

int ksr_reply_build(struct ksr_msg *req, unsigned int code, struct ksr_str reason,
		    struct ksr_str to_tag, struct ksr_str *ret_buf)
{
	char ip[INET6_ADDRSTRLEN], rport[8], status[4];
	struct ksr_via *via = NULL;
	struct ksr_nameaddr *to = NULL;
	bool add_received, add_tag = false;
	struct out o;
	size_t size;
	char *buf;
	int r;

	if (req->type != KSR_MSG_REQUEST || code < 100 || code > 699)
		return -EINVAL;
	r = ksr_msg_via1(req, &via);
	if (r < 0)
		return r;
	src_ip(req, ip, sizeof(ip));
	snprintf(rport, sizeof(rport), "%u", src_port(req));
	snprintf(status, sizeof(status), "%03u", code);
	/* RFC 3581 4: with rport, received is added even when equal to sent-by */
	add_received = ip[0] && (via->has_rport || req->force_rport || !via_host_is_src(via, ip));
	if (code > 100 && req->h_to && ksr_msg_to(req, &to) == 0 && !to->has_tag &&
	    to_tag.len)
		add_tag = true;

	size = 8 + 4 + reason.len + 2;
	for (struct ksr_hdr *h = req->headers; h; h = h->next) {
		if (h->type == KSR_HDR_VIA || h->type == KSR_HDR_FROM || h->type == KSR_HDR_TO ||
		    h->type == KSR_HDR_CALLID || h->type == KSR_HDR_CSEQ)
			size += h->line.len + 2; /* +2: a header without CRLF gets one */
	}
	size += sizeof(";received=") + sizeof(ip) + sizeof(";rport=") + sizeof(rport);
	size += sizeof(";tag=") + to_tag.len;
	size += req->reply_hdrs.len + req->reply_body.len;
	size += ksr_server_header.len + 2 + sizeof("Content-Length: 4294967295\r\n\r\n");
	buf = ksr_arena_alloc(req->arena, size);
	if (!buf)
		return -ENOMEM;
	o.p = buf;
	o.end = buf + size;

	put_cstr(&o, "SIP/2.0 ");
	put(&o, status, 3);
	put_cstr(&o, " ");
	put_str(&o, reason);
	put_cstr(&o, "\r\n");
	for (struct ksr_hdr *h = req->headers; h; h = h->next) {
		char *line_end = ksr_str_end(h->line);

		switch (h->type) {
		case KSR_HDR_VIA:
			if (h != req->h_via1) {
				put_str(&o, h->line);
				break;
			}
			/* the top Via value gets received/rport; later values are copied as is */
			if (via->has_rport) {
				put(&o, h->line.s, (size_t)(via->rport_name - h->line.s));
				put_cstr(&o, "rport=");
				put_cstr(&o, rport);
				put(&o, via->rport_end, (size_t)(via->end - via->rport_end));
			} else {
				put(&o, h->line.s, (size_t)(via->end - h->line.s));
				if (req->force_rport) { /* force_rport(): as if the UAC had asked */
					put_cstr(&o, ";rport=");
					put_cstr(&o, rport);
				}
			}
			if (add_received) {
				put_cstr(&o, ";received=");
				put_cstr(&o, ip);
			}
			put(&o, via->end, (size_t)(line_end - via->end));
			break;
		case KSR_HDR_TO:
			if (h != req->h_to)
				continue; /* single-valued: only the first */
			if (add_tag) {
				char *body_end = ksr_str_end(h->body);

				put(&o, h->line.s, (size_t)(body_end - h->line.s));
				put_cstr(&o, ";tag=");
				put_str(&o, to_tag);
				put(&o, body_end, (size_t)(line_end - body_end));
			} else {
				put_str(&o, h->line);
			}
			break;
		case KSR_HDR_FROM:
		case KSR_HDR_CALLID:
		case KSR_HDR_CSEQ:
			/* single-valued: only the first (a 400 may answer a request with two) */
			if (h != req->h_from && h != req->h_callid && h != req->h_cseq)
				continue;
			put_str(&o, h->line);
			break;
		default:
			continue;
		}
		/* a header that ended with a bare LF is completed with CRLF */
		if (o.p[-1] != '\n')
			put_cstr(&o, "\r\n");
		else if (o.p - buf >= 2 && o.p[-2] != '\r') {
			o.p[-1] = '\r';
			put_cstr(&o, "\n");
		}
	}
	if (req->reply_hdrs.len)
		put_str(&o, req->reply_hdrs);
	if (ksr_server_signature && ksr_server_header.len) {
		put_str(&o, ksr_server_header);
		put_cstr(&o, "\r\n");
	}
	o.p += snprintf(o.p, (size_t)(o.end - o.p), "Content-Length: %zu\r\n\r\n",
			req->reply_body.len);
	if (req->reply_body.len)
		put_str(&o, req->reply_body);
	ret_buf->s = buf;
	ret_buf->len = (size_t)(o.p - buf);
	return 0;
}

int ksr_reply_dest(struct ksr_msg *req, struct sockaddr_storage *ret_to, socklen_t *ret_len)
{
	struct ksr_via *via;
	unsigned short port;
	int r;

	r = ksr_msg_via1(req, &via);
	if (r < 0)
		return r;
	/* RFC 3581: rport means "to the source port"; otherwise the sent-by port */
	port = via->has_rport || req->force_rport ? src_port(req)
						   : (via->port ? via->port : KSR_SIP_PORT);
	*ret_to = req->rcv.src;
	*ret_len = req->rcv.src_len;
	if (ret_to->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ret_to)->sin6_port = htons(port);
	else if (ret_to->ss_family == AF_INET)
		((struct sockaddr_in *)ret_to)->sin_port = htons(port);
	else
		return -EAFNOSUPPORT;
	return 0;
}

static char tag_prefix[17];
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static void tag_prefix_init(void)
{
	unsigned char rnd[8];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x5a, sizeof(rnd));
	for (int i = 0; i < 8; i++)
		snprintf(tag_prefix + 2 * i, 3, "%02x", rnd[i]);
}

/*
 * FNV-1a: the tag only has to be stable for one request and differ between requests,
 * not be secret (the random prefix makes it unguessable), so a cryptographic hash would
 * only cost time on every reply.
 */
static unsigned int fnv1a(unsigned int h, struct ksr_str s)
{
	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.s[i];
		h *= 16777619u;
	}
	return h;
}

int ksr_reply_local_tag(struct ksr_msg *req, struct ksr_str *ret_tag)
{
	struct ksr_nameaddr *from = NULL;
	struct ksr_via *via = NULL;
	unsigned int h = 2166136261u;
	char *t;

	pthread_once(&tag_once, tag_prefix_init);
	if (req->h_callid)
		h = fnv1a(h, req->h_callid->body);
	if (ksr_msg_from(req, &from) == 0 && from->has_tag)
		h = fnv1a(h, from->tag);
	if (ksr_msg_via1(req, &via) == 0)
		h = fnv1a(h, via->branch);
	t = ksr_arena_alloc(req->arena, 16 + 1 + 8 + 1);
	if (!t)
		return -ENOMEM;
	snprintf(t, 16 + 1 + 8 + 1, "%s-%08x", tag_prefix, h);
	*ret_tag = ksr_str_make(t, 25);
	return 0;
}

long ksr_reply_code_parse(struct ksr_str s)
{
	long v = 0;

	if (!s.len || s.len > 3)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return -1;
		v = v * 10 + (s.s[i] - '0');
	}
	return v;
}

bool ksr_reply_reason_ok(struct ksr_str reason)
{
	return !memchr(reason.s, '\r', reason.len) && !memchr(reason.s, '\n', reason.len);
}

bool ksr_reply_is_local_tag(struct ksr_str tag)
{
	pthread_once(&tag_once, tag_prefix_init);
	return tag.len == 25 && !memcmp(tag.s, tag_prefix, 16) && tag.s[16] == '-';
}

int ksr_reply_send(struct ksr_msg *req, unsigned int code, struct ksr_str reason)
{
	struct sockaddr_storage to;
	struct ksr_str tag = KSR_STR_NULL, out;
	socklen_t to_len;
	char dst[80];
	int r;

	if (!req->rcv.listener)
		return -ENOTCONN;
	r = ksr_reply_local_tag(req, &tag);
	if (r < 0)
		return r;
	r = ksr_reply_build(req, code, reason, tag, &out);
	if (r < 0)
		return r;
	r = ksr_reply_dest(req, &to, &to_len);
	if (r < 0)
		return r;
	/* RFC 3261 18.2.2: over a connection, the reply goes back on it */
	r = req->rcv.conn ? ksr_tcp_send(req->rcv.conn, out.s, out.len)
			  : ksr_udp_send(req->rcv.listener, (struct sockaddr *)&to, to_len, out.s,
					 out.len);
	if (r < 0) {
		LM_ERR("sending %u reply to %s failed: %s\n", code,
		       ksr_sockaddr_str((struct sockaddr *)&to, dst, sizeof(dst)), strerror(-r));
		return r;
	}
	req->replied = true;
	/* set_reply_close(): the connection goes once this request is handled */
	if (req->reply_close && req->rcv.conn)
		ksr_tcp_close_after(req->rcv.conn);
	return 0;
}
