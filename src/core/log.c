/* Logging backend: formats one line and sends it to stderr or syslog. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

int ksr_log_level = L_WARN;
bool ksr_log_stderr = true;
static bool syslog_open;

static const char *level_name(int level)
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

static int syslog_prio(int level)
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

void ksr_log_init_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_CONS, LOG_DAEMON);
	syslog_open = true;
}

void ksr_log(int level, const char *mod, const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%s: <%s> [%s]: ", level_name(level), mod, func);
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
		syslog(syslog_prio(level), "%s", line);
}
