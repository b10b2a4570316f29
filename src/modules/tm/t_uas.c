/*
 * The server transaction (RFC 3261 17.2): replies sent and kept, retransmissions of the
 * request answered with the last reply, a final reply to an INVITE retransmitted over UDP
 * (timer G: T1 doubling up to T2) until the ACK or timer H, then the transaction's end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/msg/dset.h"
#include "core/msg/mdata.h"
#include "core/msg/reply.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "tm.h"

_Thread_local bool tm_relayed_now;

static const char msg_key = 0; /* the transaction of a message (core/msg/mdata.h) */

struct tm_cell *tm_of_msg(struct ksr_msg *msg)
{
	struct tm_cell **pt = ksr_msg_data_get(msg, &msg_key);

	return pt ? *pt : NULL;
}

int tm_set_msg(struct ksr_msg *msg, struct tm_cell *t)
{
	return ksr_msg_data_set(msg, &msg_key, &t, sizeof(t), NULL);
}

/* Send bytes to where t's replies go: UDP from the listener, TCP on the peer's connection. */
static int send_to_source(struct tm_cell *t, const char *buf, size_t len)
{
	struct ksr_dest d = {.proto = t->proto, .to_len = t->to_len};

	memcpy(&d.to, &t->to, t->to_len);
	return ksr_dest_send(&d, t->listener, buf, len);
}

void tm_resend_reply(struct tm_cell *t)
{
	char *copy = NULL;
	size_t len = 0;

	pthread_mutex_lock(&t->lock);
	if (t->reply) {
		copy = malloc(t->reply_len);
		if (copy) {
			memcpy(copy, t->reply, t->reply_len);
			len = t->reply_len;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (copy) {
		send_to_source(t, copy, len);
		free(copy);
	}
}

static unsigned int retr_cb(void *param);

static unsigned int end_cb(void *param)
{
	struct tm_cell *t = param;

	LM_DBG("transaction %p ends\n", (void *)t);
	pthread_mutex_lock(&t->lock);
	t->ended = true;
	pthread_mutex_unlock(&t->lock);
	/* on the timer thread: these return at once */
	tm_branches_stop(t);
	ksr_timer_del(&t->retr);
	tm_remove(t);
	tm_unref(t); /* the timer's */
	return 0;
}

void tm_cell_timers_init(struct tm_cell *t)
{
	ksr_timer_init(&t->retr, retr_cb, t);
	ksr_timer_init(&t->wait, end_cb, t);
}

void tm_set_end(struct tm_cell *t, unsigned int ms)
{
	/* the armed timer holds a reference; a re-arm keeps the one it has */
	if (!ksr_timer_is_armed(&t->wait))
		tm_ref(t);
	ksr_timer_add(&t->wait, ms);
}

/* Timer G: the final reply again, at doubling intervals up to T2, until the ACK. */
static unsigned int retr_cb(void *param)
{
	struct tm_cell *t = param;
	unsigned int next;

	pthread_mutex_lock(&t->lock);
	if (t->state != TM_COMPLETED) {
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	next = t->retr_ms * 2 < (unsigned int)tm_retr_timer2 ? t->retr_ms * 2
							      : (unsigned int)tm_retr_timer2;
	t->retr_ms = next;
	pthread_mutex_unlock(&t->lock);
	tm_resend_reply(t);
	return next;
}

void tm_ack(struct tm_cell *t)
{
	pthread_mutex_lock(&t->lock);
	if (t->state == TM_COMPLETED)
		t->state = TM_CONFIRMED;
	pthread_mutex_unlock(&t->lock);
	ksr_timer_del(&t->retr);
	/* timer I: T4 over UDP (5 s), none over TCP: the wait timer covers both */
	tm_set_end(t, t->proto == IPPROTO_UDP ? 5000 : 0);
}

int tm_send_reply(struct tm_cell *t, struct ksr_msg *req, struct ksr_conn *conn,
		  const char *buf, size_t len, unsigned int code, bool local)
{
	char *copy;
	int r;

	pthread_mutex_lock(&t->lock);
	if (t->state != TM_PROCEEDING) {
		/* a 2xx to an INVITE goes whenever it comes: each is the callee's (RFC 3261 16.7) */
		bool more_2xx = t->invite && code >= 200 && code < 300 && !local &&
				t->reply_code >= 200 && t->reply_code < 300;

		if (!more_2xx) {
			pthread_mutex_unlock(&t->lock);
			return -EALREADY;
		}
		tm_stat(TM_ST_RPL_RELAYED, 1);
		tm_stat(TM_ST_RPL_SENT, 1);
		tm_relayed_now = true;
		r = conn ? ksr_tcp_send(conn, buf, len) : send_to_source(t, buf, len);
		/* each 2xx is an answer of its own (forking) */
		tm_cb_response_out(t, req, buf, len, code, local);
		pthread_mutex_unlock(&t->lock);
		return r;
	}
	/* the last reply answers retransmissions of the request */
	if (!(copy = malloc(len))) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	memcpy(copy, buf, len);
	free(t->reply);
	t->reply = copy;
	t->reply_len = len;
	t->reply_code = code;
	t->local_reply = local;
	if (code >= 200) {
		t->state = TM_COMPLETED;
		tm_stat(TM_ST_2XX + (int)(code / 100 - 2), 1);
		tm_stat(TM_ST_ACTIVE, -1);
	}
	tm_stat(local ? TM_ST_RPL_GENERATED : TM_ST_RPL_RELAYED, 1);
	tm_stat(TM_ST_RPL_SENT, 1);
	if (!local)
		tm_relayed_now = true;
	r = conn ? ksr_tcp_send(conn, buf, len) : send_to_source(t, buf, len);
	if (r < 0)
		LM_ERR("sending the %u reply failed: %s\n", code, strerror(-r));
	tm_cb_response_out(t, req, buf, len, code, local);
	if (code >= 200 && !t->ended) {
		if (t->invite && t->proto == IPPROTO_UDP && !(code < 300 && !local)) {
			/* a relayed 2xx is the callee's to retransmit, end to end */
			t->retr_ms = (unsigned int)tm_retr_timer1;
			ksr_timer_add(&t->retr, t->retr_ms);
			/* timer H: 64*T1 for the ACK */
			tm_set_end(t, 64u * (unsigned int)tm_retr_timer1);
		} else {
			/* the request's retransmissions are still answered a while (timer J) */
			tm_set_end(t, (unsigned int)tm_wt_timer);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int tm_reply(struct tm_cell *t, struct ksr_msg *msg, unsigned int code, struct ksr_str reason)
{
	struct ksr_str line, out;
	int r;

	pthread_mutex_lock(&t->lock);
	if (t->state != TM_PROCEEDING) {
		pthread_mutex_unlock(&t->lock);
		LM_ERR("the transaction has its final reply already: %u not sent\n", code);
		return -EALREADY;
	}
	pthread_mutex_unlock(&t->lock);
	/* a redirect lists the destination set, as sl does */
	if (code >= 300 && code < 400 && ksr_dset_contact(msg, &line) == 0 &&
	    (r = ksr_reply_add_hdrs(msg, line)) < 0)
		return r;
	/* the tag tm chose (t_table.c); the reply builder adds it when the To has none */
	if ((r = ksr_reply_build(msg, code, reason, t->to_tag, &out)) < 0)
		return r;
	/* on the connection the request came on, when it came on one */
	r = tm_send_reply(t, msg, msg->rcv.conn, out.s, out.len, code, true);
	if (r == -EALREADY)
		LM_ERR("the transaction has its final reply already: %u not sent\n", code);
	msg->replied = true;
	return r;
}
