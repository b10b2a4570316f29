/*
 * libFuzzer target: a received datagram down the receive path (core/receive.c): parse,
 * receive-time check, the stateless reply when one is due (which our own parser must
 * accept again), then every header accessor of core/parser/msg.h and hdr.h.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "core/mem/arena.h"
#include "core/msg/check.h"
#include "core/msg/reply.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "fuzz-util.h"

/* Everything below points into the message buffer. */
#define IN_MSG(msg, s) FUZZ_CHECK_IN((s), (msg)->buf, (msg)->len)

static void touch_uri(struct ksr_str text)
{
	struct ksr_uri u;

	if (text.len && ksr_uri_parse(text, &u) == 0) {
		FUZZ_CHECK_IN(u.host, text.s, text.len);
		FUZZ_CHECK_IN(u.params, text.s, text.len);
		FUZZ_CHECK(ksr_uri_equal(&u, &u));
	}
}

static void touch_params(struct ksr_msg *msg, const struct ksr_param *p)
{
	for (; p; p = p->next) {
		IN_MSG(msg, p->name);
		IN_MSG(msg, p->value);
	}
}

/*
 * The stand-alone parser of a header's type on a copy of its body of exactly its size:
 * in the message a body is always followed by its CRLF, which would hide a read past it.
 */
