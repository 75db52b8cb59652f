#!/bin/bash
# End-to-end checks of the engines (ocibench run --engine=...): bad input,
# runc/crun/runsc through private docker, podman and containerd daemons that
# the test's own runs start, the lifecycle phases and workloads through
# each, the net test on the engine's network, nothing left behind after a
# run, and the clean-up of a SIGKILLed run's daemon.  Needs root and the
# Debian packages docker.io, podman, containerd, skopeo (./quickstart test
# installs them, never this script).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
OCIBENCH=$B/ocibench

if [ "$(id -u)" != 0 ]; then
	t_skip "engine tests" "need root"; t_done; exit
fi
for p in dockerd podman containerd ctr skopeo runc crun runsc; do
	command -v $p >/dev/null || { echo "Bail out! $p is not installed (./quickstart test installs it)"; exit 99; }
done

ST=$T_TMP/state
BD=$T_TMP/bundles
OB() { "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" "$@"; }
cd "$T_TMP" || exit 1
# RESULTS_DIR -> a file of its records after a leading null (jq: . then inputs)
recs() { { echo null; cat "$1/raw.jsonl"; } >"$T_TMP/recs.json"; echo "$T_TMP/recs.json"; }
wait_for() { # seconds cmd...: poll until cmd succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
has_lines() { [ -s "$1" ]; }

# what a run of this test could leave: daemons and shims below BD, mounts
# below BD, the daemons' namespaces and cgroups (run ids hold our pid-less
# prefix, so look for this test's bundle dir and the run ids it made)
procs_left() { ps -eo args | grep -F "$BD" | grep -v grep; }
no_leftovers() {
	! procs_left && ! grep -qF "$BD" /proc/self/mountinfo &&
	! ls /var/run/netns 2>/dev/null | grep -qE "$(runids)" &&
	! ls -d /sys/fs/cgroup/*/ocibench-*-engines 2>/dev/null | grep -qE "$(runids)" &&
	! ls -d /sys/fs/cgroup/*/ocibench/ocibench-* 2>/dev/null | grep -qE "$(runids)" &&
	[ -z "$(ls -A "$BD" 2>/dev/null | grep -vx .ocibench-owned)" ]
}
runids() { # the run ids of this test's results, as one regex
	local ids; ids=$(cat "$T_TMP"/res-*/raw.jsonl 2>/dev/null | jq -r .run_id | sort -u | paste -sd'|')
	echo "${ids:-no-run-yet}"
}

# ---- bad input: one line, exit 2 ------------------------------------------------
bad() { # desc word args...
	local desc=$1 word=$2; shift 2
	t_exit 2 "$desc" OB --out="$T_TMP/never" "$@"
	t_err_line "$desc: one line naming '$word'" "$word"
}
bad "unknown engine" nosuch --engine=oci,nosuch --tests=cpu --runtimes=runc
bad "repeated engine" docker --engine=docker,docker --tests=cpu --runtimes=runc
bad "--docker-host without the docker engine" docker-host --docker-host=unix:///x --tests=cpu --runtimes=runc
bad "unreachable docker daemon" "$T_TMP/nosuch.sock" --engine=docker --docker-host="unix://$T_TMP/nosuch.sock" \
	--tests=cpu --runtimes=runc --profile=smoke
bad "unreachable containerd" "$T_TMP/nosuch.sock" --engine=containerd --containerd-address="$T_TMP/nosuch.sock" \
	--tests=cpu --runtimes=runc --profile=smoke
t_ok "nothing left by the refused runs" no_leftovers

# ---- ocibench runtimes lists the engines ----------------------------------------
t_ok "runtimes lists the engines" OB runtimes
cp "$T_TMP/out" "$T_TMP/runtimes"
t_ok "runtimes: docker, podman, containerd rows" sh -c "grep -q '^docker ' '$T_TMP/runtimes' && grep -q '^podman ' '$T_TMP/runtimes' && grep -q '^containerd ' '$T_TMP/runtimes'"

# ---- every runtime through every engine ------------------------------------------
R=$T_TMP/res-matrix
t_ok "a matrix through oci, docker, podman, containerd" OB --engine=oci,docker,podman,containerd \
	--runtimes=runc,crun,runsc --profile=smoke --tests=lifecycle,cpu,syscall --out="$R"
n=$(wc -l <"$R/raw.jsonl")
t_ok "12 columns x 3 tests = 36 records (got $n)" test "$n" = 36
t_jq "every record ok" '[inputs] | all(.status == "ok")' "$(recs "$R")"
for e in docker podman containerd; do
	for rt in runc crun runsc; do
		t_jq "$e/$rt: engine key, column name, phases, workload JSON" \
			"[inputs | select(.runtime == \"$e/$rt\")] | length == 3 and
			 all(.engine == \"$e\" and (.engine_version | length) > 0 and .runtime_path != null
			     and .phases_ms.create > 0 and .phases_ms.start > 0 and .phases_ms.wait > 0
			     and .phases_ms.delete > 0 and .workload.status == \"ok\")" "$(recs "$R")"
	done
done
# the workload's ready token crossed each engine to a log the runner watched
t_jq "start to first instruction through every engine, within start + wait" \
	'[inputs | select(.engine != "oci")] | all(.first_instruction_ms > 0 and
	 .first_instruction_ms <= .phases_ms.start + .phases_ms.wait)' "$(recs "$R")"
t_jq "oci columns keep their names and say engine oci" \
	'[inputs | select(.engine == "oci")] | length == 9 and all(.runtime | test("^(runc|crun|runsc)$"))' \
	"$(recs "$R")"
# the CPU work was done in the container: its own CPU time, not the engine's
t_jq "cpu through the engines used CPU in the container" \
	'[inputs | select(.test == "cpu" and .engine != "oci")] | all(.workload.events > 0)' "$(recs "$R")"
t_jq "manifest lists the engines and their versions" \
	'[.engines[].name] == ["oci","docker","podman","containerd"] and (.engines[1].version | length) > 0' "$R/manifest.json"
t_ok "table has ENGINE/RUNTIME columns" sh -c "OB_GNUPLOT= '$OCIBENCH' report '$R' | grep -q 'docker/runsc'"
t_ok "compare --study takes the lifecycle rows from docker/*" sh -c \
	"'$OCIBENCH' compare '$R' --study x86_64 | grep -q 'lifecycle rows: the docker/\*' && '$OCIBENCH' compare '$R' --study x86_64 | grep -q '^create (s) *docker/crun'"
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers

# ---- fileio in the writable layer and as engine mounts; net on engine networks ----
R=$T_TMP/res-io
t_ok "fileio (rootfs, tmpfs, bind-tmpfs) and net through docker, podman, containerd" \
	OB --engine=docker,podman,containerd --runtimes=runc,runsc --profile=smoke --tests=fileio,net \
	--mount=rootfs,tmpfs,bind-tmpfs --out="$R"
t_jq "every record ok" '[inputs] | all(.status == "ok")' "$(recs "$R")"
t_jq "fileio files on overlay (writable layer) and tmpfs (mounts)" \
	'[inputs | select(.test == "fileio" and (.runtime | test("runc$")))] | all(if (.variant | test("tmpfs")) then .workload.fs_type == "tmpfs" else .workload.fs_type == "overlay" end)' \
	"$(recs "$R")"
t_jq "net: bytes crossed the engine's network (server got them)" \
	'[inputs | select(.test == "net")] | all(.net.server_exit_status == 0 and .workload.status == "ok")' \
	"$(recs "$R")"
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers

# ---- SIGKILL mid-run: ocibench cleanup removes the daemon and what it made ------
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --engine=docker --runtimes=runc --profile=smoke \
	--tests=syscall --repeat=50 --out="$T_TMP/res-kill" >/dev/null 2>&1 &
pid=$!
wait_for 120 has_lines "$T_TMP/res-kill/raw.jsonl"
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "SIGKILL leaves the private dockerd behind" procs_left
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/err" "$T_TMP/cleanup.err"
t_ok "it names the engine processes it removed" grep -q 'engine processes' "$T_TMP/cleanup.err"
sleep 1
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers

t_done
