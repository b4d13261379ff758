// SPDX-License-Identifier: GPL-2.0
/* Locked pid files in this namespace's run directory, and spawning the monitor detached from its caller. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "log.h"
#include "monitor_ctl.h"
#include "pins.h"

#ifndef XBOND_SBINDIR
#define XBOND_SBINDIR	"/usr/local/sbin"
#endif

#define STOPPED_MARK	"stopped\n"
/* In a namespace's run directory: the cookie of the namespace it is for. */
#define NETNS_COOKIE_FILE	"netns-cookie"

struct xbond_monitor_cmd xbond_monitor_cmd;

static const char *const role_ext[] = {
	[XBOND_MONITOR_GUARD] = "pid",
	[XBOND_MONITOR_WORKER] = "worker",
};

/* <run dir>/<name>.<ext>: the run dir of this namespace, or of netns_ino if not 0. */
static int run_path(unsigned long netns_ino, const char *name, const char *ext, char *buf,
		    size_t len, bool create)
{
	char dir[PATH_MAX];
	int ret, n;

	if (netns_ino) {
		ret = xbond_run_root(dir, sizeof(dir), false);
		n = ret ? ret : snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%lu",
					 netns_ino);
		ret = n < 0 ? n : 0;
	} else {
		ret = xbond_run_dir(dir, sizeof(dir), create);
	}
	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%s.%s", dir, name, ext);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static pid_t read_pid(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return (pid_t)atoi(buf);
}

int xbond_pidfile_hold(const char *name, enum xbond_monitor_role role, pid_t *holder)
{
	char path[PATH_MAX], buf[32];
	int fd, ret, n;

	ret = run_path(0, name, role_ext[role], path, sizeof(path), true);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* A probe (locked_pid) holds a shared lock for a moment: try a few times. */
	for (n = 0; flock(fd, LOCK_EX | LOCK_NB); n++) {
		if (n < 10) {
			nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
			continue;
		}
		*holder = read_pid(fd);
		close(fd);
		return -EEXIST;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

void xbond_pidfile_mark_stopped(int fd)
{
	if (fd >= 0 && !ftruncate(fd, 0) &&
	    pwrite(fd, STOPPED_MARK, strlen(STOPPED_MARK), 0) < 0)
		pr_debug("cannot mark the pid file: %s\n", strerror(errno));
}

bool xbond_pidfile_stopped(const char *name, enum xbond_monitor_role role)
{
	char path[PATH_MAX], buf[16] = "";
	int fd;

	if (run_path(0, name, role_ext[role], path, sizeof(path), false))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0)
		buf[0] = '\0';
	close(fd);
	return !strcmp(buf, STOPPED_MARK);
}

static pid_t locked_pid(const char *path)
{
	pid_t pid = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* Free lock: the process is gone, whatever the file says. */
	if (flock(fd, LOCK_SH | LOCK_NB))
		pid = read_pid(fd);
	close(fd);
	return pid;
}

pid_t xbond_monitor_role_pid(const char *name, enum xbond_monitor_role role)
{
	char path[PATH_MAX];

	return run_path(0, name, role_ext[role], path, sizeof(path), false) ? 0 :
	       locked_pid(path);
}

pid_t xbond_monitor_pid_in(unsigned long netns_ino, const char *name)
{
	enum xbond_monitor_role roles[] = { XBOND_MONITOR_WORKER, XBOND_MONITOR_GUARD };
	char path[PATH_MAX];
	unsigned int i;
	pid_t pid = 0;

	for (i = 0; !pid && i < 2; i++)
		if (!run_path(netns_ino, name, role_ext[roles[i]], path, sizeof(path), false))
			pid = locked_pid(path);
	return pid;
}

int xbond_monitor_wait(const char *name, enum xbond_monitor_role role, bool want,
			int timeout_ms)
{
	struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if (!!xbond_monitor_role_pid(name, role) == want)
			return 0;
		nanosleep(&step, NULL);
	}
	return -ETIMEDOUT;
}

int xbond_spawn_detached(const char *exe, char *const argv[], const char *log_path)
{
	int status, fd;
	pid_t pid;

	/* Fork twice so the new process is nobody's child and outlives us. */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		setsid();
		if (fork())
			_exit(0);
		/* Keep none of the caller's fds: a runtime waits for its pipes' EOF. */
		fd = !log_path ? -1 :
		     open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0 && log_path)
			fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		close_range(3, ~0U, 0);
		execv(exe, argv);
		_exit(127);
	}
	return waitpid(pid, &status, 0) < 0 ? -errno : 0;
}

/*
 * Put a dead namespace's logs aside: the run directory is named by the
 * namespace's inode number, which the kernel reuses, so it also holds the
 * cookie of the namespace it is for (never reused). Logs written for
 * another cookie become <name>.log.old, and the directory is ours.
 */
static void run_dir_claim(void)
{
	char dir[PATH_MAX], buf[32] = "", *ext;
	unsigned long long old;
	struct dirent *de;
	__u64 cookie;
	int dfd, fd, n;
	DIR *d;

	if (xbond_netns_cookie(&cookie) || xbond_run_dir(dir, sizeof(dir), false))
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	fd = openat(dfd, NETNS_COOKIE_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		if (fd >= 0)
			close(fd);
		close(dfd);
		return;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0 && sscanf(buf, "%llu", &old) == 1 && old == cookie)
		goto out;
	/* No cookie yet: a directory from before cookies, or a new one. Either is ours. */
	d = n > 0 ? fdopendir(dup(dfd)) : NULL;
	while (d && (de = readdir(d))) {
		char aside[NAME_MAX + 8];

		ext = strrchr(de->d_name, '.');
		if (!ext || strcmp(ext, ".log"))
			continue;
		snprintf(aside, sizeof(aside), "%s.old", de->d_name);
		if (!renameat(dfd, de->d_name, dfd, aside))
			pr_debug("%s/%s: of an earlier namespace (cookie %llu), now %s\n", dir,
				 de->d_name, old, aside);
	}
	if (d)
		closedir(d);
	n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)cookie);
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		pr_debug("cannot write %s/%s: %s\n", dir, NETNS_COOKIE_FILE, strerror(errno));
out:
	close(fd);	/* and its lock */
	close(dfd);
}

