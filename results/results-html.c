/* results-html.c - report.html: one self-contained page per results
 * directory, and the parts of it that the two-run page shares
 * (results-html.h).  No script, no font, no
 * request: the styles are inline, the charts inline SVG, and a Content
 * Security Policy forbids loading anything.  Every string that comes from
 * raw.jsonl or manifest.json goes through ob_xml_text. */
#include "results-write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results-html.h"
#include "results-svg.h"

#define TAIL_MAX 2000 /* bytes of a stderr tail shown */

static const char css[] =
	"body{font:14px/1.45 sans-serif;color:#1b1b1b;background:#fff;max-width:1120px;"
	"margin:0 auto;padding:0 16px 40px}\n"
	"h1{font-size:1.6em;margin:18px 0 4px}h2{margin-top:30px;border-bottom:1px solid #ccc}\n"
	"h3{font-size:1.05em;margin:18px 0 4px}\n"
	"table{border-collapse:collapse;margin:8px 0}\n"
	"th,td{border:1px solid #c8c8c8;padding:3px 8px;vertical-align:top;text-align:left}\n"
	"th{background:#f1f3f5}td.num{text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}\n"
	"td.failed,td.timeout{background:#fde4e1;color:#8b1a10}\n"
	"td.unsupported{background:#ececec;color:#555;font-style:italic}\n"
	"td.same-no{color:#8b1a10;font-weight:bold}\n"
	".rel{color:#555;font-size:.85em;margin-left:.4em}\n"
	".banner{background:#fff3cd;border:1px solid #d9b650;padding:8px 12px;margin:12px 0}\n"
	".note{color:#555}\n"
	"figure{margin:18px 0;break-inside:avoid}figcaption{font-weight:bold}\n"
	"svg.chart{width:100%;max-width:760px;height:auto;display:block}\n"
	"svg .note{fill:#8b1a10;font-style:italic}svg .sub{fill:#444}\n"
	"code,pre{font-family:monospace;font-size:.92em}\n"
	"pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:6px 8px;"
	"margin:4px 0}\n"
	".side{display:grid;grid-template-columns:1fr 1fr;gap:18px}\n"
	"nav a{margin-right:12px}summary{cursor:pointer;margin:6px 0}\n";

/* ------------------------------------------------------------------ text */

/* A number of a table: about 4 significant digits, like report.md. */
void ob_html_num(FILE *out, double x, double ref)
{
	char b[64];

	ob_results_fmt(x, ref, b, sizeof(b));
	fputs(isnan(x) ? "-" : b, out);
}

void ob_html_ratio(double x, char *buf, size_t size)
{
	if (!isfinite(x))
		snprintf(buf, size, "-");
	else
		ob_results_ratio_text(x, buf, size);
}

/* A scalar as text (strings unquoted), anything else as compact JSON. */
static void value(FILE *out, json_t *v)
{
	ob_json_text(out, v, ob_xml_text);
}

/* One word of a command line, quoted for a POSIX shell when needed. */
static void sh_word(FILE *out, const char *s)
{
	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./=:,@%+-") == strlen(s)) {
		H(out, s);
		return;
	}
	fputc('\'', out);
	for (; *s; s++) {
		char c[2] = {*s, 0};

		H(out, *s == '\'' ? "'\\''" : c);
	}
	fputc('\'', out);
}

/* A JSON array of strings as a command line (other elements as JSON). */
static void sh_line(FILE *out, json_t *argv)
{
	json_t *e;
	size_t i;

	json_array_foreach(argv, i, e) {
		if (i > 0)
			fputc(' ', out);
		if (json_is_string(e))
			sh_word(out, json_string_value(e));
		else
			value(out, e);
	}
}

/* A runtime's command: its path and fixed arguments. */
static void runtime_cmd(FILE *out, const char *path, json_t *args)
{
	fputs("<code>", out);
	sh_word(out, path ? path : "?");
	if (json_array_size(args) > 0) {
		fputc(' ', out);
		sh_line(out, args);
	}
	fputs("</code>", out);
}

