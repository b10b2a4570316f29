/* sanity: the checks sanity_check() runs (checks.c) and what a failed one answers. */
#ifndef KSR_MODULES_SANITY_SANITY_H
#define KSR_MODULES_SANITY_SANITY_H

#include <stdbool.h>

#include "core/parser/msg-t.h"

/* The checks, as the bits of sanity_check()'s first parameter (upstream's values). */
enum sanity_check {
	SANITY_RURI_SIP_VERSION = 1 << 0,
	SANITY_RURI_SCHEME = 1 << 1,
	SANITY_REQUIRED_HEADERS = 1 << 2,
	SANITY_VIA_SIP_VERSION = 1 << 3, /* disabled upstream: always passes */
	SANITY_VIA_PROTOCOL = 1 << 4,    /* disabled upstream: always passes */
	SANITY_CSEQ_METHOD = 1 << 5,
	SANITY_CSEQ_VALUE = 1 << 6,
	SANITY_CL = 1 << 7,
	SANITY_EXPIRES_VALUE = 1 << 8,
	SANITY_PROXY_REQUIRE = 1 << 9,
	SANITY_PARSE_URIS = 1 << 10,
	SANITY_DIGEST = 1 << 11,
	SANITY_DUPTAGS = 1 << 12,
	SANITY_AUTHORIZATION = 1 << 13,
	SANITY_VIA1_HEADER = 1 << 14,
};

/* 1+2+4+32+64+128+256+512+2048, upstream's default_checks. */
#define SANITY_DEFAULT_CHECKS 3047
#define SANITY_MAX_CHECKS ((1 << 15) - 1)

/* The URIs SANITY_PARSE_URIS parses: the bits of the second parameter. */
enum sanity_uri_check {
	SANITY_URI_RURI = 1 << 0,
	SANITY_URI_FROM = 1 << 1,
	SANITY_URI_TO = 1 << 2,
	SANITY_URI_CONTACT = 1 << 3,
};

#define SANITY_DEFAULT_URI_CHECKS 7
#define SANITY_MAX_URI_CHECKS 15

/*
 * How a failed check wants the request answered. code 0 means no reply now; then silent
 * tells whether sanity_reply() must not answer either (upstream flags such requests as
 * never to be replied: a required header is missing or does not parse).
 */
struct sanity_fail {
	unsigned int code;
	const char *reason; /* static text */
	bool silent;
	const char *why; /* static text for the log */
};

/*
 * Run the checks of the bits in checks (and uri_checks for SANITY_PARSE_URIS) in
 * upstream's order, stopping at the first that fails. 1 when all pass; 0 when one failed
 * (*ret says how); a negative errno on an internal error. Sends nothing: a failed Proxy-
 * Require check only adds the Unsupported header to the request's local replies.
 */
int sanity_run(struct ksr_msg *msg, unsigned int checks, unsigned int uri_checks,
               struct sanity_fail *ret);

/*
 * The extensions Proxy-Require may name (modparam proxy_require): a comma-separated list,
 * each item trimmed. Replaces the previous list. 0 or -ENOMEM.
 */
int sanity_proxy_require_set(const char *list);
void sanity_proxy_require_free(void);

#endif
