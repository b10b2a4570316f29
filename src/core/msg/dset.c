/* The destination set of a request: branches in the message's arena. */
#include "core/msg/dset.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/module-t.h"
#include "core/msg/edit.h"
#include "core/parser/uri.h"

int ksr_max_branches = 12;

static int copy(struct ksr_arena *arena, struct ksr_str s, struct ksr_str *ret)
{
	char *p;

	if (!s.len) {
		*ret = KSR_STR_NULL;
		return 0;
	}
	p = ksr_arena_alloc(arena, s.len + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, s.s, s.len);
	p[s.len] = '\0';
	*ret = ksr_str_make(p, s.len);
	return 0;
}

int ksr_dset_append(struct ksr_msg *msg, struct ksr_str uri, struct ksr_str dst_uri,
		    struct ksr_str path, int q, unsigned int flags, struct ksr_listener *socket)
{
	struct ksr_branch *b, **tail;

	/* the Request-URI is a branch too */
	if (msg->nbranches + 1 >= (unsigned int)ksr_max_branches)
		return -ENOSPC;
	b = ksr_arena_alloc(msg->arena, sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	if (copy(msg->arena, uri, &b->uri) < 0 || copy(msg->arena, dst_uri, &b->dst_uri) < 0 ||
	    copy(msg->arena, path, &b->path) < 0)
		return -ENOMEM;
	b->q = q;
	b->flags = flags;
	b->socket = socket;
	for (tail = &msg->branches; *tail; tail = &(*tail)->next)
		;
	*tail = b;
	msg->nbranches++;
	return 0;
}

int ksr_dset_append_script(struct ksr_msg *msg, const struct ksr_str *uri, int q)
{
	struct ksr_uri u;
	int r;

	if (msg->type != KSR_MSG_REQUEST)
		return -EINVAL;
	if (uri && ksr_uri_parse(*uri, &u) < 0)
		return -EINVAL;
	/*
	 * As Kamailio 5.6 does (checked against it): $du, the branch flags of branch 0 and
	 * the forced socket go along, also to a branch with a URI of its own.
	 */
	r = ksr_dset_append(msg, uri ? *uri : ksr_msg_cur_ruri(msg), msg->dst_uri, KSR_STR_NULL,
			    q, msg->bflags, msg->send_socket);
	/* the Request-URI itself is a branch now: t_relay() does not send it twice */
	if (r == 0 && !uri && q == KSR_Q_UNSET)
		msg->ruri_consumed = true;
	return r;
}

int ksr_dset_append_fixup(struct ksr_fparam *p, int n, const char **ret_err)
{
	struct ksr_uri u;
	int q;

	if (n >= 1 && !p[0].dynamic && p[0].s.len && ksr_uri_parse(p[0].s, &u) < 0) {
		*ret_err = "not a valid URI";
		return -EINVAL;
	}
	if (n >= 2 && !p[1].dynamic && ksr_q_parse(p[1].s, &q) < 0) {
		*ret_err = "q must be from 0 to 1, with at most 3 decimals";
		return -EINVAL;
	}
	return 0;
}

int ksr_dset_append_cmd(struct ksr_msg *msg, const struct ksr_fparam *p, int n)
{
	int q = KSR_Q_UNSET, r;

	if (n >= 2 && ksr_q_parse(p[1].s, &q) < 0) {
		LM_ERR("append_branch: bad q '%.*s'\n", KSR_STR_FMT(p[1].s));
		return -1;
	}
	/* an empty uri (from a variable) means the Request-URI, as no parameter does */
	r = ksr_dset_append_script(msg, n >= 1 && p[0].s.len ? &p[0].s : NULL, q);
	if (r == -ENOSPC)
		LM_ERR("append_branch: max_branches (%d) reached\n", ksr_max_branches);
	else if (r == -EINVAL)
		LM_ERR("append_branch: '%.*s' is not a valid URI\n", KSR_STR_FMT(p[0].s));
	return r < 0 ? -1 : 1;
}

struct ksr_branch *ksr_dset_get(struct ksr_msg *msg, unsigned int i)
{
	struct ksr_branch *b = msg->branches;

	if (i == 0)
		return NULL;
	while (b && --i)
		b = b->next;
	return b;
}

void ksr_dset_clear(struct ksr_msg *msg)
{
	msg->branches = NULL; /* the arena frees them with the message */
	msg->nbranches = 0;
}

int ksr_q_parse(struct ksr_str s, int *ret_q)
{
	int q, scale = 100;
	size_t i = 1;

	if (!s.len || (s.s[0] != '0' && s.s[0] != '1'))
		return -EINVAL;
	q = (s.s[0] - '0') * 1000;
	if (s.len > 1) {
		if (s.s[1] != '.' || s.len > 5)
			return -EINVAL;
		for (i = 2; i < s.len; i++, scale /= 10) {
			if (s.s[i] < '0' || s.s[i] > '9')
				return -EINVAL;
			q += (s.s[i] - '0') * scale;
		}
	}
	if (q > 1000)
		return -EINVAL;
	*ret_q = q;
	return 0;
}

size_t ksr_q_print(int q, char *buf)
{
	size_t n = 0;

	if (q >= 1000) {
		buf[0] = '1';
		return 1;
	}
	buf[n++] = '0';
	if (q <= 0)
		return n;
	buf[n++] = '.';
	for (int scale = 100; q && scale; scale /= 10) {
		buf[n++] = (char)('0' + q / scale);
		q %= scale;
	}
	return n;
}

/* "<uri>[;q=Q]" after a ", " unless first. */
static char *put_value(char *o, bool first, struct ksr_str uri, int q)
{
	if (!first) {
		memcpy(o, ", ", 2);
		o += 2;
	}
	*o++ = '<';
	memcpy(o, uri.s, uri.len);
	o += uri.len;
	*o++ = '>';
	if (q != KSR_Q_UNSET) {
		memcpy(o, ";q=", 3);
		o += 3;
		o += ksr_q_print(q, o);
	}
	return o;
}

int ksr_dset_contact(struct ksr_msg *msg, struct ksr_str *ret_line)
{
	/* a consumed Request-URI is one of the branches already (append_branch(), lookup()) */
	bool ruri = msg->type == KSR_MSG_REQUEST && msg->new_uri.s && !msg->ruri_consumed;
	size_t size = sizeof("Contact: \r\n");
	char *line, *o;
	bool first = true;

	if (!ruri && !msg->branches)
		return -ENOENT;
	if (ruri)
		size += msg->new_uri.len + 12;
	for (struct ksr_branch *b = msg->branches; b; b = b->next)
		size += b->uri.len + 12;
	line = ksr_arena_alloc(msg->arena, size);
	if (!line)
		return -ENOMEM;
	memcpy(line, "Contact: ", 9);
	o = line + 9;
	if (ruri) {
		o = put_value(o, true, msg->new_uri, KSR_Q_UNSET);
		first = false;
	}
	for (struct ksr_branch *b = msg->branches; b; b = b->next, first = false)
		o = put_value(o, first, b->uri, b->q);
	memcpy(o, "\r\n", 2);
	o += 2;
	*ret_line = ksr_str_make(line, (size_t)(o - line));
	return 0;
}
