/* Recursive-descent parser of kamailio.cfg: top-level items and route blocks. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/cfg/cfgvars.h"
#include "core/cfg/lex.h"
#include "core/cfg/parse-int.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/program.h"


/* ---- route blocks ------------------------------------------------------------------ */

static const char *block_name(enum ksr_route_type type, const char *name, char *buf,
			      size_t size)
{
	if (type == KSR_ROUTE_REQUEST)
		snprintf(buf, size, name ? "route [%s]" : "route request_route", name ? name : "");
	else if (type == KSR_ROUTE_ONREPLY && !name)
		snprintf(buf, size, "reply_route");
	else if (!name)
		snprintf(buf, size, "%s", ksr_route_type_name(type));
	else
		snprintf(buf, size, "%s[%s]", ksr_route_type_name(type), name);
	return buf;
}

/* The block's slot: where it goes, NULL when one of that name exists (a duplicate). */
static struct ksr_route **block_slot(struct ksr_program *p, enum ksr_route_type type,
				     const char *name)
{
	struct ksr_route **single = NULL, **list;

	if (type == KSR_ROUTE_REQUEST && !name)
		single = &p->request_route;
	else if (type == KSR_ROUTE_ONREPLY && !name)
		single = &p->reply_route;
	else if (type == KSR_ROUTE_ONSEND)
		single = &p->onsend_route;
	if (single)
		return *single ? NULL : single;
	list = ksr__program_list(p, type);
	for (struct ksr_route *r = *list; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return NULL;
	return list;
}

/* The block after its keyword and name: { statements } */
static int parse_route_block(struct parser *ps, enum ksr_route_type type, const char *name,
			     struct ksr_pos pos)
{
	struct ksr_route **slot = block_slot(ps->prog, type, name);
	struct ksr_action *body;
	struct ksr_route *rt;
	char what[160];
	int r;

	if (!slot)
		return ksr_cfg_fail(ps->err, pos, "%s is defined twice",
				    block_name(type, name, what, sizeof(what)));
	if ((r = expect(ps, T_LBRACE, "to open the route block")) < 0)
		return r;
	body = ksr__cfg_parse_block_body(ps, &r);
	if (!body)
		return r;
	rt = node(ps, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->name = name;
	rt->type = type;
	rt->pos = pos;
	rt->body = body;
	/* a list keeps the order of the file (a single slot is empty: *slot is NULL) */
	while (*slot)
		slot = &(*slot)->next;
	*slot = rt;
	return 0;
}

/* NAME in [NAME] after '[': a name, a string or a number. */
static int parse_block_name(struct parser *ps, const char **ret_name)
{
	const char *name;
	int r;

	if ((r = next(ps)) < 0)
		return r;
	if (ps->tok.type == T_ID || ps->tok.type == T_STRING) {
		name = keep(ps, ps->tok.text, ps->tok.len);
	} else if (ps->tok.type == T_INT) {
		char num[24];

		snprintf(num, sizeof(num), "%ld", ps->tok.num);
		name = keep(ps, num, strlen(num));
	} else {
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a route name");
	}
	if (!name)
		return -ENOMEM;
	if ((r = expect(ps, T_RBRACKET, "after the route name")) < 0)
		return r;
	*ret_name = name;
	return 0;
}

/*
 * NAME in event_route[NAME] after '[': "module:event", parts joined by ':' and made of
 * names, '-' and numbers (xhttp:request, htable:mod-init, tm:branch-failure:x).
 */
static int parse_event_name(struct parser *ps, const char **ret_name)
{
	struct ksr_pos pos;
	char buf[256];
	size_t n = 0;
	int r;

	if ((r = next(ps)) < 0)
		return r;
	pos = ps->tok.pos;
	if (ps->tok.type == T_STRING) {
		if (ps->tok.len >= sizeof(buf))
			return ksr_cfg_fail(ps->err, pos, "event route name too long");
		memcpy(buf, ps->tok.text, ps->tok.len);
		n = ps->tok.len;
		if ((r = next(ps)) < 0)
			return r;
	} else {
		while (ps->tok.type == T_ID || ps->tok.type == T_INT || ps->tok.type == T_COLON ||
		       ps->tok.type == T_MINUS) {
			char num[24];
			const char *t = ps->tok.type == T_COLON ? ":" : ps->tok.type == T_MINUS ? "-"
									       : ps->tok.text;

			if (ps->tok.type == T_INT) {
				snprintf(num, sizeof(num), "%ld", ps->tok.num);
				t = num;
			}
			if (n + strlen(t) >= sizeof(buf))
				return ksr_cfg_fail(ps->err, pos, "event route name too long");
			memcpy(buf + n, t, strlen(t));
			n += strlen(t);
			if ((r = next(ps)) < 0)
				return r;
		}
	}
	buf[n] = '\0';
	if (ps->tok.type != T_RBRACKET)
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected ']' after the event route name, "
				    "found %s", ksr_tok_name(ps->tok.type));
	if (!isalpha((unsigned char)buf[0]) || !strchr(buf, ':') || buf[n - 1] == ':' ||
	    strstr(buf, "::"))
		return ksr_cfg_fail(ps->err, pos,
				    "an event route name is module:event (as xhttp:request), not '%s'",
				    buf);
	*ret_name = keep(ps, buf, n);
	return *ret_name ? 0 : -ENOMEM;
}

/*
 * A route block keyword was just taken: request_route, route, failure_route,
 * branch_route, onreply_route, reply_route, onsend_route or event_route.
 */
static int parse_route_kw(struct parser *ps)
{
	static const struct {
		const char *kw;
		enum ksr_route_type type;
		int naming; /* 0: no [NAME]; 1: optional; 2: required (event_route) */
	} kws[] = {
		{"request_route", KSR_ROUTE_REQUEST, 0}, {"route", KSR_ROUTE_REQUEST, 1},
		{"failure_route", KSR_ROUTE_FAILURE, 1}, {"branch_route", KSR_ROUTE_BRANCH, 1},
		{"onreply_route", KSR_ROUTE_ONREPLY, 1}, {"reply_route", KSR_ROUTE_ONREPLY, 0},
		{"onsend_route", KSR_ROUTE_ONSEND, 0},	 {"event_route", KSR_ROUTE_EVENT, 2},
	};
	struct ksr_pos pos = ps->tok.pos;
	const char *name = NULL;
	struct ksr_tok t;
	size_t k;
	int r;

	for (k = 0; strcmp(kws[k].kw, ps->tok.text) != 0; k++)
		;
	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_LBRACKET) {
		if (!kws[k].naming)
			return ksr_cfg_fail(ps->err, t.pos, "%s takes no name", kws[k].kw);
		next(ps);
		r = kws[k].naming == 2 ? parse_event_name(ps, &name) : parse_block_name(ps, &name);
		if (r < 0)
			return r;
	} else if (kws[k].naming == 2) {
		return ksr_cfg_fail(ps->err, t.pos, "expected '[' and a module:event name after %s",
				    kws[k].kw);
	}
	switch (kws[k].type) {
	case KSR_ROUTE_REQUEST:
	case KSR_ROUTE_ONREPLY:
		/* route[0], route[main] are request_route; onreply_route[0] is reply_route */
		if (name && (!strcmp(name, "0") || (kws[k].type == KSR_ROUTE_REQUEST &&
						    !strcmp(name, "main"))))
			name = NULL;
		break;
	case KSR_ROUTE_FAILURE:
	case KSR_ROUTE_BRANCH:
		if (!name) /* the default block, as upstream: index 0 */
			name = "0";
		break;
	default:
		break;
	}
	return parse_route_block(ps, kws[k].type, name, pos);
}

