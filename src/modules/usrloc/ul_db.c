/*
 * usrloc's database layer: the rows of the location tables (one database table per
 * usrloc table, "location") through srdb, whatever the driver.
 *
 *   db_mode 1  write-through: every change is written before memory takes it; a change
 *              the database refuses is refused (registrar answers 500)
 *   db_mode 2  write-back: changes are marked and the timer writes them, every
 *              timer_interval seconds and at shutdown
 *   db_mode 3  database only: as 1, and a record is read from the database again before
 *              each use (servers sharing the database see each other's bindings);
 *              the timer deletes expired rows
 *   db_mode 4  read at start only, never written
 * Modes 1, 2 and 4 load the tables at start (db_load).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/net/listener.h"
#include "lib/srdb/db.h"
#include "usrloc.h"

int usrloc_db_mode;
char *usrloc_db_url = "mysql://kamailio:kamailiorw@localhost/kamailio";
int usrloc_db_tuning[16] = {
        [0] = 1, /* db_load */
        [5] = 1, /* db_ops_ruid */
        [13] = 1, /* version_table */
};
#define DB_LOAD usrloc_db_tuning[0]
#define DB_INSERT_UPDATE usrloc_db_tuning[1]
#define DB_UPDATE_AS_INSERT usrloc_db_tuning[3]
#define DB_CHECK_UPDATE usrloc_db_tuning[4]
#define DB_OPS_RUID usrloc_db_tuning[5]
#define DB_TIMER_CLEAN usrloc_db_tuning[10]
#define VERSION_TABLE usrloc_db_tuning[13]

/* The location table's version this code reads and writes (utils/db/schema). */
#define LOCATION_VERSION 9

enum col {
	C_USER, C_DOMAIN, C_CONTACT, C_EXPIRES, C_Q, C_CALLID, C_CSEQ, C_METHODS, C_FLAGS,
	C_CFLAGS, C_UA, C_RECEIVED, C_SOCKET, C_PATH, C_RUID, C_INSTANCE, C_REGID, C_SERVERID,
	C_CONNID, C_KEEPALIVE, C_PARTITION, C_LASTMOD,
};

char *usrloc_cols[UL_NCOLS] = {
        "username", "domain",     "contact",       "expires",   "q",
        "callid",   "cseq",       "methods",       "flags",     "cflags",
        "user_agent", "received", "socket",        "path",      "ruid",
        "instance", "reg_id",     "server_id",     "connection_id", "keepalive",
        "partition", "last_modified",
};

static struct ksr_db_funcs dbf;
static bool bound;

static struct ksr_str col(enum col i)
{
	return ksr_str_make(usrloc_cols[i], strlen(usrloc_cols[i]));
}

/* --- connections: one per thread, closed by usrloc_db_destroy() --- */

struct con_slot {
	struct ksr_db_con *con;
	struct con_slot *next;
};

static pthread_mutex_t cons_lock = PTHREAD_MUTEX_INITIALIZER;
static struct con_slot *cons;
static _Thread_local struct ksr_db_con *thread_con;

/* This thread's connection, opened when it has none; NULL (logged) when that fails. */
static struct ksr_db_con *thread_connect(void)
{
	struct con_slot *slot;
	struct ksr_db_con *con;

	if (thread_con)
		return thread_con;
	if (!(slot = malloc(sizeof(*slot))))
		return NULL;
	/* the driver logs why; the next call tries again */
	if (dbf.init(usrloc_db_url, &con) < 0) {
		free(slot);
		LM_ERR("cannot connect to the database of db_url\n");
		return NULL;
	}
	slot->con = con;
	pthread_mutex_lock(&cons_lock);
	slot->next = cons;
	cons = slot;
	pthread_mutex_unlock(&cons_lock);
	thread_con = con;
	return con;
}

/* This thread's connection with table d's name in use; NULL (logged) when none. */
static struct ksr_db_con *con_for(struct ksr_str table)
{
	struct ksr_db_con *con = thread_connect();

	return con && dbf.use_table(con, &table) == 0 ? con : NULL;
}

