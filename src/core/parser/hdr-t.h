/* Types of parsed header bodies beyond Via, From/To and CSeq (those are in msg-t.h). */
#ifndef KSR_CORE_PARSER_HDR_T_H
#define KSR_CORE_PARSER_HDR_T_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/parser/msg-t.h"
#include "core/str.h"

struct ksr_body_part;

/*
 * Every ksr_str below points into the parsed text (zero-copy). "As written" means quotes
 * and escapes are kept; "unquoted" means the surrounding quotes are stripped and the
 * backslash escapes inside are kept raw.
 */

/* One generic parameter "name[=value]" of a ";a=b;c" list (RFC 3261 25.1 generic-param). */
struct ksr_param {
	struct ksr_str name;
	struct ksr_str value; /* as written; empty for a flag */
	bool has_value;
	struct ksr_param *next;
};

/*
 * Walks the comma-separated values of every header line of one type (or name), in
 * message order. Set up with ksr_hdr_iter_init*, read with ksr_hdr_iter_next.
 */
struct ksr_hdr_iter {
	struct ksr_hdr *hdr; /* the line of the value last returned */
	struct ksr_str rest; /* what is left of that line */
	enum ksr_hdr_type type;
	struct ksr_str name; /* for KSR_HDR_OTHER: the name to match (case-insensitive) */
};

/*
 * One name-addr (or addr-spec) of a list header: Route, Record-Route, Path,
 * P-Asserted-Identity, P-Preferred-Identity (RFC 3261 20.30/20.34, RFC 3327, RFC 3325).
 */
struct ksr_addr {
	struct ksr_str value; /* the whole value, display name to last param */
	struct ksr_str display; /* as written, quotes kept; empty when none */
	struct ksr_str uri; /* without the <> */
	struct ksr_str params; /* header params after the URI: ";a=b;c", empty when none */
	struct ksr_param *param_list;
	bool angle; /* the URI was enclosed in <> */
	bool lr; /* the URI has the lr parameter (loose routing, RFC 3261 19.1.1) */
	struct ksr_hdr *hdr; /* the line it is in; NULL from a stand-alone parse */
	struct ksr_addr *next; /* next value, in this line or in a later line of the type */
};

/* One Contact value (RFC 3261 20.10, RFC 5626 instance and reg-id). */
struct ksr_contact {
	struct ksr_str value;
	struct ksr_str display;
	struct ksr_str uri; /* kept as text: parse it with ksr_uri_parse */
	struct ksr_str params;
	struct ksr_param *param_list;
	bool has_expires;
	uint32_t expires; /* delta-seconds */
	int q; /* 0..1000 for q=0.000..1.000; -1 when absent */
	bool has_instance;
	struct ksr_str instance; /* +sip.instance, unquoted: "<urn:uuid:...>" */
	bool has_reg_id;
	uint32_t reg_id; /* 1..2^31-1 */
	struct ksr_str received; /* received param (nathelper), unquoted; empty when none */
	struct ksr_str methods; /* methods param, unquoted; empty when none */
	struct ksr_hdr *hdr;
	struct ksr_contact *next; /* in this line or in a later Contact line */
};

/* A Contact header: "*" (star, only alone) or a list of values. */
struct ksr_contacts {
	bool star;
	struct ksr_contact *first; /* NULL for a star */
};

/* Diversion (RFC 5806): name-addr with reason, counter, limit, privacy, screen. */
struct ksr_diversion {
	struct ksr_str value;
	struct ksr_str display;
	struct ksr_str uri;
	struct ksr_str params;
	struct ksr_param *param_list;
	struct ksr_str reason; /* unquoted; empty when none */
	bool has_counter;
	unsigned int counter; /* 0..99 (1*2DIGIT) */
	struct ksr_str privacy; /* unquoted */
	struct ksr_str screen; /* unquoted */
	struct ksr_hdr *hdr;
	struct ksr_diversion *next;
};

/* One token of a token list: Supported, Require, Proxy-Require, Unsupported, Allow, ... */
struct ksr_token {
	struct ksr_str name;
	struct ksr_hdr *hdr;
	struct ksr_token *next; /* in this line or in a later line of the type */
};

/* Option tags the core and modules look for, as bits (ksr_option_tags). */
enum ksr_option_tag {
	KSR_OPT_100REL = 1 << 0, /* RFC 3262 */
	KSR_OPT_TIMER = 1 << 1, /* RFC 4028 */
	KSR_OPT_PATH = 1 << 2, /* RFC 3327 */
	KSR_OPT_GRUU = 1 << 3, /* RFC 5627 */
	KSR_OPT_OUTBOUND = 1 << 4, /* RFC 5626 */
	KSR_OPT_REPLACES = 1 << 5, /* RFC 3891 */
	KSR_OPT_NOREFERSUB = 1 << 6, /* RFC 4488 */
	KSR_OPT_EVENTLIST = 1 << 7, /* RFC 4662 */
	KSR_OPT_PRECONDITION = 1 << 8, /* RFC 3312 */
	KSR_OPT_SEC_AGREE = 1 << 9, /* RFC 3329 */
	KSR_OPT_OTHER = 1 << 30, /* any tag not named above */
};

