/*
 * The config preprocessor. Directives start a line with "#!" or "!!"; include_file and
 * import_file may be written without. The output is one text for the lexer with a line
 * map back to the files; names are substituted later, by the lexer, so that errors keep
 * the columns of the files.
 */
#include "core/cfg/pp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg/pp-int.h"

#define PP_MAX_NESTING 64 /* open #!ifdef blocks */

struct pp_define {
	struct ksr_str name;
	struct ksr_str value;
	struct pp_define *next;
};

struct pp_buf {
	char *s;
	size_t len, cap;
};

/* Output lines from out_line on come from file, from line on. */
struct pp_seg {
	int out_line;
	const char *file;
	int line;
};

struct pp_rule {
	struct ksr__pp_subst *subst;
	int out_line; /* the directive's output line: the rule applies after it */
	struct pp_rule *next;
};

struct ksr_pp {
	struct pp_define *defines;
	bool keep_print;
	/* the last run */
	bool ok;
	struct pp_buf out, print;
	int out_lines; /* complete lines in out */
	struct pp_seg *segs;
	size_t nsegs, cap_segs;
	struct pp_rule *rules, **rules_tail;
};

/* ---- file names: interned for the life of the process, positions point at them ---- */

struct pp_file {
	struct pp_file *next;
	char name[];
};

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pp_file *files;

static const char *intern(const char *name)
{
	struct pp_file *f;

	pthread_mutex_lock(&files_lock);
	for (f = files; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			break;
	if (!f) {
		f = malloc(sizeof(*f) + strlen(name) + 1);
		if (f) {
			strcpy(f->name, name);
			f->next = files;
			files = f;
		}
	}
	pthread_mutex_unlock(&files_lock);
	return f ? f->name : NULL;
}

/* ---- defines ---- */

struct ksr_pp *ksr_pp_new(void)
{
	struct ksr_pp *pp = calloc(1, sizeof(struct ksr_pp));

	if (pp)
		pp->rules_tail = &pp->rules;
	return pp;
}

static void reset_run(struct ksr_pp *pp)
{
	struct pp_rule *r, *next;

	for (r = pp->rules; r; r = next) {
		next = r->next;
		ksr__pp_subst_free(r->subst);
		free(r);
	}
	pp->rules = NULL;
	pp->rules_tail = &pp->rules;
	free(pp->out.s);
	free(pp->print.s);
	free(pp->segs);
	pp->out = pp->print = (struct pp_buf){0};
	pp->segs = NULL;
	pp->nsegs = pp->cap_segs = 0;
	pp->out_lines = 0;
	pp->ok = false;
}

static void free_define(struct pp_define *d)
{
	free(d->name.s);
	free(d->value.s);
	free(d);
}

void ksr_pp_free(struct ksr_pp *pp)
{
	struct pp_define *d, *next;

	if (!pp)
		return;
	reset_run(pp);
	for (d = pp->defines; d; d = next) {
		next = d->next;
		free_define(d);
	}
	free(pp);
}

/* The defines as the startup config left them: for $def() and core.ppdefines. */
static struct pp_define *kept;

void ksr_pp_forget_defines(void)
{
	struct pp_define *d, *next;

	for (d = kept; d; d = next) {
		next = d->next;
		free_define(d);
	}
	kept = NULL;
}

static int dup_str(struct ksr_str in, struct ksr_str *ret)
{
	ret->s = malloc(in.len + 1);
	if (!ret->s)
		return -ENOMEM;
	if (in.len)
		memcpy(ret->s, in.s, in.len);
	ret->s[in.len] = '\0';
	ret->len = in.len;
	return 0;
}

int ksr_pp_keep_defines(const struct ksr_pp *pp)
{
	struct pp_define **tail = &kept;

	ksr_pp_forget_defines();
	for (const struct pp_define *d = pp->defines; d; d = d->next) {
		struct pp_define *c = calloc(1, sizeof(*c));

		if (!c || dup_str(d->name, &c->name) < 0 || dup_str(d->value, &c->value) < 0) {
			if (c)
				free_define(c);
			ksr_pp_forget_defines();
			return -ENOMEM;
		}
		*tail = c;
		tail = &c->next;
	}
	return 0;
}

const struct ksr_str *ksr_pp_kept_define(const char *name, size_t len)
{
	for (const struct pp_define *d = kept; d; d = d->next)
		if (d->name.len == len && memcmp(d->name.s, name, len) == 0)
			return &d->value;
	return NULL;
}

void ksr_pp_kept_foreach(void (*fn)(struct ksr_str name, struct ksr_str value, void *arg),
			 void *arg)
{
	for (const struct pp_define *d = kept; d; d = d->next)
		fn(d->name, d->value, arg);
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
			free_define(d);
			return;
		}
	}
}

static bool is_id_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_name(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_id_char(s[i]))
			return false;
	return true;
}

