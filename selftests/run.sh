#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every xbond selftest (BPF_PROG_RUN units, then netns integration scripts)
# and end with "N passed, N failed, N skipped".
#
# Usage: selftests/run.sh [PATTERN]   (only tests whose file name matches)

cd "$(dirname "$0")/.." || exit 1
OUT=${OUTPUT:-.output}
pattern=${1:-}
passed=0 failed=0 skipped=0

[ "$(id -u)" -eq 0 ] || { echo "selftests: run as root" >&2; exit 1; }
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
	mount -t bpf bpf /sys/fs/bpf || exit 1
fi

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
	run_one "$(basename "$t")" "$t"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
