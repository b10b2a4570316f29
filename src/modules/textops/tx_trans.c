/*
 * textops' transformation class "re": {re.subst,/regex/replacement/flags} on a value, the
 * expression written in the config or taken from a pseudo-variable ({re.subst,$var(e)}).
 * A value the expression does not match stays as it is (as upstream).
 */
#include <errno.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/pv/pv.h"
#include "textops.h"
#include "tx_subst.h"

struct re_tr {
	struct tx_subst *subst; /* a constant expression, parsed at load */
	struct ksr_pv_spec *pv; /* or where to read it on each use */
};

static void subst_free(void *p)
{
	tx_subst_free(p);
}

static int tr_re_parse(struct ksr_tr *tr, struct ksr_str spec, struct ksr_arena *arena,
		       const char **ret_err)
{
	const char *comma = memchr(spec.s, ',', spec.len);
	struct ksr_str name, arg;
	struct re_tr *d;
	int r;

	name = ksr_str_make(spec.s, comma ? (size_t)(comma - spec.s) : spec.len);
	if (!ksr_str_eq(&name, &KSR_STR_STATIC("subst"))) {
		*ret_err = "unknown re transformation (re.subst is known)";
		return -EINVAL;
	}
	if (!comma || comma + 1 == spec.s + spec.len) {
		*ret_err = "re.subst needs an expression: {re.subst,/regex/replacement/flags}";
		return -EINVAL;
	}
	/* the rest is the expression, commas and all */
	arg = ksr_str_make((char *)comma + 1, (size_t)(spec.s + spec.len - comma - 1));
	d = ksr_arena_alloc(arena, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (arg.s[0] == '$') {
		size_t used;

		r = ksr_pv_parse(arg, arena, &d->pv, &used, ret_err);
		if (r == 0 && used != arg.len) {
			*ret_err = "re.subst: text after the pseudo-variable";
			r = -EINVAL;
		}
	} else if ((r = tx_subst_parse(arg, arena, &d->subst, ret_err)) == 0) {
		r = ksr_fixup_keep(d->subst, subst_free);
	}
	if (r < 0)
		return r;
	tr->data = d;
	return 0;
}

static int tr_re_apply(struct ksr_msg *msg, const struct ksr_tr *tr, struct ksr_val *val)
{
	const struct re_tr *d = tr->data;
	struct tx_subst *s = d->subst;
	struct ksr_str in, out, expr;
	struct ksr_val ev;
	const char *why = NULL;
	int r;

	if (val->type == KSR_VAL_NULL)
		return 0;
	if ((r = ksr_val_to_str(msg, val, &in)) < 0)
		return r;
	if (!s) { /* from a variable: parsed for this use only */
		if ((r = ksr_pv_get(msg, d->pv, &ev)) < 0 || (r = ksr_val_to_str(msg, &ev, &expr)) < 0)
			return r;
		if ((r = tx_subst_parse(expr, msg->arena, &s, &why)) < 0) {
			LM_ERR("re.subst: bad expression '%.*s': %s\n", KSR_STR_FMT(expr), why);
			return r;
		}
	}
	r = tx_subst_str(s, msg, in, &out);
	if (s != d->subst)
		tx_subst_free(s);
	if (r == -ENOENT) /* no match: the value as it was */
		return 0;
	if (r < 0)
		return r;
	*val = (struct ksr_val){.type = KSR_VAL_STR, .s = out};
	return 0;
}

const struct ksr_tr_export textops_trans[] = {
	{.name = "re", .parse = tr_re_parse, .apply = tr_re_apply},
	{0},
};
