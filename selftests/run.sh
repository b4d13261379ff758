#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every xbond selftest (BPF_PROG_RUN units, then netns integration scripts)
# and end with "N passed, N failed, N skipped".
#
# Each test runs in private mount and PID namespaces with a bpffs and a
# /run/xbond of its own: nobody else's pins can break or hide a result, and
# whatever a test leaves running dies with it. A test whose header carries
# "xbond-test: host" runs in the host's mount namespace instead, as a user
# would run xbond, with bpffs mounted or not.
#
# Usage: selftests/run.sh [PATTERN]   (only tests whose file name matches)

cd "$(dirname "$0")/.." || exit 1
OUT=${OUTPUT:-.output}
pattern=${1:-}
passed=0 failed=0 skipped=0

[ "$(id -u)" -eq 0 ] || { echo "selftests: run as root" >&2; exit 1; }
mkdir -p /run/xbond /run/netns || exit 1

isolated() {
	unshare --mount --pid --fork --mount-proc --propagation private -- bash -c '
		mount -t bpf -o mode=0700 bpf /sys/fs/bpf &&
		mount -t tmpfs -o mode=0700 tmpfs /run/xbond && exec "$@"' isolated "$@"
}

run_one() {
	local name=$1 log rc
	shift
	echo "# $name"
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	passed=$((passed + $(grep -c '^TEST: .*\[ OK \]$' "$log")))
	failed=$((failed + $(grep -c '^TEST: .*\[FAIL\]$' "$log")))
	skipped=$((skipped + $(grep -c '^TEST: .*\[SKIP\]$' "$log")))
	if [ "$rc" -ne 0 ] && ! grep -q '^TEST: .*\[FAIL\]$' "$log"; then
		echo "TEST: $name exited with $rc                        [FAIL]"
		failed=$((failed + 1))
	fi
	rm -f "$log"
}

for t in "$OUT/test_prog_run" selftests/net/test_*.sh; do
	[ -n "$pattern" ] && [[ "$t" != *$pattern* ]] && continue
	if head -20 "$t" 2>/dev/null | grep -q 'xbond-test: host'; then
		run_one "$(basename "$t")" "$t"
	else
		run_one "$(basename "$t")" isolated "$t"
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
