/*
 * Result sets: drivers fill them row by row; everything inside lives in the result's
 * arena and goes at once with ksr_db_res_free().
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/srdb/db_driver.h"

int ksr_db_res_new(int ncols, struct ksr_db_res **ret_res)
{
	struct ksr_db_res *res;

	if (ncols < 0)
		return -EINVAL;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	ksr_arena_init(&res->arena, 4096);
	res->ncols = ncols;
	if (ncols) {
		res->names = ksr_arena_alloc(&res->arena, (size_t)ncols * sizeof(*res->names));
		res->types = ksr_arena_alloc(&res->arena, (size_t)ncols * sizeof(*res->types));
		if (!res->names || !res->types) {
			ksr_db_res_free(res);
			return -ENOMEM;
		}
		for (int i = 0; i < ncols; i++)
			res->types[i] = KSR_DB_STR;
	}
	*ret_res = res;
	return 0;
}

char *ksr_db_res_copy(struct ksr_db_res *res, const void *p, size_t len)
{
	char *s;

	if (len == SIZE_MAX)
		return NULL;
	s = ksr_arena_alloc_nz(&res->arena, len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

int ksr_db_res_set_col(struct ksr_db_res *res, int i, const char *name, size_t len,
		       enum ksr_db_type type)
{
	char *s;

	if (i < 0 || i >= res->ncols)
		return -EINVAL;
	s = ksr_db_res_copy(res, name, len);
	if (!s)
		return -ENOMEM;
	res->names[i] = ksr_str_make(s, len);
	res->types[i] = type;
	return 0;
}

struct ksr_db_val *ksr_db_res_add_row(struct ksr_db_res *res)
{
	struct ksr_db_val *vals;

	if (res->nrows == res->rows_alloc) {
		int n = res->rows_alloc ? res->rows_alloc * 2 : 16;
		struct ksr_db_row *rows;

		if (res->rows_alloc > INT_MAX / 2)
			return NULL;
		rows = realloc(res->rows, (size_t)n * sizeof(*rows));
		if (!rows)
			return NULL;
		res->rows = rows;
		res->rows_alloc = n;
	}
	vals = ksr_arena_alloc(&res->arena, (size_t)(res->ncols ? res->ncols : 1) * sizeof(*vals));
	if (!vals)
		return NULL;
	for (int i = 0; i < res->ncols; i++) {
		vals[i].type = res->types[i];
		vals[i].nul = true;
	}
	res->rows[res->nrows++].values = vals;
	return vals;
}

void ksr_db_res_free(struct ksr_db_res *res)
{
	if (!res)
		return;
	free(res->rows);
	ksr_arena_destroy(&res->arena);
	free(res);
}
