/* SPDX-License-Identifier: GPL-2.0 */
/* The one definition of everything that crosses between xbond's BPF programs and userspace. */
#ifndef XBOND_ABI_H
#define XBOND_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/*
 * Types only, no code. BPF code gets __u8..__u64 from vmlinux.h (include it
 * first); userspace gets them from <linux/types.h>.
 *
 * Rules for every struct here: fixed-width fields, no bitfields, no bools,
 * explicit padding, a _Static_assert on the size. Bump XBOND_ABI_VERSION on
 * any change, since pinned maps outlive the binaries that made them.
 */

#define XBOND_ABI_VERSION	4

#define XBOND_MAX_MEMBERS	32	/* members per bond */
#define XBOND_BUCKETS		256	/* flow hash buckets; a power of two */
#define XBOND_NO_MEMBER		0xff	/* "no usable member" in a u8 member slot */
#define XBOND_NAME_LEN		16	/* IFNAMSIZ */
#define XBOND_MAX_ARP_TARGETS	16	/* arp_ip_target addresses per bond */
#define XBOND_REASON_LEN	32

/* Pin layout: XBOND_PIN_ROOT/<netns inode>/<bond name>/<map or prog name> */
#define XBOND_PIN_ROOT		"/sys/fs/bpf/xbond"
#define XBOND_PIN_TX_PROG	"tx_select"
#define XBOND_PIN_RX_XDP_PROG	"rx_filter"
#define XBOND_PIN_RX_TC_PROG	"rx_redirect"	/* tc ingress behind rx_filter */
#define XBOND_PIN_RX_FILTER_TC_PROG	"rx_filter_tc"	/* tc ingress, the whole rx path */

/* Map pins: the names of the maps in xbond_maps.bpf.h, pinned by name. */
#define XBOND_MAP_CONFIG	"xbond_config"
#define XBOND_MAP_SLOT		"xbond_slot"
#define XBOND_MAP_BOND		"xbond_bond"
#define XBOND_MAP_MEMBERS	"xbond_members"
#define XBOND_MAP_MSTATS	"xbond_mstats"
#define XBOND_MAP_COUNTERS	"xbond_counters"
#define XBOND_MAP_ARP_SEEN	"xbond_arp_seen"
#define XBOND_MAP_LACP		"xbond_lacp"

/*
 * XDP metadata word (host order) that rx_filter puts before a frame packet
 * sockets on the member may see but the bond's stack must not: ARP and ND on
 * an inactive member, which the kernel driver delivers only to handlers bound
 * to that member. rx_redirect drops what carries it.
 */
#define XBOND_META_TAPS_ONLY	0x7862746fU
/*
 * The same word for a frame that stays on the member and never reaches the
 * bond: slow-protocol frames (LACP, Marker), which the monitor reads from a
 * packet socket bound to their ethertype. rx_redirect passes what carries it.
 */
#define XBOND_META_TO_MEMBER	0x78626d62U

/* Slow protocols (IEEE 802.3 annex 57A): LACP and Marker frames. */
#define XBOND_ETH_P_SLOW	0x8809
#define XBOND_SLOW_DEST		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 }

/* Bonding modes, numbered as in the kernel's bonding driver. */
enum xbond_mode {
	XBOND_MODE_ROUNDROBIN	= 0,
	XBOND_MODE_ACTIVEBACKUP	= 1,
	XBOND_MODE_XOR		= 2,
	XBOND_MODE_BROADCAST	= 3,
	XBOND_MODE_8023AD	= 4,	/* LACP: xor over the distributing members */
	XBOND_MODE_TLB		= 5,	/* not implemented yet */
	XBOND_MODE_ALB		= 6,	/* not implemented yet */
};

/* Transmit hash policies, numbered as the kernel's xmit_hash_policy. */
enum xbond_hash {
	XBOND_HASH_LAYER2	= 0,
	XBOND_HASH_LAYER34	= 1,
	XBOND_HASH_LAYER23	= 2,
};

/* Which members need ARP replies from a target to count as alive, as arp_validate. */
enum xbond_arp_validate {
	XBOND_ARP_VALIDATE_NONE		= 0,	/* any ARP frame will do */
	XBOND_ARP_VALIDATE_ACTIVE	= 1,
	XBOND_ARP_VALIDATE_BACKUP	= 2,
	XBOND_ARP_VALIDATE_ALL		= 3,
};

