/* ob-ready.c - see ob-ready.h */
#include "ob-ready.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ob-clock.h"
#include "ob-file.h"

#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define TIME_NS "/proc/self/ns/time"

/* This kernel's boot id ("-" when unknown), the inode of our time
 * namespace (0 when unknown). */
static void clock_names(char boot[40], unsigned long *ino)
{
	int fd = open(BOOT_ID, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, boot, 39);
	struct stat st;

	if (fd >= 0)
		close(fd);
	boot[n > 0 ? n : 0] = '\0';
	boot[strcspn(boot, "\n")] = '\0';
	if (!boot[0])
		strcpy(boot, "-");
	*ino = stat(TIME_NS, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

void ob_ready_signal(void)
{
	static const char token[] = OB_READY_TOKEN;
	const char *v = getenv(OB_READY_ENV);
	struct timespec ts;
	char boot[40];
	unsigned long ino;

	if (!v || !*v)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ssize_t n = write(2, token, sizeof(token) - 1);

	(void)n; /* no stderr: nobody is timing us */
	clock_names(boot, &ino);
	dprintf(2, OB_READY_CLOCK "%llu %s %lu\n",
		(unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec, boot, ino);
}

uint64_t ob_ready_clock(const struct ob_ready *r, const char **why)
{
	char *text = NULL, boot[40], wboot[40];
	unsigned long ino, wino;
	unsigned long long ns;
	struct ob_error err;
	const char *line;
	size_t len;
	uint64_t at = 0;

	*why = "the workload wrote no clock line";
	if (!r->path || ob_read_file(r->path, &text, &len, &err) < 0)
		return 0;
	line = (size_t)r->from < len ? strstr(text + r->from, OB_READY_CLOCK) : NULL;
	clock_names(boot, &ino);
	if (!line || sscanf(line + strlen(OB_READY_CLOCK), "%llu %39s %lu", &ns, wboot, &wino) != 3)
		;
	else if (strcmp(boot, "-") == 0 || ino == 0 || strcmp(wboot, boot) != 0 || wino != ino)
		*why = "the workload's clock is not the host's (another kernel or time namespace)";
	else {
		*why = NULL;
		at = ns;
	}
	free(text);
	return at;
}

/* Whether the file holds the token after offset from. */
static int has_token(const char *path, off_t from, const char *token)
{
	size_t tl = strlen(token);
	char buf[4096 + 256];
	size_t keep = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;

	if (fd < 0 || tl >= 256 || lseek(fd, from, SEEK_SET) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* a window that never splits the token between two reads */
	while (!found && (n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		size_t len = keep + (size_t)n;

		buf[len] = '\0';
		found = memmem(buf, len, token, tl) != NULL;
		keep = len < tl ? len : tl - 1;
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
	return found;
}

/* Whether the inotify events in ev (n bytes) name the watched file. */
static int names_file(const char *ev, ssize_t n, const char *name)
{
	for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
		const struct inotify_event *e = (const void *)(ev + off);

		if (e->len && strcmp(e->name, name) == 0)
			return 1;
		off += (ssize_t)(sizeof(*e) + e->len);
	}
	return 0;
}

static void *watch(void *arg)
{
	struct ob_ready *r = arg;
	struct pollfd p[2] = { { .fd = r->ino, .events = POLLIN }, { .fd = r->stop[0], .events = POLLIN } };
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		/* the arrival is when the write woke us, before the file is read */
		uint64_t t = ob_now_ns();

		if (p[0].revents) {
			ssize_t n = read(r->ino, ev, sizeof(ev));

			if (n < 0 && errno != EAGAIN)
				break;
			if (n > 0 && names_file(ev, n, r->name) && has_token(r->path, r->from, r->token)) {
				atomic_store(&r->at_ns, t);
				break;
			}
		}
		if (p[1].revents)
			break;
	}
	return NULL;
}

int ob_ready_start(struct ob_ready *r, const char *path, struct ob_error *err)
{
	return ob_ready_start_token(r, path, NULL, err);
}

int ob_ready_start_token(struct ob_ready *r, const char *path, const char *token,
			 struct ob_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	memset(r, 0, sizeof(*r));
	r->ino = r->stop[0] = r->stop[1] = -1;
	r->path = strdup(path);
	r->token = strdup(token ? token : OB_READY_TOKEN);
	dir = slash == path ? strdup("/") : slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (!r->path || !r->token || !dir)
		abort();
	r->name = r->path + (slash ? slash + 1 - path : 0);
	struct stat st;

	/* what the file already holds (earlier runs of the bundle) does not count */
	r->from = stat(path, &st) == 0 ? st.st_size : 0;
	r->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	/* the directory: its events name the file, made now or later, by
	 * whatever process (a runtime's shim, an engine's logger) */
	if (r->ino < 0 || inotify_add_watch(r->ino, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0 ||
	    pipe2(r->stop, O_CLOEXEC) < 0) {
		ob_err(err, OB_EXIT_FAIL, errno, "watching %s for the workload's readiness", path);
		free(dir);
		ob_ready_stop(r);
		return -1;
	}
	free(dir);
	/* Real-time priority (root), so that the watcher wakes as the token is
	 * written, not after a busy host gets round to it; else an ordinary thread. */
	pthread_attr_t attr;
	struct sched_param prio = { .sched_priority = 1 };

	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &prio);
	errno = pthread_create(&r->thread, &attr, watch, r);
	pthread_attr_destroy(&attr);
	if (errno == EPERM)
		errno = pthread_create(&r->thread, NULL, watch, r);
	if (errno != 0) {
		ob_err(err, OB_EXIT_FAIL, errno, "starting the readiness watcher");
		ob_ready_stop(r);
		return -1;
	}
	r->running = 1;
	return 0;
}

uint64_t ob_ready_at(const struct ob_ready *r)
{
	return atomic_load(&r->at_ns);
}

uint64_t ob_ready_stop(struct ob_ready *r)
{
	uint64_t at;

	if (!r->path) /* never started (or stopped already): a zeroed struct is fine */
		return atomic_load(&r->at_ns);
	if (r->running) {
		ssize_t n = write(r->stop[1], "x", 1);

		(void)n;
		pthread_join(r->thread, NULL);
		r->running = 0;
	}
	for (int i = 0; i < 2; i++)
		if (r->stop[i] >= 0)
			close(r->stop[i]);
	if (r->ino >= 0)
		close(r->ino);
	r->ino = r->stop[0] = r->stop[1] = -1;
	free(r->path);
	free(r->token);
	r->path = r->name = r->token = NULL;
	at = atomic_load(&r->at_ns);
	return at;
}
