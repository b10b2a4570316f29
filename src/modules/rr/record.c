/*
 * rr: Record-Route. The script functions record what the header is to say on the message
 * (module data); the header itself is built when the request is forwarded, by the core's
 * forward hook, once the listener it leaves from is known: that listener is what our URI
 * names, and a second header (double Record-Route, ";r2=on") names the receiving one
 * when the two differ.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/msg/mdata.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "rr.h"

enum rr_kind {
	RR_NONE = 0,   /* nothing to add (yet, or removed) */
	RR_LOCAL,      /* record_route(): our listeners' addresses */
	RR_ADVERTISED, /* record_route_advertised_address(): a given host[:port] */
	RR_PRESET,     /* record_route_preset(): one or two given URIs without scheme */
};

/* What the script asked for, kept on the message until it is forwarded. */
struct rr_record {
	enum rr_kind kind;
	bool done; /* a Record-Route function succeeded: the next one fails, as upstream */
	bool sips;
	struct ksr_str user;    /* empty: none */
	struct ksr_str tag;     /* the ftag value; empty: none */
	struct ksr_str sparams; /* record_route()'s parameter */
	struct ksr_str addr[2]; /* advertised address; preset URIs (the second may be empty) */
	/* add_rr_param(): before and after the Record-Route call (upstream's lump order) */
	struct ksr_str params_before, params_after;
};

static const char record_key;

static struct rr_record *record_get(struct ksr_msg *msg, bool create)
{
	struct rr_record *r = ksr_msg_data_get(msg, &record_key), zero = {0};
	void *copy;

	if (r || !create)
		return r;
	if (ksr_msg_data_set(msg, &record_key, &zero, sizeof(zero), &copy) < 0)
		return NULL;
	return copy;
}

static int copy_str(struct ksr_msg *msg, struct ksr_str s, struct ksr_str *ret);

/*
 * A transaction's copy of the request keeps what record_route() asked for: tm builds the
 * branches failure_route adds from that copy, and they are record-routed too.
 */
static int record_clone(struct ksr_msg *dst, void *data)
{
	struct rr_record *r = data;
	struct ksr_str *s[] = {&r->user, &r->tag, &r->sparams, &r->addr[0], &r->addr[1],
	                       &r->params_before, &r->params_after};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (copy_str(dst, *s[i], s[i]) < 0)
			return -ENOMEM;
	return 0;
}

int rr_record_clone_register(void)
{
	return ksr_msg_data_register_clone(&record_key, sizeof(struct rr_record), record_clone);
}

void rr_record_clone_unregister(void)
{
	ksr_msg_data_unregister_clone(&record_key);
}

static int copy_str(struct ksr_msg *msg, struct ksr_str s, struct ksr_str *ret)
{
	char *c;

	if (!s.len) {
		*ret = KSR_STR_NULL;
		return 0;
	}
	if (!(c = ksr_arena_alloc(msg->arena, s.len)))
		return -ENOMEM;
	memcpy(c, s.s, s.len);
	*ret = ksr_str_make(c, s.len);
	return 0;
}

/* --- what the parameters may hold --- */

/* ";name[=value]..." with the characters of URI parameters (RFC 3261 25.1). */
static bool valid_uri_params(struct ksr_str s)
{
	static const char extra[] = "-_.!~*'()%[]/:&+$;=";

	if (!s.len || s.s[0] != ';')
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr(extra, c))))
			return false;
	}
	return true;
}

/* What goes between "sip:" and ">": no blanks, no brackets of the header, no scheme. */
static const char *bad_uri_text(struct ksr_str s)
{
	if (!s.len)
		return "the address is empty";
	if ((s.len >= 4 && !strncasecmp(s.s, "sip:", 4)) ||
	    (s.len >= 5 && !strncasecmp(s.s, "sips:", 5)))
		return "the address is written without a scheme (sip: is added)";
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.s[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',')
			return "the address has a character a URI cannot have there";
	}
	return NULL;
}

int rr_fixup_rr_param(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (n && !p[0].dynamic && !valid_uri_params(p[0].s)) {
		*ret_err = "the parameter is URI parameters: \";name=value\"";
		return -EINVAL;
	}
	return 0;
}

int rr_fixup_preset(struct ksr_fparam *p, int n, const char **ret_err)
{
	for (int i = 0; i < n; i++) {
		const char *err = p[i].dynamic ? NULL : bad_uri_text(p[i].s);

		if (err) {
			*ret_err = err;
			return -EINVAL;
		}
	}
	return 0;
}

/* --- the script functions: what to record --- */

