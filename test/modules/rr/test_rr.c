/*
 * rr: the Record-Route headers built for the listener a request leaves from (single,
 * double, advertised, preset, with add_rr_param, the modparams), loose_route() on every
 * shape of Route set (our own, double, pre-loaded, strict routers before and after us),
 * what it leaves for check_route_param(), is_direction(), rr_next_hop_route() and the
 * pseudo-variables, and the fixups that refuse what can never work. Messages are built
 * with their edits and compared whole. Expected values were checked against Kamailio 5.6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "module_test.h"

#include "core/cfg/cfg.h"
#include "core/cfg/pp.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/edit.h"
#include "core/net/forward.h"
#include "core/net/listener.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/core_cmds.h"
#include "core/route/program.h"
#include "rr.h"

/* --- messages --- */

struct t {
	struct ksr_arena arena;
	struct ksr_msg msg;
	char *buf;
};

/*
 * A request: top goes before the Via, hdrs after it; totag NULL for none. The text is
 * static, in one of a few rotating buffers (an expected value and the message at once).
 */
static const char *req(const char *method, const char *ruri, const char *totag, const char *top,
                       const char *hdrs)
{
	static char bufs[4][2048];
	static int n;
	char *b = bufs[n++ % 4];

	snprintf(b, sizeof(bufs[0]),
	         "%s %s SIP/2.0\r\n"
	         "%s"
	         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
	         "%s"
	         "From: <sip:alice@example.com>;tag=a\r\n"
	         "To: <sip:bob@example.com>%s%s\r\n"
	         "Call-ID: c1\r\n"
	         "CSeq: 1 %s\r\n"
	         "Content-Length: 0\r\n\r\n",
	         method, ruri, top, hdrs, totag ? ";tag=" : "", totag ? totag : "", method);
	return b;
}

/* Parse text as received on listener l (NULL: no listener) from 192.0.2.1:5060. */
static void parse(struct t *t, const char *text, struct ksr_listener *l)
{
	struct sockaddr_in *src = (struct sockaddr_in *)&t->msg.rcv.src;
	size_t len = strlen(text);

	ksr_arena_init(&t->arena, 4096);
	memset(&t->msg, 0, sizeof(t->msg));
	t->buf = ksr_arena_alloc(&t->arena, len + 1);
	assert_non_null(t->buf);
	memcpy(t->buf, text, len + 1);
	assert_int_equal(ksr_msg_parse(&t->msg, t->buf, len, &t->arena, NULL), 0);
	src->sin_family = AF_INET;
	src->sin_port = htons(5060);
	inet_pton(AF_INET, "192.0.2.1", &src->sin_addr);
	t->msg.rcv.src_len = sizeof(*src);
	t->msg.rcv.listener = l;
	t->msg.rcv.proto = l ? l->proto : IPPROTO_UDP;
}

static void done(struct t *t)
{
	ksr_arena_destroy(&t->arena);
}

/* The message with its edits, as it would be sent. */
static const char *built(struct t *t)
{
	struct ksr_str out;

	assert_int_equal(ksr_msg_build(&t->msg, &out), 0);
	return out.s;
}

/* The message as forwarded from listener out: the hook's headers, then the edits dropped. */
static const char *forwarded(struct t *t, const struct ksr_listener *out)
{
	struct ksr_edit *edits = t->msg.edits;
	unsigned int nedits = t->msg.nedits;
	const char *s;

	assert_int_equal(rr_forward_hook(&t->msg, out), 0);
	s = built(t);
	t->msg.edits = edits;
	t->msg.nedits = nedits;
	return s;
}

/* --- calling the module's functions as the interpreter does --- */

static struct ksr_fparam dyn(const char *s)
{
	struct ksr_fparam p = str_param(s);

	p.dynamic = true;
	return p;
}

static int call0(struct t *t, const char *fn)
{
	return cmd_n(fn, 0)->func(&t->msg, NULL);
}

/* Fix up constant parameters as the compiler does (the fixup must accept them), then call. */
static int calln(struct t *t, const char *fn, int n, struct ksr_fparam *p)
{
	const struct ksr_cmd_export *c = cmd_n(fn, n);
	const char *err = NULL;

	if (c->fixup)
		assert_int_equal(c->fixup(p, n, &err), 0);
	return c->func(&t->msg, p);
}

static int call1(struct t *t, const char *fn, struct ksr_fparam p)
{
	return calln(t, fn, 1, &p);
}

static int call2(struct t *t, const char *fn, struct ksr_fparam a, struct ksr_fparam b)
{
	struct ksr_fparam p[2] = {a, b};

	return calln(t, fn, 2, p);
}

/* The error of a fixup that must refuse p. */
static const char *refused(const char *fn, int n, struct ksr_fparam *p)
{
	const char *err = NULL;

	assert_int_equal(cmd_n(fn, n)->fixup(p, n, &err), -EINVAL);
	assert_non_null(err);
	return err;
}

/* --- listeners --- */

static struct ksr_listener *L(int i)
{
	struct ksr_listener *l = ksr_listeners();

	while (i-- && l)
		l = l->next;
	assert_non_null(l);
	return l;
}

