/* log_systemd: write to the systemd journal from the routing script. */
#include <errno.h>
#include <syslog.h>
/* the journal's CODE_FILE/CODE_LINE would name this file, not the script: leave them out */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "core/log.h"
#include "core/module/module.h"
#include "core/parser/msg-t.h"

static const struct {
	const char *name;
	int prio;
} levels[] = {
	{"LOG_EMERG", LOG_EMERG}, {"LOG_ALERT", LOG_ALERT}, {"LOG_CRIT", LOG_CRIT},
	{"LOG_ERR", LOG_ERR}, {"LOG_WARNING", LOG_WARNING}, {"LOG_NOTICE", LOG_NOTICE},
	{"LOG_INFO", LOG_INFO}, {"LOG_DEBUG", LOG_DEBUG},
};

/* The level is a syslog priority name; it is turned into its number once, at load. */
static int fixup_print(struct ksr_fparam *p, int n, const char **ret_err)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (ksr_str_caseeq_cstr(&p[0].s, levels[i].name)) {
			p[0].i = levels[i].prio;
			return 0;
		}
	}
	*ret_err = "the level must be one of LOG_EMERG, LOG_ALERT, LOG_CRIT, LOG_ERR, "
		   "LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG";
	return -EINVAL;
}

static int w_sd_journal_print(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int r = sd_journal_print((int)p[0].i, "%.*s", KSR_STR_FMT(p[1].s));

	if (r < 0) {
		LM_DBG("sd_journal_print failed: %s\n", strerror(-r));
		return -1;
	}
	return 1;
}

static const struct ksr_cmd_export cmds[] = {
	{.name = "sd_journal_print",
	 .func = w_sd_journal_print,
	 .params = {KSR_PT_STR, KSR_PT_STR},
	 .fixup = fixup_print,
	 .route_types = KSR_ROUTE_ANY},
	{0},
};

KSR_MODULE(.name = "log_systemd", .cmds = cmds);
