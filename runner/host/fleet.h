/* fleet.h - N idle containers of one runtime (ocibench-idle), brought up
 * with at most K lifecycles in flight (bucketbench's model), held while
 * they are measured, then stopped and deleted the same way.
 *
 * Each container's stdout is a pipe: the workload's ready byte is stamped
 * on the host's CLOCK_MONOTONIC the moment poll(2) sees it.  Its stop is
 * `kill ID TERM` (INT under Kata: ob_fleet_stop_signal; the workload
 * reports and exits 0), a wait for its
 * process, then `delete`.  Whatever goes wrong (failure, deadline, stop
 * signal, memory budget), every container the runtime was asked to create
 * is deleted with --force before ob_fleet_up/down return.
 *
 * An engine runs its containers through a driver (struct ob_fleet_driver)
 * instead: its own commands, and a start that attaches to the container
 * (the pipe is the attached client's stdout, its exit is the container's).
 */
#ifndef OB_HOST_FLEET_H
#define OB_HOST_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "bundle.h"
#include "lifecycle.h"
#include "procs.h"
#include "runtime.h"
#include "suite.h"

enum ob_idle_state {
	OB_IDLE_NEW, OB_IDLE_CREATING, OB_IDLE_STARTING, OB_IDLE_RUNNING, OB_IDLE_READY,
	OB_IDLE_KILLING, OB_IDLE_EXITING, OB_IDLE_DELETING, OB_IDLE_GONE,
};

struct ob_idle {
	char id[160];
	struct ob_bundle b;
	bool have_b;
	struct stat exe;          /* the workload binary in the rootfs (not with a driver) */
	int ready_fd;             /* read end of its stdout pipe, -1 when closed */
	enum ob_idle_state st;
	bool created;             /* create was issued: delete --force on giving up */
	int create_attempts;      /* creates issued (Kata: > 1 after agent start-up failures) */
	off_t err_from;           /* the errlog's size when the last create was issued */
	pid_t cmd;                /* runtime command in flight, 0 none */
	pid_t pid;                /* the container's process (pid file); with a driver:
				   * the attached start command */
	int del_step;             /* the driver's delete command in flight */
	bool exited;
	int exit_status;
	uint64_t t0;              /* command spawned */
	uint64_t stop_t0;         /* kill spawned */
	bool got_byte;
	double create_ms, start_ms, stop_ms; /* start_ms: NAN with a driver */
	uint64_t start_ns;        /* CLOCK_MONOTONIC when start was issued */
	uint64_t start_wall_ns;   /* CLOCK_REALTIME when start was issued */
	uint64_t ready_ns;        /* CLOCK_MONOTONIC when the ready byte came */
	char *out;                /* what it wrote after the ready byte */
	size_t outlen;
};

/* The commands of a container's life. */
enum ob_fleet_cmd { OB_FLEET_CREATE, OB_FLEET_START, OB_FLEET_KILL, OB_FLEET_DELETE };

/* Containers run by an engine (runner/engine/) rather than the bare runtime.
 * START's command is spawned with the ready pipe as its stdout and lasts as
 * long as the container, exiting with its status (an attached client);
 * KILL sends SIGTERM; DELETE is ndelete commands, in order. */
struct ob_fleet_driver {
	void *ctx;
	/* c's files in dir (made): c->b.dir, errlog (created) and pidfile,
	 * malloc'ed; removed with dir */
	int (*prepare)(void *ctx, struct ob_idle *c, const char *dir, struct ob_error *err);
	int (*spawn)(void *ctx, const struct ob_idle *c, enum ob_fleet_cmd cmd, int step, int in,
		     int out, int errfd, pid_t *pid, struct ob_error *err);
	int ndelete;
	/* remove c whatever its state; untimed, returns when done */
	void (*force_delete)(void *ctx, const struct ob_idle *c);
	/* the host processes of ready container c */
	int (*find)(void *ctx, const struct ob_idle *c, struct ob_hprocs *hp);
};

struct ob_fleet {
	const struct ob_runtime *rt;
	const struct ob_fleet_driver *drv; /* NULL: the bare runtime rt */
	struct ob_idle *c;
	size_t n, concurrency;
	uint64_t deadline;        /* CLOCK_MONOTONIC */
	uint64_t budget;          /* bytes of MemAvailable the fleet may use, 0 = none */
	uint64_t avail0;          /* MemAvailable before the first create */
	/* out */
	uint64_t t_first_create, t_all_ready, t_first_stop, t_all_gone;
	uint64_t wall_first_create; /* CLOCK_REALTIME of t_first_create */
	size_t reached;           /* containers ready when up stopped */
	enum ob_lc_status status;
	struct ob_error err;      /* why status is not OB_LC_OK */
	char *stderr_tail;        /* of the container that failed, malloc'ed */
};

/* n bundles for test t (workload idle) under bundles/SEQ-I, ids
 * ocibench-RUNID-SEQdIII; 0 or -1 with f->err. */
int ob_fleet_prepare(struct ob_fleet *f, const struct ob_suite *s, const struct ob_test *t,
		     const char *variant, size_t seq, size_t n);

/* Create and start all, at most f->concurrency at a time, until every one
 * has sent its ready byte: 0, or -1 with status/err (all deleted). */
int ob_fleet_up(struct ob_fleet *f);

/* Stop and delete all, at most f->concurrency at a time: 0, or -1 with
 * status/err (all deleted). */
int ob_fleet_down(struct ob_fleet *f);

/* The signal the containers are stopped with: "TERM", or "INT" under
 * kata-runtime, whose kill with TERM stops the VM before the workload's
 * report gets out. */
const char *ob_fleet_stop_signal(const struct ob_fleet *f);

/* The host processes of ready container i (procs.h): 0, or -1 when it is
 * gone. */
int ob_fleet_find(const struct ob_fleet *f, size_t i, struct ob_hprocs *hp);

/* The ready workload's JSON report of container i after down, or NULL. */
json_t *ob_fleet_report(const struct ob_fleet *f, size_t i);

/* Remove the bundles, close the pipes. */
void ob_fleet_free(struct ob_fleet *f);

#endif
