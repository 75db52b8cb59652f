#!/bin/bash
# End-to-end checks of the runner's net test (runner/net/netcell.c): a server
# and a client container on a private network under runc and runsc (sandbox
# netstack, and --network=host as a runtime variant), --net-peer, bad
# input, and that no namespace, veth, mount, container or bundle is left,
# also after SIGINT and SIGKILL in the middle of a net cell.  Needs root,
# iproute2 and the Debian packages runc and runsc.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
if ! command -v ip >/dev/null; then
	t_skip "runner net tests" "need iproute2"; t_done; exit
fi
t_runner_env "runner net tests" runc runsc
# a binary or image the build should have made is missing: a failure, not a skip
if ! [ -x "$B/ocibench-net" ] || ! [ -f "$B/containers/oci/index.json" ]; then
	echo "Bail out! ocibench-net or the image (containers/oci) is missing from this build"; exit 99
fi

HOST=--runtime=runsc-host=runsc,--network=host
root_links=$(ip -o link | wc -l)

# nothing of run $1 (a results dir) is left: namespaces, root links, the
# /proc/sys/net tmpfs, containers, bundles
no_leftovers() {
	local rid n=0
	rid=$(jq -r .run_id "$1/manifest.json") || return 1
	n=$((n + $(ip netns list | grep -c "^ocibench-$rid-")))
	[ "$(ip -o link | wc -l)" = "$root_links" ] || n=$((n + 1))
	n=$((n + $(grep -c ' /proc/sys/net ' /proc/self/mountinfo)))
	for r in runc runsc runsc-host; do
		[ -d "$ST/root/$r" ] || continue
		n=$((n + $(${r%-host} --root "$ST/root/$r" list --quiet 2>/dev/null | grep -c "^ocibench-$rid-")))
	done
	n=$((n + $(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null | wc -l)))
	[ "$n" = 0 ]
}

# ---- bad input -----------------------------------------------------------------
t_exit 2 "a /16 for --net-subnet is refused" OB --tests=net --net-subnet=10.199.0.0/16 --out="$T_TMP/never"
t_err_line "one line naming the subnet" "10.199.0.0/16"
t_exit 2 "an unknown --net-peer is refused" OB --tests=net --net-peer=nosuch --out="$T_TMP/never"
t_err_line "one line naming the peer" nosuch
t_exit 2 "ocibench bundle refuses the two-container net test" OB bundle "$T_TMP/b" --tests=net
t_err_line "one line naming the test" net
t_ok "no results directory was created" test ! -e "$T_TMP/never"

# ---- runc and runsc (sandbox netstack), 1 s per client ---------------------------
R=$T_TMP/res
t_ok "net under runc and runsc" OB --profile=smoke --tests=net --runtimes=runc,runsc \
	--net-subnet=10.199.7.0/24 --timeout=60 --out="$R"
cp "$T_TMP/out" "$T_TMP/table"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
t_jq "four cells (stream, rr), all ok with exit status 0" \
	'length == 4 and all(.status == "ok" and .exit_status == 0)
	 and ([.[].variant] | sort) == ["rr","rr","stream","stream"]' "$T_TMP/all.json"
t_jq "the client's JSON is the result: bytes > 0, Gbit/s > 0 (stream), transactions > 0 (rr)" \
	'all(.workload.command == "client" and .workload.bytes > 0)
	 and all(.[] | select(.variant == "stream"); .workload.gbits_per_s > 0)
	 and all(.[] | select(.variant == "rr"); .workload.transactions_per_s > 0)' "$T_TMP/all.json"
t_jq "server and client on the private subnet, the server under the column's runtime" \
	'all(.net.subnet == "10.199.7.0/24" and .net.server_address == "10.199.7.2"
	 and .net.client_address == "10.199.7.3" and .net.server_runtime == .runtime
	 and .net.server_exit_status == 0)' "$T_TMP/all.json"
t_jq "runsc ran its sandbox netstack (--network=sandbox recorded)" \
	'all(.[] | select(.runtime == "runsc"); .net.network == "sandbox"
	 and (.runtime_args | index("--network=sandbox")) != null)' "$T_TMP/all.json"
t_jq "stream: runsc's Gbit/s below runc's (gVisor's netstack)" \
	'(map(select(.variant == "stream")) | (map(select(.runtime == "runsc"))[0].workload.gbits_per_s)
	 < (map(select(.runtime == "runc"))[0].workload.gbits_per_s))' "$T_TMP/all.json"
if [ -s "$R/summary.csv" ]; then
	t_ok "the table shows the network rows" grep -q 'network (Gbit/s)' "$T_TMP/table"
	t_ok "and the rr rows" grep -q 'network rr (transactions/s)' "$T_TMP/table"
fi
t_ok "nothing left after the run" no_leftovers "$R"

# ---- runsc --network=host as a runtime variant, the server under runc ------------
R2=$T_TMP/res-peer
t_ok "net under runsc-host with --net-peer=runc" OB --profile=smoke --tests=net "$HOST" \
	--runtimes=runsc-host --net-peer=runc --timeout=60 --out="$R2"
jq -s . "$R2/raw.jsonl" >"$T_TMP/peer.json"
t_jq "both cells ok, host network, servers under runc" \
	'length == 2 and all(.status == "ok" and .runtime == "runsc-host" and .net.network == "host"
	 and .net.server_runtime == "runc" and .net.proc_sys_net_masked == false and .workload.bytes > 0)' \
	"$T_TMP/peer.json"
t_ok "nothing left after it" no_leftovers "$R2"

# ---- SIGINT and SIGKILL in the middle of a net cell (paper profile: 10 s) --------
wait_for() { # seconds cmd...: poll until cmd succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
client_running() { runsc --root "$ST/root/runsc" list 2>/dev/null | grep -Eq '^ocibench-[^ ]*-[0-9]+ +[0-9]+ +running'; }
R3=$T_TMP/res-int
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=paper --tests=net --runtimes=runsc \
	--net-peer=runc --out="$R3" >/dev/null 2>"$T_TMP/int.err" &
pid=$!
wait_for 30 client_running
kill -INT $pid
wait $pid
rc=$?
t_ok "SIGINT mid-cell: exit status 130 (was $rc)" test $rc = 130
t_jq "SIGINT: results marked incomplete" '.incomplete == true' "$R3/manifest.json"
t_ok "SIGINT: no namespace, veth, mount, container or bundle left" no_leftovers "$R3"

R4=$T_TMP/res-kill
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=paper --tests=net --runtimes=runsc \
	--out="$R4" >/dev/null 2>&1 &
pid=$!
wait_for 30 client_running
kill -KILL $pid
wait $pid 2>/dev/null
t_ok "SIGKILL leaves the cell's namespaces behind" sh -c "ip netns list | grep -q '^ocibench-$(jq -r .run_id "$R4/manifest.json")-n'"
t_ok "ocibench cleanup" OB cleanup
cp "$T_TMP/err" "$T_TMP/cleanup.err"
# (an older ocibench elsewhere on the machine may sweep dead runs' namespaces
# host-wide first: then there is nothing left for this cleanup to report)
sed 's/^/# /' "$T_TMP/cleanup.err"
t_ok "it reports the namespaces it removed" sh -c "grep -q 'removed 3 leftover network namespaces' '$T_TMP/cleanup.err' ||
	{ ! grep -q 'network namespace' '$T_TMP/cleanup.err' && ! ip netns list | grep -q '^ocibench-$(jq -r .run_id "$R4/manifest.json")-n'; }"
t_ok "nothing of the killed run is left" no_leftovers "$R4"
t_done
