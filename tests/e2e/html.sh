#!/bin/bash
# End-to-end checks of report.html and compare --html: the page written
# from the fixture results, escaped, opened in headless Chromium (the DOM
# it built, a screenshot, its network log), and the terminal side of the
# same work (--relative, the help's default column).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
OCIBENCH=$B/ocibench
D=$T_TMP/run
cp -r "$S/tests/fixtures/results" "$D"
chmod -R u+w "$D"
H=$D/report.html
# the figures of the fixture: one chart each (summary.csv has their rows)
NFIG=15


t_ok "report writes report.html" env OB_GNUPLOT= "$OCIBENCH" report "$D"
cp "$T_TMP/err" "$T_TMP/report.err"
t_ok "... and says where it is" grep -qxF "ocibench: the whole report, for a browser: $D/report.html" "$T_TMP/report.err"
t_ok "... a complete page" sh -c "head -1 '$H' | grep -qx '<!DOCTYPE html>' && tail -1 '$H' | grep -qx '</html>'"
t_eq "one chart per figure" "$(grep -c '<svg [^>]*class="chart"' "$H")" $NFIG
t_ok "the Table-3-style table, failed cell marked" grep -qE '<td class="num failed">failed \(2/2\)</td>' "$H"
t_ok "the study's ratios beside this machine's, with the interval (x86_64 fixture)" \
	grep -qE '<td>syscall score \(index\)</td><td>runsc</td>.*x0\.0265</td><td class="num">\[0\.006, 0\.116\]</td><td class="num">x0\.0243</td><td class="">yes' "$H"
t_ok "runsc's 38x syscall span is drawn on a log scale" \
	grep -qE '<svg [^>]*id="chart-syscall-score"[^>]*data-scale="log"' "$H"
t_ok "CPU (within 10 %) keeps a linear scale" grep -qE '<svg [^>]*id="chart-cpu-time"[^>]*data-scale="linear"' "$H"
t_ok "error bars" grep -q 'class="err"' "$H"
t_ok "audit trail: the run's exact command line" grep -qF '<pre class="cmdline">ocibench run --profile quick --repeat 3</pre>' "$H"
t_ok "audit trail: each test's workload parameters" grep -qE '<td>cpu</td><td>runc</td>.*cpu_max_prime=20000' "$H"
t_ok "failures with their stderr tail" grep -qF 'No space left on device' "$H"
t_ok "nothing to load: no script, no external URL, a CSP" \
	sh -c "! grep -qiE '<script|<link|<img|src=|url\\(|@import' '$H' && grep -qF \"default-src 'none'\" '$H' && ! grep -oE '(href|src)=\"[a-z]+:[^\"]*' '$H' | grep -q ."

# hostile strings in raw.jsonl come out as text
E=$T_TMP/evil
mkdir "$E"
jq -c 'if .runtime == "crun" then .runtime = "<script>alert(1)</script>" | .runtime_version = "\"><img src=x onerror=alert(2)>"
	else . end | if .stderr_tail then .stderr_tail = "</pre><script>alert(3)</script> & <b>" else . end' \
	<(head -41 "$D/raw.jsonl") >"$E/raw.jsonl"
t_ok "report from raw.jsonl with markup in its strings" env OB_GNUPLOT= "$OCIBENCH" report "$E"
t_ok "... escaped: no element made from data" sh -c "! grep -qiE '<script|<img|<b>' '$E/report.html'"
t_ok "... and shown as text" sh -c "grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' '$E/report.html' && grep -qF '&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt; &amp; &lt;b&gt;' '$E/report.html'"

# two runs side by side
B2=$T_TMP/run2
mkdir "$B2"
jq -cR 'fromjson? | if .runtime == "runc" and .test == "cpu" then .workload.total_time_s *= 2 else . end' \
	"$D/raw.jsonl" >"$B2/raw.jsonl"
jq '.host.arch = "aarch64"' "$D/manifest.json" >"$B2/manifest.json"
C=$T_TMP/pages/compare.html
mkdir -p "$T_TMP/pages"
t_ok "compare A B --html OUT" "$OCIBENCH" compare "$D" "$B2" --html "$C"
cp "$T_TMP/out" "$T_TMP/cmp"
t_ok "... still prints the table" grep -qE '^CPU \(s\) +runc +10\.20 +20\.40 +2\.000$' "$T_TMP/cmp"
t_eq "... a chart per figure, A and B bars side by side" \
	"$(grep -c '<svg [^>]*class="chart"' "$C") $(grep -c '<text class="legend"[^>]*>B</text>' "$C")" "$NFIG $NFIG"
t_ok "... runc CPU doubled: B / A x2.00" grep -qE '<th>CPU \(s\)</th><td>runc</td>.*<td class="num">x2\.00</td></tr>' "$C"
t_ok "... each run against its own architecture's study table" \
	sh -c "grep -q 'This run (x86_64)' '$C' && grep -q 'This run (aarch64)' '$C'"
t_ok "compare --html - writes the page to stdout" sh -c "'$OCIBENCH' compare '$D' '$B2' --html - | tail -1 | grep -qx '</html>'"
t_exit 2 "--html without two runs" "$OCIBENCH" compare "$D" --study x86_64 --html "$C"
t_err_line "... one line" "html"
t_exit 1 "--html into a missing directory" "$OCIBENCH" compare "$D" "$B2" --html "$T_TMP/nowhere/x.html"
t_err_line "... one line naming it" "nowhere"
t_ok "... and no file left" sh -c "[ ! -e '$T_TMP/nowhere' ]"

