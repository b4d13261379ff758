#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbondmon: carrier failover within milliseconds, only a failed member's
# buckets move, delays are honoured, polling works without link events, and
# the data plane outlives a killed monitor.
#
#   H: xbond0 10.80.0.1 [h0 h1]
#                        |  |
#   S:            br0 [s0 s1 sp]
#                             |
#   P:                       p0 10.80.0.2
. "$(dirname "$0")/../lib.sh"


topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.80.0.2/24 dev p0
check "create active-backup with the default monitor" \
	xbond --netns "$H" --ifaces h0,h1 --mode active-backup
ip -n "$H" addr add 10.80.0.1/24 dev xbond0
check "a monitor runs for the bond" wait_for 2 monitor_pid "$H"
check_fails "a second monitor refuses to run" "a monitor is already running" \
	"$TOP/.output/xbondmon" --netns "$H" --name xbond0
check_fails "a monitor for a bond that does not exist refuses" "nosuch: no such bond" \
	"$TOP/.output/xbondmon" --netns "$H" --name nosuch
check "ping" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.80.0.1

# Carrier loss on the active member's switch port, under a 1 ms ping.
read -r lost sent < <(lost_pings "$P" 10.80.0.1 1500 0.001 0.5 ip -n "$S" link set s0 down)
check "carrier failover loses at most 20 of 1 ms pings (lost $lost)" test "$lost" -le 20
check "the active member is now h1" test "$(live_config "$H" | jq .active)" = 1
check "the monitor logged why" grep -q 'member down h0: no carrier' <(mon_log "$H")
ip -n "$S" link set s0 up
check "h0 usable again when its port comes back" wait_for 2 usable "$H" 0

# The data plane outlives the monitor.
kill_monitor "$H"
slot=$(map_query "$H" xbond_slot xbond0 '.[0].value')
read -r lost sent < <(lost_pings "$P" 10.80.0.1 200 0.002 0 xbond --netns "$H" --mode active-backup)
check "a restarted monitor comes up" wait_for 2 monitor_pid "$H"
check "no ping lost across kill -9 and restart ($lost of $sent)" test "$lost" = 0
check "... and the restart changed no config" test \
	"$(map_query "$H" xbond_slot xbond0 '.[0].value')" = "$slot"

# downdelay: the member stays in use for that long after carrier loss.
check "set --downdelay 400 live" xbond --netns "$H" --downdelay 400
ip -n "$S" link set s1 down
sleep 0.15
check "h1 still in use 150 ms into a 400 ms downdelay" usable "$H" 1
check "h1 out of use once the downdelay ran out" wait_for 2 unusable "$H" 1
check "set --updelay 400 live" xbond --netns "$H" --updelay 400 --downdelay 0
ip -n "$S" link set s1 up
sleep 0.15
check "h1 still out of use 150 ms into a 400 ms updelay" unusable "$H" 1
check "h1 back in use once the updelay ran out" wait_for 2 usable "$H" 1
xbond --netns "$H" --updelay 0

# All members down: frames are dropped and counted, and it recovers alone.
ip -n "$S" link set s0 down
ip -n "$S" link set s1 down
no_tx_member() { [ "$(live_field "$1" n_tx)" = 0 ]; }
check "no usable member when both ports are down" wait_for 2 no_tx_member "$H"
drops=$(counter "$H" $XBOND_CNT_TX_NO_MEMBER)
ip netns exec "$H" ping -c 2 -i 0.01 -W 0.1 10.80.0.2 >/dev/null 2>&1
check "frames sent meanwhile are counted as dropped" \
	test "$(counter "$H" $XBOND_CNT_TX_NO_MEMBER)" -gt "$drops"
ip -n "$S" link set s0 up
ip -n "$S" link set s1 up
check "traffic recovers by itself" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.80.0.1

check "detach stops the monitor" xbond --netns "$H" --detach
check "... no xbondmon left" test -z "$(monitor_pid "$H")"

# The polling path alone, as a physical NIC's delayed carrier events would leave it.
cleanup
topo_b2b 2 || { fail "topology"; exit 1; }
xbond --netns "$A" --ifaces a0,a1 --mode balance-xor --hash layer3+4 --no-monitor \
	--miimon 20 &&
	xbond --netns "$B" --ifaces b0,b1 --mode balance-xor --hash layer3+4
check "no monitor with --no-monitor" test -z "$(monitor_pid "$A")"
"$TOP/.output/xbondmon" --netns "$A" --no-link-events >/tmp/xbt-mon.$SUFFIX 2>&1 &
check "a polling-only monitor runs" wait_for 2 grep -q "polling only" /tmp/xbt-mon.$SUFFIX
check "... polling every 20 ms (--miimon 20)" sh -c \
	"'$TOP/.output/xbondctl' --netns $A -j status | jq -e '.miimon_ms == 20'"
check "both members in use" wait_for 2 usable "$A" 1
buckets=$(live_config "$A" | jq -c .buckets)
ip -n "$B" link set b1 down
check "polling alone notices a1's carrier loss" wait_for 2 unusable "$A" 1
check "... only a1's buckets moved, to a0" python3 -c "
import json, sys
b, a = json.loads('$buckets'), json.loads('$(live_config "$A" | jq -c .buckets)')
sys.exit(any(a[i] != b[i] and b[i] != 1 for i in range(256)) or 1 in a)"
ip -n "$B" link set b1 up
check "polling notices a1 is back" wait_for 2 usable "$A" 1
check "... and exactly a1's buckets came back" test "$(live_config "$A" | jq -c .buckets)" = "$buckets"
rm -f /tmp/xbt-mon.$SUFFIX
exit $FAILED
