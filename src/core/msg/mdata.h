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

#endif
