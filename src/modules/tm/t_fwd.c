/*
 * The client side of a transaction: t_relay() makes one branch per destination (the
 * Request-URI and the appended branches), each a client transaction (RFC 3261 17.1)
 * with its own Via branch, request retransmissions over UDP (timer A for an INVITE,
 * doubling from T1; timer E for other requests, capped at T2) and a final-response timer
 * (fr_timer, then fr_inv_timer once an INVITE branch has a provisional reply). CANCEL
 * and the ACK of a non-2xx final reply are built from the branch's request, hop by hop
 * (RFC 3261 9.1, 17.1.1.3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/clone.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/msg/mdata.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/route/program.h"
#include "tm.h"

_Thread_local struct tm_ctx tm_ctx;

static const char settings_key;

struct tm_settings *tm_settings_of(struct ksr_msg *msg, bool create)
{
	struct tm_settings *s = ksr_msg_data_get(msg, &settings_key), zero = {0};
	void *copy;

	if (s || !create)
		return s;
	if (ksr_msg_data_set(msg, &settings_key, &zero, sizeof(zero), &copy) < 0)
		return NULL;
	return copy;
}

/* --- branch ids --- */

static const char branch_prefix[] = "z9hG4bKtm";

/* Formatted by hand: one per branch, where snprintf cost 2 % of a stateful proxy's CPU. */
static int branch_id(const struct tm_cell *t, unsigned int idx, char *buf, size_t size,
		     struct ksr_str *ret)
{
	static const char hex[] = "0123456789abcdef";
	const size_t plen = sizeof(branch_prefix) - 1;
	char *p = buf + plen;

	if (size < plen + 4 + 1 + 8 + 1 + 3 || idx >= 100)
		return -EINVAL;
	memcpy(buf, branch_prefix, plen);
	for (int i = 3; i >= 0; i--)
		*p++ = hex[(t->hash >> (4 * i)) & 15];
	*p++ = '.';
	for (int i = 7; i >= 0; i--)
		*p++ = hex[(t->label >> (4 * i)) & 15];
	*p++ = '.';
	if (idx >= 10)
		*p++ = (char)('0' + idx / 10);
	*p++ = (char)('0' + idx % 10);
	*ret = ksr_str_make(buf, (size_t)(p - buf));
	return 0;
}

static int hex_field(const char **p, const char *end, unsigned int *ret)
{
	unsigned int v = 0;
	int n = 0;

	for (; *p < end && n < 8; (*p)++, n++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned int)(c - 'a' + 10);
		else
			break;
	}
	*ret = v;
	return n ? 0 : -EINVAL;
}

int tm_branch_decode(struct ksr_str branch, unsigned int *hash, unsigned int *label,
		     unsigned int *idx)
{
	const size_t plen = sizeof(branch_prefix) - 1;
	const char *p = branch.s + plen, *end = branch.s + branch.len;
	unsigned int i = 0;

	if (branch.len <= plen || memcmp(branch.s, branch_prefix, plen) != 0)
		return -EINVAL;
	if (hex_field(&p, end, hash) < 0 || p == end || *p++ != '.' ||
	    hex_field(&p, end, label) < 0 || p == end || *p++ != '.' || p == end)
		return -EINVAL;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || i > TM_MAX_BRANCHES)
			return -EINVAL;
		i = i * 10 + (unsigned int)(*p - '0');
	}
	*idx = i;
	return 0;
}

/* --- CANCEL and ACK, from the branch's request --- */

/*
 * "METHOD <R-URI> SIP/2.0" with the request's top Via (ours: the same branch), its Route
 * set, From, Call-ID, To (to_line when given: the reply's, with its tag),
 * "CSeq: <number> METHOD" (RFC 3261 9.1 and 17.1.1.3) and its Max-Forwards. Heap memory
 * in *ret.
 */
