/*
 * corex: named internal flags and extended flags (per message), file_read/file_write on
 * real files, socket addresses matched against listeners, the sockets and source address
 * of a message as the core's reply and forwarding code see them, and the functions in a
 * routing program compiled from a config.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/cfg/cfg.h"
#include "core/cfg/pp.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/pv/avp.h"
#include "core/pv/pv.h"
#include "core/route/core_cmds.h"
#include "core/route/program.h"
#include "corex.h"

/* A value as the interpreter hands one over from a variable: evaluated, not fixed up. */
static struct ksr_fparam dyn_param(const char *s)
{
	struct ksr_fparam p = str_param(s);

	p.dynamic = true;
	return p;
}

/* Fix up one parameter as the compiler does, then call; the fixup must accept it. */
static int call1(struct ksr_msg *msg, const char *fn, struct ksr_fparam p)
{
	const struct ksr_cmd_export *c = cmd(fn);
	const char *err = NULL;

	if (c->fixup && !p.dynamic)
		assert_int_equal(c->fixup(&p, 1, &err), 0);
	return c->func(msg, &p);
}

/* The error text when the fixup refuses p, or fails the test. */
static const char *refused(const char *fn, struct ksr_fparam *p, int n)
{
	const char *err = NULL;

	assert_int_equal(cmd(fn)->fixup(p, n, &err), -EINVAL);
	assert_non_null(err);
	return err;
}

static const char request[] = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
                              "From: <sip:alice@example.com>;tag=a\r\n"
                              "To: <sip:bob@example.com>\r\n"
                              "Call-ID: c1\r\n"
                              "CSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";

struct test_msg {
	char buf[sizeof(request)];
	struct ksr_msg msg;
};

/* A request parsed into arena, received over UDP from 192.0.2.1:5062 on listener l. */
static void msg_parse(struct test_msg *t, struct ksr_arena *arena, struct ksr_listener *l)
{
	struct sockaddr_in *src = (struct sockaddr_in *)&t->msg.rcv.src;

	memcpy(t->buf, request, sizeof(request));
	assert_int_equal(ksr_msg_parse(&t->msg, t->buf, sizeof(request) - 1, arena, NULL), 0);
	src->sin_family = AF_INET;
	src->sin_port = htons(5062);
	inet_pton(AF_INET, "192.0.2.1", &src->sin_addr);
	t->msg.rcv.src_len = sizeof(*src);
	t->msg.rcv.proto = IPPROTO_UDP;
	t->msg.rcv.listener = l;
}

/* --- a test pseudo-variable, $cxv (read-write) and $cxro (read-only) --- */

static char tv_value[2 * COREX_FILE_READ_MAX];
static size_t tv_len;
static int tv_sets;

static int tv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(tv_value, tv_len)};
	return 0;
}

static int tv_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	if (val->type != KSR_VAL_STR || val->s.len > sizeof(tv_value))
		return -EINVAL;
	if (val->s.len)
		memcpy(tv_value, val->s.s, val->s.len);
	tv_len = val->s.len;
	tv_sets++;
	return 0;
}

static const struct ksr_pv_export test_pvs[] = {
        {.name = "cxv", .get = tv_get, .set = tv_set},
        {.name = "cxro", .get = tv_get},
        {0},
};

static void tv_reset(const char *s)
{
	tv_len = strlen(s);
	memcpy(tv_value, s, tv_len);
	tv_sets = 0;
}

/* --- internal flags --- */

static void test_iflag_names(void **state)
{
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC("USE_UAC_FROM")),
	                 COREX_IFLAG_USE_UAC_FROM);
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC("use_uac_to")), COREX_IFLAG_USE_UAC_TO);
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC("Uac_Auth")), COREX_IFLAG_UAC_AUTH);
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC(" UAC_AUTH")), 0);
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC("UAC_AUTHX")), 0);
	assert_int_equal(corex_iflag_lookup(KSR_STR_STATIC("")), 0);
}

