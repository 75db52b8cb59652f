#!/bin/bash
# End-to-end checks of the engines (ocibench run --engine=...): bad input,
# runc/crun/runsc through private docker, podman and containerd daemons that
# the test's own runs start, the lifecycle phases and workloads through
# each, the net test on the engine's network, nothing left behind after a
# run, footprint and density through each (the shim or conmon counted as the
# runtime's), and the clean-up of a SIGKILLed run's daemon.  Needs root and the
# Debian packages docker.io, podman, containerd, skopeo (./quickstart test
# installs them, never this script).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "engine tests" dockerd podman containerd ctr skopeo runc crun runsc
# private daemons, whatever daemons this host runs (a later option wins)
OB() { "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --docker-host=private \
	--containerd-address=private "$@"; }
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
	local ids; ids=$(cat "$T_TMP"/res-*/raw.jsonl "$T_TMP"/res-*/manifest.json 2>/dev/null |
		jq -r .run_id | sort -u | paste -sd'|')
	echo "${ids:-no-run-yet}"
}

# The containerd shim sockets (/run/containerd/s/HASH) the test's shims hold,
# as the kernel names them (the socket inodes in each shim's descriptors, their
# paths in the shim's network namespace), recorded in $T_TMP/socks by a
# sampler for the whole test: docker's and containerd's shims alike.  Other
# runs' shims on this host hold sockets there too; only these are checked.
shim_socks() {
	local pid
	for pid in $(ps -eo pid=,args= | grep -F "$T_TMP/" | awk '$2 ~ /containerd-shim/ {print $1}'); do
		ls -l /proc/$pid/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' |
			awk 'NR == FNR { ino[$1]; next } ($7 in ino) && $8 ~ "^/run/containerd/s/" { print $8 }' \
				- /proc/$pid/net/unix 2>/dev/null
	done
}
record_socks() { shim_socks >>"$T_TMP/socks"; }
touch "$T_TMP/socks"
( while :; do record_socks; sleep 0.2; done ) &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null; rm -rf "$T_TMP"' EXIT
socks_gone() { # none of the recorded sockets is left
	local s left=0
	for s in $(sort -u "$T_TMP/socks"); do
		[ ! -e "$s" ] || { echo "$s is left" >&2; left=1; }
	done
	return $left
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

# ---- a daemon of the user's (here: given by the client's variable) ---------------
# used as it is: its configuration file and runtimes untouched, nothing of the
# run left in it, the daemon still up
UD=$T_TMP/ctd
mkdir -p "$UD"
cat >"$UD/config.toml" <<EOF
version = 2
root = "$UD/root"
state = "$UD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$UD/c.sock"
[ttrpc]
  address = "$UD/c.sock.ttrpc"
EOF
conf_sum=$(sha256sum <"$UD/config.toml")
containerd --config "$UD/config.toml" >"$UD/log" 2>&1 &
UPID=$!
listening() { ctr --address "$UD/c.sock" version >/dev/null 2>&1; }
t_ok "a containerd of the user's answers" wait_for 60 listening
t_ok "runtimes names that daemon" sh -c "CONTAINERD_ADDRESS='$UD/c.sock' '$OCIBENCH' runtimes | grep '^containerd ' | grep -qF 'daemon: $UD/c.sock (given)'"
R=$T_TMP/res-user
t_ok "a run through it (CONTAINERD_ADDRESS)" env CONTAINERD_ADDRESS="$UD/c.sock" "$OCIBENCH" \
	--state-dir="$ST" --bundle-dir="$BD" --engine=containerd --runtimes=runc --profile=smoke \
	--tests=lifecycle --out="$R"
cp "$T_TMP/err" "$T_TMP/user.err"
t_ok "it says which daemon it used" grep -qF "using the daemon at $UD/c.sock" "$T_TMP/user.err"
t_jq "its record is ok" '[inputs] | length == 1 and all(.status == "ok" and .engine == "containerd")' "$(recs "$R")"
t_jq "the manifest says the daemon was given, and where" \
	"(.engines[0] | .daemon == \"given\" and .user_daemon and .address == \"$UD/c.sock\")" "$R/manifest.json"
user_clean() {
	[ -z "$(ctr --address "$UD/c.sock" -n ocibench containers ls -q)" ] &&
	[ -z "$(ctr --address "$UD/c.sock" -n ocibench images ls -q)" ] &&
	[ "$(sha256sum <"$UD/config.toml")" = "$conf_sum" ] && kill -0 $UPID
}
t_ok "no container or image left in it, its configuration unchanged, still up" user_clean
# the same daemon found by discovery, as one on the package's socket would be
# (OB_CONTAINERD_SOCKETS: where discovery looks, here at a socket nobody
# else's daemon has, and never at the host's own)
FOUND="$T_TMP/nosuch.sock:$UD/c.sock"
t_ok "runtimes: the daemon found there" sh -c "env -u CONTAINERD_ADDRESS OB_CONTAINERD_SOCKETS='$FOUND' \
	'$OCIBENCH' runtimes | grep '^containerd ' | grep -qF 'daemon: $UD/c.sock (found)'"
R=$T_TMP/res-found
t_ok "a run through the daemon found (no option, no variable)" env -u CONTAINERD_ADDRESS \
	OB_CONTAINERD_SOCKETS="$FOUND" "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" \
	--engine=containerd --runtimes=runc --profile=smoke --tests=lifecycle --out="$R"
cp "$T_TMP/err" "$T_TMP/found.err"
t_ok "it says it found it, and where" grep -qF "using the daemon at $UD/c.sock (found)" "$T_TMP/found.err"
t_jq "its record is ok, through containerd" \
	'[inputs] | length == 1 and all(.status == "ok" and .engine == "containerd")' "$(recs "$R")"
t_jq "the manifest says the daemon was found, and where" \
	"(.engines[0] | .daemon == \"found\" and .user_daemon and .address == \"$UD/c.sock\")" "$R/manifest.json"
t_ok "found: nothing of the run left in it, its configuration unchanged, still up" user_clean
t_ok "an empty list looks nowhere: a private daemon" sh -c "env -u CONTAINERD_ADDRESS OB_CONTAINERD_SOCKETS= \
	'$OCIBENCH' runtimes | grep '^containerd ' | grep -qF 'private daemon per run'"
kill $UPID
wait $UPID 2>/dev/null

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
# (a log written after the exit the engine reports gives null, with why)
for e in docker podman containerd; do
	t_jq "$e: start to first instruction, within start + wait, or null with a reason" \
		"[inputs | select(.engine == \"$e\")] | any(.first_instruction_ms > 0) and
		 all(if .first_instruction_ms == null then (.first_instruction_null | length) > 0
		     else .first_instruction_ms <= .phases_ms.start + .phases_ms.wait end)" "$(recs "$R")"
done
t_jq "runc and crun through every engine: first instruction on the workload's reading of the host's clock" \
	'[inputs | select(.engine != "oci" and (.runtime | test("/(runc|crun)$")))] | length == 18 and
	 all(.first_instruction_from == "workload_clock" and .first_instruction_ms > 0)' "$(recs "$R")"
t_jq "oci columns keep their names and say engine oci" \
	'[inputs | select(.engine == "oci")] | length == 9 and all(.runtime | test("^(runc|crun|runsc)$"))' \
	"$(recs "$R")"
# the CPU work was done in the container: its own CPU time, not the engine's
t_jq "cpu through the engines used CPU in the container" \
	'[inputs | select(.test == "cpu" and .engine != "oci")] | all(.workload.events > 0)' "$(recs "$R")"
# host CPU through the engines: the container's cgroup plus the shim or
# conmon outside it (found by the process tree, its own CPU), sampled until
# the container's process exits; the test names the binaries the runner
# must have found
for e in docker podman containerd; do
	case $e in podman) holder=/usr/bin/conmon ;; *) holder=/usr/bin/containerd-shim-runc-v2 ;; esac
	t_jq "$e: syscall's host CPU from the cgroup and the $holder outside it" \
		"[inputs | select(.engine == \"$e\" and .test == \"syscall\")] | length == 3 and all(
		 .host_cpu_source == \"cgroup\" and .host_cpu_s > 0 and .workload_cpu_s > 0
		 and .host_cpu_sample_ms > 0 and .host_cpu_outside_cgroup_s >= 0
		 and ([.processes[] | select(.argv0 == \"$holder\")] | length == 1 and
		      (.[0] | .role == \"runtime\" and .in_cgroup == false and .cpu_s >= 0))
		 and .runtime_processes >= 1)" "$(recs "$R")"
	t_jq "$e/runc, crun: host CPU per workload CPU second near 1 (the kernel's count)" \
		"[inputs | select(.engine == \"$e\" and .test == \"syscall\" and (.runtime | test(\"/(runc|crun)$\")))]
		 | length == 2 and all(.host_cpu_per_workload_cpu_s > 0.5 and .host_cpu_per_workload_cpu_s < 2
		 and (.workload_cpu_source | startswith(\"workload\")))" "$(recs "$R")"
	t_jq "$e/runsc: the application's stubs below the sandbox, the sentry's CPU on top" \
		"[inputs | select(.runtime == \"$e/runsc\" and .test == \"syscall\")][0] |
		 (.workload_cpu_source | startswith(\"host\")) and .application_processes >= 1
		 and ([.processes[] | select(.role == \"application\") | .argv0] | all(. != \"runsc-sandbox\" and . != \"runsc-gofer\"))
		 and ([.processes[] | select(.argv0 == \"runsc-sandbox\" or .argv0 == \"runsc-gofer\") | .role] == [\"runtime\", \"runtime\"])
		 and .host_cpu_s > 2 * .workload_cpu_s and .runtime_cpu_s > 0" "$(recs "$R")"
done
t_jq "cpu through the engines: host CPU keys, figures or null with the reason" \
	'[inputs | select(.test == "cpu" and .engine != "oci")] | length == 9 and
	 all(has("host_cpu_s") and (.host_cpu_s != null or (.host_cpu_null | length) > 0))' "$(recs "$R")"
t_jq "manifest lists the engines and their versions" \
	'[.engines[].name] == ["oci","docker","podman","containerd"] and (.engines[1].version | length) > 0' "$R/manifest.json"
t_ok "table has ENGINE/RUNTIME columns" sh -c "OB_GNUPLOT= '$OCIBENCH' report '$R' | grep -q 'docker/runsc'"
t_ok "compare --study takes the lifecycle rows from docker/*" sh -c \
	"'$OCIBENCH' compare '$R' --study x86_64 | grep -q 'lifecycle rows: the docker/\*' && '$OCIBENCH' compare '$R' --study x86_64 | grep -q '^create (s) *docker/crun'"
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers

# ---- containerd: start to first instruction in every cell ---------------------------
# A task that exits at once: its stderr (the ready token) must reach the host
# whole (the logging binary), and the figure must not depend on when a copier
# wrote it (the workload's clock where it is the host's, runc and crun).
R=$T_TMP/res-first
t_ok "containerd lifecycle, 6 repetitions of runc, crun, runsc" OB --engine=containerd \
	--runtimes=runc,crun,runsc --profile=smoke --tests=lifecycle --repeat=6 --out="$R"
t_jq "18 records, every one with its first instruction" \
	'[inputs] | length == 18 and all(.status == "ok" and .first_instruction_ms > 0)' "$(recs "$R")"
t_jq "runc, crun: the workload's clock; runsc (the sentry's clock): the token's arrival" \
	'[inputs] | all(if (.runtime | endswith("runsc")) then .first_instruction_from == "token_arrival"
	 else .first_instruction_from == "workload_clock" end)' "$(recs "$R")"

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

# ---- footprint and density through the engines ------------------------------------
# The runtime's host processes under an engine: the shim (docker, containerd)
# or conmon (podman) the container hangs from, found by the process tree, and
# what it started (runsc's sandbox and gofer).  The test names the binaries
# the runner must have found; the runner itself never looks at names.
R=$T_TMP/res-fp
t_ok "footprint through docker, podman, containerd under runc and runsc" \
	OB --engine=docker,podman,containerd --runtimes=runc,runsc --profile=smoke --tests=footprint --out="$R"
t_jq "6 footprint records, all ok, with cgroup memory and the idle workload stopped by SIGTERM" \
	'[inputs] | length == 6 and all(.status == "ok" and .cgroup_memory_kib > 0 and .ready_ms > 0
	 and .workload.signal == "SIGTERM")' "$(recs "$R")"
for e in docker podman containerd; do
	case $e in podman) holder=/usr/bin/conmon ;; *) holder=/usr/bin/containerd-shim-runc-v2 ;; esac
	t_jq "$e: the $holder above the container, found by the process tree, is the runtime's" \
		"[inputs | select(.runtime | startswith(\"$e/\"))] | length == 2 and all(
		 [.processes[] | select(.argv0 == \"$holder\")] | length == 1 and
		 (.[0] | .role == \"runtime\" and .pss_kib > 0 and (.found_by | index(\"process_tree\"))))" \
		"$(recs "$R")"
	t_jq "$e/runc: the workload's process is the workload's, the shim's PSS the runtime's" \
		"[inputs | select(.runtime == \"$e/runc\")][0] | .workload_processes == 1 and .workload_pss_kib > 0
		 and .runtime_processes == 1 and .runtime_pss_kib > 0" "$(recs "$R")"
	t_jq "$e/runsc: sandbox and gofer below the shim, their PSS above runc's" \
		"[inputs | select(.runtime | startswith(\"$e/\"))] | INDEX(.runtime) |
		 .[\"$e/runsc\"].runtime_pss_kib > .[\"$e/runc\"].runtime_pss_kib + 1024 and
		 ([.[\"$e/runsc\"].processes[] | select(.argv0 == \"runsc-sandbox\" or .argv0 == \"runsc-gofer\")
		   | select(.found_by | index(\"process_tree\"))] | length == 2)" "$(recs "$R")"
done
t_jq "podman's state names conmon too" \
	'[inputs | select(.engine == "podman") | .processes[] | select(.argv0 == "/usr/bin/conmon")]
	 | length == 2 and all(.found_by | index("runtime_state"))' "$(recs "$R")"
t_ok "no daemon, mount, namespace, cgroup or bundle left after footprint" no_leftovers

R=$T_TMP/res-dens
t_ok "density N=8, 2 in flight, through docker and containerd under runc and runsc" \
	OB --engine=docker,containerd --runtimes=runc,runsc --profile=smoke --tests=density --density=8 \
	--concurrency=2 --out="$R"
t_jq "density records: n, ready_s, pss_kib_total, delete_s; every container has its PSS" \
	'[inputs] | length == 4 and all(.status == "ok" and .n == 8 and .ready_s > 0 and .delete_s > 0
	 and .pss_kib_total > 0 and (.containers | length) == 8 and all(.containers[]; .pss_kib > 0
	 and .start_ms == null and .ready_ms > 0))' "$(recs "$R")"
t_jq "8 runsc sandboxes take more PSS than 8 runc containers, through each engine" \
	'[inputs] | INDEX(.runtime) | .["docker/runsc"].pss_kib_total > .["docker/runc"].pss_kib_total
	 and .["containerd/runsc"].pss_kib_total > .["containerd/runc"].pss_kib_total' "$(recs "$R")"
t_ok "no daemon, mount, namespace, cgroup or bundle left after density" no_leftovers

# SIGINT once a few shims of the run's private dockerd are up
shims_up() { [ "$(ps -eo args | grep -F "$BD" | grep -c '^/usr/bin/containerd-shim-runc-v2')" -ge 3 ]; }
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --docker-host=private --engine=docker --runtimes=runc \
	--profile=smoke --tests=density --density=8 --out="$T_TMP/res-int" >/dev/null 2>&1 &
pid=$!
t_ok "docker/runc: density under way, 3 shims up" wait_for 120 shims_up
record_socks
kill -INT $pid
wait $pid
rc=$?
t_ok "SIGINT mid-density through docker: exit status 130 (was $rc)" test $rc = 130
t_ok "SIGINT: no daemon, shim, mount, namespace, cgroup or bundle left" no_leftovers
t_ok "SIGINT: none of the shims' sockets left" socks_gone

# ---- SIGKILL mid-run: ocibench cleanup removes the daemon and what it made ------
# (containers up: a SIGKILLed shim leaves its socket in /run/containerd/s)
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --docker-host=private --engine=docker --runtimes=runc --profile=smoke \
	--tests=density --density=8 --out="$T_TMP/res-kill" >/dev/null 2>&1 &
pid=$!
wait_for 120 shims_up
n=$(shim_socks | sort -u | tee -a "$T_TMP/socks" | wc -l)
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "SIGKILL leaves the private dockerd behind" procs_left
t_ok "its shims held sockets in /run/containerd/s ($n)" test "$n" -ge 3
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/err" "$T_TMP/cleanup.err"
# (the engine processes, unless another run's start swept them first: every
# run removes dead runs' engine cgroups, and other runs may share this host)
t_ok "it names what it removed" grep -qE 'engine processes|leftover bundles' "$T_TMP/cleanup.err"
sleep 1
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers
t_ok "none of the killed shims' sockets left" socks_gone

# ---- killed with both containers of a net cell up: what the engines made outside
# the run's tree (podman's CNI leases, results and container netns; containerd's
# shim sockets) goes with `ocibench cleanup`, and only that
stop_kill() { # ENGINE: a net cell stopped with its containers up, then SIGKILLed; sets RID
	local pid
	OB_TEST_STOP_AT=engine-net "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --engine="$1" \
		--containerd-address=private \
		--runtimes=runc --profile=smoke --tests=net --out="$T_TMP/res-stop-$1" >/dev/null 2>&1 &
	pid=$!
	RID=
	stopped() { [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = T ]; }
	wait_for 120 stopped || { kill -KILL $pid; wait $pid 2>/dev/null; return 1; }
	RID=$(ls "$BD" | grep -E "^[0-9]{8}T[0-9]{6}-$pid\$")
	kill -KILL $pid
	wait $pid 2>/dev/null
	[ -n "$RID" ]
}
# (containerd first: the podman run's own start sweeps what the killed one
# left, so only the last is left for `ocibench cleanup` to name)
t_ok "a containerd net cell stopped and killed" stop_kill containerd
CRID=$RID
socks=$(for id in $(ls "$BD/$CRID/containerd/state/io.containerd.runtime.v2.task/ocibench" 2>/dev/null); do
	printf %s "$BD/$CRID/containerd/containerd.sock/ocibench/$id" | sha256sum |
		sed 's|^\([0-9a-f]*\).*|/run/containerd/s/\1|'
done | tr '\n' ' ')
socks_left() { [ "$(echo $socks | wc -w)" = 2 ] && ls $socks; }
t_ok "it left shim sockets (server and client)" socks_left
t_ok "a podman net cell stopped and killed" stop_kill podman
PRID=$RID
cni=$(ls /var/lib/cni/results 2>/dev/null | grep -F -- "ocibench-$PRID-n" | tr '\n' ' ')
# the containers' network namespaces podman made, as its CNI results name them
cnins=$(cd /var/lib/cni/results 2>/dev/null && cat $cni /dev/null |
	jq -r '.result.interfaces[].sandbox // empty' | tr '\n' ' ')
cni_left() { [ -d "/var/lib/cni/networks/ocibench-$PRID-n1" ] && [ -n "$cni" ] && [ -n "$cnins" ] && ls $cnins; }
t_ok "it left CNI leases, results and podman's container netns" cni_left
# another run's lease directory, named like ours but alive: never touched
mkdir -p "/var/lib/cni/networks/ocibench-20000101T000000-$$-n1"
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/err" "$T_TMP/cleanup2.err"
none_of() { local f; for f in "$@"; do [ ! -e "$f" ] || { echo "$f is left"; return 1; }; done; }
t_ok "CNI leases and results of the killed run removed" \
	none_of "/var/lib/cni/networks/ocibench-$PRID-n1" $(printf "/var/lib/cni/results/%s " $cni)
t_ok "podman's container netns removed" none_of $cnins
t_ok "containerd's shim sockets removed" none_of $socks
t_ok "cleanup names the leases and netns it removed" \
	sh -c "grep -q 'CNI address leases' '$T_TMP/cleanup2.err' && grep -q 'container network namespace' '$T_TMP/cleanup2.err'"
t_ok "a live run's lease directory is left alone" test -d "/var/lib/cni/networks/ocibench-20000101T000000-$$-n1"
rmdir "/var/lib/cni/networks/ocibench-20000101T000000-$$-n1"
sleep 1
t_ok "no daemon, mount, namespace, cgroup or bundle left" no_leftovers
# podman keeps its runtime's state with the run's: none in the runtimes' own roots
t_ok "no container of the test's in runc's, crun's or runsc's default root" \
	sh -c "! { runc list; crun list; runsc list; } 2>/dev/null | grep -qF '$T_TMP/'"
kill $SAMPLER
wait $SAMPLER 2>/dev/null
t_ok "the test's shims held sockets ($(sort -u "$T_TMP/socks" | wc -l)); none is left" \
	eval '[ -s "$T_TMP/socks" ] && socks_gone'

t_done
