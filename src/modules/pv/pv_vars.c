/*
 * Script variables: $var(name), private to each worker thread and kept across messages,
 * and $shv(name), one value shared by all workers under a lock.
 *
 * Names are registered when the config is parsed (before workers start, or by a reload)
 * and get a number; a worker keeps its $var values in a thread-local array indexed by it.
 * The registry lives in fixed chunks that never move, so workers read it without a lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

#define CHUNK 256
#define MAX_CHUNKS 256 /* up to 65536 names of each kind */

/* A value owned by the variable: strings are malloc'ed. */
struct owned_val {
	struct ksr_val v;
};

struct var_def {
	char *name;
	size_t len;
	struct owned_val init; /* $var: initial value (varset); $shv: the value itself */
};

struct registry {
	struct var_def *chunks[MAX_CHUNKS];
	atomic_size_t n;
	pthread_mutex_t lock; /* registration; for $shv also every value access */
};

static struct registry vars = {.lock = PTHREAD_MUTEX_INITIALIZER};
static struct registry shvs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct var_def *def_at(struct registry *reg, size_t id)
{
	return &reg->chunks[id / CHUNK][id % CHUNK];
}

static void owned_clear(struct owned_val *o)
{
	if (o->v.type == KSR_VAL_STR)
		free(o->v.s.s);
	o->v = (struct ksr_val){.type = KSR_VAL_INT, .i = 0};
}

/* Assign: $null makes the variable int 0, as upstream. */
static int owned_set(struct owned_val *o, const struct ksr_val *val)
{
	struct ksr_val v = {.type = KSR_VAL_INT};

	if (val->type == KSR_VAL_STR) {
		v.type = KSR_VAL_STR;
		v.s.s = malloc(val->s.len + 1);
		if (!v.s.s)
			return -ENOMEM;
		if (val->s.len)
			memcpy(v.s.s, val->s.s, val->s.len);
		v.s.s[val->s.len] = '\0';
		v.s.len = val->s.len;
	} else if (val->type == KSR_VAL_INT) {
		v.i = val->i;
	}
	/* the old value goes after the copy: "$var(x) = $var(x)" stays valid */
	owned_clear(o);
	o->v = v;
	return 0;
}

/* The value into msg's arena: it stays valid for the message whatever the variable does. */
static int owned_get(struct ksr_msg *msg, const struct owned_val *o, struct ksr_val *ret)
{
	if (o->v.type == KSR_VAL_STR)
		return pv_ret_strdup(msg, ret, o->v.s.s, o->v.s.len);
	return pv_ret_int(ret, o->v.type == KSR_VAL_INT ? o->v.i : 0);
}

static bool valid_name(struct ksr_str name)
{
	if (name.len == 0)
		return false;
	for (size_t i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.s[i];

		if (c <= ' ' || c >= 0x7f || strchr("()[]{}$\"'=;,", c))
			return false;
	}
	return true;
}

/* The id of name, registered when new. -ENOSPC when the registry is full. */
static long registry_id(struct registry *reg, struct ksr_str name)
{
	size_t n;
	long id = -ENOSPC;

	pthread_mutex_lock(&reg->lock);
	n = atomic_load(&reg->n);
	for (size_t i = 0; i < n; i++) {
		struct var_def *d = def_at(reg, i);

		if (d->len == name.len && memcmp(d->name, name.s, name.len) == 0) {
			id = (long)i;
			goto out;
		}
	}
	if (n == (size_t)CHUNK * MAX_CHUNKS)
		goto out;
	if (!reg->chunks[n / CHUNK] &&
	    !(reg->chunks[n / CHUNK] = calloc(CHUNK, sizeof(struct var_def)))) {
		id = -ENOMEM;
		goto out;
	}
	{
		struct var_def *d = def_at(reg, n);

		d->name = strndup(name.s, name.len);
		if (!d->name) {
			id = -ENOMEM;
			goto out;
		}
		d->len = name.len;
		d->init.v = (struct ksr_val){.type = KSR_VAL_INT, .i = 0};
	}
	atomic_store(&reg->n, n + 1);
	id = (long)n;
out:
	pthread_mutex_unlock(&reg->lock);
	return id;
}

static int name_to_id(struct registry *reg, struct ksr_pv_spec *spec, const char **ret_err)
{
	long id;

	if (!valid_name(spec->name)) {
		*ret_err = "bad variable name";
		return -EINVAL;
	}
	id = registry_id(reg, spec->name);
	if (id < 0) {
		*ret_err = id == -ENOSPC ? "too many variables" : "out of memory";
		return (int)id;
	}
	spec->pname_i = id;
	return 0;
}

/* --- $var: thread-local values --- */

struct tls_vars {
	struct owned_val *vals;
	bool *set; /* whether this worker assigned the variable (else: its initial value) */
	size_t n;
};

static __thread struct tls_vars *tls;
static pthread_key_t tls_key;
static pthread_mutex_t tls_key_lock = PTHREAD_MUTEX_INITIALIZER;
static bool tls_key_ok;

static void tls_free(void *p)
{
	struct tls_vars *t = p;

	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		owned_clear(&t->vals[i]);
	free(t->vals);
	free(t->set);
	free(t);
}