static int build_hop(const struct tm_ubranch *b, const char *method, struct ksr_str to_line,
		     char **ret, size_t *ret_len)
{
	struct ksr_arena a;
	struct ksr_msg m;
	struct ksr_cseq *cseq;
	const char *why = NULL;
	size_t len, mlen = strlen(method);
	char *copy, *out, *p;
	int r = -EINVAL;

	ksr_arena_init(&a, 4096);
	copy = ksr_arena_alloc_nz(&a, b->req_len + 1);
	if (!copy) {
		r = -ENOMEM;
		goto done;
	}
	memcpy(copy, b->req, b->req_len);
	copy[b->req_len] = '\0';
	if (ksr_msg_parse(&m, copy, b->req_len, &a, &why) < 0 || !m.h_via1 || !m.h_from ||
	    !m.h_to || !m.h_callid || ksr_msg_cseq(&m, &cseq) < 0)
		goto done;
	if (!to_line.len)
		to_line = m.h_to->line;
	len = mlen * 2 + m.first.req.uri.len + 128 + m.h_via1->line.len + m.h_from->line.len +
	      to_line.len + m.h_callid->line.len + (m.h_maxfwd ? m.h_maxfwd->line.len : 0);
	for (struct ksr_hdr *h = m.headers; h; h = h->next)
		if (h->type == KSR_HDR_ROUTE)
			len += h->line.len;
	out = p = malloc(len);
	if (!out) {
		r = -ENOMEM;
		goto done;
	}
#define PUT(s, n)                                                                                  \
	do {                                                                                       \
		memcpy(p, (s), (n));                                                               \
		p += (n);                                                                          \
	} while (0)
	PUT(method, mlen);
	PUT(" ", 1);
	PUT(m.first.req.uri.s, m.first.req.uri.len);
	PUT(" SIP/2.0\r\n", 10);
	/* our Via is a line of its own (ksr_via_build) */
	PUT(m.h_via1->line.s, m.h_via1->line.len);
	for (struct ksr_hdr *h = m.headers; h; h = h->next)
		if (h->type == KSR_HDR_ROUTE)
			PUT(h->line.s, h->line.len);
	PUT(m.h_from->line.s, m.h_from->line.len);
	PUT(to_line.s, to_line.len);
	PUT(m.h_callid->line.s, m.h_callid->line.len);
	p += sprintf(p, "CSeq: %u %s\r\n", cseq->number, method);
	/* the request's Max-Forwards, as upstream copies it */
	if (m.h_maxfwd)
		PUT(m.h_maxfwd->line.s, m.h_maxfwd->line.len);
	else
		PUT("Max-Forwards: 70\r\n", 18);
#undef PUT
	p += sprintf(p, "Content-Length: 0\r\n\r\n");
	*ret = out;
	*ret_len = (size_t)(p - out);
	r = 0;
done:
	if (r < 0)
		LM_ERR("cannot build the %s of branch %u: %s\n", method, b->idx, strerror(-r));
	ksr_arena_destroy(&a);
	return r;
}

static void send_cancel(struct tm_ubranch *b)
{
	char *buf;
	size_t len;

	if (b->cancel_sent || build_hop(b, "CANCEL", KSR_STR_NULL, &buf, &len) < 0)
		return;
	b->cancel_sent = true;
	b->cancel_pending = false;
	ksr_dest_send(&b->dest, b->listener, buf, len);
	/* kept for the retransmissions (retr_cb) */
	b->cancel = buf;
	b->cancel_len = len;
	if (b->dest.proto == IPPROTO_UDP && !b->t->ended) {
		b->retr_ms = (unsigned int)tm_retr_timer1;
		ksr_timer_add(&b->retr, b->retr_ms);
	}
}

void tm_send_ack(struct tm_ubranch *b, struct ksr_str to_line)
{
	char *buf;
	size_t len;

	if (build_hop(b, "ACK", to_line, &buf, &len) < 0)
		return;
	ksr_dest_send(&b->dest, b->listener, buf, len);
	free(b->ack);
	b->ack = buf;
	b->ack_len = len;
}

