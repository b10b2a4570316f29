/*
 * Header body parsers: stand-alone ksr_parse_X on a body, and cached ksr_msg_X on a
 * message (parsed on first use, kept in the header's `parsed`).
 *
 * All return 0, or a negative errno: -EINVAL malformed, -ENOENT no such header, -ENOMEM,
 * -E2BIG over a limit. Out-parameters (ret_*) are untouched on failure. Results point
 * into the parsed text and are allocated from the arena (a message's: msg->arena).
 * List accessors cover every header line of the type, in message order: the `next` of the
 * last value of one line is the first value of the next line, and `hdr` names the line.
 */
#ifndef KSR_CORE_PARSER_HDR_H
#define KSR_CORE_PARSER_HDR_H

#include <stdint.h>
#include <time.h>

#include "core/parser/hdr-t.h"
#include "core/parser/msg-t.h"

struct ksr_arena;

/* --- lists and parameters (hdr_list.c) --- */

/*
 * Cut the next value off a comma-separated list in *cursor: commas inside quoted strings
 * and <...> do not count. Returns 1 with ret_item (trimmed), 0 at the end, -EINVAL for an
 * unterminated quote, unbalanced <>, or an empty value ("a,,b", "a,").
 */
int ksr_list_next(struct ksr_str *cursor, struct ksr_str *ret_item);

/* Every value of every line of a type (KSR_HDR_OTHER: of the given name). */
void ksr_hdr_iter_init(struct ksr_hdr_iter *it, const struct ksr_msg *msg,
		       enum ksr_hdr_type type);
void ksr_hdr_iter_init_name(struct ksr_hdr_iter *it, const struct ksr_msg *msg,
			    struct ksr_str name);
/* 1 with the next value (it->hdr is its line), 0 at the end, -EINVAL as ksr_list_next. */
int ksr_hdr_iter_next(struct ksr_hdr_iter *it, struct ksr_str *ret_value);

/*
 * A ";a=b;c" parameter list (LWS allowed around ';' and '='): all of s must be params;
 * an empty s gives a NULL list. Values are tokens, hosts ([IPv6] too) or quoted strings.
 */
int ksr_parse_params(struct ksr_str s, struct ksr_arena *arena, struct ksr_param **ret_list);
/* The first parameter named name (case-insensitive), or NULL. */
struct ksr_param *ksr_params_get(struct ksr_param *list, const char *name);
/* s without its surrounding double quotes when it has them; escapes are kept. */
struct ksr_str ksr_unquote(struct ksr_str s);
/* qvalue (RFC 3261 25.1): "0", "0.5", "1.000" as 0..1000. */
int ksr_parse_qvalue(struct ksr_str s, int *ret_q);

/* Token lists: "a, b ,c". An empty body is an empty list (ret_first NULL). */
int ksr_parse_token_list(struct ksr_str body, struct ksr_arena *arena,
			 struct ksr_token **ret_first);
/*
 * Supported, Require, Proxy-Require, Unsupported, Allow, Allow-Events: all lines. Require,
 * Proxy-Require and Unsupported must not be empty (-EINVAL); the others may be (NULL).
 */
int ksr_msg_tokens(struct ksr_msg *msg, enum ksr_hdr_type type, struct ksr_token **ret_first);
bool ksr_tokens_has(const struct ksr_token *list, const char *name);
/* enum ksr_option_tag bits of the tokens. */
unsigned int ksr_option_tags(const struct ksr_token *list);
/* The methods of the list as enum ksr_method bits (unknown methods add nothing). */
unsigned int ksr_methods_mask(const struct ksr_token *list);
/* Allow of a message as enum ksr_method bits, over all Allow lines. */
int ksr_msg_allow(struct ksr_msg *msg, unsigned int *ret_methods);

/* --- Via (via.c; ksr_parse_via and ksr_msg_via1 are in msg.h) --- */

/* All Via values of the message; iterate with via->next_all. */
int ksr_msg_vias(struct ksr_msg *msg, struct ksr_via **ret_first);
/* The second Via value of the message (the previous hop's), -ENOENT when only one. */
int ksr_msg_via2(struct ksr_msg *msg, struct ksr_via **ret_via);

/* --- From, To (addr.c; ksr_msg_from/to are in msg.h) --- */

/* From/To body with the generic params list (ksr_parse_nameaddr leaves it NULL). */
int ksr_parse_fromto(struct ksr_str body, struct ksr_arena *arena,
		     struct ksr_nameaddr **ret_na);

/* --- name-addr lists (route.c) --- */

/*
 * A list of name-addr / addr-spec values with header params. With require_angle, every
 * URI must be in <> (Route, Record-Route, Path).
 */
int ksr_parse_addr_list(struct ksr_str body, bool require_angle, struct ksr_arena *arena,
			struct ksr_addr **ret_first);
/* KSR_HDR_ROUTE, _RECORDROUTE, _PATH (name-addr only), _PAI, _PPI, _REFERREDBY... */
int ksr_msg_addr_list(struct ksr_msg *msg, enum ksr_hdr_type type, struct ksr_addr **ret_first);
int ksr_msg_routes(struct ksr_msg *msg, struct ksr_addr **ret_first);
int ksr_msg_record_routes(struct ksr_msg *msg, struct ksr_addr **ret_first);
int ksr_msg_paths(struct ksr_msg *msg, struct ksr_addr **ret_first);
int ksr_msg_pai(struct ksr_msg *msg, struct ksr_addr **ret_first);
int ksr_msg_ppi(struct ksr_msg *msg, struct ksr_addr **ret_first);
int ksr_parse_diversion(struct ksr_str body, struct ksr_arena *arena,
			struct ksr_diversion **ret_first);