/* Index into the xbond_counters per-CPU array: one event each. */
enum xbond_counter {
	XBOND_CNT_TX_NO_MEMBER = 0,	/* tx dropped: no usable member */
	XBOND_CNT_TX_CLONE_FAIL,	/* broadcast copy that failed to go out */
	XBOND_CNT_RX_NOT_MEMBER,	/* rx on an ifindex not (or no longer) a member */
	XBOND_CNT_RX_INACTIVE,		/* rx dropped on an inactive member */
	XBOND_CNT_RX_OWN_MAC,		/* rx of our own source MAC: looped back */
	XBOND_CNT_RX_BACKUP_GRACE,	/* rx on a backup accepted just after a switch */
	XBOND_CNT_RX_SLOW,		/* slow-protocol frame left to the monitor */
	XBOND_CNT_RX_NOT_COLLECTING,	/* 802.3ad: rx dropped on a member not collecting */
	XBOND_CNT_MAX,
};

/* xbond_member.flags */
#define XBOND_MEMBER_CARRIER	(1U << 0)	/* lower layer up (IFF_LOWER_UP) */
#define XBOND_MEMBER_ADMIN_UP	(1U << 1)	/* IFF_UP */
#define XBOND_MEMBER_HAD_CLSACT	(1U << 2)	/* clsact existed before we attached */
#define XBOND_MEMBER_WAS_UP	(1U << 3)	/* member was admin up before enslaving */
#define XBOND_MEMBER_XDP_SKB	(1U << 4)	/* ABI 2: rx_filter as generic XDP; no
						 * longer set, XBOND_MEMBER_RX_TC instead */
#define XBOND_MEMBER_ARP_DOWN	(1U << 5)	/* ARP monitoring finds its path dead */
#define XBOND_MEMBER_RX_TC	(1U << 6)	/* receives through rx_filter_tc on tc
						 * ingress, with no XDP program; without it,
						 * native XDP rx_filter plus rx_redirect */
#define XBOND_MEMBER_SEEN_UP	(1U << 7)	/* a monitor has seen its link up: only
						 * then does losing it count as a failure */
/* 802.3ad: what the member's LACP mux lets it do; the monitor sets both. */
#define XBOND_MEMBER_COLLECTING	(1U << 8)	/* frames from it reach the bond */
#define XBOND_MEMBER_DISTRIBUTING (1U << 9)	/* tx_select may send on it */

/*
 * The data plane's whole view of a bond. Two copies live in xbond_config;
 * xbond_slot names the live one. Writers fill the other copy and flip the
 * slot word, so a packet sees either the old or the new config, never a mix.
 * Member slots are indices into member_ifindex[], stable for a member's life.
 */
struct xbond_config {
	__u64 backup_rx_until_ns;	/* CLOCK_MONOTONIC; until then, backups accept
					 * unicast to bond_mac (in-flight frames after
					 * an active switch) */
	__u32 mode;			/* enum xbond_mode */
	__u32 hash_policy;		/* enum xbond_hash */
	__u32 packets_per_member;	/* balance-rr: packets before moving on; >= 1 */
	__u32 n_members;		/* member slots in use: member_ifindex[0..n) */
	__u32 n_tx;			/* valid entries in tx_members[] */
	__u8  active;			/* active-backup: member slot, or XBOND_NO_MEMBER */
	__u8  bond_mac[6];		/* the bond's MAC, network order */
	__u8  carrier;			/* the bond's carrier as published; BPF ignores it */
	__u32 arp_validate;		/* enum xbond_arp_validate */
	__u32 n_arp_targets;		/* valid entries in arp_targets[]; 0: no ARP monitor */
	__u32 collecting;		/* 802.3ad: bit per member slot whose frames
					 * reach the bond; rx drops the others' */
	__be32 arp_targets[XBOND_MAX_ARP_TARGETS];	/* IPv4, network order */
	__u32 member_ifindex[XBOND_MAX_MEMBERS];	/* 0: free slot */
	__u8  tx_members[XBOND_MAX_MEMBERS];	/* usable member slots, in order */
	__u8  buckets[XBOND_BUCKETS];		/* hash bucket -> member slot */
};
_Static_assert(sizeof(struct xbond_config) == 48 + 4 * 16 + 4 * 32 + 32 + 256,
	       "xbond_config layout");

/* When the primary takes the active role back, as primary_reselect. */
enum xbond_primary_reselect {
	XBOND_RESELECT_ALWAYS	= 0,	/* as soon as it is usable again */
	XBOND_RESELECT_BETTER	= 1,	/* if faster than the active, by ethtool speed */
	XBOND_RESELECT_FAILURE	= 2,	/* only when the active fails: no failback */
};

