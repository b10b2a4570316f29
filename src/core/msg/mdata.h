/*
 * Data a module keeps on a message for the rest of its processing (what one function
 * found for another to use: sanity_check's failure for sanity_reply). Keyed by an address
 * the module owns; lives in the message's arena and goes with it.
 */
#ifndef KSR_CORE_MSG_MDATA_H
#define KSR_CORE_MSG_MDATA_H

#include "core/parser/msg-t.h"

/*
 * Store size bytes copied from data under key (replacing what was there); the copy is
 * returned in *ret_copy when not NULL. 0 or -ENOMEM.
 */
int ksr_msg_data_set(struct ksr_msg *msg, const void *key, const void *data, size_t size,
		     void **ret_copy);
/* What is stored under key, or NULL. */
void *ksr_msg_data_get(const struct ksr_msg *msg, const void *key);

/*
 * Data under key goes with a copy of the message (core/msg/clone.h): size bytes are
 * copied, then fn (when not NULL) copies into dst's arena what they point to. Data of
 * keys not registered stays with the original. From mod_init; 0, -ENOSPC past
 * KSR_MAX_MSG_DATA_CLONE registrations.
 */
typedef int (*ksr_msg_data_clone_fn)(struct ksr_msg *dst, void *data);
#define KSR_MAX_MSG_DATA_CLONE 16
int ksr_msg_data_register_clone(const void *key, size_t size, ksr_msg_data_clone_fn fn);
/* Forget a registration (from the module's destroy). */
void ksr_msg_data_unregister_clone(const void *key);
/* Copy src's registered data to dst (ksr_msg_clone does). 0 or -ENOMEM. */
int ksr_msg_data_clone(struct ksr_msg *dst, const struct ksr_msg *src);

#endif
