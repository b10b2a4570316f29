/*
 * Core parameters of kamailio.cfg (name = value at the top level): one table with each
 * parameter's value type and what setting it does. Those we accept without acting on
 * them yet are listed and logged once at start, never silently ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/mem/arena.h"
#include "core/mem/meminfo.h"
#include "core/module/module.h"
#include "core/msg/dset.h"
#include "core/msg/reply.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/parser/msg.h"
#include "core/pv/pv.h"
#include "core/route/program.h"
#include "core/version.h"

#define CORE_CFG_DEFAULTS                                                                  \
	{.debug = L_WARN, .children = 8, .log_facility = LOG_DAEMON, .maxbuffer = 262144}

struct ksr_core_cfg ksr_core_cfg = CORE_CFG_DEFAULTS;

enum ptype {
	P_INT, /* a number; yes/no count as 1/0, as upstream */
	P_BOOL, /* yes/no/on/off/true/false/enable/disable or a number */
	P_STR, /* a quoted string */
	P_STR_ID, /* a quoted string or a bare word (user = kamailio) */
	P_ID, /* a bare word (log_facility = LOG_LOCAL0) */
	P_INT_ID, /* a number or a bare word (tos = IPTOS_LOWDELAY) */
	P_RAW, /* the rest of the line (listen, alias) */
};

/* A value converted to what the parameter takes. */
struct val {
	long i; /* P_INT, P_BOOL, P_INT_ID given a number */
	const char *s; /* the others */
	bool is_int;
	struct ksr_pos pos;
};

struct param;
typedef int (*set_fn)(const struct param *p, const struct val *v, struct ksr_pos pos,
		      struct ksr_cfg_error *err);

struct param {
	const char *name;
	enum ptype type;
	set_fn set; /* NULL: accepted, not acted on yet */
	const char *why; /* not acted on: what is missing */
	/*
	 * Not acted on, P_BOOL/P_INT: the value we behave as anyway (disable_tcp = yes,
	 * enable_sctp = no): setting it is silent. -1: none.
	 */
	int ours;
};

/* ---- what the parameters keep ------------------------------------------------------ */

/* Strings the parameters point to; ksr_cfg_core_reset frees them. */
struct owned {
	struct owned *next;
	char s[];
};

static struct owned *owned;

static const char *own(const char *s)
{
	struct owned *o = malloc(sizeof(*o) + strlen(s) + 1);

	if (!o)
		return NULL;
	memcpy(o->s, s, strlen(s) + 1);
	o->next = owned;
	owned = o;
	return o->s;
}

/* Parameters set without effect, each once, to be logged at start. */
struct ignored {
	const char *name; /* the table's */
	const char *why;
	char *file;
	int line;
	struct ignored *next;
};

static struct ignored *ignored;

static int note_ignored(const char *name, const char *why, struct ksr_pos pos)
{
	struct ignored *n, **tail;

	for (tail = &ignored; *tail; tail = &(*tail)->next)
		if (strcmp((*tail)->name, name) == 0)
			return 0;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->file = strdup(pos.file ? pos.file : "?"))) {
		free(n);
		return -ENOMEM;
	}
	n->name = name;
	n->why = why;
	n->line = pos.line;
	*tail = n;
	return 0;
}

/* log_prefix with pseudo-variables: parsed once the modules are loaded */
static struct ksr_arena prefix_arena;
static bool prefix_arena_used;
static struct ksr_pos prefix_pos;
static char *prefix_file;

/* ---- setters ----------------------------------------------------------------------- */

static int set_debug(const struct param *p, const struct val *v, struct ksr_pos pos,
		     struct ksr_cfg_error *err)
{
	ksr_core_cfg.debug = (int)v->i;
	ksr_core_cfg.debug_set = true;
	return 0;
}

static int set_log_stderror(const struct param *p, const struct val *v, struct ksr_pos pos,
			    struct ksr_cfg_error *err)
{
	ksr_core_cfg.log_stderror = v->i != 0;
	ksr_core_cfg.log_stderror_set = true;
	return 0;
}

static int set_children(const struct param *p, const struct val *v, struct ksr_pos pos,
			struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > 1024)
		return ksr_cfg_fail(err, pos, "children takes a number from 1 to 1024");
	ksr_core_cfg.children = (int)v->i;
	ksr_core_cfg.children_set = true;
	return 0;
}

static int set_server_signature(const struct param *p, const struct val *v,
				struct ksr_pos pos, struct ksr_cfg_error *err)
{
	ksr_server_signature = v->i != 0;
	return 0;
}

static int set_max_while_loops(const struct param *p, const struct val *v, struct ksr_pos pos,
			       struct ksr_cfg_error *err)
{
	if (v->i < 1)
		return ksr_cfg_fail(err, pos, "max_while_loops takes a positive number");
	ksr_max_while_loops = (int)v->i;
	return 0;
}

