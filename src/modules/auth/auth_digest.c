/* Digest arithmetic (auth_digest.h): every hash goes through OpenSSL's EVP interface. */
#include "auth_digest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const struct {
	enum ksr_digest_alg alg;
	const char *name; /* as written in challenges and credentials */
	const char *evp; /* OpenSSL's name for EVP_MD_fetch */
	size_t len; /* bytes of the hash */
} algs[] = {
	{KSR_DIGEST_MD5, "MD5", "MD5", 16},
	{KSR_DIGEST_SHA256, "SHA-256", "SHA2-256", 32},
	{KSR_DIGEST_SHA512_256, "SHA-512-256", "SHA2-512/256", 32},
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* Fetched once: an implicit fetch on every EVP_DigestInit costs a lock in OpenSSL 3. */
static EVP_MD *mds[NALGS];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void fetch_mds(void)
{
	for (size_t i = 0; i < NALGS; i++)
		mds[i] = EVP_MD_fetch(NULL, algs[i].evp, NULL);
}

static int alg_index(enum ksr_digest_alg alg)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return (int)i;
	return -1;
}

size_t auth_digest_hex_len(enum ksr_digest_alg alg)
{
	int i = alg_index(alg);

	return i < 0 ? 0 : 2 * algs[i].len;
}

const char *auth_digest_alg_name(enum ksr_digest_alg alg)
{
	int i = alg_index(alg);

	return i < 0 ? NULL : algs[i].name;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * The hash of the parts joined by ':', in lower-case hex, computed in ctx. A response takes
 * two or three hashes in one context: making and freeing one costs half as much as MD5.
 */
static int hash_with(EVP_MD_CTX *ctx, enum ksr_digest_alg alg, const struct ksr_str *parts,
                     size_t nparts, char *ret_hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i = alg_index(alg), ok;

	if (i < 0)
		return -EINVAL;
	pthread_once(&mds_once, fetch_mds);
	if (!mds[i])
		return -EINVAL; /* this OpenSSL lacks it */
	ok = EVP_DigestInit_ex(ctx, mds[i], NULL) == 1;
	for (size_t k = 0; ok && k < nparts; k++) {
		if (k > 0)
			ok = EVP_DigestUpdate(ctx, ":", 1) == 1;
		if (ok && parts[k].len)
			ok = EVP_DigestUpdate(ctx, parts[k].s, parts[k].len) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == algs[i].len;
	if (!ok)
		return -EIO;
	to_hex(md, mdlen, ret_hex);
	return 0;
}

int auth_digest_hash(enum ksr_digest_alg alg, const struct ksr_str *parts, size_t nparts,
                     char *ret_hex)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	r = hash_with(ctx, alg, parts, nparts, ret_hex);
	EVP_MD_CTX_free(ctx);
	return r;
}

int auth_digest_ha1(enum ksr_digest_alg alg, struct ksr_str user, struct ksr_str realm,
		    struct ksr_str password, char *ret_hex)
{
	const struct ksr_str parts[] = {user, realm, password};

	return auth_digest_hash(alg, parts, 3, ret_hex);
}

/* A hex string in lower case into out (len + 1 bytes); -EINVAL when it is not hex. */
static int lower_hex(struct ksr_str in, char *out)
{
	for (size_t i = 0; i < in.len; i++) {
		char c = in.s[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		out[i] = c;
	}
	out[in.len] = '\0';
	return 0;
}

static int response_with(EVP_MD_CTX *ctx, const struct auth_digest_in *in, char *ret_hex)
{
	char ha1[AUTH_HA1_MAX + 1], ha2[AUTH_HA1_MAX + 1], hbody[AUTH_HA1_MAX + 1];
	size_t hexlen = auth_digest_hex_len(in->alg);
	struct ksr_str a2[3] = {in->method, in->uri};
	size_t na2 = 2;
	int r;

	if (!hexlen)
		return -EINVAL;
	/* an HA1 of another algorithm's length cannot be right: refuse it */
	if (in->ha1.len != hexlen || lower_hex(in->ha1, ha1) < 0)
		return -EINVAL;
	if (in->qop == KSR_QOP_AUTH_INT) {
		/* A2 = Method ":" digest-uri ":" H(entity-body) */
		if ((r = hash_with(ctx, in->alg, &in->body, 1, hbody)) < 0)
			return r;
		a2[2] = ksr_str_make(hbody, hexlen);
		na2 = 3;
	}
	if ((r = hash_with(ctx, in->alg, a2, na2, ha2)) < 0)
		return r;
	if (in->qop == KSR_QOP_AUTH || in->qop == KSR_QOP_AUTH_INT) {
		const struct ksr_str parts[] = {
		        ksr_str_make(ha1, hexlen),
		        in->nonce,
		        in->nc,
		        in->cnonce,
		        in->qop == KSR_QOP_AUTH ? KSR_STR_STATIC("auth")
		                                : KSR_STR_STATIC("auth-int"),
		        ksr_str_make(ha2, hexlen),
		};

		return hash_with(ctx, in->alg, parts, 6, ret_hex);
	}
	if (in->qop)
		return -EINVAL;
	{
		/* RFC 2069 form, kept by RFC 2617 for requests without qop */
		const struct ksr_str parts[] = {ksr_str_make(ha1, hexlen), in->nonce,
		                                ksr_str_make(ha2, hexlen)};

		return hash_with(ctx, in->alg, parts, 3, ret_hex);
	}
}

int auth_digest_response(const struct auth_digest_in *in, char *ret_hex)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	r = response_with(ctx, in, ret_hex);
	EVP_MD_CTX_free(ctx);
	return r;
}

bool auth_digest_check(const struct auth_digest_in *in, struct ksr_str response)
{
	char want[AUTH_HA1_MAX + 1], got[AUTH_HA1_MAX + 1];
	size_t hexlen = auth_digest_hex_len(in->alg);
	bool ok;

	if (auth_digest_response(in, want) < 0)
		return false;
	/* the length is public (it is the algorithm's); the digits are compared in full */
	ok = response.len == hexlen && lower_hex(response, got) == 0;
	if (!ok)
		memset(got, 0, sizeof(got));
	return CRYPTO_memcmp(want, got, hexlen) == 0 && ok;
}
