/*
 * Helpers of the siputils tests: a message to run the module's functions on, calls by
 * function name (with the fixup the config loader would run), a test variable family
 * $tv(name) for the functions that write a pseudo-variable, and the built message.
 */
#ifndef KSR_TEST_MODULES_SIPUTILS_SU_TEST_H
#define KSR_TEST_MODULES_SIPUTILS_SU_TEST_H

#include "core/mem/arena.h"
#include "core/module/module-t.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"

extern const struct ksr_module_exports ksr_module_exports;

struct sut {
	struct ksr_arena arena; /* the message's */
	struct ksr_msg msg;
	char *buf;
	struct ksr_listener listener;
};

/* cmocka setup/teardown: *state becomes a struct sut; mod_init has run. */
int sut_setup(void **state);
int sut_teardown(void **state);

/* Parse a message ("\n" line ends become CRLF), received from 192.0.2.1:5060 over UDP. */
void sut_load(struct sut *t, const char *text);
/* A small OPTIONS to sip:bob@example.com, for functions that look at no header. */
void sut_options(struct sut *t);

/* Call function name with n literal parameters; -1000 when its fixup refuses them. */
int sut_call(struct sut *t, const char *name, int n, const char *p1, const char *p2,
             const char *p3);

/* $tv(name): a test variable. Set, read (NULL when unset) and clear all. */
void sut_tv_set(const char *name, const char *value);
const char *sut_tv_get(const char *name);
void sut_tv_clear(void);

/* The message as it would be sent (edits applied), NUL-terminated, from the arena. */
const char *sut_built(struct sut *t);
/* The current Request-URI, NUL-terminated. */
const char *sut_ruri(struct sut *t);

#endif
