/*
 * ctl: the RPC methods over binrpc (what kamcmd speaks) on unix stream and datagram
 * sockets, TCP and UDP, and over the old text FIFO protocol; served by a thread of the
 * module. Also its own methods ctl.listen, ctl.connections and ctl.who.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg/cfg.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/rpc/rpc.h"
#include "ctl.h"

int ctl_mode = 0600;
char *ctl_user, *ctl_group;
int ctl_max_body_kib = 32;
int ctl_struct_max_body_kib = 8;
static int buffer_size = 1024;
static int autoconversion;

/* --- parameters --- */

static int set_listen(enum ctl_proto proto, const struct ksr_fparam *val, const char **ret_err)
{
	static char err[256];
	const char *why = NULL;
	int r;

	if (val->type != KSR_PT_STR) {
		*ret_err = "an address is a string: [proto:]address";
		return -EINVAL;
	}
	r = ctl_listen_add(proto, val->s.s, &why);
	if (r < 0) {
		snprintf(err, sizeof(err), "%s '%s': %s", proto == CTL_BINRPC ? "binrpc" : "fifo",
		         val->s.s, why);
		*ret_err = err;
	}
	return r;
}

static int set_binrpc(const struct ksr_fparam *val, const char **ret_err)
{
	return set_listen(CTL_BINRPC, val, ret_err);
}

static int set_fifo(const struct ksr_fparam *val, const char **ret_err)
{
	return set_listen(CTL_FIFOPROTO, val, ret_err);
}

/* A user or group: a name this system knows, or a number. */
static int set_owner(const struct ksr_fparam *val, bool user, const char **ret_err)
{
	char buf[24], *copy;
	const char *s = val->s.s;
	bool numeric;

	if (val->type == KSR_PT_INT) {
		snprintf(buf, sizeof(buf), "%ld", val->i);
		s = buf;
	}
	numeric = *s && strspn(s, "0123456789") == strlen(s);
	if (!numeric && (user ? !getpwnam(s) : !getgrnam(s))) {
		*ret_err = user ? "no such user" : "no such group";
		return -ENOENT;
	}
	copy = strdup(s);
	if (!copy) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	free(user ? ctl_user : ctl_group);
	*(user ? &ctl_user : &ctl_group) = copy;
	return 0;
}

static int set_user(const struct ksr_fparam *val, const char **ret_err)
{
	return set_owner(val, true, ret_err);
}

static int set_group(const struct ksr_fparam *val, const char **ret_err)
{
	return set_owner(val, false, ret_err);
}

/* binrpc_buffer_size: "integer or string", as upstream. */
static int set_buffer_size(const struct ksr_fparam *val, const char **ret_err)
{
	char *end;
	long n = val->i;

	if (val->type == KSR_PT_STR) {
		n = strtol(val->s.s, &end, 0);
		if (!val->s.len || *end)
			n = -1;
	}
	if (n <= 0 || n > 1 << 20) {
		*ret_err = "binrpc_buffer_size is a number of bytes, 1 to 1048576";
		return -EINVAL;
	}
	buffer_size = (int)n;
	return 0;
}

/* --- ctl.listen, ctl.connections, ctl.who --- */

static struct ksr_str cstr(const char *s)
{
	return ksr_str_make((char *)s, strlen(s));
}

/* Per listener: protocol, transport, address, port ("" for paths), as upstream lists them. */
static void rpc_listen(struct ksr_rpc_ctx *ctx)
{
	for (struct ctl_listen *l = ctl_listens(); l; l = l->next) {
		char port[8] = "";

		if (l->addr.transport == KSR_BINRPC_TCP || l->addr.transport == KSR_BINRPC_UDP)
			snprintf(port, sizeof(port), "%d",
			         l->addr.port ? l->addr.port : KSR_BINRPC_DEFAULT_PORT);
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(ctl_proto_name(l->proto)));
		ksr_rpc_add_str(ctx, NULL, NULL,
		                cstr(ksr_binrpc_transport_name(l->addr.transport)));
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(l->addr.name));
		ksr_rpc_add_str(ctx, NULL, NULL, cstr(port));
	}
}

