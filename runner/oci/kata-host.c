/* kata-host.c - see kata-host.h */
#include "kata-host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-fs.h"
#include "prereq.h"
#include "proc.h"

#ifndef OB_KATA_RUN
#define OB_KATA_RUN "/run/kata-containers"
#endif
#define SANDBOXES OB_KATA_RUN "/shared/sandboxes"
#define LOCK OB_KATA_RUN "/ocibench-host.lock"
/* our sink's "PID STARTTIME" (a recycled pid is never signalled): we made /dev/log */
#define SINK_PID OB_KATA_RUN "/ocibench-syslog.pid"
#define MOUNTED OB_KATA_RUN "/ocibench-mount"       /* we made the bind mount */
#define SINK_LOG_MAX (64 << 20)
#define DEVLOG "/dev/log"
#define SINK_STOP_MS 5000
/* kata-runtime 1.x keeps a sandbox's state and its proxy socket here, and
 * the directory it shares with the guest below SANDBOXES */
#ifndef OB_KATA_VC
#define OB_KATA_VC "/run/vc"
#endif
static const char *const vc_dirs[] = { OB_KATA_VC "/sbs", OB_KATA_VC "/vm", SANDBOXES, NULL };

/* Whether something answers on the syslog socket. */
static int syslog_alive(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = DEVLOG };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* The sink: its own session (a terminal's ^C is for the runner), reads and
 * drops datagrams until SIGTERM, then removes its socket. */
static void sink(int sock, int ready, int out)
{
	sigset_t all;
	char buf[8192];
	long total = 0;

	/* no other descriptor of the runner (its lock above all) stays open here */
	for (int fd = 0; fd < 1024; fd++)
		if (fd != sock && fd != ready && fd != out)
			close(fd);
	open("/dev/null", O_RDWR);
	setsid();
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	if (write(ready, "", 1) < 0)
		_exit(1);
	close(ready);
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno != EINTR)
			_exit(0);
		if (n > 0 && total < SINK_LOG_MAX) {
			buf[n++] = '\n';
			total += write(out, buf, (size_t)n);
		}
	}
}

static int start_sink(const char *sink_log, FILE *log, struct ob_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = DEVLOG };
	int sock, p[2];
	char c;
	pid_t pid;

	unlink(DEVLOG); /* a socket nobody answers on (checked by the caller) */
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(DEVLOG, 0666) < 0) {
		ob_err(err, OB_EXIT_FAIL, errno, "making a syslog socket at %s for kata-runtime", DEVLOG);
		if (sock >= 0)
			close(sock);
		return -1;
	}
	int out = open(sink_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (out < 0 || pipe2(p, O_CLOEXEC) < 0 || (pid = ob_proc_fork()) < 0) {
		if (out >= 0)
			close(out);
		close(sock);
		unlink(DEVLOG);
		return ob_err(err, OB_EXIT_FAIL, errno, "starting the syslog sink");
	}
	if (pid == 0) {
		close(p[0]);
		sink(sock, p[1], out);
	}
	close(out);
	close(sock);
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		unlink(DEVLOG);
		return ob_err(err, OB_EXIT_FAIL, 0, "the syslog sink did not start");
	}
	close(p[0]);
	ob_proc_keep(pid); /* not a runtime's orphan */
	FILE *f = fopen(SINK_PID, "we");

	if (!f || fprintf(f, "%ld %lld\n", (long)pid, ob_proc_starttime(pid)) < 0 || fclose(f) != 0) {
		kill(pid, SIGTERM);
		unlink(DEVLOG);
		return ob_err(err, OB_EXIT_FAIL, errno, "writing %s", SINK_PID);
	}
	fprintf(log, "ocibench: no syslog on this host: a sink on %s (pid %ld, into %s) for kata-runtime, during the run\n",
		DEVLOG, (long)pid, sink_log);
	return 0;
}

/* Whether dir is a mount point with shared propagation. */
static int shared_mount(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[2048];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %2047s", mp) == 1 && strcmp(mp, dir) == 0 &&
		    strstr(line, " shared:"))
			found = 1;
	fclose(f);
	return found;
}

static int make_mount(FILE *log, struct ob_error *err)
{
	if (ob_mkdir_p(SANDBOXES, 0755, err) < 0)
		return -1;
	if (mount(SANDBOXES, SANDBOXES, NULL, MS_BIND, NULL) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "bind-mounting %s", SANDBOXES);
	int fd = open(MOUNTED, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || mount(NULL, SANDBOXES, NULL, MS_SHARED | MS_REC, NULL) < 0) {
		ob_err(err, OB_EXIT_FAIL, errno, "making %s shared", SANDBOXES);
		if (fd >= 0)
			close(fd);
		umount2(SANDBOXES, MNT_DETACH);
		unlink(MOUNTED);
		return -1;
	}
	close(fd);
	fprintf(log, "ocibench: %s bind-mounted with shared propagation for Kata, during the run\n",
		SANDBOXES);
	return 0;
}

