/*
 * Tests of the core parameters (src/core/cfg/core_params.c) as the parser hands them
 * over: value types, what each parameter acted on changes (listeners, aliases and
 * `myself`, the Server header, logging, ids), and the list of those accepted without
 * effect. Also loadmodulex/modparamx and cfgengine (src/core/cfg/parse.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <syslog.h>

#include <cmocka.h>

#include "core/cfg/cfg_fixture.h"
#include "core/cfg/cfgvars.h"
#include "core/log.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"

static int my_group_setup(void **state)
{
	int r = group_setup(state);

	return r < 0 ? r : ksr_cfgvars_pv_register();
}

/* The fixture's teardown, then everything the parameters kept back to the defaults. */
static int my_teardown(void **state)
{
	ksr_cfgvars_clear();
	ksr_cfg_core_reset();
	return teardown(state);
}

static void parse_and_free(const char *text)
{
	ksr_program_unref(parse_ok(text));
}

static bool local(const char *host, unsigned short port)
{
	return ksr_listener_is_local(ksr_str_make((char *)host, strlen(host)), port);
}

/* ---- value types ------------------------------------------------------------------- */

static void test_booleans_and_numbers(void **state)
{
	static const char *const yes[] = {"yes", "on", "true", "enable", "1", "7", "YES"};
	static const char *const no[] = {"no", "off", "false", "disable", "0"};
	char cfg[64];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(cfg, sizeof(cfg), "log_stderror=%s\n", yes[i]);
		ksr_core_cfg.log_stderror = false;
		parse_and_free(cfg);
		assert_true(ksr_core_cfg.log_stderror);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(cfg, sizeof(cfg), "log_stderror=%s\n", no[i]);
		ksr_core_cfg.log_stderror = true;
		parse_and_free(cfg);
		assert_false(ksr_core_cfg.log_stderror);
	}
	/* numbers take yes/no as 1/0, as upstream's lexer reads them */
	parse_and_free("debug=yes\n");
	assert_int_equal(ksr_core_cfg.debug, 1);
	parse_and_free("debug=-1\n");
	assert_int_equal(ksr_core_cfg.debug, -1);
	parse_and_free("max_while_loops = 0x20\n");
	parse_and_free("children=2 ; children=3;\n");
	assert_int_equal(ksr_core_cfg.children, 3);

	expect_error("debug=maybe\n", 1, 1, "debug takes a number");
	expect_error("server_signature=\"no\"\n", 1, 1, "server_signature takes yes or no");
	expect_error("log_name=abc\n", 1, 1, "log_name takes a string in quotes");
	expect_error("log_facility=\"LOG_LOCAL0\"\n", 1, 1,
	             "log_facility takes a bare name (no quotes)");
	expect_error("user=0\n", 1, 1, "user takes a name or a string");
	expect_error("port=\"5070\"\n", 1, 1, "port takes a number");
	expect_error("\n\ttcp_children=\"x\"\n", 2, 2, "tcp_children takes a number");
}

static void test_unknown(void **state)
{
	expect_error("debug=2\n  no_such_param = 1\n", 2, 3, "unknown core parameter 'no_such_param'");
	/* the 5.x spelling only: blacklist became blocklist */
	expect_error("dst_blacklist_init=0\n", 1, 1, "unknown core parameter 'dst_blacklist_init'");
	expect_error("kemi.nosuch = \"x\"\n", 1, 1, "unknown core parameter 'kemi.nosuch'");
	expect_error("kemi.onsend_route_callback = ksr_onsend\n", 1, 1,
	             "kemi.onsend_route_callback takes a string in quotes");
	expect_error("port=70000\n", 1, 1, "port takes a number from 1 to 65535");
}

/* ---- accepted without effect: listed once, with the line --------------------------- */

