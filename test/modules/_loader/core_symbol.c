/* A module that calls a core function: loading it must succeed (symbols from the daemon). */
#include "core/log.h"
#include "core/module/module.h"

static int mod_init(void)
{
	ksr_log(L_INFO, "core_symbol", __func__, "core symbol resolved\n");
	return 0;
}

KSR_MODULE(.name = "core_symbol", .mod_init = mod_init);
