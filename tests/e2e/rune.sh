#!/bin/bash
# End-to-end checks of the rune column (Inclavare Containers' runtime, built
# from source by runtimes/build into the runtimes prefix): detection, SGX
# report, ordinary containers through the generic OCI path (lifecycle, cpu),
# a bundle without enclave settings, the default seccomp filter in the form
# rune can load (applied by the kernel, recorded in records and manifest),
# and the clean-up of a SIGKILLed run in rune's state root.  Skipped when
# rune is not built (./quickstart inclavare).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "rune tests"

t_ok "ocibench runtimes" OB runtimes --runtime=rune-sgx=rune
cp "$T_TMP/out" "$T_TMP/rts"
t_ok "the SGX line says what was found" grep -Eq '^SGX: (yes|no) \(.*(sgx|aesmd)' "$T_TMP/rts"
if ! grep -Eq '^rune +ok ' "$T_TMP/rts"; then
	t_ok "rune missing, naming how to build it" grep -Eq '^rune +missing .*quickstart inclavare' "$T_TMP/rts"
	t_skip "rune cells" "rune is not built (./quickstart inclavare)"
	t_done; exit
fi
t_ok "rune: version 1.0.0-rc10+dev, from the runtimes prefix" \
	grep -Eq '^rune +ok +1\.0\.0-rc10\+dev +/.*/inclavare/bin/rune' "$T_TMP/rts"
t_ok "... whose seccomp filter has no errnoRet, saying so" \
	grep -Eq '^rune +ok .*\(seccomp without errnoRet: refused calls get EPERM\)' "$T_TMP/rts"
if grep -q '^SGX: no' "$T_TMP/rts"; then
	t_ok "rune-sgx: unusable without SGX, saying so" grep -Eq '^rune-sgx +unusable .*SGX' "$T_TMP/rts"
	t_exit 2 "rune-sgx cannot be chosen here" OB --runtime=rune-sgx=rune --runtimes=rune-sgx \
		--tests=cpu --profile=smoke --out="$T_TMP/never"
	t_ok "no enclave figure: no results directory" test ! -e "$T_TMP/never"
fi

# the runner's bundle: no enclave annotation, no aesmd mount
t_ok "a bundle for rune" OB bundle "$T_TMP/b" --tests=cpu
t_jq "no enclave settings in config.json" \
	'(.annotations // {} | keys | map(select(startswith("enclave"))) | length == 0)
	 and all(.mounts[]; .destination != "/var/run/aesmd")' "$T_TMP/b/config.json"

# the default filter, in the form rune can load: runc 1.0.0-rc10 inside has no
# errnoRet, so every refusal is EPERM and the rules equal to the default go
R=$T_TMP/res
t_ok "smoke under runc and rune (lifecycle, cpu), default filter" OB --profile=smoke \
	--runtimes=runc,rune --tests=lifecycle,cpu --timeout=120 --out="$R"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
t_jq "every cell ok, rune's from the prefix" \
	'length == 4 and all(.status == "ok" and .exit_status == 0)
	 and (map(select(.runtime == "rune")) | length == 2 and all(.runtime_path | endswith("/inclavare/bin/rune")))' \
	"$T_TMP/all.json"
t_jq "rune's cpu cell counted its primes" \
	'map(select(.runtime == "rune" and .test == "cpu"))[0].workload | .events > 0 and .primes_per_event > 0' \
	"$T_TMP/all.json"
t_ok "rune made its state root (it ran the containers)" test -d "$ST/root/rune"
t_jq "rune's records name their filter; runc's have the manifest's" \
	'map(select(.runtime == "rune")) | all(.seccomp.filter == "eperm-only" and (.seccomp.sha256 | test("^[0-9a-f]{64}$")))' \
	"$T_TMP/all.json"
t_jq "... runc's records carry none" 'map(select(.runtime == "runc")) | all(has("seccomp") | not)' "$T_TMP/all.json"
t_jq "manifest: the default profile; rune's filter, what it leaves out and what differs" \
	'.seccomp.profile == "default"
	 and (.runtimes[] | select(.name == "runc") | has("seccomp") | not)
	 and (.runtimes[] | select(.name == "rune") | .seccomp
	      | (.left_out | index("bdflush") != null)
	        and (.differences | any(test("does not allow: EPERM, not ENOSYS")))
	        and .sha256 == "'"$(jq -r 'select(.runtime == "rune") | .seccomp.sha256' "$R/raw.jsonl" | head -1)"'")' \
	"$R/manifest.json"
t_ok "report.html says which filter rune had" grep -q 'seccomp filter eperm-only: .*EPERM, not ENOSYS' "$R/report.html"

# the kernel applies rune's filter: a profile that refuses write() leaves its
# workload without output
NOWRITE=$S/tests/fixtures/seccomp/nowrite.json
t_exit 1 "rune with a profile refusing write(): the cell fails" OB --seccomp="$NOWRITE" \
	--runtimes=rune --profile=smoke --tests=cpu --out="$T_TMP/res-nowrite"
