/* The config lexer. */
#include "core/cfg/lex.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ksr_lex_init(struct ksr_lexer *lx, const char *file, const char *text, size_t len,
		  const struct ksr_pp *pp)
{
	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->pp = pp;
	lx->src[0] = (struct lex_src){.p = text, .end = text + len, .line = 1, .col = 1};
	lx->depth = 1;
}

void ksr_lex_free(struct ksr_lexer *lx)
{
	for (size_t i = 0; i < lx->ntexts; i++)
		free(lx->texts[i]);
	free(lx->texts);
	lx->texts = NULL;
	lx->ntexts = lx->cap_texts = 0;
}

const char *ksr_tok_name(enum ksr_tok_type t)
{
	static const char *const names[] = {
		[T_EOF] = "end of file", [T_ID] = "name", [T_STRING] = "string",
		[T_INT] = "number", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
		[T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_LBRACKET] = "'['",
		[T_RBRACKET] = "']'", [T_SEMI] = "';'", [T_COMMA] = "','",
		[T_ASSIGN] = "'='", [T_EQ] = "'=='", [T_NE] = "'!='", [T_NOT] = "'!'",
		[T_AND] = "'&&'", [T_OR] = "'||'", [T_LT] = "'<'", [T_GT] = "'>'",
		[T_LE] = "'<='", [T_GE] = "'>='", [T_MATCH] = "'=~'", [T_NOMATCH] = "'!~'",
		[T_PLUS] = "'+'", [T_MINUS] = "'-'", [T_DOT] = "'.'",
		[T_STAR] = "'*'", [T_SLASH] = "'/'", [T_AMP] = "'&'", [T_PIPE] = "'|'",
		[T_CARET] = "'^'", [T_TILDE] = "'~'", [T_LSHIFT] = "'<<'", [T_RSHIFT] = "'>>'",
		[T_COLON] = "':'", [T_PV] = "pseudo-variable",
	};
	return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "token";
}

static char *keep_text(struct ksr_lexer *lx, char *s)
{
	if (!s)
		return NULL;
	if (lx->ntexts == lx->cap_texts) {
		size_t cap = lx->cap_texts ? lx->cap_texts * 2 : 64;
		char **t = realloc(lx->texts, cap * sizeof(*t));

		if (!t) {
			free(s);
			return NULL;
		}
		lx->texts = t;
		lx->cap_texts = cap;
	}
	lx->texts[lx->ntexts++] = s;
	return s;
}

static struct lex_src *cur(struct ksr_lexer *lx)
{
	return &lx->src[lx->depth - 1];
}

static void advance(struct lex_src *s, size_t n)
{
	while (n-- && s->p < s->end) {
		if (*s->p == '\n') {
			s->line++;
			s->col = 1;
		} else {
			s->col++;
		}
		s->p++;
	}
}

/* A position in the preprocessed text, as file and line of the file it comes from. */
static struct ksr_pos file_pos(struct ksr_lexer *lx, int line, int col)
{
	struct ksr_pos pos = {lx->file, line, col};

	/* without a line map (nothing included) the text's lines are the file's */
	ksr_pp_map_pos(lx->pp, line, &pos.file, &pos.line);
	return pos;
}

/* Where the token just read ends; inside a define's value, where the name ends. */
static struct ksr_pos here_end(struct ksr_lexer *lx)
{
	struct lex_src *s = cur(lx);

	if (s->is_define)
		return s->at_end;
	return file_pos(lx, s->line, s->col);
}

static struct ksr_pos here(struct ksr_lexer *lx)
{
	struct lex_src *s = cur(lx);

	if (s->is_define)
		return s->at;
	return file_pos(lx, s->line, s->col);
}

/* Skip blanks and comments of the current source; 0 or -EINVAL (open block comment). */
static int skip_space(struct ksr_lexer *lx, struct ksr_cfg_error *err)
{
	struct lex_src *s = cur(lx);

	while (s->p < s->end) {
		if (isspace((unsigned char)*s->p)) {
			advance(s, 1);
		} else if (*s->p == '#' ||
			   (s->p[0] == '/' && s->p + 1 < s->end && s->p[1] == '/')) {
			while (s->p < s->end && *s->p != '\n')
				advance(s, 1);
		} else if (s->p[0] == '/' && s->p + 1 < s->end && s->p[1] == '*') {
			struct ksr_pos start = here(lx);

			advance(s, 2);
			while (s->p < s->end && !(s->p[0] == '*' && s->p + 1 < s->end && s->p[1] == '/'))
				advance(s, 1);
			if (s->p >= s->end)
				return ksr_cfg_fail(err, start, "unterminated comment");
			advance(s, 2);
		} else {
			break;
		}
	}
	return 0;
}

