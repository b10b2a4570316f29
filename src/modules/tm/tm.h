/*
 * tm: SIP transactions (RFC 3261 section 17). This first part is the server side (UAS):
 * t_newtran() makes a transaction of a request, t_reply() answers it statefully, and the
 * transaction absorbs retransmissions of the request (answered with the last reply), an
 * ACK to its final reply, and retransmits a final reply to an INVITE over UDP until the
 * ACK comes (timers G and H).
 */
#ifndef KSR_MODULES_TM_TM_H
#define KSR_MODULES_TM_TM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "core/parser/msg-t.h"
#include "core/timer/timer.h"

/* modparams, milliseconds */
extern int tm_fr_timer, tm_fr_inv_timer, tm_wt_timer, tm_retr_timer1, tm_retr_timer2;
extern int tm_max_inv_lifetime, tm_max_noninv_lifetime, tm_auto_inv_100;
extern char *tm_auto_inv_100_reason;

enum tm_state {
	TM_PROCEEDING, /* created; provisional replies only */
	TM_COMPLETED, /* a final reply was sent; waiting for the ACK (INVITE) or the end */
	TM_CONFIRMED, /* the ACK came (INVITE) */
	TM_TERMINATED, /* out of the table */
};

/* A server transaction. The table holds one reference, each user one more. */
struct tm_cell {
	atomic_int refs;
	pthread_mutex_t lock;
	unsigned int hash;
	struct tm_cell *next; /* in its bucket */
	enum tm_state state;
	bool invite;
	/* matching: RFC 3261 17.2.3, or RFC 2543's when the branch has no magic cookie */
	bool rfc3261;
	char *key; /* the strings below, one allocation */
	struct ksr_str branch, sent_by, callid, from_tag, ruri;
	unsigned short sent_by_port;
	unsigned int cseq;
	enum ksr_method method;
	struct ksr_str to_tag; /* of our replies: an ACK to a 2xx carries it */
	char to_tag_buf[64];
	/* where replies go: the request's source */
	int proto;
	struct ksr_listener *listener;
	struct sockaddr_storage to;
	socklen_t to_len;
	/* the last reply sent, for retransmissions */
	char *reply;
	size_t reply_len;
	unsigned int reply_code;
	struct ksr_timer retr; /* timer G */
	unsigned int retr_ms;
	struct ksr_timer wait; /* the end: lifetime, timers H, I, J */
};

/* --- the table (t_table.c) --- */
int tm_table_init(void);
void tm_table_destroy(void);
/*
 * The transaction request msg belongs to, with a reference the caller drops (tm_unref):
 * for an ACK, the INVITE transaction it acknowledges. NULL when none.
 */
struct tm_cell *tm_lookup(struct ksr_msg *msg);
/* The INVITE transaction a CANCEL cancels, referenced; NULL when none. */
struct tm_cell *tm_lookup_cancel(struct ksr_msg *msg);
/*
 * A new transaction for msg, in the table, referenced for the caller; NULL with
 * *ret_old set (referenced) when one exists already (a retransmission), or on error.
 */
struct tm_cell *tm_insert(struct ksr_msg *msg, struct tm_cell **ret_old);
void tm_ref(struct tm_cell *t);
void tm_unref(struct tm_cell *t);
/* Take t out of the table (its reference goes): retransmissions no longer find it. */
void tm_remove(struct tm_cell *t);
/* Transactions in the table, for tests and statistics. */
unsigned int tm_count(void);

/* --- the server side (t_uas.c) --- */
/* Send t's last reply again (a retransmitted request). */
void tm_resend_reply(struct tm_cell *t);
/* Reply statefully to the request of t (msg): 0 or -errno. */
int tm_reply(struct tm_cell *t, struct ksr_msg *msg, unsigned int code, struct ksr_str reason);
/* An ACK matched t: absorb it (stop retransmitting; the end comes after timer I). */
void tm_ack(struct tm_cell *t);
/* A new cell's timers (the retransmission of the final reply, the end). */
void tm_cell_timers_init(struct tm_cell *t);
/* Arm t's end: ms from now it leaves the table. */
void tm_set_end(struct tm_cell *t, unsigned int ms);

/* The transaction of the message being processed (t_newtran's), or NULL. */
struct tm_cell *tm_of_msg(struct ksr_msg *msg);
int tm_set_msg(struct ksr_msg *msg, struct tm_cell *t);

#endif
