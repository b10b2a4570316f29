/*
 * ctl's binrpc protocol: a request packet (the method's name, then its parameters) run
 * through the RPC registry, and the reply (or fault) packet, shaped as upstream's ctl
 * shapes it, so that Kamailio 5.6's kamcmd reads it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc/rpc.h"
#include "ctl.h"
#include "lib/binrpc/binrpc.h"

/* Encoding a reply: the writer, and the own-size limit of one struct. */
struct enc {
	struct ksr_binrpc_writer *w;
	size_t struct_max;
	bool struct_too_big;
};

static void put_value(struct enc *e, const struct ksr_rpc_val *v, bool in_struct);

static void put_int(struct enc *e, long i)
{
	char buf[24];

	/*
	 * The wire's ints are 32 bits. Up to 2^32 - 1 a value goes as upstream sends its
	 * unsigned ones (kamcmd shows those above 2^31 - 1 as negative); a larger one goes
	 * as its decimal text.
	 */
	if (i >= INT32_MIN && i <= (long)UINT32_MAX) {
		ksr_binrpc_put_int(e->w, (int32_t)(uint32_t)i);
	} else {
		int n = snprintf(buf, sizeof(buf), "%ld", i);

		ksr_binrpc_put_str(e->w, buf, (size_t)n);
	}
}

/*
 * The inside of a struct: its named members, or the items of an array that sits in a
 * struct (a struct item's members inline, other items bare). Upstream's binrpc has no
 * array as a member's value: upstream's ctl writes such an array as a struct, and its
 * items' members into it (ul.dump's "Domains: { Domain: {...} }"), and 5.6's kamcmd
 * refuses anything else. Checks the struct's own bytes against binrpc_struct_max_body_size.
 */
static void put_struct_body(struct enc *e, const struct ksr_rpc_val *c)
{
	size_t start = ksr_binrpc_body_len(e->w), nested = 0;

	for (const struct ksr_rpc_val *m = c->first; m; m = m->next) {
		size_t before;

		if (c->type == KSR_RPC_ARRAY && m->type == KSR_RPC_STRUCT) {
			/* inlined: its bytes are this struct's own */
			put_struct_body(e, m);
			continue;
		}
		if (c->type == KSR_RPC_STRUCT)
			ksr_binrpc_put_name(e->w, m->name.s ? m->name.s : "", m->name.len);
		before = ksr_binrpc_body_len(e->w);
		put_value(e, m, true);
		if (m->type == KSR_RPC_STRUCT || m->type == KSR_RPC_ARRAY)
			nested += ksr_binrpc_body_len(e->w) - before;
	}
	if (ksr_binrpc_body_len(e->w) - start - nested > e->struct_max)
		e->struct_too_big = true;
}

static void put_value(struct enc *e, const struct ksr_rpc_val *v, bool in_struct)
{
	switch (v->type) {
	case KSR_RPC_INT: put_int(e, v->i); break;
	case KSR_RPC_STR: ksr_binrpc_put_str(e->w, v->s.s ? v->s.s : "", v->s.len); break;
	case KSR_RPC_STRUCT:
		ksr_binrpc_put_open(e->w, KSR_BINRPC_T_STRUCT);
		put_struct_body(e, v);
		ksr_binrpc_put_close(e->w, KSR_BINRPC_T_STRUCT);
		break;
	case KSR_RPC_ARRAY:
		if (in_struct) {
			ksr_binrpc_put_open(e->w, KSR_BINRPC_T_STRUCT);
			put_struct_body(e, v);
			ksr_binrpc_put_close(e->w, KSR_BINRPC_T_STRUCT);
			break;
		}
		ksr_binrpc_put_open(e->w, KSR_BINRPC_T_ARRAY);
		for (const struct ksr_rpc_val *m = v->first; m; m = m->next)
			put_value(e, m, false);
		ksr_binrpc_put_close(e->w, KSR_BINRPC_T_ARRAY);
		break;
	}
}

/*
 * The reply's values, at the top of the body. A reply that is one array goes as its items:
 * the registry's methods build one array where upstream's add several values (core.echo,
 * system.listMethods), and kamcmd lists those one per line.
 */
static int put_reply(struct ksr_binrpc_writer *w, const struct ksr_rpc_ctx *ctx)
{
	struct enc e = {.w = w, .struct_max = (size_t)ctl_struct_max_body_kib * 1024};
	const struct ksr_rpc_val *v = ctx->reply.first;

	if (v && !v->next && v->type == KSR_RPC_ARRAY)
		v = v->first;
	for (; v; v = v->next)
		put_value(&e, v, false);
	if (w->err)
		return w->err;
	return e.struct_too_big ? -EMSGSIZE : 0;
}

/* The packet into a malloc'ed copy. */
static int take(struct ksr_binrpc_writer *w, enum ksr_binrpc_msg type, uint32_t cookie,
                unsigned char **ret, size_t *ret_len)
{
	const unsigned char *pkt;
	size_t n;
	int r = ksr_binrpc_finish(w, type, cookie, &pkt, &n);

	if (r < 0)
		return r;
	*ret = malloc(n);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, pkt, n);
	*ret_len = n;
	return 0;
}

static int fault(struct ksr_binrpc_writer *w, uint32_t cookie, int code, const char *msg,
                 unsigned char **ret, size_t *ret_len)
{
	ksr_binrpc_writer_reset(w);
	/* a fault always fits: the limit is for replies */
	w->max = 4096;
	ksr_binrpc_put_fault(w, code, msg, strlen(msg));
	return take(w, KSR_BINRPC_FAULT, cookie, ret, ret_len);
}

