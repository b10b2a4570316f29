/* Control socket addresses (src/lib/binrpc/addr.c): upstream's forms, guesses and refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/binrpc/addr.h"

static void check(const char *spec, enum ksr_binrpc_transport def, enum ksr_binrpc_transport t,
                  const char *name, int port)
{
	struct ksr_binrpc_addr a;
	const char *why = NULL;

	if (ksr_binrpc_addr_parse(spec, def, &a, &why) < 0)
		fail_msg("%s refused: %s", spec, why);
	if (a.transport != t || strcmp(a.name, name) || a.port != port)
		fail_msg("%s: %d %s %d, expected %d %s %d", spec, a.transport, a.name, a.port, t,
		         name, port);
	ksr_binrpc_addr_free(&a);
}

static void refused(const char *spec, enum ksr_binrpc_transport def, const char *why_part)
{
	struct ksr_binrpc_addr a = {0};
	const char *why = NULL;

	if (ksr_binrpc_addr_parse(spec, def, &a, &why) != -EINVAL)
		fail_msg("%s accepted", spec);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("%s: '%s' does not say '%s'", spec, why, why_part);
	assert_null(a.name);
}

static void test_forms(void **state)
{
	/* the examples of ctl's README */
	check("unix:/run/kamailio/kamailio_ctl", KSR_BINRPC_UNIXS, KSR_BINRPC_UNIXS,
	      "/run/kamailio/kamailio_ctl", 0);
	check("udp:localhost:2046", KSR_BINRPC_UNIXS, KSR_BINRPC_UDP, "localhost", 2046);
	check("tcp:localhost:2046", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "localhost", 2046);
	check("unixd:/tmp/unix_dgram", KSR_BINRPC_UNIXS, KSR_BINRPC_UNIXD, "/tmp/unix_dgram", 0);
	check("unixs:/tmp/unix_stream", KSR_BINRPC_UNIXS, KSR_BINRPC_UNIXS, "/tmp/unix_stream", 0);
	check("/tmp/unix_test", KSR_BINRPC_UNIXS, KSR_BINRPC_UNIXS, "/tmp/unix_test", 0);
	check("localhost:3000", KSR_BINRPC_UNIXS, KSR_BINRPC_UDP, "localhost", 3000);
	check("tcp:3012", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "*", 3012);
	check("udp:*:3012", KSR_BINRPC_UNIXS, KSR_BINRPC_UDP, "*", 3012);
	check("fifo:/tmp/kamailio_fifo", KSR_BINRPC_FIFO, KSR_BINRPC_FIFO, "/tmp/kamailio_fifo", 0);
	check("/tmp/kamailio_fifo2", KSR_BINRPC_FIFO, KSR_BINRPC_FIFO, "/tmp/kamailio_fifo2", 0);
	/* case, IPv6, no port (the caller's default applies), a ':' in a path */
	check("TCP:127.0.0.1:2049", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "127.0.0.1", 2049);
	check("tcp:[::1]:2046", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "::1", 2046);
	check("[::1]:2046", KSR_BINRPC_UNIXS, KSR_BINRPC_UDP, "::1", 2046);
	check("tcp:localhost", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "localhost", 0);
	check("tcp:", KSR_BINRPC_UNIXS, KSR_BINRPC_TCP, "*", 0);
	check("unixs:/tmp/a:b", KSR_BINRPC_UNIXS, KSR_BINRPC_UNIXS, "/tmp/a:b", 0);
	/* kamcmd -U: a bare host is udp, a path still a unix socket */
	check("localhost", KSR_BINRPC_UDP, KSR_BINRPC_UDP, "localhost", 0);
	check("/tmp/x", KSR_BINRPC_UDP, KSR_BINRPC_UNIXS, "/tmp/x", 0);
	check("2049", KSR_BINRPC_TCP, KSR_BINRPC_TCP, "*", 2049);
}

static void test_refusals(void **state)
{
	refused("", KSR_BINRPC_UNIXS, "empty");
	refused("unixs:", KSR_BINRPC_UNIXS, "path is missing");
	refused("fifo:", KSR_BINRPC_FIFO, "path is missing");
	refused("tcp:127.0.0.1:99999", KSR_BINRPC_UNIXS, "port");
	refused("udp:127.0.0.1:0", KSR_BINRPC_UNIXS, "port");
	refused("tcp:127.0.0.1:http", KSR_BINRPC_UNIXS, "port");
	refused("tcp:[::1", KSR_BINRPC_UNIXS, "']'");
	refused("tcp:[::1]x", KSR_BINRPC_UNIXS, "':port'");
	refused("sctp:/tmp/x", KSR_BINRPC_UNIXS, "unknown protocol");
	refused("99999", KSR_BINRPC_TCP, "port");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_forms),
	        cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
