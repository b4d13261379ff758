#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Live changes are map writes: a dozen mode switches under a 5 ms ping lose
# nothing and keep the attached programs; hash, member and active changes
# apply live; an identical command is a no-op.
#
#   H: xbond0 10.79.0.1 [h0 h1]
#                        |  |
#   S:            br0 [s0 s1 sp]
#                             |
#   P:                       p0 10.79.0.2
. "$(dirname "$0")/../lib.sh"

topo_switch 3 || { fail "topology"; exit 1; }
ip -n "$S" link set s2 nomaster		# h2 is spare until --add
check "create balance-xor over h0,h1" \
	xbond --netns "$H" --ifaces h0,h1 --mode balance-xor --hash layer3+4
ip -n "$H" addr add 10.79.0.1/24 dev xbond0
ip -n "$P" addr add 10.79.0.2/24 dev p0
check "ping before switching" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.79.0.1
ids_before=$(prog_ids "$H")

# 5 ms pings for 2.5 s, while the mode changes every 150 ms.
ping_out=$(mktemp)
ip netns exec "$P" ping -q -i 0.005 -c 500 -W 1 10.79.0.1 >"$ping_out" 2>&1 &
ping_pid=$!
switch_failed=0
for mode in balance-rr active-backup broadcast balance-xor active-backup balance-rr \
	    broadcast active-backup balance-xor broadcast balance-rr balance-xor; do
	sleep 0.15
	xbond --netns "$H" --mode $mode || switch_failed=1
	[ "$(live_config "$H" | jq .mode)" = "$(case $mode in balance-rr) echo 0;;
		active-backup) echo 1;; balance-xor) echo 2;; broadcast) echo 3;; esac)" ] ||
		switch_failed=1
done
wait $ping_pid
read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$ping_out")
check "12 live mode switches all took effect" test $switch_failed = 0
check "no ping lost during the switches ($received of $sent)" \
	test -n "$sent" -a "$sent" = "$received"
check "program ids unchanged by the switches" test "$(prog_ids "$H")" = "$ids_before"
rm -f "$ping_out"

slot_before=$(map_query "$H" xbond_slot xbond0 '.[0].value')
check "an identical command succeeds" \
	xbond --netns "$H" --ifaces h0,h1 --mode balance-xor --hash layer3+4
check "... and changes nothing" test \
	"$(map_query "$H" xbond_slot xbond0 '.[0].value')" = "$slot_before"

check "--hash layer2+3 applies live" xbond --netns "$H" --hash layer2+3
check "... the live config says layer2+3" test "$(live_config "$H" | jq .hash_policy)" = 2

ip -n "$S" link set s2 master br0
check "--add h2" xbond --netns "$H" --add h2
check "... h2 is in slot 2" test "$(live_config "$H" | jq '.member_ifindex[2]')" = \
	"$(ip -n "$H" -j link show h2 | jq '.[0].ifindex')"
check "... h2 has the bond's MAC" test "$(ip -n "$H" -j link show h2 | jq -r '.[0].address')" = \
	"$(ip -n "$H" -j link show xbond0 | jq -r '.[0].address')"
check "... and the same rx program as the others" test \
	"$(ip netns exec "$H" bpftool net -j |
	   jq -c '[.[0].tc[] | select(.kind == "clsact/ingress") | .id] | [length, (unique | length)]')" = "[3,1]"
check "ping over three members" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.79.0.1

# buckets_moved BEFORE AFTER FROM TO: only buckets of FROM (or to TO) moved,
# and the table stays balanced to within one bucket.
buckets_moved() {
	python3 - "$@" <<'PY'
import json, sys
b, a, frm, to = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
moved = [i for i in range(256) if a[i] != b[i]]
counts = [a.count(m) for m in set(a)]
sys.exit(not moved or any(b[i] != frm and a[i] != to for i in moved)
         or (frm >= 0 and frm in a) or max(counts) - min(counts) > 1)
PY
}

# Only h1's buckets move when h1 leaves.
buckets_before=$(live_config "$H" | jq -c .buckets)
check "--del h1" xbond --netns "$H" --del h1
buckets_after=$(live_config "$H" | jq -c .buckets)
check "... only h1's buckets moved, evenly" buckets_moved "$buckets_before" "$buckets_after" 1 -1
check "... h1 is given back with its own MAC" test \
	"$(ip -n "$H" -j link show h1 | jq -r '.[0].address')" != \
	"$(ip -n "$H" -j link show xbond0 | jq -r '.[0].address')"
check "ping after --del" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.79.0.1
check "--add h1 back" xbond --netns "$H" --add h1
check "... only buckets moving to h1 moved, evenly" buckets_moved "$buckets_after" \
	"$(live_config "$H" | jq -c .buckets)" -1 1

# Weights: bucket shares in proportion, moving only what must.
# weighted BEFORE AFTER FROM TO W0 W1 W2: every moved bucket left FROM or went
# to TO (-1: any), and each member is within one bucket of its weighted share.
weighted() {
	python3 - "$@" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
frm, to, w = int(sys.argv[3]), int(sys.argv[4]), [int(x) for x in sys.argv[5:]]
moved = [i for i in range(256) if a[i] != b[i]]
sys.exit(not moved or any((frm >= 0 and b[i] != frm) or (to >= 0 and a[i] != to) for i in moved)
         or any(abs(a.count(m) - 256 * w[m] / sum(w)) >= 1 for m in range(len(w))))
PY
}
buckets_even=$(live_config "$H" | jq -c .buckets)
check "--weight h0=2 on a live bond" xbond --netns "$H" --weight h0=2
buckets_weighted=$(live_config "$H" | jq -c .buckets)
check "... h0 now homes half the buckets, and only buckets moving to h0 moved" \
	weighted "$buckets_even" "$buckets_weighted" -1 0 2 1 1
check "... xbondctl shows the weights" test "$("$TOP/.output/xbondctl" status --netns "$H" \
	-j | jq -r '[.member_list[] | .weight] | map(tostring) | join(",")')" = 2,1,1
check_fails "--weight of a non-member is refused" "nosuch: no such interface" \
	xbond --netns "$H" --weight nosuch=3
check_fails "--weight 0 is refused" "--weight: '0' is not a number from 1 to 255" \
	xbond --netns "$H" --weight h1=0
check "... and they changed nothing" \
	test "$(live_config "$H" | jq -c .buckets)" = "$buckets_weighted"
check "--weight h0=1 again: only h0's extra buckets move" xbond --netns "$H" --weight h0=1
check "... back to even shares" weighted "$buckets_weighted" \
	"$(live_config "$H" | jq -c .buckets)" 0 -1 1 1 1

check "--ifaces h0 on a live bond drops h1 and h2" xbond --netns "$H" --ifaces h0
check "... one member left" test "$(live_config "$H" | jq .n_members)" = 1
check "ping over one member" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.79.0.1
exit $FAILED
