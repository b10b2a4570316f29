/*
 * rr: routing by the Route set (RFC 3261 16.4 and 16.12, with the strict-router
 * compatibility of 16.6/16.12.1), what it leaves for later functions (the parameters of
 * our Route, the flow direction), and the pseudo-variables made of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/msg/edit.h"
#include "core/msg/mdata.h"
#include "core/net/listener.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "rr.h"

/* What loose_route() found, for the functions that come after it. */
struct rr_routed {
	bool done;
	int status; /* loose_route()'s result, returned again by a second call */
	bool ours;  /* a Route of ours (or our R-URI, strict) was taken: params are valid */
	struct ksr_str params; /* its URI parameters: ";a=b" (loose), "a=b" (R-URI) */
	bool next_hop_route;   /* the next hop came from a Route after ours */
};

static const char routed_key;

/* The Route values loose_route() removes: at most our two and one more. */
#define MAX_DROPS 4

struct route_ctx {
	struct ksr_msg *msg;
	struct ksr_addr *routes; /* every Route value, in order */
	struct ksr_addr *drop[MAX_DROPS];
	int ndrops;
	struct rr_routed *st;
};

/* --- helpers --- */

static void drop(struct route_ctx *c, struct ksr_addr *a)
{
	for (int i = 0; i < c->ndrops; i++)
		if (c->drop[i] == a)
			return;
	if (c->ndrops < MAX_DROPS)
		c->drop[c->ndrops++] = a;
}

static bool dropped(const struct route_ctx *c, const struct ksr_addr *a)
{
	for (int i = 0; i < c->ndrops; i++)
		if (c->drop[i] == a)
			return true;
	return false;
}

/*
 * Record the removal of the dropped values, line by line: a line whose values all go is
 * removed; otherwise a run of values goes with the comma that separates it from the rest.
 */
static int apply_drops(struct route_ctx *c)
{
	struct ksr_addr *a = c->routes;
	int r;

	while (a) {
		struct ksr_hdr *h = a->hdr;
		struct ksr_addr *first = a, *prev_kept = NULL, *run = NULL, *v;
		bool all = true;

		for (v = first; v && v->hdr == h; v = v->next)
			all = all && dropped(c, v);
		if (all) {
			if ((r = ksr_msg_remove_hdr(c->msg, h)) < 0)
				return r;
			a = v;
			continue;
		}
		for (v = first; v && v->hdr == h; v = v->next) {
			if (dropped(c, v)) {
				if (!run)
					run = v;
				continue;
			}
			if (run && !prev_kept) {
				/* a leading run: up to this value, its comma and blanks included */
				r = ksr_msg_replace_range(c->msg, h->body.s,
				                          (size_t)(v->value.s - h->body.s),
				                          KSR_STR_NULL);
				if (r < 0)
					return r;
			} else if (run) {
				char *from = ksr_str_end(prev_kept->value);
				struct ksr_addr *last = run;

				while (last->next != v)
					last = last->next;
				r = ksr_msg_replace_range(c->msg, from,
				                          (size_t)(ksr_str_end(last->value) - from),
				                          KSR_STR_NULL);
				if (r < 0)
					return r;
			}
			run = NULL;
			prev_kept = v;
		}
		if (run) {
			/* a trailing run: from the end of the last value kept */
			char *from = ksr_str_end(prev_kept->value);
			struct ksr_addr *last = run;

			while (last->next && last->next->hdr == h)
				last = last->next;
			r = ksr_msg_replace_range(c->msg, from,
			                          (size_t)(ksr_str_end(last->value) - from),
			                          KSR_STR_NULL);
			if (r < 0)
				return r;
		}
		a = v;
	}
	return 0;
}

static int parse_route_uri(const struct ksr_addr *a, struct ksr_uri *ret)
{
	if (ksr_uri_parse(a->uri, ret) < 0 ||
	    (ret->scheme != KSR_URI_SIP && ret->scheme != KSR_URI_SIPS)) {
		LM_ERR("the Route URI '%.*s' is not a sip/sips URI\n", KSR_STR_FMT(a->uri));
		return -EINVAL;
	}
	return 0;
}

