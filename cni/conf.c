// SPDX-License-Identifier: GPL-2.0
/*
 * The network config on stdin, read with json-c into an xbond_request. The
 * bond's fields are xbondload's options: their names, ranges and parser come
 * from the option table (lib/options.c). Field names follow bond-cni where
 * the meaning is the same; unknown fields (such as podman's capabilities and
 * runtimeConfig) are ignored, as the spec asks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maps/xbond_abi.h"
#include "cni.h"
#include "options.h"
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

/*
 * A field's value as the option table's parser reads it: numbers may be JSON
 * numbers or strings (bond-cni writes "miimon": "100"), flags are JSON
 * booleans, and an address list may be an array. NULL once the error is
 * recorded; else the caller frees it.
 */
static char *field_text(json_object *v, const struct xbond_option *opt, const char *key)
{
	bool flag = opt->kind == XBOND_OPT_FLAG;
	size_t i, n, len = 0;
	char *text;

	if (flag && json_object_is_type(v, json_type_boolean))
		return strdup(json_object_get_boolean(v) ? "true" : "false");
	if (flag) {
		bad(key, "must be true or false");
		return NULL;
	}
	if (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int))
		return strdup(json_object_get_string(v));
	if (opt->kind != XBOND_OPT_IPV4_LIST || !json_object_is_type(v, json_type_array)) {
		bad(key, opt->kind == XBOND_OPT_IPV4_LIST ? "must be a list of IPv4 addresses" :
			 "must be a string or a whole number");
		return NULL;
	}
	/* ["10.0.0.1", ...], as the kernel's "10.0.0.1,10.0.0.2" */
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(v, i);

		if (!json_object_is_type(t, json_type_string) ||
		    strchr(json_object_get_string(t), ',')) {
			bad(key, "must be IPv4 addresses as strings");
			return NULL;
		}
		len += strlen(json_object_get_string(t)) + 1;
	}
	text = calloc(1, len + 1);
	for (i = 0; text && i < n; i++)
		sprintf(text + strlen(text), "%s%s", i ? "," : "",
			json_object_get_string(json_object_array_get_idx(v, i)));
	if (!text)
		cni_fail(CNI_ERR_INTERNAL, "out of memory");
	return text;
}

/* v (as "prefix=v" if prefix) through the table's parser, named key in the message. */
static int set_option(struct xbond_options *o, const struct xbond_option *opt, json_object *v,
		      const char *key, const char *prefix)
{
	char *text = field_text(v, opt, key), *arg = text;
	int ret;

	if (!text)
		return -1;
	if (prefix && strchr(text, ',')) {
		free(text);
		return bad(key, "must be one value");
	}
	if (prefix) {
		arg = malloc(strlen(prefix) + strlen(text) + 2);
		if (arg)
			sprintf(arg, "%s=%s", prefix, text);
	}
	xbond_log_forget();
	ret = arg ? xbond_option_set(o, opt, arg, key) : -ENOMEM;
	if (arg != text)
		free(arg);
	free(text);
	if (ret == -EOPNOTSUPP)
		return cni_fail_logged(CNI_ERR_UNSUPPORTED_FIELD, key);
	return ret ? cni_fail_logged(ret == -ENOMEM ? CNI_ERR_INTERNAL : CNI_ERR_CONFIG, key) : 0;
}

/* A link's fields from the option table, such as its "weight" in balance-xor. */
static int parse_link_options(json_object *link, size_t i, const char *name,
			      struct xbond_options *o)
{
	const struct xbond_option *opt;
	json_object *v;
	char key[64];

	XBOND_FOR_EACH_OPTION(opt) {
		if (!(opt->flags & XBOND_OPTF_CNI_LINK) || !(v = field(link, opt->cni)))
			continue;
		snprintf(key, sizeof(key), "links[%zu].%s", i, opt->cni);
		if (set_option(o, opt, v, key, name))
			return -1;
	}
	return 0;
}

/*
 * "links": [{"name": "eth1", "weight": 2}, ...]; on DEL (o NULL), whatever
 * names can be read.
 */
static int parse_links(json_object *root, struct cni_conf *conf, struct xbond_options *o)
{
	json_object *links = field(root, "links"), *name;
	bool full = o;
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
		if (!xbond_ifname_valid(s)) {
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
		if (full && parse_link_options(link, i, s, o))
			return -1;
	}
	return 0;
}

/* Every bond setting, through the option table that xbondload's options use. */
static int parse_bond(json_object *root, struct cni_conf *conf, struct xbond_options *o)
{
	struct xbond_request *req = &o->req;
	const struct xbond_option *opt;
	json_object *v;
	unsigned int i;

	XBOND_FOR_EACH_OPTION(opt) {
		if (!opt->cni || (opt->flags & XBOND_OPTF_CNI_LINK) || !(v = field(root, opt->cni)))
			continue;
		if (set_option(o, opt, v, opt->cni, NULL))
			return -1;
	}
	if (req->monitor < 0)
		req->monitor = 1;
	conf->monitor = req->monitor;

	for (i = 0; req->primary && i < conf->n_links; i++)
		if (!strcmp(req->primary, conf->links[i].name))
			break;
	if (req->primary && i == conf->n_links)
		return cni_fail(CNI_ERR_CONFIG, "primary: %s is not one of the links",
				req->primary);

	req->have_ifaces = true;
	for (i = 0; i < conf->n_links; i++)
		memcpy(req->ifaces.names[i], conf->links[i].name, IF_NAMESIZE);
	req->ifaces.n = conf->n_links;
	conf->req = *req;
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
	struct xbond_options opts;
	json_object *root;
	const char *name = NULL;

	memset(conf, 0, sizeof(*conf));
	conf->monitor = true;
	xbond_request_init(&conf->req, call->ifname ? call->ifname : "");
	xbond_options_init(&opts, conf->req.name);
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
	    parse_links(root, conf, full ? &opts : NULL) || parse_ipam(root, conf))
		goto lenient;
	conf->prev_result = field(root, "prevResult");
	if (conf->prev_result && !json_object_is_type(conf->prev_result, json_type_object)) {
		bad("prevResult", "must be an object");
		goto lenient;
	}
	if (!full)
		return 0;
	if (parse_bond(root, conf, &opts)) {
		xbond_options_free_strings(&opts);	/* conf did not take them */
		return -1;
	}
	return 0;

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
	parse_links(root, conf, NULL);
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
