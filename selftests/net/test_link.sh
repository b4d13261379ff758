#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bond behaves like a kernel bond to the kernel's own commands: an MTU or
# MAC set with ip link reaches the members (or is put back when one refuses),
# xbondload changes both live, and the bond goes NO-CARRIER with no usable
# member and back when one returns. A member whose link was never up has not
# failed.
#
#   H: xbond0 10.90.0.1 [h0 h1 m0]       m0: macvlan on lw, whose MTU caps it
#                        |  |
#   S:            br0 [s0 s1 sp]
#                             |
#   P:                       p0 10.90.0.2
. "$(dirname "$0")/../lib.sh"

mtu_of() { ip -n "$1" -j link show "$2" | jq -e '.[0].mtu'; }
mac_of() { ip -n "$1" -j link show "$2" | jq -er '.[0].address'; }
has_carrier() { ip -n "$1" link show "$2" | grep -q LOWER_UP; }
no_carrier() { ip -n "$1" link show "$2" | grep -q NO-CARRIER; }
all_mtu() { # NS MTU IF...: every interface has MTU
	local ns=$1 mtu=$2 i
	shift 2
	for i in "$@"; do [ "$(mtu_of "$ns" "$i")" = "$mtu" ] || return 1; done
}
failures() { # NS MEMBER
	"$XBONDCTL" --netns "$1" -j status | jq -e ".member_list[] | select(.member == \"$2\") | .failures"
}

topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.90.0.2/24 dev p0
check "create active-backup over h0,h1" xbond --netns "$H" --ifaces h0,h1
ip -n "$H" addr add 10.90.0.1/24 dev xbond0
peer=$(ip -n "$H" -j link show xbond0 | jq -r '.[0].link')
check "ping" wait_for 3 ip netns exec "$H" ping -c 1 -W 0.2 10.90.0.2

# MTU set on the bond with ip link, as routing daemons and admins do.
ip -n "$S" link set s0 mtu 9000; ip -n "$S" link set s1 mtu 9000; ip -n "$S" link set br0 mtu 9000
ip -n "$S" link set sp mtu 9000; ip -n "$P" link set p0 mtu 9000
check "ip link set xbond0 mtu 9000" ip -n "$H" link set xbond0 mtu 9000
check "... reaches both members and the hidden peer" wait_for 2 all_mtu "$H" 9000 h0 h1 "$peer"
check "... and 8000-byte pings get through unfragmented" \
	ip netns exec "$H" ping -c 2 -i 0.05 -W 1 -M do -s 8000 10.90.0.2
check "... the monitor logged it" grep -q "bond changed -: MTU 9000, was 1500" <(mon_log "$H")
check "xbondload --mtu 1400 changes it live" xbond --netns "$H" --mtu 1400
check "... on the bond and every member" all_mtu "$H" 1400 xbond0 h0 h1 "$peer"

# A member that cannot take the MTU: a macvlan is capped by its lower device.
ip -n "$H" link add lw type veth peer name lwp
ip -n "$H" link set lw mtu 1500
ip -n "$H" link add link lw name m0 type macvlan
ip -n "$H" link set lw up; ip -n "$H" link set lwp up
check "--add m0 (a macvlan over a 1500-byte link)" xbond --netns "$H" --add m0
check_fails "--mtu 9000 is refused by m0, with one line" "m0 refuses MTU 9000" \
	xbond --netns "$H" --mtu 9000
check "... and nothing changed: all still at 1400" all_mtu "$H" 1400 xbond0 h0 h1 m0 "$peer"
ip -n "$H" link set xbond0 mtu 9000
check "ip link set xbond0 mtu 9000 is put back to 1400 when m0 refuses" \
	wait_for 2 all_mtu "$H" 1400 xbond0 h0 h1 m0 "$peer"
check "... and the monitor says so" wait_for 1 grep -q "refused -: MTU 9000, was 1400" <(mon_log "$H")
check "--del m0" xbond --netns "$H" --del m0

# MAC set on the bond.
check "ip link set xbond0 address 02:00:00:00:5e:01" \
	ip -n "$H" link set xbond0 address 02:00:00:00:5e:01
check "... reaches both members" wait_for 2 sh -c \
	"[ \$(ip -n $H -j link show h0 | jq -r '.[0].address') = 02:00:00:00:5e:01 ] &&
	 [ \$(ip -n $H -j link show h1 | jq -r '.[0].address') = 02:00:00:00:5e:01 ]"
check "... and the data plane's config" wait_for 1 sh -c \
	"'$XBONDCTL' --netns $H -j status | jq -e '.mac == \"02:00:00:00:5e:01\"'"
ip -n "$P" neigh flush dev p0
check "... traffic flows with the new MAC" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.90.0.1
check "xbondload --mac changes it live" xbond --netns "$H" --mac 02:00:00:00:5e:02
check "... on the bond and both members" sh -c \
	"[ \$(ip -n $H -j link show xbond0 | jq -r '.[0].address') = 02:00:00:00:5e:02 ] &&
	 [ \$(ip -n $H -j link show h1 | jq -r '.[0].address') = 02:00:00:00:5e:02 ]"

# Carrier follows the members.
check "the bond has carrier" has_carrier "$H" xbond0
ip -n "$S" link set s0 down
check "one member down: the bond keeps its carrier" sh -c \
	"sleep 0.1; ip -n $H link show xbond0 | grep -q LOWER_UP"
ip -n "$S" link set s1 down
check "no usable member: the bond goes NO-CARRIER" wait_for 2 no_carrier "$H" xbond0
ip -n "$S" link set s1 up
check "a member back: the bond has carrier again" wait_for 2 has_carrier "$H" xbond0
check "... and traffic flows" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.90.0.1
ip -n "$S" link set s0 up
check "xbondload --del of every member leaves the bond NO-CARRIER" \
	xbond --netns "$H" --del h0,h1
check "... at once" no_carrier "$H" xbond0
check "--add h0 brings the carrier back" xbond --netns "$H" --add h0
check "... at once" has_carrier "$H" xbond0
check "detach" xbond --netns "$H" --detach

# A member whose link never came up did not fail: bonding counts none either.
ip -n "$S" link set s1 down
check "create over h0,h1 while h1's port is down" xbond --netns "$H" --ifaces h0,h1
check "... h1 is out of use" wait_for 2 unusable "$H" 1
check "... with no failure counted" test "$(failures "$H" h1)" = 0
ip -n "$S" link set s1 up
check "... h1 comes up" wait_for 2 usable "$H" 1
ip -n "$S" link set s1 down
check "... and losing it now is a failure" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $H -j status | jq -e '.member_list[1].failures == 1'"
exit $FAILED
