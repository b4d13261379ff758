// SPDX-License-Identifier: GPL-2.0
/*
 * The network config on stdin, read with json-c into an xbond_request. Field
 * names follow bond-cni where the meaning is the same; unknown fields (such as
 * podman's capabilities and runtimeConfig) are ignored, as the spec asks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maps/xbond_abi.h"
#include "cni.h"
#include "xbond.h"

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL };

bool cni_version_supported(const char *v)
{
	int i;

	for (i = 0; v && cni_versions[i]; i++)
		if (!strcmp(cni_versions[i], v))
			return true;
	return false;
}

bool cni_version_older(const char *a, const char *b)
{
	unsigned int x[3] = {}, y[3] = {}, i;

	sscanf(a, "%u.%u.%u", &x[0], &x[1], &x[2]);
	sscanf(b, "%u.%u.%u", &y[0], &y[1], &y[2]);
	for (i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i];
	return false;
}

static bool ifname_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len < IF_NAMESIZE && strcmp(name, ".") && strcmp(name, "..") &&
	       !strpbrk(name, "/: \t\n");
}

static json_object *field(json_object *obj, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

static int bad(const char *key, const char *why)
{
	return cni_fail(CNI_ERR_CONFIG, "%s: %s", key, why);
}

static int get_string(json_object *obj, const char *key, const char **out)
{
	json_object *v = field(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(key, "must be a string");
	*out = json_object_get_string(v);
	return 0;
}

static int get_bool(json_object *obj, const char *key, bool *out)
{
	json_object *v = field(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return bad(key, "must be true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

/* A whole number in [min, max]; bond-cni writes some as strings ("miimon": "100"). */
static int get_uint(json_object *obj, const char *key, long min, long max, int *out)
{
	json_object *v = field(obj, key);
	const char *s;
	char *end;
	long n;

	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || !*s || *end)
			n = min - 1;
	} else {
		n = min - 1;
	}
	if (n < min || n > max)
		return cni_fail(CNI_ERR_CONFIG, "%s: must be a whole number from %ld to %ld",
				key, min, max);
	*out = n;
	return 0;
}

/* A string naming one of a NULL-terminated table's entries. */
static int get_choice(json_object *obj, const char *key, const char *const *names, int *out)
{
	const char *s = NULL;
	int i;

	if (get_string(obj, key, &s))
		return -1;
	if (!s)
		return 0;
	i = xbond_choice_parse(names, s);
	if (i < 0) {
		char list[128] = "";

		for (i = 0; names[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", names[i]);
		return cni_fail(CNI_ERR_CONFIG, "%s: '%s' is not one of %s", key, s, list);
	}
	*out = i;
	return 0;
}

/* A link's "weight": its share of the flows in balance-xor, 1 to 255. */
static int parse_weight(json_object *link, const char *name, struct xbond_request *req)
{
	int w = 0;

	if (get_uint(link, "weight", 1, 255, &w))
		return -1;
	if (w && xbond_request_weight(req, name, w))
		return cni_fail_logged(CNI_ERR_CONFIG, "links: too many weights");
	return 0;
}

/* "links": [{"name": "eth1", "weight": 2}, ...]; on DEL, whatever names can be read. */
static int parse_links(json_object *root, struct cni_conf *conf, bool full)
{
	json_object *links = field(root, "links"), *name;
	size_t i, j, n;

	if (!links)
		return full ? bad("links", "missing: name the member links") : 0;
	if (!json_object_is_type(links, json_type_array))
		return full ? bad("links", "must be an array of {\"name\": ...}") : 0;
	n = json_object_array_length(links);
	if (full && n < 2)
		return bad("links", "a bond needs at least 2 links");
	if (full && n > XBOND_MAX_MEMBERS)
		return cni_fail(CNI_ERR_CONFIG, "links: at most %d", XBOND_MAX_MEMBERS);
	for (i = 0; i < n && conf->n_links < XBOND_MAX_MEMBERS; i++) {
		json_object *link = json_object_array_get_idx(links, i);
		const char *s;

		name = json_object_is_type(link, json_type_object) ? field(link, "name") : NULL;
		s = name && json_object_is_type(name, json_type_string) ?
		    json_object_get_string(name) : "";
		if (!ifname_valid(s)) {
			if (!full)
				continue;
			return cni_fail(CNI_ERR_CONFIG,
					"links[%zu]: needs a \"name\" of 1 to %d characters, no '/'",
					i, IF_NAMESIZE - 1);
		}
		for (j = 0; j < conf->n_links; j++)
			if (!strcmp(conf->links[j].name, s))
				break;
		if (j < conf->n_links) {
			if (!full)
				continue;
			return cni_fail(CNI_ERR_CONFIG, "links: %s is listed twice", s);
		}
		snprintf(conf->links[conf->n_links++].name, IF_NAMESIZE, "%s", s);
		if (full && parse_weight(link, s, &conf->req))
			return -1;
	}
	return 0;
}

/* "arpIpTarget": ["10.0.0.1", ...] or "10.0.0.1,10.0.0.2" as the kernel writes it. */
static int parse_arp_targets(json_object *root, struct xbond_request *req)
{
	json_object *v = field(root, "arpIpTarget");
	char buf[512] = "";
	const char *list = buf;
	size_t i, n, used;

	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		list = json_object_get_string(v);
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *t = json_object_array_get_idx(v, i);

			if (!json_object_is_type(t, json_type_string))
				return bad("arpIpTarget", "must be IPv4 addresses as strings");
			used = strlen(buf);
			if (snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "," : "",
				     json_object_get_string(t)) >= (int)(sizeof(buf) - used))
				return bad("arpIpTarget", "too long");
		}
	} else {
		return bad("arpIpTarget", "must be a list of IPv4 addresses");
	}
	if (xbond_request_arp_targets(req, list, "arpIpTarget"))
		return cni_fail_logged(CNI_ERR_CONFIG, "arpIpTarget: invalid");
	return 0;
}

