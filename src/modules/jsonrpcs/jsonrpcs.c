/*
 * jsonrpcs: the core's RPC methods over JSON-RPC 2.0, from a FIFO (each request names the
 * FIFO its answer goes to, "reply_name") and a datagram socket (unix or UDP: the answer
 * goes back to the sender), served by threads of the module; over HTTP with xhttp
 * (jsonrpc_dispatch() in event_route[xhttp:request]); jsonrpc_exec() runs a request from
 * the script, its answer in $jsonrpl().
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module.h"
#include "core/msg/mdata.h"
#include "core/pv/pv.h"
#include "jsonrpcs.h"
#include "../xhttp/xhttp_api.h"

#define T_HTTP 1
#define T_FIFO 2
#define T_DGRAM 4
#define DEFAULT_RUN_DIR "/run/kamailio"
#define MAX_REQUEST (64 * 1024)
#define POLL_MS 200 /* how soon a thread sees the module stop */

static int pretty_format = 1;
static int transport = T_FIFO | T_DGRAM;
static char *fifo_name = "kamailio_rpc.fifo";
static int fifo_mode = 0660;
static char *fifo_reply_dir = "/tmp/";
static char *dgram_socket = "kamailio_rpc.sock";
static int dgram_workers = 1;
static int dgram_mode = 0660;
static int dgram_timeout = 2000;
static char *fifo_user, *fifo_group, *dgram_user, *dgram_group;

static atomic_bool stopping;
static pthread_t threads[1 + 16];
static int nthreads;
static int fifo_fd = -1, dgram_fd = -1;
static char *fifo_path, *dgram_path; /* what to unlink at stop */
static const struct xhttp_api *xhttp; /* bound when the HTTP transport is on */

/* A path relative to the runtime directory (core parameter rundir, -Y). */
static char *run_path(const char *name)
{
	const char *dir = ksr_core_cfg.rundir ? ksr_core_cfg.rundir : DEFAULT_RUN_DIR;
	char *p;

	if (name[0] == '/')
		return strdup(name);
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

/* chown path to user/group (names or numbers) when given. 0 or -errno. */
static int set_owner(const char *path, const char *user, const char *group)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	char *end;

	if (user) {
		struct passwd *pw = getpwnam(user);
		unsigned long n = strtoul(user, &end, 10);

		if (pw)
			uid = pw->pw_uid;
		else if (*user && !*end)
			uid = (uid_t)n;
		else
			return -ENOENT;
	}
	if (group) {
		struct group *gr = getgrnam(group);
		unsigned long n = strtoul(group, &end, 10);

		if (gr)
			gid = gr->gr_gid;
		else if (*group && !*end)
			gid = (gid_t)n;
		else
			return -ENOENT;
	}
	if ((user || group) && chown(path, uid, gid) < 0)
		return -errno;
	return 0;
}

/* --- FIFO --- */

/* The answer into the FIFO the request named, in fifo_reply_dir; waits for its reader. */
static void fifo_answer(const char *reply_name, const char *text)
{
	char *path;
	int fd = -1;

	if (!reply_name || strchr(reply_name, '/') || !*reply_name) {
		LM_ERR("FIFO request without a valid reply_name: no answer\n");
		return;
	}
	if (asprintf(&path, "%s%s%s", fifo_reply_dir,
		     fifo_reply_dir[strlen(fifo_reply_dir) - 1] == '/' ? "" : "/", reply_name) < 0)
		return;
	/* the client creates its FIFO and opens it for reading: give it a moment */
	for (int i = 0; i < dgram_timeout / 10 && fd < 0; i++) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno != ENXIO)
			break;
		if (fd < 0)
			usleep(10000);
	}
	if (fd < 0) {
		LM_ERR("cannot open the reply FIFO %s: %s\n", path, strerror(errno));
		free(path);
		return;
	}
	/* blocking from here: the reader is there */
	fcntl(fd, F_SETFL, 0);
	if (write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) < 0)
		LM_ERR("writing the answer to %s failed: %s\n", path, strerror(errno));
	close(fd);
	free(path);
}

/* The length of the first whole JSON document in buf; 0 when more bytes are needed. */
static size_t whole_document(const char *buf, size_t len, bool *ret_garbage)
{
	json_error_t err;
	json_t *j = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, &err);

	*ret_garbage = false;
	if (j) {
		json_decref(j);
		return (size_t)err.position;
	}
	/* an incomplete document is waited for; anything else is thrown away */
	if (json_error_code(&err) != json_error_premature_end_of_input)
		*ret_garbage = true;
	return 0;
}

