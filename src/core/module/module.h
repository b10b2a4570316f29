/* Loading modules and finding what they export. */
#ifndef KSR_CORE_MODULE_MODULE_H
#define KSR_CORE_MODULE_MODULE_H

#include "core/module/module-t.h"

struct ksr_module {
	const struct ksr_module_exports *exp;
	void *handle;
	char *path;
	struct ksr_module *next;
};

/* Module search path (core parameter `loadpath`, option -L); ':'-separated. */
extern char *ksr_module_path;
/* Append a directory to the search path. 0 or -ENOMEM. */
int ksr_module_path_add(const char *dir);

/*
 * Load a module by name ("sl", "sl.so") or path, with dlopen(RTLD_NOW): unresolved
 * symbols, a missing export table and an ABI mismatch fail with the reason in
 * ret_err (a malloc'ed text the caller frees). Loading twice is a no-op.
 */
int ksr_module_load(const char *name, char **ret_err);
struct ksr_module *ksr_module_find(const char *name);
/*
 * The API a loaded module provides under name (its exports' apis), or NULL when no loaded
 * module does: a consumer binds in mod_init, when every module is loaded, and fails clearly
 * without it.
 */
const void *ksr_api_bind(const char *name);
struct ksr_module *ksr_modules(void);
/* The function `name` taking `nparams` parameters, or NULL. */
const struct ksr_cmd_export *ksr_module_find_cmd(const char *name, int nparams,
						 const struct ksr_module **ret_mod);
/* Whether a function of that name exists with any number of parameters. */
bool ksr_module_cmd_exists(const char *name);
/* Up to three known function names close to name, ", "-separated into buf; the count. */
int ksr_module_cmd_near(const char *name, char *buf, size_t size);
/* Add a table that is part of the daemon (the core functions), as if loaded. */
int ksr_module_register_builtin(const struct ksr_module_exports *exp);
/* modparam(module, name, value): value is a string or an int. 0 or -errno + ret_err. */
int ksr_module_set_param(const char *module, const char *param, const struct ksr_fparam *val,
			 const char **ret_err);
int ksr_modules_init(void);
int ksr_modules_child_init(int rank);
void ksr_modules_destroy(void);
/* Unload everything (tests and clean shutdown). */
void ksr_modules_unload(void);

#endif
