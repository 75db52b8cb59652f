/* daemon.c - the owner of a run's private engine daemons.
 *
 * A private daemon lives in three things the run makes and removes:
 *   - a network namespace "ocibench-RUNID-n0-ENGINE": the daemon's bridges,
 *     veths and iptables rules are made there, never in the host's;
 *   - a cgroup "ocibench-RUNID-engines/ENGINE" (daemon, its containerd,
 *     shims, conmon, sandboxes) whose "c" child is the engine's cgroup
 *     parent for containers: killing what is in the tree ends everything;
 *   - a directory tree under the run's bundle directory (data root, exec
 *     root, socket, wrappers), removed with whatever is mounted below it.
 * A killed run leaves all three; `ocibench cleanup` (and every run) finds
 * them by the run id of a dead run and removes them (ob_daemon_cleanup,
 * state.c for the namespace and the tree).
 */
#include "engine.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ob-cleanup.h"
#include "ob-clock.h"
#include "ob-fs.h"
#include "proc.h"
#include "state.h"

#define SEC 1000000000ull
#define CG_ROOT "/sys/fs/cgroup"
#define RUNC_STATE "/run/containerd/runc"

/* The hierarchy that tracks processes: cgroup v2's root, or v1's pids. */
const char *ob_cgroup_track_root(void)
{
	return access(CG_ROOT "/cgroup.controllers", F_OK) == 0 ? CG_ROOT : CG_ROOT "/pids";
}

/* SIGKILL every process in the cgroup tree dir; how many were found.  The
 * containerd shim sockets they hold are added to socks first. */
static int kill_tree(const char *dir, struct ob_argv *socks)
{
	ob_cleanup_free char *procs = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			ob_cleanup_free char *sub = NULL;

			if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
				abort();
			n += kill_tree(sub, socks);
		}
	closedir(d);
	if (asprintf(&procs, "%s/cgroup.procs", dir) < 0)
		abort();
	FILE *f = fopen(procs, "re");
	long pid;

	while (f && fscanf(f, "%ld", &pid) == 1) {
		ob_shim_sockets_held((pid_t)pid, socks);
		kill((pid_t)pid, SIGKILL);
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* rmdir a cgroup tree depth-first (cgroup directories hold only files the
 * kernel owns, so rmdir is how they go). */
static void rmdir_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			ob_cleanup_free char *sub = NULL;

			if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
				abort();
			rmdir_tree(sub);
		}
	closedir(d);
	rmdir(dir);
}

/* Kill what is in cgroup rel (relative to each hierarchy), reap what was
 * ours, remove the shim sockets the killed shims held, then the cgroup from
 * every hierarchy. */
static void remove_cgroup(const char *rel, FILE *log)
{
	ob_cleanup_free char *track = NULL;
	struct ob_argv socks = { 0 };
	DIR *d;
	struct dirent *e;

	if (asprintf(&track, "%s/%s", ob_cgroup_track_root(), rel) < 0)
		abort();
	for (int i = 0; i < 50 && kill_tree(track, &socks) > 0; i++) {
		ob_proc_reap();
		usleep(100000);
	}
	ob_proc_reap();
	ob_shim_sockets_remove(&socks, log);
	ob_argv_free(&socks);
	if ((d = opendir(CG_ROOT))) {
		while ((e = readdir(d))) {
			ob_cleanup_free char *p = NULL;

			if (e->d_name[0] == '.' || asprintf(&p, "%s/%s/%s", CG_ROOT, e->d_name, rel) < 0)
				continue;
			rmdir_tree(p);
		}
		closedir(d);
	}
	rmdir_tree(track);
}

void ob_cgroup_remove_run(const char *parent, const char *runid)
{
	ob_cleanup_free char *dir = NULL, *prefix = NULL;
	struct dirent *e;
	DIR *d;

	if (asprintf(&dir, "%s/%s", ob_cgroup_track_root(), parent) < 0 ||
	    asprintf(&prefix, OB_CONTAINER_PREFIX "%s-", runid) < 0)
		abort();
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
				ob_cleanup_free char *rel = NULL;

				if (asprintf(&rel, "%s/%s", parent, e->d_name) < 0)
					abort();
				remove_cgroup(rel, NULL);
			}
		closedir(d);
	}
	/* the parent goes too once no one else's container is in it */
	if ((d = opendir(CG_ROOT))) {
		while ((e = readdir(d))) {
			ob_cleanup_free char *p = NULL;

			if (e->d_name[0] != '.' && asprintf(&p, "%s/%s/%s", CG_ROOT, e->d_name, parent) > 0)
				rmdir(p);
		}
		closedir(d);
	}
}

