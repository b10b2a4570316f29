/* Helpers of the siputils tests (see su_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/msg/edit.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "su_test.h"

/* --- $tv(name) --- */

#define TV_MAX 8

static struct {
	char name[32];
	char *value; /* NULL: unset */
} tv[TV_MAX];

static int tv_index(struct ksr_str name)
{
	for (int i = 0; i < TV_MAX; i++)
		if (tv[i].name[0] && strlen(tv[i].name) == name.len &&
		    memcmp(tv[i].name, name.s, name.len) == 0)
			return i;
	for (int i = 0; i < TV_MAX; i++)
		if (!tv[i].name[0] && name.len < sizeof(tv[i].name)) {
			memcpy(tv[i].name, name.s, name.len);
			tv[i].name[name.len] = '\0';
			return i;
		}
	return -1;
}

static int tv_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	int i = tv_index(spec->name);

	if (i < 0) {
		*ret_err = "too many test variables";
		return -EINVAL;
	}
	spec->pname_i = i;
	return 0;
}

static int tv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const char *v = tv[spec->pname_i].value;

	*ret = v ? (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make((char *)v, strlen(v))}
	         : (struct ksr_val){.type = KSR_VAL_NULL};
	return 0;
}

static int tv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	char *c = NULL;

	if (val->type == KSR_VAL_STR) {
		c = strndup(val->s.s ? val->s.s : "", val->s.len);
		assert_non_null(c);
	}
	free(tv[spec->pname_i].value);
	tv[spec->pname_i].value = c;
	return 0;
}

static const struct ksr_pv_export tv_pvs[] = {
        {.name = "tv",
         .get = tv_get,
         .set = tv_set,
         .parse_name = tv_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {0},
};

void sut_tv_set(const char *name, const char *value)
{
	int i = tv_index(ksr_str_make((char *)name, strlen(name)));

	assert_true(i >= 0);
	free(tv[i].value);
	tv[i].value = value ? strdup(value) : NULL;
}

const char *sut_tv_get(const char *name)
{
	int i = tv_index(ksr_str_make((char *)name, strlen(name)));

	assert_true(i >= 0);
	return tv[i].value;
}

void sut_tv_clear(void)
{
	for (int i = 0; i < TV_MAX; i++) {
		free(tv[i].value);
		tv[i].value = NULL;
	}
}

/* --- fixture --- */

int sut_setup(void **state)
{
	static bool registered;
	struct sut *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	if (!registered) {
		assert_int_equal(ksr_pv_register(tv_pvs), 0);
		/* the module's own $pcv, as the loader registers it */
		assert_int_equal(ksr_pv_register(ksr_module_exports.pvs), 0);
		registered = true;
	}
	/* the constructor joined the files' tables: none may be lost */
	assert_non_null(ksr_module_exports.cmds[0].name);
	assert_int_equal(ksr_module_exports.mod_init(), 0);
	ksr_arena_init(&t->arena, 4096);
	t->msg.arena = &t->arena;
	*state = t;
	return 0;
}

int sut_teardown(void **state)
{
	struct sut *t = *state;

	sut_tv_clear();
	ksr_module_exports.destroy();
	ksr_arena_destroy(&t->arena);
	free(t->buf);
	free(t);
	return 0;
}

void sut_load(struct sut *t, const char *text)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&t->msg.rcv.src;
	const char *err = NULL;
	size_t n = 0;

	free(t->buf);
	t->buf = malloc(2 * strlen(text) + 1);
	assert_non_null(t->buf);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			t->buf[n++] = '\r';
		t->buf[n++] = *p;
	}
	t->buf[n] = '\0';
	ksr_arena_reset(&t->arena);
	memset(&t->msg, 0, sizeof(t->msg));
	if (ksr_msg_parse(&t->msg, t->buf, n, &t->arena, &err) != 0)
		fail_msg("test message does not parse: %s", err ? err : "?");
	memset(&t->listener, 0, sizeof(t->listener));
	t->listener.proto = IPPROTO_UDP;
	t->listener.fd = -1;
	strcpy(t->listener.host, "192.0.2.5");
	t->listener.port = 5060;
	t->msg.rcv.proto = IPPROTO_UDP;
	t->msg.rcv.listener = &t->listener;
	a->sin_family = AF_INET;
	a->sin_port = htons(5060);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &a->sin_addr), 1);
	t->msg.rcv.src_len = sizeof(*a);
}

void sut_options(struct sut *t)
{
	sut_load(t, "OPTIONS sip:bob@example.com SIP/2.0\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-o\n"
	            "From: <sip:alice@example.com>;tag=1\n"
	            "To: <sip:bob@example.com>\n"
	            "Call-ID: o1\n"
	            "CSeq: 1 OPTIONS\n"
	            "Content-Length: 0\n\n");
}

int sut_call(struct sut *t, const char *name, int n, const char *p1, const char *p2, const char *p3)
{
	const char *in[3] = {p1, p2, p3};
	struct ksr_fparam params[KSR_MAX_PARAMS];
	const struct ksr_cmd_export *c;
	const char *err = NULL;

	for (c = ksr_module_exports.cmds; c->name; c++) {
		int k = 0;

		while (k < KSR_MAX_PARAMS && c->params[k] != KSR_PT_NONE)
			k++;
		if (strcmp(c->name, name) == 0 && k == n)
			break;
	}
	if (!c->name)
		fail_msg("no function %s/%d", name, n);
	memset(params, 0, sizeof(params));
	for (int i = 0; i < n; i++) {
		params[i].s = ksr_str_make((char *)in[i], strlen(in[i]));
		/* as the compiler does: RAW parameters reach the fixup as strings */
		params[i].type = c->params[i] == KSR_PT_INT ? KSR_PT_INT : KSR_PT_STR;
		if (c->params[i] == KSR_PT_INT)
			params[i].i = strtol(in[i], NULL, 10);
	}
	if (c->fixup && c->fixup(params, n, &err) < 0)
		return -1000;
	return c->func(&t->msg, params);
}

const char *sut_built(struct sut *t)
{
	struct ksr_str out;
	char *s;

	assert_int_equal(ksr_msg_build(&t->msg, &out), 0);
	s = ksr_arena_alloc(&t->arena, out.len + 1);
	assert_non_null(s);
	memcpy(s, out.s, out.len);
	s[out.len] = '\0';
	return s;
}

const char *sut_ruri(struct sut *t)
{
	struct ksr_str u = ksr_msg_cur_ruri(&t->msg);
	char *s = ksr_arena_alloc(&t->arena, u.len + 1);

	assert_non_null(s);
	memcpy(s, u.s, u.len);
	s[u.len] = '\0';
	return s;
}
