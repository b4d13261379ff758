// SPDX-License-Identifier: GPL-2.0
/*
 * Enslave and release members. What a member had is recorded twice: in the
 * bond's pins, and in a member record (member_records.h) written before the
 * member changes, which outlives the pins. A member is followed by ifindex
 * and namespace, never by its name, which can change under us.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <net/if_arp.h>
#include <libmnl/libmnl.h>
#include "attach.h"
#include "enslave.h"
#include "log.h"
#include "member_records.h"
#include "pins.h"

/* A member's disable_ipv6 when the kernel has no IPv6: nothing to restore. */
#define NO_IPV6 0xff

static const unsigned char no_mac[6];

/*
 * Whether ifindex belongs to a bond in this netns: 1 as a member, 2 as its
 * logical interface or hidden peer, 0 not at all. Names the bond if so, and
 * whether it is live. Member records say first; then pins, for a bond whose
 * members were recorded nowhere else. Stale pins own nothing: ifindexes are
 * numbered anew in every namespace.
 */
static int owned_by_bond(int ifindex, char *bond_name, size_t len, enum xbond_liveness *why)
{
	char nsdir[PATH_MAX], dir[PATH_MAX * 2];
	struct xbond_member_record rec;
	struct xbond_handle other;
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (!xbond_record_read(ifindex, &rec)) {
		snprintf(bond_name, len, "%s", rec.bond);
		xbond_open_live(rec.bond, &other, why);
		xbond_close(&other);
		if (*why == XBOND_ABSENT)
			*why = XBOND_PINS_LOST;
		return 1;
	}
	if (xbond_netns_dir(nsdir, sizeof(nsdir), false))
		return 0;
	d = opendir(nsdir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", nsdir, de->d_name);
		if (xbond_open_live(dir, &other, why) && *why != XBOND_LOST_LINK) {
			xbond_close(&other);
			continue;
		}
		if (xbond_member_slot(&other, ifindex) >= 0)
			found = 1;
		else if ((int)other.bond.ifindex == ifindex ||
			 (int)other.bond.peer_ifindex == ifindex)
			found = 2;
		if (found)
			snprintf(bond_name, len, "%s", other.bond.name);
		xbond_close(&other);
	}
	closedir(d);
	return found;
}

int member_check(const struct xbond_handle *h, const struct xbond_link *link)
{
	char owner[XBOND_NAME_LEN], fix[128];
	enum xbond_liveness why = XBOND_LIVE;
	int ret;

	if (link->flags & IFF_LOOPBACK) {
		pr_warn("%s: a loopback device cannot be a member\n", link->name);
		return -EINVAL;
	}
	if (link->type != ARPHRD_ETHER) {
		pr_warn("%s: not an Ethernet device, cannot be a member\n", link->name);
		return -EINVAL;
	}
	if (h->bond.ifindex && (link->ifindex == (int)h->bond.ifindex ||
				link->ifindex == (int)h->bond.peer_ifindex)) {
		pr_warn("%s: is the bond's own interface, cannot be a member\n", link->name);
		return -EINVAL;
	}
	ret = owned_by_bond(link->ifindex, owner, sizeof(owner), &why);
	if (ret == 1 && why != XBOND_LIVE) {
		bond_free_command(owner, fix, sizeof(fix));
		pr_warn("%s: already belongs to bond %s, which is not live (%s); free it with: %s\n",
			link->name, owner, xbond_liveness_str(why), fix);
		return -EINVAL;
	}
	if (ret == 1) {
		pr_warn("%s: already belongs to bond %s\n", link->name, owner);
		return -EINVAL;
	}
	if (ret == 2) {
		pr_warn("%s: is the interface of bond %s, cannot be a member\n",
			link->name, owner);
		return -EINVAL;
	}
	if (link->master) {
		char master[IF_NAMESIZE] = "?";

		if_indextoname(link->master, master);
		pr_warn("%s: already enslaved to %s\n", link->name, master);
		return -EINVAL;
	}
	if (link->xdp_prog_id) {
		pr_warn("%s: already has an XDP program (id %u) attached\n", link->name,
			link->xdp_prog_id);
		return -EINVAL;
	}
	ret = nl_addr4_count(link->ifindex);
	if (ret > 0) {
		pr_warn("%s: has IPv4 addresses; a member carries none, remove them first\n",
			link->name);
		return -EINVAL;
	}
	return ret < 0 ? ret : 0;
}

