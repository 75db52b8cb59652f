/* manifest.h - manifest.json: what ran where, so a result can be audited.
 *
 * Keys: schema "ocibench-manifest/1", ocibench_version, command_line [..],
 * run_id, profile, repeat, tests [..], host {cpu_model, cpus, kernel, arch,
 * hostname}, build {arch, compiler, cross_compiled}, runtimes [{name, path,
 * args, version}], workloads {name:
 * sha256}, image {layout, digest} (or rootfs_from), started_at, ended_at
 * (null while running), incomplete (true until the run ends normally). */
#ifndef OB_MANIFEST_H
#define OB_MANIFEST_H

#include <stdbool.h>

#include <jansson.h>

#include "ob-error.h"

/* Host facts: {cpu_model, cpus, kernel, arch, hostname}. */
json_t *ob_manifest_host(void);

/* How the runner and the workloads were built: {arch (the target, e.g.
 * "aarch64"), compiler (its --version line), cross_compiled}. */
json_t *ob_manifest_build(void);

/* Write dir/manifest.json atomically (m is not consumed). */
int ob_manifest_write(const char *dir, json_t *m, struct ob_error *err);

#endif
