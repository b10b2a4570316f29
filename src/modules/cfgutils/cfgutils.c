/*
 * cfgutils: decisions by probability, global flags, named locks, pauses, route lookups
 * and core_hash() for the routing script; $RANDOM. State shared by all workers is
 * atomic (probability, flags) or locked (cfgutils_lock.c).
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "cfgutils.h"
#include "core/log.h"
#include "core/module/module.h"
#include "core/parser/msg-t.h"
#include "core/route/program.h"

#define MAX_GFLAG 31
#define MAX_HASH_EXP 30       /* core_hash() returns hash + 1 as an int */
#define MAX_ROUTE_NESTING 100 /* route_if_exists inside route_if_exists, as route() */

/* --- parameters --- */

static int initial_prob = 10;
static int initial_gflags;
static int lock_set_size;
static char *hash_file;

static atomic_int probability = 10;
static atomic_uint gflags;
static char config_hash[33];

static int set_initial_prob(const struct ksr_fparam *val, const char **ret_err)
{
	long v = val->i;
	char *end;

	if (val->type == KSR_PT_STR) {
		errno = 0;
		v = strtol(val->s.s, &end, 10);
		if (errno || end == val->s.s || *end)
			v = -1;
	}
	if (v < 0 || v > 100) {
		*ret_err = "the probability is a percentage, 0 to 100";
		return -EINVAL;
	}
	initial_prob = (int)v;
	atomic_store(&probability, initial_prob);
	return 0;
}

static const struct ksr_param_export params[] = {
        {"initial_probability", KSR_MP_FUNC, NULL, set_initial_prob},
        {"initial_gflags", KSR_MP_INT, &initial_gflags, NULL},
        {"hash_file", KSR_MP_STR, &hash_file, NULL},
        {"lock_set_size", KSR_MP_INT, &lock_set_size, NULL},
        {0},
};

/* --- randomness --- */

/* 0 with 32 random bits, or -1 (logged) when the generator fails. */
static int random_u32(uint32_t *ret)
{
	if (RAND_bytes((unsigned char *)ret, sizeof(*ret)) != 1) {
		LM_ERR("the random generator failed\n");
		return -1;
	}
	return 0;
}

static int fixup_prob(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > 100)) {
		*ret_err = "the probability is a percentage, 0 to 100";
		return -EINVAL;
	}
	return 0;
}

static int w_rand_set_prob(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (p[0].i < 0 || p[0].i > 100) {
		LM_ERR("probability %ld is not a percentage\n", p[0].i);
		return -1;
	}
	atomic_store(&probability, (int)p[0].i);
	return 1;
}

static int w_rand_reset_prob(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	atomic_store(&probability, initial_prob);
	return 1;
}

/* As upstream, the probability is the return code: 0 stops the script. */
static int w_rand_get_prob(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return atomic_load(&probability);
}

static int w_rand_event(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int prob = atomic_load(&probability);
	uint32_t r;

	if (prob <= 0)
		return -1;
	if (prob >= 100)
		return 1;
	if (random_u32(&r) < 0)
		return -1;
	/* true for prob percent of the 2^32 values */
	return (uint64_t)r * 100 < ((uint64_t)prob << 32) ? 1 : -1;
}

/* $RANDOM: uniform in [0, 2^31). */
static int pv_random_get(struct ksr_msg *msg, const struct ksr_pv_spec *spec, struct ksr_val *ret)
{
	uint32_t r;

	if (random_u32(&r) < 0)
		return -EIO;
	*ret = (struct ksr_val){.type = KSR_VAL_INT, .i = (long)(r & 0x7fffffffu)};
	return 0;
}

/* --- global flags --- */

static int fixup_gflag(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[0].dynamic && (p[0].i < 0 || p[0].i > MAX_GFLAG)) {
		*ret_err = "a global flag is a number from 0 to 31";
		return -EINVAL;
	}
	return 0;
}

static bool gflag_ok(long f)
{
	if (f < 0 || f > MAX_GFLAG) {
		LM_ERR("global flag %ld out of range 0..%d\n", f, MAX_GFLAG);
		return false;
	}
	return true;
}

static int w_set_gflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!gflag_ok(p[0].i))
		return -1;
	atomic_fetch_or(&gflags, 1u << p[0].i);
	return 1;
}

