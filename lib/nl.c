// SPDX-License-Identifier: GPL-2.0
/* rtnetlink through libmnl: one socket per request, in the caller's current network namespace; the monitor's link dump on a socket it keeps. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "nl.h"

static unsigned int nl_dump_seq;

int nl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int seq, portid;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int nested_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	/* IFLA_INFO_MAX and IFLA_XDP_MAX are both far below 16. */
	if (type < 16)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void copy_mac(unsigned char *dst, const struct nlattr *attr)
{
	if (attr && mnl_attr_get_payload_len(attr) == 6)
		memcpy(dst, mnl_attr_get_payload(attr), 6);
}

int nl_link_parse(const struct nlmsghdr *nlh, struct xbond_link *link)
{
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	const struct nlattr *nest[16] = {};

	memset(link, 0, sizeof(*link));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)) ||
	    mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) < 0)
		return -EINVAL;
	link->ifindex = ifm->ifi_index;
	link->flags = ifm->ifi_flags;
	link->type = ifm->ifi_type;
	if (tb[IFLA_IFNAME])
		snprintf(link->name, sizeof(link->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		link->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	copy_mac(link->mac, tb[IFLA_ADDRESS]);
	copy_mac(link->perm_mac, tb[IFLA_PERM_ADDRESS]);
	if (tb[IFLA_MASTER])
		link->master = mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		link->link = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO]) {
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], nested_attr, nest);
		if (nest[IFLA_INFO_KIND])
			snprintf(link->kind, sizeof(link->kind), "%s",
				 mnl_attr_get_str(nest[IFLA_INFO_KIND]));
	}
	if (tb[IFLA_XDP]) {
		memset(nest, 0, sizeof(nest));
		mnl_attr_parse_nested(tb[IFLA_XDP], nested_attr, nest);
		if (nest[IFLA_XDP_PROG_ID])
			link->xdp_prog_id = mnl_attr_get_u32(nest[IFLA_XDP_PROG_ID]);
	}
	return 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return nl_link_parse(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int nl_walk(const void *buf, size_t len, void (*fn)(const struct nlmsghdr *, void *),
	    void *data)
{
	const char *pos = buf;
	int n = 0;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)pos;
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
			return -EBADMSG;
		fn(nlh, data);
		n++;
		if (step >= len)
			break;
		pos += step;
		len -= step;
	}
	return n;
}

