#!/bin/bash
# Schema snapshots: the set of keys (as paths, array indexes as []) and JSON
# types of each workload's JSON document, compared with the snapshots in
# tests/fixtures/schema/.  A key renamed, dropped, added or retyped fails
# here, so a change of the contract is a deliberate one: rerun with
#   OB_SCHEMA_UPDATE=1 make check TESTS=tests/e2e/schema.sh
# and commit the new snapshot with the change.  (The runner's raw.jsonl
# record is snapshotted by tests/e2e/runner.sh.)
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
D=$T_TMP/files
mkdir -p "$D"

# snap NAME CMD...: run a workload that must succeed, snapshot its JSON
snap() {
	local name=$1; shift
	t_ok "$name runs" "$@"
	cp "$T_TMP/out" "$T_TMP/$name.json"
	t_snapshot "$name" "$T_TMP/$name.json"
}

snap cpu W cpu --events=2 --time=0 --format=json
snap memory-write W memory --memory-total-size=4K --format=json
snap memory-read W memory --memory-oper=read --memory-total-size=4K --format=json
snap syscall W syscall --events=2 --time=0 --format=json
snap idle W idle --time=0.2 --format=json
snap fileio-prepare W fileio --file-dir="$D" --file-num=2 --file-total-size=256K --validate --format=json prepare
snap fileio-run W fileio --file-dir="$D" --file-num=2 --file-total-size=256K --validate \
	--file-test-mode=rndrw --events=50 --time=0 --format=json run
snap fileio-cleanup W fileio --file-dir="$D" --file-num=2 --file-total-size=256K --format=json cleanup

# net: a one-off JSON server on a free port, one client per mode
net_pair() { # MODE NAME
	local port pid
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		W net -s -1 -J -p "$port" >"$T_TMP/srv.json" 2>"$T_TMP/srv.err" &
		pid=$!
		for _ in $(seq 50); do
			W net -c 127.0.0.1 -p "$port" -J -t 0.5 -i 0.25 --mode "$1" --connect-timeout 1 \
				>"$T_TMP/cli.json" 2>/dev/null && { wait "$pid"; return 0; }
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	done
	return 1
}
for mode in stream rr; do
	if net_pair $mode; then
		t_result 0 "net $mode: client and server"
		t_snapshot net-$mode-client "$T_TMP/cli.json"
		t_snapshot net-$mode-server "$T_TMP/srv.json"
	else
		t_result 1 "net $mode: client and server"
	fi
done
t_done