void tm_cancel_branch(struct tm_ubranch *b)
{
	if (b->final_code || b->cancel_sent)
		return;
	if (b->last_code)
		send_cancel(b);
	else
		b->cancel_pending = true; /* when a provisional reply comes (RFC 3261 9.1) */
}

void tm_cancel_branches(struct tm_cell *t)
{
	for (unsigned int i = 0; i < t->nbranches; i++)
		tm_cancel_branch(t->branches[i]);
}

/* --- timers --- */

/* Timers A and E, and the CANCEL's retransmissions. */
static unsigned int retr_cb(void *param)
{
	struct tm_ubranch *b = param;
	struct tm_cell *t = b->t;
	unsigned int next = 0, t2 = (unsigned int)tm_retr_timer2;

	pthread_mutex_lock(&t->lock);
	if (t->ended || b->final_code) {
		/* done */
	} else if (b->cancel_sent) {
		if (b->cancel) {
			ksr_dest_send(&b->dest, b->listener, b->cancel, b->cancel_len);
			next = b->retr_ms * 2 < t2 ? b->retr_ms * 2 : t2;
		}
	} else if (b->cancel_pending) {
		/* canceled before any reply: the request is not sent again */
	} else if (t->invite) {
		if (!b->last_code) {
			ksr_dest_send(&b->dest, b->listener, b->req, b->req_len);
			next = b->retr_ms * 2;
		}
	} else {
		ksr_dest_send(&b->dest, b->listener, b->req, b->req_len);
		next = b->last_code ? t2 : (b->retr_ms * 2 < t2 ? b->retr_ms * 2 : t2);
	}
	b->retr_ms = next;
	pthread_mutex_unlock(&t->lock);
	return next;
}