/* memlog, mem_summary: the start values of runtime config core.memlog, core.mem_summary */
static int set_memlog(const struct param *p, const struct val *v, struct ksr_pos pos,
		      struct ksr_cfg_error *err)
{
	ksr_memlog = (int)v->i;
	return 0;
}

static int set_mem_summary(const struct param *p, const struct val *v, struct ksr_pos pos,
			   struct ksr_cfg_error *err)
{
	if (v->i < 0 || v->i > 255)
		return ksr_cfg_fail(err, pos, "mem_summary takes flags from 0 to 255");
	ksr_mem_summary = (int)v->i;
	return 0;
}

static int set_loadpath(const struct param *p, const struct val *v, struct ksr_pos pos,
			struct ksr_cfg_error *err)
{
	return ksr_module_path_add(v->s) < 0 ? ksr_cfg_fail(err, pos, "out of memory") : 0;
}

/* Split a raw value at blanks; a "quoted" word loses its quotes. 0, or -EINVAL. */
static int next_word(const char **pp, char *buf, size_t size)
{
	const char *p = *pp;
	size_t n = 0;
	char quote = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	if (*p == '"' || *p == '\'')
		quote = *p++;
	while (*p && (quote ? *p != quote : (*p != ' ' && *p != '\t'))) {
		if (n + 1 >= size)
			return -EINVAL;
		buf[n++] = *p++;
	}
	if (quote) {
		if (*p != quote)
			return -EINVAL;
		p++;
	}
	buf[n] = '\0';
	*pp = p;
	return 1;
}

/*
 * listen = ADDR [ADDR...] [advertise HOST[:PORT]] [name "NAME"] [virtual], each ADDR
 * [proto:]addr[:port]: as upstream writes it.
 */
static int set_listen(const struct param *p, const struct val *v, struct ksr_pos pos,
		      struct ksr_cfg_error *err)
{
	char addrs[8][256], adv[256] = "", name[64] = "", word[256];
	const char *s = v->s, *why = NULL;
	int naddrs = 0, r;

	while ((r = next_word(&s, word, sizeof(word))) > 0) {
		if (!strcasecmp(word, "advertise") || !strcasecmp(word, "name")) {
			char *dst = word[0] == 'a' || word[0] == 'A' ? adv : name;
			size_t size = dst == adv ? sizeof(adv) : sizeof(name);

			if (next_word(&s, dst, size) <= 0)
				return ksr_cfg_fail(err, v->pos, "listen: '%s' needs a value", word);
		} else if (!strcasecmp(word, "virtual")) {
			if ((r = note_ignored("listen ... virtual",
					      "every listening address counts as ours", pos)) < 0)
				return r;
		} else if (adv[0] || name[0]) {
			return ksr_cfg_fail(err, v->pos, "listen: unexpected '%s' after the options",
					    word);
		} else if (naddrs == 8) {
			return ksr_cfg_fail(err, v->pos, "listen: at most 8 addresses on one line");
		} else {
			memcpy(addrs[naddrs++], word, strlen(word) + 1);
		}
	}
	if (r < 0 || naddrs == 0)
		return ksr_cfg_fail(err, v->pos,
				    "listen takes [proto:]address[:port] [advertise address[:port]] "
				    "[name \"name\"]");
	for (int i = 0; i < naddrs; i++) {
		if (ksr_listener_add_ex(addrs[i], adv[0] ? adv : NULL, name[0] ? name : NULL,
					&why) < 0)
			return ksr_cfg_fail(err, v->pos, "listen '%s': %s", addrs[i], why);
	}
	return 0;
}

/* alias = host[:port] [host[:port]...]: more names of this server, for `myself` */
static int set_alias(const struct param *p, const struct val *v, struct ksr_pos pos,
		     struct ksr_cfg_error *err)
{
	const char *s = v->s, *why = NULL;
	char word[300];
	int r, n = 0;

	while ((r = next_word(&s, word, sizeof(word))) > 0) {
		if (ksr_alias_add(word, &why) < 0)
			return ksr_cfg_fail(err, v->pos, "alias '%s': %s", word, why);
		n++;
	}
	if (r < 0 || n == 0)
		return ksr_cfg_fail(err, v->pos, "alias takes [proto:]host[:port]");
	return 0;
}

static int set_port(const struct param *p, const struct val *v, struct ksr_pos pos,
		    struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > 65535)
		return ksr_cfg_fail(err, pos, "port takes a number from 1 to 65535");
	ksr_listeners_set_default_port((unsigned short)v->i);
	return 0;
}

