// SPDX-License-Identifier: GPL-2.0
/* ARP monitoring and peer notification: probes go out from userspace, rx_filter records which ones were answered, and this judges the paths. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "maps/xbond_abi.h"
#include "monitor.h"
#include "xbond.h"


struct arp_ipv4 {
	struct arphdr hdr;
	unsigned char sha[ETH_ALEN];
	unsigned char sip[4];
	unsigned char tha[ETH_ALEN];
	unsigned char tip[4];
} __attribute__((packed));

/* Send an L3 payload out of ifindex to dst; the kernel adds the Ethernet header. */
static void send_frame(int fd, int ifindex, __u16 proto, const unsigned char *dst,
		       const void *buf, size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};

	memcpy(to.sll_addr, dst, ETH_ALEN);
	sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* An ARP request for tip from sip, broadcast out of ifindex. */
static void send_arp(int fd, int ifindex, const unsigned char *mac, __be32 sip, __be32 tip)
{
	static const unsigned char broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct arp_ipv4 arp = {
		.hdr = {
			.ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP),
			.ar_hln = ETH_ALEN, .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST),
		},
	};

	memcpy(arp.sha, mac, ETH_ALEN);
	memcpy(arp.sip, &sip, 4);
	memcpy(arp.tip, &tip, 4);
	send_frame(fd, ifindex, ETH_P_ARP, broadcast, &arp, sizeof(arp));
}

static int open_socket(struct monitor *mon)
{
	if (mon->arp_fd <= 0)
		mon->arp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return mon->arp_fd;
}

/*
 * In active-backup only the active member probes: the switch must see our MAC
 * on one port. With no active member (every path dead), the members take
 * turns, one per interval, as the kernel's bonding does: otherwise none would
 * probe and the bond would wait for the target to send ARP by itself.
 */
static bool probes_from(const struct monitor *mon, unsigned int slot)
{
	const struct xbond_bond *bond = &mon->h.bond;
	const struct xbond_member *m = &mon->h.members[slot];

	if (!m->ifindex || !(m->flags & XBOND_MEMBER_CARRIER))
		return false;
	if (bond->mode != XBOND_MODE_ACTIVEBACKUP)
		return true;
	if (bond->active < XBOND_MAX_MEMBERS)
		return slot == bond->active;
	return slot == mon->probe_turn;
}

/* The next member with carrier after the last one whose turn it was. */
static void next_turn(struct monitor *mon)
{
	unsigned int i, slot;

	for (i = 1; i <= XBOND_MAX_MEMBERS; i++) {
		slot = (mon->probe_turn + i) % XBOND_MAX_MEMBERS;
		if (mon->h.members[slot].ifindex &&
		    (mon->h.members[slot].flags & XBOND_MEMBER_CARRIER)) {
			mon->probe_turn = slot;
			return;
		}
	}
}

static void send_probes(struct monitor *mon)
{
	const struct xbond_bond *bond = &mon->h.bond;
	__be32 sip = 0;
	unsigned int slot, t;

	if (open_socket(mon) < 0)
		return;
	nl_addr4_list(bond->ifindex, &sip, 1);
	if (bond->mode == XBOND_MODE_ACTIVEBACKUP && bond->active >= XBOND_MAX_MEMBERS)
		next_turn(mon);
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		if (!probes_from(mon, slot))
			continue;
		for (t = 0; t < bond->n_arp_targets && t < XBOND_MAX_ARP_TARGETS; t++)
			send_arp(mon->arp_fd, mon->h.members[slot].ifindex, bond->mac, sip,
				 bond->arp_targets[t]);
	}
}

/* Did rx_filter see proof of the path from slot within the window? */
static bool path_alive(const struct monitor *mon, unsigned int slot, __u64 now_ns,
		       __u64 window_ns)
{
	const struct xbond_bond *bond = &mon->h.bond;
	unsigned int t, alive = 0, n = bond->n_arp_targets;

	for (t = 0; t < n && t < XBOND_MAX_ARP_TARGETS; t++) {
		__u32 key = slot * XBOND_MAX_ARP_TARGETS + t;
		__u64 seen = 0;

		bpf_map_lookup_elem(mon->h.arp_seen_fd, &key, &seen);
		alive += seen && now_ns - seen <= window_ns;
	}
	return bond->arp_all_targets ? alive == n : alive > 0;
}

static void set_arp_down(struct monitor *mon, unsigned int slot, bool down, __u64 now_ns)
{
	struct xbond_member *m = &mon->h.members[slot];
	bool was_usable = xbond_member_usable(m);

	m->flags = down ? m->flags | XBOND_MEMBER_ARP_DOWN : m->flags & ~XBOND_MEMBER_ARP_DOWN;
	m->last_change_ns = now_ns;
	if (was_usable && !xbond_member_usable(m))
		m->link_failures++;
	xbond_write_member(&mon->h, slot);
	monitor_log(mon, down ? "member down" : "member up", m->name,
		    down ? "no ARP reply from the targets" : "ARP reply from the targets");
	if (down && slot == mon->h.bond.active)
		monitor_note_failover(mon, "ARP path dead");
	if (!down)
		monitor_member_back(mon, slot);
}

