/* docker.c - the docker and podman engines: one command line, two clients.
 *
 * Phases as a user sees them (cell.c times each command):
 *   create  docker create --name ID --runtime NAME ... IMAGE ARGS
 *   start   docker start ID
 *   wait    docker wait ID            (prints the exit status)
 *   delete  docker rm ID
 * `docker logs ID`, between wait and rm, is not timed.  An idle container
 * (footprint, density) starts attached (`start --attach`: the client's
 * stdout is the container's) and stops on `kill --signal=TERM`.  podman takes the
 * same commands, with the runtime given as a path (--runtime WRAPPER).
 */
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "ob-fs.h"
#include "ob-ready.h"
#include "seccomp.h"

#define SEC 1000000000ull
#define DOCKER_CLI "/usr/bin/docker" /* Debian's, not another client first on PATH */

static bool is_docker(const struct ob_engine *e)
{
	return e->ops == &ob_docker_ops;
}

/* "Loaded image: NAME" (docker) / "Loaded image(s): NAME" (podman). */
static char *loaded_name(const char *out)
{
	const char *p = strstr(out, "Loaded image");

	if (!p || !(p = strchr(p, ':')))
		return NULL;
	p += strspn(p + 1, " ") + 1;
	return strndup(p, strcspn(p, "\n ,"));
}

static int load_image(struct ob_engine *e, struct ob_error *err)
{
	ob_cleanup_free char *out = NULL;
	char *const args[] = { "load", "-i", e->archive, NULL };

	if (ob_engine_cli(e, args, 300 * SEC, &out, err) < 0)
		return ob_err_wrap(err, "loading the image into %s", e->ops->name);
	if (!(e->image = loaded_name(out)))
		return ob_err(err, OB_EXIT_FAIL, 0, "%s load: no image name in \"%.200s\"",
			      e->ops->name, out);
	return 0;
}

/* Wrappers for the columns of e (docker: registered as ob-NAME). */
static int wrap_columns(struct ob_engine *e, struct ob_argv *daemon_args, struct ob_error *err)
{
	for (size_t i = 0; i < e->nbase; i++) {
		const struct ob_runtime *rt = e->base[i];
		ob_cleanup_free char *path = NULL;

		if (!ob_engine_runs(rt))
			continue;
		if (ob_wrap_runtime(e->wrapdir, rt, false, &path, err) < 0)
			return -1;
		if (daemon_args)
			ob_argv_add(daemon_args, "--add-runtime=ob-%s=%s", rt->name, path);
	}
	return 0;
}

static int docker_up(struct ob_engine *e, struct ob_error *err)
{
	ob_cleanup_free char *sock = NULL, *data = NULL, *exec = NULL, *pidf = NULL, *log = NULL,
			     *conf = NULL, *ver = NULL;
	struct ob_argv d = { 0 };
	int rc = -1;

	if (access(DOCKER_CLI, X_OK) < 0)
		return ob_err(err, OB_EXIT_USAGE, 0, "%s not found (Debian package docker.io)", DOCKER_CLI);
	if (!e->user_daemon && asprintf(&e->address, "%s/docker.sock", e->dir) < 0)
		abort();
	ob_argv_add(&e->cli, DOCKER_CLI);
	ob_argv_add(&e->cli, "-H");
	ob_argv_add(&e->cli, "unix://%s", e->address);
	if (!e->user_daemon) {
		if (asprintf(&data, "%s/data", e->dir) < 0 || asprintf(&exec, "%s/exec", e->dir) < 0 ||
		    asprintf(&pidf, "%s/dockerd.pid", e->dir) < 0 ||
		    asprintf(&log, "%s/dockerd.log", e->dir) < 0 ||
		    asprintf(&conf, "%s/daemon.json", e->dir) < 0)
			abort();
		if (ob_mkdir_p(e->dir, 0700, err) < 0 ||
		    ob_write_file_atomic(conf, "{}\n", 3, err) < 0)
			return -1;
		/* its own data, exec root, socket and configuration; no bridge,
		 * no iptables: networks are made by the run, in the daemon's
		 * own network namespace */
		ob_argv_add(&d, "dockerd");
		ob_argv_add(&d, "--config-file=%s", conf);
		ob_argv_add(&d, "--data-root=%s", data);
		ob_argv_add(&d, "--exec-root=%s", exec);
		ob_argv_add(&d, "--pidfile=%s", pidf);
		ob_argv_add(&d, "--host=unix://%s", e->address);
		ob_argv_add(&d, "--bridge=none");
		ob_argv_add(&d, "--iptables=false");
		ob_argv_add(&d, "--ip-masq=false");
		ob_argv_add(&d, "--userland-proxy=false");
		ob_argv_add(&d, "--cgroup-parent=/%s/c", e->cgroup);
		if (wrap_columns(e, &d, err) < 0)
			goto out;

		char *const ready[] = { "version", "--format", "{{.Server.Version}}", NULL };

		if (ob_daemon_start(e, d.v, NULL, ready, log, err) < 0)
			goto out;
	}

	char *const vargs[] = { "version", "--format", "{{.Server.Version}}", NULL };

	if (ob_engine_cli(e, vargs, 30 * SEC, &ver, err) < 0) {
		ob_err_wrap(err, "docker daemon at %s", e->address);
		err->status = OB_EXIT_USAGE;
		goto out;
	}
	ver[strcspn(ver, "\n")] = '\0';
	e->version = strdup(ver);
	if (!e->user_daemon && asprintf(&e->data_root, "%s", data) < 0)
		abort();
	if (e->user_daemon) {
		/* where its containers' logs are, read (never changed) for the
		 * workload's ready token */
		char *const largs[] = { "info", "--format", "{{.LoggingDriver}} {{.DockerRootDir}}", NULL };
		ob_cleanup_free char *lg = NULL;

		if (ob_engine_cli(e, largs, 30 * SEC, &lg, err) < 0)
			goto out;
		lg[strcspn(lg, "\n")] = '\0';
		if (strncmp(lg, "json-file ", 10) == 0)
			e->data_root = strdup(lg + 10);
		else
			e->no_log = "the docker daemon's log driver is not json-file (no log file to watch)";
	}
	if (e->user_daemon) {
		/* the runtimes it has, by name (its configuration is left alone) */
		char *const iargs[] = { "info", "--format",
					"{{range $k, $v := .Runtimes}}{{$k}} {{end}}", NULL };
		ob_cleanup_free char *has = NULL;

		if (ob_engine_cli(e, iargs, 30 * SEC, &has, err) < 0)
			goto out;
		has[strcspn(has, "\n")] = '\0';
		if (asprintf(&e->has, " %s ", has) < 0)
			abort();
	}
	rc = load_image(e, err);
out:
	ob_argv_free(&d);
	return rc;
}

