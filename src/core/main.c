/* The kamailio daemon: command line, config, modules, sockets, workers, signals. */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cfg/cfg.h"
#include "core/cfg/pp.h"
#include "core/cfg/reload.h"
#include "core/cfg/cfgvars.h"
#include "core/cfg/rtcfg.h"
#include "core/cfg/rtcfg_core.h"
#include "core/core_stats.h"
#include "core/counters.h"
#include "core/log.h"
#include "core/mem/meminfo.h"
#include "core/module/fixup.h"
#include "core/module/module.h"
#include "core/net/listener.h"
#include "core/net/tcp.h"
#include "core/net/udp.h"
#include "core/receive.h"
#include "core/route/core_cmds.h"
#include "core/route/program.h"
#include "core/rpc/rpc.h"
#include "core/threads.h"
#include "core/timer/timer.h"
#include "core/version.h"

struct options {
	const char *cfg_file;
	bool check_only;
	bool cfg_print; /* --cfg-print */
	int foreground; /* -D count */
	int debug_incr; /* -d count */
	bool log_stderr;
	int children; /* -n, 0 when not given */
	const char *pid_file;
	const char *workdir; /* -w */
	const char *rundir; /* -Y */
	char **listen; /* -l values */
	int nlisten;
	char **defines; /* -A values, kept for reloads */
	int ndefines;
	char *cfg_path; /* the config file's absolute path, for reloads */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kamailio [options]\n"
		"Options:\n"
		"    -f file      Configuration file (default: %s)\n"
		"    -c           Check the configuration file and exit\n"
		"    --cfg-print  Print the configuration file as preprocessed and exit\n"
		"    -L path      Modules search path (default: %s)\n"
		"    -A name[=v]  Add a config preprocessor define\n"
		"    -l address   Listen on [proto:]address[:port]; replaces the config's listen\n"
		"                 (may be repeated)\n"
		"    -n number    Worker threads per UDP listener (children)\n"
		"    -d           Raise the log level by one (may be repeated)\n"
		"    -D           Stay in the foreground (-DD is accepted as well)\n"
		"    -E           Log to standard error\n"
		"    -P file      Write the process id to file\n"
		"    -w dir       Working directory (core parameter workdir; this wins)\n"
		"    -Y dir       Runtime directory (core parameter rundir; this wins)\n"
		"    -m, -M size  Accepted for compatibility (memory is allocated as needed)\n"
		"    -v, -V       Version\n"
		"    -h           This help\n",
		KSR_DEFAULT_CFG_FILE, KSR_DEFAULT_MODULE_PATH);
}

static void version(void)
{
	printf("version: %s\n", KSR_FULL_VERSION);
	printf("module ABI: %u\n", KSR_MODULE_ABI_VERSION);
	printf("compiled with " __VERSION__ "\n");
}

static void print_cfg_error(const struct ksr_cfg_error *err, const char *cfg_file)
{
	if (err->pos.line > 0)
		fprintf(stderr, "kamailio: %s:%d:%d: error: %s\n", err->pos.file, err->pos.line,
			err->pos.col, err->msg);
	else
		fprintf(stderr, "kamailio: %s: error: %s\n", cfg_file, err->msg);
}

/* --cfg-print: the config as the preprocessor leaves it (as upstream), then exit. */
static int cfg_print(struct ksr_pp *pp, const char *cfg_file)
{
	struct ksr_cfg_error err = {0};
	const char *text;
	size_t len;
	int r;

	ksr_pp_keep_print(pp, true);
	r = ksr_pp_load(pp, cfg_file, &err);
	if (r < 0) {
		print_cfg_error(&err, cfg_file);
		ksr_pp_free(pp);
		return 1;
	}
	text = ksr_pp_print_text(pp, &len);
	r = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
	ksr_pp_free(pp);
	return r;
}

