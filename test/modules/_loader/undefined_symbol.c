/* A module that calls a function nobody defines: loading it must fail, naming the symbol. */
#include "core/module/module.h"

int ksr_test_symbol_nobody_defines(void);

static int call_missing(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_test_symbol_nobody_defines();
}

static const struct ksr_cmd_export cmds[] = {
	{.name = "call_missing", .func = call_missing, .route_types = KSR_ROUTE_ANY},
	{0},
};

KSR_MODULE(.name = "undefined_symbol", .cmds = cmds);
