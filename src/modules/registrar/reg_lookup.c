/*
 * Reading the location table for a request: lookup() (the best contact becomes the
 * Request-URI, the others branches), lookup_to_dset(), lookup_branches(), registered(),
 * unregister(), and add_sock_hdr() for save() on another server.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/msg/dset.h"
#include "core/msg/edit.h"
#include "core/net/listener.h"
#include "core/parser/hdr.h"
#include "core/parser/msg.h"
#include "core/parser/uri.h"
#include "core/pv/pv.h"
#include "registrar.h"

/* What lookup keeps of a contact for the message (strings are the contact's). */
struct target {
	struct ksr_str uri, dst, path;
	int q;
	unsigned int cflags;
	struct ksr_listener *sock;
};

/* Whether c takes the request's method (method_filtering, initial requests only). */
static bool method_ok(struct ksr_msg *msg, const struct ul_contact *c)
{
	struct ksr_nameaddr *to;
	unsigned int m;

	if (!reg_method_filtering || msg->type != KSR_MSG_REQUEST)
		return true;
	m = (unsigned int)msg->first.req.method_id;
	if (!m || (ksr_msg_to(msg, &to) == 0 && to->has_tag))
		return true;
	return (c->methods & m) != 0;
}

/* Whether c may be used at all: bound (or use_expired_contacts), and the bflags filter. */
static bool usable(struct ksr_msg *msg, const struct ul_contact *c, time_t now)
{
	if (!reg_use_expired_contacts && !ul_contact_valid(c, now))
		return false;
	if (reg_lookup_filter_mode & 1) {
		const struct ksr_val *v = registrar_xavp_cfg(msg, "rlf_bflags");

		if (v && v->type == KSR_VAL_INT && v->i && !(c->cflags & (unsigned long)v->i))
			return false;
	}
	return true;
}

/*
 * Where a request to c goes first: the first hop of its Path (RFC 3327 5.3: NAT is the
 * edge proxy's business), else its received address; the Path is the branch's route
 * set. -EINVAL for a Path that does not parse (the contact is skipped).
 */
static int target_of(struct ksr_msg *msg, const struct ul_contact *c, struct target *t)
{
	struct ksr_addr *hops;

	t->uri = c->c;
	t->q = c->q;
	t->cflags = c->cflags;
	t->sock = c->sock;
	t->path = KSR_STR_NULL;
	t->dst = c->received;
	if (!c->path.len)
		return 0;
	if (ksr_parse_addr_list(c->path, true, msg->arena, &hops) < 0) {
		LM_ERR("bad Path of contact <%.*s>: skipped\n", KSR_STR_FMT(c->c));
		return -EINVAL;
	}
	t->path = c->path;
	if (reg_path_check_local) {
		struct ksr_uri u;

		/* several servers sharing one table: a first hop that is us is skipped */
		while (hops && ksr_uri_parse(hops->uri, &u) == 0 &&
		       ksr_listener_is_local(u.host, u.port)) {
			hops = hops->next;
			if (!hops) {
				t->path = KSR_STR_NULL;
				return 0;
			}
			t->path = ksr_str_make(hops->value.s,
			                       (size_t)(ksr_str_end(c->path) - hops->value.s));
		}
	}
	t->dst = hops->uri;
	if (reg_path_use_received) {
		struct ksr_uri u;
		struct ksr_str rcv;

		if (ksr_uri_parse(hops->uri, &u) == 0 &&
		    ksr_param_find(u.params, "received", &rcv) == 1 && rcv.len)
			t->dst = ksr_unquote(rcv);
	}
	return 0;
}

static int set_dst(struct ksr_msg *msg, struct ksr_str dst)
{
	char *c;

	if (!dst.len) {
		msg->dst_uri = KSR_STR_NULL;
		return 0;
	}
	if (!(c = ksr_arena_alloc(msg->arena, dst.len + 1)))
		return -ENOMEM;
	memcpy(c, dst.s, dst.len);
	msg->dst_uri = ksr_str_make(c, dst.len);
	return 0;
}

