/* The config lexer: tokens with positions, #!define names substituted. */
#ifndef KSR_CORE_CFG_LEX_H
#define KSR_CORE_CFG_LEX_H

#include <stdbool.h>

#include "core/cfg/error.h"
#include "core/cfg/pp.h"

enum ksr_tok_type {
	T_EOF = 0,
	T_ID,
	T_STRING,
	T_INT,
	T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET,
	T_SEMI, T_COMMA, T_ASSIGN, T_EQ, T_NE, T_NOT, T_AND, T_OR,
	T_LT, T_GT, T_LE, T_GE, T_MATCH, T_NOMATCH, T_PLUS, T_MINUS, T_DOT,
	T_STAR, T_SLASH, T_AMP, T_PIPE, T_CARET, T_TILDE, T_LSHIFT, T_RSHIFT, T_COLON,
	T_PV, /* a pseudo-variable as written: "$ru", "$(hdr(X)[1]{s.len})"; text holds it */
};

struct ksr_tok {
	enum ksr_tok_type type;
	struct ksr_pos pos;
	struct ksr_pos end; /* just after the token: where a missing ';' belongs */
	char *text; /* T_ID and T_STRING: NUL-terminated, unescaped; owned by the lexer */
	size_t len;
	long num; /* T_INT */
};

#define LEX_MAX_DEPTH 16 /* nested #!define substitutions */

struct lex_src {
	const char *p, *end;
	int line, col;
	bool is_define; /* a define's value: positions stay at the name's */
	struct ksr_pos at; /* where the name starts */
	struct ksr_pos at_end; /* where it ends */
};

struct ksr_lexer {
	const char *file;
	const struct ksr_pp *pp;
	struct lex_src src[LEX_MAX_DEPTH];
	int depth;
	struct ksr_tok peeked;
	bool has_peeked;
	/* every token text allocated, freed by ksr_lex_free */
	char **texts;
	size_t ntexts, cap_texts;
};

void ksr_lex_init(struct ksr_lexer *lx, const char *file, const char *text, size_t len,
		  const struct ksr_pp *pp);
void ksr_lex_free(struct ksr_lexer *lx);
/* Next token; 0 or -EINVAL with err filled (unterminated string, bad character). */
int ksr_lex_next(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err);
int ksr_lex_peek(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err);
/*
 * A core parameter value written without quotes (listen=udp:127.0.0.1:5060): the rest
 * of the line up to a comment or ';', trimmed, as a T_STRING. A quoted value and a
 * defined name are handled as usual.
 */
int ksr_lex_raw_value(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err);
/*
 * An IP address or network written bare in an expression (src_ip == 10.0.0.0/8,
 * dst_ip != [2001:db8::1]): hex digits, '.', ':', '[', ']' and '/', as a T_STRING.
 * Fails when nothing of that shape follows. Must not follow a peek.
 */
int ksr_lex_addr(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err);
/*
 * A listening socket written bare, as force_send_socket(tcp:10.0.0.1:5060) takes it:
 * letters, digits and ".:[]-_", as a T_STRING. 1 (nothing taken) when a string, a
 * pseudo-variable or ')' follows instead. Must not follow a peek.
 */
int ksr_lex_socket(struct ksr_lexer *lx, struct ksr_tok *tok, struct ksr_cfg_error *err);
const char *ksr_tok_name(enum ksr_tok_type t);

#endif
