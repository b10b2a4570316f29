/*
 * tm's script functions of stateful forwarding and the transaction's state, and what
 * tmx uses of them (tm_api.h); the export table is in tm.c.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/parser/msg.h"
#include "core/route/program.h"
#include "t_script.h"
#include "tm.h"

/* --- t_relay and its variants --- */

/* "sip:host:port" for the proxy forms, in msg's arena; 0 or -errno. */
static int proxy_uri(struct ksr_msg *msg, const struct ksr_fparam *host, long port,
		     struct ksr_str *ret)
{
	size_t n = host->s.len + 24;
	char *buf = ksr_arena_alloc_nz(msg->arena, n);
	bool v6 = memchr(host->s.s, ':', host->s.len) && host->s.s[0] != '[';
	int len;

	if (!buf)
		return -ENOMEM;
	if (port < 1 || port > 65535) {
		LM_ERR("t_relay: bad port %ld\n", port);
		return -EINVAL;
	}
	len = snprintf(buf, n, v6 ? "sip:[%.*s]:%ld" : "sip:%.*s:%ld", KSR_STR_FMT(host->s), port);
	*ret = ksr_str_make(buf, (size_t)len);
	return 0;
}

static int relay_to(struct ksr_msg *msg, const struct ksr_fparam *p, int proto)
{
	struct ksr_str proxy = KSR_STR_NULL;

	if (p && proxy_uri(msg, &p[0], p[1].i, &proxy) < 0)
		return -1;
	return tm_relay(msg, proxy, proto);
}

int w_t_relay(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, NULL, 0);
}

int w_t_relay2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, p, 0);
}

int w_t_relay_to_udp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, NULL, IPPROTO_UDP);
}

int w_t_relay_to_udp2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, p, IPPROTO_UDP);
}

int w_t_relay_to_tcp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, NULL, IPPROTO_TCP);
}

int w_t_relay_to_tcp2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return relay_to(msg, p, IPPROTO_TCP);
}

/* t_replicate([uri]), t_replicate(host, port), t_replicate_udp/tcp(host, port) */
static int replicate_to(struct ksr_msg *msg, const struct ksr_fparam *p, int proto)
{
	struct ksr_str target = KSR_STR_NULL;

	if (p && proxy_uri(msg, &p[0], p[1].i, &target) < 0)
		return -1;
	return tm_replicate(msg, target, proto);
}

int w_t_replicate0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replicate_to(msg, NULL, 0);
}

int w_t_replicate1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return tm_replicate(msg, p[0].s, 0);
}

int w_t_replicate2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replicate_to(msg, p, 0);
}

int w_t_replicate_udp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replicate_to(msg, p, IPPROTO_UDP);
}

int w_t_replicate_tcp(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return replicate_to(msg, p, IPPROTO_TCP);
}

int w_t_save_lumps(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return tm_save_request(msg);
}

/* --- t_on_failure, t_on_reply, t_on_branch --- */

static int fixup_route(struct ksr_fparam *p, struct ksr_route *(*find)(struct ksr_program *,
								      const char *),
		       const char *kind, const char **ret_err)
{
	struct ksr_program *prog = ksr_fixup_program();

	if (p[0].dynamic) {
		*ret_err = "the route name must be a constant";
		return -EINVAL;
	}
	/* upstream runs an empty route for a name it does not know: a warning, not an error */
	if (prog && !find(prog, p[0].s.s))
		LM_WARN("%s[%s] is not defined: nothing will run there\n", kind, p[0].s.s);
	return 0;
}

int fixup_t_on_failure(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_route(p, ksr_program_find_failure_route, "failure_route", ret_err);
}

int fixup_t_on_reply(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_route(p, ksr_program_find_onreply_route, "onreply_route", ret_err);
}

int fixup_t_on_branch(struct ksr_fparam *p, int n, const char **ret_err)
{
	return fixup_route(p, ksr_program_find_branch_route, "branch_route", ret_err);
}

/*
 * The settings go to the transaction at the next t_relay(); in an onreply_route (the
 * message is a reply) they go to the transaction at once.
 */