__s64 arp_monitor(struct monitor *mon, __u64 now_ns, bool *changed)
{
	const struct xbond_bond *bond = &mon->h.bond;
	__u64 interval = bond->arp_interval_ms * MS;
	__u64 window = interval * (bond->arp_missed_max ? bond->arp_missed_max : 1);
	unsigned int slot;

	/* Turned on just now: nobody has had a chance to prove anything yet. */
	if (interval && bond->n_arp_targets && !mon->arp_on_since_ns)
		mon->arp_on_since_ns = now_ns;
	if (!interval || !bond->n_arp_targets)
		mon->arp_on_since_ns = 0;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct xbond_member *m = &mon->h.members[slot];
		struct member_watch *w = &mon->watch[slot];
		bool judged, alive;
		__u64 since;

		if (!m->ifindex)
			continue;
		if (!interval || !bond->n_arp_targets) {
			if (m->flags & XBOND_MEMBER_ARP_DOWN) {
				set_arp_down(mon, slot, false, now_ns);
				*changed = true;
			}
			continue;
		}
		/* A member gets a whole window to prove itself before it is judged. */
		since = w->watched_ns > mon->arp_on_since_ns ? w->watched_ns : mon->arp_on_since_ns;
		if (bond->mode == XBOND_MODE_ACTIVEBACKUP && slot == bond->active &&
		    mon->active_since_ns > since)
			since = mon->active_since_ns;
		judged = (m->flags & XBOND_MEMBER_CARRIER) && now_ns - since > window &&
			 (bond->mode != XBOND_MODE_ACTIVEBACKUP || slot == bond->active);
		alive = path_alive(mon, slot, now_ns, window);
		if (!(m->flags & XBOND_MEMBER_ARP_DOWN) && judged && !alive) {
			set_arp_down(mon, slot, true, now_ns);
			*changed = true;
		} else if ((m->flags & XBOND_MEMBER_ARP_DOWN) && alive) {
			set_arp_down(mon, slot, false, now_ns);
			*changed = true;
		}
	}
	if (!interval || !bond->n_arp_targets)
		return 0;
	if (now_ns >= mon->next_probe_ns) {
		send_probes(mon);
		mon->next_probe_ns = now_ns + interval;
	}
	return mon->next_probe_ns - now_ns;
}

/* An unsolicited neighbour advertisement (RFC 4861 7.2.6) for addr, to all nodes. */
struct unsolicited_na {
	struct ip6_hdr ip6;
	struct nd_neighbor_advert na;
	struct nd_opt_hdr opt;
	unsigned char lladdr[ETH_ALEN];
};
_Static_assert(sizeof(struct unsolicited_na) == 40 + 24 + 8, "no padding in the NA");

static __u16 icmp6_checksum(const struct unsolicited_na *pkt)
{
	const __u16 *w;
	__u32 sum = 0, len = sizeof(*pkt) - sizeof(pkt->ip6);
	unsigned int i;

	/* The pseudo-header: addresses, length, next header; then the ICMPv6 body. */
	for (w = (const __u16 *)&pkt->ip6.ip6_src, i = 0; i < 16; i++)
		sum += w[i];
	sum += htons(len) + htons(IPPROTO_ICMPV6);
	for (w = (const __u16 *)&pkt->na, i = 0; i < len / 2; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void send_na(int fd, int ifindex, const unsigned char *mac, const unsigned char *addr)
{
	static const unsigned char all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const unsigned char all_nodes_mac[ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct unsolicited_na pkt = {
		.ip6 = {
			.ip6_flow = htonl(6 << 28),
			.ip6_plen = htons(sizeof(pkt) - sizeof(pkt.ip6)),
			.ip6_nxt = IPPROTO_ICMPV6,
			.ip6_hlim = 255,
		},
		.na = {
			.nd_na_type = ND_NEIGHBOR_ADVERT,
			.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE,
		},
		.opt = { .nd_opt_type = ND_OPT_TARGET_LINKADDR, .nd_opt_len = 1 },
	};

	memcpy(&pkt.ip6.ip6_src, addr, 16);
	memcpy(&pkt.ip6.ip6_dst, all_nodes, 16);
	memcpy(&pkt.na.nd_na_target, addr, 16);
	memcpy(pkt.lladdr, mac, ETH_ALEN);
	pkt.na.nd_na_cksum = icmp6_checksum(&pkt);
	send_frame(fd, ifindex, ETH_P_IPV6, all_nodes_mac, &pkt, sizeof(pkt));
}

void arp_notify_peers(struct monitor *mon, unsigned int slot)
{
	const struct xbond_bond *bond = &mon->h.bond;
	unsigned char addrs6[16][16];
	__be32 addrs[16];
	int n, n6, i, k, ifindex;

	if (slot >= XBOND_MAX_MEMBERS || open_socket(mon) < 0)
		return;
	ifindex = mon->h.members[slot].ifindex;
	n = nl_addr4_list(bond->ifindex, addrs, 16);
	n6 = nl_addr6_list(bond->ifindex, addrs6, 16);
	for (k = 0; k < bond->num_grat_arp; k++) {
		for (i = 0; i < n; i++)
			send_arp(mon->arp_fd, ifindex, bond->mac, addrs[i], addrs[i]);
		for (i = 0; i < n6; i++)
			send_na(mon->arp_fd, ifindex, bond->mac, addrs6[i]);
	}
}
