/* jsonrpcs: the JSON side (jsonrpcs_json.c) shared by the transports (jsonrpcs.c). */
#ifndef KSR_MODULES_JSONRPCS_JSONRPCS_H
#define KSR_MODULES_JSONRPCS_JSONRPCS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct ksr_arena;

/* JSON-RPC 2.0's codes for what is no request at all (the HTTP transport answers them). */
#define JSONRPCS_PARSE_ERROR (-32700)
#define JSONRPCS_INVALID_REQUEST (-32600)

/* The answer to one request; text is malloc'ed, or NULL when there is none to send. */
struct jsonrpcs_reply {
	char *text;
	/* 200, the fault's code, or with no text JSONRPCS_PARSE_ERROR / _INVALID_REQUEST */
	int code;
	char *message; /* the fault's message, or NULL (malloc'ed) */
};

/*
 * Run the JSON-RPC request in req (len bytes) and build its answer (pretty: indented).
 * ret_reply_name (when not NULL) gets the request's "reply_name" member, malloc'ed, or
 * NULL. A request that is not JSON, or has no method, gets no answer (text NULL), as
 * upstream, and its code says which. arena is for the call and is reset by the caller.
 */
void jsonrpcs_handle(const char *req, size_t len, bool pretty, struct ksr_arena *arena,
		     struct jsonrpcs_reply *ret, char **ret_reply_name);
void jsonrpcs_reply_free(struct jsonrpcs_reply *r);
/* A JSON-RPC error answer {"code", "message"} with a null id (malloc'ed), or NULL. */
char *jsonrpcs_error_doc(int code, const char *message, bool pretty);

#endif
