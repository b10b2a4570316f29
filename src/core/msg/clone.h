/*
 * A copy of a request that outlives its processing. tm keeps one per transaction: it is
 * the request failure_route runs on, what local replies (408, 487) are built from, and
 * what later branches are forwarded from. Upstream clones into shared memory; we copy
 * into an arena the transaction owns.
 */
#ifndef KSR_CORE_MSG_CLONE_H
#define KSR_CORE_MSG_CLONE_H

#include "core/parser/msg-t.h"

struct ksr_arena;

/*
 * Make dst a copy of request src in arena: its text (parsed again, lazily as usual) and
 * the state the script gave it: the edits, $ru, $du, the forced socket, the new body,
 * flags, branch flags, the destination set, AVPs and XAVPs, the reply additions, and the
 * module data whose owners registered a copier (ksr_msg_data_register_clone). The
 * connection it came on is not kept (it may close): replies to the copy go by address.
 * 0 or -errno (-ENOMEM, -EINVAL when the text does not parse).
 */
int ksr_msg_clone(struct ksr_msg *src, struct ksr_arena *arena, struct ksr_msg *dst);

#endif
