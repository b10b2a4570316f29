/* textops: what the module's files share (not a public API). */
#ifndef KSR_MODULES_TEXTOPS_TEXTOPS_H
#define KSR_MODULES_TEXTOPS_TEXTOPS_H

#include <regex.h>

#include "core/module/module-t.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv-t.h"

/* Compile flags of the search/replace functions, as upstream's (case-insensitive). */
#define TX_RE_FLAGS (REG_EXTENDED | REG_ICASE | REG_NEWLINE)

/*
 * What fixups make (regexes, subst expressions, pseudo-variable specs) is kept with
 * ksr_fixup_regcomp/ksr_fixup_keep/ksr_fixup_arena (core/module/fixup.h): it belongs to
 * the routing program and goes with it after a reload.
 */

/* The regex of a fixed-up parameter: compiled at load, or now into tmp for a dynamic one. */
int textops_param_re(const struct ksr_fparam *p, int cflags, regex_t *tmp, regex_t **ret);
void textops_param_re_done(const struct ksr_fparam *p, regex_t *re);

/*
 * One match of re in text starting at from; offsets in m[] are relative to text.s. The
 * bytes before from give ^ and \b their context (REG_STARTEND). 0 on a match.
 */
int textops_exec(const regex_t *re, struct ksr_str text, size_t from, size_t nmatch,
		 regmatch_t *m);

/* A header name given to a function: a known type (compact forms match) or a name. */
struct tx_hname {
	enum ksr_hdr_type type;
	struct ksr_str name;
};
void tx_hname_set(struct tx_hname *n, struct ksr_str name);
bool tx_hname_match(const struct tx_hname *n, const struct ksr_hdr *h);
/* Fixup of a header-name parameter: a constant goes into p->ptr. */
int tx_fixup_hname(struct ksr_fparam *p, bool allow_dynamic, const char **ret_err);
/* The name of a header-name parameter, from the fixup or evaluated now. */
void tx_param_hname(const struct ksr_fparam *p, struct tx_hname *ret);

/* Text of msg: the whole message, from the first header on, the headers, the body. */
struct ksr_str tx_msg_all(const struct ksr_msg *msg);
struct ksr_str tx_msg_from_headers(const struct ksr_msg *msg);
struct ksr_str tx_msg_headers(const struct ksr_msg *msg);

/* Whole header lines: "Name: value\r\n" one or more times (folding allowed). */
bool tx_hdr_lines_ok(struct ksr_str text);

/* Set the writable pseudo-variable p->ptr (ksr_fixup_pvar) to a string. 0 or -errno. */
int tx_pv_set_str(struct ksr_msg *msg, const struct ksr_fparam *p, struct ksr_str s);

/* The script functions and fixups of each file, which the table in textops.c names. */
#define TX_CMD(f) int f(struct ksr_msg *msg, const struct ksr_fparam *p)
#define TX_FIXUP(f) int f(struct ksr_fparam *p, int n, const char **ret_err)
/* tx_search.c */
TX_FIXUP(textops_fixup_re);
TX_FIXUP(textops_fixup_re_nonl);
TX_FIXUP(textops_fixup_subst);
TX_FIXUP(textops_fixup_search_hf);
TX_FIXUP(textops_fixup_subst_hf);
TX_CMD(textops_search);
TX_CMD(textops_search_body);
TX_CMD(textops_search_str);
TX_CMD(textops_search_hf);
TX_CMD(textops_search_append);
TX_CMD(textops_search_append_body);
TX_CMD(textops_replace);
TX_CMD(textops_replace_all);
TX_CMD(textops_replace_hdrs);
TX_CMD(textops_replace_body);
TX_CMD(textops_replace_body_all);
TX_FIXUP(textops_fixup_replace_str);
TX_CMD(textops_replace_str);
TX_CMD(textops_replace_hdrs_str);
TX_CMD(textops_replace_body_str);
TX_CMD(textops_subst);
TX_CMD(textops_subst_body);
TX_CMD(textops_subst_uri);
TX_CMD(textops_subst_user);
TX_CMD(textops_subst_hf);
/* tx_hdr.c */
TX_FIXUP(textops_fixup_add_hf);
TX_CMD(textops_append_hf);
TX_CMD(textops_append_hf2);
TX_CMD(textops_insert_hf);
TX_CMD(textops_insert_hf2);
TX_CMD(textops_append_urihf);
TX_CMD(textops_append_time);
TX_CMD(textops_append_time_to_request);
TX_CMD(textops_append_to_reply);
TX_FIXUP(textops_fixup_reply_hdrs);
TX_FIXUP(textops_fixup_hname);
TX_FIXUP(textops_fixup_hname_pv);
TX_CMD(textops_is_present_hf);
TX_CMD(textops_is_present_hf_re);
TX_CMD(textops_remove_hf);
TX_FIXUP(textops_fixup_re_all);
TX_CMD(textops_remove_hf_re);
TX_CMD(textops_remove_hf_exp);
TX_CMD(textops_remove_hf_idx);
TX_FIXUP(textops_fixup_remove_hf_match);
TX_CMD(textops_remove_hf_match);
/* tx_body.c */
TX_FIXUP(textops_fixup_has_body);
TX_CMD(textops_has_body);
TX_CMD(textops_has_body0);
TX_CMD(textops_set_body);
TX_CMD(textops_set_reply_body);
TX_CMD(textops_set_body_multipart0);
TX_CMD(textops_set_body_multipart1);
TX_CMD(textops_set_body_multipart2);
TX_CMD(textops_set_body_multipart3);
TX_CMD(textops_append_body_part);
TX_CMD(textops_append_body_part3);
TX_CMD(textops_append_body_part_hex);
TX_CMD(textops_append_body_part_hex3);
TX_FIXUP(textops_fixup_get_body_part);
TX_CMD(textops_get_body_part);
TX_CMD(textops_get_body_part_raw);
TX_CMD(textops_remove_body_part);
TX_CMD(textops_filter_body);
/* tx_str.c */
TX_CMD(textops_cmp_str);
TX_CMD(textops_cmp_istr);
TX_CMD(textops_starts_with);
TX_CMD(textops_ends_with);
TX_CMD(textops_str_find);
TX_CMD(textops_str_ifind);
TX_FIXUP(textops_fixup_in_list);
TX_CMD(textops_in_list);
TX_CMD(textops_in_list_prefix);
TX_FIXUP(textops_fixup_regex_substring);
TX_CMD(textops_regex_substring);
TX_FIXUP(textops_fixup_is_method);
TX_CMD(textops_is_method);
TX_FIXUP(textops_fixup_is_privacy);
TX_CMD(textops_is_privacy);
TX_CMD(textops_is_audio_on_hold);

/* tx_trans.c: the transformation class "re" ({re.subst,expr}). */
extern const struct ksr_tr_export textops_trans[];

/* core's setuser(), for subst_user (bound in mod_init). */
extern ksr_cmd_fn textops_setuser;

#endif
