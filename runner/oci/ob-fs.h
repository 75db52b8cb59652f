/* ob-fs.h - directory trees: make, copy, unmount-and-remove. */
#ifndef OB_FS_H
#define OB_FS_H

#include <stdint.h>

#include "ob-error.h"

/* mkdir -p with mode for the created directories. */
int ob_mkdir_p(const char *path, unsigned mode, struct ob_error *err);

/* Copy the regular files, directories and symlinks below src into dst
 * (an existing directory); modes are kept. */
int ob_copy_tree(const char *src, const char *dst, struct ob_error *err);

/* Lazily unmount every mount at or below path (deepest first), then remove
 * the tree without crossing into other file systems.  A missing path is
 * not an error. */
int ob_remove_tree(const char *path, struct ob_error *err);

/* Number of mounts at or below path. */
int ob_mounts_below(const char *path);

#endif
