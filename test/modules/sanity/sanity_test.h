/*
 * Helpers of the sanity tests: a parsed message received over a real loopback UDP socket
 * pair, so that a reply the module sends can be read back, and messages built from a
 * request line plus the headers a test changes.
 */
#ifndef KSR_TEST_MODULES_SANITY_SANITY_TEST_H
#define KSR_TEST_MODULES_SANITY_SANITY_TEST_H

#include <netinet/in.h>

#include "core/mem/arena.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"

struct st {
	struct ksr_arena arena; /* the message's */
	struct ksr_msg msg;
	char *buf;
	struct ksr_listener listener; /* the server's socket: replies leave from it */
	int cli_fd;                   /* the client's socket: replies arrive on it */
	struct sockaddr_in cli;
	char reply[4096]; /* the last reply read by st_reply() */
};

/* cmocka setup/teardown: *state becomes a struct st with both sockets bound. */
int st_setup(void **state);
int st_teardown(void **state);

/*
 * Parse text ("\n" line ends become CRLF) as received from the client socket; want is
 * what ksr_msg_parse must return (0, or the error of a message the core would refuse
 * but whose headers are split, to reach checks the receive path never lets through).
 */
void st_load_r(struct st *t, const char *text, int want);
#define st_load(t, text) st_load_r((t), (text), 0)

/*
 * A request: "METHOD ruri SIP/2.0", then Via (with rport), From, To, Call-ID, CSeq and
 * Content-Length: 0 unless extra has a header of that name, then the lines of extra
 * ("Name: value\n" each), then the body (NULL for none; Content-Length is the body's
 * unless extra has one).
 */
void st_request(struct st *t, const char *method, const char *ruri, const char *extra,
                const char *body);

/*
 * The reply the module sent, NUL-terminated in t->reply, or NULL when none is waiting
 * (the send on loopback is complete when the function returns, so this does not wait).
 */
const char *st_reply(struct st *t);

#endif
