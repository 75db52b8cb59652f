/* fileio-fstype.h - the filesystem type of the test directory, from
 * statfs(2)'s f_type, so a result shows where its files really were
 * ("tmpfs", "ext4", "overlay", "9p", ...; an unknown magic in hex). */
#ifndef OB_FILEIO_FSTYPE_H
#define OB_FILEIO_FSTYPE_H

#include <stddef.h>

/* Fills buf with the name of dir's filesystem type and returns buf, or
 * returns NULL (errno set) when statfs fails. */
const char *fileio_fs_type(const char *dir, char *buf, size_t len);

#endif
