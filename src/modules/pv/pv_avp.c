/*
 * $avp(name) and $xavp(root[i]=>child[j]): the message's attribute-value pairs, stored by
 * core/pv/avp.c. A name is a stack: assigning adds on top (index 0), [n] reads the n-th
 * newest, [-1] the oldest, [*] all of them joined with ", ".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/mem/arena.h"
#include "core/parser/msg-t.h"
#include "core/pv/avp.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

static bool name_char_ok(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("()[]{}$\"'=;,<>", c);
}

static bool valid_name(struct ksr_str n)
{
	if (n.len == 0)
		return false;
	for (size_t i = 0; i < n.len; i++)
		if (!name_char_ok((unsigned char)n.s[i]))
			return false;
	return true;
}

/* Values into one string, ", "-separated (the [*] of $avp and $xavp); NULL when none. */
static int join(struct ksr_msg *msg, const struct ksr_str *parts, size_t n, struct ksr_val *ret)
{
	size_t total = 0;
	char *c, *o;

	if (n == 0)
		return pv_ret_null(ret);
	for (size_t i = 0; i < n; i++)
		total += parts[i].len + 2;
	c = o = ksr_arena_alloc(msg->arena, total + 1);
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			memcpy(o, ", ", 2);
			o += 2;
		}
		memcpy(o, parts[i].s, parts[i].len);
		o += parts[i].len;
	}
	return pv_ret_str(ret, ksr_str_make(c, (size_t)(o - c)));
}

/* An array of n strings from msg's arena (n may be 0). */
static struct ksr_str *str_array(struct ksr_msg *msg, size_t n)
{
	return ksr_arena_alloc(msg->arena, (n ? n : 1) * sizeof(struct ksr_str));
}

/* --- $avp --- */

/*
 * "x" and "s:x" are the same name; "i:5" is an integer name, distinct from "5", as
 * upstream. A name written as a pseudo-variable ($avp($var(n))) is evaluated per use.
 */
static int avp_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	struct ksr_str n = spec->name;
	struct ksr_str *kept;

	if (n.s[0] == '$') {
		struct ksr_pv_spec *inner;
		size_t used;
		int r = ksr_pv_parse(n, arena, &inner, &used, ret_err);

		if (r < 0)
			return r;
		if (used != n.len) {
			*ret_err = "bad AVP name: text after the pseudo-variable";
			return -EINVAL;
		}
		spec->pname = inner;
		spec->pname_i = 1;
		return 0;
	}
	if (n.len > 2 && n.s[1] == ':' && n.s[0] == 's') {
		n.s += 2;
		n.len -= 2;
	} else if (n.len > 2 && n.s[1] == ':' && n.s[0] == 'i') {
		for (size_t i = 2; i < n.len; i++)
			if (n.s[i] < '0' || n.s[i] > '9') {
				*ret_err = "bad AVP name: i: takes a number";
				return -EINVAL;
			}
	}
	if (!valid_name(n)) {
		*ret_err = "bad AVP name";
		return -EINVAL;
	}
	kept = ksr_arena_alloc(arena, sizeof(*kept));
	if (!kept)
		return -ENOMEM;
	*kept = n;
	spec->pname = kept;
	spec->pname_i = 0;
	return 0;
}

static int avp_name(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_str *ret)
{
	struct ksr_val v;
	int r;

	if (spec->pname_i == 0) {
		*ret = *(const struct ksr_str *)spec->pname;
		return 0;
	}
	if ((r = ksr_pv_get(msg, spec->pname, &v)) < 0)
		return r;
	if (v.type == KSR_VAL_INT) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "i:%ld", v.i);
		struct ksr_val s;

		if ((r = pv_ret_strdup(msg, &s, buf, (size_t)n)) < 0)
			return r;
		*ret = s.s;
		return 0;
	}
	if (v.type != KSR_VAL_STR || !valid_name(v.s))
		return -EINVAL;
	*ret = v.s;
	return 0;
}

static int val_text(struct ksr_msg *msg, const struct ksr_val *v, struct ksr_str *ret)
{
	return ksr_val_to_str(msg, v, ret);
}

static int avp_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct ksr_str name;
	struct ksr_avp *a;
	int r;

	if ((r = avp_name(msg, spec, &name)) < 0)
		return r;
	if (spec->idx_type == KSR_PV_IDX_ALL) {
		size_t n = 0;
		struct ksr_str *parts = str_array(msg, ksr_avp_count(msg, name));

		if (!parts)
			return -ENOMEM;
		for (a = ksr_avp_find(msg, name, 0); a; a = ksr_avp_next_same(a))
			if ((r = val_text(msg, &a->val, &parts[n++])) < 0)
				return r;
		return join(msg, parts, n, ret);
	}
	a = ksr_avp_find(msg, name, spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0);
	if (!a)
		return pv_ret_null(ret);
	*ret = a->val;
	return 0;
}