static bool is_route_kw(const struct ksr_tok *t)
{
	return is_id(t, "request_route") || is_id(t, "route") || is_id(t, "failure_route") ||
	       is_id(t, "branch_route") || is_id(t, "onreply_route") ||
	       is_id(t, "reply_route") || is_id(t, "onsend_route") || is_id(t, "event_route");
}

/* ---- loadmodule, modparam and their x variants ------------------------------------- */

/*
 * loadmodulex/modparamx: a string with pseudo-variables ($env(HOME), ...) evaluated once,
 * at load, against a fake request as upstream does. *ret is malloc'ed.
 */
static int eval_at_load(struct parser *ps, const char *text, struct ksr_pos pos, char **ret)
{
	static const char fake[] = "OPTIONS sip:you@kamailio.org SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKcfg\r\n"
				   "From: <sip:you@kamailio.org>;tag=cfg\r\n"
				   "To: <sip:you@kamailio.org>\r\n"
				   "Call-ID: cfg-load\r\nCSeq: 1 OPTIONS\r\n"
				   "Content-Length: 0\r\n\r\n";
	char buf[sizeof(fake)];
	struct ksr_arena arena;
	struct ksr_pv_fmt *fmt;
	struct ksr_msg msg;
	struct ksr_str out;
	const char *why = NULL;
	int r;

	ksr_arena_init(&arena, 1024);
	memcpy(buf, fake, sizeof(fake));
	r = ksr_msg_parse(&msg, buf, sizeof(fake) - 1, &arena, &why);
	if (r == 0) {
		r = ksr_pv_fmt_parse(ksr_str_make((char *)text, strlen(text)), &arena, &fmt, &why);
		if (r < 0)
			r = ksr_cfg_fail(ps->err, pos, "bad pseudo-variable in \"%s\": %s", text,
					 why ? why : "cannot parse");
	}
	if (r == 0 && ksr_pv_fmt_eval(&msg, fmt, &out) < 0)
		r = ksr_cfg_fail(ps->err, pos, "cannot evaluate \"%s\"", text);
	if (r == 0 && !(*ret = strndup(out.s, out.len)))
		r = -ENOMEM;
	ksr_arena_destroy(&arena);
	return r;
}

