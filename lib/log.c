// SPDX-License-Identifier: GPL-2.0
/* Leveled logging to stderr, and libbpf's messages demoted one level. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

enum xbond_log_level xbond_log_level = XBOND_LOG_WARN;
const char *xbond_prog_name = "xbond";

static void vlog(enum xbond_log_level level, const char *fmt, va_list ap)
{
	if (level > xbond_log_level)
		return;
	fprintf(stderr, "%s: ", xbond_prog_name);
	vfprintf(stderr, fmt, ap);
}

void xbond_log(enum xbond_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xbond_log_level ours = level == LIBBPF_WARN ? XBOND_LOG_INFO : XBOND_LOG_DEBUG;

	vlog(ours, fmt, ap);
	return 0;
}

void xbond_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
