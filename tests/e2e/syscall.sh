#!/bin/bash
# End-to-end checks of ocibench-syscall: UnixBench v6 syscall counting,
# lps/index arithmetic, every mode, JSON schema, errors.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
SYS=$B/ocibench-syscall

t_static syscall

t_ok "mix run (json, 20 events)" W syscall --events=20 --time=0 --format=json
cp "$T_TMP/out" "$T_TMP/mix.json"
t_schema syscall "$T_TMP/mix.json" lps index iterations
t_jq "mix is the default, 1000 iterations per event" \
	'.params.mode == "mix" and .params.syscall_batch == 1000' "$T_TMP/mix.json"
t_jq "iterations == events x batch" '.events == 20 and .iterations == 20000' "$T_TMP/mix.json"
t_jq "lps > 0 and lps == iterations / total time" \
	'.lps > 0 and ((.lps - .iterations / .total_time_s) | fabs) < 1e-6 * .lps' "$T_TMP/mix.json"
t_jq "index == lps / 15000 x 10" '((.index - .lps / 15000 * 10) | fabs) < 1e-9 * .index' "$T_TMP/mix.json"

t_ok "2 parallel copies, batch 7" W syscall --threads=2 --syscall-batch=7 --events=10 --time=0 --format=json
t_jq "iterations == events x batch with threads" '.events == 10 and .iterations == 70 and .params.syscall_batch == 7' "$T_TMP/out"

for mode in close getpid; do
	t_ok "$mode mode runs" W syscall --mode=$mode --events=5 --time=0 --format=json
	t_jq "$mode: 5000 iterations" ".params.mode == \"$mode\" and .iterations == 5000 and .lps > 0" "$T_TMP/out"
done
t_ok77 "exec mode runs (fork + exec of itself)" W syscall --mode=exec --events=3 --time=0 --format=json
if jq -e '.status == "unsupported"' "$T_TMP/out" >/dev/null 2>&1; then
	t_skip "exec: one iteration per event" "exec mode unsupported here"
else
	t_jq "exec: one iteration per event" '.params.syscall_batch == 1 and .iterations == 3 and .lps > 0' "$T_TMP/out"
fi
t_ok "the exec target exits 0 at once" W syscall --exit-now

# The kernel is entered exactly as often as the loop says: counted from
# outside (strace, or the emulator's log), two runs of E and 2E events, so
# that start-up calls cancel out: per iteration 5 entries in mix (dup, close,
# getpid, getuid, umask), 2 in close (dup, close), 1 in getpid.
# (32-bit ARM's getuid is getuid32: the same entry under another name)
calls_of() { awk -v n="$2" '$2 == n || $2 == n "32" { c += $1 } END { print c + 0 }' "$1"; }
calls_all() { awk '{ c += $1 } END { print c + 0 }' "$1"; }
E=10 BATCH=100
slack=0
[ -n "${OB_EMU:-}" ] && slack=2
for spec in "mix:dup close getpid getuid umask" "close:dup close" "getpid:getpid"; do
	mode=${spec%%:*} names=${spec#*:}
	per=$(echo "$names" | wc -w)
	t_syscalls "$T_TMP/c1" "$B/ocibench-syscall" --mode=$mode --events=$E --syscall-batch=$BATCH --time=0 --format=json
	t_syscalls "$T_TMP/c2" "$B/ocibench-syscall" --mode=$mode --events=$((2 * E)) --syscall-batch=$BATCH --time=0 --format=json
	if [ ! -s "$T_TMP/c1" ] || [ ! -s "$T_TMP/c2" ]; then
		t_result 1 "$mode: system calls counted from outside (no count: is strace installed?)"
		continue
	fi
	ok=0
	for n in $names; do
		d=$(( $(calls_of "$T_TMP/c2" $n) - $(calls_of "$T_TMP/c1" $n) ))
		echo "# $mode: $n $(calls_of "$T_TMP/c1" $n) for $E events, $(calls_of "$T_TMP/c2" $n) for $((2 * E))"
		# exact from the kernel's tracer; an emulator's log, written line by
		# line beside the program's own stderr, may lose a line or two (a
		# faked loop is 1000 calls short, not 1)
		[ $((d - E * BATCH)) -le $slack ] && [ $((E * BATCH - d)) -le $slack ] ||
			{ echo "# $mode: $d more $n calls for $E more events of $BATCH, expected $((E * BATCH))"; ok=1; }
	done
	# nothing else grows with the iterations: the total grows by per x E x
	# BATCH, give or take a few calls per event (an emulator has no vDSO: its
	# two clock reads per event are system calls)
	d=$(( $(calls_all "$T_TMP/c2") - $(calls_all "$T_TMP/c1") ))
	echo "# $mode: $d more system calls in all, expected $((per * E * BATCH)) ($per per iteration)"
	[ $((d - per * E * BATCH)) -le $((4 * E)) ] && [ $((per * E * BATCH - d)) -le $((4 * E)) ] || ok=1
	[ "$(calls_of "$T_TMP/c1" getpid)" -ge $((E * BATCH - slack)) ] || [ "$mode" = close ] || ok=1
	t_result $ok "$mode: $per kernel entries per iteration, counted from outside"
done

t_ok "--time ends the run (default time is 10)" W syscall --time=1 --format=json
t_jq "time-limited run" '.total_time_s >= 1 and .total_time_s < 3 and .iterations > 0' "$T_TMP/out"
t_ok "default --time is 10 (help's default column)" sh -c "${OB_EMU:-} '$SYS' --help | grep -qE -- '^  --time +10 '"

t_ok "text report resembles UnixBench's index line" W syscall --events=3 --time=0
cp "$T_TMP/out" "$T_TMP/sys.txt"
t_ok "text report has the index line and the general block" sh -c \
	"grep -Eq '^System Call Overhead +15000.0 +[0-9.]+ +[0-9.]+$' '$T_TMP/sys.txt' && grep -q 'General statistics:' '$T_TMP/sys.txt'"

t_exit 2 "unknown mode is rejected" W syscall --mode=fork
t_err_line "one line naming the mode" "'fork' for --mode"
t_exit 2 "negative batch is rejected" W syscall --syscall-batch=-1
t_err_line "one line naming the batch" "'-1' for --syscall-batch"
t_exit 2 "bad --time is rejected" W syscall --time=ten
t_err_line "one line naming the time" "'ten'"
t_exit 0 "--help exits 0" W syscall --help
t_done
