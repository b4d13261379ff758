// SPDX-License-Identifier: GPL-2.0
/*
 * 802.3ad: the LACP machines of IEEE 802.1AX for every member: receive,
 * periodic transmit, selection and mux (independent control), with LACPDUs
 * and Marker PDUs on one packet socket bound to the slow-protocol ethertype.
 * rx_filter leaves those frames on the member, where that socket gets them.
 * What the mux allows reaches the data plane as the members' COLLECTING and
 * DISTRIBUTING flags: only distributing members are in the bucket table.
 * Carrier loss needs no LACP at all: the carrier path takes the member out
 * at once, and the LACP timeout is only the backstop for a dead partner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include "xbond.h"
#include "monitor.h"
#include "lacp.h"

#define FAST_PERIODIC	(1000 * MS)
#define SLOW_PERIODIC	(30000 * MS)
#define SHORT_TIMEOUT	(3 * FAST_PERIODIC)
#define LONG_TIMEOUT	(3 * SLOW_PERIODIC)
/*
 * The standard waits 2 s before attaching a port, so that ports coming up
 * together join one aggregator before it is chosen. We do not wait: a port
 * is in an aggregator only once its partner spoke, one coming later joins the
 * chosen aggregator, and the choice is sticky (ad_select stable). Any wait
 * would also cost a LACPDU of its own, and at three a second the exchange
 * that follows would stall for the rest of the second.
 */
#define AGGREGATE_WAIT	0
#define TX_PER_SECOND	3	/* the standard's cap on LACPDUs per fast period */
#define MUX_STEPS	8	/* transitions one run may take on a port */

#define SYNC_BITS	(XBOND_LACP_ACTIVITY | XBOND_LACP_TIMEOUT | XBOND_LACP_SYNC | \
			 XBOND_LACP_AGGREGATION)

static bool lacp_on(const struct monitor *mon)
{
	return mon->h.bond.mode == XBOND_MODE_8023AD;
}

/* How long a partner's information lasts: what our lacp_rate asked it for, times 3. */
static __u64 timeout_of(const struct monitor *mon)
{
	return mon->h.bond.lacp_rate == XBOND_LACP_FAST ? SHORT_TIMEOUT : LONG_TIMEOUT;
}

static bool port_enabled(const struct xbond_member *m)
{
	return m->ifindex && (m->flags & XBOND_MEMBER_CARRIER) &&
	       (m->flags & XBOND_MEMBER_ADMIN_UP);
}

/*
 * A key's speed bits: the ethtool speeds numbered from 1, 0 for unknown,
 * as the kernel numbers them (so that its /proc/net/bonding and ours show
 * the same keys for the same links).
 */
static unsigned int speed_class(unsigned int mbps)
{
	static const unsigned int classes[] = { 1, 10, 100, 1000, 2500, 5000, 10000, 14000,
						20000, 25000, 40000, 50000, 56000, 100000,
						200000, 400000, 800000 };
	unsigned int i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (mbps == classes[i])
			return i + 1;
	return 0;
}

/*
 * Our actor information for slot. The key: the user's 10 bits, the speed
 * class, and full duplex (which ethtool on veth and most NICs report; a
 * half-duplex link cannot aggregate, and none is expected here).
 */
static void actor_info(const struct monitor *mon, unsigned int slot, struct lacp_info *a)
{
	const struct xbond_bond *bond = &mon->h.bond;
	const struct lacp_port *p = &mon->lacp[slot];

	memset(a, 0, sizeof(*a));
	a->system_priority = bond->ad_actor_sys_prio ? bond->ad_actor_sys_prio : 65535;
	memcpy(a->system, xbond_actor_system(bond), 6);
	a->key = (bond->ad_user_port_key & 0x3ff) << 6 |
		 speed_class(p->pub.speed_mbps) << 1 | 1;
	a->port_priority = mon->h.members[slot].lacp_port_prio ?
			   mon->h.members[slot].lacp_port_prio : 255;
	a->port = slot + 1;
	a->state = p->pub.actor_state;
}

