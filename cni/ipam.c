// SPDX-License-Identifier: GPL-2.0
/* IPAM per the CNI spec: exec the named plugin from CNI_PATH with our stdin, use what it prints. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "ipam.h"
#include "xbond.h"

#define IPAM_OUTPUT_MAX	(1 << 20)

extern char **environ;

/* The first executable CNI_PATH/type. */
static int find_plugin(const char *cni_path, const char *type, char *buf, size_t len)
{
	const char *dir = cni_path;

	while (dir && *dir) {
		size_t n = strcspn(dir, ":");

		if (n && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, dir, type) < len &&
		    !access(buf, X_OK))
			return 0;
		dir += n + !!dir[n];
	}
	return cni_fail(CNI_ERR_CONFIG, "ipam: no plugin '%s' in CNI_PATH (%s)", type,
			cni_path ? cni_path : "unset");
}

/* Our environment with CNI_COMMAND set to command. */
static char **child_env(const char *command, char *cmd_var, size_t len)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12))
			env[j++] = environ[i];
	snprintf(cmd_var, len, "CNI_COMMAND=%s", command);
	env[j] = cmd_var;
	return env;
}

/* Fork and exec path, feeding it in and collecting its stdout into *out. */
static int run(const char *path, char **env, const char *in, size_t in_len, char **out,
	       int *status)
{
	int to_child[2], from_child[2];
	size_t used = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	pid_t pid;
	ssize_t n;

	if (!buf || pipe2(to_child, O_CLOEXEC)) {
		free(buf);
		return -errno;
	}
	if (pipe2(from_child, O_CLOEXEC)) {
		close(to_child[0]);
		close(to_child[1]);
		free(buf);
		return -errno;
	}
	pid = fork();
	if (!pid) {
		dup2(to_child[0], STDIN_FILENO);
		dup2(from_child[1], STDOUT_FILENO);
		execve(path, (char *[]){ (char *)path, NULL }, env);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	/*
	 * Plugins read all of stdin before they answer, so write it all, then
	 * read. One that stops reading (EPIPE; SIGPIPE is ignored) is judged
	 * by its exit status and output.
	 */
	while (pid > 0 && in_len) {
		n = write(to_child[1], in, in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		in += n;
		in_len -= n;
	}
	close(to_child[1]);
	while (pid > 0 && (n = read(from_child[0], buf + used, cap - used)) > 0) {
		used += n;
		if (used == cap && cap < IPAM_OUTPUT_MAX) {
			char *bigger = realloc(buf, 2 * cap + 1);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	close(from_child[0]);
	if (pid < 0 || waitpid(pid, status, 0) < 0) {
		free(buf);
		return -errno;
	}
	buf[used] = '\0';
	*out = buf;
	return 0;
}

/* The plugin failed: pass its spec error on, or say what we saw. */
static int plugin_error(const char *type, const char *out, int status)
{
	json_object *err = json_tokener_parse(out), *code = NULL, *msg = NULL;
	int ret;

	if (err && json_object_object_get_ex(err, "code", &code) &&
	    json_object_object_get_ex(err, "msg", &msg))
		ret = cni_fail(json_object_get_int(code) > 0 ? json_object_get_int(code) :
			       CNI_ERR_INTERNAL, "ipam %s: %s", type, json_object_get_string(msg));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		ret = cni_fail(CNI_ERR_INTERNAL, "ipam %s: cannot run it", type);
	else
		ret = cni_fail(CNI_ERR_INTERNAL, "ipam %s: failed without a spec error", type);
	json_object_put(err);
	return ret;
}

int ipam_exec(const struct cni_call *call, const struct cni_conf *conf, const char *command,
	      json_object **result)
{
	char path[PATH_MAX], cmd_var[32], *out = NULL;
	char **env;
	int status, ret;

	if (result)
		*result = NULL;
	if (find_plugin(call->path, conf->ipam_type, path, sizeof(path)))
		return -1;
	env = child_env(command, cmd_var, sizeof(cmd_var));
	if (!env)
		return cni_fail(CNI_ERR_INTERNAL, "out of memory");
	ret = run(path, env, call->config, call->config_len, &out, &status);
	free(env);
	if (ret)
		return cni_fail(CNI_ERR_INTERNAL, "ipam %s: %s", conf->ipam_type, strerror(-ret));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		plugin_error(conf->ipam_type, out, status);
		free(out);
		return -1;
	}
	if (result && strcmp(command, "ADD") == 0) {
		*result = json_tokener_parse(out);
		if (!*result || !json_object_is_type(*result, json_type_object)) {
			json_object_put(*result);
			*result = NULL;
			ret = cni_fail(CNI_ERR_DECODE, "ipam %s: its result is not JSON",
				       conf->ipam_type);
		}
	}
	free(out);
	return ret;
}

struct cidr {
	int family;
	unsigned char addr[16];
	unsigned int len;
};

/* "10.1.0.5/24" or "fd00::5/64"; with want_len false, a plain address too. */
static int cidr_parse(const char *s, struct cidr *c, bool want_len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	else if (want_len)
		return -EINVAL;
	c->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(c->family, buf, c->addr) != 1)
		return -EINVAL;
	c->len = c->family == AF_INET ? 32 : 128;
	if (slash) {
		len = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || len > c->len)
			return -EINVAL;
		c->len = len;
	}
	return 0;
}

static void cidr_mask(struct cidr *c)
{
	unsigned int i, bits = c->len;

	for (i = 0; i < 16; i++, bits = bits > 8 ? bits - 8 : 0)
		c->addr[i] &= bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff;
}

static const char *str_field(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *array_field(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

int ipam_apply(json_object *result, int ifindex)
{
	json_object *ips = array_field(result, "ips"), *routes = array_field(result, "routes");
	struct cidr gw4 = {}, gw6 = {}, c, gw;
	size_t i;
	int ret;

	for (i = 0; ips && i < json_object_array_length(ips); i++) {
		json_object *ip = json_object_array_get_idx(ips, i);
		const char *addr = str_field(ip, "address");

		if (cidr_parse(addr, &c, true))
			return cni_fail(CNI_ERR_DECODE, "ipam: '%s' is not an address/prefix",
					addr ? addr : "(none)");
		ret = nl_addr_add(ifindex, c.family, c.addr, c.len);
		if (ret && ret != -EEXIST)
			return cni_fail(CNI_ERR_INTERNAL, "cannot add address %s: %s", addr,
					strerror(-ret));
		/* Routes without a gateway go through the first one of their family. */
		if (!cidr_parse(str_field(ip, "gateway"), &gw, false)) {
			if (gw.family == AF_INET && !gw4.family)
				gw4 = gw;
			if (gw.family == AF_INET6 && !gw6.family)
				gw6 = gw;
		}
	}
	for (i = 0; routes && i < json_object_array_length(routes); i++) {
		json_object *route = json_object_array_get_idx(routes, i);
		const char *dst = str_field(route, "dst");
		const struct cidr *via = NULL;

		if (cidr_parse(dst, &c, true))
			return cni_fail(CNI_ERR_DECODE, "ipam: route '%s' is not a prefix",
					dst ? dst : "(none)");
		cidr_mask(&c);	/* the kernel takes no host bits in a route */
		if (!cidr_parse(str_field(route, "gw"), &gw, false) && gw.family == c.family)
			via = &gw;
		else if (c.family == AF_INET && gw4.family)
			via = &gw4;
		else if (c.family == AF_INET6 && gw6.family)
			via = &gw6;
		ret = nl_route_add(ifindex, c.family, c.len ? c.addr : NULL, c.len,
				   via ? via->addr : NULL);
		if (ret && ret != -EEXIST)
			return cni_fail(CNI_ERR_INTERNAL, "cannot add route to %s: %s", dst,
					strerror(-ret));
	}
	return 0;
}

int ipam_check(json_object *result, int ifindex)
{
	json_object *ips = array_field(result, "ips");
	unsigned char have[32][16];
	struct cidr c;
	size_t i;
	int n, j;

	for (i = 0; ips && i < json_object_array_length(ips); i++) {
		const char *addr = str_field(json_object_array_get_idx(ips, i), "address");

		if (cidr_parse(addr, &c, true))
			return cni_fail(CNI_ERR_DECODE, "prevResult: '%s' is not an address/prefix",
					addr ? addr : "(none)");
		n = c.family == AF_INET ? nl_addr4_list(ifindex, (__be32 *)have, 64) :
					  nl_addr6_list(ifindex, have, 32);
		for (j = 0; j < n; j++)
			if (!memcmp(c.family == AF_INET ? (unsigned char *)have + 4 * j : have[j],
				    c.addr, c.family == AF_INET ? 4 : 16))
				break;
		if (n < 0 || j == n)
			return cni_fail(CNI_ERR_INTERNAL, "address %s is not on the interface",
					addr);
	}
	return 0;
}
