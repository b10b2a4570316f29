/*
 * testmod.so: a module for the config parser and interpreter tests. Its functions count
 * their calls and record their parameters in testmod_state, which the test reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/module/module-t.h"
#include "core/cfg/testmod.h"

__attribute__((visibility("default"))) struct testmod_state testmod_state = {.f0_ret = 1};

static void trace(long v)
{
	if (testmod_state.ntrace < TESTMOD_TRACE_MAX)
		testmod_state.trace[testmod_state.ntrace++] = v;
}

static int f0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	testmod_state.f0_calls++;
	return testmod_state.f0_ret;
}

/* returns its parameter: f1(1) is true, f1(-1) false, f1(0) stops the script */
static int f1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	testmod_state.f1_calls++;
	testmod_state.f1_last = p[0].i;
	return (int)p[0].i;
}

static void copy(char *dst, size_t size, const struct ksr_str *s)
{
	size_t n = s->len < size - 1 ? s->len : size - 1;

	memcpy(dst, s->s, n);
	dst[n] = '\0';
}

static int f2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	testmod_state.f2_calls++;
	copy(testmod_state.f2_a, sizeof(testmod_state.f2_a), &p[0].s);
	copy(testmod_state.f2_b, sizeof(testmod_state.f2_b), &p[1].s);
	return 1;
}

static int mark(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	trace(p[0].i);
	return 1;
}

static int no(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	trace(p[0].i);
	return -1;
}

static int fixup_positive(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[0].i <= 0) {
		*ret_err = "the parameter must be positive";
		return -EINVAL;
	}
	return 0;
}

static const struct ksr_cmd_export cmds[] = {
        {.name = "f0", .func = f0, .route_types = KSR_ROUTE_ANY},
        {.name = "f1", .func = f1, .params = {KSR_PT_INT}, .route_types = KSR_ROUTE_ANY},
        {.name = "f2",
         .func = f2,
         .params = {KSR_PT_STR, KSR_PT_STR},
         .route_types = KSR_ROUTE_ANY},
        {.name = "mark", .func = mark, .params = {KSR_PT_INT}, .route_types = KSR_ROUTE_ANY},
        {.name = "no", .func = no, .params = {KSR_PT_INT}, .route_types = KSR_ROUTE_ANY},
        {.name = "positive",
         .func = mark,
         .params = {KSR_PT_INT},
         .fixup = fixup_positive,
         .route_types = KSR_ROUTE_ANY},
        {.name = "onreply_only", .func = f0, .route_types = KSR_ROUTE_ONREPLY},
        {0},
};

static const struct ksr_param_export params[] = {
        {.name = "int_param", .type = KSR_MP_INT, .target = &testmod_state.int_param},
        {.name = "str_param", .type = KSR_MP_STR, .target = &testmod_state.str_param},
        {0},
};

static int mod_init(void)
{
	testmod_state.init_calls++;
	return 0;
}

/* modparam strings are never freed by the core; free ours so valgrind stays quiet */
static void destroy(void)
{
	testmod_state.destroy_calls++;
	free(testmod_state.str_param);
	testmod_state.str_param = NULL;
}

KSR_MODULE(.name = "testmod", .cmds = cmds, .params = params, .mod_init = mod_init,
           .destroy = destroy);
