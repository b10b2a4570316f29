/* Destinations from URIs, the listener a socket spec names, and TCP without workers. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"

#define S(lit) ksr_str_make((lit), sizeof(lit) - 1)

static unsigned short port_of(const struct ksr_dest *d)
{
	if (d->to.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&d->to)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&d->to)->sin_port);
}

static const char *addr_of(const struct ksr_dest *d, char *buf, size_t size)
{
	const void *a = d->to.ss_family == AF_INET6
				? (const void *)&((const struct sockaddr_in6 *)&d->to)->sin6_addr
				: (const void *)&((const struct sockaddr_in *)&d->to)->sin_addr;

	return inet_ntop(d->to.ss_family, a, buf, (socklen_t)size);
}

static void test_dest_from_uri(void **state)
{
	struct ksr_dest d;
	char a[64];

	(void)state;
	/* no transport: UDP, port 5060 */
	assert_int_equal(ksr_dest_from_uri(S("sip:bob@192.0.2.7"), 0, &d), 0);
	assert_int_equal(d.proto, IPPROTO_UDP);
	assert_string_equal(addr_of(&d, a, sizeof(a)), "192.0.2.7");
	assert_int_equal(port_of(&d), 5060);
	/* the transport parameter, in any case */
	assert_int_equal(ksr_dest_from_uri(S("sip:192.0.2.7:5080;transport=TCP"), 0, &d), 0);
	assert_int_equal(d.proto, IPPROTO_TCP);
	assert_int_equal(port_of(&d), 5080);
	assert_int_equal(ksr_dest_from_uri(S("sip:192.0.2.7;transport=udp"), 0, &d), 0);
	assert_int_equal(d.proto, IPPROTO_UDP);
	/* a forced transport wins over the URI's (forward_tcp, forward_udp) */
	assert_int_equal(ksr_dest_from_uri(S("sip:192.0.2.7;transport=udp"), IPPROTO_TCP, &d), 0);
	assert_int_equal(d.proto, IPPROTO_TCP);
	/* maddr is where it goes */
	assert_int_equal(ksr_dest_from_uri(S("sip:bob@example.invalid;maddr=192.0.2.9"), 0, &d), 0);
	assert_string_equal(addr_of(&d, a, sizeof(a)), "192.0.2.9");
	/* IPv6 */
	assert_int_equal(ksr_dest_from_uri(S("sip:[2001:db8::1]:5062;transport=tcp"), 0, &d), 0);
	assert_int_equal(d.to.ss_family, AF_INET6);
	assert_string_equal(addr_of(&d, a, sizeof(a)), "2001:db8::1");
	assert_int_equal(port_of(&d), 5062);
	/* what we cannot send over, and what is no SIP URI */
	assert_int_equal(ksr_dest_from_uri(S("sips:192.0.2.7"), 0, &d), -EPROTONOSUPPORT);
	assert_int_equal(ksr_dest_from_uri(S("sip:192.0.2.7;transport=tls"), 0, &d),
			 -EPROTONOSUPPORT);
	assert_int_equal(ksr_dest_from_uri(S("sip:192.0.2.7;transport=sctp"), 0, &d),
			 -EPROTONOSUPPORT);
	assert_int_equal(ksr_dest_from_uri(S("tel:+15551234"), 0, &d), -EINVAL);
	assert_int_equal(ksr_dest_from_uri(S("not a uri"), 0, &d), -EINVAL);
}

static void test_listener_find(void **state)
{
	const char *err = NULL;
	struct ksr_listener *u, *t, *v6;

	(void)state;
	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5070", &err), 0);
	assert_int_equal(ksr_listener_add("tcp:127.0.0.1:5070", &err), 0);
	assert_int_equal(ksr_listener_add("udp:[::1]:5080", &err), 0);
	u = ksr_listeners();
	t = u->next;
	v6 = t->next;
	assert_ptr_equal(ksr_listener_find("udp:127.0.0.1:5070"), u);
	assert_ptr_equal(ksr_listener_find("tcp:127.0.0.1:5070"), t);
	/* no proto: the first that fits; no port: any port */
	assert_ptr_equal(ksr_listener_find("127.0.0.1:5070"), u);
	assert_ptr_equal(ksr_listener_find("tcp:127.0.0.1"), t);
	/* IPv6 in any spelling */
	assert_ptr_equal(ksr_listener_find("udp:[::1]:5080"), v6);
	assert_ptr_equal(ksr_listener_find("udp:[0:0::1]:5080"), v6);
	/* not ours */
	assert_null(ksr_listener_find("udp:127.0.0.1:5071"));
	assert_null(ksr_listener_find("tcp:[::1]:5080"));
	assert_null(ksr_listener_find("tls:127.0.0.1:5070"));
	assert_null(ksr_listener_find("udp:127.0.0.2:5070"));
	assert_ptr_equal(ksr_tcp_listener(AF_INET), t);
	assert_null(ksr_tcp_listener(AF_INET6));
	ksr_listeners_clear();
}

static bool local(const char *host, unsigned short port)
{
	return ksr_listener_is_local(ksr_str_make((char *)host, strlen(host)), port);
}

static void test_alias_subdomains(void **state)
{
	const char *err = NULL;

	(void)state;
	assert_int_equal(ksr_alias_add_ex("example.org", true, &err), 0);
	assert_int_equal(ksr_alias_add_ex("tcp:sip.example.net:5080", true, &err), 0);
	assert_int_equal(ksr_alias_add("exact.example.com", &err), 0);
	assert_true(local("example.org", 0));
	assert_true(local("a.b.Example.ORG", 5070));
	assert_false(local("badexample.org", 0));
	assert_false(local("org", 0));
	assert_true(local("x.sip.example.net", 5080));
	assert_false(local("x.sip.example.net", 5081));
	assert_true(local("exact.example.com", 0));
	assert_false(local("a.exact.example.com", 0));
	ksr_listeners_clear();
}

static void test_tcp_without_workers(void **state)
{
	struct ksr_dest d;

	(void)state;
	/* no TCP workers run: nothing to connect from, a clear error and no crash */
	assert_int_equal(ksr_dest_from_uri(S("sip:127.0.0.1:9;transport=tcp"), 0, &d), 0);
	assert_int_equal(ksr_tcp_send_to(NULL, (struct sockaddr *)&d.to, d.to_len, "x", 1, 0),
			 -ENETUNREACH);
	assert_int_equal(ksr_dest_send(&d, NULL, "x", 1), -ENETUNREACH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_from_uri),
		cmocka_unit_test(test_listener_find),
		cmocka_unit_test(test_alias_subdomains),
		cmocka_unit_test(test_tcp_without_workers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