static int parse_mode(json_object *root, struct xbond_request *req)
{
	json_object *v = field(root, "mode");
	const char *s = v ? json_object_get_string(v) : NULL;

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int))
		return bad("mode", "must be a string such as \"active-backup\"");
	req->mode = xbond_mode_parse(s);
	if (req->mode >= 0 && xbond_mode_implemented(req->mode))
		return 0;
	if (req->mode >= 0)
		return cni_fail(CNI_ERR_UNSUPPORTED_FIELD, "mode: %s is not implemented by "
				"xbond yet (known: %s)", s, xbond_mode_choices());
	return cni_fail(CNI_ERR_CONFIG, "mode: unknown mode '%s' (known: %s)", s,
			xbond_mode_choices());
}

/* Every bond setting, validated the way xbondload validates its options. */
static int parse_bond(json_object *root, struct cni_conf *conf)
{
	static const char *const xdp_modes[] = { "auto", "native", "generic", NULL };
	struct xbond_request *req = &conf->req;
	const char *s = NULL;
	int v, i;

	if (parse_mode(root, req))
		return -1;
	if (get_string(root, "xmitHashPolicy", &s))
		return -1;
	if (s) {
		req->hash = xbond_hash_parse(s);
		if (req->hash < 0)
			return cni_fail(CNI_ERR_CONFIG, "xmitHashPolicy: unknown policy '%s' "
					"(known: %s)", s, xbond_hash_choices());
	}
	v = 0;
	if (get_uint(root, "failOverMac", 0, 2, &v))
		return -1;
	if (v)
		return cni_fail(CNI_ERR_UNSUPPORTED_FIELD, "failOverMac: %d is not supported, "
				"only 0: every member carries the bond's MAC", v);
	if (get_uint(root, "mtu", 68, 65535, &v))
		return -1;
	req->mtu = field(root, "mtu") ? (unsigned int)v : 0;
	if (get_uint(root, "miimon", 0, 600000, &req->miimon_ms) ||
	    get_uint(root, "updelay", 0, 600000, &req->updelay_ms) ||
	    get_uint(root, "downdelay", 0, 600000, &req->downdelay_ms) ||
	    get_uint(root, "arpInterval", 0, 600000, &req->arp_interval_ms) ||
	    get_uint(root, "arpMissedMax", 1, 255, &req->arp_missed_max) ||
	    get_uint(root, "numGratArp", 0, 255, &req->num_grat_arp) ||
	    get_choice(root, "arpValidate", xbond_arp_validate_names, &req->arp_validate) ||
	    get_choice(root, "arpAllTargets", xbond_all_targets_names, &req->arp_all_targets) ||
	    get_choice(root, "primaryReselect", xbond_reselect_names, &req->primary_reselect) ||
	    parse_arp_targets(root, req))
		return -1;
	v = 0;
	if (get_uint(root, "packetsPerSlave", 1, 65535, &v))
		return -1;
	req->packets_per_member = v;
	v = XDP_MODE_AUTO;
	if (get_choice(root, "xdpMode", xdp_modes, &v))
		return -1;
	req->xdp_mode = v;
	if (get_bool(root, "monitor", &conf->monitor))
		return -1;
	req->monitor = conf->monitor;

	if (get_string(root, "primary", &req->primary))
		return -1;
	for (i = 0; req->primary && i < (int)conf->n_links; i++)
		if (!strcmp(req->primary, conf->links[i].name))
			break;
	if (req->primary && i == (int)conf->n_links)
		return cni_fail(CNI_ERR_CONFIG, "primary: %s is not one of the links",
				req->primary);

	req->have_ifaces = true;
	for (i = 0; i < (int)conf->n_links; i++)
		memcpy(req->ifaces.names[i], conf->links[i].name, IF_NAMESIZE);
	req->ifaces.n = conf->n_links;
	return 0;
}

