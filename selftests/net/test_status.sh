#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbondctl status: the /proc/net/bonding facts plus counters and the last
# failover, in text and JSON with the same words, read from the pins even
# while the monitor is down.
#
#   A: xbond0 10.82.0.1 [a0 a1] ====== [b0 b1] xbond0 10.82.0.2 :B
. "$(dirname "$0")/../lib.sh"
XBONDCTL=$TOP/.output/xbondctl

topo_b2b 2 || { fail "topology"; exit 1; }
xbond --netns "$A" --ifaces a0,a1 --mode active-backup --primary a0 &&
	xbond --netns "$B" --ifaces b0,b1 --mode active-backup || { fail "load"; exit 1; }
ip -n "$A" addr add 10.82.0.1/24 dev xbond0
ip -n "$B" addr add 10.82.0.2/24 dev xbond0
wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 10.82.0.2
ip netns exec "$A" ping -c 20 -i 0.01 10.82.0.2 >/dev/null

text=$("$XBONDCTL" --netns "$A" status)
json=$("$XBONDCTL" --netns "$A" -j status)
check "text status names mode, active member and members" sh -c "echo '$text' |
	grep -q '^mode: active-backup' && echo '$text' | grep -q '^active member: a0' &&
	echo '$text' | grep -q 'Member: a1'"
check "JSON status parses" jq -e . <<<"$json"
check "JSON keys are the text words" sh -c "
	for k in \$(echo '$text' | grep -v '^ *Member' | sed -n 's/^ *\([a-z ]*\):.*/\1/p' | tr ' ' _ | sort -u); do
		echo '$json' | jq -e \"has(\\\"\$k\\\") or (.member_list[0] | has(\\\"\$k\\\"))\" >/dev/null || exit 1
	done"
check "per-member counters: a0 carried the pings" test \
	"$(jq '.member_list[0].tx_packets' <<<"$json")" -ge 20
check "... a1 carried none" test "$(jq '.member_list[1].tx_packets' <<<"$json")" = 0
check "speed is reported (veth says 10000)" test \
	"$(jq '.member_list[0].speed_mbps' <<<"$json")" = 10000

ip -n "$B" link set b0 down
check "a pulled link shows in status" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $A -j status | jq -e '.member_list[0].link == \"down\" and
	.member_list[0].failures >= 1 and .active_member == \"a1\"'"
check "the last failover and its reason" sh -c "'$XBONDCTL' --netns $A -j status |
	jq -e '.last_failover != \"never\" and .last_failover_reason == \"no carrier\"'"

# Both processes at once: neither is left to bring the other back.
kill_monitor "$A"
check "status works with the monitor down" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $A -j status | jq -e '.monitor == \"not running\" and .mode == \"active-backup\"'"
check "... and says the link states may be stale" sh -c \
	"'$XBONDCTL' --netns $A status | grep -q '^link states: may be stale: no monitor runs'"
check_fails "an unknown bond: one line, exit 1" "nosuch: no such bond" \
	"$XBONDCTL" --netns "$A" status nosuch
check "in JSON the error is an object" sh -c \
	"'$XBONDCTL' --netns $A -j status nosuch | jq -e '.error == \"nosuch: no such bond\"'"
"$XBONDCTL" status extra words >/dev/null 2>&1
check "usage errors exit 2" test $? = 2
exit $FAILED