/* ---- the top-level items, recorded for reloads -------------------------------------- */

/*
 * The items of the running config. A reload records its own and must find the same list:
 * modules, modparams and core parameters are applied once, at start.
 */
static struct ksr_cfg_items running;

static void items_free(struct ksr_cfg_items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].text);
	free(it->v);
	*it = (struct ksr_cfg_items){0};
}

static int record(struct parser *ps, struct ksr_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int record(struct parser *ps, struct ksr_pos pos, const char *fmt, ...)
{
	struct ksr_cfg_items *it = &ps->items;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 32;
		struct ksr_cfg_item *v = realloc(it->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			return -ENOMEM;
		}
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n++] = (struct ksr_cfg_item){.text = text, .pos = pos};
	return 0;
}

/* A reload's items against the running ones: the first difference is the error. */
static int verify_items(struct parser *ps, const char *file)
{
	size_t i;

	for (i = 0; i < ps->items.n && i < running.n; i++) {
		if (strcmp(ps->items.v[i].text, running.v[i].text) != 0)
			return ksr_cfg_fail(ps->err, ps->items.v[i].pos,
					    "'%s' differs from the running config ('%s' at line %d): "
					    "modules, modparams and core parameters take effect only "
					    "at start",
					    ps->items.v[i].text, running.v[i].text, running.v[i].pos.line);
	}
	if (i < ps->items.n)
		return ksr_cfg_fail(ps->err, ps->items.v[i].pos,
				    "'%s' is not in the running config: modules, modparams and "
				    "core parameters take effect only at start",
				    ps->items.v[i].text);
	if (i < running.n)
		return ksr_cfg_fail(ps->err, (struct ksr_pos){file, 0, 0},
				    "'%s' (line %d of the running config) is missing: modules, "
				    "modparams and core parameters take effect only at start",
				    running.v[i].text, running.v[i].pos.line);
	return 0;
}

