/* Helpers of the pv module's tests (see pv_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/parser/msg.h"
#include "pv_test.h"

void pvt_register(void)
{
	static bool done;

	if (done)
		return;
	/* the constructor joined the module's tables: none may be lost */
	assert_non_null(ksr_module_exports.pvs[0].name);
	assert_non_null(ksr_module_exports.trans[0].name);
	assert_int_equal(ksr_pv_register(ksr_module_exports.pvs), 0);
	assert_int_equal(ksr_tr_register(ksr_module_exports.trans), 0);
	done = true;
}

struct pvt *pvt_new(void)
{
	struct pvt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	pvt_register();
	ksr_arena_init(&t->parena, 2048);
	ksr_arena_init(&t->marena, 2048);
	t->msg.arena = &t->marena;
	return t;
}

void pvt_free(struct pvt *t)
{
	if (!t)
		return;
	ksr_arena_destroy(&t->parena);
	ksr_arena_destroy(&t->marena);
	free(t->buf);
	free(t);
}

void pvt_load(struct pvt *t, const char *text, const char *src_ip, unsigned short src_port)
{
	size_t n = 0;
	const char *err = NULL;

	free(t->buf);
	t->buf = malloc(2 * strlen(text) + 1);
	assert_non_null(t->buf);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			t->buf[n++] = '\r';
		t->buf[n++] = *p;
	}
	t->buf[n] = '\0';
	ksr_arena_reset(&t->marena);
	if (ksr_msg_parse(&t->msg, t->buf, n, &t->marena, &err) != 0)
		fail_msg("test message does not parse: %s", err ? err : "?");
	memset(&t->listener, 0, sizeof(t->listener));
	t->listener.proto = IPPROTO_UDP;
	t->msg.rcv.proto = IPPROTO_UDP;
	t->msg.rcv.listener = &t->listener;
	if (strchr(src_ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->msg.rcv.src;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(src_port);
		assert_int_equal(inet_pton(AF_INET6, src_ip, &a->sin6_addr), 1);
		t->msg.rcv.src_len = sizeof(*a);
		strcpy(t->listener.host, "2001:db8::5");
		t->listener.port = 5062;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&t->msg.rcv.src;

		a->sin_family = AF_INET;
		a->sin_port = htons(src_port);
		assert_int_equal(inet_pton(AF_INET, src_ip, &a->sin_addr), 1);
		t->msg.rcv.src_len = sizeof(*a);
		strcpy(t->listener.host, "192.0.2.5");
		t->listener.port = 5060;
	}
}

void pvt_empty(struct pvt *t)
{
	pvt_load(t,
	         "OPTIONS sip:x@example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-e\n"
	         "From: <sip:a@example.com>;tag=1\n"
	         "To: <sip:x@example.com>\n"
	         "Call-ID: e\n"
	         "CSeq: 1 OPTIONS\n"
	         "Content-Length: 0\n\n",
	         "192.0.2.1", 5060);
}

struct ksr_pv_spec *pvt_spec(struct pvt *t, const char *pv)
{
	struct ksr_pv_spec *spec = NULL;
	const char *err = NULL;
	size_t used = 0;
	int r = ksr_pv_parse(ksr_str_make((char *)pv, strlen(pv)), &t->parena, &spec, &used, &err);

	if (r != 0)
		fail_msg("parse '%s': %d %s", pv, r, err ? err : "");
	if (used != strlen(pv))
		fail_msg("parse '%s': used %zu of %zu", pv, used, strlen(pv));
	return spec;
}

void pvt_parse_err(struct pvt *t, const char *pv, const char *want)
{
	struct ksr_pv_spec *spec = NULL;
	const char *err = NULL;
	size_t used = 0;
	int r = ksr_pv_parse(ksr_str_make((char *)pv, strlen(pv)), &t->parena, &spec, &used, &err);

	if (r >= 0)
		fail_msg("parse '%s' succeeded, want an error", pv);
	assert_non_null(err);
	if (want && !strstr(err, want))
		fail_msg("parse '%s': error '%s', want '%s'", pv, err, want);
}