#define UDP1 L(0) /* udp 127.0.0.1:5070 */
#define TCP1 L(1) /* tcp 127.0.0.1:5070 */
#define UDP2 L(2) /* udp 127.0.0.2:5060 */
#define ADV3 L(3) /* udp 127.0.0.3:5080, advertised as 192.0.2.7:5099, named "s3" */
#define UDP6 L(4) /* udp [::1]:5072 */

static int listeners_setup(void **state)
{
	const char *err = NULL;

	ksr_listeners_clear();
	if (ksr_listener_add("udp:127.0.0.1:5070", &err) < 0 ||
	    ksr_listener_add("tcp:127.0.0.1:5070", &err) < 0 ||
	    ksr_listener_add("udp:127.0.0.2:5060", &err) < 0 ||
	    ksr_listener_add_ex("udp:127.0.0.3:5080", "192.0.2.7:5099", "s3", &err) < 0 ||
	    ksr_listener_add("udp:[::1]:5072", &err) < 0)
		return -1;
	return 0;
}

/* The modparams back to their defaults after every test. */
static int params_reset(void **state)
{
	rr_enable_full_lr = 0;
	rr_append_fromtag = 1;
	rr_enable_double_rr = 1;
	rr_add_username = 0;
	rr_socket_mismatch_warning = 1;
	rr_force_send_socket = 0;
	rr_ignore_sips = 0;
	rr_sockname_mode = 0;
	rr_custom_user = NULL;
	rr_ignore_user = KSR_STR_NULL;
	return 0;
}

#define RR(uri) "Record-Route: <" uri ">\r\n"
#define INVITE(top) req("INVITE", "sip:bob@192.0.2.9", NULL, top, "")

/* --- record_route() --- */

static void test_record_route_single(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	/* nothing in the message until it is forwarded */
	assert_string_equal(built(&t), INVITE(""));
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	/* forwarded again: the same, once */
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	/* a second Record-Route for the same request fails and adds nothing */
	assert_int_equal(call0(&t, "record_route"), -1);
	assert_int_equal(call1(&t, "record_route_preset", str_param("192.0.2.5")), -1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	done(&t);
}

static void test_record_route_double(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	/* UDP in, TCP out: the outgoing socket on top, each with r2 */
	assert_string_equal(forwarded(&t, TCP1),
	                    INVITE(RR("sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a")
	                                   RR("sip:127.0.0.1:5070;r2=on;lr;ftag=a")));
	/* another interface: the SIP port is not written */
	assert_string_equal(forwarded(&t, UDP2), INVITE(RR("sip:127.0.0.2;r2=on;lr;ftag=a") RR(
	                                                 "sip:127.0.0.1:5070;r2=on;lr;ftag=a")));
	/* an advertised address names its listener */
	assert_string_equal(forwarded(&t, ADV3), INVITE(RR("sip:192.0.2.7:5099;r2=on;lr;ftag=a") RR(
	                                                 "sip:127.0.0.1:5070;r2=on;lr;ftag=a")));
	assert_string_equal(forwarded(&t, UDP6), INVITE(RR("sip:[::1]:5072;r2=on;lr;ftag=a") RR(
	                                                 "sip:127.0.0.1:5070;r2=on;lr;ftag=a")));
	done(&t);
	/* TCP in, UDP out */
	parse(&t, INVITE(""), TCP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1),
	                    INVITE(RR("sip:127.0.0.1:5070;r2=on;lr;ftag=a")
	                                   RR("sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a")));
	done(&t);
}

static void test_record_route_double_modes(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	/* 0: one header, naming the receiving socket whatever the outgoing one */
	rr_enable_double_rr = 0;
	assert_string_equal(forwarded(&t, TCP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	/* 2: always two */
	rr_enable_double_rr = 2;
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;r2=on;lr;ftag=a") RR(
	                                                 "sip:127.0.0.1:5070;r2=on;lr;ftag=a")));
	done(&t);
	/* with no receiving socket (a message the server made), the outgoing one */
	rr_enable_double_rr = 1;
	parse(&t, INVITE(""), NULL);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, TCP1),
	                    INVITE(RR("sip:127.0.0.1:5070;transport=tcp;lr;ftag=a")));
	done(&t);
}

