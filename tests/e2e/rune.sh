#!/bin/bash
# End-to-end checks of the rune column (Inclavare Containers' runtime, built
# from source by runtimes/build into the runtimes prefix): detection, SGX
# report, ordinary containers through the generic OCI path (lifecycle, cpu),
# a bundle without enclave settings, and the clean-up of a SIGKILLed run in
# rune's state root.  Skipped when rune is not built (./quickstart inclavare).
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

# rune v0.6.0 (runc 1.0.0-rc10) fails on the default filter with Debian 12's
# libseccomp ("error adding seccomp filter rule for syscall bdflush:
# permission denied"): its cells run unconfined
R=$T_TMP/res
t_ok "smoke under runc and rune (lifecycle, cpu)" OB --profile=smoke --runtimes=runc,rune \
	--seccomp=unconfined --tests=lifecycle,cpu --timeout=120 --out="$R"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
t_jq "every cell ok, rune's from the prefix" \
	'length == 4 and all(.status == "ok" and .exit_status == 0)
	 and (map(select(.runtime == "rune")) | length == 2 and all(.runtime_path | endswith("/inclavare/bin/rune")))' \
	"$T_TMP/all.json"
t_jq "rune's cpu cell counted its primes" \
	'map(select(.runtime == "rune" and .test == "cpu"))[0].workload | .events > 0 and .primes_per_event > 0' \
	"$T_TMP/all.json"
t_ok "rune made its state root (it ran the containers)" test -d "$ST/root/rune"

# ---- SIGKILL while a rune container runs: cleanup removes it ------------------
running() { rune --root "$ST/root/rune" list 2>/dev/null | grep -q '^ocibench-.* running '; }
rune() { "$(sed -n 's/^rune  *ok  *[^ ]*  *\(\/[^ ]*\).*/\1/p' "$T_TMP/rts")" "$@"; }
wait_for() { local end=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done; }
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --runtimes=rune --tests=syscall --seccomp=unconfined \
	--repeat=50 --out="$T_TMP/res-kill" >/dev/null 2>&1 &
pid=$!
wait_for 60 running
t_ok "a rune container was running" running
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/out" "$T_TMP/cleanup"
t_ok "it removed leftovers" grep -Eq ' [1-9][0-9]* leftover item' "$T_TMP/cleanup"
t_ok "no container left in rune's state root" test -z "$(rune --root "$ST/root/rune" list --quiet 2>/dev/null)"
t_ok "no bundle left" test -z "$(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null)"
t_done
