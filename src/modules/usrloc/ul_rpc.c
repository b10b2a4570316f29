/*
 * usrloc's RPC methods, with upstream's names, parameters and reply structure: ul.dump,
 * ul.lookup, ul.rm, ul.rm_contact, ul.add, ul.flush.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/msg/dset.h"
#include "core/net/listener.h"
#include "core/rpc/rpc.h"
#include "usrloc.h"

static const struct ksr_str not_set = KSR_STR_STATIC("[not set]");

static struct ksr_str or_not_set(struct ksr_str s)
{
	return s.len ? s : not_set;
}

/* q as upstream prints it ("0.8", "1", "-1"): a string, the RPC values have no floats. */
static struct ksr_str q_text(int q, char *buf)
{
	if (q == UL_Q_UNSET)
		return KSR_STR_STATIC("-1");
	return ksr_str_make(buf, ksr_q_print(q, buf));
}

static void add_contact(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *list,
                        const struct ul_contact *c, time_t now)
{
	struct ksr_rpc_val *o = ksr_rpc_add_struct(ctx, list, NULL), *s;
	char qb[8], sock[96];

	if (!o || !(s = ksr_rpc_add_struct(ctx, o, "Contact")))
		return;
	ksr_rpc_add_str(ctx, s, "Address", c->c);
	if (c->expires == 0)
		ksr_rpc_add_str(ctx, s, "Expires", KSR_STR_STATIC("permanent"));
	else if (c->expires <= now)
		ksr_rpc_add_str(ctx, s, "Expires", KSR_STR_STATIC("expired"));
	else
		ksr_rpc_add_int(ctx, s, "Expires", (long)(c->expires - now));
	ksr_rpc_add_str(ctx, s, "Q", q_text(c->q, qb));
	ksr_rpc_add_str(ctx, s, "Call-ID", c->callid);
	ksr_rpc_add_int(ctx, s, "CSeq", (long)c->cseq);
	ksr_rpc_add_str(ctx, s, "User-Agent", or_not_set(c->user_agent));
	ksr_rpc_add_str(ctx, s, "Received", or_not_set(c->received));
	ksr_rpc_add_str(ctx, s, "Path", or_not_set(c->path));
	/* the database state: always new without a database */
	ksr_rpc_add_str(ctx, s, "State",
	                c->db_state == UL_CS_SYNC    ? KSR_STR_STATIC("CS_SYNC")
	                : c->db_state == UL_CS_DIRTY ? KSR_STR_STATIC("CS_DIRTY")
	                                             : KSR_STR_STATIC("CS_NEW"));
	ksr_rpc_add_int(ctx, s, "Flags", (long)c->flags);
	ksr_rpc_add_int(ctx, s, "CFlags", (long)c->cflags);
	if (c->sock)
		ksr_rpc_add_str(ctx, s, "Socket",
		                ksr_str_make(sock, usrloc_socket_str(c->sock, sock, sizeof(sock))));
	else
		ksr_rpc_add_str(ctx, s, "Socket", not_set);
	ksr_rpc_add_int(ctx, s, "Methods", (long)c->methods);
	ksr_rpc_add_str(ctx, s, "Ruid", or_not_set(c->ruid));
	ksr_rpc_add_str(ctx, s, "Instance", or_not_set(c->instance));
	ksr_rpc_add_int(ctx, s, "Reg-Id", (long)c->reg_id);
	ksr_rpc_add_int(ctx, s, "Server-Id", c->server_id);
	ksr_rpc_add_int(ctx, s, "Tcpconn-Id", c->tcpconn_id);
	ksr_rpc_add_int(ctx, s, "Keepalive", c->keepalive);
	ksr_rpc_add_int(ctx, s, "Last-Keepalive", (long)c->last_keepalive);
	ksr_rpc_add_int(ctx, s, "KA-Roundtrip", 0);
	ksr_rpc_add_int(ctx, s, "Last-Modified", (long)c->last_modified);
}