void usrloc_db_child_init(void)
{
	/* a worker connects before its first REGISTER; when it cannot, the first change
	 * tries again (and fails with 500 until the database is there) */
	if (usrloc_store && usrloc_store->insert)
		thread_connect();
}

/* --- rows --- */

/* The columns and values of one contact's row; the buffers its values point into. */
struct row {
	struct ksr_str keys[UL_NCOLS];
	struct ksr_db_val vals[UL_NCOLS];
	int n;
	char sock[128];
};

static void put(struct row *w, enum col c, struct ksr_db_val v)
{
	w->keys[w->n] = col(c);
	w->vals[w->n++] = v;
}

/* A string that may be absent: NULL when empty, as upstream writes it. */
static struct ksr_db_val opt_str(struct ksr_str s)
{
	return s.len ? ksr_db_str(s) : ksr_db_null(KSR_DB_STR);
}

/* aor into user and domain: with use_domain "user@domain" (no '@': domain NULL). */
static void split_aor(struct ksr_str aor, struct ksr_str *user, struct ksr_str *domain)
{
	const char *at = usrloc_use_domain ? memchr(aor.s, '@', aor.len) : NULL;

	*user = aor;
	*domain = (struct ksr_str){0};
	if (at) {
		user->len = (size_t)(at - aor.s);
		*domain = ksr_str_make((char *)at + 1, aor.len - user->len - 1);
	}
}

static void put_account(struct row *w, struct ksr_str aor)
{
	struct ksr_str user, domain;

	split_aor(aor, &user, &domain);
	put(w, C_USER, ksr_db_str(user));
	if (usrloc_use_domain)
		put(w, C_DOMAIN, opt_str(domain));
}

/* Every column of c's row. */
static void row_of(struct row *w, const struct ul_record *r, const struct ul_contact *c)
{
	w->n = 0;
	put_account(w, r->aor);
	put(w, C_CONTACT, ksr_db_str(c->c));
	put(w, C_EXPIRES, ksr_db_datetime(c->expires));
	/* q as upstream writes it: q/1000, unset being -1 (-0.001) */
	put(w, C_Q, ksr_db_double((double)c->q / 1000.0));
	put(w, C_CALLID, ksr_db_str(c->callid));
	put(w, C_CSEQ, ksr_db_int((int)c->cseq));
	put(w, C_METHODS, c->methods == UL_ALL_METHODS ? ksr_db_null(KSR_DB_INT)
	                                               : ksr_db_int((int)c->methods));
	put(w, C_FLAGS, ksr_db_int((int)c->flags));
	put(w, C_CFLAGS, ksr_db_int((int)c->cflags));
	put(w, C_UA, ksr_db_str(c->user_agent));
	put(w, C_RECEIVED, opt_str(c->received));
	if (c->sock)
		put(w, C_SOCKET, ksr_db_str(ksr_str_make(
		                         w->sock, usrloc_socket_str(c->sock, w->sock, sizeof(w->sock)))));
	else
		put(w, C_SOCKET, ksr_db_null(KSR_DB_STR));
	put(w, C_PATH, opt_str(c->path));
	put(w, C_RUID, ksr_db_str(c->ruid));
	put(w, C_INSTANCE, opt_str(c->instance));
	put(w, C_REGID, ksr_db_int((int)c->reg_id));
	put(w, C_SERVERID, ksr_db_int(c->server_id));
	put(w, C_CONNID, ksr_db_int((int)c->tcpconn_id));
	put(w, C_KEEPALIVE, ksr_db_int(c->keepalive));
	put(w, C_PARTITION, ksr_db_int(0));
	put(w, C_LASTMOD, ksr_db_datetime(c->last_modified));
}

/* The WHERE of c's row: its ruid, or (db_ops_ruid 0) account, contact and Call-ID. */
static void key_of(struct row *w, const struct ul_record *r, const struct ul_contact *c)
{
	w->n = 0;
	if (DB_OPS_RUID) {
		put(w, C_RUID, ksr_db_str(c->ruid));
		return;
	}
	put_account(w, r->aor);
	put(w, C_CONTACT, ksr_db_str(c->c));
	put(w, C_CALLID, ksr_db_str(c->callid));
}

