#!/bin/bash
# End-to-end checks of ocibench-net on loopback: byte counts, JSON schema,
# reverse, parallel streams, rr latency, and error paths that end fast.
# Only 127.0.0.1/::1, and a network namespace this script creates itself.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
NET=$B/ocibench-net
PIDS=()
NETNS=
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -z "$NETNS" ] || ip netns del "$NETNS" 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
listening() { ss -Hltn "sport = :$1" | grep -q .; }

# start_server NAME ARGS...: an ocibench-net server on a random free high
# port (PORT), output in $T_TMP/NAME.out; waits until it listens.
start_server() {
	local name=$1; shift
	for _ in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 40000))
		listening "$PORT" && continue
		W net -s -p "$PORT" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
		SHELL_PID=$!
		PIDS+=("$SHELL_PID")
		# W runs in a background subshell: the server is its child
		SPID=
		for _ in $(seq 100); do
			SPID=$(pgrep -P "$SHELL_PID" | head -1)
			[ -n "$SPID" ] && break
			sleep 0.02
		done
		[ -n "$SPID" ] || SPID=$SHELL_PID
		PIDS+=("$SPID")
		for _ in $(seq 100); do
			listening "$PORT" && return 0
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.05
		done
	done
	echo "# could not start a server"
	return 1
}

