#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ARP monitoring, alone and together with carrier monitoring, in every mode:
# a member whose carrier is up but whose path to the targets is dead is taken
# out, and comes back when the path does. Also primary reselection and the
# gratuitous ARPs that teach the switch the new port.
#
#   H: xbond0 10.81.0.1 [h0 h1]
#                        |  |
#   S:            br0 [s0 s1 sp]      s0 nomaster: carrier up, path dead
#                             |
#   P:                       p0 10.81.0.2 (the ARP target)
. "$(dirname "$0")/../lib.sh"

# Each fails (exit 2) when the map cannot be read, whichever way it is asked.
arp_down() { local f; f=$(member_flags "$1" "$2") || return 2; (( f & XBOND_MEMBER_ARP_DOWN )); }
arp_up() { local f; f=$(member_flags "$1" "$2") || return 2; (( !(f & XBOND_MEMBER_ARP_DOWN) )); }
both_arp_up() { arp_up "$1" 0 && arp_up "$1" 1; }
link_up() { # NS SLOT: carrier and admin up, as the monitor last saw them
	local f
	f=$(member_flags "$1" "$2") || return 2
	(( (f & XBOND_MEMBER_CARRIER) && (f & XBOND_MEMBER_ADMIN_UP) ))
}
active() { live_field "$1" active; }
is_active() { local a; a=$(active "$1") || return 2; [ "$a" = "$2" ]; }
is_not_active() { local a; a=$(active "$1") || return 2; [ "$a" != "$2" ]; }
all_buckets_on() { local c; c=$(live_config "$1") || return 2; jq -e ".buckets | all(. == $2)" <<<"$c"; }

# Pull the primary h0's switch port and put it back; h1 takes over meanwhile.
bounce_primary() {
	ip -n "$S" link set s0 down
	check "carrier loss on the primary: h1 active" wait_for 2 \
		is_active "$H" 1
	ip -n "$S" link set s0 up
	check "h0 usable again" wait_for 2 link_up "$H" 0
	sleep 0.1
}

topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.81.0.2/24 dev p0
check "create active-backup with carrier and ARP monitoring" \
	xbond --netns "$H" --ifaces h0,h1 --mode active-backup --primary h0 \
	--arp-ip-target 10.81.0.2 --arp-interval 50
ip -n "$H" addr add 10.81.0.1/24 dev xbond0
check "ping" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.81.0.1
check "both members ARP-alive (h1 through the switch's flood)" \
	wait_for 2 both_arp_up "$H"

# The dead path: h0's switch port leaves the bridge, its carrier stays up.
read -r lost sent < <(lost_pings "$P" 10.81.0.1 400 0.005 0.3 ip -n "$S" link set s0 nomaster)
check "dead path found within 150 ms = 50 ms x (2 + 1): $lost pings of 5 ms lost" \
	test "$lost" -le 30
check "h0 is ARP-down" arp_down "$H" 0
check "... with its carrier up" sh -c "ip -n $H link show h0 | grep -q LOWER_UP"
check "h1 is active" test "$(active "$H")" = 1
check "the monitor says why" grep -q "member down h0: no ARP reply" <(mon_log "$H")

ip -n "$S" link set s0 master br0
check "h0 comes back when its path does" wait_for 3 arp_up "$H" 0
check "... and, as primary with reselect always, takes over again" wait_for 2 \
	is_active "$H" 0
check "ping after the path came back" ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.81.0.1

# primary_reselect failure (failback off): the primary does not take back over.
check "--failback off" xbond --netns "$H" --failback off
bounce_primary
check "... but h1 stays active without failback" test "$(active "$H")" = 1

# primary_reselect better: veth members report equal speeds, so no takeover.
check "--primary-reselect better" xbond --netns "$H" --primary-reselect better --active h0
bounce_primary
check "... but as no faster than h1, h0 does not take over" test "$(active "$H")" = 1

# arp_validate backup: backups must prove themselves, with the active's
# probes flooded back to them by the switch.
check "--arp-validate backup" xbond --netns "$H" --arp-validate backup
sleep 0.3
check "... both members stay ARP-alive" both_arp_up "$H"

# arp_missed_max 4: a dead path is given four 50 ms intervals, not two.
check "--arp-missed-max 4" xbond --netns "$H" --arp-missed-max 4
ip -n "$S" link set s1 nomaster
sleep 0.1
check "h1 not yet down 100 ms into a dead path" arp_up "$H" 1
check "h1 down once 4 intervals passed" wait_for 2 arp_down "$H" 1
ip -n "$S" link set s1 master br0
check "h1 back" wait_for 3 arp_up "$H" 1
xbond --netns "$H" --arp-missed-max 2 --arp-validate none