static int db_insert(const struct ul_record *r, const struct ul_contact *c);

static int db_update(const struct ul_record *r, const struct ul_contact *c)
{
	struct ksr_db_con *con;
	struct row k, w;
	int e;

	if (DB_UPDATE_AS_INSERT)
		return db_insert(r, c);
	if (!(con = con_for(r->domain->name_s)))
		return -ENOTCONN;
	key_of(&k, r, c);
	row_of(&w, r, c);
	if ((e = dbf.update(con, k.keys, NULL, k.vals, w.keys, w.vals, k.n, w.n)) < 0)
		return e;
	/* a row someone deleted behind us (db_check_update, or a write-back flush) */
	if ((DB_CHECK_UPDATE || usrloc_db_mode == UL_DB_WRITE_BACK) &&
	    ksr_db_has_caps(&dbf, KSR_DB_CAP_AFFECTED_ROWS) && dbf.affected_rows(con) == 0)
		return db_insert(r, c);
	return 0;
}

static int db_insert(const struct ul_record *r, const struct ul_contact *c)
{
	struct ksr_db_con *con = con_for(r->domain->name_s);
	struct row w;
	int e;

	if (!con)
		return -ENOTCONN;
	row_of(&w, r, c);
	e = dbf.insert(con, w.keys, w.vals, w.n);
	if (e == -EEXIST && (DB_INSERT_UPDATE || usrloc_db_mode == UL_DB_WRITE_BACK) &&
	    !DB_UPDATE_AS_INSERT)
		return db_update(r, c);
	return e < 0 ? e : 0;
}

static int db_delete(const struct ul_record *r, const struct ul_contact *c)
{
	struct ksr_db_con *con = con_for(r->domain->name_s);
	struct row k;
	int e;

	if (!con)
		return -ENOTCONN;
	key_of(&k, r, c);
	e = dbf.delete(con, k.keys, NULL, k.vals, k.n);
	return e < 0 ? e : 0;
}

/* --- the store: write-through (1, 3) --- */

static int wt_insert(const struct ul_record *r, struct ul_contact *c)
{
	int e;

	if (c->flags & UL_FL_MEM)
		return 0;
	if ((e = db_insert(r, c)) < 0) {
		LM_ERR("contact <%.*s> of <%.*s>: not written to the database: %s\n",
		       KSR_STR_FMT(c->c), KSR_STR_FMT(r->aor), strerror(-e));
		return e;
	}
	c->db_state = UL_CS_SYNC;
	return 0;
}

static int wt_update(const struct ul_record *r, struct ul_contact *c)
{
	int e;

	if (c->flags & UL_FL_MEM)
		return 0;
	if ((e = db_update(r, c)) < 0) {
		LM_ERR("contact <%.*s> of <%.*s>: not updated in the database: %s\n",
		       KSR_STR_FMT(c->c), KSR_STR_FMT(r->aor), strerror(-e));
		return e;
	}
	c->db_state = UL_CS_SYNC;
	return 0;
}

static int wt_remove(const struct ul_record *r, const struct ul_contact *c, bool forced)
{
	int e;

	if (c->flags & UL_FL_MEM)
		return 0;
	if ((e = db_delete(r, c)) < 0) {
		LM_ERR("contact <%.*s> of <%.*s>: not deleted from the database: %s%s\n",
		       KSR_STR_FMT(c->c), KSR_STR_FMT(r->aor), strerror(-e),
		       forced ? " (expired: gone from memory anyway)" : "");
		return e;
	}
	return 0;
}

/* --- the store: write-back (2) --- */

/* Rows to delete at the next flush: a copy of what their WHERE needs. */
struct pending {
	struct ul_domain *d;
	struct ksr_str aor, c, callid, ruid;
	struct pending *next;
};

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending *pending;

static int wb_insert(const struct ul_record *r, struct ul_contact *c)
{
	c->db_state = UL_CS_NEW;
	return 0;
}

