# tests/e2e/lib.sh - tiny TAP helpers for the end-to-end tests (sourced).
#
#   t_ok DESC CMD...          passes when CMD exits 0
#   t_exit CODE DESC CMD...   passes when CMD exits with CODE
#   t_jq DESC FILTER FILE     passes when jq -e FILTER FILE is true
#   t_ok77 DESC CMD...        like t_ok, but exit 77 is reported as a skip
#   t_static NAME             the workload binary is statically linked
#   t_schema NAME FILE KEY... FILE holds NAME's result with the common keys and KEYs
#   t_skip DESC REASON        a skipped test
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
# emulator start and run several times slower.
T_SCALE=1
[ -n "${OB_EMU:-}" ] && T_SCALE=4

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
	jq -e "$filter" "$file" >/dev/null 2>&1
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

# t_static NAME: the workload binary is statically linked
t_static() {
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

t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
}