static int parse_args(int argc, char **argv, struct options *o, struct ksr_pp *pp)
{
	enum { OPT_CFG_PRINT = 256 };
	static const struct option longopts[] = {
		{"cfg-print", no_argument, NULL, OPT_CFG_PRINT},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:cL:A:l:n:dDEP:w:Y:m:M:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CFG_PRINT: o->cfg_print = true; break;
		case 'f': o->cfg_file = optarg; break;
		case 'c': o->check_only = true; break;
		case 'L':
			if (ksr_module_path_add(optarg) < 0)
				return -ENOMEM;
			break;
		case 'A': {
			char **n;

			if (ksr_pp_define_arg(pp, optarg) < 0) {
				fprintf(stderr, "kamailio: bad define '%s' for -A\n", optarg);
				return -EINVAL;
			}
			n = realloc(o->defines, (size_t)(o->ndefines + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			o->defines = n;
			o->defines[o->ndefines++] = optarg;
			break;
		}
		case 'l': {
			char **n = realloc(o->listen, (size_t)(o->nlisten + 1) * sizeof(*n));

			if (!n)
				return -ENOMEM;
			o->listen = n;
			o->listen[o->nlisten++] = optarg;
			break;
		}
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 1024) {
				fprintf(stderr, "kamailio: bad number of workers '%s' for -n\n", optarg);
				return -EINVAL;
			}
			o->children = (int)v;
			break;
		}
		case 'd': o->debug_incr++; break;
		case 'D': o->foreground++; break;
		case 'E': o->log_stderr = true; break;
		case 'P': o->pid_file = optarg; break;
		case 'w': o->workdir = optarg; break;
		case 'Y': o->rundir = optarg; break;
		case 'm':
		case 'M': break;
		case 'v':
		case 'V': version(); exit(0);
		case 'h': usage(stdout); exit(0);
		case ':':
			fprintf(stderr, "kamailio: option -%c needs a value (see -h)\n", optopt);
			return -EINVAL;
		default:
			if (optopt)
				fprintf(stderr, "kamailio: unknown option -%c (see -h)\n", optopt);
			else
				fprintf(stderr, "kamailio: unknown option %s (see -h)\n",
					argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kamailio: unexpected argument '%s' (see -h)\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/*
 * Fork into the background; the parent exits when the child reports readiness through
 * the pipe, with the child's status, so that start-up errors reach the caller.
 */
static int daemonize(int *ret_ready_fd)
{
	int fds[2];
	pid_t pid;
	char st = 1;

	if (pipe(fds) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(fds[0]);
	setsid();
	if (chdir("/") < 0)
		LM_WARN("chdir(/) failed: %s\n", strerror(errno));
	int nul = open("/dev/null", O_RDWR);

	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		if (!ksr_log_stderr)
			dup2(nul, STDERR_FILENO);
		if (nul > STDERR_FILENO)
			close(nul);
	}
	*ret_ready_fd = fds[1];
	return 0;
}

static void report_ready(int fd, char status)
{
	if (fd < 0)
		return;
	if (write(fd, &status, 1) != 1)
		LM_WARN("cannot report readiness to the parent process\n");
	close(fd);
}

/* user/group: switch ids once the sockets are bound (to ports below 1024 too). */
static int drop_privileges(void)
{
	const struct ksr_core_cfg *c = &ksr_core_cfg;

	if (!c->user_set && !c->group_set)
		return 0;
	/* supplementary groups: the user's, or the group alone (not root's) */
	if (getuid() == 0 && (c->user_set ? initgroups(c->user, c->gid)
					  : setgroups(1, &c->gid)) < 0)
		goto fail;
	if (setgid(c->gid) < 0)
		goto fail;
	if (c->user_set && setuid(c->uid) < 0)
		goto fail;
	LM_INFO("running as uid %d, gid %d\n", (int)getuid(), (int)getgid());
	return 0;
fail:;
	int e = errno;

	LM_ERR("cannot switch to %s%s: %s\n", c->user_set ? "user " : "the configured group",
	       c->user_set ? c->user : "", strerror(e));
	return -e;
}

static int write_pid_file(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0)
		return -errno;
	/* rename: readers never see a half-written file */
	return rename(tmp, path) < 0 ? -errno : 0;
}

static int run(int argc, char **argv, struct options *o)
{
	struct ksr_program *prog = NULL;
	struct ksr_cfg_error err;
	struct ksr_pp *pp;
	sigset_t sigs;
	int ready_fd = -1, children, r, sig;

	pp = ksr_pp_new();
	if (!pp || ksr_core_cmds_register() < 0 || ksr_cfgvars_pv_register() < 0 ||
	    ksr_core_rpc_register() < 0 || ksr_core_stats_register() < 0 ||
	    ksr_rtcfg_core_declare() < 0)
		return 1;
	/* the predefined names first: -A may redefine them */
	if (ksr_pp_define_core(pp, KSR_VERSION, KSR_OS) < 0)
		return 1;
	if (parse_args(argc, argv, o, pp) < 0)
		return 1;
	if (o->cfg_print)
		return cfg_print(pp, o->cfg_file);
	if (!ksr_module_path)
		ksr_module_path = strdup(KSR_DEFAULT_MODULE_PATH);
	ksr_log_stderr = true; /* until the config says otherwise */
	ksr_log_level = L_WARN + o->debug_incr;

	r = ksr_cfg_load(o->cfg_file, pp, &prog, &err);
	ksr_pp_free(pp);
	if (r < 0) {
		print_cfg_error(&err, o->cfg_file);
		return 1;
	}
	/* reloads read the same file with the same defines, whatever the directory then */
	o->cfg_path = realpath(o->cfg_file, NULL);
	ksr_reload_setup(o->cfg_path ? o->cfg_path : o->cfg_file, o->defines, o->ndefines);
	/* the command line wins over the config */
	ksr_log_level = ksr_core_cfg.debug + o->debug_incr;
	ksr_log_stderr = o->log_stderr || ksr_core_cfg.log_stderror;
	/* what cfg.get core debug says, and what cfg.reset core goes back to */
	if (ksr_rtcfg_core_started() < 0)
		return 1;
	/* the command line wins over the config, as upstream */
	if (o->workdir)
		ksr_core_cfg.workdir = o->workdir;
	if (o->rundir)
		ksr_core_cfg.rundir = o->rundir;
	children = o->children ? o->children : ksr_core_cfg.children;
	if (o->nlisten) {
		const char *why;

		/* -l replaces the config's listeners; its aliases stay */
		ksr_listeners_drop_proto(IPPROTO_UDP);
		ksr_listeners_drop_proto(IPPROTO_TCP);
		for (int i = 0; i < o->nlisten; i++) {
			if (ksr_listener_add(o->listen[i], &why) < 0) {
				fprintf(stderr, "kamailio: -l %s: %s\n", o->listen[i], why);
				return 1;
			}
		}
	}
	if (ksr_core_cfg.disable_tcp && ksr_listeners_drop_proto(IPPROTO_TCP) > 0)
		LM_WARN("disable_tcp is set: the TCP listeners are not used\n");
	if (!ksr_listeners()) {
		const char *why;

		/* without a port: the core parameter `port` applies */
		if (ksr_listener_add("udp:0.0.0.0", &why) < 0) {
			fprintf(stderr, "kamailio: default listener: %s\n", why);
			return 1;
		}
	}
	if (!prog->request_route)
		LM_WARN("no request_route in %s: requests will be ignored\n", o->cfg_file);
	if (!o->check_only && ksr_core_cfg.rundir) {
		struct stat st;
		int e = stat(ksr_core_cfg.rundir, &st) < 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;

		/* modules put their sockets and FIFOs there: a wrong one is an error now */
		if (e) {
			fprintf(stderr, "kamailio: runtime directory %s: %s\n", ksr_core_cfg.rundir,
				strerror(e));
			ksr_program_unref(prog);
			return 1;
		}
	}
	if (o->check_only) {
		ksr_cfg_core_log_ignored();
		fprintf(stderr, "config file ok, exiting...\n");
		ksr_program_unref(prog);
		ksr_modules_unload();
		ksr_fixup_free_loadtime();
		ksr_cfgvars_clear();
		ksr_rtcfg_clear();
		ksr_counters_clear();
		ksr_pp_forget_defines();
		ksr_rpc_clear();
		ksr_cfg_core_reset();
		return 0;
	}

	if (ksr_listeners_bind() < 0)
		return 1;
	if (!o->foreground && daemonize(&ready_fd) < 0) {
		fprintf(stderr, "kamailio: cannot fork into the background: %s\n", strerror(errno));
		return 1;
	}
	if (!ksr_log_stderr)
		ksr_log_init_syslog(ksr_core_cfg.log_name ? ksr_core_cfg.log_name : "kamailio",
				    ksr_core_cfg.log_facility);
	ksr_cfg_core_log_ignored();
	if (ksr_core_cfg.workdir && chdir(ksr_core_cfg.workdir) < 0) {
		LM_ERR("cannot change to workdir %s: %s\n", ksr_core_cfg.workdir, strerror(errno));
		report_ready(ready_fd, 1);
		return 1;
	}
	if (drop_privileges() < 0) {
		report_ready(ready_fd, 1);
		return 1;
	}
	/* signals are taken by sigwait() below, never by a handler */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	ksr_thread_register(KSR_RANK_MAIN, NULL, "main process - attendant");
	if (ksr_modules_init() < 0 || ksr_modules_child_init(KSR_RANK_MAIN) < 0) {
		report_ready(ready_fd, 1);
		return 1;
	}
	ksr_program_install(prog);
	ksr_program_unref(prog);
	if (ksr_timer_start() < 0) {
		report_ready(ready_fd, 1);
		return 1;
	}
	if ((r = ksr_udp_start(children)) < 0 ||
	    ksr_tcp_start(ksr_core_cfg.tcp_children ? ksr_core_cfg.tcp_children : children, r + 1) < 0) {
		ksr_udp_stop();
		ksr_tcp_stop();
		ksr_timer_stop();
		report_ready(ready_fd, 1);
		return 1;
	}
	if (o->pid_file && (r = write_pid_file(o->pid_file)) < 0)
		LM_ERR("cannot write pid file %s: %s\n", o->pid_file, strerror(-r));
	LM_NOTICE("%s started, %d worker(s) per listener\n", KSR_FULL_VERSION, children);
	report_ready(ready_fd, 0);

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			LM_INFO("SIGHUP received: nothing to do\n");
	}
	LM_NOTICE("signal %d received, stopping\n", sig);
	ksr_meminfo_log_at_exit();
	/* UDP first: its workers may write on TCP connections */
	ksr_udp_stop();
	ksr_tcp_stop();
	/* timers run module code: stopped before the modules are destroyed */
	ksr_timer_stop();
	ksr_modules_destroy();
	ksr_receive_clear_request_filters();
	ksr_program_install(NULL);
	ksr_listeners_clear();
	if (o->pid_file)
		unlink(o->pid_file);
	ksr_modules_unload();
	ksr_fixup_free_loadtime();
	ksr_cfgvars_clear();
	ksr_rtcfg_clear();
	ksr_counters_clear();
	ksr_pp_forget_defines();
	ksr_rpc_clear();
	ksr_cfg_core_reset();
	ksr_thread_unregister();
	free(ksr_module_path);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {.cfg_file = KSR_DEFAULT_CFG_FILE};
	int r;

	/*
	 * A proxy frees what it allocated a moment ago (a transaction's copy of its request)
	 * and allocates as much again the next moment: glibc giving the top of the heap back
	 * to the kernel each time (and growing it again) cost 4 % of the CPU of a stateful
	 * proxy at 2,000 calls/s. Memory freed stays for reuse; peak use is what counts.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	r = run(argc, argv, &o);

	/* whatever way run() returned, what the options own goes */
	free(o.listen);
	free(o.defines);
	free(o.cfg_path);
	return r;
}
