/*
 * Pseudo-variables around the message: where it came from ($si, $sp, $Ri, $Rp, $pr,
 * $af), its flags ($mf, $bf), time ($Ts, $Tf, $TV, $timef) and the environment ($env).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/cfg/pp.h"
#include "core/counters.h"
#include "core/mem/arena.h"
#include "core/msg/dset.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "core/parser/uri.h"
#include "core/pv/avp.h"
#include "core/pv/pv.h"
#include "pv_mod.h"

/* --- network --- */

static int src_ip_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;

	switch (msg->rcv.src.ss_family) {
	case AF_INET: a = &((const struct sockaddr_in *)&msg->rcv.src)->sin_addr; break;
	case AF_INET6: a = &((const struct sockaddr_in6 *)&msg->rcv.src)->sin6_addr; break;
	default: return pv_ret_null(ret);
	}
	if (!inet_ntop(msg->rcv.src.ss_family, a, buf, sizeof(buf)))
		return -EINVAL;
	return pv_ret_strdup(msg, ret, buf, strlen(buf));
}

static int src_port_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	switch (msg->rcv.src.ss_family) {
	case AF_INET:
		return pv_ret_int(ret,
		                  ntohs(((const struct sockaddr_in *)&msg->rcv.src)->sin_port));
	case AF_INET6:
		return pv_ret_int(ret,
		                  ntohs(((const struct sockaddr_in6 *)&msg->rcv.src)->sin6_port));
	}
	return pv_ret_null(ret);
}

static int rcv_ip_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	if (!msg->rcv.listener)
		return pv_ret_null(ret);
	return pv_ret_str(ret,
	                  ksr_str_make(msg->rcv.listener->host, strlen(msg->rcv.listener->host)));
}

static int rcv_port_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	if (!msg->rcv.listener)
		return pv_ret_null(ret);
	return pv_ret_int(ret, msg->rcv.listener->port);
}

static int proto_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	switch (msg->rcv.proto) {
	case IPPROTO_UDP: return pv_ret_str(ret, KSR_STR_STATIC("udp"));
	case IPPROTO_TCP: return pv_ret_str(ret, KSR_STR_STATIC("tcp"));
	case IPPROTO_SCTP: return pv_ret_str(ret, KSR_STR_STATIC("sctp"));
	}
	return pv_ret_null(ret);
}

/* $af(id): AF_INET / AF_INET6 as numbers; $af(name): "IPv4" / "IPv6". */
static int af_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	if (ksr_str_caseeq_cstr(&spec->name, "id"))
		spec->pname_i = 0;
	else if (ksr_str_caseeq_cstr(&spec->name, "name"))
		spec->pname_i = 1;
	else {
		*ret_err = "$af() takes id or name";
		return -EINVAL;
	}
	return 0;
}

static int af_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	int af = msg->rcv.src.ss_family;

	if (af != AF_INET && af != AF_INET6)
		return pv_ret_null(ret);
	if (spec->pname_i == 0)
		return pv_ret_int(ret, af);
	return pv_ret_str(ret, af == AF_INET ? KSR_STR_STATIC("IPv4") : KSR_STR_STATIC("IPv6"));
}

/* --- flags --- */

static int flags_value(const struct ksr_val *val, unsigned int *ret)
{
	long v;

	if (ksr_val_to_int(val, &v) < 0 || v < 0 || v > 0xffffffffL)
		return -EINVAL;
	*ret = (unsigned int)v;
	return 0;
}

static int mf_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return pv_ret_int(ret, (long)msg->flags);
}

static int mf_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	return flags_value(val, &msg->flags);
}

static int bf_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return pv_ret_int(ret, (long)msg->bflags);
}

static int bf_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	return flags_value(val, &msg->bflags);
}

/* --- time --- */

/* The time of the message: taken once, on first use, so that one message sees one time. */
static int msg_time(struct ksr_msg *msg, struct timeval *ret)
{
	if (!msg->time_set) {
		gettimeofday(&msg->time, NULL);
		msg->time_set = true;
	}
	*ret = msg->time;
	return 0;
}

static int ts_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct timeval tv;
	int r = msg_time(msg, &tv);

	return r < 0 ? r : pv_ret_int(ret, (long)tv.tv_sec);
}

static int strftime_val(struct ksr_msg *msg, time_t t, const char *fmt, struct ksr_val *ret)
{
	struct tm tm;
	char buf[256];
	size_t n;

	if (!localtime_r(&t, &tm))
		return -EINVAL;
		/* the format is the config's: what $timef / s.ftime are for */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, sizeof(buf), fmt, &tm);
#pragma GCC diagnostic pop
	if (n == 0 && fmt[0])
		return -EINVAL; /* too long for the buffer, or an empty result */
	return pv_ret_strdup(msg, ret, buf, n);
}

