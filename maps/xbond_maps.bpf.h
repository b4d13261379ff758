/* SPDX-License-Identifier: GPL-2.0 */
/* The maps shared by tx_select and rx_filter: both objects pin them by name under one bond's pin directory. */
#ifndef XBOND_MAPS_BPF_H
#define XBOND_MAPS_BPF_H

#ifndef XBOND_ABI_H
#error "include maps/xbond_abi.h before maps/xbond_maps.bpf.h"
#endif

/*
 * Two copies of the data plane's config; key 0 or 1, value struct
 * xbond_config. Written only by userspace, into the copy xbond_slot does not
 * name, under the bond lock.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xbond_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_config SEC(".maps");

/* Key 0: which xbond_config entry is live (0 or 1). Userspace flips it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_slot SEC(".maps");

/* Key 0: struct xbond_bond, the control plane's record. BPF never reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xbond_bond);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_bond SEC(".maps");

/* Key: member slot. Value: struct xbond_member. Userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XBOND_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xbond_member);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_members SEC(".maps");

/* Key: member slot. Value: per-CPU struct xbond_member_stats. BPF counts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XBOND_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xbond_member_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_mstats SEC(".maps");

/* Key: enum xbond_counter. Value: per-CPU event count. BPF counts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XBOND_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_counters SEC(".maps");

/*
 * Key: member slot * XBOND_MAX_ARP_TARGETS + target index. Value: when an ARP
 * frame last proved that path (CLOCK_MONOTONIC ns). BPF writes, the monitor
 * reads; a plain store, since any recent time will do.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XBOND_MAX_MEMBERS * XBOND_MAX_ARP_TARGETS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_arp_seen SEC(".maps");

/*
 * Key: member slot. Value: struct xbond_lacp_port, the monitor's LACP state
 * for xbondctl status and bpftool. BPF never reads it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XBOND_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xbond_lacp_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xbond_lacp SEC(".maps");

/* The live config, or NULL only if the maps are broken. */
static __always_inline struct xbond_config *xbond_live_config(void)
{
	__u32 zero = 0, *slot;

	slot = bpf_map_lookup_elem(&xbond_slot, &zero);
	if (!slot)
		return NULL;
	return bpf_map_lookup_elem(&xbond_config, slot);
}

static __always_inline void xbond_count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&xbond_counters, &counter);

	if (value)
		*value += 1;
}

static __always_inline struct xbond_member_stats *xbond_member_stats(__u32 slot)
{
	return bpf_map_lookup_elem(&xbond_mstats, &slot);
}

#endif /* XBOND_MAPS_BPF_H */
