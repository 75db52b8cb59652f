#!/bin/bash
# End-to-end checks of the Kata columns (Kata Containers 1.12 built from
# source by runtimes/build): detection with the accelerator, a smoke matrix
# under kata (9p) and kata-virtiofs (lifecycle, cpu, fileio seqrd), the accel
# label on every record, the files really behind 9p / virtio-fs, the net test
# between two Kata guests and the bind, bind-tmpfs and tmpfs mounts (seqwr),
# the host prerequisites undone after the run, no qemu, shim, proxy, virtiofsd
# or mount left after a SIGINT (by the run itself) or a SIGKILL and `ocibench
# cleanup`.  Skipped when Kata is not built (./quickstart kata).  Under
# QEMU's software CPU each cell boots a guest: this is the slowest test.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "kata tests"

t_ok "ocibench runtimes" OB runtimes
cp "$T_TMP/out" "$T_TMP/rts"
if ! grep -Eq '^kata +ok ' "$T_TMP/rts" || ! grep -Eq '^kata-virtiofs +ok ' "$T_TMP/rts"; then
	t_ok "kata missing or unusable, with a reason" grep -Eq '^kata +(missing|unusable) +.*(quickstart kata|KVM)' "$T_TMP/rts"
	t_skip "kata cells" "Kata is not built (./quickstart kata)"
	t_done; exit
fi
prefix=$(sed -n 's/^runtimes built from source: //p' "$T_TMP/rts")
accel=$("$prefix/kata/libexec/qemu-accel" --ocibench-accel)
t_ok "kata and kata-virtiofs: 1.12.1, their configuration, the accelerator ($accel)" \
	sh -c "grep -Eq '^kata +ok +1\\.12\\.1 .*configuration-9p\\.toml .*\\(accel $accel' '$T_TMP/rts' &&
	       grep -Eq '^kata-virtiofs +ok +1\\.12\\.1 .*configuration-virtio-fs\\.toml .*\\(accel $accel' '$T_TMP/rts'"

# the tmpfs variant lives in the guest's memory: the paper profile's 2 GiB
# file set cannot fit the build's 1 GiB guest, refused before any guest boots
t_exit 1 "paper fileio on tmpfs under kata: refused" OB --profile=paper --runtimes=kata \
	--tests=fileio:seqwr --mount=tmpfs --out="$T_TMP/never"
t_err_line "one line naming the guest's memory" "kata mounts the tmpfs in its guest, whose 1024 MiB (default_memory)"

