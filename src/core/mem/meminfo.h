/*
 * What the daemon's memory looks like, for core.shmmem, the shmem: statistics and the
 * memory status lines. Workers are threads sharing one heap (glibc's malloc), so
 * upstream's private (pkg) and shared (shm) memory are the same memory here.
 */
#ifndef KSR_CORE_MEM_MEMINFO_H
#define KSR_CORE_MEM_MEMINFO_H

/* Bytes, except fragments. */
struct ksr_meminfo {
	unsigned long total;     /* the heap: what malloc took from the system (arenas + mmaps) */
	unsigned long free;      /* free bytes inside it (total = used + free) */
	unsigned long used;      /* bytes handed out by malloc and not freed */
	unsigned long real_used; /* the process's resident memory (VmRSS: code and stacks too) */
	unsigned long max_used;  /* its peak (VmHWM) */
	unsigned long fragments; /* free chunks in the heap */
};

/* Fill ret; the /proc figures are 0 where /proc cannot be read. */
void ksr_meminfo_get(struct ksr_meminfo *ret);
/*
 * The same as computed statistics of group shmem (total_size, used_size, free_size,
 * real_used_size, max_used_size, fragments), read when asked for. 0 or -ENOMEM.
 */
int ksr_meminfo_stats_register(void);

/*
 * Runtime config core.memlog: the level of the memory status lines; core.mem_summary:
 * flags, 4 or 8 log the status when the daemon stops (upstream's default 12).
 */
extern int ksr_memlog;
extern int ksr_mem_summary;

/* One line with the figures above at level `level`; what says why ("on demand", ...). */
void ksr_meminfo_log(int level, const char *what);
/* At stop: the status at level memlog when mem_summary asks for it. */
void ksr_meminfo_log_at_exit(void);

#endif