static int make_cgroup(const char *rel, struct ob_error *err)
{
	ob_cleanup_free char *p = NULL;

	if (asprintf(&p, "%s/%s", ob_cgroup_track_root(), rel) < 0)
		abort();
	return ob_mkdir_p(p, 0755, err);
}

static void netns_del(const char *name)
{
	struct ob_error err;

	if (name[0])
		ob_proc_cmdl(&err, "ip", "netns", "delete", name, NULL);
}

int ob_daemon_prepare(struct ob_engine *e, struct ob_error *err)
{
	snprintf(e->netns, sizeof(e->netns), OB_CONTAINER_PREFIX "%s" OB_NETNS_INFIX "0-%s", e->runid,
		 e->ops->name);
	if (ob_proc_cmdl(err, "ip", "netns", "add", e->netns, NULL) < 0) {
		e->netns[0] = '\0';
		return ob_err_wrap(err, "the network namespace of the %s daemon", e->ops->name);
	}
	if (ob_proc_cmdl(err, "ip", "-n", e->netns, "link", "set", "lo", "up", NULL) < 0)
		return -1;
	return make_cgroup(e->cgroup, err);
}

int ob_daemon_start(struct ob_engine *e, char *const *argv, char *const *env,
		    char *const *ready, const char *log, struct ob_error *err)
{
	ob_cleanup_free char *procs = NULL, *netns = NULL, *exe = ob_proc_which(argv[0]);
	ob_cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ob_cleanup_close int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct ob_argv a = { 0 };
	int rc = -1;

	if (!exe)
		return ob_err(err, OB_EXIT_USAGE, 0, "%s not found (install the engine's package)",
			      argv[0]);
	if (null < 0 || lfd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening %s", log);
	if (ob_daemon_prepare(e, err) < 0)
		return -1;
	if (asprintf(&procs, "%s/%s/cgroup.procs", ob_cgroup_track_root(), e->cgroup) < 0 ||
	    asprintf(&netns, "/var/run/netns/%s", e->netns) < 0)
		abort();
	ob_argv_add(&a, "%s", exe);
	ob_argv_addv(&a, argv + 1);

	struct ob_spawn sp = { .argv = a.v, .in = null, .out = lfd, .err = lfd, .netns = netns,
			       .cgroup = procs, .env = env };

	if (ob_proc_spawn(&sp, &e->pid, err) < 0)
		goto out;
	ob_proc_keep(e->pid);
	/* ready when a client command gets through; gone if it exits */
	for (uint64_t end = ob_now_ns() + 60 * SEC;;) {
		ob_cleanup_free char *o = NULL;
		struct ob_error e2;
		uint64_t t;
		int st;

		if (ob_engine_cli(e, ready, 10 * SEC, &o, &e2) == 0)
			break;
		if (ob_proc_wait(e->pid, ob_now_ns() + SEC / 4, false, &st, &t, &e2) == OB_WAIT_DONE) {
			char *tail = ob_lc_tail(log), *nl;

			ob_proc_unkeep(e->pid);
			e->pid = 0;
			while ((nl = strrchr(tail, '\n')) && !nl[1])
				*nl = '\0';
			ob_err(err, OB_EXIT_USAGE, 0, "the private %s daemon exited: %.300s (log %s)",
			       e->ops->name, (nl = strrchr(tail, '\n')) ? nl + 1 : tail, log);
			free(tail);
			goto out;
		}
		if (ob_now_ns() > end) {
			ob_err(err, OB_EXIT_USAGE, 0, "the private %s daemon did not answer in 60 s: %s",
			       e->ops->name, e2.msg);
			goto out;
		}
	}
	rc = 0;
out:
	ob_argv_free(&a);
	return rc;
}

void ob_daemon_stop(struct ob_engine *e)
{
	ob_cleanup_free char *top = NULL;

	if (e->pid > 0) {
		struct ob_error err;
		uint64_t t;
		int st;

		kill(e->pid, SIGTERM);
		if (ob_proc_wait(e->pid, ob_now_ns() + 30 * SEC, false, &st, &t, &err) ==
		    OB_WAIT_TIMEOUT)
			ob_proc_kill(e->pid);
		ob_proc_unkeep(e->pid);
		e->pid = 0;
	}
	if (e->cgroup[0]) {
		/* shims and sandboxes a failed container left (RUNTIMES.md) */
		remove_cgroup(e->cgroup, NULL);
		if (asprintf(&top, OB_CONTAINER_PREFIX "%s-engines", e->runid) < 0)
			abort();
		remove_cgroup(top, NULL);
	}
	netns_del(e->netns);
	e->netns[0] = '\0';
}

/* "ocibench-YYYYMMDDTHHMMSS-PID-engines" of a run whose process is gone:
 * its run id in buf. */
static bool dead_run(const char *name, const char *suffix, char *buf, size_t len)
{
	size_t pl = strlen(OB_CONTAINER_PREFIX);
	const char *id = name + pl;
	char *end;

	if (strncmp(name, OB_CONTAINER_PREFIX, pl) != 0 || strlen(id) < 17 || id[8] != 'T' ||
	    id[15] != '-')
		return false;
	long pid = strtol(id + 16, &end, 10);

	if (pid <= 0 || strncmp(end, suffix, strlen(suffix)) != 0 || (size_t)(end - id) >= len)
		return false;
	snprintf(buf, len, "%.*s", (int)(end - id), id);
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Remove the entries of dir named after a dead run (suffix after its id). */
static int remove_dead(const char *dir, const char *suffix, const char *what, FILE *log)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char runid[64];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (dead_run(e->d_name, suffix, runid, sizeof(runid))) {
			ob_cleanup_free char *p = NULL;
			struct ob_error err;

			if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
				abort();
			if (ob_remove_tree(p, &err) == 0) {
				if (log)
					fprintf(log, "ocibench: removed %s %s\n", what, p);
				n++;
			}
		}
	closedir(d);
	return n;
}

/* Podman's CNI plugins keep state on the host's disk, named after the
 * network (a run's own, "ocibench-RUNID-nSEQ"): the address leases
 * (CNI_LEASES/NET) and the result of each attachment (CNI_RESULTS/NET-ID-IF),
 * whose interfaces name the container's network namespace podman made in
 * /run/netns.  A killed run leaves all three. */
#define CNI_LEASES "/var/lib/cni/networks"
#define CNI_RESULTS "/var/lib/cni/results"

/* The network namespaces named by a CNI result (the container's side). */
static int remove_cni_netns(const char *result, FILE *log)
{
	json_t *j = json_load_file(result, 0, NULL), *i;
	size_t k;
	int n = 0;

	json_array_foreach(json_object_get(json_object_get(j, "result"), "interfaces"), k, i) {
		const char *sb = json_string_value(json_object_get(i, "sandbox")), *name;
		struct ob_error err;

		if (!sb || (strncmp(sb, "/run/netns/", 11) != 0 && strncmp(sb, "/var/run/netns/", 15) != 0))
			continue;
		name = strrchr(sb, '/') + 1;
		if (!name[0] || name[0] == '.' || access(sb, F_OK) < 0 ||
		    ob_proc_cmdl(&err, "ip", "netns", "delete", name, NULL) < 0)
			continue;
		if (log)
			fprintf(log, "ocibench: removed podman's container network namespace %s\n", sb);
		n++;
	}
	json_decref(j);
	return n;
}

static int remove_dead_cni(FILE *log)
{
	DIR *d = opendir(CNI_RESULTS);
	struct dirent *e;
	char runid[64];
	int n = 0;

	while (d && (e = readdir(d)))
		if (dead_run(e->d_name, OB_NETNS_INFIX, runid, sizeof(runid))) {
			ob_cleanup_free char *p = NULL;

			if (asprintf(&p, CNI_RESULTS "/%s", e->d_name) < 0)
				abort();
			n += remove_cni_netns(p, log);
			if (unlink(p) == 0) {
				if (log)
					fprintf(log, "ocibench: removed CNI result %s\n", p);
				n++;
			}
		}
	if (d)
		closedir(d);
	return n + remove_dead(CNI_LEASES, OB_NETNS_INFIX, "CNI address leases", log);
}

int ob_daemon_cleanup(FILE *log)
{
	struct dirent *e;
	DIR *d;
	int n = 0;
	char runid[64];

	if ((d = opendir(ob_cgroup_track_root()))) {
		while ((e = readdir(d)))
			if (dead_run(e->d_name, "-engines", runid, sizeof(runid))) {
				remove_cgroup(e->d_name, log);
				if (log)
					fprintf(log, "ocibench: removed the engine processes and cgroups of run %s\n",
						runid);
				n++;
			}
		closedir(d);
	}
	/* podman's run roots; the runc v2 shim's state of containerd
	 * containers in our namespace */
	n += remove_dead("/run", "-podman", "podman run root", log);
	n += remove_dead_cni(log);
	n += remove_dead(RUNC_STATE "/ocibench", "-", "containerd runc state", log);
	/* containerd's containers' cgroups (/ocibench/ID) */
	ob_cleanup_free char *ctd = NULL;

	if (asprintf(&ctd, "%s/ocibench", ob_cgroup_track_root()) < 0)
		abort();
	if ((d = opendir(ctd))) {
		while ((e = readdir(d)))
			if (dead_run(e->d_name, "-", runid, sizeof(runid))) {
				ob_cgroup_remove_run("ocibench", runid);
				n++;
			}
		closedir(d);
	}
	return n;
}