static void test_not_acted_on(void **state)
{
	parse_and_free("tcp_accept_aliases=yes\n"
	               "tcp_accept_aliases=no\n"
	               "memdbg=5\n"
	               "dns_try_ipv6=yes\n"
	               "use_dns_cache=off\n"
	               "kemi.onsend_route_callback=\"ksr_onsend_route\"\n"
	               "enable_sctp=no\n"
	               "disable_tcp=no\n"
	               "enable_tls=yes\n"
	               "auto_aliases=no\n"
	               "mhomed=1\n"
	               "listen=udp:127.0.0.1:5071 virtual\n");
	assert_true(ksr_cfg_core_param_ignored("tcp_accept_aliases"));
	assert_true(ksr_cfg_core_param_ignored("memdbg"));
	assert_true(ksr_cfg_core_param_ignored("dns_try_ipv6"));
	assert_true(ksr_cfg_core_param_ignored("kemi.onsend_route_callback"));
	assert_true(ksr_cfg_core_param_ignored("enable_tls"));
	assert_true(ksr_cfg_core_param_ignored("mhomed"));
	assert_true(ksr_cfg_core_param_ignored("listen ... virtual"));
	/* what we do anyway is not worth a warning */
	assert_false(ksr_cfg_core_param_ignored("use_dns_cache"));
	assert_false(ksr_cfg_core_param_ignored("enable_sctp"));
	assert_false(ksr_cfg_core_param_ignored("disable_tcp"));
	assert_false(ksr_core_cfg.disable_tcp);
	assert_false(ksr_cfg_core_param_ignored("auto_aliases"));
	/* and those acted on never are */
	parse_and_free("debug=2\nchildren=2\nport=5080\nalias=example.com\n"
		       "tcp_connect_timeout=3\ntcp_send_timeout=4\ntcp_no_connect=yes\n");
	assert_int_equal(ksr_tcp_connect_timeout, 3);
	assert_int_equal(ksr_tcp_send_timeout, 4);
	assert_true(ksr_tcp_no_connect);
	assert_false(ksr_cfg_core_param_ignored("tcp_send_timeout"));
	assert_false(ksr_cfg_core_param_ignored("debug"));
	assert_false(ksr_cfg_core_param_ignored("port"));
	assert_false(ksr_cfg_core_param_ignored("alias"));
	ksr_cfg_core_log_ignored(); /* once each; does not crash */
}

/*
 * The stock config's global section and its commented-out lines, all accepted. Its
 * log_prefix names pv.so's pseudo-variables, which this binary cannot load: the same
 * lines with pv.so are test/cli/stock_globals.cfg.
 */
static void test_stock_globals(void **state)
{
	parse_and_free("#!define DBGLEVEL 2\n"
	               "debug=DBGLEVEL\n"
	               "log_stderror=no\n"
	               "memdbg=5\n"
	               "memlog=5\n"
	               "log_facility=LOG_LOCAL0\n"
	               "log_prefix=\"{$null $sel(cfg_get.pstn.gw_ip)} \"\n"
	               "children=8\n"
	               "disable_tcp=no\n"
	               "tcp_children=8\n"
	               "auto_aliases=no\n"
	               "alias=\"sip.mydomain.com\"\n"
	               "listen=udp:127.0.0.1:5060\n"
	               "tcp_connection_lifetime=3605\n"
	               "tcp_max_connections=2048\n"
	               "tcp_accept_no_cl=yes\n"
	               "enable_tls=yes\n"
	               "tls_max_connections=2048\n"
	               "enable_sctp=no\n"
	               "pstn.gw_ip = \"\" desc \"PSTN GW Address\"\n"
	               "voicemail.srv_port = \"5060\" desc \"VoiceMail Port\"\n"
	               "loadmodule \"testmod.so\"\n"
	               "request_route { exit; }\n"
	               "reply_route { drop; }\n");
	assert_int_equal(ksr_core_cfg.debug, 2);
	assert_int_equal(ksr_core_cfg.log_facility, LOG_LOCAL0);
	assert_true(local("sip.mydomain.com", 0));
	assert_true(ksr_msg_stream_accept_no_clen);
	ksr_msg_stream_accept_no_clen = false;
}

/* ---- acted on ---------------------------------------------------------------------- */