int xbond_monitor_log_path(const char *name, char *buf, size_t len)
{
	int ret = run_path(0, name, "log", buf, len, true);

	if (!ret)
		run_dir_claim();
	return ret;
}

static int exe_dir_path(const char *prog, char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	n = snprintf(buf, len, "%s/%s", self, prog);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The monitor's binary: as set by the front end, else xbondmon near us. */
static int monitor_exe(char *buf, size_t len)
{
	int ret;

	if (xbond_monitor_cmd.path) {
		snprintf(buf, len, "%s", xbond_monitor_cmd.path);
	} else {
		ret = exe_dir_path("xbondmon", buf, len);
		if (ret)
			return ret;
		if (access(buf, X_OK) && !access(XBOND_SBINDIR "/xbondmon", X_OK))
			snprintf(buf, len, "%s", XBOND_SBINDIR "/xbondmon");
	}
	if (access(buf, X_OK)) {
		pr_warn("cannot run %s: %s\n", buf, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Start a guard, which starts the worker. */
static int spawn_guard(const char *name)
{
	char exe[PATH_MAX], log_path[PATH_MAX], *argv[5];
	unsigned int argc = 0;
	int ret;

	ret = monitor_exe(exe, sizeof(exe));
	if (!ret)
		ret = xbond_monitor_log_path(name, log_path, sizeof(log_path));
	if (ret)
		return ret;
	argv[argc++] = xbond_monitor_cmd.subcommand ? "xbond" : "xbondmon";
	if (xbond_monitor_cmd.subcommand)
		argv[argc++] = (char *)xbond_monitor_cmd.subcommand;
	argv[argc++] = "--name";
	argv[argc++] = (char *)name;
	argv[argc] = NULL;
	return xbond_spawn_detached(exe, argv, log_path);
}

int xbond_monitor_start(const char *name)
{
	char log_path[PATH_MAX];
	int ret = 0;

	/* A guard is up: it brings the worker back by itself. */
	if (!xbond_monitor_role_pid(name, XBOND_MONITOR_GUARD))
		ret = spawn_guard(name);
	if (ret)
		return ret;
	ret = xbond_monitor_wait(name, XBOND_MONITOR_WORKER, true, 2000);
	/* The guard we saw was one a kill -9 had not finished off yet. */
	if (ret && !xbond_monitor_role_pid(name, XBOND_MONITOR_GUARD) && !spawn_guard(name))
		ret = xbond_monitor_wait(name, XBOND_MONITOR_WORKER, true, 2000);
	if (ret && !xbond_monitor_log_path(name, log_path, sizeof(log_path)))
		pr_warn("%s: the monitor did not start; see %s\n", name, log_path);
	return ret;
}

int xbond_monitor_notify(const char *name)
{
	pid_t worker = xbond_monitor_pid(name);

	return !worker || !kill(worker, SIGHUP) || errno == ESRCH ? 0 : -errno;
}

static void signal_all(const char *name, int sig)
{
	pid_t guard = xbond_monitor_role_pid(name, XBOND_MONITOR_GUARD);
	pid_t worker = xbond_monitor_role_pid(name, XBOND_MONITOR_WORKER);

	/* The guard first: told to stop, it does not restart the worker. */
	if (guard)
		kill(guard, sig);
	if (worker)
		kill(worker, sig);
}

static int wait_all_gone(const char *name, int timeout_ms)
{
	return xbond_monitor_wait(name, XBOND_MONITOR_GUARD, false, timeout_ms) ?:
	       xbond_monitor_wait(name, XBOND_MONITOR_WORKER, false, timeout_ms);
}

int xbond_monitor_stop(const char *name)
{
	if (!xbond_monitor_role_pid(name, XBOND_MONITOR_GUARD) &&
	    !xbond_monitor_role_pid(name, XBOND_MONITOR_WORKER))
		return 0;
	signal_all(name, SIGTERM);
	if (!wait_all_gone(name, 1000))
		return 0;
	signal_all(name, SIGKILL);
	return wait_all_gone(name, 1000);
}

/* Remove dir's cookie file if nothing else is there: 0 if it was removed. */
static int run_dir_only_cookie(const char *dir)
{
	char path[PATH_MAX + sizeof(NETNS_COOKIE_FILE) + 1];
	struct dirent *de;
	bool other = false;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while (!other && (de = readdir(d)))
		other = strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			strcmp(de->d_name, NETNS_COOKIE_FILE);
	closedir(d);
	if (other)
		return -ENOTEMPTY;
	snprintf(path, sizeof(path), "%s/%s", dir, NETNS_COOKIE_FILE);
	return unlink(path) ? -errno : 0;
}

void xbond_monitor_forget(const char *name)
{
	const char *exts[] = { "pid", "worker", "log" };
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!run_path(0, name, exts[i], path, sizeof(path), false))
			unlink(path);
	if (xbond_run_dir(path, sizeof(path), false))
		return;
	/* The cookie too, if no other bond's files are there. */
	if (rmdir(path) && errno == ENOTEMPTY && !run_dir_only_cookie(path))
		rmdir(path);
}
