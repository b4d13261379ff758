#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-peer: xbond against the kernel's own bonding driver, back to back,
# in a guest that boots Debian's kernel under QEMU (guest-test.sh has the
# checks). Prints the guest's "TEST:" lines, adds one for the guest itself,
# and ends with "N passed, N failed"; exits 1 if anything failed, including a
# guest that never booted or never finished within the time limit.
#
# Usage: bench/peer/test-peer.sh [--timeout SECONDS] [--only ab,xor,lacp] [--passive]
#   --timeout: for the whole VM, default 290
#   --only: some of the groups (active-backup, balance-xor, 802.3ad)
#   --passive: both 802.3ad ends passive, so nothing aggregates and the
#   802.3ad checks must fail: proof that they can
set -u
. "$(dirname "$0")/host.sh"

TIMEOUT=290 GUEST=()
usage() { sed -n '9,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; TIMEOUT=$2; shift 2 ;;
	--only) [[ ${2:-} =~ ^(ab|xor|lacp)(,(ab|xor|lacp))*$ ]] || usage; GUEST+=("$1" "$2"); shift 2 ;;
	--passive) GUEST+=("$1"); shift ;;
	*) usage ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -x "$TOP/.output/xbondload" ] || die "build first: make all"

OUT=$(mktemp -d /tmp/xbond-test-peer.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM

start=$SECONDS
"$PEER/runvm.sh" --timeout "$TIMEOUT" "$OUT" bench/peer/guest-test.sh "${GUEST[@]}" |
	grep --line-buffered -E '^(TEST:|    |runvm:)'
rc=${PIPESTATUS[0]}

passed=$(grep -c '^TEST: .*\[ OK \]$' "$OUT/console.log" 2>/dev/null)
failed=$(grep -c '^TEST: .*\[FAIL\]$' "$OUT/console.log" 2>/dev/null)
guest="the guest booted ($(awk -F'\t' '$1 == "boot_s" { print $2 }' "$OUT/vm.txt") s) and ran the tests"
case $rc in
124) guest="the guest finished within ${TIMEOUT} s"; rc=fail ;;
125) guest="the guest ran the tests to their end"; rc=fail ;;
0) [ "${passed:-0}" -gt 0 ] && [ "${failed:-0}" -eq 0 ] || { guest+=" (none passed)"; rc=fail; } ;;
*) [ "${failed:-0}" -gt 0 ] || { guest+=" (exit $rc, but no check failed)"; rc=fail; } ;;
esac
if [ "$rc" = fail ]; then
	printf 'TEST: %-66s [FAIL]\n' "$guest"
	failed=$((${failed:-0} + 1))
	echo "    the guest's console: see below"
	tail -20 "$OUT/console.log" | sed 's/^/    | /'
else
	printf 'TEST: %-66s [ OK ]\n' "$guest"
	passed=$((passed + 1))
fi
echo "test-peer took $((SECONDS - start)) s"
echo "${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-0}" -eq 0 ]