/*
 * The user of our URI with add_username: custom_user_avp when it has a value, else the
 * user of the Request-URI as received, or of the one the script set when the received
 * one has none (ref: the user of a pre-loaded Route put there by loose_route()).
 */
static int record_user(struct ksr_msg *msg, struct ksr_str *ret)
{
	struct ksr_uri *ruri;
	struct ksr_val v;

	*ret = KSR_STR_NULL;
	if (!rr_add_username)
		return 0;
	if (rr_custom_user && ksr_pv_get(msg, rr_custom_user, &v) == 0 && v.type != KSR_VAL_NULL)
		return ksr_val_to_str(msg, &v, ret);
	if (ksr_msg_ruri(msg, &ruri) < 0)
		return -EINVAL;
	if (!ruri->user.len && msg->new_uri.s && ksr_msg_cur_ruri_parsed(msg, &ruri) < 0)
		return -EINVAL;
	*ret = ruri->user;
	return 0;
}

/*
 * The ftag: the From tag of the dialog's first request, which is the To tag of a request
 * going upstream (hence record_route() after loose_route() within a dialog).
 */
static int record_tag(struct ksr_msg *msg, struct ksr_str *ret)
{
	struct ksr_nameaddr *na;
	int r;

	*ret = KSR_STR_NULL;
	if (!rr_append_fromtag)
		return 0;
	if (rr_direction(msg) == RR_FLOW_UPSTREAM)
		r = ksr_msg_to(msg, &na);
	else
		r = ksr_msg_from(msg, &na);
	if (r < 0) {
		LM_ERR("cannot parse the %s header for the ftag\n",
		       rr_direction(msg) == RR_FLOW_UPSTREAM ? "To" : "From");
		return r;
	}
	if (na->has_tag)
		*ret = na->tag;
	return 0;
}

/* The common part of the Record-Route functions: a record of this kind, or -1. */
static int record(struct ksr_msg *msg, enum rr_kind kind, struct ksr_str a0, struct ksr_str a1,
                  struct ksr_str sparams)
{
	struct rr_record *rec;
	struct ksr_uri *ruri;
	struct ksr_str user, tag;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (!(rec = record_get(msg, true)))
		return -1;
	if (rec->done) {
		LM_ERR("a Record-Route was already asked for this request\n");
		return -1;
	}
	if (ksr_msg_cur_ruri_parsed(msg, &ruri) < 0) {
		LM_ERR("cannot parse the Request-URI\n");
		return -1;
	}
	if (record_user(msg, &user) < 0 || record_tag(msg, &tag) < 0)
		return -1;
	if (copy_str(msg, user, &rec->user) < 0 || copy_str(msg, tag, &rec->tag) < 0 ||
	    copy_str(msg, sparams, &rec->sparams) < 0 || copy_str(msg, a0, &rec->addr[0]) < 0 ||
	    copy_str(msg, a1, &rec->addr[1]) < 0)
		return -1;
	rec->sips = !rr_ignore_sips && ruri->scheme == KSR_URI_SIPS;
	rec->kind = kind;
	rec->done = true;
	return 1;
}

int rr_w_record_route0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return record(msg, RR_LOCAL, KSR_STR_NULL, KSR_STR_NULL, KSR_STR_NULL);
}

int rr_w_record_route1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	/* an empty value is no parameter (a variable that is not set) */
	if (p[0].s.len && !valid_uri_params(p[0].s)) {
		/* the value may come from the message: not logged */
		LM_ERR("record_route: the parameter is not URI parameters (\";name=value\")\n");
		return -1;
	}
	return record(msg, RR_LOCAL, KSR_STR_NULL, KSR_STR_NULL, p[0].s);
}

/* Upstream warns when a preset address is not ours (enable_socket_mismatch_warning). */
static void preset_warn(struct ksr_msg *msg, struct ksr_str addr)
{
	char *u = ksr_arena_alloc(msg->arena, addr.len + 5);
	struct ksr_uri uri;

	if (!rr_socket_mismatch_warning || !u)
		return;
	memcpy(u, "sip:", 4);
	memcpy(u + 4, addr.s, addr.len);
	if (ksr_uri_parse(ksr_str_make(u, addr.len + 4), &uri) == 0 &&
	    !ksr_listener_is_local(uri.host, uri.port))
		LM_WARN("the preset Record-Route '%.*s' does not name a local socket\n",
		        KSR_STR_FMT(addr));
}

static int preset(struct ksr_msg *msg, struct ksr_str a0, struct ksr_str a1)
{
	const char *err = bad_uri_text(a0);

	if (!err && a1.s)
		err = bad_uri_text(a1);
	if (err) {
		LM_ERR("record_route_preset: %s\n", err);
		return -1;
	}
	preset_warn(msg, a0);
	return record(msg, RR_PRESET, a0, a1, KSR_STR_NULL);
}

