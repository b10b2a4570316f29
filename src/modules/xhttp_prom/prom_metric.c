/*
 * xhttp_prom: the metrics the configuration declares (prom_counter, prom_gauge,
 * prom_histogram) and the script or RPC changes. A declaration names the metric and its
 * labels; each set of label values is a value of its own, made at first use and dropped
 * when unused for xhttp_prom_timeout minutes. One lock guards them all: every operation
 * is a few instructions.
 */
#include "prom.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct prom_value {
	char *labels[PROM_MAX_LABELS];
	uint64_t count;    /* counter; a histogram's observations */
	double v;          /* gauge; a histogram's sum */
	uint64_t *buckets; /* a histogram's count per upper bound */
	time_t used;
	struct prom_value *next;
};

struct prom_decl {
	enum prom_type type;
	char *name;
	int nlabels;
	char *labels[PROM_MAX_LABELS];
	int nbuckets;
	double *bounds;            /* increasing; +Inf is implied */
	struct prom_value *values; /* in order of creation */
	struct prom_decl *next;
};

static const double default_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct prom_decl *decls, **decls_tail = &decls;

static void value_free(struct prom_value *v)
{
	for (int i = 0; i < PROM_MAX_LABELS; i++)
		free(v->labels[i]);
	free(v->buckets);
	free(v);
}

static void decl_free(struct prom_decl *d)
{
	if (!d)
		return;
	while (d->values) {
		struct prom_value *v = d->values;

		d->values = v->next;
		value_free(v);
	}
	for (int i = 0; i < PROM_MAX_LABELS; i++)
		free(d->labels[i]);
	free(d->bounds);
	free(d->name);
	free(d);
}

void prom_metric_clear(void)
{
	pthread_mutex_lock(&lock);
	while (decls) {
		struct prom_decl *d = decls;

		decls = d->next;
		decl_free(d);
	}
	decls_tail = &decls;
	pthread_mutex_unlock(&lock);
}

static struct prom_decl *find(struct ksr_str name)
{
	for (struct prom_decl *d = decls; d; d = d->next)
		if (name.len && strlen(d->name) == name.len && !memcmp(d->name, name.s, name.len))
			return d;
	return NULL;
}

/* "a:b:c" into up to PROM_MAX_LABELS label names. */
static int parse_labels(struct prom_decl *d, struct ksr_str v, const char **ret_why)
{
	while (v.len) {
		const char *colon = memchr(v.s, ':', v.len);
		size_t n = colon ? (size_t)(colon - v.s) : v.len;

		if (d->nlabels == PROM_MAX_LABELS) {
			*ret_why = "at most 3 labels";
			return -EINVAL;
		}
		if (!(d->labels[d->nlabels] = strndup(v.s, n)))
			return -ENOMEM;
		if (!prom_valid_name(d->labels[d->nlabels], true) ||
		    !strncmp(d->labels[d->nlabels], "__", 2) ||
		    (d->type == PROM_HISTOGRAM && !strcmp(d->labels[d->nlabels], "le"))) {
			*ret_why = "a label name is [a-zA-Z_][a-zA-Z0-9_]*, not __*, not le in a "
			           "histogram";
			return -EINVAL;
		}
		d->nlabels++;
		if (!colon)
			break;
		v.s += n + 1;
		v.len -= n + 1;
		if (!v.len) {
			*ret_why = "empty label name";
			return -EINVAL;
		}
	}
	return 0;
}

/* "1:2.5:10": increasing upper bounds. */
static int parse_buckets(struct prom_decl *d, struct ksr_str v, const char **ret_why)
{
	char *copy = strndup(v.s, v.len), *p = copy, *end;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	d->bounds = calloc(v.len / 2 + 1, sizeof(double));
	if (!d->bounds) {
		free(copy);
		return -ENOMEM;
	}
	for (;;) {
		double b = strtod(p, &end);

		if (end == p || (*end && *end != ':') || isnan(b) || isinf(b) ||
		    (d->nbuckets && b <= d->bounds[d->nbuckets - 1])) {
			*ret_why = "buckets are increasing numbers separated by ':'";
			r = -EINVAL;
			break;
		}
		d->bounds[d->nbuckets++] = b;
		if (!*end)
			break;
		p = end + 1;
	}
	free(copy);
	return r;
}