int ctl_binrpc_fault(int code, const char *msg, unsigned char **ret, size_t *ret_len)
{
	struct ksr_binrpc_writer w;
	int r;

	ksr_binrpc_writer_init(&w, 4096);
	r = fault(&w, 0, code, msg, ret, ret_len);
	ksr_binrpc_writer_free(&w);
	return r;
}

ssize_t ctl_binrpc_frame(const unsigned char *buf, size_t len)
{
	struct ksr_binrpc_hdr h;
	int r = ksr_binrpc_parse_hdr(buf, len, &h);

	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return -EBADMSG;
	if (h.body_len > CTL_MAX_REQUEST - h.hdr_len)
		return -E2BIG;
	if (len < h.hdr_len + h.body_len)
		return 0;
	return (ssize_t)(h.hdr_len + h.body_len);
}

/* The parameters after the method's name, as registry values; a fault text on error. */
static int read_params(struct ksr_binrpc_reader *rd, struct ksr_arena *arena,
                       struct ksr_rpc_val **ret, char *err, size_t err_size)
{
	struct ksr_rpc_val *first = NULL, **tail = &first;
	struct ksr_binrpc_val v;
	int r, n = 0;

	while ((r = ksr_binrpc_read(rd, &v)) == 0) {
		struct ksr_rpc_val *p = NULL;
		char num[32];

		n++;
		switch (v.type) {
		case KSR_BINRPC_T_INT: p = ksr_rpc_new_int(arena, v.i); break;
		case KSR_BINRPC_T_STR:
		case KSR_BINRPC_T_BYTES:
			p = ksr_rpc_new_str(arena, ksr_str_make((char *)v.s, v.len));
			break;
		case KSR_BINRPC_T_DOUBLE:
			/* the registry has no floats: a method reads a double as its text */
			p = ksr_rpc_new_str(arena,
			                    ksr_str_make(num, (size_t)snprintf(num, sizeof(num),
			                                                       "%.10g", v.d)));
			break;
		default:
			snprintf(err, err_size,
			         "bad request: parameter %d: structs and arrays are not "
			         "supported",
			         n);
			return -EINVAL;
		}
		if (!p) {
			snprintf(err, err_size, "internal server error: out of memory");
			return -ENOMEM;
		}
		*tail = p;
		tail = &p->next;
	}
	if (r != -ENODATA) {
		snprintf(err, err_size, "bad request: parameter %d is malformed", n + 1);
		return -EBADMSG;
	}
	*ret = first;
	return 0;
}

int ctl_binrpc_handle(const unsigned char *req, size_t len, struct ksr_arena *arena,
                      unsigned char **ret, size_t *ret_len)
{
	struct ksr_binrpc_writer w;
	struct ksr_binrpc_hdr h;
	struct ksr_binrpc_reader rd;
	struct ksr_binrpc_val m;
	struct ksr_rpc_val *params = NULL;
	struct ksr_rpc_ctx ctx;
	char err[128];
	int r;

	ksr_binrpc_writer_init(&w, (size_t)ctl_max_body_kib * 1024);
	if (ksr_binrpc_parse_hdr(req, len, &h) < 0) {
		r = fault(&w, 0, 400, "bad request: not a binrpc packet", ret, ret_len);
		goto done;
	}
	if (h.type != KSR_BINRPC_REQ) {
		r = fault(&w, h.cookie, 400, "bad request: not a request", ret, ret_len);
		goto done;
	}
	if (h.body_len > len - h.hdr_len) {
		r = fault(&w, h.cookie, 400, "bad request: the packet is truncated", ret, ret_len);
		goto done;
	}
	ksr_binrpc_reader_init(&rd, req + h.hdr_len, h.body_len);
	if (ksr_binrpc_read(&rd, &m) < 0 || m.type != KSR_BINRPC_T_STR) {
		r = fault(&w, h.cookie, 400, "bad request method: a string was expected", ret,
		          ret_len);
		goto done;
	}
	if (read_params(&rd, arena, &params, err, sizeof(err)) < 0) {
		r = fault(&w, h.cookie, 400, err, ret, ret_len);
		goto done;
	}
	/* the method's NUL is in the packet: m.s is a C string */
	ksr_rpc_call(m.s, params, arena, &ctx);
	if (ctx.fault_code) {
		r = fault(&w, h.cookie, ctx.fault_code, ctx.fault, ret, ret_len);
		goto done;
	}
	r = put_reply(&w, &ctx);
	if (r == -E2BIG) {
		snprintf(err, sizeof(err),
		         "internal server error: the reply is larger than "
		         "binrpc_max_body_size (%d KiB)",
		         ctl_max_body_kib);
		r = fault(&w, h.cookie, 500, err, ret, ret_len);
	} else if (r == -EMSGSIZE) {
		snprintf(err, sizeof(err),
		         "internal server error: a structure of the reply is larger "
		         "than binrpc_struct_max_body_size (%d KiB)",
		         ctl_struct_max_body_kib);
		r = fault(&w, h.cookie, 500, err, ret, ret_len);
	} else if (r < 0) {
		r = fault(&w, h.cookie, 500, "internal server error: out of memory", ret, ret_len);
	} else {
		r = take(&w, KSR_BINRPC_REPL, h.cookie, ret, ret_len);
	}
done:
	ksr_binrpc_writer_free(&w);
	return r;
}