/* The actor state bits the machines' states make. */
static __u8 actor_state(const struct monitor *mon, const struct lacp_port *p)
{
	const struct xbond_bond *bond = &mon->h.bond;
	__u8 s = XBOND_LACP_AGGREGATION;

	if (bond->lacp_active)
		s |= XBOND_LACP_ACTIVITY;
	if (bond->lacp_rate == XBOND_LACP_FAST)
		s |= XBOND_LACP_TIMEOUT;
	if (p->pub.mux_state >= XBOND_LACP_MUX_ATTACHED)
		s |= XBOND_LACP_SYNC;
	if (p->pub.mux_state >= XBOND_LACP_MUX_COLLECTING)
		s |= XBOND_LACP_COLLECTING;
	if (p->pub.mux_state == XBOND_LACP_MUX_DISTRIBUTING)
		s |= XBOND_LACP_DISTRIBUTING;
	if (p->pub.rx_state == XBOND_LACP_RX_DEFAULTED)
		s |= XBOND_LACP_DEFAULTED;
	if (p->pub.rx_state == XBOND_LACP_RX_EXPIRED)
		s |= XBOND_LACP_EXPIRED;
	return s;
}

static bool same_identity(const struct lacp_info *a, const struct lacp_info *b)
{
	return a->system_priority == b->system_priority && !memcmp(a->system, b->system, 6) &&
	       a->key == b->key && a->port_priority == b->port_priority && a->port == b->port &&
	       (a->state & XBOND_LACP_AGGREGATION) == (b->state & XBOND_LACP_AGGREGATION);
}

static void log_port(const struct monitor *mon, unsigned int slot, const char *event,
		     const char *why)
{
	monitor_log(mon, event, mon->h.members[slot].name, why);
}

/* A port starts afresh: a new member in the slot, or the protocol (re)started. */
static void port_reset(struct lacp_port *p, __u32 ifindex)
{
	struct xbond_lacp_port written = p->written;

	memset(p, 0, sizeof(*p));
	p->written = written;
	p->ifindex = p->pub.ifindex = ifindex;
}

static void enter_expired(struct monitor *mon, unsigned int slot, __u64 now)
{
	struct lacp_port *p = &mon->lacp[slot];

	if (p->pub.rx_state == XBOND_LACP_RX_CURRENT)
		log_port(mon, slot, "lacp expired", "no LACPDU from the partner in time");
	p->pub.rx_state = XBOND_LACP_RX_EXPIRED;
	p->partner.state &= ~XBOND_LACP_SYNC;
	p->partner.state |= XBOND_LACP_TIMEOUT;
	p->current_while_at = now + SHORT_TIMEOUT;
}

static void enter_defaulted(struct monitor *mon, unsigned int slot)
{
	struct lacp_port *p = &mon->lacp[slot];

	log_port(mon, slot, "lacp defaulted", "no partner");
	p->pub.rx_state = XBOND_LACP_RX_DEFAULTED;
	memset(&p->partner, 0, sizeof(p->partner));
	p->current_while_at = 0;
}

/* recordPDU and update_NTT: the partner as it says, and whether it sees us right. */
static void record_pdu(struct monitor *mon, unsigned int slot, __u64 now)
{
	struct lacp_port *p = &mon->lacp[slot];
	const struct lacpdu *pdu = &p->rx;
	struct lacp_info actor;
	bool match, sync;

	actor_info(mon, slot, &actor);
	match = same_identity(&pdu->partner, &actor);
	sync = (pdu->actor.state & XBOND_LACP_SYNC) &&
	       (match || !(pdu->actor.state & XBOND_LACP_AGGREGATION)) &&
	       ((pdu->actor.state & XBOND_LACP_ACTIVITY) ||
		((actor.state & XBOND_LACP_ACTIVITY) &&
		 (pdu->partner.state & XBOND_LACP_ACTIVITY)));
	if (p->pub.rx_state != XBOND_LACP_RX_CURRENT)
		log_port(mon, slot, "lacp current", "LACPDU from the partner");
	p->partner = pdu->actor;
	p->partner.state = (pdu->actor.state & ~XBOND_LACP_SYNC) | (sync ? XBOND_LACP_SYNC : 0);
	if (!match || (pdu->partner.state & SYNC_BITS) != (actor.state & SYNC_BITS))
		p->ntt = true;
	p->pub.rx_state = XBOND_LACP_RX_CURRENT;
	p->current_while_at = now + timeout_of(mon);
	p->recorded = *pdu;
}

