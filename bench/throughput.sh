#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Steady state, every mode against the single link in one run: TCP with 1 and
# 8 flows, UDP, each in both directions, then ping loss and RTT at 1 ms. First,
# unshaped, one TCP flow through the bond against a plain veth pair: the data
# plane's own overhead. Writes JSON lines to OUT/raw.jsonl; asserts nothing.
#
# Usage: bench/throughput.sh [--quick] [--rate RATE] [--links 2|4] [--time S] [--out DIR]

. "$(dirname "$0")/lib.sh"
parse_opts "$@"
PINGS=$((QUICK ? 500 : 2000))
REPEAT=$((QUICK ? 1 : 3))

# measure ROW SERVER_NS SERVER_IP CLIENT_NS: the throughput and ping columns.
measure() {
	local row=$1 sns=$2 sip=$3 cns=$4 udp out
	# UDP is offered at the bond's full rate plus 5%, split over 8 streams;
	# what arrives is the figure.
	udp=$(($(rate_bps) * LINKS * 105 / 100 / 8))
	emit "$row" tcp1_tx "$(iperf "$sns" "$sip" "$cns" -t "$TIME")"
	emit "$row" tcp1_rx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -R)"
	emit "$row" tcp8_tx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -P 8)"
	emit "$row" tcp8_rx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -P 8 -R)"
	emit "$row" udp8_tx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -P 8 -u -b $udp -l 1400)"
	emit "$row" udp8_rx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -P 8 -u -b $udp -l 1400 -R)"
	emit "$row" bbr1_tx "$(iperf "$sns" "$sip" "$cns" -t "$TIME" -C bbr)"
	out=$(ip netns exec "$cns" ping -q -i 0.001 -c $PINGS -W 1 "$sip" 2>/dev/null)
	emit "$row" ping_loss "$(awk '/packets transmitted/ { print ($1 - $4) * 100 / $1 }' <<<"$out")"
	emit "$row" ping_rtt_ms "$(awk -F/ '/^rtt/ { print $5 }' <<<"$out")"
	printf '  %-24s done\n' "$row"
}

make_link
make_bond balance-xor layer3+4
echo "throughput over $LINKS links at $RATE, ${TIME}s runs"

# Unshaped, alternating plain and bond runs, so both see the same load.
unshape "$C" c0; unshape "$D" d0
for ((i = 0; i < LINKS; i++)); do unshape "$A" a$i; unshape "$B" b$i; done
plain=() bond=()
for ((i = 0; i < REPEAT; i++)); do
	plain+=("$(iperf "$D" $LINK_IP "$C" -t "$TIME")")
	bond+=("$(iperf "$B" $BOND_IP "$A" -t "$TIME")")
done
emit unshaped tcp1_plain "$(median <<<"${plain[*]}")"
emit unshaped tcp1_bond "$(median <<<"${bond[*]}")"
emit unshaped tcp1_bond_mode '"balance-xor layer3+4"'
echo "  unshaped                 done"
shape "$C" c0; shape "$D" d0
for ((i = 0; i < LINKS; i++)); do shape "$A" a$i; shape "$B" b$i; done

measure "single link" "$D" $LINK_IP "$C"
for r in "${ROWS[@]}"; do
	set_mode "${r%:*}" "${r#*:}"
	measure "$(row_name "${r%:*}" "${r#*:}")" "$B" $BOND_IP "$A"
done