static int append(struct ksr_msg *msg, const struct target *t)
{
	int r = ksr_dset_append(msg, t->uri, t->dst, t->path, t->q, t->cflags, t->sock);

	if (r == -ENOSPC)
		LM_ERR("max_branches (%d) reached: contact <%.*s> left out\n", ksr_max_branches,
		       KSR_STR_FMT(t->uri));
	return r;
}

/*
 * The best contact into the Request-URI (lookup()): $du, branch flags and the sending
 * socket with it. Its Path cannot go with the Request-URI, which has no route set of its
 * own: such a contact joins the destination set as a branch with the Path, and the
 * Request-URI is marked as sent with it (t_relay() sends it once, as that branch).
 */
static int into_ruri(struct ksr_msg *msg, const struct target *t)
{
	int r;

	if ((r = ksr_msg_set_ruri(msg, t->uri)) < 0 || (r = set_dst(msg, t->dst)) < 0)
		return r;
	msg->bflags |= t->cflags;
	if (t->sock)
		msg->send_socket = t->sock;
	if (t->path.len) {
		if ((r = append(msg, t)) < 0)
			return r;
		msg->ruri_consumed = true;
	}
	return 0;
}

int registrar_lookup(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                     enum reg_lookup_mode mode)
{
	struct ul_record *r;
	struct ksr_str aor;
	time_t now = time(NULL);
	bool first = true, filtered = false;
	int ret = -1;

	if (msg->type != KSR_MSG_REQUEST)
		return -3;
	if (registrar_aor(msg, uri.len ? uri : ksr_msg_cur_ruri(msg), &aor) < 0)
		return -3;
	reg_ul->lock(d, aor);
	if (reg_ul->get_record(d, aor, &r) < 0) {
		reg_ul->unlock(d, aor);
		return -1;
	}
	for (struct ul_contact *c = r->contacts; c; c = c->next) {
		struct target t;

		if (!usable(msg, c, now))
			continue;
		if (!method_ok(msg, c)) {
			filtered = true;
			continue;
		}
		if (target_of(msg, c, &t) < 0)
			continue;
		if (first && mode == REG_LOOKUP_RURI) {
			if (into_ruri(msg, &t) < 0) {
				ret = -3;
				break;
			}
			registrar_xavp_rcd(msg, c);
			first = false;
			ret = 1;
			if (!reg_append_branches)
				break;
			continue;
		}
		first = false;
		if (append(msg, &t) < 0)
			break;
		ret = 1;
	}
	reg_ul->unlock(d, aor);
	if (ret == -1 && filtered)
		return -2;
	return ret;
}

/* A branch that is only a URI (append_branch("sip:...")): one lookup_branches() resolves. */
static bool plain_branch(const struct ksr_branch *b)
{
	return !b->dst_uri.len && !b->path.len && !b->socket && !b->flags;
}

/* Take branch i (1 is the first) out of msg's set; it stays valid (arena memory). */
static struct ksr_branch *take_branch(struct ksr_msg *msg, unsigned int i)
{
	struct ksr_branch **pp = &msg->branches, *b;

	while (*pp && --i)
		pp = &(*pp)->next;
	if (!(b = *pp))
		return NULL;
	*pp = b->next;
	b->next = NULL;
	msg->nbranches--;
	return b;
}

/*
 * As upstream: the R-URI's other contacts go after the branches there were; a branch that
 * is only a URI becomes its AoR's first contact in place, the others are appended.
 */
