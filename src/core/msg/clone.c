/* A copy of a request that outlives its processing (clone.h). */
#include "core/msg/clone.h"

#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/msg/mdata.h"
#include "core/parser/msg.h"
#include "core/pv/avp.h"

static int dup_str(struct ksr_arena *a, struct ksr_str in, struct ksr_str *ret)
{
	char *c;

	if (!in.len) {
		*ret = KSR_STR_NULL;
		return 0;
	}
	if (!(c = ksr_arena_alloc_nz(a, in.len + 1)))
		return -ENOMEM;
	memcpy(c, in.s, in.len);
	c[in.len] = '\0';
	*ret = ksr_str_make(c, in.len);
	return 0;
}

/* The edit list, in the same order: offsets hold, the text being a byte copy. */
static int copy_edits(struct ksr_msg *dst, const struct ksr_msg *src)
{
	struct ksr_edit **tail = &dst->edits;

	for (const struct ksr_edit *e = src->edits; e; e = e->next) {
		struct ksr_edit *c = ksr_arena_alloc_nz(dst->arena, sizeof(*c));

		if (!c)
			return -ENOMEM;
		*c = *e;
		if (dup_str(dst->arena, e->ins, &c->ins) < 0)
			return -ENOMEM;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	dst->nedits = src->nedits;
	return 0;
}

static int copy_val(struct ksr_arena *a, const struct ksr_val *in, struct ksr_val *out)
{
	*out = *in;
	return in->type == KSR_VAL_STR ? dup_str(a, in->s, &out->s) : 0;
}

static int copy_avps(struct ksr_msg *dst, const struct ksr_msg *src)
{
	struct ksr_avp **tail = &dst->avps;

	for (const struct ksr_avp *a = src->avps; a; a = a->next) {
		struct ksr_avp *c = ksr_arena_alloc_nz(dst->arena, sizeof(*c));

		if (!c || dup_str(dst->arena, a->name, &c->name) < 0 ||
		    copy_val(dst->arena, &a->val, &c->val) < 0)
			return -ENOMEM;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	return 0;
}

static int copy_xavps(struct ksr_arena *a, const struct ksr_xavp *src, struct ksr_xavp **ret)
{
	struct ksr_xavp **tail = ret;

	*ret = NULL;
	for (; src; src = src->next) {
		struct ksr_xavp *c = ksr_arena_alloc_nz(a, sizeof(*c));

		if (!c || dup_str(a, src->name, &c->name) < 0 || copy_val(a, &src->val, &c->val) < 0)
			return -ENOMEM;
		c->type = src->type;
		if (copy_xavps(a, src->list, &c->list) < 0)
			return -ENOMEM;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	return 0;
}

static int copy_branches(struct ksr_msg *dst, const struct ksr_msg *src)
{
	struct ksr_branch **tail = &dst->branches;

	for (const struct ksr_branch *b = src->branches; b; b = b->next) {
		struct ksr_branch *c = ksr_arena_alloc_nz(dst->arena, sizeof(*c));

		if (!c)
			return -ENOMEM;
		*c = *b;
		if (dup_str(dst->arena, b->uri, &c->uri) < 0 ||
		    dup_str(dst->arena, b->dst_uri, &c->dst_uri) < 0 ||
		    dup_str(dst->arena, b->path, &c->path) < 0)
			return -ENOMEM;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	dst->nbranches = src->nbranches;
	return 0;
}

int ksr_msg_clone(struct ksr_msg *src, struct ksr_arena *arena, struct ksr_msg *dst)
{
	const char *why = NULL;
	char *buf;
	int r;

	if (!(buf = ksr_arena_alloc_nz(arena, src->len + 1)))
		return -ENOMEM;
	memcpy(buf, src->buf, src->len);
	buf[src->len] = '\0';
	if ((r = ksr_msg_parse(dst, buf, src->len, arena, &why)) < 0)
		return r == -ENOMEM ? r : -EINVAL;
	dst->rcv = src->rcv;
	dst->rcv.conn = NULL;
	if (copy_edits(dst, src) < 0 || dup_str(arena, src->new_uri, &dst->new_uri) < 0 ||
	    dup_str(arena, src->dst_uri, &dst->dst_uri) < 0 ||
	    dup_str(arena, src->new_body, &dst->new_body) < 0 ||
	    dup_str(arena, src->reply_hdrs, &dst->reply_hdrs) < 0 ||
	    dup_str(arena, src->reply_body, &dst->reply_body) < 0 || copy_avps(dst, src) < 0 ||
	    copy_xavps(arena, src->xavps, &dst->xavps) < 0 || copy_branches(dst, src) < 0)
		return -ENOMEM;
	dst->new_ruri = NULL;
	dst->send_socket = src->send_socket;
	dst->new_body_set = src->new_body_set;
	dst->flags = src->flags;
	dst->bflags = src->bflags;
	dst->sflags = src->sflags;
	dst->iflags = src->iflags;
	dst->xflags = src->xflags;
	dst->time_set = src->time_set;
	dst->time = src->time;
	dst->force_rport = src->force_rport;
	dst->local_rport = src->local_rport;
	dst->via_srvid = src->via_srvid;
	dst->fwd_no_connect = src->fwd_no_connect;
	dst->fwd_close = src->fwd_close;
	dst->reply_close = src->reply_close;
	dst->reply_body_set = src->reply_body_set;
	return ksr_msg_data_clone(dst, src);
}
