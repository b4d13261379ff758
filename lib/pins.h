/* SPDX-License-Identifier: GPL-2.0 */
/* Where xbond keeps its state (pins in bpffs, run files), keyed on the network namespace, and the lock that serialises writers. */
#ifndef XBOND_PINS_H
#define XBOND_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Run files (monitor pid files and logs, CNI records): XBOND_RUN_ROOT/<netns inode>/. */
#define XBOND_RUN_ROOT	"/run/xbond"

/* Enter the network namespace named under /run/netns, or at a path. */
int xbond_enter_netns(const char *name_or_path);

/* This network namespace's never-reused cookie (SO_NETNS_COOKIE). */
int xbond_netns_cookie(__u64 *cookie);
/* This network namespace's inode number, as /run/netns/NAME shows it. */
int xbond_netns_ino(unsigned long *ino);

/*
 * xbond's state belongs to the host, as a kernel bond belongs to the kernel:
 * it lives in the host's mount namespace, whatever mount namespace we were
 * started in. `ip netns exec` gives a private one with a fresh /sys that
 * hides the host's bpffs; pins made there would die with the command. So
 * every tool first joins the mount namespace of PID 1, or, where PID 1 hides
 * it, that of its outermost ancestor it may look at (the shell that ran `ip
 * netns exec`). Only the mount namespace changes: the network namespace is
 * still the one we run in. Call it first thing, single-threaded.
 */
int xbond_join_host_mntns(void);

/*
 * This namespace's pin directory, XBOND_PIN_ROOT/<netns inode>. With create,
 * bpffs is mounted in PID 1's mount namespace if it is not (mode 0700), and
 * the directories are made root-only and verified; without, nothing on the
 * system changes (for readers such as xbondctl status).
 */
int xbond_netns_dir(char *buf, size_t len, bool create);
/* The same for another namespace, by its inode; never creates. */
int xbond_netns_dir_of(unsigned long netns_ino, char *buf, size_t len);

/* The pin directory of bond name in this namespace; the bond's own directory is never created. */
int xbond_bond_dir(const char *name, char *buf, size_t len, bool create);

/* This namespace's run directory, XBOND_RUN_ROOT/<netns inode>, as xbond_netns_dir. */
int xbond_run_dir(char *buf, size_t len, bool create);
/* Where member records live (lib/member_records.h): <run dir>/members, as xbond_run_dir. */
int xbond_members_dir(char *buf, size_t len, bool create);

/* The run directory root itself (for the CNI plugin's records), root-only. */
int xbond_run_root(char *buf, size_t len, bool create);

/*
 * Take the namespace's writer lock, waiting up to wait_ms. Returns the fd to
 * pass to xbond_unlock, or a negative errno (-EWOULDBLOCK on time-out).
 */
int xbond_lock(int wait_ms);
void xbond_unlock(int fd);

/*
 * Every other network namespace we can reach: those named under /run/netns,
 * then those of running processes, each once. fn(fd, label, data) is called
 * from our own namespace with an fd on the other and a label for messages
 * ("blue", "pid 1234's"); a non-zero return stops the walk and is returned.
 */
int xbond_netns_each(int (*fn)(int netns_fd, const char *label, void *data), void *data);
/* Run fn(data) inside the namespace at netns_fd, then come back. fn's return, or -errno. */
int xbond_in_netns(int netns_fd, int (*fn)(void *data), void *data);
/* The id this namespace gives the one at netns_fd (RTM_GETNSID), or -1 if it gives none. */
int xbond_netns_id_of(int netns_fd);

/* Remove a pin directory and everything pinned in it. */
int xbond_remove_dir(const char *dir);

#endif /* XBOND_PINS_H */