/* The receive machine, for one run: port state, a LACPDU read, timeouts. */
static void run_rx(struct monitor *mon, unsigned int slot, bool enabled, __u64 now)
{
	struct lacp_port *p = &mon->lacp[slot];

	if (!enabled) {
		p->pub.rx_state = XBOND_LACP_RX_DISABLED;
		p->partner.state &= ~XBOND_LACP_SYNC;
		p->current_while_at = 0;
		p->rx_pending = false;
		return;
	}
	if (p->pub.rx_state == XBOND_LACP_RX_DISABLED) {
		enter_expired(mon, slot, now);
		p->ntt = true;
	}
	if (p->rx_pending) {
		record_pdu(mon, slot, now);
		p->rx_pending = false;
	} else if (p->current_while_at && now >= p->current_while_at) {
		if (p->pub.rx_state == XBOND_LACP_RX_CURRENT)
			enter_expired(mon, slot, now);
		else
			enter_defaulted(mon, slot);
	}
}

/*
 * Only a port with a partner heard from can be in an aggregator: current,
 * or expired since (a port just up is expired with no partner at all).
 */
static bool has_partner(const struct lacp_port *p)
{
	return p->pub.rx_state == XBOND_LACP_RX_CURRENT ||
	       (p->pub.rx_state == XBOND_LACP_RX_EXPIRED && p->partner.port);
}

/*
 * Which aggregator a port may be in: same actor key and the same partner
 * system and key; a port either side calls individual is one on its own.
 */
static void aggregator_key(const struct monitor *mon, unsigned int slot, __u32 key[4])
{
	const struct lacp_port *p = &mon->lacp[slot];
	const struct lacp_info *q = &p->partner;
	struct lacp_info actor;

	actor_info(mon, slot, &actor);
	key[0] = (__u32)actor.key << 16 | q->key;
	key[1] = (__u32)q->system_priority << 16 | q->system[0] << 8 | q->system[1];
	key[2] = (__u32)q->system[2] << 24 | q->system[3] << 16 | q->system[4] << 8 | q->system[5];
	key[3] = q->state & XBOND_LACP_AGGREGATION ? 0 : slot + 1;
}

struct aggregator {
	unsigned int ports;		/* with a current partner */
	unsigned long long mbps;
};

/* Whether a beats b under ad_select: bandwidth or port count first, then the other. */
static bool better(const struct aggregator *a, const struct aggregator *b, __u8 ad_select)
{
	if (ad_select == XBOND_AD_SELECT_COUNT && a->ports != b->ports)
		return a->ports > b->ports;
	if (a->mbps != b->mbps)
		return a->mbps > b->mbps;
	return a->ports > b->ports;
}

/*
 * Number the aggregators: a group of ports keeps the id it had while any of
 * them stays in it (as a kernel aggregator outlives the port it is named
 * after); a new group takes its first port's number, or the lowest free.
 */
static void number_aggregators(struct monitor *mon, const bool *in,
			       __u32 keys[XBOND_MAX_MEMBERS][4], const __u16 *was)
{
	unsigned int slot, other, leader[XBOND_MAX_MEMBERS];
	__u16 id[XBOND_MAX_MEMBERS] = {};
	__u64 taken = 0;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		for (other = 0; in[slot] && other < slot; other++)
			if (in[other] && !memcmp(keys[other], keys[slot], sizeof(keys[slot])))
				break;
		leader[slot] = other;
		/* The first kept id of the group claims it. */
		if (in[slot] && was[slot] && !id[other] && !(taken & 1ULL << was[slot])) {
			id[other] = was[slot];
			taken |= 1ULL << was[slot];
		}
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		if (!in[slot] || leader[slot] != slot || id[slot])
			continue;
		id[slot] = slot + 1;
		for (other = 1; taken & 1ULL << id[slot]; other++)
			id[slot] = other;
		taken |= 1ULL << id[slot];
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		mon->lacp[slot].pub.aggregator_id = in[slot] ? id[leader[slot]] : 0;
}

/*
 * Selection logic: give every port with a partner its aggregator, pick the
 * bond's one active aggregator as ad_select says, and mark the ports
 * SELECTED in it, STANDBY in another.
 */
