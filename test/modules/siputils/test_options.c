/*
 * Tests of src/modules/siputils/options.c: options_reply (the reply is sent over a real
 * loopback UDP socket and read back) and the Remote-Party-ID functions. The reply's
 * headers were compared with the reference daemon (Kamailio 5.6.3).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/pv/avp.h"
#include "siputils.h"
#include "su_test.h"

#define CALL0(t, f) sut_call((t), (f), 0, NULL, NULL, NULL)
#define CALL2(t, f, a, b) sut_call((t), (f), 2, (a), (b), NULL)

static int udp_socket(struct sockaddr_in *ret_addr)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 2};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	*ret_addr = a;
	return fd;
}

/*
 * Run options_reply on an OPTIONS to ruri received from a loopback client; the reply
 * goes to *ret_reply (NUL-terminated, "" when none came). Returns the function's value.
 */
static int options_reply(struct sut *t, const char *method, const char *ruri, char *ret_reply,
                         size_t size)
{
	struct sockaddr_in srv, cli;
	int sfd = udp_socket(&srv), cfd = udp_socket(&cli);
	char msg[1024];
	ssize_t n;
	int r;

	snprintf(msg, sizeof(msg),
	         "%s %s SIP/2.0\n"
	         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-opt;rport\n"
	         "From: <sip:alice@example.com>;tag=f1\n"
	         "To: <%s>\n"
	         "Call-ID: opt-1\n"
	         "CSeq: 7 %s\n"
	         "Max-Forwards: 70\n"
	         "Content-Length: 0\n\n",
	         method, ruri, ntohs(cli.sin_port), ruri, method);
	sut_load(t, msg);
	t->listener.fd = sfd;
	memcpy(&t->msg.rcv.src, &cli, sizeof(cli));
	t->msg.rcv.src_len = sizeof(cli);
	r = CALL0(t, "options_reply");
	ret_reply[0] = '\0';
	if (r > 0) {
		n = recv(cfd, ret_reply, size - 1, 0);
		assert_true(n > 0);
		ret_reply[n] = '\0';
	}
	close(sfd);
	close(cfd);
	t->listener.fd = -1;
	return r;
}

static void expect_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' not in:\n%s", part, text);
}

static void test_options_reply_defaults(void **state)
{
	struct sut *t = *state;
	char reply[2048];

	assert_int_equal(options_reply(t, "OPTIONS", "sip:127.0.0.1", reply, sizeof(reply)), 1);
	assert_true(t->msg.replied);
	expect_has(reply, "SIP/2.0 200 OK\r\n");
	expect_has(reply, "\r\nCSeq: 7 OPTIONS\r\n");
	expect_has(reply, "\r\nCall-ID: opt-1\r\n");
	expect_has(reply, "\r\nTo: <sip:127.0.0.1>;tag=");
	expect_has(reply, "\r\nAccept: */*\r\n"
	                  "Accept-Encoding: \r\n"
	                  "Accept-Language: en\r\n"
	                  "Supported: \r\n");
	expect_has(reply, "\r\nContent-Length: 0\r\n\r\n");
}

static void test_options_reply_params(void **state)
{
	struct sut *t = *state;
	char reply[2048];

	siputils_opt_accept = "application/sdp";
	siputils_opt_accept_encoding = "gzip";
	siputils_opt_accept_language = "de";
	siputils_opt_support = "100rel, path";
	assert_int_equal(siputils_options_init(), 0);
	assert_int_equal(
	        options_reply(t, "OPTIONS", "sip:example.com;transport=udp", reply, sizeof(reply)),
	        1);
	expect_has(reply, "\r\nAccept: application/sdp\r\n"
	                  "Accept-Encoding: gzip\r\n"
	                  "Accept-Language: de\r\n"
	                  "Supported: 100rel, path\r\n");
	/* a line break in a parameter is refused at mod_init */
	siputils_opt_support = "a\r\nX-Injected: 1";
	assert_int_equal(siputils_options_init(), -EINVAL);
	siputils_opt_accept = "*/*";
	siputils_opt_accept_encoding = "";
	siputils_opt_accept_language = "en";
	siputils_opt_support = "";
}

static void test_options_reply_refuses(void **state)
{
	struct sut *t = *state;
	char reply[2048];

	/* not OPTIONS, or addressed to a user: false, nothing sent */
	assert_int_equal(options_reply(t, "INFO", "sip:127.0.0.1", reply, sizeof(reply)), -1);
	assert_false(t->msg.replied);
	assert_int_equal(options_reply(t, "OPTIONS", "sip:bob@127.0.0.1", reply, sizeof(reply)),
	                 -1);
	assert_false(t->msg.replied);
	/* a reply is never answered */
	sut_load(t, "SIP/2.0 200 OK\n"
	            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\n"
	            "From: <sip:alice@example.com>;tag=f1\n"
	            "To: <sip:bob@example.com>;tag=t2\n"
	            "Call-ID: c1\n"
	            "CSeq: 1 OPTIONS\n"
	            "Content-Length: 0\n\n");
	assert_int_equal(CALL0(t, "options_reply"), -1);
}

