/*
 * Authorization / Proxy-Authorization credentials and WWW- / Proxy-Authenticate
 * challenges (RFC 3261 20.7, 20.27, 20.28, 20.44; RFC 2617 3.2; RFC 7616 algorithms).
 */
#include <errno.h>
#include <stddef.h>

#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "core/parser/hdr_lex.h"
#include "core/parser/msg.h"

/* auth-scheme LWS: the scheme, and the parameters after it. */
static int auth_head(struct ksr_str body, struct ksr_str *ret_scheme, struct ksr_str *ret_params)
{
	char *end = ksr_str_end(body), *p, *q, *r;

	p = ksr__skip_lws(body.s, end);
	q = ksr__skip_token(p, end);
	if (q == p)
		return -EINVAL;
	r = ksr__skip_lws(q, end);
	if (r == q && q < end)
		return -EINVAL; /* "Digest," */
	*ret_scheme = ksr_str_make(p, (size_t)(q - p));
	*ret_params = ksr_str_make(r, (size_t)(end - r));
	/* trailing LWS is not part of the parameters */
	while (ret_params->len && (ret_params->s[ret_params->len - 1] == ' ' ||
				   ret_params->s[ret_params->len - 1] == '\t'))
		ret_params->len--;
	return 0;
}

/*
 * The next "name = value" of an auth-param list, values as written (token-ish or quoted).
 * 1 found, 0 at the end, -EINVAL. *first is cleared after the first parameter.
 */
static int auth_param_next(char **pp, char *end, bool *first, struct ksr_param *ret)
{
	char *p = ksr__skip_lws(*pp, end), *name, *name_end, *val, *val_end;

	if (p >= end)
		return 0;
	if (!*first) {
		if (*p != ',')
			return -EINVAL;
		p = ksr__skip_lws(p + 1, end);
	}
	name = p;
	name_end = ksr__skip_token(name, end);
	if (name_end == name)
		return -EINVAL;
	p = ksr__skip_lws(name_end, end);
	if (p >= end || *p != '=')
		return -EINVAL;
	val = ksr__skip_lws(p + 1, end);
	if (val >= end)
		return -EINVAL;
	if (*val == '"') {
		val_end = ksr__skip_quoted(val, end);
		if (!val_end)
			return -EINVAL;
	} else {
		for (val_end = val; val_end < end && (unsigned char)*val_end > 0x20 &&
				    (unsigned char)*val_end < 0x7f && *val_end != ',' &&
				    *val_end != '"';
		     val_end++)
			;
		if (val_end == val)
			return -EINVAL;
	}
	ret->name = ksr_str_make(name, (size_t)(name_end - name));
	ret->value = ksr_str_make(val, (size_t)(val_end - val));
	ret->has_value = true;
	ret->next = NULL;
	*first = false;
	*pp = val_end;
	return 1;
}

static const struct {
	const char *name;
	enum ksr_digest_alg id;
} algs[] = {
	{"MD5", KSR_DIGEST_MD5},
	{"MD5-sess", KSR_DIGEST_MD5_SESS},
	{"SHA-256", KSR_DIGEST_SHA256},
	{"SHA-256-sess", KSR_DIGEST_SHA256_SESS},
	{"SHA-512-256", KSR_DIGEST_SHA512_256},
	{"SHA-512-256-sess", KSR_DIGEST_SHA512_256_SESS},
};

enum ksr_digest_alg ksr_digest_alg_id(struct ksr_str name)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (ksr_str_caseeq_cstr(&name, algs[i].name))
			return algs[i].id;
	return KSR_DIGEST_ALG_OTHER;
}

static unsigned int qop_id(struct ksr_str v)
{
	if (ksr_str_caseeq_cstr(&v, "auth"))
		return KSR_QOP_AUTH;
	if (ksr_str_caseeq_cstr(&v, "auth-int"))
		return KSR_QOP_AUTH_INT;
	return KSR_QOP_OTHER;
}

static bool all_hex(struct ksr_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!ksr__is_hex(s.s[i]))
			return false;
	return s.len > 0;
}