/*
 * disable_ipv6 of the link numbered ifindex. The sysctl is reached by name,
 * and a name can change: it is looked up right before, and the write is
 * done again if the link was renamed meanwhile.
 */
static int disable_ipv6_set(int ifindex, int value)
{
	struct xbond_link before, after;
	int ret, tries;

	for (tries = 0; tries < 3; tries++) {
		ret = nl_link_get(NULL, ifindex, &before);
		if (ret)
			return ret;
		ret = sysctl_disable_ipv6_set(before.name, value);
		if (!nl_link_get(NULL, ifindex, &after) && !strcmp(before.name, after.name))
			return ret;
	}
	return -EAGAIN;
}

static int disable_ipv6_get(int ifindex)
{
	struct xbond_link link;
	int ret = nl_link_get(NULL, ifindex, &link);

	return ret ? ret : sysctl_disable_ipv6_get(link.name);
}

/*
 * Put back the link settings recorded in m, as far as they were changed. Its
 * up state too unless keep_down: a member found in another namespace is
 * another's to bring up.
 */
static void restore_link(const struct xbond_member *m, bool mac_changed, bool mtu_changed,
			 bool keep_down)
{
	struct nl_link_change down = { .up = 0 };
	struct nl_link_change back = {
		.mac = mac_changed ? m->orig_mac : NULL,
		.mtu = mtu_changed ? m->orig_mtu : 0,
		.up = -1,
	};

	if (mac_changed || mtu_changed) {
		nl_link_set(m->ifindex, &down);
		nl_link_set(m->ifindex, &back);
	}
	if (keep_down)
		return;
	if (m->orig_disable_ipv6 != NO_IPV6)
		disable_ipv6_set(m->ifindex, m->orig_disable_ipv6);
	back = (struct nl_link_change){ .up = !!(m->flags & XBOND_MEMBER_WAS_UP) };
	nl_link_set(m->ifindex, &back);
}

/* The record of a member about to join bond h: what it is now, before anything changes. */
static void record_of(const struct xbond_handle *h, const struct xbond_link *link,
		      const struct xbond_member *m, const unsigned char *bond_mac,
		      struct xbond_member_record *rec)
{
	struct xbond_progs progs;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->bond, sizeof(rec->bond), "%s", h->bond.name);
	rec->bond_ifindex = h->bond.ifindex;
	rec->peer_ifindex = h->bond.peer_ifindex;
	rec->netns_cookie = h->bond.netns_cookie;
	if (!rec->netns_cookie)
		xbond_netns_cookie(&rec->netns_cookie);
	memcpy(rec->bond_mac, bond_mac, 6);
	memcpy(rec->perm_mac, link->perm_mac, 6);
	rec->m = *m;
	xbond_progs_open(h->dir, &progs, false);
	memcpy(rec->prog_id, progs.id, sizeof(rec->prog_id));
}

