/*
 * xhttp_prom: the core's statistics (core/counters.h: what tm, sl, usrloc, registrar and
 * the counters module register) as untyped samples named prefix + group + "_" + name,
 * selected as xhttp_prom_stats says and sorted by name. The registry does not tell
 * counters from gauges, so no type is claimed.
 */
#include "prom.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"

struct item {
	struct ksr_counter *c;
	char *name; /* the metric name */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

/* Whether counter c is selected by one entry of xhttp_prom_stats. */
static bool selected(const struct ksr_counter *c, struct ksr_str entry)
{
	if (ksr_str_eq(&entry, &KSR_STR_STATIC("all")))
		return true;
	if (entry.len > 1 && entry.s[entry.len - 1] == ':')
		return strlen(c->group) == entry.len - 1 &&
		       !memcmp(c->group, entry.s, entry.len - 1);
	return strlen(c->name) == entry.len && !memcmp(c->name, entry.s, entry.len);
}

/* The next entry of spec at *pos (separated by spaces or commas); false at the end. */
static bool next_entry(const char *spec, size_t *pos, struct ksr_str *ret)
{
	size_t i = *pos, start;

	while (spec[i] && strchr(" \t,", spec[i]))
		i++;
	if (!spec[i])
		return false;
	for (start = i; spec[i] && !strchr(" \t,", spec[i]); i++)
		;
	*ret = ksr_str_make((char *)spec + start, i - start);
	*pos = i;
	return true;
}

static void put_comment(struct prom_out *o, struct ksr_str e)
{
	if (ksr_str_eq(&e, &KSR_STR_STATIC("all")))
		prom_printf(o, "\n# Kamailio whole internal statistics\n");
	else if (e.s[e.len - 1] == ':')
		prom_printf(o, "\n# Kamailio statistics for group: %.*s\n", KSR_STR_FMT(e));
	else
		prom_printf(o, "\n# Kamailio statistics for: %.*s\n", KSR_STR_FMT(e));
}

/* The items of one entry not printed by an earlier one, sorted; their count. */
static size_t collect(struct ksr_str e, const char *prefix, struct item *items, size_t n,
                      bool *done, int *ret_err)
{
	bool single = e.s[e.len - 1] != ':' && !ksr_str_eq(&e, &KSR_STR_STATIC("all"));
	bool seen = false;
	size_t k = 0, i = 0;

	for (struct ksr_counter *c = ksr_counters_all(); c; c = c->next, i++) {
		struct prom_out name;

		if (i >= n || !selected(c, e))
			continue;
		/* a statistic by name is the first of that name, as upstream finds it */
		if (single && seen)
			break;
		seen = true;
		if (done[i])
			continue;
		prom_out_init(&name, 0);
		prom_put_name(&name, prefix, c->group, c->name);
		if (name.failed) {
			prom_out_free(&name);
			*ret_err = -ENOMEM;
			break;
		}
		done[i] = true;
		items[k].c = c;
		items[k++].name = name.s;
	}
	qsort(items, k, sizeof(*items), by_name);
	return k;
}

int prom_stats_print(struct prom_out *o, const char *prefix, const char *spec)
{
	struct ksr_str e;
	struct item *items;
	size_t n = 0, pos = 0;
	bool *done;
	int err = 0;

	for (struct ksr_counter *c = ksr_counters_all(); c; c = c->next)
		n++;
	items = calloc(n + 1, sizeof(*items));
	done = calloc(n + 1, sizeof(*done));
	if (!items || !done) {
		err = -ENOMEM;
		goto out;
	}
	while (!err && next_entry(spec, &pos, &e)) {
		size_t k = collect(e, prefix, items, n, done, &err);

		put_comment(o, e);
		for (size_t i = 0; i < k; i++) {
			struct ksr_counter *c = items[i].c;
			struct ksr_str name = ksr_str_make(items[i].name, strlen(items[i].name));
			char *help = NULL;

			/* two statistics whose names differ only in what a name cannot hold */
			if (i && !strcmp(items[i].name, items[i - 1].name))
				continue;
			if (!*c->desc && asprintf(&help, "%s:%s", c->group, c->name) < 0)
				help = NULL;
			prom_put_family(o, name, *c->desc ? c->desc : help ? help : "", "untyped");
			prom_printf(o, "%.*s %ld", KSR_STR_FMT(name), ksr_counter_get(c));
			prom_end_sample(o);
			free(help);
		}
		for (size_t i = 0; i < k; i++)
			free(items[i].name);
	}
out:
	free(items);
	free(done);
	return err;
}

int prom_stats_check(const char *spec, const char **ret_why)
{
	size_t pos = 0;
	struct ksr_str e;

	while (next_entry(spec, &pos, &e)) {
		bool found = false;

		for (struct ksr_counter *c = ksr_counters_all(); c && !found; c = c->next)
			found = selected(c, e);
		if (!found && !ksr_str_eq(&e, &KSR_STR_STATIC("all"))) {
			*ret_why = e.s[e.len - 1] == ':' ? "no statistics in that group"
			                                 : "no statistic of that name";
			return -ENOENT;
		}
	}
	return 0;
}
