/* The heap's figures from glibc (mallinfo2) and the process's from /proc/self/status. */
#include "core/mem/meminfo.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/counters.h"
#include "core/log.h"

int ksr_memlog = L_DBG + 1;
int ksr_mem_summary = 12;

/* "VmRSS:    1234 kB" lines of /proc/self/status, in bytes. */
static void proc_status(unsigned long *ret_rss, unsigned long *ret_hwm)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long kb;

	*ret_rss = *ret_hwm = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			*ret_rss = kb * 1024;
		else if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			*ret_hwm = kb * 1024;
	}
	fclose(f);
}

void ksr_meminfo_get(struct ksr_meminfo *ret)
{
	/* every arena of every thread, summed by glibc */
	struct mallinfo2 mi = mallinfo2();

	memset(ret, 0, sizeof(*ret));
	ret->used = mi.uordblks + mi.hblkhd;
	ret->free = mi.fordblks;
	ret->total = ret->used + ret->free;
	ret->fragments = mi.ordblks + mi.smblks;
	proc_status(&ret->real_used, &ret->max_used);
	/* the kernel updates the peak lazily: it may lag behind the current figure */
	if (ret->max_used < ret->real_used)
		ret->max_used = ret->real_used;
}

/* The statistics (upstream's names) and the figure each one reads. */
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
        {"total_size", offsetof(struct ksr_meminfo, total)},
        {"used_size", offsetof(struct ksr_meminfo, used)},
        {"free_size", offsetof(struct ksr_meminfo, free)},
        {"real_used_size", offsetof(struct ksr_meminfo, real_used)},
        {"max_used_size", offsetof(struct ksr_meminfo, max_used)},
        {"fragments", offsetof(struct ksr_meminfo, fragments)},
};

static long stat_value(const struct ksr_counter *c)
{
	struct ksr_meminfo mi;

	ksr_meminfo_get(&mi);
	for (size_t i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
		if (strcmp(c->name, stat_fields[i].name) == 0)
			return (long)*(const unsigned long *)((const char *)&mi +
			                                      stat_fields[i].off);
	return 0;
}

int ksr_meminfo_stats_register(void)
{
	for (size_t i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++) {
		int r = ksr_counter_register_fn("shmem", stat_fields[i].name, NULL, stat_value,
		                                NULL);

		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

void ksr_meminfo_log(int level, const char *what)
{
	struct ksr_meminfo mi;

	if (level > ksr_log_level)
		return;
	ksr_meminfo_get(&mi);
	ksr_log(level, MOD_NAME, __func__,
	        "memory status (%s): heap %lu bytes, used %lu, free %lu in %lu fragments; "
	        "resident %lu, peak %lu\n",
	        what, mi.total, mi.used, mi.free, mi.fragments, mi.real_used, mi.max_used);
}

void ksr_meminfo_log_at_exit(void)
{
	if (ksr_mem_summary & (4 | 8))
		ksr_meminfo_log(ksr_memlog, "at exit");
}