static void test_listen_advertise_name(void **state)
{
	struct ksr_listener *l;

	parse_and_free("listen=udp:127.0.0.1:5071 advertise 192.0.2.7:5080 name \"pub\"\n"
	               "listen = 127.0.0.2 name priv # a comment\n"
	               "listen=udp:127.0.0.3:5073 udp:127.0.0.4:5074 advertise [2001:db8::1]\n");
	l = ksr_listeners();
	assert_string_equal(l->host, "127.0.0.1");
	assert_int_equal(l->port, 5071);
	assert_string_equal(l->adv_host, "192.0.2.7");
	assert_int_equal(l->adv_port, 5080);
	assert_string_equal(l->name, "pub");
	l = l->next;
	assert_string_equal(l->host, "127.0.0.2");
	assert_int_equal(l->port, 5060);
	assert_false(l->port_given);
	assert_string_equal(l->name, "priv");
	assert_string_equal(l->adv_host, "");
	l = l->next;
	assert_int_equal(l->port, 5073);
	assert_string_equal(l->adv_host, "2001:db8::1");
	assert_int_equal(l->adv_port, 0);
	l = l->next;
	assert_int_equal(l->port, 5074);
	assert_string_equal(l->adv_host, "2001:db8::1");
	assert_null(l->next);
	assert_ptr_equal(ksr_listener_find_name("pub"), ksr_listeners());
	assert_null(ksr_listener_find_name("nope"));

	/* `myself`: the listening and the advertised addresses, with their ports */
	assert_true(local("127.0.0.1", 5071));
	assert_false(local("127.0.0.1", 0));
	assert_true(local("192.0.2.7", 5080));
	assert_false(local("192.0.2.7", 5071));
	assert_true(local("127.0.0.2", 0));
	assert_true(local("[2001:db8::1]", 5073));
	assert_true(local("2001:db8:0::1", 5074));
	assert_false(local("2001:db8::1", 0));
}

static void test_listen_errors(void **state)
{
	expect_error("listen=udp:127.0.0.1:5071 advertise\n", 1, 8, "'advertise' needs a value");
	expect_error("listen=udp:127.0.0.1:5071 name \"a\" udp:127.0.0.2\n", 1, 8,
	             "unexpected 'udp:127.0.0.2' after the options");
	expect_error("listen=udp:127.0.0.1 name a\nlisten=udp:127.0.0.2 name a\n", 2, 8,
	             "another listener has this name");
	expect_error("listen=udp:127.0.0.1 advertise 1.2.3.4:99999\n", 1, 8, "bad port");
	expect_error("listen=\n", 2, 1, "expected a value for 'listen'");
	expect_error("listen=udp:127.0.0.1 name \"unterminated\n", 1, 8, "'name' needs a value");
}

static void test_port(void **state)
{
	struct ksr_listener *l;

	/* the default port applies to listeners without one, written before or after it */
	parse_and_free("listen=udp:127.0.0.1\nport=5090\nlisten=127.0.0.2\nlisten=127.0.0.3:5000\n");
	l = ksr_listeners();
	assert_int_equal(l->port, 5090);
	assert_int_equal(l->next->port, 5090);
	assert_int_equal(l->next->next->port, 5000);
	assert_int_equal(ksr_listeners_default_port(), 5090);
	assert_true(local("127.0.0.1", 5090));
	/* the sockaddr follows, for bind() */
	assert_int_equal(ntohs(((struct sockaddr_in *)&l->addr)->sin_port), 5090);
}

static void test_alias(void **state)
{
	parse_and_free("listen=udp:127.0.0.1:5070\n"
	               "alias=example.com\n"
	               "alias=\"sip.example.org:5080\"\n"
	               "alias=udp:pbx.example.net:5090 other.example.net\n"
	               "alias=[2001:db8::5]\n");
	/* an alias without a port matches every port, as a host without one does */
	assert_true(local("example.com", 0));
	assert_true(local("EXAMPLE.com", 5999));
	assert_true(local("sip.example.org", 5080));
	assert_true(local("sip.example.org", 0));
	assert_false(local("sip.example.org", 5081));
	assert_true(local("pbx.example.net", 5090));
	assert_true(local("other.example.net", 1));
	assert_true(local("[2001:db8::5]", 5060));
	assert_false(local("example.co", 0));
	assert_false(local("www.example.com", 0));
	assert_true(local("127.0.0.1", 5070));

	expect_error("alias=\n", 2, 1, "expected a value for 'alias'");
	expect_error("alias=\"\"\n", 1, 7, "alias takes [proto:]host[:port]");
	expect_error("alias=example.com:0\n", 1, 7, "alias 'example.com:0': bad port");
}