t_jq "... with no workload JSON" '.status == "failed" and .workload == null' "$T_TMP/res-nowrite/raw.jsonl"
# an action runc 1.0.0-rc10 lacks: refused before anything runs
sed 's/"SCMP_ACT_ERRNO", "errnoRet": 1/"SCMP_ACT_KILL_PROCESS"/' "$NOWRITE" >"$T_TMP/killproc.json"
t_exit 2 "a profile rune cannot express" OB --seccomp="$T_TMP/killproc.json" --runtimes=rune \
	--profile=smoke --tests=cpu --out="$T_TMP/never"
t_err_line "... one line naming rune and the action" "rune.*SCMP_ACT_KILL_PROCESS"
t_ok "... and no results directory" test ! -e "$T_TMP/never"

# ---- rune's ordinary containers through docker, podman and containerd (private
# daemons): the same filter as the bare path, given to each engine as a profile
# file (the engines' own profiles hold errnoRet rules rune cannot load)
if command -v dockerd >/dev/null && command -v podman >/dev/null && command -v containerd >/dev/null; then
	t_ok "runtimes: rune through each engine" sh -c "grep -Eq '^docker +ok .* rune' '$T_TMP/rts' &&
		grep -Eq '^podman +ok .* rune' '$T_TMP/rts' && grep -Eq '^containerd +ok .* rune' '$T_TMP/rts'"
	RE=$T_TMP/res-engines
	t_ok "rune through docker, podman, containerd (lifecycle, syscall), default filter" OB \
		--docker-host=private --containerd-address=private --engine=docker,podman,containerd \
		--runtimes=rune --profile=smoke --tests=lifecycle,syscall --timeout=120 --out="$RE"
	jq -s . "$RE/raw.jsonl" >"$T_TMP/eng.json"
	t_jq "six cells ok, each under the bare path's rune filter" \
		'length == 6 and all(.status == "ok" and .seccomp.filter == "eperm-only"
		 and .seccomp.sha256 == "'"$(jq -r 'select(.runtime == "rune") | .seccomp.sha256' "$R/raw.jsonl" | head -1)"'")' \
		"$T_TMP/eng.json"
	t_exit 1 "through each engine, a profile refusing write() fails rune's cell" OB --seccomp="$NOWRITE" \
		--docker-host=private --containerd-address=private --engine=docker,podman,containerd \
		--runtimes=rune --profile=smoke --tests=cpu --timeout=120 --out="$T_TMP/res-engines-nowrite"
	jq -s . "$T_TMP/res-engines-nowrite/raw.jsonl" >"$T_TMP/nw.json"
	t_jq "... three failed cells, no workload JSON, the filter loaded (the kernel refused the calls)" \
		'length == 3 and all(.status == "failed" and .workload == null
		 and (.stderr_tail | test("error adding seccomp filter") | not))' "$T_TMP/nw.json"
fi

# ---- a rune net server stopped in mid-cell, then SIGKILL: the filter is in ---
# ---- force in the container, and cleanup removes what the run left ---------
rune() { "$(sed -n 's/^rune  *ok  *[^ ]*  *\(\/[^ ]*\).*/\1/p' "$T_TMP/rts")" "$@"; }
OB_TEST_STOP_AT=start "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --runtimes=rune \
	--tests=net --timeout=120 --out="$T_TMP/res-kill" >/dev/null 2>"$T_TMP/stop.err" &
pid=$!
for _ in $(seq 1 $((1200 * T_SCALE))); do
	[ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = T ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
rune --root "$ST/root/rune" list --format json >"$T_TMP/list.json" 2>/dev/null
t_jq "a rune container runs (the net server)" 'length == 1 and .[0].status == "running"' "$T_TMP/list.json"
cpid=$(jq -r '.[0].pid' "$T_TMP/list.json")
cfg=$(jq -r '.[0].bundle' "$T_TMP/list.json")/config.json
t_ok "the kernel holds a seccomp filter on its process" grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$cpid/status"
t_jq "its config.json: no errnoRet, no rule with the default action" \
	'.linux.seccomp | (has("defaultErrnoRet") | not) and all(.syscalls[]; (has("errnoRet") | not) and .action != "SCMP_ACT_ERRNO")' \
	"$cfg"
t_ok "... and the manifest's sha256 is its filter's" test "$(jq -cjS .linux.seccomp "$cfg" | sha256sum | cut -d' ' -f1)" \
	= "$(jq -r '.runtimes[0].seccomp.sha256' "$T_TMP/res-kill/manifest.json")"
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/out" "$T_TMP/cleanup"
t_ok "it removed leftovers" grep -Eq ' [1-9][0-9]* leftover item' "$T_TMP/cleanup"
t_ok "no container left in rune's state root" test -z "$(rune --root "$ST/root/rune" list --quiet 2>/dev/null)"
# (killed by delete --force; its end is asynchronous)
gone() { ! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$cpid/status"; }
for _ in $(seq 1 $((50 * T_SCALE))); do gone && break; sleep 0.1; done
t_ok "the server's process is gone" gone
t_ok "no bundle left" test -z "$(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null)"
t_ok "no network namespace of the run left" sh -c "! ls /var/run/netns 2>/dev/null | grep -q -- '-$pid-n'"
t_done