static bool is_r2(const struct ksr_uri *u)
{
	return ksr_param_find(u->params, "r2", NULL) == 1;
}

bool rr_uri_is_myself(const struct ksr_uri *u)
{
	if (rr_ignore_user.len && ksr_str_eq(&u->user, &rr_ignore_user))
		return false;
	return ksr_listener_is_local(u->host, u->port);
}

/* host as written in a URI (IPv6 in brackets) and a listener's host: the same address? */
static bool host_is(struct ksr_str host, const char *lhost)
{
	char buf[64];
	unsigned char a[16], b[16];
	int af;

	if (host.len >= 2 && host.s[0] == '[' && host.s[host.len - 1] == ']') {
		host.s++;
		host.len -= 2;
	}
	if (host.len < sizeof(buf)) {
		memcpy(buf, host.s, host.len);
		buf[host.len] = '\0';
		af = memchr(host.s, ':', host.len) ? AF_INET6 : AF_INET;
		if (inet_pton(af, buf, a) == 1)
			return inet_pton(af, lhost, b) == 1 &&
			       !memcmp(a, b, af == AF_INET6 ? 16 : 4);
	}
	return strlen(lhost) == host.len && !strncasecmp(host.s, lhost, host.len);
}

struct ksr_listener *rr_uri_listener(const struct ksr_uri *u)
{
	unsigned short port = u->port ? u->port : KSR_SIP_PORT;
	int proto = IPPROTO_UDP;
	struct ksr_str sn;

	if (rr_sockname_mode && ksr_param_find(u->params, "sn", &sn) == 1 && sn.len) {
		char name[64];

		if (sn.len < sizeof(name)) {
			memcpy(name, sn.s, sn.len);
			name[sn.len] = '\0';
			return ksr_listener_find_name(name);
		}
		return NULL;
	}
	if (u->transport.len) {
		if (ksr_str_caseeq_cstr(&u->transport, "tcp"))
			proto = IPPROTO_TCP;
		else if (!ksr_str_caseeq_cstr(&u->transport, "udp"))
			return NULL;
	}
	for (struct ksr_listener *l = ksr_listeners(); l; l = l->next) {
		if (l->proto != proto)
			continue;
		if (port == l->port && host_is(u->host, l->host))
			return l;
		if (l->adv_host[0] && port == (l->adv_port ? l->adv_port : l->port) &&
		    host_is(u->host, l->adv_host))
			return l;
	}
	return NULL;
}

/* Send from the socket the URI of one of our Route values names (double Record-Route). */
static void force_socket(struct ksr_msg *msg, const struct ksr_uri *u, const struct ksr_addr *a)
{
	struct ksr_listener *l = rr_uri_listener(u);

	if (l)
		msg->send_socket = l;
	else if (rr_socket_mismatch_warning)
		LM_WARN("no local socket matches the Route '%.*s'\n", KSR_STR_FMT(a->uri));
}

/*
 * Where a Route URI sends the request: the URI itself, or with maddr "sip:MADDR[:PORT]"
 * (with the transport kept) as upstream rewrites it.
 */
static int hop_uri(struct ksr_msg *msg, const struct ksr_addr *a, const struct ksr_uri *u,
                   struct ksr_str *ret)
{
	size_t size;
	char *s;
	int n;

	if (!u->maddr.len) {
		*ret = a->uri;
		return 0;
	}
	size = u->scheme_str.len + u->maddr.len + u->port_str.len + u->transport.len + 16;
	if (!(s = ksr_arena_alloc(msg->arena, size)))
		return -ENOMEM;
	n = snprintf(s, size, "%.*s:%.*s%s%.*s%s%.*s", KSR_STR_FMT(u->scheme_str),
	             KSR_STR_FMT(u->maddr), u->port_str.len ? ":" : "", KSR_STR_FMT(u->port_str),
	             u->transport.len ? ";transport=" : "", KSR_STR_FMT(u->transport));
	*ret = ksr_str_make(s, (size_t)n);
	return 0;
}

static int set_dst(struct ksr_msg *msg, struct ksr_str uri)
{
	char *c = ksr_arena_alloc(msg->arena, uri.len);

	if (!c)
		return -ENOMEM;
	memcpy(c, uri.s, uri.len);
	msg->dst_uri = ksr_str_make(c, uri.len);
	return 0;
}

