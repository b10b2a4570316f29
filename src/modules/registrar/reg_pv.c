/*
 * $ulc(profile=>attr): contacts copied out of usrloc by reg_fetch_contacts(), and the
 * contact of event_route[usrloc:contact-expired] ($ulc(exp=>...)).
 *
 * A profile belongs to the worker that fetched it, as upstream's belong to a process: it
 * lasts across messages until fetched again or freed. Each is one heap block; a list of
 * every block lets destroy() free what workers left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/program.h"
#include "registrar.h"

struct ulc_contact {
	struct ksr_str addr, path, received, callid, user_agent, ruid, instance, socket;
	long expires, q, cseq, flags, cflags, modified, methods, regid;
};

struct ulc_profile {
	struct ksr_str name, aor, domain;
	unsigned int aorhash;
	unsigned int count;
	struct ulc_contact *contacts;
	struct ulc_profile *next;                /* this worker's */
	struct ulc_profile *all_prev, *all_next; /* every worker's */
};

static _Thread_local struct ulc_profile *profiles;
static struct ulc_profile *all;
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;

/* The bytes a string takes in a block. */
#define STRSZ(s) ((s).len + 1)

static void put(char **p, struct ksr_str src, struct ksr_str *dst)
{
	if (src.len)
		memcpy(*p, src.s, src.len);
	(*p)[src.len] = '\0';
	*dst = ksr_str_make(*p, src.len);
	*p += src.len + 1;
}

static void block_free(struct ulc_profile *p)
{
	pthread_mutex_lock(&all_lock);
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		all = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	pthread_mutex_unlock(&all_lock);
	free(p);
}

/* Take the profile named name out of this worker's list and free it. */
static bool drop(struct ksr_str name)
{
	for (struct ulc_profile **pp = &profiles; *pp; pp = &(*pp)->next) {
		if (ksr_str_eq(&(*pp)->name, &name)) {
			struct ulc_profile *p = *pp;

			*pp = p->next;
			block_free(p);
			return true;
		}
	}
	return false;
}

static bool wanted(const struct ul_contact *c, const struct ul_contact *only, time_t now)
{
	return only ? c == only : ul_contact_valid(c, now);
}

/* A profile of r's bound contacts (or of `only`), in one block. NULL when out of memory. */
static struct ulc_profile *build(struct ksr_str name, const struct ul_record *r,
                                 const struct ul_contact *only, time_t now)
{
	struct ksr_str dom = reg_ul->domain_name(r->domain);
	size_t size = sizeof(struct ulc_profile) + STRSZ(name) + STRSZ(r->aor) + STRSZ(dom);
	unsigned int n = 0;
	struct ulc_profile *p;
	char sock[96], *s;

	for (const struct ul_contact *c = r->contacts; c; c = c->next) {
		if (!wanted(c, only, now))
			continue;
		n++;
		size += sizeof(struct ulc_contact) + STRSZ(c->c) + STRSZ(c->path) +
		        STRSZ(c->received) + STRSZ(c->callid) + STRSZ(c->user_agent) +
		        STRSZ(c->ruid) + STRSZ(c->instance) + sizeof(sock);
	}
	if (!(p = calloc(1, size)))
		return NULL;
	p->contacts = (struct ulc_contact *)(p + 1);
	s = (char *)(p->contacts + n);
	put(&s, name, &p->name);
	put(&s, r->aor, &p->aor);
	put(&s, dom, &p->domain);
	p->aorhash = r->aorhash;
	for (const struct ul_contact *c = r->contacts; c; c = c->next) {
		struct ulc_contact *u = &p->contacts[p->count];

		if (!wanted(c, only, now))
			continue;
		p->count++;
		put(&s, c->c, &u->addr);
		put(&s, c->path, &u->path);
		put(&s, c->received, &u->received);
		put(&s, c->callid, &u->callid);
		put(&s, c->user_agent, &u->user_agent);
		put(&s, c->ruid, &u->ruid);
		put(&s, c->instance, &u->instance);
		if (c->sock)
			put(&s, ksr_str_make(sock, reg_ul->socket_str(c->sock, sock, sizeof(sock))),
			    &u->socket);
		u->expires = (long)c->expires;
		u->q = c->q;
		u->cseq = (long)c->cseq;
		u->flags = (long)c->flags;
		u->cflags = (long)c->cflags;
		u->modified = (long)c->last_modified;
		u->methods = (long)c->methods;
		u->regid = (long)c->reg_id;
	}
	return p;
}

