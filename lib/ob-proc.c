/* ob-proc.c - see ob-proc.h */
#include "ob-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Drain the two pipes until both close; keep the tail of stderr. */
static void drain(int outfd, int errfd, char *out, size_t outlen, char *tail, size_t taillen)
{
	size_t outused = 0, tailused = 0;
	struct pollfd p[2] = {{outfd, POLLIN, 0}, {errfd, POLLIN, 0}};

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		char buf[4096];

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (i == 0 && out != NULL) {
				size_t k = (size_t)n < outlen - 1 - outused ? (size_t)n : outlen - 1 - outused;

				memcpy(out + outused, buf, k);
				outused += k;
			} else if (i == 1) {
				if ((size_t)n >= taillen - 1) {
					memcpy(tail, buf + n - (taillen - 1), taillen - 1);
					tailused = taillen - 1;
				} else {
					if (tailused + (size_t)n > taillen - 1) {
						size_t drop = tailused + (size_t)n - (taillen - 1);

						memmove(tail, tail + drop, tailused - drop);
						tailused -= drop;
					}
					memcpy(tail + tailused, buf, (size_t)n);
					tailused += (size_t)n;
				}
			}
		}
	}
	if (out != NULL)
		out[outused] = '\0';
	tail[tailused] = '\0';
}

static void last_line(char *s)
{
	size_t len = strlen(s);
	char *nl;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	nl = strrchr(s, '\n');
	if (nl != NULL)
		memmove(s, nl + 1, strlen(nl + 1) + 1);
}

int ob_cmd(char *const argv[], char *out, size_t outlen, struct ob_error *err)
{
	int op[2] = {-1, -1}, ep[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	char tail[512], cmd[256] = "";
	pid_t pid;
	int rc, status;

	for (size_t i = 0, used = 0; argv[i] != NULL && used < sizeof(cmd); i++)
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, "%s%s", i ? " " : "", argv[i]);
	if (pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		rc = errno;
		if (op[0] >= 0) {
			close(op[0]);
			close(op[1]);
		}
		return ob_err(err, OB_EXIT_FAIL, rc, "%s: pipe", cmd);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(op[1]);
	close(ep[1]);
	if (rc != 0) {
		close(op[0]);
		close(ep[0]);
		return ob_err(err, OB_EXIT_FAIL, rc, "running %s", argv[0]);
	}
	drain(op[0], ep[0], out, outlen, tail, sizeof(tail));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ob_err(err, OB_EXIT_FAIL, errno, "waiting for %s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_line(tail);
	if (WIFEXITED(status))
		return ob_err(err, OB_EXIT_FAIL, 0, "'%s' exited with status %d%s%s", cmd,
			      WEXITSTATUS(status), tail[0] ? ": " : "", tail);
	return ob_err(err, OB_EXIT_FAIL, 0, "'%s' killed by signal %d", cmd, WTERMSIG(status));
}

int ob_cmdl(struct ob_error *err, const char *arg0, ...)
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
	return ob_cmd(argv, NULL, 0, err);
}
