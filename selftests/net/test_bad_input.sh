#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input gets one clear line on stderr and a non-zero exit, and leaves
# nothing behind: no logical interface, no pins, members as they were.
#
#   A: [a0 a1 a2 ... a32] ====== [b0 b1 ...] :B    plus lo, a tun device and
#   a macvlan mv0 on lw, a veth whose MAC equals a0's (so mv0 refuses it)
. "$(dirname "$0")/../lib.sh"

topo_b2b 33 || { fail "topology"; exit 1; }
ip netns exec "$A" ip tuntap add mode tun tun0
a0_mac=$(ip -n "$A" -j link show a0 | jq -r '.[0].address')
ip -n "$A" link add lw address "$a0_mac" type veth peer name lwp
ip -n "$A" link add link lw name mv0 type macvlan

# Everything a failed command must leave as it found it.
snapshot() {
	ip -n "$A" -j link show | jq -c '[.[] | [.ifname, .address, .mtu, .operstate, .xdp]]'
	ls /sys/fs/bpf/xbond/"$(stat -L -c %i /run/netns/"$A")" 2>/dev/null
	tc -n "$A" qdisc show | grep -c clsact
}

# refused NAME REGEX ARGS...: xbondload ARGS fails cleanly, changing nothing.
refused() {
	local name=$1 regex=$2 before
	shift 2
	before=$(snapshot)
	check_fails "$name" "$regex" xbond --netns "$A" "$@"
	check "... and leaves nothing behind" test "$(snapshot)" = "$before"
}

refused "unknown member" "nosuch: no such interface" --ifaces a0,nosuch
refused "duplicate member" "a1: listed twice" --ifaces a0,a1,a1
refused "loopback member" "lo: a loopback device cannot be a member" --ifaces a0,lo
refused "non-Ethernet member" "tun0: not an Ethernet device" --ifaces tun0
refused "too many members" "too many members: 33, at most 32" \
	--ifaces "$(seq -s, -f 'a%g' 0 32)"
refused "bond name of IFNAMSIZ characters" "--name: 'sixteen-chars-xx' is not a valid" \
	--name sixteen-chars-xx --ifaces a0
refused "no members" "--ifaces: empty interface name" --ifaces ''
refused "update of a bond that does not exist" "xbond0: no such bond; create it with --ifaces" \
	--mode rr
refused "failure half-way through create rolls back" "mv0: cannot set MAC/MTU" \
	--ifaces a0,a1,mv0 --mode balance-xor
refused "MTU a member cannot take rolls back" "mv0: cannot set MAC/MTU" \
	--ifaces a1,mv0 --mtu 1600

for args in "--mode foo|unknown mode 'foo'" "--hash layer5|unknown hash policy 'layer5'" \
	    "--packets-per-member 0|not a number from 1 to 65535" \
	    "--mac 01:00:5e:00:00:01|is multicast or zero" "--xdp-mode fast|'fast' is not one of auto native generic" \
	    "--detach --mode rr|--detach takes no other change" \
	    "--weight a0|'a0' is not IF=N" "--weight =3|'=3' is not IF=N" \
	    "--detach --weight a0=2|--detach takes no other change" \
	    "--mode balance-tlb|balance-tlb is not implemented yet" \
	    "--mode 6|balance-alb is not implemented yet" \
	    "--name ..|'..' is not a valid interface name" \
	    "--name .|'.' is not a valid interface name" \
	    "--name a:b|'a:b' is not a valid interface name"; do
	opts=${args%%|*}
	check_fails "usage error: $opts" "${args#*|}" xbond --netns "$A" --ifaces a0 $opts
	xbond --netns "$A" --ifaces a0 $opts 2>/dev/null
	check "... exits 2" test $? = 2
done

# refused_usage NAME REGEX ARGS...: a usage error: exit 2, one line, nothing changed.
refused_usage() {
	local name=$1 regex=$2 before after rc
	shift 2
	before=$(snapshot)
	check_fails "$name" "$regex" xbond --netns "$A" "$@"
	xbond --netns "$A" "$@" 2>/dev/null; rc=$?
	after=$(snapshot)
	if [ "$rc" = 2 ] && [ "$after" = "$before" ]; then
		pass "... exits 2 and leaves nothing behind"
	else
		fail "... exits 2 and leaves nothing behind" "exit $rc" \
			"$(diff <(echo "$before") <(echo "$after") | tail -4)"
	fi
}

# Strict inputs (issue 10 item 7): nothing cut short, nothing the kernel's bonding refuses.
refused_usage "--weight ''" "--weight: '' is not IF=N" --ifaces a0,a1 --weight ''
refused_usage "--weight with an empty entry" "--weight: '' is not IF=N" \
	--ifaces a0,a1 --weight a0=2,,a1=1