/* Content-Type (RFC 3261 20.15): type/subtype and parameters. */
struct ksr_content_type {
	struct ksr_str type; /* "application" */
	struct ksr_str subtype; /* "sdp" */
	struct ksr_str params;
	struct ksr_param *param_list;
	struct ksr_str boundary; /* unquoted; empty when none */
	struct ksr_str charset; /* unquoted; empty when none */
	/* the message's body parts, filled by ksr_msg_body_parts on first use */
	struct ksr_body_part *parts;
};

/* One media-range of Accept (RFC 3261 20.1). */
struct ksr_media_range {
	struct ksr_str type; /* "*" allowed */
	struct ksr_str subtype; /* "*" allowed */
	struct ksr_str params;
	struct ksr_param *param_list;
	int q; /* 0..1000; 1000 when absent */
	struct ksr_hdr *hdr;
	struct ksr_media_range *next;
};

/* Event (RFC 6665 8.2.1): "presence.winfo;id=1;x". */
struct ksr_event {
	struct ksr_str type; /* the whole event-type: "presence.winfo" */
	struct ksr_str package; /* up to the first '.': "presence" */
	bool has_id;
	struct ksr_str id; /* as written */
	struct ksr_str params;
	struct ksr_param *param_list;
};

/* Privacy values (RFC 3323 4.2, RFC 3325 7, RFC 7044 history), as bits. */
enum ksr_privacy {
	KSR_PRIVACY_HEADER = 1 << 0,
	KSR_PRIVACY_SESSION = 1 << 1,
	KSR_PRIVACY_USER = 1 << 2,
	KSR_PRIVACY_NONE = 1 << 3,
	KSR_PRIVACY_CRITICAL = 1 << 4,
	KSR_PRIVACY_ID = 1 << 5,
	KSR_PRIVACY_HISTORY = 1 << 6,
	KSR_PRIVACY_OTHER = 1 << 7, /* a token not named above */
};

/* Digest algorithms (RFC 2617, RFC 7616, RFC 8760). */
enum ksr_digest_alg {
	KSR_DIGEST_MD5 = 1, /* also when the algorithm parameter is absent */
	KSR_DIGEST_MD5_SESS,
	KSR_DIGEST_SHA256,
	KSR_DIGEST_SHA256_SESS,
	KSR_DIGEST_SHA512_256,
	KSR_DIGEST_SHA512_256_SESS,
	KSR_DIGEST_ALG_OTHER,
};

/* qop values, as bits: a challenge offers a set, credentials name one. */
enum ksr_qop {
	KSR_QOP_AUTH = 1 << 0,
	KSR_QOP_AUTH_INT = 1 << 1,
	KSR_QOP_OTHER = 1 << 2,
};

/* Authorization / Proxy-Authorization (RFC 3261 20.7/20.28, RFC 2617 3.2.2). */
struct ksr_credentials {
	struct ksr_str scheme; /* "Digest", as written */
	bool digest; /* the scheme is Digest: the fields below are set only then */
	struct ksr_str params; /* everything after the scheme, as written */
	/* unquoted values; empty when absent */
	struct ksr_str username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc;
	enum ksr_digest_alg alg;
	unsigned int qop_id; /* one enum ksr_qop bit; 0 when absent */
	uint32_t nc_value; /* nc as a number */
	struct ksr_param *other; /* parameters not named above, values as written */
	struct ksr_hdr *hdr;
	struct ksr_credentials *next; /* the next Authorization line of the same type */
};

/* WWW-Authenticate / Proxy-Authenticate (RFC 3261 20.27/20.44, RFC 2617 3.2.1). */
struct ksr_challenge {
	struct ksr_str scheme;
	bool digest;
	struct ksr_str params;
	/* unquoted values; empty when absent */
	struct ksr_str realm, domain, nonce, opaque, algorithm, qop, stale_str;
	bool stale;
	enum ksr_digest_alg alg;
	unsigned int qop_mask; /* enum ksr_qop bits offered; 0 when no qop */
	struct ksr_token *qop_list; /* the qop values one by one */
	struct ksr_param *other;
	struct ksr_hdr *hdr;
	struct ksr_challenge *next;
};

/* One part of a multipart body (RFC 2046 5.1). */
struct ksr_body_part {
	struct ksr_str headers; /* the part's header block as written, empty when none */
	struct ksr_hdr *hdrs; /* its headers, split as a message's */
	struct ksr_str content_type; /* body of its Content-Type header; empty when none */
	struct ksr_str content; /* between the blank line and the next delimiter's CRLF */
	struct ksr_body_part *next;
};

#endif