int ksr_pp_define(struct ksr_pp *pp, const char *name, size_t name_len, const char *value,
                  size_t value_len)
{
	struct pp_define *d;

	if (!is_name(name, name_len))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->name.s = strndup(name, name_len);
	d->value.s = strndup(value ? value : "", value_len);
	if (!d->name.s || !d->value.s) {
		free_define(d);
		return -ENOMEM;
	}
	undefine(pp, name, name_len);
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

int ksr_pp_define_core(struct ksr_pp *pp, const char *version, const char *os)
{
	unsigned x = 0, y = 0, z = 0;
	char name[64], value[32];
	size_t n;
	int r;

	if (sscanf(version, "%u.%u.%u", &x, &y, &z) < 1)
		return -EINVAL;
	snprintf(name, sizeof(name), "KAMAILIO_%u", x);
	if ((r = ksr_pp_define(pp, name, strlen(name), "", 0)) < 0)
		return r;
	snprintf(name, sizeof(name), "KAMAILIO_%u_%u", x, y);
	if ((r = ksr_pp_define(pp, name, strlen(name), "", 0)) < 0)
		return r;
	snprintf(name, sizeof(name), "KAMAILIO_%u_%u_%u", x, y, z);
	if ((r = ksr_pp_define(pp, name, strlen(name), "", 0)) < 0)
		return r;
	snprintf(value, sizeof(value), "%lu",
	         (unsigned long)x * 1000000UL + (unsigned long)y * 1000UL + z);
	if ((r = ksr_pp_define(pp, "KAMAILIO_VERSION", 16, value, strlen(value))) < 0)
		return r;
	if ((r = ksr_pp_define(pp, "OS_NAME", 7, os, strlen(os))) < 0)
		return r;
	n = (size_t)snprintf(name, sizeof(name), "OS_%s", os);
	if (n >= sizeof(name))
		return -EINVAL;
	for (size_t i = 3; i < n; i++)
		if (!is_id_char(name[i]))
			name[i] = '_';
	return ksr_pp_define(pp, name, n, "", 0);
}

/* ---- output: the text for the lexer, its line map, the --cfg-print text ---- */

static int buf_add(struct pp_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *t;

		while (cap < b->len + n + 1)
			cap *= 2;
		t = realloc(b->s, cap);
		if (!t)
			return -ENOMEM;
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* One line of a file: [s, e) without its '\n'. */
struct pp_line {
	const char *s, *e;
	bool nl;
	int no;
};

/* A file being read. */
struct pp_src {
	const char *file; /* interned */
	const char *p, *end;
	int line; /* the number of the next line */
	bool is_main;
	bool has_id;
	dev_t dev;
	ino_t ino;
};

struct pp_cond {
	const char *kind; /* "ifdef", "ifndef", "ifexp" */
	bool parent_active, taken, seen_else;
	const char *file;
	int line;
};

struct pp_state {
	struct ksr_pp *pp;
	struct ksr_cfg_error *err;
	struct pp_cond cond[PP_MAX_NESTING];
	int depth;
	bool in_comment;                                   /* inside a block comment */
	struct pp_src *open[KSR_PP_MAX_INCLUDE_DEPTH + 1]; /* the main file and its includes */
	int nopen;
};

static bool next_line(struct pp_src *src, struct pp_line *ln)
{
	const char *eol;

	if (src->p >= src->end)
		return false;
	eol = memchr(src->p, '\n', (size_t)(src->end - src->p));
	ln->s = src->p;
	ln->e = eol ? eol : src->end;
	ln->nl = eol != NULL;
	ln->no = src->line++;
	src->p = eol ? eol + 1 : src->end;
	return true;
}

/* Append a line (or as many blanks, CRs kept) to the output and record where it is from. */
static int emit(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln, bool blank)
{
	struct ksr_pp *pp = st->pp;
	int out_line = pp->out_lines + 1;
	struct pp_seg *last = pp->nsegs ? &pp->segs[pp->nsegs - 1] : NULL;
	size_t at = pp->out.len;
	int r;

	if (!last || last->file != src->file ||
	    last->line + (out_line - last->out_line) != ln->no) {
		if (pp->nsegs == pp->cap_segs) {
			size_t cap = pp->cap_segs ? pp->cap_segs * 2 : 16;
			struct pp_seg *s = realloc(pp->segs, cap * sizeof(*s));

			if (!s)
				return -ENOMEM;
			pp->segs = s;
			pp->cap_segs = cap;
		}
		pp->segs[pp->nsegs++] = (struct pp_seg){out_line, src->file, ln->no};
	}
	if ((r = buf_add(&pp->out, ln->s, (size_t)(ln->e - ln->s))) < 0)
		return r;
	if (blank)
		for (char *c = pp->out.s + at; c < pp->out.s + pp->out.len; c++)
			if (*c != '\r')
				*c = ' ';
	/* an included file's last line gets its newline: the includer goes on below it */
	if (ln->nl || !src->is_main) {
		if ((r = buf_add(&pp->out, "\n", 1)) < 0)
			return r;
		pp->out_lines++;
	}
	return 0;
}

static int print_add(struct pp_state *st, const char *s, size_t n)
{
	return st->pp->keep_print ? buf_add(&st->pp->print, s, n) : 0;
}

static int print_line(struct pp_state *st, const struct pp_line *ln)
{
	int r = print_add(st, ln->s, (size_t)(ln->e - ln->s));

	return r < 0 || !ln->nl ? r : print_add(st, "\n", 1);
}

/* ---- small parsing helpers ---- */

static struct ksr_pos pos_of(const struct pp_src *src, const struct pp_line *ln, const char *at)
{
	return (struct ksr_pos){src->file, ln->no, (int)(at - ln->s) + 1};
}

static void skip_ws(const char **p, const char *e)
{
	while (*p < e && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Nothing but blanks (and a CR) left. */
static bool at_end(const char *p, const char *e)
{
	while (p < e && isspace((unsigned char)*p))
		p++;
	return p == e;
}

static struct ksr_str next_word(const char **p, const char *e)
{
	const char *w;

	skip_ws(p, e);
	w = *p;
	while (*p < e && !isspace((unsigned char)**p))
		(*p)++;
	return ksr_str_make((char *)w, (size_t)(*p - w));
}

static bool word_is(const struct ksr_str *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->s, s, w->len) == 0;
}

/* The rest of the line, trimmed. */
static struct ksr_str rest_of(const char *p, const char *e)
{
	struct ksr_str s = ksr_str_make((char *)p, (size_t)(e - p));

	ksr_str_trim(&s);
	return s;
}

/*
 * A quoted string starting at *p ('"' with the config's escapes, or '\'' taken as
 * written); *p ends after it. 0 with *ret malloc'ed, 1 when *p is no string, -EINVAL when
 * it is not closed, -ENOMEM.
 */
static int quoted(const char **p, const char *e, char **ret)
{
	char q = **p, *out;
	const char *s = *p + 1;
	size_t n = 0;

	if (*p >= e || (q != '"' && q != '\''))
		return 1;
	out = malloc((size_t)(e - s) + 1);
	if (!out)
		return -ENOMEM;
	for (; s < e && *s != q; s++) {
		char c = *s;

		if (c == '\\' && q == '"' && s + 1 < e) {
			switch (s[1]) {
			case 'n':
				c = '\n';
				s++;
				break;
			case 'r':
				c = '\r';
				s++;
				break;
			case 't':
				c = '\t';
				s++;
				break;
			case 'a':
				c = '\a';
				s++;
				break;
			case '\\':
			case '"':
				c = s[1];
				s++;
				break;
			default: break; /* an unknown escape keeps its backslash, as upstream */
			}
		}
		out[n++] = c;
	}
	if (s >= e) {
		free(out);
		return -EINVAL;
	}
	out[n] = '\0';
	*p = s + 1;
	*ret = out;
	return 0;
}

/* Apply every #!subst rule so far to s, which is replaced when a rule changes it. */
static int subst_now(struct pp_state *st, char **s)
{
	size_t n;
	char *t;
	int r = ksr_pp_subst(st->pp, INT_MAX, *s, strlen(*s), &t, &n);

	if (r > 0) {
		free(*s);
		*s = t;
	}
	return r < 0 ? r : 0;
}

/* ---- conditional blocks ---- */

static bool active(const struct pp_state *st)
{
	return st->depth == 0 ||
	       (st->cond[st->depth - 1].parent_active && st->cond[st->depth - 1].taken);
}

static int expect_end(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln,
                      const char *p, const char *what)
{
	struct ksr_str rest = rest_of(p, ln->e);

	if (rest.len == 0)
		return 0;
	return ksr_cfg_fail(st->err, pos_of(src, ln, rest.s),
	                    "unexpected '%.*s' after %s (keep directive lines to themselves)",
	                    KSR_STR_FMT(rest), what);
}

static int d_if(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln,
                struct ksr_pos pos, const struct ksr_str *d, const char *p)
{
	struct pp_cond *c;
	bool taken = false;
	int r;

	if (st->depth == PP_MAX_NESTING)
		return ksr_cfg_fail(st->err, pos, "#!%.*s nested too deep", KSR_STR_FMT(*d));
	if (word_is(d, "ifexp")) {
		struct ksr_str e = rest_of(p, ln->e);
		struct ksr__pp_val v = {0};
		char why[200];

		if (e.len == 0)
			return ksr_cfg_fail(st->err, pos, "#!ifexp needs an expression");
		/* a false block's expression is not evaluated, as it is not run */
		if (active(st)) {
			r = ksr__pp_expr_eval(st->pp, e.s, e.len, &v, why, sizeof(why));
			if (r == -EINVAL)
				return ksr_cfg_fail(st->err, pos, "#!ifexp %.*s: %s",
				                    KSR_STR_FMT(e), why);
			if (r < 0)
				return r;
			taken = ksr__pp_val_true(&v);
			ksr__pp_val_clear(&v);
		}
	} else {
		struct ksr_str name = next_word(&p, ln->e);

		if (!name.len)
			return ksr_cfg_fail(st->err, pos, "#!%.*s needs a name", KSR_STR_FMT(*d));
		if (!is_name(name.s, name.len))
			return ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!%.*s",
			                    KSR_STR_FMT(name), KSR_STR_FMT(*d));
		if ((r = expect_end(st, src, ln, p, "the #!ifdef name")) < 0)
			return r;
		taken = (find(st->pp, name.s, name.len) != NULL) != word_is(d, "ifndef");
	}
	c = &st->cond[st->depth];
	*c = (struct pp_cond){.kind = word_is(d, "ifdef")    ? "ifdef"
	                              : word_is(d, "ifndef") ? "ifndef"
	                                                     : "ifexp",
	                      .parent_active = active(st),
	                      .taken = taken,
	                      .file = src->file,
	                      .line = ln->no};
	st->depth++;
	return 0;
}

static int d_else_endif(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln,
                        struct ksr_pos pos, const struct ksr_str *d, const char *p)
{
	bool is_else = word_is(d, "else");
	struct pp_cond *c = st->depth ? &st->cond[st->depth - 1] : NULL;
	int r;

	if (!c)
		return ksr_cfg_fail(st->err, pos, "#!%s without #!ifdef, #!ifndef or #!ifexp",
		                    is_else ? "else" : "endif");
	if ((r = expect_end(st, src, ln, p, is_else ? "#!else" : "#!endif")) < 0)
		return r;
	if (!is_else) {
		st->depth--;
		return 0;
	}
	if (c->seen_else)
		return ksr_cfg_fail(st->err, pos, "second #!else for the #!%s at %s:%d", c->kind,
		                    c->file, c->line);
	c->seen_else = true;
	c->taken = !c->taken;
	return 0;
}

/* ---- definitions ---- */

/* #!define and its kin (with '\' continuation lines); the lines are printed as written. */
static int d_define(struct pp_state *st, struct pp_src *src, const struct pp_line *ln,
                    struct ksr_pos pos, const struct ksr_str *d, const char *p)
{
	bool is_try = word_is(d, "trydef") || word_is(d, "trydefine");
	bool is_re = word_is(d, "redefine") || word_is(d, "redef");
	bool is_exp = word_is(d, "defexp") || word_is(d, "defexps");
	struct pp_buf text = {0};
	struct pp_line more = *ln;
	struct ksr_str name, value;
	const char *q, *e;
	char *computed = NULL;
	int r;

	if ((r = emit(st, src, ln, true)) < 0 || (r = print_line(st, ln)) < 0 ||
	    (r = buf_add(&text, p, (size_t)(ln->e - p))) < 0)
		goto done;
	/* a line ending in '\' goes on on the next one (CRLF files too) */
	for (;;) {
		size_t n = text.len;

		while (n && text.s[n - 1] == '\r')
			n--;
		if (!n || text.s[n - 1] != '\\')
			break;
		text.len = n - 1;
		if (!next_line(src, &more))
			break;
		if ((r = emit(st, src, &more, true)) < 0 || (r = print_line(st, &more)) < 0 ||
		    (r = buf_add(&text, more.s, (size_t)(more.e - more.s))) < 0)
			goto done;
	}
	q = text.s;
	e = text.s + text.len;
	skip_ws(&q, e);
	name = ksr_str_make((char *)q, 0);
	while (q < e && is_id_char(*q))
		q++;
	name.len = (size_t)(q - name.s);
	if (q < e && !isspace((unsigned char)*q)) {
		const char *ws = name.s;
		struct ksr_str w = next_word(&ws, e);

		r = ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!%.*s", KSR_STR_FMT(w),
		                 KSR_STR_FMT(*d));
		goto done;
	}
	if (!name.len) {
		r = ksr_cfg_fail(st->err, pos, "#!%.*s needs a name", KSR_STR_FMT(*d));
		goto done;
	}
	if (!is_name(name.s, name.len)) {
		r = ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!%.*s", KSR_STR_FMT(name),
		                 KSR_STR_FMT(*d));
		goto done;
	}
	value = rest_of(q, e);
	if (find(st->pp, name.s, name.len)) {
		if (is_try)
			goto done;
		if (!is_re) {
			r = ksr_cfg_fail(st->err, pos, "'%.*s' is already defined",
			                 KSR_STR_FMT(name));
			goto done;
		}
	}
	if (is_exp) {
		struct ksr__pp_val v = {0};
		char why[200];

		if (!value.len) {
			r = ksr_cfg_fail(st->err, pos, "#!%.*s needs an expression",
			                 KSR_STR_FMT(*d));
			goto done;
		}
		r = ksr__pp_expr_eval(st->pp, value.s, value.len, &v, why, sizeof(why));
		if (r == -EINVAL)
			r = ksr_cfg_fail(st->err, pos, "#!%.*s %.*s: %s", KSR_STR_FMT(*d),
			                 KSR_STR_FMT(name), why);
		if (r < 0)
			goto done;
		computed = ksr__pp_val_define(&v);
		ksr__pp_val_clear(&v);
		/* #!defexps: the value in double quotes */
		if (computed && word_is(d, "defexps")) {
			char *qs;

			if (asprintf(&qs, "\"%s\"", computed) < 0)
				qs = NULL;
			free(computed);
			computed = qs;
		}
		if (!computed) {
			r = -ENOMEM;
			goto done;
		}
		value = ksr_str_make(computed, strlen(computed));
	}
	r = ksr_pp_define(st->pp, name.s, name.len, value.s, value.len);
done:
	free(computed);
	free(text.s);
	return r;
}