int member_enslave(struct xbond_handle *h, const struct xbond_link *link,
		   unsigned int slot, const struct enslave_opts *opts)
{
	struct xbond_member m = {
		.ifindex = link->ifindex,
		.orig_mtu = link->mtu,
		.flags = link->flags & IFF_UP ? XBOND_MEMBER_WAS_UP : 0,
	};
	bool mac_changed = memcmp(link->mac, opts->mac, 6);
	bool mtu_changed = opts->mtu && opts->mtu != link->mtu;
	struct nl_link_change change = { .up = 0 };
	struct xbond_member_record rec;
	bool try_native;
	int ret;

	snprintf(m.name, sizeof(m.name), "%s", link->name);
	memcpy(m.orig_mac, link->mac, 6);
	ret = sysctl_disable_ipv6_get(link->name);
	m.orig_disable_ipv6 = ret < 0 ? NO_IPV6 : ret;
	/*
	 * Before the first change: whatever dies next, the record tells what
	 * to put back, the clsact qdisc too (attaching may make one). Not
	 * known: kept, rather than take away one that was there.
	 */
	if (xbond_has_clsact(link->ifindex) != 0)
		m.flags |= XBOND_MEMBER_HAD_CLSACT;
	record_of(h, link, &m, opts->mac, &rec);
	ret = xbond_record_write(&rec);
	if (ret) {
		pr_warn("%s: cannot record its settings: %s\n", link->name, strerror(-ret));
		return ret;
	}
	ret = sysctl_disable_ipv6_set(link->name, 1);
	if (ret) {
		pr_warn("%s: cannot turn IPv6 off: %s\n", link->name, strerror(-ret));
		goto undo;
	}

	/* Many NICs refuse a new MAC while up: change it down. */
	if (mac_changed || mtu_changed) {
		ret = nl_link_set(link->ifindex, &change);
		change.mac = mac_changed ? opts->mac : NULL;
		change.mtu = mtu_changed ? opts->mtu : 0;
		change.up = -1;
		if (!ret)
			ret = nl_link_set(link->ifindex, &change);
		if (ret) {
			pr_warn("%s: cannot set MAC/MTU: %s\n", link->name, strerror(-ret));
			goto undo;
		}
	}
	xbond_kill_point("member-changed");

	/*
	 * Native XDP on a veth turns off GSO on its peer and queues through a
	 * small ring: measured here, 5.8 Gbit/s against 33 without. So veth
	 * members receive in tc ingress unless native is asked for.
	 */
	try_native = opts->xdp_mode == XDP_MODE_NATIVE ||
		     (opts->xdp_mode == XDP_MODE_AUTO && strcmp(link->kind, "veth"));
	ret = xbond_attach_member(h->dir, link->ifindex, try_native, &m.flags);
	if (ret)
		goto undo;
	xbond_kill_point("member-attached");
	rec.m.flags = m.flags;
	rec.rx_known = true;
	ret = xbond_record_write(&rec);
	if (ret)
		pr_warn("%s: cannot record its settings: %s\n", link->name, strerror(-ret));

	change = (struct nl_link_change){ .up = 1 };
	if (!ret) {
		ret = nl_link_set(link->ifindex, &change);
		if (ret)
			pr_warn("%s: cannot bring it up: %s\n", link->name, strerror(-ret));
	}
	if (ret) {
		xbond_detach_member(h->dir, link->ifindex, m.flags);
		goto undo;
	}

	/* Up until a monitor says otherwise, like bonding with miimon=0. */
	m.flags |= XBOND_MEMBER_ADMIN_UP | XBOND_MEMBER_CARRIER;
	m.last_change_ns = xbond_now_ns();
	h->members[slot] = m;
	ret = xbond_write_member(h, slot);
	if (ret) {
		memset(&h->members[slot], 0, sizeof(m));
		xbond_detach_member(h->dir, link->ifindex, m.flags);
		goto undo;
	}
	return 0;
undo:
	restore_link(&m, mac_changed, mtu_changed, false);
	xbond_record_remove(link->ifindex);
	return ret;
}

/* What member_release knows of a member besides its entry in the pins. */
struct release_ctx {
	const struct xbond_member *m;
	const char *bond;
	const unsigned char *bond_mac;
	const unsigned char *perm_mac;	/* zero if unknown or none */
	struct xbond_progs progs;	/* ids from the pins, else from the record */
	/* Where it was seen going (the monitor's event), if known. */
	int nsid;			/* -1: unknown */
	int new_ifindex;
	/* Found in another namespace: */
	char where[NAME_MAX + 16];	/* that namespace's label */
	struct xbond_link found;
	int result;			/* of putting it back there */
};

