/* proc.c - see proc.h */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-clock.h"

/* Children reaped while waiting for something else (ring, newest wins). */
#define REAPED_MAX 128
static struct reaped {
	pid_t pid;
	int status;
	uint64_t t_ns;
} reaped[REAPED_MAX];
static unsigned reaped_next;
/* CPU time (user + system, its own and its waited-for children's) of the
 * last processes reaped, whoever waited for them (ring, newest wins). */
#define CPU_MAX 512
static struct reaped_cpu {
	pid_t pid;
	uint64_t cpu_ns;
} reaped_cpu[CPU_MAX];
static unsigned reaped_cpu_next;
static sigset_t waitset;
static int stop_signal;

int ob_proc_setup(struct ob_error *err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	/* a stop request must always reach us, even when started from a shell
	 * that made background jobs ignore SIGINT */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGCHLD);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &waitset, NULL) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "sigprocmask");
	return 0;
}

int ob_proc_stop_signal(void)
{
	return stop_signal;
}

static void child_fail(const char *what, const char *arg)
{
	dprintf(2, "ocibench: %s %s: %s\n", what, arg, strerror(errno));
	_exit(127);
}

/* What was remembered of an earlier process with pid: a dead one's.  The
 * runner is a subreaper, so the orphans of engines and runtimes (conmon,
 * shims) are reaped here and remembered without anyone waiting for them;
 * when the kernel gives their pid to a new child, its wait must not take
 * their exit status (an instant "exit 0" of a command that is still
 * running, a phase of 0 ms). */
static void forget(pid_t pid)
{
	for (unsigned i = 0; i < REAPED_MAX; i++)
		if (reaped[i].pid == pid)
			reaped[i].pid = 0;
	for (unsigned i = 0; i < CPU_MAX; i++)
		if (reaped_cpu[i].pid == pid)
			reaped_cpu[i].pid = 0;
}

pid_t ob_proc_fork(void)
{
	pid_t p = fork();

	if (p > 0) /* alive now: nothing reaped so far can be this process */
		forget(p);
	return p;
}

