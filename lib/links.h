/* SPDX-License-Identifier: GPL-2.0 */
/* What is set on the bond reaches its members, as a kernel bond passes MTU, MAC and carrier on. */
#ifndef XBOND_LINKS_H
#define XBOND_LINKS_H

#include <stdbool.h>
#include "bond.h"

/*
 * Give every member, the hidden peer and the bond mtu, all or none: on a
 * failure everything goes back to old_mtu and the error is returned.
 */
int xbond_apply_mtu(const struct xbond_handle *h, unsigned int mtu, unsigned int old_mtu);

/*
 * Give every member and the bond mac, and record it in the bond, all or none.
 * The caller publishes, so the data plane learns the new MAC.
 */
int xbond_apply_mac(struct xbond_handle *h, const unsigned char *mac);

/* Give one link mac: live where the driver allows, else down, set, up. */
int xbond_set_link_mac(int ifindex, const unsigned char *mac);

/* The bond's carrier follows its members: off while none is usable. */
int xbond_set_carrier(const struct xbond_handle *h, bool on);

#endif /* XBOND_LINKS_H */
