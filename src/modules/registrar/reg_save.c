/*
 * save(): a REGISTER's bindings into usrloc (RFC 3261 10.3, RFC 3327 Path, the instance
 * and reg-id of RFC 5626), and the reply listing what is bound. Every check is made
 * before anything changes: a REGISTER is taken whole or not at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/dset.h"
#include "core/msg/mdata.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "core/route/program.h"
#include "../tm/tm_api.h"
#include "registrar.h"

/* Longest User-Agent and received kept, as upstream (longer: "n/a", or an error). */
#define MAX_UA 255
#define MAX_RECEIVED 255
#define MAX_CALLID 255

/* What save() decided, kept on the message for reg_send_reply(). */
struct reg_reply {
	enum reg_error err;
	struct ksr_str contacts; /* "Contact: ...\r\n", or empty */
	struct ksr_str path;     /* the Path vector to give back, or empty */
	bool hdrs_added;
};
static const char reply_key;

/* One save() call. */
struct save {
	struct ksr_msg *msg;
	struct ul_domain *d;
	unsigned int flags;
	time_t now;
	struct ksr_str aor;
	struct ksr_str callid;
	uint32_t cseq;
	bool has_hdr_expires;
	uint32_t hdr_expires;
	struct ksr_str path;          /* the Path headers' values joined by ',' (use_path) */
	struct ksr_str path_received; /* received of the first Path URI (path_use_received) */
	bool path_supported;          /* Supported: path */
	struct ksr_str user_agent;
	struct ksr_str avp_received; /* received_avp's value */
	unsigned int allow;          /* the Allow header's methods, UL_ALL_METHODS when none */
	struct ksr_listener *sock;
	struct reg_reply rp;
};

/* One Contact of the REGISTER and what is to be done with it. */
enum op { OP_SKIP, OP_INSERT, OP_UPDATE, OP_DELETE };
struct plan {
	enum op op;
	struct ul_contact *c; /* the binding it matched */
	struct ul_contact_info ci;
};

static struct ksr_str text(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

/* --- the reply --- */

/* printf at buf + *n, never past buf[size - 1] (the sizes below are estimates). */
__attribute__((format(printf, 4, 5))) static void putf(char *buf, size_t size, size_t *n,
                                                       const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n + 1 >= size)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n = *n + (size_t)r < size ? *n + (size_t)r : size - 1;
}

/* len bytes of p at buf + *n, never past buf[size - 1] (the sizes below are estimates). */
static void put(char *buf, size_t size, size_t *n, const char *p, size_t len)
{
	if (*n + 1 >= size)
		return;
	if (len > size - 1 - *n)
		len = size - 1 - *n;
	memcpy(buf + *n, p, len);
	*n += len;
	buf[*n] = '\0';
}

#define PUT_LIT(buf, size, n, lit) put(buf, size, n, lit, sizeof(lit) - 1)

/* v in decimal at buf + *n, as put(). */
static void put_long(char *buf, size_t size, size_t *n, long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

	do
		d[--i] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		d[--i] = '-';
	put(buf, size, n, d + i, sizeof(d) - i);
}

/*
 * "Contact: <c>;q=..;expires=..[;received=".."][;+sip.instance=..][;reg-id=..], ..."
 * Copied piece by piece: with vsnprintf() this was a tenth of a REGISTER's cost.
 */