static void *fifo_main(void *arg)
{
	struct ksr_arena arena;
	char *buf = malloc(MAX_REQUEST);
	size_t len = 0;

	ksr_arena_init(&arena, 8192);
	while (buf && !atomic_load(&stopping)) {
		struct pollfd p = {.fd = fifo_fd, .events = POLLIN};
		ssize_t n;
		size_t doc;
		bool garbage;

		if (poll(&p, 1, POLL_MS) <= 0)
			continue;
		n = read(fifo_fd, buf + len, MAX_REQUEST - len);
		if (n <= 0)
			continue;
		len += (size_t)n;
		while (len && (doc = whole_document(buf, len, &garbage)) > 0) {
			struct jsonrpcs_reply r;
			char *reply_name;

			jsonrpcs_handle(buf, doc, pretty_format != 0, &arena, &r, &reply_name);
			if (r.text)
				fifo_answer(reply_name, r.text);
			free(reply_name);
			jsonrpcs_reply_free(&r);
			ksr_arena_reset(&arena);
			memmove(buf, buf + doc, len - doc);
			len -= doc;
			/* what separates documents */
			while (len && strchr(" \t\r\n", buf[0])) {
				memmove(buf, buf + 1, len - 1);
				len--;
			}
		}
		if (garbage || len == MAX_REQUEST) {
			LM_ERR("dropping %zu bytes of the FIFO that are no JSON-RPC request\n", len);
			len = 0;
		}
	}
	ksr_arena_destroy(&arena);
	free(buf);
	return NULL;
}

