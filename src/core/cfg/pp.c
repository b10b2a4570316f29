/*
 * The config preprocessor. Directives start a line with "#!" or "!!". Names are
 * substituted later, by the lexer, so that errors keep the columns of the file.
 */
#include "core/cfg/pp.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PP_MAX_NESTING 64

struct pp_define {
	struct ksr_str name;
	struct ksr_str value;
	struct pp_define *next;
};

struct ksr_pp {
	struct pp_define *defines;
};

struct ksr_pp *ksr_pp_new(void)
{
	return calloc(1, sizeof(struct ksr_pp));
}

void ksr_pp_free(struct ksr_pp *pp)
{
	struct pp_define *d, *next;

	if (!pp)
		return;
	for (d = pp->defines; d; d = next) {
		next = d->next;
		free(d->name.s);
		free(d->value.s);
		free(d);
	}
	free(pp);
}

static struct pp_define *find(const struct ksr_pp *pp, const char *name, size_t len)
{
	for (struct pp_define *d = pp->defines; d; d = d->next)
		if (d->name.len == len && memcmp(d->name.s, name, len) == 0)
			return d;
	return NULL;
}

const struct ksr_str *ksr_pp_lookup(const struct ksr_pp *pp, const char *name, size_t len)
{
	struct pp_define *d = find(pp, name, len);

	return d ? &d->value : NULL;
}

static void undefine(struct ksr_pp *pp, const char *name, size_t len)
{
	for (struct pp_define **pd = &pp->defines; *pd; pd = &(*pd)->next) {
		if ((*pd)->name.len == len && memcmp((*pd)->name.s, name, len) == 0) {
			struct pp_define *d = *pd;

			*pd = d->next;
			free(d->name.s);
			free(d->value.s);
			free(d);
			return;
		}
	}
}

int ksr_pp_define(struct ksr_pp *pp, const char *name, size_t name_len, const char *value,
		  size_t value_len)
{
	struct pp_define *d;

	if (name_len == 0)
		return -EINVAL;
	for (size_t i = 0; i < name_len; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			return -EINVAL;
	undefine(pp, name, name_len);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->name.s = strndup(name, name_len);
	d->value.s = strndup(value ? value : "", value_len);
	if (!d->name.s || !d->value.s) {
		free(d->name.s);
		free(d->value.s);
		free(d);
		return -ENOMEM;
	}
	d->name.len = name_len;
	d->value.len = value_len;
	d->next = pp->defines;
	pp->defines = d;
	return 0;
}

int ksr_pp_define_arg(struct ksr_pp *pp, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq)
		return ksr_pp_define(pp, arg, strlen(arg), "", 0);
	return ksr_pp_define(pp, arg, (size_t)(eq - arg), eq + 1, strlen(eq + 1));
}

struct pp_state {
	struct ksr_pp *pp;
	const char *file;
	struct ksr_cfg_error *err;
	/* for each open #!if..: whether its current branch is taken, and #!else seen */
	bool taken[PP_MAX_NESTING];
	bool parent_active[PP_MAX_NESTING];
	bool seen_else[PP_MAX_NESTING];
	int open_line[PP_MAX_NESTING];
	int depth;
	bool in_comment; /* inside a block comment */
};

static bool active(const struct pp_state *st)
{
	return st->depth == 0 ||
	       (st->parent_active[st->depth - 1] && st->taken[st->depth - 1]);
}

static void blank(char *s, char *e)
{
	for (; s < e; s++)
		if (*s != '\n' && *s != '\r')
			*s = ' ';
}

/* Track block comments over a line of code so directives inside them are left alone. */
static void scan_comments(struct pp_state *st, const char *s, const char *e)
{
	char quote = 0;

	for (; s < e; s++) {
		if (st->in_comment) {
			if (s[0] == '*' && s + 1 < e && s[1] == '/') {
				st->in_comment = false;
				s++;
			}
		} else if (quote) {
			if (*s == '\\')
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '#' || (s[0] == '/' && s + 1 < e && s[1] == '/')) {
			return;
		} else if (s[0] == '/' && s + 1 < e && s[1] == '*') {
			st->in_comment = true;
			s++;
		}
	}
}

/* Next whitespace-separated word of [*pp, e). */
static struct ksr_str word(char **pp, char *e)
{
	char *p = *pp, *w;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	w = p;
	while (p < e && !isspace((unsigned char)*p))
		p++;
	*pp = p;
	return ksr_str_make(w, (size_t)(p - w));
}

/*
 * Upstream directives this preprocessor does not implement yet: refused, because ignoring
 * them would silently change what the config means.
 */
static const char *const unsupported[] = {
	"include_file", "import_file", "subst", "substdef", "substdefs", "ifexp",
	"defenv", "defenvs", "defexp", "defexps", "trydefenv", "trydefenvs",
};

