/*
 * Torture tests of the receive-time verdict (src/core/msg/check.c): the classes of
 * RFC 4475 (SIP torture messages) and RFC 5118 (IPv6 torture messages), written as our
 * own messages and run through ksr_msg_parse() + ksr_msg_check().
 *
 * Each case is one row of the table below. Messages are written with "\n" line ends,
 * which become CRLF (a "\n" already preceded by "\r" is kept), and "@CL@" becomes the
 * length of the body (the bytes after the first empty line). Every message is parsed
 * from a heap buffer of exactly its size, with no terminator, so that valgrind and ASan
 * see any read past its end. KSR_TEST_VERBOSE=1 prints every verdict and its why.
 *
 * Where RFC 3261/4475/5118 and the implementation disagree, the row keeps what the RFC
 * asks for; where the RFC allows more than one outcome, the row allows each (EITHER).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/msg/check.h"
#include "core/parser/hdr.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"

/* Acceptable verdicts, as a mask: most rows allow exactly one. */
#define V_ACCEPT (1u << KSR_VERDICT_ACCEPT)
#define V_REPLY (1u << KSR_VERDICT_REPLY)
#define V_DROP (1u << KSR_VERDICT_DROP)

#define PARSE_ANY 1 /* expected ksr_msg_parse() result: not checked */

struct tcase {
	const char *name; /* the class, with the RFC section it stands for */
	const char *text; /* the message ("\n" -> CRLF, "@CL@" -> body length) */
	char *(*gen)(void); /* or: builds the text (malloc'ed), for long messages */
	int parse; /* what ksr_msg_parse() returns, or PARSE_ANY */
	unsigned int verdicts; /* V_* mask of the verdicts allowed */
	unsigned int code; /* when the verdict is REPLY: the code (0: any) */
	const char *why; /* when not ACCEPT: a substring of why (any case), NULL: any */
	void (*check)(struct ksr_msg *msg); /* when ACCEPT: more assertions on the fields */
};

/* A well-formed message: parsed with 0 and accepted; check() looks at its fields. */
#define VALID(n, t, c) {.name = n, .text = t, .parse = 0, .verdicts = V_ACCEPT, .check = c}
#define VALID_GEN(n, g, c) {.name = n, .gen = g, .parse = 0, .verdicts = V_ACCEPT, .check = c}
/* A request answered with code before any script runs. */
#define REPLY(n, t, cd, w) \
	{.name = n, .text = t, .parse = PARSE_ANY, .verdicts = V_REPLY, .code = cd, .why = w}
/* Dropped: no reply can be built, or it is an ACK or a reply. */
#define DROP(n, t, w) {.name = n, .text = t, .parse = PARSE_ANY, .verdicts = V_DROP, .why = w}
/* Where the RFC allows more than one outcome (mask of V_*). */
#define EITHER(n, t, mask, cd, w, c) \
	{.name = n, .text = t, .parse = PARSE_ANY, .verdicts = mask, .code = cd, .why = w, \
	 .check = c}
/* Over a limit of limits.h: the parser says -E2BIG and the message is not accepted. */
#define TOO_BIG(n, g) \
	{.name = n, .gen = g, .parse = -E2BIG, .verdicts = V_REPLY | V_DROP, .code = 0}

/* ---------------------------------------------------------------------------------- */
/* assertion helpers for the check() callbacks                                          */

static void want_str(struct ksr_str s, const char *want, const char *what)
{
	if (s.len != strlen(want) || (s.len && memcmp(s.s, want, s.len) != 0))
		fail_msg("%s: got '%.*s', expected '%s'", what, (int)s.len, s.s ? s.s : "",
			 want);
}

static struct ksr_via *via1(struct ksr_msg *msg)
{
	struct ksr_via *v = NULL;
	int r = ksr_msg_via1(msg, &v);

	if (r != 0)
		fail_msg("top Via not parsed: %d", r);
	return v;
}

/* The Via values of the n-th Via header line (0 is the first). */
static struct ksr_via *via_line(struct ksr_msg *msg, int n)
{
	struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_VIA);
	struct ksr_via *v = NULL;
	int r;

	while (h && n--)
		h = ksr_msg_hdr_next(h);
	assert_non_null(h);
	r = ksr_parse_via(h->body, msg->arena, &v);
	if (r != 0)
		fail_msg("Via '%.*s' not parsed: %d", KSR_STR_FMT(h->body), r);
	return v;
}

static struct ksr_nameaddr *from(struct ksr_msg *msg)
{
	struct ksr_nameaddr *na = NULL;
	int r = ksr_msg_from(msg, &na);

	if (r != 0)
		fail_msg("From not parsed: %d", r);
	return na;
}

static struct ksr_nameaddr *to(struct ksr_msg *msg)
{
	struct ksr_nameaddr *na = NULL;
	int r = ksr_msg_to(msg, &na);

	if (r != 0)
		fail_msg("To not parsed: %d", r);
	return na;
}

static struct ksr_cseq *cseq(struct ksr_msg *msg)
{
	struct ksr_cseq *c = NULL;
	int r = ksr_msg_cseq(msg, &c);

	if (r != 0)
		fail_msg("CSeq not parsed: %d", r);
	return c;
}

static struct ksr_uri *ruri(struct ksr_msg *msg)
{
	struct ksr_uri *u = NULL;
	int r = ksr_msg_ruri(msg, &u);

	if (r != 0)
		fail_msg("Request-URI '%.*s' not parsed: %d", KSR_STR_FMT(msg->first.req.uri), r);
	return u;
}

/* Parses a URI found in the message (it lives as long as the message). */
static struct ksr_uri *uri_of(struct ksr_msg *msg, struct ksr_str s)
{
	struct ksr_uri *u = ksr_arena_alloc(msg->arena, sizeof(*u));
	int r;

	assert_non_null(u);
	r = ksr_uri_parse(s, u);
	if (r != 0)
		fail_msg("URI '%.*s' not parsed: %d", KSR_STR_FMT(s), r);
	return u;
}

/* The URI of the first Contact header, which holds one value. */
static struct ksr_uri *contact_uri(struct ksr_msg *msg)
{
	struct ksr_nameaddr na;

	assert_non_null(msg->h_contact);
	if (ksr_parse_nameaddr(msg->h_contact->body, &na) != 0)
		fail_msg("Contact '%.*s' not parsed", KSR_STR_FMT(msg->h_contact->body));
	return uri_of(msg, na.uri);
}

/* The value of the Content-Length header, which must be there. */
static size_t declared_clen(struct ksr_msg *msg)
{
	char digits[32];

	assert_non_null(msg->h_clen);
	assert_true(msg->h_clen->body.len < sizeof(digits));
	memcpy(digits, msg->h_clen->body.s, msg->h_clen->body.len);
	digits[msg->h_clen->body.len] = '\0';
	return (size_t)strtoul(digits, NULL, 10);
}

static int count_headers(struct ksr_msg *msg)
{
	int n = 0;

	for (struct ksr_hdr *h = msg->headers; h; h = h->next)
		n++;
	return n;
}

/* ---------------------------------------------------------------------------------- */
/* valid messages: what must be accepted, and what their fields must parse to          */

/* RFC 4475 3.1.1.1: whitespace everywhere it may be, folding, odd case, unknown headers */
static const char msg_wsinv[] =
	"INVITE sip:carol@lab.example.org;unknownparam=x;LR SIP/2.0\n"
	"TO :\n"
	" \"Carol  Tester\"   <sip:carol@lab.example.org> ;   tag = 19ab4\n"
	"from   : \"Dave \\\"the tortoise\\\"\"<sip:dave@home.example.net>\n"
	"  ;\n"
	"  tag=5577aa\n"
	"MaX-fOrWaRdS: 68\n"
	"Call-ID: torture.1.wsinv@home.example.net\n"
	"Content-Length   : @CL@\n"
	"cseq: 0042 \n"
	"  INVITE\n"
	"Via  : SIP  /   2.0\n"
	" /UDP\n"
	"    192.0.2.33;branch=z9hG4bKtortoise.1\n"
	"v:  SIP  / 2.0  / TCP     spindle.example.net   ;\n"
	"  branch  =   z9hG4bKfolded.2 , SIP/2.0/UDP [2001:db8::3]:5062 ;branch=z9hG4bK.3\n"
	"NewFangledHeader:   a value that goes on\n"
	"\tand on, over a second line\n"
	"UnknownHeaderWithOddValue: ;;,,;;,;\n"
	"c: application/sdp\n"
	"s: \n"
	"m: <sip:dave@192.0.2.33:5070>\n"
	"  ;expires=600\n"
	"\n"
	"v=0\n"
	"o=dave 1 1 IN IP4 192.0.2.33\n"
	"s=-\n"
	"c=IN IP4 192.0.2.33\n"
	"t=0 0\n"
	"m=audio 49170 RTP/AVP 0\n";

static void check_wsinv(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);
	struct ksr_via *v;
	unsigned int mf = 0;

	want_str(msg->first.req.method, "INVITE", "method");
	assert_int_equal(msg->first.req.method_id, KSR_METHOD_INVITE);
	assert_int_equal(u->scheme, KSR_URI_SIP);
	want_str(u->user, "carol", "R-URI user");
	want_str(u->host, "lab.example.org", "R-URI host");
	assert_true(u->has_lr); /* parameter names are case-insensitive */
	assert_true(to(msg)->has_tag);
	want_str(to(msg)->tag, "19ab4", "To tag");
	want_str(to(msg)->display, "\"Carol  Tester\"", "To display name");
	want_str(to(msg)->uri, "sip:carol@lab.example.org", "To URI");
	want_str(from(msg)->tag, "5577aa", "From tag");
	want_str(from(msg)->display, "\"Dave \\\"the tortoise\\\"\"", "From display name");
	assert_int_equal(cseq(msg)->number, 42);
	assert_int_equal(cseq(msg)->method_id, KSR_METHOD_INVITE);
	assert_int_equal(ksr_msg_maxfwd(msg, &mf), 0);
	assert_int_equal(mf, 68);
	v = via1(msg);
	want_str(v->transport, "UDP", "Via transport");
	want_str(v->host, "192.0.2.33", "Via host");
	want_str(v->branch, "z9hG4bKtortoise.1", "Via branch");
	assert_null(v->next);
	v = via_line(msg, 1);
	want_str(v->transport, "TCP", "2nd Via transport");
	want_str(v->host, "spindle.example.net", "2nd Via host");
	want_str(v->branch, "z9hG4bKfolded.2", "2nd Via branch");
	assert_non_null(v->next);
	want_str(v->next->host, "2001:db8::3", "3rd Via host");
	assert_int_equal(v->next->port, 5062);
	assert_int_equal(msg->body.len, declared_clen(msg));
	assert_memory_equal(msg->body.s, "v=0\r\n", 5);
	assert_memory_equal(msg->body.s + msg->body.len - 25, "m=audio 49170 RTP/AVP 0\r\n", 25);
}

/* RFC 3261 25.1: LWS may fold the line right after the CSeq number. */
static const char msg_cseq_fold[] =
	"OPTIONS sip:erin@example.org SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.40;branch=z9hG4bKcseqfold\n"
	"Max-Forwards: 70\n"
	"From: <sip:frank@example.net>;tag=cf1\n"
	"To: <sip:erin@example.org>\n"
	"Call-ID: cseqfold.torture@192.0.2.40\n"
	"CSeq: 7\n"
	" OPTIONS\n"
	"Content-Length: 0\n"
	"\n";

static void check_cseq_fold(struct ksr_msg *msg)
{
	assert_int_equal(cseq(msg)->number, 7);
	want_str(cseq(msg)->method, "OPTIONS", "CSeq method");
}