static void select_aggregators(struct monitor *mon)
{
	struct aggregator agg[XBOND_MAX_MEMBERS + 1] = {};
	__u32 keys[XBOND_MAX_MEMBERS][4];
	bool in[XBOND_MAX_MEMBERS] = {};
	__u16 was[XBOND_MAX_MEMBERS];
	unsigned int slot, best = 0;
	__u16 active = mon->lacp_active_agg;
	bool keep;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];

		was[slot] = p->pub.aggregator_id;
		if (!p->ifindex || !has_partner(p) || !port_enabled(&mon->h.members[slot]))
			continue;
		in[slot] = true;
		aggregator_key(mon, slot, keys[slot]);
		/* A port whose aggregator changes leaves the old one first. */
		if (memcmp(p->agg_key, keys[slot], sizeof(p->agg_key))) {
			memcpy(p->agg_key, keys[slot], sizeof(p->agg_key));
			p->pub.mux_state = XBOND_LACP_MUX_DETACHED;
			was[slot] = 0;
		}
	}
	number_aggregators(mon, in, keys, was);
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];

		if (in[slot] && p->pub.rx_state == XBOND_LACP_RX_CURRENT) {
			agg[p->pub.aggregator_id].ports++;
			agg[p->pub.aggregator_id].mbps += p->pub.speed_mbps ? p->pub.speed_mbps : 1;
		}
	}
	/*
	 * stable keeps the active aggregator while it has a port with a
	 * partner; otherwise, and always for bandwidth and count, the best
	 * wins, the active one on a tie.
	 */
	keep = mon->h.bond.ad_select == XBOND_AD_SELECT_STABLE && active <= XBOND_MAX_MEMBERS &&
	       agg[active].ports;
	if (keep)
		best = active;
	for (slot = 1; !keep && slot <= XBOND_MAX_MEMBERS; slot++)
		if (agg[slot].ports && (!best || better(&agg[slot], &agg[best],
							 mon->h.bond.ad_select)))
			best = slot;
	if (best && active && active <= XBOND_MAX_MEMBERS && agg[active].ports &&
	    !better(&agg[best], &agg[active], mon->h.bond.ad_select))
		best = active;
	if (best != mon->lacp_active_agg || agg[best].ports != mon->lacp_active_ports) {
		char why[64];

		snprintf(why, sizeof(why), "aggregator %u, %u ports", best, agg[best].ports);
		monitor_log(mon, "lacp aggregator", "-", best ? why : "none");
	}
	mon->lacp_active_agg = best;
	mon->lacp_active_ports = agg[best].ports;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];

		p->pub.selected = !p->pub.aggregator_id ? XBOND_LACP_UNSELECTED :
				  p->pub.aggregator_id == best ? XBOND_LACP_SELECTED :
				  XBOND_LACP_STANDBY;
	}
}

/* The mux machine, independent control: until it rests, or MUX_STEPS. */
static void run_mux(struct monitor *mon, unsigned int slot, __u64 now)
{
	struct lacp_port *p = &mon->lacp[slot];
	bool selected = p->pub.selected == XBOND_LACP_SELECTED;
	bool sync = p->partner.state & XBOND_LACP_SYNC;
	bool collecting = p->partner.state & XBOND_LACP_COLLECTING;
	__u8 was = p->pub.mux_state, next;
	unsigned int i;

	for (i = 0; i < MUX_STEPS; i++) {
		next = p->pub.mux_state;
		switch (p->pub.mux_state) {
		case XBOND_LACP_MUX_DETACHED:
			if (p->pub.selected != XBOND_LACP_UNSELECTED) {
				next = XBOND_LACP_MUX_WAITING;
				p->wait_while_at = now + AGGREGATE_WAIT;
			}
			break;
		case XBOND_LACP_MUX_WAITING:
			if (p->pub.selected == XBOND_LACP_UNSELECTED)
				next = XBOND_LACP_MUX_DETACHED;
			else if (selected && now >= p->wait_while_at)
				next = XBOND_LACP_MUX_ATTACHED;
			break;
		case XBOND_LACP_MUX_ATTACHED:
			if (!selected)
				next = XBOND_LACP_MUX_DETACHED;
			else if (sync)
				next = XBOND_LACP_MUX_COLLECTING;
			break;
		case XBOND_LACP_MUX_COLLECTING:
			if (!selected || !sync)
				next = XBOND_LACP_MUX_ATTACHED;
			else if (collecting)
				next = XBOND_LACP_MUX_DISTRIBUTING;
			break;
		default:
			if (!selected || !sync)
				next = XBOND_LACP_MUX_ATTACHED;
			else if (!collecting)
				next = XBOND_LACP_MUX_COLLECTING;
		}
		if (next == p->pub.mux_state)
			break;
		p->pub.mux_state = next;
		/* The partner needs our sync and collecting bits; the rest can wait. */
		if (next != XBOND_LACP_MUX_WAITING && next != XBOND_LACP_MUX_DISTRIBUTING)
			p->ntt = true;
	}
	if ((was == XBOND_LACP_MUX_DISTRIBUTING) != (p->pub.mux_state == XBOND_LACP_MUX_DISTRIBUTING))
		log_port(mon, slot, p->pub.mux_state == XBOND_LACP_MUX_DISTRIBUTING ?
			 "lacp distributing" : "lacp not distributing",
			 xbond_choice_name(xbond_lacp_mux_names, p->pub.mux_state));
}