static void test_record_route_params(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	/* sparams, then add_rr_param's in call order, before or after */
	assert_int_equal(call1(&t, "add_rr_param", str_param(";a=1")), 1);
	assert_int_equal(call1(&t, "record_route", str_param(";b=2")), 1);
	assert_int_equal(call1(&t, "add_rr_param", dyn(";c=3;d")), 1);
	assert_string_equal(forwarded(&t, UDP1),
	                    INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a;b=2;a=1;c=3;d")));
	assert_string_equal(
	        forwarded(&t, TCP1),
	        INVITE(RR("sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a;b=2;a=1;c=3;d")
	                       RR("sip:127.0.0.1:5070;r2=on;lr;ftag=a;b=2;a=1;c=3;d")));
	/* not URI parameters: refused, nothing added */
	assert_int_equal(call1(&t, "add_rr_param", dyn("x=1")), -1);
	assert_int_equal(call1(&t, "add_rr_param", dyn(";x=<1>")), -1);
	assert_int_equal(call1(&t, "add_rr_param", dyn(";x\r\nX: y")), -1);
	/* remove_record_route: nothing is added, and record_route() fails still (as upstream) */
	assert_int_equal(call0(&t, "remove_record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(""));
	assert_int_equal(call0(&t, "record_route"), -1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(""));
	done(&t);
	/* a variable with no value is no parameter; a bad one fails */
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call1(&t, "record_route", dyn("x")), -1);
	assert_int_equal(call1(&t, "record_route", dyn("")), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	done(&t);
	/* add_rr_param alone adds nothing */
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call1(&t, "add_rr_param", str_param(";a=1")), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(""));
	done(&t);
}

static void test_record_route_modparams(void **state)
{
	const char *in = req("INVITE", "sips:bob@192.0.2.9", NULL, "", "");
	struct t t;

	rr_enable_full_lr = 1;
	rr_add_username = 1;
	parse(&t, in, UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1),
	                    req("INVITE", "sips:bob@192.0.2.9", NULL,
	                        RR("sips:bob@127.0.0.1:5070;lr=on;ftag=a"), ""));
	done(&t);
	rr_ignore_sips = 1;
	rr_append_fromtag = 0;
	rr_sockname_mode = 1;
	parse(&t, in, UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, ADV3),
	                    req("INVITE", "sips:bob@192.0.2.9", NULL,
	                        RR("sip:bob@192.0.2.7:5099;sn=s3;r2=on;lr=on")
	                                RR("sip:bob@127.0.0.1:5070;r2=on;lr=on"),
	                        ""));
	done(&t);
	/* the user is the received R-URI's, the scheme the R-URI's now (ref) */
	params_reset(NULL);
	rr_add_username = 1;
	parse(&t, in, UDP1);
	assert_int_equal(ksr_msg_set_ruri(&t.msg, KSR_STR_STATIC("sip:carol@192.0.2.9")), 0);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), req("INVITE", "sip:carol@192.0.2.9", NULL,
	                                             RR("sip:bob@127.0.0.1:5070;lr;ftag=a"), ""));
	done(&t);
	/* a received R-URI without a user: the new one's */
	parse(&t, req("INVITE", "sip:192.0.2.9", NULL, "", ""), UDP1);
	assert_int_equal(ksr_msg_set_ruri(&t.msg, KSR_STR_STATIC("sip:carol@192.0.2.9")), 0);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), req("INVITE", "sip:carol@192.0.2.9", NULL,
	                                             RR("sip:carol@127.0.0.1:5070;lr;ftag=a"), ""));
	done(&t);
	/* no user in the R-URI: none in ours; no From tag: no ftag */
	params_reset(NULL);
	rr_add_username = 1;
	parse(&t, "INVITE sip:192.0.2.9 SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\n", UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), "INVITE sip:192.0.2.9 SIP/2.0\r\n"
	                                         "Record-Route: <sip:127.0.0.1:5070;lr>\r\n"
	                                         "From: <sip:a@b>\r\n"
	                                         "To: <sip:c@d>\r\n\r\n");
	done(&t);
}

/* $rrv: a test variable for custom_user_avp. */
static char rrv[32];

static int rrv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	if (!rrv[0])
		*ret = (struct ksr_val){.type = KSR_VAL_NULL};
	else
		*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = ksr_str_make(rrv, strlen(rrv))};
	return 0;
}

static const struct ksr_pv_export test_pvs[] = {
        {.name = "rrv", .get = rrv_get},
        {0},
};

static void test_custom_user(void **state)
{
	struct ksr_fparam v = str_param("$rrv");
	const char *err = NULL;
	struct t t;

	assert_int_equal(ksr_module_set_param("rr", "custom_user_avp", &v, &err), 0);
	v = str_param("$rrv x");
	assert_int_equal(ksr_module_set_param("rr", "custom_user_avp", &v, &err), -EINVAL);
	rr_add_username = 1;
	strcpy(rrv, "carol");
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:carol@127.0.0.1:5070;lr;ftag=a")));
	done(&t);
	/* no value: the R-URI's user */
	rrv[0] = '\0';
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:bob@127.0.0.1:5070;lr;ftag=a")));
	done(&t);
	/* without add_username it is not used */
	strcpy(rrv, "carol");
	rr_add_username = 0;
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(RR("sip:127.0.0.1:5070;lr;ftag=a")));
	done(&t);
}

static void test_double_rr_param(void **state)
{
	struct ksr_fparam v = int_param(3);
	const char *err = NULL;

	assert_int_equal(ksr_module_set_param("rr", "enable_double_rr", &v, &err), -EINVAL);
	v = int_param(2);
	assert_int_equal(ksr_module_set_param("rr", "enable_double_rr", &v, &err), 0);
	assert_int_equal(rr_enable_double_rr, 2);
}

/* --- record_route_preset(), record_route_advertised_address() --- */

