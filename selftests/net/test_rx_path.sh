#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The receive path between two xbond hosts cabled back to back. Every frame
# arrives tc-redirected by the sender's tx_select, and generic XDP skips such
# skbs, so veth members receive in tc ingress (rx_filter_tc). Checked there,
# and again with native XDP: ARP monitoring keeps the bond up, backups drop
# and count what they get, per-member rx counters match the kernel's, and
# detach removes exactly what was attached.
#
#   A: xbond0 10.82.0.1 [a0 a1] ====== [b0 b1] xbond0 10.82.0.2 :B
#        active a0 ---------- b0 active      each side's frames land on the
#               a1 ---------- b1            other's active member
#
#   crossed (B --active b1): A sends on a0 into B's backup b0, which must drop
#   and count; with A's ARP monitor on (target 10.82.0.2, every 50 ms), a0's
#   path is dead and A moves to a1.
. "$(dirname "$0")/../lib.sh"

# Flag and counter values from maps/xbond_abi.h, as lib.sh gives them; the
# ones it does not give yet are compiled here: no number is written twice.
abi_compile() { # NAME...: print NAME=value for each
	local bin=/tmp/xbt-abi.$SUFFIX rc name
	{
		printf '#include <stdio.h>\n#include "maps/xbond_abi.h"\nint main(void)\n{\n'
		for name; do
			printf '\tprintf("%s=%%llu\\n", (unsigned long long)(%s));\n' "$name" "$name"
		done
		printf '\treturn 0;\n}\n'
	} | ${CC:-cc} -I"$TOP" -x c -o "$bin" - || return 1
	"$bin"; rc=$?
	rm -f "$bin"
	return $rc
}
abi_missing=()
for v in XBOND_MEMBER_CARRIER XBOND_MEMBER_ADMIN_UP XBOND_MEMBER_ARP_DOWN XBOND_MEMBER_RX_TC \
	 XBOND_CNT_RX_INACTIVE XBOND_NO_MEMBER; do
	[ -n "${!v:-}" ] || abi_missing+=("$v")