/* xbond_bond.flags */
#define XBOND_BOND_NO_MONITOR	(1U << 0)	/* the operator runs no xbondmon */

/*
 * Control-plane record of the bond, one entry in xbond_bond. Written by
 * xbondload, read by the monitor and xbondctl; the data plane never reads it.
 */
struct xbond_bond {
	__u32 abi_version;		/* XBOND_ABI_VERSION */
	__u32 ifindex;			/* the logical interface */
	__u32 peer_ifindex;		/* its hidden veth peer */
	__u32 mode;			/* enum xbond_mode, as requested */
	__u32 hash_policy;		/* enum xbond_hash */
	__u32 packets_per_member;
	__u64 netns_cookie;		/* SO_NETNS_COOKIE: tells stale pins apart */
	char  name[XBOND_NAME_LEN];	/* NUL-terminated */
	__u8  mac[6];			/* network order */
	__u8  primary;			/* member slot, or XBOND_NO_MEMBER */
	__u8  active;			/* member slot, or XBOND_NO_MEMBER */
	__u32 flags;			/* XBOND_BOND_* */
	__u32 miimon_ms;		/* monitor: carrier poll interval; 0 = events only */
	__u32 updelay_ms;		/* monitor: carrier up this long before use */
	__u32 downdelay_ms;		/* monitor: carrier down this long before failover */
	__u32 arp_interval_ms;		/* monitor: probe interval; 0 = no ARP monitor */
	__u32 arp_missed_max;		/* monitor: intervals without proof before down */
	__u8  arp_validate;		/* enum xbond_arp_validate */
	__u8  arp_all_targets;		/* 1: every target must answer; 0: any */
	__u8  primary_reselect;		/* enum xbond_primary_reselect */
	__u8  num_grat_arp;		/* peer notifications after a failover */
	__u32 n_arp_targets;
	__be32 arp_targets[XBOND_MAX_ARP_TARGETS];	/* IPv4, network order */
	__u64 last_failover_ns;		/* CLOCK_REALTIME of the last failover, 0: none */
	char  last_failover_reason[XBOND_REASON_LEN];	/* NUL-terminated */
	__u8  home[XBOND_BUCKETS];	/* bucket -> member slot it belongs to while
					 * that member is usable; kept balanced */
	/* 802.3ad, as the kernel's options of the same names: */
	__u8  lacp_rate;		/* enum xbond_lacp_rate: how often we ask the partner to send */
	__u8  ad_select;		/* enum xbond_ad_select */
	__u8  lacp_active;		/* 1: send LACPDUs unasked; 0: passive */
	__u8  pad2;
	__u16 ad_actor_sys_prio;	/* 1..65535 */
	__u16 ad_user_port_key;		/* 0..1023: the key's upper 10 bits */
	__u8  ad_actor_system[6];	/* all zero: the bond's MAC */
	__u16 min_links;		/* fewer distributing members: no carrier */
};
_Static_assert(sizeof(struct xbond_bond) ==
	       88 + 4 * 16 + 8 + XBOND_REASON_LEN + XBOND_BUCKETS + 16,
	       "xbond_bond layout");

/* lacp_rate: the LACP_Timeout we ask of the partner, as the kernel numbers it. */
enum xbond_lacp_rate {
	XBOND_LACP_SLOW	= 0,	/* a LACPDU every 30 s, timeout 90 s */
	XBOND_LACP_FAST	= 1,	/* every 1 s, timeout 3 s */
};

/* ad_select: which aggregator the bond uses, numbered as the kernel's. */
enum xbond_ad_select {
	XBOND_AD_SELECT_STABLE		= 0,	/* keep the active one while it has a port */
	XBOND_AD_SELECT_BANDWIDTH	= 1,	/* the most bandwidth */
	XBOND_AD_SELECT_COUNT		= 2,	/* the most ports */
};

/*
 * One member, at its slot in xbond_members. orig_* hold what detach puts back.
 */
struct xbond_member {
	__u32 ifindex;			/* 0: free slot */
	__u32 flags;			/* XBOND_MEMBER_* */
	char  name[XBOND_NAME_LEN];	/* at enslave time */
	__u8  orig_mac[6];		/* network order */
	__u8  orig_disable_ipv6;	/* the member's net.ipv6.conf.*.disable_ipv6 */
	__u8  weight;			/* share of the buckets against the others; 0 is 1 */
	__u32 orig_mtu;
	__u32 link_failures;		/* times usable -> unusable */
	__u64 last_change_ns;		/* CLOCK_MONOTONIC of the last state change */
	__u16 lacp_port_prio;		/* 802.3ad: actor port priority; 0 is 255 */
	__u16 pad0;
	__u32 pad1;
};
_Static_assert(sizeof(struct xbond_member) == 56, "xbond_member layout");