static int directive(struct pp_state *st, char *p, char *e, int line, int col)
{
	struct ksr_pos pos = {st->file, line, col};
	struct ksr_str d = word(&p, e), name, value;
	char *rest;
	int r;

	if (d.len == 0)
		return 0;
	if (ksr_str_eq(&d, &KSR_STR_STATIC("ifdef")) || ksr_str_eq(&d, &KSR_STR_STATIC("ifndef"))) {
		bool neg = d.len == 6;

		name = word(&p, e);
		if (!name.len)
			return ksr_cfg_fail(st->err, pos, "#!%.*s needs a name", KSR_STR_FMT(d));
		if (st->depth == PP_MAX_NESTING)
			return ksr_cfg_fail(st->err, pos, "#!%.*s nested too deep", KSR_STR_FMT(d));
		st->parent_active[st->depth] = active(st);
		st->taken[st->depth] = (find(st->pp, name.s, name.len) != NULL) != neg;
		st->seen_else[st->depth] = false;
		st->open_line[st->depth] = line;
		st->depth++;
		return 0;
	}
	if (ksr_str_eq(&d, &KSR_STR_STATIC("else"))) {
		if (st->depth == 0)
			return ksr_cfg_fail(st->err, pos, "#!else without #!ifdef or #!ifndef");
		if (st->seen_else[st->depth - 1])
			return ksr_cfg_fail(st->err, pos, "second #!else for the #!if at line %d",
					    st->open_line[st->depth - 1]);
		st->seen_else[st->depth - 1] = true;
		st->taken[st->depth - 1] = !st->taken[st->depth - 1];
		return 0;
	}
	if (ksr_str_eq(&d, &KSR_STR_STATIC("endif"))) {
		if (st->depth == 0)
			return ksr_cfg_fail(st->err, pos, "#!endif without #!ifdef or #!ifndef");
		st->depth--;
		return 0;
	}
	if (!active(st))
		return 0;
	/* file markers of upstream configs: "#!KAMAILIO", "#!SER", ... */
	if (ksr_str_eq(&d, &KSR_STR_STATIC("KAMAILIO")) || ksr_str_eq(&d, &KSR_STR_STATIC("SER")) ||
	    ksr_str_eq(&d, &KSR_STR_STATIC("MAXCOMPAT")) || ksr_str_eq(&d, &KSR_STR_STATIC("ALL")))
		return 0;
	if (ksr_str_eq(&d, &KSR_STR_STATIC("define")) || ksr_str_eq(&d, &KSR_STR_STATIC("def")) ||
	    ksr_str_eq(&d, &KSR_STR_STATIC("trydef")) ||
	    ksr_str_eq(&d, &KSR_STR_STATIC("redefine"))) {
		bool is_try = d.s[0] == 't', is_re = d.s[0] == 'r';

		name = word(&p, e);
		if (!name.len)
			return ksr_cfg_fail(st->err, pos, "#!%.*s needs a name", KSR_STR_FMT(d));
		rest = p;
		value = ksr_str_make(rest, (size_t)(e - rest));
		ksr_str_trim(&value);
		if (find(st->pp, name.s, name.len)) {
			if (is_try)
				return 0;
			if (!is_re)
				return ksr_cfg_fail(st->err, pos, "'%.*s' is already defined",
						    KSR_STR_FMT(name));
		}
		r = ksr_pp_define(st->pp, name.s, name.len, value.s, value.len);
		if (r == -EINVAL)
			return ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!%.*s",
					    KSR_STR_FMT(name), KSR_STR_FMT(d));
		return r;
	}
	if (ksr_str_eq(&d, &KSR_STR_STATIC("undef"))) {
		name = word(&p, e);
		if (!name.len)
			return ksr_cfg_fail(st->err, pos, "#!undef needs a name");
		undefine(st->pp, name.s, name.len);
		return 0;
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (ksr_str_eq(&d, &(struct ksr_str){(char *)unsupported[i], strlen(unsupported[i])}))
			return ksr_cfg_fail(st->err, pos,
					    "preprocessor directive '#!%.*s' is not supported yet",
					    KSR_STR_FMT(d));
	/* any other "#!word" line is a comment, as upstream (a shebang line, say) */
	return 0;
}

int ksr_pp_run(struct ksr_pp *pp, const char *file, char *text, size_t len,
	       struct ksr_cfg_error *err)
{
	struct pp_state st = {.pp = pp, .file = file, .err = err};
	char *p = text, *end = text + len;
	int line = 1, r;

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;

		if (!eol)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (!st.in_comment && eol - q >= 2 &&
		    ((q[0] == '#' && q[1] == '!') || (q[0] == '!' && q[1] == '!'))) {
			r = directive(&st, q + 2, eol, line, (int)(q - p) + 1);
			if (r < 0)
				return r;
			blank(p, eol);
		} else if (!active(&st)) {
			blank(p, eol);
		} else {
			scan_comments(&st, p, eol);
		}
		p = eol + 1;
		line++;
	}
	if (st.depth)
		return ksr_cfg_fail(err, (struct ksr_pos){file, st.open_line[st.depth - 1], 1},
				    "#!ifdef/#!ifndef without #!endif");
	return 0;
}
