/* results-md.c - report.md: run metadata, the study-style table, plots,
 * per-figure details and failures. */
#include "results-write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_MAX 2000 /* bytes of a stderr tail shown */

int ob_manifest_incomplete(json_t *m)
{
	const char *st = json_string_value(json_object_get(m, "status"));

	return json_is_true(json_object_get(m, "incomplete")) ||
	       (st != NULL && strcmp(st, "incomplete") == 0);
}

void ob_json_text(FILE *out, json_t *v, ob_text_fn esc)
{
	char *s;

	if (json_is_string(v)) {
		esc(out, json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s != NULL)
		esc(out, s);
	free(s);
}

/* A scalar as text (strings unquoted). */
static void md_scalar(FILE *out, json_t *v)
{
	ob_json_text(out, v, ob_md_text);
}

/* One metadata value: arrays of scalars joined by spaces (a command line),
 * objects as k=v pairs, anything deeper as compact JSON. */
static void md_value(FILE *out, json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;
	int first = 1;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i > 0)
				fputc(' ', out);
			md_value(out, e);
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			fputs(first ? "" : ", ", out);
			first = 0;
			ob_md_text(out, k);
			fputc('=', out);
			md_scalar(out, e);
		}
	} else {
		md_scalar(out, v);
	}
}

/* manifest.json as a key/value table; nested objects one level flattened
 * ("host.cpu"), arrays of objects one row per element ("runtimes[1]"). */
static void md_manifest(FILE *out, json_t *m)
{
	const char *k, *k2;
	json_t *v, *v2;
	size_t i;

	fputs("| item | value |\n|---|---|\n", out);
	json_object_foreach(m, k, v) {
		if (json_is_object(v)) {
			json_object_foreach(v, k2, v2) {
				fputs("| ", out);
				ob_md_text(out, k);
				fputc('.', out);
				ob_md_text(out, k2);
				fputs(" | ", out);
				md_value(out, v2);
				fputs(" |\n", out);
			}
		} else if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			json_array_foreach(v, i, v2) {
				fputs("| ", out);
				ob_md_text(out, k);
				fprintf(out, "[%zu] | ", i);
				md_value(out, v2);
				fputs(" |\n", out);
			}
		} else {
			fputs("| ", out);
			ob_md_text(out, k);
			fputs(" | ", out);
			md_value(out, v);
			fputs(" |\n", out);
		}
	}
}

static void md_runtimes(FILE *out, const struct ob_results *r)
{
	fputs("| runtime | version | path | accel |\n|---|---|---|---|\n", out);
	for (size_t i = 0; i < r->nrts; i++) {
		fputs("| ", out);
		ob_md_text(out, r->rts[i].name);
		fputs(" | ", out);
		ob_md_text(out, r->rts[i].version ? r->rts[i].version : "?");
		fputs(" | ", out);
		ob_md_text(out, r->rts[i].path ? r->rts[i].path : "");
		fputs(" | ", out);
		if (r->rts[i].platform) {
			ob_md_text(out, r->rts[i].platform);
			fputs(" (QEMU's user-mode emulator: emulated)", out);
		} else {
			ob_md_text(out, !r->rts[i].accel ? ""
					: strcmp(r->rts[i].accel, "tcg") == 0 ? "tcg (QEMU's software CPU: emulated)"
									      : r->rts[i].accel);
		}
		fputs(" |\n", out);
	}
}

static void md_plots(FILE *out, const struct ob_results *r, const struct ob_plots *p)
{
	fputs("\n## Plots\n\n", out);
	if (p->state != OB_PLOTS_RENDERED) {
		fprintf(out, "Plots %s: ", p->state == OB_PLOTS_FAILED ? "failed" : "skipped");
		ob_md_text(out, p->note);
		fputs(".\n", out);
		return;
	}
	fputs("Mean per runtime; error bars: sample standard deviation.\n", out);
	if (p->note[0]) { /* the figures that could not be drawn, and why */
		fputs("\n", out);
		ob_md_text(out, p->note);
		fputs(".\n", out);
	}
	for (size_t i = 0; i < r->nrows; i++) {
		if (!p->has[i])
			continue;
		fputs("\n### ", out);
		ob_md_text(out, r->rows[i].label);
		fputs("\n\n![", out);
		ob_md_text(out, r->rows[i].label);
		fprintf(out, "](plots/%s.svg)\n([PNG](plots/%s.png))\n", r->rows[i].slug,
			r->rows[i].slug);
	}
}

static void md_detail_row(const char *const *cells, void *arg)
{
	FILE *out = arg;

	for (int i = 0; i < OB_DETAIL_COLS; i++) {
		fputs(i ? " | " : "| ", out);
		ob_md_text(out, cells[i]);
	}
	fputs(" |\n", out);
}

static void md_details(FILE *out, const struct ob_results *r)
{
	fputs("\n## Details\n\n", out);
	md_detail_row(ob_detail_head, out);
	fputs("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", out);
	ob_results_details(r, md_detail_row, out);
}

static void md_failures(FILE *out, const struct ob_results *r)
{
	if (r->nfails == 0)
		return;
	fputs("\n## Failures\n", out);
	for (size_t i = 0; i < r->nfails; i++) {
		const struct ob_failure *f = &r->fails[i];
		const char *tail = f->stderr_tail;

		fputs("\n- **", out);
		ob_md_text(out, r->rts[f->rt].name);
		fputs("**, ", out);
		ob_md_text(out, f->test);
		if (f->variant) {
			fputc(' ', out);
			ob_md_text(out, f->variant);
		}
		fprintf(out, ", repetition %lld: ", f->repetition);
		ob_md_text(out, f->status);
		if (f->exit_status >= 0)
			fprintf(out, ", exit status %lld", f->exit_status);
		fprintf(out, " (raw.jsonl line %zu)\n", f->line);
		if (tail == NULL || *tail == '\0')
			continue;
		if (strlen(tail) > TAIL_MAX)
			tail += strlen(tail) - TAIL_MAX;
		/* indented code block: safe for any text, no fence to escape */
		fputs("\n", out);
		for (const char *p = tail; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			fprintf(out, "      %.*s\n", (int)len, p);
			p += len + (nl != NULL);
		}
	}
}

void ob_results_write_md(const struct ob_results *r, int incomplete, const struct ob_plots *p,
			 FILE *out)
{
	fputs("# ocibench results\n\n", out);
	if (incomplete || (r->manifest && ob_manifest_incomplete(r->manifest)))
		fputs("> **INCOMPLETE run**: the run was interrupted; the figures cover only the runs "
		      "that finished.\n\n",
		      out);
	fputs("## Run\n\n", out);
	if (r->manifest != NULL) {
		md_manifest(out, r->manifest);
		fputc('\n', out);
	} else {
		fputs("(no manifest.json)\n\n", out);
	}
	md_runtimes(out, r);
	fprintf(out, "\n%zu run records from raw.jsonl", r->records);
	if (r->bad_lines > 0)
		fprintf(out, "; %zu unparsable line%s skipped (first: line %zu)", r->bad_lines,
			r->bad_lines > 1 ? "s" : "", r->first_bad);
	fputs(".\n\n## Results\n\n"
	      "Laid out like the study's Table 3: mean ± sample standard deviation over the runs "
	      "of each cell; \"failed (k/n)\": k of n runs did not finish ok.\n\n",
	      out);
	ob_results_write_md_table(r, out);
	md_plots(out, r, p);
	md_details(out, r);
	md_failures(out, r);
}
