/*
 * Nonces (auth_nonce.h). The 36 bytes under the base64:
 *
 *   0      format version (1)
 *   1..4   creation time, seconds since the epoch, big-endian
 *   5..8   expiry time, the same way
 *   9..12  nonce id: the index of the nonce's nc / one-time state, counted per pool
 *   13     pool (nid_pool_no partition) the id comes from
 *   14     flags: the AUTH_CHECK_* bits it is bound to; 16 nc kept, 32 one-time kept
 *   15..17 random bytes
 *   18..35 HMAC-SHA-256 under the secret of bytes 0..17 and the request parts the
 *          AUTH_CHECK_* bits name, cut to 18 bytes
 *
 * The request parts go into the HMAC, not into the nonce: a nonce used with another
 * Call-ID (say) fails its HMAC, and nothing of the request can be read from it.
 */
#include "auth_nonce.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "core/parser/hdr.h"
#include "core/parser/msg.h"

#define VERSION 1
#define HEAD_LEN 18 /* the bytes the HMAC covers, before it */
#define MAC_LEN (AUTH_NONCE_BIN_LEN - HEAD_LEN)
#define F_NC 16u
#define F_OTN 32u
#define MAX_POOLS 64

static struct auth_nonce_cfg cfg;
static EVP_MAC *mac;
static EVP_MAC_CTX *mac_tmpl; /* keyed once; duplicated for each use */

/* The next id of each pool: started at random, so ids of an earlier run do not come back. */
static _Atomic uint32_t next_id[MAX_POOLS];
static _Atomic uint8_t *nc_tab; /* the last nc of each tracked nonce */
static _Atomic uint32_t *otn_tab; /* a bit per tracked nonce: used */
static unsigned int nc_part, otn_part; /* entries per pool */

static _Thread_local unsigned int my_pool;

/*
 * The random bytes of nonces, drawn from OpenSSL a block at a time: RAND_bytes() costs
 * about as much for 3 bytes as for 240, and a nonce needs 3.
 */
#define RND_BLOCK 240
static _Thread_local unsigned char rnd_block[RND_BLOCK];
static _Thread_local unsigned int rnd_used = RND_BLOCK;

void auth_nonce_destroy(void)
{
	EVP_MAC_CTX_free(mac_tmpl);
	mac_tmpl = NULL;
	EVP_MAC_free(mac);
	mac = NULL;
	free(nc_tab);
	nc_tab = NULL;
	free(otn_tab);
	otn_tab = NULL;
}

static bool pow2(unsigned int v)
{
	return v && !(v & (v - 1));
}

int auth_nonce_init(const struct auth_nonce_cfg *c, const void *key, size_t key_len)
{
	unsigned char rnd[32];
	uint32_t starts[MAX_POOLS];
	OSSL_PARAM params[2];
	char digest[] = "SHA256";

	/* one-time bits are kept in 32-bit words: at least one word */
	if (!pow2(c->pools) || c->pools > MAX_POOLS ||
	    (c->nc && (!pow2(c->nc_size) || c->nc_size < c->pools)) ||
	    (c->otn && (!pow2(c->otn_size) || c->otn_size < c->pools || c->otn_size < 32)))
		return -EINVAL;
	auth_nonce_destroy();
	cfg = *c;
	if (key_len == 0) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -EIO;
		key = rnd;
		key_len = sizeof(rnd);
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!(mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) || !(mac_tmpl = EVP_MAC_CTX_new(mac)) ||
	    EVP_MAC_init(mac_tmpl, key, key_len, params) != 1)
		goto fail;
	OPENSSL_cleanse(rnd, sizeof(rnd));
	if (RAND_bytes((unsigned char *)starts, sizeof(starts)) != 1)
		goto fail;
	for (int i = 0; i < MAX_POOLS; i++)
		atomic_store(&next_id[i], starts[i]);
	if (cfg.nc) {
		nc_part = cfg.nc_size / cfg.pools;
		if (!(nc_tab = calloc(cfg.nc_size, sizeof(*nc_tab))))
			goto nomem;
	}
	if (cfg.otn) {
		otn_part = cfg.otn_size / cfg.pools;
		if (!(otn_tab = calloc(cfg.otn_size / 32, sizeof(*otn_tab))))
			goto nomem;
	}
	return 0;
nomem:
	auth_nonce_destroy();
	return -ENOMEM;
fail:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	auth_nonce_destroy();
	return -EIO;
}

bool auth_nonce_one_time(void)
{
	return cfg.otn;
}