/* "Name: value" on one line: what server_header and user_agent_header take. */
static bool is_header_line(const char *s)
{
	const char *c = s;

	while (*c && (isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.'))
		c++;
	if (c == s || *c != ':')
		return false;
	return strpbrk(s, "\r\n") == NULL;
}

static int set_server_header(const struct param *p, const struct val *v, struct ksr_pos pos,
			     struct ksr_cfg_error *err)
{
	const char *s;

	if (!is_header_line(v->s))
		return ksr_cfg_fail(err, v->pos,
				    "%s takes a whole header on one line, as \"%s: my proxy\"",
				    p->name, p->name[0] == 's' ? "Server" : "User-Agent");
	if (!(s = own(v->s)))
		return -ENOMEM;
	if (p->name[0] == 's') {
		ksr_server_header = ksr_str_make((char *)s, strlen(s));
		return 0;
	}
	ksr_core_cfg.user_agent_header = s;
	return note_ignored(p->name, "no locally generated requests yet", pos);
}

static int set_log_name(const struct param *p, const struct val *v, struct ksr_pos pos,
			struct ksr_cfg_error *err)
{
	if (!*v->s)
		return ksr_cfg_fail(err, v->pos, "log_name is empty");
	return (ksr_core_cfg.log_name = own(v->s)) ? 0 : -ENOMEM;
}

static int set_log_facility(const struct param *p, const struct val *v, struct ksr_pos pos,
			    struct ksr_cfg_error *err)
{
	int f = ksr_log_facility_parse(v->s);

	if (f < 0)
		return ksr_cfg_fail(err, v->pos,
				    "unknown syslog facility '%s' (LOG_DAEMON, LOG_LOCAL0 .. "
				    "LOG_LOCAL7, ...)",
				    v->s);
	ksr_core_cfg.log_facility = f;
	return 0;
}

static int set_log_prefix(const struct param *p, const struct val *v, struct ksr_pos pos,
			  struct ksr_cfg_error *err)
{
	if (!(ksr_core_cfg.log_prefix = own(v->s)))
		return -ENOMEM;
	free(prefix_file);
	prefix_file = strdup(v->pos.file ? v->pos.file : "?");
	prefix_pos = v->pos;
	prefix_pos.file = prefix_file;
	return prefix_file ? 0 : -ENOMEM;
}

static int set_user(const struct param *p, const struct val *v, struct ksr_pos pos,
		    struct ksr_cfg_error *err)
{
	struct passwd *pw = getpwnam(v->s);

	if (!pw)
		return ksr_cfg_fail(err, v->pos, "user '%s' does not exist", v->s);
	ksr_core_cfg.uid = pw->pw_uid;
	if (!ksr_core_cfg.group_set)
		ksr_core_cfg.gid = pw->pw_gid;
	ksr_core_cfg.user_set = true;
	return (ksr_core_cfg.user = own(v->s)) ? 0 : -ENOMEM;
}

static int set_group(const struct param *p, const struct val *v, struct ksr_pos pos,
		     struct ksr_cfg_error *err)
{
	struct group *gr = getgrnam(v->s);

	if (!gr)
		return ksr_cfg_fail(err, v->pos, "group '%s' does not exist", v->s);
	ksr_core_cfg.gid = gr->gr_gid;
	ksr_core_cfg.group_set = true;
	return 0;
}

static int set_workdir(const struct param *p, const struct val *v, struct ksr_pos pos,
		       struct ksr_cfg_error *err)
{
	return (ksr_core_cfg.workdir = own(v->s)) ? 0 : -ENOMEM;
}

static int set_rundir(const struct param *p, const struct val *v, struct ksr_pos pos,
		      struct ksr_cfg_error *err)
{
	if (!(ksr_core_cfg.rundir = own(v->s)))
		return -ENOMEM;
	return note_ignored(p->name, "no module keeps runtime files (control sockets) yet", pos);
}

/* ---- the table --------------------------------------------------------------------- */

#define TCP "this TCP option is not implemented yet"
#define TLS "no TLS transport yet"
#define SCTP "no SCTP transport"
#define DNS "no DNS lookups of destinations yet (nothing is forwarded)"
#define DNSC "no DNS cache yet"
#define BLST "no destination blocklist yet"
#define MEM "memory comes from the system allocator, there are no pkg/shm pools"
#define RT "no real-time scheduling of the timer processes"
#define KEMI "no KEMI interpreters yet (cfgengine is native)"
#define LAT "no latency measurement yet"
#define TODO "not implemented yet"

/* TCP: workers, idle lifetime, connection cap */
static int set_tcp_children(const struct param *p, const struct val *v, struct ksr_pos pos,
			    struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > 1024)
		return ksr_cfg_fail(err, pos, "tcp_children takes a number from 1 to 1024");
	ksr_core_cfg.tcp_children = (int)v->i;
	return 0;
}

static int set_tcp_lifetime(const struct param *p, const struct val *v, struct ksr_pos pos,
			    struct ksr_cfg_error *err)
{
	if (v->i < 1)
		return ksr_cfg_fail(err, pos, "tcp_connection_lifetime takes a positive number");
	ksr_tcp_connection_lifetime = (int)v->i;
	return 0;
}

static int set_tcp_max_connections(const struct param *p, const struct val *v,
				   struct ksr_pos pos, struct ksr_cfg_error *err)
{
	if (v->i < 1)
		return ksr_cfg_fail(err, pos, "tcp_max_connections takes a positive number");
	ksr_tcp_max_connections = (int)v->i;
	return 0;
}

static int set_max_branches(const struct param *p, const struct val *v, struct ksr_pos pos,
			    struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > KSR_MAX_BRANCHES_LIMIT)
		return ksr_cfg_fail(err, pos, "max_branches takes a number from 1 to %d",
				    KSR_MAX_BRANCHES_LIMIT);
	ksr_max_branches = (int)v->i;
	return 0;
}