static void check_mf_zeros(struct ksr_msg *msg)
{
	unsigned int mf = 0;

	assert_int_equal(ksr_msg_maxfwd(msg, &mf), 0);
	assert_int_equal(mf, 68);
}

/* RFC 3261 7.3.3: every compact form the core knows */
static const char msg_compact[] =
	"MESSAGE sip:gina@example.com SIP/2.0\n"
	"v: SIP/2.0/UDP client.example.net:5070;branch=z9hG4bKcompact;rport\n"
	"f: \"Hal\" <sip:hal@example.net>;tag=cmp1\n"
	"t: sip:gina@example.com\n"
	"i: compact.forms@client.example.net\n"
	"CSeq: 3 MESSAGE\n"
	"Max-Forwards: 70\n"
	"m: <sip:hal@client.example.net:5070>\n"
	"k: path, 100rel\n"
	"s: hello there\n"
	"o: presence\n"
	"u: presence, dialog\n"
	"c: text/plain\n"
	"l: 5\n"
	"\n"
	"hello";

static void check_compact(struct ksr_msg *msg)
{
	struct ksr_via *v = via1(msg);

	assert_int_equal(msg->first.req.method_id, KSR_METHOD_MESSAGE);
	want_str(v->host, "client.example.net", "Via host");
	assert_int_equal(v->port, 5070);
	assert_true(v->has_rport);
	assert_int_equal(v->rport.len, 0);
	want_str(from(msg)->tag, "cmp1", "From tag");
	want_str(to(msg)->uri, "sip:gina@example.com", "To URI");
	assert_false(to(msg)->has_tag);
	assert_non_null(msg->h_callid);
	want_str(msg->h_callid->body, "compact.forms@client.example.net", "Call-ID");
	assert_non_null(msg->h_contact);
	assert_non_null(msg->h_clen);
	assert_non_null(ksr_msg_hdr_first(msg, KSR_HDR_SUPPORTED));
	assert_non_null(ksr_msg_hdr_first(msg, KSR_HDR_SUBJECT));
	assert_non_null(ksr_msg_hdr_first(msg, KSR_HDR_EVENT));
	assert_non_null(ksr_msg_hdr_first(msg, KSR_HDR_ALLOWEVENTS));
	assert_non_null(ksr_msg_hdr_first(msg, KSR_HDR_CONTENTTYPE));
	want_str(msg->body, "hello", "body");
}

/* RFC 3261 7.3.1 and 19.1.4: header names, URI schemes and parameter names in any case */
static const char msg_case[] =
	"OPTIONS SIP:Ivan@EXAMPLE.com SIP/2.0\n"
	"vIa: sip/2.0/udp 192.0.2.50;BRANCH=z9hG4bKcase\n"
	"mAX-forwards: 70\n"
	"FROM: <sip:judy@example.org>;TAG=case1\n"
	"tO: <sip:ivan@example.com>\n"
	"CALL-ID: case.variations@192.0.2.50\n"
	"cSeQ: 11 OPTIONS\n"
	"CONTENT-LENGTH: 0\n"
	"\n";

static void check_case(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	assert_int_equal(u->scheme, KSR_URI_SIP);
	want_str(u->user, "Ivan", "R-URI user");
	want_str(u->host, "EXAMPLE.com", "R-URI host");
	want_str(via1(msg)->transport, "udp", "Via transport");
	want_str(via1(msg)->branch, "z9hG4bKcase", "Via branch");
	assert_true(from(msg)->has_tag);
	want_str(from(msg)->tag, "case1", "From tag");
	assert_int_equal(cseq(msg)->number, 11);
	assert_non_null(msg->h_maxfwd);
	assert_non_null(msg->h_callid);
}

/* RFC 3261 7.1: the SIP-Version string is case-insensitive */
static const char msg_version_case[] =
	"OPTIONS sip:ivan@example.com sip/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.50;branch=z9hG4bKvcase\n"
	"Max-Forwards: 70\n"
	"From: <sip:judy@example.org>;tag=vcase\n"
	"To: <sip:ivan@example.com>\n"
	"Call-ID: version.case@192.0.2.50\n"
	"CSeq: 12 OPTIONS\n"
	"\n";

/* RFC 4475 3.1.1.2: an unknown method made of every token character, CSeq matching */
static const char msg_intmeth[] =
	"!odd-Method_0123456789*+`.%'~ sip:%2Aweird*@example.com;nop=%2B1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.60;branch=z9hG4bKintmeth\n"
	"Max-Forwards: 70\n"
	"From: <sip:kim@example.org>;tag=im1\n"
	"To: <sip:%2Aweird*@example.com>\n"
	"Call-ID: intmeth.torture@192.0.2.60\n"
	"CSeq: 31 !odd-Method_0123456789*+`.%'~\n"
	"Content-Length: 0\n"
	"\n";

static void check_intmeth(struct ksr_msg *msg)
{
	want_str(msg->first.req.method, "!odd-Method_0123456789*+`.%'~", "method");
	assert_int_equal(msg->first.req.method_id, KSR_METHOD_OTHER);
	assert_int_equal(cseq(msg)->method_id, KSR_METHOD_OTHER);
	want_str(cseq(msg)->method, "!odd-Method_0123456789*+`.%'~", "CSeq method");
	want_str(ruri(msg)->user, "%2Aweird*", "R-URI user");
}

/* RFC 4475 3.1.1.5: '%' in a method is a token character, not an escape */
static const char msg_pct_method[] =
	"NO%54IFY sip:lee@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.61;branch=z9hG4bKpct\n"
	"Max-Forwards: 70\n"
	"From: \"100% sure\" <sip:mona@example.org>;tag=pct1\n"
	"To: \"%Z%45\" <sip:lee@example.com>\n"
	"Call-ID: pct.method@192.0.2.61\n"
	"CSeq: 9 NO%54IFY\n"
	"\n";

static void check_pct_method(struct ksr_msg *msg)
{
	want_str(msg->first.req.method, "NO%54IFY", "method");
	assert_int_equal(msg->first.req.method_id, KSR_METHOD_OTHER);
	want_str(to(msg)->display, "\"%Z%45\"", "To display name");
}

/* RFC 4475 3.1.1.3: escaped characters in user parts, kept escaped as written */
static const char msg_esc[] =
	"INVITE sip:sips%3Amallory%40example.com@gateway.example.net;transport=udp SIP/2.0\n"
	"To: sip:sips%3Amallory%40example.com@gateway.example.net\n"
	"From: <sip:I%20am%20spaced@example.org>;tag=esc1\n"
	"Via: SIP/2.0/UDP host9.example.org;branch=z9hG4bKescaped\n"
	"Call-ID: escaped.uris@host9.example.org\n"
	"Max-Forwards: 70\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:%63ontact%40me@host9.example.org>\n"
	"Content-Length: 0\n"
	"\n";

static void check_esc(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	want_str(u->user, "sips%3Amallory%40example.com", "R-URI user");
	want_str(u->host, "gateway.example.net", "R-URI host");
	want_str(u->transport, "udp", "R-URI transport");
	want_str(uri_of(msg, from(msg)->uri)->user, "I%20am%20spaced", "From user");
	want_str(uri_of(msg, to(msg)->uri)->user, "sips%3Amallory%40example.com", "To user");
	want_str(contact_uri(msg)->user, "%63ontact%40me", "Contact user");
}

/* RFC 4475 3.1.1.4: %00 (an escaped NUL) in user parts */
static const char msg_escnull[] =
	"OPTIONS sip:nul-%00-user@example.com SIP/2.0\n"
	"To: sip:nul-%00-user@example.com\n"
	"From: sip:caller-%00%00@example.org;tag=z00\n"
	"Via: SIP/2.0/UDP 192.0.2.62;branch=z9hG4bKescnull\n"
	"Call-ID: escnull.torture@192.0.2.62\n"
	"Max-Forwards: 70\n"
	"CSeq: 14 OPTIONS\n"
	"Contact: <sip:%00@192.0.2.62>\n"
	"Content-Length: 0\n"
	"\n";

static void check_escnull(struct ksr_msg *msg)
{
	want_str(ruri(msg)->user, "nul-%00-user", "R-URI user");
	want_str(ruri(msg)->host, "example.com", "R-URI host");
	want_str(to(msg)->uri, "sip:nul-%00-user@example.com", "To URI");
	want_str(from(msg)->uri, "sip:caller-%00%00@example.org", "From URI");
	want_str(from(msg)->tag, "z00", "From tag");
	want_str(contact_uri(msg)->user, "%00", "Contact user");
}

/* RFC 4475 3.1.1.6: no LWS between a display name and '<' */
static const char msg_lwsdisp[] =
	"OPTIONS sip:nick@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.63;branch=z9hG4bKlwsdisp\n"
	"Max-Forwards: 70\n"
	"From: mallory<sip:mallory@example.org>;tag=nows\n"
	"To: \"Nick\"<sip:nick@example.com>\n"
	"Call-ID: lwsdisp.torture@192.0.2.63\n"
	"CSeq: 2 OPTIONS\n"
	"\n";

static void check_lwsdisp(struct ksr_msg *msg)
{
	want_str(from(msg)->display, "mallory", "From display name");
	want_str(from(msg)->uri, "sip:mallory@example.org", "From URI");
	want_str(to(msg)->display, "\"Nick\"", "To display name");
}

/* RFC 3261 25.1 quoted-pair: escaped quotes and backslashes, and <;, inside quotes */
static const char msg_dquote[] =
	"OPTIONS sip:olga@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.64;branch=z9hG4bKdquote\n"
	"Max-Forwards: 70\n"
	"From: \"Nina \\\"Nyx\\\" \\\\ O'Neil\" <sip:nina@example.org>;tag=q1\n"
	"To: \"comma, semi; <angle> and \\\"quote\\\"\" <sip:olga@example.com>\n"
	"Call-ID: dquote.torture@192.0.2.64\n"
	"CSeq: 3 OPTIONS\n"
	"\n";

static void check_dquote(struct ksr_msg *msg)
{
	want_str(from(msg)->display, "\"Nina \\\"Nyx\\\" \\\\ O'Neil\"", "From display name");
	want_str(from(msg)->uri, "sip:nina@example.org", "From URI");
	want_str(from(msg)->tag, "q1", "From tag");
	want_str(to(msg)->display, "\"comma, semi; <angle> and \\\"quote\\\"\"",
		 "To display name");
	want_str(to(msg)->uri, "sip:olga@example.com", "To URI");
	assert_false(to(msg)->has_tag);
}

/* RFC 4475 3.1.1.9: ';' inside the user part of the Request-URI */
static const char msg_semiuri[] =
	"OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\n"
	"To: <sip:user;par=u%40example.net@example.com>\n"
	"From: <sip:paula@example.org>;tag=semi1\n"
	"Via: SIP/2.0/UDP 192.0.2.65;branch=z9hG4bKsemiuri\n"
	"Call-ID: semiuri.torture@192.0.2.65\n"
	"Max-Forwards: 70\n"
	"CSeq: 8 OPTIONS\n"
	"\n";

static void check_semiuri(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	want_str(u->user, "user;par=u%40example.net", "R-URI user");
	want_str(u->host, "example.com", "R-URI host");
	assert_int_equal(u->params.len, 0);
	want_str(uri_of(msg, to(msg)->uri)->user, "user;par=u%40example.net", "To user");
}

