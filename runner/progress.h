/* progress.h - one progress line on a TTY (\r updates), plain lines otherwise. */
#ifndef OB_PROGRESS_H
#define OB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ob_progress {
	FILE *f;
	bool tty;
	size_t total, done;
	uint64_t t0_ns;
};

void ob_progress_init(struct ob_progress *p, FILE *f, bool tty, size_t total);
/* A cell starts (TTY: the line shows it with the ETA). */
void ob_progress_begin(struct ob_progress *p, const char *rt, const char *test,
		       const char *variant, int rep, int nrep);
/* A cell ended with status; summary is a short text of its figures. */
void ob_progress_end(struct ob_progress *p, const char *rt, const char *test,
		     const char *variant, int rep, int nrep, const char *status,
		     const char *summary);
void ob_progress_finish(struct ob_progress *p);

#endif
