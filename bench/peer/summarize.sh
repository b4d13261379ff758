#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The side-by-side table of a bench-peer run, as markdown on stdout: the
# implementations across, the measures down, each cell the median with the
# min–max over the runs. Reads DIR/results.tsv (impl, test, run, value, unit,
# note), DIR/vm.txt and DIR/notes.txt, as guest-bench.sh and runvm.sh wrote them.
#
# Usage: bench/peer/summarize.sh DIR
set -u
[ $# -eq 1 ] && [ -f "$1/results.tsv" ] || { echo "usage: ${0##*/} DIR (with results.tsv)" >&2; exit 2; }
DIR=$1
TSV=$DIR/results.tsv
IMPLS=(kernel team xbond)

# values IMPL TEST: the run values, one a line, empty ones left out. teamd's
# carrier failover (ethtool watcher, no poll interval) stands in the miimon 100 rows.
values() {
	local t=$2
	[ "$1" = team ] && t=${t/fo-mii100/fo-ethtool}
	awk -F'\t' -v i="$1" -v t="$t" '$1 == i && $2 == t && $4 != "" { print $4 }' "$TSV"
}

# stat FMT DIVISOR: "median (min–max)" of the numbers on stdin, each divided
# by DIVISOR first, printed with FMT; "—" when there are none.
stat() {
	sort -g | awk -v fmt="$1" -v d="${2:-1}" '
		{ v[NR] = $1 / d }
		END {
			if (!NR) { print "—"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			s = sprintf(fmt, m)
			if (NR > 1 && v[1] != v[NR]) s = s sprintf(" (" fmt "–" fmt ")", v[1], v[NR])
			print s
		}'
}

median() { values "$1" "$2" | stat "%.2f"; } # IMPL TEST, plain

# row LABEL TEST FMT [DIVISOR] [SKIP_IMPL]: one table row over IMPLS.
row() {
	local label=$1 test=$2 fmt=$3 div=${4:-1} skip=${5:-} impl cells=()
	for impl in "${IMPLS[@]}"; do
		if [ "$impl" = "$skip" ]; then cells+=("—"); continue; fi
		cells+=("$(values "$impl" "$test" | stat "$fmt" "$div")")
	done
	printf '| %s |' "$label"
	printf ' %s |' "${cells[@]}"
	echo
}

# outage_rows LABEL NAME [SKIP_IMPL]: lost pings, longest UDP gap, lost UDP.
outage_rows() {
	row "$1: lost 1 ms pings" "$2-lost" "%.0f" 1 "${3:-}"
	row "… longest gap of the 1 ms UDP stream, ms" "$2-gap" "%.0f" 1 "${3:-}"
	row "… UDP datagrams lost (≈ ms)" "$2-udplost" "%.0f" 1 "${3:-}"
}

# One run's ratio to the single link is against the single link's median.
single() { values single "$1" | stat "%.6g" | cut -d' ' -f1 | grep -v '^—$'; }

vm() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$DIR/vm.txt" 2>/dev/null; }
runs() { awk -F'\t' -v t="$1" '$2 == t { n[$1]++ } END { for (i in n) if (n[i] > m) m = n[i]; print m + 0 }' "$TSV"; }

header() {
	echo "## Kernel bonding, teamd and xbond side by side, in one guest ($(date -u -r "$TSV" '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "\`make bench-peer\`: Debian's kernel $(vm kernel) under QEMU ($(vm accel), $(vm smp) vCPUs," \
		"$(vm mem)) on this machine, with this machine's root filesystem read-only over 9p;" \
		"boot to the first command $(vm boot_s) s, the VM's whole run $(vm total_s) s." \
		"$(sed -n 's/^guest: //p' "$DIR/notes.txt" 2>/dev/null)"
	((MAIN)) && echo "Topology: the bond host's two members go to a Linux bridge (the switch), and the peer" \
		"hangs off the bridge by an unshaped link. Each cell is the median (min–max) over" \
		"$(runs agg-8flows) throughput runs, $(runs fo-mii100-gap) outage runs or" \
		"$(runs modechange-gap) mode changes."
	((MAIN)) || echo "Only the 802.3ad phase ran."
	echo
}

table() {
	local s1 s8
	s1=$(single agg-1flow) s8=$(single agg-8flows)
	echo "| measure | kernel bonding | teamd | xbond |"
	echo "|---|---|---|---|"
	echo "| **throughput**: balance-xor layer3+4 (teamd: loadbalance, tx_hash l3+l4) | | | |"
	[ -n "$s1" ] && row "TCP, 1 flow, × one shaped link (${s1} Mbit/s)" agg-1flow "%.2f×" "$s1"
	[ -n "$s8" ] && row "TCP, 8 flows, × one shaped link (${s8} Mbit/s)" agg-8flows "%.2f×" "$s8"
	if [ -n "$s8" ] && [ -n "$(values teambal agg-8flows)" ]; then
		printf '| … teamd with tx_balancer basic (1 s) | — | %s | — |\n' \
			"$(values teambal agg-8flows | stat "%.2f×" "$s8")"
	fi
	row "guest CPU s per Gbit, 8 flows (one link: $(median single cpu-8flows))" cpu-8flows "%.1f"
	echo "| **active-backup, carrier loss**: the active member's switch port down, later up | | | |"
	outage_rows "no failure yet (TCG's floor)" idle-fo-mii100
	outage_rows "failover, miimon 100 (teamd: ethtool watcher)" fo-mii100
	outage_rows "recovery (back to the primary), miimon 100" fo-mii100back
	outage_rows "failover, miimon 10" fo-mii10 team
	outage_rows "recovery, miimon 10" fo-mii10back team
	echo "| **dead path, carrier up** (switch port \`nomaster\`), ARP probes every 100 ms | | | |"
	outage_rows "no failure yet" idle-arp
	outage_rows "failover" arp
	outage_rows "path back" arpback
	echo "| **mode change** balance-xor → active-backup under traffic | | | |"
	echo "| what it takes | bond down, slaves out, mode set, slaves in, up | teamd restart with a new config | one command, live (a map write) |"
	outage_rows "the change" modechange
	row "… the command(s) themselves took, ms" modechange-cmd "%.0f"
}

# The 802.3ad table, when the run had --lacp: three pairs cabled straight,
# each column one pair (H's bond first), the same rows for each.
LACP_PAIRS=(kernel team xbond)

# lacp_row LABEL TEST FMT [DIVISOR]: one row over the pairs.
lacp_row() {
	local p cells=()
	for p in "${LACP_PAIRS[@]}"; do
		cells+=("$(values "lacp-$p" "$2" | stat "$3" "${4:-1}")")
	done
	printf '| %s |' "$1"
	printf ' %s |' "${cells[@]}"
	echo
}

lacp_outage_rows() { # LABEL NAME
	lacp_row "$1: lost 1 ms pings" "$2-lost" "%.0f"
	lacp_row "… longest gap of the 1 ms UDP stream, ms" "$2-gap" "%.0f"
	lacp_row "… UDP datagrams lost (≈ ms)" "$2-udplost" "%.0f"
}

lacp_table() {
	local s8
	s8=$(single agg-8flows)
	echo
	if [ -z "$(values lacp-kernel lacp-8flows)$(values lacp-team lacp-8flows)$(values lacp-xbond lacp-8flows)" ]; then
		echo "802.3ad: not run (\`make bench-peer LACP=1\` adds it: kernel 802.3ad against kernel 802.3ad" \
			"and against teamd's lacp runner, and xbond against kernel 802.3ad, cabled straight)."
		return
	fi
	echo "802.3ad, lacp_rate fast, layer3+4, cabled straight (a Linux bridge does not forward LACP)," \
		"both ends' members shaped; H's bond first. Each cell the median (min–max) over" \
		"$(runs lacp-8flows) runs. The outage: a 1 ms UDP stream and 1 ms pings B → H while" \
		"B's port of link 0 goes down for 1.5 s, then (5 s later) that of link 1: each flow meets one pull."
	echo
	echo "| 802.3ad | kernel ↔ kernel | kernel ↔ teamd lacp | xbond ↔ kernel |"
	echo "|---|---|---|---|"
	lacp_row "first ping after both ends are up, ms (pings every 10 ms)" lacp-first-ping "%.0f"
	lacp_row "both ends distributing on both links, ms (the kernel end's /proc)" lacp-agg "%.0f"
	lacp_row "ports in H's active aggregator" lacp-ports "%.0f"
	if [ -n "$s8" ]; then
		lacp_row "TCP, 8 flows H → B, × one shaped link" lacp-8flows "%.2f×" "$s8"
	else	# no single-link runs (--only lacp): the rate itself
		lacp_row "TCP, 8 flows H → B, Mbit/s" lacp-8flows "%.0f"
	fi
	lacp_outage_rows "no failure yet" lacp-idle
	lacp_outage_rows "a link pulled (both pulls together)" lacp-pull
	lacp_outage_rows "the link back (both returns together)" lacp-back
}

# A run of the 802.3ad phase alone (--only lacp) has only its own table.
MAIN=0
awk -F'\t' '$1 !~ /^lacp-/ { found = 1; exit } END { exit !found }' "$TSV" && MAIN=1
header
((MAIN)) && table
lacp_table