int ob_proc_spawn(const struct ob_spawn *sp, pid_t *pid, struct ob_error *err)
{
	pid_t p = ob_proc_fork();
	sigset_t none;

	if (p < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "fork");
	if (p > 0) {
		*pid = p;
		return 0;
	}
	/* child: only async-signal-safe calls from here */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (dup2(sp->in, 0) < 0 || dup2(sp->out, 1) < 0 || dup2(sp->err, 2) < 0)
		child_fail("dup2", "");
	if (sp->cgroup) {
		int fd = open(sp->cgroup, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0\n", 2) != 2)
			child_fail("joining the cgroup", sp->cgroup);
		close(fd);
	}
	if (sp->netns) {
		int fd = open(sp->netns, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			child_fail("joining the network namespace", sp->netns);
		close(fd);
	}
	if (sp->hide_mount || sp->mask_dir) {
		if (unshare(CLONE_NEWNS) < 0)
			child_fail("unshare", "CLONE_NEWNS");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			child_fail("making / private in", "the new mount namespace");
	}
	if (sp->hide_mount && umount2(sp->hide_mount, MNT_DETACH) < 0)
		child_fail("umount", sp->hide_mount);
	if (sp->mask_dir && mount("none", sp->mask_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  "size=4k,mode=555") < 0)
		child_fail("mounting a tmpfs over", sp->mask_dir);
	if (sp->env)
		execve(sp->argv[0], sp->argv, sp->env);
	else
		execv(sp->argv[0], sp->argv);
	child_fail("exec", sp->argv[0]);
	return -1;
}

static void remember(pid_t pid, int status, uint64_t t)
{
	reaped[reaped_next % REAPED_MAX] = (struct reaped){ pid, status, t };
	reaped_next++;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* waitpid(-1, WNOHANG) that also keeps the reaped process's CPU time. */
static pid_t reap_one(int *status)
{
	struct rusage ru;
	pid_t got = wait4(-1, status, WNOHANG, &ru);

	if (got > 0) {
		reaped_cpu[reaped_cpu_next % CPU_MAX] =
			(struct reaped_cpu){ got, tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) };
		reaped_cpu_next++;
	}
	return got;
}

bool ob_proc_reaped_cpu(pid_t pid, uint64_t *cpu_ns)
{
	for (unsigned i = 0; i < CPU_MAX; i++)
		if (reaped_cpu[i].pid == pid && pid > 0) {
			*cpu_ns = reaped_cpu[i].cpu_ns;
			return true;
		}
	return false;
}

static bool take(pid_t pid, int *status, uint64_t *t)
{
	for (unsigned i = 0; i < REAPED_MAX; i++) {
		if (reaped[i].pid == pid && pid > 0) {
			*status = reaped[i].status;
			*t = reaped[i].t_ns;
			reaped[i].pid = 0;
			return true;
		}
	}
	return false;
}

int ob_proc_poll_stop(void)
{
	struct timespec zero = { 0 };
	sigset_t stops;
	int sig;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if ((sig = sigtimedwait(&stops, NULL, &zero)) > 0)
		stop_signal = sig;
	return stop_signal;
}

void ob_proc_reap(void)
{
	int st;
	pid_t got;

	while ((got = reap_one(&st)) > 0)
		remember(got, st, ob_now_ns());
}

bool ob_proc_done(pid_t pid, int *status, uint64_t *end_ns)
{
	ob_proc_reap();
	return take(pid, status, end_ns);
}

int ob_proc_poll(struct pollfd *fds, size_t nfds, uint64_t deadline_ns, bool stoppable)
{
	static int sfd = -1;
	struct pollfd all[nfds + 1];
	struct signalfd_siginfo si;
	int n;

	if (sfd < 0 && (sfd = signalfd(-1, &waitset, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	memcpy(all, fds, nfds * sizeof(*fds));
	all[nfds] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		int ms = -1;

		if (stoppable && stop_signal)
			return OB_WAIT_STOPPED;
		if (deadline_ns) {
			uint64_t now = ob_now_ns();

			if (now >= deadline_ns)
				return OB_WAIT_TIMEOUT;
			ms = (int)((deadline_ns - now + 999999u) / 1000000u);
		}
		n = poll(all, nfds + 1, ms);
		if (n < 0 && errno != EINTR)
			return -1;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
				stop_signal = (int)si.ssi_signo;
		ob_proc_reap();
		for (size_t i = 0; i < nfds; i++)
			fds[i].revents = all[i].revents;
		if (n > 0)
			return OB_WAIT_DONE;
		if (stoppable && stop_signal)
			return OB_WAIT_STOPPED;
		if (n == 0 && deadline_ns)
			continue; /* the deadline check above ends it */
	}
}

int ob_proc_wait(pid_t pid, uint64_t deadline_ns, bool stoppable, int *status,
		 uint64_t *end_ns, struct ob_error *err)
{
	uint64_t t;
	int st;

	for (;;) {
		pid_t got;

		if (take(pid, status, end_ns))
			return OB_WAIT_DONE;
		while ((got = reap_one(&st)) > 0) {
			t = ob_now_ns();
			if (got == pid) {
				*status = st;
				*end_ns = t;
				return OB_WAIT_DONE;
			}
			remember(got, st, t);
		}
		if (got < 0 && errno == ECHILD)
			return ob_err(err, OB_EXIT_FAIL, ECHILD, "waiting for pid %ld", (long)pid);
		if (stoppable && stop_signal)
			return OB_WAIT_STOPPED;

		struct timespec ts = { .tv_sec = 3600 };

		if (deadline_ns) {
			uint64_t now = ob_now_ns();

			if (now >= deadline_ns)
				return OB_WAIT_TIMEOUT;
			ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000u);
			ts.tv_nsec = (long)((deadline_ns - now) % 1000000000u);
		}
		int sig = sigtimedwait(&waitset, NULL, &ts);

		if (sig == SIGINT || sig == SIGTERM)
			stop_signal = sig;
	}
}

void ob_proc_kill(pid_t pid)
{
	uint64_t t;
	int st;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	/* only to reap it: already reaped is fine too */
	ob_proc_wait(pid, ob_now_ns() + 10000000000u, false, &st, &t, NULL);
}

/* Parent pid of pid from /proc/PID/stat (field 4), or -1. */
static pid_t parent_of(const char *pid)
{
	char path[300], buf[512], *p;
	long ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 2, "%*c %ld", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return (pid_t)ppid;
}

/* Children the runner keeps across cells (engine daemons). */
static pid_t kept[8];

void ob_proc_keep(pid_t pid)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!kept[i]) {
			kept[i] = pid;
			return;
		}
}

void ob_proc_unkeep(pid_t pid)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == pid)
			kept[i] = 0;
}

static bool is_kept(pid_t pid)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == pid && pid > 0)
			return true;
	return false;
}

/* One pass over /proc: SIGKILL and reap the runner's children. */
static int kill_children(pid_t self)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && parent_of(e->d_name) == self) {
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
			uint64_t t;
			int st;

			if (is_kept(pid))
				continue;
			kill(pid, SIGKILL);
			ob_proc_wait(pid, ob_now_ns() + 10000000000u, false, &st, &t, NULL);
			n++;
		}
	closedir(d);
	return n;
}

int ob_proc_kill_orphans(void)
{
	int n = 0, got;

	/* the children of a killed orphan (runsc's stubs) are re-parented to
	 * the runner in turn: until a pass finds none */
	for (int pass = 0; pass < 16 && (got = kill_children(getpid())) > 0; pass++)
		n += got;
	return n;
}

