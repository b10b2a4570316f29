/*
 * Database URLs: scheme://[user[:password]@]host[:port]/database[?params], the forms
 * Kamailio's modules take in db_url.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/srdb/db_driver.h"

/* Bump copies into the one buffer behind a parsed URL. */
struct pool {
	char *p, *end;
};

static char *take(struct pool *pl, const char *s, size_t len)
{
	char *r = pl->p;

	/* the buffer is sized for every part: running out is a bug, not bad input */
	if ((size_t)(pl->end - pl->p) < len + 1)
		return NULL;
	memcpy(r, s, len);
	r[len] = '\0';
	pl->p += len + 1;
	return r;
}

static bool scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '+' || c == '-' || c == '.';
}

/*
 * The '@' that ends the user part: the last one that a '/' still follows, so that a
 * password may hold '@' or '/' (as upstream allows) and a database path may hold '@'.
 */
static const char *userinfo_end(const char *s, const char *end)
{
	const char *slash = NULL, *at = NULL;

	for (const char *p = end; p > s; p--) {
		if (p[-1] == '/' && !slash)
			slash = p - 1;
		else if (p[-1] == '@' && slash) {
			at = p - 1;
			break;
		}
	}
	return at;
}

static int parse_port(const char *s, const char *end, unsigned short *ret)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*ret = (unsigned short)v;
	return 0;
}

/* host[:port] or [v6][:port] in s..end (no '/'). */
static int parse_hostport(struct pool *pl, const char *s, const char *end, struct ksr_db_url *u)
{
	const char *h = s, *he, *colon = NULL;

	if (s < end && *s == '[') {
		he = memchr(s, ']', (size_t)(end - s));
		if (!he)
			return -EINVAL;
		h = s + 1;
		if (he + 1 < end) {
			if (he[1] != ':')
				return -EINVAL;
			colon = he + 1;
		}
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		he = colon ? colon : end;
	}
	if (colon && parse_port(colon + 1, end, &u->port) < 0)
		return -EINVAL;
	u->host = take(pl, h, (size_t)(he - h));
	return u->host ? 0 : -ENOMEM;
}

int ksr_db_url_parse(const char *url, struct ksr_db_url *ret)
{
	struct ksr_db_url u = {0};
	struct pool pl;
	const char *p, *rest, *end, *at, *slash, *q, *pw_s = NULL, *pw_e = NULL;
	size_t len;
	int rc = -EINVAL;

	if (!url)
		return -EINVAL;
	len = strlen(url);
	for (p = url; *p && scheme_char(*p); p++)
		;
	if (p == url || strncmp(p, "://", 3) != 0)
		return -EINVAL;
	/* every part once, plus NULs, plus the shown form (the URL with "***") */
	u.buf_ = malloc(2 * len + 32);
	if (!u.buf_)
		return -ENOMEM;
	pl = (struct pool){u.buf_, u.buf_ + 2 * len + 32};
	u.scheme = take(&pl, url, (size_t)(p - url));
	rest = p + 3;
	end = url + len;

	at = *rest == '/' ? NULL : userinfo_end(rest, end);
	if (at) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));

		u.user = take(&pl, rest, (size_t)((colon ? colon : at) - rest));
		if (colon) {
			pw_s = colon + 1;
			pw_e = at;
			u.password = take(&pl, pw_s, (size_t)(pw_e - pw_s));
		}
		rest = at + 1;
	}
	slash = memchr(rest, '/', (size_t)(end - rest));
	if (!slash)
		goto fail;
	if ((rc = parse_hostport(&pl, rest, slash, &u)) < 0)
		goto fail;
	rc = -EINVAL;
	q = memchr(slash + 1, '?', (size_t)(end - slash - 1));
	if ((q ? q : end) == slash + 1)
		goto fail; /* no database */
	u.database = take(&pl, slash + 1, (size_t)((q ? q : end) - slash - 1));
	if (q)
		u.params = take(&pl, q + 1, (size_t)(end - q - 1));
	if (pw_s) {
		size_t a = (size_t)(pw_s - url), b = (size_t)(end - pw_e);

		u.shown = pl.p;
		memcpy(pl.p, url, a);
		memcpy(pl.p + a, "***", 3);
		memcpy(pl.p + a + 3, pw_e, b);
		pl.p[a + 3 + b] = '\0';
	} else {
		u.shown = take(&pl, url, len);
	}
	if (!u.scheme || !u.database || !u.shown)
		goto fail;
	*ret = u;
	return 0;

fail:
	free(u.buf_);
	return rc;
}

void ksr_db_url_free(struct ksr_db_url *url)
{
	if (!url)
		return;
	free(url->buf_);
	*url = (struct ksr_db_url){0};
}