static void build_contacts(struct save *s, const struct ul_record *r)
{
	size_t rp_len = reg_received_param ? strlen(reg_received_param) : 0, size = 16, n = 0;
	char *buf;
	bool first = true;

	s->rp.contacts = KSR_STR_NULL;
	if (!r)
		return;
	for (const struct ul_contact *c = r->contacts; c; c = c->next)
		if (ul_contact_valid(c, s->now))
			size += c->c.len + c->received.len + c->instance.len + rp_len + 96;
	if (size == 16 || !(buf = ksr_arena_alloc(s->msg->arena, size)))
		return;
	PUT_LIT(buf, size, &n, "Contact: ");
	for (const struct ul_contact *c = r->contacts; c; c = c->next) {
		char q[8];

		if (!ul_contact_valid(c, s->now))
			continue;
		if (!first)
			PUT_LIT(buf, size, &n, ", ");
		first = false;
		PUT_LIT(buf, size, &n, "<");
		put(buf, size, &n, c->c.s, c->c.len);
		PUT_LIT(buf, size, &n, ">");
		if (c->q != UL_Q_UNSET) {
			PUT_LIT(buf, size, &n, ";q=");
			put(buf, size, &n, q, ksr_q_print(c->q, q));
		}
		PUT_LIT(buf, size, &n, ";expires=");
		put_long(buf, size, &n, c->expires ? (long)(c->expires - s->now) : 0L);
		if (rp_len && c->received.len) {
			PUT_LIT(buf, size, &n, ";");
			put(buf, size, &n, reg_received_param, rp_len);
			PUT_LIT(buf, size, &n, "=\"");
			put(buf, size, &n, c->received.s, c->received.len);
			PUT_LIT(buf, size, &n, "\"");
		}
		if (c->instance.len) {
			PUT_LIT(buf, size, &n, ";+sip.instance=\"");
			put(buf, size, &n, c->instance.s, c->instance.len);
			PUT_LIT(buf, size, &n, "\"");
		}
		if (c->reg_id) {
			PUT_LIT(buf, size, &n, ";reg-id=");
			put_long(buf, size, &n, (long)c->reg_id);
		}
	}
	PUT_LIT(buf, size, &n, "\r\n");
	s->rp.contacts = ksr_str_make(buf, n);
}

/* The lines a reply of rp carries after the copied headers (arena memory). */
static int reply_lines(struct ksr_msg *msg, const struct reg_reply *rp, struct ksr_str *ret)
{
	unsigned int code = registrar_error_code(rp->err);
	const char *unsup = rp->err == R_PATH_UNSUP ? "path"
	                    : rp->err == R_OB_REQD  ? "outbound"
	                                            : NULL;
	size_t size = rp->contacts.len + rp->path.len + 256, n;
	char *buf = ksr_arena_alloc(msg->arena, size);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, rp->contacts.s ? rp->contacts.s : "", rp->contacts.len);
	n = rp->contacts.len;
	if (rp->err == R_LOW_EXP)
		putf(buf, size, &n, "Min-Expires: %d\r\n", reg_min_expires);
	if (unsup)
		putf(buf, size, &n, "Unsupported: %s\r\n", unsup);
	if (rp->path.len)
		putf(buf, size, &n, "Path: %.*s\r\n", KSR_STR_FMT(rp->path));
	if (code != 200)
		putf(buf, size, &n, "P-Registrar-Error: %s\r\n", registrar_error_text(rp->err));
	if (code >= 500 && code < 600 && reg_retry_after > 0)
		putf(buf, size, &n, "Retry-After: %d\r\n", reg_retry_after);
	*ret = ksr_str_make(buf, n);
	return 0;
}

static int add_reply_hdrs(struct ksr_msg *msg, struct reg_reply *rp)
{
	struct ksr_str lines;
	int r;

	if (rp->hdrs_added)
		return 0;
	if ((r = reply_lines(msg, rp, &lines)) < 0 ||
	    (lines.len && (r = ksr_reply_add_hdrs(msg, lines)) < 0)) {
		LM_ERR("cannot add the reply's headers: %s\n", strerror(-r));
		return r;
	}
	rp->hdrs_added = true;
	return 0;
}

/* Through the transaction when the request has one (as sl's send_reply), else stateless. */
static int send_reply(struct ksr_msg *msg, struct reg_reply *rp)
{
	unsigned int code = registrar_error_code(rp->err);
	struct ksr_str reason = text(registrar_reason(code));
	int r;

	if (add_reply_hdrs(msg, rp) < 0)
		return -1;
	if (!reg_tm || (r = reg_tm->reply(msg, code, reason)) == -ENOENT)
		r = ksr_reply_send(msg, code, reason);
	if (r < 0) {
		LM_ERR("cannot send the %u reply: %s\n", code, strerror(-r));
		return -1;
	}
	return 1;
}