void auth_nonce_set_pool(unsigned int rank)
{
	my_pool = cfg.pools ? rank % cfg.pools : 0;
}

unsigned int auth_nonce_checks_for(struct ksr_msg *msg)
{
	struct ksr_nameaddr *to;

	if (!msg || msg->type != KSR_MSG_REQUEST)
		return 0;
	if (msg->first.req.method_id == KSR_METHOD_REGISTER)
		return cfg.checks_register & AUTH_CHECK_ALL;
	if (ksr_msg_to(msg, &to) == 0 && to->has_tag)
		return cfg.checks_in_dlg & AUTH_CHECK_ALL;
	return cfg.checks_no_dlg & AUTH_CHECK_ALL;
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* One request part into the HMAC: its tag, its length, its bytes. */
static int mac_part(EVP_MAC_CTX *ctx, unsigned char tag, const void *data, size_t len)
{
	unsigned char head[5] = {tag};

	put32(head + 1, (uint32_t)len);
	return EVP_MAC_update(ctx, head, 5) == 1 && (!len || EVP_MAC_update(ctx, data, len) == 1)
		       ? 0
		       : -EIO;
}

static int mac_request(EVP_MAC_CTX *ctx, struct ksr_msg *msg, unsigned int checks)
{
	struct ksr_nameaddr *from;
	struct ksr_str callid;
	int r = 0;

	if (!checks)
		return 0;
	if (!msg || msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	if (checks & AUTH_CHECK_URI)
		r = mac_part(ctx, 'u', msg->first.req.uri.s, msg->first.req.uri.len);
	if (!r && (checks & AUTH_CHECK_CALLID))
		r = ksr_msg_callid(msg, &callid) < 0 ? -EINVAL
						      : mac_part(ctx, 'c', callid.s, callid.len);
	if (!r && (checks & AUTH_CHECK_FROMTAG))
		r = ksr_msg_from(msg, &from) < 0 ? -EINVAL
						 : mac_part(ctx, 'f', from->tag.s, from->tag.len);
	if (!r && (checks & AUTH_CHECK_SRCIP)) {
		const struct sockaddr_storage *ss = &msg->rcv.src;

		if (ss->ss_family == AF_INET)
			r = mac_part(ctx, 'i', &((const struct sockaddr_in *)ss)->sin_addr, 4);
		else if (ss->ss_family == AF_INET6)
			r = mac_part(ctx, 'i', &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		else
			r = mac_part(ctx, 'i', NULL, 0);
	}
	return r;
}

/* The MAC of a nonce's head for msg, into out (MAC_LEN bytes). */
static int compute_mac(const unsigned char *head, struct ksr_msg *msg, unsigned int checks,
		       unsigned char *out)
{
	unsigned char full[EVP_MAX_MD_SIZE];
	size_t len = 0;
	EVP_MAC_CTX *ctx;
	int r = -EIO;

	if (!mac_tmpl)
		return -EINVAL;
	if (!(ctx = EVP_MAC_CTX_dup(mac_tmpl)))
		return -ENOMEM;
	if (EVP_MAC_update(ctx, head, HEAD_LEN) == 1 && (r = mac_request(ctx, msg, checks)) == 0)
		r = EVP_MAC_final(ctx, full, &len, sizeof(full)) == 1 && len >= MAC_LEN ? 0 : -EIO;
	EVP_MAC_CTX_free(ctx);
	if (r == 0)
		memcpy(out, full, MAC_LEN);
	return r;
}

/* n (at most RND_BLOCK) random bytes into out, each used once. 0 or -EIO. */
static int random_bytes(unsigned char *out, unsigned int n)
{
	if (RND_BLOCK - rnd_used < n) {
		if (RAND_bytes(rnd_block, RND_BLOCK) != 1)
			return -EIO;
		rnd_used = 0;
	}
	memcpy(out, rnd_block + rnd_used, n);
	rnd_used += n;
	return 0;
}

int auth_nonce_make(struct ksr_msg *msg, time_t now, char *ret)
{
	unsigned char bin[AUTH_NONCE_BIN_LEN];
	unsigned int pool, checks = auth_nonce_checks_for(msg);
	uint32_t id;
	int r;

	if (!mac_tmpl)
		return -EINVAL; /* not set up */
	pool = my_pool % cfg.pools;
	id = atomic_fetch_add(&next_id[pool], 1);
	bin[0] = VERSION;
	put32(bin + 1, (uint32_t)now);
	put32(bin + 5, (uint32_t)now + cfg.expire);
	put32(bin + 9, id);
	bin[13] = (unsigned char)pool;
	bin[14] = (unsigned char)(checks | (cfg.nc ? F_NC : 0) | (cfg.otn ? F_OTN : 0));
	if (random_bytes(bin + 15, 3) < 0)
		return -EIO;
	if ((r = compute_mac(bin, msg, checks, bin + HEAD_LEN)) < 0)
		return r;
	/* a fresh id: its nc and one-time state start clean */
	if (cfg.nc)
		atomic_store(&nc_tab[pool * nc_part + (id & (nc_part - 1))], 0);
	if (cfg.otn) {
		uint32_t bit = pool * otn_part + (id & (otn_part - 1));

		atomic_fetch_and(&otn_tab[bit / 32], ~(1u << (bit % 32)));
	}
	EVP_EncodeBlock((unsigned char *)ret, bin, AUTH_NONCE_BIN_LEN);
	ret[AUTH_NONCE_LEN] = '\0';
	return 0;
}

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

enum auth_nonce_status auth_nonce_check(struct ksr_msg *msg, struct ksr_str nonce, time_t now,
					struct auth_nonce *ret)
{
	unsigned char bin[AUTH_NONCE_BIN_LEN + 3], want[MAC_LEN];
	char text[AUTH_NONCE_LEN + 1];
	unsigned int checks;

	if (nonce.len != AUTH_NONCE_LEN)
		return AUTH_NONCE_BAD;
	for (size_t i = 0; i < nonce.len; i++)
		if (!b64_char(nonce.s[i]))
			return AUTH_NONCE_BAD;
	memcpy(text, nonce.s, AUTH_NONCE_LEN);
	text[AUTH_NONCE_LEN] = '\0';
	if (EVP_DecodeBlock(bin, (unsigned char *)text, AUTH_NONCE_LEN) != AUTH_NONCE_BIN_LEN ||
	    bin[0] != VERSION)
		return AUTH_NONCE_BAD;
	ret->created = get32(bin + 1);
	ret->expires = get32(bin + 5);
	ret->id = get32(bin + 9);
	ret->pool = bin[13];
	ret->flags = bin[14];
	checks = ret->flags & AUTH_CHECK_ALL;
	if (compute_mac(bin, msg, checks, want) < 0 ||
	    CRYPTO_memcmp(want, bin + HEAD_LEN, MAC_LEN) != 0)
		return AUTH_NONCE_FORGED;
	/* bound to less than this request asks for: not good enough here */
	if ((auth_nonce_checks_for(msg) & ~checks) != 0)
		return AUTH_NONCE_FORGED;
	if ((int64_t)ret->created > (int64_t)now + cfg.max_drift || (int64_t)now > ret->expires)
		return AUTH_NONCE_EXPIRED;
	return AUTH_NONCE_OK;
}

/* Whether id of pool is among the last `part` ids the pool gave out (its state is its). */
static bool in_window(const struct auth_nonce *n, unsigned int part)
{
	uint32_t behind = atomic_load(&next_id[n->pool]) - n->id;

	return behind >= 1 && behind <= part;
}

static enum auth_nonce_status use_nc(const struct auth_nonce *n, uint32_t nc)
{
	_Atomic uint8_t *slot;
	uint8_t last;

	/* upstream's limit: past 255 a nonce is stale and the UA gets a new one */
	if (!(n->flags & F_NC) || nc > 255 || !in_window(n, nc_part))
		return AUTH_NONCE_STALE;
	slot = &nc_tab[n->pool * nc_part + (n->id & (nc_part - 1))];
	last = atomic_load(slot);
	do {
		if (nc <= last)
			return AUTH_NONCE_STALE;
	} while (!atomic_compare_exchange_weak(slot, &last, (uint8_t)nc));
	return AUTH_NONCE_OK;
}

static enum auth_nonce_status use_otn(const struct auth_nonce *n)
{
	uint32_t bit, mask;

	if (!(n->flags & F_OTN) || !in_window(n, otn_part))
		return AUTH_NONCE_STALE;
	bit = n->pool * otn_part + (n->id & (otn_part - 1));
	mask = 1u << (bit % 32);
	return atomic_fetch_or(&otn_tab[bit / 32], mask) & mask ? AUTH_NONCE_USED : AUTH_NONCE_OK;
}

enum auth_nonce_status auth_nonce_use(const struct auth_nonce *n, bool has_nc, uint32_t nc)
{
	if (n->pool >= cfg.pools)
		return AUTH_NONCE_STALE;
	if (cfg.nc && has_nc)
		return use_nc(n, nc);
	if (cfg.otn)
		return use_otn(n);
	return AUTH_NONCE_OK;
}