static void add_contacts(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
                         const struct ul_record *r, time_t now)
{
	struct ksr_rpc_val *list = ksr_rpc_add_array(ctx, parent, "Contacts");

	for (const struct ul_contact *c = r->contacts; list && c; c = c->next)
		add_contact(ctx, list, c, now);
}

/* ul.dump [brief]: every table, record and contact. */
static void rpc_dump(struct ksr_rpc_ctx *ctx)
{
	struct ksr_rpc_val *top, *doms;
	struct ksr_str mode = KSR_STR_NULL;
	bool brief;
	time_t now = time(NULL);

	if (ksr_rpc_param_left(ctx) && ksr_rpc_param_str(ctx, &mode) < 0) {
		ksr_rpc_fault(ctx, 500, "Invalid parameter");
		return;
	}
	brief = ksr_str_caseeq_cstr(&mode, "brief");
	if (!(top = ksr_rpc_add_struct(ctx, NULL, NULL)) ||
	    !(doms = ksr_rpc_add_array(ctx, top, "Domains")))
		return;
	for (struct ul_domain *d = usrloc_domains(); d; d = d->next) {
		struct ksr_rpc_val *dw = ksr_rpc_add_struct(ctx, doms, NULL), *dv, *aors, *st;
		unsigned int records = 0, max = 0;

		if (!dw || !(dv = ksr_rpc_add_struct(ctx, dw, "Domain")))
			return;
		ksr_rpc_add_str(ctx, dv, "Domain", d->name_s);
		ksr_rpc_add_int(ctx, dv, "Size", (long)d->size);
		if (!(aors = ksr_rpc_add_array(ctx, dv, "AoRs")))
			return;
		for (unsigned int i = 0; i < d->size; i++) {
			struct ul_slot *s = &d->slots[i];

			pthread_mutex_lock(&s->lock);
			records += s->n;
			max = s->n > max ? s->n : max;
			for (struct ul_record *r = s->first; r; r = r->next) {
				struct ksr_rpc_val *a = ksr_rpc_add_struct(ctx, aors, NULL), *info;

				if (!a)
					break;
				if (brief) {
					ksr_rpc_add_str(ctx, a, "AoR", r->aor);
					continue;
				}
				if (!(info = ksr_rpc_add_struct(ctx, a, "Info")))
					break;
				ksr_rpc_add_str(ctx, info, "AoR", r->aor);
				ksr_rpc_add_int(ctx, info, "HashID", (long)r->aorhash);
				add_contacts(ctx, info, r, now);
			}
			pthread_mutex_unlock(&s->lock);
		}
		if ((st = ksr_rpc_add_struct(ctx, dv, "Stats"))) {
			ksr_rpc_add_int(ctx, st, "Records", (long)records);
			ksr_rpc_add_int(ctx, st, "Max-Slots", (long)max);
		}
	}
}

/*
 * The table and AoR parameters of a call. Without use_domain, "user@domain" means user,
 * as upstream. 0, or the call faulted.
 */
static int table_aor(struct ksr_rpc_ctx *ctx, struct ul_domain **ret_d, struct ksr_str *ret_aor)
{
	struct ksr_str table, aor;
	char *at;

	if (ksr_rpc_param_str(ctx, &table) < 0 || ksr_rpc_param_str(ctx, &aor) < 0) {
		ksr_rpc_fault(ctx, 500, "Not enough parameters (table and AOR to lookup)");
		return -EINVAL;
	}
	if (!(*ret_d = usrloc_find_domain(table))) {
		ksr_rpc_fault(ctx, 500, "Domain table not found");
		return -ENOENT;
	}
	if (!usrloc_use_domain && aor.len && (at = memchr(aor.s, '@', aor.len)))
		aor.len = (size_t)(at - aor.s);
	*ret_aor = aor;
	return 0;
}