/* $Tf: as ctime(3), without its line end. */
static int tf_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct timeval tv;
	int r = msg_time(msg, &tv);

	return r < 0 ? r : strftime_val(msg, tv.tv_sec, "%a %b %e %H:%M:%S %Y", ret);
}

enum tv_kind { TV_S, TV_U, TV_SN, TV_UN, TV_SNSTR };

static int tv_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	static const char *const names[] = {"s", "u", "sn", "un", "Sn"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (spec->name.len == strlen(names[i]) &&
		    memcmp(spec->name.s, names[i], spec->name.len) == 0) {
			spec->pname_i = (long)i;
			return 0;
		}
	*ret_err = "$TV() takes s, u, sn, un or Sn";
	return -EINVAL;
}

static int tv_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct timeval tv;
	char buf[48];
	int r;

	if (spec->pname_i == TV_S || spec->pname_i == TV_U) {
		if ((r = msg_time(msg, &tv)) < 0)
			return r;
	} else {
		gettimeofday(&tv, NULL);
	}
	switch (spec->pname_i) {
	case TV_S:
	case TV_SN: return pv_ret_int(ret, (long)tv.tv_sec);
	case TV_U:
	case TV_UN: return pv_ret_int(ret, (long)tv.tv_usec);
	}
	r = snprintf(buf, sizeof(buf), "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	return pv_ret_strdup(msg, ret, buf, (size_t)r);
}

static int timef_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	spec->pname = spec->name.s; /* NUL-terminated by the framework */
	return 0;
}

static int timef_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct timeval tv;
	int r = msg_time(msg, &tv);

	return r < 0 ? r : strftime_val(msg, tv.tv_sec, spec->pname, ret);
}

/* --- environment and defines --- */

static int env_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	spec->pname = spec->name.s;
	return 0;
}

static int env_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const char *v = getenv(spec->pname);

	return v ? pv_ret_str(ret, ksr_str_make((char *)v, strlen(v))) : pv_ret_null(ret);
}

/*
 * $def(NAME): the value of a #!define of the startup config (as it stood at the end of
 * the file), a string; $null when not defined. $defn(NAME): the same as a number (0 when
 * not defined or not a number). Looked up once, at load.
 */
static int def_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	const struct ksr_str *v = ksr_pp_kept_define(spec->name.s, spec->name.len);
	struct ksr_str *copy;

	spec->pname = NULL;
	if (!v)
		return 0;
	copy = ksr_arena_alloc(arena, sizeof(*copy) + v->len + 1);
	if (!copy)
		return -ENOMEM;
	copy->s = (char *)(copy + 1);
	memcpy(copy->s, v->s, v->len);
	copy->s[v->len] = '\0';
	copy->len = v->len;
	spec->pname = copy;
	return 0;
}

static int def_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return spec->pname ? pv_ret_str(ret, *(struct ksr_str *)spec->pname) : pv_ret_null(ret);
}

static int defn_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	const struct ksr_str *v = spec->pname;
	long n = 0;

	if (v) {
		char *end;

		n = strtol(v->s, &end, 10);
		if (end == v->s || *end)
			n = 0;
	}
	return pv_ret_int(ret, n);
}

/*
 * $stat(name): a statistic's value. Modules register theirs in mod_init, after the
 * config is parsed, so the name is looked up when read; one no module registered is
 * $null.
 */
static int stat_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	return 0; /* any name: statistics are registered after the config is parsed */
}

static int stat_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct ksr_counter *c = ksr_counter_find_name(spec->name);

	return c ? pv_ret_int(ret, ksr_counter_get(c)) : pv_ret_null(ret);
}

/* $branch(name)[i]: the branches append_branch added; [0] (the default) is the first. */
enum { BR_URI, BR_DST_URI, BR_Q, BR_PATH, BR_FLAGS, BR_SOCKET, BR_COUNT };

static int branch_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena,
			     const char **ret_err)
{
	static const char *const names[] = {"uri", "dst_uri", "q", "path", "flags", "socket", "count"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (spec->name.len == strlen(names[i]) &&
		    !memcmp(spec->name.s, names[i], spec->name.len)) {
			spec->pname_i = (long)i;
			return 0;
		}
	}
	*ret_err = "$branch() takes uri, dst_uri, q, path, flags, socket or count";
	return -EINVAL;
}