/*
 * The next hop is a strict router (RFC 3261 16.6 step 6, 16.12.1.1): it goes into the
 * R-URI, and the R-URI goes to the end of the Route set.
 */
static int strict_next_hop(struct route_ctx *c, struct ksr_addr *next, const struct ksr_uri *u)
{
	struct ksr_str ruri = ksr_msg_cur_ruri(c->msg), hop;
	struct ksr_addr *last = c->routes;
	size_t size = ruri.len + 12;
	char *line;
	int r;

	while (last->next)
		last = last->next;
	if (!(line = ksr_arena_alloc(c->msg->arena, size)))
		return -ENOMEM;
	snprintf(line, size, "Route: <%.*s>\r\n", KSR_STR_FMT(ruri));
	if ((r = ksr_msg_replace_range(c->msg, ksr_str_end(last->hdr->line), 0,
	                               ksr_str_make(line, size - 1))) < 0 ||
	    (r = hop_uri(c->msg, next, u, &hop)) < 0 || (r = ksr_msg_set_ruri(c->msg, hop)) < 0)
		return r;
	drop(c, next);
	return 0;
}

/* Our URI's parameters, ";" included, for check_route_param() and is_direction(). */
static void take_params(struct route_ctx *c, const struct ksr_uri *u)
{
	c->st->ours = true;
	c->st->params =
	        u->params.len ? ksr_str_make(u->params.s - 1, u->params.len + 1) : KSR_STR_NULL;
}

/* The request is not for us (RFC 3261 16.4): the first Route decides, after ours. */
static int after_loose(struct route_ctx *c, bool preloaded)
{
	struct ksr_addr *first = c->routes, *next;
	struct ksr_uri u, nu;
	struct ksr_str hop;
	bool r2;
	int r;

	if (parse_route_uri(first, &u) < 0)
		return -1;
	if (rr_uri_is_myself(&u)) {
		take_params(c, &u);
		r2 = rr_enable_double_rr && is_r2(&u);
		if (rr_force_send_socket && !r2)
			force_socket(c->msg, &u, first);
		drop(c, first);
		next = first->next;
		if (next && r2) {
			/* the second of a double Record-Route names the socket to send from */
			if (parse_route_uri(next, &nu) == 0)
				force_socket(c->msg, &nu, next);
			drop(c, next);
			next = next->next;
		}
		if (!next)
			return preloaded ? -3 : 1;
		if (parse_route_uri(next, &nu) < 0)
			return -1;
		c->st->next_hop_route = true;
	} else {
		next = first;
		nu = u;
	}
	if (!nu.has_lr)
		r = strict_next_hop(c, next, &nu);
	else if ((r = hop_uri(c->msg, next, &nu, &hop)) == 0)
		r = set_dst(c->msg, hop);
	return r < 0 ? -1 : 1;
}

/*
 * The R-URI is ours: the previous hop was a strict router (RFC 3261 16.4). The last Route
 * is the real target; the first one, unless it is a strict router too, the next hop.
 */
static int after_strict(struct route_ctx *c, const struct ksr_uri *ruri)
{
	struct ksr_addr *a = c->routes, *last = c->routes;
	struct ksr_uri u, lu;
	struct ksr_str hop;
	int r;

	c->st->ours = true;
	c->st->params = ruri->params;
	if (parse_route_uri(a, &u) < 0)
		return -1;
	if (rr_enable_double_rr && is_r2(&u) && rr_uri_is_myself(&u)) {
		force_socket(c->msg, &u, a);
		drop(c, a);
		if (!(a = a->next))
			return -1;
		if (parse_route_uri(a, &u) < 0)
			return -1;
	}
	if (!u.has_lr) {
		/* a strict router next: as one, the R-URI is its URI */
		if ((r = hop_uri(c->msg, a, &u, &hop)) < 0 ||
		    (r = ksr_msg_set_ruri(c->msg, hop)) < 0)
			return -1;
		drop(c, a);
		return 1;
	}
	while (last->next)
		last = last->next;
	if (parse_route_uri(last, &lu) < 0)
		return -1;
	if ((r = hop_uri(c->msg, a, &u, &hop)) < 0 || (r = set_dst(c->msg, hop)) < 0 ||
	    (r = hop_uri(c->msg, last, &lu, &hop)) < 0 || (r = ksr_msg_set_ruri(c->msg, hop)) < 0)
		return -1;
	drop(c, last);
	return 1;
}

