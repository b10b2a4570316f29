/* Config errors: every one names file, line and column. */
#ifndef KSR_CORE_CFG_ERROR_H
#define KSR_CORE_CFG_ERROR_H

struct ksr_pos {
	const char *file;
	int line; /* 1-based */
	int col; /* 1-based */
};

struct ksr_cfg_error {
	struct ksr_pos pos;
	char msg[256];
};

/* Fill err and return -EINVAL, so callers can write `return cfg_fail(...)`. */
int ksr_cfg_fail(struct ksr_cfg_error *err, struct ksr_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