/*
 * One quoted literal at s->p, appended to out. \n \r \t \\ and the quotes are escapes;
 * any other backslash is kept with its character, so that "^(\+|00)" reaches a regex
 * as written (as upstream).
 */
static int lex_literal(struct ksr_lexer *lx, struct ksr_tok *tok, char *out, size_t *n,
		       struct ksr_cfg_error *err)
{
	struct lex_src *s = cur(lx);
	char quote = *s->p;

	advance(s, 1);
	while (s->p < s->end && *s->p != quote) {
		char c = *s->p;

		if (c == '\n')
			return ksr_cfg_fail(err, tok->pos, "unterminated string");
		if (c == '\\' && s->p + 1 < s->end) {
			advance(s, 1);
			switch (*s->p) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '\\': case '"': case '\'': c = *s->p; break;
			default:
				out[(*n)++] = '\\';
				c = *s->p;
				break;
			}
		}
		out[(*n)++] = c;
		advance(s, 1);
	}
	if (s->p >= s->end)
		return ksr_cfg_fail(err, tok->pos, "unterminated string");
	advance(s, 1);
	return 0;
}

/* A string: "a" "b" written one after the other are one string, as upstream reads them. */
static int lex_string(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	struct lex_src *s = cur(lx);
	size_t n = 0;
	char *out;
	int r;

	/* the whole rest of the source bounds every literal joined here */
	out = malloc((size_t)(s->end - s->p) + 1);
	if (!out)
		return -ENOMEM;
	for (;;) {
		if ((r = lex_literal(lx, tok, out, &n, err)) < 0)
			goto fail;
		if ((r = skip_space(lx, err)) < 0)
			goto fail;
		if (cur(lx) != s || s->p >= s->end || (*s->p != '"' && *s->p != '\''))
			break;
	}
	out[n] = '\0';
	/* #!subst rules seen before this line (src[0] is the preprocessed text) */
	{
		char *sub;
		size_t sub_len;

		r = ksr_pp_subst(lx->pp, lx->src[0].line, out, n, &sub, &sub_len);
		if (r < 0)
			goto fail;
		if (r > 0) {
			free(out);
			out = sub;
			n = sub_len;
		}
	}
	tok->type = T_STRING;
	tok->text = keep_text(lx, out);
	tok->len = n;
	return tok->text ? 0 : -ENOMEM;
fail:
	free(out);
	return r;
}

static int lex_number(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	struct lex_src *s = cur(lx);
	char buf[32];
	size_t n = 0;
	char *endp;

	while (s->p + n < s->end && isalnum((unsigned char)s->p[n]))
		n++;
	if (n >= sizeof(buf))
		return ksr_cfg_fail(err, tok->pos, "number too long");
	memcpy(buf, s->p, n);
	buf[n] = '\0';
	errno = 0;
	tok->num = strtol(buf, &endp, 0);
	if (errno || *endp)
		return ksr_cfg_fail(err, tok->pos, "bad number '%s'", buf);
	advance(s, n);
	tok->type = T_INT;
	return 0;
}

static bool is_id_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Substitute a defined name: lex its value in place of the name. */
static int push_define(struct ksr_lexer *lx, const struct ksr_str *val, struct ksr_pos at,
		       struct ksr_cfg_error *err)
{
	/* the name was just consumed: here_end() is where it ends */
	struct ksr_pos at_end = here_end(lx);

	if (lx->depth == LEX_MAX_DEPTH)
		return ksr_cfg_fail(err, at, "#!define substitutions nested too deep");
	lx->src[lx->depth++] = (struct lex_src){
		.p = val->s, .end = val->s + val->len, .line = at.line, .col = at.col,
		.is_define = true, .at = at, .at_end = at_end};
	return 0;
}

static int lex_raw(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err,
		   bool raw);

/* Length of a balanced (...), [...] or {...} group at p, or 0 when it is not closed. */
static size_t balanced(const char *p, const char *end)
{
	char open = *p, close = open == '(' ? ')' : open == '[' ? ']' : '}';
	int depth = 0;
	char quote = 0;

	for (const char *q = p; q < end; q++) {
		if (*q == '\n')
			return 0;
		if (quote) {
			if (*q == '\\' && q + 1 < end)
				q++;
			else if (*q == quote)
				quote = 0;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == open) {
			depth++;
		} else if (*q == close && --depth == 0) {
			return (size_t)(q - p + 1);
		}
	}
	return 0;
}

/* A transformation follows a pseudo-variable only as "{class.": "{" then a block is not. */
static bool starts_transformation(const char *p, const char *end)
{
	const char *q = p + 1;

	if (p >= end || *p != '{')
		return false;
	while (q < end && isalpha((unsigned char)*q))
		q++;
	return q > p + 1 && q < end && *q == '.';
}

