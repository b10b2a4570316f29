/* Module data on a message: a short list in the message's arena. */
#include "core/msg/mdata.h"

#include <errno.h>
#include <string.h>

#include "core/mem/arena.h"

struct ksr_msg_data {
	const void *key;
	void *data;
	struct ksr_msg_data *next;
};

int ksr_msg_data_set(struct ksr_msg *msg, const void *key, const void *data, size_t size,
		     void **ret_copy)
{
	struct ksr_msg_data *d;
	void *copy = ksr_arena_alloc(msg->arena, size ? size : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	for (d = msg->mdata; d; d = d->next)
		if (d->key == key)
			break;
	if (!d) {
		d = ksr_arena_alloc(msg->arena, sizeof(*d));
		if (!d)
			return -ENOMEM;
		d->key = key;
		d->next = msg->mdata;
		msg->mdata = d;
	}
	d->data = copy;
	if (ret_copy)
		*ret_copy = copy;
	return 0;
}

void *ksr_msg_data_get(const struct ksr_msg *msg, const void *key)
{
	for (const struct ksr_msg_data *d = msg->mdata; d; d = d->next)
		if (d->key == key)
			return d->data;
	return NULL;
}