# Gratuitous ARP: the switch learns the new port at once, with no traffic.
mac=$(ip -n "$H" -j link show xbond0 | jq -r '.[0].address')
check "--num-grat-arp 2 --active h0" xbond --netns "$H" --num-grat-arp 2 --active h0
check "the switch learned the bond's MAC on s0 from the gratuitous ARP" wait_for 1 sh -c \
	"bridge -n $S fdb show br br0 | grep -i '$mac dev s0'"

# Unsolicited NA: with no IPv4 address, the peer notification is IPv6 alone.
ip -n "$H" addr flush dev xbond0 scope global
ip -n "$S" link set s0 down
check "with IPv6 only, failing over to h1" wait_for 2 \
	is_active "$H" 1
check "the switch learned the bond's MAC on s1 from an unsolicited NA" wait_for 1 sh -c \
	"bridge -n $S fdb show br br0 | grep -i '$mac dev s1'"
ip -n "$S" link set s0 up
check "h0 usable again" wait_for 2 link_up "$H" 0
ip -n "$H" addr add 10.81.0.1/24 dev xbond0
check "--active h0 again" xbond --netns "$H" --active h0

# arp_all_targets: one target that never answers. It matters only where
# members must prove themselves (arp_validate): otherwise any ARP will do.
check "--arp-ip-target 10.81.0.2,10.81.0.99 --arp-all-targets all --arp-validate active" \
	xbond --netns "$H" --arp-ip-target 10.81.0.2,10.81.0.99 --arp-all-targets all \
	--arp-validate active
check "the active member goes ARP-down: not all targets answer" wait_for 2 arp_down "$H" 0
check "--arp-all-targets any: one answering target is enough" \
	xbond --netns "$H" --arp-all-targets any
one_arp_up() { arp_up "$1" 0 || arp_up "$1" 1; }
check "members come back" wait_for 2 one_arp_up "$H"

# xor: every member probes and is judged on its own.
check "switch to balance-xor live" xbond --netns "$H" --mode balance-xor \
	--arp-ip-target 10.81.0.2 --arp-validate all
check "both members ARP-alive in xor with arp_validate all" wait_for 2 both_arp_up "$H"
ip -n "$S" link set s1 nomaster
check "xor: h1's dead path found" wait_for 2 arp_down "$H" 1
check "xor: h1's buckets moved to h0" wait_for 1 all_buckets_on "$H" 0
ip -n "$S" link set s1 master br0
check "xor: h1 back" wait_for 3 arp_up "$H" 1

check "--arp-interval 0 turns ARP monitoring off" xbond --netns "$H" --arp-interval 0

# ARP monitoring turned on live: every member gets a whole window first.
check "active-backup, ARP monitoring off" xbond --netns "$H" --mode active-backup --active h0
sleep 0.3
down_before=$(grep -c "member down" <(mon_log "$H"))
check "ARP monitoring turned on live" xbond --netns "$H" --arp-ip-target 10.81.0.2 \
	--arp-interval 50
sleep 0.4
check "... takes no member down before it could probe" \
	test "$(grep -c "member down" <(mon_log "$H"))" = "$down_before"

# Every path dead: no active member, so the members take turns probing, and
# the bond comes back without the target ever sending ARP by itself.
ip -n "$S" link set s0 nomaster
ip -n "$S" link set s1 nomaster
check "every path dead: no active member" wait_for 3 is_active "$H" "$XBOND_NO_MEMBER"
ip -n "$S" link set s0 master br0
ip -n "$S" link set s1 master br0
check "... paths back: a member proves itself and becomes active" \
	wait_for 3 is_not_active "$H" "$XBOND_NO_MEMBER"
check "... and traffic flows" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.81.0.1
xbond --netns "$H" --arp-interval 0 >/dev/null
for args in "--arp-ip-target 10.1.2|not an IPv4 address" \
	    "--arp-validate some|'some' is not one of none active backup all" \
	    "--arp-all-targets most|'most' is not one of any all" \
	    "--arp-missed-max 0|not a number from 1 to 255" \
	    "--primary-reselect never|'never' is not one of always better failure" \
	    "--failback maybe|'maybe' is not one of off on" \
	    "--miimon -1|not a number" "--num-grat-arp 300|not a number from 0 to 255" \
	    "--arp-ip-target $(seq -s, -f '10.0.0.%g' 1 17)|at most 16 targets"; do
	check_fails "bad value: ${args%%|*}" "${args#*|}" xbond --netns "$H" ${args%%|*}
done
check_fails "ARP interval without targets" "ARP monitoring needs --arp-ip-target" \
	xbond --netns "$H" --arp-ip-target '' --arp-interval 100
exit $FAILED
