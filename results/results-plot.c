/* results-plot.c - one bar chart per test figure (runtimes side by side,
 * error bars = sd), SVG and PNG, rendered by gnuplot from a script and a
 * data file written to DIR/plots/ and deleted afterwards.  gnuplot runs
 * through fork/exec, never a shell; outputs appear under their final names
 * only when gnuplot succeeded. */
#include "results-write.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GNUPLOT_TIMEOUT_MS 60000

/* $OB_GNUPLOT ("" disables plots), else gnuplot on PATH. */
static int find_gnuplot(char *path, size_t size, struct ob_plots *p)
{
	const char *env = getenv("OB_GNUPLOT");
	const char *dirs = getenv("PATH");

	if (env != NULL) {
		if (*env == '\0') {
			snprintf(p->note, sizeof(p->note), "disabled (OB_GNUPLOT is empty)");
			return -1;
		}
		if (access(env, X_OK) != 0) {
			snprintf(p->note, sizeof(p->note), "OB_GNUPLOT=%.300s is not an executable", env);
			return -1;
		}
		snprintf(path, size, "%s", env);
		return 0;
	}
	while (dirs != NULL && *dirs) {
		size_t len = strcspn(dirs, ":");

		snprintf(path, size, "%.*s/gnuplot", (int)len, dirs);
		if (len > 0 && access(path, X_OK) == 0)
			return 0;
		dirs += len + (dirs[len] == ':');
	}
	snprintf(p->note, sizeof(p->note), "gnuplot not found on PATH (Debian package gnuplot-nox)");
	return -1;
}

/* A character that may appear in text given to gnuplot: a line break ends
 * a command (so the next line would run as one), and quotes and
 * backslashes are its string syntax.  Everything else prints as is. */
static int gp_char(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\'' || c == '"' || c == '\\' ? '_' : c;
}

/* A gnuplot single-quoted string of data (titles, labels). */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		fputc(gp_char((unsigned char)*s), f);
	fputc('\'', f);
}

/* A file path as a gnuplot single-quoted string: '' stands for ' (the
 * results directory has no control character, see ob_results_plot). */
static void gp_path(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* A data-file label. */
static void gp_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(gp_char((unsigned char)*s), f);
	fputc('"', f);
}

static int plottable(const struct ob_results *r, size_t row)
{
	for (size_t rt = 0; rt < r->nrts; rt++) {
		const struct ob_cell *c = ob_results_cell(r, row, rt);

		if (c != NULL && c->n > 0)
			return 1;
	}
	return 0;
}

/* Data of one row: a line per runtime with a value: label mean sd.  NULL,
 * or why the row cannot be drawn on a [0:*] axis. */
static const char *write_data(const struct ob_results *r, size_t row, FILE *f)
{
	const char *why = NULL;

	for (size_t rt = 0; rt < r->nrts; rt++) {
		const struct ob_cell *c = ob_results_cell(r, row, rt);
		struct ob_stats st;

		if (c == NULL || c->n == 0 || ob_stats_compute(c->v, c->n, &st) < 0)
			continue;
		if (!isfinite(st.mean) || st.mean < 0)
			why = "a negative or undefined mean";
		gp_label(f, r->rts[rt].label);
		fprintf(f, " %.9g %.9g\n", st.mean, isnan(st.sd) ? 0.0 : st.sd);
	}
	return why;
}

static void write_output(FILE *f, const char *dir, const char *slug, const char *ext)
{
	char out[4096];

	snprintf(out, sizeof(out), "%s/plots/%s.%s.tmp", dir, slug, ext);
	fputs("set output ", f);
	gp_path(f, out);
	fputc('\n', f);
}

static void write_script(const struct ob_row *rw, const char *dir, const char *data, FILE *f)
{
	static const char *const terms[][2] = {
		{"svg size 720,420 dynamic noenhanced font 'sans,12'", "svg"},
		{"pngcairo size 720,420 noenhanced font 'sans,10'", "png"},
	};

	fputs("set style data histograms\n"
	      "set style histogram errorbars gap 1 lw 1\n"
	      "set style fill solid 0.6 border -1\n"
	      "set yrange [0:*]\n"
	      "set grid ytics\n"
	      "set xtics nomirror\n"
	      "unset key\n",
	      f);
	fputs("set title ", f);
	gp_str(f, rw->label);
	fputs("\nset ylabel ", f);
	gp_str(f, rw->def->unit);
	fputc('\n', f);
	for (size_t t = 0; t < 2; t++) {
		fprintf(f, "set terminal %s\n", terms[t][0]);
		write_output(f, dir, rw->slug, terms[t][1]);
		fputs("plot ", f);
		gp_path(f, data);
		fputs(" using 2:3:xtic(1)\n", f);
	}
	fputs("unset output\n", f);
}

/* Create DIR/plots/.NAME-XXXXXX.EXT and hand back an open FILE. */
static FILE *temp_file(const char *dir, const char *name, const char *ext, char *path,
		       size_t size)
{
	int fd;
	FILE *f;

	snprintf(path, size, "%s/plots/.%s-XXXXXX.%s", dir, name, ext);
	fd = mkostemps(path, (int)strlen(ext) + 1, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
	}
	return f;
}

