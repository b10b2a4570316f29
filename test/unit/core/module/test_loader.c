/* The loader's API registry: modules find each other's APIs by name (ksr_api_bind). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/module/module.h"

struct demo_api {
	int (*answer)(void);
};

static int answer(void)
{
	return 42;
}

static const struct demo_api demo = {.answer = answer};

static const struct ksr_api_export provider_apis[] = {{"demo", &demo}, {0}};
static const struct ksr_module_exports provider = {.abi_version = KSR_MODULE_ABI_VERSION,
						   .struct_size = sizeof(struct ksr_module_exports),
						   .name = "provider",
						   .apis = provider_apis};
/* another module claiming the same API name */
static const struct ksr_module_exports rival = {.abi_version = KSR_MODULE_ABI_VERSION,
						.struct_size = sizeof(struct ksr_module_exports),
						.name = "rival",
						.apis = provider_apis};

static void test_api_bind(void **state)
{
	const struct demo_api *api;

	(void)state;
	assert_null(ksr_api_bind("demo"));
	assert_int_equal(ksr_module_register_builtin(&provider), 0);
	api = ksr_api_bind("demo");
	assert_ptr_equal(api, &demo);
	assert_int_equal(api->answer(), 42);
	assert_null(ksr_api_bind("other"));
	/* one provider per name */
	assert_int_equal(ksr_module_register_builtin(&rival), -EEXIST);
	assert_null(ksr_module_find("rival"));
	ksr_modules_unload();
	assert_null(ksr_api_bind("demo"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_bind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