static void rpc_connections(struct ksr_rpc_ctx *ctx)
{
	ksr_rpc_add_int(ctx, NULL, NULL, ctl_io_connections());
}

static void who_one(const struct ctl_conn_info *ci, void *arg)
{
	struct ksr_rpc_ctx *ctx = arg;

	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ctl_proto_name(ci->proto)));
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ksr_binrpc_transport_name(ci->transport)));
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ci->peer));
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ci->peer_port));
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ci->local));
	ksr_rpc_add_str(ctx, NULL, NULL, cstr(ci->local_port));
}

/* Per open connection: protocol, transport, peer and its port, local end and its port. */
static void rpc_who(struct ksr_rpc_ctx *ctx)
{
	ctl_io_foreach_conn(who_one, ctx);
}

/* --- start and stop --- */

static int mod_init(void)
{
	int r;

	if (ctl_max_body_kib < 1 || ctl_max_body_kib > 64 * 1024 || ctl_struct_max_body_kib < 1 ||
	    ctl_struct_max_body_kib > 64 * 1024) {
		LM_ERR("binrpc_max_body_size and binrpc_struct_max_body_size are KiB, 1 to "
		       "65536\n");
		return -EINVAL;
	}
	if (ctl_mode < 0 || ctl_mode > 07777) {
		LM_ERR("mode is a file mode, 0 to 07777\n");
		return -EINVAL;
	}
	LM_DBG("binrpc_buffer_size %d and autoconversion %d: nothing to size or convert here\n",
	       buffer_size, autoconversion);
	{
		bool any = false;

		for (struct ctl_listen *l = ctl_listens(); l; l = l->next)
			any |= l->proto == CTL_BINRPC;
		if (!any) {
			/* upstream's default: the stream socket in the runtime directory */
			const char *dir =
			        ksr_core_cfg.rundir ? ksr_core_cfg.rundir : CTL_DEFAULT_RUN_DIR;
			const char *why = NULL;
			char *spec;

			if (asprintf(&spec, "unixs:%s/%s", dir, CTL_DEFAULT_SOCKET_NAME) < 0)
				return -ENOMEM;
			r = ctl_listen_add(CTL_BINRPC, spec, &why);
			if (r < 0)
				LM_ERR("the default control socket %s: %s\n", spec, why);
			free(spec);
			if (r < 0)
				return r;
		}
	}
	r = ctl_listen_open_all();
	if (r < 0)
		ctl_listen_close_all();
	return r;
}

static int child_init(int rank)
{
	int r;

	/* once, in the main thread, when every module is ready to answer */
	if (rank != KSR_RANK_MAIN)
		return 0;
	r = ctl_io_start();
	if (r < 0)
		LM_ERR("cannot start the control thread: %s\n", strerror(-r));
	return r;
}

static void destroy(void)
{
	ctl_io_stop();
	ctl_listen_close_all();
}

static const struct ksr_param_export params[] = {
        {"binrpc", KSR_MP_FUNC, NULL, set_binrpc},
        {"fifo", KSR_MP_FUNC, NULL, set_fifo},
        {"mode", KSR_MP_INT, &ctl_mode, NULL},
        {"user", KSR_MP_FUNC, NULL, set_user},
        {"group", KSR_MP_FUNC, NULL, set_group},
        {"binrpc_max_body_size", KSR_MP_INT, &ctl_max_body_kib, NULL},
        {"binrpc_struct_max_body_size", KSR_MP_INT, &ctl_struct_max_body_kib, NULL},
        {"binrpc_buffer_size", KSR_MP_FUNC, NULL, set_buffer_size},
        {"autoconversion", KSR_MP_INT, &autoconversion, NULL},
        {0},
};

static const struct ksr_rpc_export rpcs[] = {
        {"ctl.listen", rpc_listen, "List the control sockets: protocol, transport, address, port."},
        {"ctl.connections", rpc_connections, "Returns the number of open control connections."},
        {"ctl.who", rpc_who, "List the open control connections."},
        {0},
};

KSR_MODULE(.name = "ctl", .params = params, .rpcs = rpcs, .mod_init = mod_init,
           .child_init = child_init, .destroy = destroy);
