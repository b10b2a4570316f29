/*
 * The location tables: a hash table of records per table, one lock per slot, each record
 * a list of contacts kept in the order lookup() wants (by q, or newest first).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/net/listener.h"
#include "usrloc.h"

/* modparams the tables follow (set from usrloc.c's parameter table) */
int usrloc_use_domain;
int usrloc_desc_time_order;
int usrloc_matching_mode = USRLOC_MATCH_CONTACT;
int usrloc_cseq_delay = 20;
int usrloc_hash_size = 10;
int usrloc_nat_bflag = -1;

struct ksr_counter *usrloc_st_registered;
bool usrloc_stats_closed;
const struct usrloc_store *usrloc_store; /* db_mode 0: none */

/* The list of tables: it only grows while the daemon runs, so readers walk it unlocked. */
static struct ul_domain *_Atomic domains;
static pthread_mutex_t domains_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_CALLBACKS 16
static struct {
	unsigned int types;
	ul_cb_fn fn;
	void *param;
} callbacks[MAX_CALLBACKS];
static int ncallbacks;

static void stat_add(struct ksr_counter *c, long v)
{
	if (c)
		ksr_counter_add(c, v);
}

static void run_callbacks(enum ul_cb_type type, struct ul_record *r, struct ul_contact *c)
{
	for (int i = 0; i < ncallbacks; i++)
		if (callbacks[i].types & type)
			callbacks[i].fn(r, c, type, callbacks[i].param);
}

int usrloc_register_callback(unsigned int types, ul_cb_fn fn, void *param)
{
	if (!fn || !types)
		return -EINVAL;
	if (ncallbacks >= MAX_CALLBACKS)
		return -ENOSPC;
	callbacks[ncallbacks].types = types;
	callbacks[ncallbacks].fn = fn;
	callbacks[ncallbacks].param = param;
	ncallbacks++;
	return 0;
}

/* FNV-1a: records spread over the slots; aorhash is this value. */
unsigned int usrloc_aor_hash(struct ksr_str aor)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < aor.len; i++) {
		h ^= (unsigned char)aor.s[i];
		h *= 16777619u;
	}
	return h;
}

size_t usrloc_new_ruid(const char *prefix, char *buf, size_t size)
{
	static atomic_uint counter;
	static time_t start;
	int n;

	if (!start)
		start = time(NULL);
	n = snprintf(buf, size, "%s-%lx-%x-%u", prefix, (unsigned long)start,
	             (unsigned int)getpid(), atomic_fetch_add(&counter, 1) + 1);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* --- tables --- */

static struct ksr_counter *domain_stat(const char *dom, const char *what)
{
	char name[128];
	struct ksr_counter *c = NULL;
	int r;

	/* counters are registered while the daemon starts only: a table a reload makes has none */
	if (usrloc_stats_closed) {
		LM_WARN("table '%s' made after start: it has no statistics\n", dom);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s_%s", dom, what);
	r = ksr_counter_register("usrloc", name, NULL, &c);
	if (r == -EEXIST) /* a table made again (tests), or after a check run */
		c = ksr_counter_lookup(KSR_STR_STATIC("usrloc"), ksr_str_make(name, strlen(name)));
	else if (r < 0)
		LM_WARN("no statistic usrloc:%s: %s\n", name, strerror(-r));
	return c;
}

struct ul_domain *usrloc_find_domain(struct ksr_str name)
{
	for (struct ul_domain *d = atomic_load(&domains); d; d = d->next)
		if (ksr_str_eq(&d->name_s, &name))
			return d;
	return NULL;
}

struct ul_domain *usrloc_domains(void)
{
	return atomic_load(&domains);
}

static void drop_contact(struct ul_record *r, struct ul_contact *c);

static void domain_free(struct ul_domain *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; d->slots && i < d->size; i++) {
		struct ul_record *r = d->slots[i].first, *next;

		for (; r; r = next) {
			next = r->next;
			while (r->contacts)
				drop_contact(r, r->contacts);
			free(r->aor.s);
			free(r);
		}
		pthread_mutex_destroy(&d->slots[i].lock);
	}
	free(d->slots);
	free(d->name);
	free(d);
}

int usrloc_register_domain(const char *name, struct ul_domain **ret)
{
	struct ksr_str n = ksr_str_make((char *)name, name ? strlen(name) : 0);
	struct ul_domain *d;
	pthread_mutexattr_t ma;
	int bits = usrloc_hash_size, r = -ENOMEM;

	if (!n.len)
		return -EINVAL;
	pthread_mutex_lock(&domains_lock);
	if ((d = usrloc_find_domain(n))) {
		*ret = d;
		pthread_mutex_unlock(&domains_lock);
		return 0;
	}
	if (bits < 1 || bits > 20)
		bits = 10;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name)))
		goto fail;
	d->name_s = ksr_str_make(d->name, n.len);
	d->size = 1u << bits;
	if (!(d->slots = calloc(d->size, sizeof(*d->slots))))
		goto fail;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	for (unsigned int i = 0; i < d->size; i++)
		pthread_mutex_init(&d->slots[i].lock, &ma);
	pthread_mutexattr_destroy(&ma);
	d->st_users = domain_stat(name, "users");
	d->st_contacts = domain_stat(name, "contacts");
	d->st_expires = domain_stat(name, "expires");
	d->next = atomic_load(&domains);
	atomic_store(&domains, d);
	pthread_mutex_unlock(&domains_lock);
	/* a table named while the daemon runs gets its rows now (those before: at start) */
	if (usrloc_store && usrloc_store->new_domain && usrloc_store->new_domain(d) < 0)
		LM_ERR("table '%s': cannot load its contacts from the database\n", name);
	*ret = d;
	return 0;