/* RFC 4475 3.1.1.10: transports known and unknown (transport = other-transport token) */
static const char msg_transports[] =
	"OPTIONS sip:quinn@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.66;branch=z9hG4bKtr1\n"
	"Via: SIP/2.0/SCTP relay1.example.com;branch=z9hG4bKtr2\n"
	"Via: SIP/2.0/TLS-SCTP relay2.example.com;branch=z9hG4bKtr3,SIP/2.0/WSS relay3.example.com;branch=z9hG4bKtr4\n"
	"Via: SIP/2.0/FUTURE-PROTO.7 [2001:db8::7]:5999;branch=z9hG4bKtr5\n"
	"Max-Forwards: 70\n"
	"From: <sip:rita@example.org>;tag=tr\n"
	"To: <sip:quinn@example.com>\n"
	"Call-ID: transports.torture@192.0.2.66\n"
	"CSeq: 4 OPTIONS\n"
	"\n";

static void check_transports(struct ksr_msg *msg)
{
	want_str(via1(msg)->transport, "UDP", "Via transport");
	want_str(via_line(msg, 1)->transport, "SCTP", "2nd Via transport");
	want_str(via_line(msg, 2)->transport, "TLS-SCTP", "3rd Via transport");
	assert_non_null(via_line(msg, 2)->next);
	want_str(via_line(msg, 2)->next->transport, "WSS", "4th Via transport");
	want_str(via_line(msg, 3)->transport, "FUTURE-PROTO.7", "5th Via transport");
	want_str(via_line(msg, 3)->host, "2001:db8::7", "5th Via host");
	assert_int_equal(via_line(msg, 3)->port, 5999);
}

/* RFC 4475 3.3.5: unknown URI schemes in From/To/Contact are kept as opaque text */
static const char msg_unkscheme_hdr[] =
	"OPTIONS sip:sam@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.67;branch=z9hG4bKunksch\n"
	"Max-Forwards: 70\n"
	"To: name:Sam_the_Example\n"
	"From: <urn:uuid:0b9c6d2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5>;tag=urn1\n"
	"Contact: <mailto:sam@example.com>\n"
	"Call-ID: unknown.schemes@192.0.2.67\n"
	"CSeq: 6 OPTIONS\n"
	"\n";

static void check_unkscheme_hdr(struct ksr_msg *msg)
{
	struct ksr_uri *u;

	want_str(to(msg)->uri, "name:Sam_the_Example", "To URI");
	u = uri_of(msg, to(msg)->uri);
	assert_int_equal(u->scheme, KSR_URI_OTHER);
	want_str(u->scheme_str, "name", "To scheme");
	want_str(u->opaque, "Sam_the_Example", "To opaque part");
	want_str(from(msg)->tag, "urn1", "From tag");
	u = uri_of(msg, from(msg)->uri);
	assert_int_equal(u->scheme, KSR_URI_URN);
	want_str(u->opaque, "uuid:0b9c6d2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5", "From opaque part");
	assert_int_equal(contact_uri(msg)->scheme, KSR_URI_OTHER);
}

/* RFC 4475 3.3.3/3.3.4: a Request-URI scheme nobody knows, or a rare one */
static const char msg_unkscheme_ruri[] =
	"OPTIONS nobody-has-this-scheme:a.completely/opaque;thing?yes SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.68;branch=z9hG4bKunkruri\n"
	"Max-Forwards: 70\n"
	"From: <sip:tom@example.org>;tag=ur1\n"
	"To: <sip:tom@example.org>\n"
	"Call-ID: unknown.ruri.scheme@192.0.2.68\n"
	"CSeq: 1 OPTIONS\n"
	"\n";

static void check_unkscheme_ruri(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	assert_int_equal(u->scheme, KSR_URI_OTHER);
	want_str(u->scheme_str, "nobody-has-this-scheme", "R-URI scheme");
	want_str(u->opaque, "a.completely/opaque;thing?yes", "R-URI opaque part");
}

static const char msg_novel_scheme[] =
	"OPTIONS z39.50r://archive.example.org:210/catalog SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.68;branch=z9hG4bKnovel\n"
	"Max-Forwards: 70\n"
	"From: <sip:tom@example.org>;tag=nv1\n"
	"To: <sip:tom@example.org>\n"
	"Call-ID: novel.ruri.scheme@192.0.2.68\n"
	"CSeq: 1 OPTIONS\n"
	"\n";

static void check_novel_scheme(struct ksr_msg *msg)
{
	want_str(ruri(msg)->scheme_str, "z39.50r", "R-URI scheme");
	assert_int_equal(ruri(msg)->scheme, KSR_URI_OTHER);
}

/* RFC 4475 3.1.1.11: a multipart body, one part binary */
static const char msg_mpart[] =
	"MESSAGE sip:uma@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.69;branch=z9hG4bKmpart\n"
	"Max-Forwards: 70\n"
	"From: <sip:victor@example.org>;tag=mp1\n"
	"To: <sip:uma@example.com>\n"
	"Call-ID: multipart.torture@192.0.2.69\n"
	"CSeq: 5 MESSAGE\n"
	"Content-Type: multipart/mixed;boundary=\"torture boundary=42?\"\n"
	"Content-Length: @CL@\n"
	"\n"
	"--torture boundary=42?\n"
	"Content-Type: text/plain;charset=utf-8\n"
	"\n"
	"first part, with a line that looks like a header:\n"
	"Via: SIP/2.0/UDP not.a.header.example\n"
	"--torture boundary=42?\n"
	"Content-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: binary\n"
	"\n"
	"\x01\x02\x7f\x80\xfe\xff\r\r\x1b\n"
	"--torture boundary=42?--\n";

static void check_mpart(struct ksr_msg *msg)
{
	static const char first[] = "--torture boundary=42?\r\n";
	static const char last[] = "--torture boundary=42?--\r\n";
	struct ksr_body_part *p = NULL;
	int n = 0;

	assert_int_equal(msg->body.len, declared_clen(msg));
	assert_memory_equal(msg->body.s, first, sizeof(first) - 1);
	assert_memory_equal(msg->body.s + msg->body.len - (sizeof(last) - 1), last,
			    sizeof(last) - 1);
	/* the header-like line in the body is not a header */
	for (struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_VIA); h; h = ksr_msg_hdr_next(h))
		n++;
	assert_int_equal(n, 1);
	/* a boundary with a space, '=' and '?' must be quoted, and is found unquoted */
	assert_int_equal(ksr_msg_body_parts(msg, &p), 0);
	assert_non_null(p);
	want_str(p->content_type, "text/plain;charset=utf-8", "1st part type");
	want_str(p->content,
		 "first part, with a line that looks like a header:\r\n"
		 "Via: SIP/2.0/UDP not.a.header.example",
		 "1st part");
	assert_non_null(p->next);
	want_str(p->next->content_type, "application/octet-stream", "2nd part type");
	want_str(p->next->content, "\x01\x02\x7f\x80\xfe\xff\r\r\x1b", "2nd part");
	assert_null(p->next->next);
}

/* RFC 4475 3.1.1.8: bytes after Content-Length on a datagram are ignored */
static const char msg_trailing[] =
	"MESSAGE sip:walt@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.71;branch=z9hG4bKtrail\n"
	"Max-Forwards: 70\n"
	"From: <sip:xena@example.org>;tag=tb1\n"
	"To: <sip:walt@example.com>\n"
	"Call-ID: trailing.bytes@192.0.2.71\n"
	"CSeq: 5 MESSAGE\n"
	"Content-Type: text/plain\n"
	"Content-Length: 4\n"
	"\n"
	"abcdthese bytes are past Content-Length and must be ignored\n"
	"\n";

static void check_trailing(struct ksr_msg *msg)
{
	want_str(msg->body, "abcd", "body");
}

/* RFC 4475 3.1.1.8: a second whole request after the first one's body */
static const char msg_dblreq[] =
	"REGISTER sip:example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.72;branch=z9hG4bKdbl1\n"
	"Max-Forwards: 70\n"
	"From: <sip:yuri@example.com>;tag=dbl1\n"
	"To: <sip:yuri@example.com>\n"
	"Call-ID: double.request@192.0.2.72\n"
	"CSeq: 1 REGISTER\n"
	"Contact: <sip:yuri@192.0.2.72>\n"
	"Content-Length: 0\n"
	"\n"
	"INVITE sip:zoe@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.72;branch=z9hG4bKdbl2\n"
	"Max-Forwards: 70\n"
	"From: <sip:yuri@example.com>;tag=dbl2\n"
	"To: <sip:zoe@example.com>\n"
	"Call-ID: double.request.2@192.0.2.72\n"
	"CSeq: 2 INVITE\n"
	"Content-Length: 0\n"
	"\n";

static void check_dblreq(struct ksr_msg *msg)
{
	assert_int_equal(msg->first.req.method_id, KSR_METHOD_REGISTER);
	assert_int_equal(msg->body.len, 0);
	want_str(via1(msg)->branch, "z9hG4bKdbl1", "Via branch");
	assert_int_equal(count_headers(msg), 8);
	assert_int_equal(cseq(msg)->method_id, KSR_METHOD_REGISTER);
}

/* RFC 4475 3.1.1.12: a reply with an unusual reason phrase (UTF-8, punctuation) */
static const char msg_unreason[] =
	"SIP/2.0 200 Fine \xe2\x9c\x93 \"quoted\" <angle> & 100% \xe5\xae\x8c\xe4\xba\x86 ;,?\n"
	"Via: SIP/2.0/UDP 192.0.2.73;branch=z9hG4bKunreason;received=192.0.2.1\n"
	"From: <sip:adam@example.org>;tag=ur1\n"
	"To: <sip:beth@example.com>;tag=ur2\n"
	"Call-ID: unusual.reason@192.0.2.73\n"
	"CSeq: 17 OPTIONS\n"
	"Content-Length: 0\n"
	"\n";

static void check_unreason(struct ksr_msg *msg)
{
	assert_int_equal(msg->type, KSR_MSG_REPLY);
	assert_int_equal(msg->first.rpl.code, 200);
	want_str(msg->first.rpl.reason,
		 "Fine \xe2\x9c\x93 \"quoted\" <angle> & 100% \xe5\xae\x8c\xe4\xba\x86 ;,?",
		 "reason phrase");
}

/* RFC 4475 3.1.1.13: an empty reason phrase (the SP before it is there) */
static const char msg_noreason[] =
	"SIP/2.0 100 \n"
	"Via: SIP/2.0/UDP 192.0.2.74;branch=z9hG4bKnoreason\n"
	"From: <sip:carl@example.org>;tag=nr1\n"
	"To: <sip:dora@example.com>\n"
	"Call-ID: no.reason@192.0.2.74\n"
	"CSeq: 1 INVITE\n"
	"Content-Length: 0\n"
	"\n";

static void check_noreason(struct ksr_msg *msg)
{
	assert_int_equal(msg->type, KSR_MSG_REPLY);
	assert_int_equal(msg->first.rpl.code, 100);
	assert_int_equal(msg->first.rpl.reason.len, 0);
}

/* RFC 5118 4.1: IPv6 references in the Request-URI, Via and Contact */
static const char msg_v6_good[] =
	"REGISTER sip:[2001:db8::10] SIP/2.0\n"
	"To: sip:user@example.com\n"
	"From: sip:user@example.com;tag=v6g\n"
	"Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKv6good\n"
	"Call-ID: v6.good@2001.db8.9.1\n"
	"Max-Forwards: 70\n"
	"CSeq: 86 REGISTER\n"
	"Contact: \"Caller\" <sip:caller@[2001:db8::1]>\n"
	"Content-Length: 0\n"
	"\n";

