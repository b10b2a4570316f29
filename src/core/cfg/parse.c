/* Recursive-descent parser of kamailio.cfg: top-level items and route blocks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/cfg/lex.h"
#include "core/cfg/parse-int.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/route/program.h"

static int parse_route_block(struct parser *ps, const char *name, struct ksr_pos pos)
{
	struct ksr_action *body;
	struct ksr_route *rt;
	int r;

	if (name ? ksr_program_find_route(ps->prog, name) != NULL : ps->prog->request_route != NULL)
		return ksr_cfg_fail(ps->err, pos, "route %s%s%s is defined twice",
				    name ? "[" : "request_route", name ? name : "", name ? "]" : "");
	if ((r = expect(ps, T_LBRACE, "to open the route block")) < 0)
		return r;
	body = ksr__cfg_parse_block_body(ps, &r);
	if (!body)
		return r;
	rt = node(ps, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->name = name;
	rt->pos = pos;
	rt->body = body;
	if (name) {
		rt->next = ps->prog->routes;
		ps->prog->routes = rt;
	} else {
		ps->prog->request_route = rt;
	}
	return 0;
}

/* modparam("module", "name", value) */
static int parse_modparam(struct parser *ps)
{
	struct ksr_pos pos = ps->tok.pos, vpos;
	struct ksr_fparam val = {0};
	const char *why = NULL;
	char *mod, *name;
	bool neg = false;
	int r;

	if ((r = expect(ps, T_LPAREN, "after modparam")) < 0 ||
	    (r = expect(ps, T_STRING, "(the module name)")) < 0)
		return r;
	mod = ps->tok.text;
	if ((r = expect(ps, T_COMMA, "after the module name")) < 0 ||
	    (r = expect(ps, T_STRING, "(the parameter name)")) < 0)
		return r;
	name = ps->tok.text;
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
	} else {
		return ksr_cfg_fail(ps->err, ps->tok.pos, "expected a string or a number as value");
	}
	if ((r = expect(ps, T_RPAREN, "after the value")) < 0)
		return r;
	if ((r = ksr_module_set_param(mod, name, &val, &why)) < 0)
		return ksr_cfg_fail(ps->err, r == -EINVAL ? vpos : pos,
				    "modparam(\"%s\", \"%s\"): %s", mod, name, why);
	return 0;
}

static int parse_loadmodule(struct parser *ps)
{
	struct ksr_pos pos;
	bool paren = false;
	char *why = NULL, *name;
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
	r = ksr_module_load(name, &why);
	if (r < 0) {
		r = ksr_cfg_fail(ps->err, pos, "%s", why ? why : "cannot load module");
		free(why);
	}
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
		if (is_id(&ps->tok, "loadmodule")) {
			if ((r = parse_loadmodule(ps)) < 0)
				return r;
		} else if (is_id(&ps->tok, "modparam")) {
			if ((r = parse_modparam(ps)) < 0)
				return r;
		} else if (is_id(&ps->tok, "request_route")) {
			if ((r = parse_route_block(ps, NULL, ps->tok.pos)) < 0)
				return r;
		} else if (is_id(&ps->tok, "route")) {
			struct ksr_pos pos = ps->tok.pos;
			const char *name;

			if ((r = peek(ps, &t)) < 0)
				return r;
			if (t.type != T_LBRACKET) {
				if ((r = parse_route_block(ps, NULL, pos)) < 0)
					return r;
				continue;
			}
			next(ps);
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
			/* route[0] and route[main] are the request route, as upstream */
			if (!strcmp(name, "0") || !strcmp(name, "main"))
				name = NULL;
			if ((r = parse_route_block(ps, name, pos)) < 0)
				return r;
		} else if (is_id(&ps->tok, "branch_route") || is_id(&ps->tok, "failure_route") ||
			   is_id(&ps->tok, "onreply_route") || is_id(&ps->tok, "reply_route") ||
			   is_id(&ps->tok, "onsend_route") || is_id(&ps->tok, "event_route")) {
			return ksr_cfg_fail(ps->err, ps->tok.pos, "%s is not supported yet",
					    ps->tok.text);
		} else if (is_id(&ps->tok, "loadpath") || is_id(&ps->tok, "mpath")) {
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;

			if ((r = peek(ps, &t)) < 0)
				return r;
			if (t.type == T_ASSIGN)
				next(ps);
			if ((r = expect(ps, T_STRING, "(the module directory)")) < 0)
				return r;
			if ((r = ksr_cfg_core_param(name, ps->tok.text, 0, false, pos, ps->err)) < 0)
				return r;
		} else {
			struct ksr_pos pos = ps->tok.pos;
			char *name = ps->tok.text;
			bool neg = false;

			if ((r = expect(ps, T_ASSIGN, "after the core parameter name")) < 0)
				return r;
			if (!strcmp(name, "listen")) {
				if ((r = ksr_lex_raw_value(&ps->lx, &ps->tok, ps->err)) < 0)
					return r;
				r = ksr_cfg_core_param(name, ps->tok.text, 0, false, ps->tok.pos, ps->err);
				if (r < 0)
					return r;
				continue;
			}
			if ((r = next(ps)) < 0)
				return r;
			if (ps->tok.type == T_MINUS) {
				neg = true;
				if ((r = expect(ps, T_INT, "after '-'")) < 0)
					return r;
			}
			if (ps->tok.type == T_INT)
				r = ksr_cfg_core_param(name, NULL, neg ? -ps->tok.num : ps->tok.num,
						       true, pos, ps->err);
			else if (ps->tok.type == T_STRING || ps->tok.type == T_ID)
				r = ksr_cfg_core_param(name, ps->tok.text, 0, false, pos, ps->err);
			else
				return ksr_cfg_fail(ps->err, ps->tok.pos,
						    "expected a value for '%s', found %s", name,
						    ksr_tok_name(ps->tok.type));
			if (r < 0)
				return r;
		}
	}
}

int ksr_cfg_parse_text(const char *file, char *text, size_t len, struct ksr_pp *pp,
		       struct ksr_program **ret_prog, struct ksr_cfg_error *err)
{
	struct parser ps = {.err = err};
	const char *out;
	size_t out_len;
	int r;

	r = ksr_pp_process(pp, file, text, len, err);
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
		r = ksr_cfg_compile(ps.prog, err);
	if (r < 0) {
		if (r == -ENOMEM && !err->msg[0])
			ksr_cfg_fail(err, (struct ksr_pos){file, 0, 0}, "out of memory");
		ksr_program_unref(ps.prog);
		return r;
	}
	*ret_prog = ps.prog;
	return 0;
}

int ksr_cfg_load(const char *file, struct ksr_pp *pp, struct ksr_program **ret_prog,
		 struct ksr_cfg_error *err)
{
	struct ksr_pos pos = {file, 0, 0};
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, r;

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
	r = ksr_cfg_parse_text(file, text, got, pp, ret_prog, err);
	free(text);
	return r;
}