int registrar_send_reply(struct ksr_msg *msg)
{
	struct reg_reply *rp = ksr_msg_data_get(msg, &reply_key);

	if (!rp) {
		LM_ERR("reg_send_reply: save() did not run for this request\n");
		return -1;
	}
	return send_reply(msg, rp);
}

/* --- reading the REGISTER --- */

/*
 * Contact: * must be alone (RFC 3261 10.2.2) and come with Expires: 0. *ret_star, or the
 * error.
 */
static enum reg_error check_star(struct save *s, bool *ret_star)
{
	struct ksr_hdr_iter it;
	struct ksr_str v;
	unsigned int values = 0, stars = 0;
	int r;

	ksr_hdr_iter_init(&it, s->msg, KSR_HDR_CONTACT);
	while ((r = ksr_hdr_iter_next(&it, &v)) > 0) {
		values++;
		if (v.len == 1 && v.s[0] == '*')
			stars++;
	}
	if (r < 0)
		return R_PARSE_CONT;
	*ret_star = stars > 0;
	if (!stars)
		return R_FINE;
	if (values > 1)
		return R_STAR_CONT;
	if (!s->has_hdr_expires || s->hdr_expires != 0)
		return R_STAR_EXP;
	return R_FINE;
}

/* The Path vector (RFC 3327): every Path value, in order, joined by ','. */
static enum reg_error read_path(struct save *s)
{
	struct ksr_addr *first;
	size_t size = 0, n = 0;
	char *buf;
	int r;

	r = ksr_msg_paths(s->msg, &first);
	if (r == -ENOENT)
		return R_FINE;
	if (r < 0)
		return R_PARSE_PATH;
	for (struct ksr_hdr *h = ksr_msg_hdr_first(s->msg, KSR_HDR_PATH); h;
	     h = ksr_msg_hdr_next(h))
		size += h->body.len + 1;
	if (!(buf = ksr_arena_alloc(s->msg->arena, size + 1)))
		return R_PARSE_PATH;
	for (struct ksr_hdr *h = ksr_msg_hdr_first(s->msg, KSR_HDR_PATH); h;
	     h = ksr_msg_hdr_next(h)) {
		if (n)
			buf[n++] = ',';
		memcpy(buf + n, h->body.s, h->body.len);
		n += h->body.len;
	}
	s->path = ksr_str_make(buf, n);
	if (reg_path_use_received) {
		struct ksr_uri u;
		struct ksr_str rcv;

		/* a load balancer in front names the client's address in its Path URI */
		if (ksr_uri_parse(first->uri, &u) == 0 &&
		    ksr_param_find(u.params, "received", &rcv) == 1 && rcv.len)
			s->path_received = ksr_unquote(rcv);
	}
	return R_FINE;
}

static bool has_option(struct ksr_msg *msg, enum ksr_hdr_type type, unsigned int tag)
{
	struct ksr_token *list;

	return ksr_msg_tokens(msg, type, &list) == 0 && (ksr_option_tags(list) & tag);
}

/* The socket from sock_hdr_name (sock_flag set) or $xavp(cfg=>socket), else the receiving one. */
static struct ksr_listener *save_socket(struct ksr_msg *msg)
{
	const struct ksr_val *v = registrar_xavp_cfg(msg, "socket");
	struct ksr_str spec = KSR_STR_NULL;
	char buf[128];
	struct ksr_listener *l;

