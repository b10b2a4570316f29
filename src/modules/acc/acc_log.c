/*
 * The log backend: one line per record, as upstream writes it,
 *   ACC: transaction answered: timestamp=1700000000;method=INVITE;from_tag=...;to_tag=...;
 *   call_id=...;code=200;reason=OK;src_user=alice;...
 * at log_level, to syslog with log_facility (or stderr with log_stderror).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "acc.h"

/* What the core's logger carries of one line (core/log.c formats into 1024 bytes). */
#define CORE_LINE_MAX 900

/* ";name=value" */
static char *put_attr(char *p, const char *name, struct ksr_str val)
{
	size_t n = strlen(name);

	*p++ = ';';
	memcpy(p, name, n);
	p += n;
	*p++ = '=';
	if (val.len)
		memcpy(p, val.s, val.len);
	return p + val.len;
}

void acc_time_text(const struct acc_rec *rec, char *buf, size_t size)
{
	struct tm tm;

	if (acc_conf.time_mode == 3)
		localtime_r(&rec->tv.tv_sec, &tm);
	else
		gmtime_r(&rec->tv.tv_sec, &tm);
		/* the format is the config's: what time_format is for */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(buf, size, acc_conf.time_format, &tm) == 0)
		buf[0] = '\0';
#pragma GCC diagnostic pop
}

/* time_mode's attribute after the timestamp: ";name=value", or "" (mode 0). */
static int time_attr(const struct acc_rec *rec, char *buf, size_t size)
{
	char when[128];

	switch (acc_conf.time_mode) {
	case 1:
		/* the seconds are the timestamp: the microseconds go under time_exten */
		return snprintf(buf, size, ";%s=%u", acc_conf.time_exten,
		                (unsigned int)rec->tv.tv_usec);
	case 2:
		return snprintf(buf, size, ";%s=%.3f", acc_conf.time_attr,
		                (double)rec->tv.tv_sec + (double)rec->tv.tv_usec / 1e6);
	case 3:
	case 4:
		acc_time_text(rec, when, sizeof(when));
		return snprintf(buf, size, ";%s=%s", acc_conf.time_attr, when);
	default: buf[0] = '\0'; return 0;
	}
}

/* The line to the log: the core's logger, or syslog with acc's facility. */
static void emit(const char *line, size_t len)
{
	int level = acc_conf.log_level;

	if (level > ksr_log_level)
		return;
	if (!ksr_log_stderr) {
		syslog(acc_conf.log_facility | ksr_log_syslog_prio(level),
		       "%s: <" MOD_NAME "> [acc_log_request]: %.*s", ksr_log_level_name(level),
		       (int)len, line);
	} else if (len <= CORE_LINE_MAX) {
		ksr_log(level, MOD_NAME, "acc_log_request", "%.*s", (int)len, line);
	} else {
		/* longer than the core's logger carries: the same shape, written whole */
		fprintf(stderr, " %d [%ld] %s: <" MOD_NAME "> [acc_log_request]: %.*s",
		        (int)getpid(), (long)time(NULL), ksr_log_level_name(level), (int)len, line);
	}
}

int acc_log_write(struct ksr_msg *msg, const struct acc_rec *rec)
{
	const struct acc_extras *x = &acc_conf.log_extra;
	struct acc_val *vals = NULL;
	char tbuf[200], *line, *p;
	size_t len;
	int tlen;

	if (acc_conf.log_level > ksr_log_level)
		return 0; /* nothing to evaluate for a line nobody sees */
	if (x->n && !(vals = ksr_arena_alloc(msg->arena, sizeof(*vals) * (size_t)x->n)))
		return -ENOMEM;
	acc_extras_eval(msg, x, vals);
	tlen = time_attr(rec, tbuf, sizeof(tbuf));
	if (tlen < 0 || (size_t)tlen >= sizeof(tbuf))
		tlen = 0;
	len = strlen(rec->text) + 64 + (size_t)tlen + rec->method.len + rec->from_tag.len +
	      rec->to_tag.len + rec->callid.len + rec->code.len + rec->reason.len + 64;
	for (int i = 0; i < x->n; i++)
		len += x->v[i].name.len + vals[i].s.len + 2;
	if (!(line = ksr_arena_alloc_nz(msg->arena, len)))
		return -ENOMEM;
	p = line + snprintf(line, len, "ACC: %s: timestamp=%lu%.*s", rec->text,
	                    (unsigned long)rec->tv.tv_sec, tlen, tbuf);
	p = put_attr(p, "method", rec->method);
	p = put_attr(p, "from_tag", rec->from_tag);
	p = put_attr(p, "to_tag", rec->to_tag);
	p = put_attr(p, "call_id", rec->callid);
	p = put_attr(p, "code", rec->code);
	p = put_attr(p, "reason", rec->reason);
	for (int i = 0; i < x->n; i++)
		p = put_attr(p, x->v[i].name.s, vals[i].s);
	*p++ = '\n';
	emit(line, (size_t)(p - line));
	return 0;
}