static void test_iflags(void **state)
{
	struct ksr_fparam bad = str_param("BOGUS");
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	/* not set: -2, as upstream (ref) */
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", str_param("UAC_AUTH")), -2);
	assert_int_equal(call1(&t.msg, "msg_iflag_reset", str_param("UAC_AUTH")), 1);
	assert_int_equal(call1(&t.msg, "msg_iflag_set", str_param("uac_auth")), 1);
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", str_param("UAC_AUTH")), 1);
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", str_param("USE_UAC_TO")), -2);
	assert_int_equal(call1(&t.msg, "msg_iflag_set", dyn_param("use_uac_to")), 1);
	assert_int_equal(corex_iflags_get(&t.msg), COREX_IFLAG_UAC_AUTH | COREX_IFLAG_USE_UAC_TO);
	assert_int_equal(call1(&t.msg, "msg_iflag_reset", str_param("UAC_AUTH")), 1);
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", dyn_param("UAC_AUTH")), -2);
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", str_param("USE_UAC_TO")), 1);
	/* an unknown name: refused at load, false (-1) from a variable */
	assert_non_null(strstr(refused("msg_iflag_set", &bad, 1), "UAC_AUTH"));
	bad = str_param("BOGUS");
	refused("msg_iflag_is_set", &bad, 1);
	assert_int_equal(call1(&t.msg, "msg_iflag_set", dyn_param("BOGUS")), -1);
	assert_int_equal(call1(&t.msg, "msg_iflag_is_set", dyn_param("BOGUS")), -1);
	assert_int_equal(call1(&t.msg, "msg_iflag_reset", dyn_param("")), -1);
	assert_int_equal(corex_iflags_get(&t.msg), COREX_IFLAG_USE_UAC_TO);
	/* the script's own flags are other sets */
	assert_int_equal(t.msg.flags, 0);
	assert_int_equal(t.msg.sflags, 0);
	ksr_arena_destroy(&arena);
}

/* --- extended flags --- */

static int xflag(struct ksr_msg *msg, const char *fn, long f)
{
	return call1(msg, fn, int_param(f));
}

static void test_xflags(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	assert_int_equal(xflag(&t.msg, "isxflagset", 0), -1);
	assert_int_equal(xflag(&t.msg, "resetxflag", 7), 1);
	assert_int_equal(xflag(&t.msg, "setxflag", 0), 1);
	assert_int_equal(xflag(&t.msg, "setxflag", 31), 1);
	assert_int_equal(xflag(&t.msg, "setxflag", 32), 1);
	assert_int_equal(xflag(&t.msg, "setxflag", 63), 1);
	assert_true(corex_xflags_get(&t.msg) == (1ull << 0 | 1ull << 31 | 1ull << 32 | 1ull << 63));
	for (long f = 0; f <= 63; f++)
		assert_int_equal(xflag(&t.msg, "isxflagset", f),
		                 f == 0 || f == 31 || f == 32 || f == 63 ? 1 : -1);
	assert_int_equal(xflag(&t.msg, "resetxflag", 32), 1);
	assert_int_equal(xflag(&t.msg, "isxflagset", 32), -1);
	assert_int_equal(xflag(&t.msg, "isxflagset", 31), 1);
	/* internal flags are kept alongside and stay apart */
	assert_int_equal(call1(&t.msg, "msg_iflag_set", str_param("UAC_AUTH")), 1);
	assert_int_equal(xflag(&t.msg, "isxflagset", 63), 1);
	assert_int_equal(corex_iflags_get(&t.msg), COREX_IFLAG_UAC_AUTH);
	assert_int_equal(t.msg.flags, 0);
	ksr_arena_destroy(&arena);
}

static void test_xflag_range(void **state)
{
	struct ksr_fparam p = int_param(64);
	struct ksr_arena arena;
	struct test_msg t;

	assert_string_equal(refused("setxflag", &p, 1),
	                    "an extended flag is a number from 0 to 63");
	p = int_param(-1);
	refused("isxflagset", &p, 1);
	p = int_param(100);
	refused("resetxflag", &p, 1);
	/* a value from a variable is checked when it comes: false */
	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	p = int_param(64);
	p.dynamic = true;
	assert_int_equal(cmd("setxflag")->func(&t.msg, &p), -1);
	p.i = -1;
	assert_int_equal(cmd("isxflagset")->func(&t.msg, &p), -1);
	assert_true(corex_xflags_get(&t.msg) == 0);
	ksr_arena_destroy(&arena);
}

