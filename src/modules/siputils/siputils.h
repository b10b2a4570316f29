/* The siputils module's shared declarations: its files' tables, parameters and helpers. */
#ifndef KSR_MODULES_SIPUTILS_SIPUTILS_H
#define KSR_MODULES_SIPUTILS_SIPUTILS_H

#include <stdbool.h>

#include "core/module/module-t.h"
#include "core/pv/pv-t.h"
#include "core/str.h"

struct ksr_arena;
struct ksr_msg;
struct ksr_uri;

/* Route types as upstream allows them (event routes run as request routes there). */
#define SU_REQ (KSR_ROUTE_REQUEST | KSR_ROUTE_EVENT)
#define SU_REQ_FB (SU_REQ | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)

/* --- modparams (siputils.c) --- */

extern char *siputils_opt_accept;
extern char *siputils_opt_accept_encoding;
extern char *siputils_opt_accept_language;
extern char *siputils_opt_support;
extern char *siputils_contact_sep; /* its first character separates encoded fields */
extern char *siputils_rpid_prefix;
extern char *siputils_rpid_suffix;
extern char *siputils_rpid_avp;

/* --- pseudo-variable helpers (siputils.c) --- */

/* Read the string value of a parsed pseudo-variable (ints are printed). 0 or -errno. */
int siputils_pv_get_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str *ret);
/* Assign a string (copied by the variable's family). 0 or -errno. */
int siputils_pv_set_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str s);
/* The module's configured RPID AVP name; false when rpid_avp is "" (RPID disabled). */
bool siputils_rpid_avp_name(struct ksr_str *ret_name);
/* Build the RPID AVP name from the rpid_avp parameter ("$avp(name)"). 0 or -EINVAL. */
int siputils_rpid_init(void);

/* --- string checks (checks.c), usable on their own --- */

/* "+" then 2 to 15 digits. */
bool siputils_is_e164(struct ksr_str s);
/* An optional "+", then digits; after "+" the first digit is not 0. 1, or -2. */
int siputils_tel_number(struct ksr_str s);
/* 1 when every byte is a digit; -2 (also for the empty string). */
int siputils_numeric(struct ksr_str s);
/* 1 when every byte is an ASCII letter or digit or in extra; -2 empty, -3 otherwise. */
int siputils_alphanum(struct ksr_str s, struct ksr_str extra);
/* A sip/sips URI whose user is an E.164 number (and has no password); tel excluded. */
bool siputils_uri_user_e164(struct ksr_str uri);
/* Header names naming the same header (compact forms and case ignored). 1, -1, -2 bad. */
int siputils_cmp_hdr_name(struct ksr_str a, struct ksr_str b);
/* Two URIs naming the same address of record: user, host, port (5060 when absent). */
bool siputils_aor_equal(const struct ksr_uri *a, const struct ksr_uri *b);

/* --- R-URI and URI text (uri.c) --- */

/*
 * Find parameter name in a URI's ";a=b;c" text (without the leading ';'), from the
 * n-th match on (0: the first). Names compare case-insensitively. 1 with the value (empty
 * for a flag), 0 when absent.
 */
int siputils_uri_param_nth(struct ksr_str params, struct ksr_str name, unsigned int n,
                           struct ksr_str *ret_value);
/*
 * text (parsed into u) without its parameters named name (case-insensitive), into arena.
 * 1 with ret_text, 0 when it has none, -ENOMEM.
 */
int siputils_uri_param_rm(struct ksr_str text, const struct ksr_uri *u, struct ksr_str name,
                          struct ksr_arena *arena, struct ksr_str *ret_text);
/* tel: URI to sip: (RFC 3261 19.1.6) into arena. 1 converted, 2 not tel, -1 error. */
int siputils_tel2sip(struct ksr_str tel, struct ksr_str host, struct ksr_arena *arena,
                     struct ksr_str *ret_sip);

/* --- Base64URL (contact.c) --- */

/* Encode without padding into arena. 0 or -ENOMEM. */
int siputils_b64url_encode(struct ksr_str in, struct ksr_arena *arena, struct ksr_str *ret);
/* Decode, with or without padding, into arena. 0, -EINVAL on a bad character or length. */
int siputils_b64url_decode(struct ksr_str in, struct ksr_arena *arena, struct ksr_str *ret);

/* --- per-file export tables, joined in siputils.c --- */

extern const struct ksr_cmd_export siputils_check_cmds[];   /* checks.c */
extern const struct ksr_cmd_export siputils_msg_cmds[];     /* msgchecks.c */
extern const struct ksr_cmd_export siputils_uri_cmds[];     /* uri.c */
extern const struct ksr_cmd_export siputils_contact_cmds[]; /* contact.c */
extern const struct ksr_cmd_export siputils_misc_cmds[];    /* options.c: options, RPID */
extern const struct ksr_cmd_export siputils_pcv_cmds[];     /* pcv.c */
extern const struct ksr_pv_export siputils_pcv_pvs[];       /* pcv.c: $pcv */

/* options_reply's header lines, built from the parameters at mod_init. 0 or -errno. */
int siputils_options_init(void);
void siputils_options_destroy(void);

#endif
