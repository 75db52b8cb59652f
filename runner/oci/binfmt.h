/* binfmt.h - foreign-architecture binaries in containers, only while
 * ocibench runs.
 *
 * `ocibench run --platform linux/arm64` on an x86_64 host runs the image's
 * static aarch64 workloads through the kernel's binfmt_misc and QEMU's
 * user-mode emulator.  The handler must carry the F (fix-binary) flag: the
 * kernel then opens the emulator when the handler is registered, so it runs
 * inside a container's root where no emulator exists.  The handlers come from
 * Debian's descriptions in /usr/share/binfmts/qemu-ARCH (qemu-user-static):
 * interpreter, magic, mask, credentials, preserve.
 *
 * For the run ocibench mounts binfmt_misc when it is absent and registers
 * the handler when none is enabled, under the name "ocibench-qemu-ARCH".
 * Several runs may share them: each holds a shared lock (prereq.h); the run
 * that ends last (or `ocibench cleanup`, after a SIGKILL) takes it
 * exclusively and removes the ocibench-* entries, then unmounts binfmt_misc
 * if ocibench mounted it and no other entry was registered meanwhile
 * (unmounting would drop that entry).  Entries ocibench did not add are
 * never touched.
 */
#ifndef OB_BINFMT_H
#define OB_BINFMT_H

#include <stdbool.h>
#include <stdio.h>

#include "ob-error.h"

struct ob_binfmt {
	int lock;              /* -1 when not held */
	char qemu[32];         /* the emulator's architecture name ("aarch64") */
	char entry[128];       /* the binfmt_misc entry that runs the platform */
	char interpreter[256]; /* its interpreter */
	bool added;            /* ocibench registered it for the run */
};

/* QEMU's name of an OCI architecture ("arm64" -> "aarch64"); NULL when
 * QEMU has no user-mode emulator for it. */
const char *ob_binfmt_qemu_arch(const char *oci_arch);

/* Make the kernel run oci_arch binaries in containers: mount binfmt_misc if
 * it is absent, register QEMU's handler if no enabled one matches; log says
 * what was made.  A matching handler without the F flag is refused (its
 * emulator is not in the containers' root).  Returns 0 or -1. */
int ob_binfmt_up(struct ob_binfmt *b, const char *oci_arch, FILE *log, struct ob_error *err);

/* Release this run's hold; undo what ocibench made if no run still holds it. */
void ob_binfmt_down(struct ob_binfmt *b, FILE *log);

/* `ocibench cleanup` (and the start of every run): undo what a killed run
 * made, when no run holds it.  Returns the number of items undone. */
int ob_binfmt_cleanup(FILE *log);

#endif