static int w_reset_gflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!gflag_ok(p[0].i))
		return -1;
	atomic_fetch_and(&gflags, ~(1u << p[0].i));
	return 1;
}

static int w_is_gflag(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	if (!gflag_ok(p[0].i))
		return -1;
	return (atomic_load(&gflags) & (1u << p[0].i)) ? 1 : -1;
}

/* --- pauses --- */

/* The worker waits; the rest of the server goes on. Negative times are refused. */
static int pause_for(long sec, long usec)
{
	struct timespec ts = {.tv_sec = sec + usec / 1000000, .tv_nsec = (usec % 1000000) * 1000};

	if (sec < 0 || usec < 0) {
		LM_ERR("cannot wait a negative time\n");
		return -1;
	}
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 1;
}

static int w_sleep(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return pause_for(p[0].i, 0);
}

static int w_usleep(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return pause_for(0, p[0].i);
}

/* --- debugging --- */

static int w_abort(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	LM_CRIT("abort called from the script\n");
	abort();
	return 0;
}

/*
 * One heap serves every thread: private (pkg) and shared (shm) memory are the same
 * here, so the four functions report the same numbers. Logged at debug level, upstream's
 * default memlog.
 */
static int heap_report(const char *what)
{
	struct mallinfo2 mi = mallinfo2();

	LM_DBG("%s: heap %zu bytes from the system (+%zu mapped), %zu in use, %zu free\n", what,
	       mi.arena, mi.hblkhd, mi.uordblks + mi.hblkhd, mi.fordblks);
	return 1;
}

static int w_pkg_status(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return heap_report("pkg_status");
}

static int w_pkg_summary(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return heap_report("pkg_summary");
}

static int w_shm_status(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return heap_report("shm_status");
}

static int w_shm_summary(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return heap_report("shm_summary");
}

/* --- locks --- */

static int lock_result(const char *op, struct ksr_str key, int r)
{
	if (r == -ENOLCK) {
		LM_ERR("%s(\"%.*s\"): no lock set (see modparam lock_set_size)\n", op,
		       KSR_STR_FMT(key));
		return -1;
	}
	return r < 0 ? -1 : 1;
}

static int w_lock(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return lock_result("lock", p[0].s, cfgutils_lock(p[0].s));
}

static int w_trylock(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return lock_result("trylock", p[0].s, cfgutils_trylock(p[0].s));
}

static int w_unlock(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	return lock_result("unlock", p[0].s, cfgutils_unlock(p[0].s));
}

/* --- routes --- */

/* route[name] of the running program; "0" is request_route, as upstream's route[0]. */
static const struct ksr_route *find_route(struct ksr_program *prog, struct ksr_str name)
{
	const struct ksr_route *rt;

	if (!prog || name.len == 0)
		return NULL;
	rt = ksr_program_find_route(prog, name.s);
	if (!rt && name.len == 1 && name.s[0] == '0')
		rt = prog->request_route;
	return rt;
}

static int w_check_route_exists(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_program *prog = ksr_program_acquire();
	int r = find_route(prog, p[0].s) ? 1 : -1;

	ksr_program_unref(prog);
	return r;
}

static _Thread_local int route_nesting;

/*
 * Run route[name] when it exists. exit (or drop) in it ends the whole script, as in a
 * route(). The result is true when the route ran to its end; the core does not hand
 * out the route's own return code yet (see README).
 */
static int w_route_if_exists(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_program *prog;
	const struct ksr_route *rt;
	enum ksr_run_status st;
	int rc = 1;

	if (route_nesting >= MAX_ROUTE_NESTING) {
		LM_ERR("route_if_exists(\"%.*s\") nested deeper than %d\n", KSR_STR_FMT(p[0].s),
		       MAX_ROUTE_NESTING);
		return -1;
	}
	prog = ksr_program_acquire();
	if (!(rt = find_route(prog, p[0].s))) {
		ksr_program_unref(prog);
		return -1;
	}
	route_nesting++;
	st = ksr_run_route_rc(prog, rt, msg,
	                      msg->type == KSR_MSG_REPLY ? KSR_ROUTE_ONREPLY : KSR_ROUTE_REQUEST,
	                      &rc);
	route_nesting--;
	ksr_program_unref(prog);
	switch (st) {
	case KSR_RUN_END: return rc; /* what the route returned, as upstream */
	case KSR_RUN_EXIT:
	case KSR_RUN_DROP: return 0;
	case KSR_RUN_ERROR: break;
	}
	return -1;
}

