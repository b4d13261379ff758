/* SPDX-License-Identifier: GPL-2.0 */
/* Delegating IPAM to the plugin the config names, and putting its answer on the bond. */
#ifndef XBOND_CNI_IPAM_H
#define XBOND_CNI_IPAM_H

#include <json-c/json.h>
#include "cni.h"

/*
 * Run the IPAM plugin with command (ADD, DEL or CHECK) and our own stdin, in
 * the current network namespace. On ADD, *result gets its result (owned by the
 * caller). An error from the plugin is passed on with its code.
 */
int ipam_exec(const struct cni_call *call, const struct cni_conf *conf, const char *command,
	      json_object **result);

/* Add result's addresses and routes to the link, in the current namespace. */
int ipam_apply(json_object *result, int ifindex);
/* Check that result's addresses are on the link. */
int ipam_check(json_object *result, int ifindex);

#endif /* XBOND_CNI_IPAM_H */