static int set_maxbuffer(const struct param *p, const struct val *v, struct ksr_pos pos,
			 struct ksr_cfg_error *err)
{
	if (v->i < 4096 || v->i > 1 << 30)
		return ksr_cfg_fail(err, pos, "maxbuffer takes bytes, 4096 to 1073741824");
	ksr_core_cfg.maxbuffer = (int)v->i;
	return 0;
}

static int set_tcp_connect_timeout(const struct param *p, const struct val *v,
				   struct ksr_pos pos, struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > 3600)
		return ksr_cfg_fail(err, pos, "tcp_connect_timeout takes seconds, 1 to 3600");
	ksr_tcp_connect_timeout = (int)v->i;
	return 0;
}

static int set_tcp_send_timeout(const struct param *p, const struct val *v, struct ksr_pos pos,
				struct ksr_cfg_error *err)
{
	if (v->i < 1 || v->i > 3600)
		return ksr_cfg_fail(err, pos, "tcp_send_timeout takes seconds, 1 to 3600");
	ksr_tcp_send_timeout = (int)v->i;
	return 0;
}

static int set_server_id(const struct param *p, const struct val *v, struct ksr_pos pos,
			 struct ksr_cfg_error *err)
{
	if (v->i < 0)
		return ksr_cfg_fail(err, pos, "server_id takes a number from 0 up");
	ksr_core_cfg.server_id = (int)v->i;
	return 0;
}

static int set_disable_tcp(const struct param *p, const struct val *v, struct ksr_pos pos,
			   struct ksr_cfg_error *err)
{
	ksr_core_cfg.disable_tcp = v->i != 0;
	return 0;
}

static int set_tcp_accept_no_cl(const struct param *p, const struct val *v,
				struct ksr_pos pos, struct ksr_cfg_error *err)
{
	ksr_msg_stream_accept_no_clen = v->i != 0;
	return 0;
}

static int set_tcp_no_connect(const struct param *p, const struct val *v, struct ksr_pos pos,
			      struct ksr_cfg_error *err)
{
	ksr_tcp_no_connect = v->i != 0;
	return 0;
}

