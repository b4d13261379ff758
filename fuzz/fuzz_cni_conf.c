// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the CNI plugin's network config (and its prevResult) as
 * stdin brings it, through cni_conf_parse. Whatever the JSON, the parse must
 * succeed or refuse with a spec error code, never crash; a config ADD accepts
 * must name 2 to XBOND_MAX_MEMBERS valid, distinct links and hold only
 * values the option table accepts.
 *
 * Input: the first byte's bit 0 picks a full parse (ADD, CHECK) or DEL's
 * lenient one; the rest is the config.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"
#include "log.h"
#include "names.h"
#include "options_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cni/xbond.c's error record lives with the plugin's main(); these stand in for it. */
static int error_code;

int cni_fail(enum cni_code code, const char *fmt, ...)
{
	(void)fmt;
	if (!error_code)
		error_code = code;
	return -1;
}

void cni_fail_clear(void)
{
	error_code = 0;
}

int cni_fail_logged(enum cni_code code, const char *what)
{
	return cni_fail(code, "%s", what);
}

/*
 * Known and harmless: a config refused after "primary" was read leaks that
 * string (parse_bond's options are local; the plugin exits on the error).
 * Any other leak still fails.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:parse_bond\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stderr();
	options_check_init("net1");
	return 0;
}

static bool spec_code(int code)
{
	switch (code) {
	case CNI_ERR_VERSION: case CNI_ERR_UNSUPPORTED_FIELD: case CNI_ERR_UNKNOWN_CONTAINER:
	case CNI_ERR_ENV: case CNI_ERR_IO: case CNI_ERR_DECODE: case CNI_ERR_CONFIG:
	case CNI_ERR_TRY_AGAIN: case CNI_ERR_INTERNAL:
		return true;
	}
	return false;
}

static void links_sane(const struct cni_conf *conf)
{
	unsigned int i, j;

	INVARIANT(conf->n_links <= XBOND_MAX_MEMBERS, "%u links", conf->n_links);
	for (i = 0; i < conf->n_links; i++) {
		const char *name = conf->links[i].name;

		/*
		 * The kernel's rules, less its isspace(): cni/conf.c refuses
		 * only ' ', '\t' and '\n', so "a\rb" gets through here and
		 * fails later as no such interface. A ',' is valid (the
		 * kernel allows it), though no --ifaces list can name it.
		 */
		INVARIANT(memchr(name, 0, IF_NAMESIZE) && *name && strcmp(name, ".") &&
			  strcmp(name, "..") && !strpbrk(name, "/: \t\n"),
			  "links[%u]: invalid name", i);
		for (j = 0; j < i; j++)
			INVARIANT(strcmp(conf->links[i].name, conf->links[j].name),
				  "links %u and %u are the same", j, i);
	}
	if (conf->ipam_type)
		INVARIANT(*conf->ipam_type && !strchr(conf->ipam_type, '/') &&
			  strcmp(conf->ipam_type, "xbond"), "ipam type '%s'", conf->ipam_type);
}

/* An accepted ADD: the request is what xbondload would get from the same settings. */
static void add_sane(struct cni_conf *conf)
{
	struct xbond_options o;
	unsigned int i;

	INVARIANT(cni_version_supported(conf->version), "cniVersion not supported");
	INVARIANT(conf->n_links >= 2, "a bond of %u links", conf->n_links);
	INVARIANT(conf->monitor == true || conf->monitor == false, "monitor");
	INVARIANT(conf->req.monitor == 0 || conf->req.monitor == 1, "req.monitor %d",
		  conf->req.monitor);
	INVARIANT(conf->req.have_ifaces && conf->req.ifaces.n == conf->n_links,
		  "req.ifaces: %u of %u links", conf->req.ifaces.n, conf->n_links);
	for (i = 0; i < conf->n_links; i++)
		INVARIANT(!strcmp(conf->req.ifaces.names[i], conf->links[i].name),
			  "req.ifaces[%u] is not links[%u]", i, i);
	if (conf->req.primary) {
		for (i = 0; i < conf->n_links; i++)
			if (!strcmp(conf->req.primary, conf->links[i].name))
				break;
		INVARIANT(i < conf->n_links, "primary %s is no link", conf->req.primary);
	}
	INVARIANT(!conf->prev_result || json_object_is_type(conf->prev_result, json_type_object),
		  "prevResult is no object");
	xbond_options_init(&o, "net1");
	o.req = conf->req;
	options_sane(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_call call = { .command = "ADD", .container_id = "fuzz", .netns = "/proc/self/ns/net",
				 .ifname = "net1", .path = "/usr/lib/cni" };
	struct cni_conf conf;
	bool full;
	char *config;
	int ret;

	if (!size || size > 65536)
		return 0;
	full = data[0] & 1;
	/* stdin, as the plugin reads it: NUL-terminated, its length apart. */
	config = malloc(size);
	if (!config)
		return 0;
	memcpy(config, data + 1, size - 1);
	config[size - 1] = '\0';
	call.config = config;
	call.config_len = size - 1;
	if (!full)
		call.command = "DEL";
	cni_fail_clear();
	ret = cni_conf_parse(&call, &conf, full);
	if (ret) {
		/* DEL takes whatever it can read, once it is a JSON object. */
		INVARIANT(full || error_code == CNI_ERR_DECODE, "DEL's parse failed with %d",
			  error_code);
		INVARIANT(spec_code(error_code), "failed with error code %d", error_code);
	} else {
		links_sane(&conf);
		if (full)
			add_sane(&conf);
	}
	free((char *)conf.req.primary);
	free((char *)conf.req.active);
	cni_conf_free(&conf);
	free(config);
	return 0;
}
