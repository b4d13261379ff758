#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Detach gives the members back exactly as they were (MAC, MTU, up/down,
# IPv6, qdisc) and leaves no interface, program or pin behind.
#
#   A: xbond0 [a0 a1] ====== [b0 b1] :B   (B stays plain)
. "$(dirname "$0")/../lib.sh"

# Everything detach must put back, one line per member.
link_state() {
	local i
	for i in a0 a1; do
		ip -n "$A" -j link show $i | jq -r '.[0] | "\(.ifname) \(.address) \(.mtu) \(.flags | index("UP") != null)"'
		ip netns exec "$A" cat /proc/sys/net/ipv6/conf/$i/disable_ipv6
		tc -n "$A" -j qdisc show dev $i | jq -c '[.[] | select(.kind != "noqueue") | .kind]'
	done
}

topo_b2b 2 || { fail "topology"; exit 1; }
ip -n "$A" link set a0 mtu 1400 address 02:00:00:00:0a:00 up
ip -n "$A" link set a1 down
ip netns exec "$A" sysctl -qw net.ipv6.conf.a1.disable_ipv6=1
ip netns exec "$A" sysctl -qw net.ipv6.conf.a0.disable_ipv6=0
tc -n "$A" qdisc add dev a1 clsact
before=$(link_state)

check "create over a0 (up, MTU 1400) and a1 (down, own clsact)" \
	xbond --netns "$A" --ifaces a0,a1 --mode balance-xor --mtu 1500
check "members were changed: MAC, MTU, IPv6 off, up" test "$(link_state)" != "$before"
check "xbond0 has the first member's MAC" test \
	"$(ip -n "$A" -j link show xbond0 | jq -r '.[0].address')" = 02:00:00:00:0a:00
check "xbond0 MTU is 1500" test "$(ip -n "$A" -j link show xbond0 | jq '.[0].mtu')" = 1500

check "detach" xbond --netns "$A" --detach
after=$(link_state)
check "members restored exactly" test "$after" = "$before"
check "a1's own clsact qdisc is kept" sh -c "tc -n $A qdisc show dev a1 | grep -q clsact"
check "a0's clsact qdisc is removed" sh -c "! tc -n $A qdisc show dev a0 | grep -q clsact"
check "no XDP program left" test "$(ip netns exec "$A" bpftool net -j | jq '.[0].xdp | length')" = 0
check "xbond0 and its peer are gone" sh -c "! ip -n $A link show xbond0 && \
	[ \$(ip -n $A -o link | wc -l) -eq 3 ]"
check "pins are gone" test ! -e "$(pin_dir "$A")"
check_fails "detach again says there is no bond" "xbond0: no such bond" \
	xbond --netns "$A" --detach
exit $FAILED