/*
 * The extent of a pseudo-variable: "$name", "$name(inner)", "$(...)", then "[idx]" and
 * "{tr}" groups. Special one-character names: "$?" (the last return code).
 */
static int lex_pv(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	struct lex_src *s = cur(lx);
	const char *p = s->p + 1, *end = s->end;
	size_t n;

	if (p < end && *p == '(') {
		n = balanced(p, end);
		if (!n)
			return ksr_cfg_fail(err, tok->pos, "unclosed '(' in pseudo-variable");
		p += n;
	} else if (p < end && *p == '?') {
		p++;
	} else {
		const char *name = p;

		while (p < end && is_id_char(*p))
			p++;
		if (p == name)
			return ksr_cfg_fail(err, tok->pos, "'$' without a pseudo-variable name");
		if (p < end && *p == '(') {
			n = balanced(p, end);
			if (!n)
				return ksr_cfg_fail(err, tok->pos, "unclosed '(' in pseudo-variable");
			p += n;
		}
		if (p < end && *p == '[') {
			n = balanced(p, end);
			if (!n)
				return ksr_cfg_fail(err, tok->pos, "unclosed '[' in pseudo-variable");
			p += n;
		}
		while (starts_transformation(p, end)) {
			n = balanced(p, end);
			if (!n)
				return ksr_cfg_fail(err, tok->pos, "unclosed '{' in transformation");
			p += n;
		}
	}
	tok->type = T_PV;
	tok->len = (size_t)(p - s->p);
	tok->text = keep_text(lx, strndup(s->p, tok->len));
	if (!tok->text)
		return -ENOMEM;
	advance(s, tok->len);
	return 0;
}

static bool addr_char(char c)
{
	return isxdigit((unsigned char)c) || strchr(".:[]/", c);
}

static bool socket_char(char c)
{
	return isalnum((unsigned char)c) || strchr(".:[]-_", c);
}

/* The run of chars ok() takes, as a T_STRING; its length (0: none, nothing taken). */
static int lex_run(struct ksr_lexer *lx, struct ksr_tok *tok, bool (*ok)(char), size_t *ret_len)
{
	struct lex_src *s = cur(lx);
	const char *e;

	memset(tok, 0, sizeof(*tok));
	tok->pos = here(lx);
	for (e = s->p; e < s->end && ok(*e); e++)
		;
	*ret_len = (size_t)(e - s->p);
	if (!*ret_len)
		return 0;
	tok->type = T_STRING;
	tok->len = *ret_len;
	tok->text = keep_text(lx, strndup(s->p, tok->len));
	if (!tok->text)
		return -ENOMEM;
	advance(s, tok->len);
	tok->end = here_end(lx);
	return 0;
}

int ksr_lex_addr(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	size_t len;
	int r;

	if (lx->has_peeked)
		return ksr_cfg_fail(err, lx->peeked.pos, "internal error: address after peek");
	if ((r = skip_space(lx, err)) < 0 || (r = lex_run(lx, tok, addr_char, &len)) < 0)
		return r;
	if (!len || (!memchr(tok->text, '.', len) && !memchr(tok->text, ':', len)))
		return ksr_cfg_fail(err, tok->pos, "expected an IP address or network");
	return 0;
}

int ksr_lex_socket(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	struct lex_src *s;
	size_t len;
	int r;

	if (lx->has_peeked)
		return ksr_cfg_fail(err, lx->peeked.pos, "internal error: socket after peek");
	if ((r = skip_space(lx, err)) < 0)
		return r;
	s = cur(lx);
	if (s->p == s->end || *s->p == '"' || *s->p == '\'' || *s->p == '$' || *s->p == ')')
		return 1; /* written as usual */
	if ((r = lex_run(lx, tok, socket_char, &len)) < 0)
		return r;
	if (!len)
		return ksr_cfg_fail(err, tok->pos, "expected a socket: [proto:]address[:port]");
	return 0;
}

/* A token, with its end position. */
static int lex_one(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err,
		   bool raw)
{
	int r = lex_raw(lx, tok, err, raw);

	if (r == 0)
		tok->end = here_end(lx);
	return r;
}

int ksr_lex_next(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	if (lx->has_peeked) {
		*tok = lx->peeked;
		lx->has_peeked = false;
		return 0;
	}
	return lex_one(lx, tok, err, false);
}

int ksr_lex_peek(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	int r;

	if (!lx->has_peeked) {
		r = lex_one(lx, &lx->peeked, err, false);
		if (r < 0)
			return r;
		lx->has_peeked = true;
	}
	*tok = lx->peeked;
	return 0;
}