static int set_route(struct ksr_msg *msg, const char *name, int which)
{
	struct tm_cell *t = msg->type == KSR_MSG_REPLY ? tm_ctx.t : NULL;
	struct tm_settings *s;

	if (t) {
		/* the names are the program's; the transaction keeps a copy */
		pthread_mutex_lock(&t->lock);
		tm_set_name(which == 0 ? &t->set.on_failure
				       : which == 1 ? &t->set.on_reply : &t->set.on_branch,
			    name);
		pthread_mutex_unlock(&t->lock);
		return 1;
	}
	if (!(s = tm_settings_of(msg, true)))
		return -1;
	if (which == 0)
		s->on_failure = name;
	else if (which == 1)
		s->on_reply = name;
	else
		s->on_branch = name;
	return 1;
}

int w_t_on_failure(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_route(msg, p[0].s.s, 0);
}

int w_t_on_reply(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_route(msg, p[0].s.s, 1);
}

int w_t_on_branch(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_route(msg, p[0].s.s, 2);
}

/* --- timers --- */

/* t_set_fr(fr_inv_timeout[, fr_timeout]), ms; 0 keeps the modparam's value. */
static int set_fr(struct ksr_msg *msg, long fr_inv, long fr)
{
	struct tm_settings *s;
	struct tm_cell *t = tm_of_msg(msg);

	if (fr_inv < 0 || fr < 0) {
		LM_ERR("t_set_fr: negative timeout\n");
		return -1;
	}
	if (!(s = tm_settings_of(msg, true)))
		return -1;
	s->fr_inv_ms = (unsigned int)fr_inv;
	s->fr_ms = (unsigned int)fr;
	if (t && t->req == msg) {
		/* in failure_route: for the branches it adds */
		t->set.fr_inv_ms = s->fr_inv_ms;
		t->set.fr_ms = s->fr_ms;
	}
	return 1;
}

int w_t_set_fr1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_fr(msg, p[0].i, 0);
}

int w_t_set_fr2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_fr(msg, p[0].i, p[1].i);
}

int w_t_reset_fr(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return set_fr(msg, 0, 0);
}

/* --- the state --- */

/*
 * The transaction the script runs for: in branch_route, onreply_route and failure_route
 * the one tm runs it for, else the request's.
 */
static struct tm_cell *cur(struct ksr_msg *msg)
{
	return tm_ctx.t ? tm_ctx.t : tm_of_msg(msg);
}

/*
 * The reply code the script looks at: the reply's in onreply_route, the winning one in
 * failure_route, else the last one sent to the caller (0: none).
 */
static unsigned int cur_code(struct ksr_msg *msg)
{
	struct tm_cell *t;

	if (msg->type == KSR_MSG_REPLY)
		return msg->first.rpl.code;
	if (tm_ctx.t && tm_ctx.route_type == KSR_ROUTE_FAILURE)
		return tm_ctx.code;
	t = tm_of_msg(msg);
	return t ? t->reply_code : 0;
}

int fixup_t_check_status(struct ksr_fparam *p, int n, const char **ret_err)
{
	regex_t *re;
	int r;

	if (p[0].dynamic)
		return 0;
	if ((r = ksr_fixup_regcomp(p[0].s.s, REG_EXTENDED | REG_NOSUB, &re, ret_err)) < 0)
		return r;
	p[0].ptr = re;
	return 0;
}

int w_t_check_status(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int code = cur_code(msg);
	char buf[16];
	regex_t dyn, *re = p[0].dynamic ? NULL : p[0].ptr;
	int r;

	if (!code)
		return -1;
	snprintf(buf, sizeof(buf), "%u", code);
	if (!re) {
		if (regcomp(&dyn, p[0].s.s, REG_EXTENDED | REG_NOSUB) != 0) {
			LM_ERR("t_check_status: bad regular expression '%s'\n", p[0].s.s);
			return -1;
		}
		re = &dyn;
	}
	r = regexec(re, buf, 0, NULL, 0) == 0 ? 1 : -1;
	if (re == &dyn)
		regfree(&dyn);
	return r;
}

