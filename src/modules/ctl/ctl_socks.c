/* ctl's listeners: the addresses the config gives, checked when given, opened at start. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "ctl.h"

static struct ctl_listen *listens, **listens_tail = &listens;

struct ctl_listen *ctl_listens(void)
{
	return listens;
}

const char *ctl_proto_name(enum ctl_proto p)
{
	return p == CTL_BINRPC ? "binrpc" : "fifo";
}

/* getaddrinfo for a tcp or udp listener ("*": any IPv4 address, as upstream). */
static int resolve(const struct ksr_binrpc_addr *a, struct addrinfo **ret)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	char port[8];
	bool any = !strcmp(a->name, "*");

	hints.ai_socktype = a->transport == KSR_BINRPC_TCP ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_family = any ? AF_INET : AF_UNSPEC;
	snprintf(port, sizeof(port), "%d", a->port ? a->port : KSR_BINRPC_DEFAULT_PORT);
	return getaddrinfo(any ? NULL : a->name, port, &hints, ret) == 0 ? 0 : -EINVAL;
}

int ctl_listen_add(enum ctl_proto proto, const char *spec, const char **ret_err)
{
	struct ctl_listen *l = calloc(1, sizeof(*l));
	struct sockaddr_un sun;
	int r;

	if (!l) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	l->proto = proto;
	l->fd = l->wfd = -1;
	r = ksr_binrpc_addr_parse(spec, proto == CTL_BINRPC ? KSR_BINRPC_UNIXS : KSR_BINRPC_FIFO,
	                          &l->addr, ret_err);
	if (r < 0)
		goto fail;
	r = -EINVAL;
	switch (l->addr.transport) {
	case KSR_BINRPC_FIFO:
		if (proto == CTL_BINRPC) {
			*ret_err = "binrpc is not served on a FIFO: use the fifo parameter for the "
			           "FIFO protocol, or unixs:, unixd:, tcp:, udp:";
			goto fail;
		}
		__attribute__((fallthrough)); /* a FIFO's path is checked as a socket's */
	case KSR_BINRPC_UNIXS:
	case KSR_BINRPC_UNIXD:
		if (strlen(l->addr.name) >= sizeof(sun.sun_path)) {
			*ret_err = "the socket path is too long (107 bytes at most)";
			goto fail;
		}
		break;
	case KSR_BINRPC_TCP:
	case KSR_BINRPC_UDP: {
		struct addrinfo *ai = NULL;

		if (resolve(&l->addr, &ai) < 0) {
			*ret_err = "the host is no local address this machine can resolve";
			goto fail;
		}
		freeaddrinfo(ai);
		break;
	}
	}
	for (struct ctl_listen *o = listens; o; o = o->next) {
		if (o->addr.transport == l->addr.transport && !strcmp(o->addr.name, l->addr.name) &&
		    o->addr.port == l->addr.port) {
			*ret_err = "the same address is given twice";
			goto fail;
		}
	}
	*listens_tail = l;
	listens_tail = &l->next;
	return 0;
fail:
	ksr_binrpc_addr_free(&l->addr);
	free(l);
	return r;
}

/* The owner the `user` and `group` parameters give (-1: unchanged). 0 or -ENOENT. */
static int owner(uid_t *ret_uid, gid_t *ret_gid)
{
	*ret_uid = (uid_t)-1;
	*ret_gid = (gid_t)-1;
	if (ctl_user) {
		struct passwd *pw = getpwnam(ctl_user);
		char *end;
		unsigned long n = strtoul(ctl_user, &end, 10);

		if (pw)
			*ret_uid = pw->pw_uid;
		else if (*ctl_user && !*end)
			*ret_uid = (uid_t)n;
		else
			return -ENOENT;
	}
	if (ctl_group) {
		struct group *gr = getgrnam(ctl_group);
		char *end;
		unsigned long n = strtoul(ctl_group, &end, 10);

		if (gr)
			*ret_gid = gr->gr_gid;
		else if (*ctl_group && !*end)
			*ret_gid = (gid_t)n;
		else
			return -ENOENT;
	}
	return 0;
}