static const struct param params[] = {
	/* acted on */
	{"debug", P_INT, set_debug, NULL, -1},
	{"log_stderror", P_BOOL, set_log_stderror, NULL, -1},
	{"log_facility", P_ID, set_log_facility, NULL, -1},
	{"log_name", P_STR, set_log_name, NULL, -1},
	{"log_prefix", P_STR, set_log_prefix, NULL, -1},
	{"children", P_INT, set_children, NULL, -1},
	{"listen", P_RAW, set_listen, NULL, -1},
	{"alias", P_RAW, set_alias, NULL, -1},
	{"port", P_INT, set_port, NULL, -1},
	{"loadpath", P_STR, set_loadpath, NULL, -1},
	{"mpath", P_STR, set_loadpath, NULL, -1},
	{"server_signature", P_BOOL, set_server_signature, NULL, -1},
	{"server_header", P_STR, set_server_header, NULL, -1},
	{"user_agent_header", P_STR, set_server_header, NULL, -1},
	{"max_while_loops", P_INT, set_max_while_loops, NULL, -1},
	{"user", P_STR_ID, set_user, NULL, -1},
	{"uid", P_STR_ID, set_user, NULL, -1},
	{"group", P_STR_ID, set_group, NULL, -1},
	{"gid", P_STR_ID, set_group, NULL, -1},
	{"workdir", P_STR, set_workdir, NULL, -1},
	{"wdir", P_STR, set_workdir, NULL, -1},
	{"rundir", P_STR, set_rundir, NULL, -1},
	{"run_dir", P_STR, set_rundir, NULL, -1},
	/* logging and memory */
	{"log_color", P_BOOL, NULL, "no colored log lines", 0},
	{"log_prefix_mode", P_INT, NULL, TODO, -1},
	{"log_engine_type", P_STR, NULL, "one log engine (stderr or syslog)", -1},
	{"log_engine_data", P_STR, NULL, "one log engine (stderr or syslog)", -1},
	{"memdbg", P_INT, NULL, MEM, -1},
	{"mem_dbg", P_INT, NULL, MEM, -1},
	{"memlog", P_INT, set_memlog, NULL, -1},
	{"mem_log", P_INT, set_memlog, NULL, -1},
	{"mem_summary", P_INT, set_mem_summary, NULL, -1},
	{"mem_safety", P_INT, NULL, MEM, -1},
	{"mem_join", P_INT, NULL, MEM, -1},
	{"mem_status_mode", P_INT, NULL, MEM, -1},
	{"shm_mem_size", P_INT, NULL, MEM, -1},
	{"shm_mem", P_INT, NULL, MEM, -1},
	{"shm", P_INT, NULL, MEM, -1},
	{"shm_force_alloc", P_BOOL, NULL, MEM, 0},
	{"mlock_pages", P_BOOL, NULL, MEM, 0},
	{"corelog", P_INT, NULL, TODO, -1},
	{"core_log", P_INT, NULL, TODO, -1},
	{"verbose_startup", P_BOOL, NULL, TODO, 0},
	/* processes */
	{"fork", P_BOOL, NULL, "workers are threads of one process", 1},
	{"fork_delay", P_INT, NULL, "workers are threads of one process", -1},
	{"modinit_delay", P_INT, NULL, TODO, -1},
	{"socket_workers", P_INT, NULL, TODO, -1},
	{"async_workers", P_INT, NULL, "no async workers yet", -1},
	{"async_usleep", P_INT, NULL, "no async workers yet", -1},
	{"async_nonblock", P_BOOL, NULL, "no async workers yet", -1},
	{"chroot", P_STR, NULL, "the daemon does not chroot", -1},
	{"exit_timeout", P_INT, NULL, TODO, -1},
	{"ser_kill_timeout", P_INT, NULL, TODO, -1},
	{"disable_core_dump", P_BOOL, NULL, TODO, -1},
	{"open_files_limit", P_INT, NULL, TODO, -1},
	{"real_time", P_INT, NULL, RT, -1},
	{"rt_prio", P_INT, NULL, RT, -1},
	{"rt_policy", P_INT, NULL, RT, -1},
	{"rt_timer1_prio", P_INT, NULL, RT, -1},
	{"rt_timer1_policy", P_INT, NULL, RT, -1},
	{"rt_timer2_prio", P_INT, NULL, RT, -1},
	{"rt_timer2_policy", P_INT, NULL, RT, -1},
	{"server_id", P_INT, set_server_id, NULL, -1},
	{"route_locks_size", P_INT, NULL, TODO, -1},
	{"pv_buffer_size", P_INT, NULL, "pseudo-variables print into the message arena", -1},
	{"pv_buffer_slots", P_INT, NULL, "pseudo-variables print into the message arena", -1},
	{"pv_cache_limit", P_INT, NULL, TODO, -1},
	{"pv_cache_action", P_INT, NULL, TODO, -1},
	{"max_recursive_level", P_INT, NULL, TODO, -1},
	{"max_branches", P_INT, set_max_branches, NULL, -1},
	{"version_table", P_STR, NULL, "no database yet", -1},
	{"latency_cfg_log", P_INT, NULL, LAT, -1},
	{"latency_log", P_INT, NULL, LAT, -1},
	{"latency_limit_db", P_INT, NULL, LAT, -1},
	{"latency_limit_action", P_INT, NULL, LAT, -1},
	{"latency_limit_cfg", P_INT, NULL, LAT, -1},
	/* SIP behaviour */
	{"sip_warning", P_BOOL, NULL, "replies carry no Warning header", 0},
	{"reply_to_via", P_BOOL, NULL, "replies go to the source address", 0},
	{"check_via", P_BOOL, NULL, TODO, 0},
	{"phone2tel", P_INT, NULL, TODO, -1},
	{"http_reply_parse", P_BOOL, NULL, TODO, 0},
	{"http_reply_hack", P_BOOL, NULL, TODO, 0},
	{"onsend_route_reply", P_BOOL, NULL, "onsend_route does not run yet", 0},
	{"uri_host_extra_chars", P_STR, NULL, TODO, -1},
	{"xavp_via_params", P_STR, NULL, TODO, -1},
	{"xavp_via_fields", P_STR, NULL, TODO, -1},
	{"msg_time", P_BOOL, NULL, TODO, -1},
	{"maxbuffer", P_INT, set_maxbuffer, NULL, -1},
	{"sql_buffer_size", P_INT, NULL, "no database yet", -1},
	/* network */
	{"auto_aliases", P_BOOL, NULL, "no reverse DNS of the listening addresses", 0},
	{"advertised_address", P_RAW, NULL, "use listen=... advertise", -1},
	{"advertised_port", P_INT, NULL, "use listen=... advertise", -1},
	{"mhomed", P_BOOL, NULL, "the source socket is not chosen by route lookup", 0},
	{"tos", P_INT_ID, NULL, TODO, -1},
	{"pmtu_discovery", P_INT, NULL, TODO, -1},
	{"mcast", P_STR_ID, NULL, "no multicast", -1},
	{"mcast_loopback", P_BOOL, NULL, "no multicast", 0},
	{"mcast_ttl", P_INT, NULL, "no multicast", -1},
	{"auto_bind_ipv6", P_BOOL, NULL, "no automatic listeners", 0},
	{"bind_ipv6_link_local", P_BOOL, NULL, "no automatic listeners", 0},
	{"ip_free_bind", P_BOOL, NULL, TODO, 0},
	{"ipfreebind", P_BOOL, NULL, TODO, 0},
	{"ip_nonlocal_bind", P_BOOL, NULL, TODO, 0},
	{"udp_mtu", P_INT, NULL, TODO, -1},
	{"udp_mtu_try_proto", P_ID, NULL, TODO, -1},
	{"udp4_raw", P_INT, NULL, TODO, 0},
	{"udp4_raw_mtu", P_INT, NULL, TODO, -1},
	{"udp4_raw_ttl", P_INT, NULL, TODO, -1},
	/* TCP, TLS, SCTP */
	{"disable_tcp", P_BOOL, set_disable_tcp, NULL, -1},
	{"tcp_children", P_INT, set_tcp_children, NULL, -1},
	{"tcp_accept_aliases", P_BOOL, NULL, TCP, -1},
	{"tcp_accept_unique", P_INT, NULL, TCP, -1},
	{"tcp_send_timeout", P_INT, set_tcp_send_timeout, NULL, -1},
	{"tcp_connect_timeout", P_INT, set_tcp_connect_timeout, NULL, -1},
	{"tcp_connection_lifetime", P_INT, set_tcp_lifetime, NULL, -1},
	{"tcp_connection_match", P_INT, NULL, TCP, -1},
	{"tcp_poll_method", P_STR_ID, NULL, TCP, -1},
	{"tcp_max_connections", P_INT, set_tcp_max_connections, NULL, -1},
	{"tls_max_connections", P_INT, NULL, TLS, -1},
	{"tcp_no_connect", P_BOOL, set_tcp_no_connect, NULL, -1},
	{"tcp_source_ipv4", P_RAW, NULL, TCP, -1},
	{"tcp_source_ipv6", P_RAW, NULL, TCP, -1},
	{"tcp_fd_cache", P_BOOL, NULL, TCP, -1},
	{"tcp_buf_write", P_BOOL, NULL, TCP, -1},
	{"tcp_async", P_BOOL, NULL, TCP, -1},
	{"tcp_conn_wq_max", P_INT, NULL, TCP, -1},
	{"tcp_wq_max", P_INT, NULL, TCP, -1},
	{"tcp_rd_buf_size", P_INT, NULL, TCP, -1},
	{"tcp_wq_blk_size", P_INT, NULL, TCP, -1},
	{"tcp_defer_accept", P_INT, NULL, TCP, -1},
	{"tcp_delayed_ack", P_BOOL, NULL, TCP, -1},
	{"tcp_syncnt", P_INT, NULL, TCP, -1},
	{"tcp_linger2", P_INT, NULL, TCP, -1},
	{"tcp_keepalive", P_BOOL, NULL, TCP, -1},
	{"tcp_keepidle", P_INT, NULL, TCP, -1},
	{"tcp_keepintvl", P_INT, NULL, TCP, -1},
	{"tcp_keepcnt", P_INT, NULL, TCP, -1},
	{"tcp_crlf_ping", P_BOOL, NULL, TCP, -1},
	{"tcp_accept_no_cl", P_BOOL, set_tcp_accept_no_cl, NULL, -1},
	{"tcp_accept_hep3", P_BOOL, NULL, TCP, -1},
	{"tcp_accept_haproxy", P_BOOL, NULL, TCP, -1},
	{"tcp_clone_rcvbuf", P_INT, NULL, TCP, -1},
	{"tcp_reuse_port", P_BOOL, NULL, TCP, -1},
	{"disable_tls", P_BOOL, NULL, TLS, 1},
	{"tls_disable", P_BOOL, NULL, TLS, 1},
	{"enable_tls", P_BOOL, NULL, TLS, 0},
	{"tls_enable", P_BOOL, NULL, TLS, 0},
	{"tls_log", P_INT, NULL, TLS, -1},
	{"tlslog", P_INT, NULL, TLS, -1},
	{"tls_port_no", P_INT, NULL, TLS, -1},
	{"tls_method", P_ID, NULL, TLS, -1},
	{"tls_verify", P_BOOL, NULL, TLS, -1},
	{"tls_require_certificate", P_BOOL, NULL, TLS, -1},
	{"tls_certificate", P_STR, NULL, TLS, -1},
	{"tls_private_key", P_STR, NULL, TLS, -1},
	{"tls_ca_list", P_STR, NULL, TLS, -1},
	{"tls_handshake_timeout", P_INT, NULL, TLS, -1},
	{"tls_send_timeout", P_INT, NULL, TLS, -1},
	{"disable_sctp", P_BOOL, NULL, SCTP, 1},
	{"enable_sctp", P_BOOL, NULL, SCTP, 0},
	{"sctp_children", P_INT, NULL, SCTP, -1},
	/* DNS */
	{"dns", P_BOOL, NULL, "no DNS check of Via sent-by", 0},
	{"rev_dns", P_BOOL, NULL, "no reverse DNS check of Via sent-by", 0},
	{"dns_try_ipv6", P_BOOL, NULL, DNS, -1},
	{"dns_try_naptr", P_BOOL, NULL, DNS, 0},
	{"dns_srv_lb", P_BOOL, NULL, DNS, 0},
	{"dns_srv_loadbalancing", P_BOOL, NULL, DNS, 0},
	{"dns_udp_pref", P_INT, NULL, DNS, -1},
	{"dns_udp_preference", P_INT, NULL, DNS, -1},
	{"dns_tcp_pref", P_INT, NULL, DNS, -1},
	{"dns_tcp_preference", P_INT, NULL, DNS, -1},
	{"dns_tls_pref", P_INT, NULL, DNS, -1},
	{"dns_tls_preference", P_INT, NULL, DNS, -1},
	{"dns_sctp_pref", P_INT, NULL, DNS, -1},
	{"dns_sctp_preference", P_INT, NULL, DNS, -1},
	{"dns_retr_time", P_INT, NULL, DNS, -1},
	{"dns_slow_query_ms", P_INT, NULL, DNS, -1},
	{"dns_retr_no", P_INT, NULL, DNS, -1},
	{"dns_servers_no", P_INT, NULL, DNS, -1},
	{"dns_use_search_list", P_BOOL, NULL, DNS, -1},
	{"dns_search_full_match", P_BOOL, NULL, DNS, -1},
	{"dns_naptr_ignore_rfc", P_BOOL, NULL, DNS, -1},
	{"dns_cache_init", P_BOOL, NULL, DNSC, 0},
	{"use_dns_cache", P_BOOL, NULL, DNSC, 0},
	{"use_dns_failover", P_BOOL, NULL, DNSC, 0},
	{"dns_cache_flags", P_INT, NULL, DNSC, -1},
	{"dns_cache_negative_ttl", P_INT, NULL, DNSC, -1},
	{"dns_cache_min_ttl", P_INT, NULL, DNSC, -1},
	{"dns_cache_max_ttl", P_INT, NULL, DNSC, -1},
	{"dns_cache_mem", P_INT, NULL, DNSC, -1},
	{"dns_cache_gc_interval", P_INT, NULL, DNSC, -1},
	{"dns_cache_del_nonexp", P_BOOL, NULL, DNSC, -1},
	{"dns_cache_delete_nonexpired", P_BOOL, NULL, DNSC, -1},
	{"dns_cache_rec_pref", P_INT, NULL, DNSC, -1},
	{"dst_blocklist_init", P_BOOL, NULL, BLST, 0},
	{"use_dst_blocklist", P_BOOL, NULL, BLST, 0},
	{"dst_blocklist_mem", P_INT, NULL, BLST, -1},
	{"dst_blocklist_expire", P_INT, NULL, BLST, -1},
	{"dst_blocklist_ttl", P_INT, NULL, BLST, -1},
	{"dst_blocklist_gc_interval", P_INT, NULL, BLST, -1},
	{"dst_blocklist_udp_imask", P_INT, NULL, BLST, -1},
	{"dst_blocklist_tcp_imask", P_INT, NULL, BLST, -1},
	{"dst_blocklist_tls_imask", P_INT, NULL, BLST, -1},
	{"dst_blocklist_sctp_imask", P_INT, NULL, BLST, -1},
	/* KEMI: parse.c turns kemi.name = value into these */
	{"kemi.onsend_route_callback", P_STR, NULL, KEMI, -1},
	{"kemi.reply_route_callback", P_STR, NULL, KEMI, -1},
	{"kemi.event_route_callback", P_STR, NULL, KEMI, -1},
	{"kemi.received_route_callback", P_STR, NULL, KEMI, -1},
	{"kemi.pre_routing_callback", P_STR, NULL, KEMI, -1},
	{"kemi.received_route_mode", P_INT, NULL, KEMI, -1},
	{NULL, 0, NULL, NULL, -1},
};

