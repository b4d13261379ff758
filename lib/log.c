// SPDX-License-Identifier: GPL-2.0
/* Leveled logging to stderr, and libbpf's messages demoted one level. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"

enum xbond_log_level xbond_log_level = XBOND_LOG_WARN;
const char *xbond_prog_name = "xbond";
/* Kept for callers that report errors elsewhere than stderr (the CNI plugin). */
static char last_warning[512];

static void vlog(enum xbond_log_level level, const char *fmt, va_list ap)
{
	if (level == XBOND_LOG_WARN) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(last_warning, sizeof(last_warning), fmt, copy);
		va_end(copy);
		last_warning[strcspn(last_warning, "\n")] = '\0';
	}
	if (level > xbond_log_level)
		return;
	fprintf(stderr, "%s: ", xbond_prog_name);
	vfprintf(stderr, fmt, ap);
}

void xbond_log_forget(void)
{
	last_warning[0] = '\0';
}

const char *xbond_log_last(void)
{
	return last_warning;
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