/*
 * Without index: a value goes on top, $null removes the newest. [n]: replaces or removes
 * the n-th. [*]: removes all, then a value becomes the only one.
 */
static int avp_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	struct ksr_str name;
	int r;

	if ((r = avp_name(msg, spec, &name)) < 0)
		return r;
	if (spec->idx_type == KSR_PV_IDX_ALL)
		ksr_avp_del_all(msg, name);
	if (val->type == KSR_VAL_NULL) {
		if (spec->idx_type != KSR_PV_IDX_ALL)
			ksr_avp_del(msg, name, spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0);
		return 0;
	}
	if (spec->idx_type == KSR_PV_IDX_INT)
		return ksr_avp_replace(msg, name, spec->idx, val);
	return ksr_avp_add(msg, name, val);
}

/* --- $xavp --- */

struct xavp_part {
	struct ksr_str name;
	enum ksr_pv_idx_type idx_type; /* NONE, INT, ALL or PV */
	long idx;
	struct ksr_pv_spec *idx_pv;
};

struct xavp_name {
	struct xavp_part root, child;
	bool has_child;
};

static int xavp_parse_part(struct ksr_str s, struct ksr_arena *arena, struct xavp_part *ret,
                           const char **ret_err)
{
	const char *lb = memchr(s.s, '[', s.len);

	ret->name = ksr_str_make(s.s, lb ? (size_t)(lb - s.s) : s.len);
	ret->idx_type = KSR_PV_IDX_NONE;
	if (!valid_name(ret->name)) {
		*ret_err = "bad XAVP name";
		return -EINVAL;
	}
	if (!lb)
		return 0;
	if (s.s[s.len - 1] != ']' || lb + 2 > ksr_str_end(s) - 1) {
		*ret_err = "bad XAVP index";
		return -EINVAL;
	}
	{
		struct ksr_str in =
		        ksr_str_make((char *)lb + 1, (size_t)(ksr_str_end(s) - 1 - lb - 1));
		struct ksr_val v = {.type = KSR_VAL_STR, .s = in};
		size_t used;
		int r;

		if (in.len == 1 && in.s[0] == '*') {
			ret->idx_type = KSR_PV_IDX_ALL;
		} else if (in.s[0] == '$') {
			if ((r = ksr_pv_parse(in, arena, &ret->idx_pv, &used, ret_err)) < 0)
				return r;
			if (used != in.len) {
				*ret_err = "bad XAVP index";
				return -EINVAL;
			}
			ret->idx_type = KSR_PV_IDX_PV;
		} else if (ksr_val_to_int(&v, &ret->idx) == 0) {
			ret->idx_type = KSR_PV_IDX_INT;
		} else {
			*ret_err = "bad XAVP index: an integer, '*' or a pseudo-variable";
			return -EINVAL;
		}
	}
	return 0;
}

static int xavp_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	struct xavp_name *xn = ksr_arena_alloc(arena, sizeof(*xn));
	struct ksr_str s = spec->name;
	const char *arrow = NULL;
	int r;

	if (!xn)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < s.len; i++)
		if (s.s[i] == '=' && s.s[i + 1] == '>') {
			arrow = s.s + i;
			break;
		}
	r = xavp_parse_part(ksr_str_make(s.s, arrow ? (size_t)(arrow - s.s) : s.len), arena,
	                    &xn->root, ret_err);
	if (r < 0)
		return r;
	if (arrow) {
		xn->has_child = true;
		r = xavp_parse_part(
		        ksr_str_make((char *)arrow + 2, s.len - (size_t)(arrow - s.s) - 2), arena,
		        &xn->child, ret_err);
		if (r < 0)
			return r;
	}
	spec->pname = xn;
	return 0;
}

/* An index of a name part with its pseudo-variable (if any) evaluated. */
static int part_index(struct ksr_msg *msg, const struct xavp_part *p, enum ksr_pv_idx_type *type,
                      long *idx)
{
	struct ksr_val v;
	int r;

	*type = p->idx_type;
	*idx = p->idx;
	if (p->idx_type != KSR_PV_IDX_PV)
		return 0;
	if ((r = ksr_pv_get(msg, p->idx_pv, &v)) < 0)
		return r;
	if (v.type == KSR_VAL_NULL || ksr_val_to_int(&v, idx) < 0)
		return -EINVAL;
	*type = KSR_PV_IDX_INT;
	return 0;
}

static int xavp_val(struct ksr_msg *msg, const struct ksr_xavp *x, struct ksr_val *ret)
{
	char buf[48];
	int n;

	if (x->type == KSR_XAVP_VAL) {
		*ret = x->val;
		return 0;
	}
	/* a list has no value of its own: upstream prints a marker */
	n = snprintf(buf, sizeof(buf), "<<xavp:%p>>", (const void *)x);
	return pv_ret_strdup(msg, ret, buf, (size_t)n);
}

