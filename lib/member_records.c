// SPDX-License-Identifier: GPL-2.0
/*
 * Member records: one text file per member in the namespace's run directory,
 * written before the member changes; and bonds' journals, written before a
 * create changes anything.
 */
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
#include "log.h"
#include "member_records.h"
#include "pins.h"

/* orig_disable_ipv6 of a member with no IPv6 in its kernel: nothing to put back. */
#define NO_IPV6		0xff

static int record_path(int ifindex, char *buf, size_t len, bool create)
{
	char dir[PATH_MAX];
	int ret = xbond_members_dir(dir, sizeof(dir), create), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%d", dir, ifindex);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void put_mac(FILE *f, const char *key, const __u8 *mac)
{
	fprintf(f, "%s %02x:%02x:%02x:%02x:%02x:%02x\n", key, mac[0], mac[1], mac[2], mac[3],
		mac[4], mac[5]);
}

static bool get_mac(const char *value, __u8 *mac)
{
	unsigned int b[6], i;

	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return true;
}

int xbond_record_write(const struct xbond_member_record *r)
{
	const struct xbond_member *m = &r->m;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	unsigned int i;
	int fd, ret;
	FILE *f;

	ret = record_path(m->ifindex, path, sizeof(path), true);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	fprintf(f, "# what bond %s changed on this link, and what --detach puts back\n",
		r->bond);
	fprintf(f, "bond %s\nbond_ifindex %u\npeer_ifindex %u\nnetns_cookie %llu\n", r->bond,
		r->bond_ifindex, r->peer_ifindex, (unsigned long long)r->netns_cookie);
	fprintf(f, "ifindex %u\nname %s\n", m->ifindex, m->name);
	put_mac(f, "mac", m->orig_mac);
	put_mac(f, "perm_mac", r->perm_mac);
	put_mac(f, "bond_mac", r->bond_mac);
	fprintf(f, "mtu %u\nup %d\n", m->orig_mtu, !!(m->flags & XBOND_MEMBER_WAS_UP));
	if (m->orig_disable_ipv6 == NO_IPV6)
		fprintf(f, "disable_ipv6 none\n");
	else
		fprintf(f, "disable_ipv6 %u\n", m->orig_disable_ipv6);
	fprintf(f, "had_clsact %d\nrx %s\n", !!(m->flags & XBOND_MEMBER_HAD_CLSACT),
		!r->rx_known ? "pending" : m->flags & XBOND_MEMBER_RX_TC ? "tc" : "xdp");
	for (i = 0; i < XBOND_PROG_MAX; i++)
		fprintf(f, "prog %s %u\n", xbond_prog_pin(i), r->prog_id[i]);
	ret = fflush(f) || ferror(f) ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/* One "key value" line into r; false if the value does not parse. */
static bool parse_line(struct xbond_member_record *r, const char *key, const char *value,
		       unsigned int *seen)
{
	struct xbond_member *m = &r->m;
	unsigned long long n;
	char *end;
	unsigned int i;

	if (!strcmp(key, "bond") || !strcmp(key, "name")) {
		snprintf(!strcmp(key, "bond") ? r->bond : m->name, XBOND_NAME_LEN, "%s", value);
		return true;
	}
	if (!strcmp(key, "mac"))
		return get_mac(value, m->orig_mac);
	if (!strcmp(key, "perm_mac"))
		return get_mac(value, r->perm_mac);
	if (!strcmp(key, "bond_mac"))
		return get_mac(value, r->bond_mac);
	if (!strcmp(key, "rx")) {
		r->rx_known = strcmp(value, "pending");
		if (!strcmp(value, "tc"))
			m->flags |= XBOND_MEMBER_RX_TC;
		return true;
	}
	if (!strcmp(key, "disable_ipv6") && !strcmp(value, "none")) {
		m->orig_disable_ipv6 = NO_IPV6;
		return true;
	}
	if (!strcmp(key, "prog")) {
		for (i = 0; i < XBOND_PROG_MAX; i++) {
			size_t len = strlen(xbond_prog_pin(i));

			if (!strncmp(value, xbond_prog_pin(i), len) && value[len] == ' ') {
				r->prog_id[i] = strtoul(value + len + 1, NULL, 10);
				return true;
			}
		}
		return true;	/* a program of a later xbond: not ours to know */
	}
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno || end == value || *end)
		return false;
	if (!strcmp(key, "bond_ifindex"))
		r->bond_ifindex = n;
	else if (!strcmp(key, "peer_ifindex"))
		r->peer_ifindex = n;
	else if (!strcmp(key, "netns_cookie"))
		r->netns_cookie = n, *seen |= 1;
	else if (!strcmp(key, "ifindex"))
		m->ifindex = n, *seen |= 2;
	else if (!strcmp(key, "mtu"))
		m->orig_mtu = n, *seen |= 4;
	else if (!strcmp(key, "up"))
		m->flags |= n ? XBOND_MEMBER_WAS_UP : 0;
	else if (!strcmp(key, "disable_ipv6"))
		m->orig_disable_ipv6 = !!n;
	else if (!strcmp(key, "had_clsact"))
		m->flags |= n ? XBOND_MEMBER_HAD_CLSACT : 0;
	return true;
}

/* Read the record at path; -EINVAL if it is not whole. */
static int read_path(const char *path, struct xbond_member_record *r)
{
	char line[256], *value;
	unsigned int seen = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		value = strchr(line, ' ');
		if (!value)
			continue;
		*value++ = '\0';
		if (!parse_line(r, line, value, &seen)) {
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	return seen == 7 && r->bond[0] ? 0 : -EINVAL;
}

/* The record at path, if it is this namespace's; another's is removed. */
static int read_ours(const char *path, struct xbond_member_record *r)
{
	__u64 cookie = 0;
	int ret = read_path(path, r);

	if (ret)
		return ret;
	if (xbond_netns_cookie(&cookie) || r->netns_cookie != cookie) {
		unlink(path);
		return -ESTALE;
	}
	return 0;
}

int xbond_record_read(int ifindex, struct xbond_member_record *r)
{
	char path[PATH_MAX];
	int ret = record_path(ifindex, path, sizeof(path), false);

	return ret ? ret : read_ours(path, r);
}

void xbond_record_remove(int ifindex)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (record_path(ifindex, path, sizeof(path), false))
		return;
	unlink(path);
	if (!xbond_members_dir(dir, sizeof(dir), false))
		rmdir(dir);	/* once the last is gone */
}

static int by_ifindex(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int xbond_records_each(const char *bond,
		       int (*fn)(const struct xbond_member_record *r, void *data), void *data)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], *end;
	struct xbond_member_record r;
	int ifindex[256], n = 0, i, ret = 0;
	struct dirent *de;
	DIR *d;

	if (xbond_members_dir(dir, sizeof(dir), false))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < (int)(sizeof(ifindex) / sizeof(ifindex[0]))) {
		long v = strtol(de->d_name, &end, 10);

		if (end != de->d_name && !*end && v > 0 && v <= INT_MAX)
			ifindex[n++] = v;
	}
	closedir(d);
	qsort(ifindex, n, sizeof(ifindex[0]), by_ifindex);
	for (i = 0; !ret && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, ifindex[i]);
		if (read_ours(path, &r) || (bond && strcmp(r.bond, bond)))
			continue;
		ret = fn(&r, data);
	}
	return ret;
}