/* Permissions and owner of a path ctl made; the owner is best effort (privileges). */
static int set_perms(const char *path)
{
	uid_t uid;
	gid_t gid;

	if (chmod(path, (mode_t)ctl_mode) < 0) {
		LM_ERR("cannot set the mode of %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (owner(&uid, &gid) == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    chown(path, uid, gid) < 0)
		LM_WARN("cannot give %s to user/group: %s\n", path, strerror(errno));
	return 0;
}

/* Make room at path for a socket or FIFO: an old one of that kind goes, anything else stays. */
static int clear_path(const char *path, mode_t kind)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if ((st.st_mode & S_IFMT) != kind) {
		LM_ERR("%s exists and is not a %s: not replaced\n", path,
		       kind == S_IFSOCK ? "socket" : "FIFO");
		return -EEXIST;
	}
	if (unlink(path) < 0) {
		LM_ERR("cannot remove the old %s: %s\n", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int open_unix(struct ctl_listen *l)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int type = l->addr.transport == KSR_BINRPC_UNIXS ? SOCK_STREAM : SOCK_DGRAM;
	int r;

	strcpy(sun.sun_path, l->addr.name);
	if ((r = clear_path(l->addr.name, S_IFSOCK)) < 0)
		return r;
	l->fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		LM_ERR("cannot create the control socket %s: %s\n", l->addr.name, strerror(errno));
		return -errno;
	}
	l->created = true;
	if ((r = set_perms(l->addr.name)) < 0)
		return r;
	if (type == SOCK_STREAM && listen(l->fd, 64) < 0) {
		LM_ERR("cannot listen on %s: %s\n", l->addr.name, strerror(errno));
		return -errno;
	}
	return 0;
}

static int open_inet(struct ctl_listen *l)
{
	struct addrinfo *ai = NULL;
	int one = 1;

	if (resolve(&l->addr, &ai) < 0) {
		LM_ERR("cannot resolve the control address %s\n", l->addr.name);
		return -EINVAL;
	}
	l->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd >= 0 && l->addr.transport == KSR_BINRPC_TCP)
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->fd < 0 || bind(l->fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    (l->addr.transport == KSR_BINRPC_TCP && listen(l->fd, 64) < 0)) {
		LM_ERR("cannot listen on %s:%s:%d: %s\n",
		       ksr_binrpc_transport_name(l->addr.transport), l->addr.name,
		       l->addr.port ? l->addr.port : KSR_BINRPC_DEFAULT_PORT, strerror(errno));
		freeaddrinfo(ai);
		return -errno;
	}
	freeaddrinfo(ai);
	return 0;
}

static int open_fifo(struct ctl_listen *l)
{
	int r;

	if ((r = clear_path(l->addr.name, S_IFIFO)) < 0)
		return r;
	if (mkfifo(l->addr.name, (mode_t)ctl_mode) < 0) {
		LM_ERR("cannot create the FIFO %s: %s\n", l->addr.name, strerror(errno));
		return -errno;
	}
	l->created = true;
	if ((r = set_perms(l->addr.name)) < 0)
		return r;
	l->fd = open(l->addr.name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd >= 0)
		l->wfd = open(l->addr.name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0 || l->wfd < 0) {
		LM_ERR("cannot open the FIFO %s: %s\n", l->addr.name, strerror(errno));
		return -errno;
	}
	return 0;
}

int ctl_listen_open_all(void)
{
	uid_t uid;
	gid_t gid;

	if (owner(&uid, &gid) < 0) {
		LM_ERR("user or group unknown\n");
		return -ENOENT;
	}
	for (struct ctl_listen *l = listens; l; l = l->next) {
		int r;

		switch (l->addr.transport) {
		case KSR_BINRPC_UNIXS:
		case KSR_BINRPC_UNIXD: r = open_unix(l); break;
		case KSR_BINRPC_TCP:
		case KSR_BINRPC_UDP: r = open_inet(l); break;
		case KSR_BINRPC_FIFO: r = open_fifo(l); break;
		default: r = -EINVAL; break;
		}
		if (r < 0)
			return r;
		LM_DBG("%s listening on %s:%s\n", ctl_proto_name(l->proto),
		       ksr_binrpc_transport_name(l->addr.transport), l->addr.name);
	}
	return 0;
}

void ctl_listen_close_all(void)
{
	while (listens) {
		struct ctl_listen *l = listens;

		listens = l->next;
		if (l->fd >= 0)
			close(l->fd);
		if (l->wfd >= 0)
			close(l->wfd);
		if (l->created)
			unlink(l->addr.name);
		ksr_binrpc_addr_free(&l->addr);
		free(l->pending);
		free(l);
	}
	listens_tail = &listens;
}
