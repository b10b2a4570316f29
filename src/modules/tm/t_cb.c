/*
 * Other modules' callbacks on a transaction's events (tm_api.h register_cb), as upstream's
 * TMCB_REQUEST_IN, TMCB_RESPONSE_OUT, TMCB_ON_FAILURE and TMCB_E2EACK_IN: what acc
 * accounts from. A transaction with none costs a test of cb_types per event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "tm.h"

struct tm_cb {
	unsigned int types;
	tm_cb_fn fn;
	void *param;
	struct tm_cb *next;
};

/* TMCB_REQUEST_IN: registered in mod_init, read-only once workers run. */
#define MAX_REQUEST_IN 8
static struct tm_cb request_in[MAX_REQUEST_IN];
static unsigned int nrequest_in;

#define PER_T (TMCB_RESPONSE_OUT | TMCB_ON_FAILURE | TMCB_E2EACK_IN)

int tm_register_cb(struct tm_cell *t, unsigned int types, tm_cb_fn fn, void *param)
{
	struct tm_cb *cb, **tail;

	if (!fn || !types)
		return -EINVAL;
	if (!t) {
		if (types != TMCB_REQUEST_IN || nrequest_in == MAX_REQUEST_IN)
			return -EINVAL;
		request_in[nrequest_in++] = (struct tm_cb){types, fn, param, NULL};
		return 0;
	}
	if (types & ~PER_T)
		return -EINVAL;
	if (!(cb = malloc(sizeof(*cb))))
		return -ENOMEM;
	*cb = (struct tm_cb){types, fn, param, NULL};
	pthread_mutex_lock(&t->lock);
	/* in the order registered */
	for (tail = &t->cbs; *tail; tail = &(*tail)->next)
		;
	*tail = cb;
	t->cb_types |= types;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void tm_cbs_free(struct tm_cell *t)
{
	struct tm_cb *cb, *next;

	for (cb = t->cbs; cb; cb = next) {
		next = cb->next;
		free(cb);
	}
	t->cbs = NULL;
	t->cb_types = 0;
}

void tm_cbs_clear(void)
{
	nrequest_in = 0;
}

static void run(struct tm_cell *t, unsigned int type, struct tm_cb_params *p)
{
	for (struct tm_cb *cb = t->cbs; cb; cb = cb->next) {
		if (!(cb->types & type))
			continue;
		p->param = cb->param;
		cb->fn(type, p);
	}
}

void tm_cb_request_in(struct tm_cell *t, struct ksr_msg *msg)
{
	struct tm_cb_params p = {.t = t, .req = msg, .branch = -1, .flags = msg->flags};

	for (unsigned int i = 0; i < nrequest_in; i++) {
		p.param = request_in[i].param;
		request_in[i].fn(TMCB_REQUEST_IN, &p);
	}
}

/* The To tag of msg, empty when none. */
static struct ksr_str to_tag_of(struct ksr_msg *msg)
{
	struct ksr_nameaddr *to;

	return msg && ksr_msg_to(msg, &to) == 0 && to->has_tag ? to->tag : KSR_STR_NULL;
}

/* The branch whose reply it is, and its Request-URI, into p. */
static void set_branch(struct tm_cell *t, int b, struct tm_cb_params *p)
{
	p->branch = b >= 0 && (unsigned int)b < t->nbranches ? b : -1;
	if (p->branch >= 0 && t->branches[b]->uri)
		p->branch_uri = ksr_str_make(t->branches[b]->uri, t->branches[b]->uri_len);
}

/* Parse a copy of bytes buf in arena a: NULL when they do not parse. */
static struct ksr_msg *parse_copy(struct ksr_arena *a, const char *buf, size_t len)
{
	struct ksr_msg *m = ksr_arena_alloc(a, sizeof(*m));
	char *copy = ksr_arena_alloc_nz(a, len + 1);

	if (!m || !copy)
		return NULL;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return ksr_msg_parse(m, copy, len, a, NULL) == 0 ? m : NULL;
}

void tm_cb_response_out(struct tm_cell *t, struct ksr_msg *req, const char *buf, size_t len,
                        unsigned int code, bool local)
{
	struct tm_cb_params p = {.t = t, .code = code, .local = local};
	struct ksr_arena a;

	if (!(t->cb_types & TMCB_RESPONSE_OUT))
		return;
	if (!(p.req = t->req ? t->req : req))
		return;
	ksr_arena_init(&a, 1024);
	p.rpl = parse_copy(&a, buf, len);
	if (!p.rpl) {
		LM_ERR("the %u reply sent cannot be parsed for the callbacks\n", code);
		goto done;
	}
	p.reason = p.rpl->first.rpl.reason;
	p.to_tag = to_tag_of(p.rpl);
	p.flags = p.req->flags;
	set_branch(t, t->picked, &p);
	run(t, TMCB_RESPONSE_OUT, &p);
done:
	ksr_arena_destroy(&a);
}

void tm_cb_on_failure(struct tm_cell *t, int w)
{
	struct tm_cb_params p = {.t = t, .req = t->req};
	struct tm_ubranch *b = t->branches[w];
	struct ksr_arena a;

	if (!(t->cb_types & TMCB_ON_FAILURE) || !t->req)
		return;
	ksr_arena_init(&a, 1024);
	p.code = b->final_code;
	p.local = b->local || !b->reply;
	if (!p.local && !(p.rpl = parse_copy(&a, b->reply, b->reply_len)))
		p.local = true;
	if (p.rpl) {
		p.reason = p.rpl->first.rpl.reason;
		p.to_tag = to_tag_of(p.rpl);
	} else {
		const char *r = tm_reason_of(p.code);

		p.reason = ksr_str_make((char *)r, strlen(r));
		p.to_tag = t->to_tag; /* what our reply will carry */
	}
	p.flags = t->req->flags;
	set_branch(t, w, &p);
	run(t, TMCB_ON_FAILURE, &p);
	ksr_arena_destroy(&a);
}

/* The reason phrase of a status line ("SIP/2.0 200 OK\r\n..."); empty when none. */
static struct ksr_str status_reason(const char *buf, size_t len)
{
	const char *p = memchr(buf, ' ', len), *end = buf + len, *eol;

	if (!p || end - p < 5)
		return KSR_STR_NULL;
	p += 5; /* " 200 " */
	eol = memchr(p, '\r', (size_t)(end - p));
	return ksr_str_make((char *)p, eol ? (size_t)(eol - p) : 0);
}

void tm_cb_e2e_ack(struct ksr_msg *ack)
{
	struct ksr_nameaddr *from;
	struct ksr_cseq *cseq;
	struct tm_cell *t;

	if (!ack->h_callid || ksr_msg_cseq(ack, &cseq) < 0 || ksr_msg_from(ack, &from) < 0)
		return;
	if (!(t = tm_lookup_callid(ack->h_callid->body, cseq->number)))
		return;
	pthread_mutex_lock(&t->lock);
	if ((t->cb_types & TMCB_E2EACK_IN) && !t->e2e_acked && t->reply_code >= 200 &&
	    t->reply_code < 300 && from->has_tag && ksr_str_eq(&from->tag, &t->from_tag)) {
		/* the first one: its retransmissions are not the event again */
		struct tm_cb_params p = {.t = t,
		                         .req = ack,
		                         .code = t->reply_code,
		                         .local = t->local_reply,
		                         .branch = -1};

		t->e2e_acked = true;
		p.reason = t->reply ? status_reason(t->reply, t->reply_len) : KSR_STR_NULL;
		p.to_tag = to_tag_of(ack);
		p.flags = t->req ? t->req->flags : t->req_flags;
		run(t, TMCB_E2EACK_IN, &p);
	}
	pthread_mutex_unlock(&t->lock);
	tm_unref(t);
}
