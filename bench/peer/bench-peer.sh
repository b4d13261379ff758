#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-peer: the kernel's bonding driver, teamd and xbond side by side
# on one topology, in a guest that boots Debian's kernel (which has bonding
# and team) under QEMU. guest-bench.sh measures, summarize.sh makes the table.
# Prints the table and the results folder (raw TSV, per-run bins, console);
# a full run with the defaults also puts the table into bench/RESULTS.md,
# between the peer markers.
#
# Usage: bench/peer/bench-peer.sh [--out DIR] [--timeout SECONDS] [GUEST OPTIONS]
#   GUEST OPTIONS, passed on to guest-bench.sh: --runs N, --outage-runs N,
#   --time S, --rate R, --lacp (802.3ad: kernel-kernel, kernel-teamd, xbond-kernel), --only PHASES
#   --out: default bench/results/peer-DATE; --timeout: for the VM, default 2700
set -u
. "$(dirname "$0")/host.sh"

OUT= TIMEOUT=2700 GUEST=() DEFAULTS=1
usage() { sed -n '10,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--out) [ -n "${2:-}" ] || usage; OUT=$2; shift 2 ;;
	--timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; TIMEOUT=$2; shift 2 ;;
	--lacp) GUEST+=("$1"); shift ;;
	--runs | --outage-runs | --time | --rate | --only)
		[ -n "${2:-}" ] || usage; GUEST+=("$1" "$2"); DEFAULTS=0; shift 2 ;;
	*) usage ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -x "$TOP/.output/xbondload" ] && [ -x "$TOP/.output/seqstream" ] ||
	die "build first: make all .output/seqstream"
OUT=${OUT:-$TOP/bench/results/peer-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

start=$SECONDS
"$PEER/runvm.sh" --timeout "$TIMEOUT" "$OUT" bench/peer/guest-bench.sh "${GUEST[@]}" /mnt
rc=$?
[ -s "$OUT/results.tsv" ] || die "no results (runvm exit $rc); the console is in $OUT/console.log"
[ $rc -eq 0 ] || echo "${0##*/}: the guest's bench exited $rc: the table is partial" >&2

"$PEER/summarize.sh" "$OUT" >"$OUT/table.md" || die "summarize.sh failed"
echo
cat "$OUT/table.md"

# Only a complete run with the defaults replaces the table in RESULTS.md;
# the notes around the markers stay.
RESULTS=$TOP/bench/RESULTS.md
if [ $rc -eq 0 ] && ((DEFAULTS)) && grep -q '^<!-- peer:begin -->$' "$RESULTS" 2>/dev/null; then
	awk -v table="$OUT/table.md" '
		/^<!-- peer:end -->$/ { while ((getline l < table) > 0) print l; skip = 0 }
		!skip { print }
		/^<!-- peer:begin -->$/ { skip = 1 }' "$RESULTS" >"$RESULTS.new" &&
		mv "$RESULTS.new" "$RESULTS" && echo && echo "bench/RESULTS.md updated"
fi
echo
echo "bench-peer took $((SECONDS - start)) s"
echo "results: $OUT"
exit $rc
