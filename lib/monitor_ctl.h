/* SPDX-License-Identifier: GPL-2.0 */
/* Starting, finding and stopping a bond's xbondmon, through a locked pid file per bond and netns. */
#ifndef XBOND_MONITOR_CTL_H
#define XBOND_MONITOR_CTL_H

#include <sys/types.h>

#define XBOND_RUN_DIR	"/run/xbond"

/*
 * Take bond name's pid file for this process and keep it locked for life.
 * Returns the fd, or -EEXIST (and *holder) if a live monitor holds it.
 */
int xbond_pidfile_hold(const char *name, pid_t *holder);

/* The pid of the monitor running for bond name, or 0. */
pid_t xbond_monitor_pid(const char *name);
/* The same for the namespace with inode netns_ino, from anywhere. */
pid_t xbond_monitor_pid_in(unsigned long netns_ino, const char *name);

/*
 * Start xbondmon (found next to the running binary, else in XBOND_SBINDIR)
 * for bond name in the background, logging to XBOND_RUN_DIR/<netns>/<name>.log,
 * and wait until it holds its pid file.
 */
int xbond_monitor_start(const char *name);

/* SIGTERM, wait up to a second, then SIGKILL. 0 if none was running. */
int xbond_monitor_stop(const char *name);

/* Remove a stopped monitor's pid file and log, for a namespace on its way out. */
void xbond_monitor_forget(const char *name);

#endif /* XBOND_MONITOR_CTL_H */
