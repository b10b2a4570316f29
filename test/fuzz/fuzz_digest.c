/*
 * libFuzzer target: Authorization / Proxy-Authorization credentials and WWW- /
 * Proxy-Authenticate challenges. The input is one header body ("Digest username=...").
 */
#include "core/mem/arena.h"
#include "core/parser/hdr.h"
#include "fuzz-util.h"

static void check_params(const struct ksr_param *p, const char *buf, size_t len)
{
	for (; p; p = p->next) {
		FUZZ_CHECK(p->name.len > 0);
		FUZZ_CHECK_IN(p->name, buf, len);
		FUZZ_CHECK_IN(p->value, buf, len);
	}
}

static void credentials(char *buf, size_t size, struct ksr_arena *arena)
{
	struct ksr_credentials *c;
	uint32_t nc = 0;

	if (ksr_parse_credentials(ksr_str_make(buf, size), arena, &c) != 0)
		return;
	FUZZ_CHECK(c->scheme.len > 0);
	FUZZ_CHECK_IN(c->scheme, buf, size);
	FUZZ_CHECK_IN(c->params, buf, size);
	if (!c->digest)
		return;
	{
		const struct ksr_str *all[] = {
			&c->username, &c->realm, &c->nonce, &c->uri, &c->response,
			&c->algorithm, &c->cnonce, &c->opaque, &c->qop, &c->nc,
		};

		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			FUZZ_CHECK_IN(*all[i], buf, size);
	}
	/* RFC 2617 3.2.2: accepted Digest credentials have these */
	FUZZ_CHECK(c->username.len && c->nonce.len && c->uri.len && c->response.len);
	FUZZ_CHECK(c->alg == (c->algorithm.len ? ksr_digest_alg_id(c->algorithm) : KSR_DIGEST_MD5));
	if (c->qop.len)
		FUZZ_CHECK(c->qop_id != 0 && c->cnonce.len && c->nc.len == 8);
	for (size_t i = 0; i < c->nc.len; i++) {
		char d = c->nc.s[i] | 0x20;

		nc = nc * 16 + (uint32_t)(d <= '9' ? d - '0' : d - 'a' + 10);
	}
	FUZZ_CHECK(nc == c->nc_value);
	check_params(c->other, buf, size);
}

static void challenge(char *buf, size_t size, struct ksr_arena *arena)
{
	struct ksr_challenge *ch;

	if (ksr_parse_challenge(ksr_str_make(buf, size), arena, &ch) != 0)
		return;
	FUZZ_CHECK(ch->scheme.len > 0);
	FUZZ_CHECK_IN(ch->scheme, buf, size);
	FUZZ_CHECK_IN(ch->params, buf, size);
	if (!ch->digest)
		return;
	{
		const struct ksr_str *all[] = {
			&ch->realm, &ch->domain, &ch->nonce, &ch->opaque,
			&ch->algorithm, &ch->qop, &ch->stale_str,
		};

		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			FUZZ_CHECK_IN(*all[i], buf, size);
	}
	for (const struct ksr_token *t = ch->qop_list; t; t = t->next) {
		FUZZ_CHECK(t->name.len > 0);
		FUZZ_CHECK_IN(t->name, ch->qop.s, ch->qop.len);
	}
	FUZZ_CHECK(!ch->qop.len || ch->qop_mask != 0);
	check_params(ch->other, buf, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_arena arena;
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	/* chunks of 1 byte: each allocation its own malloc, for ASan (see fuzz_msg.c) */
	ksr_arena_init(&arena, 1);
	credentials(buf, size, &arena);
	challenge(buf, size, &arena);
	ksr_arena_destroy(&arena);
	free(buf);
	return 0;
}