/* Named params go to their field (once each); the others to a list. */
struct field {
	const char *name;
	size_t off;
};

static int collect(struct ksr_str params, const struct field *fields, size_t nfields,
		   void *obj, struct ksr_arena *arena, struct ksr_param **ret_other)
{
	char *p = params.s, *end = ksr_str_end(params);
	struct ksr_param **tail = ret_other, prm;
	bool first = true;
	int r;

	while ((r = auth_param_next(&p, end, &first, &prm)) > 0) {
		size_t i;

		for (i = 0; i < nfields; i++) {
			if (ksr_str_caseeq_cstr(&prm.name, fields[i].name)) {
				struct ksr_str *slot = (struct ksr_str *)((char *)obj + fields[i].off);

				if (slot->s)
					return -EINVAL; /* given twice */
				*slot = ksr_unquote(prm.value); /* never NULL: present */
				break;
			}
		}
		if (i == nfields) {
			struct ksr_param *n = ksr_arena_alloc(arena, sizeof(*n));

			if (!n)
				return -ENOMEM;
			*n = prm;
			*tail = n;
			tail = &n->next;
		}
	}
	if (r < 0)
		return r;
	if (first)
		return -EINVAL; /* no parameter at all */
	return 0;
}

#define CRED(f) {#f, offsetof(struct ksr_credentials, f)}
static const struct field cred_fields[] = {
	CRED(username), CRED(realm), CRED(nonce), CRED(uri), CRED(response),
	CRED(algorithm), CRED(cnonce), CRED(opaque), CRED(qop), CRED(nc),
};
#undef CRED

static int digest_credentials(struct ksr_credentials *c, struct ksr_arena *arena)
{
	int r = collect(c->params, cred_fields, sizeof(cred_fields) / sizeof(cred_fields[0]), c,
			arena, &c->other);

	if (r < 0)
		return r;
	/* RFC 2617 3.2.2: these are required; realm may be the empty string */
	if (!c->username.len || !c->realm.s || !c->nonce.len || !c->uri.len ||
	    !all_hex(c->response))
		return -EINVAL;
	c->alg = c->algorithm.s ? ksr_digest_alg_id(c->algorithm) : KSR_DIGEST_MD5;
	if (c->algorithm.s && !c->algorithm.len)
		return -EINVAL;
	if (c->nc.s) {
		if (c->nc.len != 8 || !all_hex(c->nc))
			return -EINVAL;
		for (size_t i = 0; i < 8; i++) {
			char d = c->nc.s[i] | 0x20;

			c->nc_value = c->nc_value * 16 +
				      (uint32_t)(d <= '9' ? d - '0' : d - 'a' + 10);
		}
	}
	if (c->qop.s) {
		if (!ksr__is_token(c->qop) || !c->cnonce.len || !c->nc.s)
			return -EINVAL;
		c->qop_id = qop_id(c->qop);
	}
	return 0;
}