int ob_proc_capture(char *const *argv, uint64_t timeout_ns, int *status, char **out,
		    struct ob_error *err)
{
	struct ob_spawn none = { 0 };

	return ob_proc_capture_sp(&none, argv, timeout_ns, status, out, err);
}

int ob_proc_capture_sp(const struct ob_spawn *tmpl, char *const *argv, uint64_t timeout_ns,
		       int *status, char **out, struct ob_error *err)
{
	ob_cleanup_close int fd = memfd_create("ocibench-capture", MFD_CLOEXEC);
	ob_cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct ob_spawn sp = *tmpl;
	uint64_t t;
	pid_t pid = -1;
	off_t len;

	if (fd < 0 || null < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "memfd_create");
	sp.argv = argv;
	sp.in = null;
	sp.out = sp.err = fd;
	if (ob_proc_spawn(&sp, &pid, err) < 0)
		return -1;
	int w = ob_proc_wait(pid, ob_now_ns() + timeout_ns, false, status, &t, err);

	if (w < 0)
		return -1;
	if (w == OB_WAIT_TIMEOUT) {
		ob_proc_kill(pid);
		return ob_err(err, OB_EXIT_FAIL, 0, "%s timed out", argv[0]);
	}
	len = lseek(fd, 0, SEEK_END);
	if (len < 0 || !(*out = malloc((size_t)len + 1)))
		return ob_err(err, OB_EXIT_FAIL, errno, "reading the output of %s", argv[0]);
	ssize_t n = pread(fd, *out, (size_t)len, 0);

	(*out)[n > 0 ? n : 0] = '\0';
	return 0;
}

const char *ob_proc_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

char *ob_proc_which(const char *exe)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(exe, '/'))
		return access(exe, X_OK) == 0 ? realpath(exe, NULL) : NULL;
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, exe);
		if (len && access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* The last non-empty line of what fd holds (a command's stderr), at most
 * len-1 bytes of it. */
static void last_line(int fd, char *buf, size_t len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)len - 1 ? end - ((off_t)len - 1) : 0;
	ssize_t n = end > 0 ? pread(fd, buf, (size_t)(end - from), from) : 0;
	char *nl;

	n = n > 0 ? n : 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	nl = strrchr(buf, '\n');
	if (nl != NULL)
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

int ob_proc_cmd(char *const argv[], uint64_t timeout_ns, struct ob_error *err)
{
	ob_cleanup_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ob_cleanup_close int errfd = memfd_create("ocibench-stderr", MFD_CLOEXEC);
	ob_cleanup_free char *path = ob_proc_which(argv[0]);
	char *v[64], tail[512], cmd[256] = "";
	size_t n = 0;
	pid_t pid = -1;
	uint64_t t;
	int status, w;

	for (size_t used = 0; argv[n] != NULL; n++)
		if (used < sizeof(cmd))
			used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, "%s%s", n ? " " : "",
						 argv[n]);
	if (n >= 64)
		return ob_err(err, OB_EXIT_FAIL, E2BIG, "running %s", argv[0]);
	if (null < 0 || errfd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "%s: opening its stdio", cmd);
	if (path == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOENT, "running %s", argv[0]);
	memcpy(v, argv, (n + 1) * sizeof(*v));
	v[0] = path;

	struct ob_spawn sp = { .argv = v, .in = null, .out = null, .err = errfd };

	if (ob_proc_spawn(&sp, &pid, err) < 0)
		return -1;
	w = ob_proc_wait(pid, ob_now_ns() + timeout_ns, false, &status, &t, err);
	if (w < 0)
		return -1;
	if (w == OB_WAIT_TIMEOUT) {
		ob_proc_kill(pid);
		return ob_err(err, OB_EXIT_FAIL, 0, "'%s' timed out after %llu s", cmd,
			      (unsigned long long)(timeout_ns / 1000000000u));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_line(errfd, tail, sizeof(tail));
	if (WIFEXITED(status))
		return ob_err(err, OB_EXIT_FAIL, 0, "'%s' exited with status %d%s%s", cmd,
			      WEXITSTATUS(status), tail[0] ? ": " : "", tail);
	return ob_err(err, OB_EXIT_FAIL, 0, "'%s' killed by signal %d", cmd, WTERMSIG(status));
}

int ob_proc_cmdl(struct ob_error *err, const char *arg0, ...)
{
	char *argv[64];
	size_t n = 0;
	va_list ap;

	argv[n++] = (char *)arg0;
	va_start(ap, arg0);
	while (n < 63 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return ob_proc_cmd(argv, OB_PROC_CMD_TIMEOUT_NS, err);
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
long long ob_proc_starttime(pid_t pid)
{
	char path[64], buf[1024];
	FILE *f;
	long long t = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		char *p = strrchr(buf, ')');

		/* after ") " come fields 3.. ; starttime is field 22 */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %lld",
				&t) != 1)
			t = -1;
	}
	fclose(f);
	return t;
}