fail:
	pthread_mutex_unlock(&domains_lock);
	if (d) {
		d->size = d->slots ? d->size : 0;
		domain_free(d);
	}
	return r;
}

void usrloc_tables_free(void)
{
	struct ul_domain *d, *next;

	pthread_mutex_lock(&domains_lock);
	d = atomic_exchange(&domains, NULL);
	for (; d; d = next) {
		next = d->next;
		domain_free(d);
	}
	ncallbacks = 0;
	pthread_mutex_unlock(&domains_lock);
}

struct ul_slot *usrloc_slot_of(struct ul_domain *d, unsigned int hash)
{
	return &d->slots[hash & (d->size - 1)];
}

void usrloc_lock(struct ul_domain *d, struct ksr_str aor)
{
	pthread_mutex_lock(&usrloc_slot_of(d, usrloc_aor_hash(aor))->lock);
}

void usrloc_unlock(struct ul_domain *d, struct ksr_str aor)
{
	pthread_mutex_unlock(&usrloc_slot_of(d, usrloc_aor_hash(aor))->lock);
}

/* --- records --- */

int usrloc_get_record(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret)
{
	int e;

	/* db_mode 3: the database is the truth, memory a copy read again for each use */
	if (usrloc_store && usrloc_store->refresh && (e = usrloc_store->refresh(d, aor)) < 0)
		return e;
	return usrloc_find_record_mem(d, aor, ret);
}

int usrloc_find_record_mem(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret)
{
	unsigned int h = usrloc_aor_hash(aor);

	for (struct ul_record *r = usrloc_slot_of(d, h)->first; r; r = r->next) {
		if (r->aorhash == h && ksr_str_eq(&r->aor, &aor)) {
			*ret = r;
			return 0;
		}
	}
	return -ENOENT;
}

int usrloc_insert_record(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret)
{
	struct ul_record *r = calloc(1, sizeof(*r));
	struct ul_slot *s;

	if (!r || !(r->aor.s = malloc(aor.len + 1))) {
		free(r);
		return -ENOMEM;
	}
	if (aor.len)
		memcpy(r->aor.s, aor.s, aor.len);
	r->aor.s[aor.len] = '\0';
	r->aor.len = aor.len;
	r->aorhash = usrloc_aor_hash(aor);
	r->domain = d;
	s = usrloc_slot_of(d, r->aorhash);
	r->next = s->first;
	if (s->first)
		s->first->prev = r;
	s->first = r;
	s->n++;
	stat_add(d->st_users, 1);
	stat_add(usrloc_st_registered, 1);
	*ret = r;
	return 0;
}

static void record_free(struct ul_record *r)
{
	struct ul_slot *s = usrloc_slot_of(r->domain, r->aorhash);

	if (r->prev)
		r->prev->next = r->next;
	else
		s->first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	s->n--;
	stat_add(r->domain->st_users, -1);
	stat_add(usrloc_st_registered, -1);
	free(r->aor.s);
	free(r);
}

int usrloc_delete_record(struct ul_domain *d, struct ksr_str aor)
{
	struct ul_record *r;
	int e;

	if ((e = usrloc_get_record(d, aor, &r)) < 0)
		return e;
	while (r->contacts)
		if ((e = usrloc_delete_contact(r, r->contacts)) < 0)
			return e; /* the database kept it: so does memory */
	record_free(r);
	return 0;
}

