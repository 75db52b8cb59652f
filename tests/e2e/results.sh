#!/bin/bash
# End-to-end checks of the results module on a hand-written results
# directory (tests/fixtures/results): summary.csv, report.md, plots, the
# terminal table, and the comparisons with the study and with another run.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
TOOL=$B/tests/unit/results-tool
D=$T_TMP/run
cp -r "$S/tests/fixtures/results" "$D"
chmod -R u+w "$D"

# value of column $3 for runtime $1, metric key $2 ("test/variant/metric")
csv() {
	awk -F, -v rt="$1" -v key="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == rt && $2 "/" $3 "/" $4 == key { print $c[col] }' "$D/summary.csv"
}

t_ok "report from the fixture" "$TOOL" report "$D"
cp "$T_TMP/out" "$T_TMP/report.out"
cp "$T_TMP/err" "$T_TMP/report.err"
t_ok "the truncated last line is skipped with one warning" \
	grep -q "1 unparsable line.*line 42" "$T_TMP/report.err"
t_ok "41 records read" grep -qx "41 records" "$T_TMP/report.out"
t_ok "no temporary file left" sh -c "[ -z \"\$(find '$D' -name '.*' -o -name '*.tmp*')\" ]"

t_eq "summary.csv header" "$(head -1 "$D/summary.csv")" \
	"runtime,test,variant,metric,unit,n,mean,sd,median,min,max,cv,ci95,runs,not_ok"
t_eq "runc create: n 3" "$(csv runc lifecycle//create n)" 3
t_eq "runc create: mean 0.012 s (ms -> s)" "$(csv runc lifecycle//create mean)" 0.012
t_eq "runc create: sd 0.002" "$(csv runc lifecycle//create sd)" 0.002
t_eq "runc cpu: mean 10.2, median 10.2" "$(csv runc cpu//time mean) $(csv runc cpu//time median)" "10.2 10.2"
t_eq "runc cpu: 95 % CI = t(2) sd / sqrt 3" "$(csv runc cpu//time ci95)" 0.496867642
t_eq "runsc seqrd: mean 7 over 2" "$(csv runsc fileio/seqrd/time n) $(csv runsc fileio/seqrd/time mean)" "2 7"
t_eq "crun seqrd: 0 ok of 2 runs" "$(csv crun fileio/seqrd/time n),$(csv crun fileio/seqrd/time mean),$(csv crun fileio/seqrd/time runs),$(csv crun fileio/seqrd/time not_ok)" "0,,2,2"
t_eq "runsc syscall: 2 ok, 1 timeout" "$(csv runsc syscall//score n) $(csv runsc syscall//score mean) $(csv runsc syscall//score not_ok)" "2 4.5 1"
t_eq "net stream Gbit/s, rr transactions/s" "$(csv runsc net/stream/bandwidth mean) $(csv runc net/rr/transactions_per_s mean)" "7.5 20000"
t_eq "one memory row only for runc (n 1, no sd)" "$(grep -c ',memory,' "$D/summary.csv") $(csv runc memory//time sd)" "2 "
t_eq "37 (runtime, figure) rows" "$(($(wc -l <"$D/summary.csv") - 1))" 37

R=$D/report.md
t_ok "report.md: table header with the runtimes in raw.jsonl order" grep -qx '| test | runc | crun | runsc |' "$R"
t_ok "report.md: study rows in the study's order" sh -c "grep -oE '^\\| (create|start|delete|CPU|memory|SeqRead|syscall score|network) \\(' '$R' | head -8 | tr -d '|(' | xargs | grep -qx 'create start delete CPU memory SeqRead syscall score network'"
t_ok "report.md: mean ± sd cells" grep -qF '| CPU (s) | 10.20 ± 0.20 | 10.10 ± 0.00 | 10.50 ± 0.00 |' "$R"
t_ok "report.md: the failed cell" grep -qF '| SeqRead (s) | 0.600 ± 0.141 | failed (2/2) | 7.000 ± 1.414 |' "$R"
t_ok "report.md: the extra rows" grep -qE '^\| start to first instruction \(s\) \| 0\.00150 ± 0\.00050 ' "$R"
t_ok "report.md: run metadata from manifest.json" sh -c "grep -qF 'host.kernel | 6.1.0-fixture' '$R' && grep -qF 'ocibench run --profile quick --repeat 3' '$R'"
t_ok "report.md: failures with their stderr tail" grep -qF 'No space left on device' "$R"
t_ok "report.md: not marked incomplete" sh -c "! grep -q INCOMPLETE '$R'"