/*
 * xbond_arp_seen, key member slot * XBOND_MAX_ARP_TARGETS + target index:
 * CLOCK_MONOTONIC ns when rx_filter last saw an ARP frame proving the path
 * from that member to that target. Written by BPF, read by the monitor.
 */

/* Per-member traffic, per CPU, at the member's slot in xbond_member_stats. */
struct xbond_member_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 rx_dropped;		/* inactive member or own MAC */
};
_Static_assert(sizeof(struct xbond_member_stats) == 40,
	       "xbond_member_stats layout");

/* LACP actor and partner state bits, as on the wire (IEEE 802.1AX 6.4.2.3). */
#define XBOND_LACP_ACTIVITY	(1U << 0)	/* active: sends unasked */
#define XBOND_LACP_TIMEOUT	(1U << 1)	/* short timeout: wants a LACPDU a second */
#define XBOND_LACP_AGGREGATION	(1U << 2)	/* may aggregate: not an individual link */
#define XBOND_LACP_SYNC		(1U << 3)	/* attached to the right aggregator */
#define XBOND_LACP_COLLECTING	(1U << 4)
#define XBOND_LACP_DISTRIBUTING	(1U << 5)
#define XBOND_LACP_DEFAULTED	(1U << 6)	/* partner info is the defaults, none received */
#define XBOND_LACP_EXPIRED	(1U << 7)	/* the partner's info timed out once */

/* The receive machine's state (802.1AX 6.4.12). */
enum xbond_lacp_rx_state {
	XBOND_LACP_RX_DISABLED	= 0,	/* port disabled: no carrier, or not 802.3ad */
	XBOND_LACP_RX_EXPIRED	= 1,
	XBOND_LACP_RX_DEFAULTED	= 2,
	XBOND_LACP_RX_CURRENT	= 3,
};

/* The mux machine's state (802.1AX 6.4.15, independent control). */
enum xbond_lacp_mux_state {
	XBOND_LACP_MUX_DETACHED		= 0,
	XBOND_LACP_MUX_WAITING		= 1,
	XBOND_LACP_MUX_ATTACHED		= 2,
	XBOND_LACP_MUX_COLLECTING	= 3,
	XBOND_LACP_MUX_DISTRIBUTING	= 4,
};

/* Selection logic's verdict on a port (802.1AX 6.4.14). */
enum xbond_lacp_selected {
	XBOND_LACP_UNSELECTED	= 0,
	XBOND_LACP_SELECTED	= 1,	/* in the bond's active aggregator */
	XBOND_LACP_STANDBY	= 2,	/* in another aggregator, kept out */
};

/*
 * One member's LACP state, at its slot in xbond_lacp: written by the monitor
 * as its machines run, read by xbondctl status. The data plane never reads
 * it: what the mux lets a member do reaches BPF as XBOND_MEMBER_COLLECTING
 * and XBOND_MEMBER_DISTRIBUTING.
 */
struct xbond_lacp_port {
	__u8  actor_state;		/* XBOND_LACP_* bits */
	__u8  partner_state;
	__u8  rx_state;			/* enum xbond_lacp_rx_state */
	__u8  mux_state;		/* enum xbond_lacp_mux_state */
	__u8  selected;			/* enum xbond_lacp_selected */
	__u8  pad0;
	__u16 aggregator_id;		/* 0: none */
	__u16 actor_key;
	__u16 actor_port;		/* slot + 1 */
	__u16 actor_port_prio;
	__u16 partner_key;
	__u16 partner_port;
	__u16 partner_port_prio;
	__u16 partner_sys_prio;
	__u8  partner_system[6];	/* network order */
	__u32 speed_mbps;		/* what the key was derived from; 0: unknown */
	__u32 ifindex;			/* the member this is about: a new monitor
					 * takes the state over only if it still is */
	__u32 pad1;
	__u64 lacpdu_sent;
	__u64 lacpdu_received;
	__u64 lacpdu_malformed;		/* ignored: truncated, wrong version or TLV */
	__u64 marker_received;
	__u64 marker_sent;		/* Marker Responses */
	__u64 last_rx_ns;		/* CLOCK_MONOTONIC of the last valid LACPDU; 0: none */
};
_Static_assert(sizeof(struct xbond_lacp_port) == 40 + 8 * 6, "xbond_lacp_port layout");

#endif /* XBOND_ABI_H */
