#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every mode against a single link, side by side in one run, into a
# results folder: results.json, table.md, throughput.png, failover.png. A full
# run also puts its table into bench/RESULTS.md. Prints numbers; fails on none.
#
# Usage: bench/run.sh [--quick] [--rate RATE] [--links 2|4] [--time SECONDS] [--out DIR]
#   full (default): throughput over 2 and 4 links, outages over 2; 5 s runs
#   --quick: 2 links, 1 s runs, fewer repetitions; under 3 minutes
#   --links N: only N links

. "$(dirname "$0")/lib.sh"
parse_opts "$@"
cd "$TOP" || exit 1
[ -x .output/prog_cost ] || die "build first: make all .output/prog_cost .output/seqstream"
command -v gnuplot >/dev/null || die "gnuplot is missing: make bench installs it"
if [[ " $* " == *" --links "* ]]; then counts=$LINKS; elif ((QUICK)); then counts=2; else counts="2 4"; fi
pass=(--rate "$RATE" --time "$TIME" --out "$OUT")
((QUICK)) && pass+=(--quick)
: >"$OUT/raw.jsonl"

jq -n --arg date "$(date -u '+%Y-%m-%d %H:%M UTC')" --arg command "bench/run.sh${*:+ $*}" \
	--arg machine "Linux $(uname -r) $(uname -m), $(nproc) CPUs ($(awk -F': ' \
		'/^model name/ { print $2; exit }' /proc/cpuinfo)), $(. /etc/os-release; echo "$PRETTY_NAME")" \
	--arg rate "$RATE" --argjson time "$TIME" --argjson quick "$QUICK" \
	--argjson repeat $((QUICK ? 1 : 3)) \
	'{date: $date, command: $command, machine: $machine, rate: $rate, time: $time, quick: $quick,
	  repeat: $repeat}' >"$OUT/meta.json"

echo "== per-packet cost (BPF_PROG_RUN, 64-byte IPv4 TCP)"
.output/prog_cost -j -n $((QUICK ? 200000 : 2000000)) >"$OUT/cost.jsonl" || die "prog_cost failed"
for n in $counts; do
	echo "== steady state, $n links"
	bench/throughput.sh --links "$n" "${pass[@]}" || die "throughput.sh failed"
done
n=${counts%% *}
echo "== failover, recovery and live switches, $n links"
bench/outage.sh --links "$n" "${pass[@]}" || die "outage.sh failed"

bench/report.sh "$OUT" || die "report.sh failed"
echo
cat "$OUT/table.md"

# A full run with the defaults is the one bench/RESULTS.md keeps: its table
# replaces what lies between the markers, and the notes around it stay.
if ((!QUICK)) && [ $# -eq 0 ] && grep -q '^<!-- bench:begin -->$' bench/RESULTS.md 2>/dev/null; then
	awk -v table="$OUT/table.md" '
		/^<!-- bench:end -->$/ { while ((getline l < table) > 0) print l; skip = 0 }
		!skip { print }
		/^<!-- bench:begin -->$/ { skip = 1 }' bench/RESULTS.md >bench/RESULTS.md.new &&
		mv bench/RESULTS.md.new bench/RESULTS.md && echo && echo "bench/RESULTS.md updated"
fi
echo
echo "results: $OUT"
