/*
 * registrar inside: the parameters (registrar.c), saving a REGISTER and its reply
 * (reg_save.c), lookup and the other location queries (reg_lookup.c), $ulc and the
 * expired-contact event (reg_pv.c), AoRs (reg_aor.c).
 */
#ifndef KSR_MODULES_REGISTRAR_REGISTRAR_H
#define KSR_MODULES_REGISTRAR_REGISTRAR_H

#include <stdbool.h>

#include "core/counters.h"
#include "core/module/module-t.h"
#include "core/parser/msg-t.h"
#include "../usrloc/usrloc_api.h"

struct ksr_pv_spec;
struct tm_api;

/* --- modparams (registrar.c) --- */
extern int reg_default_expires, reg_default_expires_range, reg_expires_range;
extern int reg_min_expires, reg_min_expires_mode, reg_max_expires, reg_default_q;
extern char *reg_realm_prefix;
extern int reg_append_branches, reg_case_sensitive, reg_max_contacts, reg_retry_after;
extern int reg_method_filtering, reg_use_path, reg_path_mode, reg_path_use_received;
extern int reg_path_check_local, reg_regid_mode, reg_contact_max_size, reg_sock_flag;
extern int reg_xavp_rcd_mask, reg_lookup_filter_mode, reg_use_expired_contacts;
extern char *reg_received_param, *reg_sock_hdr_name, *reg_xavp_cfg, *reg_xavp_rcd;
/* received_avp parsed (NULL: not set) */
extern struct ksr_pv_spec *reg_received_pv;

/* path_mode values */
enum { REG_PATH_OFF = 0, REG_PATH_LAZY = 1, REG_PATH_STRICT = 2 };

/* save() flags, upstream's */
enum {
	REG_SAVE_MEMORY = 0x01,
	REG_SAVE_NO_REPLY = 0x02,
	REG_SAVE_SINGLE = 0x04,
	REG_SAVE_NO_RANGE = 0x08,
	REG_SAVE_PREPARE_REPLY = 0x10,
	REG_SAVE_ALL = 0x1f,
};

/* The APIs bound (usrloc in the first fixup or mod_init; tm when loaded). */
extern const struct usrloc_api *reg_ul;
extern const struct tm_api *reg_tm;
/* Bind usrloc once; 0 or -ENOENT when it is not loaded. */
int registrar_bind_usrloc(void);

/* statistics "registrar:accepted_regs" and "registrar:rejected_regs" (NULL: none) */
extern struct ksr_counter *reg_st_accepted, *reg_st_rejected;

/* --- AoRs (reg_aor.c) --- */

/* Why a request could not be handled: upstream's error numbers, each a reply and a text. */
enum reg_error {
	R_FINE = 0,
	R_UL_DEL_R,
	R_UL_GET_R,
	R_UL_NEW_R,
	R_INV_CSEQ,
	R_UL_INS_C,
	R_UL_INS_R,
	R_UL_DEL_C,
	R_UL_UPD_C,
	R_TO_USER,
	R_AOR_LEN,
	R_AOR_PARSE,
	R_INV_EXP,
	R_INV_Q,
	R_PARSE,
	R_TO_MISS,
	R_CID_MISS,
	R_CS_MISS,
	R_PARSE_EXP,
	R_PARSE_CONT,
	R_STAR_EXP,
	R_STAR_CONT,
	R_OOO,
	R_RETRANS,
	R_UNESCAPE,
	R_TOO_MANY,
	R_CONTACT_LEN,
	R_CALLID_LEN,
	R_PARSE_PATH,
	R_PATH_UNSUP,
	R_OB_UNSUP,
	R_OB_REQD,
	R_OB_UNSUP_EDGE,
	R_INV_REGID,
	R_LOW_EXP,
	R_COUNT
};
/* The reply code and the P-Registrar-Error text of an error. */
unsigned int registrar_error_code(enum reg_error e);
const char *registrar_error_text(enum reg_error e);
const char *registrar_reason(unsigned int code);

/* Longest AoR, as upstream (MAX_AOR_LEN). */
#define REG_MAX_AOR_LEN 256

/*
 * The address of record of a URI: the user unescaped, "@host" with use_domain (without
 * realm_prefix), lower-cased unless case_sensitive. Memory from msg's arena. 0, or the
 * error as a negative enum reg_error (-R_AOR_PARSE, -R_UNESCAPE, -R_AOR_LEN, ...).
 */
int registrar_aor(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str *ret_aor);
/* The value of $xavp(<xavp_cfg>=>name), or NULL when not set. */
const struct ksr_val *registrar_xavp_cfg(struct ksr_msg *msg, const char *name);
/* Add $xavp(<xavp_rcd>) for contact c (per xavp_rcd_mask), when xavp_rcd is set. */
void registrar_xavp_rcd(struct ksr_msg *msg, const struct ul_contact *c);

/* --- save (reg_save.c) --- */

int registrar_save(struct ksr_msg *msg, struct ul_domain *d, unsigned int flags,
                   struct ksr_str uri);
/* reg_send_reply(): the reply save() was told not to send. */
int registrar_send_reply(struct ksr_msg *msg);

/* --- lookup and the others (reg_lookup.c) --- */

enum reg_lookup_mode {
	REG_LOOKUP_RURI, /* lookup(): the best contact becomes the Request-URI */
	REG_LOOKUP_DSET, /* lookup_to_dset(): every contact a branch, the R-URI unchanged */
};
int registrar_lookup(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                     enum reg_lookup_mode mode);
int registrar_lookup_branches(struct ksr_msg *msg, struct ul_domain *d);
int registrar_registered(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                         int match_option, int match_action);
int registrar_unregister(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                         struct ksr_str ruid);
int registrar_add_sock_hdr(struct ksr_msg *msg, struct ksr_str name);

/* --- $ulc and the expired-contact event (reg_pv.c) --- */

int registrar_fetch_contacts(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                             struct ksr_str profile);
int registrar_free_contacts(struct ksr_str profile);
extern const struct ksr_pv_export registrar_pvs[];
/* usrloc's UL_CONTACT_EXPIRE callback: event_route[usrloc:contact-expired]. */
void registrar_contact_expired(struct ul_record *r, struct ul_contact *c, enum ul_cb_type type,
                               void *param);
/* Free every profile still held (destroy). */
void registrar_profiles_free(void);

#endif
