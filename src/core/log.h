/* One logging API for core and modules: levels as Kamailio's, stderr or syslog. */
#ifndef KSR_CORE_LOG_H
#define KSR_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum ksr_log_level {
	L_ALERT = -5,
	L_BUG = -4,
	L_CRIT = -3,
	L_ERR = -1,
	L_WARN = 0,
	L_NOTICE = 1,
	L_INFO = 2,
	L_DBG = 3,
};

/* Current level (core parameter `debug`, option -d); messages above it are dropped. */
extern int ksr_log_level;
/* Log to stderr instead of syslog (core parameter `log_stderror`, option -E). */
extern bool ksr_log_stderr;

#ifndef MOD_NAME
#define MOD_NAME "core"
#endif

/* "ERROR", "INFO", ... as log lines name a level; and its syslog priority. */
const char *ksr_log_level_name(int level);
int ksr_log_syslog_prio(int level);

void ksr_log(int level, const char *mod, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Open syslog with ident (core parameter `log_name`, "kamailio" by default) and facility
 * (`log_facility`: LOG_DAEMON by default); before this, messages go to stderr.
 */
void ksr_log_init_syslog(const char *ident, int facility);
/* "LOG_LOCAL0" and the other syslog facility names to their value; -EINVAL if unknown. */
int ksr_log_facility_parse(const char *name);

/*
 * The prefix of this thread's lines until cleared (core parameter `log_prefix`, set
 * while a message is processed). s must stay valid until then; NULL clears.
 */
void ksr_log_set_prefix(const char *s, size_t len);

#define KSR_LOG(lev, ...)                                                           \
	do {                                                                        \
		if ((lev) <= ksr_log_level)                                         \
			ksr_log((lev), MOD_NAME, __func__, __VA_ARGS__);            \
	} while (0)

#define LM_ALERT(...) KSR_LOG(L_ALERT, __VA_ARGS__)
#define LM_BUG(...) KSR_LOG(L_BUG, __VA_ARGS__)
#define LM_CRIT(...) KSR_LOG(L_CRIT, __VA_ARGS__)
#define LM_ERR(...) KSR_LOG(L_ERR, __VA_ARGS__)
#define LM_WARN(...) KSR_LOG(L_WARN, __VA_ARGS__)
#define LM_NOTICE(...) KSR_LOG(L_NOTICE, __VA_ARGS__)
#define LM_INFO(...) KSR_LOG(L_INFO, __VA_ARGS__)
#define LM_DBG(...) KSR_LOG(L_DBG, __VA_ARGS__)

#endif