/* Podman: no daemon; every command runs in the run's namespace and cgroup
 * with private storage and network configuration. */
static int podman_up(struct ob_engine *e, struct ob_error *err)
{
	ob_cleanup_free char *ver = NULL;

	if (ob_mkdir_p(e->dir, 0700, err) < 0 || ob_daemon_prepare(e, err) < 0 ||
	    wrap_columns(e, NULL, err) < 0)
		return -1;
	ob_argv_add(&e->cli, "podman");
	ob_argv_add(&e->cli, "--root=%s/root", e->dir);
	/* podman takes at most 50 characters here: a short directory of the
	 * run under /run, removed by down() or, after a kill, by cleanup */
	ob_argv_add(&e->cli, "--runroot=" OB_PODMAN_RUNROOT, e->runid);
	ob_argv_add(&e->cli, "--tmpdir=%s/tmp", e->dir);
	ob_argv_add(&e->cli, "--network-config-dir=%s/net", e->dir);
	ob_argv_add(&e->cli, "--storage-driver=overlay");
	ob_argv_add(&e->cli, "--cgroup-manager=cgroupfs");
	ob_argv_add(&e->cli, "--events-backend=file");
	/* the runtime's state with the run's, not in its default root
	 * (/run/runc): a killed run's containers go with its directory */
	ob_argv_add(&e->cli, "--runtime-flag=root=%s/state", e->dir);

	char *const vargs[] = { "version", "--format", "{{.Client.Version}}", NULL };

	if (ob_engine_cli(e, vargs, 30 * SEC, &ver, err) < 0)
		return -1;
	ver[strcspn(ver, "\n")] = '\0';
	e->version = strdup(ver);
	return load_image(e, err);
}

static void docker_down(struct ob_engine *e)
{
	ob_cleanup_free char *out = NULL, *runroot = NULL;
	struct ob_error err;

	if (!is_docker(e) && e->runid && asprintf(&runroot, OB_PODMAN_RUNROOT, e->runid) > 0 &&
	    ob_remove_tree(runroot, &err) < 0)
		fprintf(stderr, "ocibench: %s\n", err.msg);

	if (e->user_daemon && e->image) {
		char *const args[] = { "rmi", e->image, NULL };

		ob_engine_cli(e, args, 60 * SEC, &out, &err);
	}
	ob_daemon_stop(e);
}

/* The runtime of column rt as the engine names it. */
static const char *erun(struct ob_engine *e, const struct ob_runtime *rt, char *buf, size_t len)
{
	const struct ob_ecol *c = rt->engine;

	if (is_docker(e) && e->user_daemon)
		snprintf(buf, len, "%s", c->base->name);
	else if (is_docker(e))
		snprintf(buf, len, "ob-%s", c->base->name);
	else if (c->base->hide_mount || (c->base->quirks & OB_RTQ_NETSTACK) || c->base->args[0])
		snprintf(buf, len, "%s/%s", e->wrapdir, c->base->name);
	else
		snprintf(buf, len, "%s", c->base->path);
	return buf;
}