/* ul.lookup table aor */
static void rpc_lookup(struct ksr_rpc_ctx *ctx)
{
	struct ul_domain *d;
	struct ul_record *r;
	struct ksr_rpc_val *top;
	struct ksr_str aor;

	if (table_aor(ctx, &d, &aor) < 0)
		return;
	usrloc_lock(d, aor);
	if (usrloc_get_record(d, aor, &r) < 0 || !r->contacts) {
		usrloc_unlock(d, aor);
		ksr_rpc_fault(ctx, 500, "AOR not found in location table");
		return;
	}
	if ((top = ksr_rpc_add_struct(ctx, NULL, NULL))) {
		ksr_rpc_add_str(ctx, top, "AoR", r->aor);
		add_contacts(ctx, top, r, time(NULL));
	}
	usrloc_unlock(d, aor);
}

/* What succeeded without a value: upstream's empty result ({} over JSON). */
static void ok(struct ksr_rpc_ctx *ctx)
{
	ksr_rpc_add_struct(ctx, NULL, NULL);
}

/* ul.rm table aor: the record and its contacts (none there is no error). */
static void rpc_rm(struct ksr_rpc_ctx *ctx)
{
	struct ul_domain *d;
	struct ksr_str aor;
	int e;

	if (table_aor(ctx, &d, &aor) < 0)
		return;
	usrloc_lock(d, aor);
	e = usrloc_delete_record(d, aor);
	usrloc_unlock(d, aor);
	if (e < 0 && e != -ENOENT) {
		ksr_rpc_fault(ctx, 500, "Failed to delete AOR: %s", strerror(-e));
		return;
	}
	ok(ctx);
}

/* ul.rm_contact table aor contact: the contact with exactly that URI. */
static void rpc_rm_contact(struct ksr_rpc_ctx *ctx)
{
	struct ul_domain *d;
	struct ul_record *r;
	struct ul_contact *c;
	struct ksr_str aor, uri;
	int e;

	if (table_aor(ctx, &d, &aor) < 0)
		return;
	if (ksr_rpc_param_str(ctx, &uri) < 0) {
		ksr_rpc_fault(ctx, 500, "Not enough parameters (table, AOR and contact)");
		return;
	}
	usrloc_lock(d, aor);
	if (usrloc_get_record(d, aor, &r) < 0) {
		usrloc_unlock(d, aor);
		ksr_rpc_fault(ctx, 404, "AOR not found");
		return;
	}
	if (usrloc_find_contact_uri(r, uri, &c) < 0) {
		usrloc_unlock(d, aor);
		ksr_rpc_fault(ctx, 404, "Contact not found");
		return;
	}
	e = usrloc_delete_contact(r, c);
	usrloc_release_record(r);
	usrloc_unlock(d, aor);
	if (e < 0) {
		ksr_rpc_fault(ctx, 500, "Failed to delete the contact: %s", strerror(-e));
		return;
	}
	ok(ctx);
}

/* An optional text parameter where "0" and "." mean none. */
static int opt_text(struct ksr_rpc_ctx *ctx, struct ksr_str *ret)
{
	struct ksr_str s = KSR_STR_NULL;

	if (ksr_rpc_param_left(ctx) && ksr_rpc_param_str(ctx, &s) < 0)
		return -EINVAL;
	if ((s.len == 1 && (s.s[0] == '0' || s.s[0] == '.')))
		s = KSR_STR_NULL;
	*ret = s;
	return 0;
}

/*
 * ul.add table aor contact expires q path flags cflags methods [received [socket]]: a
 * binding made by hand, with the Call-ID and User-Agent upstream gives such contacts.
 */