int ksr_msg_diversions(struct ksr_msg *msg, struct ksr_diversion **ret_first);

/* --- Contact (contact.c) --- */

int ksr_parse_contact(struct ksr_str body, struct ksr_arena *arena,
		      struct ksr_contacts **ret_contacts);
/*
 * All Contact lines: the first line's result, whose list runs through every line. A star
 * is valid only as the single Contact value of the message.
 */
int ksr_msg_contacts(struct ksr_msg *msg, struct ksr_contacts **ret_contacts);

/* --- Authorization and challenges (digest.c) --- */

int ksr_parse_credentials(struct ksr_str body, struct ksr_arena *arena,
			  struct ksr_credentials **ret_cred);
int ksr_parse_challenge(struct ksr_str body, struct ksr_arena *arena,
			struct ksr_challenge **ret_chal);
/* KSR_HDR_AUTHORIZATION or KSR_HDR_PROXYAUTH: every line, in order. */
int ksr_msg_credentials(struct ksr_msg *msg, enum ksr_hdr_type type,
			struct ksr_credentials **ret_first);
/* The Digest credentials for realm (exact match), -ENOENT when none. */
int ksr_msg_credentials_realm(struct ksr_msg *msg, enum ksr_hdr_type type,
			      struct ksr_str realm, struct ksr_credentials **ret_cred);
/* KSR_HDR_WWWAUTH or KSR_HDR_PROXYAUTHENTICATE: every line, in order. */
int ksr_msg_challenges(struct ksr_msg *msg, enum ksr_hdr_type type,
		       struct ksr_challenge **ret_first);
/* Algorithm name (case-insensitive) to id; KSR_DIGEST_ALG_OTHER when unknown. */
enum ksr_digest_alg ksr_digest_alg_id(struct ksr_str name);

/* --- single-value headers (hdr_misc.c); accessors use the first line of the type --- */

/* Call-ID: trimmed, non-empty, no whitespace inside. */
int ksr_parse_callid(struct ksr_str body, struct ksr_str *ret_callid);
int ksr_msg_callid(struct ksr_msg *msg, struct ksr_str *ret_callid);
int ksr_parse_content_type(struct ksr_str body, struct ksr_arena *arena,
			   struct ksr_content_type **ret_ct);
int ksr_msg_content_type(struct ksr_msg *msg, struct ksr_content_type **ret_ct);
/* Max-Forwards: 0..255; more is -EINVAL. */
int ksr_parse_maxfwd(struct ksr_str body, unsigned int *ret_maxfwd);
int ksr_msg_maxfwd(struct ksr_msg *msg, unsigned int *ret_maxfwd);
/* delta-seconds: 1*DIGIT up to 2^32-1; more is -EINVAL. */
int ksr_parse_delta_seconds(struct ksr_str s, uint32_t *ret_secs);
int ksr_msg_expires(struct ksr_msg *msg, uint32_t *ret_secs);
int ksr_msg_min_expires(struct ksr_msg *msg, uint32_t *ret_secs);
int ksr_parse_event(struct ksr_str body, struct ksr_arena *arena, struct ksr_event **ret_event);
int ksr_msg_event(struct ksr_msg *msg, struct ksr_event **ret_event);
/* Privacy: enum ksr_privacy bits; the accessor ORs every Privacy line. */
int ksr_parse_privacy(struct ksr_str body, unsigned int *ret_mask);
int ksr_msg_privacy(struct ksr_msg *msg, unsigned int *ret_mask);
/* User-Agent, Server, and other free text: non-empty, no control characters. */
int ksr_parse_text(struct ksr_str body, struct ksr_str *ret_text);
int ksr_msg_user_agent(struct ksr_msg *msg, struct ksr_str *ret_text);
int ksr_msg_server(struct ksr_msg *msg, struct ksr_str *ret_text);
/* Accept: media ranges; an empty body is an empty list (NULL). All lines. */
int ksr_parse_accept(struct ksr_str body, struct ksr_arena *arena,
		     struct ksr_media_range **ret_first);
int ksr_msg_accept(struct ksr_msg *msg, struct ksr_media_range **ret_first);
/* Date: RFC 1123 form "Sun, 06 Nov 1994 08:49:37 GMT" only. */
int ksr_parse_date(struct ksr_str body, time_t *ret_time);
int ksr_msg_date(struct ksr_msg *msg, time_t *ret_time);

/* --- multipart bodies (multipart.c) --- */

/*
 * Split a multipart body (RFC 2046 5.1.1) on boundary: preamble and epilogue are
 * ignored, the close delimiter is required. -E2BIG over KSR_MSG_MAX_BODY_PARTS parts.
 */
int ksr_parse_multipart(struct ksr_str body, struct ksr_str boundary, struct ksr_arena *arena,
			struct ksr_body_part **ret_parts);
/*
 * The parts of the message body, when its Content-Type is multipart/... (-ENOENT when
 * it is not, or there is no Content-Type; -EINVAL without a boundary).
 */
int ksr_msg_body_parts(struct ksr_msg *msg, struct ksr_body_part **ret_parts);

#endif
