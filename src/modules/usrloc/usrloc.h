/*
 * usrloc inside: the tables (ul_table.c), what the module's parameters set (usrloc.c)
 * and the RPC methods (ul_rpc.c). Other modules use usrloc_api.h only.
 */
#ifndef KSR_MODULES_USRLOC_USRLOC_H
#define KSR_MODULES_USRLOC_USRLOC_H

#include <pthread.h>

#include "core/counters.h"
#include "core/rpc/rpc.h"
#include "usrloc_api.h"

/* --- modparams (defined in ul_table.c, set through usrloc.c's table) --- */
extern int usrloc_use_domain;
extern int usrloc_desc_time_order;
extern int usrloc_matching_mode; /* 0 contact, 1 contact+callid, 2 contact+path, 3 callid */
extern int usrloc_cseq_delay;    /* seconds */
extern int usrloc_hash_size;     /* the tables have 2^hash_size slots */
extern int usrloc_nat_bflag;     /* -1: not set */

enum {
	USRLOC_MATCH_CONTACT = 0,
	USRLOC_MATCH_CALLID = 1,
	USRLOC_MATCH_PATH = 2,
	USRLOC_MATCH_CALLID_ONLY = 3,
};

/* One slot of a table: its records, under its lock. */
struct ul_slot {
	pthread_mutex_t lock; /* recursive */
	struct ul_record *first;
	unsigned int n;
};

struct ul_domain {
	char *name;
	struct ksr_str name_s;
	unsigned int size; /* slots, a power of two */
	struct ul_slot *slots;
	/* statistics "usrloc:<name>_users", "_contacts", "_expires" (NULL: none) */
	struct ksr_counter *st_users, *st_contacts, *st_expires;
	struct ul_domain *next;
};

/* "usrloc:registered_users": records of all tables (NULL until mod_init). */
extern struct ksr_counter *usrloc_st_registered;
/* Set once the daemon has started: tables made later get no statistics. */
extern bool usrloc_stats_closed;

/* --- the tables (ul_table.c) --- */

/*
 * The API the functions below make up, as usrloc exports it. The table functions work
 * without mod_init (registrar's fixups create tables first; the unit tests use them alone).
 */
extern const struct usrloc_api usrloc_api;

int usrloc_register_domain(const char *name, struct ul_domain **ret);
struct ul_domain *usrloc_find_domain(struct ksr_str name);
/* The first table; the list only grows while the daemon runs. */
struct ul_domain *usrloc_domains(void);
unsigned int usrloc_aor_hash(struct ksr_str aor);
struct ul_slot *usrloc_slot_of(struct ul_domain *d, unsigned int hash);
void usrloc_lock(struct ul_domain *d, struct ksr_str aor);
void usrloc_unlock(struct ul_domain *d, struct ksr_str aor);
int usrloc_get_record(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret);
int usrloc_insert_record(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret);
int usrloc_delete_record(struct ul_domain *d, struct ksr_str aor);
void usrloc_release_record(struct ul_record *r);
int usrloc_get_contact(struct ul_record *r, struct ksr_str uri, struct ksr_str callid,
                       struct ksr_str path, uint32_t cseq, struct ul_contact **ret);
int usrloc_get_contact_by_instance(struct ul_record *r, const struct ul_contact_info *ci,
                                   struct ul_contact **ret);
int usrloc_get_contact_by_ruid(struct ul_record *r, struct ksr_str ruid, struct ul_contact **ret);
/* The contact of r whose URI is exactly uri: 0 or -ENOENT (ul.rm_contact). */
int usrloc_find_contact_uri(struct ul_record *r, struct ksr_str uri, struct ul_contact **ret);
int usrloc_insert_contact(struct ul_record *r, const struct ul_contact_info *ci,
                          struct ul_contact **ret);
int usrloc_update_contact(struct ul_record *r, struct ul_contact *c,
                          const struct ul_contact_info *ci);
int usrloc_delete_contact(struct ul_record *r, struct ul_contact *c);
int usrloc_register_callback(unsigned int types, ul_cb_fn fn, void *param);
int usrloc_foreach_contact(struct ul_domain *d,
                           int (*fn)(struct ul_record *r, struct ul_contact *c, void *arg),
                           void *arg);
size_t usrloc_socket_str(const struct ksr_listener *l, char *buf, size_t size);
/* A new ruid "<prefix>-<time>-<pid>-<n>" into buf (>= 64 bytes); its length. */
size_t usrloc_new_ruid(const char *prefix, char *buf, size_t size);

/*
 * Delete the contacts of every table that expired by now, calling the UL_CONTACT_EXPIRE
 * callbacks first; records left empty go. The timer's job. Returns how many went.
 */
unsigned int usrloc_expire(time_t now);
/* Free every table (destroy, and the unit tests between cases). */
void usrloc_tables_free(void);

/*
 * The database layer (ul_db.c, db_mode 1 to 3): each change of a contact goes through
 * these, NULL for memory only (db_mode 0 and 4, and before the start). insert and update
 * are given the contact as it is to be (update: a copy with the new values, whose
 * db_state the hook sets before it goes into the real one); a failure (< 0) leaves memory
 * as it was. remove with `forced` (expiry) cannot fail the removal.
 */
struct usrloc_store {
	int (*insert)(const struct ul_record *r, struct ul_contact *c);
	int (*update)(const struct ul_record *r, struct ul_contact *c);
	int (*remove)(const struct ul_record *r, const struct ul_contact *c, bool forced);
	/* db_mode 3: read aor's record from the database before each use (slot locked) */
	int (*refresh)(struct ul_domain *d, struct ksr_str aor);
	/* a table made while the daemon runs: load its rows */
	int (*new_domain)(struct ul_domain *d);
};
extern const struct usrloc_store *usrloc_store;

/*
 * Memory only, for the database layer: a contact as read from the database (no store, no
 * callbacks; db_state as given), and a record dropped with its contacts the same way.
 */
int usrloc_find_record_mem(struct ul_domain *d, struct ksr_str aor, struct ul_record **ret);
int usrloc_contact_add_mem(struct ul_record *r, const struct ul_contact_info *ci,
                           unsigned int db_state);
void usrloc_record_drop_mem(struct ul_record *r);

/* --- the database layer (ul_db.c) --- */
enum { UL_DB_NONE = 0, UL_DB_WRITE_THROUGH, UL_DB_WRITE_BACK, UL_DB_ONLY, UL_DB_READONLY };
extern int usrloc_db_mode;
extern char *usrloc_db_url;
extern int usrloc_db_tuning[16]; /* db_load ... db_clean_tcp, in usrloc.c's order */
#define UL_NCOLS 22 /* the 21 *_column modparams, then last_modified */
extern char *usrloc_cols[UL_NCOLS];
/* Bind the driver, check the version, load the tables (db_mode 1, 2, 4), set the store. */
int usrloc_db_init(void);
/* A worker's connection, opened now (child_init) when the mode writes. */
void usrloc_db_child_init(void);
/* The timer's part: write-back flush (2), expired rows (3, db_timer_clean). */
void usrloc_db_timer(time_t now);
/* db_mode 2: write every changed contact now (ul.flush, shutdown). 0 or -errno. */
int usrloc_db_flush(void);
void usrloc_db_destroy(void);

/* --- RPC (ul_rpc.c) --- */
extern const struct ksr_rpc_export usrloc_rpcs[];

#endif
