/* binrpc encoding and decoding (binrpc.h): headers, a growing writer, a checking reader. */
#include "lib/binrpc/binrpc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How many bytes v takes, big-endian without leading zeros: 0 for 0, else 1 to 4. */
static unsigned int int_size(uint32_t v)
{
	unsigned int n = 0;

	while (v) {
		n++;
		v >>= 8;
	}
	return n;
}

static void put_be(unsigned char *p, uint32_t v, unsigned int n)
{
	while (n--) {
		*p++ = (unsigned char)(v >> (8 * n));
	}
}

static uint32_t get_be(const unsigned char *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | *p++;
	return v;
}

/* --- header --- */

int ksr_binrpc_parse_hdr(const void *buf, size_t len, struct ksr_binrpc_hdr *ret)
{
	const unsigned char *b = buf;
	unsigned int len_len, cookie_len, type;

	if (len >= 1 && b[0] != ((KSR_BINRPC_MAGIC << 4) | KSR_BINRPC_VERSION))
		return -EBADMSG;
	if (len < 2)
		return -EAGAIN;
	type = b[1] >> 4;
	if (type != KSR_BINRPC_REQ && type != KSR_BINRPC_REPL && type != KSR_BINRPC_FAULT)
		return -EBADMSG;
	len_len = ((b[1] >> 2) & 3) + 1;
	cookie_len = (b[1] & 3) + 1;
	if (len < 2 + len_len + cookie_len)
		return -EAGAIN;
	ret->type = (enum ksr_binrpc_msg)type;
	ret->body_len = get_be(b + 2, len_len);
	ret->cookie = get_be(b + 2 + len_len, cookie_len);
	ret->hdr_len = 2 + len_len + cookie_len;
	return 0;
}

size_t ksr_binrpc_build_hdr(enum ksr_binrpc_msg type, uint32_t body_len, uint32_t cookie,
                            unsigned char out[KSR_BINRPC_MAX_HDR])
{
	unsigned int len_len = int_size(body_len), cookie_len = int_size(cookie);

	/* lengths of 0 bytes cannot be said: 1 at least */
	if (!len_len)
		len_len = 1;
	if (!cookie_len)
		cookie_len = 1;
	out[0] = (KSR_BINRPC_MAGIC << 4) | KSR_BINRPC_VERSION;
	out[1] = (unsigned char)((type << 4) | ((len_len - 1) << 2) | (cookie_len - 1));
	put_be(out + 2, body_len, len_len);
	put_be(out + 2 + len_len, cookie, cookie_len);
	return 2 + len_len + cookie_len;
}

/* --- writer --- */

void ksr_binrpc_writer_init(struct ksr_binrpc_writer *w, size_t max_body)
{
	memset(w, 0, sizeof(*w));
	w->max = max_body;
	w->len = KSR_BINRPC_MAX_HDR;
}

void ksr_binrpc_writer_free(struct ksr_binrpc_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	w->len = KSR_BINRPC_MAX_HDR;
}

void ksr_binrpc_writer_reset(struct ksr_binrpc_writer *w)
{
	w->len = KSR_BINRPC_MAX_HDR;
	w->err = 0;
}

size_t ksr_binrpc_body_len(const struct ksr_binrpc_writer *w)
{
	return w->len - KSR_BINRPC_MAX_HDR;
}

