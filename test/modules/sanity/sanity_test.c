/* Helpers of the sanity tests (see sanity_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/parser/msg.h"
#include "sanity_test.h"

static int udp_socket(struct sockaddr_in *ret_addr)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*ret_addr = a;
	return fd;
}

int st_setup(void **state)
{
	struct st *t = calloc(1, sizeof(*t));
	struct sockaddr_in srv;

	assert_non_null(t);
	ksr_arena_init(&t->arena, 4096);
	t->listener.fd = udp_socket(&srv);
	t->listener.proto = IPPROTO_UDP;
	memcpy(&t->listener.addr, &srv, sizeof(srv));
	t->listener.addr_len = sizeof(srv);
	strcpy(t->listener.host, "127.0.0.1");
	t->listener.port = ntohs(srv.sin_port);
	t->cli_fd = udp_socket(&t->cli);
	*state = t;
	return 0;
}

int st_teardown(void **state)
{
	struct st *t = *state;

	/* a reply no test read would be a reply a test did not expect */
	assert_null(st_reply(t));
	close(t->listener.fd);
	close(t->cli_fd);
	ksr_arena_destroy(&t->arena);
	free(t->buf);
	free(t);
	return 0;
}

void st_load_r(struct st *t, const char *text, int want)
{
	const char *err = NULL;
	size_t n = 0;
	int r;

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
	r = ksr_msg_parse(&t->msg, t->buf, n, &t->arena, &err);
	if (r != want)
		fail_msg("test message parses with %d (%s), not %d", r, err ? err : "-", want);
	t->msg.arena = &t->arena;
	t->msg.rcv.proto = IPPROTO_UDP;
	t->msg.rcv.listener = &t->listener;
	memcpy(&t->msg.rcv.src, &t->cli, sizeof(t->cli));
	t->msg.rcv.src_len = sizeof(t->cli);
}

/* Whether extra has a header line named name. */
static int has_header(const char *extra, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = extra; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
	return 0;
}

void st_request(struct st *t, const char *method, const char *ruri, const char *extra,
                const char *body)
{
	char text[4096];
	size_t n = 0;

#define ADD(...) n += (size_t)snprintf(text + n, sizeof(text) - n, __VA_ARGS__)
	if (!extra)
		extra = "";
	ADD("%s %s SIP/2.0\n", method, ruri);
	if (!has_header(extra, "Via"))
		ADD("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-st;rport\n");
	if (!has_header(extra, "From"))
		ADD("From: <sip:alice@example.com>;tag=f1\n");
	if (!has_header(extra, "To"))
		ADD("To: <sip:bob@example.com>\n");
	if (!has_header(extra, "Call-ID"))
		ADD("Call-ID: st-1\n");
	if (!has_header(extra, "CSeq"))
		ADD("CSeq: 1 %s\n", method);
	ADD("%s", extra);
	if (!has_header(extra, "Content-Length"))
		ADD("Content-Length: %zu\n", body ? strlen(body) : 0);
	ADD("\n%s", body ? body : "");
#undef ADD
	assert_true(n < sizeof(text));
	st_load(t, text);
}

const char *st_reply(struct st *t)
{
	ssize_t n = recv(t->cli_fd, t->reply, sizeof(t->reply) - 1, MSG_DONTWAIT);

	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return NULL;
	}
	t->reply[n] = '\0';
	return t->reply;
}
