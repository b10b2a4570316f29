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

/* Set at startup, before the workers run: read without a lock. */
static struct {
	const void *key;
	size_t size;
	ksr_msg_data_clone_fn fn;
} clones[KSR_MAX_MSG_DATA_CLONE];
static int nclones;

int ksr_msg_data_register_clone(const void *key, size_t size, ksr_msg_data_clone_fn fn)
{
	for (int i = 0; i < nclones; i++) {
		if (clones[i].key == key) {
			clones[i].size = size;
			clones[i].fn = fn;
			return 0;
		}
	}
	if (nclones == KSR_MAX_MSG_DATA_CLONE)
		return -ENOSPC;
	clones[nclones].key = key;
	clones[nclones].size = size;
	clones[nclones].fn = fn;
	nclones++;
	return 0;
}

void ksr_msg_data_unregister_clone(const void *key)
{
	for (int i = 0; i < nclones; i++) {
		if (clones[i].key == key) {
			clones[i] = clones[--nclones];
			return;
		}
	}
}

int ksr_msg_data_clone(struct ksr_msg *dst, const struct ksr_msg *src)
{
	for (int i = 0; i < nclones; i++) {
		void *data = ksr_msg_data_get(src, clones[i].key), *copy;
		int r;

		if (!data)
			continue;
		if ((r = ksr_msg_data_set(dst, clones[i].key, data, clones[i].size, &copy)) < 0)
			return r;
		if (clones[i].fn && (r = clones[i].fn(dst, copy)) < 0)
			return r;
	}
	return 0;
}
