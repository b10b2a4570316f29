/* Parsing and comparing URIs. */
#ifndef KSR_CORE_PARSER_URI_H
#define KSR_CORE_PARSER_URI_H

#include "core/parser/uri-t.h"

/*
 * Parse s (not NUL-terminated) into ret. 0, -EINVAL when malformed, -E2BIG over
 * KSR_URI_MAX_LEN. ret is untouched on failure.
 */
int ksr_uri_parse(struct ksr_str s, struct ksr_uri *ret);

/* RFC 3261 19.1.4 equivalence of two parsed URIs (sip/sips; others compare as text). */
bool ksr_uri_equal(const struct ksr_uri *a, const struct ksr_uri *b);

/*
 * Look up a parameter of a ";a=b;c" list (case-insensitive name). 1 when present
 * (ret_value empty for a flag), 0 when absent.
 */
int ksr_param_find(struct ksr_str params, const char *name, struct ksr_str *ret_value);

/* The parsed Request-URI of a request (cached), as ksr_uri_parse. */
struct ksr_msg;
struct ksr_nameaddr;
int ksr_msg_ruri(struct ksr_msg *msg, struct ksr_uri **ret_uri);
/* The Request-URI the request has now (after $ru/seturi...), parsed and cached. */
int ksr_msg_cur_ruri_parsed(struct ksr_msg *msg, struct ksr_uri **ret_uri);
/* The URI of a From/To body, parsed and cached on it (memory from msg's arena). */
int ksr_nameaddr_uri(struct ksr_msg *msg, struct ksr_nameaddr *na, struct ksr_uri **ret_uri);

#endif