static int open_socket(struct monitor *mon)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, rcvbuf = 4 << 20;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(XBOND_ETH_P_SLOW));
	if (fd < 0)
		return -errno;
	/* Room for a flood, so that every malformed LACPDU is counted. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	ev.data.fd = fd;
	if (mon->epfd >= 0 && epoll_ctl(mon->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return -errno;
	}
	mon->lacp_fd = fd;
	return 0;
}

static const __u8 *src_mac(const struct monitor *mon, unsigned int slot)
{
	const __u8 *mac = mon->h.members[slot].orig_mac;

	/* The member's own address, as the kernel sends from a slave's permanent one. */
	return xbond_mac_is_zero(mac) ? mon->h.bond.mac : mac;
}

static int send_frame(const struct monitor *mon, unsigned int slot, const void *frame,
		      size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(XBOND_ETH_P_SLOW),
		.sll_ifindex = mon->h.members[slot].ifindex,
		.sll_halen = 6,
	};

	return sendto(mon->lacp_fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)len ? 0 : -errno;
}

/* Periodic transmit and NTT: send what is due, at most TX_PER_SECOND a second. Due time or 0. */
static __u64 run_tx(struct monitor *mon, unsigned int slot, bool enabled, __u64 now)
{
	struct lacp_port *p = &mon->lacp[slot];
	bool active = p->pub.actor_state & XBOND_LACP_ACTIVITY;
	__u64 period = p->partner.state & XBOND_LACP_TIMEOUT ? FAST_PERIODIC : SLOW_PERIODIC;
	__u8 frame[LACP_FRAME_LEN];
	struct lacpdu pdu = {};
	size_t len;

	if (!enabled || (!active && !(p->partner.state & XBOND_LACP_ACTIVITY))) {
		p->periodic_at = 0;
		p->ntt = false;
		return 0;
	}
	/*
	 * On the period's boundaries of the monotonic clock, so that every
	 * member is due at once: one wakeup, one read of the records.
	 */
	if (!p->periodic_at || p->periodic_at > now + period)
		p->periodic_at = now;
	if (now >= p->periodic_at) {
		/*
		 * A LACPDU sent less than half a period ago did the periodic
		 * one's job, and the cap of three a second is better kept
		 * for what changes.
		 */
		if (now - p->sent_at >= period / 2)
			p->ntt = true;
		p->periodic_at = (now / period + 1) * period;
	}
	actor_info(mon, slot, &pdu.actor);
	if (memcmp(&pdu.actor, &p->sent, sizeof(pdu.actor)))
		p->ntt = true;
	if (!p->ntt || mon->lacp_fd < 0)
		return p->periodic_at;
	if (now - p->tx_window_at >= FAST_PERIODIC) {
		p->tx_window_at = now;
		p->tx_in_window = 0;
	}
	if (p->tx_in_window >= TX_PER_SECOND)
		return p->tx_window_at + FAST_PERIODIC;
	pdu.partner = p->partner;
	len = lacpdu_build(frame, sizeof(frame), src_mac(mon, slot), &pdu);
	if (len && !send_frame(mon, slot, frame, len)) {
		p->pub.lacpdu_sent++;
		p->sent = pdu.actor;
		p->sent_at = now;
		p->ntt = false;
		p->tx_in_window++;
	}
	return p->periodic_at;
}

