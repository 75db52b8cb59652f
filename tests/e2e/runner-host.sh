#!/bin/bash
# End-to-end checks of what a runtime costs the host (runner/host/): the
# footprint test under runc and runsc, host CPU next to the workload's own,
# and the density test (N=8 under both) with its memory budget, leaving no
# container, process, cgroup, mount or bundle behind, also after a SIGINT
# in the middle.  Needs root, runc, runsc and the image.  Other runs may
# have containers on this machine: only this test's own are counted (its
# private --state-dir, --bundle-dir and run ids).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "host cost tests" runc runsc
if ! [ -f "$B/containers/oci/index.json" ]; then
	t_skip "host cost tests" "no image in this build"; t_done; exit
fi

# Nothing of this test's runs is left: no container under its runtime
# roots, no process started from them (runsc's carry --root=$ST, runc's
# and crun's sit in a cgroup named after the container), no such cgroup,
# no mount below its bundle dir, no bundle.
# Processes the runner killed may take a moment to be gone: a few tries.
no_leftovers() {
	local i
	for i in 1 2 3 4 5 6 7 8 9; do leftovers_now 2>/dev/null && return 0; sleep 0.5; done
	leftovers_now
}
leftovers_now() {
	local n=0 f id what=()
	for r in runc runsc; do
		[ -d "$ST/root/$r" ] || continue
		f=$($r --root "$ST/root/$r" list --quiet 2>/dev/null | grep '^ocibench-')
		[ -n "$f" ] && what+=("containers: $f")
	done
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' 2>/dev/null <"$f" | grep -q -- "--root=$ST/" && what+=("process: ${f%/cmdline}")
	done 2>/dev/null
	for id in "${IDS[@]}"; do
		f=$(grep -l -- "$id" /proc/[0-9]*/cgroup 2>/dev/null)
		[ -n "$f" ] && what+=("in a cgroup: $f")
		f=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id*" 2>/dev/null)
		[ -n "$f" ] && what+=("cgroup: $f")
	done
	grep -q " $BD" /proc/self/mountinfo && what+=("mounts below $BD")
	f=$(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null)
	[ -n "$f" ] && what+=("bundles: $f")
	[ ${#what[@]} = 0 ] && return 0
	printf 'left: %s\n' "${what[@]}" | head -20 >&2
	return 1
}
IDS=()
run_ids() { IDS+=("ocibench-$(jq -r .run_id "$1/manifest.json")"); }

# ---- bad input: one line, exit 2 ----------------------------------------------
bad() { # desc word args...
	local desc=$1 word=$2; shift 2
	t_exit 2 "$desc" OB --out="$T_TMP/never" --runtimes=runc "$@"
	t_err_line "$desc: one line naming '$word'" "$word"
}
bad "--density=0" "'0'" --tests=density --density=0
bad "--density=abc" "'abc'" --tests=density --density=8,abc
bad "--density-budget=lots" "'lots'" --tests=density --density-budget=lots
bad "--density-budget=0%" "'0%'" --tests=density --density-budget=0%
bad "--concurrency=0" "'0'" --tests=density --concurrency=0

# ---- footprint and host CPU under runc and runsc ------------------------------
R=$T_TMP/fp
t_ok "footprint, cpu, syscall under runc and runsc" OB --profile=smoke --runtimes=runc,runsc \
	--tests=footprint,cpu,syscall --timeout=120 --out="$R"
run_ids "$R"
jq -s . "$R/raw.jsonl" >"$T_TMP/fp.json"
t_jq "every cell ok" 'length == 6 and all(.status == "ok")' "$T_TMP/fp.json"
fp='map(select(.test == "footprint")) | INDEX(.runtime)'
t_jq "runsc's sandbox + gofer PSS is above runc's runtime PSS" \
	"$fp | .runsc.runtime_pss_kib > .runc.runtime_pss_kib + 1024" "$T_TMP/fp.json"
t_jq "runc leaves no runtime process: its PSS is all the workload's" \
	"$fp | .runc | .runtime_processes == 0 and .runtime_pss_kib == 0 and .workload_processes == 1
	 and .workload_pss_kib > 0 and (.processes[0] | .role == \"workload\" and (.found_by | index(\"pid_file\")))" \
	"$T_TMP/fp.json"
t_jq "runsc: sandbox and gofer found by runtime state and cgroup, no host process of the workload's" \
	"$fp | .runsc | .workload_pss_kib == null and .workload_processes == 0
	 and ([.processes[] | select(.argv0 == \"runsc-sandbox\" or .argv0 == \"runsc-gofer\")
	      | select((.found_by | index(\"runtime_state\")) and (.found_by | index(\"cgroup\")))] | length == 2)" \
	"$T_TMP/fp.json"
t_jq "footprint: cgroup memory, ready time, the idle workload stopped by SIGTERM" \
	"$fp | all(.[]; .cgroup_memory_kib > 0 and .ready_ms > 0 and .workload.signal == \"SIGTERM\")" \
	"$T_TMP/fp.json"
cpu='map(select(.test == "cpu" or .test == "syscall"))'
t_jq "host CPU: the workload's own and the host's, measured from the cgroup" \
	"$cpu | all(.workload_cpu_reported_s >= 0 and .host_cpu_s > 0 and .host_cpu_source == \"cgroup\")
	 and all(.[] | select(.runtime == \"runc\"); .workload_cpu_s >= 0
	         and (.workload_cpu_source | startswith(\"workload\")))" "$T_TMP/fp.json"
# inside runsc the workload's own count is the sentry's: the host's count of
# the stubs the application ran in stands for it, and the sentry serving
# its system calls is the runtime's
t_jq "runsc: workload CPU from the application's stubs (not named by runsc's state), the sentry's on top" \
	"$cpu | map(select(.runtime == \"runsc\" and .test == \"syscall\"))[0] |
	 (.workload_cpu_source | startswith(\"host\")) and .application_processes >= 1
	 and ([.processes[] | select(.role == \"application\") | .argv0] | all(. != \"runsc-sandbox\" and . != \"runsc-gofer\"))
	 and .workload_cpu_s > 0 and .host_cpu_s > 2 * .workload_cpu_s and .host_cpu_per_workload_cpu_s > 2" \
	"$T_TMP/fp.json"
t_jq "host CPU: runc has no runtime process, runsc's spend CPU" \
	"$cpu | all(if .runtime == \"runc\" then .runtime_processes == 0 and .runtime_cpu_s == 0
	            else .runtime_processes >= 2 and .runtime_cpu_s > 0 end)" "$T_TMP/fp.json"
t_jq "syscall under runc: host CPU per workload CPU second near 1 (the kernel's count)" \
	'map(select(.test == "syscall" and .runtime == "runc"))[0].host_cpu_per_workload_cpu_s | . > 0.5 and . < 2' \
	"$T_TMP/fp.json"
t_ok "summary.csv has the footprint and host CPU rows" sh -c \
	"grep -q '^runsc,footprint,,runtime_pss,MiB' '$R/summary.csv' && grep -q '^runc,syscall,,host_cpu_per_workload_cpu,' '$R/summary.csv'"
t_ok "report.md has them" grep -q 'footprint runtime PSS (MiB)' "$R/report.md"
t_ok "nothing left after footprint and host CPU" no_leftovers

# ---- density N=8 under runc and runsc ------------------------------------------
D=$T_TMP/dens
t_ok "density N=8, 2 in flight, under runc and runsc" OB --profile=smoke --runtimes=runc,runsc \
	--tests=density --density=8 --concurrency=2 --timeout=300 --out="$D"
run_ids "$D"
jq -s . "$D/raw.jsonl" >"$T_TMP/d.json"
t_jq "density records: n, ready_s, pss_kib_total, delete_s" \
	'length == 2 and all(.status == "ok" and .variant == "n8" and .n == 8 and .concurrency == 2
	 and .ready_s > 0 and .pss_kib_total > 0 and .delete_s > 0 and (.containers | length) == 8
	 and .first_instruction_s > 0 and .first_instruction_s <= .ready_s + 1)' "$T_TMP/d.json"
t_jq "every container was ready after its start, and had its own PSS" \
	'all(.[].containers[]; .ready_ms > 0 and .pss_kib > 0)' "$T_TMP/d.json"
t_jq "8 runsc sandboxes take more PSS than 8 runc containers" \
	'INDEX(.runtime) | .runsc.pss_kib_total > .runc.pss_kib_total' "$T_TMP/d.json"
t_ok "density rows in summary.csv" grep -q '^runsc,density,n8,pss_total,MiB' "$D/summary.csv"
t_ok "nothing left after density" no_leftovers

# ---- Kata's agent start-up window: the fleet creates again ----------------------
# A kata-runtime whose first create fails the way Kata 1.12's does when the
# guest's agent misses its start-up window (a slow boot under QEMU's
# software CPU); runc does the rest.  The idle container is created again,
# as the lifecycle does it.
K=$T_TMP/kata-fake
mkdir -p "$K"
cat >"$K/kata-runtime" <<EOF
#!/bin/bash
a=()
for x in "\$@"; do [[ \$x == --kata-config=* ]] || a+=("\$x"); done
case " \${a[*]} " in
*" --version "*) echo "kata-runtime  : 1.12.0"; exit 0 ;;
*" create "*)
	if [ ! -e "$K/failed-once" ]; then
		: >"$K/failed-once"
		echo 'level=error msg="Failed to check if grpc server is working: rpc error"' >&2
		exit 1
	fi ;;
esac
exec runc "\${a[@]}"
EOF
chmod +x "$K/kata-runtime"
: >"$K/configuration.toml"
t_ok "footprint under a kata-runtime whose first create misses the agent's window" \
	OB --profile=smoke --runtime=kata-retry="$K/kata-runtime,--kata-config=$K/configuration.toml" \
	--runtimes=kata-retry --tests=footprint --out="$T_TMP/kr"
run_ids "$T_TMP/kr"
# (stopped with SIGINT: kata-runtime's kill with TERM would stop the VM
# before the workload's report got out)
t_jq "created again: 2 creates, the idle container ready and stopped by SIGINT" \
	'.status == "ok" and .create_attempts == 2 and .ready_ms > 0 and .workload.signal == "SIGINT"' \
	"$T_TMP/kr/raw.jsonl"
no_kata() { ! runc --root "$ST/root/kata-retry" list -q 2>/dev/null | grep -q .; }
t_ok "no container of it left" no_kata
t_ok "nothing else left" no_leftovers

# ---- the memory budget ----------------------------------------------------------
t_exit 1 "a budget of 1 MiB stops density with a failure" OB --profile=smoke --runtimes=runc \
	--tests=density --density=8 --density-budget=1M --out="$T_TMP/budget"
run_ids "$T_TMP/budget"
t_jq "the record says the budget stopped it, and where" \
	'.status == "failed" and .n == 8 and .n_ready < 8 and (.stderr_tail | test("memory budget.*stopped at [0-9]+ of 8"))' \
	"$T_TMP/budget/raw.jsonl"
t_ok "nothing left after the budget stop" no_leftovers

# ---- SIGINT in the middle of a density cell ------------------------------------
wait_for() { # seconds cmd...: poll until cmd succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.05; done
}
for rt in runc runsc; do
	some_running() { [ "$($rt --root "$ST/root/$rt" list --quiet 2>/dev/null | grep -c '^ocibench-')" -ge 3 ]; }
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --runtimes=$rt --tests=density \
		--density=8 --out="$T_TMP/int-$rt" >/dev/null 2>"$T_TMP/int.err" &
	pid=$!
	t_ok "$rt: density under way, 3 containers up" wait_for 120 some_running
	kill -INT $pid
	wait $pid
	rc=$?
	run_ids "$T_TMP/int-$rt"
	t_ok "$rt: SIGINT mid-density: exit status 130 (was $rc)" test $rc = 130
	t_jq "$rt: SIGINT: results marked incomplete" '.incomplete == true' "$T_TMP/int-$rt/manifest.json"
	t_ok "$rt: SIGINT: no container, process, cgroup, mount or bundle left" no_leftovers
done

t_done
