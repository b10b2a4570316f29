/*
 * What usrloc offers other modules (ksr_api_bind("usrloc")): the location tables
 * ("domains", upstream's udomain_t), their records (one per address of record) and the
 * contacts bound to each, with the fields of upstream's `location` table.
 *
 * Locking: a record and its contacts belong to a slot of the domain's hash table. Take
 * the slot's lock with lock(domain, aor) before get_record() and keep it while using the
 * record or its contacts (pointers are valid only then); unlock(domain, aor) after. The
 * lock is recursive: a callback that runs with it held may call the API again.
 */
#ifndef KSR_MODULES_USRLOC_USRLOC_API_H
#define KSR_MODULES_USRLOC_USRLOC_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/str.h"

struct ksr_listener;
struct ul_domain; /* opaque: a location table ("location") */

/* q of a contact that did not give one (upstream's Q_UNSPECIFIED); others are 0..1000. */
#define UL_Q_UNSET (-1)
/* The methods of a contact that announced none (upstream's ALL_METHODS). */
#define UL_ALL_METHODS 0xffffffffu

/* Contact flags (the `flags` column). */
enum ul_flags {
	UL_FL_MEM = 1 << 0, /* kept in memory only, never written to a database */
};

/* A contact against its database row (ul.dump's State). */
enum ul_db_state {
	UL_CS_NEW = 0, /* not written (db_mode 0: always) */
	UL_CS_SYNC,    /* the row says what memory says */
	UL_CS_DIRTY,   /* changed since written (db_mode 2, until the timer) */
};

/* One binding of an address of record: the columns of upstream's `location` table. */
struct ul_contact {
	struct ksr_str domain;   /* the table's name (not a copy: the domain's) */
	struct ksr_str aor;      /* the record's (not a copy) */
	struct ksr_str c;        /* the contact URI */
	struct ksr_str ruid;     /* unique id of the binding */
	struct ksr_str received; /* source address as a SIP URI; empty when none */
	struct ksr_str path;     /* the Path vector of the REGISTER; empty when none */
	time_t expires;          /* absolute (wall clock); 0: permanent */
	int q;                   /* 0..1000, or UL_Q_UNSET */
	struct ksr_str callid;
	uint32_t cseq;
	unsigned int flags;  /* enum ul_flags */
	unsigned int cflags; /* branch flags restored by lookup() */
	struct ksr_str user_agent;
	struct ksr_listener *sock; /* where the REGISTER came in; NULL: none */
	time_t last_modified;
	unsigned int methods;    /* enum ksr_method bits; UL_ALL_METHODS when unknown */
	struct ksr_str instance; /* +sip.instance (RFC 5626), as written; empty when none */
	unsigned int reg_id;     /* reg-id (RFC 5626); 0 when none */
	int server_id;
	long tcpconn_id; /* -1: none */
	int keepalive;
	time_t last_keepalive;
	unsigned int db_state; /* enum ul_db_state: how the database row stands */
	struct ul_contact *prev, *next; /* in the record: by q (desc_time_order: newest first) */
};

/* Everything bound to one address of record. */
struct ul_record {
	struct ksr_str aor;
	unsigned int aorhash;
	struct ul_domain *domain;
	struct ul_contact *contacts;
	struct ul_record *prev, *next; /* in its slot */
};

/* What a contact is inserted or updated with (upstream's ucontact_info_t). */
struct ul_contact_info {
	struct ksr_str c;    /* the contact URI */
	struct ksr_str ruid; /* empty: a new one is made on insert, kept on update */
	struct ksr_str received, path, callid, user_agent, instance;
	time_t expires; /* absolute; 0: permanent */
	int q;
	uint32_t cseq;
	unsigned int flags, cflags, methods, reg_id;
	struct ksr_listener *sock;
	time_t last_modified;
	int server_id;
	long tcpconn_id;
};

/* Events a module can be called for (register_callback). */
enum ul_cb_type {
	UL_CONTACT_INSERT = 1 << 0,
	UL_CONTACT_UPDATE = 1 << 1,
	UL_CONTACT_DELETE = 1 << 2,
	UL_CONTACT_EXPIRE = 1 << 3, /* the timer found it expired; it is deleted right after */
};