static void global(struct ob_engine *e, const struct ob_runtime *rt, struct ob_argv *a)
{
	char b[4096];

	ob_argv_addv(a, e->cli.v);
	if (!is_docker(e))
		ob_argv_add(a, "--runtime=%s", erun(e, rt, b, sizeof(b)));
}

static void dk_create(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		      struct ob_argv *a)
{
	char b[4096];

	global(e, rt, a);
	ob_argv_add(a, "create");
	ob_argv_add(a, "--name=%s", c->id);
	if (is_docker(e))
		ob_argv_add(a, "--runtime=%s", erun(e, rt, b, sizeof(b)));
	ob_argv_add(a, "--network=%s", c->network ? c->network : "none");
	ob_argv_add(a, "--cgroup-parent=/%s/c", e->cgroup);
	if (!is_docker(e)) {
		/* podman's default rlimits exceed this host's hard limits
		 * (RUNTIMES.md): nofile at the runner's own hard limit; nproc
		 * at 4096 (runc refuses the host's hard limit through conmon) */
		struct rlimit nf, np;
		unsigned long long nproc = 4096;

		getrlimit(RLIMIT_NOFILE, &nf);
		getrlimit(RLIMIT_NPROC, &np);
		if (np.rlim_max != RLIM_INFINITY && np.rlim_max < nproc)
			nproc = np.rlim_max;
		ob_argv_add(a, "--ulimit=nofile=%llu:%llu", (unsigned long long)nf.rlim_max,
			    (unsigned long long)nf.rlim_max);
		ob_argv_add(a, "--ulimit=nproc=%llu:%llu", nproc, nproc);
	}
	/* the workload's ready token on its stderr, which reaches a log file
	 * (stderr_file): podman's default driver may be the journal */
	ob_argv_add(a, "--env=" OB_READY_ENV "=1");
	if (!is_docker(e))
		ob_argv_add(a, "--log-driver=k8s-file");
	/* --seccomp: default is the engine's own profile */
	if (rt->engine->seccomp_file)
		ob_argv_add(a, "--security-opt=seccomp=%s", rt->engine->seccomp_file);
	else if (e->sc && strcmp(e->sc->name, "unconfined") == 0)
		ob_argv_add(a, "--security-opt=seccomp=unconfined");
	else if (e->sc && strcmp(e->sc->name, "file") == 0)
		ob_argv_add(a, "--security-opt=seccomp=%s", e->sc->path);
	if (c->workdir) {
		const struct ob_mount *m = c->mount;

		if (m && (m->kind == OB_MOUNT_BIND || m->kind == OB_MOUNT_BIND_TMPFS))
			ob_argv_add(a, "--mount=type=bind,source=%s,target=%s", m->host_dir, c->workdir);
		else if (m && m->kind == OB_MOUNT_TMPFS)
			ob_argv_add(a, "--mount=type=tmpfs,target=%s,tmpfs-size=%llu,tmpfs-mode=1777",
				    c->workdir, (unsigned long long)(m->size + m->size / 4 + (8u << 20)));
	}
	ob_argv_add(a, "--entrypoint=%s", c->argv[0]);
	ob_argv_add(a, "%s", e->image);
	ob_argv_addv(a, c->argv + 1);
}

/* docker: DATA/containers/ID/ID-json.log (json-file, each line a JSON
 * string); podman: its storage's ID/userdata/ctr.log (k8s-file, raw lines). */
static char *dk_stderr_file(struct ob_engine *e, const struct ob_ectr *c, const char *created,
			    const char *out, const char **token, const char **why)
{
	size_t n = strspn(created, "0123456789abcdef");
	char *path = NULL;

	(void)c;
	(void)out;
	if (n != 64 || (created[n] && created[n] != '\n')) {
		*why = "create printed no container id";
		return NULL;
	}
	if (is_docker(e) && !e->data_root) {
		*why = e->no_log ? e->no_log : "no docker data root";
		return NULL;
	}
	if (is_docker(e) && asprintf(&path, "%s/containers/%.64s/%.64s-json.log", e->data_root,
				     created, created) < 0)
		abort();
	if (!is_docker(e) &&
	    asprintf(&path, "%s/root/overlay-containers/%.64s/userdata/ctr.log", e->dir, created) < 0)
		abort();
	*token = is_docker(e) ? OB_READY_TOKEN_JSON : OB_READY_TOKEN;
	return path;
}

static void dk_start(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		     const char *out, struct ob_argv *a)
{
	global(e, rt, a);
	ob_argv_add(a, "start");
	if (c->attach)
		ob_argv_add(a, "--attach");
	ob_argv_add(a, "%s", c->id);
}

