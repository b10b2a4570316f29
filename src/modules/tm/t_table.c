/*
 * The transaction table: buckets by Call-ID and CSeq number (what a request, its
 * retransmissions, its ACK and its CANCEL share), each with its own lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/msg/reply.h"
#include "core/parser/msg.h"
#include "tm.h"

#define BUCKETS (1u << 16)

struct bucket {
	pthread_mutex_t lock;
	struct tm_cell *first;
};

static struct bucket *table;
static atomic_uint count;
static atomic_uint next_label;

int tm_table_init(void)
{
	if (table)
		return 0;
	table = calloc(BUCKETS, sizeof(*table));
	if (!table)
		return -ENOMEM;
	for (unsigned int i = 0; i < BUCKETS; i++)
		pthread_mutex_init(&table[i].lock, NULL);
	/* labels start anywhere: a restarted daemon does not take a late reply for its own */
	atomic_store(&next_label, (unsigned int)time(NULL) * 2654435761u);
	return 0;
}

static void cell_free(struct tm_cell *t)
{
	tm_branches_free(t);
	tm_cbs_free(t);
	pthread_mutex_destroy(&t->lock);
	free(t->key);
	free(t->reply);
	free(t);
}

void tm_table_destroy(void)
{
	if (!table)
		return;
	for (unsigned int i = 0; i < BUCKETS; i++) {
		struct tm_cell *t = table[i].first, *next;

		for (; t; t = next) {
			next = t->next;
			ksr_timer_del(&t->retr);
			ksr_timer_del(&t->wait);
			tm_branches_stop(t);
			cell_free(t);
		}
		pthread_mutex_destroy(&table[i].lock);
	}
	free(table);
	table = NULL;
	atomic_store(&count, 0);
}

void tm_ref(struct tm_cell *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void tm_unref(struct tm_cell *t)
{
	if (t && atomic_fetch_sub(&t->refs, 1) == 1)
		cell_free(t);
}

unsigned int tm_count(void)
{
	return atomic_load(&count);
}

/* What identifies the transaction a request belongs to, read from the request. */
struct key {
	struct ksr_str branch, sent_by, callid, from_tag, to_tag, ruri, method_name;
	unsigned short port;
	unsigned int cseq;
	enum ksr_method method;
	bool rfc3261;
};

static unsigned int hash_of(struct ksr_str callid, unsigned int cseq)
{
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < callid.len; i++)
		h = (h ^ (unsigned char)callid.s[i]) * 16777619u;
	h = (h ^ cseq) * 16777619u;
	return h & (BUCKETS - 1);
}

static int key_of(struct ksr_msg *msg, struct key *k)
{
	struct ksr_via *via;
	struct ksr_cseq *cseq;
	struct ksr_nameaddr *from, *to;

	if (msg->type != KSR_MSG_REQUEST || !msg->h_callid || ksr_msg_via1(msg, &via) < 0 ||
	    ksr_msg_cseq(msg, &cseq) < 0 || ksr_msg_from(msg, &from) < 0 || ksr_msg_to(msg, &to) < 0)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->branch = via->branch;
	k->sent_by = via->host;
	k->port = via->port;
	k->callid = msg->h_callid->body;
	k->cseq = cseq->number;
	k->from_tag = from->has_tag ? from->tag : KSR_STR_NULL;
	k->to_tag = to->has_tag ? to->tag : KSR_STR_NULL;
	k->ruri = msg->first.req.uri;
	k->method = msg->first.req.method_id;
	k->method_name = msg->first.req.method;
	k->rfc3261 = via->branch.len > 7 && !strncmp(via->branch.s, "z9hG4bK", 7);
	return 0;
}

static bool eq(struct ksr_str a, struct ksr_str b)
{
	return a.len == b.len && (!a.len || !memcmp(a.s, b.s, a.len));
}

static bool eqi(struct ksr_str a, struct ksr_str b)
{
	return a.len == b.len && (!a.len || !strncasecmp(a.s, b.s, a.len));
}

/*
 * Whether request k belongs to t, as method (ACK: to an INVITE; INVITE for a CANCEL's
 * INVITE lookup). RFC 3261 17.2.3: branch, sent-by and method; RFC 2543's requests
 * (no magic cookie): Call-ID, CSeq, From tag and R-URI.
 */