static void test_preset(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call1(&t, "add_rr_param", str_param(";a=1")), 1);
	assert_int_equal(call1(&t, "record_route_preset", str_param("192.0.2.5:5090;x=y")), 1);
	assert_int_equal(call1(&t, "add_rr_param", str_param(";c=3")), 1);
	/* the same whatever the socket; params given before go before ;lr, as upstream */
	assert_string_equal(forwarded(&t, TCP1),
	                    INVITE(RR("sip:192.0.2.5:5090;x=y;ftag=a;a=1;lr;c=3")));
	done(&t);
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call2(&t, "record_route_preset", str_param("192.0.2.5;r2=on"),
	                       dyn("[2001:db8::5]:5062;r2=on")),
	                 1);
	assert_string_equal(forwarded(&t, UDP1),
	                    INVITE(RR("sip:192.0.2.5;r2=on;ftag=a;lr")
	                                   RR("sip:[2001:db8::5]:5062;r2=on;ftag=a;lr")));
	done(&t);
	/* two addresses need double Record-Route */
	rr_enable_double_rr = 0;
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(
	        call2(&t, "record_route_preset", str_param("192.0.2.5"), str_param("192.0.2.6")),
	        -1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(""));
	done(&t);
	/* what a variable brings is checked as the fixup checks a constant */
	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call1(&t, "record_route_preset", dyn("sip:192.0.2.5")), -1);
	assert_int_equal(call1(&t, "record_route_preset", dyn("")), -1);
	assert_int_equal(call1(&t, "record_route_preset", dyn("192.0.2.5>\r\nX: y")), -1);
	assert_int_equal(call1(&t, "record_route_advertised_address", dyn("a b")), -1);
	assert_string_equal(forwarded(&t, UDP1), INVITE(""));
	done(&t);
}

static void test_advertised(void **state)
{
	struct t t;

	parse(&t, INVITE(""), UDP1);
	assert_int_equal(call1(&t, "add_rr_param", str_param(";a=1")), 1);
	assert_int_equal(call1(&t, "record_route_advertised_address", str_param("192.0.2.5:5090")),
	                 1);
	assert_int_equal(call1(&t, "add_rr_param", str_param(";c=3")), 1);
	/* the same transport: one header, whatever the interface */
	assert_string_equal(forwarded(&t, UDP2),
	                    INVITE(RR("sip:192.0.2.5:5090;ftag=a;lr;a=1;c=3")));
	/* another transport: two, each naming its transport */
	assert_string_equal(
	        forwarded(&t, TCP1),
	        INVITE(RR("sip:192.0.2.5:5090;transport=tcp;r2=on;ftag=a;lr;a=1;c=3")
	                       RR("sip:192.0.2.5:5090;transport=udp;r2=on;ftag=a;lr;a=1;c=3")));
	/* without double Record-Route: one, with the receiving transport when they differ */
	rr_enable_double_rr = 0;
	assert_string_equal(forwarded(&t, TCP1),
	                    INVITE(RR("sip:192.0.2.5:5090;transport=udp;ftag=a;lr;a=1;c=3")));
	rr_enable_double_rr = 2;
	assert_string_equal(
	        forwarded(&t, UDP1),
	        INVITE(RR("sip:192.0.2.5:5090;transport=udp;r2=on;ftag=a;lr;a=1;c=3")
	                       RR("sip:192.0.2.5:5090;transport=udp;r2=on;ftag=a;lr;a=1;c=3")));
	done(&t);
}

/* --- fixups --- */

static void test_fixups(void **state)
{
	struct ksr_fparam p[2];

	p[0] = str_param("nat=yes");
	assert_non_null(strstr(refused("add_rr_param", 1, p), ";name=value"));
	p[0] = str_param(";nat=<yes>");
	refused("add_rr_param", 1, p);
	p[0] = str_param("nat");
	refused("record_route", 1, p);
	p[0] = str_param("sip:192.0.2.5");
	assert_non_null(strstr(refused("record_route_preset", 1, p), "without a scheme"));
	p[0] = str_param("192.0.2.5");
	p[1] = str_param("");
	assert_non_null(strstr(refused("record_route_preset", 2, p), "empty"));
	p[0] = str_param("192.0.2.5 x");
	refused("record_route_advertised_address", 1, p);
	p[0] = str_param("sideways");
	assert_non_null(strstr(refused("is_direction", 1, p), "upstream"));
	p[0] = str_param("(");
	refused("check_route_param", 1, p);
	p[0] = int_param(2);
	refused("loose_route_mode", 1, p);
	/* is_direction() reads the ftag: it cannot work without append_fromtag */
	rr_append_fromtag = 0;
	p[0] = str_param("upstream");
	assert_non_null(strstr(refused("is_direction", 1, p), "append_fromtag"));
	/* variables are checked when they have a value */
	rr_append_fromtag = 1;
	p[0] = dyn("$var(x)");
	p[1] = dyn("$var(y)");
	assert_int_equal(cmd_n("add_rr_param", 1)->fixup(p, 1, &(const char *){NULL}), 0);
	assert_int_equal(cmd_n("record_route_preset", 2)->fixup(p, 2, &(const char *){NULL}), 0);
	assert_int_equal(cmd_n("is_direction", 1)->fixup(p, 1, &(const char *){NULL}), 0);
}

/* --- loose_route() --- */

#define BYE(ruri, hdrs) req("BYE", ruri, "b", "", hdrs)
#define BOB "sip:bob@192.0.2.9"
#define ROUTE(v) "Route: " v "\r\n"

/* loose_route() on text received on listener l: its result, $du and the message built. */
static int lr(struct t *t, const char *text, struct ksr_listener *l)
{
	parse(t, text, l);
	return call0(t, "loose_route");
}

static const char *du(struct t *t)
{
	static char b[256];

	snprintf(b, sizeof(b), "%.*s", KSR_STR_FMT(t->msg.dst_uri));
	return b;
}

