/*
 * The runtime configuration: the registry of groups, the reference-counted snapshots of
 * their values, and the changes the cfg.* RPC commands make to them.
 */
#include "core/cfg/rtcfg.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* A value: i for an integer variable, s (owned, NUL-terminated) for a string one. */
struct value {
	long i;
	char *s;
	size_t len;
};

struct var {
	char *name, *desc;
	enum ksr_rtcfg_type type;
	long min, max;
	const struct ksr_rtcfg_var *def; /* NULL for the config's own variables */
	struct value start;              /* the value when declared, for cfg.reset */
};

struct ksr_rtcfg_group {
	char *name;
	int idx;     /* its place in the registry and in every snapshot */
	bool custom; /* the config's own (group.var = value) */
	struct var *vars;
	int nvars, cap;
};

/* Every value of every group, as one commit left them; never changed once published. */
struct snap {
	atomic_long refs;
	unsigned long gen;
	int ngroups;
	struct gvals {
		int n;
		struct value *v;
	} g[];
};

/* A prepared change (cfg.set_delayed), applied by ksr_rtcfg_commit. */
struct change {
	int g, v;
	struct value val;
};

/*
 * The lock guards the registry, the current snapshot and the prepared changes. Readers
 * take it only to pick a newer snapshot up; their fast path compares generations.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ksr_rtcfg_group **groups;
static int ngroups;
static struct snap *current;
static unsigned long gen_counter;
static atomic_ulong current_gen;
static struct change *pending;
static int npending, pending_cap;

/*
 * This thread's snapshot, and the one before: a thread that takes a new one in the middle
 * of a message (an RPC command run from the script) may still hold strings of the old
 * one until its next update. The keys release them when the thread ends.
 */
static _Thread_local struct snap *local, *prev;
static pthread_key_t local_key, prev_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* ---- values and snapshots ---------------------------------------------------------- */

static void value_free(struct value *x)
{
	free(x->s);
	x->s = NULL;
}

static int value_copy(struct value *dst, const struct value *src)
{
	*dst = *src;
	if (src->s && !(dst->s = strndup(src->s, src->len)))
		return -ENOMEM;
	return 0;
}

static void value_to_val(const struct var *v, const struct value *x, struct ksr_val *ret)
{
	if (v->type == KSR_RTCFG_INT)
		*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = x->i};
	else
		*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(x->s, x->len)};
}

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ngroups; i++) {
		for (int j = 0; j < s->g[i].n; j++)
			value_free(&s->g[i].v[j]);
		free(s->g[i].v);
	}
	free(s);
}

static void snap_unref(struct snap *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		snap_free(s);
}

/*
 * A snapshot of the registry as it is, with the values of `from` where it has them (the
 * group now at index i was at map[i] in it; map NULL: the same index) and the start
 * values elsewhere.
 */
static struct snap *snap_build(const struct snap *from, const int *map)
{
	struct snap *s = calloc(1, sizeof(*s) + (size_t)ngroups * sizeof(s->g[0]));

	if (!s)
		return NULL;
	s->ngroups = ngroups;
	for (int i = 0; i < ngroups; i++) {
		const struct ksr_rtcfg_group *g = groups[i];
		int o = map ? map[i] : i;
		const struct gvals *old = from && o >= 0 && o < from->ngroups ? &from->g[o] : NULL;

		s->g[i].v = calloc((size_t)(g->nvars ? g->nvars : 1), sizeof(struct value));
		if (!s->g[i].v)
			goto fail;
		s->g[i].n = g->nvars;
		for (int j = 0; j < g->nvars; j++)
			if (value_copy(&s->g[i].v[j],
			               old && j < old->n ? &old->v[j] : &g->vars[j].start) < 0)
				goto fail;
	}
	return s;
fail:
	snap_free(s);
	return NULL;
}

/* Make s the current snapshot (lock held). */
static void publish(struct snap *s)
{
	struct snap *old = current;

	s->gen = ++gen_counter;
	atomic_init(&s->refs, 1);
	current = s;
	atomic_store_explicit(&current_gen, s->gen, memory_order_release);
	snap_unref(old);
}

