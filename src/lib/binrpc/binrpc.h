/*
 * binrpc: Kamailio's binary RPC encoding, spoken by the ctl module and kamcmd. A packet is a
 * header (magic and version, message type, body length, cookie) and a body of records;
 * each record is one byte of flags, size and type, an optional length and the value.
 * Shared by the module (src/modules/ctl) and the client (utils/kamcmd).
 */
#ifndef KSR_LIB_BINRPC_BINRPC_H
#define KSR_LIB_BINRPC_BINRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSR_BINRPC_MAGIC 0xA
#define KSR_BINRPC_VERSION 1
#define KSR_BINRPC_MIN_HDR 4  /* 2 fixed bytes, 1 of length, 1 of cookie */
#define KSR_BINRPC_MAX_HDR 10 /* 2 fixed bytes, 4 of length, 4 of cookie */
/* How deep structs and arrays nest, at most, in what the reader accepts. */
#define KSR_BINRPC_MAX_DEPTH 64

enum ksr_binrpc_msg { KSR_BINRPC_REQ = 0, KSR_BINRPC_REPL = 1, KSR_BINRPC_FAULT = 3 };

enum ksr_binrpc_type {
	KSR_BINRPC_T_INT = 0,
	KSR_BINRPC_T_STR = 1,    /* NUL-terminated on the wire, the NUL counted in its length */
	KSR_BINRPC_T_DOUBLE = 2, /* fixed point: the value times 1000, as an int */
	KSR_BINRPC_T_STRUCT = 3,
	KSR_BINRPC_T_ARRAY = 4,
	KSR_BINRPC_T_AVP = 5,   /* a struct member's name; its value is the next record */
	KSR_BINRPC_T_BYTES = 6, /* as a string, without the NUL */
};

/* --- the packet header --- */

struct ksr_binrpc_hdr {
	enum ksr_binrpc_msg type;
	uint32_t body_len;
	uint32_t cookie;
	size_t hdr_len; /* where the body starts */
};

/*
 * The header at the start of buf (len bytes). 0; -EAGAIN when buf holds less than the
 * whole header; -EBADMSG when it is no binrpc header (magic, version, message type).
 */
int ksr_binrpc_parse_hdr(const void *buf, size_t len, struct ksr_binrpc_hdr *ret);
/* Write the header of a packet into out; its length (2 to KSR_BINRPC_MAX_HDR bytes). */
size_t ksr_binrpc_build_hdr(enum ksr_binrpc_msg type, uint32_t body_len, uint32_t cookie,
                            unsigned char out[KSR_BINRPC_MAX_HDR]);

/* --- writing a body --- */

/*
 * A growing buffer for one packet: room for the header, then the body. Errors stick: after
 * the first one every put is a no-op returning it, so a caller may check once at the end.
 */
struct ksr_binrpc_writer {
	unsigned char *buf;
	size_t len; /* bytes used, the header's room included */
	size_t cap;
	size_t max; /* the most body bytes allowed: -E2BIG beyond */
	int err;
};

void ksr_binrpc_writer_init(struct ksr_binrpc_writer *w, size_t max_body);
void ksr_binrpc_writer_free(struct ksr_binrpc_writer *w);
/* Forget the body written so far (and a sticky error), keeping the memory. */
void ksr_binrpc_writer_reset(struct ksr_binrpc_writer *w);
size_t ksr_binrpc_body_len(const struct ksr_binrpc_writer *w);
/* Each: 0, -ENOMEM, or -E2BIG when the body would exceed its maximum. */
int ksr_binrpc_put_int(struct ksr_binrpc_writer *w, int32_t i);
int ksr_binrpc_put_double(struct ksr_binrpc_writer *w, double d);
int ksr_binrpc_put_str(struct ksr_binrpc_writer *w, const char *s, size_t len);
int ksr_binrpc_put_bytes(struct ksr_binrpc_writer *w, const void *s, size_t len);
/* A struct member's name: write the member's value right after it. */
int ksr_binrpc_put_name(struct ksr_binrpc_writer *w, const char *s, size_t len);
/* Open or close a struct or an array (type KSR_BINRPC_T_STRUCT or KSR_BINRPC_T_ARRAY). */
int ksr_binrpc_put_open(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type);
int ksr_binrpc_put_close(struct ksr_binrpc_writer *w, enum ksr_binrpc_type type);
/* A fault's body: its code and its message. */
int ksr_binrpc_put_fault(struct ksr_binrpc_writer *w, int32_t code, const char *msg, size_t len);
/*
 * Put the header in front of the body and return the whole packet (pointing into the
 * writer, valid until its next change). 0, or the writer's sticky error.
 */
int ksr_binrpc_finish(struct ksr_binrpc_writer *w, enum ksr_binrpc_msg type, uint32_t cookie,
                      const unsigned char **ret_pkt, size_t *ret_len);

/* --- reading a body --- */

/* One record. Strings point into the packet (a STR's NUL stays there, after s[len]). */
struct ksr_binrpc_val {
	enum ksr_binrpc_type type; /* never KSR_BINRPC_T_AVP: a member's type is its value's */
	bool end;                  /* a STRUCT or ARRAY record that closes one */
	const char *name;          /* a struct member's name (NUL-terminated), or NULL */
	size_t name_len;
	int32_t i;     /* INT */
	double d;      /* DOUBLE */
	const char *s; /* STR, BYTES */
	size_t len;
};

struct ksr_binrpc_reader {
	const unsigned char *p, *end;
	unsigned int depth;
	unsigned char open[KSR_BINRPC_MAX_DEPTH]; /* the type of each open struct or array */
};

void ksr_binrpc_reader_init(struct ksr_binrpc_reader *r, const void *body, size_t len);
/*
 * The next record. 0; -ENODATA at the end of a body whose structs and arrays are all
 * closed; -EBADMSG for anything malformed: a record past the end, an unknown type, a
 * string without its NUL, a close that matches no open, a member outside a struct,
 * nesting deeper than KSR_BINRPC_MAX_DEPTH, a body ending inside a struct.
 */
int ksr_binrpc_read(struct ksr_binrpc_reader *r, struct ksr_binrpc_val *ret);
/* The open structs and arrays around the last record read (a closing one not counted). */
static inline unsigned int ksr_binrpc_reader_depth(const struct ksr_binrpc_reader *r)
{
	return r->depth;
}

#endif