static void parse_alone(struct ksr_msg *msg, struct ksr_hdr *h)
{
	struct ksr_arena *a = msg->arena;
	char *copy = fuzz_copy((const uint8_t *)h->body.s, h->body.len);
	struct ksr_str b = ksr_str_make(copy, h->body.len);
	union {
		struct ksr_via *via;
		struct ksr_nameaddr *fromto;
		struct ksr_addr *addr;
		struct ksr_contacts *contacts;
		struct ksr_diversion *div;
		struct ksr_credentials *cred;
		struct ksr_challenge *chal;
		struct ksr_content_type *ct;
		struct ksr_event *ev;
		struct ksr_media_range *mr;
		struct ksr_token *tok;
		struct ksr_param *prm;
	} r;
	struct ksr_nameaddr na;
	struct ksr_cseq cseq;
	struct ksr_str s;
	unsigned int u;
	uint32_t secs;
	time_t t;

	if (!copy)
		return;
	switch (h->type) {
	case KSR_HDR_VIA:
		if (ksr_parse_via(b, a, &r.via) == 0)
			for (; r.via; r.via = r.via->next) {
				FUZZ_CHECK_IN(r.via->host, b.s, b.len);
				FUZZ_CHECK_IN(r.via->branch, b.s, b.len);
				FUZZ_CHECK(r.via->end >= b.s && r.via->end <= b.s + b.len);
			}
		break;
	case KSR_HDR_FROM:
	case KSR_HDR_TO:
		if (ksr_parse_nameaddr(b, &na) == 0) {
			FUZZ_CHECK_IN(na.uri, b.s, b.len);
			FUZZ_CHECK_IN(na.tag, b.s, b.len);
			touch_uri(na.uri);
		}
		if (ksr_parse_fromto(b, a, &r.fromto) == 0)
			FUZZ_CHECK_IN(r.fromto->uri, b.s, b.len);
		break;
	case KSR_HDR_CSEQ:
		if (ksr_parse_cseq(b, &cseq) == 0)
			FUZZ_CHECK_IN(cseq.method, b.s, b.len);
		break;
	case KSR_HDR_ROUTE:
	case KSR_HDR_RECORDROUTE:
	case KSR_HDR_PATH:
	case KSR_HDR_PAI:
	case KSR_HDR_PPI:
	case KSR_HDR_REFERREDBY:
		if (ksr_parse_addr_list(b, h->type != KSR_HDR_PAI && h->type != KSR_HDR_PPI &&
					       h->type != KSR_HDR_REFERREDBY, a, &r.addr) == 0)
			for (; r.addr; r.addr = r.addr->next)
				FUZZ_CHECK_IN(r.addr->uri, b.s, b.len);
		break;
	case KSR_HDR_DIVERSION:
		if (ksr_parse_diversion(b, a, &r.div) == 0)
			for (; r.div; r.div = r.div->next)
				FUZZ_CHECK_IN(r.div->uri, b.s, b.len);
		break;
	case KSR_HDR_CONTACT:
		if (ksr_parse_contact(b, a, &r.contacts) == 0)
			for (struct ksr_contact *c = r.contacts->first; c; c = c->next)
				FUZZ_CHECK_IN(c->uri, b.s, b.len);
		break;
	case KSR_HDR_AUTHORIZATION:
	case KSR_HDR_PROXYAUTH:
		if (ksr_parse_credentials(b, a, &r.cred) == 0)
			FUZZ_CHECK_IN(r.cred->username, b.s, b.len);
		break;
	case KSR_HDR_WWWAUTH:
	case KSR_HDR_PROXYAUTHENTICATE:
		if (ksr_parse_challenge(b, a, &r.chal) == 0)
			FUZZ_CHECK_IN(r.chal->realm, b.s, b.len);
		break;
	case KSR_HDR_CALLID:
		if (ksr_parse_callid(b, &s) == 0)
			FUZZ_CHECK_IN(s, b.s, b.len);
		break;
	case KSR_HDR_CONTENTTYPE:
		if (ksr_parse_content_type(b, a, &r.ct) == 0)
			FUZZ_CHECK_IN(r.ct->boundary, b.s, b.len);
		break;
	case KSR_HDR_MAXFORWARDS:
		if (ksr_parse_maxfwd(b, &u) == 0)
			FUZZ_CHECK(u <= 255);
		break;
	case KSR_HDR_EXPIRES:
	case KSR_HDR_MINEXPIRES:
		(void)ksr_parse_delta_seconds(b, &secs);
		break;
	case KSR_HDR_EVENT:
		if (ksr_parse_event(b, a, &r.ev) == 0)
			FUZZ_CHECK_IN(r.ev->package, b.s, b.len);
		break;
	case KSR_HDR_PRIVACY:
		(void)ksr_parse_privacy(b, &u);
		break;
	case KSR_HDR_USERAGENT:
	case KSR_HDR_SERVER:
	case KSR_HDR_SUBJECT:
		if (ksr_parse_text(b, &s) == 0)
			FUZZ_CHECK_IN(s, b.s, b.len);
		break;
	case KSR_HDR_ACCEPT:
		if (ksr_parse_accept(b, a, &r.mr) == 0)
			for (; r.mr; r.mr = r.mr->next)
				FUZZ_CHECK(r.mr->q >= 0 && r.mr->q <= 1000);
		break;
	case KSR_HDR_DATE:
		(void)ksr_parse_date(b, &t);
		break;
	case KSR_HDR_SUPPORTED:
	case KSR_HDR_REQUIRE:
	case KSR_HDR_PROXYREQUIRE:
	case KSR_HDR_UNSUPPORTED:
	case KSR_HDR_ALLOW:
	case KSR_HDR_ALLOWEVENTS:
		if (ksr_parse_token_list(b, a, &r.tok) == 0)
			for (; r.tok; r.tok = r.tok->next)
				FUZZ_CHECK_IN(r.tok->name, b.s, b.len);
		break;
	default:
		if (ksr_parse_params(b, a, &r.prm) == 0)
			for (; r.prm; r.prm = r.prm->next)
				FUZZ_CHECK_IN(r.prm->value, b.s, b.len);
		break;
	}
	free(copy);
}