static int d_undef(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln,
                   struct ksr_pos pos, const char *p)
{
	struct ksr_str name = next_word(&p, ln->e);
	int r;

	if (!name.len)
		return ksr_cfg_fail(st->err, pos, "#!undef needs a name");
	if (!is_name(name.s, name.len))
		return ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!undef", KSR_STR_FMT(name));
	if ((r = expect_end(st, src, ln, p, "the #!undef name")) < 0)
		return r;
	undefine(st->pp, name.s, name.len);
	return 0;
}

/* #!defenv NAME, #!defenv ID=VAR, and the quoted (s) and optional (try) variants. */
static int d_defenv(struct pp_state *st, const struct pp_src *src, const struct pp_line *ln,
                    struct ksr_pos pos, const struct ksr_str *d, const char *p)
{
	bool is_try = d->s[0] == 't', quote = d->s[d->len - 1] == 's';
	struct ksr_str arg = next_word(&p, ln->e), name = arg, var = arg;
	const char *eq = memchr(arg.s, '=', arg.len), *val;
	char *varz, *qv = NULL;
	int r;

	if (!arg.len)
		return ksr_cfg_fail(st->err, pos, "#!%.*s needs NAME or ID=NAME", KSR_STR_FMT(*d));
	if ((r = expect_end(st, src, ln, p, "the #!defenv name")) < 0)
		return r;
	if (eq) {
		name.len = (size_t)(eq - arg.s);
		var = ksr_str_make((char *)eq + 1, arg.len - name.len - 1);
	}
	if (!is_name(name.s, name.len) || !var.len)
		return ksr_cfg_fail(st->err, pos, "bad name '%.*s' for #!%.*s", KSR_STR_FMT(arg),
		                    KSR_STR_FMT(*d));
	varz = strndup(var.s, var.len);
	if (!varz)
		return -ENOMEM;
	val = getenv(varz);
	free(varz);
	if (!val) {
		if (is_try)
			return 0;
		return ksr_cfg_fail(st->err, pos, "environment variable '%.*s' is not set",
		                    KSR_STR_FMT(var));
	}
	if (find(st->pp, name.s, name.len))
		return ksr_cfg_fail(st->err, pos, "'%.*s' is already defined", KSR_STR_FMT(name));
	if (quote) {
		if (asprintf(&qv, "\"%s\"", val) < 0)
			return -ENOMEM;
		val = qv;
	}
	r = ksr_pp_define(st->pp, name.s, name.len, val, strlen(val));
	free(qv);
	return r;
}