int rr_w_record_route_preset1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return preset(msg, p[0].s, KSR_STR_NULL);
}

int rr_w_record_route_preset2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	/* two headers are a double Record-Route: refused when those are off, as upstream */
	if (!rr_enable_double_rr) {
		LM_ERR("record_route_preset with two addresses needs enable_double_rr\n");
		return -1;
	}
	return preset(msg, p[0].s, p[1].s);
}

int rr_w_record_route_adv(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const char *err = bad_uri_text(p[0].s);

	if (err) {
		LM_ERR("record_route_advertised_address: %s\n", err);
		return -1;
	}
	return record(msg, RR_ADVERTISED, p[0].s, KSR_STR_NULL, KSR_STR_NULL);
}

int rr_w_remove_record_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct rr_record *rec = record_get(msg, false);

	/* what was asked goes; a second record_route() still fails, as upstream */
	if (rec) {
		rec->kind = RR_NONE;
		rec->params_before = rec->params_after = KSR_STR_NULL;
	}
	return 1;
}

int rr_w_add_rr_param(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct rr_record *rec;
	struct ksr_str *to;
	char *c;

	if (!valid_uri_params(p[0].s)) {
		LM_ERR("add_rr_param: the parameter is not URI parameters (\";name=value\")\n");
		return -1;
	}
	if (msg->type != KSR_MSG_REQUEST || !(rec = record_get(msg, true)))
		return -1;
	to = rec->done ? &rec->params_after : &rec->params_before;
	if (!(c = ksr_arena_alloc(msg->arena, to->len + p[0].s.len)))
		return -1;
	if (to->len)
		memcpy(c, to->s, to->len);
	memcpy(c + to->len, p[0].s.s, p[0].s.len);
	*to = ksr_str_make(c, to->len + p[0].s.len);
	return 1;
}

/* --- building the header lines when the request is forwarded --- */

struct line {
	char *s;
	size_t len, cap;
};

