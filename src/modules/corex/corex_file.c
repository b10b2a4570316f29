/* corex: file_read (a whole file into a pseudo-variable) and file_write (a value to a file). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem/arena.h"
#include "core/module/fixup.h"
#include "core/parser/msg-t.h"
#include "core/pv/pv.h"
#include "corex.h"

/* The second parameter names one writable pseudo-variable: parsed once, into ptr. */
int corex_fixup_file_read(struct ksr_fparam *p, int n, const char **ret_err)
{
	return ksr_fixup_pvar(&p[1], true, ret_err);
}

/*
 * Read fd to its end (st_size is only a hint: /proc files say 0) into a malloc'ed buffer.
 * 0, -EFBIG past COREX_FILE_READ_MAX, or -errno.
 */
static int read_all(int fd, size_t hint, char **ret_buf, size_t *ret_len)
{
	size_t cap = hint < 4096 ? 4096 : hint + 1, len = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int r;

	if (cap > COREX_FILE_READ_MAX + 1)
		cap = COREX_FILE_READ_MAX + 1;
	if (!(buf = malloc(cap)))
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > COREX_FILE_READ_MAX) {
				r = -EFBIG;
				goto fail;
			}
			cap = cap * 2 > COREX_FILE_READ_MAX + 1 ? COREX_FILE_READ_MAX + 1 : cap * 2;
			if (!(nb = realloc(buf, cap))) {
				r = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > COREX_FILE_READ_MAX) {
		r = -EFBIG;
		goto fail;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
fail:
	free(buf);
	return r;
}

/* The whole file at path, into the message's arena. 0 or -errno. */
static int file_load(struct ksr_msg *msg, const char *path, struct ksr_str *ret)
{
	struct stat st;
	char *buf = NULL, *c;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else
		r = read_all(fd, S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 0,
		             &buf, &len);
	close(fd);
	if (r < 0)
		return r;
	c = ksr_arena_alloc_nz(msg->arena, len + 1);
	if (c) {
		if (len)
			memcpy(c, buf, len);
		c[len] = '\0';
		*ret = ksr_str_make(c, len);
	}
	free(buf);
	return c ? 0 : -ENOMEM;
}

/* A path from a variable may be empty or hold a NUL byte that would cut it short. */
static bool path_ok(const char *fn, struct ksr_str path)
{
	if (path.len == 0 || memchr(path.s, '\0', path.len)) {
		LM_ERR("%s: the file path is empty or holds a NUL byte\n", fn);
		return false;
	}
	return true;
}

int corex_w_file_read(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	struct ksr_val v = {.type = KSR_VAL_STR};
	int r;

	if (!path_ok("file_read", p[0].s))
		return -1;
	r = file_load(msg, p[0].s.s, &v.s);
	if (r < 0) {
		LM_ERR("cannot read file %s: %s\n", p[0].s.s,
		       r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
		return -1;
	}
	r = ksr_pv_set(msg, p[1].ptr, &v);
	if (r < 0) {
		LM_ERR("cannot set %.*s: %s\n", KSR_STR_FMT(p[1].s), strerror(-r));
		return -1;
	}
	return 1;
}

/* Write all of s to fd. 0 or -errno. */
static int write_all(int fd, struct ksr_str s)
{
	size_t off = 0;

	while (off < s.len) {
		ssize_t n = write(fd, s.s + off, s.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* The file is created (mode 0666 less the umask, as fopen) or truncated, then written. */
int corex_w_file_write(struct ksr_msg *msg, const struct ksr_fparam *p)
{
	int fd, r;

	if (!path_ok("file_write", p[0].s))
		return -1;
	fd = open(p[0].s.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		LM_ERR("cannot open file %s: %s\n", p[0].s.s, strerror(errno));
		return -1;
	}
	r = write_all(fd, p[1].s);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		LM_ERR("cannot write file %s: %s\n", p[0].s.s, strerror(-r));
		return -1;
	}
	return 1;
}
