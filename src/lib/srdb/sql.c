/*
 * SQL text for srdb's commands, with placeholders for every value: drivers prepare it
 * and bind sql->binds in order, so no value is ever pasted into a statement.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/srdb/db_driver.h"

struct builder {
	struct ksr_db_sql *sql;
	enum ksr_db_sql_dialect dialect;
	int err;
};

static void put(struct builder *b, const char *s, size_t len)
{
	struct ksr_db_sql *sql = b->sql;

	if (b->err)
		return;
	if (sql->len + len + 1 > sql->cap) {
		size_t cap = sql->cap ? sql->cap : 256;
		char *t;

		while (cap < sql->len + len + 1)
			cap *= 2;
		t = realloc(sql->text, cap);
		if (!t) {
			b->err = -ENOMEM;
			return;
		}
		sql->text = t;
		sql->cap = cap;
	}
	memcpy(sql->text + sql->len, s, len);
	sql->len += len;
	sql->text[sql->len] = '\0';
}

static void puts_(struct builder *b, const char *s)
{
	put(b, s, strlen(s));
}

/*
 * SQLite takes `name` as MySQL does. Not "name": SQLite reads a double-quoted name that
 * matches no column as a string literal, so a misspelt column would compare with a
 * constant instead of failing.
 */
static char quote_char(enum ksr_db_sql_dialect d)
{
	return d == KSR_DB_SQL_POSTGRES ? '"' : '`';
}

/* One identifier, each '.'-separated part quoted: "location" or "kamailio"."location". */
static void ident(struct builder *b, const char *s, size_t len)
{
	char q = quote_char(b->dialect);
	size_t start = 0;

	if (len == 0 || memchr(s, '\0', len) || memchr(s, '"', len) || memchr(s, '`', len)) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (i == start) {
			b->err = b->err ? b->err : -EINVAL; /* "a..b", ".a", "a." */
			return;
		}
		if (start)
			put(b, ".", 1);
		put(b, &q, 1);
		put(b, s + start, i - start);
		put(b, &q, 1);
		start = i + 1;
	}
}

static void ident_str(struct builder *b, const struct ksr_str *s)
{
	if (!s || (!s->s && s->len)) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	ident(b, s->s, s->len);
}

static bool val_ok(const struct ksr_db_val *v)
{
	switch (v->type) {
	case KSR_DB_INT:
	case KSR_DB_BIGINT:
	case KSR_DB_DOUBLE:
	case KSR_DB_DATETIME:
		return true;
	case KSR_DB_STRING:
		return v->nul || v->v.string;
	case KSR_DB_STR:
		return v->nul || v->v.str.s || v->v.str.len == 0;
	case KSR_DB_BLOB:
		return v->nul || v->v.blob.s || v->v.blob.len == 0;
	}
	return false;
}

/* A placeholder bound to v. */
static void placeholder(struct builder *b, const struct ksr_db_val *v)
{
	struct ksr_db_sql *sql = b->sql;

	if (b->err)
		return;
	if (!val_ok(v)) {
		b->err = -EINVAL;
		return;
	}
	if (sql->nbinds == sql->binds_cap) {
		int cap = sql->binds_cap ? sql->binds_cap * 2 : 16;
		const struct ksr_db_val **t = realloc(sql->binds, (size_t)cap * sizeof(*t));

		if (!t) {
			b->err = -ENOMEM;
			return;
		}
		sql->binds = t;
		sql->binds_cap = cap;
	}
	sql->binds[sql->nbinds++] = v;
	if (b->dialect == KSR_DB_SQL_POSTGRES) {
		char n[16];

		put(b, n, (size_t)snprintf(n, sizeof(n), "$%d", sql->nbinds));
	} else {
		put(b, "?", 1);
	}
}

static const char *const op_text[] = {
	[KSR_DB_EQ] = "=", [KSR_DB_LT] = "<", [KSR_DB_GT] = ">",
	[KSR_DB_LE] = "<=", [KSR_DB_GE] = ">=", [KSR_DB_NE] = "!=",
};

static void where(struct builder *b, const struct ksr_str *keys, const enum ksr_db_op *ops,
		  const struct ksr_db_val *vals, int n)
{
	for (int i = 0; i < n; i++) {
		enum ksr_db_op op = ops ? ops[i] : KSR_DB_EQ;

		if ((unsigned int)op > KSR_DB_NE) {
			b->err = b->err ? b->err : -EINVAL;
			return;
		}
		puts_(b, i ? " AND " : " WHERE ");
		ident_str(b, &keys[i]);
		if (vals[i].nul) {
			if (op == KSR_DB_EQ)
				puts_(b, " IS NULL");
			else if (op == KSR_DB_NE)
				puts_(b, " IS NOT NULL");
			else
				b->err = b->err ? b->err : -EINVAL;
			continue;
		}
		puts_(b, op_text[op]);
		placeholder(b, &vals[i]);
	}
}