/* Stop the sink and wait until it is gone: its socket answers until then,
 * and /dev/log is removed only when nothing answers on it.  The sink is this
 * process's child when the run that started it ends; under `ocibench
 * cleanup` it is not, so the wait is on a pidfd, not waitpid. */
static void stop_sink(pid_t pid)
{
	int fd = pidfd_open(pid, 0), st;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (fd < 0)
		return;
	if (pidfd_send_signal(fd, SIGTERM, NULL, 0) == 0)
		while (poll(&p, 1, SINK_STOP_MS) < 0 && errno == EINTR)
			;
	close(fd);
	if (waitpid(pid, &st, WNOHANG) == pid || errno == ECHILD)
		ob_proc_unkeep(pid);
}

/* Undo what an ocibench run made (the caller holds the lock exclusively). */
static int undo(FILE *log)
{
	int n = 0;
	FILE *f = fopen(SINK_PID, "re");
	long pid;
	long long start;

	if (f) {
		if (fscanf(f, "%ld %lld", &pid, &start) == 2 && pid > 1 &&
		    ob_proc_starttime((pid_t)pid) == start)
			stop_sink((pid_t)pid);
		fclose(f);
		unlink(SINK_PID);
		if (!syslog_alive())
			unlink(DEVLOG);
		fprintf(log, "ocibench: syslog sink on %s stopped\n", DEVLOG);
		n++;
	}
	if (access(MOUNTED, F_OK) == 0) {
		if (umount2(SANDBOXES, MNT_DETACH) < 0 && errno != EINVAL)
			fprintf(log, "ocibench: unmounting %s: %s\n", SANDBOXES, strerror(errno));
		unlink(MOUNTED);
		fprintf(log, "ocibench: %s unmounted\n", SANDBOXES);
		n++;
	}
	return n;
}

static bool ready(void *ctx)
{
	(void)ctx;
	return syslog_alive() && shared_mount(SANDBOXES);
}

/* ctx: the sink's log file */
static int provide(void *ctx, FILE *log, struct ob_error *err)
{
	if ((!syslog_alive() && start_sink(ctx, log, err) < 0) ||
	    (!shared_mount(SANDBOXES) && make_mount(log, err) < 0))
		return -1;
	return 0;
}

/* Held shared for the run.  A run that holds it has what Kata needs in
 * place, so setting up (under the exclusive lock) happens only when no other
 * run is going. */
static const struct ob_prereq prereq = {
	.lock = LOCK, .setups = 1, .ready = ready, .provide = provide, .undo = undo
};

int ob_kata_host_up(struct ob_kata_host *h, const char *state_dir, FILE *log,
		    struct ob_error *err)
{
	char sink_log[4096];

	h->lock = -1;
	snprintf(sink_log, sizeof(sink_log), "%s/kata-syslog.log", state_dir);
	if (ob_mkdir_p(OB_KATA_RUN, 0755, err) < 0)
		return -1;
	h->lock = ob_prereq_hold(&prereq, sink_log, log, err);
	return h->lock < 0 ? -1 : 0;
}

void ob_kata_host_down(struct ob_kata_host *h, FILE *log)
{
	ob_prereq_release(&prereq, &h->lock, log);
}

int ob_kata_host_cleanup(FILE *log)
{
	return ob_prereq_cleanup(&prereq, log);
}

/* Each entry of Kata's state directories whose name starts with prefix. */
static int vc_each(const char *prefix, int (*fn)(const char *path, FILE *log), FILE *log)
{
	int n = 0;

	for (int i = 0; vc_dirs[i]; i++) {
		DIR *d = opendir(vc_dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
				ob_cleanup_free char *path = ob_xasprintf("%s/%s", vc_dirs[i], e->d_name);

				n += fn(path, log);
			}
		if (d)
			closedir(d);
	}
	return n;
}

static int count(const char *path, FILE *log)
{
	(void)path;
	(void)log;
	return 1;
}

static int remove_state(const char *path, FILE *log)
{
	struct ob_error err;

	if (ob_remove_tree(path, &err) < 0) {
		if (log)
			fprintf(log, "ocibench: %s\n", err.msg);
		return 0;
	}
	if (log)
		fprintf(log, "ocibench: removed Kata's leftover state %s\n", path);
	return 1;
}

bool ob_kata_host_has_state(const char *prefix)
{
	return vc_each(prefix, count, NULL) > 0;
}

int ob_kata_host_sweep_state(const char *prefix, FILE *log)
{
	return vc_each(prefix, remove_state, log);
}
