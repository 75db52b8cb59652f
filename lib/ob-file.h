/* ob-file.h - files written so that a killed run never leaves a truncated
 * file that looks complete: write to a fresh "PATH.tmp.XXXXXX" (O_EXCL, so
 * never through a planted symlink), fsync, rename, fsync the directory. */
#ifndef OB_FILE_H
#define OB_FILE_H

#include <stddef.h>

#include "ob-error.h"

/* Replace path with exactly len bytes of data, atomically. */
int ob_write_file_atomic(const char *path, const void *data, size_t len, struct ob_error *err);

/* Read a whole file into a NUL-terminated malloc'ed buffer (*len without the NUL). */
int ob_read_file(const char *path, char **data, size_t *len, struct ob_error *err);

#endif
