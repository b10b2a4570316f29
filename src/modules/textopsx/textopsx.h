/* textopsx: what the module's files share (not a public API). */
#ifndef KSR_MODULES_TEXTOPSX_TEXTOPSX_H
#define KSR_MODULES_TEXTOPSX_TEXTOPSX_H

#include "core/module/module-t.h"
#include "core/parser/msg-t.h"

/* Whether header h has name (compact and long forms are one header). */
bool textopsx_hdr_is(const struct ksr_hdr *h, enum ksr_hdr_type type, struct ksr_str name);

/* hf_value.c: the script functions on header values and their fixups. */
#define TXX_CMD(f) int f(struct ksr_msg *msg, const struct ksr_fparam *p)
#define TXX_FIXUP(f) int f(struct ksr_fparam *p, int n, const char **ret_err)
TXX_FIXUP(textopsx_fixup_append_hf_value);
TXX_FIXUP(textopsx_fixup_insert_hf_value);
TXX_FIXUP(textopsx_fixup_remove_hf_value);
TXX_FIXUP(textopsx_fixup_remove_hf_value2);
TXX_FIXUP(textopsx_fixup_assign_hf_value);
TXX_FIXUP(textopsx_fixup_assign_hf_value2);
TXX_FIXUP(textopsx_fixup_hf_value_set);
TXX_CMD(textopsx_append_hf_value);
TXX_CMD(textopsx_insert_hf_value);
TXX_CMD(textopsx_remove_hf_value);
TXX_CMD(textopsx_remove_hf_value2);
TXX_CMD(textopsx_assign_hf_value);
TXX_CMD(textopsx_assign_hf_value2);
TXX_CMD(textopsx_include_hf_value);
TXX_CMD(textopsx_exclude_hf_value);
TXX_CMD(textopsx_hf_value_exists);

#endif
