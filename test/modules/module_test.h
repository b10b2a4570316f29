/*
 * Helpers of the module unit tests (kamailio_add_module_unit_test): the export table of
 * the module linked into the test, and parameters as the interpreter hands them over.
 * Include after <cmocka.h>.
 */
#ifndef KSR_TEST_MODULES_MODULE_TEST_H
#define KSR_TEST_MODULES_MODULE_TEST_H

#include <string.h>

#include "core/module/module.h"

extern const struct ksr_module_exports ksr_module_exports;

/* The module's function name with nparams parameters (-1: the first of that name). */
static inline const struct ksr_cmd_export *cmd_n(const char *name, int nparams)
{
	for (const struct ksr_cmd_export *c = ksr_module_exports.cmds; c->name; c++) {
		int n = 0;

		while (n < KSR_MAX_PARAMS && c->params[n] != KSR_PT_NONE)
			n++;
		if (strcmp(c->name, name) == 0 && (nparams < 0 || n == nparams))
			return c;
	}
	fail_msg("no function %s/%d", name, nparams);
	return NULL;
}

static inline const struct ksr_cmd_export *cmd(const char *name)
{
	return cmd_n(name, -1);
}

static inline struct ksr_fparam int_param(long i)
{
	return (struct ksr_fparam){.type = KSR_PT_INT, .i = i};
}

static inline struct ksr_fparam str_param(const char *s)
{
	return (struct ksr_fparam){.type = KSR_PT_STR, .s = ksr_str_make((char *)s, strlen(s))};
}

#endif