static bool same_request(const struct tm_cell *t, const struct key *k, enum ksr_method method)
{
	if (t->method != method || t->cseq != k->cseq || !eq(t->callid, k->callid))
		return false;
	if (k->rfc3261 && t->rfc3261)
		return eq(t->branch, k->branch) && eqi(t->sent_by, k->sent_by) &&
		       t->sent_by_port == k->port;
	return !k->rfc3261 && !t->rfc3261 && eq(t->from_tag, k->from_tag) &&
	       (method == KSR_METHOD_INVITE && k->method == KSR_METHOD_ACK ? true
									 : eq(t->ruri, k->ruri));
}

/*
 * An ACK to a 2xx we sent ourselves: a new branch, matched by the dialog (RFC 3261
 * 13.3.1.4). The ACK to a 2xx we relayed is the callee's: it goes on through the script.
 */
static bool acks_2xx(const struct tm_cell *t, const struct key *k)
{
	return t->invite && t->local_reply && t->reply_code >= 200 && t->reply_code < 300 &&
	       t->to_tag.len && t->cseq == k->cseq && eq(t->callid, k->callid) &&
	       eq(t->from_tag, k->from_tag) && eq(t->to_tag, k->to_tag);
}

/*
 * The To tag our replies carry, which an ACK to a 2xx repeats: the request's own (in a
 * dialog), else the local tag the reply builder derives from the request, with '.' for
 * its '-': sl absorbs ACKs to its own tags before the script runs, and tm's ACKs must
 * reach tm (upstream's tm and sl tags differ the same way).
 */
static void set_to_tag(struct tm_cell *t, struct ksr_msg *msg, const struct key *k)
{
	struct ksr_str tag = k->to_tag;
	bool ours = false;

	if (!tag.len) {
		if (ksr_reply_local_tag(msg, &tag) < 0)
			return;
		ours = true;
	}
	if (tag.len >= sizeof(t->to_tag_buf))
		return; /* such an ACK will not be matched */
	memcpy(t->to_tag_buf, tag.s, tag.len);
	if (ours) {
		char *dash = memchr(t->to_tag_buf, '-', tag.len);

		if (dash)
			*dash = '.';
	}
	t->to_tag = ksr_str_make(t->to_tag_buf, tag.len);
}

static struct tm_cell *find_locked(struct bucket *b, const struct key *k, enum ksr_method method,
				   bool ack)
{
	for (struct tm_cell *t = b->first; t; t = t->next) {
		if (t->state == TM_TERMINATED)
			continue;
		if (same_request(t, k, method) || (ack && acks_2xx(t, k)))
			return t;
	}
	return NULL;
}

static struct tm_cell *lookup(struct ksr_msg *msg, bool cancel)
{
	struct tm_cell *t;
	struct bucket *b;
	struct key k;
	enum ksr_method m;

	if (!table || key_of(msg, &k) < 0)
		return NULL;
	m = k.method == KSR_METHOD_ACK || cancel ? KSR_METHOD_INVITE : k.method;
	b = &table[hash_of(k.callid, k.cseq)];
	pthread_mutex_lock(&b->lock);
	t = find_locked(b, &k, m, k.method == KSR_METHOD_ACK);
	if (t)
		tm_ref(t);
	pthread_mutex_unlock(&b->lock);
	return t;
}

struct tm_cell *tm_lookup(struct ksr_msg *msg)
{
	return lookup(msg, false);
}

struct tm_cell *tm_lookup_cancel(struct ksr_msg *msg)
{
	if (msg->type != KSR_MSG_REQUEST || msg->first.req.method_id != KSR_METHOD_CANCEL)
		return NULL;
	return lookup(msg, true);
}

/* The key strings copied into one allocation. */
static int keep_key(struct tm_cell *t, const struct key *k)
{
	struct ksr_str *dst[] = {&t->branch, &t->sent_by,  &t->callid,
				 &t->from_tag, &t->ruri, &t->method_name};
	struct ksr_str src[] = {k->branch, k->sent_by, k->callid, k->from_tag, k->ruri,
				k->method_name};
	size_t n = 0;
	char *p;

	for (size_t i = 0; i < 6; i++)
		n += src[i].len + 1;
	t->key = p = malloc(n);
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < 6; i++) {
		if (src[i].len)
			memcpy(p, src[i].s, src[i].len);
		p[src[i].len] = '\0';
		*dst[i] = ksr_str_make(p, src[i].len);
		p += src[i].len + 1;
	}
	return 0;
}

struct tm_cell *tm_insert(struct ksr_msg *msg, struct tm_cell **ret_old)
{
	pthread_mutexattr_t ma;
	struct tm_cell *t, *old;
	struct bucket *b;
	struct key k;

