/* Core parameters of kamailio.cfg: name = value at the top level. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/route/program.h"

struct ksr_core_cfg ksr_core_cfg = {.debug = L_WARN, .children = 8};

static int to_bool(const char *s, long i, bool is_int, bool *ret)
{
	if (is_int) {
		*ret = i != 0;
		return 0;
	}
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcasecmp(s, "true")) {
		*ret = true;
		return 0;
	}
	if (!strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcasecmp(s, "false")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

int ksr_cfg_core_param(const char *name, const char *sval, long ival, bool is_int,
		       struct ksr_pos pos, struct ksr_cfg_error *err)
{
	bool b;

	if (!strcmp(name, "debug")) {
		if (!is_int)
			return ksr_cfg_fail(err, pos, "debug takes a number");
		ksr_core_cfg.debug = (int)ival;
		ksr_core_cfg.debug_set = true;
		return 0;
	}
	if (!strcmp(name, "log_stderror")) {
		if (to_bool(sval, ival, is_int, &b) < 0)
			return ksr_cfg_fail(err, pos, "log_stderror takes yes or no");
		ksr_core_cfg.log_stderror = b;
		ksr_core_cfg.log_stderror_set = true;
		return 0;
	}
	if (!strcmp(name, "children")) {
		if (!is_int || ival < 1 || ival > 1024)
			return ksr_cfg_fail(err, pos, "children takes a number from 1 to 1024");
		ksr_core_cfg.children = (int)ival;
		ksr_core_cfg.children_set = true;
		return 0;
	}
	if (!strcmp(name, "server_signature")) {
		if (to_bool(sval, ival, is_int, &b) < 0)
			return ksr_cfg_fail(err, pos, "server_signature takes yes or no");
		ksr_server_signature = b;
		return 0;
	}
	if (!strcmp(name, "max_while_loops")) {
		if (!is_int || ival < 1)
			return ksr_cfg_fail(err, pos, "max_while_loops takes a positive number");
		ksr_max_while_loops = (int)ival;
		return 0;
	}
	if (!strcmp(name, "listen")) {
		const char *why = NULL;

		if (is_int || !sval || !*sval)
			return ksr_cfg_fail(err, pos, "listen takes [proto:]address[:port]");
		if (ksr_listener_add(sval, &why) < 0)
			return ksr_cfg_fail(err, pos, "listen '%s': %s", sval, why);
		return 0;
	}
	if (!strcmp(name, "loadpath") || !strcmp(name, "mpath")) {
		if (is_int || !sval)
			return ksr_cfg_fail(err, pos, "%s takes a directory", name);
		return ksr_module_path_add(sval) < 0 ? ksr_cfg_fail(err, pos, "out of memory") : 0;
	}
	return ksr_cfg_fail(err, pos, "unknown core parameter '%s'", name);
}
