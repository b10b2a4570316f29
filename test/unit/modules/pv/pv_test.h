/*
 * Helpers of the pv module's tests: the module's tables registered as the loader would,
 * test messages, and get/set of pseudo-variables by their text.
 */
#ifndef KSR_TEST_MODULES_PV_PV_TEST_H
#define KSR_TEST_MODULES_PV_PV_TEST_H

#include <stdbool.h>

#include "core/mem/arena.h"
#include "core/module/module-t.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv.h"

extern const struct ksr_module_exports ksr_module_exports;

struct pvt {
	struct ksr_arena parena; /* the routing program's: specs */
	struct ksr_arena marena; /* the message's */
	struct ksr_msg msg;
	char *buf;
	struct ksr_listener listener;
};

/* Register the module's pseudo-variables and transformations (once per process). */
void pvt_register(void);
struct pvt *pvt_new(void);
void pvt_free(struct pvt *t);
/* Parse a message ("\n" line ends become CRLF) and set its source: "1.2.3.4" or "::1". */
void pvt_load(struct pvt *t, const char *text, const char *src_ip, unsigned short src_port);
/* A message with no content: for pseudo-variables that do not read it. */
void pvt_empty(struct pvt *t);

struct ksr_pv_spec *pvt_spec(struct pvt *t, const char *pv);
/* Parse errors: -EINVAL with an error text containing want (when not NULL). */
void pvt_parse_err(struct pvt *t, const char *pv, const char *want);
int pvt_get(struct pvt *t, const char *pv, struct ksr_val *ret);

void pvt_expect_str(struct pvt *t, const char *pv, const char *want);
void pvt_expect_int(struct pvt *t, const char *pv, long want);
void pvt_expect_null(struct pvt *t, const char *pv);
/* ksr_pv_get fails (a bad value, a failing transformation). */
void pvt_expect_err(struct pvt *t, const char *pv);

int pvt_set_str(struct pvt *t, const char *pv, const char *s);
int pvt_set_int(struct pvt *t, const char *pv, long i);
int pvt_set_null(struct pvt *t, const char *pv);

/* A module function by name, called with literal string/int parameters after its fixup. */
int pvt_call(struct pvt *t, const char *name, int nparams, const char *p1, const char *p2,
             const char *p3);

#endif