int w_t_is_canceled(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = cur(msg);

	return t && t->canceled ? 1 : -1;
}

int w_t_is_expired(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = cur(msg);

	return t && t->expired ? 1 : -1;
}

static bool any_branch(struct tm_cell *t, bool timeout)
{
	bool found = false;

	if (!t)
		return false;
	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < t->nbranches && !found; i++) {
		const struct tm_ubranch *b = t->branches[i];

		/* last_code is only ever a received one */
		found = timeout ? b->timed_out : b->last_code != 0;
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

int w_t_any_timeout(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return any_branch(cur(msg), true) ? 1 : -1;
}

int w_t_any_replied(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return any_branch(cur(msg), false) ? 1 : -1;
}

/* The branch failure_route runs for. */
static const struct tm_ubranch *fail_branch(void)
{
	struct tm_cell *t = tm_ctx.t;

	if (!t || tm_ctx.route_type != KSR_ROUTE_FAILURE || tm_ctx.branch < 0 ||
	    (unsigned int)tm_ctx.branch >= t->nbranches)
		return NULL;
	return t->branches[tm_ctx.branch];
}

int w_t_branch_timeout(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct tm_ubranch *b = fail_branch();

	return b && b->timed_out ? 1 : -1;
}

int w_t_branch_replied(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	const struct tm_ubranch *b = fail_branch();

	return b && b->last_code ? 1 : -1;
}

/* t_drop_replies([mode]): 'a' (or none) all, 'l' the last leg's, 'n' none. */
int fixup_t_drop_replies(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (n && !p[0].dynamic && strcmp(p[0].s.s, "a") && strcmp(p[0].s.s, "l") &&
	    strcmp(p[0].s.s, "n")) {
		*ret_err = "t_drop_replies takes a, l or n";
		return -EINVAL;
	}
	return 0;
}

static int drop_replies(char mode)
{
	struct tm_cell *t = tm_ctx.t;

	if (!t || tm_ctx.route_type != KSR_ROUTE_FAILURE)
		return -1;
	t->drop_replies = mode;
	return 1;
}

int w_t_drop_replies0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return drop_replies('a');
}

int w_t_drop_replies1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (strcmp(p[0].s.s, "a") && strcmp(p[0].s.s, "l") && strcmp(p[0].s.s, "n")) {
		LM_ERR("t_drop_replies: unknown mode '%s'\n", p[0].s.s);
		return -1;
	}
	return drop_replies(p[0].s.s[0]);
}

/* t_is_set("failure_route" | "branch_route" | "onreply_route") */
int w_t_is_set(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct tm_cell *t = cur(msg);
	struct tm_settings *s = tm_settings_of(msg, false);
	const char *what = p[0].s.s;
	const char *tv = NULL, *sv = NULL;

	if (!strcmp(what, "failure_route")) {
		tv = t ? t->set.on_failure : NULL;
		sv = s ? s->on_failure : NULL;
	} else if (!strcmp(what, "branch_route")) {
		tv = t ? t->set.on_branch : NULL;
		sv = s ? s->on_branch : NULL;
	} else if (!strcmp(what, "onreply_route")) {
		tv = t ? t->set.on_reply : NULL;
		sv = s ? s->on_reply : NULL;
	} else {
		LM_ERR("t_is_set: unknown target '%s'\n", what);
		return -1;
	}
	return tv || sv ? 1 : -1;
}

int fixup_t_is_set(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && strcmp(p[0].s.s, "failure_route") &&
	    strcmp(p[0].s.s, "branch_route") && strcmp(p[0].s.s, "onreply_route")) {
		*ret_err = "t_is_set takes failure_route, branch_route or onreply_route";
		return -EINVAL;
	}
	return 0;
}

/* --- what tmx uses (tm_api.h) --- */