/* Every message starts with none set, also when the arena gives the same memory again. */
static void test_flags_per_message(void **state)
{
	struct ksr_arena a1, a2;
	struct test_msg t, t2;

	ksr_arena_init(&a1, 4096);
	for (int i = 0; i < 500; i++) {
		msg_parse(&t, &a1, NULL);
		assert_int_equal(xflag(&t.msg, "isxflagset", 9), -1);
		assert_int_equal(call1(&t.msg, "msg_iflag_is_set", str_param("USE_UAC_FROM")), -2);
		assert_int_equal(xflag(&t.msg, "setxflag", 9), 1);
		assert_int_equal(call1(&t.msg, "msg_iflag_set", str_param("USE_UAC_FROM")), 1);
		ksr_arena_reset(&a1);
	}
	/* two messages in hand at once keep their own */
	ksr_arena_init(&a2, 4096);
	msg_parse(&t, &a1, NULL);
	msg_parse(&t2, &a2, NULL);
	assert_int_equal(xflag(&t.msg, "setxflag", 1), 1);
	assert_int_equal(xflag(&t2.msg, "isxflagset", 1), -1);
	assert_int_equal(xflag(&t2.msg, "setxflag", 2), 1);
	assert_int_equal(xflag(&t.msg, "isxflagset", 2), -1);
	assert_int_equal(xflag(&t.msg, "isxflagset", 1), 1);
	ksr_arena_destroy(&a1);
	ksr_arena_destroy(&a2);
}

/* The flags are not a script's $xavp: a script's XAVPs neither see nor disturb them. */
static void test_flags_beside_xavps(void **state)
{
	struct ksr_val v = {.type = KSR_VAL_INT, .i = 5};
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	assert_int_equal(ksr_xavp_add_val(&arena, &t.msg.xavps, KSR_STR_STATIC("a"), &v, NULL), 0);
	assert_int_equal(xflag(&t.msg, "setxflag", 4), 1);
	assert_int_equal(ksr_xavp_add_val(&arena, &t.msg.xavps, KSR_STR_STATIC("b"), &v, NULL), 0);
	assert_int_equal(xflag(&t.msg, "setxflag", 5), 1);
	assert_int_equal(ksr_xavp_del(&t.msg.xavps, KSR_STR_STATIC("a"), 0), 0);
	assert_true(corex_xflags_get(&t.msg) == (1ull << 4 | 1ull << 5));
	assert_int_equal(ksr_xavp_count(t.msg.xavps, KSR_STR_STATIC("b")), 1);
	ksr_arena_destroy(&arena);
}

/* --- files --- */

static char tmpdir[] = "/tmp/test_corex_XXXXXX";

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static int file_read(struct ksr_msg *msg, const char *path, const char *var)
{
	struct ksr_fparam p[2] = {
	        str_param(path), {.type = KSR_PT_RAW, .s = ksr_str_make((char *)var, strlen(var))}};
	const char *err = NULL;

	assert_int_equal(cmd("file_read")->fixup(p, 2, &err), 0);
	return cmd("file_read")->func(msg, p);
}

static int file_write(struct ksr_msg *msg, const char *path, const char *data, size_t len)
{
	struct ksr_fparam p[2] = {str_param(path),
	                          {.type = KSR_PT_STR, .s = ksr_str_make((char *)data, len)}};

	return cmd("file_write")->func(msg, p);
}

static void file_contents(const char *path, const char *want, size_t len)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, len);
	assert_memory_equal(buf, want, len);
}

