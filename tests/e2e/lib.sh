# tests/e2e/lib.sh - tiny TAP helpers for the end-to-end tests (sourced).
#
#   t_ok DESC CMD...          passes when CMD exits 0
#   t_exit CODE DESC CMD...   passes when CMD exits with CODE
#   t_jq DESC FILTER FILE     passes when jq -e FILTER FILE is true
#   t_ok77 DESC CMD...        like t_ok, but exit 77 is reported as a skip
#   t_static NAME             the workload binary is statically linked
#   t_schema NAME FILE KEY... FILE holds NAME's result with the common keys and KEYs
#   t_eq DESC GOT WANT        passes when the strings GOT and WANT are equal
#   t_skip DESC REASON        a skipped test
#   t_scaling DESC MIN CMD1 CMD2  CMD2 (twice CMD1's work) takes at least MIN
#                             times CMD1's CPU time, best of 3 each
#   t_syscalls FILE CMD...    counts CMD's system calls by name into FILE
#                             ("count name" lines), from outside the program
#   t_snapshot NAME FILE [KEY]  FILE's keys and types (and schema value) are
#                             tests/fixtures/schema/NAME (KEY's contents left out)
#   t_done                    prints the plan; exit status 1 if any failed
#   W NAME ARGS...            runs workload ocibench-NAME (under $OB_EMU, e.g.
#                             qemu-aarch64-static, in a cross build)
# OB_BUILDDIR / OB_SRCDIR come from the Makefile (default: the cwd).
# A workload that exits 77 (unsupported here) is reported with t_skip, never
# counted as passed.
set -u
B=${OB_BUILDDIR:-$(pwd)}
S=${OB_SRCDIR:-$(pwd)}
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ob-e2e.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

command -v jq >/dev/null || { echo "Bail out! jq is needed (apt-get install jq)"; exit 99; }

# Bounds on "no hang" checks are multiplied by this: binaries under an
# emulator, or built with the sanitizers, start and run several times slower.
T_SCALE=1
[ -n "${OB_EMU:-}" ] && T_SCALE=4
[ "${OB_SANITIZERS:-}" = yes ] && T_SCALE=4

W() {
	local name=$1; shift
	${OB_EMU:-} "$B/ocibench-$name" "$@"
}

