/* URIs: sip/sips (RFC 3261 19.1, 25.1), tel (RFC 3966), others opaque; 19.1.4 comparison. */
#include "core/parser/uri.h"

#include <ctype.h>
#include <errno.h>

#include "core/mem/arena.h"
#include "core/parser/limits.h"
#include "core/parser/msg.h"

/* Character classes of RFC 3261 25.1, as bits of one table lookup per byte. */
enum {
	C_UNRESERVED = 1 << 0, /* alphanum - _ . ! ~ * ' ( ) */
	C_USER = 1 << 1, /* user-unreserved: & = + $ , ; ? / */
	C_PASSWD = 1 << 2, /* & = + $ , */
	C_PARAM = 1 << 3, /* param-unreserved: [ ] / : & + $ */
	C_HNV = 1 << 4, /* hnv-unreserved: [ ] / ? : + $ */
	C_HOST = 1 << 5, /* alphanum - . (hostname) */
};

static unsigned char cls[256];
static bool cls_ready;

static void cls_set(const char *chars, unsigned char bit)
{
	for (; *chars; chars++)
		cls[(unsigned char)*chars] |= bit;
}

/* Filled once; every thread computes the same bytes, so a race is harmless. */
static void cls_init(void)
{
	for (int c = 0; c < 256; c++) {
		if (isalnum(c))
			cls[c] |= C_UNRESERVED | C_HOST;
	}
	cls_set("-_.!~*'()", C_UNRESERVED);
	cls_set("-.", C_HOST);
	cls_set("&=+$,;?/", C_USER);
	cls_set("&=+$,", C_PASSWD);
	cls_set("[]/:&+$", C_PARAM);
	cls_set("[]/?:+$", C_HNV);
	__atomic_store_n(&cls_ready, true, __ATOMIC_RELEASE);
}

static inline bool is_hex(char c)
{
	return isxdigit((unsigned char)c);
}

/* s[0..n) uses only characters of class mask, or %HH escapes. */
static bool valid_chars(const char *s, size_t n, unsigned char mask)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return false;
			i += 2;
		} else if (!(cls[(unsigned char)s[i]] & mask)) {
			return false;
		}
	}
	return true;
}

static bool valid_ipv4(const char *s, size_t n)
{
	unsigned int parts = 0, val = 0, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (digits == 0 || val > 255)
				return false;
			parts++;
			val = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 3)
				return false;
			val = val * 10 + (unsigned)(s[i] - '0');
		} else {
			return false;
		}
	}
	return parts == 4;
}

/* The inside of "[...]": hex groups, '::' at most once, an IPv4 tail allowed. */
static bool valid_ipv6(const char *s, size_t n)
{
	unsigned int groups = 0, hex = 0;
	bool dcolon = false;
	size_t i = 0, last_group = 0;

	if (n < 2)
		return false;
	while (i < n) {
		if (s[i] == ':') {
			if (i + 1 < n && s[i + 1] == ':') {
				if (dcolon)
					return false;
				dcolon = true;
				hex = 0;
				i += 2;
				continue;
			}
			if (i == 0 || hex == 0)
				return false;
			hex = 0;
			i++;
			continue;
		}
		if (s[i] == '.') {
			/*
			 * An IPv4 tail (the last 32 bits): the group just started is its first
			 * octet, and the tail counts as two groups.
			 */
			unsigned int total = groups - 1 + 2;

			if (!valid_ipv4(s + last_group, n - last_group))
				return false;
			return dcolon ? total <= 7 : total == 8;
		}
		if (!is_hex(s[i]) || ++hex > 4)
			return false;
		if (hex == 1) {
			groups++;
			last_group = i;
		}
		i++;
	}
	if (s[n - 1] == ':' && !(n >= 2 && s[n - 2] == ':'))
		return false;
	return dcolon ? groups <= 7 : groups == 8;
}