# wait_lines FILE N: until FILE has N lines (the server reports after the client exits)
wait_lines() {
	for _ in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# one_err_line DESC WORD MAX_MS START_MS: one stderr line naming WORD, within MAX_MS
one_err_line() {
	local took=$(($(now_ms) - $4))
	[ "$(wc -l <"$T_TMP/err")" = 1 ] && grep -q -- "$2" "$T_TMP/err" && [ "$took" -lt $(($3 * T_SCALE)) ]
	local rc=$?
	[ $rc = 0 ] || { echo "# took ${took} ms; stderr:"; sed 's/^/# /' "$T_TMP/err" | head -5; }
	t_result $rc "$1"
}

t_static net

start_server js -J || { t_done; exit 1; }
JPORT=$PORT
SERVED=0

# client DESC ARGS...: a JSON client run against the JSON server; the
# server's object for the same test lands in $T_TMP/server.json
client() {
	local desc=$1; shift
	t_ok "$desc" W net -c 127.0.0.1 -p "$JPORT" -J "$@"
	cp "$T_TMP/out" "$T_TMP/client.json"
	SERVED=$((SERVED + 1))
	wait_lines "$T_TMP/js.out" "$SERVED"
	sed -n "${SERVED}p" "$T_TMP/js.out" >"$T_TMP/server.json"
}

client "stream client, 1 s" -t 1
t_jq "one JSON object with the schema keys" \
	'.schema == "ocibench-workload/1" and .workload == "net" and .command == "client" and .status == "ok"
	 and (.version|type) == "string" and (.params|type) == "object" and .started_wall_ns > 0
	 and (.build.arch | length) > 0 and (.build.compiler | length) > 0
	 and .mode == "stream" and .total_time_s > 0 and .gbits_per_s > 0' "$T_TMP/client.json"
t_jq "bytes moved, sender and receiver agree" \
	'.bytes > 0 and .sender_bytes == .receiver_bytes and .bytes == .receiver_bytes' "$T_TMP/client.json"
t_jq "intervals add up to the bytes sent" \
	'(.intervals|length) >= 1 and ([.intervals[].bytes]|add) == .sender_bytes
	 and all(.intervals[]; .end > .start and .gbits_per_s >= 0)' "$T_TMP/client.json"
t_jq "effective parameters in params" \
	'.params.time == 1 and .params.parallel == 1 and .params.length == 131072 and .params.mode == "stream"
	 and .params.reverse == false and .params.port == '"$JPORT" "$T_TMP/client.json"
CB=$(jq .receiver_bytes "$T_TMP/client.json")
t_jq "server reports the same test and byte count" \
	'.command == "server" and .status == "ok" and .receiver_bytes == '"$CB"' and .sender_bytes == '"$CB"'
	 and ([.intervals[].bytes]|add) == '"$CB" "$T_TMP/server.json"

client "reverse mode (-R)" -t 1 -R
t_jq "reverse: bytes moved and counts agree" \
	'.bytes > 0 and .sender_bytes == .receiver_bytes and .params.reverse == true
	 and ([.intervals[].bytes]|add) == .receiver_bytes' "$T_TMP/client.json"
CB=$(jq .receiver_bytes "$T_TMP/client.json")
t_jq "reverse: the server sent what the client received" \
	'.params.reverse == true and .sender_bytes == '"$CB" "$T_TMP/server.json"

client "two parallel streams (-P 2), -l 64K" -t 1 -P 2 -l 64K
t_jq "-P 2: bytes moved and counts agree" \
	'.bytes > 0 and .sender_bytes == .receiver_bytes and .params.parallel == 2 and .params.length == 65536' \
	"$T_TMP/client.json"
t_jq "-P 2: the server ran two streams" '.params.parallel == 2 and .receiver_bytes == '"$(jq .bytes "$T_TMP/client.json")" "$T_TMP/server.json"

client "rr mode, 2 streams" -t 1 --mode rr -P 2
t_jq "rr: transactions and latency fields" \
	'.mode == "rr" and .transactions > 0 and .transactions_per_s > 0 and .params.length == 1
	 and (.latency_us | .min <= .avg and .avg <= .max and .min <= .p95 and .p95 <= .p99 and .p99 <= .max)' \
	"$T_TMP/client.json"
t_jq "rr: one request byte per transaction, both sides agree" \
	'.sender_bytes == .transactions and .receiver_bytes == .transactions' "$T_TMP/client.json"
t_jq "rr: the server counted the same transactions" \
	'.transactions == '"$(jq .transactions "$T_TMP/client.json")" "$T_TMP/server.json"
# blocking sockets with a timeout: one send and one recv per transaction
t_jq "rr: 2 to 2.1 client calls per transaction (one send, one recv)" \
	'.calls_per_transaction >= 2 and .calls_per_transaction <= 2.1' "$T_TMP/client.json"
t_jq "rr: the server reports the client's calls per transaction" \
	'.calls_per_transaction == '"$(jq .calls_per_transaction "$T_TMP/client.json")" "$T_TMP/server.json"

if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/'; then
	t_ok "IPv6 client on ::1" W net -c ::1 -p "$JPORT" -J -t 1 -6
	SERVED=$((SERVED + 1))
	t_jq "IPv6: bytes moved and counts agree" '.bytes > 0 and .sender_bytes == .receiver_bytes' "$T_TMP/out"
else
	t_skip "IPv6 client on ::1" "no ::1 on lo"
	t_skip "IPv6: bytes moved and counts agree" "no ::1 on lo"
fi

t_ok "text client output" W net -c 127.0.0.1 -p "$JPORT" -t 1 -i 0.5
SERVED=$((SERVED + 1))
cp "$T_TMP/out" "$T_TMP/text.out"
# an interval line ending before 1 s: the 0.5 s reports (their bounds drift
# under a loaded emulator, so no exact 0.50 is asked)
t_ok "text report has interval, sender and receiver lines" sh -c \
	"grep -q 'Gbits/sec\|Mbits/sec' '$T_TMP/text.out' && grep -q 'sender\$' '$T_TMP/text.out' && grep -q 'receiver\$' '$T_TMP/text.out' && grep -qE '^\\[ *[0-9]+\\] +0\\.[0-9]+-0\\.[0-9]+ +sec' '$T_TMP/text.out'"

# ---- a busy server, an interrupted client ----------------------------------
W net -c 127.0.0.1 -p "$JPORT" -t 1.5 -i 0 >"$T_TMP/first.out" 2>&1 &
FIRST=$!
sleep 0.5
t0=$(now_ms)
t_exit 1 "a second client while a test runs" W net -c 127.0.0.1 -p "$JPORT" -t 1
one_err_line "... is told the server is busy" "busy" 3000 "$t0"
t_exit 0 "the running test is not disturbed" wait "$FIRST"
SERVED=$((SERVED + 1))

W net -c 127.0.0.1 -p "$JPORT" -t 20 -i 0 >"$T_TMP/int.out" 2>"$T_TMP/int.err" &
INT=$!
sleep 0.5
pkill -INT -P "$INT" 2>/dev/null || kill -INT "$INT"
t0=$(now_ms)
t_exit 1 "SIGINT ends a running client with a failure" wait "$INT"
t_ok "... within a second" test $(($(now_ms) - t0)) -lt $((1500 * T_SCALE))
SERVED=$((SERVED + 1))
wait_lines "$T_TMP/js.out" "$SERVED"
sed -n "${SERVED}p" "$T_TMP/js.out" >"$T_TMP/server.json"
t_jq "the server reports the aborted test as failed" '.status == "failed" and (.error|type) == "string"' \
	"$T_TMP/server.json"
t_ok "and serves the next test" W net -c 127.0.0.1 -p "$JPORT" -t 0.3 -J
SERVED=$((SERVED + 1))

# ---- server lifecycle ----------------------------------------------------
start_server one -1 -J -B 127.0.0.1
t_ok "client (-4, -B) against a --one-off server bound to 127.0.0.1" \
	W net -c 127.0.0.1 -p "$PORT" -t 0.5 -i 0 -4 -B 127.0.0.1
t_exit 0 "the --one-off server exits 0 after its test" wait "$SHELL_PID"
t_jq "the --one-off server printed one object" '.status == "ok" and .params.one_off == true and .params.bind == "127.0.0.1"' "$T_TMP/one.out"

start_server term
kill -TERM "$SPID"
t0=$(now_ms)
t_exit 0 "SIGTERM ends an idle server cleanly" wait "$SHELL_PID"
t_ok "... promptly" test $(($(now_ms) - t0)) -lt $((2000 * T_SCALE))

# ---- error paths -----------------------------------------------------------
t0=$(now_ms)
t_exit 1 "-p $JPORT: port in use" W net -s -p "$JPORT"
one_err_line "port in use: one line, fast" "in use" 3000 "$t0"

FREE=$JPORT
while listening "$FREE"; do FREE=$((20000 + RANDOM % 40000)); done
t0=$(now_ms)
t_exit 1 "refused port" W net -c 127.0.0.1 -p "$FREE" -t 1
one_err_line "refused: one line, fast" "refused" 3000 "$t0"
t_exit 1 "refused port (-J)" W net -c 127.0.0.1 -p "$FREE" -J
t_jq "a failed client still prints one JSON object" \
	'.status == "failed" and (.error|test("refused")) and .workload == "net" and .schema == "ocibench-workload/1"
	 and (.params|type) == "object" and (has("bytes")|not)' "$T_TMP/out"

# a loopback listener whose accept queue is full drops further SYNs
if command -v python3 >/dev/null; then
	python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
c = socket.create_connection(s.getsockname())
print(s.getsockname()[1], flush=True); time.sleep(20)' >"$T_TMP/drop.port" &
	PIDS+=($!)
	wait_lines "$T_TMP/drop.port" 1
	t0=$(now_ms)
	t_exit 1 "connect to a port that drops SYNs" W net -c 127.0.0.1 -p "$(cat "$T_TMP/drop.port")" --connect-timeout 1
	one_err_line "bounded by --connect-timeout: one line, about 1 s" "timed out" 3000 "$t0"
else
	t_skip "connect to a port that drops SYNs" "no python3"
	t_skip "bounded by --connect-timeout" "no python3"
fi

# a network namespace of our own with loopback down: no route at all
NETNS=ob-net-test-$$
if ip netns add "$NETNS" 2>/dev/null; then
	t0=$(now_ms)
	t_exit 1 "no route (own netns, lo down)" ip netns exec "$NETNS" ${OB_EMU:-} "$NET" -c 127.0.0.1 -p 5201 --connect-timeout 2
	one_err_line "unreachable: one line, fast" "connect" 3000 "$t0"
else
	NETNS=
	t_skip "no route (own netns, lo down)" "cannot create a network namespace"
	t_skip "unreachable: one line, fast" "cannot create a network namespace"
fi

t_exit 2 "-t abc is rejected" W net -c 127.0.0.1 -t abc
t_err_line "one line naming abc" "abc"
t_exit 2 "-P 0 is rejected" W net -c 127.0.0.1 -P 0
t_err_line "one line naming --parallel" "parallel"
t_exit 2 "-l 1X is rejected" W net -c 127.0.0.1 -l 1X
t_err_line "one line naming 1X" "1X"
t_exit 2 "-p 70000 is rejected" W net -c 127.0.0.1 -p 70000
t_err_line "one line naming 70000" "70000"
t_exit 2 "unknown flag is rejected" W net -c 127.0.0.1 -x
t_err_line "one line naming -x" "'-x'"
t_exit 2 "neither -s nor -c" W net -t 1
t_err_line "one line asking for -s or -c" "-s"
t_exit 2 "-c without a host" W net -c
t_err_line "one line naming -c" "-c"
t_exit 2 "--mode=foo is rejected" W net -c 127.0.0.1 --mode=foo
t_err_line "one line naming foo" "foo"
t_exit 2 "-R with --mode=rr is rejected" W net -c 127.0.0.1 --mode=rr -R
t_err_line "one line naming --reverse" "reverse"
t_exit 2 "-i 0.01 is rejected" W net -c 127.0.0.1 -i 0.01
t_err_line "one line naming --interval" "interval"
t_exit 0 "--help exits 0" W net --help
t_exit 0 "--version exits 0" W net --version
t_done
