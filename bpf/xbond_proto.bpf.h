/* SPDX-License-Identifier: GPL-2.0 */
/* Protocol constants that vmlinux.h lacks (they are #defines in UAPI headers, which BPF code here must not mix in). */
#ifndef XBOND_PROTO_BPF_H
#define XBOND_PROTO_BPF_H

#define ETH_ALEN		6
#define ETH_P_IP		0x0800
#define ETH_P_ARP		0x0806
#define ETH_P_8021Q		0x8100
#define ETH_P_8021AD		0x88A8
#define ETH_P_IPV6		0x86DD

#define ARPHRD_ETHER		1
#define ARPOP_REQUEST		1

#define IPPROTO_ICMPV6		58
#define IP_MF			0x2000
#define IP_OFFSET		0x1FFF

#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_SOURCE_QUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12
#define ICMP_TIMESTAMP		13
#define ICMP_TIMESTAMPREPLY	14
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define ICMPV6_INFOMSG_MASK	0x80
#define NDISC_ROUTER_SOLICITATION	133
#define NDISC_REDIRECT		137

#define TC_ACT_OK		0
#define TC_ACT_SHOT		2

#define XBOND_VLAN_MAX_DEPTH	2	/* 802.1ad outer + 802.1Q inner */

#endif /* XBOND_PROTO_BPF_H */