static struct rr_routed *routed_get(const struct ksr_msg *msg)
{
	return ksr_msg_data_get(msg, &routed_key);
}

int rr_loose_route(struct ksr_msg *msg, int vmode)
{
	struct route_ctx c = {.msg = msg};
	struct rr_routed zero = {0};
	struct ksr_nameaddr *to;
	struct ksr_uri *ruri;
	void *copy;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -1;
	if ((c.st = routed_get(msg)) && c.st->done)
		return c.st->status;
	if (!c.st) {
		if (ksr_msg_data_set(msg, &routed_key, &zero, sizeof(zero), &copy) < 0)
			return -1;
		c.st = copy;
	}
	c.st->done = true;
	c.st->status = -1;
	r = ksr_msg_routes(msg, &c.routes);
	if (r == -ENOENT) {
		LM_DBG("no Route header\n");
		return -1;
	}
	if (r < 0) {
		LM_ERR("cannot parse the Route headers\n");
		return -1;
	}
	if (ksr_msg_cur_ruri_parsed(msg, &ruri) < 0) {
		LM_ERR("cannot parse the Request-URI\n");
		return -1;
	}
	if (ksr_msg_to(msg, &to) < 0) {
		LM_ERR("cannot parse the To header\n");
		return -1;
	}
	/* without a To tag the Route set was pre-loaded: it is not a dialog's */
	if (!to->has_tag || !to->tag.len)
		r = after_loose(&c, true);
	else if (vmode == 0 && (ruri->scheme == KSR_URI_SIP || ruri->scheme == KSR_URI_SIPS) &&
	         ksr_listener_is_local(ruri->host, ruri->port))
		r = after_strict(&c, ruri);
	else
		r = after_loose(&c, false);
	if (r != -1 && apply_drops(&c) < 0) {
		LM_ERR("cannot remove the Route values we processed\n");
		r = -1;
	}
	c.st->status = r;
	return r;
}

int rr_direction(struct ksr_msg *msg)
{
	struct ksr_nameaddr *from;
	struct ksr_str ftag;

	if (rr_route_param(msg, "ftag", &ftag) < 0 || !ftag.len)
		return RR_FLOW_DOWNSTREAM;
	if (ksr_msg_from(msg, &from) < 0 || !from->has_tag || !from->tag.len)
		return RR_FLOW_DOWNSTREAM;
	return ksr_str_eq(&from->tag, &ftag) ? RR_FLOW_DOWNSTREAM : RR_FLOW_UPSTREAM;
}

int rr_route_param(struct ksr_msg *msg, const char *name, struct ksr_str *ret)
{
	struct rr_routed *st = routed_get(msg);

	if (!st || !st->ours || ksr_param_find(st->params, name, ret) != 1)
		return -ENOENT;
	return 0;
}

/* --- the script functions --- */

int rr_w_loose_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rr_loose_route(msg, 0);
}

int rr_w_loose_route_preloaded(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rr_loose_route(msg, 0) == -3 ? 1 : -1;
}

int rr_fixup_loose_route_mode(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (n && !p[0].dynamic && (p[0].i < 0 || p[0].i > 1)) {
		*ret_err = "the mode is 0 or 1";
		return -EINVAL;
	}
	return 0;
}

int rr_w_loose_route_mode(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return rr_loose_route(msg, p[0].i == 1 ? 1 : 0);
}

int rr_fixup_check_route_param(struct ksr_fparam *p, int n, const char **ret_err)
{
	regex_t *re;
	int r;

	if ((r = ksr_fixup_regcomp(p[0].s.s, REG_EXTENDED | REG_ICASE | REG_NEWLINE, &re,
	                           ret_err)) < 0)
		return r;
	p[0].ptr = re;
	return 0;
}

