/* Unit tests of the results module: CSV fields, figure extraction from one
 * raw.jsonl record, parsing with a truncated line, cell texts. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "results-model.h"
#include "results-write.h"

static char *field(const char *s)
{
	static char buf[256];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");

	ob_csv_field(f, s);
	fclose(f);
	return buf;
}

static void test_csv_quoting(void **state)
{
	(void)state;
	assert_string_equal(field("runc"), "runc");
	assert_string_equal(field(""), "");
	assert_string_equal(field(NULL), "");
	assert_string_equal(field("a,b"), "\"a,b\"");
	assert_string_equal(field("say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_string_equal(field("two\nlines"), "\"two\nlines\"");
	assert_string_equal(field("cr\r"), "\"cr\r\"");
	assert_string_equal(field(" padded"), "\" padded\"");
	assert_string_equal(field("µs"), "µs");
	/* formulas: shown as text, never run by a spreadsheet */
	assert_string_equal(field("=HYPERLINK(\"http://e\")"), "\"'=HYPERLINK(\"\"http://e\"\")\"");
	assert_string_equal(field("+1"), "\"'+1\"");
	assert_string_equal(field("-2+3"), "\"'-2+3\"");
	assert_string_equal(field("@SUM(A1)"), "\"'@SUM(A1)\"");
	assert_string_equal(field("\t=1"), "\"'\t=1\"");
	assert_string_equal(field("a=b"), "a=b");
}

static char *tty(const char *s)
{
	static char buf[64];

	return (char *)ob_tty_text(s, buf, sizeof(buf));
}

static void test_tty_text(void **state)
{
	(void)state;
	assert_string_equal(tty("runc"), "runc");
	assert_string_equal(tty(""), "");
	assert_string_equal(tty("a\x1b]0;title\x07" "b"), "a?]0;title?b");
	assert_string_equal(tty("\x1b[2J\r\n\t\x7f"), "?[2J????");
	assert_string_equal(tty("c1 \xc2\x9b" "31m"), "c1 ?31m"); /* U+009B, CSI */
	assert_string_equal(tty("µs ± × é"), "µs ± × é");       /* printable UTF-8 stays */
	assert_string_equal(tty("0123456789012345678901234567890123456789012345678901234567890123456789"),
			    "012345678901234567890123456789012345678901234567890123456789012");
}

static void test_csv_split(void **state)
{
	char line[] = "a,\"b,c\",\"d\"\"e\",,f\n";
	char bad[] = "a,\"open";
	char *f[8];

	(void)state;
	assert_int_equal(ob_csv_split(line, f, 8), 5);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,c");
	assert_string_equal(f[2], "d\"e");
	assert_string_equal(f[3], "");
	assert_string_equal(f[4], "f");
	assert_int_equal(ob_csv_split(bad, f, 8), -1);
}

struct seen {
	const char *metric[16];
	double v[16];
	int n;
};

static void collect(const struct ob_figure_def *d, double v, void *arg)
{
	struct seen *s = arg;

	s->metric[s->n] = d->metric;
	s->v[s->n++] = v;
}

static struct seen extract(const char *text, int rows)
{
	struct seen s = {0};
	json_t *rec = json_loads(text, 0, NULL);

	assert_non_null(rec);
	if (rows)
		ob_figures_rows(rec, collect, &s);
	else
		ob_figures_extract(rec, collect, &s);
	json_decref(rec);
	return s;
}

static void test_extract_lifecycle(void **state)
{
	struct seen s = extract("{\"runtime\":\"runc\",\"test\":\"lifecycle\",\"status\":\"ok\","
				"\"phases_ms\":{\"create\":12.5,\"start\":3,\"wait\":1,\"delete\":7},"
				"\"first_instruction_ms\":1.5,\"workload\":null}",
				0);

	(void)state;
	assert_int_equal(s.n, 4);
	assert_string_equal(s.metric[0], "create");
	assert_true(fabs(s.v[0] - 0.0125) < 1e-12);
	assert_string_equal(s.metric[1], "start");
	assert_true(fabs(s.v[1] - 0.003) < 1e-12);
	assert_string_equal(s.metric[2], "delete");
	assert_string_equal(s.metric[3], "first_instruction");
	assert_true(fabs(s.v[3] - 0.0015) < 1e-12);
}