/* modparam("module", "name", value), modparamx with the strings evaluated */
static int parse_modparam(struct parser *ps, bool eval)
{
	struct ksr_pos pos = ps->tok.pos, vpos, mpos, npos;
	struct ksr_fparam val = {0};
	char *mod, *name, *emod = NULL, *ename = NULL, *eval_s = NULL;
	const char *why = NULL;
	bool neg = false;
	int r, b;

	if ((r = expect(ps, T_LPAREN, "after modparam")) < 0 ||
	    (r = expect(ps, T_STRING, "(the module name)")) < 0)
		return r;
	mod = ps->tok.text;
	mpos = ps->tok.pos;
	if ((r = expect(ps, T_COMMA, "after the module name")) < 0 ||
	    (r = expect(ps, T_STRING, "(the parameter name)")) < 0)
		return r;
	name = ps->tok.text;
	npos = ps->tok.pos;
	if ((r = expect(ps, T_COMMA, "after the parameter name")) < 0 || (r = next(ps)) < 0)
		return r;
	vpos = ps->tok.pos;
	if (ps->tok.type == T_MINUS) {
		neg = true;
		if ((r = next(ps)) < 0)
			return r;
	}
	if (ps->tok.type == T_INT) {
		val.type = KSR_PT_INT;
		val.i = neg ? -ps->tok.num : ps->tok.num;
	} else if (ps->tok.type == T_STRING && !neg) {
		val.type = KSR_PT_STR;
		val.s = ksr_str_make(ps->tok.text, ps->tok.len);
	} else if (ps->tok.type == T_ID && !neg && (b = ksr_cfg_bool_word(ps->tok.text)) >= 0) {
		/* modparam("auth_db", "calculate_ha1", yes): yes/no are 1/0, as upstream */
		val.type = KSR_PT_INT;
		val.i = b;
	} else {
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a string or a number as value");
	}
	if ((r = expect(ps, T_RPAREN, "after the value")) < 0)
		goto out;
	if (eval) {
		if ((r = eval_at_load(ps, mod, mpos, &emod)) < 0 ||
		    (r = eval_at_load(ps, name, npos, &ename)) < 0 ||
		    (val.type == KSR_PT_STR &&
		     (r = eval_at_load(ps, val.s.s, vpos, &eval_s)) < 0))
			goto out;
		mod = emod;
		name = ename;
		if (eval_s)
			val.s = ksr_str_make(eval_s, strlen(eval_s));
	}
	if (val.type == KSR_PT_INT)
		r = record(ps, pos, "modparam %s %s i:%ld", mod, name, val.i);
	else
		r = record(ps, pos, "modparam %s %s s:%.*s", mod, name, KSR_STR_FMT(val.s));
	if (r < 0 || ps->verify_only)
		goto out;
	if ((r = ksr_module_set_param(mod, name, &val, &why)) < 0)
		r = ksr_cfg_fail(ps->err, r == -EINVAL ? vpos : pos,
				 "modparam(\"%s\", \"%s\"): %s", mod, name, why);
out:
	free(emod);
	free(ename);
	free(eval_s);
	return r;
}

/* loadmodule "name", loadmodule("name"); loadmodulex evaluates pseudo-variables in it */
static int parse_loadmodule(struct parser *ps, bool eval)
{
	struct ksr_pos pos;
	bool paren = false;
	char *why = NULL, *name, *ename = NULL;
	struct ksr_tok t;
	int r;

	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_LPAREN) {
		paren = true;
		next(ps);
	}
	if ((r = expect(ps, T_STRING, "(the module file)")) < 0)
		return r;
	pos = ps->tok.pos;
	name = ps->tok.text;
	if (paren && (r = expect(ps, T_RPAREN, "after the module file")) < 0)
		return r;
	if (eval) {
		if ((r = eval_at_load(ps, name, pos, &ename)) < 0)
			return r;
		name = ename;
	}
	if ((r = record(ps, pos, "loadmodule %s", name)) < 0 || ps->verify_only) {
		free(ename);
		return r;
	}
	r = ksr_module_load(name, &why);
	if (r < 0) {
		r = ksr_cfg_fail(ps->err, pos, "%s", why ? why : "cannot load module");
		free(why);
	}
	free(ename);
	return r;
}

/* cfgengine "native": the only engine until KEMI comes */
static int parse_cfgengine(struct parser *ps)
{
	struct ksr_tok t;
	int r;

	if ((r = peek(ps, &t)) < 0)
		return r;
	if (t.type == T_ASSIGN)
		next(ps);
	if ((r = expect(ps, T_STRING, "(the config engine name)")) < 0)
		return r;
	if (strcmp(ps->tok.text, "native") == 0 || strcmp(ps->tok.text, "default") == 0)
		return record(ps, ps->tok.pos, "cfgengine %s", ps->tok.text);
	return ksr_cfg_fail(ps->err, ps->tok.pos,
			    "cfgengine \"%s\": only \"native\" (this config language) is "
			    "available; the embedded interpreters (KEMI: lua, python3, ...) are not "
			    "implemented yet",
			    ps->tok.text);
}

/* A core parameter: recorded; applied unless this is a reload. */
static int core_param(struct parser *ps, const char *name, const struct ksr_cfg_val *v,
		      struct ksr_pos pos)
{
	int r;

	if (v->type == KSR_CFG_VAL_INT)
		r = record(ps, pos, "param %s %ld", name, v->i);
	else
		r = record(ps, pos, "param %s %s", name, v->s);
	if (r < 0 || ps->verify_only)
		return r;
	return ksr_cfg_core_param(name, v, pos, ps->err);
}

/* ---- core parameters and config variables ------------------------------------------ */