	if (v && v->type == KSR_VAL_STR) {
		spec = v->s;
	} else if (reg_sock_flag >= 0 && reg_sock_flag < 32 &&
	           (msg->flags & (1u << reg_sock_flag)) && reg_sock_hdr_name) {
		struct ksr_str name = text(reg_sock_hdr_name);

		for (struct ksr_hdr *h = msg->headers; h; h = h->next)
			if (ksr_str_caseeq(&h->name, &name)) {
				spec = h->body;
				break;
			}
	}
	if (!spec.len)
		return msg->rcv.listener;
	if (spec.len >= sizeof(buf)) {
		LM_ERR("socket '%.*s' is too long\n", KSR_STR_FMT(spec));
		return msg->rcv.listener;
	}
	memcpy(buf, spec.s, spec.len);
	buf[spec.len] = '\0';
	if (!(l = ksr_listener_find(buf))) {
		LM_ERR("'%s' is not one of our sockets: the receiving one is kept\n", buf);
		return msg->rcv.listener;
	}
	return l;
}

/* What every contact of the REGISTER shares. */
static enum reg_error read_common(struct save *s)
{
	struct ksr_val v;
	int r;

	if (ksr_msg_user_agent(s->msg, &s->user_agent) < 0 || s->user_agent.len > MAX_UA)
		s->user_agent = KSR_STR_STATIC("n/a");
	if (reg_received_pv && ksr_pv_get(s->msg, reg_received_pv, &v) == 0 &&
	    v.type == KSR_VAL_STR && v.s.len) {
		if (v.s.len > MAX_RECEIVED)
			return R_CONTACT_LEN;
		s->avp_received = v.s;
	}
	r = ksr_msg_allow(s->msg, &s->allow);
	if (r < 0)
		s->allow = UL_ALL_METHODS;
	s->sock = save_socket(s->msg);
	return R_FINE;
}

/* A random value in [e - pct% of e, e]. */
static uint32_t with_range(uint32_t e, int pct)
{
	uint32_t span;

	if (pct <= 0 || pct > 100 || !e)
		return e;
	span = (uint32_t)((uint64_t)e * (uint32_t)pct / 100);
	return span ? e - (uint32_t)(random() % (span + 1)) : e;
}

/* A contact's expires as an absolute time (0: remove it), or an error. */
static enum reg_error contact_expires(struct save *s, const struct ksr_contact *c, time_t *ret)
{
	const struct ksr_val *xv = registrar_xavp_cfg(s->msg, "expires");
	bool ranged = !(s->flags & REG_SAVE_NO_RANGE);
	long long e;

	if (xv && xv->type == KSR_VAL_INT && xv->i >= 0)
		e = xv->i;
	else if (c->has_expires)
		e = c->expires;
	else if (s->has_hdr_expires)
		e = s->hdr_expires;
	else
		e = ranged ? with_range((uint32_t)reg_default_expires, reg_default_expires_range)
		           : (uint32_t)reg_default_expires;
	if (e == 0) {
		*ret = 0;
		return R_FINE;
	}
	if (ranged && (c->has_expires || s->has_hdr_expires))
		e = with_range((uint32_t)e, reg_expires_range);
	if (reg_min_expires > 0 && e < reg_min_expires) {
		if (reg_min_expires_mode)
			return R_LOW_EXP;
		e = reg_min_expires;
	}
	if (reg_max_expires > 0 && e > reg_max_expires)
		e = reg_max_expires;
	*ret = s->now + (time_t)e;
	return R_FINE;
}

/* ci for contact c (strings point into the message). */
static enum reg_error contact_info(struct save *s, const struct ksr_contact *c,
                                   struct ul_contact_info *ci)
{
	const struct ksr_val *xq = registrar_xavp_cfg(s->msg, "q");
	enum reg_error e;

