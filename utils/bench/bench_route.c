/*
 * bench_route: what the config interpreter costs per message, on a route shaped like the
 * stock kamailio.cfg's request handling, with the modules we have (pv) and core functions.
 * It times parse+route and parse alone over the same INVITE and prints the difference. A
 * tool, not a test: build it in a Release tree and see docs/performance.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/parser/msg.h"
#include "core/route/core_cmds.h"
#include "core/route/program.h"
#include "core/version.h"

#define CRLF "\r\n"

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0" CRLF
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport" CRLF
	"Max-Forwards: 70" CRLF
	"To: Bob <sip:bob@biloxi.example.com>" CRLF
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
	"CSeq: 314159 INVITE" CRLF
	"Contact: <sip:alice@192.0.2.10:5060>" CRLF
	"User-Agent: bench-phone/1.0" CRLF
	"Content-Length: 0" CRLF CRLF;

/* The stock config's shape: REQINIT checks, in-dialog test, method dispatch, routing. */
static const char cfg[] =
	"loadmodule \"pv\"\n"
	"request_route {\n"
	"	route(REQINIT);\n"
	"	if (method == \"CANCEL\") { exit; }\n"
	"	route(WITHINDLG);\n"
	"	if (method == \"INVITE\") { setflag(1); }\n"
	"	route(AUTH);\n"
	"	if ($rU == $null) { exit; }\n"
	"	route(LOCATION);\n"
	"	exit;\n"
	"}\n"
	"route[REQINIT] {\n"
	"	if ($ua =~ \"friendly-scanner|sipcli|VaxSIPUserAgent\") { exit; }\n"
	"	if (msg:len > 4096) { exit; }\n"
	"	if (method == \"OPTIONS\" && uri == myself && $rU == $null) { exit; }\n"
	"	if ($si == \"203.0.113.1\" || src_ip == 10.0.0.0/8) { exit; }\n"
	"}\n"
	"route[WITHINDLG] {\n"
	"	if ($tt != $null) { exit; }\n"
	"}\n"
	"route[AUTH] {\n"
	"	if (from_uri == myself) { exit; }\n"
	"	$var(auth) = 0;\n"
	"	if ($fd == \"atlanta.example.com\") { $var(auth) = 1; }\n"
	"	return $var(auth);\n"
	"}\n"
	"route[LOCATION] {\n"
	"	switch ($rm) {\n"
	"	case \"INVITE\": $var(kind) = \"call\"; break;\n"
	"	case \"MESSAGE\": $var(kind) = \"im\"; break;\n"
	"	default: $var(kind) = \"other\";\n"
	"	}\n"
	"	if (isflagset(1) && $var(kind) == \"call\") {\n"
	"		$ru = \"sip:\" + $rU + \"@192.0.2.20:5060\";\n"
	"	}\n"
	"}\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per message for n rounds: parse, and run the route when prog is given */
static double rounds(struct ksr_program *prog, char *buf, size_t len, long n)
{
	struct ksr_arena arena;
	struct ksr_msg msg;
	double t0;

	ksr_arena_init(&arena, 32768);
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (ksr_msg_parse(&msg, buf, len, &arena, NULL) < 0) {
			fprintf(stderr, "bench_route: the message does not parse\n");
			exit(1);
		}
		if (prog && ksr_run_request(prog, &msg) != KSR_RUN_EXIT) {
			fprintf(stderr, "bench_route: the route did not end in exit\n");
			exit(1);
		}
		ksr_arena_reset(&arena);
	}
	t0 = (now() - t0) / (double)n;
	ksr_arena_destroy(&arena);
	return t0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;
	size_t len = sizeof(invite) - 1;
	char *buf = malloc(len + 1), *text = strdup(cfg);
	struct ksr_pp *pp = ksr_pp_new();
	double parse, both;

	if (!buf || !text || !pp || n <= 0 || ksr_core_cmds_register() < 0)
		return 1;
	memcpy(buf, invite, len + 1);
	ksr_log_level = L_ERR;
	ksr_module_path = strdup(KSR_MODULES_BUILD_DIR);
	if (ksr_cfg_parse_text("bench.cfg", text, strlen(text), pp, &prog, &err) < 0) {
		fprintf(stderr, "bench_route: %s:%d:%d: %s\n", err.pos.file, err.pos.line,
			err.pos.col, err.msg);
		return 1;
	}
	rounds(prog, buf, len, n / 10 + 1); /* warm-up */
	parse = rounds(NULL, buf, len, n);
	both = rounds(prog, buf, len, n);
	printf("%-28s %12s %12s %12s\n", "route", "parse ns", "parse+run ns", "run ns/msg");
	printf("%-28s %12.1f %12.1f %12.1f\n", "stock-shaped request_route", parse, both,
	       both - parse);
	ksr_program_unref(prog);
	ksr_pp_free(pp);
	free(text);
	free(buf);
	return 0;
}
