/* SPDX-License-Identifier: GPL-2.0 */
/* Loading xbond's BPF objects into a bond's pin directory, and attaching their programs to links. */
#ifndef XBOND_ATTACH_H
#define XBOND_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

/*
 * Load tx_select and rx_filter with their maps pinned by name under dir, and
 * pin the programs there too, so later runs attach the very same programs.
 */
int xbond_load_objects(const char *dir, int bond_ifindex);

/* tx_select on the logical interface's tc egress. */
int xbond_attach_tx(const char *dir, int bond_ifindex);

/*
 * rx_filter as XDP (native, or generic if native fails or if generic is asked
 * for) and rx_redirect on tc ingress. Sets XBOND_MEMBER_HAD_CLSACT and
 * XBOND_MEMBER_XDP_SKB in *member_flags. Undoes itself on failure.
 */
int xbond_attach_member(const char *dir, int ifindex, bool force_generic,
			__u32 *member_flags);
/* Best effort: a member that is gone has nothing left to detach. */
void xbond_detach_member(const char *dir, int ifindex, __u32 member_flags);

/* Our tx_select, or rx_filter and rx_redirect, are the programs attached; else a message. */
int xbond_check_tx(const char *dir, int bond_ifindex);
int xbond_check_member(const char *dir, int ifindex);

#endif /* XBOND_ATTACH_H */