static void test_file_write_then_read(void **state)
{
	static const char data[] = "line 1\nline 2\0after a NUL\n";
	struct ksr_arena arena;
	struct test_msg t;
	struct stat st;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	assert_int_equal(file_write(&t.msg, tmp_path("a.txt"), data, sizeof(data) - 1), 1);
	file_contents(tmp_path("a.txt"), data, sizeof(data) - 1);
	assert_int_equal(stat(tmp_path("a.txt"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	tv_reset("old");
	assert_int_equal(file_read(&t.msg, tmp_path("a.txt"), "$cxv"), 1);
	assert_int_equal(tv_sets, 1);
	assert_int_equal(tv_len, sizeof(data) - 1);
	assert_memory_equal(tv_value, data, sizeof(data) - 1);
	/* a shorter write replaces the file, it does not overwrite its start */
	assert_int_equal(file_write(&t.msg, tmp_path("a.txt"), "xy", 2), 1);
	file_contents(tmp_path("a.txt"), "xy", 2);
	/* empty content: an empty file, read back as the empty string */
	assert_int_equal(file_write(&t.msg, tmp_path("a.txt"), "", 0), 1);
	file_contents(tmp_path("a.txt"), "", 0);
	assert_int_equal(file_read(&t.msg, tmp_path("a.txt"), "$cxv"), 1);
	assert_int_equal(tv_len, 0);
	unlink(tmp_path("a.txt"));
	ksr_arena_destroy(&arena);
}

static void test_file_errors(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	tv_reset("unchanged");
	/* a missing file, a directory, an empty path: false, the variable is left alone */
	assert_int_equal(file_read(&t.msg, tmp_path("none.txt"), "$cxv"), -1);
	assert_int_equal(file_read(&t.msg, tmpdir, "$cxv"), -1);
	assert_int_equal(file_read(&t.msg, "", "$cxv"), -1);
	assert_int_equal(tv_sets, 0);
	assert_int_equal(file_write(&t.msg, tmp_path("no/such/dir"), "a", 1), -1);
	assert_int_equal(file_write(&t.msg, tmpdir, "a", 1), -1);
	assert_int_equal(file_write(&t.msg, "", "a", 1), -1);
	/* a path with a NUL byte in it (from a variable) is not cut short */
	assert_int_equal(file_write(&t.msg, tmp_path("cut"), "a", 1), 1);
	{
		struct ksr_fparam p[2] = {str_param(tmp_path("cut")), str_param("b")};

		p[0].s.len += 2; /* "...cut\0" and one byte more */
		assert_int_equal(cmd("file_write")->func(&t.msg, p), -1);
	}
	file_contents(tmp_path("cut"), "a", 1);
	unlink(tmp_path("cut"));
	ksr_arena_destroy(&arena);
}

/* A file the size of the limit is read; one byte more is refused. */
static void test_file_read_limit(void **state)
{
	char *big = malloc(COREX_FILE_READ_MAX + 1);
	struct ksr_arena arena;
	struct test_msg t;

	assert_non_null(big);
	memset(big, 'x', COREX_FILE_READ_MAX + 1);
	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	assert_int_equal(file_write(&t.msg, tmp_path("big"), big, COREX_FILE_READ_MAX), 1);
	tv_reset("");
	assert_int_equal(file_read(&t.msg, tmp_path("big"), "$cxv"), 1);
	assert_int_equal(tv_len, COREX_FILE_READ_MAX);
	assert_int_equal(file_write(&t.msg, tmp_path("big"), big, COREX_FILE_READ_MAX + 1), 1);
	tv_reset("kept");
	assert_int_equal(file_read(&t.msg, tmp_path("big"), "$cxv"), -1);
	assert_int_equal(tv_sets, 0);
	unlink(tmp_path("big"));
	free(big);
	ksr_arena_destroy(&arena);
}

/* Files whose size stat does not tell (/proc) are read to their end. */
static void test_file_read_proc(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, NULL);
	tv_reset("");
	assert_int_equal(file_read(&t.msg, "/proc/self/status", "$cxv"), 1);
	assert_true(tv_len > 100);
	assert_memory_equal(tv_value, "Name:", 5);
	ksr_arena_destroy(&arena);
}

static void test_file_read_needs_a_writable_variable(void **state)
{
	struct ksr_fparam p[2] = {str_param("/tmp/x"), {.type = KSR_PT_RAW}};

	p[1].s = ksr_str_make("$cxro", 5);
	assert_string_equal(refused("file_read", p, 2), "the pseudo-variable is read-only");
	p[1].s = ksr_str_make("plain", 5);
	refused("file_read", p, 2);
	p[1].s = ksr_str_make("$cxv junk", 9);
	refused("file_read", p, 2);
}

/* --- socket addresses --- */

static void parse_ok(const char *s, int proto, const char *host, unsigned short port)
{
	struct corex_sockaddr a;
	const char *err = NULL;

	if (corex_sockaddr_parse(ksr_str_make((char *)s, strlen(s)), &a, &err) < 0)
		fail_msg("'%s' refused: %s", s, err);
	assert_int_equal(a.proto, proto);
	assert_int_equal(a.host.len, strlen(host));
	assert_memory_equal(a.host.s, host, a.host.len);
	assert_int_equal(a.port, port);
}

static void parse_bad(const char *s)
{
	struct corex_sockaddr a;
	const char *err = NULL;

	if (corex_sockaddr_parse(ksr_str_make((char *)s, strlen(s)), &a, &err) == 0)
		fail_msg("'%s' accepted", s);
	assert_non_null(err);
}

static void test_sockaddr_parse(void **state)
{
	parse_ok("udp:127.0.0.1:5060", IPPROTO_UDP, "127.0.0.1", 5060);
	parse_ok("TCP:10.0.0.1", IPPROTO_TCP, "10.0.0.1", 0);
	parse_ok("127.0.0.1:5070", COREX_PROTO_ANY, "127.0.0.1", 5070);
	parse_ok("127.0.0.1", COREX_PROTO_ANY, "127.0.0.1", 0);
	parse_ok("sip.example.com:5061", COREX_PROTO_ANY, "sip.example.com", 5061);
	parse_ok("tls:sip.example.com", COREX_PROTO_OTHER, "sip.example.com", 0);
	parse_ok("sctp:10.0.0.1:5060", COREX_PROTO_OTHER, "10.0.0.1", 5060);
	parse_ok("wss:10.0.0.1", COREX_PROTO_OTHER, "10.0.0.1", 0);
	parse_ok("udp:[::1]:5060", IPPROTO_UDP, "::1", 5060);
	parse_ok("[2001:db8::1]", COREX_PROTO_ANY, "2001:db8::1", 0);
	parse_ok("udp:2001:db8::1", IPPROTO_UDP, "2001:db8::1", 0);
	parse_ok("::1", COREX_PROTO_ANY, "::1", 0);
	parse_ok("udp:127.0.0.1:65535", IPPROTO_UDP, "127.0.0.1", 65535);
	parse_bad("");
	parse_bad("udp:");
	parse_bad("udp:127.0.0.1:");
	parse_bad("udp:127.0.0.1:0");
	parse_bad("udp:127.0.0.1:65536");
	parse_bad("udp:127.0.0.1:70000");
	parse_bad("udp:127.0.0.1:50x");
	parse_bad("udp:127.0.0.1:5060:1");
	parse_bad("udp:[::1");
	parse_bad("udp:[::1]5060");
	parse_bad("[example.com]:5060");
	parse_bad("[]:5060");
	parse_bad(":5060");
	parse_bad("bogus:127.0.0.1:5060");
	parse_bad("udp:127.0.0.1 :5060");
	parse_bad("host/name");
}

static struct ksr_listener *listener_at(int n)
{
	struct ksr_listener *l = ksr_listeners();

	while (n-- > 0 && l)
		l = l->next;
	assert_non_null(l);
	return l;
}

/* Four listeners: udp 127.0.0.1:5070 "sock1", tcp 127.0.0.1:5070 "sock2", udp
 * 127.0.0.2:5080 advertised as 192.0.2.7:5099 "sock4", udp [::1]:5072. */
static int listeners_setup(void **state)
{
	const char *err = NULL;

	ksr_listeners_clear();
	if (ksr_listener_add_ex("udp:127.0.0.1:5070", NULL, "sock1", &err) < 0 ||
	    ksr_listener_add_ex("tcp:127.0.0.1:5070", NULL, "sock2", &err) < 0 ||
	    ksr_listener_add_ex("udp:127.0.0.2:5080", "192.0.2.7:5099", "sock4", &err) < 0 ||
	    ksr_listener_add_ex("udp:[::1]:5072", NULL, NULL, &err) < 0)
		return -1;
	return 0;
}

static int listeners_teardown(void **state)
{
	ksr_listeners_clear();
	return 0;
}

static struct ksr_listener *match(const char *s)
{
	struct corex_sockaddr a;
	const char *err = NULL;

	assert_int_equal(corex_sockaddr_parse(ksr_str_make((char *)s, strlen(s)), &a, &err), 0);
	return corex_listener_match(&a);
}

static void test_listener_match(void **state)
{
	struct ksr_listener *s1 = listener_at(0), *s2 = listener_at(1), *s4 = listener_at(2);
	struct ksr_listener *v6 = listener_at(3);

	assert_ptr_equal(match("udp:127.0.0.1:5070"), s1);
	assert_ptr_equal(match("tcp:127.0.0.1:5070"), s2);
	assert_ptr_equal(match("TCP:127.0.0.1"), s2);
	/* no transport, no port: the first that fits */
	assert_ptr_equal(match("127.0.0.1"), s1);
	assert_ptr_equal(match("127.0.0.2"), s4);
	assert_ptr_equal(match("udp:127.0.0.2:5080"), s4);
	/* the advertised address names its listener, with the advertised port */
	assert_ptr_equal(match("udp:192.0.2.7:5099"), s4);
	assert_ptr_equal(match("192.0.2.7"), s4);
	assert_null(match("udp:192.0.2.7:5080"));
	assert_ptr_equal(match("udp:[::1]:5072"), v6);
	assert_ptr_equal(match("udp:0:0:0:0:0:0:0:1"), v6);
	assert_null(match("udp:127.0.0.1:5071"));
	assert_null(match("tcp:127.0.0.2"));
	assert_null(match("tls:127.0.0.1:5070"));
	assert_null(match("udp:localhost:5070"));
	assert_null(match("udp:127.0.0.3"));
}

/* The socket replies go out of, and the one forwarding starts from. */
static void test_set_recv_socket(void **state)
{
	struct ksr_listener *s1 = listener_at(0), *s4 = listener_at(2), *v6 = listener_at(3);
	struct ksr_fparam bad = str_param("udp:127.0.0.1:99999");
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, s1);
	assert_int_equal(call1(&t.msg, "set_recv_socket", str_param("udp:127.0.0.2:5080")), 1);
	assert_ptr_equal(t.msg.rcv.listener, s4);
	assert_int_equal(call1(&t.msg, "set_recv_socket", dyn_param("127.0.0.1:5070")), 1);
	assert_ptr_equal(t.msg.rcv.listener, s1);
	assert_int_equal(call1(&t.msg, "set_recv_socket", str_param("[::1]")), 1);
	assert_ptr_equal(t.msg.rcv.listener, v6);
	/* none matches: false, the socket stays */
	assert_int_equal(call1(&t.msg, "set_recv_socket", str_param("udp:10.9.9.9:5060")), -1);
	assert_int_equal(call1(&t.msg, "set_recv_socket", dyn_param("bad address")), -1);
	assert_ptr_equal(t.msg.rcv.listener, v6);
	/* a TCP socket for a message that came over UDP: refused */
	assert_int_equal(call1(&t.msg, "set_recv_socket", str_param("tcp:127.0.0.1:5070")), -1);
	assert_ptr_equal(t.msg.rcv.listener, v6);
	/* by name */
	assert_int_equal(call1(&t.msg, "set_recv_socket_name", str_param("sock4")), 1);
	assert_ptr_equal(t.msg.rcv.listener, s4);
	assert_int_equal(call1(&t.msg, "set_recv_socket_name", str_param("sock2")), -1);
	assert_int_equal(call1(&t.msg, "set_recv_socket_name", str_param("nosuch")), -1);
	assert_int_equal(call1(&t.msg, "set_recv_socket_name", str_param("")), -1);
	assert_ptr_equal(t.msg.rcv.listener, s4);
	/* a constant that is no socket address refuses the config */
	assert_string_equal(refused("set_recv_socket", &bad, 1),
	                    "socket address: the port is a number from 1 to 65535");
	ksr_arena_destroy(&arena);
}

static void test_set_send_socket(void **state)
{
	struct ksr_listener *s1 = listener_at(0), *s2 = listener_at(1), *s4 = listener_at(2);
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, s1);
	assert_null(t.msg.send_socket);
	assert_int_equal(call1(&t.msg, "set_send_socket", str_param("udp:192.0.2.7:5099")), 1);
	assert_ptr_equal(t.msg.send_socket, s4);
	/* any transport: it is used for destinations it fits */
	assert_int_equal(call1(&t.msg, "set_send_socket", dyn_param("tcp:127.0.0.1:5070")), 1);
	assert_ptr_equal(t.msg.send_socket, s2);
	assert_int_equal(call1(&t.msg, "set_send_socket", str_param("udp:127.0.0.9")), -1);
	assert_ptr_equal(t.msg.send_socket, s2);
	assert_int_equal(call1(&t.msg, "set_send_socket_name", str_param("sock1")), 1);
	assert_ptr_equal(t.msg.send_socket, s1);
	assert_int_equal(call1(&t.msg, "set_send_socket_name", dyn_param("nosuch")), -1);
	assert_ptr_equal(t.msg.send_socket, s1);
	/* the receiving socket is another thing */
	assert_ptr_equal(t.msg.rcv.listener, s1);
	ksr_arena_destroy(&arena);
}