static void dk_kill(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		    struct ob_argv *a)
{
	global(e, rt, a);
	ob_argv_add(a, "kill");
	ob_argv_add(a, "--signal=TERM");
	ob_argv_add(a, "%s", c->id);
}

/* The container's process; podman's state names its conmon too. */
static int dk_pids(struct ob_engine *e, const struct ob_ectr *c, const char *out, pid_t *pid,
		   pid_t *own, size_t nown, struct ob_error *err)
{
	ob_cleanup_free char *said = NULL;
	char *const args[] = { "inspect", "--format",
			       is_docker(e) ? "{{.State.Pid}}" : "{{.State.Pid}} {{.State.ConmonPid}}",
			       (char *)c->id, NULL };
	long p = 0, conmon = 0;

	memset(own, 0, nown * sizeof(*own));
	if (ob_engine_cli(e, args, 30 * SEC, &said, err) < 0)
		return -1;
	if (sscanf(said, "%ld %ld", &p, &conmon) < 1 || p <= 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s inspect %s: no pid in \"%.100s\"",
			      e->ops->name, c->id, said);
	*pid = (pid_t)p;
	if (conmon > 0 && nown > 1)
		own[0] = (pid_t)conmon;
	return 0;
}

static void dk_wait(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		    struct ob_argv *a)
{
	global(e, rt, a);
	ob_argv_add(a, "wait");
	ob_argv_add(a, "%s", c->id);
}

static void dk_logs(struct ob_engine *e, const struct ob_ectr *c, struct ob_argv *a)
{
	ob_argv_addv(a, e->cli.v);
	ob_argv_add(a, "logs");
	ob_argv_add(a, "%s", c->id);
}

static void dk_remove(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		      bool force, int step, struct ob_argv *a)
{
	global(e, rt, a);
	ob_argv_add(a, "rm");
	if (force)
		ob_argv_add(a, "--force");
	ob_argv_add(a, "%s", c->id);
}

static int dk_address(struct ob_engine *e, const struct ob_ectr *c, char *buf, size_t len,
		      struct ob_error *err)
{
	ob_cleanup_free char *out = NULL;
	char *const args[] = { "inspect", "--format",
			       "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
			       (char *)c->id, NULL };

	if (ob_engine_cli(e, args, 30 * SEC, &out, err) < 0)
		return -1;
	snprintf(buf, len, "%.*s", (int)strcspn(out, " \n"), out);
	if (!buf[0])
		return ob_err(err, OB_EXIT_FAIL, 0, "%s has no address on its network", c->id);
	return 0;
}

static int dk_net_create(struct ob_engine *e, const char *name, const char *subnet,
			 struct ob_error *err)
{
	ob_cleanup_free char *out = NULL;
	char *const args[] = { "network", "create", "--driver=bridge", (char *)"--subnet",
			       (char *)subnet, (char *)name, NULL };

	return ob_engine_cli(e, args, 60 * SEC, &out, err);
}

static void dk_net_remove(struct ob_engine *e, const char *name)
{
	ob_cleanup_free char *out = NULL, *ipam = NULL;
	struct ob_error err;
	/* podman: --force also takes a container a failed cell could not
	 * remove off it, so the next cell can make its network again */
	char *const args[] = { "network", "rm", (char *)name, NULL };
	char *const pargs[] = { "network", "rm", "--force", (char *)name, NULL };

	ob_engine_cli(e, is_docker(e) ? args : pargs, 60 * SEC, &out, &err);
	/* podman's CNI host-local IPAM keeps its leases on the host's disk */
	if (!is_docker(e) && asprintf(&ipam, "/var/lib/cni/networks/%s", name) > 0)
		ob_remove_tree(ipam, &err);
}

const struct ob_engine_ops ob_docker_ops = {
	.name = "docker", .up = docker_up, .down = docker_down, .create = dk_create,
	.start = dk_start, .stderr_file = dk_stderr_file, .wait = dk_wait, .logs = dk_logs,
	.remove = dk_remove, .nremove = 1,
	.nremove_attached = 1, .kill = dk_kill, .pids = dk_pids,
	.address = dk_address, .net_create = dk_net_create, .net_remove = dk_net_remove,
};

const struct ob_engine_ops ob_podman_ops = {
	.name = "podman", .up = podman_up, .down = docker_down, .create = dk_create,
	.start = dk_start, .stderr_file = dk_stderr_file, .wait = dk_wait, .logs = dk_logs,
	.remove = dk_remove, .nremove = 1,
	.nremove_attached = 1, .kill = dk_kill, .pids = dk_pids,
	.address = dk_address, .net_create = dk_net_create, .net_remove = dk_net_remove,
};