/* Called with the contact's slot locked; c and its record are valid during the call. */
typedef void (*ul_cb_fn)(struct ul_record *r, struct ul_contact *c, enum ul_cb_type type,
                         void *param);

/* Whether c is still bound at time now. */
static inline bool ul_contact_valid(const struct ul_contact *c, time_t now)
{
	return c->expires == 0 || c->expires > now;
}

struct usrloc_api {
	/* modparams registrar reads: use_domain, nat_bflag (the branch flag's index, -1: none) */
	const int *use_domain;
	const int *nat_bflag;

	/*
	 * The table named name, created when it does not exist (registrar's fixups, preload).
	 * 0 or -errno.
	 */
	int (*register_domain)(const char *name, struct ul_domain **ret);
	/* The table named name, or NULL. */
	struct ul_domain *(*find_domain)(struct ksr_str name);
	struct ksr_str (*domain_name)(const struct ul_domain *d);

	/* The lock of aor's slot in d (recursive). */
	void (*lock)(struct ul_domain *d, struct ksr_str aor);
	void (*unlock)(struct ul_domain *d, struct ksr_str aor);

	/* Records (slot locked): 0, -ENOENT when there is none, -ENOMEM. */
	int (*get_record)(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret);
	int (*insert_record)(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret);
	/*
	 * The record and all its contacts: 0, -ENOENT, or the error of a database that kept a
	 * contact (db_mode 1 and 3; the record stays with those not deleted yet).
	 */
	int (*delete_record)(struct ul_domain *d, struct ksr_str aor);
	/* A record left without contacts goes (r is then gone). */
	void (*release_record)(struct ul_record *r);

	/*
	 * The contact of r matching uri (usrloc's matching_mode decides whether callid and
	 * path take part) for a REGISTER with callid and cseq: 0 found, -ENOENT none,
	 * -EALREADY a retransmission (same Call-ID and CSeq within cseq_delay seconds: do
	 * nothing), -EINVAL out of order (same Call-ID, lower CSeq, or an old retransmission).
	 */
	int (*get_contact)(struct ul_record *r, struct ksr_str uri, struct ksr_str callid,
	                   struct ksr_str path, uint32_t cseq, struct ul_contact **ret);
	/* The same, matching by ci->instance and ci->reg_id (RFC 5626) instead of the URI. */
	int (*get_contact_by_instance)(struct ul_record *r, const struct ul_contact_info *ci,
	                               struct ul_contact **ret);
	/* The contact of r with that ruid: 0 or -ENOENT. */
	int (*get_contact_by_ruid)(struct ul_record *r, struct ksr_str ruid,
	                           struct ul_contact **ret);
	/*
	 * Contacts (slot locked): 0 or -errno; the list stays ordered. With db_mode 1 or 3 the
	 * database is written first: when it fails (-ENOTCONN, -EIO, ...) memory is unchanged.
	 */
	int (*insert_contact)(struct ul_record *r, const struct ul_contact_info *ci,
	                      struct ul_contact **ret);
	int (*update_contact)(struct ul_record *r, struct ul_contact *c,
	                      const struct ul_contact_info *ci);
	int (*delete_contact)(struct ul_record *r, struct ul_contact *c);

	/*
	 * Call fn for each contact of table d (NULL: of every table), slot by slot with the
	 * slot locked (fn must not block); fn returns non-zero to stop, which is returned.
	 */
	int (*foreach_contact)(struct ul_domain *d,
	                       int (*fn)(struct ul_record *r, struct ul_contact *c, void *arg),
	                       void *arg);
	/* Be called for the events in types (a mask of enum ul_cb_type). From mod_init. */
	int (*register_callback)(unsigned int types, ul_cb_fn fn, void *param);
	/* The hash of an AoR, as records carry it (aorhash). */
	unsigned int (*aor_hash)(struct ksr_str aor);
	/* A socket as the location table writes it: "udp:127.0.0.1:5060"; its length. */
	size_t (*socket_str)(const struct ksr_listener *l, char *buf, size_t size);
};

#endif