/* `myself` in a script sees the aliases */
static void test_alias_myself(void **state)
{
	assert_int_equal(run("alias=example.com\n"
	                     "request_route {\n"
	                     "  if (uri == myself) mark(1);\n"
	                     "  if (\"sip:x@example.org\" == myself) mark(2);\n"
	                     "  if (from_uri == myself) mark(3);\n"
	                     "}\n",
	                     "OPTIONS"),
	                 KSR_RUN_END);
	expect_trace("1 3");
}

static void test_server_header(void **state)
{
	struct request *rq;
	struct ksr_str out, tag = KSR_STR_STATIC("t1");

	parse_and_free("server_header=\"Server: My Proxy 1.0\"\n");
	rq = make_request("OPTIONS");
	assert_int_equal(ksr_reply_build(&rq->msg, 200, ksr_str_make("OK", 2), tag, &out), 0);
	assert_non_null(memmem(out.s, out.len, "\r\nServer: My Proxy 1.0\r\n", 24));
	assert_null(memmem(out.s, out.len, "kamailio", 8));
	free_request(rq);

	/* server_signature=no wins: no Server header at all */
	parse_and_free("server_signature=no\n");
	rq = make_request("OPTIONS");
	assert_int_equal(ksr_reply_build(&rq->msg, 200, ksr_str_make("OK", 2), tag, &out), 0);
	assert_null(memmem(out.s, out.len, "Server:", 7));
	free_request(rq);

	expect_error("server_header=\"My Proxy\"\n", 1, 15, "takes a whole header on one line");
	expect_error("server_header=\"Server: a\\r\\nX-Injected: 1\"\n", 1, 15,
	             "takes a whole header on one line");
	parse_and_free("user_agent_header=\"User-Agent: UA 2\"\n");
	assert_string_equal(ksr_core_cfg.user_agent_header, "User-Agent: UA 2");
	assert_true(ksr_cfg_core_param_ignored("user_agent_header"));
}

static void test_logging(void **state)
{
	parse_and_free("log_name=\"kam-test\"\nlog_facility=LOG_LOCAL3\n");
	assert_string_equal(ksr_core_cfg.log_name, "kam-test");
	assert_int_equal(ksr_core_cfg.log_facility, LOG_LOCAL3);
	assert_int_equal(ksr_log_facility_parse("log_daemon"), LOG_DAEMON);
	assert_int_equal(ksr_log_facility_parse("LOG_NOPE"), -EINVAL);
	expect_error("log_facility=LOG_NOPE\n", 1, 14, "unknown syslog facility 'LOG_NOPE'");
	expect_error("log_name=\"\"\n", 1, 10, "log_name is empty");

	/* a constant prefix needs no evaluation; one with pseudo-variables is parsed once */
	parse_and_free("log_prefix=\"[const] \"\n");
	assert_string_equal(ksr_core_cfg.log_prefix, "[const] ");
	assert_null(ksr_core_cfg.log_prefix_fmt);
	parse_and_free("log_prefix=\"{$null} \"\n");
	assert_non_null(ksr_core_cfg.log_prefix_fmt);
	/* a pseudo-variable no module provides: an error at the parameter's value */
	expect_error("debug=1\nlog_prefix=\"{$nosuchpv} \"\n", 2, 12,
	             "log_prefix: bad pseudo-variable");
	/* lines carry the prefix while it is set */
	ksr_log_set_prefix("{p} ", 4);
	LM_ERR("a line with a prefix (test)\n");
	ksr_log_set_prefix(NULL, 0);
}