static bool valid_hostname(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (cls[(unsigned char)s[i]] & C_HOST) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* The first parameter called name in ";a=b;c"; 1 when present, 0 when absent. */
static int param_find(struct ksr_str params, struct ksr_str name, struct ksr_str *ret_value)
{
	char *p = params.s, *end = ksr_str_end(params);

	while (p < end) {
		char *e = memchr(p, ';', (size_t)(end - p)), *eq;
		struct ksr_str n;

		if (!e)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		n = ksr_str_make(p, (size_t)((eq ? eq : e) - p));
		ksr_str_trim(&n);
		if (ksr_str_caseeq(&n, &name)) {
			if (ret_value) {
				*ret_value = eq ? ksr_str_make(eq + 1, (size_t)(e - eq - 1))
						: ksr_str_make(e, 0);
				ksr_str_trim(ret_value);
			}
			return 1;
		}
		p = e + 1;
	}
	return 0;
}

int ksr_param_find(struct ksr_str params, const char *name, struct ksr_str *ret_value)
{
	return param_find(params, ksr_str_make((char *)name, strlen(name)), ret_value);
}

/* Each ";name[=value]" of a URI's parameters: characters checked, known ones noted. */
static int parse_params(struct ksr_str params, struct ksr_uri *u)
{
	char *p = params.s, *end = ksr_str_end(params);

	while (p <= end) {
		char *e = memchr(p, ';', (size_t)(end - p)), *eq;
		struct ksr_str name, value = KSR_STR_NULL;

		if (!e)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		name = ksr_str_make(p, (size_t)((eq ? eq : e) - p));
		if (name.len == 0 || !valid_chars(name.s, name.len, C_UNRESERVED | C_PARAM))
			return -EINVAL;
		if (eq) {
			value = ksr_str_make(eq + 1, (size_t)(e - eq - 1));
			if (!valid_chars(value.s, value.len, C_UNRESERVED | C_PARAM))
				return -EINVAL;
		}
		if (ksr_str_caseeq_cstr(&name, "transport"))
			u->transport = value;
		else if (ksr_str_caseeq_cstr(&name, "user"))
			u->user_param = value;
		else if (ksr_str_caseeq_cstr(&name, "method"))
			u->method = value;
		else if (ksr_str_caseeq_cstr(&name, "ttl"))
			u->ttl = value;
		else if (ksr_str_caseeq_cstr(&name, "maddr"))
			u->maddr = value;
		else if (ksr_str_caseeq_cstr(&name, "lr"))
			u->has_lr = true;
		else if (ksr_str_caseeq_cstr(&name, "gr")) {
			u->has_gr = true;
			u->gr = value;
		}
		if (e == end)
			break;
		p = e + 1;
	}
	return 0;
}

static int parse_headers(struct ksr_str h)
{
	char *p = h.s, *end = ksr_str_end(h);

	while (p <= end) {
		char *e = memchr(p, '&', (size_t)(end - p)), *eq;

		if (!e)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		if (!eq || eq == p)
			return -EINVAL;
		if (!valid_chars(p, (size_t)(eq - p), C_UNRESERVED | C_HNV) ||
		    !valid_chars(eq + 1, (size_t)(e - eq - 1), C_UNRESERVED | C_HNV))
			return -EINVAL;
		if (e == end)
			break;
		p = e + 1;
	}
	return 0;
}

static int parse_sip(char *p, char *end, struct ksr_uri *u)
{
	char *at, *h, *he, *q;

	if (p >= end)
		return -EINVAL;
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		char *colon;

		for (const char *c = at + 1; c < end; c++)
			if (*c == '@') /* '@' is in no part but the userinfo's end */
				return -EINVAL;
		colon = memchr(p, ':', (size_t)(at - p));
		u->user = ksr_str_make(p, (size_t)((colon ? colon : at) - p));
		if (colon)
			u->passwd = ksr_str_make(colon + 1, (size_t)(at - colon - 1));
		if (u->user.len == 0 ||
		    !valid_chars(u->user.s, u->user.len, C_UNRESERVED | C_USER) ||
		    (colon && !valid_chars(u->passwd.s, u->passwd.len, C_UNRESERVED | C_PASSWD)))
			return -EINVAL;
		p = at + 1;
	}
	if (p < end && *p == '[') {
		he = memchr(p, ']', (size_t)(end - p));
		if (!he || !valid_ipv6(p + 1, (size_t)(he - p - 1)))
			return -EINVAL;
		he++;
		u->host_type = KSR_HOST_IPV6;
	} else {
		for (he = p; he < end && (cls[(unsigned char)*he] & C_HOST); he++)
			;
		if (valid_ipv4(p, (size_t)(he - p)))
			u->host_type = KSR_HOST_IPV4;
		else if (valid_hostname(p, (size_t)(he - p)))
			u->host_type = KSR_HOST_NAME;
		else
			return -EINVAL;
	}
	h = p;
	u->host = ksr_str_make(h, (size_t)(he - h));
	p = he;
	if (p < end && *p == ':') {
		unsigned long port = 0;

		for (q = p + 1; q < end && *q >= '0' && *q <= '9'; q++) {
			port = port * 10 + (unsigned long)(*q - '0');
			if (port > 65535)
				return -EINVAL;
		}
		if (q == p + 1)
			return -EINVAL;
		u->port_str = ksr_str_make(p + 1, (size_t)(q - p - 1));
		u->port = (unsigned short)port;
		p = q;
	}
	if (p < end && *p == ';') {
		q = memchr(p, '?', (size_t)(end - p));
		u->params = ksr_str_make(p + 1, (size_t)((q ? q : end) - p - 1));
		if (parse_params(u->params, u) < 0)
			return -EINVAL;
		p = q ? q : end;
	}
	if (p < end && *p == '?') {
		u->headers = ksr_str_make(p + 1, (size_t)(end - p - 1));
		if (parse_headers(u->headers) < 0)
			return -EINVAL;
		p = end;
	}
	return p == end ? 0 : -EINVAL;
}

