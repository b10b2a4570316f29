/* Helpers of registrar's unit tests (see reg_test.h). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/counters.h"
#include "core/parser/msg.h"
#include "reg_test.h"
#include "usrloc.h"

struct regt *regt_new(void)
{
	struct regt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	ksr_arena_init(&t->arena, 4096);
	reg_ul = &usrloc_api;
	reg_default_expires = 3600;
	reg_min_expires = 60;
	reg_min_expires_mode = 0;
	reg_max_expires = 0;
	reg_max_contacts = 0;
	reg_retry_after = 0;
	reg_default_q = UL_Q_UNSET;
	reg_use_path = 0;
	reg_path_mode = REG_PATH_STRICT;
	reg_case_sensitive = 0;
	reg_method_filtering = 0;
	reg_append_branches = 1;
	reg_realm_prefix = NULL;
	usrloc_use_domain = 0;
	assert_int_equal(usrloc_register_domain("location", &t->d), 0);
	return t;
}

void regt_free(struct regt *t)
{
	usrloc_tables_free();
	ksr_counters_clear();
	registrar_profiles_free();
	ksr_arena_destroy(&t->arena);
	free(t->buf);
	free(t);
}

void regt_load(struct regt *t, const char *text)
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
	strcpy(t->listener.host, "192.0.2.5");
	t->listener.port = 5060;
	t->msg.rcv.proto = IPPROTO_UDP;
	t->msg.rcv.listener = &t->listener;
	a->sin_family = AF_INET;
	a->sin_port = htons(5070);
	inet_pton(AF_INET, "198.51.100.1", &a->sin_addr);
	t->msg.rcv.src_len = sizeof(*a);
}

int regt_save(struct regt *t, const char *user, const char *callid, unsigned int cseq,
              const char *extra, unsigned int flags)
{
	char text[2048];

	snprintf(text, sizeof(text),
	         "REGISTER sip:example.com SIP/2.0\n"
	         "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bK%u\n"
	         "From: <sip:%s@example.com>;tag=f\n"
	         "To: <sip:%s@example.com>\n"
	         "Call-ID: %s\n"
	         "CSeq: %u REGISTER\n"
	         "%s"
	         "Content-Length: 0\n\n",
	         cseq, user, user, callid, cseq, extra);
	regt_load(t, text);
	return registrar_save(&t->msg, t->d, flags | REG_SAVE_NO_REPLY | REG_SAVE_PREPARE_REPLY,
	                      KSR_STR_NULL);
}

const char *regt_hdrs(struct regt *t)
{
	static char buf[4096];
	size_t n =
	        t->msg.reply_hdrs.len < sizeof(buf) - 1 ? t->msg.reply_hdrs.len : sizeof(buf) - 1;

	if (n)
		memcpy(buf, t->msg.reply_hdrs.s, n);
	buf[n] = '\0';
	return buf;
}

unsigned int regt_code(struct regt *t)
{
	const char *h = regt_hdrs(t), *e = strstr(h, "P-Registrar-Error: ");

	if (!e)
		return 200;
	e += strlen("P-Registrar-Error: ");
	for (int k = 1; k < R_COUNT; k++) {
		const char *text = registrar_error_text((enum reg_error)k);
		size_t n = strlen(text);

		if (strncmp(e, text, n) == 0 && e[n] == '\r')
			return registrar_error_code((enum reg_error)k);
	}
	return 0;
}