/* Room for n more body bytes: a pointer to them, or NULL with w->err set. */
static unsigned char *reserve(struct ksr_binrpc_writer *w, size_t n)
{
	unsigned char *p;

	if (w->err)
		return NULL;
	if (n > w->max || ksr_binrpc_body_len(w) > w->max - n) {
		w->err = -E2BIG;
		return NULL;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;

		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p) {
			w->err = -ENOMEM;
			return NULL;
		}
		w->buf = p;
		w->cap = cap;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static int put_int_type(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type, int32_t i)
{
	uint32_t v = (uint32_t)i;
	unsigned int n = int_size(v);
	unsigned char *p = reserve(w, 1 + n);

	if (!p)
		return w->err;
	p[0] = (unsigned char)((n << 4) | type);
	put_be(p + 1, v, n);
	return 0;
}

int ksr_binrpc_put_int(struct ksr_binrpc_writer *w, int32_t i)
{
	return put_int_type(w, KSR_BINRPC_T_INT, i);
}

int ksr_binrpc_put_double(struct ksr_binrpc_writer *w, double d)
{
	double f = d * 1000.0;
	int32_t i;

	/* the wire holds thousandths in 32 bits: what does not fit is clamped */
	if (isnan(f))
		i = 0;
	else if (f >= (double)INT32_MAX)
		i = INT32_MAX;
	else if (f <= (double)INT32_MIN)
		i = INT32_MIN;
	else
		i = (int32_t)f;
	return put_int_type(w, KSR_BINRPC_T_DOUBLE, i);
}

/* A record with a length: short ones say it in the size bits, others after the type. */
static int put_len_type(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type, const void *s,
                        size_t len, bool nul)
{
	size_t l = len + (nul ? 1 : 0);
	unsigned int n = l < 8 ? 0 : int_size((uint32_t)l);
	unsigned char *p;

	if (w->err)
		return w->err;
	if (len > UINT32_MAX - 1) {
		w->err = -E2BIG;
		return w->err;
	}
	p = reserve(w, 1 + n + l);
	if (!p)
		return w->err;
	if (l < 8) {
		*p++ = (unsigned char)((l << 4) | type);
	} else {
		*p++ = (unsigned char)(((8 | n) << 4) | type);
		put_be(p, (uint32_t)l, n);
		p += n;
	}
	if (len)
		memcpy(p, s, len);
	if (nul)
		p[len] = '\0';
	return 0;
}

int ksr_binrpc_put_str(struct ksr_binrpc_writer *w, const char *s, size_t len)
{
	return put_len_type(w, KSR_BINRPC_T_STR, s, len, true);
}

int ksr_binrpc_put_bytes(struct ksr_binrpc_writer *w, const void *s, size_t len)
{
	return put_len_type(w, KSR_BINRPC_T_BYTES, s, len, false);
}

int ksr_binrpc_put_name(struct ksr_binrpc_writer *w, const char *s, size_t len)
{
	return put_len_type(w, KSR_BINRPC_T_AVP, s, len, true);
}

static int put_tag(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type, bool end)
{
	unsigned char *p;

	if (type != KSR_BINRPC_T_STRUCT && type != KSR_BINRPC_T_ARRAY) {
		if (!w->err)
			w->err = -EINVAL;
		return w->err;
	}
	p = reserve(w, 1);
	if (!p)
		return w->err;
	*p = (unsigned char)((end ? 0x80 : 0) | type);
	return 0;
}

int ksr_binrpc_put_open(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type)
{
	return put_tag(w, type, false);
}

int ksr_binrpc_put_close(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type)
{
	return put_tag(w, type, true);
}

int ksr_binrpc_put_fault(struct ksr_binrpc_writer *w, int32_t code, const char *msg, size_t len)
{
	ksr_binrpc_put_int(w, code);
	return ksr_binrpc_put_str(w, msg, len);
}

int ksr_binrpc_finish(struct ksr_binrpc_writer *w, enum ksr_binrpc_msg type, uint32_t cookie,
                      const unsigned char **ret_pkt, size_t *ret_len)
{
	unsigned char hdr[KSR_BINRPC_MAX_HDR];
	size_t body = ksr_binrpc_body_len(w), n;

	if (w->err)
		return w->err;
	if (body > UINT32_MAX)
		return -E2BIG;
	/* an empty body still needs the header's room */
	if (!w->buf && !reserve(w, 0))
		return w->err;
	n = ksr_binrpc_build_hdr(type, (uint32_t)body, cookie, hdr);
	memcpy(w->buf + KSR_BINRPC_MAX_HDR - n, hdr, n);
	*ret_pkt = w->buf + KSR_BINRPC_MAX_HDR - n;
	*ret_len = n + body;
	return 0;
}

/* --- reader --- */

void ksr_binrpc_reader_init(struct ksr_binrpc_reader *r, const void *body, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = body;
	r->end = r->p + len;
}

/* One record; member: it is a struct member's value (no name, no close may come). */
static int read_record(struct ksr_binrpc_reader *r, struct ksr_binrpc_val *ret, bool member)
{
	unsigned int type, size;
	bool ext;
	size_t len;
	const unsigned char *start = r->p, *p = r->p;

	if (p == r->end)
		return r->depth || member ? -EBADMSG : -ENODATA;
	type = *p & 0xf;
	size = *p >> 4;
	p++;
	ext = (size & 8) != 0;
	if (ext) {
		unsigned int n = size & 7;

		if (n > 4 || (size_t)(r->end - p) < n)
			return -EBADMSG;
		len = get_be(p, n);
		p += n;
	} else {
		len = size;
	}
	if ((size_t)(r->end - p) < len)
		return -EBADMSG;

	switch (type) {
	case KSR_BINRPC_T_STRUCT:
	case KSR_BINRPC_T_ARRAY:
		if (len)
			return -EBADMSG;
		ret->type = (enum ksr_binrpc_type)type;
		ret->end = ext;
		if (ext) {
			if (member || !r->depth || r->open[r->depth - 1] != type)
				return -EBADMSG;
			r->depth--;
		} else {
			if (r->depth == KSR_BINRPC_MAX_DEPTH)
				return -EBADMSG;
			r->open[r->depth++] = (unsigned char)type;
		}
		break;
	case KSR_BINRPC_T_AVP:
		if (member || !r->depth || r->open[r->depth - 1] != KSR_BINRPC_T_STRUCT)
			return -EBADMSG;
		if (!len || p[len - 1] != '\0')
			return -EBADMSG;
		r->p = p + len;
		if (read_record(r, ret, true) < 0) {
			r->p = start;
			return -EBADMSG;
		}
		ret->name = (const char *)p;
		ret->name_len = len - 1;
		return 0;
	case KSR_BINRPC_T_INT:
	case KSR_BINRPC_T_DOUBLE:
		if (len > 4)
			return -EBADMSG;
		ret->type = (enum ksr_binrpc_type)type;
		ret->i = (int32_t)get_be(p, (unsigned int)len);
		ret->d = ret->i / 1000.0;
		break;
	case KSR_BINRPC_T_STR:
		if (!len || p[len - 1] != '\0')
			return -EBADMSG;
		ret->type = KSR_BINRPC_T_STR;
		ret->s = (const char *)p;
		ret->len = len - 1;
		break;
	case KSR_BINRPC_T_BYTES:
		ret->type = KSR_BINRPC_T_BYTES;
		ret->s = (const char *)p;
		ret->len = len;
		break;
	default: return -EBADMSG;
	}
	r->p = p + len;
	return 0;
}

int ksr_binrpc_read(struct ksr_binrpc_reader *r, struct ksr_binrpc_val *ret)
{
	memset(ret, 0, sizeof(*ret));
	return read_record(r, ret, false);
}