/* name = value, with the name just taken; the value is read as the parameter wants it */
static int parse_core_param(struct parser *ps, const char *name, struct ksr_pos pos)
{
	struct ksr_cfg_val v = {0};
	bool raw;
	int r;

	if (ksr_cfg_core_param_takes_raw(name, &raw) < 0)
		return ksr_cfg_fail(ps->err, pos, "unknown core parameter '%s'", name);
	if ((r = expect(ps, T_ASSIGN, "after the core parameter name")) < 0)
		return r;
	if (raw) {
		if ((r = ksr_lex_raw_value(&ps->lx, &ps->tok, ps->err)) < 0)
			return r;
		if (ps->tok.type != T_STRING)
			return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a value for '%s', found %s",
					    name, ksr_tok_name(ps->tok.type));
		v.type = KSR_CFG_VAL_RAW;
		v.s = ps->tok.text;
		v.pos = ps->tok.pos;
		return core_param(ps, name, &v, pos);
	}
	if ((r = next(ps)) < 0)
		return r;
	v.pos = ps->tok.pos;
	if (ps->tok.type == T_MINUS) {
		if ((r = expect(ps, T_INT, "after '-'")) < 0)
			return r;
		ps->tok.num = -ps->tok.num;
	}
	switch (ps->tok.type) {
	case T_INT:
		v.type = KSR_CFG_VAL_INT;
		v.i = ps->tok.num;
		break;
	case T_STRING:
		v.type = KSR_CFG_VAL_STR;
		v.s = ps->tok.text;
		break;
	case T_ID:
		v.type = KSR_CFG_VAL_ID;
		v.s = ps->tok.text;
		break;
	default:
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a value for '%s', found %s",
				    name, ksr_tok_name(ps->tok.type));
	}
	return core_param(ps, name, &v, pos);
}

/*
 * group.var = value [desc "text"]: a config variable (value a number, yes/no or a
 * string), or kemi.name = "value", a core parameter. The group name was just taken.
 */
static int parse_dotted(struct parser *ps, const char *group, struct ksr_pos pos)
{
	struct ksr_val val = {0};
	const char *desc = NULL;
	char full[128];
	struct ksr_pos vpos;
	struct ksr_tok t;
	char *name;
	int r, b;

	next(ps); /* the '.' */
	if ((r = expect(ps, T_ID, "after '.' (the variable name)")) < 0)
		return r;
	name = ps->tok.text;
	if (!strcmp(group, "kemi")) {
		snprintf(full, sizeof(full), "kemi.%s", name);
		return parse_core_param(ps, full, pos);
	}
	if ((r = expect(ps, T_ASSIGN, "after the config variable name")) < 0 || (r = next(ps)) < 0)
		return r;
	vpos = ps->tok.pos;
	if (ps->tok.type == T_INT) {
		val.type = KSR_VAL_INT;
		val.i = ps->tok.num;
	} else if (ps->tok.type == T_STRING) {
		val.type = KSR_VAL_STR;
		val.s = ksr_str_make(ps->tok.text, ps->tok.len);
	} else if (ps->tok.type == T_ID && (b = ksr_cfg_bool_word(ps->tok.text)) >= 0) {
		val.type = KSR_VAL_INT;
		val.i = b;
	} else {
		return ksr_cfg_fail(ps->err, vpos, "expected a number or a string as the value of "
				    "config variable %s.%s", group, name);
	}
	if ((r = peek(ps, &t)) < 0)
		return r;
	if (is_id(&t, "desc") || is_id(&t, "descr") || is_id(&t, "description")) {
		next(ps);
		if ((r = expect(ps, T_STRING, "(the description)")) < 0)
			return r;
		desc = ps->tok.text;
	}
	if (val.type == KSR_VAL_INT)
		r = record(ps, pos, "cfgvar %s.%s i:%ld", group, name, val.i);
	else
		r = record(ps, pos, "cfgvar %s.%s s:%.*s", group, name, KSR_STR_FMT(val.s));
	if (r < 0 || ps->verify_only)
		return r;
	r = ksr_cfgvar_define(group, name, &val, desc, pos);
	if (r == -EEXIST)
		return ksr_cfg_fail(ps->err, pos, "config variable %s.%s is defined twice", group,
				    name);
	if (r == -EINVAL)
		return ksr_cfg_fail(ps->err, pos, "bad config variable name %s.%s", group, name);
	return r;
}