static void check_v6_good(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	want_str(u->host, "[2001:db8::10]", "R-URI host");
	assert_int_equal(u->host_type, KSR_HOST_IPV6);
	assert_int_equal(u->port, 0);
	want_str(via1(msg)->host, "2001:db8::9:1", "Via host");
	assert_int_equal(via1(msg)->port, 0);
	u = contact_uri(msg);
	want_str(u->host, "[2001:db8::1]", "Contact host");
	assert_int_equal(u->host_type, KSR_HOST_IPV6);
}

/* RFC 5118 4.4 and 4.6: [v6]:port in Request-URI and Contact, IPv6 in the SDP */
static const char msg_v6_port[] =
	"INVITE sip:user@[2001:db8::10]:5070 SIP/2.0\n"
	"To: sip:user@[2001:db8::10]\n"
	"From: sip:caller@example.org;tag=v6p\n"
	"Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKv6port\n"
	"Call-ID: v6.port@2001.db8.9.1\n"
	"Max-Forwards: 70\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:caller@[2001:db8::9:1]:6050;transport=udp>\n"
	"Content-Type: application/sdp\n"
	"Content-Length: @CL@\n"
	"\n"
	"v=0\n"
	"o=caller 1 1 IN IP6 2001:db8::9:1\n"
	"s=-\n"
	"c=IN IP6 2001:db8::9:1\n"
	"t=0 0\n"
	"m=audio 6000 RTP/AVP 0\n";

static void check_v6_port(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	want_str(u->user, "user", "R-URI user");
	want_str(u->host, "[2001:db8::10]", "R-URI host");
	assert_int_equal(u->port, 5070);
	assert_int_equal(via1(msg)->port, 6050);
	u = contact_uri(msg);
	want_str(u->host, "[2001:db8::9:1]", "Contact host");
	assert_int_equal(u->port, 6050);
	want_str(u->transport, "udp", "Contact transport");
	want_str(uri_of(msg, to(msg)->uri)->host, "[2001:db8::10]", "To host");
}

/* RFC 5118 4.3: what looks like a port inside the brackets is part of the address */
static const char msg_v6_ambiguous[] =
	"REGISTER sip:[2001:db8::10:5070] SIP/2.0\n"
	"To: sip:user@example.com\n"
	"From: sip:user@example.com;tag=v6a\n"
	"Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKv6amb\n"
	"Call-ID: v6.ambiguous@2001.db8.9.1\n"
	"Max-Forwards: 70\n"
	"CSeq: 86 REGISTER\n"
	"Contact: <sip:caller@[2001:db8::1:5060]>\n"
	"Content-Length: 0\n"
	"\n";

static void check_v6_ambiguous(struct ksr_msg *msg)
{
	want_str(ruri(msg)->host, "[2001:db8::10:5070]", "R-URI host");
	assert_int_equal(ruri(msg)->port, 0);
	want_str(contact_uri(msg)->host, "[2001:db8::1:5060]", "Contact host");
	assert_int_equal(contact_uri(msg)->port, 0);
}

/* RFC 5118 4.5: received with an IPv6 address, without and with brackets */
static const char msg_v6_received[] =
	"OPTIONS sip:user@[2001:db8::10] SIP/2.0\n"
	"To: sip:user@[2001:db8::10]\n"
	"From: sip:caller@example.org;tag=v6r\n"
	"Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKv6rcv;received=2001:db8::9:255;rport=6050\n"
	"Via: SIP/2.0/UDP [2001:db8::9:2];branch=z9hG4bKv6rcv2;received=[2001:db8::9:254]\n"
	"Call-ID: v6.received@2001.db8.9.1\n"
	"Max-Forwards: 70\n"
	"CSeq: 3 OPTIONS\n"
	"\n";

static void check_v6_received(struct ksr_msg *msg)
{
	struct ksr_via *v = via1(msg);

	assert_true(v->has_received);
	want_str(v->received, "2001:db8::9:255", "Via received");
	want_str(v->rport, "6050", "Via rport");
	v = via_line(msg, 1);
	assert_true(v->has_received);
	want_str(v->received, "[2001:db8::9:254]", "2nd Via received");
}

/* RFC 5118 4.9: IPv4-mapped IPv6 addresses */
static const char msg_v6_mapped[] =
	"INVITE sip:user@[::ffff:192.0.2.10] SIP/2.0\n"
	"To: sip:user@[::ffff:192.0.2.10]\n"
	"From: sip:caller@example.org;tag=v6m\n"
	"Via: SIP/2.0/UDP [::ffff:192.0.2.20]:19823;branch=z9hG4bKv6map\n"
	"Call-ID: v6.mapped@192.0.2.20\n"
	"Max-Forwards: 70\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:caller@[::ffff:192.0.2.20]:19823>\n"
	"Content-Length: 0\n"
	"\n";

static void check_v6_mapped(struct ksr_msg *msg)
{
	want_str(ruri(msg)->host, "[::ffff:192.0.2.10]", "R-URI host");
	assert_int_equal(ruri(msg)->host_type, KSR_HOST_IPV6);
	want_str(via1(msg)->host, "::ffff:192.0.2.20", "Via host");
	assert_int_equal(via1(msg)->port, 19823);
	want_str(contact_uri(msg)->host, "[::ffff:192.0.2.20]", "Contact host");
	assert_int_equal(contact_uri(msg)->port, 19823);
}

/* RFC 5118 4.7 and 4.10: IPv4 and IPv6 mixed in one header, a v4 tail in a v6 address */
static const char msg_v6_mixed[] =
	"BYE sip:user@host.example.net SIP/2.0\n"
	"Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKmix1, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmix2\n"
	"Via: SIP/2.0/UDP [2001:db8::192.0.2.9];branch=z9hG4bKmix3\n"
	"Max-Forwards: 70\n"
	"To: sip:user@example.com;tag=mx2\n"
	"From: sip:caller@example.net;tag=mx1\n"
	"Call-ID: v6.mixed@192.0.2.1\n"
	"CSeq: 8 BYE\n"
	"Route: <sip:[2001:db8::99]:5060;lr>, <sip:192.0.2.99;lr>\n"
	"Content-Length: 0\n"
	"\n";

static void check_v6_mixed(struct ksr_msg *msg)
{
	struct ksr_via *v = via1(msg);
	struct ksr_addr *r = NULL;

	want_str(v->host, "2001:db8::9:1", "Via host");
	assert_non_null(v->next);
	want_str(v->next->host, "192.0.2.1", "2nd Via value host");
	want_str(via_line(msg, 1)->host, "2001:db8::192.0.2.9", "2nd Via line host");
	want_str(to(msg)->tag, "mx2", "To tag");
	assert_int_equal(ksr_msg_routes(msg, &r), 0);
	assert_non_null(r);
	want_str(uri_of(msg, r->uri)->host, "[2001:db8::99]", "1st Route host");
	assert_int_equal(uri_of(msg, r->uri)->port, 5060);
	assert_true(r->lr);
	assert_non_null(r->next);
	want_str(uri_of(msg, r->next->uri)->host, "192.0.2.99", "2nd Route host");
}

/* RFC 3261 19.1 and RFC 3966: sips: and tel: Request-URIs */
static const char msg_sips[] =
	"OPTIONS sips:bob@secure.example.com;transport=tls SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.0.2.89:5061;branch=z9hG4bKsips\n"
	"Max-Forwards: 70\n"
	"From: <sips:alice@example.org>;tag=s1\n"
	"To: <sips:bob@secure.example.com>\n"
	"Call-ID: sips.ruri@192.0.2.89\n"
	"CSeq: 1 OPTIONS\n"
	"\n";

static void check_sips(struct ksr_msg *msg)
{
	assert_int_equal(ruri(msg)->scheme, KSR_URI_SIPS);
	want_str(ruri(msg)->host, "secure.example.com", "R-URI host");
	want_str(via1(msg)->transport, "TLS", "Via transport");
	assert_int_equal(via1(msg)->port, 5061);
}

static const char msg_tel[] =
	"INVITE tel:+1-555-0100;phone-context=example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.90;branch=z9hG4bKtel\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@example.org>;tag=tel1\n"
	"To: <tel:+1-555-0100;phone-context=example.com>\n"
	"Call-ID: tel.ruri@192.0.2.90\n"
	"CSeq: 1 INVITE\n"
	"\n";

static void check_tel(struct ksr_msg *msg)
{
	assert_int_equal(ruri(msg)->scheme, KSR_URI_TEL);
	want_str(ruri(msg)->user, "+1-555-0100", "tel number");
	assert_int_equal(uri_of(msg, to(msg)->uri)->scheme, KSR_URI_TEL);
}

/* RFC 4475 3.3.15: an escaped header in a Contact URI, in <> as it must be */
static const char msg_regescrt[] =
	"REGISTER sip:example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.91;branch=z9hG4bKregesc\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.com>;tag=re1\n"
	"To: <sip:ben@example.com>\n"
	"Call-ID: regescrt@192.0.2.91\n"
	"CSeq: 1 REGISTER\n"
	"Contact: <sip:ben@192.0.2.91?Route=%3Csip:edge.example.com%3E>;expires=300\n"
	"\n";

static void check_regescrt(struct ksr_msg *msg)
{
	struct ksr_contacts *cs = NULL;

	assert_int_equal(ksr_msg_contacts(msg, &cs), 0);
	assert_non_null(cs->first);
	assert_true(cs->first->has_expires);
	assert_int_equal(cs->first->expires, 300);
	want_str(uri_of(msg, cs->first->uri)->headers, "Route=%3Csip:edge.example.com%3E",
		 "Contact URI headers");
}

/* RFC 3261 16.3 step 3 and 8.2: a request without Max-Forwards passes */
static const char msg_no_maxfwd[] =
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.75;branch=z9hG4bKnomf\n"
	"From: <sip:ben@example.org>;tag=nomf\n"
	"To: <sip:amy@example.com>\n"
	"Call-ID: no.max.forwards@192.0.2.75\n"
	"CSeq: 1 OPTIONS\n"
	"Content-Length: 0\n"
	"\n";

/* RFC 3261 18.3: Content-Length is optional on datagrams; the body runs to the end */
static const char msg_no_clen[] =
	"MESSAGE sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.75;branch=z9hG4bKnocl\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.org>;tag=nocl\n"
	"To: <sip:amy@example.com>\n"
	"Call-ID: no.content.length@192.0.2.75\n"
	"CSeq: 1 MESSAGE\n"
	"Content-Type: text/plain\n"
	"\n"
	"no length given";

static void check_no_clen(struct ksr_msg *msg)
{
	want_str(msg->body, "no length given", "body");
}

/* RFC 3261 20.22 and 8.1.1.5: the largest values of the scalar fields still allowed */
static const char msg_scalar_max[] =
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.76;branch=z9hG4bKsmax\n"
	"Max-Forwards: 255\n"
	"From: <sip:ben@example.org>;tag=smax\n"
	"To: <sip:amy@example.com>\n"
	"Call-ID: scalar.max@192.0.2.76\n"
	"CSeq: 4294967295 OPTIONS\n"
	"Expires: 4294967295\n"
	"Content-Length:   0000\n"
	"\n";

static void check_scalar_max(struct ksr_msg *msg)
{
	assert_int_equal(cseq(msg)->number, 4294967295u);
	assert_int_equal(msg->body.len, 0);
}

/* RFC 4475 3.2.1 / 3.3.1: a Via without branch (RFC 2543 peer) */
static const char msg_no_branch[] =
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.77\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.org>;tag=nobr\n"
	"To: <sip:amy@example.com>\n"
	"Call-ID: no.branch@192.0.2.77\n"
	"CSeq: 1 OPTIONS\n"
	"\n";

