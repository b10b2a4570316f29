/* cfgutils: upstream's core_hash() and the MD5 of a file (modparam hash_file). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "cfgutils.h"

/*
 * A byte as upstream's hash sees it: a plain char, signed on the platforms Kamailio is
 * built for, so bytes above 0x7f count as negative. Kept so the values match upstream.
 */
static uint32_t byte_val(unsigned char c, bool nocase)
{
	if (nocase && c >= 'A' && c <= 'Z')
		c |= 0x20;
	return (uint32_t)(int32_t)(signed char)c;
}

/* Four bytes at a time, big-endian; then the tail, each step folded into h. */
static uint32_t mix(uint32_t h, struct ksr_str s, bool nocase)
{
	const unsigned char *p = (const unsigned char *)s.s;
	size_t i = 0;
	uint32_t v;

	for (; i + 4 <= s.len; i += 4) {
		v = (byte_val(p[i], nocase) << 24) + (byte_val(p[i + 1], nocase) << 16) +
		    (byte_val(p[i + 2], nocase) << 8) + byte_val(p[i + 3], nocase);
		h += v ^ (v >> 3);
	}
	for (v = 0; i < s.len; i++)
		v = (v << 8) + byte_val(p[i], nocase);
	return h + (v ^ (v >> 3));
}

unsigned int cfgutils_core_hash(struct ksr_str s1, const struct ksr_str *s2, unsigned int size,
                                bool nocase)
{
	uint32_t h = mix(0, s1, nocase);

	if (s2)
		h = mix(h, *s2, nocase);
	h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
	return size ? (h & (size - 1)) : h;
}

int cfgutils_md5_file(const char *path, char ret_hex[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[16384], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	FILE *f = NULL;
	size_t n;
	int r = -EIO;

	if (!(f = fopen(path, "rb")))
		return -errno;
	if (!(ctx = EVP_MD_CTX_new())) {
		r = -ENOMEM;
		goto fail;
	}
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		goto fail;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			goto fail;
	if (ferror(f) || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 16)
		goto fail;
	for (unsigned int i = 0; i < 16; i++) {
		ret_hex[2 * i] = hex[md[i] >> 4];
		ret_hex[2 * i + 1] = hex[md[i] & 0xf];
	}
	ret_hex[32] = '\0';
	r = 0;
fail:
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return r;
}