static int branch_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	long i = spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0;
	struct ksr_branch *b;
	char buf[80];

	if (spec->pname_i == BR_COUNT)
		return pv_ret_int(ret, (long)msg->nbranches);
	if (i < 0)
		i += (long)msg->nbranches;
	if (i < 0 || !(b = ksr_dset_get(msg, (unsigned int)i + 1)))
		return pv_ret_null(ret);
	switch (spec->pname_i) {
	case BR_URI: return pv_ret_str(ret, b->uri);
	case BR_DST_URI: return b->dst_uri.len ? pv_ret_str(ret, b->dst_uri) : pv_ret_null(ret);
	case BR_PATH: return b->path.len ? pv_ret_str(ret, b->path) : pv_ret_null(ret);
	case BR_FLAGS: return pv_ret_int(ret, (long)b->flags);
	case BR_Q:
		if (b->q == KSR_Q_UNSET)
			return pv_ret_null(ret);
		return pv_ret_strdup(msg, ret, buf, ksr_q_print(b->q, buf));
	case BR_SOCKET:
		if (!b->socket)
			return pv_ret_null(ret);
		snprintf(buf, sizeof(buf), "%s:%s%s%s:%u",
			 b->socket->proto == IPPROTO_TCP ? "tcp" : "udp",
			 b->socket->addr.ss_family == AF_INET6 ? "[" : "", b->socket->host,
			 b->socket->addr.ss_family == AF_INET6 ? "]" : "", b->socket->port);
		return pv_ret_strdup(msg, ret, buf, strlen(buf));
	}
	return pv_ret_null(ret);
}

/* A string value into the message's arena ($null: empty). */
static int branch_str(struct ksr_msg *msg, const struct ksr_val *val, struct ksr_str *ret)
{
	struct ksr_str v;
	char *c;
	int r;

	if (val->type == KSR_VAL_NULL) {
		*ret = KSR_STR_NULL;
		return 0;
	}
	if ((r = ksr_val_to_str(msg, val, &v)) < 0)
		return r;
	c = ksr_arena_alloc(msg->arena, v.len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, v.s, v.len);
	c[v.len] = '\0';
	*ret = ksr_str_make(c, v.len);
	return 0;
}

/* $branch(uri|dst_uri|path|q|flags)[i] = value: changes branch i (it must exist). */
static int branch_set(struct ksr_msg *msg, const struct ksr_pv_spec *spec, const struct ksr_val *val)
{
	long i = spec->idx_type == KSR_PV_IDX_INT ? spec->idx : 0;
	struct ksr_branch *b;
	struct ksr_str s;
	struct ksr_uri u;
	int r, q;

	if (i < 0)
		i += (long)msg->nbranches;
	if (i < 0 || !(b = ksr_dset_get(msg, (unsigned int)i + 1)))
		return -ENOENT;
	switch (spec->pname_i) {
	case BR_URI:
		if ((r = branch_str(msg, val, &s)) < 0)
			return r;
		if (!s.len || ksr_uri_parse(s, &u) < 0)
			return -EINVAL;
		b->uri = s;
		return 0;
	case BR_DST_URI: return branch_str(msg, val, &b->dst_uri);
	case BR_PATH: return branch_str(msg, val, &b->path);
	case BR_Q:
		if (val->type == KSR_VAL_NULL) {
			b->q = KSR_Q_UNSET;
			return 0;
		}
		if ((r = ksr_val_to_str(msg, val, &s)) < 0 || (r = ksr_q_parse(s, &q)) < 0)
			return r < 0 ? r : -EINVAL;
		b->q = q;
		return 0;
	case BR_FLAGS: return flags_value(val, &b->flags);
	}
	return -EROFS; /* count and socket */
}

const struct ksr_pv_export pv_misc_pvs[] = {
        {.name = "branch",
         .get = branch_get,
         .set = branch_set,
         .parse_name = branch_parse_name,
         .flags = KSR_PV_NAME_REQUIRED | KSR_PV_INDEXED},
        {.name = "stat",
         .get = stat_get,
         .parse_name = stat_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "si", .get = src_ip_get},
        {.name = "sp", .get = src_port_get},
        {.name = "Ri", .get = rcv_ip_get},
        {.name = "Rp", .get = rcv_port_get},
        {.name = "pr", .get = proto_get},
        {.name = "proto", .get = proto_get},
        {.name = "af", .get = af_get, .parse_name = af_parse_name, .flags = KSR_PV_NAME_REQUIRED},
        {.name = "mf", .get = mf_get, .set = mf_set},
        {.name = "bf", .get = bf_get, .set = bf_set},
        {.name = "Ts", .get = ts_get},
        {.name = "Tf", .get = tf_get},
        {.name = "TV", .get = tv_get, .parse_name = tv_parse_name, .flags = KSR_PV_NAME_REQUIRED},
        {.name = "timef",
         .get = timef_get,
         .parse_name = timef_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "env",
         .get = env_get,
         .parse_name = env_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "def",
         .get = def_get,
         .parse_name = def_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = "defn",
         .get = defn_get,
         .parse_name = def_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {.name = NULL},
};
