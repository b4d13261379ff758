#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turns a results folder's JSON lines into results.json, the Markdown table
# (table.md, in the field report's shape: modes down, measures across, each
# throughput with its ratio to the single link; 802.3ad's time to aggregate
# below it), the targets met or missed, and the charts throughput.png and
# failover.png.
#
# Usage: bench/report.sh DIR     (DIR holds meta.json, raw.jsonl, cost.jsonl, series/)

DIR=${1:?usage: bench/report.sh DIR}
cd "$DIR" || exit 1
[ -s raw.jsonl ] && [ -s meta.json ] || { echo "report: no results in $DIR" >&2; exit 1; }
touch cost.jsonl

# results.json: per link count, per row, per measure; the cost; the targets.
jq -n --slurpfile raw raw.jsonl --slurpfile cost cost.jsonl --slurpfile meta meta.json '
	def rows: group_by(.row) | map({key: .[0].row, value: (map({key, value}) | from_entries)})
		| from_entries;
	def ratio($l; $row; $k): ($l[$row][$k]) as $v | ($l["single link"][$k]) as $s
		| if $v == null or $s == null or $s == 0 then null else $v / $s end;
	def cost($prog; $mode; $variant):
		$cost | map(select(.prog == $prog and .mode == $mode and .variant == $variant))[0].ratio;
	($raw | group_by(.links) | map({key: (.[0].links | tostring), value: rows}) | from_entries) as $by
	| ($by["2"] // {}) as $two | ($by["4"] // {}) as $four
	| ($by | to_entries | map(.value | to_entries[] | .value.switch_lost // empty) | add) as $sw
	| ($cost | map(select(.prog == "tx_select" and .mode != "broadcast")) | max_by(.ratio)) as $tx
	| ($cost | map(select(.prog == "rx_filter")) | max_by(.ratio)) as $rx
	| ($by | to_entries | map(.value.unshaped | select(.) | .tcp1_bond / .tcp1_plain) | min) as $ovh
	| {
		meta: $meta[0], links: $by, cost: $cost,
		targets: [
			{target: "balance-xor layer3+4, 8 TCP flows, 2 links >= 1.95x a single link",
			 value: ([ratio($two; "balance-xor layer3+4"; "tcp8_tx"),
				  ratio($two; "balance-xor layer3+4"; "tcp8_rx")] | min), bound: 1.95},
			{target: "balance-xor layer3+4, 8 TCP flows, 4 links >= 3.8x a single link",
			 value: ([ratio($four; "balance-xor layer3+4"; "tcp8_tx"),
				  ratio($four; "balance-xor layer3+4"; "tcp8_rx")] | min), bound: 3.8},
			{target: "balance-rr, 1 TCP flow (CUBIC), 2 links >= 1.8x a single link",
			 value: ([ratio($two; "balance-rr"; "tcp1_tx"), ratio($two; "balance-rr"; "tcp1_rx")]
				 | min), bound: 1.8},
			{target: "active-backup carrier failover <= 5 ms (lost 1 ms pings)",
			 value: $two["active-backup"].ping_lost_down, bound: 5, most: true},
			{target: "live mode switch: 0 lost pings (all switches)", value: $sw, bound: 0,
			 most: true},
			{target: "tx_select <= 1.5x the empty tc program (worst unicast mode: \($tx.mode) \($tx.variant))",
			 value: $tx.ratio, bound: 1.5, most: true},
			{target: "rx_filter <= 1.3x the empty XDP program (worst: \($rx.mode) \($rx.variant))",
			 value: $rx.ratio, bound: 1.3, most: true},
			{target: "unshaped, 1 TCP flow through the bond >= 90% of a plain veth pair",
			 value: $ovh, bound: 0.9}
		] | map(. + {met: (if .value == null then null elif .most then .value <= .bound
				   else .value >= .bound end)} | del(.most))
	}' >results.json || { echo "report: cannot build results.json" >&2; exit 1; }

# table.md
jq -r '
	def r($d): if . == null then "—" else (. * pow(10; $d) | round | tostring) as $s
		| if $d == 0 then $s else ("0" * ($d + 1 - ($s | length))) + $s
			| .[:-$d] + "." + .[-$d:] end end;
	def gbit($l; $row; $k): ($l[$row][$k]) as $v | ($l["single link"][$k]) as $s
		| if $v == null then "—" elif $row == "broadcast" and ($k | startswith("udp")) then "n/a"
		  elif $row == "single link" then ($v / 1e9 | r(2))
		  else "\($v / 1e9 | r(2)) (\($v / $s | r(2))×)" end;
	def cost($prog; $m; $v): (.cost | map(select(.prog == $prog and .mode == $m and .variant == $v))[0])
		| if . == null then "—" else "\(.ns) ns (\(.ratio | r(2))×)" end;
	def modev: if test(" ") then [sub(" .*"; ""), sub("^[^ ]* "; "")] else [., ""] end;
	["single link", "balance-rr", "active-backup", "balance-xor layer2", "balance-xor layer2+3",
	 "balance-xor layer3+4", "broadcast", "802.3ad layer3+4"] as $order
	| . as $res | .meta as $m
	| "## xbond bench, \($m.date)", "",
	  "`\($m.command)` on \($m.machine). Members shaped to \($m.rate) with tbf; \($m.time) s per",
	  "iperf3 run. → is A to B, ← is B to A. Throughput in Gbit/s, with the ratio to the single",
	  "link measured in the same run.", "",
	  ( $res.links | to_entries[] | .key as $n | .value as $l
	  | "### \($n) links", "",
	    ( if $l["balance-rr"].ping_lost_down != null then
	      "| mode | TCP 1 flow → | TCP 1 flow ← | TCP 1 flow BBR → | TCP 8 flows → | TCP 8 flows ← | UDP 8 streams → | UDP 8 streams ← | ping loss, RTT | failover: lost pings / UDP ms / TCP stall ms | recovery: lost pings / UDP ms / TCP stall ms | live switch into: lost pings / longest RTT ms | tx_select | rx_filter |",
	      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	      else
	      "| mode | TCP 1 flow → | TCP 1 flow ← | TCP 1 flow BBR → | TCP 8 flows → | TCP 8 flows ← | UDP 8 streams → | UDP 8 streams ← | ping loss, RTT |",
	      "|---|---|---|---|---|---|---|---|---|"
	      end ),
	    ( $order[] as $row | select($l[$row]) | $l[$row] as $v | ($row | modev) as $mv
	    | [$row, gbit($l; $row; "tcp1_tx"), gbit($l; $row; "tcp1_rx"), gbit($l; $row; "bbr1_tx"),
	       gbit($l; $row; "tcp8_tx"), gbit($l; $row; "tcp8_rx"), gbit($l; $row; "udp8_tx"),
	       gbit($l; $row; "udp8_rx"),
	       "\($v.ping_loss | r(1)) %, \($v.ping_rtt_ms * 1000 | r(0)) µs"]
	      + (if $l["balance-rr"].ping_lost_down == null then [] elif $row == "single link" then
	         ["—", "—", "—", "—", "—"] else
	         ["\($v.ping_lost_down | r(0)) / \($v.udp_lost_down / 10 | r(1)) / \($v.tcp_gap_down_ms | r(0))",
	          "\($v.ping_lost_up | r(0)) / \($v.udp_lost_up / 10 | r(1)) / \($v.tcp_gap_up_ms | r(0))",
	          "\($v.switch_lost | r(0)) / \($v.switch_rtt_max_ms | r(0))",
	          ($res | cost("tx_select"; $mv[0]; $mv[1])),
	          ($res | cost("rx_filter"; $mv[0]; ""))] end)
	    | "| " + join(" | ") + " |" ),
	    "" ),
	  "Failover: the peer of the member carrying the traffic is taken down, so that member",
	  "loses carrier, with the monitor running (carrier polled every 10 ms, and link events).",
	  "Recovery: the peer comes back up. Lost pings are of a 1 ms ping; UDP ms is the",
	  "datagrams lost of a 10 kpps stream, as ms; the TCP stall is the longest run of",
	  "milliseconds in which a saturating TCP stream delivered nothing (before any event it",
	  "is \([.links[] | .[] | .tcp_gap_pre_ms // empty] | max | r(0)) ms at worst on this machine).",
	  "Live switch into: lost 1 ms pings while both ends switch into that row from the row",
	  "above (the first from broadcast), and the longest round trip among them: a ping held",
	  "back (in the neighbour table while ARP resolves again) arrives late and is not lost.",
	  "802.3ad: both ends are xbond in 802.3ad with --lacp-rate fast, LACP between them; a",
	  "member carries traffic only while LACP has it distributing. UDP: what arrived of 8",
	  "streams offered at the bond'"'"'s rate + 5 %. It is n/a for broadcast: iperf3 takes each duplicate for a late",
	  "datagram and un-counts a loss for it, so it cannot count distinct datagrams (the",
	  "failover columns can: seqstream counts each sequence number once). tx_select and rx_filter: ns per packet with",
	  "BPF_PROG_RUN, next to an empty tc or XDP program run alternately with it; the",
	  "kernel reports whole ns.", "",
	  ( .links | to_entries[] | select(.value.unshaped) | .value.unshaped as $u
	  | "Unshaped, \(.key) links: one TCP flow through \($u.tcp1_bond_mode) \($u.tcp1_bond / 1e9 | r(2)) Gbit/s, through a plain veth pair \($u.tcp1_plain / 1e9 | r(2)) Gbit/s: \($u.tcp1_bond / $u.tcp1_plain * 100 | r(0)) % (median of \($m.repeat) alternating runs)." ),
	  ( .links | to_entries[] | .value["802.3ad layer3+4"] | select(.aggregate_ms) as $a
	  | "", "802.3ad, time to aggregate: \($a.aggregate_ms | r(0)) ms (\($a.aggregate_ms_min | r(0))–\($a.aggregate_ms_max | r(0))) from the start of A'"'"'s xbondload to every member of both ends distributing (`xbondctl status --json`, polled back to back), median of \($a.aggregate_reps) bonds made afresh with their members down; the two xbondload calls took \($a.aggregate_create_ms | r(0)) ms of it." ),
	  "",
	  "### Targets", "",
	  "| target | measured | |", "|---|---|---|",
	  ( .targets[] | "| \(.target) | \(.value | if . == null then "not run" else r(2) end) | \(if .met == null then "—" elif .met then "met" else "**missed**" end) |" )
	' results.json >table.md || { echo "report: cannot write table.md" >&2; exit 1; }

# throughput.png: one panel per link count, a cluster of bars per mode.
panels=$(jq '.links | length' results.json)
for n in $(jq -r '.links | keys[]' results.json); do
	jq -r --arg n "$n" '.links[$n] as $l
		| ["single link", "balance-rr", "active-backup", "balance-xor layer2",
		   "balance-xor layer2+3", "balance-xor layer3+4", "broadcast", "802.3ad layer3+4"][]
		| select($l[.]) as $row | $l[$row]
		| (if $row == "broadcast" then {udp8_tx: "NaN", udp8_rx: "NaN"} else {} end) as $na
		| . + $na	# as in the table: iperf3 cannot count broadcast'"'"'s distinct datagrams
		| [($row | sub("balance-xor "; "xor ") | gsub(" "; "\\n")), .tcp1_tx, .tcp8_tx, .udp8_tx,
		   .tcp1_rx, .tcp8_rx, .udp8_rx] | map(if type == "number" then . / 1e9 else . end)
		| map(tostring) | "\"" + .[0] + "\" " + (.[1:] | join(" "))' results.json >"throughput.$n.dat"
done
{
	echo "set terminal pngcairo size 1100,$((380 * panels)) font 'sans,10'"
	echo "set output 'throughput.png'"
	echo "set multiplot layout $panels,1"
	echo "set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1"
	echo "set ylabel 'Gbit/s'; set yrange [0:*]; set grid ytics; set key outside right top; set bmargin 4"
	for n in $(jq -r '.links | keys[]' results.json); do
		echo "set title 'Throughput, $n links shaped to $(jq -r .meta.rate results.json) each (→ A to B, ← B to A)'"
		echo "plot 'throughput.$n.dat' using 2:xtic(1) title 'TCP 1 flow →', '' using 3 title 'TCP 8 flows →',"\
			"'' using 4 title 'UDP 8 streams →', '' using 5 title 'TCP 1 flow ←',"\
			"'' using 6 title 'TCP 8 flows ←', '' using 7 title 'UDP 8 streams ←'"
	done
	echo "unset multiplot"
} | gnuplot 2>gnuplot.log || echo "report: gnuplot failed, see $DIR/gnuplot.log" >&2

# failover.png: per mode, link down and link up; the UDP stream (1 ms bins) and
# the TCP stream (5 ms bins) as % of what they carried before.
if ls series/*.udp.down >/dev/null 2>&1; then
	modes=()
	for m in balance-rr active-backup balance-xor_layer2 balance-xor_layer2+3 \
		 balance-xor_layer3+4 broadcast 802.3ad_layer3+4; do
		[ -s "series/$m.udp.down" ] && modes+=("$m")
	done
	{
		echo "set terminal pngcairo size 1100,$((170 * ${#modes[@]} + 60)) font 'sans,9'"
		echo "set output 'failover.png'"
		echo "set multiplot layout ${#modes[@]},2 title 'What arrived around a member going down (left) and coming back up (right), in 5 ms bins; x: ms from the event'"
		echo "set xrange [-100:400]; set yrange [0:240]; set ytics 0,100,200; set grid"
		echo "set ylabel '% of stream'; set key top right horizontal samplen 2"
		for m in "${modes[@]}"; do
			for e in down up; do
				echo "set title '${m//_/ }: link $e'"
				echo "plot 'series/$m.tcp.$e' using 1:2 with steps lw 1.5 lc rgb '#d62728' title 'TCP, of the link rate',"\
					"'series/$m.udp.$e' using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'UDP 10 kpps, datagrams due that arrived'"
			done
		done
		echo "unset multiplot"
	} | gnuplot 2>>gnuplot.log || echo "report: gnuplot failed, see $DIR/gnuplot.log" >&2
fi
[ -s gnuplot.log ] || rm -f gnuplot.log
exit 0