/* The key frees a worker's values when its thread ends; made on first use. */
static int tls_key_init(void)
{
	int r = 0;

	pthread_mutex_lock(&tls_key_lock);
	if (!tls_key_ok) {
		if (pthread_key_create(&tls_key, tls_free) == 0)
			tls_key_ok = true;
		else
			r = -EAGAIN;
	}
	pthread_mutex_unlock(&tls_key_lock);
	return r;
}

/* This thread's slot of variable id, grown on demand. */
static int tls_slot(size_t id, struct tls_vars **ret)
{
	struct tls_vars *t = tls;

	if (!t) {
		int r = tls_key_init();

		if (r < 0)
			return r;
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		tls = t;
		pthread_setspecific(tls_key, t);
	}
	if (id >= t->n) {
		size_t n = atomic_load(&vars.n);
		struct owned_val *v;
		bool *s;

		if (n <= id)
			n = id + 1;
		v = realloc(t->vals, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->vals = v;
		s = realloc(t->set, n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->set = s;
		for (size_t i = t->n; i < n; i++) {
			t->vals[i].v = (struct ksr_val){.type = KSR_VAL_INT};
			t->set[i] = false;
		}
		t->n = n;
	}
	*ret = t;
	return 0;
}

static int var_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	return name_to_id(&vars, spec, ret_err);
}

static int var_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	size_t id = (size_t)spec->pname_i;
	struct tls_vars *t = tls;

	if (t && id < t->n && t->set[id])
		return owned_get(msg, &t->vals[id], ret);
	/* the initial value (varset) is written before workers start, then only read */
	return owned_get(msg, &def_at(&vars, id)->init, ret);
}

static int var_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	size_t id = (size_t)spec->pname_i;
	struct tls_vars *t;
	int r;

	if ((r = tls_slot(id, &t)) < 0)
		return r;
	if ((r = owned_set(&t->vals[id], val)) < 0)
		return r;
	t->set[id] = true;
	return 0;
}

/* --- $shv: shared values under the registry lock --- */

static int shv_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	return name_to_id(&shvs, spec, ret_err);
}

static int shv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	int r;

	pthread_mutex_lock(&shvs.lock);
	r = owned_get(msg, &def_at(&shvs, (size_t)spec->pname_i)->init, ret);
	pthread_mutex_unlock(&shvs.lock);
	return r;
}

static int shv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	int r;

	pthread_mutex_lock(&shvs.lock);
	r = owned_set(&def_at(&shvs, (size_t)spec->pname_i)->init, val);
	pthread_mutex_unlock(&shvs.lock);
	return r;
}

/* --- modparams and cleanup --- */

/* "name=i:123" or "name=s:text" (modparams varset and shvset). */
int pv_var_init_param(const char *def, bool shared)
{
	struct registry *reg = shared ? &shvs : &vars;
	const char *eq = strchr(def, '=');
	struct ksr_val v = {0};
	struct ksr_str name;
	long id;
	int r;

	if (!eq || eq == def || (eq[1] != 'i' && eq[1] != 's') || eq[2] != ':')
		return -EINVAL;
	name = ksr_str_make((char *)def, (size_t)(eq - def));
	ksr_str_trim(&name);
	if (!valid_name(name))
		return -EINVAL;
	if (eq[1] == 'i') {
		struct ksr_val s = {.type = KSR_VAL_STR,
		                    .s = ksr_str_make((char *)eq + 3, strlen(eq + 3))};

		if (ksr_val_to_int(&s, &v.i) < 0)
			return -EINVAL;
		v.type = KSR_VAL_INT;
	} else {
		v.type = KSR_VAL_STR;
		v.s = ksr_str_make((char *)eq + 3, strlen(eq + 3));
	}
	id = registry_id(reg, name);
	if (id < 0)
		return (int)id;
	pthread_mutex_lock(&reg->lock);
	r = owned_set(&def_at(reg, (size_t)id)->init, &v);
	pthread_mutex_unlock(&reg->lock);
	return r;
}

static void registry_free(struct registry *reg)
{
	size_t n = atomic_load(&reg->n);

	for (size_t i = 0; i < n; i++) {
		struct var_def *d = def_at(reg, i);

		free(d->name);
		owned_clear(&d->init);
	}
	for (size_t c = 0; c < MAX_CHUNKS; c++) {
		free(reg->chunks[c]);
		reg->chunks[c] = NULL;
	}
	atomic_store(&reg->n, 0);
}

void pv_vars_destroy(void)
{
	/* the calling thread's $var values; other workers' went with their threads */
	if (tls) {
		pthread_setspecific(tls_key, NULL);
		tls_free(tls);
		tls = NULL;
	}
	/* no destructor of an unloaded module may run at a later thread exit */
	pthread_mutex_lock(&tls_key_lock);
	if (tls_key_ok) {
		pthread_key_delete(tls_key);
		tls_key_ok = false;
	}
	pthread_mutex_unlock(&tls_key_lock);
	registry_free(&vars);
	registry_free(&shvs);
}

const struct ksr_pv_export pv_var_pvs[] = {
        {.name = "var",
         .get = var_get,
         .set = var_set,
         .parse_name = var_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "shv",
         .get = shv_get,
         .set = shv_set,
         .parse_name = shv_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = NULL},
};