int rr_w_check_route_param(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct rr_routed *st = routed_get(msg);
	char *s;

	if (!st || !st->ours || !st->params.len)
		return -1;
	if (!(s = ksr_arena_alloc(msg->arena, st->params.len + 1)))
		return -1;
	memcpy(s, st->params.s, st->params.len);
	s[st->params.len] = '\0';
	return regexec(p[0].ptr, s, 0, NULL, 0) == 0 ? 1 : -1;
}

static int direction_of(struct ksr_str s)
{
	if (ksr_str_caseeq_cstr(&s, "downstream"))
		return RR_FLOW_DOWNSTREAM;
	if (ksr_str_caseeq_cstr(&s, "upstream"))
		return RR_FLOW_UPSTREAM;
	return 0;
}

int rr_fixup_is_direction(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!rr_append_fromtag) {
		*ret_err = "is_direction() needs the ftag: modparam append_fromtag is 0";
		return -EINVAL;
	}
	if (!p[0].dynamic && !direction_of(p[0].s)) {
		*ret_err = "the direction is \"downstream\" or \"upstream\"";
		return -EINVAL;
	}
	return 0;
}

int rr_w_is_direction(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int dir = direction_of(p[0].s);

	if (!dir) {
		LM_ERR("is_direction: the direction is \"downstream\" or \"upstream\"\n");
		return -1;
	}
	return rr_direction(msg) == dir ? 1 : -1;
}

int rr_w_next_hop_route(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct rr_routed *st = routed_get(msg);

	return st && st->next_hop_route ? 1 : -1;
}

/* --- pseudo-variables --- */

static int ret_str(struct ksr_val *ret, struct ksr_str s)
{
	*ret = (struct ksr_val){.type = KSR_VAL_STR, .s = s};
	return 0;
}

static int ret_null(struct ksr_val *ret)
{
	*ret = (struct ksr_val){.type = KSR_VAL_NULL};
	return 0;
}

/* $route_uri: the URI of the first Route value, as received. */
static int pv_route_uri(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	struct ksr_addr *a;

	if (msg->type != KSR_MSG_REQUEST || ksr_msg_routes(msg, &a) < 0)
		return ret_null(ret);
	return ret_str(ret, a->uri);
}

/* The tag of From (from true) or To; null when there is none. */
static int tag_of(struct ksr_msg *msg, bool from, struct ksr_val *ret)
{
	struct ksr_nameaddr *na;
	int r = from ? ksr_msg_from(msg, &na) : ksr_msg_to(msg, &na);

	if (r < 0 || !na->has_tag || !na->tag.len)
		return ret_null(ret);
	return ret_str(ret, na->tag);
}

/* $fti, $tti: the From and To tags of the dialog's first request, whatever the direction. */
static int pv_fti(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return tag_of(msg, rr_direction(msg) != RR_FLOW_UPSTREAM, ret);
}

static int pv_tti(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	return tag_of(msg, rr_direction(msg) == RR_FLOW_UPSTREAM, ret);
}

/* $rdir(id) 1 or 2, $rdir(name) "downstream" or "upstream". */
static int rdir_parse_name(struct ksr_pv_spec *spec, struct ksr_arena *arena, const char **ret_err)
{
	if (ksr_str_caseeq_cstr(&spec->name, "id")) {
		spec->pname_i = 0;
	} else if (ksr_str_caseeq_cstr(&spec->name, "name")) {
		spec->pname_i = 1;
	} else {
		*ret_err = "$rdir() takes id or name";
		return -EINVAL;
	}
	return 0;
}

static int pv_rdir(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	int dir = rr_direction(msg);

	if (spec->pname_i == 0) {
		*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = dir};
		return 0;
	}
	return ret_str(ret, dir == RR_FLOW_UPSTREAM ? KSR_STR_STATIC("upstream")
	                                            : KSR_STR_STATIC("downstream"));
}

const struct ksr_pv_export rr_pvs[] = {
        {.name = "route_uri", .get = pv_route_uri},
        {.name = "fti", .get = pv_fti},
        {.name = "tti", .get = pv_tti},
        {.name = "rdir",
         .get = pv_rdir,
         .parse_name = rdir_parse_name,
         .flags = KSR_PV_NAME_REQUIRED},
        {0},
};
