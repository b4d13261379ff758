// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's watch on its own network namespace. A kernel bond dies with
 * its namespace; ours would keep it alive, since the monitor's two processes
 * are in it. So once nothing but the monitors holds it (no mount of it, as
 * `ip netns add` makes and `ip netns del` removes, and no other process in
 * it), the bond is given back as if its interface were deleted, and the
 * monitor exits. A mount change wakes us (EPOLLPRI on mountinfo); while only
 * processes hold it, a slow tick looks again. A CNI pod whose runtime dropped
 * the namespace before DEL is waited for: DEL enters it through us.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "xbond.h"
#include "monitor.h"

/* How often to look again while only processes (or a CNI DEL to come) hold the namespace. */
#define NETNS_RECHECK_NS	(2ULL * 1000 * 1000 * 1000)
#define MAX_MONITOR_PIDS	64

/* A mount of our namespace (nsfs, root "net:[INO]") in our mount namespace. */
static bool netns_mounted(const struct monitor *mon)
{
	char line[4096], root[48];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return true;	/* cannot tell: keep holding, as before */
	snprintf(root, sizeof(root), " net:[%lu] ", (unsigned long)mon->netns.ino);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, root) && strstr(line, " - nsfs ");
	fclose(f);
	return found;
}

/* The pids of this namespace's live monitors: every bond's guard and worker. */
static unsigned int monitor_pids(pid_t *pids, unsigned int max)
{
	char dir[PATH_MAX], buf[32];
	unsigned int n = 0;
	struct dirent *de;
	const char *ext;
	DIR *d;
	int fd;

	if (xbond_run_dir(dir, sizeof(dir), false))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		ext = strrchr(de->d_name, '.');
		if (!ext || (strcmp(ext, ".pid") && strcmp(ext, ".worker")))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		memset(buf, 0, sizeof(buf));
		/* Held locked by a live monitor: a dead one's pid may be anyone's now. */
		if (flock(fd, LOCK_SH | LOCK_NB) && read(fd, buf, sizeof(buf) - 1) > 0 &&
		    atoi(buf) > 0)
			pids[n++] = atoi(buf);
		close(fd);
	}
	closedir(d);
	return n;
}

/* A process in our namespace that is not one of its monitors, or 0. */
static pid_t netns_process(const struct monitor *mon)
{
	pid_t ours[MAX_MONITOR_PIDS], pid, found = 0;
	unsigned int n, i;
	char path[64];
	struct dirent *de;
	struct stat st;
	DIR *d;

	n = monitor_pids(ours, MAX_MONITOR_PIDS);
	d = opendir("/proc");
	if (!d)
		return -1;	/* cannot tell */
	while (!found && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		for (i = 0; i < n && ours[i] != pid; i++)
			;
		if (pid == getpid() || i < n)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		if (!stat(path, &st) && st.st_ino == mon->netns.ino && st.st_dev == mon->netns.dev)
			found = pid;
	}
	closedir(d);
	return found;
}

/*
 * A CNI ADD recorded this very namespace (inode and cookie) and no DEL has
 * come yet: the runtime drops the namespace's path before or after DEL, and
 * DEL reaches the namespace through us. The state file's first two fields
 * are written by cni/sandbox.c's state_save.
 */
static bool cni_del_to_come(const struct monitor *mon)
{
	char root[PATH_MAX], path[PATH_MAX + 8];
	unsigned long long cookie;
	unsigned long ino;
	struct dirent *de;
	bool found = false;
	FILE *f;
	DIR *d;
	int fd;

	if (xbond_run_root(root, sizeof(root), false))
		return false;
	snprintf(path, sizeof(path), "%s/cni", root);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		f = fd < 0 ? NULL : fdopen(fd, "r");
		if (!f) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		found = fscanf(f, "%lu %llu", &ino, &cookie) == 2 && ino == mon->netns.ino &&
			cookie == mon->netns.cookie;
		fclose(f);
	}
	closedir(d);
	return found;
}

/* What becomes of each member when the namespace goes, as the kernel decides it. */
static void log_members_fate(const struct monitor *mon)
{
	const struct xbond_handle *h = &mon->h;
	struct xbond_link link;
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		if (!h->members[slot].ifindex)
			continue;
		if (nl_link_get(NULL, h->members[slot].ifindex, &link))
			continue;
		if (*link.kind)
			xbond_log_event(LOG_NOTICE, mon->name, "netns gone", link.name,
					"a %s link: given back, then it dies with the namespace",
					link.kind);
		else
			xbond_log_event(LOG_NOTICE, mon->name, "netns gone", link.name,
					"given back; the kernel returns it to the host's namespace");
	}
}

int netns_watch_start(struct monitor *mon)
{
	struct stat st;

	mon->netns_check_at = 0;
	if (stat("/proc/self/ns/net", &st) || xbond_netns_cookie(&mon->netns.cookie))
		return -1;
	mon->netns.ino = st.st_ino;
	mon->netns.dev = st.st_dev;
	/* Every mount or unmount in our mount namespace makes it readable (EPOLLPRI). */
	return open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
}

void netns_watch_check(struct monitor *mon, __u64 now)
{
	pid_t holder;

	mon->netns_check_at = 0;
	if (!mon->netns.ino || netns_mounted(mon))
		return;		/* the next mount change says when to look again */
	holder = netns_process(mon);
	if (holder) {
		mon->netns_check_at = now + NETNS_RECHECK_NS;
		return;
	}
	if (cni_del_to_come(mon)) {
		if (!mon->netns_awaiting_del)
			monitor_log(mon, "netns dropped", "-",
				    "only the monitor holds the namespace; the CNI DEL is awaited");
		mon->netns_awaiting_del = true;
		mon->netns_check_at = now + NETNS_RECHECK_NS;
		return;
	}
	log_members_fate(mon);
	snprintf(mon->bond_lost, sizeof(mon->bond_lost),
		 "its network namespace is gone: nothing but the monitor held it");
}
