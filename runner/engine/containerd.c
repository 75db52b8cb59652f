/* containerd.c - the containerd engine through `ctr`, namespace "ocibench".
 *
 * Each column runs the io.containerd.runc.v2 shim with the column's runtime
 * as its runc: `--runtime` names a shim wrapper (wrap.c) whose PATH holds
 * the runtime's wrapper as "runc" (Debian ships no runsc shim).  Phases:
 *   create  ctr container create IMAGE ID ARGS
 *   start   ctr task start -d ID      (task create + start)
 *   wait    the task's pid, watched through a pidfd (ctr has no wait)
 *   delete  ctr task delete ID, then ctr container delete ID
 * The exit status is the one `ctr task delete` reports.  An idle container
 * (footprint, density) starts attached (no --detach: ctr's stdout is the
 * task's, ctr exits with its status and deletes the task) and stops on
 * `ctr tasks kill --signal=SIGTERM`.
 */
#include "engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "ob-fs.h"
#include "ob-ready.h"
#include "ob-sha256.h"
#include "seccomp.h"
#include "state.h"

#define SEC 1000000000ull
#define NS "ocibench"
/* The runc v2 shim's socket: /run/containerd/s/HEX, HEX the SHA-256 of
 * "ADDRESS/NAMESPACE/ID" (ADDRESS: containerd's socket).  The shim removes
 * it when it exits; one that is SIGKILLed leaves it. */
#define SHIM_SOCKETS "/run/containerd/s"

static int ctd_up(struct ob_engine *e, struct ob_error *err)
{
	ob_cleanup_free char *conf = NULL, *log = NULL, *text = NULL, *ver = NULL;
	int rc = -1;

	if (!e->user_daemon && asprintf(&e->address, "%s/containerd.sock", e->dir) < 0)
		abort();
	ob_argv_add(&e->cli, "ctr");
	ob_argv_add(&e->cli, "--address=%s", e->address);
	ob_argv_add(&e->cli, "--namespace=" NS);
	if (ob_mkdir_p(e->wrapdir, 0755, err) < 0 || ob_wrap_ctd_logger(e->wrapdir, &e->logger, err) < 0)
		return -1;
	/* ctr runs unconfined unless given a profile: the bare runtimes' one */
	if (e->sc && e->sc->oci) {
		if (asprintf(&e->seccomp_oci, "%s/seccomp-oci.json", e->dir) < 0)
			abort();
		if (json_dump_file(e->sc->oci, e->seccomp_oci, JSON_COMPACT) < 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "writing %s", e->seccomp_oci);
	}
	for (size_t i = 0; i < e->nbase; i++) {
		ob_cleanup_free char *path = NULL;

		if (ob_engine_runs(e->base[i]) &&
		    ob_wrap_runtime(e->wrapdir, e->base[i], true, &path, err) < 0)
			return -1;
	}
	if (!e->user_daemon) {
		/* its own root, state and sockets; no CRI */
		if (asprintf(&conf, "%s/config.toml", e->dir) < 0 ||
		    asprintf(&log, "%s/containerd.log", e->dir) < 0 ||
		    asprintf(&text,
			     "version = 2\n"
			     "root = \"%s/root\"\n"
			     "state = \"%s/state\"\n"
			     "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
			     "[grpc]\n  address = \"%s\"\n"
			     "[ttrpc]\n  address = \"%s.ttrpc\"\n"
			     "[debug]\n  address = \"\"\n"
			     "[metrics]\n  address = \"\"\n",
			     e->dir, e->dir, e->address, e->address) < 0)
			abort();
		if (strpbrk(e->dir, "\"\\\n"))
			return ob_err(err, OB_EXIT_USAGE, 0, "--bundle-dir must not hold quotes for containerd");
		if (ob_write_file_atomic(conf, text, strlen(text), err) < 0)
			return -1;

		char *const argv[] = { "containerd", "--config", conf, NULL };
		char *const ready[] = { "version", NULL };

		if (ob_daemon_start(e, argv, NULL, ready, log, err) < 0)
			return -1;
	}

	char *const vargs[] = { "version", NULL };

	if (ob_engine_cli(e, vargs, 30 * SEC, &ver, err) < 0) {
		ob_err_wrap(err, "containerd at %s", e->address);
		err->status = OB_EXIT_USAGE;
		return -1;
	}
	const char *sv = strstr(ver, "Server:");
	const char *v = sv ? strstr(sv, "Version:") : NULL;

	if (v) {
		v += 8 + strspn(v + 8, " \t");
		e->version = strndup(v, strcspn(v, "\n"));
	}

	ob_cleanup_free char *out = NULL;
	char *const iargs[] = { "images", "import", "--base-name", "ocibench", e->archive, NULL };

	if (ob_engine_cli(e, iargs, 300 * SEC, &out, err) < 0)
		return ob_err_wrap(err, "importing the image into containerd");
	e->image = strdup("ocibench:latest");
	rc = 0;
	return rc;
}

