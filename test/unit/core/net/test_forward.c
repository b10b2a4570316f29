/*
 * Destinations from URIs, the listener a socket spec names, TCP without workers, and the
 * forward hooks (a request really sent over UDP on loopback).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"

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

/* --- forward hooks --- */

static int hook_calls;

/* Names the listener it was given, as rr's Record-Route does. */
static int out_hook(struct ksr_msg *msg, const struct ksr_listener *out)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "X-Out: %s:%u\r\n", out->host, out->port);

	hook_calls++;
	return ksr_msg_add_hdr(msg, ksr_str_make(line, (size_t)n), KSR_HDR_APPEND);
}

static int failing_hook(struct ksr_msg *msg, const struct ksr_listener *out)
{
	return -EPERM;
}

/* A UDP socket on 127.0.0.1, on a port of the kernel's choice. */
static int udp_socket(unsigned short *ret_port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*ret_port = ntohs(a.sin_port);
	return fd;
}

/* What arrived on fd (NUL-terminated into buf), or NULL when nothing did. */
static const char *received(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

static void test_forward_hooks(void **state)
{
	static char text[] = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
			     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
			     "From: <sip:a@example.com>;tag=1\r\n"
			     "To: <sip:bob@example.com>\r\n"
			     "Call-ID: h1\r\n"
			     "CSeq: 1 OPTIONS\r\n"
			     "Content-Length: 0\r\n\r\n";
	char buf[2048], uri[64];
	unsigned short rx_port, tx_port;
	int rx = udp_socket(&rx_port);
	const char *err = NULL, *got;
	struct ksr_arena arena;
	struct ksr_edit *edits;
	struct ksr_msg msg;

	(void)state;
	/* the listener sends from a socket of ours: no fixed port to collide with */
	assert_int_equal(ksr_listener_add("udp:127.0.0.1:5999", &err), 0);
	ksr_listeners()->fd = udp_socket(&tx_port);
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", rx_port);
	ksr_arena_init(&arena, 4096);
	assert_int_equal(ksr_msg_parse(&msg, text, sizeof(text) - 1, &arena, NULL), 0);
	assert_int_equal(ksr_msg_add_hdr(&msg, ksr_str_make("X-Before: 1\r\n", 13), KSR_HDR_APPEND),
			 0);
	edits = msg.edits;
	/* added twice: registered once */
	assert_int_equal(ksr_forward_add_hook(out_hook), 0);
	assert_int_equal(ksr_forward_add_hook(out_hook), 0);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(ksr_forward_request(&msg, ksr_str_make(uri, strlen(uri)), 0), 0);
		assert_int_equal(hook_calls, i);
		assert_non_null(got = received(rx, buf, sizeof(buf)));
		/* each copy has the hook's header once, after the script's edits */
		assert_non_null(strstr(got, "X-Before: 1\r\nX-Out: 127.0.0.1:5999\r\n"));
		assert_int_equal(count(got, "X-Out:"), 1);
		/* and the message keeps only its own edits */
		assert_ptr_equal(msg.edits, edits);
		assert_int_equal(msg.nedits, 1);
	}
	/* a failing hook fails the forward: nothing sent, the edits as they were */
	assert_int_equal(ksr_forward_add_hook(failing_hook), 0);
	assert_int_equal(ksr_forward_request(&msg, ksr_str_make(uri, strlen(uri)), 0), -EPERM);
	assert_int_equal(hook_calls, 3);
	assert_null(received(rx, buf, sizeof(buf)));
	assert_ptr_equal(msg.edits, edits);
	assert_int_equal(msg.nedits, 1);
	/* forgotten hooks are not called */
	ksr_forward_del_hook(failing_hook);
	ksr_forward_del_hook(out_hook);
	ksr_forward_del_hook(out_hook);
	assert_int_equal(ksr_forward_request(&msg, ksr_str_make(uri, strlen(uri)), 0), 0);
	assert_int_equal(hook_calls, 3);
	assert_non_null(got = received(rx, buf, sizeof(buf)));
	assert_null(strstr(got, "X-Out:"));
	/* at most KSR_MAX_FORWARD_HOOKS */
	for (uintptr_t i = 1; i <= KSR_MAX_FORWARD_HOOKS; i++)
		assert_int_equal(ksr_forward_add_hook((ksr_forward_hook_fn)i), 0);
	assert_int_equal(ksr_forward_add_hook(out_hook), -ENOSPC);
	for (uintptr_t i = 1; i <= KSR_MAX_FORWARD_HOOKS; i++)
		ksr_forward_del_hook((ksr_forward_hook_fn)i);
	ksr_arena_destroy(&arena);
	ksr_listeners_clear();
	close(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_from_uri),
		cmocka_unit_test(test_listener_find),
		cmocka_unit_test(test_alias_subdomains),
		cmocka_unit_test(test_tcp_without_workers),
		cmocka_unit_test(test_forward_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
