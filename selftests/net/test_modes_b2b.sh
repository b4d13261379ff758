#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Back to back with two and four links, both ends running xbond in the same
# mode: each mode carries ping and TCP, and spreads frames over the members as
# the mode says. Two bonds named xbond0 coexist, one per namespace.
#
#   A: xbond0 10.77.0.1 [a0 a1 ..] ====== [b0 b1 ..] xbond0 10.77.0.2 :B
. "$(dirname "$0")/../lib.sh"

# tx_packets of every member of A's bond, space-separated, in slot order.
tx_per_member() {
	local i out=
	for ((i = 0; i < $1; i++)); do out+="$(member_stat "$A" $i tx_packets) "; done
	echo $out
}

# spread_ok MODE BEFORE AFTER: does the traffic between the two snapshots fit MODE?
spread_ok() {
	local mode=$1 i total=0 d
	local -a before=($2) after=($3) delta=()
	for i in "${!after[@]}"; do
		delta[$i]=$((after[i] - before[i]))
		total=$((total + delta[i]))
	done
	echo "tx per member: ${delta[*]}"
	[ $total -gt 1000 ] || return 1
	for i in "${!delta[@]}"; do
		d=${delta[$i]}
		case $mode in
		active-backup) [ $i -eq 0 ] && [ $d -ne $total ] && return 1
			       [ $i -ne 0 ] && [ $d -ne 0 ] && return 1 ;;
		# Every member sends every frame; counters are read one after
		# another, so frames still in flight may show on some only.
		broadcast) [ $((d - delta[0])) -gt 8 ] || [ $((delta[0] - d)) -gt 8 ] && return 1 ;;
		# Every member carries a real share: at least a fifth of an even one.
		*) [ $((d * ${#delta[@]} * 5)) -lt $total ] && return 1 ;;
		esac
	done
	return 0
}

for links in 2 4; do
	for mode in balance-rr active-backup balance-xor broadcast; do
		cleanup
		topo_b2b $links || { fail "$links links: topology"; continue; }
		a=$(seq -s, -f 'a%g' 0 $((links - 1)))
		b=$(seq -s, -f 'b%g' 0 $((links - 1)))
		xbond --netns "$A" --ifaces "$a" --mode $mode --hash layer3+4 &&
		xbond --netns "$B" --ifaces "$b" --mode $mode --hash layer3+4 ||
			{ fail "$mode over $links links: load"; continue; }
		ip -n "$A" addr add 10.77.0.1/24 dev xbond0
		ip -n "$B" addr add 10.77.0.2/24 dev xbond0

		check "$mode over $links links: ping" \
			ip netns exec "$A" ping -c 5 -i 0.01 -W 1 10.77.0.2

		before=$(tx_per_member $links)
		bps=$(iperf3_run "$B" 10.77.0.2 "$A" -t 1 -P $((links * 8)))
		after=$(tx_per_member $links)
		check "$mode over $links links: TCP with $((links * 8)) flows" \
			awk -v b="$bps" 'BEGIN { exit !(b > 1e8) }'
		check "$mode over $links links: spread over members" \
			spread_ok $mode "$before" "$after"
	done
done

# Both ends are named xbond0: each namespace has its own pins.
check "same bond name in two namespaces: separate pins" \
	test "$(pin_dir "$A")" != "$(pin_dir "$B")" -a -e "$(pin_dir "$A")/xbond_config" \
	-a -e "$(pin_dir "$B")/xbond_config"
exit $FAILED