done
if [ ${#abi_missing[@]} -gt 0 ]; then
	abi=$(abi_compile "${abi_missing[@]}") && eval "$abi" ||
		{ fail "values of ${abi_missing[*]} from maps/xbond_abi.h"; exit 1; }
fi

# Every read below is a number or a failure with a message (status 2), never
# an empty string that a test would take for "false" or 0.
num() { # WHAT CMD...: CMD's output if it is a number
	local what=$1 v
	shift
	v=$("$@") && [[ $v =~ ^[0-9]+$ ]] && echo "$v" && return 0
	echo "cannot read $what (got '$v')" >&2
	return 2
}
flags_of() { bpftool map dump pinned "$(pin_dir "$1")/xbond_members" |
	     jq -e ".[] | select(.key == $2) | .value.flags"; }
slot_flags() { num "xbond_members[$2].flags in $1" flags_of "$1" "$2"; }
mstat() { num "xbond_mstats[$2].$3 in $1" member_stat "$1" "$2" "$3"; } # NS SLOT FIELD
cnt() { num "xbond_counters[$2] in $1" counter "$1" "$2"; }		 # NS INDEX
active_of() { live_config "$1" | jq -e .active; }
active_slot() { num "the active member of $1" active_of "$1"; }
kernel_rx_of() { ip -n "$1" -s -j link show "$2" | jq -e '.[0].stats64.rx.packets'; }
kernel_rx() { num "the kernel's rx packets of $2 in $1" kernel_rx_of "$1" "$2"; }

# at_least MIN READER ARGS...: the number READER reads is MIN or more.
at_least() {
	local min=$1 v
	shift
	v=$("$@") || return
	[ "$v" -ge "$min" ] || { echo "$* is $v, less than $min" >&2; return 1; }
}

# is_active NS SLOT: 1 if another member is active, 2 if unreadable.
is_active() {
	local a
	a=$(active_slot "$1") || return
	[ "$a" = "$2" ] || { echo "$1: active slot $a, not $2" >&2; return 1; }
}

# member_usable NS SLOT: carrier and admin up, not ARP-down. 1 if not, 2 if unreadable.
member_usable() {
	local f want=$((XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP))
	f=$(slot_flags "$1" "$2") || return 2
	[ $((f & want)) -eq $want ] && [ $((f & XBOND_MEMBER_ARP_DOWN)) -eq 0 ] && return 0
	echo "$1 slot $2: flags $f" >&2
	return 1
}

# stays_up NS SECONDS: every 100 ms, both members usable and one of them active.
stays_up() {
	local end=$((SECONDS + $2)) a
	while [ $SECONDS -lt $end ]; do
		member_usable "$1" 0 && member_usable "$1" 1 || return
		a=$(active_slot "$1") || return
		[ "$a" != "$XBOND_NO_MEMBER" ] || { echo "$1: no active member" >&2; return 1; }
		sleep 0.1
	done
}

pinned_id_of() { bpftool -j prog show pinned "$(pin_dir "$1")/$2" | jq -e .id; }
pinned_id() { num "the id of the program pinned as $2 in $1" pinned_id_of "$1" "$2"; }

# rx_in_tc NS [N]: the N (2) members receive through rx_filter_tc, with no XDP program.
rx_in_tc() {
	local i f net want n=${2:-2}
	for ((i = 0; i < n; i++)); do
		f=$(slot_flags "$1" $i) || return
		[ $((f & XBOND_MEMBER_RX_TC)) -ne 0 ] ||
			{ echo "slot $i: flags $f lack RX_TC" >&2; return 1; }
	done
	want=$(pinned_id "$1" rx_filter_tc) && net=$(ip netns exec "$1" bpftool -j net) || return 2
	jq -e --argjson want "$want" --argjson n "$n" '.[0] | (.xdp | length) == 0 and
		[.tc[] | select(.kind == "clsact/ingress") | .id] == [range($n) | $want]' <<<"$net"
}

# rx_native NS: both members run rx_filter as native XDP and rx_redirect behind it.
rx_native() {
	local i f net xdp tc
	for i in 0 1; do
		f=$(slot_flags "$1" $i) || return
		[ $((f & XBOND_MEMBER_RX_TC)) -eq 0 ] ||
			{ echo "slot $i: flags $f have RX_TC" >&2; return 1; }
	done
	xdp=$(pinned_id "$1" rx_filter) && tc=$(pinned_id "$1" rx_redirect) &&
		net=$(ip netns exec "$1" bpftool -j net) || return 2
	jq -e --argjson xdp "$xdp" --argjson tc "$tc" '.[0] |
		([.xdp[] | [.mode, .id]] | unique) == [["driver", $xdp]] and (.xdp | length) == 2 and
		[.tc[] | select(.kind == "clsact/ingress") | .id] == [$tc, $tc]' <<<"$net"
}

# rx_snapshot NS DEV0 DEV1: per member, xbond's rx_packets and rx_dropped
# between two reads of the kernel's rx packets: "k p d k' ..." for both.
rx_snapshot() {
	local ns=$1 i dev k1 k2 p d out=
	for i in 0 1; do
		dev=$2; [ $i -eq 1 ] && dev=$3
		k1=$(kernel_rx "$ns" "$dev") && p=$(mstat "$ns" $i rx_packets) &&
			d=$(mstat "$ns" $i rx_dropped) && k2=$(kernel_rx "$ns" "$dev") || return 2
		out+="$k1 $p $d $k2 "
	done
	echo $out
}

# rx_counts_match BEFORE AFTER ACTIVE_SLOT MIN: on each member, what xbond
# counted (received + dropped) is what the kernel counted over the same time,
# as far as the reads around it bound that; give or take 2 frames that veth
# had counted but tc ingress not yet seen. On the active member, MIN or more
# received.
rx_counts_match() {
	local -a b=($1) a=($2)
	local i lo hi x p
	for i in 0 1; do
		lo=$((a[4 * i] - b[4 * i + 3]))
		hi=$((a[4 * i + 3] - b[4 * i]))
		p=$((a[4 * i + 1] - b[4 * i + 1]))
		x=$((p + a[4 * i + 2] - b[4 * i + 2]))
		echo "slot $i: kernel rx +$lo..+$hi, xbond rx_packets + rx_dropped +$x"
		[ $x -ge $((lo - 2)) ] && [ $x -le $((hi + 2)) ] || return 1
		[ $i -ne "$3" ] || [ $p -ge "$4" ] || { echo "slot $i: rx_packets +$p < $4"; return 1; }
	done
}

# grace_over NS: the 500 ms in which backups take unicast after a switch is past.
grace_over() {
	local until
	until=$(live_config "$1" | jq -e .backup_rx_until_ns) || return 2
	python3 -c "import sys, time; sys.exit(time.monotonic_ns() <= $until)"
}

log_of() { echo "/run/xbond/$(stat -L -c %i "/run/netns/$1")/xbond0.log"; }

# lost NS COUNT: ping B every 5 ms, echo how many were lost.
lost() {
	local sent received
	read -r sent received < <(ping_counts "$1" -c "$2" -i 0.005 -W 1 10.82.0.2)
	echo $((${sent:-0} - ${received:-0}))
}

# create_a LAYOUT_ARGS... : A's bond, with ARP monitoring of B; B answers at once.
create_a() {
	# Five intervals of grace: on a loaded 2-core machine the monitor can
	# wake 100 ms late, which is no dead path.
	xbond --netns "$A" --ifaces a0,a1 --mode active-backup \
		--arp-ip-target 10.82.0.2 --arp-interval 50 --arp-missed-max 5 "$@" &&
		ip -n "$A" addr add 10.82.0.1/24 dev xbond0
}

run_layout() { # LAYOUT: tc or native
	local layout=$1 xdp_args=() check_layout=rx_in_tc lost_n
	local before_a before_b after_a after_b inactive0 dropped0
	[ "$layout" = native ] && xdp_args=(--xdp-mode native) check_layout=rx_native
	cleanup
	topo_b2b 2 || { fail "$layout: topology"; return; }
	# A's links up first, so B has carrier and an active member from its start.
	ip -n "$A" link set a0 up && ip -n "$A" link set a1 up
	check "$layout: B active-backup" xbond --netns "$B" --ifaces b0,b1 \
		--mode active-backup "${xdp_args[@]}"
	ip -n "$B" addr add 10.82.0.2/24 dev xbond0
	check "$layout: A active-backup, no ARP monitoring yet" xbond --netns "$A" \
		--ifaces a0,a1 --mode active-backup "${xdp_args[@]}"
	ip -n "$A" addr add 10.82.0.1/24 dev xbond0
	check "$layout: A's members receive as asked ($check_layout)" $check_layout "$A"
	check "$layout: B's members receive as asked ($check_layout)" $check_layout "$B"
	check "$layout: first ping" wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 10.82.0.2

	# Counters: 300 pings both ways, on a0 and b0.
	before_a=$(rx_snapshot "$A" a0 a1) && before_b=$(rx_snapshot "$B" b0 b1) ||
		fail "$layout: rx counters readable"
	lost_n=$(lost "$A" 300)
	after_a=$(rx_snapshot "$A" a0 a1) && after_b=$(rx_snapshot "$B" b0 b1) ||
		fail "$layout: rx counters readable"
	check "$layout: 300 pings over a0 and b0 ($lost_n lost)" test "$lost_n" -eq 0
	check "$layout: A's per-member rx counters match the kernel's" \
		rx_counts_match "$before_a" "$after_a" 0 300
	check "$layout: B's per-member rx counters match the kernel's" \
		rx_counts_match "$before_b" "$after_b" 0 300

	# Crossed active members: whatever either side sends lands on a backup.
	check "$layout: cross the actives: B active b1 (A stays on a0)" \
		xbond --netns "$B" --active b1
	check "$layout: B's grace for in-flight frames is over" wait_for 2 grace_over "$B"
	if dropped0=$(mstat "$B" 0 rx_dropped) && inactive0=$(cnt "$B" "$XBOND_CNT_RX_INACTIVE"); then
		lost_n=$(lost "$A" 20)
		check "$layout: crossed, all 20 pings are lost ($lost_n)" test "$lost_n" -eq 20
		check "$layout: ... B's backup b0 dropped them: its rx_dropped" \
			at_least "$((dropped0 + 20))" mstat "$B" 0 rx_dropped
		check "$layout: ... and XBOND_CNT_RX_INACTIVE" \
			at_least "$((inactive0 + 20))" cnt "$B" "$XBOND_CNT_RX_INACTIVE"
	else
		fail "$layout: B's drop counters readable"
	fi
	check "$layout: uncross: B active b0" xbond --netns "$B" --active b0

	# A again, now monitoring ARP from the start; pings run while the bond is
	# watched for 4 s.
	check "$layout: detach A" xbond --netns "$A" --detach
	# a0 kept its MAC and MTU: taking it down and up would fail B over.
	check "$layout: ... which leaves a0's link alone: B stays on b0" is_active "$B" 0
	check "$layout: A active-backup, ARP monitoring of 10.82.0.2 every 50 ms" \
		create_a "${xdp_args[@]}"
	check "$layout: first ping with ARP monitoring" \
		wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 10.82.0.2
	ip netns exec "$A" ping -q -c 35 -i 0.1 -W 1 10.82.0.2 >/tmp/xbt-ping.$SUFFIX 2>&1 &
	check "$layout: ARP monitoring keeps both of A's members usable for 4 s" stays_up "$A" 4
	wait $!
	check "$layout: ... and the pings meanwhile all pass" \
		awk '/packets transmitted/ { exit !($1 == 35 && $4 == 35) }' /tmp/xbt-ping.$SUFFIX
	rm -f /tmp/xbt-ping.$SUFFIX
	check "$layout: ... and the monitor took no member down for want of ARP" \
		sh -c "! grep 'no ARP reply' $(log_of "$A")"

	# Crossed again: a0's probes now reach only B's backup, whose stack never
	# answers, so A finds a0's path dead and moves to a1, where B listens.
	check "$layout: cross the actives again: B active b1" xbond --netns "$B" --active b1
	wait_for 3 is_active "$A" 1
	check "$layout: ... A finds a0's path dead and makes a1 active" is_active "$A" 1
	check "$layout: ... the monitor says why" grep -q "member down a0: no ARP reply" \
		"$(log_of "$A")"
	check "$layout: ... and pings pass over a1 and b1" \
		ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.82.0.2
}

# detach_checks LAYOUT: a tc filter that is not ours sits on a0 beside ours.
# Detach takes off exactly what it attached: that filter and the clsact
# qdisc holding it stay, the qdisc made on a1 for ours alone goes.
detach_checks() {
	tc -n "$A" filter add dev a0 ingress pref 7 protocol all u32 match u32 0 0
	check "$1: detach" xbond --netns "$A" --detach
	check "$1: ... took its tc filters and XDP programs off the members" test \
		"$(ip netns exec "$A" bpftool -j net | jq -c '[.[0].xdp[], .[0].tc[]] | length')" = 0
	check "$1: ... left a0 a filter that is not ours, with its clsact qdisc" sh -c \
		"tc -n $A filter show dev a0 ingress | grep -q u32"
	check "$1: ... removed the clsact qdisc it made on a1" sh -c \
		"! tc -n $A qdisc show dev a1 | grep -q clsact"
}

run_layout tc
detach_checks tc
run_layout native
detach_checks native

# Where native XDP is refused (veth: a peer MTU too large for it), the member
# falls back to tc ingress, never to generic XDP.
cleanup
make_ns F f && ip link add f0 netns "$F" mtu 9000 type veth peer name f1 netns "$F" mtu 9000 &&
	ip -n "$F" link set f1 up || fail "native refused: topology"
check "native refused: --xdp-mode native on a veth with MTU 9000" \
	xbond --netns "$F" --ifaces f0 --xdp-mode native --no-monitor
check "native refused: ... receives in tc ingress instead" rx_in_tc "$F" 1
exit $FAILED
