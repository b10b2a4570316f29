/* The module loader: dlopen(RTLD_NOW), ABI check, modparams, init and destroy. */
#include "core/module/module.h"

#include <dlfcn.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/pv/pv.h"
#include "core/rpc/rpc.h"

char *ksr_module_path;
static struct ksr_module *modules; /* in load order */

static char *fmt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_err(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int ksr_module_path_add(const char *dir)
{
	char *np;

	if (!ksr_module_path || !*ksr_module_path)
		np = strdup(dir);
	else
		np = fmt_err("%s:%s", ksr_module_path, dir);
	if (!np)
		return -ENOMEM;
	free(ksr_module_path);
	ksr_module_path = np;
	return 0;
}

static bool file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* "sl" -> <dir>/sl.so, <dir>/sl/sl.so for each dir of the path; a name with '/' as is. */
static char *resolve(const char *name)
{
	bool has_so = strlen(name) > 3 && strcmp(name + strlen(name) - 3, ".so") == 0;
	const char *p = ksr_module_path ? ksr_module_path : "";
	char *cand = NULL;

	if (strchr(name, '/'))
		return has_so ? strdup(name) : fmt_err("%s.so", name);
	while (*p) {
		const char *colon = strchr(p, ':');
		int dlen = colon ? (int)(colon - p) : (int)strlen(p);
		int blen = has_so ? (int)strlen(name) - 3 : (int)strlen(name);

		free(cand);
		cand = fmt_err("%.*s/%s%s", dlen, p, name, has_so ? "" : ".so");
		if (cand && file_exists(cand))
			return cand;
		free(cand);
		cand = fmt_err("%.*s/%.*s/%.*s.so", dlen, p, blen, name, blen, name);
		if (cand && file_exists(cand))
			return cand;
		p += dlen;
		if (*p == ':')
			p++;
	}
	free(cand);
	return NULL;
}

const void *ksr_api_bind(const char *name)
{
	for (struct ksr_module *m = modules; m; m = m->next)
		for (const struct ksr_api_export *a = m->exp->apis; a && a->name; a++)
			if (strcmp(a->name, name) == 0)
				return a->api;
	return NULL;
}

/* The name of an API exp provides that a loaded module provides already, or NULL. */
static const char *api_taken(const struct ksr_module_exports *exp)
{
	for (const struct ksr_api_export *a = exp->apis; a && a->name; a++)
		if (ksr_api_bind(a->name))
			return a->name;
	return NULL;
}

int ksr_module_load(const char *name, char **ret_err)
{
	const struct ksr_module_exports *exp;
	struct ksr_module *m, **tail;
	char *path;
	void *h;

	path = resolve(name);
	if (!path) {
		*ret_err = fmt_err("module '%s' not found in '%s'", name,
				   ksr_module_path ? ksr_module_path : "");
		return -ENOENT;
	}
	for (m = modules; m; m = m->next) {
		if (strcmp(m->path, path) == 0) {
			free(path);
			return 0;
		}
	}
	/* RTLD_NOW: a symbol the daemon does not provide fails here, not mid-call */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		*ret_err = fmt_err("could not load module '%s': %s", path, dlerror());
		free(path);
		return -ELIBBAD;
	}
	exp = dlsym(h, KSR_MODULE_EXPORTS_SYMBOL);
	if (!exp) {
		*ret_err = fmt_err("module '%s' has no '%s' export table", path,
				   KSR_MODULE_EXPORTS_SYMBOL);
		goto fail;
	}
	if (exp->abi_version != KSR_MODULE_ABI_VERSION ||
	    exp->struct_size != sizeof(struct ksr_module_exports)) {
		*ret_err = fmt_err("module '%s' was built for module ABI %u (size %u), this daemon "
				   "has ABI %u (size %zu): rebuild the module",
				   path, exp->abi_version, exp->struct_size,
				   KSR_MODULE_ABI_VERSION, sizeof(struct ksr_module_exports));
		goto fail;
	}
	if (!exp->name || !*exp->name) {
		*ret_err = fmt_err("module '%s' exports no name", path);
		goto fail;
	}
	if (ksr_module_find(exp->name)) {
		*ret_err = fmt_err("module '%s' from '%s' is already loaded", exp->name, path);
		goto fail;
	}
	if (api_taken(exp)) {
		*ret_err = fmt_err("module '%s' provides the API '%s', which another loaded module "
				   "provides already", exp->name, api_taken(exp));
		goto fail;
	}
	if ((exp->pvs && ksr_pv_register(exp->pvs) < 0) ||
	    (exp->trans && ksr_tr_register(exp->trans) < 0)) {
		*ret_err = fmt_err("module '%s' exports a pseudo-variable or transformation "
				   "that another module already has", exp->name);
		goto fail;
	}
	if (exp->rpcs && ksr_rpc_register(exp->rpcs) < 0) {
		*ret_err = fmt_err("module '%s' exports an RPC method that another module "
				   "already has", exp->name);
		goto fail;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		*ret_err = fmt_err("out of memory");
		goto fail;
	}
	m->exp = exp;
	m->handle = h;
	m->path = path;
	for (tail = &modules; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	LM_DBG("loaded module %s from %s\n", exp->name, path);
	return 0;
fail:
	dlclose(h);
	free(path);
	return -ELIBBAD;
}

struct ksr_module *ksr_modules(void)
{
	return modules;
}

struct ksr_module *ksr_module_find(const char *name)
{
	for (struct ksr_module *m = modules; m; m = m->next)
		if (strcmp(m->exp->name, name) == 0)
			return m;
	return NULL;
}

static int count_params(const struct ksr_cmd_export *c)
{
	int n = 0;

	while (n < KSR_MAX_PARAMS && c->params[n] != KSR_PT_NONE)
		n++;
	return n;
}

const struct ksr_cmd_export *ksr_module_find_cmd(const char *name, int nparams,
						 const struct ksr_module **ret_mod)
{
	for (struct ksr_module *m = modules; m; m = m->next) {
		for (const struct ksr_cmd_export *c = m->exp->cmds; c && c->name; c++) {
			if (strcmp(c->name, name) == 0 && count_params(c) == nparams) {
				if (ret_mod)
					*ret_mod = m;
				return c;
			}
		}
	}
	return NULL;
}

bool ksr_module_cmd_exists(const char *name)
{
	for (struct ksr_module *m = modules; m; m = m->next)
		for (const struct ksr_cmd_export *c = m->exp->cmds; c && c->name; c++)
			if (strcmp(c->name, name) == 0)
				return true;
	return false;
}

/* Edit distance, capped: names longer than 63 are never "near". */
static unsigned int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[64];

	if (la >= 64 || lb >= 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int ksr_module_cmd_near(const char *name, char *buf, size_t size)
{
	int n = 0;
	size_t used = 0;

	buf[0] = '\0';
	for (struct ksr_module *m = modules; m && n < 3; m = m->next) {
		for (const struct ksr_cmd_export *c = m->exp->cmds; c && c->name && n < 3; c++) {
			if (distance(name, c->name) > 2)
				continue;
			if (strstr(buf, c->name))
				continue; /* the same name with another parameter count */
			used += (size_t)snprintf(buf + used, size - used, "%s'%s'", n ? ", " : "",
						 c->name);
			if (used >= size)
				return n;
			n++;
		}
	}
	return n;
}

int ksr_module_register_builtin(const struct ksr_module_exports *exp)
{
	struct ksr_module *m, **tail;

	if (ksr_module_find(exp->name))
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->exp = exp;
	m->path = strdup("(built in)");
	if (!m->path) {
		free(m);
		return -ENOMEM;
	}
	if (api_taken(exp) || (exp->pvs && ksr_pv_register(exp->pvs) < 0) ||
	    (exp->trans && ksr_tr_register(exp->trans) < 0) ||
	    (exp->rpcs && ksr_rpc_register(exp->rpcs) < 0)) {
		free(m->path);
		free(m);
		return -EEXIST;
	}
	for (tail = &modules; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	return 0;
}

static int set_one(struct ksr_module *m, const struct ksr_param_export *p,
		   const struct ksr_fparam *val, const char **ret_err)
{
	switch (p->type) {
	case KSR_MP_INT:
		if (val->type == KSR_PT_INT) {
			*(int *)p->target = (int)val->i;
			return 0;
		}
		{
			/* "yes" as a string: the words the config reads as 1 and 0 (s is NUL-ended) */
			int b = ksr_cfg_bool_word(val->s.s);

			if (b >= 0) {
				*(int *)p->target = b;
				return 0;
			}
		}
		*ret_err = "parameter takes an integer";
		return -EINVAL;
	case KSR_MP_FUNC:
		if (!p->set) {
			*ret_err = "parameter has no setter";
			return -EINVAL;
		}
		return p->set(val, ret_err);
	case KSR_MP_STR: {
		char *copy;

		if (val->type != KSR_PT_STR) {
			*ret_err = "parameter takes a string";
			return -EINVAL;
		}
		copy = strndup(val->s.s, val->s.len);
		if (!copy) {
			*ret_err = "out of memory";
			return -ENOMEM;
		}
		*(char **)p->target = copy;
		return 0;
	}
	}
	*ret_err = "parameter has an unknown type";
	return -EINVAL;
}

/* The module name is an extended regex matched against whole names, as upstream. */
int ksr_module_set_param(const char *module, const char *param, const struct ksr_fparam *val,
			 const char **ret_err)
{
	bool matched_module = false, found = false;
	char *anchored;
	regex_t re;
	int r = 0;

	anchored = fmt_err("^(%s)$", module);
	if (!anchored) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0) {
		free(anchored);
		*ret_err = "bad regular expression for the module name";
		return -EINVAL;
	}
	free(anchored);
	for (struct ksr_module *m = modules; m && r == 0; m = m->next) {
		if (regexec(&re, m->exp->name, 0, NULL, 0) != 0)
			continue;
		matched_module = true;
		for (const struct ksr_param_export *p = m->exp->params; p && p->name; p++) {
			if (strcmp(p->name, param) == 0) {
				found = true;
				r = set_one(m, p, val, ret_err);
				break;
			}
		}
	}
	regfree(&re);
	if (r < 0)
		return r;
	if (!matched_module) {
		*ret_err = "no loaded module matches the module name";
		return -ENOENT;
	}
	if (!found) {
		*ret_err = "the module has no such parameter";
		return -ENOENT;
	}
	return 0;
}

int ksr_modules_init(void)
{
	for (struct ksr_module *m = modules; m; m = m->next) {
		if (m->exp->mod_init && m->exp->mod_init() < 0) {
			LM_ERR("initializing module %s failed\n", m->exp->name);
			return -EINVAL;
		}
	}
	return 0;
}

int ksr_modules_child_init(int rank)
{
	for (struct ksr_module *m = modules; m; m = m->next) {
		if (m->exp->child_init && m->exp->child_init(rank) < 0) {
			LM_ERR("child_init(%d) of module %s failed\n", rank, m->exp->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* The last loaded first, as upstream: a module's destroy may still use those it needs
 * (usrloc's write-back flush uses the database driver loaded before it). */
static void destroy_from(struct ksr_module *m)
{
	if (!m)
		return;
	destroy_from(m->next);
	if (m->exp->destroy)
		m->exp->destroy();
}

void ksr_modules_destroy(void)
{
	destroy_from(modules);
}

void ksr_modules_unload(void)
{
	struct ksr_module *m, *next;

	for (m = modules; m; m = next) {
		next = m->next;
		if (m->exp->rpcs)
			ksr_rpc_unregister(m->exp->rpcs);
#ifndef KSR_NO_DLCLOSE /* sanitizer builds keep modules mapped for readable reports */
		if (m->handle) /* built-in tables have none */
			dlclose(m->handle);
#endif
		free(m->path);
		free(m);
	}
	modules = NULL;
}
