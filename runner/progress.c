/* progress.c - see progress.h */
#include "progress.h"

#include "ob-clock.h"

void ob_progress_init(struct ob_progress *p, FILE *f, bool tty, size_t total)
{
	*p = (struct ob_progress){ .f = f, .tty = tty, .total = total, .t0_ns = ob_now_ns() };
}

static void eta(const struct ob_progress *p, char *buf, size_t len)
{
	if (p->done == 0) {
		snprintf(buf, len, "ETA --:--");
		return;
	}
	double per = (double)(ob_now_ns() - p->t0_ns) / 1e9 / (double)p->done;
	long s = (long)(per * (double)(p->total - p->done) + 0.5);

	snprintf(buf, len, "ETA %ld:%02ld", s / 60, s % 60);
}

void ob_progress_begin(struct ob_progress *p, const char *rt, const char *test,
		       const char *variant, int rep, int nrep)
{
	char e[32];

	if (!p->tty)
		return;
	eta(p, e, sizeof(e));
	fprintf(p->f, "\r\033[K[%zu/%zu] %s %s%s%s rep %d/%d  %s", p->done + 1, p->total, rt, test,
		variant ? "/" : "", variant ? variant : "", rep, nrep, e);
	fflush(p->f);
}

void ob_progress_end(struct ob_progress *p, const char *rt, const char *test,
		     const char *variant, int rep, int nrep, const char *status,
		     const char *summary)
{
	p->done++;
	if (p->tty && status[0] == 'o') /* ok: the line is updated by the next cell */
		return;
	fprintf(p->f, "%s[%zu/%zu] %s %s%s%s rep %d/%d: %s%s%s\n", p->tty ? "\r\033[K" : "", p->done,
		p->total, rt, test, variant ? "/" : "", variant ? variant : "", rep, nrep, status,
		summary[0] ? "  " : "", summary);
	fflush(p->f);
}

void ob_progress_finish(struct ob_progress *p)
{
	if (p->tty) {
		fprintf(p->f, "\r\033[K");
		fflush(p->f);
	}
}
