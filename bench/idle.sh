#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What idle bonds cost: the CPU and system calls of their monitors, for one
# bond and for many (each in its own namespace with its own monitor, as pods
# are), with members whose carrier events come at once (veth) and with every
# member's carrier polled every --miimon 10 ms, as physical NICs' are
# (xbondmon --poll-carrier). Then a carrier failover of one bond while all of them run. Writes
# OUT/idle.md and OUT/idle.jsonl; asserts nothing.
#
#   H1..HN: xbond0 [x0 x1]   each bond in its own namespace
#                   |  |
#   S:       br0 [ports ... sp]
#                             |
#   P:                       p0 10.92.0.2   pings bond 1 (10.92.0.1)
#
# Usage: bench/idle.sh [--bonds N] [--time SECONDS] [--out DIR] [--events-only]
#   --events-only: skip the polled case (for an xbondmon without --poll-carrier)

. "$(dirname "$0")/lib.sh"
BONDS=100 SECS=10 POLLED=1
while [ $# -gt 0 ]; do
	case $1 in
	--events-only) POLLED=0; shift ;;
	--bonds) BONDS=$2; shift 2 ;;
	--time) SECS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "usage: ${0##*/} [--bonds N] [--time SECONDS] [--out DIR]" >&2; exit 2 ;;
	esac
done
OUT=${OUT:-$TOP/.output/bench/idle-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
XBONDMON=$(dirname "$XBONDLOAD")/xbondmon
HOSTS=()

# bonds N [--no-monitor]: N bonds over the switch S, bond 1 addressed.
bonds() {
	local n=$1 i
	shift
	cleanup
	HOSTS=()
	make_ns S s && make_ns P p || die "cannot create namespaces"
	ip -n "$S" link add br0 type bridge && ip -n "$S" link set br0 up
	ip link add p0 netns "$P" type veth peer name sp netns "$S"
	ip -n "$S" link set sp master br0 up
	ip -n "$P" addr add 10.92.0.2/24 dev p0 && ip -n "$P" link set p0 up
	for ((i = 1; i <= n; i++)); do
		make_ns H "h$i" || die "cannot create namespace $i"
		HOSTS+=("$H")
		ip link add x0 netns "$H" type veth peer name "s${i}a" netns "$S"
		ip link add x1 netns "$H" type veth peer name "s${i}b" netns "$S"
		ip -n "$S" link set "s${i}a" master br0 up
		ip -n "$S" link set "s${i}b" master br0 up
		xbond --netns "$H" --ifaces x0,x1 --miimon 10 "$@" >/dev/null ||
			die "bond $i: xbondload failed"
	done
	ip -n "${HOSTS[0]}" addr add 10.92.0.1/24 dev xbond0
	wait_for 5 ip netns exec "$P" ping -c 1 -W 0.2 10.92.0.1 || die "bond 1: no ping"
}

# Every monitor process of ours: xbondmon's, and any the bonds' namespaces hold.
monitor_pids() {
	local h
	for h in "${HOSTS[@]}"; do ip netns pids "$h"; done
}

# cpu_ns PIDS...: the time they ran, in ns. From schedstat, not utime and
# stime: with tick-based accounting those charge a whole tick to whoever runs
# when it strikes, which a process that wakes every 10 ms often does.
cpu_ns() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $1 }' "/proc/$p/schedstat" 2>/dev/null || echo 0)))
	done
	echo $t
}

# measure LABEL: CPU of all monitors over SECS, and one worker's syscalls over 5 s.
measure() {
	local label=$1 pids before after cpu calls worker
	sleep 1
	pids=$(monitor_pids)
	before=$(cpu_ns $pids)
	sleep "$SECS"
	after=$(cpu_ns $pids)
	cpu=$(awk -v t=$((after - before)) -v s="$SECS" 'BEGIN { printf "%.3f", 100 * t / 1e9 / s }')
	worker=$(monitor_pid "${HOSTS[0]}" worker 2>/dev/null || ip netns pids "${HOSTS[0]}" | head -1)
	calls=$(timeout 5 strace -c -f -p "$worker" 2>&1 | awk '/^100.00/ { print $4 }')
	calls=${calls:-0}
	echo "    $label: $(echo $pids | wc -w) processes, ${cpu}% of one CPU, $((calls / 5)) syscalls/s for one worker"
	jq -nc --arg what "$label" --argjson bonds "${#HOSTS[@]}" --argjson cpu "$cpu" \
		--argjson calls_per_s $((calls / 5)) \
		'{name: $what, bonds: $bonds, cpu_percent: $cpu, syscalls_per_s_per_bond: $calls_per_s}' \
		>>"$OUT/idle.jsonl"
}

# Polled: the same bonds with every member polled, as physical NICs are.
polled_monitors() {
	local h
	for h in "${HOSTS[@]}"; do
		xbond --netns "$h" --no-monitor >/dev/null
		"$XBONDMON" --netns "$h" --poll-carrier >/dev/null 2>&1 &
	done
	for h in "${HOSTS[@]}"; do wait_for 5 monitor_pid "$h" worker || die "$h: no monitor"; done
}

# failover: pull bond 1's active member's port under a 1 ms ping from P.
failover() {
	local label=$1 out=$OUT/ping.txt pid sent received
	ip netns exec "$P" ping -q -i 0.001 -c 2000 -W 1 10.92.0.1 >"$out" 2>&1 &
	pid=$!
	sleep 0.5
	ip -n "$S" link set s1a down
	wait $pid
	ip -n "$S" link set s1a up
	read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$out")
	echo "    $label: carrier failover of bond 1 lost $((sent - received)) of $sent 1 ms pings"
	jq -nc --arg what "$label" --argjson bonds "${#HOSTS[@]}" --argjson lost $((sent - received)) \
		'{name: $what, bonds: $bonds, failover_lost_pings: $lost}' >>"$OUT/idle.jsonl"
}

: >"$OUT/idle.jsonl"
for n in 1 "$BONDS"; do
	echo "== $n idle bond(s), --miimon 10"
	bonds "$n"
	measure "$n bonds, veth members (events)"
	failover "$n bonds, veth members (events)"
	((POLLED)) || continue
	polled_monitors
	measure "$n bonds, every member polled"
	failover "$n bonds, every member polled"
done
cleanup

jq -rs '
	"| idle monitors | processes’ CPU, % of one core | syscalls/s of one bond’s worker | failover of one bond, lost 1 ms pings |",
	"|---|---|---|---|",
	(group_by(.name)[] | (map(select(.cpu_percent != null))[0]) as $c
	 | (map(select(.failover_lost_pings != null))[0]) as $f
	 | "| \(.[0].name) | \($c.cpu_percent) | \($c.syscalls_per_s_per_bond) | \($f.failover_lost_pings) |")
' "$OUT/idle.jsonl" >"$OUT/idle.md"
cat "$OUT/idle.md"