/* #!subst "/re/repl/flags"; #!substdef also defines re as repl, #!substdefs as "repl". */
static int d_subst(struct pp_state *st, const struct pp_line *ln, struct ksr_pos pos,
                   const struct ksr_str *d, const char *p, int out_line)
{
	struct ksr__pp_subst *s = NULL;
	struct ksr_str re, repl;
	struct pp_rule *rule;
	char *arg = NULL, *value = NULL, *qv = NULL, why[200];
	size_t vlen;
	int r;

	skip_ws(&p, ln->e);
	r = quoted(&p, ln->e, &arg);
	if (r == 0 && !at_end(p, ln->e)) {
		free(arg);
		r = 1;
	}
	if (r > 0 || r == -EINVAL)
		return ksr_cfg_fail(st->err, pos,
		                    "#!%.*s needs one quoted \"/regex/replacement/flags\"",
		                    KSR_STR_FMT(*d));
	if (r < 0)
		return r;
	r = ksr__pp_subst_new(arg, strlen(arg), &s, why, sizeof(why));
	free(arg);
	if (r == -EINVAL)
		return ksr_cfg_fail(st->err, pos, "#!%.*s: %s", KSR_STR_FMT(*d), why);
	if (r < 0)
		return r;
	rule = calloc(1, sizeof(*rule));
	if (!rule) {
		ksr__pp_subst_free(s);
		return -ENOMEM;
	}
	rule->subst = s;
	rule->out_line = out_line;
	*st->pp->rules_tail = rule;
	st->pp->rules_tail = &rule->next;
	if (d->len == 5)
		return 0;
	/* a regex that is no name cannot be used as one: then there is only the rule */
	ksr__pp_subst_parts(s, &re, &repl);
	if (!is_name(re.s, re.len))
		return 0;
	if (find(st->pp, re.s, re.len))
		return ksr_cfg_fail(st->err, pos, "'%.*s' is already defined", KSR_STR_FMT(re));
	value = ksr__pp_expand_env(repl.s, repl.len, &vlen);
	if (value && d->len == 9) {
		if (asprintf(&qv, "\"%s\"", value) < 0)
			qv = NULL;
		free(value);
		value = qv;
		vlen = value ? strlen(value) : 0;
	}
	r = value ? ksr_pp_define(st->pp, re.s, re.len, value, vlen) : -ENOMEM;
	free(value);
	return r;
}