static void keep(struct ulc_profile *p)
{
	drop(p->name);
	p->next = profiles;
	profiles = p;
	pthread_mutex_lock(&all_lock);
	p->all_next = all;
	if (all)
		all->all_prev = p;
	all = p;
	pthread_mutex_unlock(&all_lock);
}

int registrar_fetch_contacts(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                             struct ksr_str profile)
{
	struct ul_record *r;
	struct ulc_profile *p = NULL;
	struct ksr_str aor;

	drop(profile);
	if (registrar_aor(msg, uri, &aor) < 0)
		return -1;
	reg_ul->lock(d, aor);
	if (reg_ul->get_record(d, aor, &r) == 0)
		p = build(profile, r, NULL, time(NULL));
	reg_ul->unlock(d, aor);
	if (!p)
		return -1;
	if (!p->count) {
		block_free(p);
		return -1;
	}
	keep(p);
	return 1;
}

int registrar_free_contacts(struct ksr_str profile)
{
	drop(profile);
	return 1;
}

void registrar_profiles_free(void)
{
	struct ulc_profile *p, *next;

	pthread_mutex_lock(&all_lock);
	for (p = all; p; p = next) {
		next = p->all_next;
		free(p);
	}
	all = NULL;
	pthread_mutex_unlock(&all_lock);
	profiles = NULL;
}

/* --- $ulc(profile=>attr) --- */

enum ulc_attr {
	A_AOR,
	A_DOMAIN,
	A_AORHASH,
	A_COUNT,
	A_ADDR,
	A_PATH,
	A_RECEIVED,
	A_EXPIRES,
	A_CALLID,
	A_Q,
	A_CSEQ,
	A_FLAGS,
	A_CFLAGS,
	A_USER_AGENT,
	A_SOCKET,
	A_MODIFIED,
	A_METHODS,
	A_RUID,
	A_REGID,
	A_INSTANCE,
};

static const char *const attr_names[] = {
        "aor",     "domain",   "aorhash", "count", "addr",  "path",     "received",
        "expires", "callid",   "q",       "cseq",  "flags", "cflags",   "user_agent",
        "socket",  "modified", "methods", "ruid",  "regid", "instance", NULL,
};

struct ulc_name {
	struct ksr_str profile;
	enum ulc_attr attr;
};

static int ulc_parse(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	struct ksr_str n = spec->name, attr;
	struct ulc_name *u;
	char *sep = NULL;

	for (size_t i = 0; i + 1 < n.len; i++)
		if (n.s[i] == '=' && n.s[i + 1] == '>') {
			sep = n.s + i;
			break;
		}
	if (!sep || sep == n.s) {
		*ret_err = "$ulc takes profile=>attribute";
		return -EINVAL;
	}
	attr = ksr_str_make(sep + 2, (size_t)(ksr_str_end(n) - sep - 2));
	if (!(u = ksr_arena_alloc(arena, sizeof(*u)))) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	u->profile = ksr_str_make(n.s, (size_t)(sep - n.s));
	for (int i = 0; attr_names[i]; i++) {
		if (ksr_str_caseeq_cstr(&attr, attr_names[i])) {
			u->attr = (enum ulc_attr)i;
			spec->pname = u;
			return 0;
		}
	}
	*ret_err = "unknown $ulc attribute";
	return -EINVAL;
}

static int ret_str(struct ksr_val *ret, struct ksr_str s)
{
	ret->type = KSR_VAL_STR;
	ret->s = s;
	return 0;
}

