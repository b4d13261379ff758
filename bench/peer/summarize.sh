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
	echo "Topology: the bond host's two members go to a Linux bridge (the switch), and the peer" \
		"hangs off the bridge by an unshaped link. Each cell is the median (min–max) over" \
		"$(runs agg-8flows) throughput runs, $(runs fo-mii100-gap) outage runs or" \
		"$(runs modechange-gap) mode changes."
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

# The 802.3ad slot: reference rows between kernel bonds and teamd, cabled
# straight, when the run had --lacp; xbond has no 802.3ad yet.
lacp_table() {
	local s8
	s8=$(single agg-8flows)
	echo
	if [ -z "$(values lacp-kernel lacp-first-ping)$(values lacp-team lacp-first-ping)" ]; then
		echo "802.3ad: not run (\`make bench-peer LACP=1\` adds reference rows: kernel 802.3ad against" \
			"kernel 802.3ad and against teamd's lacp runner, cabled straight). xbond does not implement 802.3ad yet."
		return
	fi
	echo "| 802.3ad, cabled straight (no bridge: it does not forward LACP) | kernel ↔ kernel | kernel ↔ teamd lacp | xbond |"
	echo "|---|---|---|---|"
	printf '| first ping after both ends are up, ms | %s | %s | not implemented |\n' \
		"$(values lacp-kernel lacp-first-ping | stat "%.0f")" "$(values lacp-team lacp-first-ping | stat "%.0f")"
	printf '| ports in the active aggregator | %s | %s | not implemented |\n' \
		"$(values lacp-kernel lacp-ports | stat "%.0f")" "$(values lacp-team lacp-ports | stat "%.0f")"
	if [ -n "$s8" ]; then
		printf '| TCP, 8 flows, × one shaped link | %s | %s | not implemented |\n' \
			"$(values lacp-kernel lacp-8flows | stat "%.2f×" "$s8")" \
			"$(values lacp-team lacp-8flows | stat "%.2f×" "$s8")"
	else	# no single-link runs (--only lacp): the rate itself
		printf '| TCP, 8 flows, Mbit/s | %s | %s | not implemented |\n' \
			"$(values lacp-kernel lacp-8flows | stat "%.0f")" "$(values lacp-team lacp-8flows | stat "%.0f")"
	fi
}

header
table
lacp_table