/* A snapshot for the registry's layout (after a declaration), lock held. */
static int republish(void)
{
	struct snap *s = snap_build(current, NULL);

	if (!s)
		return -ENOMEM;
	publish(s);
	return 0;
}

/* ---- readers ----------------------------------------------------------------------- */

static void release_local(void *p)
{
	snap_unref(p);
}

static void make_key(void)
{
	pthread_key_create(&local_key, release_local);
	pthread_key_create(&prev_key, release_local);
}

static struct snap *refresh(void)
{
	struct snap *s, *old = prev;

	pthread_once(&key_once, make_key);
	pthread_mutex_lock(&lock);
	if (!current || current->ngroups != ngroups)
		republish();
	s = current;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&lock);
	prev = local;
	local = s;
	pthread_setspecific(prev_key, prev);
	pthread_setspecific(local_key, s);
	snap_unref(old);
	return s;
}

void ksr_rtcfg_update(void)
{
	const struct snap *s = local;

	if (s && s->gen == atomic_load_explicit(&current_gen, memory_order_acquire))
		return;
	refresh();
}

static const struct value *value_of(const struct ksr_rtcfg_group *g, int var)
{
	const struct snap *s = local;

	/* a group declared after this thread took its snapshot */
	if (!s || g->idx >= s->ngroups || var >= s->g[g->idx].n)
		s = refresh();
	if (!s || var < 0 || g->idx >= s->ngroups || var >= s->g[g->idx].n)
		return NULL;
	return &s->g[g->idx].v[var];
}

long ksr_rtcfg_int(const struct ksr_rtcfg_group *g, int var)
{
	const struct value *x = value_of(g, var);

	return x ? x->i : 0;
}

struct ksr_str ksr_rtcfg_str(const struct ksr_rtcfg_group *g, int var)
{
	const struct value *x = value_of(g, var);

	return x && x->s ? ksr_str_make(x->s, x->len) : ksr_str_make("", 0);
}

/* ---- the registry ------------------------------------------------------------------ */

static bool valid_name(const char *s)
{
	if (!s || !*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool str_is(const char *a, struct ksr_str b)
{
	return strlen(a) == b.len && memcmp(a, b.s, b.len) == 0;
}

static struct ksr_rtcfg_group *find_group(struct ksr_str name)
{
	for (int i = 0; i < ngroups; i++)
		if (str_is(groups[i]->name, name))
			return groups[i];
	return NULL;
}

static int find_var(const struct ksr_rtcfg_group *g, struct ksr_str name)
{
	for (int j = 0; j < g->nvars; j++)
		if (str_is(g->vars[j].name, name))
			return j;
	return -ENOENT;
}

static void group_free(struct ksr_rtcfg_group *g)
{
	if (!g)
		return;
	for (int j = 0; j < g->nvars; j++) {
		free(g->vars[j].name);
		free(g->vars[j].desc);
		value_free(&g->vars[j].start);
	}
	free(g->vars);
	free(g->name);
	free(g);
}

static struct ksr_rtcfg_group *group_new(const char *name, bool custom)
{
	struct ksr_rtcfg_group **n = realloc(groups, (size_t)(ngroups + 1) * sizeof(*n));
	struct ksr_rtcfg_group *g;

	if (!n)
		return NULL;
	groups = n;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->name = strdup(name))) {
		free(g);
		return NULL;
	}
	g->custom = custom;
	g->idx = ngroups;
	groups[ngroups++] = g;
	return g;
}

/* The group's last variable goes (a half-added one). */
static void var_drop_last(struct ksr_rtcfg_group *g)
{
	struct var *v = &g->vars[--g->nvars];

	free(v->name);
	free(v->desc);
	value_free(&v->start);
}