/* Every header line: inside the buffer, typed as its name says, its body parsed alone. */
static void touch_lines(struct ksr_msg *msg)
{
	for (struct ksr_hdr *h = msg->headers; h; h = h->next) {
		IN_MSG(msg, h->name);
		IN_MSG(msg, h->body);
		IN_MSG(msg, h->line);
		FUZZ_CHECK(ksr_hdr_type_of(h->name) == h->type);
		parse_alone(msg, h);
	}
	for (int t = 0; t < KSR_HDR_TYPES_COUNT; t++) {
		struct ksr_hdr_iter it;
		struct ksr_str v;

		for (struct ksr_hdr *h = ksr_msg_hdr_first(msg, (enum ksr_hdr_type)t); h;
		     h = ksr_msg_hdr_next(h))
			FUZZ_CHECK(h->type == (enum ksr_hdr_type)t);
		ksr_hdr_iter_init(&it, msg, (enum ksr_hdr_type)t);
		while (ksr_hdr_iter_next(&it, &v) > 0) {
			FUZZ_CHECK(it.hdr && it.hdr->type == (enum ksr_hdr_type)t);
			IN_MSG(msg, v);
		}
	}
}

static void touch_addrs(struct ksr_msg *msg, const struct ksr_addr *a)
{
	for (; a; a = a->next) {
		IN_MSG(msg, a->value);
		IN_MSG(msg, a->uri);
		touch_params(msg, a->param_list);
		touch_uri(a->uri);
	}
}

/* The cached accessors, each twice: the second answer comes from the cache. */
static void touch_accessors(struct ksr_msg *msg)
{
	static const enum ksr_hdr_type token_types[] = {
		KSR_HDR_SUPPORTED, KSR_HDR_REQUIRE, KSR_HDR_PROXYREQUIRE,
		KSR_HDR_UNSUPPORTED, KSR_HDR_ALLOW, KSR_HDR_ALLOWEVENTS,
	};
	static const enum ksr_hdr_type addr_types[] = {
		KSR_HDR_ROUTE, KSR_HDR_RECORDROUTE, KSR_HDR_PATH, KSR_HDR_PAI, KSR_HDR_PPI,
		KSR_HDR_REFERREDBY,
	};

	for (int i = 0; i < 2; i++) {
		struct ksr_via *via, *via2;
		struct ksr_nameaddr *na;
		struct ksr_cseq *cseq;
		struct ksr_uri *ruri, *ruri2;
		struct ksr_addr *addrs;
		struct ksr_contacts *contacts;
		struct ksr_diversion *div;
		struct ksr_credentials *cred;
		struct ksr_challenge *chal;
		struct ksr_token *tokens;
		struct ksr_content_type *ct;
		struct ksr_event *ev;
		struct ksr_media_range *mr;
		struct ksr_body_part *parts;
		struct ksr_str s;
		unsigned int u;
		uint32_t secs;
		time_t date;

		if (ksr_msg_via1(msg, &via) == 0)
			FUZZ_CHECK(ksr_msg_via1(msg, &via2) == 0 && via == via2);
		if (ksr_msg_vias(msg, &via) == 0)
			for (; via; via = via->next_all)
				IN_MSG(msg, via->host);
		(void)ksr_msg_via2(msg, &via);
		(void)ksr_msg_to(msg, &na);
		(void)ksr_msg_from(msg, &na);
		(void)ksr_msg_cseq(msg, &cseq);
		if (msg->type == KSR_MSG_REQUEST && ksr_msg_ruri(msg, &ruri) == 0)
			FUZZ_CHECK(ksr_msg_ruri(msg, &ruri2) == 0 && ruri == ruri2);
		for (size_t t = 0; t < sizeof(token_types) / sizeof(token_types[0]); t++) {
			if (ksr_msg_tokens(msg, token_types[t], &tokens) == 0) {
				for (struct ksr_token *k = tokens; k; k = k->next)
					IN_MSG(msg, k->name);
				(void)ksr_tokens_has(tokens, "100rel");
				(void)ksr_option_tags(tokens);
				(void)ksr_methods_mask(tokens);
			}
		}
		(void)ksr_msg_allow(msg, &u);
		for (size_t t = 0; t < sizeof(addr_types) / sizeof(addr_types[0]); t++)
			if (ksr_msg_addr_list(msg, addr_types[t], &addrs) == 0)
				touch_addrs(msg, addrs);
		if (ksr_msg_routes(msg, &addrs) == 0)
			touch_addrs(msg, addrs);
		(void)ksr_msg_record_routes(msg, &addrs);
		(void)ksr_msg_paths(msg, &addrs);
		(void)ksr_msg_pai(msg, &addrs);
		(void)ksr_msg_ppi(msg, &addrs);
		if (ksr_msg_diversions(msg, &div) == 0)
			for (; div; div = div->next)
				IN_MSG(msg, div->uri);
		if (ksr_msg_contacts(msg, &contacts) == 0)
			for (struct ksr_contact *c = contacts->first; c; c = c->next) {
				IN_MSG(msg, c->uri);
				IN_MSG(msg, c->instance);
				FUZZ_CHECK(c->q >= -1 && c->q <= 1000);
				touch_params(msg, c->param_list);
				touch_uri(c->uri);
			}
		if (ksr_msg_credentials(msg, KSR_HDR_AUTHORIZATION, &cred) == 0 && cred->digest)
			(void)ksr_msg_credentials_realm(msg, KSR_HDR_AUTHORIZATION, cred->realm, &cred);
		(void)ksr_msg_credentials(msg, KSR_HDR_PROXYAUTH, &cred);
		(void)ksr_msg_challenges(msg, KSR_HDR_WWWAUTH, &chal);
		(void)ksr_msg_challenges(msg, KSR_HDR_PROXYAUTHENTICATE, &chal);
		if (ksr_msg_callid(msg, &s) == 0)
			IN_MSG(msg, s);
		if (ksr_msg_content_type(msg, &ct) == 0) {
			IN_MSG(msg, ct->type);
			IN_MSG(msg, ct->boundary);
		}
		if (ksr_msg_maxfwd(msg, &u) == 0)
			FUZZ_CHECK(u <= 255);
		(void)ksr_msg_expires(msg, &secs);
		(void)ksr_msg_min_expires(msg, &secs);
		(void)ksr_msg_event(msg, &ev);
		(void)ksr_msg_privacy(msg, &u);
		(void)ksr_msg_user_agent(msg, &s);
		(void)ksr_msg_server(msg, &s);
		if (ksr_msg_accept(msg, &mr) == 0)
			for (; mr; mr = mr->next)
				FUZZ_CHECK(mr->q >= 0 && mr->q <= 1000);
		(void)ksr_msg_date(msg, &date);
		if (ksr_msg_body_parts(msg, &parts) == 0)
			for (; parts; parts = parts->next)
				IN_MSG(msg, parts->content);
	}
}