static void rpc_add(struct ksr_rpc_ctx *ctx)
{
	struct ul_contact_info ci = {
	        .callid = KSR_STR_STATIC("dfjrewr12386fd6-343@kamailio.rpc"),
	        .user_agent = KSR_STR_STATIC("kamailio SIP Router - RPC Server"),
	        .cseq = 1,
	        .tcpconn_id = -1,
	};
	struct ul_domain *d;
	struct ul_record *r;
	struct ul_contact *c;
	struct ksr_str aor, qs, sock = KSR_STR_NULL;
	long expires, flags, cflags, methods;
	char ruid[64], spec[128];
	int e;

	if (table_aor(ctx, &d, &aor) < 0)
		return;
	if (ksr_rpc_param_str(ctx, &ci.c) < 0 || ksr_rpc_param_int(ctx, &expires) < 0 ||
	    ksr_rpc_param_str(ctx, &qs) < 0 || opt_text(ctx, &ci.path) < 0 ||
	    ksr_rpc_param_int(ctx, &flags) < 0 || ksr_rpc_param_int(ctx, &cflags) < 0 ||
	    ksr_rpc_param_int(ctx, &methods) < 0 || opt_text(ctx, &ci.received) < 0 ||
	    opt_text(ctx, &sock) < 0) {
		ksr_rpc_fault(ctx, 500, "Not enough parameters or wrong format");
		return;
	}
	if (!ci.c.len || expires < 0 || ksr_q_parse(qs, &ci.q) < 0) {
		ksr_rpc_fault(ctx, 500, "Invalid contact, expires or q");
		return;
	}
	if (sock.len) {
		if (sock.len >= sizeof(spec)) {
			ksr_rpc_fault(ctx, 500, "Invalid socket");
			return;
		}
		memcpy(spec, sock.s, sock.len);
		spec[sock.len] = '\0';
		if (!(ci.sock = ksr_listener_find(spec))) {
			ksr_rpc_fault(ctx, 500, "Socket not found");
			return;
		}
	}
	ci.expires = expires ? time(NULL) + expires : 0;
	ci.flags = (unsigned int)flags;
	ci.cflags = (unsigned int)cflags;
	ci.methods = (unsigned int)methods;
	ci.ruid = ksr_str_make(ruid, usrloc_new_ruid("ulcx", ruid, sizeof(ruid)));
	usrloc_lock(d, aor);
	e = usrloc_get_record(d, aor, &r);
	if (e == -ENOENT)
		e = usrloc_insert_record(d, aor, &r);
	if (e == 0) {
		if (usrloc_find_contact_uri(r, ci.c, &c) == 0) {
			ci.ruid = c->ruid;
			e = usrloc_update_contact(r, c, &ci);
		} else {
			e = usrloc_insert_contact(r, &ci, NULL);
		}
		usrloc_release_record(r);
	}
	usrloc_unlock(d, aor);
	if (e < 0) {
		ksr_rpc_fault(ctx, 500, "Failed to insert the contact: %s", strerror(-e));
		return;
	}
	ok(ctx);
}

/* ul.flush: the changes the write-back timer has not written yet go now (db_mode 2). */
static void rpc_flush(struct ksr_rpc_ctx *ctx)
{
	int e = usrloc_db_flush();

	if (e < 0) {
		ksr_rpc_fault(ctx, 500, "Flush failed: %s", strerror(-e));
		return;
	}
	ok(ctx);
}

const struct ksr_rpc_export usrloc_rpcs[] = {
        {"ul.dump", rpc_dump, "Dump the location tables (\"brief\": the AoRs only)."},
        {"ul.lookup", rpc_lookup, "The contacts of an AoR: table, AoR."},
        {"ul.rm", rpc_rm, "Delete an AoR and its contacts: table, AoR."},
        {"ul.rm_contact", rpc_rm_contact, "Delete one contact of an AoR: table, AoR, contact."},
        {"ul.add", rpc_add,
         "Add a contact: table, AoR, contact, expires, q, path, flags, cflags, methods"
         "[, received[, socket]]."},
        {"ul.flush", rpc_flush, "Write the changed contacts to the database now (db_mode 2)."},
        {0},
};