	*ret_old = NULL;
	if (!table || key_of(msg, &k) < 0 || k.method == KSR_METHOD_ACK)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (keep_key(t, &k) < 0) {
		free(t);
		return NULL;
	}
	atomic_init(&t->refs, 2); /* the table's and the caller's */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	t->label = atomic_fetch_add(&next_label, 1);
	t->fail_branch = -1;
	t->picked = -1;
	tm_cell_timers_init(t);
	t->hash = hash_of(k.callid, k.cseq);
	t->rfc3261 = k.rfc3261;
	t->sent_by_port = k.port;
	t->cseq = k.cseq;
	t->method = k.method;
	t->invite = k.method == KSR_METHOD_INVITE;
	t->state = TM_PROCEEDING;
	set_to_tag(t, msg, &k);
	b = &table[t->hash];
	pthread_mutex_lock(&b->lock);
	/* two copies of one request may race: the second finds the first here */
	old = find_locked(b, &k, k.method, false);
	if (old) {
		tm_ref(old);
		pthread_mutex_unlock(&b->lock);
		*ret_old = old;
		cell_free(t);
		return NULL;
	}
	t->next = b->first;
	b->first = t;
	pthread_mutex_unlock(&b->lock);
	atomic_fetch_add(&count, 1);
	tm_stat(TM_ST_UAS, 1);
	tm_stat(TM_ST_INUSE, 1);
	tm_stat(TM_ST_ACTIVE, 1);
	return t;
}

void tm_remove(struct tm_cell *t)
{
	struct bucket *b = &table[t->hash];
	bool found = false;

	pthread_mutex_lock(&b->lock);
	for (struct tm_cell **pt = &b->first; *pt; pt = &(*pt)->next) {
		if (*pt == t) {
			*pt = t->next;
			found = true;
			break;
		}
	}
	t->state = TM_TERMINATED;
	pthread_mutex_unlock(&b->lock);
	if (found) {
		atomic_fetch_sub(&count, 1);
		tm_stat(TM_ST_INUSE, -1);
		if (!t->reply_code || t->reply_code < 200)
			tm_stat(TM_ST_ACTIVE, -1); /* it ended without a final reply */
		tm_unref(t); /* the table's */
	}
}

struct tm_cell *tm_lookup_label(unsigned int hash, unsigned int label)
{
	struct bucket *b;
	struct tm_cell *t;

	if (!table || hash >= BUCKETS)
		return NULL;
	b = &table[hash];
	pthread_mutex_lock(&b->lock);
	for (t = b->first; t; t = t->next)
		if (t->label == label && t->state != TM_TERMINATED)
			break;
	if (t)
		tm_ref(t);
	pthread_mutex_unlock(&b->lock);
	return t;
}

void tm_foreach(void (*fn)(struct tm_cell *t, void *arg), void *arg)
{
	if (!table)
		return;
	for (unsigned int i = 0; i < BUCKETS; i++) {
		if (!table[i].first)
			continue; /* read unlocked: a cell added meanwhile may be missed */
		pthread_mutex_lock(&table[i].lock);
		for (struct tm_cell *t = table[i].first; t; t = t->next)
			fn(t, arg);
		pthread_mutex_unlock(&table[i].lock);
	}
}

unsigned int tm_bucket_usage(unsigned int *used, unsigned int *max)
{
	*used = *max = 0;
	if (!table)
		return 0;
	for (unsigned int i = 0; i < BUCKETS; i++) {
		unsigned int n = 0;

		pthread_mutex_lock(&table[i].lock);
		for (struct tm_cell *t = table[i].first; t; t = t->next)
			n++;
		pthread_mutex_unlock(&table[i].lock);
		if (n)
			(*used)++;
		if (n > *max)
			*max = n;
	}
	return BUCKETS;
}

struct tm_cell *tm_lookup_callid(struct ksr_str callid, unsigned int cseq)
{
	struct bucket *b;
	struct tm_cell *t;

	if (!table)
		return NULL;
	b = &table[hash_of(callid, cseq)];
	pthread_mutex_lock(&b->lock);
	for (t = b->first; t; t = t->next)
		if (t->invite && t->cseq == cseq && eq(t->callid, callid) &&
		    t->state != TM_TERMINATED)
			break;
	if (t)
		tm_ref(t);
	pthread_mutex_unlock(&b->lock);
	return t;
}