static void test_extract_workloads(void **state)
{
	struct seen s;

	(void)state;
	s = extract("{\"runtime\":\"runc\",\"test\":\"fileio\",\"variant\":\"seqwr\",\"status\":\"ok\","
		    "\"workload\":{\"total_time_s\":8.5,\"read_mib_per_s\":0,\"written_mib_per_s\":120.5}}",
		    0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.metric[0], "time");
	assert_true(s.v[0] == 8.5);
	assert_string_equal(s.metric[1], "mib_per_s");
	assert_true(s.v[1] == 120.5);
	/* a derived variant ("seqwr-bind") still has seqwr's figures */
	s = extract("{\"runtime\":\"runc\",\"test\":\"fileio\",\"variant\":\"seqwr-bind\",\"status\":\"ok\","
		    "\"workload\":{\"total_time_s\":1}}",
		    0);
	assert_int_equal(s.n, 1);
	/* a different mode does not */
	s = extract("{\"runtime\":\"runc\",\"test\":\"fileio\",\"variant\":\"seqwrite\",\"status\":\"ok\","
		    "\"workload\":{\"total_time_s\":1}}",
		    0);
	assert_int_equal(s.n, 0);
	s = extract("{\"runtime\":\"runc\",\"test\":\"syscall\",\"status\":\"ok\","
		    "\"workload\":{\"index\":164.4,\"lps\":246600}}",
		    0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.metric[0], "score");
	assert_string_equal(s.metric[1], "lps");
	/* net stream: Gbit/s only; rr: transactions and latency, no Gbit/s */
	s = extract("{\"runtime\":\"runc\",\"test\":\"net\",\"status\":\"ok\","
		    "\"workload\":{\"gbits_per_s\":31.2,\"params\":{\"mode\":\"stream\"}}}",
		    0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.metric[0], "bandwidth");
	s = extract("{\"runtime\":\"runc\",\"test\":\"net\",\"status\":\"ok\",\"workload\":{"
		    "\"gbits_per_s\":0.1,\"transactions_per_s\":9000,\"latency_us\":{\"avg\":55.5},"
		    "\"params\":{\"mode\":\"rr\"}}}",
		    0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.metric[0], "transactions_per_s");
	assert_string_equal(s.metric[1], "latency_avg");
	assert_true(s.v[1] == 55.5);
	/* a non-number or missing key is no figure */
	s = extract("{\"runtime\":\"runc\",\"test\":\"cpu\",\"status\":\"ok\","
		    "\"workload\":{\"total_time_s\":\"10\"}}",
		    0);
	assert_int_equal(s.n, 0);
}

static void test_extract_failed(void **state)
{
	const char *rec = "{\"runtime\":\"crun\",\"test\":\"cpu\",\"status\":\"failed\","
			  "\"workload\":{\"total_time_s\":1}}";
	struct seen s = extract(rec, 0);

	(void)state;
	assert_int_equal(s.n, 0); /* no values from a failed run ... */
	s = extract(rec, 1);
	assert_int_equal(s.n, 2); /* ... but its rows exist */
	assert_true(isnan(s.v[0]));
}

static const char raw[] =
	"{\"runtime\":\"runc\",\"test\":\"cpu\",\"status\":\"ok\",\"workload\":{\"total_time_s\":10}}\n"
	"\n"
	"not json\n"
	"{\"runtime\":\"crun\",\"test\":\"cpu\",\"status\":\"failed\",\"repetition\":1,"
	"\"exit_status\":1,\"stderr_tail\":\"boom\"}\n"
	"{\"runtime\":\"runc\",\"test\":\"cpu\",\"status\":\"ok\",\"workload\":{\"total_time_s\":12}}\n"
	"{\"runtime\":\"runc\",\"test\":\"lifecycle\",\"status\":\"ok\",\"phases_ms\":{\"create\":5}}\n"
	"{\"runtime\":\"crun\",\"test\":\"cpu\",\"status\":\"failed\",\"repetition\":2}\n"
	"{\"runtime\":\"runc\",\"test\":\"cpu\",\"sta";

static void test_parse(void **state)
{
	struct ob_results r;
	struct ob_error err;
	struct ob_stats st;
	char cell[128];
	long row, rt;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(ob_results_parse(raw, &r, &err), 0);
	assert_int_equal(r.records, 5);
	assert_int_equal(r.bad_lines, 2);
	assert_int_equal(r.first_bad, 3);
	assert_int_equal(r.nrts, 2);
	assert_string_equal(r.rts[0].name, "runc");
	assert_string_equal(r.rts[1].name, "crun");
	/* rows in report order: lifecycle create before CPU, extra rows last */
	assert_string_equal(r.rows[0].label, "create (s)");
	assert_string_equal(r.rows[1].label, "CPU (s)");
	assert_string_equal(r.rows[2].label, "CPU (events/s)");
	row = ob_results_row(&r, "cpu", NULL, "time");
	rt = ob_results_runtime(&r, "runc");
	assert_int_equal(row, 1);
	assert_int_equal(ob_results_stats(&r, (size_t)row, (size_t)rt, &st, &err), 0);
	assert_int_equal(st.n, 2);
	assert_true(st.mean == 11);
	ob_results_cell_text(&r, (size_t)row, (size_t)rt, cell, sizeof(cell));
	assert_string_equal(cell, "11.00 ± 1.41");
	ob_results_cell_text(&r, (size_t)row, 1, cell, sizeof(cell));
	assert_string_equal(cell, "failed (2/2)");
	ob_results_cell_text(&r, 0, 1, cell, sizeof(cell));
	assert_string_equal(cell, "-");
	assert_int_equal(r.nfails, 2);
	assert_string_equal(r.fails[0].stderr_tail, "boom");
	assert_int_equal(r.fails[0].line, 4);
	ob_results_free(&r);
}

static void test_fmt(void **state)
{
	char b[64];

	(void)state;
	ob_results_fmt(40.2966, 40.2966, b, sizeof(b));
	assert_string_equal(b, "40.30");
	ob_results_fmt(0.5132, 0.5132, b, sizeof(b));
	assert_string_equal(b, "0.5132");
	ob_results_fmt(0.0012, 0.5132, b, sizeof(b));
	assert_string_equal(b, "0.0012");
	ob_results_fmt(20480, 20480, b, sizeof(b));
	assert_string_equal(b, "20480");
	ob_results_fmt(NAN, 1, b, sizeof(b));
	assert_string_equal(b, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_split),
		cmocka_unit_test(test_tty_text),
		cmocka_unit_test(test_extract_lifecycle),
		cmocka_unit_test(test_extract_workloads),
		cmocka_unit_test(test_extract_failed),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