/* ---- include_file and import_file ---- */

static int read_file(const char *path, char **ret_text, size_t *ret_len, struct stat *ret_st)
{
	struct stat sb;
	size_t got = 0;
	char *text;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	text = malloc((size_t)sb.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, text + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	*ret_text = text;
	*ret_len = got;
	if (ret_st)
		*ret_st = sb;
	return 0;
}

/*
 * Find an included file as upstream does: an absolute path as it is; a relative one in
 * the current directory first, then in the directory of the file that includes it.
 */
static int open_include(const char *includer, const char *name, char **ret_path, char **ret_text,
                        size_t *ret_len, struct stat *ret_st)
{
	const char *slash = strrchr(includer, '/');
	char *path = strdup(name);
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, ret_text, ret_len, ret_st);
	if (r == -ENOENT && name[0] != '/' && slash) {
		free(path);
		if (asprintf(&path, "%.*s/%s", (int)(slash - includer), includer, name) < 0)
			return -ENOMEM;
		r = read_file(path, ret_text, ret_len, ret_st);
	}
	if (r < 0) {
		free(path);
		return r;
	}
	*ret_path = path;
	return 0;
}

static int run_src(struct pp_state *st, struct pp_src *src);

/* What may follow the file name: blanks, a ';', a line comment. */
static bool include_tail_ok(const char *p, const char *e)
{
	skip_ws(&p, e);
	if (p < e && *p == ';')
		p++;
	skip_ws(&p, e);
	return at_end(p, e) || *p == '#' || (e - p >= 2 && p[0] == '/' && p[1] == '/');
}