static void test_loose_ours_then_next(void **state)
{
	struct t t;

	assert_int_equal(
	        lr(&t,
	           BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr;ftag=a;nat=yes>, <sip:192.0.2.8;lr>")),
	           UDP1),
	        1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	assert_int_equal(call0(&t, "rr_next_hop_route"), 1);
	assert_int_equal(call1(&t, "check_route_param", str_param("nat=yes")), 1);
	assert_int_equal(call1(&t, "check_route_param", str_param("^;lr")), 1);
	assert_int_equal(call1(&t, "check_route_param", str_param("NAT=YES")), 1);
	assert_int_equal(call1(&t, "check_route_param", str_param("nat=no")), -1);
	assert_null(t.msg.send_socket);
	/* again: the same result, nothing more removed */
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	done(&t);
	/* over two lines, our Route alone on the first one */
	assert_int_equal(lr(&t,
	                    BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr>")
	                                     ROUTE("<sip:192.0.2.8;lr>, <sip:x@192.0.2.10;lr>")),
	                    UDP1),
	                 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t),
	                    BYE(BOB, ROUTE("<sip:192.0.2.8;lr>, <sip:x@192.0.2.10;lr>")));
	done(&t);
}

static void test_loose_ours_alone(void **state)
{
	struct t t;

	/* within a dialog: taken off, 1, the R-URI is the next hop */
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr;ftag=a>")), UDP1), 1);
	assert_string_equal(du(&t), "");
	assert_string_equal(built(&t), BYE(BOB, ""));
	assert_int_equal(call0(&t, "rr_next_hop_route"), -1);
	done(&t);
	/* pre-loaded (no To tag): taken off, -3; loose_route_preloaded() is true for that */
	parse(&t, req("INVITE", BOB, NULL, "", ROUTE("<sip:127.0.0.1:5070;lr>")), UDP1);
	assert_int_equal(call0(&t, "loose_route_preloaded"), 1);
	assert_int_equal(call0(&t, "loose_route"), -3);
	assert_string_equal(built(&t), req("INVITE", BOB, NULL, "", ""));
	done(&t);
	/* the user part does not matter; ignore_user makes such a URI not ours */
	assert_int_equal(
	        lr(&t, BYE(BOB, ROUTE("<sip:x@127.0.0.1:5070;lr>, <sip:192.0.2.8;lr>")), UDP1), 1);
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	done(&t);
	rr_ignore_user = KSR_STR_STATIC("x");
	assert_int_equal(
	        lr(&t, BYE(BOB, ROUTE("<sip:x@127.0.0.1:5070;lr>, <sip:192.0.2.8;lr>")), UDP1), 1);
	assert_string_equal(du(&t), "sip:x@127.0.0.1:5070;lr");
	assert_string_equal(built(&t),
	                    BYE(BOB, ROUTE("<sip:x@127.0.0.1:5070;lr>, <sip:192.0.2.8;lr>")));
	done(&t);
}

static void test_loose_not_ours(void **state)
{
	struct t t;

	/* pre-loaded with a foreign Route: that is the next hop; 1 */
	parse(&t, req("INVITE", BOB, NULL, "", ROUTE("<sip:192.0.2.8;lr>")), UDP1);
	assert_int_equal(call0(&t, "loose_route_preloaded"), -1);
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t), req("INVITE", BOB, NULL, "", ROUTE("<sip:192.0.2.8;lr>")));
	assert_int_equal(call0(&t, "rr_next_hop_route"), -1);
	assert_int_equal(call1(&t, "check_route_param", str_param("lr")), -1);
	done(&t);
	/* another port is not us */
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.1;lr>")), UDP1), 1);
	assert_string_equal(du(&t), "sip:127.0.0.1;lr");
	done(&t);
	/* no Route at all; a Route that is not a SIP URI */
	assert_int_equal(lr(&t, BYE(BOB, ""), UDP1), -1);
	assert_string_equal(built(&t), BYE(BOB, ""));
	done(&t);
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<tel:+1234>")), UDP1), -1);
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<tel:+1234>")));
	done(&t);
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("sip:127.0.0.1:5070;lr")), UDP1), -1);
	done(&t);
}

#define R2                                                                                         \
	"<sip:127.0.0.1:5070;r2=on;lr;ftag=a>, <sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a>"

