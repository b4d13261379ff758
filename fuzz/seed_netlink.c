// SPDX-License-Identifier: GPL-2.0
/* Write the seed corpus for fuzz_netlink: this namespace's RTM_GETLINK dump, one datagram per file. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], path[4096];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	int n, i = 0;
	FILE *f;

	if (argc != 2 || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = time(NULL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		snprintf(path, sizeof(path), "%s/dump-%d", argv[1], i++);
		f = fopen(path, "w");
		if (!f || fwrite(buf, 1, n, f) != (size_t)n || fclose(f))
			return 1;
		if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE)
			break;
		if (mnl_cb_run(buf, n, 0, 0, NULL, NULL) <= MNL_CB_STOP)
			break;
	}
	mnl_socket_close(nl);
	return 0;
}