int ksr_lex_raw_value(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err)
{
	if (lx->has_peeked) /* the parser must not peek before a raw value */
		return ksr_cfg_fail(err, lx->peeked.pos, "internal error: raw value after peek");
	return lex_one(lx, tok, err, true);
}

static int lex_raw(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err,
		   bool raw)
{
	struct lex_src *s;
	int r;

	for (;;) {
		r = skip_space(lx, err);
		if (r < 0)
			return r;
		s = cur(lx);
		if (s->p < s->end)
			break;
		if (lx->depth == 1) {
			memset(tok, 0, sizeof(*tok));
			tok->type = T_EOF;
			tok->pos = here(lx);
			return 0;
		}
		lx->depth--;
	}
	memset(tok, 0, sizeof(*tok));
	tok->pos = here(lx);
	if (*s->p == '"' || *s->p == '\'')
		return lex_string(lx, tok, err);
	if (raw) {
		const char *e = s->p;
		size_t n;
		char *t;

		/* a defined name alone is substituted as usual */
		while (e < s->end && is_id_char(*e))
			e++;
		if (e > s->p && ksr_pp_lookup(lx->pp, s->p, (size_t)(e - s->p))) {
			const char *after = e;

			while (after < s->end && (*after == ' ' || *after == '\t'))
				after++;
			if (after == s->end || *after == '\n' || *after == '\r' || *after == ';' ||
			    *after == '#') {
				const struct ksr_str *v = ksr_pp_lookup(lx->pp, s->p, (size_t)(e - s->p));

				advance(s, (size_t)(e - s->p));
				r = push_define(lx, v, tok->pos, err);
				if (r < 0)
					return r;
				return lex_raw(lx, tok, err, true);
			}
		}
		for (e = s->p; e < s->end && *e != '\n' && *e != '\r' && *e != ';' && *e != '#';
		     e++)
			;
		n = (size_t)(e - s->p);
		while (n && (s->p[n - 1] == ' ' || s->p[n - 1] == '\t'))
			n--;
		t = keep_text(lx, strndup(s->p, n));
		if (!t)
			return -ENOMEM;
		advance(s, n);
		tok->type = T_STRING;
		tok->text = t;
		tok->len = n;
		return 0;
	}
	if (*s->p == '$')
		return lex_pv(lx, tok, err);
	if (isdigit((unsigned char)*s->p))
		return lex_number(lx, tok, err);
	if (is_id_char(*s->p)) {
		const char *e = s->p;
		const struct ksr_str *v;

		while (e < s->end && is_id_char(*e))
			e++;
		v = ksr_pp_lookup(lx->pp, s->p, (size_t)(e - s->p));
		if (v) {
			advance(s, (size_t)(e - s->p));
			r = push_define(lx, v, tok->pos, err);
			if (r < 0)
				return r;
			return lex_raw(lx, tok, err, false);
		}
		tok->type = T_ID;
		tok->len = (size_t)(e - s->p);
		tok->text = keep_text(lx, strndup(s->p, tok->len));
		if (!tok->text)
			return -ENOMEM;
		advance(s, tok->len);
		return 0;
	}
	{
		static const struct {
			const char *op;
			enum ksr_tok_type t;
		} ops[] = {
			{"==", T_EQ}, {"!=", T_NE}, {"=~", T_MATCH}, {"!~", T_NOMATCH},
			{"&&", T_AND}, {"||", T_OR}, {"<=", T_LE}, {">=", T_GE},
			{"<<", T_LSHIFT}, {">>", T_RSHIFT}, {"*", T_STAR}, {"/", T_SLASH},
			{"&", T_AMP}, {"|", T_PIPE}, {"^", T_CARET}, {"~", T_TILDE}, {":", T_COLON},
			{"{", T_LBRACE}, {"}", T_RBRACE}, {"(", T_LPAREN}, {")", T_RPAREN},
			{"[", T_LBRACKET}, {"]", T_RBRACKET}, {";", T_SEMI}, {",", T_COMMA},
			{"=", T_ASSIGN}, {"!", T_NOT}, {"<", T_LT}, {">", T_GT}, {"+", T_PLUS},
			{"-", T_MINUS}, {".", T_DOT},
		};
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t n = strlen(ops[i].op);

			if ((size_t)(s->end - s->p) >= n && memcmp(s->p, ops[i].op, n) == 0) {
				tok->type = ops[i].t;
				advance(s, n);
				return 0;
			}
		}
	}
	if (isprint((unsigned char)*s->p))
		return ksr_cfg_fail(err, tok->pos, "unexpected character '%c'", *s->p);
	return ksr_cfg_fail(err, tok->pos, "unexpected byte 0x%02x", (unsigned char)*s->p);
}
