/* Helpers of textops' tests: a parsed message, the module's functions called as a config would. */
#ifndef KSR_TEST_MODULES_TEXTOPS_TX_TEST_H
#define KSR_TEST_MODULES_TEXTOPS_TX_TEST_H

#include <stdbool.h>

#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"

extern const struct ksr_module_exports ksr_module_exports;

struct tx {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
};

/* cmocka setup/teardown: a fixture in *state; the module's mod_init and destroy. */
int tx_setup(void **state);
int tx_teardown(void **state);
/* Once per binary, after the tests: what fixups kept. */
int tx_group_teardown(void **state);
/* A test with that setup and teardown. */
#define TX_TEST(f) cmocka_unit_test_setup_teardown(f, tx_setup, tx_teardown)

/* Parse text, each "\n" written as "\r\n" (so that tests read as messages do). */
void tx_load(struct tx *t, const char *text);
/* The message built with its edits must be want (its "\n" as "\r\n" too). */
void tx_expect_built(struct tx *t, const char *want);
/* text with its "\n" as "\r\n", in the message's arena. */
struct ksr_str tx_crlf(struct tx *t, const char *text);

/*
 * Call name(args...) as a config does: the fixup with the constant arguments, then the
 * function. Arguments are strings (an int parameter is its decimal text). The fixup must
 * succeed; the function's result is returned.
 */
int tx_run(struct tx *t, const char *name, int n, ...);
/* The same with the arguments whose bit is set in dyn marked as holding variables. */
int tx_run_dyn(struct tx *t, unsigned int dyn, const char *name, int n, ...);
/* The fixup of name(args...) must refuse the constant arguments: returns its message. */
const char *tx_fixup_fails(const char *name, int n, ...);

/*
 * A test pseudo-variable family: $tst(x) reads "V-x"; $tst(w) can be written and reads
 * back what was written last (tx_written()).
 */
const char *tx_written(void);

#endif
