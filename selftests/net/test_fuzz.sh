#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A few seconds of each libFuzzer harness (fuzz/), from its committed corpus,
# with ASan and UBSan: a crash or a sanitizer report fails. make fuzz runs them
# for longer.
. "$(dirname "$0")/../lib.sh"

for h in "$TOP"/.output/fuzz_*; do
	[ -x "$h" ] || continue
	check "$(basename "$h"): 5 s without a crash" "$TOP/fuzz/run.sh" 5 "$h"
done
exit $FAILED