int ksr_parse_credentials(struct ksr_str body, struct ksr_arena *arena,
			  struct ksr_credentials **ret_cred)
{
	struct ksr_credentials *c = ksr_arena_alloc(arena, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = auth_head(body, &c->scheme, &c->params);
	if (r < 0)
		return r;
	c->digest = ksr_str_caseeq_cstr(&c->scheme, "Digest");
	if (c->digest) {
		r = digest_credentials(c, arena);
		if (r < 0)
			return r;
	}
	*ret_cred = c;
	return 0;
}

#define CHAL(f) {#f, offsetof(struct ksr_challenge, f)}
static const struct field chal_fields[] = {
	CHAL(realm), CHAL(domain), CHAL(nonce), CHAL(opaque), CHAL(algorithm), CHAL(qop),
	{"stale", offsetof(struct ksr_challenge, stale_str)},
};
#undef CHAL

static int challenge_qop(struct ksr_challenge *ch, struct ksr_arena *arena)
{
	struct ksr_str cur = ch->qop, item;
	struct ksr_token **tail = &ch->qop_list;
	int r;

	while ((r = ksr_list_next(&cur, &item)) > 0) {
		struct ksr_token *t;

		if (!ksr__is_token(item))
			return -EINVAL;
		t = ksr_arena_alloc(arena, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->name = item;
		*tail = t;
		tail = &t->next;
		ch->qop_mask |= qop_id(item);
	}
	if (r < 0)
		return r;
	return ch->qop_list ? 0 : -EINVAL;
}

static int digest_challenge(struct ksr_challenge *ch, struct ksr_arena *arena)
{
	int r = collect(ch->params, chal_fields, sizeof(chal_fields) / sizeof(chal_fields[0]), ch,
			arena, &ch->other);

	if (r < 0)
		return r;
	if (!ch->realm.s || !ch->nonce.s)
		return -EINVAL;
	if (ch->stale_str.s) {
		if (ksr_str_caseeq_cstr(&ch->stale_str, "true"))
			ch->stale = true;
		else if (!ksr_str_caseeq_cstr(&ch->stale_str, "false"))
			return -EINVAL;
	}
	if (ch->algorithm.s && !ch->algorithm.len)
		return -EINVAL;
	ch->alg = ch->algorithm.s ? ksr_digest_alg_id(ch->algorithm) : KSR_DIGEST_MD5;
	if (ch->qop.s)
		return challenge_qop(ch, arena);
	return 0;
}

int ksr_parse_challenge(struct ksr_str body, struct ksr_arena *arena,
			struct ksr_challenge **ret_chal)
{
	struct ksr_challenge *ch = ksr_arena_alloc(arena, sizeof(*ch));
	int r;

	if (!ch)
		return -ENOMEM;
	r = auth_head(body, &ch->scheme, &ch->params);
	if (r < 0)
		return r;
	ch->digest = ksr_str_caseeq_cstr(&ch->scheme, "Digest");
	if (ch->digest) {
		r = digest_challenge(ch, arena);
		if (r < 0)
			return r;
	}
	*ret_chal = ch;
	return 0;
}

static int cred_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_credentials *c;
	int r = ksr_parse_credentials(body, arena, &c);

	if (r == 0)
		*ret_first = c;
	return r;
}

static int chal_line(struct ksr_str body, struct ksr_arena *arena, void **ret_first)
{
	struct ksr_challenge *c;
	int r = ksr_parse_challenge(body, arena, &c);

	if (r == 0)
		*ret_first = c;
	return r;
}

int ksr_msg_credentials(struct ksr_msg *msg, enum ksr_hdr_type type,
			struct ksr_credentials **ret_first)
{
	static const struct ksr__list_ops ops = {
	        .parse = cred_line,
	        .next_off = offsetof(struct ksr_credentials, next),
	        .hdr_off = offsetof(struct ksr_credentials, hdr),
	};
	void *first;
	int r;

	if (type != KSR_HDR_AUTHORIZATION && type != KSR_HDR_PROXYAUTH)
		return -EINVAL;
	r = ksr__msg_list(msg, type, &ops, &first);
	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}

int ksr_msg_credentials_realm(struct ksr_msg *msg, enum ksr_hdr_type type,
			      struct ksr_str realm, struct ksr_credentials **ret_cred)
{
	struct ksr_credentials *c;
	int r = ksr_msg_credentials(msg, type, &c);

	if (r < 0)
		return r;
	for (; c; c = c->next) {
		if (c->digest && ksr_str_eq(&c->realm, &realm)) {
			*ret_cred = c;
			return 0;
		}
	}
	return -ENOENT;
}

int ksr_msg_challenges(struct ksr_msg *msg, enum ksr_hdr_type type,
		       struct ksr_challenge **ret_first)
{
	static const struct ksr__list_ops ops = {
	        .parse = chal_line,
	        .next_off = offsetof(struct ksr_challenge, next),
	        .hdr_off = offsetof(struct ksr_challenge, hdr),
	};
	void *first;
	int r;

	if (type != KSR_HDR_WWWAUTH && type != KSR_HDR_PROXYAUTHENTICATE)
		return -EINVAL;
	r = ksr__msg_list(msg, type, &ops, &first);
	if (r < 0)
		return r;
	*ret_first = first;
	return 0;
}
