#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: per-packet cost, then throughput ratios. Prints numbers, fails on none.
cd "$(dirname "$0")/.." || exit 1
echo "== per-packet cost (BPF_PROG_RUN, 64-byte IPv4 TCP, median of 5 x 2M runs)"
.output/prog_cost
echo
echo "== throughput, 2 links"
bench/aggregate.sh --links 2
echo
echo "== throughput, 4 links"
bench/aggregate.sh --links 4