static void put(struct line *l, const char *s, size_t n)
{
	/* sized by the caller from every part's length: never short */
	if (l->len + n > l->cap)
		n = l->cap - l->len;
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void put_str(struct line *l, struct ksr_str s)
{
	if (s.len)
		put(l, s.s, s.len);
}

static const char *proto_name(int proto)
{
	return proto == IPPROTO_TCP ? "tcp" : "udp";
}

/* "host[:port][;transport=tcp][;sn=NAME]": what names listener l in our URI. */
static void put_listener(struct line *o, const struct ksr_listener *l)
{
	const char *host = l->adv_host[0] ? l->adv_host : l->host;
	unsigned short port = l->adv_host[0] && l->adv_port ? l->adv_port : l->port;
	char num[8];
	bool v6 = strchr(host, ':') != NULL;

	if (v6)
		put(o, "[", 1);
	puts_(o, host);
	if (v6)
		put(o, "]", 1);
	/* the SIP port is left out, as upstream */
	if (port != KSR_SIP_PORT) {
		snprintf(num, sizeof(num), ":%u", port);
		puts_(o, num);
	}
	if (l->proto != IPPROTO_UDP) {
		puts_(o, ";transport=");
		puts_(o, proto_name(l->proto));
	}
	if (rr_sockname_mode && l->name[0]) {
		puts_(o, ";sn=");
		puts_(o, l->name);
	}
}

static void put_start(struct line *o, const struct rr_record *rec)
{
	puts_(o, rec->sips ? "Record-Route: <sips:" : "Record-Route: <sip:");
	if (rec->user.len) {
		put_str(o, rec->user);
		put(o, "@", 1);
	}
}

static void put_lr(struct line *o)
{
	puts_(o, rr_enable_full_lr ? ";lr=on" : ";lr");
}

static void put_ftag(struct line *o, const struct rr_record *rec)
{
	if (rec->tag.len) {
		puts_(o, ";ftag=");
		put_str(o, rec->tag);
	}
}

static void put_end(struct line *o, const struct rr_record *rec, bool params_before)
{
	if (params_before)
		put_str(o, rec->params_before);
	put_str(o, rec->params_after);
	puts_(o, ">\r\n");
}

static int line_init(struct ksr_msg *msg, const struct rr_record *rec, struct ksr_str addr,
                     struct line *ret)
{
	/* the fixed text and a listener (host, port, transport, name) fit in 512 bytes */
	ret->cap = 512 + rec->user.len + rec->tag.len + rec->sparams.len + addr.len +
	           rec->params_before.len + rec->params_after.len;
	ret->len = 0;
	ret->s = ksr_arena_alloc(msg->arena, ret->cap);
	return ret->s ? 0 : -ENOMEM;
}

/* Record-Route: <sip:[user@]LISTENER[;r2=on];lr[;ftag=T]SPARAMS PARAMS> */
static int local_line(struct ksr_msg *msg, const struct rr_record *rec,
                      const struct ksr_listener *l, bool r2, struct ksr_str *ret)
{
	struct line o;

	if (line_init(msg, rec, KSR_STR_NULL, &o) < 0)
		return -ENOMEM;
	put_start(&o, rec);
	put_listener(&o, l);
	if (r2)
		puts_(&o, ";r2=on");
	put_lr(&o);
	put_ftag(&o, rec);
	put_str(&o, rec->sparams);
	put_end(&o, rec, true);
	*ret = ksr_str_make(o.s, o.len);
	return 0;
}

/* Record-Route: <sip:[user@]ADDR[;transport=P][;r2=on][;ftag=T];lr PARAMS> */
static int adv_line(struct ksr_msg *msg, const struct rr_record *rec, int proto, bool r2,
                    struct ksr_str *ret)
{
	struct line o;

	if (line_init(msg, rec, rec->addr[0], &o) < 0)
		return -ENOMEM;
	put_start(&o, rec);
	put_str(&o, rec->addr[0]);
	if (proto) {
		puts_(&o, ";transport=");
		puts_(&o, proto_name(proto));
	}
	if (r2)
		puts_(&o, ";r2=on");
	put_ftag(&o, rec);
	put_lr(&o);
	put_end(&o, rec, true);
	*ret = ksr_str_make(o.s, o.len);
	return 0;
}

/* Record-Route: <sip:[user@]PRESET[;ftag=T]PARAMS_BEFORE;lr PARAMS_AFTER> */
static int preset_line(struct ksr_msg *msg, const struct rr_record *rec, struct ksr_str addr,
                       struct ksr_str *ret)
{
	struct line o;

	if (line_init(msg, rec, addr, &o) < 0)
		return -ENOMEM;
	put_start(&o, rec);
	put_str(&o, addr);
	put_ftag(&o, rec);
	put_str(&o, rec->params_before);
	put_lr(&o);
	put_end(&o, rec, false);
	*ret = ksr_str_make(o.s, o.len);
	return 0;
}

/* Whether listeners a and b read the same in our URI (a single Record-Route serves both). */
static bool same_uri(struct ksr_msg *msg, const struct ksr_listener *a,
                     const struct ksr_listener *b)
{
	struct rr_record none = {0};
	struct ksr_str x, y;

	if (a == b)
		return true;
	if (local_line(msg, &none, a, false, &x) < 0 || local_line(msg, &none, b, false, &y) < 0)
		return false;
	return ksr_str_eq(&x, &y);
}

int rr_forward_hook(struct ksr_msg *msg, const struct ksr_listener *out)
{
	const struct rr_record *rec = record_get(msg, false);
	const struct ksr_listener *in = msg->rcv.listener ? msg->rcv.listener : out;
	struct ksr_str line[2] = {KSR_STR_NULL, KSR_STR_NULL};
	bool two;
	int r = 0;

	if (!rec || rec->kind == RR_NONE || msg->type != KSR_MSG_REQUEST)
		return 0;
	switch (rec->kind) {
	case RR_LOCAL:
		/* the top one names where the request goes, the other where it came from */
		two = rr_enable_double_rr == 2 || (rr_enable_double_rr && !same_uri(msg, in, out));
		if (two)
			r = local_line(msg, rec, out, true, &line[0]);
		if (r == 0)
			r = local_line(msg, rec, in, two, &line[1]);
		break;
	case RR_ADVERTISED:
		/* one address: a second header only tells the transports apart */
		two = rr_enable_double_rr == 2 || (rr_enable_double_rr && in->proto != out->proto);
		if (two)
			r = adv_line(msg, rec, out->proto, true, &line[0]);
		if (r == 0)
			r = adv_line(msg, rec, (two || in->proto != out->proto) ? in->proto : 0,
			             two, &line[1]);
		break;
	default:
		r = preset_line(msg, rec, rec->addr[0], &line[0]);
		if (r == 0 && rec->addr[1].len)
			r = preset_line(msg, rec, rec->addr[1], &line[1]);
		break;
	}
	for (int i = 0; i < 2 && r == 0; i++)
		if (line[i].len)
			r = ksr_msg_add_hdr(msg, line[i], KSR_HDR_INSERT);
	if (r < 0)
		LM_ERR("cannot add the Record-Route header: %s\n", strerror(-r));
	return r;
}
