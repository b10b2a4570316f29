/*
 * kamcmd: runs RPC methods on a running kamailio through its ctl module (binrpc), with
 * upstream kamcmd's command line and output; commands as arguments, or read line by line
 * (the interactive mode) when none is given.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/version.h"
#include "lib/binrpc/addr.h"
#include "lib/binrpc/binrpc.h"

#ifndef KAMCMD_DEFAULT_SOCKET
#define KAMCMD_DEFAULT_SOCKET "unixs:/run/kamailio/kamailio_ctl"
#endif
#define KAMCMD_VERSION "1.5"
#define MAX_REQUEST (1024 * 1024)
#define MAX_REPLY (64 * 1024 * 1024)
#define DGRAM_BUF (4 * 1024 * 1024)
#define REPLY_TIMEOUT_MS 30000

static const char usage_text[] =
        "Usage: kamcmd [options] [-s address] [method [param...]]\n"
        "Options:\n"
        "    -s address  the control socket: [proto:]name[:port], proto one of unixs (or\n"
        "                unix), unixd, tcp, udp; default " KAMCMD_DEFAULT_SOCKET "\n"
        "    -R name     the reply socket of the unix datagram mode\n"
        "    -D dir      where the reply socket is made when -R is not given (/tmp)\n"
        "    -f format   print the reply with format: each %v is the next value\n"
        "                (%% is a '%'; \\n, \\t, \\r, \\\\ are understood)\n"
        "    -U          an address without proto and port is udp\n"
        "    -v          verbose (twice: the packets' headers; three times: their bytes)\n"
        "    -V          version\n"
        "    -h          this help\n"
        "Parameters: a number is sent as an integer (or as a float with a '.'); s:TEXT is\n"
        "always the string TEXT, i:NUMBER always an integer.\n"
        "Without a method, commands are read from the standard input, one per line\n"
        "(help, help METHOD, quit).\n";

struct client {
	struct ksr_binrpc_addr addr;
	const char *reply_socket; /* -R */
	const char *reply_dir;    /* -D */
	int fd;
	bool dgram;
	char bound[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* our unixd path, to unlink */
	unsigned char *dbuf;                                     /* datagram replies */
};

static int verbose;

/* --- connecting --- */

