/* Types of a received SIP message: a view over the receive buffer, parsed lazily. */
#ifndef KSR_CORE_PARSER_MSG_T_H
#define KSR_CORE_PARSER_MSG_T_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "core/str.h"

struct ksr_arena;
struct ksr_listener;
struct ksr_uri;
struct ksr_edit;
struct ksr_avp;
struct ksr_msg_data;

/* q of a branch unset: printed without ;q= (q values are kept as thousandths). */
#define KSR_Q_UNSET (-1)

/* A destination beyond the Request-URI: what append_branch adds (core/msg/dset.h). */
struct ksr_branch {
	struct ksr_str uri;
	struct ksr_str dst_uri; /* empty when none */
	struct ksr_str path; /* empty when none */
	int q; /* 0..1000, or KSR_Q_UNSET */
	unsigned int flags; /* branch flags */
	struct ksr_listener *socket; /* NULL when not forced */
	struct ksr_branch *next;
};
struct ksr_xavp;
struct ksr_param;

enum ksr_msg_type {
	KSR_MSG_REQUEST = 1,
	KSR_MSG_REPLY = 2,
};

/* Method ids are bits so that a set of methods fits one int, as upstream's. */
enum ksr_method {
	KSR_METHOD_OTHER = 0,
	KSR_METHOD_INVITE = 1 << 0,
	KSR_METHOD_CANCEL = 1 << 1,
	KSR_METHOD_ACK = 1 << 2,
	KSR_METHOD_BYE = 1 << 3,
	KSR_METHOD_INFO = 1 << 4,
	KSR_METHOD_REGISTER = 1 << 5,
	KSR_METHOD_SUBSCRIBE = 1 << 6,
	KSR_METHOD_NOTIFY = 1 << 7,
	KSR_METHOD_MESSAGE = 1 << 8,
	KSR_METHOD_OPTIONS = 1 << 9,
	KSR_METHOD_PRACK = 1 << 10,
	KSR_METHOD_UPDATE = 1 << 11,
	KSR_METHOD_REFER = 1 << 12,
	KSR_METHOD_PUBLISH = 1 << 13,
};

enum ksr_hdr_type {
	KSR_HDR_OTHER = 0,
	KSR_HDR_VIA,
	KSR_HDR_FROM,
	KSR_HDR_TO,
	KSR_HDR_CALLID,
	KSR_HDR_CSEQ,
	KSR_HDR_CONTENTLENGTH,
	KSR_HDR_CONTENTTYPE,
	KSR_HDR_CONTACT,
	KSR_HDR_MAXFORWARDS,
	KSR_HDR_ROUTE,
	KSR_HDR_RECORDROUTE,
	KSR_HDR_SUPPORTED,
	KSR_HDR_EVENT,
	KSR_HDR_SUBJECT,
	KSR_HDR_EXPIRES,
	KSR_HDR_MINEXPIRES,
	KSR_HDR_PATH,
	KSR_HDR_AUTHORIZATION,
	KSR_HDR_PROXYAUTH,
	KSR_HDR_WWWAUTH,
	KSR_HDR_PROXYAUTHENTICATE,
	KSR_HDR_REQUIRE,
	KSR_HDR_PROXYREQUIRE,
	KSR_HDR_UNSUPPORTED,
	KSR_HDR_ALLOW,
	KSR_HDR_ALLOWEVENTS,
	KSR_HDR_PAI,
	KSR_HDR_PPI,
	KSR_HDR_DIVERSION,
	KSR_HDR_PRIVACY,
	KSR_HDR_USERAGENT,
	KSR_HDR_SERVER,
	KSR_HDR_ACCEPT,
	KSR_HDR_DATE,
	KSR_HDR_CONTENTENCODING,
	KSR_HDR_REFERTO,
	KSR_HDR_REFERREDBY,
	KSR_HDR_SESSIONEXPIRES,
	KSR_HDR_IDENTITY,
	KSR_HDR_CONTENTDISPOSITION,
	KSR_HDR_RETRYAFTER,
	KSR_HDR_TYPES_COUNT, /* not a type: the number of them */
};

struct ksr_hdr {
	enum ksr_hdr_type type;
	struct ksr_str name; /* as written: "Via", "v", ... */
	struct ksr_str body; /* value, trimmed, folding kept */
	struct ksr_str line; /* the whole header, name to CRLF included */
	void *parsed; /* body parsed on first use (struct ksr_via *, ...) */
	struct ksr_hdr *next;
};

