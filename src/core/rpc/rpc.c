/* The RPC registry, the value model and the call path every transport takes. */
#include "core/rpc/rpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/rtcfg.h"
#include "core/log.h"
#include "core/mem/arena.h"

/* The tables, registered at start (config load, module load) and only read afterwards. */
struct table {
	const struct ksr_rpc_export *exp;
	struct table *next;
};

static struct table *tables, **tables_tail = &tables;

int ksr_rpc_register(const struct ksr_rpc_export *table)
{
	struct table *t;

	for (const struct ksr_rpc_export *e = table; e->name; e++) {
		if (ksr_rpc_find(e->name)) {
			LM_ERR("RPC method %s is exported twice\n", e->name);
			return -EEXIST;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->exp = table;
	*tables_tail = t;
	tables_tail = &t->next;
	return 0;
}

void ksr_rpc_unregister(const struct ksr_rpc_export *table)
{
	for (struct table **pt = &tables; *pt; pt = &(*pt)->next) {
		if ((*pt)->exp == table) {
			struct table *t = *pt;

			*pt = t->next;
			free(t);
			break;
		}
	}
	for (tables_tail = &tables; *tables_tail; tables_tail = &(*tables_tail)->next)
		;
}

const struct ksr_rpc_export *ksr_rpc_find(const char *name)
{
	for (struct table *t = tables; t; t = t->next)
		for (const struct ksr_rpc_export *e = t->exp; e->name; e++)
			if (strcmp(e->name, name) == 0)
				return e;
	return NULL;
}

void ksr_rpc_foreach(void (*fn)(const struct ksr_rpc_export *e, void *arg), void *arg)
{
	for (struct table *t = tables; t; t = t->next)
		for (const struct ksr_rpc_export *e = t->exp; e->name; e++)
			fn(e, arg);
}

void ksr_rpc_clear(void)
{
	while (tables) {
		struct table *t = tables;

		tables = t->next;
		free(t);
	}
	tables_tail = &tables;
}

/* --- values --- */

static struct ksr_rpc_val *new_val(struct ksr_arena *arena, enum ksr_rpc_type type)
{
	struct ksr_rpc_val *v = ksr_arena_alloc(arena, sizeof(*v));

	if (v) {
		memset(v, 0, sizeof(*v));
		v->type = type;
	}
	return v;
}

static int copy(struct ksr_arena *arena, struct ksr_str s, struct ksr_str *ret)
{
	char *c = ksr_arena_alloc(arena, s.len + 1);

	if (!c)
		return -ENOMEM;
	if (s.len)
		memcpy(c, s.s, s.len);
	c[s.len] = '\0';
	*ret = ksr_str_make(c, s.len);
	return 0;
}

struct ksr_rpc_val *ksr_rpc_new_int(struct ksr_arena *arena, long i)
{
	struct ksr_rpc_val *v = new_val(arena, KSR_RPC_INT);

	if (v)
		v->i = i;
	return v;
}

struct ksr_rpc_val *ksr_rpc_new_str(struct ksr_arena *arena, struct ksr_str s)
{
	struct ksr_rpc_val *v = new_val(arena, KSR_RPC_STR);

	if (v && copy(arena, s, &v->s) < 0)
		return NULL;
	return v;
}

void ksr_rpc_fault(struct ksr_rpc_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (ctx->fault_code)
		return; /* the first fault says what went wrong */
	ctx->fault_code = code;
	va_start(ap, fmt);
	vsnprintf(ctx->fault, sizeof(ctx->fault), fmt, ap);
	va_end(ap);
}

/* Link v into parent (NULL: the reply), named when parent is a struct. */
static struct ksr_rpc_val *add(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
			       const char *name, struct ksr_rpc_val *v)
{
	if (!parent)
		parent = &ctx->reply;
	if (!v || (parent->type == KSR_RPC_STRUCT &&
		   copy(ctx->arena, ksr_str_make((char *)(name ? name : ""), name ? strlen(name) : 0),
			&v->name) < 0)) {
		ksr_rpc_fault(ctx, 500, "out of memory");
		return NULL;
	}
	if (parent->last)
		parent->last->next = v;
	else
		parent->first = v;
	parent->last = v;
	return v;
}

struct ksr_rpc_val *ksr_rpc_add_int(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				    const char *name, long i)
{
	return add(ctx, parent, name, ksr_rpc_new_int(ctx->arena, i));
}

struct ksr_rpc_val *ksr_rpc_add_str(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				    const char *name, struct ksr_str s)
{
	return add(ctx, parent, name, ksr_rpc_new_str(ctx->arena, s));
}

struct ksr_rpc_val *ksr_rpc_add_struct(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				       const char *name)
{
	return add(ctx, parent, name, new_val(ctx->arena, KSR_RPC_STRUCT));
}

struct ksr_rpc_val *ksr_rpc_add_array(struct ksr_rpc_ctx *ctx, struct ksr_rpc_val *parent,
				      const char *name)
{
	return add(ctx, parent, name, new_val(ctx->arena, KSR_RPC_ARRAY));
}

/* --- parameters --- */

bool ksr_rpc_param_left(const struct ksr_rpc_ctx *ctx)
{
	return ctx->param != NULL;
}

int ksr_rpc_param_str(struct ksr_rpc_ctx *ctx, struct ksr_str *ret)
{
	struct ksr_rpc_val *v = ctx->param;
	char buf[24];

	if (!v)
		return -ENOENT;
	if (v->type == KSR_RPC_INT) {
		/* a number given where a string is read is that number's text */
		int n = snprintf(buf, sizeof(buf), "%ld", v->i);

		if (copy(ctx->arena, ksr_str_make(buf, (size_t)n), ret) < 0)
			return -ENOMEM;
	} else if (v->type == KSR_RPC_STR) {
		*ret = v->s;
	} else {
		return -EINVAL;
	}
	ctx->param = v->next;
	return 0;
}

int ksr_rpc_param_int(struct ksr_rpc_ctx *ctx, long *ret)
{
	struct ksr_rpc_val *v = ctx->param;

	if (!v)
		return -ENOENT;
	if (v->type == KSR_RPC_INT) {
		*ret = v->i;
	} else if (v->type == KSR_RPC_STR) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v->s.s, &end, 10);
		if (!v->s.len || *end || errno)
			return -EINVAL;
		*ret = n;
	} else {
		return -EINVAL;
	}
	ctx->param = v->next;
	return 0;
}

int ksr_rpc_call(const char *method, struct ksr_rpc_val *params, struct ksr_arena *arena,
		 struct ksr_rpc_ctx *ctx)
{
	const struct ksr_rpc_export *e = ksr_rpc_find(method);

	memset(ctx, 0, sizeof(*ctx));
	ctx->arena = arena;
	ctx->reply.type = KSR_RPC_ARRAY;
	ctx->param = params;
	if (!e) {
		ksr_rpc_fault(ctx, 500, "command %s not found", method);
		return -ENOENT;
	}
	/* a method reading the runtime config sees the newest values */
	ksr_rtcfg_update();
	e->fn(ctx);
	return 0;
}