static const struct param *find(const char *name)
{
	for (const struct param *p = params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

int ksr_cfg_core_param_takes_raw(const char *name, bool *ret_raw)
{
	const struct param *p = find(name);

	if (!p)
		return -ENOENT;
	*ret_raw = p->type == P_RAW;
	return 0;
}

int ksr_cfg_bool_word(const char *s)
{
	static const char *const yes[] = {"yes", "true", "on", "enable"};
	static const char *const no[] = {"no", "false", "off", "disable"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* The value as the parameter takes it, or an error naming what it takes. */
static int convert(const struct param *p, const struct ksr_cfg_val *in, struct ksr_pos pos,
		   struct val *out, struct ksr_cfg_error *err)
{
	int b;

	out->pos = in->pos;
	out->s = in->s;
	out->is_int = in->type == KSR_CFG_VAL_INT;
	out->i = in->i;
	switch (p->type) {
	case P_INT:
	case P_BOOL:
		if (in->type == KSR_CFG_VAL_INT)
			return 0;
		if (in->type == KSR_CFG_VAL_ID && (b = ksr_cfg_bool_word(in->s)) >= 0) {
			out->i = b;
			out->is_int = true;
			return 0;
		}
		return ksr_cfg_fail(err, pos, p->type == P_INT ? "%s takes a number"
							       : "%s takes yes or no",
				    p->name);
	case P_STR:
		if (in->type == KSR_CFG_VAL_STR)
			return 0;
		return ksr_cfg_fail(err, pos, "%s takes a string in quotes", p->name);
	case P_STR_ID:
		if (in->type == KSR_CFG_VAL_STR || in->type == KSR_CFG_VAL_ID)
			return 0;
		return ksr_cfg_fail(err, pos, "%s takes a name or a string", p->name);
	case P_ID:
		if (in->type == KSR_CFG_VAL_ID)
			return 0;
		return ksr_cfg_fail(err, pos, "%s takes a bare name (no quotes)", p->name);
	case P_INT_ID:
		if (in->type == KSR_CFG_VAL_INT || in->type == KSR_CFG_VAL_ID)
			return 0;
		return ksr_cfg_fail(err, pos, "%s takes a number or a name", p->name);
	case P_RAW:
		if ((in->type == KSR_CFG_VAL_RAW || in->type == KSR_CFG_VAL_STR) && in->s)
			return 0;
		return ksr_cfg_fail(err, pos, "%s takes an address", p->name);
	}
	return -EINVAL;
}

int ksr_cfg_core_param(const char *name, const struct ksr_cfg_val *val, struct ksr_pos pos,
		       struct ksr_cfg_error *err)
{
	const struct param *p = find(name);
	struct val v;
	int r;

	if (!p)
		return ksr_cfg_fail(err, pos, "unknown core parameter '%s'", name);
	if ((r = convert(p, val, pos, &v, err)) < 0)
		return r;
	if (p->set)
		return p->set(p, &v, pos, err);
	/* what we do anyway: disable_tcp = yes, enable_sctp = no, ... */
	if (p->ours >= 0 && v.is_int && (p->type == P_BOOL ? (v.i != 0) == p->ours : v.i == p->ours))
		return 0;
	return note_ignored(p->name, p->why, pos);
}

int ksr_cfg_core_finish(struct ksr_cfg_error *err)
{
	const char *why = NULL;
	struct ksr_pv_fmt *fmt;
	const char *s = ksr_core_cfg.log_prefix;

	ksr_core_cfg.log_prefix_fmt = NULL;
	if (!s || !strchr(s, '$'))
		return 0;
	if (prefix_arena_used)
		ksr_arena_destroy(&prefix_arena);
	ksr_arena_init(&prefix_arena, 1024);
	prefix_arena_used = true;
	if (ksr_pv_fmt_parse(ksr_str_make((char *)s, strlen(s)), &prefix_arena, &fmt, &why) < 0)
		return ksr_cfg_fail(err, prefix_pos, "log_prefix: bad pseudo-variable in \"%s\": %s",
				    s, why ? why : "cannot parse");
	if (!ksr_pv_fmt_is_const(fmt))
		ksr_core_cfg.log_prefix_fmt = fmt;
	return 0;
}

void ksr_cfg_core_log_ignored(void)
{
	for (struct ignored *n = ignored; n; n = n->next)
		LM_WARN("%s:%d: core parameter '%s' is accepted but has no effect yet: %s\n",
			n->file, n->line, n->name, n->why);
}

bool ksr_cfg_core_param_ignored(const char *name)
{
	for (struct ignored *n = ignored; n; n = n->next)
		if (strcmp(n->name, name) == 0)
			return true;
	return false;
}

void ksr_cfg_core_reset(void)
{
	struct ignored *n, *nnext;
	struct owned *o, *onext;

	for (n = ignored; n; n = nnext) {
		nnext = n->next;
		free(n->file);
		free(n);
	}
	ignored = NULL;
	for (o = owned; o; o = onext) {
		onext = o->next;
		free(o);
	}
	owned = NULL;
	if (prefix_arena_used)
		ksr_arena_destroy(&prefix_arena);
	prefix_arena_used = false;
	free(prefix_file);
	prefix_file = NULL;
	ksr_core_cfg = (struct ksr_core_cfg)CORE_CFG_DEFAULTS;
	ksr_server_signature = true;
	ksr_server_header = KSR_STR_STATIC("Server: " KSR_SERVER_SIGNATURE);
	ksr_max_while_loops = 100;
	ksr_memlog = L_DBG + 1;
	ksr_mem_summary = 12;
	ksr_tcp_connection_lifetime = 120;
	ksr_tcp_max_connections = 2048;
	ksr_tcp_connect_timeout = 10;
	ksr_tcp_send_timeout = 10;
	ksr_tcp_no_connect = false;
	ksr_max_branches = 12;
	ksr_msg_stream_accept_no_clen = false;
}
