#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Throughput of a bond against a single link, measured side by side in one run:
#   - N members shaped by tbf (default 1gbit), balance-xor layer3+4, 8 TCP flows,
#     against one plain veth link with the same shaping;
#   - unshaped, one TCP flow through the bond against a plain veth pair.
# Prints ratios; asserts nothing.
#
#   A: xbond0 [a0 .. aN-1] ====== [b0 .. bN-1] xbond0 :B      (bond)
#   C: c0 ========================================== d0 :D     (baseline)
#
# Usage: bench/aggregate.sh [--rate RATE] [--links N] [--time SECONDS]

. "$(dirname "$0")/../selftests/lib.sh"
RATE=1gbit LINKS=2 TIME=5
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift 2 ;;
	--links) LINKS=$2; shift 2 ;;
	--time) TIME=$2; shift 2 ;;
	*) echo "usage: $0 [--rate RATE] [--links N] [--time SECONDS]" >&2; exit 2 ;;
	esac
done

shape() { tc -n "$1" qdisc replace dev "$2" root tbf rate "$RATE" burst 256kb latency 5ms; }
gbit() { awk -v b="$1" 'BEGIN { printf "%.3f", b / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# The plain link: one veth pair between two namespaces.
make_ns C c && make_ns D d || exit 1
ip link add c0 netns "$C" type veth peer name d0 netns "$D"
ip -n "$C" addr add 10.90.0.1/24 dev c0 && ip -n "$C" link set c0 up
ip -n "$D" addr add 10.90.0.2/24 dev d0 && ip -n "$D" link set d0 up

topo_b2b "$LINKS" || exit 1
xbond --netns "$A" --ifaces "$(seq -s, -f 'a%g' 0 $((LINKS - 1)))" --mode balance-xor \
	--hash layer3+4 --no-monitor || exit 1
xbond --netns "$B" --ifaces "$(seq -s, -f 'b%g' 0 $((LINKS - 1)))" --mode balance-xor \
	--hash layer3+4 --no-monitor || exit 1
ip -n "$A" addr add 10.91.0.1/24 dev xbond0
ip -n "$B" addr add 10.91.0.2/24 dev xbond0
wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 10.91.0.2

# Unshaped first: the data plane's own overhead on one flow.
plain1=$(iperf3_run "$D" 10.90.0.2 "$C" -t "$TIME")
bond1=$(iperf3_run "$B" 10.91.0.2 "$A" -t "$TIME")
echo "unshaped, 1 TCP flow:  plain veth $(gbit "$plain1") Gbit/s, bond $(gbit "$bond1") Gbit/s," \
     "ratio $(ratio "$bond1" "$plain1")"

shape "$C" c0
for ((i = 0; i < LINKS; i++)); do shape "$A" a$i; done
single=$(iperf3_run "$D" 10.90.0.2 "$C" -t "$TIME" -P 8)
for ((i = 0; i < LINKS; i++)); do before[i]=$(member_stat "$A" $i tx_bytes); done
bond=$(iperf3_run "$B" 10.91.0.2 "$A" -t "$TIME" -P 8)
echo "shaped to $RATE, 8 TCP flows: single link $(gbit "$single") Gbit/s," \
     "balance-xor layer3+4 over $LINKS links $(gbit "$bond") Gbit/s, ratio $(ratio "$bond" "$single")"
for ((i = 0; i < LINKS; i++)); do
	printf '  a%d carried %s Gbit/s\n' $i \
		"$(gbit $((($(member_stat "$A" $i tx_bytes) - before[i]) * 8 / TIME)))"
done
