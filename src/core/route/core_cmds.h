/* The core's own script functions (setflag, seturi, strip, force_rport, ...). */
#ifndef KSR_CORE_ROUTE_CORE_CMDS_H
#define KSR_CORE_ROUTE_CORE_CMDS_H

/* Make them known, as the built-in table "core"; before any config is compiled. */
int ksr_core_cmds_register(void);

#endif