/* The source address varies with the input so that received and rport both get built. */
static void set_source(struct ksr_msg *msg, size_t size)
{
	struct sockaddr_storage *ss = &msg->rcv.src;

	memset(ss, 0, sizeof(*ss));
	msg->rcv.src_len = 0;
	if (size % 3 == 1) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons(5062);
		inet_pton(AF_INET, "198.51.100.7", &a4->sin_addr);
		msg->rcv.src_len = sizeof(*a4);
	} else if (size % 3 == 2) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(5060);
		inet_pton(AF_INET6, "2001:db8::9:1", &a6->sin6_addr);
		msg->rcv.src_len = sizeof(*a6);
	}
	/* else no source at all: no received parameter */
}

/*
 * What a reply copies of a request (RFC 3261 8.2.6.2): every Via value, and From, To,
 * Call-ID and CSeq, each once (the parser refuses a message with two of them).
 */
static unsigned int count_copied(const struct ksr_msg *msg)
{
	unsigned int n = 0;

	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		n += h->type == KSR_HDR_VIA;
	return n * 16 + !!ksr_msg_hdr_first(msg, KSR_HDR_FROM) +
	       !!ksr_msg_hdr_first(msg, KSR_HDR_TO) + !!ksr_msg_hdr_first(msg, KSR_HDR_CALLID) +
	       !!ksr_msg_hdr_first(msg, KSR_HDR_CSEQ);
}