int registrar_lookup_branches(struct ksr_msg *msg, struct ul_domain *d)
{
	unsigned int n = msg->nbranches;
	struct ksr_branch *b = msg->branches;
	int ret = registrar_lookup(msg, d, KSR_STR_NULL, REG_LOOKUP_RURI);

	for (unsigned int i = 0; i < n && b; i++, b = b->next) {
		unsigned int before = msg->nbranches;
		struct ksr_branch *first, *next;
		int r;

		if (!plain_branch(b))
			continue;
		r = registrar_lookup(msg, d, b->uri, REG_LOOKUP_DSET);
		if (r < 0) {
			if (ret < 0 && r < ret)
				ret = r;
			continue;
		}
		ret = 1;
		if (!(first = take_branch(msg, before + 1)))
			continue;
		next = b->next;
		*b = *first;
		b->next = next;
	}
	return ret;
}

/* Whether c passes registered()'s match options (values from xavp_cfg). */
static bool matches(struct ksr_msg *msg, const struct ul_contact *c, int option)
{
	static const struct {
		int bit;
		const char *name;
	} opts[] = {{1, "match_callid"}, {2, "match_received"}, {4, "match_contact"}};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const struct ksr_val *v;
		struct ksr_str field;

		if (!(option & opts[i].bit) || !(v = registrar_xavp_cfg(msg, opts[i].name)) ||
		    v->type != KSR_VAL_STR)
			continue;
		field = opts[i].bit == 1 ? c->callid : opts[i].bit == 2 ? c->received : c->c;
		if (!ksr_str_eq(&field, &v->s))
			return false;
	}
	return true;
}

int registrar_registered(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                         int match_option, int match_action)
{
	struct ul_record *r;
	struct ksr_str aor;
	time_t now = time(NULL);
	int ret = -1;

	if (!uri.len) {
		struct ksr_nameaddr *to;

		if (msg->type == KSR_MSG_REQUEST)
			uri = ksr_msg_cur_ruri(msg);
		else if (ksr_msg_to(msg, &to) == 0)
			uri = to->uri;
	}
	if (!uri.len || registrar_aor(msg, uri, &aor) < 0)
		return -1;
	reg_ul->lock(d, aor);
	if (reg_ul->get_record(d, aor, &r) == 0) {
		for (struct ul_contact *c = r->contacts; c; c = c->next) {
			if (!ul_contact_valid(c, now) || !matches(msg, c, match_option))
				continue;
			if (!(match_action & 2))
				registrar_xavp_rcd(msg, c);
			ret = 1;
			break;
		}
	}
	reg_ul->unlock(d, aor);
	return ret;
}

int registrar_unregister(struct ksr_msg *msg, struct ul_domain *d, struct ksr_str uri,
                         struct ksr_str ruid)
{
	struct ul_record *r;
	struct ul_contact *c;
	struct ksr_str aor;
	int ret = 1;

	if (registrar_aor(msg, uri, &aor) < 0)
		return -1;
	reg_ul->lock(d, aor);
	if (!ruid.len) {
		int e = reg_ul->delete_record(d, aor);

		if (e < 0 && e != -ENOENT)
			ret = -1; /* the database kept it */
	} else if (reg_ul->get_record(d, aor, &r) < 0 ||
	           reg_ul->get_contact_by_ruid(r, ruid, &c) < 0) {
		ret = -3;
	} else {
		if (reg_ul->delete_contact(r, c) < 0)
			ret = -1;
		reg_ul->release_record(r);
	}
	reg_ul->unlock(d, aor);
	return ret;
}

int registrar_add_sock_hdr(struct ksr_msg *msg, struct ksr_str name)
{
	char sock[96], *line;
	size_t n, len;

	if (msg->type != KSR_MSG_REQUEST || !msg->rcv.listener || !name.len)
		return -1;
	n = reg_ul->socket_str(msg->rcv.listener, sock, sizeof(sock));
	len = name.len + 2 + n + 2;
	if (!(line = ksr_arena_alloc(msg->arena, len + 1)))
		return -1;
	snprintf(line, len + 1, "%.*s: %.*s\r\n", KSR_STR_FMT(name), (int)n, sock);
	return ksr_msg_add_hdr(msg, ksr_str_make(line, len), KSR_HDR_APPEND) < 0 ? -1 : 1;
}