static int parse_ipam(json_object *root, struct cni_conf *conf)
{
	json_object *ipam = field(root, "ipam");

	if (!ipam)
		return 0;
	if (!json_object_is_type(ipam, json_type_object))
		return bad("ipam", "must be an object with a \"type\"");
	if (get_string(ipam, "type", &conf->ipam_type))
		return -1;
	/* A plugin name, never a path: we only run what is in CNI_PATH. */
	if (!conf->ipam_type || !*conf->ipam_type || strchr(conf->ipam_type, '/') ||
	    !strcmp(conf->ipam_type, ".") || !strcmp(conf->ipam_type, "..") ||
	    !strcmp(conf->ipam_type, "xbond"))
		return bad("ipam", "needs a \"type\" naming a plugin in CNI_PATH");
	return 0;
}

int cni_conf_parse(const struct cni_call *call, struct cni_conf *conf, bool full)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *root;
	const char *name = NULL;

	memset(conf, 0, sizeof(*conf));
	conf->monitor = true;
	xbond_request_init(&conf->req, call->ifname ? call->ifname : "");
	if (!tok)
		return cni_fail(CNI_ERR_INTERNAL, "out of memory");
	root = json_tokener_parse_ex(tok, call->config, call->config_len);
	if (root && json_tokener_get_parse_end(tok) < call->config_len &&
	    call->config[json_tokener_get_parse_end(tok) +
			 strspn(call->config + json_tokener_get_parse_end(tok), " \t\r\n")]) {
		json_object_put(root);
		root = NULL;
	}
	if (!root) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		json_tokener_free(tok);
		return cni_fail(CNI_ERR_DECODE, "the network config on stdin is not JSON: %s",
				err == json_tokener_continue || err == json_tokener_success ?
				"it ends early or has trailing data" :
				json_tokener_error_desc(err));
	}
	json_tokener_free(tok);
	conf->root = root;
	if (!json_object_is_type(root, json_type_object))
		return cni_fail(CNI_ERR_DECODE, "the network config must be a JSON object");

	if (get_string(root, "cniVersion", &conf->version))
		goto lenient;
	if (!conf->version)
		bad("cniVersion", "missing");
	else if (!cni_version_supported(conf->version))
		cni_fail(CNI_ERR_VERSION, "cniVersion %s is not supported "
			 "(supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0)", conf->version);
	if (!cni_version_supported(conf->version))
		goto lenient;
	if (get_string(root, "name", &name))
		goto lenient;
	if (!name) {
		bad("name", "missing: the network needs a name");
		goto lenient;
	}
	if (get_bool(root, "linksInContainer", &conf->links_in_container) ||
	    parse_links(root, conf, full) || parse_ipam(root, conf))
		goto lenient;
	conf->prev_result = field(root, "prevResult");
	if (conf->prev_result && !json_object_is_type(conf->prev_result, json_type_object)) {
		bad("prevResult", "must be an object");
		goto lenient;
	}
	return full ? parse_bond(root, conf) : 0;

lenient:
	if (full)
		return -1;
	/*
	 * DEL cleans up after whatever ADD was given, even a config ADD
	 * refused: it still takes the links and IPAM it can read.
	 */
	cni_fail_clear();
	conf->version = NULL;
	conf->n_links = 0;
	parse_links(root, conf, false);
	if (get_bool(root, "linksInContainer", &conf->links_in_container) ||
	    parse_ipam(root, conf))
		conf->ipam_type = NULL;
	cni_fail_clear();
	return 0;
}

void cni_conf_free(struct cni_conf *conf)
{
	json_object_put(conf->root);
	conf->root = NULL;
}