if command -v gnuplot >/dev/null; then
	t_ok "plots rendered" grep -qx "plots: rendered" "$T_TMP/report.out"
	t_ok "an SVG and a PNG per figure" sh -c "[ \$(ls '$D/plots'/*.svg | wc -l) = 15 ] && [ \$(ls '$D/plots'/*.png | wc -l) = 15 ]"
	t_ok "the PNG is a PNG, the SVG an SVG" sh -c "file '$D/plots/cpu-time.png' | grep -q 'PNG image' && grep -q '<svg' '$D/plots/cpu-time.svg'"
	t_ok "report.md embeds the plots" grep -qF '![CPU (s)](plots/cpu-time.svg)' "$R"
else
	t_skip "plots rendered" "gnuplot not installed"
fi

rm -rf "$D/plots"
t_ok "report without gnuplot succeeds" env OB_GNUPLOT= "$TOOL" report "$D" --incomplete
cp "$T_TMP/out" "$T_TMP/noplot"
t_ok "... and says plots were skipped" grep -q "plots skipped" "$T_TMP/noplot"
t_ok "... report.md says so too, no plots dir" sh -c "grep -q '^Plots skipped' '$R' && [ ! -e '$D/plots' ]"
t_ok "--incomplete: INCOMPLETE banner" grep -q 'INCOMPLETE run' "$R"
jq '.incomplete = true' "$D/manifest.json" >"$T_TMP/m" && mv "$T_TMP/m" "$D/manifest.json"
t_ok "manifest incomplete: banner too" sh -c "OB_GNUPLOT= '$TOOL' report '$D' >/dev/null 2>&1 && grep -q 'INCOMPLETE run' '$R'"

t_ok "terminal table" "$TOOL" table "$D"
cp "$T_TMP/out" "$T_TMP/table"
t_ok "table: aligned rows with the same cells" grep -qE '^SeqRead \(s\) +0\.600 ± 0\.141 +failed \(2/2\) +7\.000 ± 1\.414$' "$T_TMP/table"

t_ok "compare with the study (x86_64)" "$TOOL" compare "$D" --study x86_64
cp "$T_TMP/out" "$T_TMP/cmp"
t_ok "compare: runsc syscall ratio 0.026 here, 0.024 in the study, same way" \
	grep -qE '^syscall score \(index\) +runsc +4\.5 +0\.026 +\[0\.006, 0\.116\] +0\.024 +yes$' "$T_TMP/cmp"
t_ok "compare: runsc create 9.167 [6.468, 12.992] here vs 0.832, not the same way" \
	grep -qE '^create \(s\) +runsc +0\.1100 +9\.167 +\[6\.468, 12\.992\] +0\.832 +NO$' "$T_TMP/cmp"
t_ok "compare: failed cell shown as such" grep -qE '^SeqRead \(s\) +crun +failed \(2/2\) +- +- +1\.038 +-$' "$T_TMP/cmp"
t_ok "compare: the count (crun create 0.667 [0.441, 1.009] counts as equal, the study's 0.896 does not)" grep -q '^8 of 13 comparable cells' "$T_TMP/cmp"
t_ok "compare with the study (aarch64): illegible cells are -" "$TOOL" compare "$D" --study aarch64
cp "$T_TMP/out" "$T_TMP/cmp64"
t_ok "aarch64: gVisor create has no study ratio" grep -qE '^create \(s\) +runsc +0\.1100 +9\.167 +\[6\.468, 12\.992\] +- +-$' "$T_TMP/cmp64"
t_ok "OB_STUDY_DIR overrides the data directory" sh -c "mkdir -p '$T_TMP/s' && sed 's/^cpu,40.2966/cpu,20.1483/' '$S/results/study-x86_64.csv' >'$T_TMP/s/study-x86_64.csv' && OB_STUDY_DIR='$T_TMP/s' '$TOOL' compare '$D' --study x86_64 | grep -qE '^CPU \\(s\\) +crun +10\\.10 +0\\.990 +\\[0\\.943, 1\\.040\\] +2\\.006 +NO\$'"
t_exit 2 "unknown study architecture" "$TOOL" compare "$D" --study mips
t_err_line "one line naming it" "mips"

B2=$T_TMP/run2
mkdir "$B2"
jq -cR 'fromjson? | if .runtime == "runc" and .test == "cpu" then .workload.total_time_s *= 2 else . end' \
	"$D/raw.jsonl" >"$B2/raw.jsonl"