static int wb_update(const struct ul_record *r, struct ul_contact *c)
{
	/* never written: still a new row */
	if (c->db_state == UL_CS_SYNC)
		c->db_state = UL_CS_DIRTY;
	return 0;
}

static char *dup_bytes(struct ksr_str s, char **p)
{
	char *d = *p;

	memcpy(d, s.s, s.len);
	d[s.len] = '\0';
	*p += s.len + 1;
	return d;
}

static int wb_remove(const struct ul_record *r, const struct ul_contact *c, bool forced)
{
	struct pending *pd;
	char *p;

	/* a row never written has nothing to delete */
	if ((c->flags & UL_FL_MEM) || c->db_state == UL_CS_NEW)
		return 0;
	pd = malloc(sizeof(*pd) + r->aor.len + c->c.len + c->callid.len + c->ruid.len + 4);
	if (!pd)
		return forced ? 0 : -ENOMEM;
	p = (char *)(pd + 1);
	pd->d = r->domain;
	pd->aor = ksr_str_make(dup_bytes(r->aor, &p), r->aor.len);
	pd->c = ksr_str_make(dup_bytes(c->c, &p), c->c.len);
	pd->callid = ksr_str_make(dup_bytes(c->callid, &p), c->callid.len);
	pd->ruid = ksr_str_make(dup_bytes(c->ruid, &p), c->ruid.len);
	pthread_mutex_lock(&pending_lock);
	pd->next = pending;
	pending = pd;
	pthread_mutex_unlock(&pending_lock);
	return 0;
}

/* The contact a pending delete stands for, enough of it for key_of(). */
static int flush_deletes(void)
{
	struct pending *list, *pd, *keep = NULL;
	int rc = 0;

	pthread_mutex_lock(&pending_lock);
	list = pending;
	pending = NULL;
	pthread_mutex_unlock(&pending_lock);
	while ((pd = list)) {
		struct ul_record r = {.aor = pd->aor, .domain = pd->d};
		struct ul_contact c = {.c = pd->c, .callid = pd->callid, .ruid = pd->ruid};
		int e;

		list = pd->next;
		if ((e = db_delete(&r, &c)) < 0) {
			rc = e;
			pd->next = keep; /* tried again at the next flush */
			keep = pd;
		} else {
			free(pd);
		}
	}
	if (keep) {
		pthread_mutex_lock(&pending_lock);
		for (pd = keep; pd->next; pd = pd->next)
			;
		pd->next = pending;
		pending = keep;
		pthread_mutex_unlock(&pending_lock);
	}
	return rc;
}

