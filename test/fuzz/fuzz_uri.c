/*
 * libFuzzer target: the URI parser and RFC 3261 19.1.4 comparison: a URI equals itself
 * (parsed from another copy of the same bytes too), and comparison is symmetric.
 */
#include "core/parser/uri.h"
#include "fuzz-util.h"

static void check_fields(const struct ksr_uri *u, const char *buf, size_t len)
{
	const struct ksr_str *all[] = {
		&u->scheme_str, &u->user, &u->passwd, &u->host, &u->port_str,
		&u->params, &u->headers, &u->opaque, &u->transport, &u->user_param,
		&u->method, &u->ttl, &u->maddr, &u->gr,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		FUZZ_CHECK_IN(*all[i], buf, len);
}

/* A fixed URI to compare against: parsed once, from a buffer that is never freed. */
static const struct ksr_uri *fixed_uri(void)
{
	static struct ksr_uri u;
	static int ready;
	static char text[] = "sip:alice@example.com:5060;transport=udp;user=phone;lr?subject=x";

	if (!ready) {
		FUZZ_CHECK(ksr_uri_parse(ksr_str_make(text, sizeof(text) - 1), &u) == 0);
		ready = 1;
	}
	return &u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ksr_uri *fixed = fixed_uri();
	struct ksr_uri u, u2;
	struct ksr_str v;
	char *buf, *buf2;

	buf = fuzz_copy(data, size);
	buf2 = fuzz_copy(data, size);
	if (!buf || !buf2)
		goto done;

	/* parameter lookup on arbitrary text, as a script's $(ru{uri.param,x}) would */
	(void)ksr_param_find(ksr_str_make(buf, size), "transport", &v);
	(void)ksr_param_find(ksr_str_make(buf, size), "lr", &v);

	if (ksr_uri_parse(ksr_str_make(buf, size), &u) != 0)
		goto done;
	check_fields(&u, buf, size);
	/* the same bytes elsewhere parse the same, and compare equal */
	FUZZ_CHECK(ksr_uri_parse(ksr_str_make(buf2, size), &u2) == 0);
	FUZZ_CHECK(ksr_uri_equal(&u, &u));
	FUZZ_CHECK(ksr_uri_equal(&u, &u2));
	FUZZ_CHECK(ksr_uri_equal(&u2, &u));
	FUZZ_CHECK(ksr_uri_equal(&u, fixed) == ksr_uri_equal(fixed, &u));
	if (ksr_param_find(u.params, "transport", &v) == 1)
		FUZZ_CHECK_IN(v, buf, size);
	(void)ksr_param_find(u.params, "maddr", &v);
	(void)ksr_param_find(u.headers, "subject", &v);
done:
	free(buf);
	free(buf2);
	return 0;
}
