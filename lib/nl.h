/* SPDX-License-Identifier: GPL-2.0 */
/* The rtnetlink calls xbond needs: read a link's facts, create and change links, count addresses. */
#ifndef XBOND_NL_H
#define XBOND_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

/* linux/if.h has it, but clashes with net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

struct xbond_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[16];			/* IFLA_INFO_KIND, "" for none */
	unsigned int flags;		/* IFF_* */
	unsigned short type;		/* ARPHRD_* */
	unsigned int mtu;
	unsigned char mac[6];
	unsigned char perm_mac[6];	/* zero if the device has none */
	int master;			/* IFLA_MASTER, 0 for none */
	int link;			/* IFLA_LINK: a veth's peer */
	unsigned int xdp_prog_id;	/* 0 for none */
};

/* Fill *out for the link named name (if non-NULL) or numbered ifindex. */
int nl_link_get(const char *name, int ifindex, struct xbond_link *out);

struct nlmsghdr;
struct mnl_socket;
/*
 * Call fn for each whole netlink message in buf[0..len), stopping at the first
 * whose length does not fit (libmnl's own walk takes a length past 2 GiB for
 * a negative one). Returns how many were whole, or -EBADMSG if one was not.
 */
int nl_walk(const void *buf, size_t len, void (*fn)(const struct nlmsghdr *, void *),
	    void *data);

/*
 * Read what the kernel sent to an event socket, without blocking: a datagram
 * from any other sender is dropped. Returns its length, or -errno (-EAGAIN:
 * nothing left).
 */
int nl_recv_kernel(struct mnl_socket *nl, void *buf, size_t len);

/*
 * Send one request (a dump too) on a socket of its own and feed every reply
 * to cb (a libmnl callback). Returns 0 or -errno.
 */
int nl_request(struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *), void *data);

/* Fill *out from an RTM_NEWLINK or RTM_DELLINK message (a dump's, or an event's). */
int nl_link_parse(const struct nlmsghdr *nlh, struct xbond_link *out);

/* Big enough for a whole dump of a namespace's few links in one read. */
#define NL_DUMP_BUFFER_SIZE	(32 * 1024)
typedef void (*nl_link_fn)(const struct xbond_link *link, void *data);
/*
 * Every link of the namespace, without counters, through the caller's bound
 * socket, which is kept from call to call: one send and, for a few links, one
 * receive. Calls fn for each.
 */
int nl_link_dump(struct mnl_socket *nl, nl_link_fn fn, void *data);

/* What nl_link_set changes: NULL/0 fields are left alone. */
struct nl_link_change {
	const unsigned char *mac;
	unsigned int mtu;
	int up;				/* 1 up, 0 down, -1 leave */
};
int nl_link_set(int ifindex, const struct nl_link_change *change);

/* A veth pair: name with the given MAC and MTU, and its peer. Both down. */
int nl_veth_create(const char *name, const char *peer, const unsigned char *mac,
		   unsigned int mtu);
int nl_link_del(int ifindex);
/* Move the link into the network namespace open at netns_fd. */
int nl_link_set_netns(int ifindex, int netns_fd);

/* Add addr/prefix_len (family AF_INET or AF_INET6) to the link. */
int nl_addr_add(int ifindex, int family, const void *addr, unsigned int prefix_len);
/* Route dst/dst_len (NULL: default) out of the link, through gw (NULL: on link). */
int nl_route_add(int ifindex, int family, const void *dst, unsigned int dst_len,
		 const void *gw);

/* Up to max IPv4 addresses of the link (network order); returns how many, or -errno. */
int nl_addr4_list(int ifindex, __be32 *addrs, int max);
/* Up to max IPv6 addresses of the link (16 bytes each); returns how many, or -errno. */
int nl_addr6_list(int ifindex, unsigned char (*addrs)[16], int max);
static inline int nl_addr4_count(int ifindex)
{
	return nl_addr4_list(ifindex, NULL, 0);
}

/*
 * Whether the link has carrier, as its driver tells ethtool (netif_carrier_ok
 * for most): 1 or 0, or -errno. fd is any socket in the link's namespace.
 * One cheap ioctl, where a link dump fills every attribute of every link.
 */
int nl_link_carrier(int fd, const char *ifname);

/* The link's speed in Mb/s as its driver reports it (ethtool), or 0 if unknown. */
unsigned int nl_link_speed(const char *ifname);

/* net.ipv6.conf.<name>.disable_ipv6: read (0/1, or -ENOENT without IPv6) and write. */
int sysctl_disable_ipv6_get(const char *ifname);
int sysctl_disable_ipv6_set(const char *ifname, int value);

#endif /* XBOND_NL_H */