static void write_port(struct monitor *mon, unsigned int slot)
{
	struct lacp_port *p = &mon->lacp[slot];
	__u32 key = slot;

	if (!memcmp(&p->pub, &p->written, sizeof(p->pub)))
		return;
	if (bpf_map_update_elem(mon->h.lacp_fd, &key, &p->pub, BPF_ANY))
		return;
	p->written = p->pub;
}

/* What the member's mux lets the data plane do: its flags, written if they change. */
static bool set_member_flags(struct monitor *mon, unsigned int slot, __u32 want)
{
	struct xbond_member *m = &mon->h.members[slot];
	__u32 flags = (m->flags & ~(XBOND_MEMBER_COLLECTING | XBOND_MEMBER_DISTRIBUTING)) | want;

	if (!m->ifindex || flags == m->flags)
		return false;
	m->flags = flags;
	xbond_write_member(&mon->h, slot);
	return true;
}

/* Out of 802.3ad: the ports forget everything, the members lose both flags. */
static bool stop_protocol(struct monitor *mon)
{
	unsigned int slot;
	bool changed = false;

	if (mon->lacp_fd >= 0) {
		close(mon->lacp_fd);	/* leaves the epoll set with it */
		mon->lacp_fd = -1;
		monitor_log(mon, "lacp stopped", "-", "the bond left 802.3ad");
	}
	mon->lacp_active_agg = mon->lacp_active_ports = 0;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		port_reset(&mon->lacp[slot], mon->h.members[slot].ifindex);
		write_port(mon, slot);
		changed |= set_member_flags(mon, slot, 0);
	}
	return changed;
}

/*
 * A new monitor (a restart, a worker killed) takes over the ports its
 * predecessor left current, from xbond_lacp: starting them afresh would
 * take every member out of the aggregate until the partner spoke again.
 */
static void adopt_ports(struct monitor *mon, __u64 now)
{
	struct xbond_lacp_port old;
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];
		__u32 key = slot, ifindex = mon->h.members[slot].ifindex;

		if (!ifindex || bpf_map_lookup_elem(mon->h.lacp_fd, &key, &old) ||
		    old.ifindex != ifindex || old.rx_state != XBOND_LACP_RX_CURRENT ||
		    now - old.last_rx_ns >= timeout_of(mon))
			continue;
		port_reset(p, ifindex);
		p->pub = p->written = old;
		p->partner = (struct lacp_info){
			.system_priority = old.partner_sys_prio, .key = old.partner_key,
			.port_priority = old.partner_port_prio, .port = old.partner_port,
			.state = old.partner_state,
		};
		memcpy(p->partner.system, old.partner_system, 6);
		p->current_while_at = old.last_rx_ns + timeout_of(mon);
		aggregator_key(mon, slot, p->agg_key);
		if (old.selected == XBOND_LACP_SELECTED)
			mon->lacp_active_agg = old.aggregator_id;
		log_port(mon, slot, "lacp adopted",
			 xbond_choice_name(xbond_lacp_mux_names, old.mux_state));
	}
}