	memset(ci, 0, sizeof(*ci));
	if (c->uri.len > (size_t)reg_contact_max_size || c->received.len > MAX_RECEIVED) {
		LM_WARN("contact or received of <%.*s> too long\n", KSR_STR_FMT(s->aor));
		return R_CONTACT_LEN;
	}
	if ((e = contact_expires(s, c, &ci->expires)) != R_FINE)
		return e;
	ci->c = c->uri;
	if (xq && xq->type == KSR_VAL_INT && xq->i >= 0 && xq->i <= 1000)
		ci->q = (int)xq->i;
	else
		ci->q = c->q >= 0 ? c->q : reg_default_q;
	ci->callid = s->callid;
	ci->cseq = s->cseq;
	ci->user_agent = s->user_agent;
	ci->path = s->path;
	ci->flags = (s->flags & REG_SAVE_MEMORY) ? UL_FL_MEM : 0;
	ci->cflags = s->msg->bflags;
	if (s->path_received.len) {
		ci->received = s->path_received;
		if (*reg_ul->nat_bflag >= 0)
			ci->cflags |= 1u << *reg_ul->nat_bflag;
	} else if (c->received.len) {
		ci->received = c->received;
	} else {
		ci->received = s->avp_received;
	}
	ci->methods = s->allow;
	if (c->methods.len) {
		struct ksr_token *list;

		if (ksr_parse_token_list(c->methods, s->msg->arena, &list) == 0)
			ci->methods = ksr_methods_mask(list);
	}
	if (c->has_instance) {
		ci->instance = c->instance;
		if (c->has_reg_id)
			ci->reg_id = c->reg_id;
	}
	ci->sock = s->sock;
	ci->last_modified = s->now;
	ci->server_id = ksr_core_cfg.server_id;
	ci->tcpconn_id = -1;
	return R_FINE;
}

/* The contacts the REGISTER may have at most (max_contacts, or $xavp(cfg=>max_contacts)). */
static int max_contacts(struct save *s)
{
	const struct ksr_val *v = registrar_xavp_cfg(s->msg, "max_contacts");

	return v && v->type == KSR_VAL_INT && v->i >= 0 ? (int)v->i : reg_max_contacts;
}

/* --- changing the bindings --- */

/*
 * Decide what each contact does against record r (NULL: none yet), checking everything
 * first. *ret_n is the number of plans.
 */
static enum reg_error plan_contacts(struct save *s, struct ksr_contact *list, struct ul_record *r,
                                    struct plan **ret, size_t *ret_n)
{
	bool single = s->flags & REG_SAVE_SINGLE;
	size_t n = 0, count = 0;
	struct plan *p;
	long bound = 0;
	enum reg_error e;

	for (struct ksr_contact *c = list; c; c = c->next)
		count++;
	if (!(p = ksr_arena_alloc(s->msg->arena, count * sizeof(*p))))
		return R_UL_INS_C;
	if (r)
		for (struct ul_contact *c = r->contacts; c; c = c->next)
			bound += ul_contact_valid(c, s->now);
	for (struct ksr_contact *c = list; c; c = c->next) {
		struct plan *pl = &p[n++];
		int m;

		if ((e = contact_info(s, c, &pl->ci)) != R_FINE)
			return e;
		pl->op = OP_SKIP;
		if (!r)
			m = -ENOENT;
		else if (pl->ci.instance.len && pl->ci.reg_id)
			m = reg_ul->get_contact_by_instance(r, &pl->ci, &pl->c);
		else
			m = reg_ul->get_contact(r, pl->ci.c, pl->ci.callid, pl->ci.path,
			                        pl->ci.cseq, &pl->c);
		if (m == -EINVAL) {
			LM_ERR("invalid CSeq %u for <%.*s> (Call-ID %.*s)\n", s->cseq,
			       KSR_STR_FMT(s->aor), KSR_STR_FMT(s->callid));
			return R_INV_CSEQ;
		}
		if (m == -EALREADY) /* a retransmission: nothing to change */
			continue;
		if (m == 0) {
			pl->op = pl->ci.expires ? OP_UPDATE : OP_DELETE;
			if (!ul_contact_valid(pl->c, s->now))
				bound += pl->ci.expires ? 1 : 0;
			else if (!pl->ci.expires)
				bound--;
		} else if (pl->ci.expires) {
			struct plan *dup = NULL;

			/* the same new contact twice in one REGISTER: one binding, the last values
			 */
			for (size_t i = 0; i + 1 < n && !dup; i++)
				if (p[i].op == OP_INSERT && ksr_str_eq(&p[i].ci.c, &pl->ci.c))
					dup = &p[i];
			if (dup) {
				dup->ci = pl->ci;
			} else {
				pl->op = OP_INSERT;
				bound++;
			}
		}
		/* one binding per AoR: the first that stays, the others of the record go */
		if (single && pl->ci.expires)
			break;
	}
	if (!single && max_contacts(s) > 0 && bound > max_contacts(s)) {
		LM_INFO("too many contacts for <%.*s>: %ld, at most %d\n", KSR_STR_FMT(s->aor),
		        bound, max_contacts(s));
		return R_TOO_MANY;
	}
	*ret = p;
	*ret_n = n;
	return R_FINE;
}

