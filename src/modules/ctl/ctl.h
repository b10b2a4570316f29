/*
 * ctl: what its files share. ctl.c holds the module (parameters, start, stop, RPCs);
 * ctl_socks.c the listeners; ctl_io.c the thread that serves them; ctl_binrpc.c and
 * ctl_fifo.c the two protocols, each turning one request into one reply.
 */
#ifndef KSR_MODULES_CTL_CTL_H
#define KSR_MODULES_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/binrpc/addr.h"

struct ksr_arena;

#define CTL_DEFAULT_SOCKET_NAME "kamailio_ctl"
#define CTL_DEFAULT_RUN_DIR "/run/kamailio"
#define CTL_MAX_REQUEST (64 * 1024) /* the largest request taken, on any transport */
#define CTL_FIFO_REPLY_DIR "/tmp/"  /* where FIFO requests name their reply FIFO */

enum ctl_proto { CTL_BINRPC, CTL_FIFOPROTO };

/* A listen address of the `binrpc` or `fifo` parameter, and, once open, its socket. */
struct ctl_listen {
	enum ctl_proto proto;
	struct ksr_binrpc_addr addr;
	int fd;       /* -1 until open */
	int wfd;      /* a FIFO's own writer, so that its reader never sees an end of file */
	bool created; /* a path ctl made: unlinked at stop */
	/* a FIFO's bytes not yet a whole request */
	char *pending;
	size_t pending_len;
	struct ctl_listen *next;
};

/* --- the parameters (ctl.c) --- */

extern int ctl_mode;                /* permissions of the unix sockets and FIFOs */
extern char *ctl_user, *ctl_group;  /* owner given to them, or NULL */
extern int ctl_max_body_kib;        /* binrpc_max_body_size */
extern int ctl_struct_max_body_kib; /* binrpc_struct_max_body_size */

/* --- listeners (ctl_socks.c) --- */

/* Parse spec (a `binrpc` or `fifo` value) and append it. 0, or -errno with *ret_err. */
int ctl_listen_add(enum ctl_proto proto, const char *spec, const char **ret_err);
struct ctl_listen *ctl_listens(void);
/* Bind, or create, every listener (mod_init). 0, or -errno after logging why. */
int ctl_listen_open_all(void);
/* Close them, unlink what was created, forget them all. */
void ctl_listen_close_all(void);
/* "binrpc" or "fifo". */
const char *ctl_proto_name(enum ctl_proto p);

/* --- the serving thread (ctl_io.c) --- */

int ctl_io_start(void);
void ctl_io_stop(void);

/* An open stream connection, as ctl.who lists it. */
struct ctl_conn_info {
	enum ctl_proto proto;
	enum ksr_binrpc_transport transport;
	const char *peer, *peer_port, *local, *local_port;
};

/* From any thread: how many connections are open; each of them, under a lock. */
int ctl_io_connections(void);
void ctl_io_foreach_conn(void (*fn)(const struct ctl_conn_info *ci, void *arg), void *arg);

/* --- protocols --- */

/*
 * Whether buf (len bytes) starts with a whole binrpc request: its length; 0 when more
 * bytes are needed; -EBADMSG when it is no binrpc packet; -E2BIG when it is larger than
 * CTL_MAX_REQUEST.
 */
ssize_t ctl_binrpc_frame(const unsigned char *buf, size_t len);
/*
 * Run one binrpc request (a whole packet, or what was received as one) and build the
 * reply packet, malloc'ed into *ret. A malformed request gets a fault. 0, or -ENOMEM
 * (no reply at all).
 */
int ctl_binrpc_handle(const unsigned char *req, size_t len, struct ksr_arena *arena,
                      unsigned char **ret, size_t *ret_len);
/*
 * The fault packet for an error found before a request could be read (a bad header):
 * malloc'ed into *ret. 0 or -ENOMEM.
 */
int ctl_binrpc_fault(int code, const char *msg, unsigned char **ret, size_t *ret_len);

/* The length of the first whole FIFO request in buf (through its empty line), or 0. */
size_t ctl_fifo_frame(const char *buf, size_t len);
/*
 * Run one FIFO request (":method:reply_fifo", parameter lines, an empty line) and build
 * its reply text, malloc'ed into *ret (NULL for an empty line: no request). *ret_reply_fifo gets
 * the path of the FIFO the reply goes to (malloc'ed), or NULL when the request named none or a
 * forbidden one. 0, or -ENOMEM.
 */
int ctl_fifo_handle(const char *req, size_t len, struct ksr_arena *arena, char **ret,
                    size_t *ret_len, char **ret_reply_fifo);

#endif