/* Timers B and F: no final reply in time. */
static unsigned int fr_cb(void *param)
{
	struct tm_ubranch *b = param;
	struct tm_cell *t = b->t;

	pthread_mutex_lock(&t->lock);
	if (!t->ended && !b->final_code) {
		LM_DBG("branch %u of transaction %p timed out\n", b->idx, (void *)t);
		/* a callee that rings is told to stop */
		if (t->invite && b->last_code && !b->cancel_sent)
			send_cancel(b);
		b->final_code = t->canceled ? 487 : 408;
		b->local = true;
		b->timed_out = true;
		ksr_timer_cancel(&b->retr);
		if (!b->replicate) {
			t->expired = true;
			tm_branch_final(t);
		}
		tm_release_request(t, false);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void tm_branches_stop(struct tm_cell *t)
{
	for (unsigned int i = 0; i < t->nbranches; i++) {
		ksr_timer_del(&t->branches[i]->retr);
		ksr_timer_del(&t->branches[i]->fr);
	}
}

void tm_branches_free(struct tm_cell *t)
{
	for (unsigned int i = 0; i < t->nbranches; i++) {
		struct tm_ubranch *b = t->branches[i];

		free(b->req);
		free(b->uri);
		free(b->ack);
		free(b->cancel);
		free(b->reply);
		free(b);
	}
	t->nbranches = 0;
	tm_set_name(&t->set.on_failure, NULL);
	tm_set_name(&t->set.on_reply, NULL);
	tm_set_name(&t->set.on_branch, NULL);
	tm_release_request(t, true);
}

void tm_release_request(struct tm_cell *t, bool always)
{
	if (!t->arena || (!always && (t->state == TM_PROCEEDING || t->in_failure)))
		return;
	if (t->req)
		t->req_flags = t->req->flags; /* for the callbacks of an ACK to come */
	ksr_arena_destroy(t->arena);
	free(t->arena);
	t->arena = NULL;
	t->req = NULL;
	t->fail_reply = NULL;
}

/* --- t_relay --- */

/* The request's state a branch changes, put back once the branch is built. */
struct saved {
	struct ksr_edit *edits;
	unsigned int nedits;
	struct ksr_str new_uri, dst_uri;
	struct ksr_uri *new_ruri;
	struct ksr_listener *send_socket;
	unsigned int bflags;
};

static void save(const struct ksr_msg *m, struct saved *s)
{
	*s = (struct saved){m->edits, m->nedits, m->new_uri, m->dst_uri,
			    m->new_ruri, m->send_socket, m->bflags};
}

static void restore(struct ksr_msg *m, const struct saved *s)
{
	m->edits = s->edits;
	m->nedits = s->nedits;
	m->new_uri = s->new_uri;
	m->dst_uri = s->dst_uri;
	m->new_ruri = s->new_ruri;
	m->send_socket = s->send_socket;
	m->bflags = s->bflags;
}

/* branch_route[name] for the branch being built: false when it dropped the branch. */
static bool run_branch_route(struct tm_cell *t, struct ksr_msg *msg, unsigned int idx)
{
	struct ksr_program *prog = ksr_program_acquire();
	const struct ksr_route *rt = prog ? ksr_program_find_branch_route(prog, t->set.on_branch)
					  : NULL;
	struct tm_ctx saved = tm_ctx;
	enum ksr_run_status st = KSR_RUN_END;

	if (rt) {
		tm_ctx = (struct tm_ctx){t, (int)idx, 0, KSR_ROUTE_BRANCH};
		st = ksr_run_route(prog, rt, msg, KSR_ROUTE_BRANCH);
		tm_ctx = saved;
	} else {
		LM_ERR("branch_route[%s] is not defined\n", t->set.on_branch);
	}
	ksr_program_unref(prog);
	return st != KSR_RUN_DROP;
}

/* One destination of the set. */
struct target {
	struct ksr_str uri, dst_uri, path;
	struct ksr_listener *socket;
	unsigned int bflags;
};

/*
 * Build branch t->nbranches for msg going to tg (or proxy), send it, arm its timers.
 * 1 sent, 0 dropped by branch_route, -errno on failure (*ret_code: the reply it deserves).
 */
static int add_branch(struct tm_cell *t, struct ksr_msg *msg, const struct target *tg,
		      struct ksr_str proxy, int proto, unsigned int *ret_code)
{
	unsigned int idx = t->nbranches;
	struct ksr_str target, bid, via, out, cur;
	struct tm_ubranch *b = NULL;
	struct ksr_listener *l;
	struct saved sv;
	struct ksr_dest d;
	char bbuf[48];
	int r;

	if (idx >= TM_MAX_BRANCHES) {
		LM_ERR("transaction has %u branches: no more\n", idx);
		*ret_code = 500;
		return -ENOSPC;
	}
	save(msg, &sv);
	if (tg->uri.len && !ksr_str_eq(&tg->uri, &sv.new_uri)) {
		msg->new_uri = tg->uri;
		msg->new_ruri = NULL;
	}
	msg->dst_uri = tg->dst_uri;
	msg->send_socket = tg->socket;
	msg->bflags = tg->bflags;
	r = 0;
	if (tg->path.len) {
		/* a registrar's Path becomes the branch's route set */
		char *line = ksr_arena_alloc_nz(msg->arena, tg->path.len + 10);

		if (!line) {
			r = -ENOMEM;
		} else {
			memcpy(line, "Route: ", 7);
			memcpy(line + 7, tg->path.s, tg->path.len);
			memcpy(line + 7 + tg->path.len, "\r\n", 2);
			r = ksr_msg_add_hdr(msg, ksr_str_make(line, tg->path.len + 9),
					    KSR_HDR_INSERT);
		}
	}
	if (r == 0 && t->set.on_branch && !run_branch_route(t, msg, idx)) {
		LM_DBG("branch %u dropped by branch_route\n", idx);
		restore(msg, &sv);
		return 0;
	}
	*ret_code = 478; /* upstream's "Unresolvable destination" */
	target = proxy.len ? proxy : (msg->dst_uri.len ? msg->dst_uri : ksr_msg_cur_ruri(msg));
	if (r < 0 || (r = ksr_dest_from_uri(target, proto, &d)) < 0)
		goto fail;
	ksr_forward_dest_flags(msg, &d);
	if (!(l = ksr_forward_listener(msg, &d))) {
		LM_ERR("no %s listener for the address family of '%.*s'\n",
		       d.proto == IPPROTO_TCP ? "TCP" : "UDP", KSR_STR_FMT(target));
		r = -ENETUNREACH;
		goto fail;
	}
	*ret_code = 500;
	if ((r = ksr_forward_run_hooks(msg, l)) < 0 ||
	    (r = branch_id(t, idx, bbuf, sizeof(bbuf), &bid)) < 0 ||
	    (r = ksr_forward_via(msg, l, bid, &via)) < 0 ||
	    (r = ksr_msg_build_fwd_request(msg, via,
					   d.proto == IPPROTO_TCP ? KSR_BUILD_STREAM : 0, &out)) < 0)
		goto fail;
	if (!(b = calloc(1, sizeof(*b))) || !(b->req = malloc(out.len))) {
		r = -ENOMEM;
		goto fail;
	}
	/* the callbacks name the branch a reply came from by its Request-URI */
	cur = ksr_msg_cur_ruri(msg);
	if ((t->cb_types & (TMCB_RESPONSE_OUT | TMCB_ON_FAILURE)) && cur.len) {
		if (!(b->uri = malloc(cur.len))) {
			r = -ENOMEM;
			goto fail;
		}
		memcpy(b->uri, cur.s, cur.len);
		b->uri_len = cur.len;
	}
	restore(msg, &sv);
	memcpy(b->req, out.s, out.len);
	b->req_len = out.len;
	b->t = t;
	b->idx = idx;
	b->dest = d;
	b->listener = l;
	ksr_timer_init(&b->retr, retr_cb, b);
	ksr_timer_init(&b->fr, fr_cb, b);
	*ret_code = 477; /* upstream's "error on sending to next hop" */
	if ((r = ksr_dest_send(&d, l, b->req, b->req_len)) < 0) {
		free(b->req);
		free(b->uri);
		free(b);
		return r;
	}
	t->branches[t->nbranches++] = b;
	if (!t->ended) {
		if (d.proto == IPPROTO_UDP) {
			b->retr_ms = (unsigned int)tm_retr_timer1;
			ksr_timer_add(&b->retr, b->retr_ms);
		}
		ksr_timer_add(&b->fr, t->set.fr_ms ? t->set.fr_ms : (unsigned int)tm_fr_timer);
	}
	return 1;
fail:
	if (b) {
		free(b->req);
		free(b->uri);
	}
	free(b);
	restore(msg, &sv);
	LM_ERR("cannot relay to '%.*s': %s\n", KSR_STR_FMT(target), strerror(-r));
	return r;
}

/* The copy failure_route and local replies use: made at the first t_relay(). */
static int keep_request(struct tm_cell *t, struct ksr_msg *msg)
{
	int r;

	if (!(t->arena = malloc(sizeof(*t->arena))))
		return -ENOMEM;
	ksr_arena_init(t->arena, 2048);
	if (!(t->req = ksr_arena_alloc(t->arena, sizeof(*t->req))))
		return -ENOMEM;
	if ((r = ksr_msg_clone(msg, t->arena, t->req)) < 0) {
		t->req = NULL;
		return r;
	}
	/* its branches are forwarded now: failure_route starts with an empty set */
	ksr_dset_clear(t->req);
	return tm_set_msg(t->req, t);
}

void tm_set_name(const char **slot, const char *name)
{
	/* heap copies: they outlive the request's copy and the program that named them */
	free((char *)*slot);
	*slot = name ? strdup(name) : NULL;
}

/* What t_on_*() and t_set_fr() asked for on msg becomes t's. */
static void take_settings(struct tm_cell *t, struct ksr_msg *msg)
{
	struct tm_settings *s = tm_settings_of(msg, false);

	if (!s)
		return;
	if (s->on_failure)
		tm_set_name(&t->set.on_failure, s->on_failure);
	if (s->on_reply)
		tm_set_name(&t->set.on_reply, s->on_reply);
	if (s->on_branch)
		tm_set_name(&t->set.on_branch, s->on_branch);
	if (s->fr_ms)
		t->set.fr_ms = s->fr_ms;
	if (s->fr_inv_ms)
		t->set.fr_inv_ms = s->fr_inv_ms;
	*s = (struct tm_settings){0};
}

const char *tm_reason_of(unsigned int code)
{
	switch (code) {
	case 408:
		return "Request Timeout";
	case 477:
		return "Unfortunately error on sending to next hop occurred";
	case 478:
		return "Unresolvable destination";
	case 487:
		return "Request Terminated";
	case 503:
		return "Service Unavailable";
	default:
		return "Server Internal Error";
	}
}

int tm_local_reply(struct tm_cell *t, struct ksr_msg *msg, unsigned int code)
{
	const char *r = tm_reason_of(code);

	return tm_reply(t, msg, code, ksr_str_make((char *)r, strlen(r)));
}

/* Every destination of msg's set, from branch t->nbranches on: branches sent, or -errno. */
static int add_branches(struct tm_cell *t, struct ksr_msg *msg, struct ksr_str proxy, int proto,
			unsigned int *ret_code)
{
	struct target tg = {ksr_msg_cur_ruri(msg), msg->dst_uri, KSR_STR_NULL, msg->send_socket,
			    msg->bflags};
	int sent = 0, r;

	*ret_code = 500;
	r = 0;
	/* the Request-URI, unless it is a branch already or was sent and has not changed */
	if (!msg->ruri_consumed && (r = add_branch(t, msg, &tg, proxy, proto, ret_code)) > 0)
		sent++;
	for (struct ksr_branch *br = msg->branches; br; br = br->next) {
		unsigned int code = 500;

		tg = (struct target){br->uri, br->dst_uri, br->path, br->socket, br->flags};
		if ((r = add_branch(t, msg, &tg, proxy, proto, &code)) > 0)
			sent++;
		else if (r < 0 && !sent)
			*ret_code = code;
	}
	return sent ? sent : (r < 0 ? r : -ENOENT);
}

/* An ACK: of a non-2xx reply of ours it is absorbed; else it goes on statelessly. */
static int relay_ack(struct ksr_msg *msg, struct ksr_str proxy, int proto)
{
	struct tm_cell *t = tm_lookup(msg);

	if (t) {
		tm_ack(t);
		tm_unref(t);
		return 1;
	}
	/* an ACK to a 2xx of ours is an event for other modules (acc) */
	tm_cb_e2e_ack(msg);
	if (!proxy.len)
		proxy = msg->dst_uri.len ? msg->dst_uri : ksr_msg_cur_ruri(msg);
	return ksr_forward_request(msg, proxy, proto) < 0 ? -1 : 1;
}

/*
 * A CANCEL of a transaction we have: answered 200 here (its own transaction), and the
 * INVITE's branches are canceled hop by hop (RFC 3261 16.10); their 487s make the
 * INVITE's final reply.
 */
static int relay_cancel(struct ksr_msg *msg, struct tm_cell *inv)
{
	static const char reason[] = "canceling";
	struct tm_cell *ct;
	int r = tm_newtran(msg);

	if (r <= 0)
		return r;
	ct = tm_of_msg(msg);
	tm_reply(ct, msg, 200, ksr_str_make((char *)reason, sizeof(reason) - 1));
	pthread_mutex_lock(&inv->lock);
	inv->canceled = true;
	tm_cancel_branches(inv);
	pthread_mutex_unlock(&inv->lock);
	return 1;
}

int tm_save_request(struct ksr_msg *msg)
{
	struct tm_cell *t = tm_of_msg(msg);
	int r = -1;

	if (!t) {
		LM_ERR("t_save_lumps: no transaction (t_newtran first)\n");
		return -1;
	}
	pthread_mutex_lock(&t->lock);
	if (t->req == msg || t->relayed) {
		LM_ERR("t_save_lumps: the request was relayed already\n");
	} else {
		/* a later save replaces the earlier */
		tm_release_request(t, true);
		r = keep_request(t, msg) < 0 ? -1 : 1;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int tm_replicate(struct ksr_msg *msg, struct ksr_str target, int proto)
{
	struct target tg = {ksr_msg_cur_ruri(msg), msg->dst_uri, KSR_STR_NULL, msg->send_socket,
			    msg->bflags};
	unsigned int code;
	struct tm_cell *t;
	int r;

	if (msg->type != KSR_MSG_REQUEST || msg->first.req.method_id == KSR_METHOD_ACK ||
	    msg->first.req.method_id == KSR_METHOD_CANCEL) {
		LM_ERR("t_replicate: not for ACK or CANCEL\n");
		return -1;
	}
	if (!(t = tm_of_msg(msg))) {
		if ((r = tm_newtran(msg)) <= 0)
			return r;
		t = tm_of_msg(msg);
	}
	pthread_mutex_lock(&t->lock);
	r = add_branch(t, msg, &tg, target, proto, &code);
	if (r > 0)
		t->branches[t->nbranches - 1]->replicate = true;
	pthread_mutex_unlock(&t->lock);
	return r > 0 ? 1 : -1;
}

int tm_relay(struct ksr_msg *msg, struct ksr_str proxy, int proto)
{
	unsigned int code = 500;
	struct tm_cell *t;
	bool failure;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if (msg->first.req.method_id == KSR_METHOD_ACK)
		return relay_ack(msg, proxy, proto);
	if (msg->first.req.method_id == KSR_METHOD_CANCEL && !tm_of_msg(msg)) {
		struct tm_cell *inv = tm_lookup_cancel(msg);

		if (inv) {
			r = relay_cancel(msg, inv);
			tm_unref(inv);
			return r;
		}
	}
	if (!(t = tm_of_msg(msg))) {
		if ((r = tm_newtran(msg)) <= 0)
			return r;
		t = tm_of_msg(msg);
	}
	pthread_mutex_lock(&t->lock);
	failure = msg == t->req;
	if (!failure) {
		if (t->relayed) {
			pthread_mutex_unlock(&t->lock);
			LM_ERR("t_relay: the request was relayed already\n");
			return -1;
		}
		t->relayed = true;
		/* t_save_lumps() may have made the copy already */
		if (!t->req && (r = keep_request(t, msg)) < 0) {
			pthread_mutex_unlock(&t->lock);
			LM_ERR("t_relay: cannot keep the request: %s\n", strerror(-r));
			return -1;
		}
		if (t->canceled) {
			/* the CANCEL came first */
			tm_local_reply(t, msg, 487);
			pthread_mutex_unlock(&t->lock);
			return 0;
		}
	}
	take_settings(t, msg);
	r = add_branches(t, msg, proxy, proto, &code);
	/* failure_route's t_relay() sends the Request-URI again only once it changed */
	t->req->ruri_consumed = true;
	msg->ruri_consumed = true;
	if (r < 0 && !failure) {
		/* nothing went: the caller is answered here, and the script ends (upstream's) */
		tm_local_reply(t, msg, code);
		tm_release_request(t, false);
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r < 0 ? -1 : 1;
}
