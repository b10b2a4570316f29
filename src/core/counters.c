/* The counters registry: a list built at startup and only read afterwards. */
#include "core/counters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct ksr_counter *counters, **counters_tail = &counters;

static void cnt_free(struct ksr_counter *c)
{
	if (!c)
		return;
	free(c->group);
	free(c->name);
	free(c->desc);
	free(c);
}

static bool cstr_eq(const char *a, struct ksr_str b)
{
	return strlen(a) == b.len && memcmp(a, b.s, b.len) == 0;
}

struct ksr_counter *ksr_counter_lookup(struct ksr_str group, struct ksr_str name)
{
	for (struct ksr_counter *c = counters; c; c = c->next)
		if (cstr_eq(c->name, name) && cstr_eq(c->group, group))
			return c;
	return NULL;
}

struct ksr_counter *ksr_counter_find_name(struct ksr_str name)
{
	for (struct ksr_counter *c = counters; c; c = c->next)
		if (cstr_eq(c->name, name))
			return c;
	return NULL;
}

int ksr_counter_register(const char *group, const char *name, const char *desc,
			 struct ksr_counter **ret_cnt)
{
	return ksr_counter_register_fn(group, name, desc, NULL, ret_cnt);
}

int ksr_counter_register_fn(const char *group, const char *name, const char *desc,
			    long (*fn)(const struct ksr_counter *c), struct ksr_counter **ret_cnt)
{
	struct ksr_counter *c;

	if (!group || !name || !*group || !*name)
		return -EINVAL;
	if (ksr_counter_lookup(ksr_str_make((char *)group, strlen(group)),
			       ksr_str_make((char *)name, strlen(name))))
		return -EEXIST;
	/* a multiple of the alignment, as aligned_alloc wants */
	c = aligned_alloc(_Alignof(struct ksr_counter), sizeof(*c));
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	atomic_init(&c->val, 0);
	c->group = strdup(group);
	c->name = strdup(name);
	c->desc = strdup(desc ? desc : "");
	c->fn = fn;
	if (!c->group || !c->name || !c->desc) {
		cnt_free(c);
		return -ENOMEM;
	}
	*counters_tail = c;
	counters_tail = &c->next;
	if (ret_cnt)
		*ret_cnt = c;
	return 0;
}

struct ksr_counter *ksr_counters_all(void)
{
	return counters;
}

static int cmp_counters(const void *a, const void *b)
{
	const struct ksr_counter *x = *(struct ksr_counter *const *)a;
	const struct ksr_counter *y = *(struct ksr_counter *const *)b;
	int r = strcmp(x->group, y->group);

	return r ? r : strcmp(x->name, y->name);
}

int ksr_counters_sorted(struct ksr_counter ***ret, size_t *ret_n)
{
	struct ksr_counter **v;
	size_t n = 0, i = 0;

	for (struct ksr_counter *c = counters; c; c = c->next)
		n++;
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (struct ksr_counter *c = counters; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), cmp_counters);
	*ret = v;
	*ret_n = n;
	return 0;
}

void ksr_counters_clear(void)
{
	while (counters) {
		struct ksr_counter *c = counters;

		counters = c->next;
		cnt_free(c);
	}
	counters_tail = &counters;
}