static int declare_attr(struct prom_decl *d, struct ksr_str key, struct ksr_str val,
                        bool *seen_label, const char **ret_why)
{
	if (ksr_str_eq(&key, &KSR_STR_STATIC("name"))) {
		if (d->name) {
			*ret_why = "name given twice";
			return -EINVAL;
		}
		if (!(d->name = strndup(val.s, val.len)))
			return -ENOMEM;
		if (!prom_valid_name(d->name, false)) {
			*ret_why = "a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*";
			return -EINVAL;
		}
		return 0;
	}
	if (ksr_str_eq(&key, &KSR_STR_STATIC("label"))) {
		if (*seen_label) {
			*ret_why = "label given twice";
			return -EINVAL;
		}
		*seen_label = true;
		return parse_labels(d, val, ret_why);
	}
	if (ksr_str_eq(&key, &KSR_STR_STATIC("buckets")) && d->type == PROM_HISTOGRAM) {
		if (d->bounds) {
			*ret_why = "buckets given twice";
			return -EINVAL;
		}
		return parse_buckets(d, val, ret_why);
	}
	*ret_why = d->type == PROM_HISTOGRAM ? "attributes are name, label and buckets"
	                                     : "attributes are name and label";
	return -EINVAL;
}

int prom_metric_declare(enum prom_type type, const char *spec, const char **ret_why)
{
	struct prom_decl *d = calloc(1, sizeof(*d));
	struct ksr_str rest = ksr_str_make((char *)spec, strlen(spec));
	bool seen_label = false;
	int r = 0;

	if (!d)
		return -ENOMEM;
	d->type = type;
	while (rest.len && r == 0) {
		const char *semi = memchr(rest.s, ';', rest.len);
		struct ksr_str item =
		        ksr_str_make(rest.s, semi ? (size_t)(semi - rest.s) : rest.len);
		const char *eq;

		rest.s += item.len + (semi ? 1 : 0);
		rest.len -= item.len + (semi ? 1 : 0);
		ksr_str_trim(&item);
		if (!item.len)
			continue;
		eq = memchr(item.s, '=', item.len);
		if (!eq) {
			*ret_why = "attribute=value pairs separated by ';' expected";
			r = -EINVAL;
			break;
		}
		struct ksr_str key = ksr_str_make(item.s, (size_t)(eq - item.s));
		struct ksr_str val = ksr_str_make((char *)eq + 1, item.len - key.len - 1);

		ksr_str_trim(&key);
		ksr_str_trim(&val);
		r = declare_attr(d, key, val, &seen_label, ret_why);
	}
	if (r == 0 && !d->name) {
		*ret_why = "name is mandatory";
		r = -EINVAL;
	}
	if (r == 0 && type == PROM_HISTOGRAM && !d->bounds) {
		d->nbuckets = (int)(sizeof(default_bounds) / sizeof(default_bounds[0]));
		d->bounds = malloc(sizeof(default_bounds));
		if (!d->bounds)
			r = -ENOMEM;
		else
			memcpy(d->bounds, default_bounds, sizeof(default_bounds));
	}
	pthread_mutex_lock(&lock);
	if (r == 0 && find(ksr_str_make(d->name, strlen(d->name)))) {
		*ret_why = "a metric of that name is declared already";
		r = -EEXIST;
	}
	if (r == 0) {
		*decls_tail = d;
		decls_tail = &d->next;
	}
	pthread_mutex_unlock(&lock);
	if (r < 0)
		decl_free(d);
	return r;
}

static const char *type_name(enum prom_type t)
{
	return t == PROM_COUNTER ? "counter" : t == PROM_GAUGE ? "gauge" : "histogram";
}

