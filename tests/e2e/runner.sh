#!/bin/bash
# End-to-end checks of the runner (ocibench) under runc, crun and runsc:
# bad input, `ocibench runtimes`, a tiny matrix, an interrupted run, and the
# clean-up of a SIGKILLed run's leftovers.  Needs root and the Debian
# packages runc, crun, runsc (installed by ./quickstart test, never here).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
RTS=runc,crun,runsc
# private state and bundle dirs: the tests never see or touch other runs
t_runner_env "runner tests" runc crun runsc

# The rootfs: the image this build made (it holds the shared libraries of a
# sanitizer build's workloads), else the developers' --rootfs-from with the
# built workloads.
if [ -f "$B/containers/oci/index.json" ]; then
	SRC=()
else
	echo "# no image module in this build: rootfs copied from the built workloads (--rootfs-from)"
	mkdir -p "$T_TMP/rootfs/bin"
	cp "$B"/ocibench-cpu "$B"/ocibench-memory "$B"/ocibench-fileio "$B"/ocibench-syscall \
		"$T_TMP/rootfs/bin/" 2>/dev/null
	SRC=(--rootfs-from="$T_TMP/rootfs")
fi
# Every workload the build makes is tested; one missing is a failure.
TESTS=lifecycle,cpu,memory,fileio,syscall
for w in cpu memory fileio syscall; do
	[ -x "$B/ocibench-$w" ] || { echo "Bail out! ocibench-$w is missing from this build"; exit 99; }
done

# ---- bad input: one line, exit 2, no results directory -----------------------
bad() { # desc word args...
	local desc=$1 word=$2; shift 2
	t_exit 2 "$desc" OB "${SRC[@]}" --out="$T_TMP/never" "$@"
	t_err_line "$desc: one line naming '$word'" "$word"
}
bad "unknown runtime" nosuch --runtimes=runc,nosuch
bad "unknown test" nosuchtest --tests=cpu,nosuchtest
bad "bad repeat" abc --repeat=abc
bad "zero repeat" "'0'" --repeat=0
bad "bad timeout" "\-5" --timeout=-5
bad "unknown profile" huge --profile=huge
bad "bad --runtime definition" noequals --runtime=noequals
bad "unknown option" frobnicate --frobnicate
bad "unknown command" dance dance
bad "missing rootfs dir" /nonexistent --rootfs-from=/nonexistent
# an image without the host's platform is refused before anything is made
case $(uname -m) in aarch64) other=amd64 ;; *) other=arm64 ;; esac
bash "$S/containers/build-image" "$other" "$T_TMP/foreign" "$B/ocibench-cpu" >/dev/null
t_exit 77 "an image for another platform is refused" OB --image="$T_TMP/foreign/oci" --tests=cpu \
	--runtimes=runc --out="$T_TMP/never"
t_err_line "one line naming the platforms" "has linux/$other\(/v[0-9]\)\? only"
t_ok "no results directory was created" test ! -e "$T_TMP/never" -a ! -e "$T_TMP/results"
t_exit 2 "report of a directory without results" OB report "$T_TMP/nothing"
t_err_line "report: one line" nothing

# ---- ocibench runtimes --------------------------------------------------------
t_ok "ocibench runtimes" OB runtimes
cp "$T_TMP/out" "$T_TMP/rts"
for r in runc crun runsc; do
	t_ok "$r listed as ok with a version" grep -Eq "^$r +ok +[0-9]" "$T_TMP/rts"
done
for r in kata kata-virtiofs rune; do
	t_ok "$r listed: ok, or missing/unusable with a reason" \
		grep -Eq "^$r +(ok +[0-9]|missing .*PATH|unusable .*(KVM|kata-config))" "$T_TMP/rts"
done
t_ok "a --runtime column is listed" OB runtimes --runtime=runsc-b=runsc,--platform=ptrace
cp "$T_TMP/out" "$T_TMP/rts2"
t_ok "runsc-b is runsc with its flag" grep -Eq '^runsc-b +ok .*--platform=ptrace' "$T_TMP/rts2"