static void test_loose_double(void **state)
{
	struct t t;

	/* both of ours go, the second names the socket to send from */
	assert_int_equal(lr(&t,
	                    BYE(BOB, ROUTE("<sip:127.0.0.1:5070;r2=on;lr;ftag=a>")
	                                     ROUTE("<sip:127.0.0.1:5070;transport=tcp;r2=on;lr;"
	                                           "ftag=a>, <sip:192.0.2.8;lr>")),
	                    UDP1),
	                 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	assert_ptr_equal(t.msg.send_socket, TCP1);
	assert_int_equal(call1(&t, "check_route_param", str_param("^;r2=on;lr")), 1);
	done(&t);
	assert_int_equal(lr(&t, BYE(BOB, ROUTE(R2)), UDP1), 1);
	assert_string_equal(built(&t), BYE(BOB, ""));
	assert_ptr_equal(t.msg.send_socket, TCP1);
	done(&t);
	parse(&t, req("INVITE", BOB, NULL, "", ROUTE(R2)), UDP1);
	assert_int_equal(call0(&t, "loose_route"), -3);
	done(&t);
	/* the second goes even when it is not ours (as upstream); no socket then */
	assert_int_equal(lr(&t,
	                    BYE(BOB, ROUTE("<sip:127.0.0.1:5070;r2=on;lr>, "
	                                   "<sip:192.0.2.8;r2=on;lr>, <sip:192.0.2.9;lr>")),
	                    UDP1),
	                 1);
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.9;lr>")));
	assert_null(t.msg.send_socket);
	done(&t);
	/* the advertised address finds its listener */
	assert_int_equal(
	        lr(&t,
	           BYE(BOB, ROUTE("<sip:127.0.0.1:5070;r2=on;lr>, <sip:192.0.2.7:5099;r2=on;lr>")),
	           UDP1),
	        1);
	assert_ptr_equal(t.msg.send_socket, ADV3);
	done(&t);
	/* without double Record-Route, one at a time */
	rr_enable_double_rr = 0;
	assert_int_equal(lr(&t, BYE(BOB, ROUTE(R2)), UDP1), 1);
	assert_string_equal(du(&t), "sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a");
	assert_string_equal(built(&t),
	                    BYE(BOB, ROUTE("<sip:127.0.0.1:5070;transport=tcp;r2=on;lr;ftag=a>")));
	done(&t);
}

static void test_loose_sockets(void **state)
{
	struct t t;

	/* force_send_socket: a single Route of ours names the socket too */
	rr_force_send_socket = 1;
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.2;lr>, <sip:192.0.2.8;lr>")), UDP1),
	                 1);
	assert_ptr_equal(t.msg.send_socket, UDP2);
	done(&t);
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.1:5070;transport=TCP;lr>")), UDP1), 1);
	assert_ptr_equal(t.msg.send_socket, TCP1);
	done(&t);
	assert_int_equal(lr(&t, BYE(BOB, ROUTE("<sip:[::1]:5072;lr>")), UDP1), 1);
	assert_ptr_equal(t.msg.send_socket, UDP6);
	done(&t);
	/* sockname_mode: the sn parameter names the socket */
	rr_force_send_socket = 0;
	rr_sockname_mode = 1;
	assert_int_equal(
	        lr(&t,
	           BYE(BOB,
	               ROUTE("<sip:127.0.0.1:5070;r2=on;lr>, <sip:127.0.0.1:5070;sn=s3;r2=on;lr>")),
	           UDP1),
	        1);
	assert_ptr_equal(t.msg.send_socket, ADV3);
	done(&t);
}

static void test_loose_strict_next(void **state)
{
	struct t t;

	/* the next hop is a strict router: it becomes the R-URI, the R-URI the last Route */
	assert_int_equal(
	        lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr;ftag=a>, <sip:192.0.2.8>")), UDP1),
	        1);
	assert_string_equal(du(&t), "");
	assert_string_equal(built(&t), BYE("sip:192.0.2.8", ROUTE("<" BOB ">")));
	assert_int_equal(call0(&t, "rr_next_hop_route"), 1);
	done(&t);
	assert_int_equal(
	        lr(&t,
	           BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr>, <sip:192.0.2.8>, <sip:192.0.2.10;lr>")
	                            ROUTE("<sip:192.0.2.11;lr>") "X-A: 1\r\n"),
	           UDP1),
	        1);
	assert_string_equal(built(&t), BYE("sip:192.0.2.8",
	                                   ROUTE("<sip:192.0.2.10;lr>") ROUTE("<sip:192.0.2.11;lr>")
	                                           ROUTE("<" BOB ">") "X-A: 1\r\n"));
	done(&t);
	/* maddr: where it goes, with port and transport */
	assert_int_equal(
	        lr(&t,
	           BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr>, "
	                          "<sip:u@10.1.1.1:5090;maddr=192.0.2.8;transport=tcp;lr>")),
	           UDP1),
	        1);
	assert_string_equal(du(&t), "sip:192.0.2.8:5090;transport=tcp");
	done(&t);
	assert_int_equal(
	        lr(&t, BYE(BOB, ROUTE("<sip:127.0.0.1:5070;lr>, <sip:10.1.1.1;maddr=192.0.2.8>")),
	           UDP1),
	        1);
	assert_string_equal(built(&t), BYE("sip:192.0.2.8", ROUTE("<" BOB ">")));
	done(&t);
}

