/*
 * jsonrpcs: JSON-RPC 2.0 requests to the core's RPC calls and back (jansson does the JSON).
 * As upstream answers: a method that adds one value has it as "result", one that adds
 * several has them in an array; a fault is {"code", "message"} under "error", an unknown
 * method "Method Not Found".
 */
#include "jsonrpcs.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc/rpc.h"

/* JSON parameters into RPC values: strings, integers, reals and booleans. */
static struct ksr_rpc_val *params_of(json_t *params, struct ksr_arena *arena, bool *ret_bad)
{
	struct ksr_rpc_val *first = NULL, **tail = &first;
	size_t i;
	json_t *p;

	*ret_bad = false;
	if (!params)
		return NULL;
	if (!json_is_array(params)) {
		*ret_bad = true;
		return NULL;
	}
	json_array_foreach(params, i, p) {
		struct ksr_rpc_val *v = NULL;
		char buf[64];

		if (json_is_string(p)) {
			v = ksr_rpc_new_str(arena, ksr_str_make((char *)json_string_value(p),
								json_string_length(p)));
		} else if (json_is_integer(p)) {
			v = ksr_rpc_new_int(arena, (long)json_integer_value(p));
		} else if (json_is_real(p)) {
			int n = snprintf(buf, sizeof(buf), "%g", json_real_value(p));

			v = ksr_rpc_new_str(arena, ksr_str_make(buf, (size_t)n));
		} else if (json_is_boolean(p)) {
			v = ksr_rpc_new_int(arena, json_is_true(p) ? 1 : 0);
		}
		if (!v) {
			*ret_bad = true;
			return NULL;
		}
		*tail = v;
		tail = &v->next;
	}
	return first;
}

static json_t *to_json(const struct ksr_rpc_val *v)
{
	json_t *j;

	switch (v->type) {
	case KSR_RPC_INT: return json_integer(v->i);
	case KSR_RPC_STR: return json_stringn(v->s.s, v->s.len);
	case KSR_RPC_STRUCT:
		j = json_object();
		for (const struct ksr_rpc_val *m = v->first; j && m; m = m->next) {
			json_t *mj = to_json(m);

			if (!mj || json_object_setn_new_nocheck(j, m->name.s, m->name.len, mj) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case KSR_RPC_ARRAY:
		j = json_array();
		for (const struct ksr_rpc_val *m = v->first; j && m; m = m->next) {
			if (json_array_append_new(j, to_json(m)) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	}
	return NULL;
}

static json_t *result_of(const struct ksr_rpc_ctx *ctx)
{
	const struct ksr_rpc_val *r = &ctx->reply;

	if (r->first && !r->first->next)
		return to_json(r->first);
	return to_json(r);
}

void jsonrpcs_handle(const char *req, size_t len, bool pretty, struct ksr_arena *arena,
		     struct jsonrpcs_reply *ret, char **ret_reply_name)
{
	json_t *root, *method, *id, *answer = NULL, *rn;
	struct ksr_rpc_val *params;
	struct ksr_rpc_ctx ctx;
	json_error_t jerr;
	bool bad;

	memset(ret, 0, sizeof(*ret));
	if (ret_reply_name)
		*ret_reply_name = NULL;
	root = json_loadb(req, len, 0, &jerr);
	if (!root) {
		LM_ERR("a request that is not JSON: %s (line %d)\n", jerr.text, jerr.line);
		ret->code = JSONRPCS_PARSE_ERROR;
		ret->message = strdup("Parse error");
		return;
	}
	method = json_object_get(root, "method");
	if (!json_is_string(method)) {
		LM_ERR("a JSON-RPC request without a method\n");
		ret->code = JSONRPCS_INVALID_REQUEST;
		ret->message = strdup("Invalid Request");
		json_decref(root);
		return;
	}
	rn = json_object_get(root, "reply_name");
	if (ret_reply_name && json_is_string(rn))
		*ret_reply_name = strdup(json_string_value(rn));
	id = json_object_get(root, "id");
	params = params_of(json_object_get(root, "params"), arena, &bad);
	answer = json_pack("{s:s}", "jsonrpc", "2.0");
	if (bad) {
		ret->code = 400;
		ret->message = strdup("Invalid Parameters");
	} else if (ksr_rpc_call(json_string_value(method), params, arena, &ctx) == -ENOENT) {
		ret->code = 500;
		ret->message = strdup("Method Not Found");
	} else if (ctx.fault_code) {
		ret->code = ctx.fault_code;
		ret->message = strdup(ctx.fault);
	} else {
		json_t *result = result_of(&ctx);

		ret->code = 200;
		if (!answer || !result || json_object_set_new(answer, "result", result) < 0) {
			ret->code = 500;
			ret->message = strdup("Out of memory");
		}
	}
	if (answer && ret->code != 200)
		json_object_set_new(answer, "error", json_pack("{s:i,s:s}", "code", ret->code,
								"message",
								ret->message ? ret->message : ""));
	if (answer && id)
		json_object_set(answer, "id", id);
	if (answer)
		ret->text = json_dumps(answer, pretty ? JSON_INDENT(4) | JSON_PRESERVE_ORDER
						      : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(answer);
	json_decref(root);
}

char *jsonrpcs_error_doc(int code, const char *message, bool pretty)
{
	json_t *doc = json_pack("{s:s,s:{s:i,s:s},s:n}", "jsonrpc", "2.0", "error", "code", code,
	                        "message", message ? message : "", "id");
	char *text;

	if (!doc)
		return NULL;
	text = json_dumps(doc, pretty ? JSON_INDENT(4) | JSON_PRESERVE_ORDER
	                              : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return text;
}

void jsonrpcs_reply_free(struct jsonrpcs_reply *r)
{
	free(r->text);
	free(r->message);
	r->text = r->message = NULL;
}