static int fifo_open(void)
{
	fifo_path = run_path(fifo_name);
	if (!fifo_path)
		return -ENOMEM;
	unlink(fifo_path);
	if (mkfifo(fifo_path, (mode_t)fifo_mode) < 0 || chmod(fifo_path, (mode_t)fifo_mode) < 0) {
		LM_ERR("cannot create the FIFO %s: %s\n", fifo_path, strerror(errno));
		return -errno;
	}
	if (set_owner(fifo_path, fifo_user, fifo_group) < 0)
		LM_WARN("cannot give %s to fifo_user/fifo_group\n", fifo_path);
	/* read-write: the FIFO never reports the end of file when a writer goes */
	fifo_fd = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fifo_fd < 0) {
		LM_ERR("cannot open the FIFO %s: %s\n", fifo_path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* --- datagrams --- */

static void *dgram_main(void *arg)
{
	struct ksr_arena arena;
	char *buf = malloc(MAX_REQUEST);

	ksr_arena_init(&arena, 8192);
	while (buf && !atomic_load(&stopping)) {
		struct pollfd p = {.fd = dgram_fd, .events = POLLIN};
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct jsonrpcs_reply r;
		ssize_t n;

		if (poll(&p, 1, POLL_MS) <= 0)
			continue;
		n = recvfrom(dgram_fd, buf, MAX_REQUEST, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		jsonrpcs_handle(buf, (size_t)n, pretty_format != 0, &arena, &r, NULL);
		if (r.text && sendto(dgram_fd, r.text, strlen(r.text), MSG_DONTWAIT,
				     (struct sockaddr *)&from, flen) < 0)
			LM_ERR("sending a JSON-RPC answer failed: %s\n", strerror(errno));
		jsonrpcs_reply_free(&r);
		ksr_arena_reset(&arena);
	}
	ksr_arena_destroy(&arena);
	free(buf);
	return NULL;
}

/* "udp:host:port" (IPv6 in brackets) or a unix socket path. */
static int dgram_open(void)
{
	if (!strncmp(dgram_socket, "udp:", 4)) {
		struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
		char host[256];
		const char *spec = dgram_socket + 4, *colon = strrchr(spec, ':');
		size_t hl;

		if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host)) {
			LM_ERR("dgram_socket %s: udp:host:port expected\n", dgram_socket);
			return -EINVAL;
		}
		hl = (size_t)(colon - spec);
		if (spec[0] == '[' && hl > 2 && spec[hl - 1] == ']') {
			spec++;
			hl -= 2;
		}
		memcpy(host, spec, hl);
		host[hl] = '\0';
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) {
			LM_ERR("dgram_socket %s does not resolve\n", dgram_socket);
			return -EINVAL;
		}
		dgram_fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (dgram_fd < 0 || bind(dgram_fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			LM_ERR("cannot bind dgram_socket %s: %s\n", dgram_socket, strerror(errno));
			freeaddrinfo(ai);
			return -errno;
		}
		freeaddrinfo(ai);
		return 0;
	}
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	dgram_path = run_path(dgram_socket);
	if (!dgram_path)
		return -ENOMEM;
	if (strlen(dgram_path) >= sizeof(sun.sun_path)) {
		LM_ERR("dgram_socket %s: path too long\n", dgram_path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, dgram_path);
	unlink(dgram_path);
	dgram_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dgram_fd < 0 || bind(dgram_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(dgram_path, (mode_t)dgram_mode) < 0) {
		LM_ERR("cannot create dgram_socket %s: %s\n", dgram_path, strerror(errno));
		return -errno;
	}
	if (set_owner(dgram_path, dgram_user, dgram_group) < 0)
		LM_WARN("cannot give %s to dgram_user/dgram_group\n", dgram_path);
	return 0;
}

static void stop_all(void)
{
	atomic_store(&stopping, true);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	if (fifo_fd >= 0)
		close(fifo_fd);
	if (dgram_fd >= 0)
		close(dgram_fd);
	fifo_fd = dgram_fd = -1;
	if (fifo_path)
		unlink(fifo_path);
	if (dgram_path)
		unlink(dgram_path);
	free(fifo_path);
	free(dgram_path);
	fifo_path = dgram_path = NULL;
}

static int mod_init(void)
{
	int r, want;

	if (dgram_workers < 1 || dgram_workers > 16) {
		LM_ERR("dgram_workers must be from 1 to 16\n");
		return -EINVAL;
	}
	/* 0: every transport that can be served */
	want = transport ? transport : T_HTTP | T_FIFO | T_DGRAM;
	xhttp = NULL;
	if (want & T_HTTP) {
		xhttp = ksr_api_bind(XHTTP_API_NAME);
		if (!xhttp && transport) {
			LM_ERR("transport %d: HTTP needs the xhttp module: load it\n", transport);
			return -ENOENT;
		}
	}
	atomic_store(&stopping, false);
	if ((want & T_FIFO) && fifo_name && *fifo_name) {
		if ((r = fifo_open()) < 0 || (r = -pthread_create(&threads[nthreads], NULL,
								  fifo_main, NULL)) < 0) {
			stop_all();
			return r;
		}
		nthreads++;
	}
	if ((want & T_DGRAM) && dgram_socket && *dgram_socket) {
		if ((r = dgram_open()) < 0) {
			stop_all();
			return r;
		}
		for (int i = 0; i < dgram_workers; i++) {
			if ((r = -pthread_create(&threads[nthreads], NULL, dgram_main, NULL)) < 0) {
				stop_all();
				return r;
			}
			nthreads++;
		}
	}
	return 0;
}

/* --- HTTP: jsonrpc_dispatch() --- */

/* The HTTP status of an answer: the fault's code and message when they can be one. */
static int http_status(const struct jsonrpcs_reply *r, struct ksr_str *ret_reason)
{
	const char *m = r->message;

	if (!r->text) {
		/* not a JSON-RPC request at all */
		*ret_reason = KSR_STR_STATIC("Bad Request");
		return 400;
	}
	if (r->code == 200) {
		*ret_reason = KSR_STR_STATIC("OK");
		return 200;
	}
	if (r->code < 200 || r->code > 599 || !m || !*m || strpbrk(m, "\r\n")) {
		*ret_reason = KSR_STR_STATIC("Internal Server Error");
		return 500;
	}
	*ret_reason = ksr_str_make((char *)m, strlen(m));
	return r->code;
}

static int w_jsonrpc_dispatch(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct jsonrpcs_reply r;
	struct ksr_str reason;
	char *text;
	int code, sent;

	if (!xhttp) {
		LM_ERR("jsonrpc_dispatch(): HTTP is off (modparam transport, xhttp)\n");
		return -1;
	}
	if (!xhttp->is_request(msg)) {
		LM_ERR("jsonrpc_dispatch(): not an HTTP request, or answered already\n");
		return -1;
	}
	jsonrpcs_handle(msg->body.s, msg->body.len, pretty_format != 0, msg->arena, &r, NULL);
	code = http_status(&r, &reason);
	/* an HTTP client waits for an answer: what is no request gets a JSON-RPC error */
	text = r.text ? r.text : jsonrpcs_error_doc(r.code, r.message, pretty_format != 0);
	sent = xhttp->reply(msg, code, reason, KSR_STR_STATIC("application/json"),
	                    ksr_str_make(text, text ? strlen(text) : 0));
	if (text != r.text)
		free(text);
	jsonrpcs_reply_free(&r);
	return sent < 0 ? -1 : 1;
}

/* --- jsonrpc_exec() and $jsonrpl() --- */

static const char jsonrpl_key = 0;

struct jsonrpl {
	long code;
	struct ksr_str text, body;
};

static struct ksr_str arena_str(struct ksr_msg *msg, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *c = ksr_arena_alloc(msg->arena, n + 1);

	if (!c)
		return KSR_STR_NULL;
	if (n)
		memcpy(c, s, n);
	c[n] = '\0';
	return ksr_str_make(c, n);
}

static int w_jsonrpc_exec(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct jsonrpcs_reply r;
	struct jsonrpl out = {0};

	jsonrpcs_handle(p[0].s.s, p[0].s.len, pretty_format != 0, msg->arena, &r, NULL);
	if (!r.text) {
		jsonrpcs_reply_free(&r);
		return -1;
	}
	out.code = r.code;
	out.text = arena_str(msg, r.code == 200 ? "OK" : r.message);
	out.body = arena_str(msg, r.text);
	jsonrpcs_reply_free(&r);
	return ksr_msg_data_set(msg, &jsonrpl_key, &out, sizeof(out), NULL) < 0 ? -1 : 1;
}

static int jsonrpl_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena,
			      const char **ret_err)
{
	static const char *const names[] = {"code", "text", "body"};

	for (size_t i = 0; i < 3; i++) {
		if (spec->name.len == strlen(names[i]) &&
		    !memcmp(spec->name.s, names[i], spec->name.len)) {
			spec->pname_i = (long)i;
			return 0;
		}
	}
	*ret_err = "$jsonrpl() takes code, text or body";
	return -EINVAL;
}

static int jsonrpl_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const struct jsonrpl *j = ksr_msg_data_get(msg, &jsonrpl_key);

	if (!j) {
		ret->type = KSR_VAL_NULL;
		return 0;
	}
	if (spec->pname_i == 0) {
		ret->type = KSR_VAL_INT;
		ret->i = j->code;
	} else {
		ret->type = KSR_VAL_STR;
		ret->s = spec->pname_i == 1 ? j->text : j->body;
	}
	return 0;
}