static int flush_slot(struct ul_slot *s)
{
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	for (struct ul_record *r = s->first; r; r = r->next) {
		for (struct ul_contact *c = r->contacts; c; c = c->next) {
			int e = 0;

			if ((c->flags & UL_FL_MEM) || c->db_state == UL_CS_SYNC)
				continue;
			e = c->db_state == UL_CS_NEW ? db_insert(r, c) : db_update(r, c);
			if (e < 0) {
				rc = e;
				if (e == -ENOTCONN) /* the rest would fail too: next time */
					goto out;
				continue;
			}
			c->db_state = UL_CS_SYNC;
		}
	}
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int usrloc_db_flush(void)
{
	int rc;

	if (usrloc_db_mode != UL_DB_WRITE_BACK || !bound)
		return 0;
	/* deletes first: a binding removed and made again has a new ruid, never the same row */
	rc = flush_deletes();
	for (struct ul_domain *d = usrloc_domains(); d; d = d->next) {
		for (unsigned int i = 0; i < d->size; i++) {
			int e = flush_slot(&d->slots[i]);

			if (e < 0) {
				rc = e;
				if (e == -ENOTCONN)
					break;
			}
		}
	}
	if (rc < 0)
		LM_ERR("write-back: some contacts are not in the database yet (%s): the next "
		       "flush tries again\n",
		       strerror(-rc));
	return rc;
}

/* --- reading rows --- */

/* Column i of a row as text ("" for NULL). */
static struct ksr_str val_str(const struct ksr_db_val *v)
{
	if (v->nul || (v->type != KSR_DB_STR && v->type != KSR_DB_STRING && v->type != KSR_DB_BLOB))
		return (struct ksr_str){.s = "", .len = 0};
	if (v->type == KSR_DB_STRING)
		return ksr_str_make((char *)v->v.string, strlen(v->v.string));
	return v->v.str;
}

static long long val_int(const struct ksr_db_val *v, long long dflt)
{
	if (v->nul)
		return dflt;
	switch (v->type) {
	case KSR_DB_INT: return v->v.i;
	case KSR_DB_BIGINT: return v->v.ll;
	case KSR_DB_DOUBLE: return (long long)v->v.d;
	case KSR_DB_DATETIME: return (long long)v->v.t;
	case KSR_DB_STR: return strtoll(v->v.str.s, NULL, 10);
	default: return dflt;
	}
}

static double val_double(const struct ksr_db_val *v, double dflt)
{
	if (v->nul)
		return dflt;
	if (v->type == KSR_DB_DOUBLE)
		return v->v.d;
	if (v->type == KSR_DB_STR)
		return strtod(v->v.str.s, NULL);
	return (double)val_int(v, 0);
}

/* The columns load reads, in enum col order up to C_LASTMOD (domain: with use_domain). */
static int load_cols(struct ksr_str *cols)
{
	int n = 0;

	for (int i = 0; i < UL_NCOLS; i++)
		if (i != C_PARTITION)
			cols[n++] = col((enum col)i);
	return n;
}

/* Result column of enum col i (load_cols skipped the partition). */
static int rcol(enum col i)
{
	return i < C_PARTITION ? (int)i : (int)i - 1;
}

/*
 * The rows of res into table d, memory only (they are in the database already); rows past
 * their expiry at `now` are skipped. With only_aor, the rows all belong to that AoR.
 */
static int add_rows(struct ul_domain *d, const struct ksr_db_res *res, time_t now)
{
	int added = 0;

	for (int i = 0; i < res->nrows; i++) {
		const struct ksr_db_val *v = res->rows[i].values;
		struct ksr_str user = val_str(&v[rcol(C_USER)]), dom = val_str(&v[rcol(C_DOMAIN)]);
		struct ul_contact_info ci = {0};
		struct ul_record *r;
		char aorbuf[512], sockbuf[160];
		struct ksr_str aor = user, sock;
		double q;
		int e;

		ci.expires = (time_t)val_int(&v[rcol(C_EXPIRES)], 0);
		if (ci.expires != 0 && ci.expires <= now)
			continue;
		if (usrloc_use_domain && dom.len) {
			int n = snprintf(aorbuf, sizeof(aorbuf), "%.*s@%.*s", KSR_STR_FMT(user),
			                 KSR_STR_FMT(dom));

			if (n < 0 || (size_t)n >= sizeof(aorbuf)) {
				LM_WARN("location row with an AoR too long: skipped\n");
				continue;
			}
			aor = ksr_str_make(aorbuf, (size_t)n);
		}
		ci.c = val_str(&v[rcol(C_CONTACT)]);
		ci.ruid = val_str(&v[rcol(C_RUID)]);
		if (!aor.len || !ci.c.len || !ci.ruid.len) {
			LM_WARN("location row without username, contact or ruid: skipped\n");
			continue;
		}
		q = val_double(&v[rcol(C_Q)], -0.001);
		ci.q = (int)lround(q * 1000.0);
		if (ci.q < 0)
			ci.q = UL_Q_UNSET;
		else if (ci.q > 1000)
			ci.q = 1000;
		ci.callid = val_str(&v[rcol(C_CALLID)]);
		ci.cseq = (uint32_t)val_int(&v[rcol(C_CSEQ)], 1);
		ci.methods = (unsigned int)val_int(&v[rcol(C_METHODS)], (long long)UL_ALL_METHODS);
		ci.flags = (unsigned int)val_int(&v[rcol(C_FLAGS)], 0);
		ci.cflags = (unsigned int)val_int(&v[rcol(C_CFLAGS)], 0);
		ci.user_agent = val_str(&v[rcol(C_UA)]);
		ci.received = val_str(&v[rcol(C_RECEIVED)]);
		ci.path = val_str(&v[rcol(C_PATH)]);
		ci.instance = val_str(&v[rcol(C_INSTANCE)]);
		ci.reg_id = (unsigned int)val_int(&v[rcol(C_REGID)], 0);
		ci.server_id = (int)val_int(&v[rcol(C_SERVERID)], 0);
		ci.tcpconn_id = -1; /* a connection of an earlier run means nothing now */
		ci.last_modified = (time_t)val_int(&v[rcol(C_LASTMOD)], 0);
		sock = val_str(&v[rcol(C_SOCKET)]);
		if (sock.len && sock.len < sizeof(sockbuf)) {
			memcpy(sockbuf, sock.s, sock.len);
			sockbuf[sock.len] = '\0';
			/* a socket this instance does not listen on: none (sent as routing says) */
			ci.sock = ksr_listener_find(sockbuf);
		}
		usrloc_lock(d, aor);
		if (usrloc_find_record_mem(d, aor, &r) < 0 &&
		    (e = usrloc_insert_record(d, aor, &r)) < 0) {
			usrloc_unlock(d, aor);
			return e;
		}
		e = usrloc_contact_add_mem(r, &ci, UL_CS_SYNC);
		usrloc_unlock(d, aor);
		if (e < 0)
			return e;
		added++;
	}
	return added;
}

static int query_rows(struct ksr_db_con *con, const struct row *k, struct ksr_db_res **ret)
{
	struct ksr_str cols[UL_NCOLS];
	int ncols = load_cols(cols);

	return dbf.query(con, k ? k->keys : NULL, NULL, k ? k->vals : NULL, cols, k ? k->n : 0,
	                 ncols, NULL, ret);
}

/* Every row of table d into memory (start, db_mode 1, 2 and 4). */
static int load_domain(struct ksr_db_con *con, struct ul_domain *d)
{
	struct ksr_db_res *res = NULL;
	int e;

	if ((e = dbf.use_table(con, &d->name_s)) < 0)
		return e;
	if (VERSION_TABLE &&
	    (e = ksr_db_check_table_version(&dbf, con, &d->name_s, LOCATION_VERSION)) < 0)
		return e;
	if (usrloc_db_mode == UL_DB_ONLY || !DB_LOAD)
		return 0;
	if ((e = query_rows(con, NULL, &res)) < 0) {
		LM_ERR("table '%s': cannot read the contacts: %s\n", d->name, strerror(-e));
		return e;
	}
	e = add_rows(d, res, time(NULL));
	dbf.free_result(con, res);
	if (e >= 0)
		LM_INFO("table '%s': %d contacts loaded from the database\n", d->name, e);
	return e < 0 ? e : 0;
}

static int new_domain(struct ul_domain *d)
{
	struct ksr_db_con *con = con_for(d->name_s);

	return con ? load_domain(con, d) : -ENOTCONN;
}

/* db_mode 3: aor's record as the database has it now (slot locked). */
static int db_refresh(struct ul_domain *d, struct ksr_str aor)
{
	struct ksr_db_con *con = con_for(d->name_s);
	struct ksr_db_res *res = NULL;
	struct ul_record *r;
	struct row k = {0};
	int e;

	if (!con)
		return -ENOTCONN;
	put_account(&k, aor);
	if ((e = query_rows(con, &k, &res)) < 0) {
		LM_ERR("<%.*s>: cannot read its contacts: %s\n", KSR_STR_FMT(aor), strerror(-e));
		return e;
	}
	if (usrloc_find_record_mem(d, aor, &r) == 0)
		usrloc_record_drop_mem(r);
	e = add_rows(d, res, time(NULL));
	dbf.free_result(con, res);
	return e < 0 ? e : 0;
}

/* Rows expired by now (db_mode 3, db_timer_clean): permanent ones (expires 0) stay. */
static void delete_expired(time_t now)
{
	for (struct ul_domain *d = usrloc_domains(); d; d = d->next) {
		struct ksr_db_con *con = con_for(d->name_s);
		struct ksr_str keys[] = {col(C_EXPIRES), col(C_EXPIRES)};
		enum ksr_db_op ops[] = {KSR_DB_LT, KSR_DB_NE};
		struct ksr_db_val vals[] = {ksr_db_datetime(now), ksr_db_datetime(0)};
		int e;

		if (!con)
			return;
		if ((e = dbf.delete(con, keys, ops, vals, 2)) < 0)
			LM_ERR("table '%s': cannot delete the expired rows: %s\n", d->name,
			       strerror(-e));
	}
}

void usrloc_db_timer(time_t now)
{
	if (!bound)
		return;
	if (usrloc_db_mode == UL_DB_WRITE_BACK)
		usrloc_db_flush();
	if (usrloc_db_mode == UL_DB_ONLY ||
	    (DB_TIMER_CLEAN &&
	     (usrloc_db_mode == UL_DB_WRITE_THROUGH || usrloc_db_mode == UL_DB_WRITE_BACK)))
		delete_expired(now);
}

static const struct usrloc_store write_through = {
        .insert = wt_insert, .update = wt_update, .remove = wt_remove, .new_domain = new_domain};
static const struct usrloc_store write_back = {
        .insert = wb_insert, .update = wb_update, .remove = wb_remove, .new_domain = new_domain};
static const struct usrloc_store db_only = {.insert = wt_insert,
                                            .update = wt_update,
                                            .remove = wt_remove,
                                            .refresh = db_refresh,
                                            .new_domain = new_domain};

int usrloc_db_init(void)
{
	static const unsigned int need = KSR_DB_CAP_QUERY | KSR_DB_CAP_INSERT |
	                                 KSR_DB_CAP_UPDATE | KSR_DB_CAP_DELETE;
	struct ksr_db_con *con;
	int e = 0;

	if (usrloc_db_mode == UL_DB_NONE)
		return 0;
	/* a missing driver module is named in srdb's message */
	if ((e = ksr_db_bind(usrloc_db_url, &dbf)) < 0)
		return e;
	if (!ksr_db_has_caps(&dbf, need)) {
		LM_ERR("the database driver of db_url cannot query, insert, update and delete\n");
		return -EOPNOTSUPP;
	}
	bound = true;
	/* the main thread's connection: at start only, workers open their own */
	if (dbf.init(usrloc_db_url, &con) < 0) {
		LM_ERR("db_mode %d: cannot connect to the database of db_url\n", usrloc_db_mode);
		return -ENOTCONN;
	}
	for (struct ul_domain *d = usrloc_domains(); d && e >= 0; d = d->next)
		e = load_domain(con, d);
	dbf.close(con);
	if (e < 0)
		return e;
	switch (usrloc_db_mode) {
	case UL_DB_WRITE_THROUGH: usrloc_store = &write_through; break;
	case UL_DB_WRITE_BACK: usrloc_store = &write_back; break;
	case UL_DB_ONLY: usrloc_store = &db_only; break;
	default: usrloc_store = NULL; break; /* 4: read at start only */
	}
	return 0;
}

void usrloc_db_destroy(void)
{
	struct con_slot *slot, *next;
	struct pending *pd;

	/* write-back: what the timer has not written yet goes now, as upstream at shutdown */
	if (usrloc_db_mode == UL_DB_WRITE_BACK && bound && usrloc_db_flush() < 0)
		LM_ERR("write-back at shutdown failed: changes since the last flush are lost\n");
	usrloc_store = NULL;
	pthread_mutex_lock(&cons_lock);
	for (slot = cons; slot; slot = next) {
		next = slot->next;
		dbf.close(slot->con);
		free(slot);
	}
	cons = NULL;
	pthread_mutex_unlock(&cons_lock);
	thread_con = NULL;
	while ((pd = pending)) {
		pending = pd->next;
		free(pd);
	}
	bound = false;
}