int prom_metric_check(enum prom_type type, struct ksr_str name, int nlabels, const char **ret_why)
{
	struct prom_decl *d;
	int r = 0;

	pthread_mutex_lock(&lock);
	d = find(name);
	if (!d || d->type != type) {
		*ret_why = type == PROM_COUNTER ? "counter not declared (modparam prom_counter)"
		           : type == PROM_GAUGE
		                   ? "gauge not declared (modparam prom_gauge)"
		                   : "histogram not declared (modparam prom_histogram)";
		r = -ENOENT;
	} else if (d->nlabels != nlabels) {
		*ret_why = "the number of label values differs from the declaration";
		r = -EINVAL;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

static bool labels_match(const struct prom_value *v, const struct ksr_str *labels, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(v->labels[i]) != labels[i].len ||
		    (labels[i].len && memcmp(v->labels[i], labels[i].s, labels[i].len)))
			return false;
	return true;
}

/* The value of d for those label values, made when it is not there yet. */
static struct prom_value *value_get(struct prom_decl *d, const struct ksr_str *labels)
{
	struct prom_value *v, **tail = &d->values;

	for (v = d->values; v; v = v->next) {
		if (labels_match(v, labels, d->nlabels))
			return v;
		tail = &v->next;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	for (int i = 0; i < d->nlabels; i++) {
		v->labels[i] = labels[i].len ? strndup(labels[i].s, labels[i].len) : strdup("");
		if (!v->labels[i]) {
			value_free(v);
			return NULL;
		}
	}
	if (d->type == PROM_HISTOGRAM &&
	    !(v->buckets = calloc((size_t)d->nbuckets, sizeof(uint64_t)))) {
		value_free(v);
		return NULL;
	}
	*tail = v;
	return v;
}

int prom_metric_update(enum prom_type type, struct ksr_str name, const struct ksr_str *labels,
                       int nlabels, int op, double x, uint64_t n)
{
	struct prom_decl *d;
	struct prom_value *v;
	int r = 0;

	pthread_mutex_lock(&lock);
	d = find(name);
	if (!d || d->type != type) {
		r = -ENOENT;
		goto out;
	}
	if (d->nlabels != nlabels) {
		r = -EINVAL;
		goto out;
	}
	if (!(v = value_get(d, labels))) {
		r = -ENOMEM;
		goto out;
	}
	v->used = time(NULL);
	switch (op) {
	case PROM_OP_RESET:
		v->count = 0;
		v->v = 0;
		break;
	case PROM_OP_ADD: v->count += n; break;
	case PROM_OP_SET: v->v = x; break;
	case PROM_OP_OBSERVE:
		for (int i = 0; i < d->nbuckets; i++)
			if (x <= d->bounds[i])
				v->buckets[i]++;
		v->count++;
		v->v += x;
		break;
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}

/* "{a="x",b="y"" without the closing brace: the caller may add le. */
static void put_labels(struct prom_out *o, const struct prom_decl *d, const struct prom_value *v)
{
	for (int i = 0; i < d->nlabels; i++) {
		prom_printf(o, "%s%s=", i ? "," : "{", d->labels[i]);
		prom_put_label_value(o, v->labels[i]);
	}
}

static void print_value(struct prom_out *o, struct ksr_str name, const struct prom_decl *d,
                        const struct prom_value *v)
{
	if (d->type != PROM_HISTOGRAM) {
		prom_printf(o, "%.*s", KSR_STR_FMT(name));
		put_labels(o, d, v);
		prom_printf(o, "%s ", d->nlabels ? "}" : "");
		if (d->type == PROM_COUNTER)
			prom_printf(o, "%llu", (unsigned long long)v->count);
		else
			prom_put_double(o, v->v);
		prom_end_sample(o);
		return;
	}
	/* buckets are cumulative: each counts the observations up to its bound */
	for (int i = 0; i <= d->nbuckets; i++) {
		prom_printf(o, "%.*s_bucket", KSR_STR_FMT(name));
		put_labels(o, d, v);
		prom_printf(o, "%sle=\"", d->nlabels ? "," : "{");
		prom_put_double(o, i < d->nbuckets ? d->bounds[i] : (double)INFINITY);
		prom_printf(o, "\"} %llu",
		            (unsigned long long)(i < d->nbuckets ? v->buckets[i] : v->count));
		prom_end_sample(o);
	}
	prom_printf(o, "%.*s_sum", KSR_STR_FMT(name));
	put_labels(o, d, v);
	prom_printf(o, "%s ", d->nlabels ? "}" : "");
	prom_put_double(o, v->v);
	prom_end_sample(o);
	prom_printf(o, "%.*s_count", KSR_STR_FMT(name));
	put_labels(o, d, v);
	prom_printf(o, "%s %llu", d->nlabels ? "}" : "", (unsigned long long)v->count);
	prom_end_sample(o);
}

/* Drop d's values not used since `before`. */
static void expire(struct prom_decl *d, time_t before)
{
	for (struct prom_value **pv = &d->values; *pv;) {
		struct prom_value *v = *pv;

		if (v->used < before) {
			*pv = v->next;
			value_free(v);
		} else {
			pv = &v->next;
		}
	}
}

void prom_metric_print(struct prom_out *o, const char *prefix, int timeout_min)
{
	time_t before = time(NULL) - (time_t)timeout_min * 60;

	pthread_mutex_lock(&lock);
	for (struct prom_decl *d = decls; d; d = d->next) {
		struct prom_out name;
		char help[64];

		if (timeout_min > 0)
			expire(d, before);
		if (!d->values)
			continue;
		prom_out_init(&name, 0);
		prom_put_name(&name, prefix, d->name, NULL);
		if (name.failed) {
			o->failed = true;
			break;
		}
		snprintf(help, sizeof(help), "User defined %s", type_name(d->type));
		prom_put_family(o, ksr_str_make(name.s, name.len), help, type_name(d->type));
		for (struct prom_value *v = d->values; v; v = v->next)
			print_value(o, ksr_str_make(name.s, name.len), d, v);
		prom_out_free(&name);
	}
	pthread_mutex_unlock(&lock);
}