/* "col", "col desc" or "col asc" (any case, any spaces before the direction). */
static void order_by(struct builder *b, const struct ksr_str *order)
{
	struct ksr_str col = *order;
	const char *dir = NULL;

	ksr_str_trim(&col);
	if (col.len > 5 && strncasecmp(col.s + col.len - 5, " desc", 5) == 0) {
		dir = " DESC";
		col.len -= 5;
	} else if (col.len > 4 && strncasecmp(col.s + col.len - 4, " asc", 4) == 0) {
		dir = " ASC";
		col.len -= 4;
	}
	ksr_str_trim(&col);
	puts_(b, " ORDER BY ");
	ident(b, col.s, col.len);
	if (dir)
		puts_(b, dir);
}

static void build_query(struct builder *b, const struct ksr_db_cmd *c)
{
	puts_(b, "SELECT ");
	if (c->ncols <= 0)
		puts_(b, "*");
	for (int i = 0; i < c->ncols; i++) {
		if (i)
			puts_(b, ",");
		ident_str(b, &c->cols[i]);
	}
	puts_(b, " FROM ");
	ident(b, c->table, strlen(c->table));
	where(b, c->keys, c->ops, c->vals, c->n);
	if (c->order && c->order->len)
		order_by(b, c->order);
}

static void build_insert(struct builder *b, const struct ksr_db_cmd *c)
{
	if (c->n <= 0) {
		b->err = -EINVAL;
		return;
	}
	puts_(b, "INSERT INTO ");
	ident(b, c->table, strlen(c->table));
	puts_(b, " (");
	for (int i = 0; i < c->n; i++) {
		if (i)
			puts_(b, ",");
		ident_str(b, &c->keys[i]);
	}
	puts_(b, ") VALUES (");
	for (int i = 0; i < c->n; i++) {
		if (i)
			puts_(b, ",");
		placeholder(b, &c->vals[i]);
	}
	puts_(b, ")");
}

static void build_update(struct builder *b, const struct ksr_db_cmd *c)
{
	if (c->ncols <= 0) {
		b->err = -EINVAL;
		return;
	}
	puts_(b, "UPDATE ");
	ident(b, c->table, strlen(c->table));
	puts_(b, " SET ");
	for (int i = 0; i < c->ncols; i++) {
		if (i)
			puts_(b, ",");
		ident_str(b, &c->cols[i]);
		puts_(b, "=");
		placeholder(b, &c->uvals[i]);
	}
	where(b, c->keys, c->ops, c->vals, c->n);
}

static void build_delete(struct builder *b, const struct ksr_db_cmd *c)
{
	puts_(b, "DELETE FROM ");
	ident(b, c->table, strlen(c->table));
	where(b, c->keys, c->ops, c->vals, c->n);
}

int ksr_db_sql_build(struct ksr_db_sql *sql, enum ksr_db_sql_dialect dialect,
		     const struct ksr_db_cmd *cmd)
{
	struct builder b = {sql, dialect, 0};

	sql->len = 0;
	sql->nbinds = 0;
	if (!cmd->table || cmd->n < 0 || cmd->ncols < 0 || (cmd->n && (!cmd->keys || !cmd->vals)))
		return -EINVAL;
	switch (cmd->kind) {
	case KSR_DB_CMD_QUERY:
		if (cmd->ncols && !cmd->cols)
			return -EINVAL;
		build_query(&b, cmd);
		break;
	case KSR_DB_CMD_INSERT:
		build_insert(&b, cmd);
		break;
	case KSR_DB_CMD_UPDATE:
		if (cmd->ncols && (!cmd->cols || !cmd->uvals))
			return -EINVAL;
		build_update(&b, cmd);
		break;
	case KSR_DB_CMD_DELETE:
		build_delete(&b, cmd);
		break;
	default:
		return -EINVAL;
	}
	if (b.err) {
		sql->len = 0;
		sql->nbinds = 0;
		if (sql->text)
			sql->text[0] = '\0';
		return b.err;
	}
	return 0;
}

void ksr_db_sql_free(struct ksr_db_sql *sql)
{
	if (!sql)
		return;
	free(sql->text);
	free(sql->binds);
	*sql = (struct ksr_db_sql){0};
}
