#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interruptions, every mode, with the monitor running as it would in use:
#   - a live switch into the mode, during a 1 ms ping: lost pings, and the
#     longest round trip (a ping held back is late, not lost);
#   - failover and recovery: the peer of the member carrying the traffic goes
#     down (A's member loses carrier), then up again, during
#       a 1 ms ping: lost pings,
#       a 10 kpps sequence-numbered UDP stream: the longest gap in arrivals,
#       a saturating TCP stream: the longest stall, to the millisecond.
# The UDP and TCP arrival series around both events go to OUT/series/ for the
# chart. Then 802.3ad's time to aggregate: both bonds made afresh, from the
# start of A's xbondload to every member of both ends distributing. Writes
# JSON lines to OUT/raw.jsonl; asserts nothing.
#
# Usage: bench/outage.sh [--quick] [--rate RATE] [--links 2|4] [--out DIR]

. "$(dirname "$0")/lib.sh"
parse_opts "$@"
mkdir -p "$OUT/series"
PORT=$((7000 + RANDOM % 1000))

# ping_start SECONDS: a 1 ms ping from A to B in the background, until ping_lost.
ping_start() {
	ip netns exec "$A" ping -q -i 0.001 -c $(($1 * 1000)) -W 1 $BOND_IP >"$OUT/ping.$$" 2>&1 &
	PING_PID=$!
}

# ping_lost KEY [RTT_KEY]: wait for the ping and emit its lost count under
# KEY, and its longest round trip in ms under RTT_KEY.
ping_lost() {
	wait $PING_PID
	emit "$row" "$1" "$(awk '/packets transmitted/ { print $1 - $4 }' "$OUT/ping.$$")"
	[ -z "$2" ] || emit "$row" "$2" "$(awk -F/ '/^rtt/ { print $6 }' "$OUT/ping.$$")"
}

# The member to pull: the one that carried most of A's sending in the last 0.2 s.
pick_member() {
	local before
	before=$(tx_packets)
	sleep 0.2
	busiest_member "$before" "$(tx_packets)"
}

# link_event NS DEV up|down: echo its time, taken just before the change.
link_event() {
	now_ns
	ip -n "$1" link set "$2" "$3"
}

# gap FILE FROM TO: the longest run of empty milliseconds in [FROM, TO).
gap() {
	awk -v from="$2" -v to="$3" '
		/^#/ { next }
		$1 >= from && $1 < to { run = $2 ? 0 : run + 1; if (run > max) max = run }
		END { print max + 0 }' "$1"
}

# lost FILE FROM TO: datagrams due in [FROM, TO) that never arrived.
lost() {
	awk -v from="$2" -v to="$3" '!/^#/ && $1 >= from && $1 < to { n += $3 } END { print n + 0 }' "$1"
}

# series udp|tcp FILE AT OUTFILE: 5 ms bins from AT-100 to AT+400 ms, as % of
# the stream: UDP, the datagrams due in the bin that arrived, which leaves out
# the receiver's scheduling jitter; TCP, the bytes that arrived, of the link rate.
series() {
	awk -v udp=$([ "$1" = udp ] && echo 1 || echo 0) -v at="$3" -v rate="$(rate_bps)" '
		/^#/ || $1 < at - 100 || $1 >= at + 400 { next }
		{ b = int(($1 - at + 100) / 5); bytes[b] += $2; lost[b] += $3 }
		END { for (b = 0; b < 100; b++)
			printf "%d %.1f\n", b * 5 - 100,
				udp ? 100 - 100 * lost[b] / 50 : 100 * bytes[b] * 8 / (rate * 0.005) }' "$2" >"$4"
}

