#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the peer guest (bench/peer/runvm.sh, started by test-peer.sh):
# xbond on one side and the guest kernel's bonding driver on the other,
# cabled back to back, must talk to each other in active-backup and
# balance-xor: ping, traffic over both members in xor, and a pulled link
# that leaves traffic going. Prints one "TEST: name [ OK ]" or "[FAIL]" line
# per check; test-peer.sh counts them.
#
#   A:  xb0 10.79.0.1 [a0 a1]      xbond (xbondload --netns A)
#                      |  |        veth, cabled straight: no switch
#   B:  bond0 10.79.0.2 [b0 b1]    the kernel's bonding driver, miimon 50
#
# Usage: guest-test.sh
set -u
. "$(dirname "${BASH_SOURCE[0]}")/guest-lib.sh"

A_IP=10.79.0.1 B_IP=10.79.0.2
FAILED=0
SCRATCH=

pass() { printf 'TEST: %-66s [ OK ]\n' "$1"; }
fail() { printf 'TEST: %-66s [FAIL]\n' "$1"; shift; [ $# -gt 0 ] && printf '    %s\n' "$@"; FAILED=1; }

# check NAME CMD...: pass if CMD succeeds; returns as CMD did. CMD runs in a
# subshell: what it sets is lost.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(tail -3 <<<"$out")"
		return 1
	fi
}

cleanup() {
	ns_cleanup
	[ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pair MODE: A's xbond and B's kernel bond over a0-b0 and a1-b1, in MODE.
pair() {
	local mode=$1 hash=layer3+4 i
	ns_cleanup
	make_ns A a && make_ns B b || return 1
	for i in 0 1; do
		ip link add "a$i" netns "$A" type veth peer name "b$i" netns "$B" || return 1
	done
	ip -n "$B" link add bond0 type bond mode "$mode" miimon 50 xmit_hash_policy $hash || return 1
	[ "$mode" = active-backup ] && ip -n "$B" link set bond0 type bond primary b0
	ip -n "$B" link set b0 master bond0 && ip -n "$B" link set b1 master bond0 || return 1
	ip -n "$B" addr add $B_IP/24 dev bond0 && ip -n "$B" link set bond0 up || return 1
	local args=(--netns "$A" --ifaces a0,a1 --name xb0 --mode "$mode" --hash $hash)
	[ "$mode" = active-backup ] && args+=(--primary a0)
	"$XBONDLOAD" "${args[@]}" || return 1
	ip -n "$A" addr add $A_IP/24 dev xb0
}

# up NAME MODE: pair MODE, in this shell (check runs its command in a
# subshell, and pair sets A and B).
up() {
	if pair "$2" >"$SCRATCH/pair.log" 2>&1; then
		pass "$1"
	else
		fail "$1" "$(tail -3 "$SCRATCH/pair.log")"
		return 1
	fi
}

ping_ok() { ip netns exec "$A" ping -c 3 -i 0.2 -W 1 $B_IP; }

# iperf8 SERVER_NS CLIENT_NS DST: 8 TCP flows for 2 s, client to server.
iperf8() {
	local server=$1 client=$2 dst=$3 port=$((5201 + RANDOM % 500)) spid rc
	ip netns exec "$server" iperf3 -s -1 -p $port >/dev/null 2>&1 &
	spid=$!
	wait_for 5 sh -c "ip netns exec $server ss -Hltn 'sport = :$port' | grep -q ."
	ip netns exec "$client" timeout 20 iperf3 -c "$dst" -p $port -t 2 -P 8 >/dev/null 2>&1
	rc=$?
	wait $spid 2>/dev/null
	return $rc
}

# both_carry NS DIR BEFORE_0 BEFORE_1 M0 M1: each member moved at least a tenth
# of what the two moved together (DIR tx or rx).
both_carry() {
	local ns=$1 dir=$2 d0 d1
	d0=$(($(${dir}_bytes "$ns" "$5") - $3))
	d1=$(($(${dir}_bytes "$ns" "$6") - $4))
	echo "$5 $d0 bytes, $6 $d1 bytes"
	[ $((d0 + d1)) -gt 1000000 ] && [ $((d0 * 10)) -ge $((d0 + d1)) ] && [ $((d1 * 10)) -ge $((d0 + d1)) ]
}

# pulled_link NAME PULL RESTORE [CHECK_NAME CHECK_CMD]: 5 ms pings A -> B for
# 3 s, PULL at 1 s; passes when pings still get through after the pull and at
# most 300 ms of them were lost. CHECK_CMD runs while the link is still out,
# then RESTORE puts it back.
pulled_link() {
	local name=$1 pull=$2 restore=$3 out=$SCRATCH/ping sent received lost
	ip netns exec "$A" ping -q -i 0.005 -w 3 -W 1 $B_IP >"$out" 2>&1 &
	local pid=$!
	sleep 1
	eval "$pull"
	wait $pid
	read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$out")
	lost=$((${sent:-0} - ${received:-0}))
	if [ -n "${sent:-}" ] && [ "$lost" -le 60 ] && ping_ok >/dev/null 2>&1; then
		pass "$name: $lost of $sent 5 ms pings lost"
	else
		fail "$name: ${lost:-?} of ${sent:-?} 5 ms pings lost" "$(tail -2 "$out")"
	fi
	[ $# -ge 5 ] && check "$4" $5
	eval "$restore"
	check "${name%%:*}: the link back, ping" wait_for 5 ping_ok
}

# on_link N: xbond's and the kernel's active members are both link N.
on_link() {
	[ "$("$XBONDCTL" --netns "$A" -j status xb0 | jq -r .active_member)" = "a$1" ] &&
		ip netns exec "$B" grep -q "^Currently Active Slave: b$1" /proc/net/bonding/bond0
}
on_link1() { on_link 1; }

test_active_backup() {
	local m=active-backup
	up "$m: xbond and the kernel bond come up" $m || return
	check "$m: ping xbond -> kernel bond" wait_for 10 ping_ok
	check "$m: both use link 0 (a0 and b0 active)" wait_for 3 on_link 0
	pulled_link "$m: kernel side pulls link 0 (b0 down)" \
		"ip -n $B link set b0 down" "ip -n $B link set b0 up" \
		"$m: both moved to link 1" on_link1
	check "$m: both back on link 0, the primary" wait_for 5 on_link 0
}

test_balance_xor() {
	local m=balance-xor t0 t1 out
	up "$m: xbond and the kernel bond come up" $m || return
	check "$m: ping xbond -> kernel bond" wait_for 10 ping_ok
	t0=$(tx_bytes "$A" a0) t1=$(tx_bytes "$A" a1)
	check "$m: 8 TCP flows xbond -> kernel bond" iperf8 "$B" "$A" $B_IP
	check "$m: xbond sends on both members" both_carry "$A" tx "$t0" "$t1" a0 a1
	t0=$(tx_bytes "$B" b0) t1=$(tx_bytes "$B" b1)
	local r0 r1
	r0=$(rx_bytes "$A" a0) r1=$(rx_bytes "$A" a1)
	check "$m: 8 TCP flows kernel bond -> xbond" iperf8 "$A" "$B" $A_IP
	check "$m: the kernel bond sends on both members" both_carry "$B" tx "$t0" "$t1" b0 b1
	check "$m: xbond receives on both members" both_carry "$A" rx "$r0" "$r1" a0 a1
	pulled_link "$m: xbond side pulls link 1 (a1 down)" \
		"ip -n $A link set a1 down" "ip -n $A link set a1 up"
	check "$m: 8 TCP flows after the link came back" iperf8 "$B" "$A" $B_IP
}

main() {
	guest_setup
	SCRATCH=$(mktemp -d /tmp/peer-test.XXXXXX) || die "mktemp failed"
	log "xbond against the kernel's bonding driver ($(uname -r)), back to back"
	test_active_backup
	test_balance_xor
	return $FAILED
}

main "$@"
