/* The registry of pseudo-variable families and transformation classes, filled at load. */
#include <errno.h>
#include <stdlib.h>

#include "core/pv/pv.h"

/* Loaded once, before workers start, then only read: no lock needed. */
struct table {
	const void **items; /* ksr_pv_export or ksr_tr_export, by pointer */
	size_t n, cap;
};

static struct table pvs, trs;

static int add(struct table *t, const void *item)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		const void **n = realloc(t->items, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->items = n;
		t->cap = cap;
	}
	t->items[t->n++] = item;
	return 0;
}

const struct ksr_pv_export *ksr_pv_lookup(struct ksr_str name)
{
	for (size_t i = 0; i < pvs.n; i++) {
		const struct ksr_pv_export *e = pvs.items[i];

		if (strlen(e->name) == name.len && memcmp(e->name, name.s, name.len) == 0)
			return e;
	}
	return NULL;
}

const struct ksr_tr_export *ksr_tr_lookup(struct ksr_str name)
{
	for (size_t i = 0; i < trs.n; i++) {
		const struct ksr_tr_export *e = trs.items[i];

		if (strlen(e->name) == name.len && memcmp(e->name, name.s, name.len) == 0)
			return e;
	}
	return NULL;
}

/* Names are unique: a second family of the same name is refused whole. */
int ksr_pv_register(const struct ksr_pv_export *table)
{
	const struct ksr_pv_export *e;
	int r;

	for (e = table; e->name; e++)
		if (ksr_pv_lookup(ksr_str_make((char *)e->name, strlen(e->name))))
			return -EEXIST;
	for (e = table; e->name; e++)
		if ((r = add(&pvs, e)) < 0)
			return r;
	return 0;
}

int ksr_tr_register(const struct ksr_tr_export *table)
{
	const struct ksr_tr_export *e;
	int r;

	for (e = table; e->name; e++)
		if (ksr_tr_lookup(ksr_str_make((char *)e->name, strlen(e->name))))
			return -EEXIST;
	for (e = table; e->name; e++)
		if ((r = add(&trs, e)) < 0)
			return r;
	return 0;
}