# ---- a small matrix under runc, crun, runsc -----------------------------------
R=$T_TMP/res
t_ok "smoke matrix under $RTS ($TESTS)" OB "${SRC[@]}" --profile=smoke --runtimes=$RTS --tests=$TESTS --timeout=60 --out="$R" --relative
cp "$T_TMP/out" "$T_TMP/smoke.out"
t_ok "--relative: the end-of-run table marks each mean against the first column" \
	grep -qE '^create \(s\) +[0-9.]+ +[0-9.]+ x[0-9.]+ +[0-9.]+ x[0-9.]+$' "$T_TMP/smoke.out"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
cells=0
for t in ${TESTS//,/ }; do if [ "$t" = fileio ]; then cells=$((cells + 12)); else cells=$((cells + 3)); fi; done
t_ok "one raw.jsonl line per cell ($cells)" test "$(wc -l <"$R/raw.jsonl")" = "$cells"
t_jq "every cell ok with exit status 0" 'all(.status == "ok" and .exit_status == 0)' "$T_TMP/all.json"
t_jq "positive create/start/delete times, wait >= 0" \
	'all(.phases_ms | .create > 0 and .start > 0 and .delete > 0 and .wait >= 0)' "$T_TMP/all.json"
t_jq "record keys as in results.h" 'all(has("run_id") and has("runtime_path") and has("runtime_args")
	and has("runtime_version") and has("variant") and has("repetition") and has("first_instruction_ms")
	and has("workload") and has("stderr_tail") and has("started_at"))' "$T_TMP/all.json"
t_jq "each record holds the workload's command line as config.json gave it (argv)" \
	'all(.test == "net" or ((.argv | type) == "array" and (.argv[0] | test("ocibench-[a-z]+$"))
	 and (.argv | index("--format=json")) != null))' "$T_TMP/all.json"
jq 'map(select(.test == "cpu" and .runtime == "runc"))[0]' "$T_TMP/all.json" >"$T_TMP/record.json"
t_snapshot raw-record "$T_TMP/record.json" workload
t_jq "lifecycle: start to first instruction measured" \
	'map(select(.test == "lifecycle")) | length == 3 and all(.first_instruction_ms > 0)' "$T_TMP/all.json"
t_jq "manifest: complete, runtimes, host, build, workload hashes" \
	'.incomplete == false and (.runtimes | length) == 3 and (.host.kernel | length) > 0
	 and (.build.arch | length) > 0 and (.build.compiler | length) > 0 and (.build.cross_compiled | type) == "boolean"
	 and (.workloads["ocibench-cpu"] | test("^[0-9a-f]{64}$")) and .ended_at != null' "$R/manifest.json"
case ,$TESTS, in
*,syscall,*)
	t_jq "syscall under runsc well below runc (it ran in gVisor)" \
		'(map(select(.test == "syscall" and .runtime == "runsc"))[0].workload.lps) * 5
		 < (map(select(.test == "syscall" and .runtime == "runc"))[0].workload.lps)' "$T_TMP/all.json" ;;
esac
case ,$TESTS, in
*,fileio,*)
	t_jq "fileio: the four modes, each under every runtime" \
		'[.[] | select(.test == "fileio") | .variant] | sort == (["rndrd","rndwr","seqrd","seqwr"] | map(., ., .) | sort)' "$T_TMP/all.json" ;;
esac
if "$OCIBENCH" --version | grep -q 'results module: yes'; then
	t_ok "summary.csv and report.md written" test -s "$R/summary.csv" -a -s "$R/report.md"
fi
t_ok "report.html: the audit trail shows each workload's command line" \
	grep -qE '<td>lifecycle</td><td>runc</td>.*<code>[^<]*ocibench-cpu [^<]*--format=json' "$R/report.html"

no_leftovers() { # desc
	local n=0
	for r in runc crun runsc; do
		[ -d "$ST/root/$r" ] || continue
		n=$((n + $($r --root "$ST/root/$r" list --quiet 2>/dev/null | grep -c '^ocibench-')))
	done
	n=$((n + $(grep -c " $BD" /proc/self/mountinfo)))
	n=$((n + $(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null | wc -l)))
	[ "$n" = 0 ]
}
t_ok "no container, mount or bundle after the matrix" no_leftovers