/* The journals' directory, made root-only if create. */
static int journal_dir(char *buf, size_t len, bool create)
{
	char run[PATH_MAX];
	struct stat st;
	int ret = xbond_run_dir(run, sizeof(run), create), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/bonds", run);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (!create)
		return 0;
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(buf, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid || (st.st_mode & 022)) {
		pr_warn("%s: not a root-owned directory that only root may write\n", buf);
		return -EPERM;
	}
	return 0;
}

static int journal_path(const char *bond, char *buf, size_t len, bool create)
{
	char dir[PATH_MAX];
	int ret = journal_dir(dir, sizeof(dir), create), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%s", dir, bond);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Lock fd without waiting, and check that it is still the file at path (not one unlinked meanwhile). */
static int journal_lock(int fd, const char *path)
{
	struct stat held, now;

	if (flock(fd, LOCK_EX | LOCK_NB))
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	if (fstat(fd, &held) || stat(path, &now) || held.st_ino != now.st_ino ||
	    held.st_dev != now.st_dev)
		return -ENOENT;
	return 0;
}

int xbond_journal_write(int fd, const struct xbond_journal *j)
{
	char buf[PATH_MAX + 512];
	int n;

	/*
	 * One write, then the length: a writer killed between them leaves the
	 * new text whole before "end", which is where reading stops.
	 */
	n = snprintf(buf, sizeof(buf),
		     "# how bond %s is being made: what the next xbond command undoes if it was not\n"
		     "bond %s\nstate %s\nstep %s\npeer %s\nbond_ifindex %u\npeer_ifindex %u\n"
		     "netns_cookie %llu\nmade_ns %llu\npin_dir %s\nend\n",
		     j->bond, j->bond, j->state == XBOND_JOURNAL_MADE ? "made" : "creating",
		     j->step[0] ? j->step : "-", j->peer, j->bond_ifindex, j->peer_ifindex,
		     (unsigned long long)j->netns_cookie, (unsigned long long)j->made_ns,
		     j->pin_dir);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	if (pwrite(fd, buf, n, 0) != n)
		return errno ? -errno : -EIO;
	return ftruncate(fd, n) ? -errno : 0;
}

int xbond_journal_begin(const struct xbond_journal *j)
{
	char path[PATH_MAX];
	int fd, ret = journal_path(j->bond, path, sizeof(path), true);

	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ret = journal_lock(fd, path);
	if (!ret)
		ret = xbond_journal_write(fd, j);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static bool journal_line(struct xbond_journal *j, const char *key, const char *value)
{
	unsigned long long n;
	char *end;

	if (!strcmp(key, "bond"))
		snprintf(j->bond, sizeof(j->bond), "%s", value);
	else if (!strcmp(key, "state"))
		j->state = strcmp(value, "made") ? XBOND_JOURNAL_CREATING : XBOND_JOURNAL_MADE;
	else if (!strcmp(key, "step"))
		snprintf(j->step, sizeof(j->step), "%s", strcmp(value, "-") ? value : "");
	else if (!strcmp(key, "peer"))
		snprintf(j->peer, sizeof(j->peer), "%s", value);
	else if (!strcmp(key, "pin_dir"))
		snprintf(j->pin_dir, sizeof(j->pin_dir), "%s", value);
	else {
		errno = 0;
		n = strtoull(value, &end, 10);
		if (errno || end == value || *end)
			return false;
		if (!strcmp(key, "bond_ifindex"))
			j->bond_ifindex = n;
		else if (!strcmp(key, "peer_ifindex"))
			j->peer_ifindex = n;
		else if (!strcmp(key, "netns_cookie"))
			j->netns_cookie = n;
		else if (!strcmp(key, "made_ns"))
			j->made_ns = n;
	}
	return true;
}

int xbond_journal_open(const char *bond, struct xbond_journal *j)
{
	char path[PATH_MAX], line[PATH_MAX + 32], *value;
	bool whole = false;
	__u64 cookie = 0;
	int fd, ret;
	FILE *f;

	memset(j, 0, sizeof(*j));
	ret = journal_path(bond, path, sizeof(path), false);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ret = journal_lock(fd, path);
	if (ret) {
		close(fd);
		return ret;
	}
	f = fdopen(dup(fd), "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "end")) {
			whole = true;
			break;
		}
		value = strchr(line, ' ');
		if (line[0] == '#' || !value)
			continue;
		*value++ = '\0';
		if (!journal_line(j, line, value))
			break;
	}
	if (f)
		fclose(f);
	/*
	 * Another namespace's (its inode number came back) is of no use: the
	 * links it names died with it. One cut short was never begun.
	 */
	if (!whole || strcmp(j->bond, bond) || xbond_netns_cookie(&cookie) ||
	    j->netns_cookie != cookie) {
		unlink(path);
		close(fd);
		return -ENOENT;
	}
	return fd;
}

void xbond_journal_remove(const char *bond)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (journal_path(bond, path, sizeof(path), false))
		return;
	unlink(path);
	if (!journal_dir(dir, sizeof(dir), false))
		rmdir(dir);	/* once the last is gone */
}