static int xavp_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const struct xavp_name *xn = spec->pname;
	enum ksr_pv_idx_type rt, ct;
	long ri, ci;
	struct ksr_xavp *root, *x;
	int r;

	if ((r = part_index(msg, &xn->root, &rt, &ri)) < 0)
		return r;
	/* [*] on the root reads the newest, as upstream */
	root = ksr_xavp_find(msg->xavps, xn->root.name, rt == KSR_PV_IDX_INT ? ri : 0);
	if (!root)
		return pv_ret_null(ret);
	if (!xn->has_child)
		return xavp_val(msg, root, ret);
	if (root->type != KSR_XAVP_LIST)
		return pv_ret_null(ret);
	if ((r = part_index(msg, &xn->child, &ct, &ci)) < 0)
		return r;
	if (ct == KSR_PV_IDX_ALL) {
		size_t n = 0;
		struct ksr_str *parts = str_array(msg, ksr_xavp_count(root->list, xn->child.name));

		if (!parts)
			return -ENOMEM;
		for (x = ksr_xavp_find(root->list, xn->child.name, 0); x;
		     x = ksr_xavp_next_same(x)) {
			struct ksr_val v;

			if ((r = xavp_val(msg, x, &v)) < 0 ||
			    (r = val_text(msg, &v, &parts[n++])) < 0)
				return r;
		}
		return join(msg, parts, n, ret);
	}
	x = ksr_xavp_find(root->list, xn->child.name, ct == KSR_PV_IDX_INT ? ci : 0);
	return x ? xavp_val(msg, x, ret) : pv_ret_null(ret);
}

/* Set a value in *list by the rules of avp_set (the same stack semantics). */
static int stack_set(struct ksr_msg *msg, struct ksr_xavp **list, struct ksr_str name,
                     enum ksr_pv_idx_type t, long idx, const struct ksr_val *val)
{
	if (t == KSR_PV_IDX_ALL)
		ksr_xavp_del_all(list, name);
	if (val->type == KSR_VAL_NULL) {
		if (t != KSR_PV_IDX_ALL)
			ksr_xavp_del(list, name, t == KSR_PV_IDX_INT ? idx : 0);
		return 0;
	}
	if (t == KSR_PV_IDX_INT)
		return ksr_xavp_replace_val(msg->arena, list, name, idx, val);
	return ksr_xavp_add_val(msg->arena, list, name, val, NULL);
}

/*
 * $xavp(r=>c) = v adds a new root r (on top) holding c; $xavp(r[i]=>c) = v adds c to the
 * existing i-th root (r[0] is made when there is no r at all). $null removes.
 */
static int xavp_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	const struct xavp_name *xn = spec->pname;
	enum ksr_pv_idx_type rt, ct;
	long ri, ci;
	struct ksr_xavp *root;
	int r;

	if ((r = part_index(msg, &xn->root, &rt, &ri)) < 0)
		return r;
	if (!xn->has_child)
		return stack_set(msg, &msg->xavps, xn->root.name, rt, ri, val);
	if ((r = part_index(msg, &xn->child, &ct, &ci)) < 0)
		return r;
	if (rt == KSR_PV_IDX_NONE) {
		if (val->type == KSR_VAL_NULL) {
			root = ksr_xavp_find(msg->xavps, xn->root.name, 0);
			if (!root || root->type != KSR_XAVP_LIST)
				return 0;
			return stack_set(msg, &root->list, xn->child.name, ct, ci, val);
		}
		if ((r = ksr_xavp_add_list(msg->arena, &msg->xavps, xn->root.name, &root)) < 0)
			return r;
		return stack_set(msg, &root->list, xn->child.name, ct, ci, val);
	}
	if (rt == KSR_PV_IDX_ALL)
		return -EINVAL;
	root = ksr_xavp_find(msg->xavps, xn->root.name, ri);
	if (!root) {
		if (val->type == KSR_VAL_NULL)
			return 0;
		if (ri != 0 || ksr_xavp_count(msg->xavps, xn->root.name) != 0)
			return -ENOENT;
		if ((r = ksr_xavp_add_list(msg->arena, &msg->xavps, xn->root.name, &root)) < 0)
			return r;
	}
	if (root->type != KSR_XAVP_LIST)
		return -EINVAL;
	return stack_set(msg, &root->list, xn->child.name, ct, ci, val);
}

const struct ksr_pv_export pv_avp_pvs[] = {
        {.name = "avp",
         .get = avp_get,
         .set = avp_set,
         .parse_name = avp_parse_name,
         .flags = KSR_PV_NAME_REQUIRED | KSR_PV_INDEXED},
        {.name = "xavp",
         .get = xavp_get,
         .set = xavp_set,
         .parse_name = xavp_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = NULL},
};
