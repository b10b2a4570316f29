/* Logging backend: formats one line and sends it to stderr or syslog. */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

int ksr_log_level = L_WARN;
bool ksr_log_stderr = true;
static bool syslog_open;
static _Thread_local const char *prefix;
static _Thread_local size_t prefix_len;

const char *ksr_log_level_name(int level)
{
	switch (level) {
	case L_ALERT: return "ALERT";
	case L_BUG: return "BUG";
	case L_CRIT: return "CRITICAL";
	case L_ERR: return "ERROR";
	case L_WARN: return "WARNING";
	case L_NOTICE: return "NOTICE";
	case L_INFO: return "INFO";
	default: return "DEBUG";
	}
}

int ksr_log_syslog_prio(int level)
{
	switch (level) {
	case L_ALERT: return LOG_ALERT;
	case L_BUG:
	case L_CRIT: return LOG_CRIT;
	case L_ERR: return LOG_ERR;
	case L_WARN: return LOG_WARNING;
	case L_NOTICE: return LOG_NOTICE;
	case L_INFO: return LOG_INFO;
	default: return LOG_DEBUG;
	}
}

void ksr_log_init_syslog(const char *ident, int facility)
{
	openlog(ident, LOG_PID | LOG_CONS, facility);
	syslog_open = true;
}

int ksr_log_facility_parse(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} facilities[] = {
		{"LOG_AUTH", LOG_AUTH}, {"LOG_AUTHPRIV", LOG_AUTHPRIV}, {"LOG_CRON", LOG_CRON},
		{"LOG_DAEMON", LOG_DAEMON}, {"LOG_FTP", LOG_FTP}, {"LOG_KERN", LOG_KERN},
		{"LOG_LOCAL0", LOG_LOCAL0}, {"LOG_LOCAL1", LOG_LOCAL1}, {"LOG_LOCAL2", LOG_LOCAL2},
		{"LOG_LOCAL3", LOG_LOCAL3}, {"LOG_LOCAL4", LOG_LOCAL4}, {"LOG_LOCAL5", LOG_LOCAL5},
		{"LOG_LOCAL6", LOG_LOCAL6}, {"LOG_LOCAL7", LOG_LOCAL7}, {"LOG_LPR", LOG_LPR},
		{"LOG_MAIL", LOG_MAIL}, {"LOG_NEWS", LOG_NEWS}, {"LOG_SYSLOG", LOG_SYSLOG},
		{"LOG_USER", LOG_USER}, {"LOG_UUCP", LOG_UUCP},
	};

	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].value;
	return -EINVAL;
}

void ksr_log_set_prefix(const char *s, size_t len)
{
	prefix = s;
	prefix_len = s ? len : 0;
}

void ksr_log(int level, const char *mod, const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	/* the prefix goes after the level, as upstream prints it */
	n = snprintf(line, sizeof(line), "%s: %.*s<%s> [%s]: ", ksr_log_level_name(level),
		     (int)prefix_len, prefix ? prefix : "", mod, func);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (ksr_log_stderr || !syslog_open)
		fprintf(stderr, " %d [%ld] %s", (int)getpid(), (long)time(NULL), line);
	else
		syslog(ksr_log_syslog_prio(level), "%s", line);
}