/* tel: a global (+digits) or local number, then ;params (RFC 3966). */
static int parse_tel(char *p, char *end, struct ksr_uri *u)
{
	char *semi = memchr(p, ';', (size_t)(end - p));
	char *ne = semi ? semi : end;

	if (ne == p)
		return -EINVAL;
	for (char *c = p; c < ne; c++) {
		if (!(is_hex(*c) || strchr("*#-.()", *c) || (*c == '+' && c == p)))
			return -EINVAL;
	}
	u->user = ksr_str_make(p, (size_t)(ne - p));
	if (semi) {
		u->params = ksr_str_make(semi + 1, (size_t)(end - semi - 1));
		if (parse_params(u->params, u) < 0)
			return -EINVAL;
	}
	return 0;
}

int ksr_uri_parse(struct ksr_str s, struct ksr_uri *ret)
{
	struct ksr_uri u = {0};
	char *p = s.s, *end = ksr_str_end(s), *colon;
	int r;

	if (!__atomic_load_n(&cls_ready, __ATOMIC_ACQUIRE))
		cls_init();
	if (s.len > KSR_URI_MAX_LEN)
		return -E2BIG;
	colon = memchr(p, ':', s.len);
	if (!colon || colon == p || !isalpha((unsigned char)*p))
		return -EINVAL;
	for (char *c = p; c < colon; c++)
		if (!(isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.'))
			return -EINVAL;
	u.scheme_str = ksr_str_make(p, (size_t)(colon - p));
	p = colon + 1;
	if (ksr_str_caseeq_cstr(&u.scheme_str, "sip"))
		u.scheme = KSR_URI_SIP;
	else if (ksr_str_caseeq_cstr(&u.scheme_str, "sips"))
		u.scheme = KSR_URI_SIPS;
	else if (ksr_str_caseeq_cstr(&u.scheme_str, "tel"))
		u.scheme = KSR_URI_TEL;
	else if (ksr_str_caseeq_cstr(&u.scheme_str, "urn"))
		u.scheme = KSR_URI_URN;
	else
		u.scheme = KSR_URI_OTHER;
	for (char *c = p; c < end; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>' || *c == '"')
			return -EINVAL;
	if (p == end)
		return -EINVAL;
	switch (u.scheme) {
	case KSR_URI_SIP:
	case KSR_URI_SIPS:
		r = parse_sip(p, end, &u);
		break;
	case KSR_URI_TEL:
		r = parse_tel(p, end, &u);
		break;
	default:
		u.opaque = ksr_str_make(p, (size_t)(end - p));
		r = 0;
		break;
	}
	if (r < 0)
		return r;
	*ret = u;
	return 0;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/*
 * The next character of an escaped string; *escaped_reserved tells a %HH that stands for
 * a reserved character, which is not equivalent to that character written plainly.
 */
static int next_char(const char **p, const char *end, bool *escaped_reserved)
{
	const char *s = *p;

	*escaped_reserved = false;
	if (*s == '%' && end - s >= 3 && is_hex(s[1]) && is_hex(s[2])) {
		int c = hexval(s[1]) * 16 + hexval(s[2]);

		*escaped_reserved = strchr(";/?:@&=+$,", c) != NULL && c != 0;
		*p = s + 3;
		return c;
	}
	*p = s + 1;
	return (unsigned char)*s;
}

/* Equal after unescaping (RFC 3261 19.1.4), optionally without regard to case. */
static bool esc_equal(struct ksr_str a, struct ksr_str b, bool icase)
{
	const char *pa = a.s, *ea = ksr_str_end(a), *pb = b.s, *eb = ksr_str_end(b);

	while (pa < ea && pb < eb) {
		bool ra, rb;
		int ca = next_char(&pa, ea, &ra), cb = next_char(&pb, eb, &rb);

		if (icase) {
			ca = tolower(ca);
			cb = tolower(cb);
		}
		if (ca != cb || ra != rb)
			return false;
	}
	return pa == ea && pb == eb;
}

/* transport, user, ttl, method, maddr: present in one means present and equal in both. */
static bool param_matches(struct ksr_str pa, struct ksr_str pb, const char *name)
{
	struct ksr_str va, vb;
	int ia = ksr_param_find(pa, name, &va), ib = ksr_param_find(pb, name, &vb);

	if (ia != ib)
		return false;
	return !ia || esc_equal(va, vb, true);
}

/* Any other parameter present in both must match; one present in only one is ignored. */
/*
 * Any other parameter present in both must match: the first occurrence of each name in
 * one against the first in the other, so that a URI always equals itself.
 */
static bool common_params_match(struct ksr_str pa, struct ksr_str pb)
{
	char *p = pa.s, *end = ksr_str_end(pa);

	while (p < end) {
		char *e = memchr(p, ';', (size_t)(end - p)), *eq;
		struct ksr_str name, va, vb;

		if (!e)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		name = ksr_str_make(p, (size_t)((eq ? eq : e) - p));
		if (name.len && param_find(pa, name, &va) && param_find(pb, name, &vb) &&
		    !esc_equal(va, vb, true))
			return false;
		p = e + 1;
	}
	return true;
}

/* Header components must be the same set in both (names without case, values with). */
static bool headers_subset(struct ksr_str ha, struct ksr_str hb)
{
	char *p = ha.s, *end = ksr_str_end(ha);

	while (p < end) {
		char *e = memchr(p, '&', (size_t)(end - p)), *eq;
		bool found = false;

		if (!e)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		if (!eq)
			return false;
		for (char *q = hb.s, *qend = ksr_str_end(hb); q < qend;) {
			char *qe = memchr(q, '&', (size_t)(qend - q)), *qeq;

			if (!qe)
				qe = qend;
			qeq = memchr(q, '=', (size_t)(qe - q));
			if (qeq && esc_equal(ksr_str_make(p, (size_t)(eq - p)),
					     ksr_str_make(q, (size_t)(qeq - q)), true) &&
			    esc_equal(ksr_str_make(eq + 1, (size_t)(e - eq - 1)),
				      ksr_str_make(qeq + 1, (size_t)(qe - qeq - 1)), false)) {
				found = true;
				break;
			}
			q = qe + 1;
		}
		if (!found)
			return false;
		p = e + 1;
	}
	return true;
}

bool ksr_uri_equal(const struct ksr_uri *a, const struct ksr_uri *b)
{
	static const char *const strict[] = {"transport", "user", "ttl", "method", "maddr"};

	if (a->scheme != b->scheme)
		return false;
	if (a->scheme != KSR_URI_SIP && a->scheme != KSR_URI_SIPS) {
		if (a->scheme == KSR_URI_TEL)
			return esc_equal(a->user, b->user, false) &&
			       esc_equal(a->params, b->params, true);
		return ksr_str_caseeq(&a->scheme_str, &b->scheme_str) &&
		       esc_equal(a->opaque, b->opaque, false);
	}
	/* userinfo is case-sensitive; a missing user or password matches no present one */
	if ((a->user.len == 0) != (b->user.len == 0) || !esc_equal(a->user, b->user, false))
		return false;
	if ((a->passwd.s == NULL) != (b->passwd.s == NULL) ||
	    !esc_equal(a->passwd, b->passwd, false))
		return false;
	if (!esc_equal(a->host, b->host, true))
		return false;
	/* an explicit port never matches an absent one, even 5060 */
	if ((a->port_str.len == 0) != (b->port_str.len == 0) || a->port != b->port)
		return false;
	for (size_t i = 0; i < sizeof(strict) / sizeof(strict[0]); i++)
		if (!param_matches(a->params, b->params, strict[i]))
			return false;
	if (!common_params_match(a->params, b->params) ||
	    !common_params_match(b->params, a->params))
		return false;
	return headers_subset(a->headers, b->headers) && headers_subset(b->headers, a->headers);
}

/* Parse s into a new arena record stored at *cache, unless already there. */
static int cached_uri(struct ksr_msg *msg, struct ksr_str s, struct ksr_uri **cache,
		      struct ksr_uri **ret_uri)
{
	struct ksr_uri *u;
	int r;

	if (!*cache) {
		u = ksr_arena_alloc(msg->arena, sizeof(*u));
		if (!u)
			return -ENOMEM;
		r = ksr_uri_parse(s, u);
		if (r < 0)
			return r;
		*cache = u;
	}
	*ret_uri = *cache;
	return 0;
}

int ksr_msg_cur_ruri_parsed(struct ksr_msg *msg, struct ksr_uri **ret_uri)
{
	if (msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	if (!msg->new_uri.s)
		return ksr_msg_ruri(msg, ret_uri);
	return cached_uri(msg, msg->new_uri, &msg->new_ruri, ret_uri);
}

int ksr_nameaddr_uri(struct ksr_msg *msg, struct ksr_nameaddr *na, struct ksr_uri **ret_uri)
{
	return cached_uri(msg, na->uri, &na->uri_parsed, ret_uri);
}

int ksr_msg_ruri(struct ksr_msg *msg, struct ksr_uri **ret_uri)
{
	if (msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	return cached_uri(msg, msg->first.req.uri, &msg->ruri, ret_uri);
}
