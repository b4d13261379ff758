/* SPDX-License-Identifier: GPL-2.0 */
/* Map reads and writes the tests share: per-CPU sums around a run, and installing a config. */
#ifndef MAPIO_H
#define MAPIO_H

#include <linux/types.h>
#include "maps/xbond_abi.h"

/* Every member's stats and every event counter, summed over CPUs. */
struct stats_snap {
	struct xbond_member_stats m[XBOND_MAX_MEMBERS];
	__u64 cnt[XBOND_CNT_MAX];
};

int snap_take(int mstats_fd, int counters_fd, struct stats_snap *s);
/* d = after - before, field by field. */
void snap_delta(const struct stats_snap *before, const struct stats_snap *after,
		struct stats_snap *d);

/*
 * Make cfg live: write it to both xbond_config entries and point xbond_slot
 * at entry 0, so no earlier test's config survives in the other copy.
 */
int config_install(int config_fd, int slot_fd, const struct xbond_config *cfg);

struct bpf_test_run_opts;
/* Run prog_fd once with opts, and put what its counters moved by in *delta. */
int run_counted(int prog_fd, struct bpf_test_run_opts *opts, int mstats_fd, int counters_fd,
		struct stats_snap *delta);

/* Set a per-CPU array entry of at most 8 bytes to 0 on every CPU. */
int percpu_zero(int fd, __u32 key);

#endif /* MAPIO_H */
