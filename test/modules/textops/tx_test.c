/* Helpers of textops' tests (tx_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "core/pv/pv.h"
#include "core/route/core_cmds.h"
#include "tx_test.h"

static char written[512];

static int tst_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	char *s;

	if (spec->name.len == 1 && spec->name.s[0] == 'w') {
		ret->type = KSR_VAL_STR;
		ret->s = ksr_str_make(written, strlen(written));
		return 0;
	}
	s = ksr_arena_alloc(msg->arena, spec->name.len + 3);
	if (!s)
		return -ENOMEM;
	sprintf(s, "V-%.*s", KSR_STR_FMT(spec->name));
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(s, strlen(s))};
	return 0;
}

static int tst_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	if (val->type != KSR_VAL_STR || val->s.len >= sizeof(written))
		return -EINVAL;
	memcpy(written, val->s.s, val->s.len);
	written[val->s.len] = '\0';
	return 0;
}

static int tst_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	return 0;
}

static const struct ksr_pv_export tst_pvs[] = {
	{.name = "tst", .get = tst_get, .set = tst_set, .parse_name = tst_name,
	 .flags = KSR_PV_NAME_REQUIRED},
	{0},
};

const char *tx_written(void)
{
	return written;
}

int tx_setup(void **state)
{
	static bool registered;
	struct tx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	if (!registered) {
		assert_int_equal(ksr_pv_register(tst_pvs), 0);
		if (ksr_module_exports.trans)
			assert_int_equal(ksr_tr_register(ksr_module_exports.trans), 0);
		registered = true;
	}
	assert_int_equal(ksr_core_cmds_register(), 0);
	if (ksr_module_exports.mod_init)
		assert_int_equal(ksr_module_exports.mod_init(), 0);
	ksr_arena_init(&t->arena, 4096);
	written[0] = '\0';
	*state = t;
	return 0;
}

int tx_teardown(void **state)
{
	struct tx *t = *state;

	ksr_arena_destroy(&t->arena);
	free(t->buf);
	free(t);
	ksr_modules_unload();
	return 0;
}

int tx_group_teardown(void **state)
{
	if (ksr_module_exports.destroy)
		ksr_module_exports.destroy();
	return 0;
}

static char *crlf(const char *text, size_t *ret_len)
{
	char *out = malloc(2 * strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			*o++ = '\r';
		*o++ = *p;
	}
	*o = '\0';
	*ret_len = (size_t)(o - out);
	return out;
}

struct ksr_str tx_crlf(struct tx *t, const char *text)
{
	size_t n;
	char *c = crlf(text, &n), *s = ksr_arena_alloc(&t->arena, n + 1);

	assert_non_null(s);
	memcpy(s, c, n + 1);
	free(c);
	return ksr_str_make(s, n);
}

void tx_load(struct tx *t, const char *text)
{
	const char *err = NULL;
	size_t n;
	struct sockaddr_in *sin = (struct sockaddr_in *)&t->msg.rcv.src;

	free(t->buf);
	t->buf = crlf(text, &n);
	if (ksr_msg_parse(&t->msg, t->buf, n, &t->arena, &err) != 0)
		fail_msg("test message does not parse: %s", err ? err : "?");
	/* from where its Via says: replies get no received= */
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5060);
	inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
	t->msg.rcv.src_len = sizeof(*sin);
}

void tx_expect_built(struct tx *t, const char *want)
{
	struct ksr_str out;
	size_t n;
	char *w = crlf(want, &n);
	int r = ksr_msg_build(&t->msg, &out);

	if (r != 0) {
		free(w);
		fail_msg("build failed: %s", strerror(-r));
	}
	if (out.len != n || memcmp(out.s, w, n) != 0) {
		fprintf(stderr, "built:\n%.*s\nwanted:\n%s\n", (int)out.len, out.s, w);
		free(w);
		fail_msg("the built message differs");
	}
	free(w);
}

static const struct ksr_cmd_export *find(const char *name, int n)
{
	for (const struct ksr_cmd_export *c = ksr_module_exports.cmds; c->name; c++) {
		int k = 0;

		while (k < KSR_MAX_PARAMS && c->params[k] != KSR_PT_NONE)
			k++;
		if (strcmp(c->name, name) == 0 && k == n)
			return c;
	}
	fail_msg("no function %s with %d parameters", name, n);
	return NULL;
}

static void params(const struct ksr_cmd_export *c, struct ksr_fparam *p, int n, unsigned int dyn,
		   va_list ap)
{
	for (int i = 0; i < n; i++) {
		const char *a = va_arg(ap, const char *);

		bool is_int = c->params[i] == KSR_PT_INT;

		p[i] = (struct ksr_fparam){.type = is_int ? KSR_PT_INT : KSR_PT_STR,
					   .s = ksr_str_make((char *)a, strlen(a)),
					   .dynamic = (dyn >> i) & 1};
		if (c->params[i] == KSR_PT_INT)
			p[i].i = strtol(a, NULL, 10);
	}
}

static int run(struct tx *t, unsigned int dyn, const char *name, int n, va_list ap)
{
	const struct ksr_cmd_export *c = find(name, n);
	struct ksr_fparam p[KSR_MAX_PARAMS];
	const char *err = NULL;

	params(c, p, n, dyn, ap);
	if (c->fixup && c->fixup(p, n, &err) < 0)
		fail_msg("the fixup of %s refused its parameters: %s", name, err ? err : "?");
	return c->func(&t->msg, p);
}

int tx_run(struct tx *t, const char *name, int n, ...)
{
	va_list ap;
	int r;

	va_start(ap, n);
	r = run(t, 0, name, n, ap);
	va_end(ap);
	return r;
}

int tx_run_dyn(struct tx *t, unsigned int dyn, const char *name, int n, ...)
{
	va_list ap;
	int r;

	va_start(ap, n);
	r = run(t, dyn, name, n, ap);
	va_end(ap);
	return r;
}

const char *tx_fixup_fails(const char *name, int n, ...)
{
	const struct ksr_cmd_export *c = find(name, n);
	struct ksr_fparam p[KSR_MAX_PARAMS];
	const char *err = NULL;
	va_list ap;

	va_start(ap, n);
	params(c, p, n, 0, ap);
	va_end(ap);
	if (!c->fixup || c->fixup(p, n, &err) >= 0)
		fail_msg("the fixup of %s accepted its parameters", name);
	assert_non_null(err);
	return err;
}
