// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's two processes, guard and worker, each bringing the other back
 * when it dies: the kernel's miimon cannot be killed, and ours should at least
 * come back by itself, without systemd. Both are started detached (nobody's
 * child), so each watches the other through a pidfd, and nobody reaps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "xbond.h"
#include "monitor.h"

#define SELF_EXE		"/proc/self/exe"
#define START_TIMEOUT_MS	2000
#define STOP_TIMEOUT_MS		1000
/* Restarts closer together than this are spaced out: a crash loop must not spin. */
#define RESTART_GAP_NS		(200ULL * 1000 * 1000)

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/*
 * Start the partner role from our own binary, with our own arguments. By its
 * path, so that ps and pgrep show its name; through /proc/self/exe only if the
 * file was replaced or removed under us.
 */
static int spawn(const struct monitor *mon, enum xbond_monitor_role role)
{
	char *argv[MONITOR_MAX_ARGS + 2], exe[PATH_MAX];
	unsigned int i, n = 0;
	ssize_t len;

	for (i = 0; mon->exec_argv[i] && n < MONITOR_MAX_ARGS; i++)
		argv[n++] = mon->exec_argv[i];
	if (role == XBOND_MONITOR_WORKER)
		argv[n++] = "--worker";
	argv[n] = NULL;
	len = readlink(SELF_EXE, exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	if (len <= 0 || access(exe, X_OK))
		snprintf(exe, sizeof(exe), "%s", SELF_EXE);
	return xbond_spawn_detached(exe, argv, NULL);
}

/* A pidfd on the process now running in role, starting it if none runs. */
static int partner_fd(struct monitor *mon, enum xbond_monitor_role role)
{
	pid_t pid = xbond_monitor_role_pid(mon->name, role);
	int ret, fd;

	if (!pid) {
		ret = spawn(mon, role);
		if (!ret)
			ret = xbond_monitor_wait(mon->name, role, true, START_TIMEOUT_MS);
		if (ret)
			return ret;
		pid = xbond_monitor_role_pid(mon->name, role);
	}
	fd = pidfd_open(pid);
	return fd < 0 ? -errno : fd;
}

static bool bond_gone(const struct monitor *mon)
{
	struct stat st;

	return stat(mon->h.dir, &st) && errno == ENOENT;
}

/* The partner in role exited: bring it back unless its exit was wanted. Returns the new pidfd. */
static int partner_lost(struct monitor *mon, enum xbond_monitor_role role, int pidfd,
			__u64 *last_restart_ns)
{
	const char *what = role == XBOND_MONITOR_WORKER ? "worker" : "guard";
	__u64 now = xbond_now_ns();
	int fd;

	close(pidfd);
	if (xbond_pidfile_stopped(mon->name, role) || bond_gone(mon))
		return -ENOENT;
	if (now - *last_restart_ns < RESTART_GAP_NS)
		nanosleep(&(struct timespec){ .tv_nsec = RESTART_GAP_NS }, NULL);
	*last_restart_ns = xbond_now_ns();
	monitor_log(mon, "monitor restart", "-", role == XBOND_MONITOR_WORKER ?
		    "the worker died; starting a new one" : "the guard died; starting a new one");
	fd = partner_fd(mon, role);
	if (fd < 0)
		pr_warn("%s: cannot restart the monitor's %s: %s\n", mon->name, what,
			strerror(-fd));
	return fd;
}

/* Wait up to timeout_ms for the process behind pidfd to exit. */
static void wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	poll(&pfd, 1, timeout_ms);
}

int guard_run(struct monitor *mon)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	__u64 last_restart = 0;
	int sfd, epfd, worker, n;
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	worker = partner_fd(mon, XBOND_MONITOR_WORKER);
	if (sfd < 0 || epfd < 0 || worker < 0) {
		pr_warn("%s: cannot start the monitor's worker: %s\n", mon->name,
			strerror(worker < 0 ? -worker : errno));
		return -1;
	}
	ev.data.fd = sfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = worker;
	epoll_ctl(epfd, EPOLL_CTL_ADD, worker, &ev);
	for (;;) {
		n = epoll_wait(epfd, &got, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || got.data.fd == sfd)
			break;
		worker = partner_lost(mon, XBOND_MONITOR_WORKER, worker, &last_restart);
		if (worker < 0) {
			xbond_pidfile_mark_stopped(mon->pidfile_fd);
			return worker == -ENOENT ? 0 : -1;
		}
		ev.data.fd = worker;
		epoll_ctl(epfd, EPOLL_CTL_ADD, worker, &ev);
	}
	/* Asked to stop: mark it first, so the worker does not bring us back. */
	xbond_pidfile_mark_stopped(mon->pidfile_fd);
	syscall(SYS_pidfd_send_signal, worker, SIGTERM, NULL, 0);
	wait_exit(worker, STOP_TIMEOUT_MS);
	return 0;
}

int guard_watch(struct monitor *mon)
{
	return partner_fd(mon, XBOND_MONITOR_GUARD);
}

int guard_lost(struct monitor *mon, int pidfd)
{
	return partner_lost(mon, XBOND_MONITOR_GUARD, pidfd, &mon->last_restart_ns);
}