/* --- core_hash --- */

static int fixup_core_hash(struct ksr_fparam *p, int n, const char **ret_err)
{
	if (!p[2].dynamic && p[2].i > MAX_HASH_EXP) {
		*ret_err = "the size is a power of two: at most 30";
		return -EINVAL;
	}
	return 0;
}

/* hash + 1 in [1, 2^size]: a return code must not be 0. size <= 0 means 2 slots. */
static int w_core_hash(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	unsigned int size;

	if (p[2].i > MAX_HASH_EXP) {
		LM_ERR("core_hash size %ld: at most %d\n", p[2].i, MAX_HASH_EXP);
		return -1;
	}
	size = p[2].i <= 0 ? 2u : 1u << p[2].i;
	return (int)cfgutils_core_hash(p[0].s, p[1].s.len ? &p[1].s : NULL, size, false) + 1;
}

/* --- config hash --- */

const char *cfgutils_config_hash(void)
{
	return hash_file ? config_hash : NULL;
}

int cfgutils_config_hash_check(void)
{
	char now[33];
	int r;

	if (!hash_file)
		return -ENOENT;
	if ((r = cfgutils_md5_file(hash_file, now)) < 0)
		return r;
	return strcmp(now, config_hash) == 0;
}

/* --- module --- */

static int mod_init(void)
{
	int r;

	if (hash_file) {
		if ((r = cfgutils_md5_file(hash_file, config_hash)) < 0) {
			LM_ERR("cannot hash hash_file %s: %s\n", hash_file, strerror(-r));
			return -1;
		}
		LM_DBG("hash of %s: %s\n", hash_file, config_hash);
	}
	atomic_store(&gflags, (unsigned int)initial_gflags);
	if (lock_set_size < 0) {
		LM_ERR("lock_set_size %d: a power of two exponent, 0 for none\n", lock_set_size);
		return -1;
	}
	if ((r = cfgutils_locks_init(lock_set_size)) < 0) {
		LM_ERR("cannot make the lock set: %s\n", strerror(-r));
		return -1;
	}
	return 0;
}

static void destroy(void)
{
	cfgutils_locks_destroy();
}

static const struct ksr_cmd_export cmds[] = {
        {"rand_event", w_rand_event, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"rand_set_prob", w_rand_set_prob, {KSR_PT_INT}, fixup_prob, KSR_ROUTE_ANY},
        {"rand_reset_prob", w_rand_reset_prob, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"rand_get_prob", w_rand_get_prob, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"sleep", w_sleep, {KSR_PT_INT}, NULL, KSR_ROUTE_ANY},
        {"usleep", w_usleep, {KSR_PT_INT}, NULL, KSR_ROUTE_ANY},
        {"abort", w_abort, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"pkg_status", w_pkg_status, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"pkg_summary", w_pkg_summary, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"shm_status", w_shm_status, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"shm_summary", w_shm_summary, {KSR_PT_NONE}, NULL, KSR_ROUTE_ANY},
        {"set_gflag", w_set_gflag, {KSR_PT_INT}, fixup_gflag, KSR_ROUTE_ANY},
        {"reset_gflag", w_reset_gflag, {KSR_PT_INT}, fixup_gflag, KSR_ROUTE_ANY},
        {"is_gflag", w_is_gflag, {KSR_PT_INT}, fixup_gflag, KSR_ROUTE_ANY},
        {"lock", w_lock, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"trylock", w_trylock, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"unlock", w_unlock, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"check_route_exists", w_check_route_exists, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"route_if_exists", w_route_if_exists, {KSR_PT_STR}, NULL, KSR_ROUTE_ANY},
        {"core_hash",
         w_core_hash,
         {KSR_PT_STR, KSR_PT_STR, KSR_PT_INT},
         fixup_core_hash,
         KSR_ROUTE_ANY},
        {0},
};

static const struct ksr_pv_export pvs[] = {
        {.name = "RANDOM", .get = pv_random_get},
        {0},
};

KSR_MODULE(.name = "cfgutils", .cmds = cmds, .params = params, .pvs = pvs, .mod_init = mod_init,
           .destroy = destroy);