/* Whether link (in this namespace, at the member's ifindex) is still the member. */
static bool is_member_here(const struct release_ctx *c, const struct xbond_link *link)
{
	if (memcmp(c->perm_mac, no_mac, 6) && memcmp(link->perm_mac, no_mac, 6))
		return !memcmp(c->perm_mac, link->perm_mac, 6);
	return !memcmp(link->mac, c->bond_mac, 6) || !strcmp(link->name, c->m->name) ||
	       xbond_member_carries(link->ifindex, link->xdp_prog_id, &c->progs);
}

/*
 * Whether link, in another namespace, is the member that left ours: sure
 * by its permanent MAC or our XDP program on it (a move keeps XDP, and
 * takes tc's clsact away), likely by the bond's MAC with its name or
 * ifindex (a move keeps both where it can).
 */
static bool is_member_moved(const struct release_ctx *c, const struct xbond_link *link)
{
	if (c->nsid >= 0)
		return link->ifindex == c->new_ifindex;
	if (memcmp(c->perm_mac, no_mac, 6) && memcmp(link->perm_mac, no_mac, 6))
		return !memcmp(c->perm_mac, link->perm_mac, 6);
	if (c->progs.id[XBOND_PROG_RX_XDP] && link->xdp_prog_id == c->progs.id[XBOND_PROG_RX_XDP])
		return true;
	return !memcmp(link->mac, c->bond_mac, 6) &&
	       (!strcmp(link->name, c->m->name) || link->ifindex == (int)c->m->ifindex);
}

/* What differs from what was recorded, in words; "" if nothing. */
static void check_put_back(const struct release_ctx *c, int ifindex, bool elsewhere,
			   char *what, size_t len)
{
	const struct xbond_member *m = c->m;
	struct xbond_link link;
	size_t n = 0;
	int v6;

	*what = '\0';
	if (nl_link_get(NULL, ifindex, &link)) {
		snprintf(what, len, "the link vanished");
		return;
	}
#define DIFFERS(...) (n += snprintf(what + n, n < len ? len - n : 0, "%s", n ? ", " : ""), \
		      n += snprintf(what + n, n < len ? len - n : 0, __VA_ARGS__))
	if (memcmp(link.mac, m->orig_mac, 6))
		DIFFERS("its MAC");
	if (link.mtu != m->orig_mtu)
		DIFFERS("MTU %u (it has %u)", m->orig_mtu, link.mtu);
	if (xbond_member_carries(ifindex, link.xdp_prog_id, &c->progs))
		DIFFERS("our programs still attached");
	if (elsewhere)
		return;
	if (!(link.flags & IFF_UP) != !(m->flags & XBOND_MEMBER_WAS_UP))
		DIFFERS("%s", m->flags & XBOND_MEMBER_WAS_UP ? "up" : "down");
	v6 = disable_ipv6_get(ifindex);
	if (m->orig_disable_ipv6 != NO_IPV6 && v6 >= 0 && v6 != m->orig_disable_ipv6)
		DIFFERS("disable_ipv6 %u", m->orig_disable_ipv6);
#undef DIFFERS
}

static void found_link(const struct xbond_link *link, void *data)
{
	struct release_ctx *c = data;

	if (!c->found.ifindex && is_member_moved(c, link))
		c->found = *link;
}

