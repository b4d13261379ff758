/* SPDX-License-Identifier: GPL-2.0 */
/* Where a bond's pins live, keyed on the network namespace, and the lock that serialises its writers. */
#ifndef XBOND_PINS_H
#define XBOND_PINS_H

#include <stddef.h>
#include <linux/types.h>

/* Enter the network namespace named under /run/netns, or at a path. */
int xbond_enter_netns(const char *name_or_path);

/* This network namespace's never-reused cookie (SO_NETNS_COOKIE). */
int xbond_netns_cookie(__u64 *cookie);

/*
 * Make sure bpffs is at /sys/fs/bpf (mounting it if need be) and fill buf with
 * this namespace's pin directory, XBOND_PIN_ROOT/<netns inode>, creating it.
 */
int xbond_netns_dir(char *buf, size_t len);

/* The pin directory of bond name in this namespace (not created). */
int xbond_bond_dir(const char *name, char *buf, size_t len);

/*
 * Take the namespace's writer lock, waiting up to wait_ms. Returns the fd to
 * pass to xbond_unlock, or a negative errno (-EWOULDBLOCK on time-out).
 */
int xbond_lock(int wait_ms);
void xbond_unlock(int fd);

/* Remove a pin directory and everything pinned in it. */
int xbond_remove_dir(const char *dir);

#endif /* XBOND_PINS_H */
