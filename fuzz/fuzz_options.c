// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: xbondload's option table and its one parser, fed two
 * ways. Either (option, value) pairs straight into xbond_option_set, as the
 * command line and the CNI config do, or a whole config file through
 * xbond_options_read_file, as --config does. Whatever comes in, a value the
 * parser accepts must be within its entry's range or choices, and so must
 * everything the request holds afterwards.
 *
 * Input: the first byte picks the form. Odd: the rest is a config file.
 * Even: the rest is lines, each "<entry byte><flags byte>value" (flags bit
 * 0: no value, as a flag given alone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "maps/xbond_abi.h"
#include "options.h"
#include "options_check.h"

static unsigned int n_entries;
static char conf_path[64];
static int conf_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_conf(void)
{
	unlink(conf_path);
	*strrchr(conf_path, '/') = '\0';
	rmdir(conf_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct xbond_option *opt;

	(void)argc;
	(void)argv;
	XBOND_FOR_EACH_OPTION(opt)
		n_entries++;
	quiet_stderr();
	/* A file named bond0.conf: its name is a valid bond name, as a real one's is. */
	snprintf(conf_path, sizeof(conf_path), "/dev/shm/xbond-fuzz-%d", getpid());
	if (mkdir(conf_path, 0700) && errno != EEXIST)
		abort();
	strcat(conf_path, "/bond0.conf");
	conf_fd = open(conf_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (conf_fd < 0)
		abort();
	atexit(remove_conf);
	options_check_init("bond0");
	return 0;
}

static void *field_of(struct xbond_options *o, const struct xbond_option *opt)
{
	return (char *)o + opt->offset;
}

/* What the parser strdup()ed: it keeps those for the tool's life, we may not. */
static void free_strings(struct xbond_options *o)
{
	const struct xbond_option *opt;

	XBOND_FOR_EACH_OPTION(opt)
		if (opt->kind == XBOND_OPT_STRING && !opt->parse && opt->size) {
			free(*(char **)field_of(o, opt));
			*(char **)field_of(o, opt) = NULL;
		}
}

/* One accepted number must read back as exactly what was given. */
static void check_accepted(struct xbond_options *o, const struct xbond_option *opt,
			   const char *value)
{
	if (opt->kind == XBOND_OPT_UINT && !opt->parse && value)
		INVARIANT(option_int(o, opt) == (long)strtoul(value, NULL, 10),
			  "--%s '%s' stored %ld", opt->name, value, option_int(o, opt));
	if (opt->kind == XBOND_OPT_CHOICE && !opt->parse && value)
		INVARIANT(!strcmp(opt->choices[option_int(o, opt)], value),
			  "--%s '%s' stored %ld", opt->name, value, option_int(o, opt));
}

static void fuzz_pairs(const uint8_t *data, size_t size)
{
	struct xbond_options o;
	const uint8_t *p = data, *end = data + size;

	xbond_options_init(&o, "bond0");
	while (p + 2 <= end) {
		const uint8_t *nl = memchr(p + 2, '\n', end - p - 2);
		size_t len = (nl ? nl : end) - (p + 2);
		const struct xbond_option *opt = &xbond_option_table[p[0] % n_entries];
		bool no_value = p[1] & 1;
		char *value = strndup((const char *)p + 2, len);
		void *field = field_of(&o, opt);

		if (!value)
			abort();
		/* --config names a file to read: the config-file form covers that. */
		if (strcmp(opt->name, "config")) {
			if (opt->kind == XBOND_OPT_STRING && opt->size) {
				free(*(char **)field);
				*(char **)field = NULL;
			}
			/*
			 * Every caller gives up at the first value refused, so
			 * only what was accepted has to be sane. (A refused
			 * --mac leaves its bytes in req.mac: harmless for that.)
			 */
			if (xbond_option_set(&o, opt, no_value ? NULL : value, "--fuzz")) {
				free(value);
				break;
			}
			check_accepted(&o, opt, no_value ? NULL : value);
			options_sane(&o);
		}
		free(value);
		p += 2 + len + (nl ? 1 : 0);
	}
	free_strings(&o);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	struct xbond_options o;

	if (ftruncate(conf_fd, 0) || pwrite(conf_fd, data, size, 0) != (ssize_t)size)
		abort();
	xbond_options_init(&o, "xbond0");
	if (!xbond_options_read_file(&o, conf_path)) {
		INVARIANT(xbond_ifname_valid(o.req.name), "accepted file left name '%s'",
			  o.req.name);
		options_sane(&o);
	}
	free_strings(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size || size > 4096)
		return 0;
	if (data[0] & 1)
		fuzz_file(data + 1, size - 1);
	else
		fuzz_pairs(data + 1, size - 1);
	return 0;
}
