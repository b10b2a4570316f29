/*
 * ctl's FIFO protocol, the old text one: a request is ":method:reply_fifo", one parameter
 * per line and an empty line; the reply is "code reason" and one line per value. Served
 * on a named pipe (the reply goes to the FIFO the request names, in /tmp) or on sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc/rpc.h"
#include "ctl.h"

size_t ctl_fifo_frame(const char *buf, size_t len)
{
	size_t line = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		/* the line from `line` to i, without a '\r' before its '\n' */
		if (i == line || (i == line + 1 && buf[line] == '\r'))
			return i + 1;
		line = i + 1;
	}
	return 0;
}

/* A line's escapes (\n \r \t \\ \0, and \c for ':' and \o for ','), in place. 0 or -EINVAL. */
static int unescape(char *s, size_t *len)
{
	size_t r = 0, w = 0;

	while (r < *len) {
		char c = s[r++];

		if (c == '\\') {
			if (r == *len)
				return -EINVAL;
			switch (s[r++]) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '\\': c = '\\'; break;
			case '0': c = '\0'; break;
			case 'c': c = ':'; break;
			case 'o': c = ','; break;
			default: return -EINVAL;
			}
		}
		s[w++] = c;
	}
	*len = w;
	return 0;
}

/* s escaped; all: also ':' and ',' (names and values inside a struct's line). */
static void put_escaped(FILE *f, const char *s, size_t len, bool all)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\0': fputs("\\0", f); break;
		case ':': fputs(all ? "\\c" : ":", f); break;
		case ',': fputs(all ? "\\o" : ",", f); break;
		default: fputc(s[i], f); break;
		}
	}
}

static void put_scalar(FILE *f, const struct ksr_rpc_val *v, bool all)
{
	if (v->type == KSR_RPC_INT)
		fprintf(f, "%ld", v->i);
	else
		put_escaped(f, v->s.s ? v->s.s : "", v->s.len, all);
}

static void put_lines(FILE *f, const struct ksr_rpc_val *v);

/*
 * A struct: its plain members on one line ("name:value,name:value"), then each member
 * that is a struct or an array as a line "name:" followed by its own lines.
 */
static void put_struct(FILE *f, const struct ksr_rpc_val *st)
{
	bool any = false;

	for (const struct ksr_rpc_val *m = st->first; m; m = m->next) {
		if (m->type == KSR_RPC_STRUCT || m->type == KSR_RPC_ARRAY)
			continue;
		if (any)
			fputc(',', f);
		put_escaped(f, m->name.s ? m->name.s : "", m->name.len, true);
		fputc(':', f);
		put_scalar(f, m, true);
		any = true;
	}
	if (any)
		fputc('\n', f);
	for (const struct ksr_rpc_val *m = st->first; m; m = m->next) {
		if (m->type != KSR_RPC_STRUCT && m->type != KSR_RPC_ARRAY)
			continue;
		put_escaped(f, m->name.s ? m->name.s : "", m->name.len, true);
		fputs(":\n", f);
		put_lines(f, m);
	}
}

static void put_lines(FILE *f, const struct ksr_rpc_val *v)
{
	switch (v->type) {
	case KSR_RPC_INT:
	case KSR_RPC_STR:
		put_scalar(f, v, false);
		fputc('\n', f);
		break;
	case KSR_RPC_STRUCT: put_struct(f, v); break;
	case KSR_RPC_ARRAY:
		for (const struct ksr_rpc_val *m = v->first; m; m = m->next)
			put_lines(f, m);
		break;
	}
}

/* The reply FIFO's path, when the name is one the protocol allows (no directory, no '.'). */
static char *reply_path(const char *name, size_t len)
{
	char *p;

	if (!len)
		return NULL;
	if (memchr(name, '/', len) || memchr(name, '.', len) || memchr(name, '\\', len) ||
	    memchr(name, '\0', len)) {
		LM_ERR("FIFO request with a forbidden reply FIFO name '%.*s': no reply\n", (int)len,
		       name);
		return NULL;
	}
	if (asprintf(&p, "%s%.*s", CTL_FIFO_REPLY_DIR, (int)len, name) < 0)
		return NULL;
	return p;
}

/* Run the request's method (its lines in req, a modifiable copy) into f. */
static void run(FILE *f, char *req, size_t len, struct ksr_arena *arena, char **ret_reply_fifo)
{
	char *line = req, *end = req + len, *nl, *method, *sep;
	struct ksr_rpc_val *params = NULL, **tail = &params;
	struct ksr_rpc_ctx ctx;
	size_t n;
	int lineno = 1;

	nl = memchr(line, '\n', (size_t)(end - line));
	n = (size_t)((nl ? nl : end) - line);
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (line[0] != ':' || !(sep = strchr(line + 1, ':')) || sep == line + 1) {
		fputs("400 Bad request: the first line must be :method:reply_fifo\n", f);
		return;
	}
	*sep = '\0';
	method = line + 1;
	*ret_reply_fifo = reply_path(sep + 1, strlen(sep + 1));
	for (line = nl ? nl + 1 : end; line < end; line = nl ? nl + 1 : end) {
		struct ksr_rpc_val *p;

		lineno++;
		nl = memchr(line, '\n', (size_t)(end - line));
		n = (size_t)((nl ? nl : end) - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			break; /* the empty line that ends the request */
		if (unescape(line, &n) < 0) {
			fprintf(f, "400 Bad escape sequence on line %d\n", lineno);
			return;
		}
		p = ksr_rpc_new_str(arena, ksr_str_make(line, n));
		if (!p) {
			fputs("500 Internal server error: out of memory\n", f);
			return;
		}
		*tail = p;
		tail = &p->next;
	}
	ksr_rpc_call(method, params, arena, &ctx);
	if (ctx.fault_code) {
		fprintf(f, "%d ", ctx.fault_code);
		put_escaped(f, ctx.fault, strlen(ctx.fault), false);
		fputc('\n', f);
		return;
	}
	fputs("200 OK\n", f);
	{
		const struct ksr_rpc_val *v = ctx.reply.first;

		/* one array is the values upstream's methods add one by one */
		if (v && !v->next && v->type == KSR_RPC_ARRAY)
			v = v->first;
		for (; v; v = v->next)
			put_lines(f, v);
	}
}

int ctl_fifo_handle(const char *req, size_t len, struct ksr_arena *arena, char **ret,
                    size_t *ret_len, char **ret_reply_fifo)
{
	char *copy = malloc(len + 1), *out = NULL;
	size_t out_len = 0;
	FILE *f;

	*ret = NULL;
	*ret_len = 0;
	*ret_reply_fifo = NULL;
	/* an empty line between requests is no request */
	if ((len == 1 && req[0] == '\n') || (len == 2 && req[0] == '\r' && req[1] == '\n')) {
		free(copy);
		return 0;
	}
	if (!copy)
		return -ENOMEM;
	memcpy(copy, req, len);
	copy[len] = '\0';
	f = open_memstream(&out, &out_len);
	if (!f) {
		free(copy);
		return -ENOMEM;
	}
	run(f, copy, len, arena, ret_reply_fifo);
	free(copy);
	if (fclose(f) != 0 || !out) {
		free(out);
		free(*ret_reply_fifo);
		*ret_reply_fifo = NULL;
		return -ENOMEM;
	}
	*ret = out;
	*ret_len = out_len;
	return 0;
}