/* at: where the directive starts (at its "#!" if any); p: after its keyword. */
static int include(struct pp_state *st, struct pp_src *src, const struct pp_line *ln,
                   const char *at, const char *p, bool import)
{
	const char *what = import ? "import_file" : "include_file", *after;
	struct ksr_pos pos = pos_of(src, ln, at);
	struct pp_src sub = {.line = 1};
	char *name = NULL, *path = NULL, *text = NULL;
	struct stat sb;
	size_t len;
	int r;

	skip_ws(&p, ln->e);
	r = quoted(&p, ln->e, &name);
	if (r > 0)
		return ksr_cfg_fail(st->err, pos, "%s needs a file name in quotes", what);
	if (r == -EINVAL)
		return ksr_cfg_fail(st->err, pos, "unterminated file name after %s", what);
	if (r < 0)
		return r;
	after = p;
	if (!include_tail_ok(after, ln->e)) {
		struct ksr_str rest = rest_of(after, ln->e);

		r = ksr_cfg_fail(st->err, pos_of(src, ln, rest.s),
		                 "unexpected '%.*s' after the file name of %s", KSR_STR_FMT(rest),
		                 what);
		goto done;
	}
	if ((r = subst_now(st, &name)) < 0)
		goto done;
	/* --cfg-print: the indentation, the file, then what follows the name, as upstream */
	if ((r = print_add(st, ln->s, (size_t)(at - ln->s))) < 0)
		goto done;
	if (!name[0]) {
		r = ksr_cfg_fail(st->err, pos, "%s needs a file name", what);
		goto done;
	}
	if (st->nopen > KSR_PP_MAX_INCLUDE_DEPTH) {
		r = ksr_cfg_fail(st->err, pos, "%s '%s': files included more than %d deep", what,
		                 name, KSR_PP_MAX_INCLUDE_DEPTH);
		goto done;
	}
	r = open_include(src->file, name, &path, &text, &len, &sb);
	if (r == -ENOENT && import) {
		r = 0; /* import_file of a missing file: nothing to do */
	} else if (r == -ENOMEM) {
		goto done;
	} else if (r < 0) {
		r = ksr_cfg_fail(st->err, pos, "%s '%s': %s", what, name,
		                 r == -EISDIR ? "not a regular file" : strerror(-r));
		goto done;
	} else {
		for (int i = 0; i < st->nopen; i++) {
			if (st->open[i]->has_id && st->open[i]->dev == sb.st_dev &&
			    st->open[i]->ino == sb.st_ino) {
				r = ksr_cfg_fail(st->err, pos,
				                 "%s '%s': include loop, %s is already being read",
				                 what, name, st->open[i]->file);
				goto done;
			}
		}
		sub.file = intern(path);
		if (!sub.file) {
			r = -ENOMEM;
			goto done;
		}
		sub.p = text;
		sub.end = text + len;
		sub.has_id = true;
		sub.dev = sb.st_dev;
		sub.ino = sb.st_ino;
		st->open[st->nopen++] = &sub;
		r = run_src(st, &sub);
		st->nopen--;
		if (r < 0)
			goto done;
	}
	/* the included lines come first, then the include line itself (blank) */
	if ((r = emit(st, src, ln, true)) < 0)
		goto done;
	if ((r = print_add(st, after, (size_t)(ln->e - after))) < 0)
		goto done;
	r = ln->nl ? print_add(st, "\n", 1) : 0;
done:
	free(text);
	free(path);
	free(name);
	return r;
}

/* "include_file" or "import_file" as the first word of a line: 1 or 2, *ret_after set. */
static int include_word(const char *p, const char *e, const char **ret_after)
{
	static const char *const words[] = {"include_file", "import_file"};

	for (int i = 0; i < 2; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(e - p) >= n && memcmp(p, words[i], n) == 0 &&
		    (p + n == e || p[n] == ' ' || p[n] == '\t' || p[n] == '"' || p[n] == '\'')) {
			*ret_after = p + n;
			return i + 1;
		}
	}
	return 0;
}

