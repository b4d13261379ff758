// SPDX-License-Identifier: GPL-2.0
/* Empty tc and XDP programs: the floor that tx_select and rx_filter are measured against. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tc")
int empty_tc(struct __sk_buff *skb)
{
	return 0;
}

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	return 2;	/* XDP_PASS */
}

char LICENSE[] SEC("license") = "GPL";
