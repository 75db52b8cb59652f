/* ob-cleanup.h - scope-bound ownership (GCC/Clang cleanup attribute). */
#ifndef OB_CLEANUP_H
#define OB_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void ob_freep(void *p)
{
	free(*(void **)p);
}

static inline void ob_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Hand an fd over to a new owner: returns it and leaves -1 behind. */
static inline int ob_steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#define ob_cleanup_free __attribute__((cleanup(ob_freep)))
#define ob_cleanup_close __attribute__((cleanup(ob_closep)))

#endif