long=$(printf 'a1=1,%.0s' $(seq 120))a1=x
refused_usage "--weight of ${#long} bytes: its end is read too" \
	"--weight: 'x' is not a number from 1 to 255" --ifaces a0,a1 --weight "$long"
refused_usage "ARP target 0.0.0.0" "--arp-ip-target: 0.0.0.0 cannot be an ARP target" \
	--ifaces a0,a1 --arp-ip-target 10.0.0.1,0.0.0.0
refused_usage "ARP target 255.255.255.255" \
	"--arp-ip-target: 255.255.255.255 cannot be an ARP target" \
	--ifaces a0,a1 --arp-ip-target 255.255.255.255
refused_usage "an ARP target twice" "--arp-ip-target: 10.0.0.1 is listed twice" \
	--ifaces a0,a1 --arp-ip-target 10.0.0.1,10.0.0.2,10.0.0.1

# Cut at 511 bytes, this list gave a21 a weight of 25: read whole, it is 255.
long=a20=10,$(printf 'a20=1,%.0s' $(seq 83))a21=255
check "--weight of ${#long} bytes, the last entry past byte 511" \
	xbond --netns "$A" --name xb4 --ifaces a20,a21 --mode balance-xor --weight "$long"
check "... a21 weighs 255, a20 1" test "$("$XBONDCTL" status --netns "$A" -j xb4 |
	jq -r '[.member_list[] | .weight] | map(tostring) | join(",")')" = 1,255
check "... detach xb4" xbond --netns "$A" --name xb4 --detach

check_fails "missing privileges" "needs CAP_NET_ADMIN" \
	setpriv --bounding-set=-net_admin,-sys_admin,-bpf "$XBONDLOAD" --netns "$A" --ifaces a0

# A bond exists: members and its interfaces are taken.
check "create xb1 over a0,a1" xbond --netns "$A" --name xb1 --ifaces a0,a1
# B's ends are down: the monitor finds no usable member and the bond loses its
# carrier. Let that settle before the snapshots below.
check "... xb1 has no carrier: no member has one" wait_for 2 sh -c \
	"ip -n $A link show xb1 | grep -q NO-CARRIER"
refused "a member of another bond" "a0: already belongs to bond xb1" --name xb2 --ifaces a2,a0
refused "a bond's interface as a member" "xb1: is the interface of bond xb1" \
	--name xb2 --ifaces xb1
refused "a bond as its own member" "xb1: is the bond's own interface" --name xb1 --add xb1
refused "adding past the maximum" "too many members: 33, at most 32" \
	--name xb1 --add "$(seq -s, -f 'a%g' 2 32)"
refused "--active on a non-member" "--active: a5 is not a member of xb1" --name xb1 --active a5
refused "--mtu on a live bond that a new member cannot take" "mv0: cannot set MAC/MTU" \
	--name xb1 --add mv0 --mtu 1600
refused "failed --add rolls back the members it added" "mv0: cannot set MAC/MTU" \
	--name xb1 --add a2,mv0
refused "--del of an unknown interface" "nosuch: no such interface" --name xb1 --del nosuch
# --detach with a change is refused, naming the change, and the bond stays.
for opt in "--ifaces a0" "--add a2" "--del a1" "--mode balance-xor" "--mtu 1400" \
	   "--mac 02:00:00:00:00:09" "--weight a0=2" "--arp-ip-target 10.0.0.1" \
	   "--arp-interval 100" "--failback off" "--num-grat-arp 3" "--no-monitor" \
	   "--xdp-mode native" "--packets-per-member 2"; do
	refused_usage "--detach $opt" "--detach takes no other change: ${opt%% *}" \
		--name xb1 --detach $opt
done

for tool in "$XBONDLOAD" "$XBONDCTL" "$XBONDMON" "$TOP/.output/xbond"; do
	check "$(basename "$tool") --version" sh -c "'$tool' --version | grep -q '^$(basename "$tool") [0-9]'"
done
check_fails "xbondctl: a bond name that is not an interface name" "'../x' is not a valid" \
	"$XBONDCTL" --netns "$A" status ../x

# Concurrent loaders serialise on the namespace's lock.
nsdir=/sys/fs/bpf/xbond/$(stat -L -c %i /run/netns/"$A")
flock "$nsdir" sleep 2 &
wait_for 2 sh -c "! flock -n $nsdir true"
check_fails "a held lock makes -w 0 give up" "another xbondload is busy" \
	xbond --netns "$A" --name xb1 --mode rr -w 0
wait
pids=()
for i in 1 2 3 4; do
	xbond --netns "$A" --name xb3 --ifaces a10,a11 --mode balance-xor & pids+=($!)
done
ok=0
for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
check "four concurrent identical creates all succeed" test $ok = 4
check "... and made one bond with its programs once" test "$(ip netns exec "$A" bpftool net -j |
	jq '[.[0].tc[] | select(.devname == "xb3")] | length')" = 1
exit $FAILED