# the terminal
t_ok "report --relative" env OB_GNUPLOT= "$OCIBENCH" report "$D" --relative
cp "$T_TMP/out" "$T_TMP/rel"
t_ok "... marks each mean against the first column" \
	grep -qE '^create \(s\) +0\.0120 ± 0\.0020 +0\.0080 ± 0\.0000 x0\.667 +0\.1100 ± 0\.0100 x9\.17$' "$T_TMP/rel"
t_ok "... cells without a value stay unmarked" grep -qE '^SeqRead \(s\) +0\.600 ± 0\.141 +failed \(2/2\) +7\.000 ± 1\.414 x11\.7$' "$T_TMP/rel"
t_ok "without it, no marks" sh -c "OB_GNUPLOT= '$OCIBENCH' report '$D' 2>/dev/null | grep -E '^create' | grep -qv ' x[0-9]'"
t_ok "--help" "$OCIBENCH" --help
cp "$T_TMP/out" "$T_TMP/help"
t_ok "... each default in a column of its own" sh -c "
	grep -qE '^  option +default +meaning$' '$T_TMP/help' &&
	grep -qE '^  --profile +quick +parameters' '$T_TMP/help' &&
	grep -qE '^  --repeat +the profile.s +repetitions' '$T_TMP/help' &&
	grep -qE '^  --relative +off +' '$T_TMP/help' &&
	[ \$(grep -E '^  --(profile|repeat|tests|timeout|relative) ' '$T_TMP/help' | sed -E 's/^(  --[a-z-]+ +).*/\\1/' | awk '{ print length }' | sort -u | wc -l) = 1 ]"

# in a real browser
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	t_skip "pages in headless Chromium" "chromium is not installed"
	t_done
	exit
fi
# chrome PAGE ARGS...: one headless Chromium with a fresh profile and its
# network log in $T_TMP/net.json.  No host name resolves: what the browser
# asks of its own services (update checks, accounts) goes nowhere.
chrome() {
	local page=$1; shift
	rm -rf "$T_TMP/profile" "$T_TMP/net.json"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --disable-features=NetworkTimeServiceQuerying \
		--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$T_TMP/profile" \
		--log-net-log="$T_TMP/net.json" --hide-scrollbars "$@" "file://$page"
}
# The URLs the page asked for: network requests not started by the browser
# itself (whose initiator is "not an origin").
requests() {
	jq -r --argjson start "$(jq '.constants.logEventTypes.URL_REQUEST_START_JOB' "$T_TMP/net.json")" \
		'.events[] | select(.type == $start and .params.url != null and .params.initiator != "not an origin")
		| .params.url' \
		"$T_TMP/net.json" | sort -u
}

t_ok "report.html: Chromium builds its DOM" chrome "$H" --dump-dom
cp "$T_TMP/out" "$T_TMP/dom"
t_ok "... the table" grep -q 'id="results-table"' "$T_TMP/dom"
t_eq "... every chart, drawn as SVG" "$(grep -o '<svg [^>]*class="chart"' "$T_TMP/dom" | wc -l)" $NFIG
t_eq "... every bar of the fixture's cells (ok cells)" "$(grep -o '<rect [^>]*><title>' "$T_TMP/dom" | wc -l)" 35
t_ok "... the log is Chromium's network log" jq -e '.constants.logEventTypes.URL_REQUEST_START_JOB > 0' "$T_TMP/net.json"
t_eq "... and no request left the file" "$(requests | tr '\n' ' ')" ""

# (the page holds no script and its policy forbids any: what renders here
# is what a reader without JavaScript sees)
t_ok "report.html: a screenshot" chrome "$H" --window-size=1200,2400 --screenshot="$T_TMP/shot.png"
printf '<!DOCTYPE html><title>blank</title>' >"$T_TMP/blank.html"
t_ok "a blank page's screenshot, for scale" chrome "$T_TMP/blank.html" --window-size=1200,2400 --screenshot="$T_TMP/blank.png"
t_ok "... a 1200x2400 PNG" sh -c "file '$T_TMP/shot.png' | grep -q 'PNG image data, 1200 x 2400'"
t_ok "... with far more drawn than on a blank page" \
	sh -c "[ \$(stat -c %s '$T_TMP/shot.png') -gt \$((10 * \$(stat -c %s '$T_TMP/blank.png'))) ]"
t_eq "... and no request" "$(requests | tr '\n' ' ')" ""

t_ok "compare page: Chromium builds its DOM" chrome "$C" --dump-dom
t_eq "... every chart" "$(grep -o '<svg [^>]*class="chart"' "$T_TMP/out" | wc -l)" $NFIG
t_eq "... and no request" "$(requests | tr '\n' ' ')" ""

# the check itself: a page that does load something is caught
sed -e '/Content-Security-Policy/d' -e 's|<h1>|<img alt="" src="http://127.0.0.1:9/probe.png"><h1>|' "$H" >"$T_TMP/leak.html"
t_ok "a page with a remote image" chrome "$T_TMP/leak.html" --dump-dom
t_eq "... is caught by the network log" "$(requests | tr '\n' ' ')" "http://127.0.0.1:9/probe.png "
t_done