/* An object as "k=v" words. */
static void pairs(FILE *out, json_t *o)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(o, k, v) {
		fputs(first ? "" : " ", out);
		first = 0;
		H(out, k);
		fputc('=', out);
		value(out, v);
	}
}

/* ---------------------------------------------------------- the frame */

void ob_html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      out);
	H(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

void ob_html_nav(FILE *out)
{
	fputs("<nav><a href=\"#run\">Run</a><a href=\"#results\">Results</a>"
	      "<a href=\"#charts\">Charts</a><a href=\"#study\">Study</a>"
	      "<a href=\"#audit\">Audit trail</a>"
	      "<a href=\"#details\">Details</a><a href=\"#failures\">Failures</a></nav>\n",
	      out);
}

void ob_html_banner(FILE *out, const struct ob_results *r, int incomplete)
{
	if (incomplete || (r->manifest && ob_manifest_incomplete(r->manifest)))
		fputs("<p class=\"banner\" id=\"incomplete\"><strong>INCOMPLETE run</strong>: the run "
		      "was interrupted; the figures cover only the runs that finished.</p>\n",
		      out);
}

/* ------------------------------------------------------- the manifest */

/* manifest.json as a key/value table: the command line as a shell line,
 * nested objects one level flattened ("host.cpu"), the runtimes and the
 * workload digests left to their own tables. */
static void manifest_table(FILE *out, const struct ob_results *r)
{
	const char *k, *k2;
	json_t *v, *v2;

	fputs("<table class=\"manifest\">\n", out);
	json_object_foreach(r->manifest, k, v) {
		if (strcmp(k, "runtimes") == 0 || strcmp(k, "workloads") == 0)
			continue;
		if (json_is_object(v)) {
			json_object_foreach(v, k2, v2) {
				fputs("<tr><th>", out);
				H(out, k);
				fputc('.', out);
				H(out, k2);
				fputs("</th><td>", out);
				value(out, v2);
				fputs("</td></tr>\n", out);
			}
			continue;
		}
		fputs("<tr><th>", out);
		H(out, k);
		fputs("</th><td>", out);
		if (strcmp(k, "command_line") == 0 && json_is_array(v)) {
			fputs("<code>", out);
			sh_line(out, v);
			fputs("</code>", out);
		} else if (json_is_array(v)) {
			json_t *e;
			size_t i;

			json_array_foreach(v, i, e) {
				fputs(i ? ", " : "", out);
				value(out, e);
			}
		} else {
			value(out, v);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

/* manifest.json's member key, or key.sub when sub is not NULL; NULL when
 * absent. */
static json_t *mget(const struct ob_results *r, const char *key, const char *sub)
{
	json_t *v = json_object_get(r->manifest, key);

	return sub ? json_object_get(v, sub) : v;
}

/* One row of the summary from the first present of (key, sub) pairs:
 * their values joined by sep. */
static void summary_row(FILE *out, const struct ob_results *r, const char *label,
			const char *const *keys, size_t n, const char *sep)
{
	int any = 0;

	for (size_t i = 0; i < n; i += 2)
		any |= mget(r, keys[i], keys[i + 1]) != NULL;
	if (!any)
		return;
	fputs("<tr><th>", out);
	H(out, label);
	fputs("</th><td>", out);
	any = 0;
	for (size_t i = 0; i < n; i += 2) {
		json_t *v = mget(r, keys[i], keys[i + 1]);

		if (v == NULL || json_is_null(v))
			continue;
		fputs(any ? sep : "", out);
		any = 1;
		value(out, v);
	}
	fputs("</td></tr>\n", out);
}

/* The run at a glance: what, where, when; then everything in manifest.json
 * behind a <details> (it opens without JavaScript). */
static void manifest_summary(FILE *out, const struct ob_results *r)
{
	static const char *const run[] = {"run_id", NULL, "profile", NULL};
	static const char *const host[] = {"host", "cpu_model", "host", "cpu", "host", "cpus",
					   "host", "cores", "host", "arch", "host", "kernel"};
	static const char *const build[] = {"build", "arch", "build", "compiler"};
	static const char *const when[] = {"started_at", NULL, "ended_at", NULL};
	static const char *const image[] = {"image", "digest", "image_digest", NULL};
	json_t *cl = mget(r, "command_line", NULL), *rep = mget(r, "repeat", NULL);

	if (r->manifest == NULL) {
		fputs("<p class=\"note\">(no manifest.json)</p>\n", out);
		return;
	}
	fputs("<table class=\"summary\">\n", out);
	summary_row(out, r, "run", run, 4, ", profile ");
	if (json_is_integer(rep))
		fprintf(out, "<tr><th>repetitions</th><td>%lld</td></tr>\n",
			(long long)json_integer_value(rep));
	if (json_is_array(cl)) {
		fputs("<tr><th>command line</th><td><code>", out);
		sh_line(out, cl);
		fputs("</code></td></tr>\n", out);
	}
	summary_row(out, r, "host", host, 12, " · ");
	summary_row(out, r, "build", build, 4, " · ");
	summary_row(out, r, "when", when, 4, " to ");
	summary_row(out, r, "image", image, 4, " ");
	fputs("</table>\n", out);
}

/* A column whose filter is not the manifest's --seccomp as converted (a
 * runtime that cannot express all of it): its name and what differs. */
static void seccomp_note(FILE *out, json_t *sc)
{
	json_t *d;
	size_t i;

	if (!json_is_string(json_object_get(sc, "filter")))
		return;
	fputs(" <span class=\"note\">(seccomp filter ", out);
	H(out, json_string_value(json_object_get(sc, "filter")));
	fprintf(out, ": the rules of %zu calls left out (the default refuses them)",
		json_array_size(json_object_get(sc, "left_out")));
	json_array_foreach(json_object_get(sc, "differences"), i, d) {
		fputs("; ", out);
		H(out, json_is_string(d) ? json_string_value(d) : "?");
	}
	fputs(")</span>", out);
}

static void runtimes_table(FILE *out, const struct ob_results *r)
{
	json_t *mrts = json_object_get(r->manifest, "runtimes");

	fputs("<table class=\"runtimes\">\n<tr><th>runtime</th><th>version</th><th>command</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nrts; i++) {
		json_t *m = NULL, *e;
		size_t k;

		json_array_foreach(mrts, k, e) {
			const char *n = json_string_value(json_object_get(e, "name"));

			if (n && strcmp(n, r->rts[i].name) == 0)
				m = e;
		}
		fputs("<tr><td>", out);
		H(out, r->rts[i].name);
		fputs("</td><td>", out);
		H(out, r->rts[i].version ? r->rts[i].version : "?");
		fputs("</td><td>", out);
		runtime_cmd(out, r->rts[i].path, json_object_get(m, "args"));
		if (json_is_string(json_object_get(m, "hidden_mount"))) {
			fputs(" <span class=\"note\">(create runs without ", out);
			H(out, json_string_value(json_object_get(m, "hidden_mount")));
			fputs(")</span>", out);
		}
		seccomp_note(out, json_object_get(m, "seccomp"));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

void ob_html_run(FILE *out, const struct ob_results *r, const char *id, const char *title)
{
	fprintf(out, "<section id=\"%s\">\n<h2>", id);
	H(out, title);
	fputs("</h2>\n", out);
	manifest_summary(out, r);
	runtimes_table(out, r);
	if (r->manifest != NULL) {
		fputs("<details><summary>Everything in manifest.json</summary>\n", out);
		manifest_table(out, r);
		fputs("</details>\n", out);
	}
	fprintf(out, "<p>%zu run records from raw.jsonl", r->records);
	if (r->bad_lines > 0)
		fprintf(out, "; %zu unparsable line%s skipped (first: line %zu)", r->bad_lines,
			r->bad_lines > 1 ? "s" : "", r->first_bad);
	fputs(".</p>\n</section>\n", out);
}

/* ------------------------------------------------------ the main table */

/* The status class of a cell without a value: failed, timeout, unsupported. */
const char *ob_html_cell_class(const struct ob_results *r, size_t row, size_t rt)
{
	const struct ob_group *g = ob_results_group(r, row, rt);
	const struct ob_cell *c = ob_results_cell(r, row, rt);
	size_t bad;

	if (g == NULL)
		return "none";
	bad = g->total - g->ok;
	if (c != NULL && c->n > 0)
		return bad ? "partial" : "ok";
	if (bad == 0)
		return "none";
	return bad == g->timeout ? "timeout" : bad == g->unsupported ? "unsupported" : "failed";
}

/* A cell's statistics; -1 only when memory runs out. */
int ob_html_stats(const struct ob_results *r, size_t row, size_t rt, struct ob_stats *st)
{
	struct ob_error err;

	return ob_results_stats(r, row, rt, st, &err);
}

double ob_html_mean(const struct ob_results *r, long row, long rt)
{
	struct ob_stats st;

	if (row < 0 || rt < 0 || ob_html_stats(r, (size_t)row, (size_t)rt, &st) < 0 ||
	    st.n == 0)
		return NAN;
	return st.mean;
}

/* The column ratios are taken against: runc when there is one, else the first. */
static size_t base_col(const struct ob_results *r)
{
	long i = ob_results_runtime(r, "runc");

	return i < 0 ? 0 : (size_t)i;
}

static void results_table(FILE *out, const struct ob_results *r)
{
	size_t base = base_col(r);

	fputs("<section id=\"results\">\n<h2>Results</h2>\n<p>Laid out like the study's Table 3: "
	      "mean ± sample standard deviation over the runs of each cell, and beside it the "
	      "ratio to ",
	      out);
	H(out, r->nrts ? r->rts[base].name : "");
	fputs(". \"failed (k/n)\": k of n runs did not finish ok.</p>\n"
	      "<table id=\"results-table\">\n<tr><th>test</th>",
	      out);
	for (size_t c = 0; c < r->nrts; c++) {
		fputs("<th>", out);
		H(out, r->rts[c].label);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	for (size_t row = 0; row < r->nrows; row++) {
		double b = ob_html_mean(r, (long)row, (long)base);

		fputs("<tr><th>", out);
		H(out, r->rows[row].label);
		fputs("</th>", out);
		for (size_t c = 0; c < r->nrts; c++) {
			char text[128], rel[32];
			double m = ob_html_mean(r, (long)row, (long)c);

			ob_results_cell_text(r, row, c, text, sizeof(text));
			fprintf(out, "<td class=\"num %s\">", ob_html_cell_class(r, row, c));
			H(out, text);
			if (c != base && isfinite(m / b)) {
				ob_html_ratio(m / b, rel, sizeof(rel));
				fputs("<span class=\"rel\">", out);
				H(out, rel);
				fputs("</span>", out);
			}
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

/* ------------------------------------------------------------ the study */

/* The architecture a run was measured on (manifest host.arch, else the
 * build's), or NULL. */
const char *ob_html_arch(const struct ob_results *r)
{
	json_t *m = r->manifest;
	const char *a = json_string_value(json_object_get(json_object_get(m, "host"), "arch"));

	return a ? a : json_string_value(json_object_get(json_object_get(m, "build"), "arch"));
}

static int study_arch(const char *arch)
{
	return arch && (strcmp(arch, "x86_64") == 0 || strcmp(arch, "aarch64") == 0 ||
			strcmp(arch, "amd64") == 0 || strcmp(arch, "arm64") == 0);
}

void ob_html_study(FILE *out, const struct ob_results *r, const char *id)
{
	const char *arch = ob_html_arch(r);
	struct ob_study_cmp c;
	struct ob_error err = {0};

	fprintf(out, "<div class=\"study\" id=\"%s\">\n", id);
	if (!study_arch(arch)) {
		fputs("<p class=\"note\">The study measured x86_64 and aarch64; this run's "
		      "architecture is ",
		      out);
		H(out, arch ? arch : "not recorded");
		fputs(": no study ratios to compare with.</p>\n</div>\n", out);
		return;
	}
	if (ob_study_compare(r, arch, &c, &err) < 0) {
		fputs("<p class=\"note\">No comparison with the study: ", out);
		H(out, err.msg);
		fputs(".</p>\n</div>\n", out);
		ob_study_cmp_free(&c);
		return;
	}
	fputs("<p>This run (", out);
	H(out, arch);
	fputs(") against the study's table for the same architecture; ratio = runtime / ", out);
	H(out, r->rts[c.base].name);
	fprintf(out, ". %d of %d comparable cells point the same way as in the study (", c.same,
		c.comparable);
	H(out, OB_STUDY_RULE);
	fputs(").</p>\n", out);
	fputs("<table class=\"study-table\">\n<tr><th>test</th><th>runtime</th><th>mean here</th>"
	      "<th>ratio here</th><th>95 % CI</th><th>ratio in the study</th><th>same way</th></tr>\n",
	      out);
	for (size_t i = 0; i < c.n; i++) {
		const struct ob_study_cell *e = &c.cells[i];
		char a[32], b[32], ci[64], text[128];

		ob_results_cell_text(r, e->row, e->rt, text, sizeof(text));
		ob_html_ratio(e->here, a, sizeof(a));
		ob_html_ratio(e->there, b, sizeof(b));
		ob_study_interval_text(e, ci, sizeof(ci));
		fputs("<tr><td>", out);
		H(out, r->rows[e->row].label);
		fputs("</td><td>", out);
		H(out, r->rts[e->rt].name);
		fprintf(out, "</td><td class=\"num %s\">", ob_html_cell_class(r, e->row, e->rt));
		if (isnan(e->mean))
			H(out, text);
		else
			ob_html_num(out, e->mean, ob_results_row_ref(r, e->row));
		fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
			     "<td class=\"num\">%s</td><td class=\"%s\">%s</td></tr>\n",
			a, ci, b, e->same == 0 ? "same-no" : "", e->same == OB_STUDY_EMULATED ? "emulated" : e->same < 0 ? "-" : e->same ? "yes" : "NO");
	}
	fputs("</table>\n</div>\n", out);
	ob_study_cmp_free(&c);
}

/* ----------------------------------------------------------- the charts */


void ob_html_bar(const struct ob_results *r, long row, long rt, double base,
		   struct ob_svg_bar *b, struct ob_html_bar_text *t)
{
	struct ob_stats st = {0};

	memset(b, 0, sizeof(*b));
	b->mean = b->err = NAN;
	if (row < 0 || rt < 0 || ob_results_group(r, (size_t)row, (size_t)rt) == NULL) {
		b->note = "not run";
		return;
	}
	if (ob_html_stats(r, (size_t)row, (size_t)rt, &st) < 0 || st.n == 0) {
		ob_results_cell_text(r, (size_t)row, (size_t)rt, t->note, sizeof(t->note));
		b->note = t->note;
		return;
	}
	b->mean = st.mean;
	b->err = st.sd;
	ob_results_fmt(st.mean, ob_results_row_ref(r, (size_t)row), t->label, sizeof(t->label));
	b->label = t->label;
	if (isfinite(st.mean / base)) {
		ob_html_ratio(st.mean / base, t->sub, sizeof(t->sub));
		b->sub = t->sub;
	}
}

/* A chart with its caption; labels says what is written over the bars. */
void ob_html_chart(FILE *out, const struct ob_svg_chart *c, const char *slug,
			 const char *label, const char *labels)
{
	double span = ob_svg_span(c);

	fputs("<figure class=\"figure\" id=\"fig-", out);
	H(out, slug);
	fputs("\">\n<figcaption>", out);
	H(out, label);
	fputs("</figcaption>\n", out);
	ob_svg_bar_chart(out, c);
	fputs("<p class=\"note\">Error bars: sample standard deviation.  ", out);
	H(out, labels);
	if (span > OB_SVG_LOG_SPAN && isfinite(span))
		fprintf(out, "  The means span %.0fx: logarithmic scale.", span);
	fputs("</p>\n</figure>\n", out);
}

static void charts(FILE *out, const struct ob_results *r)
{
	size_t base = base_col(r), n = r->nrts ? r->nrts : 1;
	const char **names = calloc(n, sizeof(*names));
	struct ob_svg_bar *bars = calloc(n, sizeof(*bars));
	struct ob_html_bar_text *texts = calloc(n, sizeof(*texts));
	const char *one[] = {"this run"};
	char ratios[200];

	fputs("<section id=\"charts\">\n<h2>Charts</h2>\n", out);
	if (names == NULL || bars == NULL || texts == NULL) {
		fputs("<p>(out of memory)</p>\n", out);
		goto out;
	}
	for (size_t i = 0; i < r->nrts; i++)
		names[i] = r->rts[i].name;
	snprintf(ratios, sizeof(ratios), "Over each bar its mean and, below, its ratio to %s's.",
		 r->nrts ? r->rts[base].name : "");
	for (size_t row = 0; row < r->nrows; row++) {
		char id[200];
		double b = ob_html_mean(r, (long)row, (long)base);
		struct ob_svg_chart c = {id, r->rows[row].label, r->rows[row].def->unit, names,
					 r->nrts, one, 1, bars};

		snprintf(id, sizeof(id), "chart-%s", r->rows[row].slug);
		for (size_t i = 0; i < r->nrts; i++)
			ob_html_bar(r, (long)row, (long)i, i == base ? NAN : b, &bars[i], &texts[i]);
		ob_html_chart(out, &c, r->rows[row].slug, r->rows[row].label, ratios);
	}
out:
	fputs("</section>\n", out);
	free(names);
	free(bars);
	free(texts);
}

/* ------------------------------------------------------ the audit trail */

static void audit_group(FILE *out, const struct ob_results *r, const struct ob_group *g)
{
	json_t *a = g->audit;

	fputs("<tr><td>", out);
	H(out, g->test);
	if (g->variant) {
		fputc(' ', out);
		H(out, g->variant);
	}
	fputs("</td><td>", out);
	H(out, r->rts[g->rt].name);
	fputs("</td><td>", out);
	runtime_cmd(out, json_string_value(json_object_get(a, "runtime_path")),
		    json_object_get(a, "runtime_args"));
	fputs("</td><td>", out);
	if (json_is_array(json_object_get(a, "argv"))) {
		fputs("<code>", out);
		sh_line(out, json_object_get(a, "argv"));
		fputs("</code>", out);
	}
	if (json_object_size(json_object_get(a, "params")) > 0) {
		fputs("<br>record: ", out);
		pairs(out, json_object_get(a, "params"));
	}
	if (json_object_size(json_object_get(a, "net")) > 0) {
		fputs("<br>net: ", out);
		pairs(out, json_object_get(a, "net"));
	}
	fputs("</td><td>", out);
	if (json_is_string(json_object_get(a, "workload_command"))) {
		fputs("<code>", out);
		H(out, json_string_value(json_object_get(a, "workload_command")));
		fputs("</code> ", out);
	}
	pairs(out, json_object_get(a, "workload_params"));
	fprintf(out, "</td><td class=\"num\">%zu/%zu</td></tr>\n", g->ok, g->total);
}

void ob_html_audit(FILE *out, const struct ob_results *r, const char *id)
{
	json_t *wl = json_object_get(r->manifest, "workloads"), *cl;
	const char *k;
	json_t *v;

	fprintf(out, "<div class=\"audit\" id=\"%s\">\n", id);
	cl = json_object_get(r->manifest, "command_line");
	if (json_is_array(cl)) {
		fputs("<p>Command line of the run:</p>\n<pre class=\"cmdline\">", out);
		sh_line(out, cl);
		fputs("</pre>\n", out);
	}
	fputs("<p>Each test as it ran (its first record; the workload's effective parameters "
	      "as it reported them):</p>\n"
	      "<table class=\"audit-table\">\n<tr><th>test</th><th>runtime</th><th>runtime command"
	      "</th><th>workload command line</th><th>workload parameters</th><th>ok</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->ngroups; i++)
		audit_group(out, r, &r->groups[i]);
	fputs("</table>\n", out);
	if (json_object_size(wl) > 0) {
		fputs("<p>Workload binaries:</p>\n<table class=\"digests\">\n", out);
		json_object_foreach(wl, k, v) {
			fputs("<tr><td>", out);
			H(out, k);
			fputs("</td><td><code>", out);
			value(out, v);
			fputs("</code></td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("</div>\n", out);
}

/* ----------------------------------------------- details and failures */

static void detail_row(const char *const *cells, void *arg)
{
	FILE *out = arg;

	fputs("<tr>", out);
	for (int i = 0; i < OB_DETAIL_COLS; i++) {
		fputs(i < 2 ? "<td>" : "<td class=\"num\">", out);
		H(out, *cells[i] ? cells[i] : "-");
		fputs("</td>", out);
	}
	fputs("</tr>\n", out);
}

void ob_html_details(FILE *out, const struct ob_results *r)
{
	fputs("<table class=\"details\">\n<tr>", out);
	for (int i = 0; i < OB_DETAIL_COLS; i++) {
		fputs("<th>", out);
		H(out, ob_detail_head[i]);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	ob_results_details(r, detail_row, out);
	fputs("</table>\n", out);
}

void ob_html_failures(FILE *out, const struct ob_results *r, const char *id)
{
	fprintf(out, "<div class=\"failures\" id=\"%s\">\n", id);
	if (r->nfails == 0)
		fputs("<p>Every run finished ok.</p>\n", out);
	for (size_t i = 0; i < r->nfails; i++) {
		const struct ob_failure *f = &r->fails[i];
		const char *tail = f->stderr_tail;

		fputs("<h3 class=\"failure\">", out);
		H(out, r->rts[f->rt].name);
		fputs(", ", out);
		H(out, f->test);
		if (f->variant) {
			fputc(' ', out);
			H(out, f->variant);
		}
		fprintf(out, ", repetition %lld: ", f->repetition);
		H(out, f->status);
		if (f->exit_status >= 0)
			fprintf(out, ", exit status %lld", f->exit_status);
		fprintf(out, " <span class=\"note\">(raw.jsonl line %zu)</span></h3>\n", f->line);
		if (tail == NULL || *tail == '\0')
			continue;
		if (strlen(tail) > TAIL_MAX)
			tail += strlen(tail) - TAIL_MAX;
		fputs("<pre>", out);
		H(out, tail);
		fputs("</pre>\n", out);
	}
	fputs("</div>\n", out);
}

void ob_html_foot(FILE *out)
{
	fputs("<footer><p class=\"note\">Written by ocibench from raw.jsonl and manifest.json; "
	      "<code>ocibench report DIR</code> writes it again.</p></footer>\n</body>\n</html>\n",
	      out);
}

void ob_results_write_html(const struct ob_results *r, const char *dir, int incomplete, FILE *out)
{
	const char *runid = json_string_value(json_object_get(r->manifest, "run_id"));
	char title[512];

	snprintf(title, sizeof(title), "ocibench results %s", runid ? runid : dir);
	ob_html_head(out, title);
	fputs("<h1>ocibench results</h1>\n<p class=\"note\">", out);
	H(out, runid ? runid : dir);
	fputs("</p>\n", out);
	ob_html_banner(out, r, incomplete);
	ob_html_nav(out);
	ob_html_run(out, r, "run", "Run");
	results_table(out, r);
	charts(out, r);
	fputs("<section id=\"study\">\n<h2>Against the study</h2>\n", out);
	ob_html_study(out, r, "study-run");
	fputs("</section>\n", out);
	fputs("<section id=\"audit\">\n<h2>Audit trail</h2>\n", out);
	ob_html_audit(out, r, "audit-run");
	fputs("</section>\n<section id=\"details\">\n<h2>Details</h2>\n", out);
	ob_html_details(out, r);
	fputs("</section>\n<section id=\"failures\">\n<h2>Failures</h2>\n", out);
	ob_html_failures(out, r, "failures-run");
	fputs("</section>\n", out);
	ob_html_foot(out);
}