static int connect_unix(struct client *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX}, me = {.sun_family = AF_UNIX};

	if (strlen(c->addr.name) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "kamcmd: %s: the socket path is too long\n", c->addr.name);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, c->addr.name);
	c->fd = socket(AF_UNIX, (c->dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	if (c->dgram) {
		/* the server answers to our address: bind one */
		int n;
		unsigned int rnd = 0;

		if (getrandom(&rnd, sizeof(rnd), 0) < 0)
			rnd = (unsigned int)getpid();
		if (c->reply_socket)
			n = snprintf(me.sun_path, sizeof(me.sun_path), "%s", c->reply_socket);
		else
			n = snprintf(me.sun_path, sizeof(me.sun_path), "%s/kamcmd_%d_%08x",
			             c->reply_dir ? c->reply_dir : "/tmp", (int)getpid(), rnd);
		if (n < 0 || (size_t)n >= sizeof(me.sun_path)) {
			fprintf(stderr, "kamcmd: the reply socket path is too long\n");
			close(c->fd);
			c->fd = -1;
			return -ENAMETOOLONG;
		}
		if (bind(c->fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
			fprintf(stderr, "kamcmd: cannot bind the reply socket %s: %s\n",
			        me.sun_path, strerror(errno));
			close(c->fd);
			c->fd = -1;
			return -errno;
		}
		strcpy(c->bound, me.sun_path);
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "kamcmd: cannot connect to %s: %s\n", c->addr.name, strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return -1;
}

static int connect_inet(struct client *c)
{
	struct addrinfo hints = {.ai_socktype = c->dgram ? SOCK_DGRAM : SOCK_STREAM}, *ai, *a;
	const char *host = strcmp(c->addr.name, "*") ? c->addr.name : "localhost";
	char port[8];
	int r, err = 0;

	snprintf(port, sizeof(port), "%d", c->addr.port ? c->addr.port : KSR_BINRPC_DEFAULT_PORT);
	r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		fprintf(stderr, "kamcmd: cannot resolve %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		c->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (c->fd >= 0 && connect(c->fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		err = errno;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(ai);
	if (c->fd < 0) {
		fprintf(stderr, "kamcmd: cannot connect to %s:%s:%s: %s\n",
		        c->addr.transport == KSR_BINRPC_TCP ? "tcp" : "udp", host, port,
		        strerror(err));
		return -1;
	}
	return 0;
}

static int client_connect(struct client *c)
{
	c->fd = -1;
	switch (c->addr.transport) {
	case KSR_BINRPC_UNIXS: c->dgram = false; return connect_unix(c);
	case KSR_BINRPC_UNIXD: c->dgram = true; return connect_unix(c);
	case KSR_BINRPC_TCP: c->dgram = false; return connect_inet(c);
	case KSR_BINRPC_UDP: c->dgram = true; return connect_inet(c);
	case KSR_BINRPC_FIFO: break;
	}
	fprintf(stderr, "kamcmd: %s: kamcmd speaks binrpc, not on a FIFO\n", c->addr.name);
	return -1;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->bound[0])
		unlink(c->bound);
	c->bound[0] = '\0';
}

/* --- sending a request, reading its reply --- */

static void hexdump(const char *what, const unsigned char *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fputc('\n', stderr);
}

/* A parameter as upstream kamcmd types it, plus i: for an integer. 0 or -EINVAL. */
static int put_param(struct ksr_binrpc_writer *w, const char *arg)
{
	char *end;
	long l;
	double d;

	if (!strncmp(arg, "s:", 2))
		return ksr_binrpc_put_str(w, arg + 2, strlen(arg + 2));
	if (!strncmp(arg, "i:", 2)) {
		errno = 0;
		l = strtol(arg + 2, &end, 0);
		if (!arg[2] || *end || errno || l < INT32_MIN || l > INT32_MAX) {
			fprintf(stderr, "kamcmd: %s: not a 32-bit integer\n", arg);
			return -EINVAL;
		}
		return ksr_binrpc_put_int(w, (int32_t)l);
	}
	errno = 0;
	l = strtol(arg, &end, 10);
	if (*arg && !*end && !errno && l >= INT32_MIN && l <= INT32_MAX)
		return ksr_binrpc_put_int(w, (int32_t)l);
	/* a float: digits, a point, an exponent; not hexadecimal, not "inf" */
	if (*arg && strspn(arg, "0123456789.eE+-") == strlen(arg) && strpbrk(arg, "0123456789")) {
		d = strtod(arg, &end);
		if (!*end)
			return ksr_binrpc_put_double(w, d);
	}
	return ksr_binrpc_put_str(w, arg, strlen(arg));
}

/* Read exactly n bytes from a stream into buf, waiting at most the reply timeout. */
static int read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		r = poll(&p, 1, REPLY_TIMEOUT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = read(fd, buf + got, n - got);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

/* The reply packet into *ret (malloc'ed for streams, the datagram buffer otherwise). */
static int get_reply(struct client *c, unsigned char **ret, size_t *ret_len, bool *ret_free)
{
	struct ksr_binrpc_hdr h;
	unsigned char hdr[KSR_BINRPC_MAX_HDR];
	size_t have = 0;
	int r;

	if (c->dgram) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t n;

		if (!c->dbuf && !(c->dbuf = malloc(DGRAM_BUF)))
			return -ENOMEM;
		r = poll(&p, 1, REPLY_TIMEOUT_MS);
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : -errno;
		n = recv(c->fd, c->dbuf, DGRAM_BUF, 0);
		if (n < 0)
			return -errno;
		*ret = c->dbuf;
		*ret_len = (size_t)n;
		*ret_free = false;
		return 0;
	}
	/* the header's length is in its second byte: read the fixed part, then the rest */
	if ((r = read_full(c->fd, hdr, 2)) < 0)
		return r;
	have = 2;
	r = ksr_binrpc_parse_hdr(hdr, have, &h);
	if (r == -EAGAIN) {
		size_t need = 2 + (((hdr[1] >> 2) & 3) + 1) + ((hdr[1] & 3) + 1);

		if ((r = read_full(c->fd, hdr + have, need - have)) < 0)
			return r;
		have = need;
		r = ksr_binrpc_parse_hdr(hdr, have, &h);
	}
	if (r < 0)
		return -EBADMSG;
	if (h.body_len > MAX_REPLY)
		return -E2BIG;
	*ret = malloc(have + h.body_len + 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, hdr, have);
	if ((r = read_full(c->fd, *ret + have, h.body_len)) < 0) {
		free(*ret);
		return r;
	}
	*ret_len = have + h.body_len;
	*ret_free = true;
	return 0;
}

/* --- printing a reply --- */

/* Backslash escapes of a -f format (\n \r \t \\), in place. */
static void unescape_format(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			switch (s[1]) {
			case 'n':
				*w++ = '\n';
				s++;
				continue;
			case 'r':
				*w++ = '\r';
				s++;
				continue;
			case 't':
				*w++ = '\t';
				s++;
				continue;
			case '\\':
				*w++ = '\\';
				s++;
				continue;
			}
		}
		*w++ = *s;
	}
	*w = '\0';
}

static void print_val(const struct ksr_binrpc_val *v)
{
	if (v->name)
		printf("%.*s: ", (int)v->name_len, v->name);
	switch (v->type) {
	case KSR_BINRPC_T_INT: printf("%d", (int)v->i); break;
	case KSR_BINRPC_T_STR:
	case KSR_BINRPC_T_BYTES: fwrite(v->s, 1, v->len, stdout); break;
	case KSR_BINRPC_T_DOUBLE: printf("%f", v->d); break;
	case KSR_BINRPC_T_STRUCT: putchar(v->end ? '}' : '{'); break;
	case KSR_BINRPC_T_ARRAY: putchar(v->end ? ']' : '['); break;
	default: break;
	}
}

/*
 * Print the format's text from *f up to its next %v (from the start again at its end):
 * whether a %v was reached. A format without any %v is printed once.
 */
static bool format_until_value(const char *fmt, const char **f, bool *seen_value)
{
	for (;;) {
		if (!**f)
			*f = fmt;
		while (**f) {
			if ((*f)[0] == '%' && (*f)[1] == 'v') {
				*f += 2;
				*seen_value = true;
				return true;
			}
			if ((*f)[0] == '%' && (*f)[1] == '%') {
				putchar('%');
				*f += 2;
				continue;
			}
			putchar(**f);
			(*f)++;
		}
		if (!*seen_value)
			return false;
	}
}

/* The rest of the format after the last value, its %v empty. */
static void format_rest(const char *f)
{
	while (*f) {
		if (f[0] == '%' && (f[1] == 'v' || f[1] == '%')) {
			if (f[1] == '%')
				putchar('%');
			f += 2;
			continue;
		}
		putchar(*f++);
	}
}

/* Print a body as upstream kamcmd does: one value per line, indented by its depth. */
static int print_body(const unsigned char *body, size_t len, const char *fmt)
{
	struct ksr_binrpc_reader rd;
	struct ksr_binrpc_val v;
	const char *f = fmt;
	bool seen_value = false;
	int r, n = 0;

	ksr_binrpc_reader_init(&rd, body, len);
	for (;;) {
		if (fmt && rd.p < rd.end)
			format_until_value(fmt, &f, &seen_value);
		r = ksr_binrpc_read(&rd, &v);
		if (r < 0)
			break;
		n++;
		if (fmt) {
			print_val(&v);
			continue;
		}
		{
			unsigned int depth = ksr_binrpc_reader_depth(&rd);

			/* a struct's opening line sits one tab left of its members */
			if (v.type == KSR_BINRPC_T_STRUCT && !v.end && depth)
				depth--;
			for (unsigned int i = 0; i < depth; i++)
				putchar('\t');
		}
		print_val(&v);
		putchar('\n');
	}
	if (fmt)
		format_rest(f);
	fflush(stdout);
	if (r != -ENODATA) {
		fprintf(stderr, "kamcmd: malformed reply: record %d cannot be read\n", n + 1);
		return -EBADMSG;
	}
	return 0;
}

static int print_fault(const unsigned char *body, size_t len)
{
	struct ksr_binrpc_reader rd;
	struct ksr_binrpc_val code, msg;

	ksr_binrpc_reader_init(&rd, body, len);
	if (ksr_binrpc_read(&rd, &code) < 0 || code.type != KSR_BINRPC_T_INT ||
	    ksr_binrpc_read(&rd, &msg) < 0 || msg.type != KSR_BINRPC_T_STR) {
		fprintf(stderr, "kamcmd: malformed fault reply\n");
		return -EBADMSG;
	}
	printf("error: %d - %.*s\n", (int)code.i, (int)msg.len, msg.s);
	fflush(stdout);
	return 0;
}

/* --- one command --- */

static const char *errtext(int r)
{
	switch (r) {
	case -ETIMEDOUT: return "no reply in time";
	case -ECONNRESET: return "the server closed the connection";
	case -EBADMSG: return "the reply is no binrpc packet";
	case -E2BIG: return "the reply is too big";
	}
	return strerror(-r);
}

/*
 * Run method with params and print the reply. 0 on a reply; 1 on a fault; -1 when
 * there was no usable reply (the connection may be gone).
 */
static int run_rpc(struct client *c, const char *method, char **params, int nparams,
                   const char *fmt)
{
	struct ksr_binrpc_writer w;
	struct ksr_binrpc_hdr h;
	const unsigned char *pkt;
	unsigned char *reply = NULL;
	size_t pkt_len, reply_len = 0;
	bool reply_free = false;
	uint32_t cookie;
	ssize_t n;
	int r, ret = -1;

	if (getrandom(&cookie, sizeof(cookie), 0) < 0)
		cookie = (uint32_t)rand();
	ksr_binrpc_writer_init(&w, MAX_REQUEST);
	ksr_binrpc_put_str(&w, method, strlen(method));
	for (int i = 0; i < nparams; i++) {
		if (put_param(&w, params[i]) < 0)
			goto done;
	}
	if ((r = ksr_binrpc_finish(&w, KSR_BINRPC_REQ, cookie, &pkt, &pkt_len)) < 0) {
		fprintf(stderr, "kamcmd: cannot build the request: %s\n",
		        r == -E2BIG ? "too big" : strerror(-r));
		goto done;
	}
	if (verbose >= 3)
		hexdump("request", pkt, pkt_len);
	n = send(c->fd, pkt, pkt_len, MSG_NOSIGNAL);
	if (n < 0 || (size_t)n != pkt_len) {
		fprintf(stderr, "kamcmd: cannot send the request: %s\n",
		        n < 0 ? strerror(errno) : "short write");
		goto done;
	}
	r = get_reply(c, &reply, &reply_len, &reply_free);
	if (r < 0) {
		fprintf(stderr, "kamcmd: reading the reply: %s\n", errtext(r));
		goto done;
	}
	if (verbose >= 3)
		hexdump("reply", reply, reply_len);
	if (ksr_binrpc_parse_hdr(reply, reply_len, &h) < 0 || h.body_len > reply_len - h.hdr_len) {
		fprintf(stderr, "kamcmd: the reply is no binrpc packet\n");
		goto done;
	}
	if (verbose >= 2)
		fprintf(stderr, "reply: type %d, %u bytes, cookie %08x\n", (int)h.type, h.body_len,
		        h.cookie);
	if (h.cookie != cookie) {
		fprintf(stderr, "kamcmd: the reply's cookie %08x is not the request's %08x\n",
		        h.cookie, cookie);
		goto done;
	}
	if (h.type == KSR_BINRPC_FAULT) {
		ret = print_fault(reply + h.hdr_len, h.body_len) < 0 ? -1 : 1;
	} else if (h.type == KSR_BINRPC_REPL) {
		ret = print_body(reply + h.hdr_len, h.body_len, fmt) < 0 ? -1 : 0;
		if (ret == 0 && verbose)
			printf(".\n");
	} else {
		fprintf(stderr, "kamcmd: the answer is no reply\n");
	}
done:
	if (reply_free)
		free(reply);
	ksr_binrpc_writer_free(&w);
	return ret;
}

/* --- aliases and built-in commands, as upstream's --- */

static const struct {
	const char *name, *method, *format;
} aliases[] = {
        {"ps", "core.ps", "%v\t%v\n"},
        {"psx", "core.psx", NULL},
        {"list", "system.listMethods", NULL},
        {"ls", "system.listMethods", NULL},
        {"ver", "core.version", NULL},
        {"version", "core.version", NULL},
        {"who", "ctl.who", "[%v] %v: %v %v -> %v %v\n"},
        {"listen", "ctl.listen", "[%v] %v: %v %v\n"},
        {"dns_mem_info", "dns.mem_info", "%v / %v\n"},
        {"dns_debug", "dns.debug", "%v (%v): size=%v ref=%v expire=%vs last=%vs ago f=%v\n"},
        {"dns_debug_all", "dns.debug_all",
         "%v (%v) [%v]: size=%v ref=%v expire=%vs last=%vs ago f=%v\n\t\t%v:%v expire=%vs f=%v\n"},
        {"dst_blacklist_mem_info", "dst_blacklist.mem_info", "%v / %v\n"},
        {"dst_blacklist_debug", "dst_blacklist.debug", "%v:%v:%v expire:%v flags: %v\n"},
};

#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

static int help(struct client *c, char **args, int nargs)
{
	if (nargs == 0) {
		for (size_t i = 0; i < NALIASES; i++)
			printf("alias: %s -> %s\n", aliases[i].name, aliases[i].method);
		printf("builtin: help [command]\nbuiltin: ?\nbuiltin: quit\nbuiltin: exit\n");
		return run_rpc(c, "system.listMethods", NULL, 0, NULL);
	}
	for (size_t i = 0; i < NALIASES; i++) {
		if (!strcmp(args[0], aliases[i].name)) {
			if (aliases[i].format)
				printf("%s is an alias for %s with reply formatting: \"%s\"\n",
				       aliases[i].name, aliases[i].method, aliases[i].format);
			else
				printf("%s is an alias for %s\n", aliases[i].name,
				       aliases[i].method);
			return 0;
		}
	}
	if (!strcmp(args[0], "help") || !strcmp(args[0], "?") || !strcmp(args[0], "quit") ||
	    !strcmp(args[0], "exit")) {
		printf("%s is a builtin command\n", args[0]);
		return 0;
	}
	return run_rpc(c, "system.methodHelp", args, 1, NULL);
}

/* A command: an alias, a builtin or a method. -2 asks to quit. */
static int run_cmd(struct client *c, char **argv, int argc, const char *fmt)
{
	const char *method = argv[0];

	if (!strcmp(method, "help") || !strcmp(method, "?"))
		return help(c, argv + 1, argc - 1);
	if (!strcmp(method, "quit") || !strcmp(method, "exit"))
		return -2;
	for (size_t i = 0; i < NALIASES; i++) {
		if (!strcmp(method, aliases[i].name)) {
			method = aliases[i].method;
			if (!fmt)
				fmt = aliases[i].format;
			break;
		}
	}
	return run_rpc(c, method, argv + 1, argc - 1, fmt);
}

/* Commands from stdin, one per line, words split at blanks. */
static int interactive(struct client *c, const char *fmt)
{
	char *line = NULL, *words[256];
	size_t cap = 0;
	bool tty = isatty(STDIN_FILENO), failed = false;

	if (tty)
		printf("kamcmd %s (kamailio %s): type help for the commands, quit to end\n",
		       KAMCMD_VERSION, KSR_VERSION);
	for (;;) {
		int n = 0, r;
		char *save = NULL;

		if (tty) {
			printf("kamcmd> ");
			fflush(stdout);
		}
		if (getline(&line, &cap, stdin) < 0)
			break;
		for (char *w = strtok_r(line, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == (int)(sizeof(words) / sizeof(words[0]))) {
				fprintf(stderr, "kamcmd: too many words in a line\n");
				n = -1;
				break;
			}
			words[n++] = w;
		}
		if (n <= 0) {
			failed |= n < 0;
			continue;
		}
		if (c->fd < 0 && client_connect(c) < 0) {
			failed = true;
			continue;
		}
		r = run_cmd(c, words, n, fmt);
		if (r == -2)
			break;
		if (r != 0)
			failed = true;
		if (r < 0 && !c->dgram) {
			/* the stream may be out of step or gone: a new one for the next command */
			client_close(c);
		}
	}
	free(line);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct client c = {.fd = -1};
	const char *spec = KAMCMD_DEFAULT_SOCKET, *why = NULL;
	enum ksr_binrpc_transport def = KSR_BINRPC_UNIXS;
	char *fmt = NULL;
	int opt, r;

	while ((opt = getopt(argc, argv, "+s:R:D:f:UvVh")) != -1) {
		switch (opt) {
		case 's': spec = optarg; break;
		case 'R': c.reply_socket = optarg; break;
		case 'D': c.reply_dir = optarg; break;
		case 'f':
			free(fmt);
			fmt = strdup(optarg);
			if (!fmt)
				return 1;
			unescape_format(fmt);
			break;
		case 'U': def = KSR_BINRPC_UDP; break;
		case 'v': verbose++; break;
		case 'V':
			printf("kamcmd %s (kamailio %s)\n", KAMCMD_VERSION, KSR_VERSION);
			return 0;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 1;
		}
	}
	if (ksr_binrpc_addr_parse(spec, def, &c.addr, &why) < 0) {
		fprintf(stderr, "kamcmd: -s %s: %s\n", spec, why);
		free(fmt);
		return 1;
	}
	if (client_connect(&c) < 0) {
		r = 1;
	} else if (optind < argc) {
		r = run_cmd(&c, argv + optind, argc - optind, fmt);
		r = r == 0 || r == -2 ? 0 : 1;
	} else {
		r = interactive(&c, fmt);
	}
	client_close(&c);
	ksr_binrpc_addr_free(&c.addr);
	free(c.dbuf);
	free(fmt);
	return r;
}