/* A Via header value: "SIP/2.0/UDP host:port;params". */
struct ksr_via {
	struct ksr_str transport; /* "UDP", "TCP", ... */
	struct ksr_str host; /* IPv6 without brackets */
	unsigned short port; /* 0 when absent */
	struct ksr_str params; /* ";a=b;c", empty when none */
	struct ksr_str branch;
	struct ksr_str received;
	bool has_received;
	bool has_rport;
	struct ksr_str rport; /* value, empty when "rport" alone */
	char *rport_name; /* where "rport" starts, for rewriting */
	char *rport_end; /* end of "rport[=value]" */
	char *end; /* end of this value: where a new param goes */
	struct ksr_via *next; /* next value in the same header line */
	/* added by the header parsers (core/parser/hdr.h) */
	struct ksr_str maddr; /* as written; empty when absent */
	struct ksr_str ttl; /* 0..255, checked; empty when absent */
	bool has_alias; /* RFC 5923 */
	struct ksr_param *param_list; /* every param, in order */
	struct ksr_hdr *hdr; /* the line; set by the ksr_msg_via* accessors */
	struct ksr_via *next_all; /* next value in this or a later Via line (ksr_msg_vias) */
};

/* From and To: name-addr or addr-spec, then header params (tag, ...). */
struct ksr_nameaddr {
	struct ksr_str display;
	struct ksr_str uri;
	struct ksr_str params;
	struct ksr_str tag;
	bool has_tag;
	struct ksr_param *param_list; /* set by ksr_parse_fromto and ksr_msg_from/to */
	struct ksr_uri *uri_parsed; /* uri, parsed on first use (ksr_nameaddr_uri) */
};

struct ksr_cseq {
	unsigned int number;
	struct ksr_str method;
	enum ksr_method method_id;
};

/* Where a message came from. */
struct ksr_rcv_info {
	struct sockaddr_storage src;
	socklen_t src_len;
	struct ksr_listener *listener; /* the socket it arrived on */
	int proto; /* IPPROTO_UDP, ... */
	struct ksr_conn *conn; /* the connection it came on (TCP), or NULL */
};

struct ksr_msg {
	char *buf;
	size_t len;
	enum ksr_msg_type type;
	union {
		struct {
			struct ksr_str method;
			enum ksr_method method_id;
			struct ksr_str uri;
			struct ksr_str version;
		} req;
		struct {
			struct ksr_str version;
			struct ksr_str status;
			unsigned int code;
			struct ksr_str reason;
		} rpl;
	} first;
	struct ksr_hdr *headers;
	/* the first header of each kind the core needs often */
	struct ksr_hdr *h_via1, *h_from, *h_to, *h_callid, *h_cseq, *h_clen;
	struct ksr_hdr *h_maxfwd, *h_contact;
	struct ksr_str body;
	bool bad_version; /* a request line whose version is not SIP/2.0 (505) */
	struct ksr_uri *ruri; /* the received Request-URI, parsed on first use */
	struct ksr_rcv_info rcv;
	struct ksr_arena *arena; /* per-message allocations */
	/* changes recorded for the outgoing message (core/msg/edit.h) */
	struct ksr_edit *edits;
	unsigned int nedits;
	struct ksr_str new_uri; /* set: the Request-URI to send instead */
	struct ksr_uri *new_ruri; /* new_uri parsed on first use; reset when it changes */
	struct ksr_str dst_uri; /* $du: where to send, when not to the Request-URI */
	/* force_send_socket(), $fs: the listener to send from (NULL: chosen per destination) */
	struct ksr_listener *send_socket;
	bool new_body_set;
	struct ksr_str new_body;
	unsigned int flags; /* script flags ($mf) */
	unsigned int bflags; /* branch flags of the first branch ($bf) */
	/* the destination set beyond the Request-URI (branch 0), in order: branches 1.. */
	struct ksr_branch *branches;
	unsigned int nbranches;
	/*
	 * The Request-URI is in the destination set already (append_branch() without a URI)
	 * or was forwarded by t_relay(): t_relay() makes no branch of it until $ru or $du
	 * changes (upstream's ruri_mark_consumed / ruri_mark_new).
	 */
	bool ruri_consumed;
	unsigned int sflags; /* script flags (kex setsflag/issflagset, $sf): 0 for each message */
	unsigned int iflags; /* internal flags by upstream's names (corex msg_iflag_*) */
	uint64_t xflags; /* extended flags 0..63 (corex setxflag/isxflagset) */
	bool time_set;
	struct timeval time; /* taken on first use, so one message sees one time ($Ts, $TV) */
	struct ksr_avp *avps; /* $avp(): attribute-value pairs of this message */
	struct ksr_xavp *xavps; /* $xavp(): extended, structured AVPs */
	bool replied; /* a stateless reply was sent for this request */
	struct ksr_msg_data *mdata; /* modules' data on this message (core/msg/mdata.h) */
	bool force_rport; /* force_rport(): reply to the source port as if Via had rport */
	bool local_rport; /* add_local_rport(): our Via of forwarded requests asks for rport */
	bool via_srvid; /* corex via_add_srvid(1): our Via carries srvid=server_id */
	/* set_forward_no_connect(), set_forward_close(), set_reply_close() */
	bool fwd_no_connect, fwd_close, reply_close;
	/* what local replies to this request get besides the copied headers (msg/reply.h) */
	struct ksr_str reply_hdrs; /* header lines, each with its CRLF (append_to_reply) */
	bool reply_body_set;
	struct ksr_str reply_body; /* (set_reply_body; its Content-Type is in reply_hdrs) */
};

#endif