/* ---- code lines: block comments, and loadmodule (MOD_<name>) ---- */

/* Define MOD_<name> for "loadmodule" followed by the module at p, as upstream does. */
static int define_module(struct pp_state *st, const char *p, const char *e)
{
	char *file = NULL, def[128];
	const char *base, *end;
	size_t n;
	int r;

	skip_ws(&p, e);
	if (p < e && *p == '(') {
		p++;
		skip_ws(&p, e);
	}
	r = quoted(&p, e, &file);
	if (r < 0 && r != -EINVAL)
		return r;
	if (r == 0) {
		if ((r = subst_now(st, &file)) < 0) {
			free(file);
			return r;
		}
	} else if (p < e && is_id_char(*p)) { /* a define naming the module */
		const char *w = p;
		const struct ksr_str *v;

		while (p < e && is_id_char(*p))
			p++;
		v = ksr_pp_lookup(st->pp, w, (size_t)(p - w));
		if (!v || v->len < 2 || (v->s[0] != '"' && v->s[0] != '\'') ||
		    v->s[v->len - 1] != v->s[0])
			return 0;
		file = strndup(v->s + 1, v->len - 2);
		if (!file)
			return -ENOMEM;
	} else {
		return 0;
	}
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	end = base + strlen(base);
	if (end - base > 3 && memcmp(end - 3, ".so", 3) == 0)
		end -= 3;
	n = (size_t)(end - base);
	r = 0;
	if (n && n < sizeof(def) - 4) {
		memcpy(def, "MOD_", 4);
		memcpy(def + 4, base, n);
		if (is_name(def, n + 4) && !find(st->pp, def, n + 4))
			r = ksr_pp_define(st->pp, def, n + 4, "", 0);
	}
	free(file);
	return r;
}

/* Track block comments over a line of code so directives inside them are left alone. */
static int scan_code(struct pp_state *st, const struct pp_line *ln)
{
	const char *s = ln->s, *e = ln->e;
	char quote = 0;
	int r;

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
			return 0;
		} else if (s[0] == '/' && s + 1 < e && s[1] == '*') {
			st->in_comment = true;
			s++;
		} else if (is_id_char(*s) && (s == ln->s || !is_id_char(s[-1]))) {
			const char *w = s;

			while (s + 1 < e && is_id_char(s[1]))
				s++;
			if (s + 1 - w == 10 && memcmp(w, "loadmodule", 10) == 0 &&
			    (r = define_module(st, s + 1, e)) < 0)
				return r;
		}
	}
	return 0;
}

/* ---- the directive lines ---- */

static const char *const define_words[] = {"define",   "def",   "trydef", "trydefine",
                                           "redefine", "redef", "defexp", "defexps"};
static const char *const defenv_words[] = {"defenv", "defenvs", "trydefenv", "trydefenvs"};
static const char *const subst_words[] = {"subst", "substdef", "substdefs"};

static bool word_in(const struct ksr_str *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (word_is(w, list[i]))
			return true;
	return false;
}

#define WORD_IN(w, list) word_in(w, list, sizeof(list) / sizeof(list[0]))

/* q: the "#!" or "!!" of the line. */
static int directive(struct pp_state *st, struct pp_src *src, const struct pp_line *ln,
                     const char *q)
{
	struct ksr_pos pos = pos_of(src, ln, q);
	const char *p = q + 2;
	struct ksr_str d = next_word(&p, ln->e);
	int out_line = st->pp->out_lines + 1, r;

	if (word_is(&d, "ifdef") || word_is(&d, "ifndef") || word_is(&d, "ifexp") ||
	    word_is(&d, "else") || word_is(&d, "endif")) {
		/* upstream's --cfg-print keeps the indentation of these lines, not the rest */
		if (active(st) && (r = print_add(st, ln->s, (size_t)(q - ln->s))) < 0)
			return r;
		if (d.s[0] == 'i')
			r = d_if(st, src, ln, pos, &d, p);
		else
			r = d_else_endif(st, src, ln, pos, &d, p);
		return r < 0 ? r : emit(st, src, ln, true);
	}
	if (!active(st))
		return emit(st, src, ln, true);
	if (word_is(&d, "include_file") || word_is(&d, "import_file"))
		return include(st, src, ln, q, p, d.s[1] == 'm');
	if (WORD_IN(&d, define_words))
		return d_define(st, src, ln, pos, &d, p);
	/* every other directive line is printed by --cfg-print as written */
	if ((r = emit(st, src, ln, true)) < 0 || (r = print_line(st, ln)) < 0)
		return r;
	if (word_is(&d, "undef"))
		return d_undef(st, src, ln, pos, p);
	if (WORD_IN(&d, defenv_words))
		return d_defenv(st, src, ln, pos, &d, p);
	if (WORD_IN(&d, subst_words))
		return d_subst(st, ln, pos, &d, p, out_line);
	/* #!KAMAILIO and the like, or any other "#!word": a comment, as upstream */
	return 0;
}