/* In another namespace: find the member there and put back what still is ours. */
static int put_back_there(void *data)
{
	struct release_ctx *c = data;
	struct xbond_member there = *c->m;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char what[160];
	int ret;

	if (!nl)
		return 0;
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno :
	      nl_link_dump(nl, found_link, c);
	mnl_socket_close(nl);
	if (ret || !c->found.ifindex)
		return 0;
	there.ifindex = c->found.ifindex;
	/* The move took tc's clsact and IPv6's settings with it; XDP, MAC and MTU stayed. */
	xbond_detach_member_ids(there.ifindex, there.flags | XBOND_MEMBER_HAD_CLSACT, &c->progs);
	restore_link(&there, memcmp(c->found.mac, there.orig_mac, 6),
		     c->found.mtu != there.orig_mtu, true);
	if (c->found.flags & IFF_UP)
		nl_link_set(there.ifindex, &(struct nl_link_change){ .up = 1 });
	check_put_back(c, there.ifindex, true, what, sizeof(what));
	c->result = *what ? -EIO : 0;
	if (*what)
		pr_warn("%s: moved to network namespace %s as %s; could not put back there: %s\n",
			c->m->name, c->where, c->found.name, what);
	return 1;
}

static int look_in_netns(int netns_fd, const char *label, void *data)
{
	struct release_ctx *c = data;

	if (c->nsid >= 0 && xbond_netns_id_of(netns_fd) != c->nsid)
		return 0;
	snprintf(c->where, sizeof(c->where), "%s", label);
	return xbond_in_netns(netns_fd, put_back_there, c) > 0;
}

/* The member's programs: ids from the pins where they are, else from its record. */
static void release_ctx_init(struct release_ctx *c, const struct xbond_handle *h,
			     const struct xbond_member *m, const struct xbond_member_record *rec)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->m = m;
	c->bond = h->bond.name;
	c->bond_mac = rec ? rec->bond_mac : h->bond.mac;
	c->perm_mac = rec ? rec->perm_mac : no_mac;
	c->nsid = -1;
	xbond_progs_open(h->dir, &c->progs, false);
	for (i = 0; rec && i < XBOND_PROG_MAX; i++)
		if (!c->progs.id[i])
			c->progs.id[i] = rec->prog_id[i];
}

static int release(const struct xbond_handle *h, const struct xbond_member *pinned,
		   int nsid, int new_ifindex)
{
	struct xbond_member_record rec;
	struct xbond_member m = *pinned;
	bool have_rec, known;
	struct release_ctx c;
	struct xbond_link link;
	char what[160];

	have_rec = !xbond_record_read(pinned->ifindex, &rec) && !strcmp(rec.bond, h->bond.name);
	release_ctx_init(&c, h, &m, have_rec ? &rec : NULL);
	c.nsid = nsid;
	c.new_ifindex = new_ifindex;
	known = nsid < 0 && !nl_link_get(NULL, m.ifindex, &link) && is_member_here(&c, &link);
	if (known) {
		xbond_detach_member_ids(m.ifindex, m.flags, &c.progs);
		/*
		 * Only what differs: a needless down and up drops the carrier of
		 * the peer's port, and a peer bond fails over for it.
		 */
		restore_link(&m, memcmp(link.mac, m.orig_mac, 6), link.mtu != m.orig_mtu, false);
		check_put_back(&c, m.ifindex, false, what, sizeof(what));
		if (*what) {
			pr_warn("%s: could not put back: %s\n", link.name, what);
			return -EIO;
		}
		xbond_record_remove(m.ifindex);
		return 0;
	}
	/* Not here (or not the same link): it may have moved to another namespace. */
	if (xbond_netns_each(look_in_netns, &c) > 0) {
		if (!c.result) {
			xbond_log_event(LOG_NOTICE, h->bond.name, "member given back", m.name,
					"in network namespace %s as %s, where it was moved",
					c.where, c.found.name);
			xbond_record_remove(m.ifindex);
		}
		return c.result;
	}
	pr_warn("%s (ifindex %u): not in this network namespace any more: deleted, or moved "
		"where xbond cannot tell it (there it keeps the bond's MAC and MTU)\n", m.name,
		m.ifindex);
	xbond_record_remove(m.ifindex);
	return -ENODEV;
}

int member_release(const struct xbond_handle *h, const struct xbond_member *m)
{
	return release(h, m, -1, 0);
}

int member_release_moved(const struct xbond_handle *h, const struct xbond_member *m,
			 int nsid, int new_ifindex)
{
	return release(h, m, nsid, new_ifindex);
}
