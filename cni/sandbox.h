/* SPDX-License-Identifier: GPL-2.0 */
/* The pod's network namespace: entering it, moving links in and out, and remembering it for DEL. */
#ifndef XBOND_CNI_SANDBOX_H
#define XBOND_CNI_SANDBOX_H

#include <linux/types.h>
#include "cni.h"

/* An fd for the network namespace at path (O_CLOEXEC), or -errno. */
int netns_open(const char *path);
/* Our own namespace, and CNI_NETNS's: an fd, or -1 with the error recorded. */
int netns_self(void);
int netns_pod(const struct cni_call *call);
/* Make fd's namespace the current one; a message and -1 on failure. */
int netns_enter(int fd);

/*
 * Move those of the config's links that are in the current namespace into
 * to_fd's. Tries them all; -1 (the first error recorded) if one failed.
 */
int links_move(const struct cni_conf *conf, int to_fd);
/* Bit i set if the config's links[i] is up in the current namespace. */
__u32 links_up_mask(const struct cni_conf *conf);
/* Bring up the links whose bit is set; best effort. */
void links_set_up(const struct cni_conf *conf, __u32 mask);

/* What DEL needs when the netns path is gone: which namespace held the bond. */
struct sandbox_state {
	unsigned long netns_ino;
	__u64 netns_cookie;
	__u32 links_up;		/* bit i: links[i] was up in the host before ADD */
};

int state_save(const struct cni_call *call, const struct sandbox_state *st);
/* 0, or -ENOENT if ADD never finished for this container and interface. */
int state_load(const struct cni_call *call, struct sandbox_state *st);
void state_remove(const struct cni_call *call);

#endif /* XBOND_CNI_SANDBOX_H */