static int one_line(struct pp_state *st, struct pp_src *src, const struct pp_line *ln)
{
	const char *q = ln->s, *after;
	int kind, r;

	skip_ws(&q, ln->e);
	if (!st->in_comment && ln->e - q >= 2 &&
	    ((q[0] == '#' && q[1] == '!') || (q[0] == '!' && q[1] == '!')))
		return directive(st, src, ln, q);
	if (!active(st))
		return emit(st, src, ln, true);
	if (!st->in_comment && (kind = include_word(q, ln->e, &after)) != 0)
		return include(st, src, ln, q, after, kind == 2);
	if ((r = emit(st, src, ln, false)) < 0 || (r = print_line(st, ln)) < 0)
		return r;
	return scan_code(st, ln);
}

static int run_src(struct pp_state *st, struct pp_src *src)
{
	struct pp_line ln;
	int r;

	while (next_line(src, &ln))
		if ((r = one_line(st, src, &ln)) < 0)
			return r;
	return 0;
}

static int process(struct ksr_pp *pp, const char *file, const char *text, size_t len,
                   struct ksr_cfg_error *err, const struct stat *sb)
{
	struct pp_state st = {.pp = pp, .err = err};
	struct pp_src src = {.p = text, .end = text + len, .line = 1, .is_main = true};
	struct stat tmp;
	int r;

	reset_run(pp);
	src.file = intern(file);
	if (!src.file) {
		r = -ENOMEM;
		goto done;
	}
	if (!sb && stat(file, &tmp) == 0)
		sb = &tmp;
	if (sb) {
		src.has_id = true;
		src.dev = sb->st_dev;
		src.ino = sb->st_ino;
	}
	st.open[st.nopen++] = &src;
	r = run_src(&st, &src);
	if (r == 0 && st.depth) {
		const struct pp_cond *c = &st.cond[st.depth - 1];

		r = ksr_cfg_fail(err, (struct ksr_pos){c->file, c->line, 1}, "#!%s without #!endif",
		                 c->kind);
	}
	if (r == 0 && !pp->out.s)
		r = buf_add(&pp->out, "", 0);
	if (r == 0 && pp->keep_print && !pp->print.s)
		r = buf_add(&pp->print, "", 0);
done:
	if (r == -ENOMEM)
		ksr_cfg_fail(err, (struct ksr_pos){src.file ? src.file : file, 0, 0},
		             "out of memory");
	pp->ok = r == 0;
	return r;
}

int ksr_pp_process(struct ksr_pp *pp, const char *file, const char *text, size_t len,
                   struct ksr_cfg_error *err)
{
	return process(pp, file, text, len, err, NULL);
}

int ksr_pp_load(struct ksr_pp *pp, const char *file, struct ksr_cfg_error *err)
{
	struct stat sb;
	char *text;
	size_t len;
	int r = read_file(file, &text, &len, &sb);

	if (r < 0) {
		const char *name = intern(file);

		return ksr_cfg_fail(err, (struct ksr_pos){name ? name : file, 0, 0},
		                    "cannot open: %s",
		                    r == -EISDIR ? "not a regular file" : strerror(-r));
	}
	r = process(pp, file, text, len, err, &sb);
	free(text);
	return r;
}

void ksr_pp_keep_print(struct ksr_pp *pp, bool on)
{
	pp->keep_print = on;
}

const char *ksr_pp_text(const struct ksr_pp *pp, size_t *ret_len)
{
	if (!pp->ok)
		return NULL;
	if (ret_len)
		*ret_len = pp->out.len;
	return pp->out.s;
}

const char *ksr_pp_print_text(const struct ksr_pp *pp, size_t *ret_len)
{
	if (!pp->ok || !pp->keep_print)
		return NULL;
	if (ret_len)
		*ret_len = pp->print.len;
	return pp->print.s;
}

int ksr_pp_map_pos(const struct ksr_pp *pp, int out_line, const char **ret_file, int *ret_line)
{
	size_t lo = 0, hi;

	if (!pp->nsegs)
		return -ENOENT;
	/* the last segment starting at or before out_line */
	hi = pp->nsegs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (pp->segs[mid].out_line <= out_line)
			lo = mid;
		else
			hi = mid;
	}
	*ret_file = pp->segs[lo].file;
	*ret_line = pp->segs[lo].line + (out_line - pp->segs[lo].out_line);
	if (*ret_line < 1)
		*ret_line = 1;
	return 0;
}

int ksr_pp_subst(const struct ksr_pp *pp, int out_line, const char *s, size_t len, char **ret_s,
                 size_t *ret_len)
{
	char *cur = NULL, *next;
	size_t cur_len = 0, next_len;
	int r;

	for (const struct pp_rule *rule = pp->rules; rule && rule->out_line < out_line;
	     rule = rule->next) {
		r = ksr__pp_subst_apply(rule->subst, cur ? cur : s, cur ? cur_len : len, &next,
		                        &next_len);
		if (r < 0) {
			free(cur);
			return r;
		}
		if (r > 0) {
			free(cur);
			cur = next;
			cur_len = next_len;
		}
	}
	if (!cur)
		return 0;
	*ret_s = cur;
	*ret_len = cur_len;
	return 1;
}