t_result() { # ok? desc
	T_N=$((T_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

t_ok() {
	local desc=$1; shift
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	local rc=$?
	[ $rc = 0 ] || { echo "# exit $rc: $*"; sed 's/^/# /' "$T_TMP/err" | tail -5; }
	t_result $rc "$desc"
}

t_exit() {
	local want=$1 desc=$2; shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	local rc=$?
	[ "$rc" = "$want" ] || { echo "# exit $rc, wanted $want: $*"; sed 's/^/# /' "$T_TMP/err" | tail -5; }
	[ "$rc" = "$want" ]
	t_result $? "$desc"
}

t_jq() {
	local desc=$1 filter=$2 file=$3
	# jq -e holds an empty input true: a run that printed nothing must fail
	grep -q '[^[:space:]]' "$file" 2>/dev/null && jq -e "$filter" "$file" >/dev/null 2>&1
	local rc=$?
	[ $rc = 0 ] || { echo "# jq '$filter' is not true for:"; head -c 600 "$file" | sed 's/^/# /'; echo; }
	t_result $rc "$desc"
}

# one line on stderr, naming the value, and nothing on stdout
t_err_line() {
	local desc=$1 word=$2
	local lines; lines=$(wc -l <"$T_TMP/err")
	[ "$lines" = 1 ] && grep -q -- "$word" "$T_TMP/err" && [ ! -s "$T_TMP/out" ]
	local rc=$?
	[ $rc = 0 ] || { echo "# stderr ($lines lines):"; sed 's/^/# /' "$T_TMP/err" | head -5; }
	t_result $rc "$desc"
}

# like t_ok, but exit 77 (unsupported here) is reported as a skip
t_ok77() {
	local desc=$1; shift
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	local rc=$?
	if [ $rc = 77 ]; then
		t_skip "$desc" "unsupported here: $(head -c 200 "$T_TMP/err" | tr '\n' ' ')"
		return
	fi
	[ $rc = 0 ] || { echo "# exit $rc: $*"; sed 's/^/# /' "$T_TMP/err" | tail -5; }
	t_result $rc "$desc"
}

# t_static NAME: the workload binary is statically linked (a sanitizer
# build links them dynamically: ASan has no static runtime)
t_static() {
	if [ "${OB_SANITIZERS:-no}" = yes ]; then
		t_skip "$1 binary is statically linked" "sanitizer build (dynamic on purpose)"
		return
	fi
	t_ok "$1 binary is statically linked" sh -c "file -L '$B/ocibench-$1' | grep -q 'statically linked'"
}

# t_schema NAME FILE KEY...: FILE is one ok result object of workload NAME with
# the common schema keys (params, total time, latency) and the given keys
t_schema() {
	local name=$1 file=$2; shift 2
	local extra="true"
	for k in "$@"; do extra="$extra and has(\"$k\")"; done
	t_jq "one JSON object with the schema keys" \
		".schema == \"ocibench-workload/1\" and .workload == \"$name\" and .status == \"ok\"
		 and (.params|type) == \"object\" and .total_time_s > 0 and (.started_wall_ns > 0)
		 and (.build.arch | length) > 0 and (.build.compiler | length) > 0
		 and (.latency_ms | has(\"min\") and has(\"avg\") and has(\"max\") and has(\"p95\"))
		 and $extra" "$file"
}

# CPU time (user + system) a command line used, in nanoseconds, as the
# kernel accounted it to the process (wait4); -1 if it failed.  Unlike wall
# time, it hardly moves when other jobs share the machine.
t_cpu_ns() {
	python3 - "$1" <<'PY'
import os, shlex, subprocess, sys
p = subprocess.Popen(shlex.split(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(int((ru.ru_utime + ru.ru_stime) * 1e9) if status == 0 else -1)
PY
}

# t_scaling DESC MIN "CMD1" "CMD2": work that cannot be skipped takes time.
# CMD2 does twice the work of CMD1; the least CPU time of 3 runs of each
# (alternating) must keep a ratio of at least MIN.  Not a speed assertion: a
# ratio within one run of the test, on whatever machine.  Other jobs on a
# shared core can still slow one run (a cold cache costs CPU time too): when
# the ratio falls short, 3 more runs of each join the best-of, once.  A
# skipped loop gives a ratio near 1, far from MIN either way.  Under a
# user-mode emulator the CPU time is mostly the emulator's own start-up and
# translation, a fixed cost that flattens the ratio whatever the workload
# does: there the check is skipped (emulated runs check results, not time;
# the native build and make check-mutants keep it).
t_scaling() {
	local desc=$1 min=$2 c1=$3 c2=$4 b1= b2= n ok=1
	if [ -n "${OB_EMU:-}" ]; then
		t_skip "$desc" "CPU time under an emulator is mostly its own translation"
		return
	fi
	for round in 1 2; do
		for _ in 1 2 3; do
			n=$(t_cpu_ns "$c1"); [ -z "$b1" ] || [ "$n" -lt "$b1" ] && b1=$n
			n=$(t_cpu_ns "$c2"); [ -z "$b2" ] || [ "$n" -lt "$b2" ] && b2=$n
		done
		echo "# best of $((3 * round)): ${b1} ns of CPU time for N, ${b2} ns for 2N"
		[ "$b1" -gt 0 ] && [ "$b2" -gt 0 ] && awk -v a="$b1" -v b="$b2" -v m="$min" 'BEGIN { exit !(b / a >= m) }'
		ok=$?
		[ $ok = 0 ] && break
	done
	t_result $ok "$desc"
}

# t_syscalls FILE CMD...: the system calls CMD makes, counted by the kernel's
# tracer (strace -f -c), or under user-mode emulation by the emulator's own
# log of the guest's calls (QEMU_STRACE), into FILE as "count name" lines.
t_syscalls() {
	local out=$1; shift
	if [ -n "${OB_EMU:-}" ]; then
		QEMU_STRACE=1 "$OB_EMU" "$@" >/dev/null 2>"$T_TMP/qstrace" || return
		sed -nE 's/^[0-9]+ ([a-z_0-9]+)\(.*/\1/p' "$T_TMP/qstrace" | sort | uniq -c >"$out"
	else
		# (LeakSanitizer cannot run under ptrace: no leak check in a
		# sanitizer build here, the other runs have it)
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			strace -f -qq -c -U calls,name -o "$T_TMP/strace" "$@" >/dev/null || return
		awk '$1 ~ /^[0-9]+$/ && $2 != "total" { print $1, $2 }' "$T_TMP/strace" >"$out"
	fi
}

# Schema snapshots (tests/fixtures/schema/NAME, see tests/e2e/schema.sh):
# t_snapshot NAME FILE [SKIP]: FILE's key/type set (without the contents of
# its key SKIP) equals tests/fixtures/schema/NAME
t_snapshot() {
	local name=$1 file=$2
	jq -r --arg skip "${3:-}" -f "$S/tests/e2e/schema-paths.jq" "$file" >"$T_TMP/$name.schema" 2>"$T_TMP/err" ||
		{ t_result 1 "$name: the output is one JSON object"; return; }
	if [ -n "${OB_SCHEMA_UPDATE:-}" ]; then
		cp "$T_TMP/$name.schema" "$S/tests/fixtures/schema/$name"
		echo "# updated tests/fixtures/schema/$name"
	fi
	diff -u "$S/tests/fixtures/schema/$name" "$T_TMP/$name.schema" >"$T_TMP/diff" 2>&1
	local rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$T_TMP/diff" | head -30
	t_result $rc "$name: keys and types as in tests/fixtures/schema/$name"
}

# Corrupt FILE at byte OFFSET: the byte's bits inverted, so it always
# changes (writing a fixed byte leaves it as it was when that byte is
# already there: 1 in 256 for random data).
t_flip_byte() {
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}

# t_eq DESC GOT WANT: passes when the two strings are equal
t_eq() {
	[ "$2" = "$3" ] || echo "# got '$2', wanted '$3'"
	[ "$2" = "$3" ]
	t_result $? "$1"
}

t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
}

# t_runner_env WHAT [COMMAND...]: the runner tests' set-up.  Not root: WHAT is
# skipped and the script ends.  A COMMAND not installed bails out: the test's
# packages are ./quickstart test's to install, a missing one is no skip.
# Else OB runs ocibench with private --state-dir ($ST) and --bundle-dir
# ($BD), and the cwd is $T_TMP.
t_runner_env() {
	local what=$1 c; shift
	if [ "$(id -u)" != 0 ]; then
		t_skip "$what" "need root"; t_done; exit
	fi
	for c in "$@"; do
		command -v "$c" >/dev/null ||
			{ echo "Bail out! $c is not installed (./quickstart test installs it)"; exit 99; }
	done
	OCIBENCH=$B/ocibench
	ST=$T_TMP/state
	BD=$T_TMP/bundles
	cd "$T_TMP" || exit 1
}
OB() { "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" "$@"; }