void usrloc_record_drop_mem(struct ul_record *r)
{
	while (r->contacts)
		drop_contact(r, r->contacts);
	record_free(r);
}

void usrloc_release_record(struct ul_record *r)
{
	if (r && !r->contacts)
		record_free(r);
}

/* --- contacts --- */

static bool str_same(struct ksr_str a, struct ksr_str b)
{
	return ksr_str_eq(&a, &b);
}

/* The Call-ID/CSeq rule of RFC 3261 10.3 step 7, with upstream's retransmission window. */
static int check_cseq(const struct ul_contact *c, struct ksr_str callid, uint32_t cseq)
{
	if (!str_same(c->callid, callid))
		return 0;
	if (cseq < c->cseq)
		return -EINVAL;
	if (cseq == c->cseq)
		return c->last_modified + usrloc_cseq_delay > time(NULL) ? -EALREADY : -EINVAL;
	return 0;
}

static bool contact_matches(const struct ul_contact *c, struct ksr_str uri, struct ksr_str callid,
                            struct ksr_str path)
{
	switch (usrloc_matching_mode) {
	case USRLOC_MATCH_CALLID: return str_same(c->c, uri) && str_same(c->callid, callid);
	case USRLOC_MATCH_PATH:
		return str_same(c->c, uri) && (!path.len || str_same(c->path, path));
	case USRLOC_MATCH_CALLID_ONLY: return str_same(c->callid, callid);
	default: return str_same(c->c, uri);
	}
}

int usrloc_get_contact(struct ul_record *r, struct ksr_str uri, struct ksr_str callid,
                       struct ksr_str path, uint32_t cseq, struct ul_contact **ret)
{
	for (struct ul_contact *c = r->contacts; c; c = c->next) {
		if (contact_matches(c, uri, callid, path)) {
			int e = check_cseq(c, callid, cseq);

			if (e < 0)
				return e;
			*ret = c;
			return 0;
		}
	}
	return -ENOENT;
}

int usrloc_get_contact_by_instance(struct ul_record *r, const struct ul_contact_info *ci,
                                   struct ul_contact **ret)
{
	if (!ci->instance.len)
		return -ENOENT;
	for (struct ul_contact *c = r->contacts; c; c = c->next) {
		if (c->reg_id == ci->reg_id && str_same(c->instance, ci->instance)) {
			int e = check_cseq(c, ci->callid, ci->cseq);

			if (e < 0)
				return e;
			*ret = c;
			return 0;
		}
	}
	return -ENOENT;
}

int usrloc_get_contact_by_ruid(struct ul_record *r, struct ksr_str ruid, struct ul_contact **ret)
{
	for (struct ul_contact *c = r->contacts; c; c = c->next) {
		if (str_same(c->ruid, ruid)) {
			*ret = c;
			return 0;
		}
	}
	return -ENOENT;
}

int usrloc_find_contact_uri(struct ul_record *r, struct ksr_str uri, struct ul_contact **ret)
{
	for (struct ul_contact *c = r->contacts; c; c = c->next) {
		if (str_same(c->c, uri)) {
			*ret = c;
			return 0;
		}
	}
	return -ENOENT;
}

/* A NUL-terminated heap copy of s (empty too: every string field has memory). */
static int dup_str(struct ksr_str s, struct ksr_str *ret)
{
	char *p = malloc(s.len + 1);

	if (!p)
		return -ENOMEM;
	if (s.len)
		memcpy(p, s.s, s.len);
	p[s.len] = '\0';
	*ret = ksr_str_make(p, s.len);
	return 0;
}

/* The string fields of a contact, in one place for copying and freeing. */
#define NSTR 7
static void str_fields(struct ul_contact *c, struct ksr_str *f[NSTR])
{
	f[0] = &c->c;
	f[1] = &c->ruid;
	f[2] = &c->received;
	f[3] = &c->path;
	f[4] = &c->callid;
	f[5] = &c->user_agent;
	f[6] = &c->instance;
}

static void contact_free(struct ul_contact *c)
{
	struct ksr_str *f[NSTR];

	str_fields(c, f);
	for (int i = 0; i < NSTR; i++)
		free(f[i]->s);
	free(c);
}

/*
 * Copy ci's strings (the ruid too when given, else keep_ruid) into tmp's fields, all or
 * nothing.
 */
static int copy_strings(struct ul_contact *tmp, const struct ul_contact_info *ci,
                        struct ksr_str keep_ruid)
{
	struct ksr_str src[NSTR] = {ci->c,        ci->ruid.len ? ci->ruid : keep_ruid,
	                            ci->received, ci->path,
	                            ci->callid,   ci->user_agent,
	                            ci->instance};
	struct ksr_str *f[NSTR];