/* Carry the plans out: the save() return code (1 inserted, 2 updated, 3 deleted), or error. */
static int apply(struct save *s, struct ul_record **rp, struct plan *p, size_t n)
{
	bool ins = false, upd = false, del = false;
	struct ul_contact *kept = NULL;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (p[i].op == OP_INSERT && !*rp) {
			if (reg_ul->insert_record(s->d, s->aor, rp) < 0)
				return -R_UL_INS_R;
		}
		switch (p[i].op) {
		case OP_INSERT:
			if ((r = reg_ul->insert_contact(*rp, &p[i].ci, &kept)) < 0)
				return -R_UL_INS_C;
			ins = true;
			break;
		case OP_UPDATE:
			if (reg_ul->update_contact(*rp, p[i].c, &p[i].ci) < 0)
				return -R_UL_UPD_C;
			kept = p[i].c;
			upd = true;
			break;
		case OP_DELETE:
			if (reg_ul->delete_contact(*rp, p[i].c) < 0)
				return -R_UL_DEL_C;
			del = true;
			break;
		case OP_SKIP: break;
		}
	}
	if ((s->flags & REG_SAVE_SINGLE) && kept && *rp) {
		struct ul_contact *c, *next;

		for (c = (*rp)->contacts; c; c = next) {
			next = c->next;
			if (c != kept) {
				if (reg_ul->delete_contact(*rp, c) < 0)
					return -R_UL_DEL_C;
				del = true;
			}
		}
	}
	return ins ? 1 : upd ? 2 : del ? 3 : 1;
}

/* The contacts of the REGISTER into the AoR's record: save()'s code, or a -reg_error. */
static int add_contacts(struct save *s, struct ksr_contact *list)
{
	struct ul_record *r = NULL;
	struct plan *p = NULL;
	size_t n = 0;
	enum reg_error e;
	int rc;

	reg_ul->lock(s->d, s->aor);
	if (reg_ul->get_record(s->d, s->aor, &r) < 0)
		r = NULL;
	e = plan_contacts(s, list, r, &p, &n);
	if (e != R_FINE) {
		build_contacts(s, r);
		reg_ul->unlock(s->d, s->aor);
		return -(int)e;
	}
	rc = apply(s, &r, p, n);
	build_contacts(s, r);
	if (r)
		reg_ul->release_record(r);
	reg_ul->unlock(s->d, s->aor);
	return rc;
}

/* Contact: * with Expires: 0: every binding of the AoR goes. */
static int remove_all(struct save *s)
{
	int e;

	reg_ul->lock(s->d, s->aor);
	e = reg_ul->delete_record(s->d, s->aor);
	reg_ul->unlock(s->d, s->aor);
	return e < 0 && e != -ENOENT ? -R_UL_DEL_R : 3;
}

/* No Contact: the bindings as they are. */
static int list_only(struct save *s)
{
	struct ul_record *r;

	reg_ul->lock(s->d, s->aor);
	build_contacts(s, reg_ul->get_record(s->d, s->aor, &r) == 0 ? r : NULL);
	reg_ul->unlock(s->d, s->aor);
	return 4;
}

