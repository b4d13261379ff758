#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Active-backup through a Linux bridge acting as a switch: only the active
# member sends, backups drop what is flooded to them (but let ARP reach
# packet sockets), and a manual failover with --active keeps traffic going
# after the active member's switch port goes down.
#
#   H: xbond0 10.78.0.1 [h0 h1]
#                        |  |
#   S:            br0 [s0 s1 sp]
#                             |
#   P:                       p0 10.78.0.2
. "$(dirname "$0")/../lib.sh"

topo_switch 2 || { fail "topology"; exit 1; }
check "create active-backup over h0,h1 (primary h0, no monitor)" \
	xbond --netns "$H" --ifaces h0,h1 --mode active-backup --primary h0 --no-monitor
ip -n "$H" addr add 10.78.0.1/24 dev xbond0
ip -n "$P" addr add 10.78.0.2/24 dev p0

check "ping through the switch" ip netns exec "$P" ping -c 5 -i 0.01 -W 1 10.78.0.1
check "the active member is h0 (slot 0)" test "$(live_config "$H" | jq .active)" = 0
check "the peer learned the bond's MAC" sh -c \
	"ip -n $P neigh show 10.78.0.1 | grep -qi $(ip -n "$H" -j link show xbond0 | jq -r '.[0].address')"

tx1_before=$(member_stat "$H" 1 tx_packets)
ip netns exec "$P" ping -c 20 -i 0.01 -W 1 10.78.0.1 >/dev/null
check "the backup h1 sends nothing" test "$(member_stat "$H" 1 tx_packets)" = "$tx1_before"

# A broadcast ping floods to both ports: the backup must drop its copy.
inactive_before=$(counter "$H" $XBOND_CNT_RX_INACTIVE)
ip netns exec "$P" ping -b -c 3 -i 0.01 -W 1 10.78.0.255 >/dev/null 2>&1
check "flooded frames on the backup are dropped and counted" \
	test "$(counter "$H" $XBOND_CNT_RX_INACTIVE)" -ge $((inactive_before + 3))

# ARP requests are flooded to h1 too; they reach packet sockets there.
arp_rx_before=$(member_stat "$H" 1 rx_packets)
ip -n "$P" neigh flush dev p0
ip netns exec "$P" ping -c 1 -W 1 10.78.0.1 >/dev/null
check "ARP on the backup is let through to taps, not dropped" \
	test "$(member_stat "$H" 1 rx_packets)" -gt "$arp_rx_before"

# Pull the active member's switch port, then fail over by hand.
ip -n "$S" link set s0 down
check "h0 lost carrier" wait_for 2 sh -c "ip -n $H link show h0 | grep -q NO-CARRIER"
check_fails "--active on a member without carrier is refused" "h0 is down or has no carrier" \
	xbond --netns "$H" --active h0
check "manual failover: --active h1" xbond --netns "$H" --active h1
check "the active member is h1 (slot 1)" test "$(live_config "$H" | jq .active)" = 1
check "ping goes on over h1" ip netns exec "$P" ping -c 5 -i 0.01 -W 1 10.78.0.1

# The port comes back: h1 stays active until told otherwise.
ip -n "$S" link set s0 up
check "h0 has carrier again" wait_for 2 sh -c "ip -n $H link show h0 | grep -q LOWER_UP"
check "ping still goes over h1" ip netns exec "$P" ping -c 5 -i 0.01 -W 1 10.78.0.1
check "failing back by hand: --active h0" xbond --netns "$H" --active h0
check "ping goes over h0 again" ip netns exec "$P" ping -c 5 -i 0.01 -W 1 10.78.0.1
exit $FAILED
