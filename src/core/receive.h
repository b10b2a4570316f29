/* The message path: from received bytes to the routing script. */
#ifndef KSR_CORE_RECEIVE_H
#define KSR_CORE_RECEIVE_H

#include <stddef.h>

#include "core/parser/msg-t.h"

/*
 * Handle one received message: parse it, answer 400 to a malformed request where a reply
 * can be built (drop it otherwise), and run request_route on good requests. buf must
 * have room for len + 1 bytes. Memory comes from arena, which the caller resets.
 */
void ksr_receive(char *buf, size_t len, const struct ksr_rcv_info *rcv, struct ksr_arena *arena);

#endif