static void test_is_socket_name(void **state)
{
	struct ksr_fparam p = str_param("sock1");

	assert_int_equal(call1(NULL, "is_socket_name", str_param("sock1")), 1);
	assert_int_equal(call1(NULL, "is_socket_name", dyn_param("sock4")), 1);
	assert_int_equal(call1(NULL, "is_socket_name", str_param("SOCK1")), -1);
	assert_int_equal(call1(NULL, "is_socket_name", str_param("sock")), -1);
	assert_int_equal(call1(NULL, "is_socket_name", str_param("")), -1);
	p.s.len = 7; /* "sock1\0x": a NUL from a variable does not cut the name */
	p.s.s = "sock1\0x";
	assert_int_equal(cmd("is_socket_name")->func(NULL, &p), -1);
}

/* The source address as the core sees it: $si/$sp, and where a reply with rport goes. */
static void test_set_source_address(void **state)
{
	struct ksr_fparam name = str_param("udp:example.com:5060");
	struct sockaddr_storage to;
	struct ksr_arena arena;
	struct test_msg t;
	socklen_t to_len;
	char buf[80];

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, listener_at(0));
	assert_int_equal(ksr_reply_dest(&t.msg, &to, &to_len), 0);
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&to, buf, sizeof(buf)),
	                    "192.0.2.1:5062");
	assert_int_equal(call1(&t.msg, "set_source_address", str_param("udp:198.51.100.9:5099")),
	                 1);
	assert_int_equal(t.msg.rcv.src_len, sizeof(struct sockaddr_in));
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&t.msg.rcv.src, buf, sizeof(buf)),
	                    "198.51.100.9:5099");
	/* the Via has rport: the reply goes to the new source */
	assert_int_equal(ksr_reply_dest(&t.msg, &to, &to_len), 0);
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&to, buf, sizeof(buf)),
	                    "198.51.100.9:5099");
	/* without a port: the SIP port; the transport is not the message's to change */
	assert_int_equal(call1(&t.msg, "set_source_address", dyn_param("tcp:198.51.100.10")), 1);
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&t.msg.rcv.src, buf, sizeof(buf)),
	                    "198.51.100.10:5060");
	assert_int_equal(t.msg.rcv.proto, IPPROTO_UDP);
	assert_int_equal(call1(&t.msg, "set_source_address", str_param("[2001:db8::5]:6000")), 1);
	assert_int_equal(t.msg.rcv.src_len, sizeof(struct sockaddr_in6));
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&t.msg.rcv.src, buf, sizeof(buf)),
	                    "[2001:db8::5]:6000");
	/* names (no DNS on the message path) and bad text: false, the source stays */
	assert_int_equal(call1(&t.msg, "set_source_address", dyn_param("udp:example.com:5060")),
	                 -1);
	assert_int_equal(call1(&t.msg, "set_source_address", dyn_param("udp:10.0.0.1:0")), -1);
	assert_int_equal(call1(&t.msg, "set_source_address", dyn_param("")), -1);
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&t.msg.rcv.src, buf, sizeof(buf)),
	                    "[2001:db8::5]:6000");
	assert_string_equal(refused("set_source_address", &name, 1),
	                    "the source address takes an IP address, not a name");
	ksr_arena_destroy(&arena);
}

