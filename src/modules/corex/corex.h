/* The corex module's shared declarations: each file's script functions and helpers. */
#ifndef KSR_MODULES_COREX_COREX_H
#define KSR_MODULES_COREX_COREX_H

#include <stdint.h>

#include "core/module/module-t.h"
#include "core/str.h"

struct ksr_listener;
struct ksr_msg;

/* --- internal and extended message flags (corex_flags.c) --- */

/* The internal flags upstream's names give access to, as bits of corex_iflags_get(). */
#define COREX_IFLAG_USE_UAC_FROM (1u << 0)
#define COREX_IFLAG_USE_UAC_TO (1u << 1)
#define COREX_IFLAG_UAC_AUTH (1u << 2)

#define COREX_XFLAG_MAX 63

/* The bit of an internal flag name (case-insensitive), or 0 for a name we do not know. */
unsigned int corex_iflag_lookup(struct ksr_str name);
/* The message's internal flags and extended flags (0 when none was set). */
unsigned int corex_iflags_get(struct ksr_msg *msg);
uint64_t corex_xflags_get(struct ksr_msg *msg);

int corex_fixup_iflag(struct ksr_fparam *p, int n, const char **ret_err);
int corex_w_iflag_set(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_iflag_reset(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_iflag_is_set(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_fixup_xflag(struct ksr_fparam *p, int n, const char **ret_err);
int corex_w_setxflag(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_resetxflag(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_isxflagset(struct ksr_msg *msg, const struct ksr_fparam *p);

/* --- files (corex_file.c) --- */

/* file_read refuses files larger than this (the value is held in the message's memory). */
#define COREX_FILE_READ_MAX (1024 * 1024)

int corex_fixup_file_read(struct ksr_fparam *p, int n, const char **ret_err);
int corex_w_file_read(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_file_write(struct ksr_msg *msg, const struct ksr_fparam *p);

/* --- sockets and addresses (corex_socket.c) --- */

/* Transport of a socket address; COREX_PROTO_OTHER names one no listener here can have. */
#define COREX_PROTO_ANY 0
#define COREX_PROTO_OTHER (-1)

/* "[proto:]host[:port]", as `listen` and $fs write it. */
struct corex_sockaddr {
	int proto;           /* IPPROTO_UDP, IPPROTO_TCP, COREX_PROTO_ANY or COREX_PROTO_OTHER */
	struct ksr_str host; /* into the parsed text, IPv6 without brackets */
	unsigned short port; /* 0 when not given */
};

/*
 * Parse "[proto:]host[:port]": proto one of udp, tcp, tls, sctp, ws, wss (any case);
 * host an IPv4 address, a name, or an IPv6 address (in brackets when a port follows);
 * port 1 to 65535. 0, or -EINVAL with *ret_err set.
 */
int corex_sockaddr_parse(struct ksr_str s, struct corex_sockaddr *ret, const char **ret_err);
/*
 * The first listener the address names: by its address or its advertised one, with the
 * same transport and port when those are given. NULL when none.
 */
struct ksr_listener *corex_listener_match(const struct corex_sockaddr *a);

int corex_fixup_sockaddr(struct ksr_fparam *p, int n, const char **ret_err);
int corex_fixup_source(struct ksr_fparam *p, int n, const char **ret_err);
int corex_w_set_send_socket(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_set_send_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_set_recv_socket(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_set_recv_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_set_source_address(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_is_socket_name(struct ksr_msg *msg, const struct ksr_fparam *p);

/* --- sending as is (corex_send.c) --- */

int corex_w_send_udp0(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_send_udp1(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_send_tcp0(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_send_tcp1(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_send_data(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_sendx(struct ksr_msg *msg, const struct ksr_fparam *p);
int corex_w_forward_reply(struct ksr_msg *msg, const struct ksr_fparam *p);

#endif
