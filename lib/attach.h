/* SPDX-License-Identifier: GPL-2.0 */
/* Loading xbond's BPF objects into a bond's pin directory, and attaching their programs to links. */
#ifndef XBOND_ATTACH_H
#define XBOND_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

/*
 * Load tx_select and rx_filter with their maps pinned by name under dir, and
 * pin the programs (tx_select, rx_filter, rx_redirect, rx_filter_tc) there
 * too, so later runs attach the very same programs.
 */
int xbond_load_objects(const char *dir, int bond_ifindex);

/* tx_select on the logical interface's tc egress. */
int xbond_attach_tx(const char *dir, int bond_ifindex);

/*
 * A member's receive side. With try_native: rx_filter as native XDP and
 * rx_redirect on tc ingress. Without, or where native XDP fails: rx_filter_tc
 * alone on tc ingress, never generic XDP, which skips skbs a tc program
 * redirected into the member. Sets XBOND_MEMBER_RX_TC and
 * XBOND_MEMBER_HAD_CLSACT in *member_flags. Undoes itself on failure.
 */
int xbond_attach_member(const char *dir, int ifindex, bool try_native,
			__u32 *member_flags);
/*
 * Take off what member_flags say was attached, where it is still our program,
 * and a clsact qdisc we made once no filter is left on it. Best effort: a
 * member that is gone has nothing left to detach.
 */
void xbond_detach_member(const char *dir, int ifindex, __u32 member_flags);

#endif /* XBOND_ATTACH_H */