static int parse_top(struct parser *ps)
{
	struct ksr_tok t;
	int r;

	for (;;) {
		if ((r = next(ps)) < 0)
			return r;
		if (ps->tok.type == T_EOF)
			return 0;
		if (ps->tok.type == T_SEMI)
			continue;
		if (ps->tok.type != T_ID)
			return ksr_cfg_fail(ps->err, ps->tok.pos,
					    "expected a core parameter, loadmodule, modparam or a "
					    "route block, found %s",
					    ksr_tok_name(ps->tok.type));
		if (is_id(&ps->tok, "loadmodule") || is_id(&ps->tok, "loadmodulex")) {
			r = parse_loadmodule(ps, is_id(&ps->tok, "loadmodulex"));
		} else if (is_id(&ps->tok, "modparam") || is_id(&ps->tok, "modparamx")) {
			r = parse_modparam(ps, is_id(&ps->tok, "modparamx"));
		} else if (is_route_kw(&ps->tok)) {
			r = parse_route_kw(ps);
		} else if (is_id(&ps->tok, "cfgengine")) {
			r = parse_cfgengine(ps);
		} else if (is_id(&ps->tok, "loadpath") || is_id(&ps->tok, "mpath")) {
			struct ksr_cfg_val v = {.type = KSR_CFG_VAL_STR};
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;

			if ((r = peek(ps, &t)) < 0)
				return r;
			if (t.type == T_ASSIGN)
				next(ps);
			if ((r = expect(ps, T_STRING, "(the module directory)")) < 0)
				return r;
			v.s = ps->tok.text;
			v.pos = ps->tok.pos;
			r = core_param(ps, name, &v, pos);
		} else {
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;

			if ((r = peek(ps, &t)) < 0)
				return r;
			r = t.type == T_DOT ? parse_dotted(ps, name, pos)
					    : parse_core_param(ps, name, pos);
		}
		if (r < 0)
			return r;
	}
}

/* Parse text; a reload records the top-level items and checks them, applying none. */
static int parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp, bool reload,
		      struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	struct parser ps = {.err = err, .verify_only = reload};
	const char *out;
	size_t out_len;
	int r;

	r = ksr_pp_process(pp, file, text, len, err);
	if (r == 0 && !reload)
		r = ksr_pp_keep_defines(pp); /* before the fixups: $def() reads them */
	if (r < 0)
		return r;
	out = ksr_pp_text(pp, &out_len);
	ps.prog = ksr_program_new();
	if (!ps.prog)
		return -ENOMEM;
	ksr_lex_init(&ps.lx, file, out, out_len, pp);
	r = parse_top(&ps);
	ksr_lex_free(&ps.lx);
	if (r == 0)
		r = reload ? verify_items(&ps, file) : ksr_cfg_core_finish(err);
	if (r == 0)
		r = ksr_cfg_compile(ps.prog, err);
	if (r < 0) {
		if (r == -ENOMEM && !err->msg[0])
			ksr_cfg_fail(err, (struct ksr_pos){file, 0, 0}, "out of memory");
		items_free(&ps.items);
		ksr_program_unref(ps.prog);
		return r;
	}
	if (reload) {
		items_free(&ps.items);
	} else {
		items_free(&running);
		running = ps.items;
	}
	*ret_prog = ps.prog;
	return 0;
}

int ksr_cfg_parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
		       struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	return parse_text(file, text, len, pp, false, ret_prog, err);
}

int ksr_cfg_reparse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
			 struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	return parse_text(file, text, len, pp, true, ret_prog, err);
}

void ksr_cfg_forget_running(void)
{
	items_free(&running);
}

static int read_file(const char *file, char **ret_text, size_t *ret_len,
		     struct ksr_cfg_error *err)
{
	struct ksr_pos pos = {file, 0, 0};
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd;

	memset(err, 0, sizeof(*err));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ksr_cfg_fail(err, pos, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ksr_cfg_fail(err, pos, "not a regular file");
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return ksr_cfg_fail(err, pos, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	*ret_text = text;
	*ret_len = got;
	return 0;
}

int ksr_cfg_load(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		 struct ksr_cfg_error *err)
{
	size_t len;
	char *text;
	int r;

	if ((r = read_file(file, &text, &len, err)) < 0)
		return r;
	r = parse_text(file, text, len, pp, false, ret_prog, err);
	free(text);
	return r;
}

int ksr_cfg_reload(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		   struct ksr_cfg_error *err)
{
	size_t len;
	char *text;
	int r;

	if ((r = read_file(file, &text, &len, err)) < 0)
		return r;
	r = parse_text(file, text, len, pp, true, ret_prog, err);
	free(text);
	return r;
}