# stream ROW udp|tcp: one stream, the member carrying it down then up.
stream() {
	local row=$1 proto=$2 slug=${1// /_} bins="$OUT/series/${1// /_}.$2" k t_down t_up
	local rpid start down_ms up_ms
	ip netns exec "$B" "$SEQSTREAM" recv "$proto" $PORT 2.6 "$bins" >/dev/null &
	rpid=$!
	sleep 0.1	# bound before the first datagram
	ip netns exec "$A" "$SEQSTREAM" send "$proto" $BOND_IP $PORT 2.3 100 &
	sleep 0.3
	k=$(pick_member)
	sleep 0.2	# bpftool and jq in pick_member disturb the stream: let it settle
	t_down=$(link_event "$B" b$k down)
	sleep 1
	t_up=$(link_event "$B" b$k up)
	wait
	start=$(head -1 "$bins" | awk '{ print $3 }')
	down_ms=$(((t_down - start) / 1000000))
	up_ms=$(((t_up - start) / 1000000))
	[ -n "$BENCH_DEBUG" ] && echo "$row $proto down_ms=$down_ms up_ms=$up_ms" >&2
	if [ "$proto" = udp ]; then
		emit "$row" udp_lost_pre "$(lost "$bins" 0 $down_ms)"
		emit "$row" udp_lost_down "$(lost "$bins" $down_ms $up_ms)"
		emit "$row" udp_lost_up "$(lost "$bins" $up_ms 2600)"
	else
		emit "$row" tcp_gap_pre_ms "$(gap "$bins" 300 $down_ms)"
		emit "$row" tcp_gap_down_ms "$(gap "$bins" $down_ms $up_ms)"
		emit "$row" tcp_gap_up_ms "$(gap "$bins" $up_ms 2350)"
	fi
	series "$proto" "$bins" $down_ms "$OUT/series/$slug.$proto.down"
	series "$proto" "$bins" $up_ms "$OUT/series/$slug.$proto.up"
	PORT=$((PORT + 1))
}

make_bond broadcast layer2
echo "outages over $LINKS links at $RATE, monitor running"
for r in "${ROWS[@]}"; do
	mode=${r%:*} hash=${r#*:}
	row=$(row_name "$mode" "$hash")

	ping_start 1
	sleep 0.3
	set_mode "$mode" "$hash"
	ping_lost switch_lost switch_rtt_max_ms
	sleep 0.5	# let active-backup's 500 ms grace after a switch run out

	ping_start 1
	k=$(pick_member)
	sleep 0.1
	link_event "$B" b$k down >/dev/null
	ping_lost ping_lost_down
	ping_start 1
	sleep 0.3
	link_event "$B" b$k up >/dev/null
	ping_lost ping_lost_up

	stream "$row" udp
	stream "$row" tcp
	printf '  %-24s done\n' "$row"
done
cp "/run/xbond/$(stat -L -c %i "/run/netns/$A")/xbond0.log" "$OUT/monitor-A.log" 2>/dev/null
rm -f "$OUT/ping.$$"

# aggregation REPS: REPS times, both bonds removed (their members go back down,
# as at boot) and made afresh in 802.3ad: ms from the start of A's xbondload to
# every member of both ends distributing, as xbondctl status --json says,
# polled back to back; and how long the two xbondload calls took of that.
aggregation() {
	local i t0 t1 t2 agg=() made=()
	row=$(row_name 802.3ad layer3+4)
	for ((i = 0; i < $1; i++)); do
		xbond --netns "$A" --detach >/dev/null && xbond --netns "$B" --detach >/dev/null ||
			die "detach failed"
		t0=$(now_ns)
		xbond --netns "$A" --ifaces "$(members a)" --mode 802.3ad --hash layer3+4 \
			$(mode_opts 802.3ad) >/dev/null &&
			xbond --netns "$B" --ifaces "$(members b)" --mode 802.3ad --hash layer3+4 \
			$(mode_opts 802.3ad) >/dev/null || die "xbondload failed"
		t1=$(now_ns)
		until aggregated; do
			(($(now_ns) - t0 < 10000000000)) || die "802.3ad: no aggregation in 10 s"
		done
		t2=$(now_ns)
		agg+=($(((t2 - t0) / 1000000))) made+=($(((t1 - t0) / 1000000)))
	done
	emit "$row" aggregate_ms "$(median <<<"${agg[*]}")"
	emit "$row" aggregate_ms_min "$(tr ' ' '\n' <<<"${agg[*]}" | sort -g | head -1)"
	emit "$row" aggregate_ms_max "$(tr ' ' '\n' <<<"${agg[*]}" | sort -g | tail -1)"
	emit "$row" aggregate_create_ms "$(median <<<"${made[*]}")"
	emit "$row" aggregate_reps "$1"
	printf '  %-24s done (%s ms)\n' "802.3ad aggregation" "${agg[*]}"
}
aggregation $((QUICK ? 3 : 5))