t_ok "compare two runs" "$TOOL" compare "$D" "$B2"
cp "$T_TMP/out" "$T_TMP/cmp2"
t_ok "compare runs: runc CPU doubled" grep -qE '^CPU \(s\) +runc +10\.20 +20\.40 +2\.000$' "$T_TMP/cmp2"
t_ok "compare runs: crun CPU unchanged" grep -qE '^CPU \(s\) +crun +10\.10 +10\.10 +1\.000$' "$T_TMP/cmp2"

# ---- an emulated Kata column, and a figure gnuplot cannot draw ----------------
K=$T_TMP/kata
mkdir "$K"
jq -cR 'fromjson? | select(.runtime == "runc") | .,
	(.runtime = "kata" | .accel = "tcg" | (.phases_ms.create? //= 0) |
	 if .first_instruction_ms then .first_instruction_ms = -870 else . end)' \
	"$D/raw.jsonl" >"$K/raw.jsonl"
t_ok "report with a kata [tcg] column and a negative figure" "$TOOL" report "$K"
t_ok "the table heads the column kata [tcg]" grep -qF '| test | runc | kata [tcg] |' "$K/report.md"
t_ok "report.md names the accelerator as emulated" grep -qF "tcg (QEMU's software CPU: emulated)" "$K/report.md"
if command -v gnuplot >/dev/null; then
	t_ok "the other figures are drawn" test -s "$K/plots/cpu-time.svg" -a -s "$K/plots/lifecycle-create.png"
	t_ok "the negative one is not, and the report says why" \
		sh -c "[ ! -e '$K/plots/lifecycle-first_instruction.svg' ] && grep -q 'not plotted: lifecycle-first_instruction (a negative' '$K/report.md'"
fi
t_ok "compare --study with the tcg column" "$TOOL" compare "$K" --study x86_64
cp "$T_TMP/out" "$T_TMP/cmpk"
t_ok "compare: TCG cells are emulated, never ranked" \
	sh -c "grep -E '^create \(s\) +kata \[tcg\] .* emulated$' '$T_TMP/cmpk' && ! grep -E 'kata.*(yes|NO)$' '$T_TMP/cmpk' && grep -q '^0 of 0 comparable' '$T_TMP/cmpk'"

# ---- a foreign platform under QEMU's user-mode emulator (--platform) ---------
E=$T_TMP/emu
mkdir "$E"
jq -cR 'fromjson? | .platform = "linux/arm64/v8" | .emulated = true' "$D/raw.jsonl" >"$E/raw.jsonl"
t_ok "report of an emulated run" "$TOOL" report "$E"
t_ok "its columns say platform and emulated" grep -qF '| test | runc [linux/arm64/v8, emulated] |' "$E/report.md"
t_ok "its runtime table too" grep -qF "linux/arm64/v8 (QEMU's user-mode emulator: emulated)" "$E/report.md"
t_ok "compare native emulated" "$TOOL" compare "$D" "$E"
cp "$T_TMP/out" "$T_TMP/cmpe"
t_ok "compare: emulated cells have no ratio, and it says why" \
	sh -c "grep -qE '^CPU \(s\) +runc \[linux/arm64/v8, emulated\] +10\.20 +10\.20 +emulated$' '$T_TMP/cmpe' &&
	       ! grep -qE ' [0-9]+\.[0-9]{3}$' '$T_TMP/cmpe' && grep -q 'cells not ranked: a figure on an emulated CPU' '$T_TMP/cmpe'"
t_ok "compare --study of the emulated run" "$TOOL" compare "$E" --study x86_64
cp "$T_TMP/out" "$T_TMP/cmpes"
t_ok "compare --study: emulated, never ranked" \
	sh -c "grep -qE ' emulated$' '$T_TMP/cmpes' && ! grep -qE ' (yes|NO)$' '$T_TMP/cmpes' && grep -q '^0 of 0 comparable' '$T_TMP/cmpes'"

t_exit 1 "a directory without raw.jsonl" "$TOOL" report "$T_TMP/nowhere"
t_err_line "one line naming the file" "nowhere/raw.jsonl"
mkdir "$T_TMP/empty" && echo 'garbage' >"$T_TMP/empty/raw.jsonl"
t_exit 1 "raw.jsonl without records" "$TOOL" report "$T_TMP/empty"
t_ok "... and no half report" sh -c "[ ! -e '$T_TMP/empty/summary.csv' ] && [ ! -e '$T_TMP/empty/report.md' ]"
t_done
