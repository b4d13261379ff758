// SPDX-License-Identifier: GPL-2.0
/*
 * xbond: a CNI plugin (spec 1.0.0, also 0.3.x and 0.4.0) that makes CNI_IFNAME
 * in the pod an xbond bond over the links the config names. The call comes as
 * environment variables plus the network config on stdin; the answer is a
 * result or a spec error, as JSON on stdout.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni.h"
#include "xbond.h"

#define CONFIG_MAX	(1 << 20)

static struct {
	int code;
	char msg[512];
} error;

int cni_fail(enum cni_code code, const char *fmt, ...)
{
	va_list ap;

	if (error.code)
		return -1;
	error.code = code;
	va_start(ap, fmt);
	vsnprintf(error.msg, sizeof(error.msg), fmt, ap);
	va_end(ap);
	return -1;
}

void cni_fail_clear(void)
{
	error.code = 0;
	error.msg[0] = '\0';
}

int cni_fail_logged(enum cni_code code, const char *what)
{
	const char *last = xbond_log_last();

	return cni_fail(code, "%s", *last ? last : what);
}

static int print_error(const char *version)
{
	json_object *err = json_object_new_object();

	json_object_object_add(err, "cniVersion", json_object_new_string(version));
	json_object_object_add(err, "code", json_object_new_int(error.code));
	json_object_object_add(err, "msg", json_object_new_string(error.msg));
	printf("%s\n", json_object_to_json_string_ext(err, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(err);
	return 1;
}

static int print_version(void)
{
	json_object *info = json_object_new_object(), *list = json_object_new_array();
	int i;

	for (i = 0; cni_versions[i]; i++)
		json_object_array_add(list, json_object_new_string(cni_versions[i]));
	json_object_object_add(info, "cniVersion", json_object_new_string("1.0.0"));
	json_object_object_add(info, "supportedVersions", list);
	printf("%s\n", json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN));
	json_object_put(info);
	return 0;
}

/*
 * The spec's container id: letters, digits, '_', '.', '-', starting with a
 * letter or digit; at most 200, so that it makes a file name.
 */
static bool container_id_valid(const char *id)
{
	size_t len = strlen(id);

	return len && len <= 200 && strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789_.-") == len &&
	       id[0] != '.' && id[0] != '-' && id[0] != '_';
}

static int read_env(struct cni_call *call)
{
	size_t len;

	call->command = getenv("CNI_COMMAND");
	if (!call->command || !*call->command)
		return cni_fail(CNI_ERR_ENV, "CNI_COMMAND: missing");
	if (!strcmp(call->command, "VERSION"))
		return 0;
	if (strcmp(call->command, "ADD") && strcmp(call->command, "DEL") &&
	    strcmp(call->command, "CHECK"))
		return cni_fail(CNI_ERR_ENV, "CNI_COMMAND: '%s' is not ADD, DEL, CHECK or VERSION",
				call->command);
	call->container_id = getenv("CNI_CONTAINERID");
	call->netns = getenv("CNI_NETNS");
	call->ifname = getenv("CNI_IFNAME");
	call->path = getenv("CNI_PATH");
	if (!call->container_id || !container_id_valid(call->container_id))
		return cni_fail(CNI_ERR_ENV, "CNI_CONTAINERID: %s", call->container_id ?
				"only letters, digits, '_', '.' and '-' are allowed" : "missing");
	if (strcmp(call->command, "DEL") && (!call->netns || !*call->netns))
		return cni_fail(CNI_ERR_ENV, "CNI_NETNS: missing");
	if (!call->ifname)
		return cni_fail(CNI_ERR_ENV, "CNI_IFNAME: missing");
	len = strlen(call->ifname);
	if (!len || len >= IF_NAMESIZE || strpbrk(call->ifname, "/: \t\n") ||
	    !strcmp(call->ifname, ".") || !strcmp(call->ifname, ".."))
		return cni_fail(CNI_ERR_ENV, "CNI_IFNAME: '%s' is not an interface name "
				"(1 to %d characters, no '/', ':' or spaces)",
				call->ifname, IF_NAMESIZE - 1);
	if (!call->path || !*call->path)
		return cni_fail(CNI_ERR_ENV, "CNI_PATH: missing");
	return 0;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t n;

	*len = 0;
	while (buf && (n = read(STDIN_FILENO, buf + *len, cap - *len)) > 0) {
		*len += n;
		if (*len == cap) {
			char *bigger = cap < CONFIG_MAX ? realloc(buf, 2 * cap + 1) : NULL;

			if (!bigger) {
				cni_fail(CNI_ERR_DECODE, "the network config is over %d bytes",
					 CONFIG_MAX);
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (!buf) {
		cni_fail(CNI_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (n < 0) {
		cni_fail(CNI_ERR_IO, "cannot read stdin: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* Our own binary, by its path where it can be read, for `xbond monitor`. */
static const char *self_path(void)
{
	static char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (len <= 0)
		return "/proc/self/exe";
	path[len] = '\0';
	return path;
}

int main(int argc, char **argv)
{
	struct cni_call call = {};
	struct cni_conf conf = {};
	char *config = NULL;
	int ret;

	/* One file in the CNI bin dir: the bond's monitor is `xbond monitor`. */
	if (argc > 1 && !strcmp(argv[1], "monitor"))
		return xbondmon_main(argc, argv, 1);
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("xbond %s (CNI plugin)\n", XBOND_VERSION);
		return 0;
	}
	xbond_monitor_cmd = (struct xbond_monitor_cmd){ self_path(), "monitor" };
	xbond_prog_name = "xbond";
	xbond_log_libbpf();
	/* An IPAM plugin that exits early must not kill us halfway through ADD. */
	signal(SIGPIPE, SIG_IGN);
	if (read_env(&call))
		return print_error("1.0.0");
	if (!strcmp(call.command, "VERSION"))
		return print_version();
	/* Pins and records live where the host keeps them (see pins.h). */
	if (xbond_join_host_mntns()) {
		cni_fail(CNI_ERR_INTERNAL, "cannot join the host's mount namespace");
		return print_error("1.0.0");
	}
	config = read_stdin(&call.config_len);
	if (!config)
		return print_error("1.0.0");
	call.config = config;

	ret = cni_conf_parse(&call, &conf, strcmp(call.command, "DEL"));
	if (!ret) {
		if (!strcmp(call.command, "ADD"))
			ret = cni_add(&call, &conf);
		else if (!strcmp(call.command, "DEL"))
			ret = cni_del(&call, &conf);
		else
			ret = cni_check(&call, &conf);
	}
	if (ret)
		print_error(cni_version_supported(conf.version) ? conf.version : "1.0.0");
	cni_conf_free(&conf);
	free(config);
	return ret ? 1 : 0;
}
