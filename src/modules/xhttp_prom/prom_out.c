/*
 * xhttp_prom: writing the Prometheus text exposition format 0.0.4: metric and label
 * names made valid, label values and help texts escaped, floats as the format spells
 * them (NaN, +Inf, -Inf), each sample ending with the scrape's timestamp as upstream's.
 */
#include "prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prom_out_init(struct prom_out *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
}

void prom_out_free(struct prom_out *o)
{
	free(o->s);
	memset(o, 0, sizeof(*o));
}

/* Room for n more bytes and the NUL. */
static bool reserve(struct prom_out *o, size_t n)
{
	size_t cap;
	char *s;

	if (o->failed)
		return false;
	if (o->max && o->len + n > o->max) {
		o->failed = true;
		return false;
	}
	if (o->len + n + 1 <= o->cap)
		return true;
	for (cap = o->cap ? o->cap : 4096; cap < o->len + n + 1; cap *= 2)
		;
	s = realloc(o->s, cap);
	if (!s) {
		o->failed = true;
		return false;
	}
	o->s = s;
	o->cap = cap;
	return true;
}

static void put(struct prom_out *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

void prom_printf(struct prom_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(o, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

static bool name_char(char c, bool first, bool label)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (c == ':')
		return !label;
	return !first && c >= '0' && c <= '9';
}

bool prom_valid_name(const char *s, bool label)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!name_char(*p, p == s, label))
			return false;
	return true;
}

void prom_put_name(struct prom_out *o, const char *prefix, const char *part1, const char *part2)
{
	const char *parts[] = {prefix, part1, part2};
	size_t start = o->len;

	for (int i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (i == 2 && o->len > start)
			put(o, "_", 1);
		for (const char *p = parts[i]; *p; p++) {
			/* upstream turns '-' into '_'; any other byte a name cannot hold too */
			char c = name_char(*p, o->len == start, false) ? *p : '_';

			put(o, &c, 1);
		}
	}
}

void prom_put_family(struct prom_out *o, struct ksr_str name, const char *help, const char *type)
{
	prom_printf(o, "# HELP %.*s ", KSR_STR_FMT(name));
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			put(o, "\\\\", 2);
		else if (*p == '\n')
			put(o, "\\n", 2);
		else
			put(o, p, 1);
	}
	prom_printf(o, "\n# TYPE %.*s %s\n", KSR_STR_FMT(name), type);
}

void prom_put_label_value(struct prom_out *o, const char *v)
{
	put(o, "\"", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			put(o, "\\\\", 2);
		else if (*p == '"')
			put(o, "\\\"", 2);
		else if (*p == '\n')
			put(o, "\\n", 2);
		else
			put(o, p, 1);
	}
	put(o, "\"", 1);
}

void prom_put_double(struct prom_out *o, double v)
{
	if (isnan(v))
		prom_printf(o, "NaN");
	else if (isinf(v))
		prom_printf(o, "%sInf", v > 0 ? "+" : "-");
	else
		prom_printf(o, "%.15g", v);
}

void prom_end_sample(struct prom_out *o)
{
	prom_printf(o, " %llu\n", (unsigned long long)o->ts);
}