static void check_no_branch(struct ksr_msg *msg)
{
	assert_int_equal(via1(msg)->branch.len, 0);
	want_str(via1(msg)->host, "192.0.2.77", "Via host");
}

/* RFC 3261 20.10: in an addr-spec, ';' starts header parameters, not URI ones */
static const char msg_addrspec_params[] =
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.78;branch=z9hG4bKaddrspec\n"
	"Max-Forwards: 70\n"
	"From: sip:ben@example.org;transport=tcp;tag=as1\n"
	"To: sip:amy@example.com;user=phone\n"
	"Call-ID: addrspec.params@192.0.2.78\n"
	"CSeq: 1 OPTIONS\n"
	"\n";

static void check_addrspec_params(struct ksr_msg *msg)
{
	want_str(from(msg)->uri, "sip:ben@example.org", "From URI");
	want_str(from(msg)->tag, "as1", "From tag");
	want_str(to(msg)->uri, "sip:amy@example.com", "To URI");
	assert_false(to(msg)->has_tag);
}

/* RFC 3261 19.1.1: password, user=phone, maddr, ttl and headers-free params */
static const char msg_uri_parts[] =
	"INVITE sip:+1-555-0100:secret@gw.example.com:5080;user=phone;maddr=239.255.255.1;ttl=15;method=INVITE SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.79;branch=z9hG4bKparts\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.org>;tag=pt1\n"
	"To: <sip:+1-555-0100@gw.example.com;user=phone>\n"
	"Call-ID: uri.parts@192.0.2.79\n"
	"CSeq: 1 INVITE\n"
	"\n";

static void check_uri_parts(struct ksr_msg *msg)
{
	struct ksr_uri *u = ruri(msg);

	want_str(u->user, "+1-555-0100", "R-URI user");
	want_str(u->passwd, "secret", "R-URI password");
	want_str(u->host, "gw.example.com", "R-URI host");
	assert_int_equal(u->port, 5080);
	want_str(u->user_param, "phone", "R-URI user=");
	want_str(u->maddr, "239.255.255.1", "R-URI maddr");
	want_str(u->ttl, "15", "R-URI ttl");
	want_str(u->method, "INVITE", "R-URI method");
}

/* RFC 3261 7.5 and 25.1: empty lines before the start line, tabs as whitespace */
static const char msg_tabs[] =
	"\n\n"
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via:\tSIP/2.0/UDP\t192.0.2.80\t;\tbranch=z9hG4bKtabs\n"
	"Max-Forwards:\t70\n"
	"From:\t<sip:ben@example.org>\t;\ttag=tabs\n"
	"To:\t<sip:amy@example.com>\n"
	"Call-ID:\ttabs.everywhere@192.0.2.80\n"
	"CSeq:\t5\tOPTIONS\n"
	"\n";

static void check_tabs(struct ksr_msg *msg)
{
	want_str(via1(msg)->branch, "z9hG4bKtabs", "Via branch");
	want_str(from(msg)->tag, "tabs", "From tag");
	assert_int_equal(cseq(msg)->number, 5);
}

/* RFC 4475 3.1.2.12: a Date that is not RFC 1123: a proxy passes it on */
static const char msg_baddate[] =
	"OPTIONS sip:amy@example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.81;branch=z9hG4bKdate\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.org>;tag=date\n"
	"To: <sip:amy@example.com>\n"
	"Call-ID: bad.date@192.0.2.81\n"
	"CSeq: 1 OPTIONS\n"
	"Date: Someday, 32 Smarch 20XX 25:61:61 LOL\n"
	"\n";

/* RFC 4475 3.3.8: an authorization scheme nobody knows */
static const char msg_unkauth[] =
	"REGISTER sip:example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.82;branch=z9hG4bKauth\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.com>;tag=auth\n"
	"To: <sip:ben@example.com>\n"
	"Call-ID: unknown.auth@192.0.2.82\n"
	"CSeq: 2 REGISTER\n"
	"Contact: <sip:ben@192.0.2.82>\n"
	"Authorization: FancyNewScheme opaque=\"x,y;z\", more=data\n"
	"\n";

/* A reply with every header a UAC needs, To tag included */
static const char msg_reply_ok[] =
	"SIP/2.0 180 Ringing\n"
	"Via: SIP/2.0/UDP 192.0.2.83;branch=z9hG4bKring;received=192.0.2.1;rport=5060\n"
	"Via: SIP/2.0/UDP 192.0.2.84;branch=z9hG4bKring2\n"
	"From: <sip:ben@example.org>;tag=r1\n"
	"To: <sip:amy@example.com>;tag=r2\n"
	"Call-ID: ringing@192.0.2.83\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:amy@192.0.2.90>\n"
	"Content-Length: 0\n"
	"\n";

static void check_reply_ok(struct ksr_msg *msg)
{
	assert_int_equal(msg->first.rpl.code, 180);
	want_str(msg->first.rpl.reason, "Ringing", "reason phrase");
	want_str(via1(msg)->received, "192.0.2.1", "Via received");
	want_str(to(msg)->tag, "r2", "To tag");
}

/* ---------------------------------------------------------------------------------- */
/* generated messages: long values, many headers, and the limits of limits.h            */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 1;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	b->len += (size_t)n;
}

static void sb_rep(struct sbuf *b, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_add(b, "%c", c);
}

static void sb_init(struct sbuf *b)
{
	b->cap = 1024;
	b->len = 0;
	b->s = malloc(b->cap);
	assert_non_null(b->s);
	b->s[0] = '\0';
}

#define LONG_USER 1000
#define LONG_BRANCH 400
#define LONG_DISPLAY 2000
#define LONG_TAG 500
#define LONG_CALLID 1500
#define LONG_UNKNOWN 20000
#define LONG_VIAS 60 /* below KSR_MSG_MAX_VIA */

/* RFC 4475 3.1.1.7: long values everywhere, still under every limit */
static char *gen_long(void)
{
	struct sbuf b;

	sb_init(&b);
	sb_add(&b, "INVITE sip:");
	sb_rep(&b, 'u', LONG_USER);
	sb_add(&b, "@long.example.com SIP/2.0\n");
	sb_add(&b, "Via: SIP/2.0/UDP 192.0.2.85;branch=z9hG4bK");
	sb_rep(&b, 'b', LONG_BRANCH);
	for (int i = 0; i < 30; i++)
		sb_add(&b, ";unknown-param-%d=some-value-%d", i, i);
	sb_add(&b, "\n");
	for (int i = 1; i < LONG_VIAS; i++)
		sb_add(&b, "Via: SIP/2.0/UDP relay%d.example.net:%d;branch=z9hG4bKrelay%d\n", i,
		       5060 + i, i);
	sb_add(&b, "To: \"");
	sb_rep(&b, 'T', LONG_DISPLAY);
	sb_add(&b, "\" <sip:");
	sb_rep(&b, 'u', LONG_USER);
	sb_add(&b, "@long.example.com>\n");
	sb_add(&b, "From: <sip:caller@example.org>;tag=");
	sb_rep(&b, 't', LONG_TAG);
	sb_add(&b, "\nCall-ID: ");
	sb_rep(&b, 'c', LONG_CALLID);
	sb_add(&b, "@long.example.com\n");
	sb_add(&b, "Max-Forwards: 70\nCSeq: 1 INVITE\nX-Long-Unknown: ");
	sb_rep(&b, 'x', LONG_UNKNOWN);
	sb_add(&b, "\nContent-Length: 0\n\n");
	return b.s;
}

static void check_long(struct ksr_msg *msg)
{
	struct ksr_via *v = via1(msg);
	int nvia = 0;

	assert_int_equal(ruri(msg)->user.len, LONG_USER);
	assert_int_equal(v->branch.len, 7 + LONG_BRANCH);
	assert_int_equal(to(msg)->display.len, LONG_DISPLAY + 2);
	assert_int_equal(uri_of(msg, to(msg)->uri)->user.len, LONG_USER);
	assert_int_equal(from(msg)->tag.len, LONG_TAG);
	assert_int_equal(msg->h_callid->body.len, LONG_CALLID + 17);
	for (struct ksr_hdr *h = ksr_msg_hdr_first(msg, KSR_HDR_VIA); h; h = ksr_msg_hdr_next(h))
		nvia++;
	assert_int_equal(nvia, LONG_VIAS);
	assert_int_equal(via_line(msg, LONG_VIAS - 1)->port, 5060 + LONG_VIAS - 1);
}

#define MANY_FILLERS (KSR_MSG_MAX_HEADERS - 7) /* + 6 from add_request_head + Content-Length */

static void add_request_head(struct sbuf *b)
{
	sb_add(b, "OPTIONS sip:amy@example.com SIP/2.0\n"
		  "Via: SIP/2.0/UDP 192.0.2.86;branch=z9hG4bKmany\n"
		  "Max-Forwards: 70\n"
		  "From: <sip:ben@example.org>;tag=many\n"
		  "To: <sip:amy@example.com>\n"
		  "Call-ID: many.headers@192.0.2.86\n"
		  "CSeq: 1 OPTIONS\n");
}

/* exactly KSR_MSG_MAX_HEADERS header lines */
static char *gen_many_headers(void)
{
	struct sbuf b;

	sb_init(&b);
	add_request_head(&b);
	for (int i = 0; i < MANY_FILLERS; i++)
		sb_add(&b, "X-Filler-%d: %d\n", i, i);
	sb_add(&b, "Content-Length: 0\n\n");
	return b.s;
}

static void check_many_headers(struct ksr_msg *msg)
{
	assert_int_equal(count_headers(msg), KSR_MSG_MAX_HEADERS);
}

/* one header line more than KSR_MSG_MAX_HEADERS */
static char *gen_too_many_headers(void)
{
	struct sbuf b;

	sb_init(&b);
	add_request_head(&b);
	for (int i = 0; i < MANY_FILLERS + 1; i++)
		sb_add(&b, "X-Filler-%d: %d\n", i, i);
	sb_add(&b, "Content-Length: 0\n\n");
	return b.s;
}

static char *gen_too_many_vias(void)
{
	struct sbuf b;

	sb_init(&b);
	add_request_head(&b);
	for (int i = 0; i < KSR_MSG_MAX_VIA; i++)
		sb_add(&b, "Via: SIP/2.0/UDP relay%d.example.net;branch=z9hG4bKr%d\n", i, i);
	sb_add(&b, "Content-Length: 0\n\n");
	return b.s;
}

/* A request of exactly size bytes once its line ends are CRLF (padded by X-Pad). */
static char *gen_sized(size_t size)
{
	struct sbuf b;
	size_t fixed;

	sb_init(&b);
	add_request_head(&b);
	/* 7 lines so far (first line, 6 headers), then "X-Pad: ...", "Content-Length: 0" and
	 * the empty line: 10 CRs to come */
	fixed = b.len + 7 + strlen("X-Pad: \nContent-Length: 0\n\n") + 3;
	assert_true(size > fixed);
	sb_add(&b, "X-Pad: ");
	sb_rep(&b, 'p', size - fixed);
	sb_add(&b, "\nContent-Length: 0\n\n");
	return b.s;
}

static char *gen_max_size(void)
{
	return gen_sized(KSR_MSG_MAX_SIZE);
}

static char *gen_too_big(void)
{
	return gen_sized(KSR_MSG_MAX_SIZE + 1);
}

static void check_max_size(struct ksr_msg *msg)
{
	assert_int_equal(msg->len, KSR_MSG_MAX_SIZE);
}