__s64 lacp_run(struct monitor *mon, __u64 now, bool *changed)
{
	__u64 due = 0;
	unsigned int slot;
	bool enabled[XBOND_MAX_MEMBERS];

	if (!lacp_on(mon)) {
		if (mon->lacp_fd >= 0 || mon->lacp_active_agg)
			*changed |= stop_protocol(mon);
		return 0;
	}
	if (mon->lacp_fd < 0) {
		int ret = open_socket(mon);

		monitor_log(mon, "lacp started", "-", ret ? strerror(-ret) : "802.3ad");
	}
	if (!mon->lacp_adopted) {
		adopt_ports(mon, now);
		mon->lacp_adopted = true;
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];
		const struct xbond_member *m = &mon->h.members[slot];

		if (p->ifindex != m->ifindex)
			port_reset(p, m->ifindex);
		enabled[slot] = port_enabled(m);
		if (!m->ifindex)
			continue;
		/* The key follows the speed: read it as the port comes up. */
		if (enabled[slot] && p->pub.rx_state == XBOND_LACP_RX_DISABLED)
			p->pub.speed_mbps = nl_link_speed(m->name);
		p->pub.actor_port = slot + 1;
		run_rx(mon, slot, enabled[slot], now);
	}
	select_aggregators(mon);
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct lacp_port *p = &mon->lacp[slot];
		struct lacp_info actor;
		__u32 want = 0;

		if (!p->ifindex)
			continue;
		run_mux(mon, slot, now);
		p->pub.actor_state = actor_state(mon, p);
		/* A standby port waits for good: only a wait still to come is due. */
		if (p->pub.mux_state == XBOND_LACP_MUX_WAITING && p->wait_while_at > now)
			due = earliest(due, p->wait_while_at);
		due = earliest(due, p->current_while_at);
		due = earliest(due, run_tx(mon, slot, enabled[slot], now));
		actor_info(mon, slot, &actor);
		p->pub.actor_key = actor.key;
		p->pub.actor_port_prio = actor.port_priority;
		p->pub.partner_state = p->partner.state;
		p->pub.partner_key = p->partner.key;
		p->pub.partner_port = p->partner.port;
		p->pub.partner_port_prio = p->partner.port_priority;
		p->pub.partner_sys_prio = p->partner.system_priority;
		memcpy(p->pub.partner_system, p->partner.system, 6);
		write_port(mon, slot);
		if (p->pub.mux_state >= XBOND_LACP_MUX_COLLECTING)
			want |= XBOND_MEMBER_COLLECTING;
		if (p->pub.mux_state == XBOND_LACP_MUX_DISTRIBUTING)
			want |= XBOND_MEMBER_DISTRIBUTING;
		*changed |= set_member_flags(mon, slot, want);
	}
	return !due ? 0 : due > now ? (__s64)(due - now) : 1;
}

/* A Marker Information PDU is answered at once, out of the member it came in on. */
static void answer_marker(struct monitor *mon, unsigned int slot, const struct marker_pdu *m)
{
	struct lacp_port *p = &mon->lacp[slot];
	__u8 frame[LACP_FRAME_LEN];
	size_t len;

	p->pub.marker_received++;
	if (m->response)
		return;
	len = marker_response_build(frame, sizeof(frame), src_mac(mon, slot), m);
	if (len && !send_frame(mon, slot, frame, len))
		p->pub.marker_sent++;
}

void lacp_read(struct monitor *mon, __u64 now)
{
	__u8 frame[2048];
	struct sockaddr_ll from;
	socklen_t from_len;
	struct lacpdu pdu;
	struct marker_pdu marker;
	enum slow_pdu_kind kind;
	unsigned int slot;
	ssize_t n;
	int s;

	if (mon->lacp_fd < 0)
		return;
	for (;;) {
		from_len = sizeof(from);
		n = recvfrom(mon->lacp_fd, frame, sizeof(frame), 0, (struct sockaddr *)&from,
			     &from_len);
		if (n < 0)
			break;
		/* Ours: a frame we sent does not come back to a socket of one protocol. */
		s = xbond_member_slot(&mon->h, from.sll_ifindex);
		if (s < 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		slot = s;
		memset(&pdu, 0, sizeof(pdu));	/* compared whole below */
		kind = slow_pdu_parse(frame, n, &pdu, &marker);
		if (kind == SLOW_PDU_LACP) {
			struct lacp_port *p = &mon->lacp[slot];

			p->pub.lacpdu_received++;
			p->pub.last_rx_ns = now;
			/*
			 * What the machines ran last, again (the partner's
			 * periodic LACPDU): the partner is alive, nothing else
			 * changed, so no evaluation is needed.
			 */
			if (p->pub.rx_state == XBOND_LACP_RX_CURRENT && !p->rx_pending &&
			    !memcmp(&pdu, &p->recorded, sizeof(pdu))) {
				p->current_while_at = now + timeout_of(mon);
			} else {
				p->rx = pdu;
				p->rx_pending = true;
				mon->look = true;
			}
		} else if (kind == SLOW_PDU_MARKER) {
			answer_marker(mon, slot, &marker);
		} else {
			mon->lacp[slot].pub.lacpdu_malformed++;
		}
		write_port(mon, slot);
	}
}

void lacp_stop(struct monitor *mon)
{
	if (mon->lacp_fd >= 0)
		close(mon->lacp_fd);
	mon->lacp_fd = -1;
}
