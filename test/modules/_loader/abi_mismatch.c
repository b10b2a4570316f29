/* A module built for another module ABI: the loader must refuse it with a clear message. */
#include "core/module/module.h"

__attribute__((visibility("default"))) const struct ksr_module_exports ksr_module_exports = {
	.abi_version = KSR_MODULE_ABI_VERSION + 1,
	.struct_size = sizeof(struct ksr_module_exports),
	.name = "abi_mismatch",
};
