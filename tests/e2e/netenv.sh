#!/bin/bash
# End-to-end checks of runner/net/netenv.c: namespaces, bridge, veths, addresses,
# and that nothing is left behind or touched in the root namespace.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
TOOL=$B/tests/unit/netenv-tool
P=ocibench-t$$
trap '"$TOOL" cleanup "$P" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	t_skip "network namespaces" "needs root and iproute2"
	t_done; exit
fi

root_links=$(ip -o link | wc -l)
t_ok "create a bridge namespace and two endpoints" "$TOOL" create "$P" 10.199.0.0/24 2
cp "$T_TMP/out" "$T_TMP/created"
t_ok "endpoints get .2 and .3 of the subnet" grep -qx "$P-0 10.199.0.2" "$T_TMP/created"
t_ok "three namespaces exist" sh -c "[ \$(ip netns list | grep -c '^$P-') = 3 ]"
t_ok "the root namespace has no new link" sh -c "[ \$(ip -o link | wc -l) = $root_links ]"
t_ok "endpoint 0 has eth0 with its address" sh -c "ip -n $P-0 -4 -o addr show dev eth0 | grep -q '10.199.0.2/24'"
t_ok "both veths are ports of br0" sh -c "[ \$(ip -n $P-br -o link show master br0 | wc -l) = 2 ]"
# a refused connection proves the SYN crossed the bridge and came back as RST
t_ok "endpoint 0 reaches endpoint 1 through the bridge (connection refused, not unreachable)" \
	sh -c "ip netns exec $P-0 timeout 5 bash -c 'exec 3<>/dev/tcp/10.199.0.3/9' 2>&1 | grep -q 'Connection refused'"
t_ok "cleanup removes the three namespaces" "$TOOL" cleanup "$P"
cp "$T_TMP/out" "$T_TMP/cleaned"
t_ok "cleanup reports 3" grep -qx 3 "$T_TMP/cleaned"
t_ok "no namespace of the test is left" sh -c "! ip netns list | grep -q '^$P-'"
t_exit 2 "a /16 is refused" "$TOOL" subnet 10.199.0.0/16
t_err_line "one line naming the bad subnet" "10.199.0.0/16"
t_exit 2 "garbage is refused" "$TOOL" subnet nonsense
# a failure half-way removes what was made
t_exit 1 "a second network with the same names fails" sh -c "'$TOOL' create $P 10.199.0.0/24 1 && '$TOOL' create $P 10.199.0.0/24 1"
t_ok "and the failed attempt removed only its own objects" sh -c "[ \$(ip netns list | grep -c '^$P-') = 2 ]"
"$TOOL" cleanup "$P" >/dev/null
t_done
