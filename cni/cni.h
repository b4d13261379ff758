/* SPDX-License-Identifier: GPL-2.0 */
/* The xbond CNI plugin's shared pieces: the spec's error codes, the call, the network config. */
#ifndef XBOND_CNI_H
#define XBOND_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <json-c/json.h>
#include "xbond.h"

/* The CNI spec's error codes; reference plugins use 999 for everything else. */
enum cni_code {
	CNI_ERR_VERSION = 1,		/* incompatible CNI version */
	CNI_ERR_UNSUPPORTED_FIELD = 2,	/* a valid field we do not support */
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_ENV = 4,		/* invalid necessary environment variables */
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,		/* failed to decode content */
	CNI_ERR_CONFIG = 7,		/* invalid network config */
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_INTERNAL = 999,
};

/* Record the error to report (the first one wins) and return -1. */
int cni_fail(enum cni_code code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget a recorded error that turned out not to matter. */
void cni_fail_clear(void);
/* cni_fail with xbond's last logged warning as the message. */
int cni_fail_logged(enum cni_code code, const char *what);

/* What the runtime passed: the environment variables and stdin. */
struct cni_call {
	const char *command;		/* ADD, DEL, CHECK or VERSION */
	const char *container_id;
	const char *netns;		/* a path; DEL may come without one */
	const char *ifname;
	const char *path;		/* CNI_PATH, where IPAM plugins are */
	const char *config;		/* stdin, NUL-terminated */
	size_t config_len;
};

struct cni_link {
	char name[IF_NAMESIZE];
};

struct cni_conf {
	json_object *root;		/* the whole network config; owns the rest */
	const char *version;		/* cniVersion */
	bool links_in_container;	/* false: move the links in from the host */
	unsigned int n_links;
	struct cni_link links[XBOND_MAX_MEMBERS];
	const char *ipam_type;		/* NULL: no IPAM */
	json_object *prev_result;	/* CHECK and DEL; may be NULL */
	bool monitor;
	struct xbond_request req;	/* the bond as xbondload would make it */
};

/* The spec versions we speak, oldest first, NULL-terminated. */
extern const char *const cni_versions[];
bool cni_version_supported(const char *v);
/* a < b as spec versions ("0.3.1" < "0.4.0" < "1.0.0"). */
bool cni_version_older(const char *a, const char *b);

/* Parse the network config on stdin; false: only what DEL needs must be valid. */
int cni_conf_parse(const struct cni_call *call, struct cni_conf *conf, bool full);
void cni_conf_free(struct cni_conf *conf);

int cni_add(const struct cni_call *call, struct cni_conf *conf);
int cni_del(const struct cni_call *call, struct cni_conf *conf);
int cni_check(const struct cni_call *call, struct cni_conf *conf);

#endif /* XBOND_CNI_H */