int pvt_get(struct pvt *t, const char *pv, struct ksr_val *ret)
{
	return ksr_pv_get(&t->msg, pvt_spec(t, pv), ret);
}

void pvt_expect_str(struct pvt *t, const char *pv, const char *want)
{
	struct ksr_val v;
	int r = pvt_get(t, pv, &v);

	if (r != 0)
		fail_msg("%s: get failed (%d), want '%s'", pv, r, want);
	if (v.type != KSR_VAL_STR)
		fail_msg("%s: type %d (int %ld), want string '%s'", pv, v.type, v.i, want);
	if (v.s.len != strlen(want) || memcmp(v.s.s, want, v.s.len) != 0)
		fail_msg("%s: got '%.*s', want '%s'", pv, (int)v.s.len, v.s.s, want);
}

void pvt_expect_int(struct pvt *t, const char *pv, long want)
{
	struct ksr_val v;
	int r = pvt_get(t, pv, &v);

	if (r != 0)
		fail_msg("%s: get failed (%d), want %ld", pv, r, want);
	if (v.type != KSR_VAL_INT)
		fail_msg("%s: type %d ('%.*s'), want int %ld", pv, v.type,
		         v.type == KSR_VAL_STR ? (int)v.s.len : 0, v.s.s, want);
	if (v.i != want)
		fail_msg("%s: got %ld, want %ld", pv, v.i, want);
}

void pvt_expect_null(struct pvt *t, const char *pv)
{
	struct ksr_val v;
	int r = pvt_get(t, pv, &v);

	if (r != 0)
		fail_msg("%s: get failed (%d), want null", pv, r);
	if (v.type != KSR_VAL_NULL)
		fail_msg("%s: type %d ('%.*s' / %ld), want null", pv, v.type,
		         v.type == KSR_VAL_STR ? (int)v.s.len : 0, v.s.s, v.i);
}

void pvt_expect_err(struct pvt *t, const char *pv)
{
	struct ksr_val v;
	int r = pvt_get(t, pv, &v);

	if (r >= 0)
		fail_msg("%s: get succeeded (type %d '%.*s' %ld), want an error", pv, v.type,
		         v.type == KSR_VAL_STR ? (int)v.s.len : 0, v.s.s, v.i);
}

int pvt_set_str(struct pvt *t, const char *pv, const char *s)
{
	struct ksr_val v = {.type = KSR_VAL_STR, .s = ksr_str_make((char *)s, strlen(s))};

	return ksr_pv_set(&t->msg, pvt_spec(t, pv), &v);
}

int pvt_set_int(struct pvt *t, const char *pv, long i)
{
	struct ksr_val v = {.type = KSR_VAL_INT, .i = i};

	return ksr_pv_set(&t->msg, pvt_spec(t, pv), &v);
}

int pvt_set_null(struct pvt *t, const char *pv)
{
	struct ksr_val v = {.type = KSR_VAL_NULL};

	return ksr_pv_set(&t->msg, pvt_spec(t, pv), &v);
}

int pvt_call(struct pvt *t, const char *name, int nparams, const char *p1, const char *p2,
             const char *p3)
{
	const char *in[3] = {p1, p2, p3};
	struct ksr_fparam params[KSR_MAX_PARAMS];
	const struct ksr_cmd_export *c;
	const char *err = NULL;

	for (c = ksr_module_exports.cmds; c->name; c++) {
		int n = 0;

		while (n < KSR_MAX_PARAMS && c->params[n] != KSR_PT_NONE)
			n++;
		if (strcmp(c->name, name) == 0 && n == nparams)
			break;
	}
	if (!c->name)
		fail_msg("no function %s/%d", name, nparams);
	memset(params, 0, sizeof(params));
	for (int i = 0; i < nparams; i++) {
		params[i].s = ksr_str_make((char *)in[i], strlen(in[i]));
		params[i].type = c->params[i];
		if (c->params[i] == KSR_PT_INT)
			params[i].i = strtol(in[i], NULL, 10);
	}
	if (c->fixup && c->fixup(params, nparams, &err) < 0)
		return -1000; /* refused at load */
	return c->func(&t->msg, params);
}
