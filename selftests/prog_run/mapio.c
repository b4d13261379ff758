// SPDX-License-Identifier: GPL-2.0
/* Per-CPU map sums, config installation and counted test runs over plain map fds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapio.h"

int snap_take(int mstats_fd, int counters_fd, struct stats_snap *s)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, ret = 0;
	struct xbond_member_stats *ms = NULL;
	__u64 *cnt = NULL;
	__u32 key;

	if (ncpu < 0)
		return ncpu;
	memset(s, 0, sizeof(*s));
	ms = calloc(ncpu, sizeof(*ms));
	cnt = calloc(ncpu, sizeof(*cnt));
	if (!ms || !cnt) {
		ret = -ENOMEM;
		goto out;
	}
	for (key = 0; key < XBOND_MAX_MEMBERS; key++) {
		ret = bpf_map_lookup_elem(mstats_fd, &key, ms);
		if (ret)
			goto out;
		for (cpu = 0; cpu < ncpu; cpu++) {
			s->m[key].rx_packets += ms[cpu].rx_packets;
			s->m[key].rx_bytes += ms[cpu].rx_bytes;
			s->m[key].tx_packets += ms[cpu].tx_packets;
			s->m[key].tx_bytes += ms[cpu].tx_bytes;
			s->m[key].rx_dropped += ms[cpu].rx_dropped;
		}
	}
	for (key = 0; key < XBOND_CNT_MAX; key++) {
		ret = bpf_map_lookup_elem(counters_fd, &key, cnt);
		if (ret)
			goto out;
		for (cpu = 0; cpu < ncpu; cpu++)
			s->cnt[key] += cnt[cpu];
	}
out:
	free(ms);
	free(cnt);
	return ret;
}

void snap_delta(const struct stats_snap *before, const struct stats_snap *after,
		struct stats_snap *d)
{
	unsigned int i;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		d->m[i].rx_packets = after->m[i].rx_packets - before->m[i].rx_packets;
		d->m[i].rx_bytes = after->m[i].rx_bytes - before->m[i].rx_bytes;
		d->m[i].tx_packets = after->m[i].tx_packets - before->m[i].tx_packets;
		d->m[i].tx_bytes = after->m[i].tx_bytes - before->m[i].tx_bytes;
		d->m[i].rx_dropped = after->m[i].rx_dropped - before->m[i].rx_dropped;
	}
	for (i = 0; i < XBOND_CNT_MAX; i++)
		d->cnt[i] = after->cnt[i] - before->cnt[i];
}

int config_install(int config_fd, int slot_fd, const struct xbond_config *cfg)
{
	__u32 key, zero = 0;
	int ret;

	for (key = 0; key < 2; key++) {
		ret = bpf_map_update_elem(config_fd, &key, cfg, BPF_ANY);
		if (ret)
			return ret;
	}
	return bpf_map_update_elem(slot_fd, &zero, &zero, BPF_ANY);
}

int percpu_zero(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus(), ret;
	__u64 *values;

	if (ncpu < 0)
		return ncpu;
	/* The kernel wants each CPU's value padded to 8 bytes. */
	values = calloc(ncpu, sizeof(*values));
	if (!values)
		return -ENOMEM;
	ret = bpf_map_update_elem(fd, &key, values, BPF_ANY);
	free(values);
	return ret;
}

int run_counted(int prog_fd, struct bpf_test_run_opts *opts, int mstats_fd, int counters_fd,
		struct stats_snap *delta)
{
	struct stats_snap before, after;
	int ret;

	ret = snap_take(mstats_fd, counters_fd, &before);
	if (!ret)
		ret = bpf_prog_test_run_opts(prog_fd, opts);
	if (!ret)
		ret = snap_take(mstats_fd, counters_fd, &after);
	if (!ret)
		snap_delta(&before, &after, delta);
	return ret;
}