	str_fields(tmp, f);
	for (int i = 0; i < NSTR; i++) {
		if (dup_str(src[i], f[i]) < 0) {
			while (i-- > 0)
				free(f[i]->s);
			return -ENOMEM;
		}
	}
	return 0;
}

static void set_values(struct ul_contact *c, const struct ul_contact_info *ci)
{
	c->expires = ci->expires;
	c->q = ci->q;
	c->cseq = ci->cseq;
	c->flags = ci->flags;
	c->cflags = ci->cflags;
	c->methods = ci->methods;
	c->reg_id = ci->reg_id;
	c->sock = ci->sock;
	c->last_modified = ci->last_modified;
	c->server_id = ci->server_id;
	c->tcpconn_id = ci->tcpconn_id;
}

static void unlink_contact(struct ul_record *r, struct ul_contact *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		r->contacts = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/*
 * Put c where it belongs: first with desc_time_order, else after every contact with a q
 * at least its own (a new binding goes after the older ones of the same q, as upstream).
 */
static void link_contact(struct ul_record *r, struct ul_contact *c)
{
	struct ul_contact *prev = NULL, *p = r->contacts;

	if (!usrloc_desc_time_order)
		for (; p && p->q >= c->q; prev = p, p = p->next)
			;
	c->prev = prev;
	c->next = p;
	if (prev)
		prev->next = c;
	else
		r->contacts = c;
	if (p)
		p->prev = c;
}

/* A new contact of r from ci, not linked yet. */
static struct ul_contact *contact_new(struct ul_record *r, const struct ul_contact_info *ci)
{
	struct ul_contact *c = calloc(1, sizeof(*c));
	char ruid[64];
	size_t n;

	if (!c)
		return NULL;
	n = ci->ruid.len ? 0 : usrloc_new_ruid("uloc", ruid, sizeof(ruid));
	if (copy_strings(c, ci, ksr_str_make(ruid, n)) < 0) {
		free(c);
		return NULL;
	}
	set_values(c, ci);
	c->domain = r->domain->name_s;
	c->aor = r->aor;
	c->last_keepalive = ci->last_modified ? ci->last_modified : time(NULL);
	return c;
}

int usrloc_insert_contact(struct ul_record *r, const struct ul_contact_info *ci,
                          struct ul_contact **ret)
{
	struct ul_contact *c = contact_new(r, ci);
	int e;

	if (!c)
		return -ENOMEM;
	/* the database first: a contact it refused is not bound */
	if (usrloc_store && usrloc_store->insert && (e = usrloc_store->insert(r, c)) < 0) {
		contact_free(c);
		return e;
	}
	link_contact(r, c);
	stat_add(r->domain->st_contacts, 1);
	run_callbacks(UL_CONTACT_INSERT, r, c);
	if (ret)
		*ret = c;
	return 0;
}

int usrloc_contact_add_mem(struct ul_record *r, const struct ul_contact_info *ci,
                           unsigned int db_state)
{
	struct ul_contact *c = contact_new(r, ci);

	if (!c)
		return -ENOMEM;
	c->db_state = db_state;
	link_contact(r, c);
	stat_add(r->domain->st_contacts, 1);
	return 0;
}

int usrloc_update_contact(struct ul_record *r, struct ul_contact *c,
                          const struct ul_contact_info *ci)
{
	struct ul_contact tmp = {0};
	struct ksr_str *nf[NSTR], *of[NSTR];
	int old_q = c->q, e;

	if (copy_strings(&tmp, ci, c->ruid) < 0)
		return -ENOMEM;
	str_fields(&tmp, nf);
	/* the database first, with the contact as it is to be: a refusal changes nothing */
	if (usrloc_store && usrloc_store->update) {
		set_values(&tmp, ci);
		tmp.domain = c->domain;
		tmp.aor = c->aor;
		tmp.last_keepalive = c->last_keepalive;
		tmp.db_state = c->db_state;
		if ((e = usrloc_store->update(r, &tmp)) < 0) {
			for (int i = 0; i < NSTR; i++)
				free(nf[i]->s);
			return e;
		}
		c->db_state = tmp.db_state;
	}
	str_fields(c, of);
	for (int i = 0; i < NSTR; i++) {
		free(of[i]->s);
		*of[i] = *nf[i];
	}
	set_values(c, ci);
	/* the newest first, or its new q's place */
	if (usrloc_desc_time_order || old_q != c->q) {
		unlink_contact(r, c);
		link_contact(r, c);
	}
	run_callbacks(UL_CONTACT_UPDATE, r, c);
	return 0;
}

/* c out of r and freed, memory only. */
static void drop_contact(struct ul_record *r, struct ul_contact *c)
{
	unlink_contact(r, c);
	stat_add(r->domain->st_contacts, -1);
	contact_free(c);
}

int usrloc_delete_contact(struct ul_record *r, struct ul_contact *c)
{
	int e;

	/* a database that refuses keeps the contact, in memory too */
	if (usrloc_store && usrloc_store->remove && (e = usrloc_store->remove(r, c, false)) < 0)
		return e;
	run_callbacks(UL_CONTACT_DELETE, r, c);
	drop_contact(r, c);
	return 0;
}

/* --- expiry --- */

static unsigned int expire_slot(struct ul_domain *d, struct ul_slot *s, time_t now)
{
	struct ul_record *r, *rnext;
	unsigned int n = 0;

	pthread_mutex_lock(&s->lock);
	for (r = s->first; r; r = rnext) {
		struct ul_contact *c, *cnext;

		rnext = r->next;
		for (c = r->contacts; c; c = cnext) {
			cnext = c->next;
			if (ul_contact_valid(c, now))
				continue;
			LM_DBG("contact <%.*s> of <%.*s> expired\n", KSR_STR_FMT(c->c),
			       KSR_STR_FMT(r->aor));
			run_callbacks(UL_CONTACT_EXPIRE, r, c);
			/* a callback may have touched the list: find c's neighbour again */
			cnext = c->next;
			if (usrloc_store && usrloc_store->remove)
				usrloc_store->remove(r, c, true);
			drop_contact(r, c);
			stat_add(d->st_expires, 1);
			n++;
		}
		if (!r->contacts) {
			rnext = r->next;
			record_free(r);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

unsigned int usrloc_expire(time_t now)
{
	unsigned int n = 0;

	for (struct ul_domain *d = usrloc_domains(); d; d = d->next)
		for (unsigned int i = 0; i < d->size; i++)
			n += expire_slot(d, &d->slots[i], now);
	return n;
}

/* --- the API --- */

static int foreach_in(struct ul_domain *d,
                      int (*fn)(struct ul_record *r, struct ul_contact *c, void *arg), void *arg)
{
	for (unsigned int i = 0; i < d->size; i++) {
		struct ul_slot *s = &d->slots[i];
		int r = 0;

		pthread_mutex_lock(&s->lock);
		for (struct ul_record *rec = s->first; rec && !r; rec = rec->next)
			for (struct ul_contact *c = rec->contacts; c && !r; c = c->next)
				r = fn(rec, c, arg);
		pthread_mutex_unlock(&s->lock);
		if (r)
			return r;
	}
	return 0;
}

int usrloc_foreach_contact(struct ul_domain *d,
                           int (*fn)(struct ul_record *r, struct ul_contact *c, void *arg),
                           void *arg)
{
	int r = 0;

	if (d)
		return foreach_in(d, fn, arg);
	for (d = usrloc_domains(); d && !r; d = d->next)
		r = foreach_in(d, fn, arg);
	return r;
}

size_t usrloc_socket_str(const struct ksr_listener *l, char *buf, size_t size)
{
	bool v6 = strchr(l->host, ':') != NULL;
	int n = snprintf(buf, size, "%s:%s%s%s:%u", l->proto == IPPROTO_TCP ? "tcp" : "udp",
	                 v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static struct ksr_str domain_name(const struct ul_domain *d)
{
	return d->name_s;
}

const struct usrloc_api usrloc_api = {
        .use_domain = &usrloc_use_domain,
        .nat_bflag = &usrloc_nat_bflag,
        .register_domain = usrloc_register_domain,
        .find_domain = usrloc_find_domain,
        .domain_name = domain_name,
        .lock = usrloc_lock,
        .unlock = usrloc_unlock,
        .get_record = usrloc_get_record,
        .insert_record = usrloc_insert_record,
        .delete_record = usrloc_delete_record,
        .release_record = usrloc_release_record,
        .get_contact = usrloc_get_contact,
        .get_contact_by_instance = usrloc_get_contact_by_instance,
        .get_contact_by_ruid = usrloc_get_contact_by_ruid,
        .insert_contact = usrloc_insert_contact,
        .update_contact = usrloc_update_contact,
        .delete_contact = usrloc_delete_contact,
        .foreach_contact = usrloc_foreach_contact,
        .register_callback = usrloc_register_callback,
        .aor_hash = usrloc_aor_hash,
        .socket_str = usrloc_socket_str,
};