/* where an HTTP request is handled: event_route[xhttp:request] and the routes it calls */
#define HTTP_ROUTES (KSR_ROUTE_EVENT | KSR_ROUTE_REQUEST)

static const struct ksr_cmd_export cmds[] = {
        {"jsonrpc_exec", w_jsonrpc_exec, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"jsonrpc_dispatch", w_jsonrpc_dispatch, {KSR_PT_NONE}, NULL, HTTP_ROUTES},
        {0},
};

static const struct ksr_param_export params[] = {
        {"pretty_format", KSR_MP_INT, &pretty_format, NULL},
        {"transport", KSR_MP_INT, &transport, NULL},
        {"fifo_name", KSR_MP_STR, &fifo_name, NULL},
        {"fifo_mode", KSR_MP_INT, &fifo_mode, NULL},
        {"fifo_user", KSR_MP_STR, &fifo_user, NULL},
        {"fifo_group", KSR_MP_STR, &fifo_group, NULL},
        {"fifo_reply_dir", KSR_MP_STR, &fifo_reply_dir, NULL},
        {"dgram_socket", KSR_MP_STR, &dgram_socket, NULL},
        {"dgram_workers", KSR_MP_INT, &dgram_workers, NULL},
        {"dgram_mode", KSR_MP_INT, &dgram_mode, NULL},
        {"dgram_user", KSR_MP_STR, &dgram_user, NULL},
        {"dgram_group", KSR_MP_STR, &dgram_group, NULL},
        {"dgram_timeout", KSR_MP_INT, &dgram_timeout, NULL},
        {0},
};

static const struct ksr_pv_export pvs[] = {
        {.name = "jsonrpl",
         .get = jsonrpl_get,
         .parse_name = jsonrpl_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {0},
};

KSR_MODULE(.name = "jsonrpcs", .cmds = cmds, .params = params, .pvs = pvs, .mod_init = mod_init,
           .destroy = stop_all);
