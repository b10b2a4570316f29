/*
 * textops: text operations on the SIP message from the routing script: regex search,
 * replace and substitution, header checks, additions and removals, bodies, local reply
 * headers and bodies, string tests. The export table; the functions are in tx_*.c.
 */
#include "core/log.h"
#include "core/module/module.h"
#include "textops.h"

ksr_cmd_fn textops_setuser;

/* Route types, as upstream's. */
#define ANY KSR_ROUTE_ANY
#define RQ_FB (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE | KSR_ROUTE_BRANCH)
#define RQ_FB_ON (RQ_FB | KSR_ROUTE_ONREPLY)

#define STR KSR_PT_STR
#define RAW KSR_PT_RAW /* regexes, and texts upstream takes as written */
#define INT KSR_PT_INT

static const struct ksr_cmd_export cmds[] = {
	/* regular expressions over the text (tx_search.c) */
	{"search", textops_search, {RAW}, textops_fixup_re, ANY},
	{"search_body", textops_search_body, {RAW}, textops_fixup_re, ANY},
	{"search_str", textops_search_str, {STR, STR}, NULL, ANY},
	{"search_hf", textops_search_hf, {STR, RAW, RAW}, textops_fixup_search_hf, ANY},
	{"search_append", textops_search_append, {RAW, RAW}, textops_fixup_re, ANY},
	{"search_append_body", textops_search_append_body, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace", textops_replace, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace_body", textops_replace_body, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace_hdrs", textops_replace_hdrs, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace_all", textops_replace_all, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace_body_all", textops_replace_body_all, {RAW, RAW}, textops_fixup_re, ANY},
	{"replace_body_atonce", textops_replace_body_all, {RAW, RAW}, textops_fixup_re_nonl, ANY},
	{"replace_str", textops_replace_str, {STR, STR, STR}, textops_fixup_replace_str, ANY},
	{"replace_body_str", textops_replace_body_str, {STR, STR, STR}, textops_fixup_replace_str,
	 ANY},
	{"replace_hdrs_str", textops_replace_hdrs_str, {STR, STR, STR}, textops_fixup_replace_str,
	 ANY},
	{"subst", textops_subst, {RAW}, textops_fixup_subst, ANY},
	{"subst_uri", textops_subst_uri, {RAW}, textops_fixup_subst, RQ_FB_ON},
	{"subst_user", textops_subst_user, {RAW}, textops_fixup_subst, RQ_FB_ON},
	{"subst_body", textops_subst_body, {RAW}, textops_fixup_subst, ANY},
	{"subst_hf", textops_subst_hf, {STR, RAW, RAW}, textops_fixup_subst_hf, ANY},

	/* headers (tx_hdr.c) */
	{"append_hf", textops_append_hf, {STR}, textops_fixup_add_hf, ANY},
	{"append_hf", textops_append_hf2, {STR, STR}, textops_fixup_add_hf, ANY},
	{"insert_hf", textops_insert_hf, {STR}, textops_fixup_add_hf, ANY},
	{"insert_hf", textops_insert_hf2, {STR, STR}, textops_fixup_add_hf, ANY},
	{"append_urihf", textops_append_urihf, {RAW, RAW}, NULL, RQ_FB},
	{"is_present_hf", textops_is_present_hf, {STR}, textops_fixup_hname, ANY},
	{"is_present_hf_pv", textops_is_present_hf, {STR}, textops_fixup_hname_pv, ANY},
	{"is_present_hf_re", textops_is_present_hf_re, {RAW}, textops_fixup_re_all, ANY},
	{"is_present_hf_re_pv", textops_is_present_hf_re, {STR}, textops_fixup_re_all, ANY},
	{"remove_hf", textops_remove_hf, {STR}, textops_fixup_hname, ANY},
	{"remove_hf_pv", textops_remove_hf, {STR}, textops_fixup_hname_pv, ANY},
	{"remove_hf_re", textops_remove_hf_re, {RAW}, textops_fixup_re_all, ANY},
	{"remove_hf_re_pv", textops_remove_hf_re, {STR}, textops_fixup_re_all, ANY},
	{"remove_hf_exp", textops_remove_hf_exp, {RAW, RAW}, textops_fixup_re_all, ANY},
	{"remove_hf_exp_pv", textops_remove_hf_exp, {STR, STR}, textops_fixup_re_all, ANY},
	{"remove_hf_idx", textops_remove_hf_idx, {STR, INT}, textops_fixup_hname_pv, ANY},
	{"remove_hf_match", textops_remove_hf_match, {STR, STR, STR},
	 textops_fixup_remove_hf_match, ANY},
	{"append_time", textops_append_time, {KSR_PT_NONE}, NULL, RQ_FB},
	{"append_time_to_request", textops_append_time_to_request, {KSR_PT_NONE}, NULL, ANY},
	{"append_to_reply", textops_append_to_reply, {STR}, textops_fixup_reply_hdrs, RQ_FB},

	/* bodies (tx_body.c) */
	{"has_body", textops_has_body0, {KSR_PT_NONE}, NULL, ANY},
	{"has_body", textops_has_body, {STR}, textops_fixup_has_body, ANY},
	{"set_body", textops_set_body, {STR, STR}, NULL, RQ_FB_ON},
	{"set_reply_body", textops_set_reply_body, {STR, STR}, NULL, RQ_FB},
	{"filter_body", textops_filter_body, {STR}, NULL, ANY},
	{"set_body_multipart", textops_set_body_multipart0, {KSR_PT_NONE}, NULL, RQ_FB},
	{"set_body_multipart", textops_set_body_multipart1, {STR}, NULL, RQ_FB},
	{"set_body_multipart", textops_set_body_multipart2, {STR, STR}, NULL, RQ_FB},
	{"set_body_multipart", textops_set_body_multipart3, {STR, STR, STR}, NULL, RQ_FB},
	{"append_body_part", textops_append_body_part, {STR, STR}, NULL, RQ_FB},
	{"append_body_part", textops_append_body_part3, {STR, STR, STR}, NULL, RQ_FB},
	{"append_body_part_hex", textops_append_body_part_hex, {STR, STR}, NULL, RQ_FB},
	{"append_body_part_hex", textops_append_body_part_hex3, {STR, STR, STR}, NULL, RQ_FB},
	{"get_body_part", textops_get_body_part, {STR, RAW}, textops_fixup_get_body_part,
	 RQ_FB_ON},
	{"get_body_part_raw", textops_get_body_part_raw, {STR, RAW},
	 textops_fixup_get_body_part, RQ_FB_ON},
	{"remove_body_part", textops_remove_body_part, {STR}, NULL, RQ_FB},
	{"is_audio_on_hold", textops_is_audio_on_hold, {KSR_PT_NONE}, NULL, ANY},

	/* strings, method, privacy (tx_str.c) */
	{"is_method", textops_is_method, {STR}, textops_fixup_is_method, ANY},
	{"is_privacy", textops_is_privacy, {STR}, textops_fixup_is_privacy, ANY},
	{"in_list", textops_in_list, {STR, STR, RAW}, textops_fixup_in_list, ANY},
	{"in_list_prefix", textops_in_list_prefix, {STR, STR, RAW}, textops_fixup_in_list, ANY},
	{"cmp_str", textops_cmp_str, {STR, STR}, NULL, ANY},
	{"cmp_istr", textops_cmp_istr, {STR, STR}, NULL, ANY},
	{"starts_with", textops_starts_with, {STR, STR}, NULL, ANY},
	{"ends_with", textops_ends_with, {STR, STR}, NULL, ANY},
	{"str_find", textops_str_find, {STR, STR}, NULL, ANY},
	{"str_ifind", textops_str_ifind, {STR, STR}, NULL, ANY},
	{"regex_substring", textops_regex_substring, {STR, STR, INT, INT, RAW},
	 textops_fixup_regex_substring, RQ_FB},
	{0},
};

static int mod_init(void)
{
	const struct ksr_cmd_export *c = ksr_module_find_cmd("setuser", 1, NULL);

	if (!c) {
		LM_ERR("the core function setuser() is missing\n");
		return -1;
	}
	textops_setuser = c->func;
	return 0;
}

KSR_MODULE(.name = "textops", .cmds = cmds, .trans = textops_trans, .mod_init = mod_init);
