/*
 * xhttp_prom's parts: the text exposition writer (prom_out.c), the user defined metrics
 * (prom_metric.c) and the core's statistics (prom_stats.c), put together by xhttp_prom.c.
 */
#ifndef KSR_MODULES_XHTTP_PROM_PROM_H
#define KSR_MODULES_XHTTP_PROM_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

/* --- the text format, version 0.0.4 (prom_out.c) --- */

/* A growing text; past max bytes (0: no limit) it fails and keeps what fitted. */
struct prom_out {
	char *s; /* malloc'ed, NUL-terminated */
	size_t len, cap, max;
	bool failed;
	uint64_t ts; /* the scrape's time, milliseconds since the epoch, after every sample */
};

void prom_out_init(struct prom_out *o, size_t max);
void prom_out_free(struct prom_out *o);
void prom_printf(struct prom_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A metric name: prefix then the parts joined by '_', what a name cannot hold as '_'. */
void prom_put_name(struct prom_out *o, const char *prefix, const char *part1, const char *part2);
/* The "# HELP" line of name (the text escaped) and its "# TYPE" line. */
void prom_put_family(struct prom_out *o, struct ksr_str name, const char *help, const char *type);
/* A label value, escaped (\\, \", \n) and quoted. */
void prom_put_label_value(struct prom_out *o, const char *v);
/* A sample's value and timestamp, and the line end: floats as the format writes them. */
void prom_put_double(struct prom_out *o, double v);
void prom_end_sample(struct prom_out *o);
/* Whether s is a valid metric name (with colons) or label name (without). */
bool prom_valid_name(const char *s, bool label);

/* --- user defined metrics (prom_metric.c) --- */

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };
#define PROM_MAX_LABELS 3

/* Declare a metric from its modparam, "name=N; label=a:b:c; buckets=1:2.5". -EINVAL/-EEXIST. */
int prom_metric_declare(enum prom_type type, const char *spec, const char **ret_why);
/* Whether name is declared with that type and nlabels labels (checked at load). */
int prom_metric_check(enum prom_type type, struct ksr_str name, int nlabels, const char **ret_why);
/* Forget every declaration and value. */
void prom_metric_clear(void);

/*
 * Change the value of name{labels}, creating it at first use: counter_reset / gauge_reset
 * set 0, counter_inc adds (an integer >= 0), gauge_set sets, histogram_observe counts v
 * in its buckets. 0; -ENOENT (not declared with that type), -EINVAL (wrong number of
 * labels or a bad value), -ENOMEM.
 */
int prom_metric_update(enum prom_type type, struct ksr_str name, const struct ksr_str *labels,
                       int nlabels, int op, double v, uint64_t n);
enum { PROM_OP_RESET, PROM_OP_ADD, PROM_OP_SET, PROM_OP_OBSERVE };

/*
 * The user defined metrics as text, after dropping those not used for timeout_min
 * minutes (0: never): what prom_dispatch() and xhttp_prom.metric_list_print show.
 */
void prom_metric_print(struct prom_out *o, const char *prefix, int timeout_min);

/* --- the core's statistics (prom_stats.c) --- */

/*
 * The statistics selected by spec (xhttp_prom_stats: "all", "group:", "name", several
 * separated by spaces or commas; "" none), each entry's sorted by name. 0 or -ENOMEM.
 */
int prom_stats_print(struct prom_out *o, const char *prefix, const char *spec);
/* Whether every entry of spec selects a statistic that is registered; -ENOENT if not. */
int prom_stats_check(const char *spec, const char **ret_why);

#endif
