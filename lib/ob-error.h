/* ob-error.h - errors that travel up to one printer.
 *
 * A fallible function takes `struct ob_error *err` last, fills it with
 * ob_err() and returns -1.  Callers add context with ob_err_wrap() and
 * return -1 again; only main() prints, with ob_err_print(), and exits with
 * err->status.  A caller that has a better message than the callee's, or
 * none to give (the -1 says it all: "not there yet"), passes NULL.
 */
#ifndef OB_ERROR_H
#define OB_ERROR_H

#include <stdio.h>

/* Exit statuses shared by every ocibench program. */
enum {
	OB_EXIT_OK = 0,
	OB_EXIT_FAIL = 1,         /* the test ran and failed (e.g. verification) */
	OB_EXIT_USAGE = 2,        /* bad command line */
	OB_EXIT_UNSUPPORTED = 77, /* not supported here (automake's skip code) */
};

struct ob_error {
	int status; /* one of OB_EXIT_* */
	int errnum; /* errno at the failure, 0 if none */
	char msg[1024];
};

/* Record an error: msg is the formatted text, followed by ": strerror(errnum)"
 * when errnum is not 0.  Always returns -1. */
int ob_err(struct ob_error *err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix the recorded message with "context: ".  Always returns -1. */
int ob_err_wrap(struct ob_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* asprintf that cannot fail: out of memory, it says so on stderr and
 * aborts (as every allocation failure in ocibench does). */
char *ob_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "prog: message" on one line to stderr. */
void ob_err_print(const char *prog, const struct ob_error *err);

#endif
