// SPDX-License-Identifier: GPL-2.0
/* State directories: reaching PID 1's mount namespace, mounting bpffs there, root-only directories, locking and removal. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "maps/xbond_abi.h"
#include "log.h"
#include "pins.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define BPFFS_MOUNT	"/sys/fs/bpf"

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

int xbond_netns_ino(unsigned long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

/* Our ancestor's parent, from /proc/<pid>/status; 0 at the top or if unreadable. */
static pid_t parent_of(pid_t pid)
{
	char path[64], line[128];
	pid_t ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

/*
 * The host's mount namespace: PID 1's, or where PID 1 hides it, that of our
 * outermost ancestor we may look at. `ip netns exec` runs us in a private one
 * below its caller's.
 */
static int host_mntns_fd(void)
{
	char path[64];
	pid_t pid;
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC), up;

	for (pid = getppid(); fd < 0 && pid > 1; pid = parent_of(pid)) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		up = open(path, O_RDONLY | O_CLOEXEC);
		if (up < 0)
			continue;
		if (fd >= 0)
			close(fd);
		fd = up;
	}
	return fd;
}

int xbond_join_host_mntns(void)
{
	struct stat self, host;
	int fd, cwd, ret = 0;

	fd = host_mntns_fd();
	if (fd < 0)
		return 0;	/* nobody above us: we are the host */
	if (stat("/proc/self/ns/mnt", &self) || fstat(fd, &host) ||
	    (self.st_ino == host.st_ino && self.st_dev == host.st_dev)) {
		close(fd);
		return 0;
	}
	/* Keep the working directory: relative paths on the command line stay good. */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (setns(fd, CLONE_NEWNS))
		ret = -errno;
	if (cwd >= 0) {
		if (!ret && fchdir(cwd))
			pr_debug("cannot keep the working directory: %s\n", strerror(errno));
		close(cwd);
	}
	close(fd);
	return ret;
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mount_bpffs(void)
{
	return mount("bpf", BPFFS_MOUNT, "bpf", 0, "mode=0700") ? -errno : 0;
}

/*
 * A directory xbond may trust: made root-only if missing, and refused unless
 * it is a real directory owned by root that nobody else can write to (bpffs
 * and /run are world-writable: anyone could have made it first).
 */
static int trusted_dir(const char *path, bool create)
{
	struct stat st;

	if (create && mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		pr_warn("%s is not a root-only directory (%s, owner %u, mode %04o); "
			"refusing to use it: remove it\n", path,
			S_ISLNK(st.st_mode) ? "a symlink" : S_ISDIR(st.st_mode) ?
			"a directory" : "not a directory", st.st_uid, st.st_mode & 07777);
		return -EPERM;
	}
	return 0;
}

/* The run root, made and verified: also the lock that orders bpffs mounting. */
int xbond_run_root(char *buf, size_t len, bool create)
{
	int n = snprintf(buf, len, "%s", XBOND_RUN_ROOT);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : trusted_dir(buf, create);
}

/* Make sure PID 1 has bpffs at /sys/fs/bpf; two first commands must not mount it twice. */
static int ensure_bpffs(void)
{
	char run[PATH_MAX];
	int ret, fd;

	if (is_bpffs(BPFFS_MOUNT))
		return 0;
	ret = xbond_run_root(run, sizeof(run), true);
	if (ret)
		return ret;
	fd = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		ret = -errno;
		goto out;
	}
	if (!is_bpffs(BPFFS_MOUNT)) {
		ret = mount_bpffs();
		if (ret)
			pr_warn("cannot mount bpffs at %s: %s\n", BPFFS_MOUNT, strerror(-ret));
		else
			pr_info("mounted bpffs at %s\n", BPFFS_MOUNT);
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int ino_dir(const char *root, unsigned long ino, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%lu", root, ino);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xbond_netns_dir(char *buf, size_t len, bool create)
{
	unsigned long ino = 0;
	int ret;

	ret = xbond_netns_ino(&ino);
	if (!ret && create)
		ret = ensure_bpffs();
	if (!ret && create)
		ret = trusted_dir(XBOND_PIN_ROOT, true);
	if (!ret)
		ret = ino_dir(XBOND_PIN_ROOT, ino, buf, len);
	if (!ret && create)
		ret = trusted_dir(buf, true);
	return ret;
}

int xbond_netns_dir_of(unsigned long netns_ino, char *buf, size_t len)
{
	return ino_dir(XBOND_PIN_ROOT, netns_ino, buf, len);
}

int xbond_bond_dir(const char *name, char *buf, size_t len, bool create)
{
	char nsdir[PATH_MAX];
	int ret, n;

	ret = xbond_netns_dir(nsdir, sizeof(nsdir), create);
	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%s", nsdir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xbond_run_dir(char *buf, size_t len, bool create)
{
	char root[PATH_MAX];
	unsigned long ino = 0;
	int ret;

	ret = xbond_netns_ino(&ino);
	if (!ret)
		ret = xbond_run_root(root, sizeof(root), create);
	if (!ret)
		ret = ino_dir(root, ino, buf, len);
	if (!ret && create)
		ret = trusted_dir(buf, true);
	return ret;
}

int xbond_members_dir(char *buf, size_t len, bool create)
{
	char run[PATH_MAX];
	int ret = xbond_run_dir(run, sizeof(run), create), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/members", run);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return create ? trusted_dir(buf, true) : 0;
}

/* Namespaces met so far in a walk, by device and inode. */
struct netns_seen {
	unsigned int n;
	struct {
		dev_t dev;
		ino_t ino;
	} ns[1024];
};

/* Whether the namespace at fd is new to the walk; it is noted if so. */
static bool netns_new(struct netns_seen *seen, int fd)
{
	struct stat st;
	unsigned int i;

	if (fstat(fd, &st))
		return false;
	for (i = 0; i < seen->n; i++)
		if (seen->ns[i].dev == st.st_dev && seen->ns[i].ino == st.st_ino)
			return false;
	if (seen->n == sizeof(seen->ns) / sizeof(seen->ns[0]))
		return false;
	seen->ns[seen->n].dev = st.st_dev;
	seen->ns[seen->n++].ino = st.st_ino;
	return true;
}

/* Open path as a namespace; call fn if it is one we have not met. */
static int netns_visit(struct netns_seen *seen, const char *path, const char *label,
		       int (*fn)(int, const char *, void *), void *data)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return 0;
	if (netns_new(seen, fd))
		ret = fn(fd, label, data);
	close(fd);
	return ret;
}

int xbond_netns_each(int (*fn)(int netns_fd, const char *label, void *data), void *data)
{
	struct netns_seen *seen = calloc(1, sizeof(*seen));
	char path[PATH_MAX], label[NAME_MAX + 16];
	struct dirent *de;
	int self, ret = 0;
	DIR *d;

	if (!seen)
		return -ENOMEM;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0) {
		netns_new(seen, self);
		close(self);
	}
	d = opendir("/run/netns");
	while (!ret && d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		snprintf(label, sizeof(label), "%s", de->d_name);
		ret = netns_visit(seen, path, label, fn, data);
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (!ret && d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		snprintf(label, sizeof(label), "pid %s's", de->d_name);
		ret = netns_visit(seen, path, label, fn, data);
	}
	if (d)
		closedir(d);
	free(seen);
	return ret;
}

int xbond_in_netns(int netns_fd, int (*fn)(void *data), void *data)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ret;

	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET)) {
		ret = -errno;
		close(self);
		return ret;
	}
	ret = fn(data);
	/* Coming back cannot fail where going there did not: we held our own. */
	if (setns(self, CLONE_NEWNET))
		pr_warn("cannot return to our network namespace: %s\n", strerror(errno));
	close(self);
	return ret;
}

static int nsid_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NETNSA_NSID &&
	    mnl_attr_get_payload_len(attr) == sizeof(__s32))
		*(int *)data = (__s32)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr, data);
	return MNL_CB_OK;
}

int xbond_netns_id_of(int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	struct mnl_socket *nl;
	int nsid = -1, n;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, netns_fd);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) >= 0 &&
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0 &&
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, n, 1, mnl_socket_get_portid(nl), nsid_cb, &nsid);
	mnl_socket_close(nl);
	return nsid;
}

int xbond_lock(int wait_ms)
{
	struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	char dir[PATH_MAX];
	int fd, ret, waited = 0;

	ret = xbond_netns_dir(dir, sizeof(dir), true);
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