/* Run gnuplot SCRIPT with stderr to LOG; 0 when it exited 0 in time. */
static int run_gnuplot(const char *gnuplot, const char *script, const char *log, char *note,
		       size_t size)
{
	pid_t pid = fork();
	int status;
	long waited = 0;
	const struct timespec tick = {0, 10 * 1000 * 1000};

	if (pid < 0) {
		snprintf(note, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDWR);
		int err = open(log, O_WRONLY | O_TRUNC);

		if (in < 0 || err < 0 || dup2(in, 0) < 0 || dup2(in, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execl(gnuplot, "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(note, size, "waiting for gnuplot: %s", strerror(errno));
			return -1;
		}
		if (waited >= GNUPLOT_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			snprintf(note, size, "gnuplot did not finish within %d s", GNUPLOT_TIMEOUT_MS / 1000);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited += 10;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(note, size, "gnuplot %s %d", WIFEXITED(status) ? "exited with" : "killed by signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -1;
}

/* The last line gnuplot wrote on stderr, added to note. */
static void add_log_tail(const char *log, char *note, size_t size)
{
	char buf[4096], *last = NULL;
	FILE *f = fopen(log, "r");
	size_t len;

	if (f == NULL)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n' && p[1] != '\0')
			last = p + 1;
	if (len > 0) {
		size_t n = strlen(note);

		snprintf(note + n, size - n, ": %.200s", last ? last : buf);
	}
}

/* Move NAME.ext.tmp to NAME.ext (or remove it when keep is 0); 1 if kept. */
static int settle(const char *dir, const char *slug, const char *ext, int keep)
{
	char fin[4096], tmp[4096 + 8];
	struct stat sb;

	snprintf(fin, sizeof(fin), "%s/plots/%s.%s", dir, slug, ext);
	snprintf(tmp, sizeof(tmp), "%s.tmp", fin);
	if (keep && stat(tmp, &sb) == 0 && sb.st_size > 0 && rename(tmp, fin) == 0)
		return 1;
	unlink(tmp);
	return 0;
}

/* Append "slug (why)" to the list of figures not drawn. */
static void not_drawn(struct ob_plots *p, const char *slug, const char *why)
{
	size_t len = strlen(p->note);

	snprintf(p->note + len, sizeof(p->note) - len, "%s%s (%s)", len ? "; " : "not plotted: ",
		 slug, why);
}

/* One figure by its own gnuplot, so that a figure gnuplot refuses costs
 * only itself; 1 when drawn. */
static int plot_row(const struct ob_results *r, size_t row, const char *dir, const char *gnuplot,
		    struct ob_plots *p)
{
	char data[4096], script[4096], log[4096], note[512] = "";
	FILE *df, *sf = NULL, *lf = NULL;
	const char *why;
	int ok;

	df = temp_file(dir, "data", "dat", data, sizeof(data));
	sf = df ? temp_file(dir, "script", "gp", script, sizeof(script)) : NULL;
	lf = sf ? temp_file(dir, "gnuplot", "log", log, sizeof(log)) : NULL;
	if (lf == NULL) {
		not_drawn(p, r->rows[row].slug, strerror(errno));
		if (df) {
			fclose(df);
			unlink(data);
		}
		if (sf) {
			fclose(sf);
			unlink(script);
		}
		return 0;
	}
	fclose(lf);
	why = write_data(r, row, df);
	write_script(&r->rows[row], dir, data, sf);
	ok = (fclose(df) == 0) & (fclose(sf) == 0);
	if (why) {
		ok = 0;
		snprintf(note, sizeof(note), "%s", why);
	} else if (!ok) {
		snprintf(note, sizeof(note), "writing the gnuplot input: %s", strerror(errno));
	} else if (run_gnuplot(gnuplot, script, log, note, sizeof(note)) < 0) {
		ok = 0;
		add_log_tail(log, note, sizeof(note));
	}
	int svg = settle(dir, r->rows[row].slug, "svg", ok);
	int png = settle(dir, r->rows[row].slug, "png", ok);

	unlink(data);
	unlink(script);
	unlink(log);
	if (!(svg && png))
		not_drawn(p, r->rows[row].slug, note[0] ? note : "no output");
	return svg && png;
}

void ob_results_plot(const struct ob_results *r, const char *dir, struct ob_plots *p)
{
	char gnuplot[4096], plots[4096];
	size_t drawn = 0, tried = 0;

	p->state = OB_PLOTS_SKIPPED;
	p->note[0] = '\0';
	if (find_gnuplot(gnuplot, sizeof(gnuplot), p) < 0)
		return;
	p->state = OB_PLOTS_FAILED;
	for (const char *c = dir; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(p->note, sizeof(p->note),
				 "the results directory name has a control character");
			return;
		}
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	struct stat st;

	if ((mkdir(plots, 0755) < 0 && errno != EEXIST) || lstat(plots, &st) < 0) {
		snprintf(p->note, sizeof(p->note), "creating %.300s: %s", plots, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) { /* a symlink would send the plots elsewhere */
		snprintf(p->note, sizeof(p->note), "%.300s is not a directory", plots);
		return;
	}
	for (size_t row = 0; row < r->nrows; row++) {
		p->has[row] = 0;
		if (!plottable(r, row))
			continue;
		tried++;
		p->has[row] = (unsigned char)plot_row(r, row, dir, gnuplot, p);
		drawn += p->has[row];
	}
	if (drawn > 0 || tried == 0)
		p->state = OB_PLOTS_RENDERED;
}