/* p cleaned in place as Go's filepath.Clean does it (the shim hashes the
 * cleaned path): no empty or "." component, ".." taking the one before it;
 * p is absolute. */
static void clean_path(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		size_t len;

		while (*in == '/')
			in++;
		len = strcspn(in, "/");
		if (len == 0 || (len == 1 && in[0] == '.')) {
			in += len;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* Remove the shim sockets of the tasks a private containerd (its socket
 * address, its state directory state) kept in namespace ns; how many.  Every
 * task there is the run's. */
static int sweep_shim_sockets(const char *address, const char *state, const char *ns, FILE *log)
{
	ob_cleanup_free char *tasks = NULL;
	struct dirent *de;
	DIR *d;
	int n = 0;

	tasks = ob_xasprintf("%s/io.containerd.runtime.v2.task/%s", state, ns);
	if (!(d = opendir(tasks)))
		return 0;
	while ((de = readdir(d))) {
		ob_cleanup_free char *key = NULL, *sock = NULL;
		unsigned char md[OB_SHA256_LEN];
		char hex[OB_SHA256_HEX_LEN + 1];
		struct ob_sha256 h;
		struct stat st;

		if (de->d_name[0] == '.' || asprintf(&key, "%s/%s/%s", address, ns, de->d_name) < 0)
			continue;
		clean_path(key);
		ob_sha256_init(&h);
		ob_sha256_update(&h, key, strlen(key));
		ob_sha256_final(&h, md);
		ob_sha256_hex(md, hex);
		if (asprintf(&sock, SHIM_SOCKETS "/%s", hex) < 0)
			abort();
		if (lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(sock) == 0) {
			if (log)
				fprintf(log, "ocibench: removed the containerd shim socket %s of %s\n", sock,
					de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* The private containerd of the containerd engine in dir (the engine's
 * directory of a run), and the one a private dockerd starts (its exec root
 * "exec", namespace "moby"). */
static int sweep_private(const char *dir, FILE *log)
{
	ob_cleanup_free char *a = NULL, *st = NULL, *da = NULL, *dst = NULL;

	a = ob_xasprintf("%s/containerd.sock", dir);
	st = ob_xasprintf("%s/state", dir);
	da = ob_xasprintf("%s/exec/containerd/containerd.sock", dir);
	dst = ob_xasprintf("%s/exec/containerd/daemon", dir);
	return sweep_shim_sockets(a, st, NS, log) + sweep_shim_sockets(da, dst, "moby", log);
}

static size_t socket_inodes(pid_t pid, unsigned long *ino, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if (!(d = opendir(path)))
		return 0;
	while (n < max && (de = readdir(d))) {
		char fd[64 + 256], target[64];
		ssize_t len;

		snprintf(fd, sizeof(fd), "%s/%s", path, de->d_name);
		if ((len = readlink(fd, target, sizeof(target) - 1)) <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino[n]) == 1)
			n++;
	}
	closedir(d);
	return n;
}

void ob_shim_sockets_held(pid_t pid, struct ob_argv *out)
{
	unsigned long ino[256];
	char path[64], line[512], name[300];
	size_t n = socket_inodes(pid, ino, sizeof(ino) / sizeof(ino[0]));
	FILE *f;

	if (n == 0)
		return;
	/* the path each socket was bound to, in pid's network namespace */
	snprintf(path, sizeof(path), "/proc/%ld/net/unix", (long)pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long i;
		bool held = false, listed = false;

		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %299s", &i, name) != 2 ||
		    strncmp(name, SHIM_SOCKETS "/", strlen(SHIM_SOCKETS) + 1) != 0)
			continue;
		for (size_t k = 0; k < n && !held; k++)
			held = ino[k] == i;
		for (size_t k = 0; k < out->n && !listed; k++)
			listed = strcmp(out->v[k], name) == 0;
		if (held && !listed)
			ob_argv_add(out, "%s", name);
	}
	fclose(f);
}

int ob_shim_sockets_remove(const struct ob_argv *socks, FILE *log)
{
	int n = 0;

	for (size_t k = 0; k < socks->n; k++) {
		struct stat st;

		if (lstat(socks->v[k], &st) == 0 && S_ISSOCK(st.st_mode) && unlink(socks->v[k]) == 0) {
			if (log)
				fprintf(log, "ocibench: removed the containerd shim socket %s\n", socks->v[k]);
			n++;
		}
	}
	return n;
}

int ob_engine_sweep_tree(const char *tree, FILE *log)
{
	ob_cleanup_free char *ctd = NULL, *docker = NULL;

	ctd = ob_xasprintf("%s/%s", tree, ob_containerd_ops.name);
	docker = ob_xasprintf("%s/%s", tree, ob_docker_ops.name);
	return sweep_private(ctd, log) + sweep_private(docker, log);
}

static void ctd_down(struct ob_engine *e)
{
	ob_cleanup_free char *out = NULL;
	struct ob_error err;

	if (e->user_daemon && e->image) {
		char *const args[] = { "images", "rm", e->image, NULL };

		ob_engine_cli(e, args, 60 * SEC, &out, &err);
	}
	ob_daemon_stop(e);
	/* shims stop() had to kill */
	if (!e->user_daemon && e->dir)
		sweep_private(e->dir, NULL);
	if (e->runid)
		ob_cgroup_remove_run(NS, e->runid);
}

static void ctd_create(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		       struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, "containers");
	ob_argv_add(a, "create");
	ob_argv_add(a, "--runtime=%s/%s.shim", e->wrapdir, rt->engine->base->name);
	if (c->network)
		ob_argv_add(a, "--with-ns=network:%s", c->network);
	if (rt->engine->seccomp_file || e->seccomp_oci) {
		ob_argv_add(a, "--seccomp");
		ob_argv_add(a, "--seccomp-profile=%s",
			    rt->engine->seccomp_file ? rt->engine->seccomp_file : e->seccomp_oci);
	}
	if (c->workdir) {
		const struct ob_mount *m = c->mount;

		if (m && (m->kind == OB_MOUNT_BIND || m->kind == OB_MOUNT_BIND_TMPFS))
			ob_argv_add(a, "--mount=type=bind,src=%s,dst=%s,options=rbind:rw", m->host_dir,
				    c->workdir);
		else if (m && m->kind == OB_MOUNT_TMPFS)
			ob_argv_add(a, "--mount=type=tmpfs,src=tmpfs,dst=%s,options=nosuid:nodev:size=%llu:mode=1777",
				    c->workdir, (unsigned long long)(m->size + m->size / 4 + (8u << 20)));
	}
	ob_argv_add(a, "--env=" OB_READY_ENV "=1");
	ob_argv_add(a, "--"); /* the workload's "-c ADDR" is not ctr's -c */
	ob_argv_add(a, "%s", e->image);
	ob_argv_add(a, "%s", c->id);
	ob_argv_addv(a, c->argv);
}

/* s percent-encoded for a URI (all but unreserved characters and '/'). */
static char *uri_escape(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		abort();
	for (; *s; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/", *s))
			*o++ = *s;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*s);
	*o = '\0';
	return out;
}

static void ctd_start(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		      const char *out, struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, "tasks");
	ob_argv_add(a, "start");
	if (!c->attach) {
		/* Not --log-uri=file://: containerd 1.6's shim then copies stdout
		 * and stderr into one file that the stdout copy closes when it
		 * ends, so the stderr of a task that exits at once (the ready
		 * token with it) is lost when its copy had not run yet. */
		ob_cleanup_free char *bin = uri_escape(e->logger), *o = uri_escape(out),
				     *er = NULL, *eo = NULL;

		er = ob_xasprintf("%s.stderr", out);
		eo = uri_escape(er);
		ob_argv_add(a, "--detach");
		ob_argv_add(a, "--log-uri=binary://%s?out=%s&err=%s", bin, o, eo);
	}
	ob_argv_add(a, "--pid-file=%s.pid", out);
	ob_argv_add(a, "%s", c->id);
}

/* The task's stderr as the logging binary copies it, raw. */
static char *ctd_stderr_file(struct ob_engine *e, const struct ob_ectr *c, const char *created,
			     const char *out, const char **token, const char **why)
{
	char *path;

	(void)e;
	(void)c;
	(void)created;
	(void)why;
	path = ob_xasprintf("%s.stderr", out);
	*token = OB_READY_TOKEN;
	return path;
}

static void ctd_kill(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		     struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, "tasks");
	ob_argv_add(a, "kill");
	ob_argv_add(a, "--signal=SIGTERM");
	ob_argv_add(a, "%s", c->id);
}

/* The task's process, from the pid file `tasks start` wrote. */
static int ctd_pids(struct ob_engine *e, const struct ob_ectr *c, const char *out, pid_t *pid,
		    pid_t *own, size_t nown, struct ob_error *err)
{
	ob_cleanup_free char *path = NULL, *text = NULL;
	size_t len;
	long p;

	memset(own, 0, nown * sizeof(*own));
	if (asprintf(&path, "%s.pid", out) < 0)
		abort();
	if (ob_read_file(path, &text, &len, err) < 0)
		return -1;
	if ((p = strtol(text, NULL, 10)) <= 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: no pid", path);
	*pid = (pid_t)p;
	return 0;
}

static void ctd_remove(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		       bool force, int step, struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, step == 0 ? "tasks" : "containers");
	ob_argv_add(a, "delete");
	if (force && step == 0)
		ob_argv_add(a, "--force");
	ob_argv_add(a, "%s", c->id);
}

/* The shim marks a task stopped when it has reaped the task's process
 * itself, a moment after the runner's pidfd saw it exit; `tasks delete`
 * before that fails "task must be stopped before deletion: running". */
static void ctd_state(struct ob_engine *e, struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, "tasks");
	ob_argv_add(a, "list");
}

/* `ctr tasks list`: "TASK PID STATUS" lines; a task not listed is gone. */
static bool ctd_stopped(const char *list, const struct ob_ectr *c)
{
	size_t n = strlen(c->id);

	for (const char *p = list; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char status[32];

		if (strncmp(p, c->id, n) != 0 || (p[n] != ' ' && p[n] != '\t'))
			continue;
		return sscanf(p + n, "%*s %31s", status) == 1 && strcmp(status, "STOPPED") == 0;
	}
	return true;
}

const struct ob_engine_ops ob_containerd_ops = {
	.name = "containerd", .up = ctd_up, .down = ctd_down, .create = ctd_create,
	.start = ctd_start, .stderr_file = ctd_stderr_file, .remove = ctd_remove, .nremove = 2,
	/* an attached `tasks start` deletes the task when it ends */
	.nremove_attached = 1, .kill = ctd_kill, .pids = ctd_pids, .state = ctd_state,
	.stopped = ctd_stopped,
};
