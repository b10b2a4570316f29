/*
 * The destination set: the Request-URI (branch 0) and the branches the script appends
 * (append_branch, registrar lookup). tm forks to them; a stateless 3xx lists them.
 */
#ifndef KSR_CORE_MSG_DSET_H
#define KSR_CORE_MSG_DSET_H

#include <stddef.h>

#include "core/parser/msg-t.h"

/* Core parameter max_branches: branches at most, the Request-URI included (default 12). */
extern int ksr_max_branches;
#define KSR_MAX_BRANCHES_LIMIT 31 /* the branch flags of tm hold one bit per branch */

/*
 * Append a branch (strings copied into msg's arena; dst_uri and path may be empty; q
 * 0..1000 or KSR_Q_UNSET). 0, -ENOSPC when max_branches is reached, -ENOMEM.
 */
int ksr_dset_append(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str dst_uri,
		    struct ksr_str path, int q, unsigned int flags, struct ksr_listener *socket);
/*
 * append_branch() as the script calls it (corex, kex's km_append_branch): uri, or the
 * current Request-URI without one, with $du, the branch flags of branch 0 and the forced
 * send socket, as upstream. q as given (KSR_Q_UNSET for none). Without uri and q the
 * Request-URI is marked consumed (msg->ruri_consumed): t_relay() sends it once, as this
 * branch. 0 or -errno (-EINVAL for a uri that is not one).
 */
int ksr_dset_append_script(struct ksr_msg *msg, const struct ksr_str *uri, int q);
/*
 * The script function append_branch([uri[, q]]) for the modules that export it under
 * their names (corex append_branch, kex km_append_branch): n parameters in p (strings;
 * q as "0.5"). 1 or -1, as a script function returns. Its fixup checks constants.
 */
struct ksr_fparam;
int ksr_dset_append_cmd(struct ksr_msg *msg, const struct ksr_fparam *p, int n);
int ksr_dset_append_fixup(struct ksr_fparam *p, int n, const char **ret_err);
/* Branch i (1 is the first appended), or NULL. */
struct ksr_branch *ksr_dset_get(struct ksr_msg *msg, unsigned int i);
/* Forget the appended branches. */
void ksr_dset_clear(struct ksr_msg *msg);

/*
 * A q value as written in SIP ("0", "1", "0.5", "0.125", at most 3 decimals) to
 * thousandths. 0 or -EINVAL.
 */
int ksr_q_parse(struct ksr_str s, int *ret_q);
/* q (0..1000) as SIP writes it, shortest: "1", "0.5", "0.125". Its length; buf >= 6. */
size_t ksr_q_print(int q, char *buf);

/*
 * The Contact header of a redirect, as upstream prints the destination set: the
 * Request-URI when the script changed it (and it is not a branch already:
 * msg->ruri_consumed), then each branch, "<uri>[;q=Q]" separated by
 * ", ". -ENOENT when the set is empty; memory from msg's arena.
 */
int ksr_dset_contact(struct ksr_msg *msg, struct ksr_str *ret_line);

#endif
