/* SPDX-License-Identifier: GPL-2.0 */
/* A private network namespace with real veth pairs, for the runs that need real ifindexes. */
#ifndef NETNS_H
#define NETNS_H

#define NETNS_VETHS	3

struct netns_env {
	int member[NETNS_VETHS];	/* xbt0..: what configs name as members */
	int peer[NETNS_VETHS];		/* their peers: real devices that are not members */
};

/*
 * Move this process into a fresh network namespace and create the veth
 * pairs there, all up. They vanish with the namespace when the process exits.
 */
int netns_setup(struct netns_env *env);

#endif /* NETNS_H */
