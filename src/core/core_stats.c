/* The core's statistics: registered at start, counted by the receive and forward paths. */
#include "core/core_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/counters.h"
#include "core/mem/meminfo.h"
#include "core/parser/msg.h"

#define GROUP "core"

static const struct {
	enum ksr_method id;
	const char *name;
} req_methods[] = {
        {KSR_METHOD_ACK, "ack"},
        {KSR_METHOD_BYE, "bye"},
        {KSR_METHOD_CANCEL, "cancel"},
        {KSR_METHOD_INFO, "info"},
        {KSR_METHOD_INVITE, "invite"},
        {KSR_METHOD_MESSAGE, "message"},
        {KSR_METHOD_NOTIFY, "notify"},
        {KSR_METHOD_OPTIONS, "options"},
        {KSR_METHOD_PRACK, "prack"},
        {KSR_METHOD_PUBLISH, "publish"},
        {KSR_METHOD_REFER, "refer"},
        {KSR_METHOD_REGISTER, "register"},
        {KSR_METHOD_SUBSCRIBE, "subscribe"},
        {KSR_METHOD_UPDATE, "update"},
};
#define NREQ (sizeof(req_methods) / sizeof(req_methods[0]))

/* the methods whose replies upstream counts per class */
static const struct {
	enum ksr_method id;
	const char *name;
} rpl_methods[] = {
        {KSR_METHOD_BYE, "bye"},       {KSR_METHOD_CANCEL, "cancel"},
        {KSR_METHOD_INVITE, "invite"}, {KSR_METHOD_MESSAGE, "message"},
        {KSR_METHOD_PRACK, "prack"},   {KSR_METHOD_REFER, "refer"},
        {KSR_METHOD_REGISTER, "reg"},  {KSR_METHOD_UPDATE, "update"},
};
#define NRPL (sizeof(rpl_methods) / sizeof(rpl_methods[0]))

static const unsigned int own_codes[] = {401, 404, 407, 480, 486};
#define NCODES (sizeof(own_codes) / sizeof(own_codes[0]))

static struct ksr_counter *rcv_requests, *rcv_replies, *unsupported, *err_requests, *err_replies,
        *bad_hdr, *bad_uri, *rpl_18x;
static struct ksr_counter *req_m[NREQ], *rpl_class[6], *rpl_cm[6][NRPL], *rpl_code[NCODES];
static struct ksr_counter *other[KSR_STAT_COUNT];

static const char *const other_names[KSR_STAT_COUNT] = {"fwd_requests", "fwd_replies",
                                                        "drop_replies"};

/* One counter; registered already (a second start in one process) is fine. */
static int reg(const char *name, struct ksr_counter **ret)
{
	int r = ksr_counter_register(GROUP, name, NULL, ret);

	if (r == -EEXIST) {
		*ret = ksr_counter_lookup(ksr_str_make(GROUP, strlen(GROUP)),
		                          ksr_str_make((char *)name, strlen(name)));
		r = *ret ? 0 : -ENOENT;
	}
	return r;
}

int ksr_core_stats_register(void)
{
	char name[64];
	int r = 0;

	r |= reg("rcv_requests", &rcv_requests);
	r |= reg("rcv_replies", &rcv_replies);
	r |= reg("unsupported_methods", &unsupported);
	r |= reg("err_requests", &err_requests);
	r |= reg("err_replies", &err_replies);
	r |= reg("bad_msg_hdr", &bad_hdr);
	r |= reg("bad_URIs_rcvd", &bad_uri);
	r |= reg("rcv_replies_18x", &rpl_18x);
	for (int i = 0; i < KSR_STAT_COUNT; i++)
		r |= reg(other_names[i], &other[i]);
	for (size_t i = 0; i < NREQ; i++) {
		snprintf(name, sizeof(name), "rcv_requests_%s", req_methods[i].name);
		r |= reg(name, &req_m[i]);
	}
	for (int c = 0; c < 6; c++) {
		snprintf(name, sizeof(name), "rcv_replies_%dxx", c + 1);
		r |= reg(name, &rpl_class[c]);
		for (size_t i = 0; i < NRPL; i++) {
			snprintf(name, sizeof(name), "rcv_replies_%dxx_%s", c + 1,
			         rpl_methods[i].name);
			r |= reg(name, &rpl_cm[c][i]);
		}
	}
	for (size_t i = 0; i < NCODES; i++) {
		snprintf(name, sizeof(name), "rcv_replies_%u", own_codes[i]);
		r |= reg(name, &rpl_code[i]);
	}
	if (r == 0)
		r = ksr_meminfo_stats_register();
	return r ? -ENOMEM : 0;
}

/* Counting before registration (unit tests of the receive path) is a no-op. */
static void inc(struct ksr_counter *c)
{
	if (c)
		ksr_counter_add(c, 1);
}

void ksr_core_stat_inc(enum ksr_core_stat which)
{
	inc(other[which]);
}

static void count_reply(struct ksr_msg *msg)
{
	unsigned int code = msg->first.rpl.code, cls = code / 100;
	struct ksr_cseq *cseq;

	inc(rcv_replies);
	if (cls < 1 || cls > 6)
		return;
	inc(rpl_class[cls - 1]);
	if (code >= 180 && code < 190)
		inc(rpl_18x);
	for (size_t i = 0; i < NCODES; i++)
		if (own_codes[i] == code)
			inc(rpl_code[i]);
	if (ksr_msg_cseq(msg, &cseq) < 0)
		return;
	for (size_t i = 0; i < NRPL; i++)
		if (rpl_methods[i].id == cseq->method_id)
			inc(rpl_cm[cls - 1][i]);
}

void ksr_core_stats_received(struct ksr_msg *msg)
{
	if (msg->type == KSR_MSG_REPLY) {
		count_reply(msg);
		return;
	}
	inc(rcv_requests);
	if (msg->first.req.method_id == KSR_METHOD_OTHER) {
		inc(unsupported);
		return;
	}
	for (size_t i = 0; i < NREQ; i++)
		if (req_methods[i].id == msg->first.req.method_id)
			inc(req_m[i]);
}

void ksr_core_stats_refused(const struct ksr_msg *msg, const struct ksr_msg_check *chk)
{
	if (msg->type == KSR_MSG_REQUEST)
		inc(err_requests);
	else if (msg->type == KSR_MSG_REPLY)
		inc(err_replies);
	else
		return;
	/* what the check found wrong: the Request-URI, the version (505), else a header */
	if (chk->why && strstr(chk->why, "Request-URI"))
		inc(bad_uri);
	else if (chk->code != 505)
		inc(bad_hdr);
}