# what the host had before: the run must leave it so
had_log=$(test -e /dev/log && echo yes || echo no)
mounts_before=$(grep -c ' /run/kata-containers/shared/sandboxes ' /proc/self/mountinfo)
# Other tests may run ocibench with a Kata column at the same time: the host
# is as before once no run holds the prerequisites' lock.
host_lock=/run/kata-containers/ocibench-host.lock
as_before() { # the prerequisites ocibench provides, as before the runs
	flock -w 900 "$host_lock" sh -c "[ \"\$(test -e /dev/log && echo yes || echo no)\" = '$had_log' ] &&
		[ \"\$(grep -c ' /run/kata-containers/shared/sandboxes ' /proc/self/mountinfo)\" = '$mounts_before' ]"
}

guest() { pgrep -f "sandbox-ocibench-[^ ]*-$pid-" >/dev/null; } # of the run $pid

leftovers() { # runid: processes and mounts that name it
	{ pgrep -af "$1" | grep -v pgrep; grep -F "$1" /proc/self/mountinfo; } | grep -c .
}

# One guest first: a host too busy to boot one within the agent's window
# (after the runner's retries) would only repeat that for every cell.
P=$T_TMP/probe
OB --profile=smoke --runtimes=kata --tests=lifecycle --timeout=900 --out="$P" >/dev/null 2>"$T_TMP/probe.err"
if jq -e '.status == "failed" and (.stderr_tail // "" | contains("grpc server is working"))' \
	"$P/raw.jsonl" >/dev/null 2>&1; then
	t_skip "the Kata smoke matrix" "the agent missed its 20 s start-up window 3 times (host too busy for a TCG boot)"
	t_jq "the probe's record: accel \"$accel\", 3 creates" ".accel == \"$accel\" and .create_attempts == 3" "$P/raw.jsonl"
else
	R=$T_TMP/res
	OB --profile=smoke --runtimes=kata,kata-virtiofs --tests=lifecycle,cpu,fileio:seqrd,footprint --timeout=900 \
		--out="$R" >"$T_TMP/smoke.out" 2>"$T_TMP/smoke.err"
	grep -E 'Kata agent|failed' "$T_TMP/smoke.err" | sed 's/^/# /'
	jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
	# Kata 1.12 gives the guest's agent a fixed 20 s; on a host too busy for a
	# TCG boot in that time a cell fails that way even after the runner's
	# retries.  Those are counted and skipped; any other failure fails.
	agent='(.stderr_tail // "" | contains("grpc server is working"))'
	t_jq "8 cells; each ok, or failed only by the agent's start-up window" \
		"length == 8 and all(.status == \"ok\" or (.status == \"failed\" and $agent))" "$T_TMP/all.json"
	t_jq "every record carries accel \"$accel\" and its create attempts" \
		"all(.accel == \"$accel\" and .create_attempts >= 1)" "$T_TMP/all.json"
	missed=$(jq "map(select(.status != \"ok\")) | length" "$T_TMP/all.json")
	echo "# $missed of 8 cells missed the agent's start-up window after 3 creates"
	if [ "$missed" -gt 0 ]; then
		t_skip "$missed Kata cells" "the agent missed its 20 s start-up window (host too busy for a TCG boot)"
	fi
	# A 9p mount reports the statfs of the host directory behind it (QEMU's
	# server passes it through): the host filesystem of the bundles, as
	# the native workload sees it, or 9p itself; virtio-fs is a fuse mount.
	mkdir -p "$T_TMP/fsprobe"
	hostfs=$("$B/ocibench-fileio" cleanup --file-dir="$T_TMP/fsprobe" --file-num=1 --format=json | jq -r .fs_type)
	t_jq "fileio through the VM's share: 9p (or the host's $hostfs through it) under kata, fuse under kata-virtiofs" \
		"map(select(.test == \"fileio\" and .status == \"ok\"))
		 | all(if .runtime == \"kata\" then (.workload.fs_type == \"9p\" or .workload.fs_type == \"$hostfs\")
		       else .workload.fs_type == \"fuse\" end)" \
		"$T_TMP/all.json"
	t_jq "start to first instruction on the host's clock: 0 <= it <= start + wait" \
		'map(select(.test == "lifecycle" and .status == "ok")) | all(.first_instruction_ms != null
		 and .first_instruction_ms >= 0 and .first_instruction_ms <= .phases_ms.start + .phases_ms.wait)' \
		"$T_TMP/all.json"
	# what a Kata sandbox costs the host: QEMU (with virtiofsd under
	# kata-virtiofs) and kata-proxy, daemons below no process of the
	# container's, named by Kata's own state; the test names the binaries
	# the runner must have found
	t_jq "footprint: QEMU (virtiofsd under kata-virtiofs) found by Kata's state, no host process of the workload's" \
		'map(select(.test == "footprint" and .status == "ok")) | all(.workload_processes == 0
		 and .runtime_pss_kib > 0 and ([.processes[] | select((.found_by | index("runtime_state"))
		 and (.argv0 | test("qemu-system"))) | .pss_kib] | length == 1 and .[0] > 0)
		 and (.runtime != "kata-virtiofs" or ([.processes[] | select((.found_by | index("runtime_state"))
		      and (.argv0 | test("virtiofsd")))] | length == 1)))' "$T_TMP/all.json"
	# the host CPU of a cpu cell: the VM's processes over the span; no
	# workload CPU to divide by (the guest counts on its own clock)
	t_jq "cpu: QEMU's host CPU counted as the runtime's, no host process of the workload's, no ratio" \
		'map(select(.test == "cpu" and .status == "ok")) | all(.host_cpu_s > 0
		 and ([.processes[] | select(.argv0 | test("qemu-system")) | select(.role == "runtime")
		       | .cpu_s] | length == 1 and .[0] > 0)
		 and ([.processes[] | select(.role != "runtime")] | length == 0)
		 and .workload_cpu_s == null and .host_cpu_per_workload_cpu_s == null
		 and .workload_cpu_reported_s > 0)' "$T_TMP/all.json"
	t_ok "the run's closing line gives the retry rate" grep -Eq 'create was tried again in [0-9]+ of 8 runs' "$T_TMP/smoke.err"
	t_ok "report.md labels the columns with the accelerator" grep -qF "| kata [$accel] |" "$R/report.md"
	t_ok "syslog ($had_log) and the sandboxes mount as before the run" as_before
	runid=$(jq -r '.[0].run_id' "$T_TMP/all.json")
	t_ok "no qemu, shim, proxy, virtiofsd or mount of the run left" test "$(leftovers "$runid")" = 0
	t_ok "no network namespace of the run left" sh -c "! ip netns list | grep -q 'ocibench-$runid'"

	# ---- net between two Kata guests; the study's mounts (seqwr) ----------
	R2=$T_TMP/res-net-mounts
	OB --profile=smoke --runtimes=kata --tests=net:stream,fileio:seqwr \
		--mount=bind,bind-tmpfs,tmpfs --net-subnet=10.199.17.0/24 --timeout=900 \
		--out="$R2" >/dev/null 2>"$T_TMP/nm.err"
	grep -E 'Kata agent|failed' "$T_TMP/nm.err" | sed 's/^/# /'
	jq -s . "$R2/raw.jsonl" >"$T_TMP/nm.json"
	t_jq "4 cells (net stream, seqwr on bind, bind-tmpfs, tmpfs); each ok or failed by the agent's window" \
		"length == 4 and all(.status == \"ok\" or (.status == \"failed\" and $agent))
		 and (map(.variant) | sort) == [\"seqwr-bind\",\"seqwr-bind-tmpfs\",\"seqwr-tmpfs\",\"stream\"]" \
		"$T_TMP/nm.json"
	missed=$(jq "map(select(.status != \"ok\")) | length" "$T_TMP/nm.json")
	[ "$missed" -gt 0 ] && t_skip "$missed of the net and mount cells" "the agent missed its start-up window"
	# the server ran in its own guest and saw the client's whole run (exit 0)
	t_jq "net: client and server in Kata guests on the private subnet, bytes > 0, server exit 0" \
		"map(select(.test == \"net\" and .status == \"ok\")) | all(.accel == \"$accel\"
		 and .net.server_runtime == \"kata\" and .net.server_address == \"10.199.17.2\"
		 and .workload.bytes > 0 and .workload.gbits_per_s > 0 and .net.server_exit_status == 0)" \
		"$T_TMP/nm.json"
	# bind and bind-tmpfs: host directories shared into the guest (9p
	# passes the host directory's statfs through); tmpfs: the guest's own
	fsof() { echo "(.variant == \"seqwr-$1\" and (.workload.fs_type == \"9p\" or .workload.fs_type == \"$2\"))"; }
	t_jq "mounts: bind on the host disk ($hostfs) or 9p, bind-tmpfs on tmpfs or 9p, tmpfs in the guest" \
		"map(select(.test == \"fileio\" and .status == \"ok\")) | all($(fsof bind "$hostfs") or
		 $(fsof bind-tmpfs tmpfs) or (.variant == \"seqwr-tmpfs\" and .workload.fs_type == \"tmpfs\"))" \
		"$T_TMP/nm.json"
	t_jq "mounts: every seqwr wrote its file set" \
		'map(select(.test == "fileio" and .status == "ok")) | all(.workload.writes > 0)' "$T_TMP/nm.json"
	runid=$(jq -r '.[0].run_id' "$T_TMP/nm.json")
	t_ok "no process, mount or network namespace of the run left" \
		sh -c "[ $(leftovers "$runid") = 0 ] && ! ip netns list | grep -q '$runid'"
fi

# start_run COLUMN OUT: a long cpu run under COLUMN, until one of its guests
# is up; $pid is the run, $sigrun its run id.
start_run() {
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --runtimes="$1" \
		--tests=cpu --repeat=50 --timeout=900 --out="$2" >/dev/null 2>&1 &
	pid=$!
	local end=$((SECONDS + 600))
	until guest || [ $SECONDS -ge $end ]; do sleep 0.5; done
	t_ok "a guest of the run ($1) was up" guest
	sigrun=$(pgrep -af "sandbox-ocibench-" | grep -o "ocibench-[0-9T]*-$pid" | head -n 1)
}

# what kata-runtime keeps of the run's sandboxes outside the bundles
kata_state_gone() {
	! ls /run/vc/sbs /run/vc/vm /run/kata-containers/shared/sandboxes 2>/dev/null | grep -q "^$sigrun-"
}

# ---- SIGINT while a guest boots: the run itself leaves nothing -----------------
start_run kata "$T_TMP/res-int"
sleep 3
kill -INT $pid
# not a timing: a bound on a hang
for _ in $(seq 240); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
kill -0 $pid 2>/dev/null && { echo "# still running 120 s after SIGINT"; kill -KILL $pid; }
wait $pid
rc=$?
t_ok "SIGINT: exit status 130 (was $rc)" test $rc = 130
t_jq "SIGINT: results marked incomplete" '.incomplete == true' "$T_TMP/res-int/manifest.json"
t_ok "SIGINT: no qemu, shim, proxy or mount of the run left, without a cleanup" test "$(leftovers "$sigrun")" = 0
t_ok "SIGINT: no /run/vc state or shared directory of the run left" kata_state_gone
t_ok "SIGINT: no network namespace of the run left" sh -c "! ip netns list | grep -q '^$sigrun-'"
t_ok "SIGINT: syslog and the sandboxes mount as before" as_before

# ---- SIGKILL while a guest runs, then ocibench cleanup -------------------------
start_run kata-virtiofs "$T_TMP/res-kill"
# the guest runs in the runner's namespace for the cell, not one Kata made
# (a create tried again replaces the guest: asked of the one up now)
guest_netns() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		q=$(pgrep -f "qemu.*-name sandbox-$sigrun-" | head -n 1)
		[ -n "$q" ] && ip netns identify "$q" | grep -q "^$sigrun-n" && return 0
		sleep 1
	done
	return 1
}
t_ok "the guest's network namespace is the run's own" guest_netns
sleep 3
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "the kill left processes behind" test "$(leftovers "$sigrun")" -gt 0
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/err" "$T_TMP/cleanup.err"
t_ok "no qemu, shim, proxy, virtiofsd or mount left" test "$(leftovers "$sigrun")" = 0
t_ok "no /run/vc state or shared directory of the run's sandboxes left" kata_state_gone
t_ok "no network namespace of the run left" sh -c "! ip netns list | grep -q '^$sigrun-'"
t_ok "syslog and the sandboxes mount as before" as_before
t_done