static void test_strict_previous(void **state)
{
	struct t t;

	/* the R-URI is ours: the last Route is the target, the first the next hop */
	assert_int_equal(lr(&t,
	                    BYE("sip:127.0.0.1:5070;lr;ftag=a;nat=yes",
	                        ROUTE("<sip:192.0.2.8;lr>, <" BOB ">")),
	                    UDP1),
	                 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	/* our parameters are the R-URI's, without a leading ';' */
	assert_int_equal(call1(&t, "check_route_param", str_param("^lr;ftag=a;nat=yes$")), 1);
	assert_int_equal(call0(&t, "rr_next_hop_route"), -1);
	done(&t);
	/* the first Route is a strict router: the R-URI */
	assert_int_equal(
	        lr(&t, BYE("sip:127.0.0.1:5070", ROUTE("<sip:192.0.2.8>, <" BOB ">")), UDP1), 1);
	assert_string_equal(du(&t), "");
	assert_string_equal(built(&t), BYE("sip:192.0.2.8", ROUTE("<" BOB ">")));
	done(&t);
	assert_int_equal(lr(&t, BYE("sip:127.0.0.1:5070", ROUTE("<" BOB ">")), UDP1), 1);
	assert_string_equal(built(&t), BYE(BOB, ""));
	done(&t);
	/* a double Record-Route pair first: the first goes and names the socket */
	assert_int_equal(
	        lr(&t,
	           BYE("sip:127.0.0.1:5070", ROUTE("<sip:127.0.0.1:5070;transport=tcp;r2=on;lr>, "
	                                           "<sip:192.0.2.8;lr>, <" BOB ">")),
	           UDP1),
	        1);
	assert_ptr_equal(t.msg.send_socket, TCP1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t), BYE(BOB, ROUTE("<sip:192.0.2.8;lr>")));
	done(&t);
	assert_int_equal(
	        lr(&t, BYE("sip:127.0.0.1:5070", ROUTE("<sip:127.0.0.1:5070;r2=on;lr>")), UDP1),
	        -1);
	done(&t);
	/* loose_route_mode(1): the R-URI is never taken for ours */
	parse(&t, BYE("sip:127.0.0.1:5070", ROUTE("<sip:192.0.2.8;lr>, <" BOB ">")), UDP1);
	assert_int_equal(call1(&t, "loose_route_mode", int_param(1)), 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	assert_string_equal(built(&t),
	                    BYE("sip:127.0.0.1:5070", ROUTE("<sip:192.0.2.8;lr>, <" BOB ">")));
	done(&t);
	/* pre-loaded: never strict, even with our R-URI */
	parse(&t, req("INVITE", "sip:127.0.0.1:5070", NULL, "", ROUTE("<sip:192.0.2.8;lr>")), UDP1);
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_string_equal(du(&t), "sip:192.0.2.8;lr");
	done(&t);
}

/* --- direction, and the pseudo-variables --- */

static const char *pv(struct t *t, const char *name)
{
	static char b[128];
	struct ksr_pv_spec *spec;
	struct ksr_val v;
	const char *err = NULL;
	size_t used;

	assert_int_equal(ksr_pv_parse(ksr_str_make((char *)name, strlen(name)), &t->arena, &spec,
	                              &used, &err),
	                 0);
	assert_int_equal(ksr_pv_get(&t->msg, spec, &v), 0);
	if (v.type == KSR_VAL_NULL)
		return "<null>";
	if (v.type == KSR_VAL_INT)
		snprintf(b, sizeof(b), "%ld", v.i);
	else
		snprintf(b, sizeof(b), "%.*s", KSR_STR_FMT(v.s));
	return b;
}

/* A request From tag ftag, To tag ttag, with Route set routes, loose-routed. */
static void dialog_req(struct t *t, const char *ftag, const char *ttag, const char *routes)
{
	static char b[1024];

	snprintf(b, sizeof(b),
	         "BYE sip:bob@192.0.2.9 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-2\r\n"
	         "%s"
	         "From: <sip:x@example.com>;tag=%s\r\n"
	         "To: <sip:y@example.com>;tag=%s\r\n"
	         "Call-ID: c2\r\nCSeq: 2 BYE\r\n\r\n",
	         routes, ftag, ttag);
	parse(t, b, UDP1);
}

static void test_direction(void **state)
{
	const char *rt = ROUTE("<sip:127.0.0.1:5070;lr;ftag=AAA>, <sip:192.0.2.8;lr>");
	struct t t;

	/* the caller's request: its From tag is the ftag */
	dialog_req(&t, "AAA", "BBB", rt);
	assert_string_equal(pv(&t, "$route_uri"), "sip:127.0.0.1:5070;lr;ftag=AAA");
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("upstream")), -1);
	assert_string_equal(pv(&t, "$rdir(id)"), "1");
	assert_string_equal(pv(&t, "$rdir(name)"), "downstream");
	assert_string_equal(pv(&t, "$fti"), "AAA");
	assert_string_equal(pv(&t, "$tti"), "BBB");
	/* $route_uri is the first Route as received */
	assert_string_equal(pv(&t, "$route_uri"), "sip:127.0.0.1:5070;lr;ftag=AAA");
	done(&t);
	/* the callee's: the tags are the other way round */
	dialog_req(&t, "BBB", "AAA", rt);
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_int_equal(call1(&t, "is_direction", dyn("upstream")), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), -1);
	assert_int_equal(call1(&t, "is_direction", dyn("sideways")), -1);
	assert_string_equal(pv(&t, "$rdir(id)"), "2");
	assert_string_equal(pv(&t, "$rdir(name)"), "upstream");
	assert_string_equal(pv(&t, "$fti"), "AAA");
	assert_string_equal(pv(&t, "$tti"), "BBB");
	/* record_route() now takes the To tag for the ftag: the dialog's first From tag */
	assert_int_equal(call0(&t, "record_route"), 1);
	assert_non_null(strstr(forwarded(&t, UDP1), RR("sip:127.0.0.1:5070;lr;ftag=AAA")));
	done(&t);
	/* no ftag, an empty one, no From tag, or no loose_route(): downstream */
	dialog_req(&t, "BBB", "AAA", ROUTE("<sip:127.0.0.1:5070;lr;ftag=>"));
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), 1);
	done(&t);
	dialog_req(&t, "BBB", "AAA", ROUTE("<sip:127.0.0.1:5070;lr>"));
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), 1);
	done(&t);
	dialog_req(&t, "BBB", "AAA", rt);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), 1);
	done(&t);
	/* the ftag of a foreign Route is not read */
	dialog_req(&t, "BBB", "AAA", ROUTE("<sip:192.0.2.8;lr;ftag=AAA>"));
	assert_int_equal(call0(&t, "loose_route"), 1);
	assert_int_equal(call1(&t, "is_direction", str_param("downstream")), 1);
	done(&t);
	/* no Route: $route_uri is null */
	dialog_req(&t, "BBB", "AAA", "");
	assert_string_equal(pv(&t, "$route_uri"), "<null>");
	done(&t);
}

