/* Types of parsed URIs: sip, sips, tel, and others kept opaque (RFC 3261 19.1, RFC 3966). */
#ifndef KSR_CORE_PARSER_URI_T_H
#define KSR_CORE_PARSER_URI_T_H

#include <stdbool.h>

#include "core/str.h"

enum ksr_uri_scheme {
	KSR_URI_SIP = 1,
	KSR_URI_SIPS,
	KSR_URI_TEL,
	KSR_URI_URN, /* kept opaque */
	KSR_URI_OTHER, /* any other scheme: kept opaque */
};

enum ksr_uri_host_type {
	KSR_HOST_NAME = 1,
	KSR_HOST_IPV4,
	KSR_HOST_IPV6, /* host keeps its brackets: "[2001:db8::1]" */
};

/* One parsed URI; every ksr_str points into the parsed text. */
struct ksr_uri {
	enum ksr_uri_scheme scheme;
	struct ksr_str scheme_str; /* as written, without ':' */
	struct ksr_str user; /* escaped as written; tel: the number */
	struct ksr_str passwd;
	struct ksr_str host;
	enum ksr_uri_host_type host_type;
	struct ksr_str port_str;
	unsigned short port; /* 0 when absent */
	struct ksr_str params; /* after the first ';' of the host part, without it */
	struct ksr_str headers; /* after '?', without it */
	struct ksr_str opaque; /* urn: and other schemes: everything after "scheme:" */
	/* the parameters RFC 3261 names, found in params */
	struct ksr_str transport, user_param, method, ttl, maddr, gr;
	bool has_lr, has_gr;
};

#endif
