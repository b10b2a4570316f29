/*
 * bench_parse: how fast the SIP parser reads typical messages, per message kind, (a) first
 * line and header boundaries only, (b) also every header a proxy touches. A tool, not a
 * test: build it in a Release tree and see docs/performance.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"

#define CRLF "\r\n"

static const char invite_sdp[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0" CRLF
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport" CRLF
	"Max-Forwards: 70" CRLF
	"Route: <sip:proxy.atlanta.example.com;lr>" CRLF
	"To: Bob <sip:bob@biloxi.example.com>" CRLF
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
	"CSeq: 314159 INVITE" CRLF
	"Contact: <sip:alice@192.0.2.10:5060;transport=udp>" CRLF
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, REFER, NOTIFY" CRLF
	"Supported: replaces, timer" CRLF
	"User-Agent: bench-phone/1.0" CRLF
	"Content-Type: application/sdp" CRLF
	"Content-Length: 226" CRLF
	CRLF
	"v=0" CRLF
	"o=alice 2890844526 2890844526 IN IP4 192.0.2.10" CRLF
	"s=-" CRLF
	"c=IN IP4 192.0.2.10" CRLF
	"t=0 0" CRLF
	"m=audio 49170 RTP/AVP 0 8 101" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:8 PCMA/8000" CRLF
	"a=rtpmap:101 telephone-event/8000" CRLF
	"a=fmtp:101 0-15" CRLF
	"a=sendrecv" CRLF;

static const char ok_invite[] =
	"SIP/2.0 200 OK" CRLF
	"Via: SIP/2.0/UDP proxy.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.20" CRLF
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.10;rport=5060" CRLF
	"Record-Route: <sip:proxy.atlanta.example.com;lr>" CRLF
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
	"CSeq: 314159 INVITE" CRLF
	"Contact: <sip:bob@192.0.2.4:5060>" CRLF
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE" CRLF
	"Supported: replaces" CRLF
	"Content-Type: application/sdp" CRLF
	"Content-Length: 141" CRLF
	CRLF
	"v=0" CRLF
	"o=bob 2808844564 2808844564 IN IP4 192.0.2.4" CRLF
	"s=-" CRLF
	"c=IN IP4 192.0.2.4" CRLF
	"t=0 0" CRLF
	"m=audio 3456 RTP/AVP 0" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=sendrecv" CRLF;

static const char register_auth[] =
	"REGISTER sip:registrar.biloxi.example.com SIP/2.0" CRLF
	"Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashd92;rport" CRLF
	"Max-Forwards: 70" CRLF
	"To: Bob <sip:bob@biloxi.example.com>" CRLF
	"From: Bob <sip:bob@biloxi.example.com>;tag=ja743ks76zlflH" CRLF
	"Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.4" CRLF
	"CSeq: 2 REGISTER" CRLF
	"Contact: <sip:bob@192.0.2.4:5060;transport=udp>;expires=3600" CRLF
	"Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", "
	"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:registrar.biloxi.example.com\", "
	"response=\"245f23415f11432b3434341c022ff6ea\", algorithm=MD5, cnonce=\"0a4f113b\", "
	"qop=auth, nc=00000001, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"" CRLF
	"User-Agent: bench-phone/1.0" CRLF
	"Content-Length: 0" CRLF
	CRLF;

static const struct {
	const char *id; /* for the command line */
	const char *name;
	const char *text;
} kinds[] = {
	{"invite", "INVITE with SDP", invite_sdp},
	{"ok", "200 OK to INVITE", ok_invite},
	{"register", "REGISTER with Authorization", register_auth},
};

/* Keeps the compiler from dropping results nobody reads. */
static volatile uintptr_t sink;

/* (a) what every received message gets: first line and header boundaries. */
static int parse_boundaries(char *buf, size_t len, struct ksr_arena *arena)
{
	struct ksr_msg msg;
	int r = ksr_msg_parse(&msg, buf, len, arena, NULL);

	sink += (uintptr_t)msg.headers;
	return r;
}

/*
 * (b) and then what a proxy reads of a message: every Via value, From, To, CSeq, Call-ID,
 * Max-Forwards, Contact, Route and Record-Route, the Request-URI, and Authorization when
 * there is one (Content-Length is already parsed by ksr_msg_parse).
 */
