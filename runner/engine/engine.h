/* engine.h - container engines next to the bare OCI path.
 *
 * `--engine=oci,docker,podman,containerd`: every engine runs the same image
 * and workloads with the same arguments, through the runtime binaries of the
 * runtime table, registered the way that engine registers runtimes:
 *
 *   docker      a private dockerd (or the user's, --docker-host) with each
 *               runtime added as `--add-runtime NAME=WRAPPER`, `--runtime NAME`
 *   podman      `podman --runtime WRAPPER` as root, cgroupfs, private storage
 *   containerd  `ctr` in namespace "ocibench" of a private containerd (or the
 *               user's, --containerd-address), the io.containerd.runc.v2 shim
 *               with the runtime (wrapper) as its runc binary
 *
 * The wrappers (wrap.c) carry the host remedies of the OCI path (crun on
 * hybrid cgroups, runsc's /proc/sys/net mask) to runtimes an engine starts.
 * Private daemons (daemon.c) live in a network namespace, a cgroup and a
 * directory tree of the run, so stopping them, or `ocibench cleanup` after a
 * killed run, removes every process, mount, interface and rule they made.
 *
 * A column of an engine is an ob_runtime named ENGINE/RUNTIME whose engine
 * field points at its ob_ecol; the suite runs such cells through
 * ob_engine_cell() (cell.c).
 */
#ifndef OB_ENGINE_H
#define OB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lifecycle.h"
#include "mounts.h"
#include "ob-error.h"
#include "runtime.h"

struct ob_engine;
struct ob_suite;
struct ob_test;