/*
 * A reply we build must be a message our own parser accepts, with what it copies of the
 * request (count_copied) and nothing in its body.
 */
static void reply(struct ksr_msg *req, int req_result, unsigned int code, const char *reason,
		  size_t size)
{
	struct ksr_str tag = KSR_STR_NULL, out;
	struct sockaddr_storage to;
	socklen_t to_len;
	struct ksr_arena arena;
	struct ksr_msg rpl;
	struct ksr_via *via;
	const char *why = NULL;
	char *copy;
	int r;

	(void)ksr_reply_dest(req, &to, &to_len);
	if (ksr_reply_local_tag(req, &tag) < 0)
		return;
	ksr_server_signature = size & 1;
	if (ksr_reply_build(req, code, ksr_str_make((char *)reason, strlen(reason)), tag, &out) < 0)
		return;
	copy = fuzz_copy((const uint8_t *)out.s, out.len);
	if (!copy)
		return;
	ksr_arena_init(&arena, 1);
	r = ksr_msg_parse(&rpl, copy, out.len, &arena, &why);
	/* a request over a limit (65 Vias) is answered with what was read: over it too */
	FUZZ_CHECK(r == 0 || (req_result == -E2BIG && r == -E2BIG));
	if (r == 0) {
		FUZZ_CHECK(rpl.type == KSR_MSG_REPLY && rpl.first.rpl.code == code);
		FUZZ_CHECK(ksr_msg_via1(&rpl, &via) == 0);
		FUZZ_CHECK(count_copied(&rpl) == count_copied(req));
		FUZZ_CHECK(rpl.body.len == 0);
		touch_lines(&rpl);
	}
	ksr_arena_destroy(&arena);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int codes[] = {100, 180, 200, 404, 481};
	struct ksr_msg_check chk;
	struct ksr_arena arena;
	struct ksr_msg msg;
	const char *why = NULL;
	char *buf = fuzz_copy(data, size);
	int r;

	if (!buf)
		return 0;
	/*
	 * Chunks of 1 byte: every arena allocation is its own malloc, so ASan also sees an
	 * overflow of one parsed structure into the next.
	 */
	ksr_arena_init(&arena, 1);
	r = ksr_msg_parse(&msg, buf, size, &arena, &why);
	FUZZ_CHECK(r == 0 || r == -ENOMEM || why); /* every parse error says what was wrong */
	set_source(&msg, size);
	ksr_msg_check(&msg, r, why, &chk);
	FUZZ_CHECK(chk.verdict == KSR_VERDICT_ACCEPT || chk.why);
	if (chk.verdict == KSR_VERDICT_REPLY) {
		/* the 400/505 of the receive path, built from what could be parsed */
		FUZZ_CHECK(chk.code >= 400 && chk.reason);
		reply(&msg, r, chk.code, chk.reason, size);
	} else if (r == 0 || r == -EPROTONOSUPPORT) {
		IN_MSG(&msg, msg.body);
		if (msg.type == KSR_MSG_REQUEST) {
			IN_MSG(&msg, msg.first.req.method);
			IN_MSG(&msg, msg.first.req.uri);
			IN_MSG(&msg, msg.first.req.version);
		} else {
			IN_MSG(&msg, msg.first.rpl.reason);
		}
		touch_lines(&msg);
		touch_accessors(&msg);
		/* what sl_send_reply() does from a script */
		if (chk.verdict == KSR_VERDICT_ACCEPT && msg.type == KSR_MSG_REQUEST &&
		    msg.first.req.method_id != KSR_METHOD_ACK)
			reply(&msg, r, codes[size % 5], "Fuzzed Reason", size);
	}
	ksr_arena_destroy(&arena);
	free(buf);
	return 0;
}
