/* The AVP and XAVP stores of a message: name stacks in singly linked lists, newest first. */
#include "core/pv/avp.h"

#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/msg-t.h"


static bool name_eq(struct ksr_str a, struct ksr_str b)
{
	return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static int copy_str(struct ksr_arena *arena, struct ksr_str in, struct ksr_str *ret)
{
	char *c = ksr_arena_alloc(arena, in.len + 1);

	if (!c)
		return -ENOMEM;
	if (in.len)
		memcpy(c, in.s, in.len);
	*ret = ksr_str_make(c, in.len);
	return 0;
}

/* A stored value: strings are copied, anything else than a string is an int. */
static int copy_val(struct ksr_arena *arena, const struct ksr_val *in, struct ksr_val *ret)
{
	struct ksr_val v = {0};

	if (in->type == KSR_VAL_STR) {
		v.type = KSR_VAL_STR;
		if (copy_str(arena, in->s, &v.s) < 0)
			return -ENOMEM;
	} else {
		v.type = KSR_VAL_INT;
		v.i = in->type == KSR_VAL_INT ? in->i : 0;
	}
	*ret = v;
	return 0;
}

/*
 * Positions in a name stack: idx >= 0 counts from the newest, idx < 0 from the oldest
 * (-1 is the oldest). Returns the 0-based position from the newest, or -1 out of range.
 */
static long stack_pos(unsigned int count, long idx)
{
	if (idx < 0)
		idx += (long)count;
	return idx >= 0 && idx < (long)count ? idx : -1;
}

/* --- $avp --- */

int ksr_avp_add(struct ksr_msg *msg, struct ksr_str name, const struct ksr_val *val)
{
	struct ksr_avp *a = ksr_arena_alloc(msg->arena, sizeof(*a));

	if (!a || copy_str(msg->arena, name, &a->name) < 0 ||
	    copy_val(msg->arena, val, &a->val) < 0)
		return -ENOMEM;
	a->next = msg->avps;
	msg->avps = a;
	return 0;
}

unsigned int ksr_avp_count(struct ksr_msg *msg, struct ksr_str name)
{
	unsigned int n = 0;

	for (struct ksr_avp *a = msg->avps; a; a = a->next)
		if (name_eq(a->name, name))
			n++;
	return n;
}

/* The link that points to the idx-th value of name (for removal), or NULL. */
static struct ksr_avp **avp_link(struct ksr_msg *msg, struct ksr_str name, long idx)
{
	long pos = stack_pos(ksr_avp_count(msg, name), idx);

	if (pos < 0)
		return NULL;
	for (struct ksr_avp **l = &msg->avps; *l; l = &(*l)->next)
		if (name_eq((*l)->name, name) && pos-- == 0)
			return l;
	return NULL;
}

struct ksr_avp *ksr_avp_find(struct ksr_msg *msg, struct ksr_str name, long idx)
{
	struct ksr_avp **l;

	if (idx == 0) { /* the common case: one walk */
		for (struct ksr_avp *a = msg->avps; a; a = a->next)
			if (name_eq(a->name, name))
				return a;
		return NULL;
	}
	l = avp_link(msg, name, idx);
	return l ? *l : NULL;
}

struct ksr_avp *ksr_avp_next_same(struct ksr_avp *avp)
{
	for (struct ksr_avp *a = avp->next; a; a = a->next)
		if (name_eq(a->name, avp->name))
			return a;
	return NULL;
}

int ksr_avp_replace(struct ksr_msg *msg, struct ksr_str name, long idx, const struct ksr_val *val)
{
	struct ksr_avp *a = ksr_avp_find(msg, name, idx);
	struct ksr_val v;

	if (!a)
		return -ENOENT;
	if (copy_val(msg->arena, val, &v) < 0)
		return -ENOMEM;
	a->val = v;
	return 0;
}

int ksr_avp_del(struct ksr_msg *msg, struct ksr_str name, long idx)
{
	struct ksr_avp **l = avp_link(msg, name, idx);

	if (!l)
		return -ENOENT;
	*l = (*l)->next;
	return 0;
}

unsigned int ksr_avp_del_all(struct ksr_msg *msg, struct ksr_str name)
{
	unsigned int n = 0;

	for (struct ksr_avp **l = &msg->avps; *l;) {
		if (name_eq((*l)->name, name)) {
			*l = (*l)->next;
			n++;
		} else {
			l = &(*l)->next;
		}
	}
	return n;
}

/* --- $xavp --- */

unsigned int ksr_xavp_count(struct ksr_xavp *list, struct ksr_str name)
{
	unsigned int n = 0;

	for (struct ksr_xavp *x = list; x; x = x->next)
		if (name_eq(x->name, name))
			n++;
	return n;
}

static struct ksr_xavp **xavp_link(struct ksr_xavp **list, struct ksr_str name, long idx)
{
	long pos = stack_pos(ksr_xavp_count(*list, name), idx);

	if (pos < 0)
		return NULL;
	for (struct ksr_xavp **l = list; *l; l = &(*l)->next)
		if (name_eq((*l)->name, name) && pos-- == 0)
			return l;
	return NULL;
}

struct ksr_xavp *ksr_xavp_find(struct ksr_xavp *list, struct ksr_str name, long idx)
{
	struct ksr_xavp **l = xavp_link(&list, name, idx);

	return l ? *l : NULL;
}

struct ksr_xavp *ksr_xavp_next_same(struct ksr_xavp *x)
{
	for (struct ksr_xavp *n = x->next; n; n = n->next)
		if (name_eq(n->name, x->name))
			return n;
	return NULL;
}

static struct ksr_xavp *xavp_new(struct ksr_arena *arena, struct ksr_xavp **list,
                                 struct ksr_str name)
{
	struct ksr_xavp *x = ksr_arena_alloc(arena, sizeof(*x));

	if (!x || copy_str(arena, name, &x->name) < 0)
		return NULL;
	x->next = *list;
	return x;
}

int ksr_xavp_add_val(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                     const struct ksr_val *val, struct ksr_xavp **ret_x)
{
	struct ksr_xavp *x = xavp_new(arena, list, name);

	if (!x || copy_val(arena, val, &x->val) < 0)
		return -ENOMEM;
	x->type = KSR_XAVP_VAL;
	*list = x;
	if (ret_x)
		*ret_x = x;
	return 0;
}

int ksr_xavp_add_list(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                      struct ksr_xavp **ret_x)
{
	struct ksr_xavp *x = xavp_new(arena, list, name);

	if (!x)
		return -ENOMEM;
	x->type = KSR_XAVP_LIST;
	*list = x;
	if (ret_x)
		*ret_x = x;
	return 0;
}

int ksr_xavp_replace_val(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                         long idx, const struct ksr_val *val)
{
	struct ksr_xavp **l = xavp_link(list, name, idx);
	struct ksr_val v;

	if (!l)
		return -ENOENT;
	if (copy_val(arena, val, &v) < 0)
		return -ENOMEM;
	(*l)->type = KSR_XAVP_VAL;
	(*l)->val = v;
	(*l)->list = NULL;
	return 0;
}

int ksr_xavp_del(struct ksr_xavp **list, struct ksr_str name, long idx)
{
	struct ksr_xavp **l = xavp_link(list, name, idx);

	if (!l)
		return -ENOENT;
	*l = (*l)->next;
	return 0;
}

unsigned int ksr_xavp_del_all(struct ksr_xavp **list, struct ksr_str name)
{
	unsigned int n = 0;

	for (struct ksr_xavp **l = list; *l;) {
		if (name_eq((*l)->name, name)) {
			*l = (*l)->next;
			n++;
		} else {
			l = &(*l)->next;
		}
	}
	return n;
}
