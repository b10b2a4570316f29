/* UDP workers: `children` threads per listener, each running the whole message path. */
#ifndef KSR_CORE_NET_UDP_H
#define KSR_CORE_NET_UDP_H

/* Start `children` workers on each UDP listener; ranks start at 1. How many, or -errno. */
int ksr_udp_start(int children);
/* Stop receiving, let each worker finish its message, join them all. */
void ksr_udp_stop(void);
/*
 * Send now what the calling worker has batched for the end of its batch of received
 * datagrams (nothing elsewhere): a message about to go over another transport must not
 * overtake what was sent before it (tm's 100 Trying before the INVITE it relays over
 * TCP, whose 180 would otherwise reach the caller first).
 */
void ksr_udp_flush(void);

#endif
