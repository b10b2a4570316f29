/* Reloading the routing rules of the running daemon, without a restart. */
#include "core/cfg/reload.h"

#include <errno.h>

#include "core/cfg/cfg.h"
#include "core/cfg/pp.h"
#include "core/log.h"
#include "core/route/program.h"
#include "core/version.h"

static const char *cfg_file;
static char **cmdline_defines;
static int ncmdline_defines;

void ksr_reload_setup(const char *file, char **defines, int ndefines)
{
	cfg_file = file;
	cmdline_defines = defines;
	ncmdline_defines = ndefines;
}

int ksr_reload_routes(struct ksr_cfg_error *err)
{
	struct ksr_program *prog = NULL;
	struct ksr_pp *pp;
	int r;

	if (!cfg_file)
		return ksr_cfg_fail(err, (struct ksr_pos){"", 0, 0}, "no config file to reload");
	pp = ksr_pp_new();
	if (!pp)
		return -ENOMEM;
	/* the same defines as at start: predefined first, then -A in order */
	r = ksr_pp_define_core(pp, KSR_VERSION, KSR_OS);
	for (int i = 0; r == 0 && i < ncmdline_defines; i++)
		r = ksr_pp_define_arg(pp, cmdline_defines[i]);
	if (r < 0) {
		ksr_pp_free(pp);
		return ksr_cfg_fail(err, (struct ksr_pos){cfg_file, 0, 0}, "cannot set the defines");
	}
	r = ksr_cfg_reload(cfg_file, pp, &prog, err);
	ksr_pp_free(pp);
	if (r < 0) {
		LM_ERR("routes not reloaded: %s:%d:%d: %s\n", err->pos.file, err->pos.line,
		       err->pos.col, err->msg);
		return r;
	}
	ksr_program_install(prog);
	ksr_program_unref(prog);
	LM_NOTICE("routes reloaded from %s\n", cfg_file);
	return 0;
}
