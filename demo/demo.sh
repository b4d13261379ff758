#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job, end to end: two hosts (network namespaces) bonded over two
# veth links shaped to 1 Gbit/s, TCP flowing over both members, one link
# pulled, and the traffic going on over the other.
#
#   A: xbond0 10.88.0.1 [a0 a1] ====== [b0 b1] xbond0 10.88.0.2 :B
#
# Usage: demo/demo.sh [--mode MODE] [--rate RATE]   (defaults: balance-xor, 1gbit)

set -u
cd "$(dirname "$0")/.." || exit 1
XBONDLOAD=.output/xbondload
# The monitor's log goes to its run file, which the demo shows at the end.
export XBOND_LOG=file
MODE=balance-xor
RATE=1gbit
while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	*) echo "usage: $0 [--mode MODE] [--rate RATE]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root" >&2; exit 1; }

A=xbdemo-a-$$ B=xbdemo-b-$$
cleanup() {
	pkill -f "iperf3.*10.88.0.2" 2>/dev/null
	for n in $A $B; do
		ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null
		"$XBONDLOAD" --netns $n --detach 2>/dev/null
		ino=$(stat -L -c %i /run/netns/$n 2>/dev/null)
		ip netns del $n 2>/dev/null
		# The pin and log directories of a namespace that is gone.
		[ -n "$ino" ] && rm -rf /sys/fs/bpf/xbond/$ino /run/xbond/$ino
	done
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# tx bytes of A's members, from the pinned per-CPU counters.
tx_bytes() {
	bpftool map dump pinned "/sys/fs/bpf/xbond/$(stat -L -c %i /run/netns/$A)/xbond0/xbond_mstats" |
		jq -r '[.[] | select(.key < 2) | [.values[].value.tx_bytes] | add] | @tsv'
}

# Print each member's rate once a second for $1 seconds.
show_rates() {
	local i prev now
	prev=$(tx_bytes)
	for ((i = 0; i < $1; i++)); do
		sleep 1
		now=$(tx_bytes)
		paste <(tr '\t' '\n' <<<"$prev") <(tr '\t' '\n' <<<"$now") |
			awk '{ printf "  a%d: %6.0f Mbit/s", NR - 1, ($2 - $1) * 8 / 1e6 } END { print "" }'
		prev=$now
	done
}

step "two hosts, A and B, cabled by two links"
ip netns add $A && ip netns add $B || exit 1
for i in 0 1; do
	ip link add a$i netns $A type veth peer name b$i netns $B
	# 1 GbE members: a token bucket on each sending side.
	tc -n $A qdisc add dev a$i root tbf rate $RATE burst 256kb latency 5ms
	tc -n $B qdisc add dev b$i root tbf rate $RATE burst 256kb latency 5ms
done

step "bond them: xbondload --ifaces a0,a1 --mode $MODE --hash layer3+4"
$XBONDLOAD --netns $A --ifaces a0,a1 --mode "$MODE" --hash layer3+4 || exit 1
$XBONDLOAD --netns $B --ifaces b0,b1 --mode "$MODE" --hash layer3+4 || exit 1
ip -n $A addr add 10.88.0.1/24 dev xbond0
ip -n $B addr add 10.88.0.2/24 dev xbond0
ip -n $A -br link
ip netns exec $A bpftool net | sed -n '/^xdp/,$p' | grep -v '^$'

step "8 TCP flows from A to B, and a 1 ms ping alongside"
ip netns exec $B iperf3 -s -1 -D -B 10.88.0.2 >/dev/null
sleep 0.3
ip netns exec $A iperf3 -c 10.88.0.2 -P 8 -t 8 -i 0 >/tmp/xbdemo-iperf.$$ 2>&1 &
iperf=$!
ip netns exec $A ping -q -i 0.001 -w 8 10.88.0.2 >/tmp/xbdemo-ping.$$ 2>&1 &
ping=$!
show_rates 3

step "pull a link: b1 goes down, so a1 loses carrier"
ip -n $B link set b1 down
show_rates 4
wait $iperf $ping

step "what happened"
tail -n 4 "/run/xbond/$(stat -L -c %i /run/netns/$A)/xbond0.log"
grep -E 'SUM.*(sender|receiver)' /tmp/xbdemo-iperf.$$
grep -E 'packets transmitted' /tmp/xbdemo-ping.$$
rm -f /tmp/xbdemo-iperf.$$ /tmp/xbdemo-ping.$$
echo
echo "Traffic went on over a0 after a1 lost its link; the lost pings are the failover."
