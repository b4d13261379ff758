#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run each libFuzzer harness for SECONDS from its committed corpus (fuzz/corpus/NAME,
# copied: new inputs stay out of the tree), and print its executions and coverage.
# A crash leaves its input in .output/fuzz/NAME/ and fails the run.
#
# Usage: fuzz/run.sh SECONDS HARNESS...
secs=${1:?usage: fuzz/run.sh SECONDS HARNESS...}
shift
cd "$(dirname "$0")/.." || exit 1
status=0
for h in "$@"; do
	name=$(basename "$h")
	work=.output/fuzz/${name#fuzz_}
	rm -rf "$work" && mkdir -p "$work/corpus" || exit 1
	cp fuzz/corpus/"${name#fuzz_}"/* "$work/corpus/" 2>/dev/null
	if "$h" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" \
		"$work/corpus" >"$work/log" 2>&1; then
		runs=$(awk '/number_of_executed_units/ { print $NF }' "$work/log")
		cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -1)
		echo "$name: $runs executions in ${secs}s, $cov, no crash"
	else
		echo "$name: FAILED; see $work/log and the input in $work/"
		tail -20 "$work/log"
		status=1
	fi
done
exit $status
