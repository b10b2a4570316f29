/*
 * Helpers of registrar's unit tests: registrar and usrloc's tables linked together, as
 * the daemon binds them; REGISTERs and other requests parsed from text; save() without
 * sending (flags 0x12), so that the reply's headers can be read off the message.
 */
#ifndef KSR_TEST_UNIT_MODULES_REGISTRAR_REG_TEST_H
#define KSR_TEST_UNIT_MODULES_REGISTRAR_REG_TEST_H

#include "core/mem/arena.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "registrar.h"

struct regt {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
	struct ksr_listener listener;
	struct ul_domain *d;
};

/* Reset registrar's parameters to upstream's defaults, make table "location". */
struct regt *regt_new(void);
void regt_free(struct regt *t);
/* Parse a request ("\n" ends lines; CRLF added), received on udp:192.0.2.5:5060. */
void regt_load(struct regt *t, const char *text);
/*
 * A REGISTER for AoR user with Call-ID callid and CSeq cseq, headers extra ("Contact:
 * ...\n..."), saved with flags | 0x12; returns save()'s code. The reply's code is then
 * regt_code(t), its header lines t->msg.reply_hdrs.
 */
int regt_save(struct regt *t, const char *user, const char *callid, unsigned int cseq,
              const char *extra, unsigned int flags);
/* The reply save() decided: its status code. */
unsigned int regt_code(struct regt *t);
/* The reply's header lines as a NUL-terminated string. */
const char *regt_hdrs(struct regt *t);

#endif
