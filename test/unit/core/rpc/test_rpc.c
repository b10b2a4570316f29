/* RPC: the value model, parameters, faults, the registry and the core's methods. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/rpc/rpc.h"

static struct ksr_arena arena;

static int setup(void **state)
{
	ksr_arena_init(&arena, 4096);
	return ksr_core_rpc_register();
}

static int teardown(void **state)
{
	ksr_modules_unload();
	ksr_rpc_clear();
	ksr_arena_destroy(&arena);
	return 0;
}

static struct ksr_rpc_val *params(const char *a, const char *b)
{
	struct ksr_rpc_val *p = ksr_rpc_new_str(&arena, ksr_str_make((char *)a, strlen(a)));

	if (b)
		p->next = ksr_rpc_new_int(&arena, strtol(b, NULL, 10));
	return p;
}

static bool has_str(const struct ksr_rpc_val *list, const char *s)
{
	for (const struct ksr_rpc_val *v = list->first; v; v = v->next)
		if (v->type == KSR_RPC_STR && v->s.len == strlen(s) && !memcmp(v->s.s, s, v->s.len))
			return true;
	return false;
}

static void test_echo_and_unknown(void **state)
{
	struct ksr_rpc_ctx ctx;
	struct ksr_rpc_val *v;

	assert_int_equal(ksr_rpc_call("core.echo", params("a", "7"), &arena, &ctx), 0);
	assert_int_equal(ctx.fault_code, 0);
	/* one array of the parameters, as upstream answers */
	assert_int_equal(ctx.reply.first->type, KSR_RPC_ARRAY);
	assert_null(ctx.reply.first->next);
	v = ctx.reply.first->first;
	assert_int_equal(v->type, KSR_RPC_STR);
	assert_memory_equal(v->s.s, "a", 1);
	/* a number where a string is read is its text */
	assert_memory_equal(v->next->s.s, "7", 1);
	assert_null(v->next->next);
	/* an unknown method faults as upstream's does */
	assert_int_equal(ksr_rpc_call("no.such", NULL, &arena, &ctx), -ENOENT);
	assert_int_equal(ctx.fault_code, 500);
	assert_string_equal(ctx.fault, "command no.such not found");
}

static void test_registry(void **state)
{
	struct ksr_rpc_ctx ctx;

	assert_int_equal(ksr_rpc_call("system.listMethods", NULL, &arena, &ctx), 0);
	assert_true(has_str(ctx.reply.first, "core.version"));
	assert_true(has_str(ctx.reply.first, "cfg.reload_routes"));
	/* sorted */
	assert_memory_equal(ctx.reply.first->first->s.s, "cfg.reload_routes", 17);
	assert_int_equal(ksr_rpc_call("system.methodHelp", params("core.echo", NULL), &arena,
				      &ctx),
			 0);
	assert_true(has_str(&ctx.reply, "Returns back its parameters."));
	assert_int_equal(ksr_rpc_call("system.methodHelp", NULL, &arena, &ctx), 0);
	assert_int_equal(ctx.fault_code, 400);
	/* one method, one name */
	assert_int_equal(ksr_core_rpc_register(), -EEXIST);
}

static void test_uptime_struct(void **state)
{
	struct ksr_rpc_ctx ctx;
	const struct ksr_rpc_val *st, *m;

	assert_int_equal(ksr_rpc_call("core.uptime", NULL, &arena, &ctx), 0);
	st = ctx.reply.first;
	assert_int_equal(st->type, KSR_RPC_STRUCT);
	m = st->first;
	assert_memory_equal(m->name.s, "now", 3);
	m = m->next;
	assert_memory_equal(m->name.s, "up_since", 8);
	m = m->next;
	assert_memory_equal(m->name.s, "uptime", 6);
	assert_int_equal(m->type, KSR_RPC_INT);
	assert_true(m->i >= 0);
}

static int seen_int;

static void test_method(struct ksr_rpc_ctx *ctx)
{
	long i;
	struct ksr_str s;
	struct ksr_rpc_val *a;

	if (ksr_rpc_param_int(ctx, &i) < 0) {
		ksr_rpc_fault(ctx, 400, "an integer expected");
		return;
	}
	seen_int = (int)i;
	if (ksr_rpc_param_str(ctx, &s) != -ENOENT || ksr_rpc_param_left(ctx)) {
		ksr_rpc_fault(ctx, 400, "too many parameters");
		return;
	}
	a = ksr_rpc_add_array(ctx, NULL, NULL);
	ksr_rpc_add_int(ctx, a, NULL, i * 2);
}

static const struct ksr_rpc_export mod_rpcs[] = {{"demo.double", test_method, "Doubles."}, {0}};
static const struct ksr_module_exports mod = {.abi_version = KSR_MODULE_ABI_VERSION,
					      .struct_size = sizeof(struct ksr_module_exports),
					      .name = "demo",
					      .rpcs = mod_rpcs};

/* A module's methods come and go with it; parameters convert as documented. */
static void test_module_method(void **state)
{
	struct ksr_rpc_ctx ctx;

	assert_int_equal(ksr_module_register_builtin(&mod), 0);
	/* "21" given as a string reads as an integer */
	assert_int_equal(ksr_rpc_call("demo.double", params("21", NULL), &arena, &ctx), 0);
	assert_int_equal(ctx.fault_code, 0);
	assert_int_equal(seen_int, 21);
	assert_int_equal(ctx.reply.first->type, KSR_RPC_ARRAY);
	assert_int_equal(ctx.reply.first->first->i, 42);
	assert_int_equal(ksr_rpc_call("demo.double", params("x", NULL), &arena, &ctx), 0);
	assert_int_equal(ctx.fault_code, 400);
	assert_string_equal(ctx.fault, "an integer expected");
	assert_int_equal(ksr_rpc_call("demo.double", params("1", "2"), &arena, &ctx), 0);
	assert_string_equal(ctx.fault, "too many parameters");
	ksr_modules_unload();
	assert_null(ksr_rpc_find("demo.double"));
	assert_non_null(ksr_rpc_find("core.version"));
}

/* Without a config the daemon was started with, a reload says why it cannot. */
static void test_reload_without_setup(void **state)
{
	struct ksr_rpc_ctx ctx;

	assert_int_equal(ksr_rpc_call("cfg.reload_routes", NULL, &arena, &ctx), 0);
	assert_int_equal(ctx.fault_code, 500);
	assert_true(ctx.fault[0] != '\0');
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_echo_and_unknown), T(test_registry), T(test_uptime_struct),
		T(test_module_method), T(test_reload_without_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