/* The save() code (> 0), or a negative enum reg_error. */
static int do_save(struct save *s, struct ksr_str uri)
{
	struct ksr_contacts *cs = NULL;
	struct ksr_nameaddr *to;
	struct ksr_cseq *cseq;
	bool star = false, strict_fail;
	enum reg_error e;
	int r;

	if (!s->msg->h_to || ksr_msg_to(s->msg, &to) < 0)
		return -R_TO_MISS;
	if (ksr_msg_callid(s->msg, &s->callid) < 0)
		return -R_CID_MISS;
	if (s->callid.len > MAX_CALLID)
		return -R_CALLID_LEN;
	if (ksr_msg_cseq(s->msg, &cseq) < 0)
		return -R_CS_MISS;
	s->cseq = cseq->number;
	/* an Expires that does not parse counts as none, as upstream */
	s->has_hdr_expires = ksr_msg_expires(s->msg, &s->hdr_expires) == 0;
	if ((e = check_star(s, &star)) != R_FINE)
		return -(int)e;
	if (!star && (r = ksr_msg_contacts(s->msg, &cs)) < 0 && r != -ENOENT) {
		LM_ERR("bad Contact in REGISTER for '%.*s'\n", KSR_STR_FMT(to->uri));
		return -R_PARSE_CONT;
	}
	if (has_option(s->msg, KSR_HDR_REQUIRE, KSR_OPT_OUTBOUND))
		return -R_OB_REQD; /* outbound_mode 0: no RFC 5626 here */
	if (reg_use_path && (e = read_path(s)) != R_FINE)
		return -(int)e;
	s->path_supported = has_option(s->msg, KSR_HDR_SUPPORTED, KSR_OPT_PATH);
	strict_fail = s->path.len && reg_path_mode == REG_PATH_STRICT && !s->path_supported;
	if (s->path.len && (reg_path_mode == REG_PATH_STRICT ||
	                    (reg_path_mode == REG_PATH_LAZY && s->path_supported)))
		s->rp.path = s->path;
	if ((r = registrar_aor(s->msg, uri.len ? uri : to->uri, &s->aor)) < 0)
		return r;
	if (strict_fail) {
		/* RFC 3327 5.3: a registrar that cannot hand the Path back refuses it */
		list_only(s);
		return -R_PATH_UNSUP;
	}
	if (star)
		return remove_all(s);
	if (!cs || !cs->first)
		return list_only(s);
	if ((e = read_common(s)) != R_FINE)
		return -(int)e;
	return add_contacts(s, cs->first);
}

int registrar_save(struct ksr_msg *msg, struct ul_domain *d, unsigned int flags, struct ksr_str uri)
{
	struct save s = {.msg = msg, .d = d, .flags = flags, .now = time(NULL)};
	unsigned int rt = ksr_run_route_type();
	void *kept;
	int rc;

	if (msg->type != KSR_MSG_REQUEST) {
		LM_ERR("save() takes a REGISTER request\n");
		return -1;
	}
	rc = do_save(&s, uri);
	s.rp.err = rc < 0 ? (enum reg_error) - rc : R_FINE;
	if (rc < 0)
		LM_DBG("REGISTER refused: %s\n", registrar_error_text(s.rp.err));
	if (rc < 0 ? reg_st_rejected != NULL : reg_st_accepted != NULL)
		ksr_counter_add(rc < 0 ? reg_st_rejected : reg_st_accepted, 1);
	if (ksr_msg_data_set(msg, &reply_key, &s.rp, sizeof(s.rp), &kept) < 0)
		kept = &s.rp;
	if (!(flags & REG_SAVE_NO_REPLY)) {
		/* upstream answers errors in request_route only, successes in failure_route too */
		if (rt == KSR_ROUTE_REQUEST || (rt == KSR_ROUTE_FAILURE && rc > 0) || rt == 0)
			if (send_reply(msg, kept) < 0 && rc > 0)
				return -1;
	} else if (flags & REG_SAVE_PREPARE_REPLY) {
		add_reply_hdrs(msg, kept);
	}
	if (rc > 0)
		return rc;
	return s.rp.err == R_TOO_MANY ? -2 : -1;
}