/* A growing NULL-terminated argv of owned strings. */
struct ob_argv {
	char **v;
	size_t n, cap;
};
void ob_argv_add(struct ob_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ob_argv_addv(struct ob_argv *a, char *const *v);
void ob_argv_free(struct ob_argv *a);

/* One container as an engine runs it. */
struct ob_ectr {
	const char *id;
	char *const *argv;        /* the workload (path in the image) and its arguments */
	const char *workdir;      /* directory the workload needs (created by the engine) */
	const struct ob_mount *mount; /* where workdir lives; NULL or rootfs: the writable layer */
	const char *network;      /* the engine's network (docker/podman name, containerd
				   * netns path); NULL: no network */
	bool detach;              /* keep running after start (a server) */
	bool attach;              /* start attached: the start command's stdout is the
				   * container's, it lasts until the container exits
				   * and exits with its status (footprint, density) */
};

/* What one engine does; the driver is cell.c. */
struct ob_engine_ops {
	const char *name;
	/* Start (or reach) the daemon, register the runtimes, load the image. */
	int (*up)(struct ob_engine *e, struct ob_error *err);
	/* Stop what up started; remove the image from a user's daemon. */
	void (*down)(struct ob_engine *e);
	/* Command lines of the lifecycle phases of c in column rt (argv is
	 * appended to a). */
	void (*create)(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		       struct ob_argv *a);
	void (*start)(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		      const char *out, struct ob_argv *a);
	/* The host file that receives the container's stderr once it runs,
	 * and the ready token as that file holds it (ob-ready.h): the
	 * workload's first instruction, on the host's clock.  created: what
	 * create printed (docker, podman: the container's id), out: the file
	 * given to start.  NULL with *why when there is none to watch. */
	char *(*stderr_file)(struct ob_engine *e, const struct ob_ectr *c, const char *created,
			     const char *out, const char **token, const char **why);
	/* NULL: wait for the container's pid (containerd) */
	void (*wait)(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		     struct ob_argv *a);
	/* NULL: output already went to the file given to start */
	void (*logs)(struct ob_engine *e, const struct ob_ectr *c, struct ob_argv *a);
	/* Remove: one or two commands (containerd: task, then container) */
	void (*remove)(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		       bool force, int step, struct ob_argv *a);
	int nremove;
	/* After an attached start: how many of the last remove commands are
	 * left to do (containerd's client deletes the task itself) */
	int nremove_attached;
	/* Send SIGTERM to c's process. */
	void (*kill)(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		     struct ob_argv *a);
	/* What the engine's state says of running container c (out: as given
	 * to start): its process, and the engine's own processes it names for
	 * it (own, at most nown, 0-terminated) */
	int (*pids)(struct ob_engine *e, const struct ob_ectr *c, const char *out, pid_t *pid,
		    pid_t *own, size_t nown, struct ob_error *err);
	/* The container's address on network (net test). */
	int (*address)(struct ob_engine *e, const struct ob_ectr *c, char *buf, size_t len,
		       struct ob_error *err);
	/* A network of the run's own (docker/podman); NULL: containerd joins
	 * the runner's namespaces. */
	int (*net_create)(struct ob_engine *e, const char *name, const char *subnet,
			  struct ob_error *err);
	void (*net_remove)(struct ob_engine *e, const char *name);
	/* After the container's process exited, before delete: a command
	 * listing what the engine's state says of its containers, and whether
	 * that list (its stdout) shows c stopped.  NULL: delete at once. */
	void (*state)(struct ob_engine *e, struct ob_argv *a);
	bool (*stopped)(const char *list, const struct ob_ectr *c);
};

struct ob_engine {
	const struct ob_engine_ops *ops;
	const char *runid;
	char *dir;            /* private daemon's tree (under the run's bundle dir) */
	char *address;        /* the daemon's socket */
	bool user_daemon;     /* the user's: never reconfigured */
	bool private_daemon;  /* --docker-host=private / --containerd-address=private */
	const char *daemon;   /* "private", "given" (option or client's variable), "found" */
	char netns[128];      /* private daemon's network namespace ("" none) */
	char cgroup[128];     /* the run's cgroup of its daemon and containers */
	pid_t pid;            /* private daemon; 0 none */
	struct ob_argv cli;   /* the client's command line up to the subcommand */
	char *image;          /* the image as this engine names it */
	char *archive;        /* the image archive it loaded (owned by the run) */
	bool image_loaded;    /* loaded by us into a user's daemon */
	char *version;
	char *wrapdir;        /* runtime wrappers */
	struct ob_runtime *const *base; /* the bare runtimes of the columns */
	size_t nbase;
	const struct ob_seccomp *sc; /* the run's --seccomp */
	char *seccomp_oci;    /* containerd: that profile in OCI form, a file */
	char *logger;         /* containerd: the task's logging binary */
	char *has;            /* a user's docker daemon: " NAME NAME ... " of the
			       * runtimes it has (the others are marked); NULL: ours */
	char *data_root;      /* docker: where its containers' json-file logs are */
	const char *no_log;   /* docker: why no log file can be watched (NULL: one can) */
};

/* A column ENGINE/RUNTIME. */
struct ob_ecol {
	struct ob_runtime rt;         /* name "docker/runc"; path etc. of the base */
	struct ob_engine *e;
	const struct ob_runtime *base;
	char *erun;                   /* the runtime as the engine names it */
	char *why;                    /* NULL usable, else why not (marked cells) */
	char *seccomp_file;           /* the column's own filter (rt.seccomp) as a
				       * profile file for the engine; NULL: the run's */
};

struct ob_engines {
	bool oci;                     /* the bare OCI path is a column group */
	struct ob_engine *e[4];      /* NULL: oci's place */
	size_t n;
	struct ob_ecol *cols[64];
	size_t ncols;
};

/* Options of the engine group.  Without a daemon given, the client's own
 * variable (DOCKER_HOST, CONTAINERD_ADDRESS) names one; else a daemon that
 * answers on the package's socket is used as it is; else (or with
 * "private") the run starts a private one. */
struct ob_engine_opts {
	const char *list;               /* --engine, NULL: "oci" */
	const char *docker_host;        /* --docker-host (unix://PATH, PATH or "private") */
	const char *containerd_address; /* --containerd-address (PATH or "private") */
};
#define OB_DAEMON_PRIVATE "private"

/* The daemon of engine ops a run would use without being told: the
 * client's variable, else the package's socket if something listens there
 * (malloc'ed; *how "given" or "found"), else NULL: a private one. */
char *ob_engine_find_daemon(const struct ob_engine_ops *ops, const char **how);

/* Parse the list (unknown names and missing binaries: exit 2). */
int ob_engines_parse(struct ob_engines *es, const struct ob_engine_opts *o, struct ob_error *err);

/* The columns: for each engine in list order, oci: the runtimes as they
 * are, others: ENGINE/RUNTIME.  out gets at most max entries. */
int ob_engines_columns(struct ob_engines *es, struct ob_runtime *const *rts, size_t nrts,
		       struct ob_runtime **out, size_t max, size_t *nout, struct ob_error *err);

/* Start every engine of the run: daemons under dir, image from the OCI
 * layout (tag latest). */
struct ob_seccomp;
/* sc: the run's --seccomp, given to every engine the engine's way
 * (default: the engine's own default profile; containerd, which has none
 * unless asked, gets the converted profile the bare runtimes get). */
int ob_engines_up(struct ob_engines *es, const char *runid, const char *dir,
		  const char *layout, const struct ob_seccomp *sc, struct ob_error *err);
void ob_engines_down(struct ob_engines *es);
void ob_engines_free(struct ob_engines *es);

/* JSON of the engines for the manifest. */
struct json_t;
struct json_t *ob_engines_manifest(const struct ob_engines *es);

/* `ocibench runtimes`: per engine, binaries and what is usable. */
void ob_engines_print(const struct ob_engine_opts *o, const struct ob_rtset *set, FILE *out);

/* One cell of an engine column (suite.c), r as ob_lc_run fills it. */
void ob_engine_cell(const struct ob_suite *s, const struct ob_runtime *rt,
		    const struct ob_test *t, const char *variant, size_t seq,
		    struct ob_lc_result *r);

/* Whether the engines run rt (runc, crun, runsc, rune; Kata and rune's
 * enclave columns stay on the bare OCI path). */
bool ob_engine_runs(const struct ob_runtime *rt);
/* The footprint and density cells of an engine column (idle.c): argv is
 * the idle workload with its arguments. */
void ob_engine_idle_cell(const struct ob_suite *s, const struct ob_runtime *rt,
			 const struct ob_test *t, const char *variant, size_t seq,
			 char *const *argv, struct ob_lc_result *r);

/* What the engine's state and the process tree say of running container c
 * (out: as given to start): its process, the engine's processes named for
 * it, the one it hangs from (a shim, conmon); *wl the workload binary
 * (c->argv[0]) as the container sees it, *have_wl false when its process
 * has no such file (runsc's sandbox). */
struct ob_rtstate;
struct stat;
int ob_engine_rtstate(struct ob_engine *e, const struct ob_ectr *c, const char *out,
		      struct ob_rtstate *rs, struct stat *wl, bool *have_wl, struct ob_error *err);

/* The engine of an engine column, "oci" for a bare one. */
const char *ob_engine_name(const struct ob_runtime *rt);

/* ---- used by the engines (daemon.c, wrap.c, engine.c) ---- */

extern const struct ob_engine_ops ob_docker_ops, ob_podman_ops, ob_containerd_ops;

/* Run argv (absolute argv[0] or PATH search) in e's network namespace;
 * output captured in *out (stdout+stderr); 0 if it exited 0. */
int ob_engine_cmd(struct ob_engine *e, char *const *argv, uint64_t timeout_ns, char **out,
		  struct ob_error *err);
/* Spawn argv (as ob_engine_cmd runs it) with the given stdio; no wait. */
int ob_engine_spawn(struct ob_engine *e, char *const *argv, int in, int out, int errfd,
		    pid_t *pid, struct ob_error *err);
/* The same with e->cli in front of args. */
int ob_engine_cli(struct ob_engine *e, char *const *args, uint64_t timeout_ns, char **out,
		  struct ob_error *err);

/* Private daemon: netns, cgroup, spawn argv with env (NULL: ours), then poll
 * `ready` (a client command) until it succeeds. */
int ob_daemon_start(struct ob_engine *e, char *const *argv, char *const *env,
		    char *const *ready, const char *log, struct ob_error *err);
void ob_daemon_stop(struct ob_engine *e);
/* The namespace and cgroup alone (podman: no daemon, its commands run there). */
int ob_daemon_prepare(struct ob_engine *e, struct ob_error *err);
/* Remove the cgroups PARENT/ocibench-RUNID-* (their processes killed) in
 * every hierarchy, then PARENT itself where it is empty (containerd puts
 * its containers in /NAMESPACE/ID). */
void ob_cgroup_remove_run(const char *parent, const char *runid);

/* The cgroup hierarchy whose cgroup.procs track the run's processes. */
const char *ob_cgroup_track_root(void);

/* Leftovers of dead runs: cgroups (their processes killed) and
 * containerd's runc state; returns the number of items removed. */
int ob_daemon_cleanup(FILE *log);

/* The containerd shim sockets (/run/containerd/s/HASH) that process pid
 * holds open, as the kernel names them, added to out once each.  A shim
 * removes its socket when it shuts down; one that is SIGKILLed (a run's
 * cgroup killed, docker's and containerd's shims alike) leaves it, so the
 * killer reads them first and removes them once the shims are dead. */
void ob_shim_sockets_held(pid_t pid, struct ob_argv *out);
/* Unlink those of socks that are still sockets; how many. */
int ob_shim_sockets_remove(const struct ob_argv *socks, FILE *log);

/* What a run's private daemons made outside tree (the run's bundle
 * directory), found through it: containerd's shim sockets.  Called before
 * the tree goes; returns the number of items removed. */
int ob_engine_sweep_tree(const char *tree, FILE *log);

/* Write the wrapper of runtime rt into dir (runtime path with the host's
 * remedies); *path gets its path (malloc'ed).  shim: also a
 * containerd-shim wrapper whose runc is that wrapper. */
int ob_wrap_runtime(const char *dir, const struct ob_runtime *rt, bool shim, char **path,
		    struct ob_error *err);

/* Write containerd's logging binary for the run into dir (*path, malloc'ed):
 * `--log-uri=binary://PATH?out=FILE&err=FILE` copies the task's stdout and
 * stderr to two files as they come, to their end before the task's delete
 * returns. */
int ob_wrap_ctd_logger(const char *dir, char **path, struct ob_error *err);

/* podman's run root of run RUNID (its length is limited) */
#define OB_PODMAN_RUNROOT "/run/ocibench-%s-podman"


#endif
