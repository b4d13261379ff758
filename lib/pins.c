// SPDX-License-Identifier: GPL-2.0
/* Pin directories: bpffs mounting, per-netns keys, locking and removal. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "maps/xbond_abi.h"
#include "log.h"
#include "pins.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define BPFFS_MOUNT "/sys/fs/bpf"

int xbond_enter_netns(const char *name_or_path)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if (strchr(name_or_path, '/'))
		snprintf(path, sizeof(path), "%s", name_or_path);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name_or_path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		ret = -errno;
	close(fd);
	return ret;
}

int xbond_netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, ret = 0;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		ret = -errno;
	close(fd);
	return ret;
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/*
 * `ip netns exec` remounts /sys in a private mount namespace, so a bpffs
 * mounted there would die, pins and all, when the command exits. Spot that
 * case (we sit in a named netns and /sys/fs/bpf is bare) rather than mount.
 */
static int in_named_netns(void)
{
	struct stat self, named;
	struct dirent *de;
	char path[PATH_MAX];
	int found = 0;
	DIR *dir;

	if (stat("/proc/self/ns/net", &self))
		return 0;
	dir = opendir("/run/netns");
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		found = !stat(path, &named) && named.st_ino == self.st_ino &&
			named.st_dev == self.st_dev;
	}
	closedir(dir);
	return found;
}

static int ensure_bpffs(void)
{
	if (is_bpffs(BPFFS_MOUNT))
		return 0;
	if (in_named_netns()) {
		pr_warn("bpffs is not mounted at %s in this mount namespace (`ip netns exec` "
			"remounts /sys); use --netns NAME instead\n", BPFFS_MOUNT);
		return -ENOENT;
	}
	if (mount("bpf", BPFFS_MOUNT, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_warn("cannot mount bpffs at %s: %s\n", BPFFS_MOUNT, strerror(-err));
		return err;
	}
	pr_info("mounted bpffs at %s\n", BPFFS_MOUNT);
	return 0;
}

static int mkdir_if_missing(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int xbond_netns_dir(char *buf, size_t len)
{
	struct stat st;
	int ret, n;

	ret = ensure_bpffs();
	if (ret)
		return ret;
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	ret = mkdir_if_missing(XBOND_PIN_ROOT);
	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%lu", XBOND_PIN_ROOT, (unsigned long)st.st_ino);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return mkdir_if_missing(buf);
}

int xbond_bond_dir(const char *name, char *buf, size_t len)
{
	char nsdir[PATH_MAX];
	int ret, n;

	ret = xbond_netns_dir(nsdir, sizeof(nsdir));
	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%s", nsdir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xbond_lock(int wait_ms)
{
	struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	char dir[PATH_MAX];
	int fd, ret, waited = 0;

	ret = xbond_netns_dir(dir, sizeof(dir));
	if (ret)
		return ret;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || waited >= wait_ms) {
			ret = -errno;
			close(fd);
			return ret;
		}
		nanosleep(&step, NULL);
		waited += 10;
	}
	return fd;
}

void xbond_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int xbond_remove_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}
