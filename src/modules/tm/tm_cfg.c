/*
 * tm's group of the runtime configuration (cfg.seti tm fr_timer 10000): the timers and
 * switches tm reads for each new transaction or reply, mirrored into tm's globals.
 */
#include <errno.h>
#include <limits.h>

#include "core/cfg/rtcfg.h"
#include "tm.h"

static struct ksr_rtcfg_group *group;

#define MS(n, v, d)                                                                                \
	{                                                                                          \
		.name = n, .type = KSR_RTCFG_INT, .desc = d, .min = 1, .max = INT_MAX,             \
		.mirror = &v                                                                       \
	}
#define FLAG(n, v, d)                                                                              \
	{                                                                                          \
		.name = n, .type = KSR_RTCFG_INT, .desc = d, .min = 0, .max = 1, .mirror = &v      \
	}

static const struct ksr_rtcfg_var vars[] = {
        MS("fr_timer", tm_fr_timer,
           "milliseconds a branch waits for a final reply (for a request other than INVITE, or "
           "an INVITE with no provisional reply yet)"),
        MS("fr_inv_timer", tm_fr_inv_timer,
           "milliseconds an INVITE branch waits for a final reply once a provisional one came"),
        MS("wt_timer", tm_wt_timer,
           "milliseconds a completed transaction is kept for retransmissions"),
        MS("retr_timer1", tm_retr_timer1, "first retransmission interval, milliseconds (T1)"),
        MS("retr_timer2", tm_retr_timer2, "longest retransmission interval, milliseconds (T2)"),
        MS("max_inv_lifetime", tm_max_inv_lifetime,
           "milliseconds an INVITE transaction may live at most"),
        MS("max_noninv_lifetime", tm_max_noninv_lifetime,
           "milliseconds a transaction other than INVITE may live at most"),
        FLAG("auto_inv_100", tm_auto_inv_100, "1: answer an INVITE with 100 at once"),
        FLAG("restart_fr_on_each_reply", tm_restart_fr_on_each_reply,
             "1: every provisional reply starts fr_inv_timer again"),
        {0},
};

int tm_cfg_declare(void)
{
	return ksr_rtcfg_declare("tm", vars, &group);
}

void tm_cfg_undeclare(void)
{
	ksr_rtcfg_undeclare(group);
	group = NULL;
}