int nl_recv_kernel(struct mnl_socket *nl, void *buf, size_t len)
{
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	ssize_t n;

	for (;;) {
		n = recvfrom(mnl_socket_get_fd(nl), buf, len, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return -errno;
		/* Only the kernel speaks for links; a forged datagram is ignored. */
		if (fromlen == sizeof(from) && from.nl_pid == 0)
			return n;
		fromlen = sizeof(from);
	}
}

struct dump_ctx {
	nl_link_fn fn;
	void *data;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct xbond_link link;

	if (nlh->nlmsg_type == RTM_NEWLINK && !nl_link_parse(nlh, &link))
		ctx->fn(&link, ctx->data);
	return MNL_CB_OK;
}

int nl_link_dump(struct mnl_socket *nl, nl_link_fn fn, void *data)
{
	char buf[2][NL_DUMP_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf[0]);
	struct dump_ctx ctx = { fn, data };
	struct ifinfomsg *ifm;
	struct iovec iov[2] = { { buf[0], sizeof(buf[0]) }, { buf[1], sizeof(buf[1]) } };
	struct mmsghdr msgs[2] = { { .msg_hdr = { .msg_iov = &iov[0], .msg_iovlen = 1 } },
				   { .msg_hdr = { .msg_iov = &iov[1], .msg_iovlen = 1 } } };
	unsigned int seq = ++nl_dump_seq, portid = mnl_socket_get_portid(nl);
	int ret = MNL_CB_OK, n, i;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	/* Carrier and flags are all we want: leave the counters out. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/*
	 * The links come in one datagram and NLMSG_DONE in the next, queued by
	 * the kernel while we read the first: take both in one call.
	 */
	while (ret > MNL_CB_STOP) {
		n = recvmmsg(mnl_socket_get_fd(nl), msgs, 2, MSG_WAITFORONE, NULL);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (i = 0; i < n && ret > MNL_CB_STOP; i++)
			ret = mnl_cb_run(buf[i], msgs[i].msg_len, seq, portid, dump_cb, &ctx);
	}
	return ret < 0 ? -errno : 0;
}

int nl_link_get(const char *name, int ifindex, struct xbond_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (name) {
		if (strlen(name) >= IF_NAMESIZE)
			return -ENAMETOOLONG;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	} else {
		ifm->ifi_index = ifindex;
	}
	return nl_request(nlh, link_cb, out);
}

static struct nlmsghdr *put_newlink(char *buf, int ifindex, unsigned int extra_flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | extra_flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

int nl_link_set(int ifindex, const struct nl_link_change *change)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_newlink(buf, ifindex, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (change->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, change->mac);
	if (change->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, change->mtu);
	if (change->up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = change->up ? IFF_UP : 0;
	}
	return nl_request(nlh, NULL, NULL);
}

int nl_veth_create(const char *name, const char *peer, const unsigned char *mac,
		   unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_newlink(buf, 0, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo, *info_data, *peer_info;
	struct ifinfomsg *peer_ifm;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer_ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifm));
	memset(peer_ifm, 0, sizeof(*peer_ifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_nest_end(nlh, peer_info);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nlh, NULL, NULL);
}

int nl_link_set_netns(int ifindex, int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_newlink(buf, ifindex, 0);

	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, netns_fd);
	return nl_request(nlh, NULL, NULL);
}

int nl_link_del(int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_newlink(buf, ifindex, 0);

	nlh->nlmsg_type = RTM_DELLINK;
	return nl_request(nlh, NULL, NULL);
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -EAFNOSUPPORT;
}

int nl_addr_add(int ifindex, int family, const void *addr, unsigned int prefix_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int len = addr_len(family);

	if (len < 0)
		return len;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefix_len;
	ifa->ifa_index = ifindex;
	/* An address handed out by IPAM is ours at once: no tentative phase. */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	return nl_request(nlh, NULL, NULL);
}

int nl_route_add(int ifindex, int family, const void *dst, unsigned int dst_len,
		 const void *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int len = addr_len(family);

	if (len < 0)
		return len;
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst ? dst_len : 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst && dst_len)
		mnl_attr_put(nlh, RTA_DST, len, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, len, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return nl_request(nlh, NULL, NULL);
}

struct addr_list {
	int ifindex;
	int count;
	int max;
	int attr;		/* IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6 */
	int len;		/* 4 or 16 */
	unsigned char *addrs;	/* max entries of len bytes */
};

static int addr_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, IFA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {};
	struct addr_list *al = data;

	if ((int)ifa->ifa_index != al->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, tb);
	if (!tb[al->attr] || mnl_attr_get_payload_len(tb[al->attr]) != al->len)
		return MNL_CB_OK;
	if (al->count < al->max)
		memcpy(al->addrs + al->count * al->len, mnl_attr_get_payload(tb[al->attr]), al->len);
	al->count++;
	return MNL_CB_OK;
}

static int addr_list(struct addr_list *al, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ret = nl_request(nlh, addr_cb, al);
	if (ret)
		return ret;
	return al->max && al->count > al->max ? al->max : al->count;
}

int nl_addr4_list(int ifindex, __be32 *addrs, int max)
{
	struct addr_list al = { .ifindex = ifindex, .max = max, .attr = IFA_LOCAL, .len = 4,
				.addrs = (unsigned char *)addrs };

	return addr_list(&al, AF_INET);
}

int nl_addr6_list(int ifindex, unsigned char (*addrs)[16], int max)
{
	struct addr_list al = { .ifindex = ifindex, .max = max, .attr = IFA_ADDRESS, .len = 16,
				.addrs = (unsigned char *)addrs };

	return addr_list(&al, AF_INET6);
}

unsigned int nl_link_speed(const char *ifname)
{
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	struct ifreq ifr = { .ifr_data = (void *)&cmd };
	unsigned int speed = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
		speed = ethtool_cmd_speed(&cmd);
		if (speed == (unsigned int)SPEED_UNKNOWN)
			speed = 0;
	}
	close(fd);
	return speed;
}

int nl_link_carrier(int fd, const char *ifname)
{
	struct ethtool_value link = { .cmd = ETHTOOL_GLINK };
	struct ifreq ifr = { .ifr_data = (void *)&link };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : !!link.data;
}

static int disable_ipv6_path(const char *ifname, char *path, size_t len)
{
	int n = snprintf(path, len, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sysctl_disable_ipv6_get(const char *ifname)
{
	char path[128], value = 0;
	int fd, n;

	if (disable_ipv6_path(ifname, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &value, 1);
	close(fd);
	return n == 1 ? value == '1' : -EIO;
}

int sysctl_disable_ipv6_set(const char *ifname, int value)
{
	char path[128], c = value ? '1' : '0';
	int fd, n;

	if (disable_ipv6_path(ifname, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = write(fd, &c, 1);
	close(fd);
	return n == 1 ? 0 : -errno;
}