static void set_rpid(struct sut *t, const char *v)
{
	struct ksr_val val = {.type = KSR_VAL_STR, .s = ksr_str_make((char *)v, strlen(v))};

	assert_int_equal(ksr_avp_add(&t->msg, KSR_STR_STATIC("rpid"), &val), 0);
}

static void test_append_rpid_hf(void **state)
{
	struct sut *t = *state;

	sut_options(t);
	assert_int_equal(CALL0(t, "append_rpid_hf"), -1); /* no AVP */
	set_rpid(t, "<sip:+4930123@example.com>");
	assert_int_equal(CALL0(t, "append_rpid_hf"), 1);
	assert_int_equal(CALL2(t, "append_rpid_hf", "P<", ">S"), 1);
	expect_has(sut_built(t), "\r\nContent-Length: 0\r\n"
	                         "Remote-Party-ID: <sip:+4930123@example.com>;party=calling;"
	                         "id-type=subscriber;screen=yes\r\n"
	                         "Remote-Party-ID: P<<sip:+4930123@example.com>>S\r\n\r\n");
	/* no line breaks into the message */
	assert_int_equal(CALL2(t, "append_rpid_hf", "", "\r\nX-Injected: 1"), -1);
	/* an integer AVP is no URI */
	sut_options(t);
	{
		struct ksr_val i = {.type = KSR_VAL_INT, .i = 5};

		assert_int_equal(ksr_avp_add(&t->msg, KSR_STR_STATIC("rpid"), &i), 0);
	}
	assert_int_equal(CALL0(t, "append_rpid_hf"), -1);
}

static void test_rpid_avp_param(void **state)
{
	struct sut *t = *state;
	char *saved = siputils_rpid_avp;

	siputils_rpid_avp = "$avp(myrpid)";
	assert_int_equal(siputils_rpid_init(), 0);
	sut_options(t);
	set_rpid(t, "<sip:+4930123@example.com>"); /* the default name: not looked at */
	assert_int_equal(CALL0(t, "is_rpid_user_e164"), -1);
	{
		struct ksr_val v = {.type = KSR_VAL_STR, .s = KSR_STR_STATIC("tel:+4930123")};

		assert_int_equal(ksr_avp_add(&t->msg, KSR_STR_STATIC("myrpid"), &v), 0);
	}
	assert_int_equal(CALL0(t, "is_rpid_user_e164"), 1);
	/* "" disables the RPID functions */
	siputils_rpid_avp = "";
	assert_int_equal(siputils_rpid_init(), 0);
	assert_int_equal(CALL0(t, "is_rpid_user_e164"), -1);
	assert_int_equal(CALL0(t, "append_rpid_hf"), -1);
	/* anything but $avp(name) is a configuration error */
	siputils_rpid_avp = "$var(x)";
	assert_int_equal(siputils_rpid_init(), -EINVAL);
	siputils_rpid_avp = "$avp()";
	assert_int_equal(siputils_rpid_init(), -EINVAL);
	siputils_rpid_avp = "$avp(a b)";
	assert_int_equal(siputils_rpid_init(), -EINVAL);
	siputils_rpid_avp = saved;
	assert_int_equal(siputils_rpid_init(), 0);
}

static void test_is_rpid_user_e164(void **state)
{
	struct sut *t = *state;
	static const struct {
		const char *v;
		int rc;
	} cases[] = {
	        {"<sip:+4930123@example.com>", 1},
	        {"\"Name\" <sip:+4930123@example.com;user=phone>;party=calling", 1},
	        {"tel:+4930123", 1},
	        {"sips:+4930123@example.com", 1},
	        {"sip:bob@example.com", -1},
	        {"+4930123", -1},
	        {"<sip:+4930123:pw@example.com>", -1},
	        {"<sip:+1@example.com>", -1},
	        {"<urn:service:sos>", -1},
	        {"garbage <", -1},
	};

	sut_options(t);
	assert_int_equal(CALL0(t, "is_rpid_user_e164"), -1); /* no AVP */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sut_options(t);
		set_rpid(t, cases[i].v);
		if (CALL0(t, "is_rpid_user_e164") != cases[i].rc)
			fail_msg("is_rpid_user_e164 with '%s': want %d", cases[i].v, cases[i].rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_options_reply_defaults, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_options_reply_params, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_options_reply_refuses, sut_setup,
	                                        sut_teardown),
	        cmocka_unit_test_setup_teardown(test_append_rpid_hf, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_rpid_avp_param, sut_setup, sut_teardown),
	        cmocka_unit_test_setup_teardown(test_is_rpid_user_e164, sut_setup, sut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
