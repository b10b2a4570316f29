/* Config error reporting. */
#include "core/cfg/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int ksr_cfg_fail(struct ksr_cfg_error *err, struct ksr_pos pos, const char *fmt, ...)
{
	va_list ap;

	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}
