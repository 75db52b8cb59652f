/* ob-error.c - see ob-error.h */
#include "ob-error.h"

#include <stdarg.h>
#include <string.h>

int ob_err(struct ob_error *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	err->status = status;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (errnum != 0 && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	return -1;
}

int ob_err_wrap(struct ob_error *err, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* the message is cut, never overflowed, when context makes it too long */
	snprintf(err->msg, sizeof(err->msg), "%.500s: %.520s", prefix, old);
	return -1;
}

void ob_err_print(const char *prog, const struct ob_error *err)
{
	fprintf(stderr, "%s: %s\n", prog, err->msg);
}
