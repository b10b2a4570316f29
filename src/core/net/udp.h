/* UDP workers: `children` threads per listener, each running the whole message path. */
#ifndef KSR_CORE_NET_UDP_H
#define KSR_CORE_NET_UDP_H

/* Start `children` workers on each UDP listener; ranks start at 1. How many, or -errno. */
int ksr_udp_start(int children);
/* Stop receiving, let each worker finish its message, join them all. */
void ksr_udp_stop(void);

#endif