static int ret_int(struct ksr_val *ret, long i)
{
	ret->type = KSR_VAL_INT;
	ret->i = i;
	return 0;
}

static int ulc_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const struct ulc_name *u = spec->pname;
	struct ulc_profile *p = profiles;
	const struct ulc_contact *c;
	long idx = spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0;

	ret->type = KSR_VAL_NULL;
	while (p && !ksr_str_eq(&p->name, &u->profile))
		p = p->next;
	if (!p)
		return 0;
	switch (u->attr) {
	case A_AOR: return ret_str(ret, p->aor);
	case A_DOMAIN: return ret_str(ret, p->domain);
	case A_AORHASH: return ret_int(ret, (long)p->aorhash);
	case A_COUNT: return ret_int(ret, (long)p->count);
	default: break;
	}
	if (idx < 0)
		idx += p->count;
	if (idx < 0 || idx >= (long)p->count)
		return 0;
	c = &p->contacts[idx];
	switch (u->attr) {
	case A_ADDR: return ret_str(ret, c->addr);
	case A_PATH: return ret_str(ret, c->path);
	case A_RECEIVED: return ret_str(ret, c->received);
	case A_CALLID: return ret_str(ret, c->callid);
	case A_USER_AGENT: return ret_str(ret, c->user_agent);
	case A_RUID: return ret_str(ret, c->ruid);
	case A_INSTANCE: return ret_str(ret, c->instance);
	case A_SOCKET: return c->socket.s ? ret_str(ret, c->socket) : 0;
	case A_EXPIRES: return ret_int(ret, c->expires);
	case A_Q: return ret_int(ret, c->q);
	case A_CSEQ: return ret_int(ret, c->cseq);
	case A_FLAGS: return ret_int(ret, c->flags);
	case A_CFLAGS: return ret_int(ret, c->cflags);
	case A_MODIFIED: return ret_int(ret, c->modified);
	case A_METHODS: return ret_int(ret, c->methods);
	case A_REGID: return ret_int(ret, c->regid);
	default: return 0;
	}
}

const struct ksr_pv_export registrar_pvs[] = {
        {.name = "ulc",
         .get = ulc_get,
         .parse_name = ulc_parse,
         .flags = KSR_PV_NAME_REQUIRED | KSR_PV_INDEXED},
        {0},
};

/* --- event_route[usrloc:contact-expired] --- */

/* The request upstream runs event routes on: nothing of it matters but that it parses. */
static const char faked[] = "OPTIONS sip:you@kamailio.org SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1\r\n"
                            "From: <sip:you@kamailio.org>;tag=123\r\n"
                            "To: <sip:you@kamailio.org>\r\n"
                            "Call-ID: 123\r\n"
                            "CSeq: 1 OPTIONS\r\n"
                            "Content-Length: 0\r\n\r\n";

void registrar_contact_expired(struct ul_record *r, struct ul_contact *c, enum ul_cb_type type,
                               void *param)
{
	struct ksr_program *prog = ksr_program_acquire();
	const struct ksr_route *rt;
	struct ulc_profile *p;
	struct ksr_arena arena;
	struct ksr_msg m;
	char buf[sizeof(faked)];

	if (!prog)
		return;
	if (!(rt = ksr_program_find_event_route(prog, "usrloc:contact-expired")))
		goto done;
	if (!(p = build(KSR_STR_STATIC("exp"), r, c, time(NULL)))) {
		LM_ERR("out of memory for $ulc(exp)\n");
		goto done;
	}
	keep(p);
	ksr_arena_init(&arena, 2048);
	memcpy(buf, faked, sizeof(faked));
	memset(&m, 0, sizeof(m));
	if (ksr_msg_parse(&m, buf, sizeof(faked) - 1, &arena, NULL) == 0)
		ksr_run_route(prog, rt, &m, KSR_ROUTE_EVENT);
	ksr_arena_destroy(&arena);
	drop(KSR_STR_STATIC("exp"));
done:
	ksr_program_unref(prog);
}