static void test_is_faked_msg(void **state)
{
	struct ksr_arena arena;
	struct test_msg t;

	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, listener_at(0));
	assert_int_equal(call1(&t.msg, "is_faked_msg", (struct ksr_fparam){0}), -1);
	/* one the core builds itself has no receiving socket */
	t.msg.rcv.listener = NULL;
	assert_int_equal(call1(&t.msg, "is_faked_msg", (struct ksr_fparam){0}), 1);
	ksr_arena_destroy(&arena);
}

/* --- in a routing program compiled from a config --- */

static const char routes_cfg[] =
        "listen=udp:127.0.0.1:5070 name \"sock1\"\n"
        "listen=udp:127.0.0.2:5070 name \"sock2\"\n"
        "listen=tcp:127.0.0.1:5070 name \"socktcp\"\n"
        "request_route {\n"
        "	if (is_socket_name(\"sock2\") && !is_socket_name(\"sock3\")) setflag(1);\n"
        "	if (set_recv_socket_name(\"sock2\")) setflag(2);\n"
        "	if (!set_recv_socket_name(\"socktcp\")) setflag(3);\n"
        "	if (set_send_socket(\"tcp:127.0.0.1\")) setflag(4);\n"
        "	$cxv = \"63\";\n"
        "	if (setxflag(\"$cxv\") && isxflagset(63) && !isxflagset(\"0\")) setflag(5);\n"
        "	$cxv = \"uac_auth\";\n"
        "	if (msg_iflag_set(\"$cxv\") && msg_iflag_is_set(\"UAC_AUTH\")) setflag(6);\n"
        "	msg_iflag_is_set(\"USE_UAC_TO\");\n"
        "	if ($rc == -2) setflag(7);\n"
        "	if (set_source_address(\"udp:198.51.100.7:5090\")) setflag(8);\n"
        "	if (!is_faked_msg()) setflag(9);\n"
        "	$cxv = \"sock1\";\n"
        "	if (set_send_socket_name(\"$cxv\")) setflag(10);\n"
        "}\n";

