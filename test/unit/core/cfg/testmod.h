/* State of the test module (testmod.so), read and set by test_parse.c through dlsym. */
#ifndef KSR_TEST_UNIT_CORE_CFG_TESTMOD_H
#define KSR_TEST_UNIT_CORE_CFG_TESTMOD_H

#define TESTMOD_STATE_SYMBOL "testmod_state"
#define TESTMOD_TRACE_MAX 64

struct testmod_state {
	int f0_calls, f1_calls, f2_calls;
	int f0_ret;              /* what f0() returns */
	long f1_last;            /* last parameter of f1(int) */
	char f2_a[64], f2_b[64]; /* last parameters of f2(str,str) */
	/* mark(N) and no(N) append N here, so a test can check what ran and in what order */
	long trace[TESTMOD_TRACE_MAX];
	int ntrace;
	/* modparams */
	int int_param;
	char *str_param;
	int init_calls, destroy_calls;
};

#endif
