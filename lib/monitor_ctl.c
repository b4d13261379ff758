// SPDX-License-Identifier: GPL-2.0
/* Locked pid files under /run/xbond, and spawning xbondmon detached from its caller. */
#define _GNU_SOURCE
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

#ifndef XBOND_SBINDIR
#define XBOND_SBINDIR	"/usr/local/sbin"
#endif

/* XBOND_RUN_DIR/<netns inode>/<name>.<ext>, with the directories made if create. */
static int run_path_in(unsigned long ino, const char *name, const char *ext, char *buf,
		       size_t len, bool create)
{
	int n;

	if (create && mkdir(XBOND_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	n = snprintf(buf, len, "%s/%lu", XBOND_RUN_DIR, ino);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	n = snprintf(buf, len, "%s/%lu/%s.%s", XBOND_RUN_DIR, ino, name, ext);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int run_path(const char *name, const char *ext, char *buf, size_t len, bool create)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	return run_path_in(st.st_ino, name, ext, buf, len, create);
}

static pid_t read_pid(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return (pid_t)atoi(buf);
}

int xbond_pidfile_hold(const char *name, pid_t *holder)
{
	char path[PATH_MAX], buf[32];
	int fd, ret, n;

	ret = run_path(name, "pid", path, sizeof(path), true);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
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

static pid_t locked_pid(const char *path)
{
	pid_t pid = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* Free lock: the monitor is gone, whatever the file says. */
	if (flock(fd, LOCK_SH | LOCK_NB))
		pid = read_pid(fd);
	close(fd);
	return pid;
}

pid_t xbond_monitor_pid(const char *name)
{
	char path[PATH_MAX];

	return run_path(name, "pid", path, sizeof(path), false) ? 0 : locked_pid(path);
}

pid_t xbond_monitor_pid_in(unsigned long netns_ino, const char *name)
{
	char path[PATH_MAX];

	return run_path_in(netns_ino, name, "pid", path, sizeof(path), false) ? 0 :
	       locked_pid(path);
}

/* Poll (10 ms steps) until the monitor for name is running (want) or not. */
static int wait_running(const char *name, bool want, int timeout_ms)
{
	struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if (!!xbond_monitor_pid(name) == want)
			return 0;
		nanosleep(&step, NULL);
	}
	return -ETIMEDOUT;
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

int xbond_monitor_start(const char *name)
{
	char exe[PATH_MAX], log_path[PATH_MAX];
	int ret, status;
	pid_t pid;

	ret = exe_dir_path("xbondmon", exe, sizeof(exe));
	if (!ret)
		ret = run_path(name, "log", log_path, sizeof(log_path), true);
	if (ret)
		return ret;
	/* A CNI plugin lives in the runtime's plugin directory, not next to it. */
	if (access(exe, X_OK) && !access(XBOND_SBINDIR "/xbondmon", X_OK))
		snprintf(exe, sizeof(exe), "%s", XBOND_SBINDIR "/xbondmon");
	if (access(exe, X_OK)) {
		pr_warn("cannot run %s: %s\n", exe, strerror(errno));
		return -errno;
	}

	/* Fork twice so the monitor is nobody's child and outlives us. */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd;

		setsid();
		if (fork())
			_exit(0);
		/* Keep none of the caller's fds: a runtime waits for its pipes' EOF. */
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		close_range(3, ~0U, 0);
		execl(exe, "xbondmon", "--name", name, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	ret = wait_running(name, true, 2000);
	if (ret)
		pr_warn("%s: the monitor did not start; see %s\n", name, log_path);
	return ret;
}

int xbond_monitor_stop(const char *name)
{
	pid_t pid = xbond_monitor_pid(name);

	if (!pid)
		return 0;
	kill(pid, SIGTERM);
	if (!wait_running(name, false, 1000))
		return 0;
	kill(pid, SIGKILL);
	return wait_running(name, false, 1000);
}

void xbond_monitor_forget(const char *name)
{
	char path[PATH_MAX];

	if (run_path(name, "pid", path, sizeof(path), false))
		return;
	unlink(path);
	if (run_path(name, "log", path, sizeof(path), false))
		return;
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);	/* if no other bond's files are there */
}
