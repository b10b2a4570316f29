/*
 * corex: core extensions upstream keeps in a module: named internal flags, extended
 * flags, reading and writing files, the message's sending and receiving sockets and its
 * source address, listener names, is_faked_msg, sending as is, append_branch. The export
 * table of the module's files.
 */
#include <errno.h>

#include "core/module/module.h"
#include "core/msg/dset.h"
#include "core/net/listener.h"
#include "core/parser/msg-t.h"
#include "corex.h"

/*
 * A message a route runs on came from the network unless the core made it up: such a
 * message has no receiving socket (set_recv_socket cannot take it away).
 */
static int w_is_faked_msg(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return msg && !msg->rcv.listener ? 1 : -1;
}

/* append_branch([uri[, q]]): the core's destination set (core/msg/dset.h) */
static int w_append_branch0(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 0);
}

static int w_append_branch1(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 1);
}

static int w_append_branch2(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return ksr_dset_append_cmd(msg, p, 2);
}

/* via_add_srvid(flags): 1 puts srvid=server_id (when not 0) in the Via we add; 0 not */
static int w_via_add_srvid(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	msg->via_srvid = p[0].i == 1;
	return 1;
}

#define STR KSR_PT_STR
#define ANY KSR_ROUTE_ANY
#define REQ_FAIL (KSR_ROUTE_REQUEST | KSR_ROUTE_FAILURE)

/* The route types are upstream's. */
static const struct ksr_cmd_export cmds[] = {
        {"msg_iflag_set", corex_w_iflag_set, {STR}, corex_fixup_iflag, ANY},
        {"msg_iflag_reset", corex_w_iflag_reset, {STR}, corex_fixup_iflag, ANY},
        {"msg_iflag_is_set", corex_w_iflag_is_set, {STR}, corex_fixup_iflag, ANY},
        {"setxflag", corex_w_setxflag, {KSR_PT_INT}, corex_fixup_xflag, ANY},
        {"resetxflag", corex_w_resetxflag, {KSR_PT_INT}, corex_fixup_xflag, ANY},
        {"isxflagset", corex_w_isxflagset, {KSR_PT_INT}, corex_fixup_xflag, ANY},
        {"file_read", corex_w_file_read, {STR, KSR_PT_RAW}, corex_fixup_file_read, ANY},
        {"file_write", corex_w_file_write, {STR, STR}, NULL, ANY},
        {"set_send_socket", corex_w_set_send_socket, {STR}, corex_fixup_sockaddr, ANY},
        {"set_send_socket_name", corex_w_set_send_socket_name, {STR}, NULL, ANY},
        {"set_recv_socket", corex_w_set_recv_socket, {STR}, corex_fixup_sockaddr, ANY},
        {"set_recv_socket_name", corex_w_set_recv_socket_name, {STR}, NULL, ANY},
        {"set_source_address", corex_w_set_source_address, {STR}, corex_fixup_source, ANY},
        {"is_socket_name", corex_w_is_socket_name, {STR}, NULL, ANY},
        {"is_faked_msg", w_is_faked_msg, {KSR_PT_NONE}, NULL, ANY},
        {"send_udp", corex_w_send_udp0, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"send_udp", corex_w_send_udp1, {STR}, NULL, REQ_FAIL},
        {"send_tcp", corex_w_send_tcp0, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"send_tcp", corex_w_send_tcp1, {STR}, NULL, REQ_FAIL},
        {"send_data", corex_w_send_data, {STR, STR}, NULL, ANY},
        {"sendx", corex_w_sendx, {STR, STR, STR}, NULL, ANY},
        {"forward_reply", corex_w_forward_reply, {KSR_PT_NONE}, NULL, KSR_ROUTE_ONREPLY},
        {"via_add_srvid", w_via_add_srvid, {KSR_PT_INT}, NULL, ANY},
        {"append_branch", w_append_branch0, {KSR_PT_NONE}, NULL, REQ_FAIL},
        {"append_branch", w_append_branch1, {STR}, ksr_dset_append_fixup, REQ_FAIL},
        {"append_branch", w_append_branch2, {STR, STR}, ksr_dset_append_fixup, REQ_FAIL},
        {0},
};

/* modparam alias_subdomains, "[proto:]domain[:port]", as often as needed */
static int set_alias_subdomains(const struct ksr_fparam *val, const char **ret_err)
{
	if (val->type != KSR_PT_STR || !val->s.len) {
		*ret_err = "takes a domain: [proto:]domain[:port]";
		return -EINVAL;
	}
	return ksr_alias_add_ex(val->s.s, true, ret_err);
}

static const struct ksr_param_export params[] = {
        {"alias_subdomains", KSR_MP_FUNC, NULL, set_alias_subdomains},
        {0},
};

KSR_MODULE(.name = "corex", .cmds = cmds, .params = params);