static int parse_full(char *buf, size_t len, struct ksr_arena *arena)
{
	struct ksr_msg msg;
	struct ksr_via *via;
	struct ksr_nameaddr *from, *to;
	struct ksr_cseq *cseq;
	struct ksr_str callid;
	unsigned int maxfwd = 0;
	struct ksr_contacts *contacts;
	struct ksr_addr *routes, *rroutes;
	struct ksr_credentials *cred;
	struct ksr_uri *ruri;
	int r;

	r = ksr_msg_parse(&msg, buf, len, arena, NULL);
	if (r < 0)
		return r;
	if ((r = ksr_msg_vias(&msg, &via)) < 0 || (r = ksr_msg_from(&msg, &from)) < 0 ||
	    (r = ksr_msg_to(&msg, &to)) < 0 || (r = ksr_msg_cseq(&msg, &cseq)) < 0 ||
	    (r = ksr_msg_callid(&msg, &callid)) < 0)
		return r;
	if (msg.type == KSR_MSG_REQUEST) {
		if ((r = ksr_msg_ruri(&msg, &ruri)) < 0 || (r = ksr_msg_maxfwd(&msg, &maxfwd)) < 0)
			return r;
		sink += (uintptr_t)ruri;
	}
	r = ksr_msg_contacts(&msg, &contacts);
	if (r < 0 && r != -ENOENT)
		return r;
	r = ksr_msg_routes(&msg, &routes);
	if (r < 0 && r != -ENOENT)
		return r;
	r = ksr_msg_record_routes(&msg, &rroutes);
	if (r < 0 && r != -ENOENT)
		return r;
	r = ksr_msg_credentials(&msg, KSR_HDR_AUTHORIZATION, &cred);
	if (r < 0 && r != -ENOENT)
		return r;
	sink += (uintptr_t)via + (uintptr_t)from + (uintptr_t)to + cseq->number + callid.len +
		maxfwd;
	return 0;
}

typedef int (*parse_fn)(char *buf, size_t len, struct ksr_arena *arena);

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per message over iterations, after a warm-up; the arena is reset per message. */
static double run(parse_fn fn, char *buf, size_t len, struct ksr_arena *arena, long iterations)
{
	long warmup = iterations / 10 > 1000 ? iterations / 10 : 1000;
	double t0;

	for (long i = 0; i < warmup; i++) {
		fn(buf, len, arena);
		ksr_arena_reset(arena);
	}
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		fn(buf, len, arena);
		ksr_arena_reset(arena);
	}
	return (now_ns() - t0) / (double)iterations;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		parse_fn fn;
	} modes[] = {
		{"boundaries", parse_boundaries},
		{"full", parse_full},
	};
	long iterations = 1000000;
	const char *only = argc > 2 ? argv[2] : NULL;
	struct ksr_arena arena;
	int status = 0;

	if (argc > 3 || (argc >= 2 && (iterations = strtol(argv[1], NULL, 10)) <= 0)) {
		fprintf(stderr,
			"usage: %s [ITERATIONS [invite|ok|register]]\n"
			"  ITERATIONS per message kind and parse mode (default 1000000)\n",
			argv[0]);
		return 2;
	}
	if (only) {
		size_t k = 0;

		while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(only, kinds[k].id) != 0)
			k++;
		if (k == sizeof(kinds) / sizeof(kinds[0])) {
			fprintf(stderr, "%s: unknown message kind '%s'\n", argv[0], only);
			return 2;
		}
	}
	/* the chunk size the UDP workers use */
	ksr_arena_init(&arena, 32768);
	printf("%-28s %-10s %8s %10s %12s\n", "message", "parse", "bytes", "ns/msg", "msgs/s");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t len = strlen(kinds[k].text);
		char *buf;

		if (only && strcmp(only, kinds[k].id) != 0)
			continue;
		/* an exactly sized copy, as a receive buffer holds one datagram */
		buf = malloc(len);
		if (!buf)
			return 1;
		memcpy(buf, kinds[k].text, len);
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			int r = modes[m].fn(buf, len, &arena);
			double ns;

			ksr_arena_reset(&arena);
			/* timing an error path would be meaningless */
			if (r < 0) {
				fprintf(stderr, "%s: %s parse failed: %s\n", kinds[k].name,
					modes[m].name, strerror(-r));
				status = 1;
				continue;
			}
			ns = run(modes[m].fn, buf, len, &arena, iterations);
			printf("%-28s %-10s %8zu %10.1f %12.0f\n", kinds[k].name, modes[m].name, len,
			       ns, 1e9 / ns);
		}
		free(buf);
	}
	ksr_arena_destroy(&arena);
	return status;
}
