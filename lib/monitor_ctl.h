/* SPDX-License-Identifier: GPL-2.0 */
/* Starting, finding and stopping a bond's monitor: a worker and the guard that restarts it, each behind a locked pid file. */
#ifndef XBOND_MONITOR_CTL_H
#define XBOND_MONITOR_CTL_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * A bond's monitor is two processes of one binary that restart each other:
 * the guard (pid file <name>.pid) and the worker that watches the members
 * (<name>.worker). Each holds an exclusive lock on its file for life; on a
 * clean stop it writes "stopped" there first, so its partner knows the exit
 * was wanted and does not bring it back.
 */
enum xbond_monitor_role {
	XBOND_MONITOR_GUARD,
	XBOND_MONITOR_WORKER,
};

/*
 * How to run the monitor. Unset, it is xbondmon next to the running binary,
 * else in XBOND_SBINDIR. A front end that carries the monitor in itself (the
 * CNI plugin) names itself and the subcommand.
 */
struct xbond_monitor_cmd {
	const char *path;
	const char *subcommand;		/* argv[1], or NULL */
};
extern struct xbond_monitor_cmd xbond_monitor_cmd;

/*
 * Take bond name's pid file of role for this process and keep it locked for
 * life. Returns the fd, or -EEXIST (and *holder) if a live process holds it.
 */
int xbond_pidfile_hold(const char *name, enum xbond_monitor_role role, pid_t *holder);
/* Say in our pid file that we stop because we were asked to, or the bond is gone. */
void xbond_pidfile_mark_stopped(int fd);
/* Whether the pid file of role says its last holder stopped cleanly. */
bool xbond_pidfile_stopped(const char *name, enum xbond_monitor_role role);

/* The pid of bond name's process in role, or 0 if none runs. */
pid_t xbond_monitor_role_pid(const char *name, enum xbond_monitor_role role);
/* The pid of the worker: the monitor is running when it is not 0. */
static inline pid_t xbond_monitor_pid(const char *name)
{
	return xbond_monitor_role_pid(name, XBOND_MONITOR_WORKER);
}
/* Poll (10 ms steps) until bond name's process in role is running (want) or not. */
int xbond_monitor_wait(const char *name, enum xbond_monitor_role role, bool want,
		       int timeout_ms);
/* A monitor process (worker, else guard) of the namespace with inode netns_ino, from anywhere. */
pid_t xbond_monitor_pid_in(unsigned long netns_ino, const char *name);

/*
 * Run exe with argv detached from us: a new session, stdin from /dev/null,
 * stdout and stderr to log_path (NULL: keep ours), no other fd of ours, and
 * nobody's child. Returns once the intermediate child is reaped.
 */
int xbond_spawn_detached(const char *exe, char *const argv[], const char *log_path);

/* The log file of bond name's monitor, created if need be. */
int xbond_monitor_log_path(const char *name, char *buf, size_t len);

/*
 * Start bond name's monitor in the background, or wait for the one a guard
 * is already restarting, until its worker holds the pid file.
 */
int xbond_monitor_start(const char *name);

/*
 * Tell the worker that the bond's records changed (SIGHUP): it reads them
 * only then, not on every tick. 0 if it was told or none runs.
 */
int xbond_monitor_notify(const char *name);

/* SIGTERM both, wait up to a second, then SIGKILL. 0 if none was running. */
int xbond_monitor_stop(const char *name);

/* Remove a stopped monitor's pid files and log, for a namespace on its way out. */
void xbond_monitor_forget(const char *name);

/*
 * The monitor's command line, argv[skip] being its name (xbondmon, or the CNI
 * plugin's `xbond monitor`). Exit codes: 0 ok, 1 failure, 2 usage.
 */
int xbondmon_main(int argc, char **argv, int skip);

#endif /* XBOND_MONITOR_CTL_H */
