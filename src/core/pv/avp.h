/*
 * Attribute-value pairs of a message: $avp(name) (flat, several values per name) and
 * $xavp(name=>child) (values that can hold a list of named values). Each name is a stack:
 * the value added last is index 0, a negative index counts from the oldest (-1).
 *
 * Memory comes from msg->arena: the pairs live as long as the message (tm will move them
 * to transactions). Removing a pair unlinks it; its memory goes with the arena.
 */
#ifndef KSR_CORE_PV_AVP_H
#define KSR_CORE_PV_AVP_H

#include <stdbool.h>
#include <sys/time.h>

#include "core/pv/pv-t.h"
#include "core/str.h"

struct ksr_msg;
struct ksr_arena;

struct ksr_avp {
	struct ksr_str name;
	struct ksr_val val; /* KSR_VAL_INT or KSR_VAL_STR */
	struct ksr_avp *next;
};

enum ksr_xavp_type {
	KSR_XAVP_VAL = 1, /* val holds an int or a string */
	KSR_XAVP_LIST,    /* list holds named children (a "root" of $xavp(root=>child)) */
};

struct ksr_xavp {
	struct ksr_str name;
	enum ksr_xavp_type type;
	struct ksr_val val;
	struct ksr_xavp *list; /* children, newest first, when type is KSR_XAVP_LIST */
	struct ksr_xavp *next;
};

/* --- $avp: the list at msg->avps --- */

/* Add a value on top of name's stack (name and string copied into msg->arena). */
int ksr_avp_add(struct ksr_msg *msg, struct ksr_str name, const struct ksr_val *val);
/* The value at idx of name's stack (0 newest, -1 oldest), or NULL. */
struct ksr_avp *ksr_avp_find(struct ksr_msg *msg, struct ksr_str name, long idx);
/* The next value of the same name after avp (older), or NULL. */
struct ksr_avp *ksr_avp_next_same(struct ksr_avp *avp);
unsigned int ksr_avp_count(struct ksr_msg *msg, struct ksr_str name);
/* Replace the value at idx; -ENOENT when there is none. */
int ksr_avp_replace(struct ksr_msg *msg, struct ksr_str name, long idx, const struct ksr_val *val);
/* Remove the value at idx; -ENOENT when there is none. */
int ksr_avp_del(struct ksr_msg *msg, struct ksr_str name, long idx);
/* Remove every value of name; returns how many. */
unsigned int ksr_avp_del_all(struct ksr_msg *msg, struct ksr_str name);

/* --- $xavp: lists of ksr_xavp; the root list is msg->xavps --- */

/* The idx-th entry named name in list (0 newest, -1 oldest), or NULL. */
struct ksr_xavp *ksr_xavp_find(struct ksr_xavp *list, struct ksr_str name, long idx);
struct ksr_xavp *ksr_xavp_next_same(struct ksr_xavp *x);
unsigned int ksr_xavp_count(struct ksr_xavp *list, struct ksr_str name);
/* Add a value entry on top of *list (copies into arena). */
int ksr_xavp_add_val(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                     const struct ksr_val *val, struct ksr_xavp **ret_x);
/* Add an empty list entry (a root for children) on top of *list. */
int ksr_xavp_add_list(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                      struct ksr_xavp **ret_x);
/* Replace the value of the idx-th entry named name; -ENOENT when none. */
int ksr_xavp_replace_val(struct ksr_arena *arena, struct ksr_xavp **list, struct ksr_str name,
                         long idx, const struct ksr_val *val);
int ksr_xavp_del(struct ksr_xavp **list, struct ksr_str name, long idx);
unsigned int ksr_xavp_del_all(struct ksr_xavp **list, struct ksr_str name);

#endif
