/*
 * The extra attributes of log_extra and db_extra: "name=$pv;..." parsed once, at start,
 * and evaluated for each record.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/pv/pv.h"
#include "acc.h"

/* The next item of rest (up to ';' outside parentheses), trimmed; rest moves past it. */
static struct ksr_str next_item(struct ksr_str *rest)
{
	struct ksr_str item = *rest;
	int depth = 0;
	size_t i;

	for (i = 0; i < rest->len; i++) {
		char c = rest->s[i];

		if (c == '(' || c == '{')
			depth++;
		else if ((c == ')' || c == '}') && depth)
			depth--;
		else if (c == ';' && !depth)
			break;
	}
	item.len = i;
	rest->s += i < rest->len ? i + 1 : i;
	rest->len -= i < rest->len ? i + 1 : i;
	ksr_str_trim(&item);
	return item;
}

/* item "name = $pv" split; NULL, or why it is not that. */
static const char *split(struct ksr_str item, struct ksr_str *name, struct ksr_str *pv)
{
	const char *eq = memchr(item.s, '=', item.len);

	if (!eq)
		return "an item has no '=' (name=$pv)";
	*name = ksr_str_make(item.s, (size_t)(eq - item.s));
	*pv = ksr_str_make((char *)eq + 1, item.len - name->len - 1);
	ksr_str_trim(name);
	ksr_str_trim(pv);
	if (!name->len)
		return "an item has no name before '='";
	for (size_t i = 0; i < name->len; i++)
		if (ksr_is_ws(name->s[i]) || name->s[i] == '"' || name->s[i] == '`')
			return "a name has a blank or a quote in it";
	if (!pv->len || pv->s[0] != '$')
		return "an item has no pseudo-variable after '='";
	return NULL;
}

const char *acc_extras_check(const char *text)
{
	struct ksr_str rest = ksr_str_make((char *)text, strlen(text)), item, name, pv;
	const char *why;

	while (rest.len) {
		item = next_item(&rest);
		if (!item.len)
			return "an item is empty";
		if ((why = split(item, &name, &pv)))
			return why;
	}
	return NULL;
}

int acc_extras_parse(const char *text, const char *param, struct acc_extras *ret)
{
	struct ksr_arena *arena = ksr_fixup_arena();
	struct ksr_str rest = ksr_str_make((char *)text, strlen(text)), item, name, pv;
	struct acc_extras x = {0};
	const char *why;
	int n = 1;

	for (const char *p = text; *p; p++)
		n += *p == ';';
	if (!(x.v = ksr_arena_alloc(arena, sizeof(*x.v) * (size_t)n)))
		return -ENOMEM;
	while (rest.len) {
		struct acc_extra *e = &x.v[x.n];
		size_t used = 0;
		char *s;

		item = next_item(&rest);
		why = item.len ? split(item, &name, &pv) : "an item is empty";
		if (why) {
			LM_ERR("%s: %s in '%s'\n", param, why, text);
			return -EINVAL;
		}
		if (x.n == acc_conf.extra_size) {
			LM_ERR("%s: more than acc_extra_size (%d) items\n", param,
			       acc_conf.extra_size);
			return -E2BIG;
		}
		why = NULL;
		if (ksr_pv_parse(pv, arena, &e->spec, &used, &why) < 0 || used != pv.len) {
			LM_ERR("%s: '%.*s' is not a pseudo-variable%s%s\n", param, KSR_STR_FMT(pv),
			       why ? ": " : "", why ? why : "");
			return -EINVAL;
		}
		if (!(s = ksr_arena_alloc(arena, name.len + 1)))
			return -ENOMEM;
		memcpy(s, name.s, name.len);
		s[name.len] = '\0';
		e->name = ksr_str_make(s, name.len);
		x.n++;
	}
	*ret = x;
	return 0;
}

void acc_extras_eval(struct ksr_msg *msg, const struct acc_extras *x, struct acc_val *vals)
{
	for (int i = 0; i < x->n; i++) {
		struct ksr_val v;

		vals[i] = (struct acc_val){KSR_STR_NULL, true};
		if (ksr_pv_get(msg, x->v[i].spec, &v) < 0) {
			LM_ERR("cannot get the value of '%s'\n", x->v[i].name.s);
			continue;
		}
		/* upstream: a missing value is an empty string (NULL with acc_extra_nullable) */
		if (v.type == KSR_VAL_NULL || ksr_val_to_str(msg, &v, &vals[i].s) < 0)
			continue;
		vals[i].nul = false;
	}
}