# ---- failures mark their cell and the suite goes on ----------------------------
t_exit 1 "a runtime that fails: exit 1" OB "${SRC[@]}" --profile=smoke --runtime=broken=/bin/false \
	--runtimes=broken,runc --tests=lifecycle --out="$T_TMP/res-fail"
jq -s . "$T_TMP/res-fail/raw.jsonl" >"$T_TMP/fail.json"
t_jq "its cell failed with the step in stderr_tail, runc's cell ok" \
	'length == 2 and (.[0] | .runtime == "broken" and .status == "failed" and (.stderr_tail | startswith("create")))
	 and (.[1] | .runtime == "runc" and .status == "ok")' "$T_TMP/fail.json"
case ,$TESTS, in
*,syscall,*)
	t_exit 1 "a cell over --timeout: exit 1" OB "${SRC[@]}" --profile=smoke --tests=syscall \
		--runtimes=runsc,runc --timeout=1 --out="$T_TMP/res-to"
	jq -s . "$T_TMP/res-to/raw.jsonl" >"$T_TMP/to.json"
	t_jq "both cells marked timeout" 'length == 2 and all(.status == "timeout")' "$T_TMP/to.json" ;;
esac
t_ok "no container, mount or bundle after failures" no_leftovers

# ---- SIGINT mid-run -----------------------------------------------------------
wait_for() { # seconds cmd...: poll until cmd succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
has_lines() { [ -s "$1" ]; }
R2=$T_TMP/res-int
# (the binary itself in the background, so that $! is its pid)
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" "${SRC[@]}" --profile=smoke --runtimes=runc,runsc --tests=cpu,lifecycle --repeat=50 --out="$R2" >/dev/null 2>"$T_TMP/int.err" &
pid=$!
wait_for 30 has_lines "$R2/raw.jsonl"
kill -INT $pid
wait $pid
rc=$?
t_ok "SIGINT: exit status 130 (was $rc)" test $rc = 130
t_jq "SIGINT: results marked incomplete" '.incomplete == true' "$R2/manifest.json"
t_ok "SIGINT: the runs so far are kept" test -s "$R2/raw.jsonl"
t_ok "SIGINT: no container, mount or bundle left" no_leftovers

# ---- SIGKILL mid-run, cleaned by the next run ----------------------------------
# Killed while a container runs (syscall runs 1 s when it is built): the
# container, the bundle dir and the state file stay behind.
KT=cpu; case ,$TESTS, in *,syscall,*) KT=syscall ;; esac
running() { runsc --root "$ST/root/runsc" list 2>/dev/null | grep -q '^ocibench-.* running '; }
leftovers() { ! no_leftovers; }
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" "${SRC[@]}" --profile=smoke --runtimes=runsc --tests=$KT --repeat=50 --out="$T_TMP/res-kill" >/dev/null 2>&1 &
pid=$!
wait_for 30 running
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "SIGKILL leaves leftovers behind" leftovers
t_ok "the next run succeeds" OB "${SRC[@]}" --profile=smoke --runtimes=runc --tests=lifecycle --out="$T_TMP/res-next"
cp "$T_TMP/err" "$T_TMP/next.err"
t_ok "it reports the leftovers it removed" grep -q 'removed leftover' "$T_TMP/next.err"
t_ok "no container, mount or bundle left after it" no_leftovers
t_ok "ocibench cleanup finds nothing more" OB cleanup
cat "$T_TMP/out" "$T_TMP/err" >"$T_TMP/cleanup"
# 0 items; or, on a machine where other runs were killed, only the
# host-wide leftovers of those (engine daemons, podman's and containerd's
# run state, Kata's), never anything of this test's directories
t_ok "cleanup says 0 items (or names only other runs' host-wide leftovers)" sh -c "
	grep -q ' 0 leftover items' '$T_TMP/cleanup' ||
	! grep -v -e ' leftover items\? removed' -e 'engine processes' -e podman -e 'CNI result' \
		-e 'containerd' -e \"Kata's leftover state\" '$T_TMP/cleanup' | grep -q ."

t_done
