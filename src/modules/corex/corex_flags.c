/*
 * corex: the message's internal flags by upstream's names (msg_iflag_*) and its 64
 * extended flags (setxflag, resetxflag, isxflagset).
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/parser/msg-t.h"
#include "corex.h"

unsigned int corex_iflags_get(struct ksr_msg *msg)
{
	return msg->iflags;
}

uint64_t corex_xflags_get(struct ksr_msg *msg)
{
	return msg->xflags;
}

/* --- internal flags --- */

static const struct {
	const char *name;
	unsigned int bit;
} iflag_names[] = {
        {"USE_UAC_FROM", COREX_IFLAG_USE_UAC_FROM},
        {"USE_UAC_TO", COREX_IFLAG_USE_UAC_TO},
        {"UAC_AUTH", COREX_IFLAG_UAC_AUTH},
};

unsigned int corex_iflag_lookup(struct ksr_str name)
{
	for (size_t i = 0; i < sizeof(iflag_names) / sizeof(iflag_names[0]); i++)
		if (ksr_str_caseeq_cstr(&name, iflag_names[i].name))
			return iflag_names[i].bit;
	return 0;
}

/* A constant name is looked up once; its bit goes into i (a variable's is looked up per call). */
int corex_fixup_iflag(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (p[0].dynamic)
		return 0;
	p[0].i = corex_iflag_lookup(p[0].s);
	if (!p[0].i) {
		*ret_err = "unknown flag name (USE_UAC_FROM, USE_UAC_TO or UAC_AUTH)";
		return -EINVAL;
	}
	return 0;
}

static unsigned int iflag_bit(const struct ksr_fparam *p)
{
	unsigned int bit = p->dynamic ? corex_iflag_lookup(p->s) : (unsigned int)p->i;

	if (!bit)
		LM_ERR("unsupported flag name [%.*s]\n", KSR_STR_FMT(p->s));
	return bit;
}

/* op: 1 set, -1 reset, 0 test (upstream's result for a flag not set is -2) */
static int iflag_op(struct ksr_msg *msg, const struct ksr_fparam *p, int op)
{
	unsigned int bit = iflag_bit(p);

	if (!bit || !msg)
		return -1;
	if (op == 0)
		return (msg->iflags & bit) ? 1 : -2;
	if (op > 0)
		msg->iflags |= bit;
	else
		msg->iflags &= ~bit;
	return 1;
}

int corex_w_iflag_set(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return iflag_op(msg, p, 1);
}

int corex_w_iflag_reset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return iflag_op(msg, p, -1);
}

int corex_w_iflag_is_set(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return iflag_op(msg, p, 0);
}

/* --- extended flags --- */

int corex_fixup_xflag(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > COREX_XFLAG_MAX)) {
		*ret_err = "an extended flag is a number from 0 to 63";
		return -EINVAL;
	}
	return 0;
}

/* op: 1 set, -1 reset, 0 test */
static int xflag_op(struct ksr_msg *msg, long f, int op)
{
	uint64_t bit;

	if (f < 0 || f > COREX_XFLAG_MAX) {
		LM_ERR("extended flag %ld out of range 0..%d\n", f, COREX_XFLAG_MAX);
		return -1;
	}
	if (!msg)
		return -1;
	bit = (uint64_t)1 << f;
	if (op == 0)
		return (msg->xflags & bit) ? 1 : -1;
	if (op > 0)
		msg->xflags |= bit;
	else
		msg->xflags &= ~bit;
	return 1;
}

int corex_w_setxflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return xflag_op(msg, p[0].i, 1);
}

int corex_w_resetxflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return xflag_op(msg, p[0].i, -1);
}

int corex_w_isxflagset(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return xflag_op(msg, p[0].i, 0);
}