static void test_rdir_name(void **state)
{
	struct ksr_arena arena;
	struct ksr_pv_spec *spec;
	const char *err = NULL;
	size_t used;

	ksr_arena_init(&arena, 1024);
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$rdir(foo)"), &arena, &spec, &used, &err),
	                 -EINVAL);
	assert_int_equal(ksr_pv_parse(KSR_STR_STATIC("$rdir"), &arena, &spec, &used, &err),
	                 -EINVAL);
	ksr_arena_destroy(&arena);
}

/* --- the core's forward hook, with a request really sent --- */

static void test_forward_hook_registered(void **state)
{
	/* mod_init hooks the module in once, however often it runs; destroy unhooks it */
	assert_int_equal(ksr_module_exports.mod_init(), 0);
	assert_int_equal(ksr_module_exports.mod_init(), 0);
	for (int i = 0; i < KSR_MAX_FORWARD_HOOKS - 1; i++)
		assert_int_equal(ksr_forward_add_hook((ksr_forward_hook_fn)(uintptr_t)(i + 1)), 0);
	assert_int_equal(ksr_forward_add_hook((ksr_forward_hook_fn)(uintptr_t)99), -ENOSPC);
	for (int i = 0; i < KSR_MAX_FORWARD_HOOKS - 1; i++)
		ksr_forward_del_hook((ksr_forward_hook_fn)(uintptr_t)(i + 1));
	ksr_module_exports.destroy();
	assert_int_equal(ksr_forward_add_hook((ksr_forward_hook_fn)(uintptr_t)1), 0);
	ksr_forward_del_hook((ksr_forward_hook_fn)(uintptr_t)1);
}

/* --- in a routing program compiled from a config --- */

static const char routes_cfg[] =
        "request_route {\n"
        "	if (loose_route()) {\n"
        "		if (check_route_param(\"nat=yes\")) setflag(1);\n"
        "		if (is_direction(\"upstream\")) setflag(2);\n"
        "		if (rr_next_hop_route()) setflag(3);\n"
        "		if ($rdir(name) == \"upstream\" && $fti == \"AAA\") setflag(4);\n"
        "		exit;\n"
        "	}\n"
        "	setflag(9);\n"
        "}\n";

static void test_routes(void **state)
{
	char *text = strdup(routes_cfg);
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err = {0};
	struct ksr_pp *pp = ksr_pp_new();
	struct t t;

	assert_non_null(text);
	assert_non_null(pp);
	if (ksr_cfg_parse_text("routes.cfg", text, strlen(text), pp, &prog, &err) < 0)
		fail_msg("config refused: %d:%d: %s", err.pos.line, err.pos.col, err.msg);
	ksr_pp_free(pp);
	free(text);
	dialog_req(&t, "BBB", "AAA",
	           ROUTE("<sip:127.0.0.1:5070;lr;ftag=AAA;nat=yes>, <sip:192.0.2.8;lr>"));
	ksr_run_request(prog, &t.msg);
	assert_int_equal(t.msg.flags, 0x1e);
	done(&t);
	dialog_req(&t, "BBB", "AAA", "");
	ksr_run_request(prog, &t.msg);
	assert_int_equal(t.msg.flags, 1 << 9);
	done(&t);
	ksr_program_unref(prog);
	ksr_cfg_forget_running();
}

static int group_setup(void **state)
{
	if (ksr_pv_register(test_pvs) < 0 || ksr_core_cmds_register() < 0 ||
	    ksr_module_register_builtin(&ksr_module_exports) < 0)
		return -1;
	return listeners_setup(state);
}

static int group_teardown(void **state)
{
	ksr_listeners_clear();
	ksr_modules_unload();
	return 0;
}

#define T(f) cmocka_unit_test_teardown(f, params_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_record_route_single),
	        T(test_record_route_double),
	        T(test_record_route_double_modes),
	        T(test_record_route_params),
	        T(test_record_route_modparams),
	        T(test_custom_user),
	        T(test_double_rr_param),
	        T(test_preset),
	        T(test_advertised),
	        T(test_fixups),
	        T(test_loose_ours_then_next),
	        T(test_loose_ours_alone),
	        T(test_loose_not_ours),
	        T(test_loose_double),
	        T(test_loose_sockets),
	        T(test_loose_strict_next),
	        T(test_strict_previous),
	        T(test_direction),
	        T(test_rdir_name),
	        T(test_forward_hook_registered),
	        T(test_routes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