static void test_routes(void **state)
{
	char *text = strdup(routes_cfg), buf[80];
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err = {0};
	struct ksr_pp *pp = ksr_pp_new();
	struct ksr_arena arena;
	struct test_msg t;

	assert_non_null(text);
	assert_non_null(pp);
	ksr_listeners_clear();
	if (ksr_cfg_parse_text("routes.cfg", text, strlen(text), pp, &prog, &err) < 0)
		fail_msg("config refused: %d:%d: %s", err.pos.line, err.pos.col, err.msg);
	ksr_pp_free(pp);
	free(text);
	ksr_arena_init(&arena, 4096);
	msg_parse(&t, &arena, ksr_listener_find_name("sock1"));
	ksr_run_request(prog, &t.msg);
	assert_int_equal(t.msg.flags, 0x7fe);
	assert_ptr_equal(t.msg.rcv.listener, ksr_listener_find_name("sock2"));
	assert_ptr_equal(t.msg.send_socket, ksr_listener_find_name("sock1"));
	assert_string_equal(ksr_sockaddr_str((struct sockaddr *)&t.msg.rcv.src, buf, sizeof(buf)),
	                    "198.51.100.7:5090");
	ksr_arena_destroy(&arena);
	ksr_program_unref(prog);
	ksr_cfg_forget_running();
	ksr_listeners_clear();
}

static int group_setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	if (ksr_pv_register(test_pvs) < 0 || ksr_core_cmds_register() < 0 ||
	    ksr_module_register_builtin(&ksr_module_exports) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	ksr_modules_unload();
	rmdir(tmpdir);
	return 0;
}

#define T(f) cmocka_unit_test(f)
#define TL(f) cmocka_unit_test_setup_teardown(f, listeners_setup, listeners_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_iflag_names),
	        T(test_iflags),
	        T(test_xflags),
	        T(test_xflag_range),
	        T(test_flags_per_message),
	        T(test_flags_beside_xavps),
	        T(test_file_write_then_read),
	        T(test_file_errors),
	        T(test_file_read_limit),
	        T(test_file_read_proc),
	        T(test_file_read_needs_a_writable_variable),
	        T(test_sockaddr_parse),
	        TL(test_listener_match),
	        TL(test_set_recv_socket),
	        TL(test_set_send_socket),
	        TL(test_is_socket_name),
	        TL(test_set_source_address),
	        TL(test_is_faked_msg),
	        T(test_routes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