int tm_api_info(struct ksr_msg *msg, struct tm_info *ret)
{
	struct tm_cell *t = cur(msg);

	if (!t)
		return -ENOENT;
	*ret = (struct tm_info){.index = t->hash, .label = t->label, .code = cur_code(msg)};
	if (tm_ctx.t == t && tm_ctx.branch >= 0) {
		ret->branch = (unsigned int)tm_ctx.branch;
		if (tm_ctx.route_type == KSR_ROUTE_FAILURE &&
		    (unsigned int)tm_ctx.branch < t->nbranches) {
			ret->local = t->branches[tm_ctx.branch]->local;
			/* failure_route: the index the next branch takes, as Kamailio 5.6 says */
			ret->branch = t->nbranches;
		}
	}
	return 0;
}

bool tm_api_exists(struct ksr_msg *msg)
{
	struct tm_cell *t = msg->type == KSR_MSG_REQUEST ? tm_lookup(msg) : NULL;

	tm_unref(t);
	return t != NULL;
}

int tm_api_cancel_branches(struct ksr_msg *msg, enum tm_cancel_which which)
{
	struct tm_cell *t = cur(msg);
	int self = tm_ctx.t == t ? tm_ctx.branch : -1;

	if (!t)
		return -1;
	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < t->nbranches; i++) {
		bool is_self = (int)i == self;

		if (which == TM_CANCEL_ALL || (which == TM_CANCEL_OTHERS && !is_self) ||
		    (which == TM_CANCEL_THIS && is_self))
			tm_cancel_branch(t->branches[i]);
	}
	pthread_mutex_unlock(&t->lock);
	return 1;
}

int tm_api_flush_flags(struct ksr_msg *msg)
{
	struct tm_cell *t = tm_of_msg(msg);

	if (!t)
		return -1;
	pthread_mutex_lock(&t->lock);
	if (t->req && t->req != msg)
		t->req->flags = msg->flags;
	pthread_mutex_unlock(&t->lock);
	return 1;
}

int tm_api_by_callid(struct ksr_str callid, unsigned int cseq, unsigned int code,
		     struct ksr_str reason, int flag)
{
	struct tm_cell *t = tm_lookup_callid(callid, cseq);
	int r = 1;

	if (!t)
		return -1;
	pthread_mutex_lock(&t->lock);
	if (!code) {
		t->canceled = true;
		if (flag > 0 && t->req)
			t->req->flags |= 1u << flag;
		tm_cancel_branches(t);
	} else if (!t->req) {
		/* only a relayed request has the copy a reply is built from */
		r = -1;
	} else {
		r = tm_reply(t, t->req, code, reason) < 0 ? -1 : 1;
	}
	pthread_mutex_unlock(&t->lock);
	tm_unref(t);
	return r;
}

struct ksr_msg *tm_api_request_of(struct ksr_msg *msg)
{
	struct tm_cell *t = cur(msg);

	/* for a reply only, as Kamailio 5.6 (a request route has the request itself) */
	return t && msg->type == KSR_MSG_REPLY ? t->req : NULL;
}

struct ksr_msg *tm_api_reply_of(struct ksr_msg *msg)
{
	struct tm_cell *t = tm_ctx.t;
	struct tm_ubranch *b;
	struct ksr_msg *m;
	char *buf;

	if (msg->type == KSR_MSG_REPLY)
		return msg;
	if (!t || tm_ctx.route_type != KSR_ROUTE_FAILURE || tm_ctx.branch < 0 ||
	    (unsigned int)tm_ctx.branch >= t->nbranches)
		return NULL;
	if (t->fail_reply)
		return t->fail_reply;
	b = t->branches[tm_ctx.branch];
	if (b->local || !b->reply)
		return NULL;
	/* parsed once per failure_route run, in the transaction's arena (its lock is held) */
	if (!(m = ksr_arena_alloc(t->arena, sizeof(*m))) ||
	    !(buf = ksr_arena_alloc_nz(t->arena, b->reply_len + 1)))
		return NULL;
	memcpy(buf, b->reply, b->reply_len);
	buf[b->reply_len] = '\0';
	if (ksr_msg_parse(m, buf, b->reply_len, t->arena, NULL) < 0)
		return NULL;
	t->fail_reply = m;
	return m;
}