/* a Request-URI longer than KSR_URI_MAX_LEN: 400, or 414 (RFC 3261 21.4.12) */
static char *gen_long_ruri(void)
{
	struct sbuf b;

	sb_init(&b);
	sb_add(&b, "OPTIONS sip:");
	sb_rep(&b, 'u', KSR_URI_MAX_LEN);
	sb_add(&b, "@example.com SIP/2.0\n"
		   "Via: SIP/2.0/UDP 192.0.2.87;branch=z9hG4bKlongruri\n"
		   "Max-Forwards: 70\n"
		   "From: <sip:ben@example.org>;tag=lru\n"
		   "To: <sip:amy@example.com>\n"
		   "Call-ID: long.ruri@192.0.2.87\n"
		   "CSeq: 1 OPTIONS\n"
		   "\n");
	return b.s;
}

/* ---------------------------------------------------------------------------------- */
/* the table                                                                            */

/* The headers every request below shares, after its first line and Via. */
#define HDRS_AB \
	"Max-Forwards: 70\n" \
	"From: <sip:alice@example.org>;tag=a1\n" \
	"To: <sip:bob@example.com>\n"

static const struct tcase cases[] = {
	/* --- valid: accepted, and their fields parse as they should --- */
	VALID("wsinv: tortuous whitespace and folding (4475 3.1.1.1)", msg_wsinv, check_wsinv),
	VALID("CSeq folded after its number (3261 25.1 LWS)", msg_cseq_fold, check_cseq_fold),
	VALID("Max-Forwards with leading zeros (3261 20.22: 1*DIGIT)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmfzeros\nMax-Forwards: 0068\n"
	      "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	      "Call-ID: mfzeros@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      check_mf_zeros),
	VALID("compact header forms (3261 7.3.3)", msg_compact, check_compact),
	VALID("case variations (3261 7.3.1, 19.1.4)", msg_case, check_case),
	VALID("lower-case SIP-Version (3261 7.1)", msg_version_case, NULL),
	VALID("intmeth: unknown method of token chars (4475 3.1.1.2)", msg_intmeth,
	      check_intmeth),
	VALID("esc02: '%' in a method is no escape (4475 3.1.1.5)", msg_pct_method,
	      check_pct_method),
	VALID("esc01: escaped user parts (4475 3.1.1.3)", msg_esc, check_esc),
	VALID("escnull: %00 in user parts (4475 3.1.1.4)", msg_escnull, check_escnull),
	VALID("lwsdisp: no LWS before '<' (4475 3.1.1.6)", msg_lwsdisp, check_lwsdisp),
	VALID("escaped quotes in display names (3261 25.1)", msg_dquote, check_dquote),
	VALID("semiuri: ';' in the R-URI user part (4475 3.1.1.9)", msg_semiuri, check_semiuri),
	VALID("transports: unknown Via transports (4475 3.1.1.10)", msg_transports,
	      check_transports),
	VALID("unknown URI schemes in To/From/Contact (4475 3.3.5)", msg_unkscheme_hdr,
	      check_unkscheme_hdr),
	EITHER("unknown R-URI scheme: accepted or 416 (4475 3.3.3)", msg_unkscheme_ruri,
	       V_ACCEPT | V_REPLY, 416, NULL, check_unkscheme_ruri),
	EITHER("novel R-URI scheme: accepted or 416 (4475 3.3.4)", msg_novel_scheme,
	       V_ACCEPT | V_REPLY, 416, NULL, check_novel_scheme),
	VALID("mpart01: multipart body (4475 3.1.1.11)", msg_mpart, check_mpart),
	VALID("dblreq: bytes after Content-Length ignored on UDP (4475 3.1.1.8)", msg_trailing,
	      check_trailing),
	VALID("dblreq: a second request after the body is ignored (4475 3.1.1.8)", msg_dblreq,
	      check_dblreq),
	VALID("unreason: unusual reason phrase (4475 3.1.1.12)", msg_unreason, check_unreason),
	VALID("noreason: empty reason phrase (4475 3.1.1.13)", msg_noreason, check_noreason),
	VALID("reply with every header (3261 8.1.3)", msg_reply_ok, check_reply_ok),
	VALID("ipv6-good (5118 4.1)", msg_v6_good, check_v6_good),
	VALID("[v6]:port in R-URI/Contact, v6 SDP (5118 4.4, 4.6)", msg_v6_port, check_v6_port),
	VALID("port-ambiguous v6 reference (5118 4.3)", msg_v6_ambiguous, check_v6_ambiguous),
	VALID("v6 received with and without brackets (5118 4.5)", msg_v6_received,
	      check_v6_received),
	VALID("IPv4-mapped IPv6 (5118 4.9)", msg_v6_mapped, check_v6_mapped),
	VALID("v4 and v6 mixed, v4 tail in v6 (5118 4.7, 4.10)", msg_v6_mixed, check_v6_mixed),
	VALID("sips: R-URI, TLS Via (3261 19.1)", msg_sips, check_sips),
	VALID("tel: R-URI and To (RFC 3966)", msg_tel, check_tel),
	VALID("regescrt: escaped header in a Contact URI in <> (4475 3.3.15)", msg_regescrt,
	      check_regescrt),
	VALID("no Max-Forwards passes (3261 16.3 step 3)", msg_no_maxfwd, NULL),
	VALID("no Content-Length on UDP (3261 18.3)", msg_no_clen, check_no_clen),
	VALID("largest CSeq, Max-Forwards, Expires (3261 8.1.1.5, 20.19, 20.22)",
	      msg_scalar_max, check_scalar_max),
	VALID("Via without branch (4475 3.3.1)", msg_no_branch, check_no_branch),
	VALID("addr-spec: ';' starts header params (3261 20.10)", msg_addrspec_params,
	      check_addrspec_params),
	VALID("R-URI password, user=, maddr, ttl, method (3261 19.1.1)", msg_uri_parts,
	      check_uri_parts),
	VALID("leading CRLFs, tabs as whitespace (3261 7.5, 25.1)", msg_tabs, check_tabs),
	VALID("baddate: a proxy passes a bad Date on (4475 3.1.2.12)", msg_baddate, NULL),
	VALID("unknown authorization scheme (4475 3.3.8)", msg_unkauth, NULL),
	VALID_GEN("longreq: long values, 60 Vias (4475 3.1.1.7)", gen_long, check_long),
	VALID_GEN("exactly KSR_MSG_MAX_HEADERS headers", gen_many_headers, check_many_headers),
	VALID_GEN("exactly KSR_MSG_MAX_SIZE bytes", gen_max_size, check_max_size),
	EITHER("escruri: escaped headers in the R-URI: accepted or 400 (4475 3.1.2.11)",
	       "INVITE sip:bob@example.com?Route=%3Csip:evil.example.net%3E SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKescruri\n" HDRS_AB
	       "Call-ID: escruri@192.0.2.1\nCSeq: 1 INVITE\n\n",
	       V_ACCEPT | V_REPLY, 400, NULL, NULL),
	EITHER("badaspec: spaces inside <>: accepted or 400 (4475 3.1.2.14)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbadaspec\nMax-Forwards: 70\n"
	       "From: \"Alice\" <sip:alice@example.org>;tag=a1\n"
	       "To: \"Bob\" < sip:bob@example.com >\n"
	       "Call-ID: badaspec@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_ACCEPT | V_REPLY, 400, NULL, NULL),
	EITHER("zeromf: Max-Forwards 0: accepted (the script answers 483) (4475 3.3.12)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKzeromf\nMax-Forwards: 0\n"
	       "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	       "Call-ID: zeromf@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_ACCEPT | V_REPLY, 483, NULL, NULL),
	EITHER("unknown Require/Proxy-Require: accepted, or 420 (4475 3.3.6)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbext\n" HDRS_AB
	       "Call-ID: bext@192.0.2.1\nCSeq: 1 OPTIONS\n"
	       "Require: nothing-like-this\nProxy-Require: nor-this\n\n",
	       V_ACCEPT | V_REPLY, 420, NULL, NULL),

	/* --- Content-Length (RFC 4475 3.1.2.2, 3.1.2.3, 3.3.10) --- */
	REPLY("clerr: Content-Length larger than the body (4475 3.1.2.2)",
	      "MESSAGE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKclerr\n" HDRS_AB
	      "Call-ID: clerr@192.0.2.1\nCSeq: 1 MESSAGE\n"
	      "Content-Type: text/plain\nContent-Length: 9999\n\nshort body",
	      400, "Content-Length"),
	REPLY("ncl: negative Content-Length (4475 3.1.2.3)",
	      "MESSAGE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKncl\n" HDRS_AB
	      "Call-ID: ncl@192.0.2.1\nCSeq: 1 MESSAGE\n"
	      "Content-Type: text/plain\nContent-Length: -5\n\nabc",
	      400, "Content-Length"),
	REPLY("non-numeric Content-Length (3261 20.14)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKclnan\n" HDRS_AB
	      "Call-ID: clnan@192.0.2.1\nCSeq: 1 OPTIONS\nContent-Length: zero\n\n",
	      400, "Content-Length"),
	REPLY("Content-Length with trailing garbage (3261 20.14)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKclgarb\n" HDRS_AB
	      "Call-ID: clgarb@192.0.2.1\nCSeq: 1 OPTIONS\nContent-Length: 0x0\n\n",
	      400, "Content-Length"),
	REPLY("overlarge Content-Length (3261 20.14)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKclbig\n" HDRS_AB
	      "Call-ID: clbig@192.0.2.1\nCSeq: 1 OPTIONS\n"
	      "Content-Length: 18446744073709551617\n\n",
	      400, "Content-Length"),
	REPLY("mcl01: conflicting Content-Length values (4475 3.3.10)",
	      "MESSAGE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmcl\n" HDRS_AB
	      "Call-ID: mcl01@192.0.2.1\nCSeq: 1 MESSAGE\nContent-Type: text/plain\n"
	      "Content-Length: 2\nl: 6\n\nabcdef",
	      400, "Content-Length"),

	/* --- overlarge scalars (RFC 4475 3.1.2.4, 3.1.2.5, 3.1.2.19) --- */
	REPLY("scalar02: CSeq of 2^32 (4475 3.1.2.4, 3261 8.1.1.5)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcs32\n" HDRS_AB
	      "Call-ID: cseq32@192.0.2.1\nCSeq: 4294967296 OPTIONS\n\n",
	      400, "CSeq"),
	REPLY("scalar02: CSeq of 2^65 (4475 3.1.2.4)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcs65\n" HDRS_AB
	      "Call-ID: cseq65@192.0.2.1\nCSeq: 36893488147419103232 OPTIONS\n\n",
	      400, "CSeq"),
	REPLY("scalar02: Max-Forwards of 256 (4475 3.1.2.4, 3261 20.22)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmf256\nMax-Forwards: 256\n"
	      "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	      "Call-ID: mf256@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "Max-Forwards"),
	REPLY("scalar02: Max-Forwards of 2^64+1 (4475 3.1.2.4)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmf64\nMax-Forwards: 18446744073709551617\n"
	      "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	      "Call-ID: mf64@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "Max-Forwards"),
	REPLY("negative Max-Forwards (3261 20.22)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmfneg\nMax-Forwards: -1\n"
	      "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	      "Call-ID: mfneg@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "Max-Forwards"),
	REPLY("non-numeric Max-Forwards (3261 20.22)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmfnan\nMax-Forwards: seventy\n"
	      "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>\n"
	      "Call-ID: mfnan@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "Max-Forwards"),
	DROP("bigcode: status code of 10 digits (4475 3.1.2.19)",
	     "SIP/2.0 4294967301 Longer than three digits\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbigcode\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: bigcode@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "status"),
	DROP("status code above 699 (3261 7.2, 21)",
	     "SIP/2.0 799 No Such Class\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc799\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: code799@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "status"),
	DROP("status code below 100 (3261 7.2)",
	     "SIP/2.0 099 Too Small\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc099\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: code099@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "status"),
	DROP("scalarlg: reply with CSeq of 2^65 (4475 3.1.2.5)",
	     "SIP/2.0 503 Service Unavailable\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKscalarlg\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: scalarlg@192.0.2.1\nCSeq: 36893488147419103232 OPTIONS\n"
	     "Retry-After: 18446744073709551617\n\n",
	     "CSeq"),

	/* --- From/To (RFC 4475 3.1.2.1, 3.1.2.6, 3.1.2.13, 3.1.2.15) --- */
	REPLY("quotbal: unterminated quote in To's display name (4475 3.1.2.6)",
	      "INVITE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKquotbal\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.org>;tag=a1\n"
	      "To: \"Mr. Bob Example <sip:bob@example.com>\n"
	      "Call-ID: quotbal@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "To"),
	REPLY("unterminated quote in From's display name (3261 25.1)",
	      "INVITE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKquotbal2\nMax-Forwards: 70\n"
	      "From: \"Alice \\\" <sip:alice@example.org>;tag=a1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: quotbal2@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "From"),
	REPLY("baddn: unquoted display name with ',' (4475 3.1.2.15, 3261 25.1)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbaddn\nMax-Forwards: 70\n"
	      "From: Example, Alice <sip:alice@example.org>;tag=a1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: baddn@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	REPLY("display name without <> around the URI (3261 20.10)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnolt\nMax-Forwards: 70\n"
	      "From: Alice sip:alice@example.org;tag=a1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: nolt@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	REPLY("regbadct: URI with '?' not in <> (4475 3.1.2.13, 3261 20.10)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKqmark\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.org>;tag=a1\n"
	      "To: sip:bob@example.com?Subject=hi\n"
	      "Call-ID: qmark@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "To"),
	REPLY("URI with ',' not in <> (3261 20.10)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcomma\nMax-Forwards: 70\n"
	      "From: sip:alice,smith@example.org;tag=a1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: comma@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	REPLY("badinv01: empty header params in To (4475 3.1.2.1)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbadinv\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.org>;tag=a1\n"
	      "To: <sip:bob@example.com>;;;;\n"
	      "Call-ID: badinv01@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "To"),
	REPLY("From whose URI has no scheme (3261 20.20)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnoscheme\nMax-Forwards: 70\n"
	      "From: <alice-at-example.org>;tag=a1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: noscheme@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	EITHER("badinv01: empty params in Via: 400, or dropped (4475 3.1.2.1)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;;,;,,\n" HDRS_AB
	       "Call-ID: badinv01.via@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_REPLY | V_DROP, 400, "Via", NULL),
	EITHER("Via sent-by port above 65535: 400, or dropped (3261 20.42)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1:99999;branch=z9hG4bKviaport\n" HDRS_AB
	       "Call-ID: viaport@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_REPLY | V_DROP, 400, "Via", NULL),

	/* --- Request-Line and Request-URI (RFC 4475 3.1.2.7-9, 3.1.2.16, RFC 5118 4.2) --- */
	REPLY("ltgtruri: R-URI in <> (4475 3.1.2.7)",
	      "INVITE <sip:bob@example.com> SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKltgt\n" HDRS_AB
	      "Call-ID: ltgtruri@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "URI"),
	REPLY("lwsruri: R-URI split by whitespace (4475 3.1.2.8)",
	      "INVITE sip:bob@example.com; lr SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlwsruri\n" HDRS_AB
	      "Call-ID: lwsruri@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "request line"),
	REPLY("lwsstart: two SP between Request-Line elements (4475 3.1.2.9)",
	      "INVITE  sip:bob@example.com  SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlwsstart\n" HDRS_AB
	      "Call-ID: lwsstart@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "request line"),
	REPLY("Request-Line without SIP-Version (3261 7.1)",
	      "OPTIONS sip:bob@example.com\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnovers\n" HDRS_AB
	      "Call-ID: novers@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "request line"),
	REPLY("control character in the R-URI (3261 25.1)",
	      "OPTIONS sip:bob\x01@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKctlruri\n" HDRS_AB
	      "Call-ID: ctlruri@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "URI"),
	REPLY("ipv6-bad: IPv6 R-URI without brackets (5118 4.2)",
	      "REGISTER sip:2001:db8::10 SIP/2.0\n"
	      "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKv6bad\nMax-Forwards: 70\n"
	      "From: <sip:user@example.com>;tag=a1\nTo: <sip:user@example.com>\n"
	      "Call-ID: v6bad@192.0.2.1\nCSeq: 1 REGISTER\n\n",
	      400, "URI"),
	REPLY("IPv6 R-URI with unclosed bracket (5118 4.1, 3261 25.1)",
	      "OPTIONS sip:user@[2001:db8::10 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKv6open\n" HDRS_AB
	      "Call-ID: v6open@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "URI"),
	REPLY("R-URI port above 65535 (3261 25.1)",
	      "OPTIONS sip:bob@example.com:65536 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKruriport\n" HDRS_AB
	      "Call-ID: ruriport@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "URI"),
	REPLY("sip: R-URI without host (3261 19.1.1)",
	      "OPTIONS sip:bob@ SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnohost\n" HDRS_AB
	      "Call-ID: nohost@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "URI"),
	{.name = "R-URI longer than KSR_URI_MAX_LEN: 400 or 414",
	 .gen = gen_long_ruri,
	 .parse = PARSE_ANY,
	 .verdicts = V_REPLY},
	EITHER("trws: SP after the SIP-Version: accepted or 400 (4475 3.1.2.10)",
	       "OPTIONS sip:bob@example.com SIP/2.0  \n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKtrws\n" HDRS_AB
	       "Call-ID: trws@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_ACCEPT | V_REPLY, 400, NULL, NULL),
	/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (3261 25.1): this is no SIP version */
	EITHER("HTTP/1.1 as the version: 400 (not 505), or dropped (3261 7.1, 25.1)",
	       "OPTIONS sip:bob@example.com HTTP/1.1\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKhttpvers\n" HDRS_AB
	       "Call-ID: httpvers@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	       V_REPLY | V_DROP, 400, NULL, NULL),
	{.name = "badvers: SIP/7.0 gets 505 (4475 3.1.2.16)",
	 .text = "OPTIONS sip:bob@example.com SIP/7.0\n"
		 "Via: SIP/7.0/UDP 192.0.2.1;branch=z9hG4bKbadvers\n" HDRS_AB
		 "Call-ID: badvers@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	 .parse = -EPROTONOSUPPORT,
	 .verdicts = V_REPLY,
	 .code = 505,
	 .why = "version"},
	{.name = "SIP/2.1 gets 505 (3261 21.5.7)",
	 .text = "OPTIONS sip:bob@example.com SIP/2.1\n"
		 "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKv21\n" HDRS_AB
		 "Call-ID: v21@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	 .parse = -EPROTONOSUPPORT,
	 .verdicts = V_REPLY,
	 .code = 505,
	 .why = "version"},

	/* --- CSeq (RFC 4475 3.1.2.17, 3.1.2.18) --- */
	REPLY("mismatch01: CSeq method differs (4475 3.1.2.17)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmm01\n" HDRS_AB
	      "Call-ID: mismatch01@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "CSeq"),
	REPLY("mismatch02: unknown method, CSeq differs (4475 3.1.2.18)",
	      "NEWMETHOD sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmm02\n" HDRS_AB
	      "Call-ID: mismatch02@192.0.2.1\nCSeq: 1 INVITE\n\n",
	      400, "CSeq"),
	REPLY("CSeq method in another case (3261 7.1: methods are case-sensitive)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmmcase\n" HDRS_AB
	      "Call-ID: mmcase@192.0.2.1\nCSeq: 1 options\n\n",
	      400, "CSeq"),
	REPLY("CSeq without method (3261 20.16)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcsnometh\n" HDRS_AB
	      "Call-ID: csnometh@192.0.2.1\nCSeq: 1\n\n",
	      400, "CSeq"),
	REPLY("negative CSeq (3261 20.16)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcsneg\n" HDRS_AB
	      "Call-ID: csneg@192.0.2.1\nCSeq: -1 OPTIONS\n\n",
	      400, "CSeq"),

	/* --- mandatory headers missing (RFC 4475 3.3.2, RFC 3261 8.1.1) --- */
	DROP("insuf: no Via: no reply can be sent (3261 18.2.2)",
	     "OPTIONS sip:bob@example.com SIP/2.0\n" HDRS_AB
	     "Call-ID: novia@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "Via"),
	REPLY("insuf: no From (4475 3.3.2)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnofrom\nMax-Forwards: 70\n"
	      "To: <sip:bob@example.com>\nCall-ID: nofrom@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	REPLY("insuf: no To (4475 3.3.2)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnoto\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.org>;tag=a1\nCall-ID: noto@192.0.2.1\n"
	      "CSeq: 1 OPTIONS\n\n",
	      400, "To"),
	REPLY("insuf: no Call-ID (4475 3.3.2)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnocallid\n" HDRS_AB
	      "CSeq: 1 OPTIONS\n\n",
	      400, "Call-ID"),
	REPLY("empty Call-ID (3261 20.8)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKemptycallid\n" HDRS_AB
	      "Call-ID: \nCSeq: 1 OPTIONS\n\n",
	      400, "Call-ID"),
	/* a 400 without CSeq could not be matched by the client (RFC 3261 17.1.3) */
	EITHER("insuf: no CSeq: 400, or dropped (4475 3.3.2)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnocseq\n" HDRS_AB
	       "Call-ID: nocseq@192.0.2.1\n\n",
	       V_REPLY | V_DROP, 400, "CSeq", NULL),

	/* --- single-value headers given twice (RFC 4475 3.3.9, RFC 3261 7.3) --- */
	REPLY("multi01: two Call-IDs (4475 3.3.9)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmcid\n" HDRS_AB
	      "Call-ID: first@192.0.2.1\nCSeq: 1 OPTIONS\ni: second@192.0.2.1\n\n",
	      400, "Call-ID"),
	REPLY("multi01: two From (4475 3.3.9)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmfrom\n" HDRS_AB
	      "From: <sip:mallory@example.net>;tag=m1\n"
	      "Call-ID: twofrom@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "From"),
	REPLY("multi01: two To (4475 3.3.9)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmto\n" HDRS_AB
	      "t: <sip:carol@example.com>\n"
	      "Call-ID: twoto@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "To"),
	REPLY("multi01: two CSeq (4475 3.3.9)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmcseq\n" HDRS_AB
	      "Call-ID: twocseq@192.0.2.1\nCSeq: 1 OPTIONS\nCSeq: 2 OPTIONS\n\n",
	      400, "CSeq"),
	REPLY("multi01: two Max-Forwards (4475 3.3.9)",
	      "OPTIONS sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmmf\n" HDRS_AB
	      "Max-Forwards: 5\nCall-ID: twomf@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	      400, "Max-Forwards"),

	/* --- framing --- */
	EITHER("header line without a colon: 400, or dropped (3261 7.3)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnocolon\n" HDRS_AB
	       "Call-ID: nocolon@192.0.2.1\nCSeq: 1 OPTIONS\nThis line is no header\n\n",
	       V_REPLY | V_DROP, 400, NULL, NULL),
	EITHER("no empty line after the headers: 400, or dropped (3261 7)",
	       "OPTIONS sip:bob@example.com SIP/2.0\n"
	       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnoeoh\n" HDRS_AB
	       "Call-ID: noeoh@192.0.2.1\nCSeq: 1 OPTIONS\n",
	       V_REPLY | V_DROP, 400, NULL, NULL),
	DROP("not SIP at all", "GET / HTTP/1.1\nHost: example.com\n\n", NULL),
	DROP("first line without line end", "OPTIONS sip:bob@example.com SIP/2.0", NULL),
	TOO_BIG("one header more than KSR_MSG_MAX_HEADERS", gen_too_many_headers),
	TOO_BIG("one Via more than KSR_MSG_MAX_VIA", gen_too_many_vias),
	TOO_BIG("one byte more than KSR_MSG_MAX_SIZE", gen_too_big),

	/* --- a malformed ACK is never answered (RFC 3261 17.2.1: no reply to ACK) --- */
	DROP("ACK with CSeq method INVITE",
	     "ACK sip:bob@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKackmm\n" HDRS_AB
	     "Call-ID: ackmm@192.0.2.1\nCSeq: 1 INVITE\n\n",
	     "CSeq"),
	DROP("ACK without To",
	     "ACK sip:bob@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKacknoto\nMax-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=a1\nCall-ID: acknoto@192.0.2.1\n"
	     "CSeq: 1 ACK\n\n",
	     "To"),
	DROP("ACK with Content-Length larger than the body",
	     "ACK sip:bob@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKackcl\n" HDRS_AB
	     "Call-ID: ackcl@192.0.2.1\nCSeq: 1 ACK\nContent-Length: 100\n\nv=0\n",
	     "Content-Length"),
	DROP("ACK with SIP/7.0",
	     "ACK sip:bob@example.com SIP/7.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKackvers\n" HDRS_AB
	     "Call-ID: ackvers@192.0.2.1\nCSeq: 1 ACK\n\n",
	     "version"),
	DROP("ACK with Max-Forwards of 300",
	     "ACK sip:bob@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKackmf\nMax-Forwards: 300\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: ackmf@192.0.2.1\nCSeq: 1 ACK\n\n",
	     "Max-Forwards"),

	/* --- a malformed reply is dropped --- */
	DROP("reply without Via",
	     "SIP/2.0 200 OK\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: rplnovia@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "Via"),
	DROP("reply with unterminated quote in From",
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrplquot\n"
	     "From: \"Alice <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: rplquot@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "From"),
	DROP("reply with Content-Length larger than the body",
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrplcl\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: rplcl@192.0.2.1\nCSeq: 1 OPTIONS\nContent-Length: 50\n\nabc",
	     "Content-Length"),
	DROP("reply without CSeq",
	     "SIP/2.0 486 Busy Here\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrplnocseq\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: rplnocseq@192.0.2.1\n\n",
	     "CSeq"),
	DROP("reply with a two-digit status code",
	     "SIP/2.0 20 OK\n"
	     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrpl20\n"
	     "From: <sip:alice@example.org>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\n"
	     "Call-ID: rpl20@192.0.2.1\nCSeq: 1 OPTIONS\n\n",
	     "status"),
};

/* ---------------------------------------------------------------------------------- */
/* running a case                                                                       */

struct fixture {
	const struct tcase *tc;
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf; /* exactly the message, no terminator */
	size_t len;
};

/*
 * The bytes of a case: "\n" not after "\r" becomes CRLF, then each "@CL@" becomes the
 * body length. The result is malloc'ed with exactly its size.
 */
static char *build(const char *text, size_t *ret_len)
{
	size_t n = strlen(text), out = 0, cap = 2 * n + 64, body_len = 0, len;
	char *tmp = malloc(cap), *eoh, *buf;

	assert_non_null(tmp);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			tmp[out++] = '\r';
		tmp[out++] = text[i];
	}
	eoh = memmem(tmp, out, "\r\n\r\n", 4);
	if (eoh)
		body_len = out - (size_t)(eoh + 4 - tmp);
	/* "@CL@" (4 bytes) becomes at most 20 digits: size the result generously */
	buf = malloc(out * 6 + 1);
	assert_non_null(buf);
	len = 0;
	for (size_t i = 0; i < out;) {
		if (out - i >= 4 && memcmp(tmp + i, "@CL@", 4) == 0) {
			len += (size_t)sprintf(buf + len, "%zu", body_len);
			i += 4;
		} else {
			buf[len++] = tmp[i++];
		}
	}
	free(tmp);
	/* exactly sized: a read one byte past the message is caught */
	tmp = malloc(len ? len : 1);
	assert_non_null(tmp);
	memcpy(tmp, buf, len);
	free(buf);
	*ret_len = len;
	return tmp;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tc = *state; /* the row, or NULL for the tests outside the table */
	ksr_arena_init(&f->arena, 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ksr_arena_destroy(&f->arena);
	free(f->buf);
	free(f);
	return 0;
}

static const char *verdict_name(enum ksr_verdict v)
{
	switch (v) {
	case KSR_VERDICT_ACCEPT: return "ACCEPT";
	case KSR_VERDICT_REPLY: return "REPLY";
	case KSR_VERDICT_DROP: return "DROP";
	}
	return "?";
}

static void expected_str(const struct tcase *tc, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (int v = KSR_VERDICT_ACCEPT; v <= KSR_VERDICT_DROP; v++) {
		if (!(tc->verdicts & (1u << v)))
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " or " : "",
				      verdict_name((enum ksr_verdict)v));
		if (v == KSR_VERDICT_REPLY && tc->code)
			n += (size_t)snprintf(out + n, size - n, " %u", tc->code);
	}
}

static void run_case(void **state)
{
	struct fixture *f = *state;
	const struct tcase *tc = f->tc;
	struct ksr_msg_check res = {.verdict = KSR_VERDICT_ACCEPT};
	const char *perr = NULL;
	char want[64];
	bool ok;
	int r;

	if (tc->gen) {
		char *text = tc->gen();

		f->buf = build(text, &f->len);
		free(text);
	} else {
		f->buf = build(tc->text, &f->len);
	}
	r = ksr_msg_parse(&f->msg, f->buf, f->len, &f->arena, &perr);
	if (tc->parse != PARSE_ANY && r != tc->parse)
		fail_msg("%s:\n  ksr_msg_parse returned %d (%s), expected %d", tc->name, r,
			 perr ? perr : "-", tc->parse);
	ksr_msg_check(&f->msg, r, perr, &res);
	/* KSR_TEST_VERBOSE=1 shows every verdict, to see that a case fails for its reason */
	if (getenv("KSR_TEST_VERBOSE"))
		print_message("  -> parse %d (%s), %s %u (%s)\n", r, perr ? perr : "-",
			      verdict_name(res.verdict), res.code, res.why ? res.why : "-");

	expected_str(tc, want, sizeof(want));
	ok = (tc->verdicts & (1u << res.verdict)) != 0;
	if (ok && res.verdict == KSR_VERDICT_REPLY && tc->code && res.code != tc->code)
		ok = false;
	if (!ok)
		fail_msg("%s:\n  verdict %s %u (%s), expected %s\n  parse %d (%s)", tc->name,
			 verdict_name(res.verdict), res.code, res.why ? res.why : "-", want, r,
			 perr ? perr : "-");
	if (res.verdict == KSR_VERDICT_REPLY) {
		if (res.code < 400 || res.code > 699 || !res.reason || !res.reason[0])
			fail_msg("%s: reply %u without a reason phrase or not an error", tc->name,
				 res.code);
	}
	if (res.verdict != KSR_VERDICT_ACCEPT) {
		if (!res.why)
			fail_msg("%s: verdict %s without why", tc->name, verdict_name(res.verdict));
		if (tc->why && !strcasestr(res.why, tc->why))
			fail_msg("%s:\n  why is '%s', expected it to mention '%s'", tc->name, res.why,
				 tc->why);
		return;
	}
	if (tc->check)
		tc->check(&f->msg);
}

/* ---------------------------------------------------------------------------------- */
/* cases outside the table                                                              */

/* Parse and judge text (as a table row's) in f; returns what ksr_msg_parse returned. */
static int judge(struct fixture *f, const char *text, struct ksr_msg_check *ret)
{
	const char *perr = NULL;
	int r;

	free(f->buf);
	f->buf = build(text, &f->len);
	ksr_arena_reset(&f->arena);
	r = ksr_msg_parse(&f->msg, f->buf, f->len, &f->arena, &perr);
	ksr_msg_check(&f->msg, r, perr, ret);
	return r;
}

/*
 * RFC 4475 3.1.2.4 (scalar02): Expires and a Contact's expires above 2^32-1 (RFC 3261
 * 20.19, 20.10). The receive check leaves them alone (they are parsed when used, by the
 * registrar); the RFC would rather see a 400. Their parsers must refuse the values.
 */
static const char msg_expires_big[] =
	"REGISTER sip:example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.88;branch=z9hG4bKexpbig\n"
	"Max-Forwards: 70\n"
	"From: <sip:ben@example.com>;tag=exp\n"
	"To: <sip:ben@example.com>\n"
	"Call-ID: expires.big@192.0.2.88\n"
	"CSeq: 1 REGISTER\n"
	"Expires: 4294967296\n"
	"Contact: <sip:ben@192.0.2.88>;expires=280297596632815\n"
	"Content-Length: 0\n"
	"\n";

static void test_expires_overlarge(void **state)
{
	struct fixture *f = *state;
	struct ksr_msg_check res;
	struct ksr_contacts *cs = NULL;
	uint32_t secs = 7;

	assert_int_equal(judge(f, msg_expires_big, &res), 0);
	if (res.verdict != KSR_VERDICT_ACCEPT &&
	    !(res.verdict == KSR_VERDICT_REPLY && res.code == 400))
		fail_msg("verdict %s %u, expected ACCEPT or REPLY 400", verdict_name(res.verdict),
			 res.code);
	assert_int_equal(ksr_msg_expires(&f->msg, &secs), -EINVAL);
	assert_int_equal(secs, 7); /* untouched on failure */
	assert_int_equal(ksr_msg_contacts(&f->msg, &cs), -EINVAL);

	/* the largest value still allowed */
	assert_int_equal(judge(f, msg_scalar_max, &res), 0);
	assert_int_equal(res.verdict, KSR_VERDICT_ACCEPT);
	assert_int_equal(ksr_msg_expires(&f->msg, &secs), 0);
	assert_int_equal(secs, 4294967295u);
}

/* The verdict never depends on a terminator after the buffer: every prefix of a good
 * request is judged without reading past its end (valgrind/ASan watch the reads). */
static void test_prefixes(void **state)
{
	size_t len;
	char *full = build(msg_wsinv, &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct ksr_arena arena;
		struct ksr_msg msg;
		struct ksr_msg_check res;
		const char *perr = NULL;
		char *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, full, n);
		ksr_arena_init(&arena, 4096);
		r = ksr_msg_parse(&msg, b, n, &arena, &perr);
		ksr_msg_check(&msg, r, perr, &res);
		/* a prefix ending inside the body has too short a body for Content-Length */
		if (n < len && res.verdict == KSR_VERDICT_ACCEPT)
			fail_msg("prefix of %zu/%zu bytes accepted", n, len);
		ksr_arena_destroy(&arena);
		free(b);
	}
	free(full);
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	struct CMUnitTest *tests = calloc(n + 2, sizeof(*tests));
	int r;

	assert_non_null(tests);
	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].setup_func = setup;
		tests[i].teardown_func = teardown;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_expires_overlarge,
									 setup, teardown);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(test_prefixes);
	r = _cmocka_run_group_tests("core.msg.check", tests, n + 2, NULL, NULL);
	free(tests);
	return r;
}