static void test_user_group_dirs(void **state)
{
	parse_and_free("user=root\n");
	assert_true(ksr_core_cfg.user_set);
	assert_int_equal(ksr_core_cfg.uid, 0);
	assert_int_equal(ksr_core_cfg.gid, 0);
	assert_string_equal(ksr_core_cfg.user, "root");
	parse_and_free("group=\"root\"\nuid=\"root\"\n");
	assert_true(ksr_core_cfg.group_set);
	expect_error("debug=1\nuser = no_such_user_here\n", 2, 8,
	             "user 'no_such_user_here' does not exist");
	expect_error("group=no_such_group_here\n", 1, 7, "group 'no_such_group_here' does not exist");
	parse_and_free("workdir=\"/tmp\"\nrundir=\"/run/kamailio\"\n");
	assert_string_equal(ksr_core_cfg.workdir, "/tmp");
	assert_string_equal(ksr_core_cfg.rundir, "/run/kamailio");
	assert_true(ksr_cfg_core_param_ignored("rundir"));
}

/* ---- loadmodulex, modparamx, cfgengine, adjacent strings --------------------------- */

static void test_x_variants(void **state)
{
	/* the strings are evaluated at load: here with the core's own $sel */
	parse_and_free("mods.name = \"testmod\"\n"
	               "mods.val = \"v\"\n"
	               "mods.n = 9\n"
	               "loadmodulex \"$sel(cfg_get.mods.name).so\"\n"
	               "modparamx(\"$sel(cfg_get.mods.name)\", \"str_param\", "
	               "\"x-$sel(cfg_get.mods.val)-$sel(cfg_get.mods.n)\")\n"
	               "modparamx(\"testmod\", \"int_param\", 12)\n");
	assert_string_equal(tm->str_param, "x-v-9");
	assert_int_equal(tm->int_param, 12);
	parse_and_free("loadmodulex(\"testmod\")\n");
	/* plain modparam keeps '$' as written (the core never frees modparam strings) */
	free(tm->str_param);
	tm->str_param = NULL;
	parse_and_free("modparam(\"testmod\", \"str_param\", \"$sel(x)\")\n");
	assert_string_equal(tm->str_param, "$sel(x)");

	expect_error("loadmodulex \"$nosuchpv(x)\"\n", 1, 13, "bad pseudo-variable");
	expect_error("debug=1\nmodparamx(\"testmod\", \"str_param\", \"$sel(cfg_get.no.var)\")\n",
	             2, 35, "bad pseudo-variable");
}

static void test_modparam_values(void **state)
{
	/* "a" "b" is one string, also across lines, as the stock config writes it */
	parse_and_free("modparam(\"testmod\", \"str_param\",\n\t\"src_user=$fU;\"\n\t\"dst=$rU\")\n");
	assert_string_equal(tm->str_param, "src_user=$fU;dst=$rU");
	/* bare yes/no are 1/0 */
	parse_and_free("modparam(\"testmod\", \"int_param\", yes)\n");
	assert_int_equal(tm->int_param, 1);
	parse_and_free("modparam(\"testmod\", \"int_param\", off)\n");
	assert_int_equal(tm->int_param, 0);
	expect_error("modparam(\"testmod\", \"int_param\", maybe)\n", 1, 34,
	             "expected a string or a number");
}

static void test_cfgengine(void **state)
{
	parse_and_free("cfgengine \"native\"\nrequest_route { exit; }\n");
	parse_and_free("cfgengine=\"native\"\n");
	expect_error("cfgengine \"lua\"\n", 1, 11, "cfgengine \"lua\": only \"native\"");
	expect_error("\ncfgengine = \"python3\"\n", 2, 13, "KEMI");
	expect_error("cfgengine lua\n", 1, 11, "expected string");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, my_teardown)
	const struct CMUnitTest tests[] = {
	        T(test_booleans_and_numbers),
	        T(test_unknown),
	        T(test_not_acted_on),
	        T(test_stock_globals),
	        T(test_listen_advertise_name),
	        T(test_listen_errors),
	        T(test_port),
	        T(test_alias),
	        T(test_alias_myself),
	        T(test_server_header),
	        T(test_logging),
	        T(test_user_group_dirs),
	        T(test_x_variants),
	        T(test_modparam_values),
	        T(test_cfgengine),
	};
#undef T

	return cmocka_run_group_tests(tests, my_group_setup, group_teardown);
}