static int var_add(struct ksr_rtcfg_group *g, const char *name, enum ksr_rtcfg_type type,
                   const char *desc, const struct ksr_rtcfg_var *def)
{
	struct var *v;

	if (g->nvars == g->cap) {
		int cap = g->cap ? g->cap * 2 : 8;
		struct var *n = realloc(g->vars, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->vars = n;
		g->cap = cap;
	}
	v = &g->vars[g->nvars++];
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->def = def;
	v->name = strdup(name);
	v->desc = strdup(desc ? desc : "");
	if (!v->name || !v->desc) {
		var_drop_last(g);
		return -ENOMEM;
	}
	return 0;
}

int ksr_rtcfg_declare(const char *group, const struct ksr_rtcfg_var *vars,
                      struct ksr_rtcfg_group **ret_grp)
{
	struct ksr_rtcfg_group *g;
	int r = -ENOMEM;

	if (!valid_name(group))
		return -EINVAL;
	for (const struct ksr_rtcfg_var *d = vars; d->name; d++)
		if (!valid_name(d->name) ||
		    (d->type != KSR_RTCFG_INT && d->type != KSR_RTCFG_STR) ||
		    (d->mirror && d->type != KSR_RTCFG_INT))
			return -EINVAL;
	pthread_mutex_lock(&lock);
	if (find_group(ksr_str_make((char *)group, strlen(group)))) {
		r = -EEXIST;
		goto out;
	}
	g = group_new(group, false);
	if (!g)
		goto out;
	for (const struct ksr_rtcfg_var *d = vars; d->name; d++) {
		struct var *v;

		if (var_add(g, d->name, d->type, d->desc, d) < 0)
			goto undo;
		v = &g->vars[g->nvars - 1];
		v->min = d->min;
		v->max = d->max;
		if (d->type == KSR_RTCFG_INT) {
			v->start.i = d->mirror ? *d->mirror : d->def;
		} else {
			const char *s = d->def_s ? d->def_s : "";

			v->start.len = strlen(s);
			if (!(v->start.s = strdup(s)))
				goto undo;
		}
	}
	if (republish() < 0)
		goto undo;
	if (ret_grp)
		*ret_grp = g;
	r = 0;
	goto out;
undo:
	ngroups--;
	group_free(g);
out:
	pthread_mutex_unlock(&lock);
	return r;
}

int ksr_rtcfg_add_custom(const char *group, const char *name, const struct ksr_val *val,
                         const char *desc)
{
	struct ksr_rtcfg_group *g;
	struct value *start;
	bool created = false;
	int r;

	if (!valid_name(group) || !valid_name(name) ||
	    (val->type != KSR_VAL_INT && val->type != KSR_VAL_STR))
		return -EINVAL;
	pthread_mutex_lock(&lock);
	g = find_group(ksr_str_make((char *)group, strlen(group)));
	if (g && (!g->custom || find_var(g, ksr_str_make((char *)name, strlen(name))) >= 0)) {
		r = -EEXIST;
		goto out;
	}
	if (!g) {
		if (!(g = group_new(group, true))) {
			r = -ENOMEM;
			goto out;
		}
		created = true;
	}
	r = var_add(g, name, val->type == KSR_VAL_INT ? KSR_RTCFG_INT : KSR_RTCFG_STR, desc, NULL);
	if (r < 0)
		goto undo;
	start = &g->vars[g->nvars - 1].start;
	start->i = val->type == KSR_VAL_INT ? val->i : 0;
	if (val->type == KSR_VAL_STR) {
		start->len = val->s.len;
		if (!(start->s = strndup(val->s.s ? val->s.s : "", val->s.len))) {
			var_drop_last(g);
			r = -ENOMEM;
			goto undo;
		}
	}
	if ((r = republish()) < 0) {
		var_drop_last(g);
		goto undo;
	}
	goto out;
undo:
	if (created) {
		ngroups--;
		group_free(g);
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}

int ksr_rtcfg_lookup(struct ksr_str group, struct ksr_str var, struct ksr_rtcfg_group **ret_grp,
                     int *ret_var)
{
	struct ksr_rtcfg_group *g;
	int r = -ENOENT;

	pthread_mutex_lock(&lock);
	g = find_group(group);
	if (g && (r = find_var(g, var)) >= 0) {
		*ret_grp = g;
		*ret_var = r;
		r = 0;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

enum ksr_rtcfg_type ksr_rtcfg_var_type(const struct ksr_rtcfg_group *g, int var)
{
	enum ksr_rtcfg_type t = KSR_RTCFG_INT;

	pthread_mutex_lock(&lock);
	if (var >= 0 && var < g->nvars)
		t = g->vars[var].type;
	pthread_mutex_unlock(&lock);
	return t;
}

int ksr_rtcfg_sync_mirrors(struct ksr_rtcfg_group *g)
{
	struct snap *s;
	int r = -ENOMEM;

	pthread_mutex_lock(&lock);
	for (int j = 0; j < g->nvars; j++)
		if (g->vars[j].def && g->vars[j].def->mirror)
			g->vars[j].start.i = *g->vars[j].def->mirror;
	s = snap_build(current, NULL);
	if (s) {
		for (int j = 0; j < g->nvars; j++)
			if (g->vars[j].def && g->vars[j].def->mirror)
				s->g[g->idx].v[j].i = g->vars[j].start.i;
		publish(s);
		r = 0;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

/* ---- changes ----------------------------------------------------------------------- */

/* val converted to what v holds, into ret (which owns its string). */
static int convert(const struct var *v, const struct ksr_val *val, struct value *ret,
                   const char **ret_err)
{
	char buf[32];

	memset(ret, 0, sizeof(*ret));
	if (val->type != KSR_VAL_INT && val->type != KSR_VAL_STR) {
		*ret_err = "no value";
		return -EINVAL;
	}
	if (v->type == KSR_RTCFG_STR) {
		struct ksr_str s = val->s;

		if (val->type == KSR_VAL_INT)
			s = ksr_str_make(buf, (size_t)snprintf(buf, sizeof(buf), "%ld", val->i));
		ret->len = s.len;
		if (!(ret->s = strndup(s.s ? s.s : "", s.len))) {
			*ret_err = "out of memory";
			return -ENOMEM;
		}
		return 0;
	}
	if (val->type == KSR_VAL_STR) {
		char *end;

		if (val->s.len == 0 || val->s.len >= sizeof(buf))
			goto nan;
		memcpy(buf, val->s.s, val->s.len);
		buf[val->s.len] = '\0';
		errno = 0;
		ret->i = strtol(buf, &end, 10);
		if (*end || errno || isspace((unsigned char)buf[0]))
			goto nan;
	} else {
		ret->i = val->i;
	}
	if (v->min != v->max && (ret->i < v->min || ret->i > v->max)) {
		*ret_err = "the value is out of the variable's range";
		return -ERANGE;
	}
	return 0;
nan:
	*ret_err = "the variable takes an integer";
	return -EINVAL;
}

/* After a commit changed group g's variable j (lock held): mirrors, callbacks, the log. */
static void notify(int g, int j)
{
	const struct var *v = &groups[g]->vars[j];
	const struct value *x = &current->g[g].v[j];
	struct ksr_val val;

	value_to_val(v, x, &val);
	if (v->def && v->def->mirror)
		__atomic_store_n(v->def->mirror, (int)x->i, __ATOMIC_RELAXED);
	if (v->def && v->def->on_change)
		v->def->on_change(v->def, &val);
	if (v->type == KSR_RTCFG_INT)
		LM_INFO("%s.%s has been changed to %ld\n", groups[g]->name, v->name, x->i);
	else
		LM_INFO("%s.%s has been changed to \"%s\"\n", groups[g]->name, v->name, x->s);
}

/* A snapshot with changes applied (their values moved into it), published; lock held. */
static int apply(struct change *chg, int n)
{
	struct snap *s = snap_build(current, NULL);

	if (!s)
		return -ENOMEM;
	for (int k = 0; k < n; k++) {
		struct value *dst = &s->g[chg[k].g].v[chg[k].v];

		value_free(dst);
		*dst = chg[k].val;
		chg[k].val.s = NULL;
	}
	publish(s);
	for (int k = 0; k < n; k++)
		notify(chg[k].g, chg[k].v);
	return 0;
}

static int add_pending(int g, int j, struct value *x)
{
	for (int k = 0; k < npending; k++) {
		if (pending[k].g == g && pending[k].v == j) {
			value_free(&pending[k].val);
			pending[k].val = *x;
			return 0;
		}
	}
	if (npending == pending_cap) {
		int cap = pending_cap ? pending_cap * 2 : 8;
		struct change *n = realloc(pending, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pending = n;
		pending_cap = cap;
	}
	pending[npending++] = (struct change){g, j, *x};
	return 0;
}

int ksr_rtcfg_set(struct ksr_str group, struct ksr_str var, const struct ksr_val *val, bool delayed,
                  const char **ret_err)
{
	struct ksr_rtcfg_group *g;
	struct change chg;
	int j, r;

	pthread_mutex_lock(&lock);
	g = find_group(group);
	if (!g || (j = find_var(g, var)) < 0) {
		*ret_err = "no such variable";
		r = -ENOENT;
		goto out;
	}
	if ((r = convert(&g->vars[j], val, &chg.val, ret_err)) < 0)
		goto out;
	chg.g = g->idx;
	chg.v = j;
	if (delayed)
		r = add_pending(g->idx, j, &chg.val);
	else if (!current || current->ngroups != ngroups)
		r = -ENOMEM; /* every declaration publishes: only a failed one gets here */
	else
		r = apply(&chg, 1);
	if (r < 0) {
		value_free(&chg.val);
		*ret_err = "out of memory";
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}

static void pending_clear(void)
{
	for (int k = 0; k < npending; k++)
		value_free(&pending[k].val);
	npending = 0;
}

int ksr_rtcfg_commit(void)
{
	int r = 0, n;

	pthread_mutex_lock(&lock);
	n = npending;
	if (n && (r = apply(pending, n)) == 0) {
		pending_clear();
		LM_INFO("%d config change(s) applied\n", n);
	}
	pthread_mutex_unlock(&lock);
	return r < 0 ? r : n;
}

void ksr_rtcfg_rollback(void)
{
	pthread_mutex_lock(&lock);
	pending_clear();
	pthread_mutex_unlock(&lock);
}

int ksr_rtcfg_reset(struct ksr_str group)
{
	struct ksr_rtcfg_group *g;
	struct change *chg = NULL;
	int r = -ENOENT, n = 0;

	pthread_mutex_lock(&lock);
	g = find_group(group);
	if (!g)
		goto out;
	r = -ENOMEM;
	chg = calloc((size_t)(g->nvars ? g->nvars : 1), sizeof(*chg));
	if (!chg)
		goto out;
	for (; n < g->nvars; n++) {
		chg[n].g = g->idx;
		chg[n].v = n;
		if (value_copy(&chg[n].val, &g->vars[n].start) < 0)
			goto out;
	}
	r = apply(chg, n);
out:
	for (int k = 0; k < n; k++)
		value_free(&chg[k].val);
	free(chg);
	pthread_mutex_unlock(&lock);
	return r;
}

/* ---- listing ----------------------------------------------------------------------- */

static void item_of(int g, int j, struct ksr_rtcfg_item *ret)
{
	const struct var *v = &groups[g]->vars[j];

	memset(ret, 0, sizeof(*ret));
	ret->group = groups[g]->name;
	ret->name = v->name;
	ret->desc = v->desc;
	ret->type = v->type;
	value_to_val(v,
	             current && g < current->ngroups && j < current->g[g].n ? &current->g[g].v[j]
	                                                                    : &v->start,
	             &ret->val);
}

int ksr_rtcfg_foreach(const struct ksr_str *group, const struct ksr_str *var, ksr_rtcfg_item_fn fn,
                      void *arg)
{
	struct ksr_rtcfg_item item;
	int n = 0, only = -1;

	pthread_mutex_lock(&lock);
	if (group) {
		struct ksr_rtcfg_group *g = find_group(*group);

		if (!g || (var && find_var(g, *var) < 0)) {
			n = -ENOENT;
			goto out;
		}
		only = g->idx;
	}
	/* the newest group first, as upstream lists them */
	for (int i = ngroups - 1; i >= 0; i--) {
		if (only >= 0 && i != only)
			continue;
		for (int j = 0; j < groups[i]->nvars; j++) {
			if (var && !str_is(groups[i]->vars[j].name, *var))
				continue;
			item_of(i, j, &item);
			fn(&item, arg);
			n++;
		}
	}
out:
	pthread_mutex_unlock(&lock);
	return n;
}

int ksr_rtcfg_diff(ksr_rtcfg_item_fn fn, void *arg)
{
	struct ksr_rtcfg_item item;
	int n;

	pthread_mutex_lock(&lock);
	for (n = 0; n < npending; n++) {
		item_of(pending[n].g, pending[n].v, &item);
		value_to_val(&groups[pending[n].g]->vars[pending[n].v], &pending[n].val,
		             &item.new_val);
		fn(&item, arg);
	}
	pthread_mutex_unlock(&lock);
	return n;
}

/* ---- clearing ---------------------------------------------------------------------- */

/* This thread's snapshot goes too: the next read takes the new one. */
static void drop_local(void)
{
	struct snap *s = local, *p = prev;

	local = prev = NULL;
	pthread_once(&key_once, make_key);
	pthread_setspecific(local_key, NULL);
	pthread_setspecific(prev_key, NULL);
	snap_unref(s);
	snap_unref(p);
}

/* Take out the groups `gone` says go, re-indexing the others (lock held). */
static void remove_groups(bool (*gone)(const struct ksr_rtcfg_group *g, const void *arg),
                          const void *arg)
{
	int *map, *newidx, kept = 0, k = 0;
	struct snap *s;

	map = calloc((size_t)(ngroups ? ngroups : 1), sizeof(*map));
	newidx = calloc((size_t)(ngroups ? ngroups : 1), sizeof(*newidx));
	if (!map || !newidx)
		goto out;
	for (int i = 0; i < ngroups; i++) {
		if (gone(groups[i], arg)) {
			newidx[i] = -1;
			group_free(groups[i]);
			continue;
		}
		newidx[i] = kept;
		map[kept] = i;
		groups[kept] = groups[i];
		groups[kept]->idx = kept;
		kept++;
	}
	ngroups = kept;
	/* prepared changes of the groups that went go with them */
	for (int i = 0; i < npending; i++) {
		if (newidx[pending[i].g] < 0) {
			value_free(&pending[i].val);
			continue;
		}
		pending[k] = pending[i];
		pending[k++].g = newidx[pending[i].g];
	}
	npending = k;
	s = snap_build(current, map);
	if (s)
		publish(s);
	else
		LM_CRIT("out of memory: the runtime configuration keeps its old values\n");
out:
	free(map);
	free(newidx);
}

static bool is_custom(const struct ksr_rtcfg_group *g, const void *arg)
{
	return g->custom;
}

static bool is_group(const struct ksr_rtcfg_group *g, const void *arg)
{
	return g == arg;
}

void ksr_rtcfg_clear_custom(void)
{
	pthread_mutex_lock(&lock);
	remove_groups(is_custom, NULL);
	pthread_mutex_unlock(&lock);
	drop_local();
}

void ksr_rtcfg_undeclare(struct ksr_rtcfg_group *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&lock);
	remove_groups(is_group, g);
	pthread_mutex_unlock(&lock);
	drop_local();
}

void ksr_rtcfg_clear(void)
{
	pthread_mutex_lock(&lock);
	pending_clear();
	free(pending);
	pending = NULL;
	pending_cap = 0;
	for (int i = 0; i < ngroups; i++)
		group_free(groups[i]);
	free(groups);
	groups = NULL;
	ngroups = 0;
	snap_unref(current);
	current = NULL;
	atomic_store_explicit(&current_gen, ++gen_counter, memory_order_release);
	pthread_mutex_unlock(&lock);
	drop_local();
}
