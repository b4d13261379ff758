// SPDX-License-Identifier: GPL-2.0
/* Test verdicts and assertion details, printed in the runner's line format. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

static char detail[256];
static unsigned int failures;

static void set_detail(const char *fmt, va_list ap)
{
	vsnprintf(detail, sizeof(detail), fmt, ap);
}

static void detail_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void detail_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_detail(fmt, ap);
	va_end(ap);
}

void test_report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("TEST: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" [%s]\n", ok ? " OK " : "FAIL");
	if (!ok) {
		failures++;
		printf("\t%s\n", detail[0] ? detail : "failed without a detail");
	}
	detail[0] = '\0';
	/* A crash in a later test must not eat the verdicts before it. */
	fflush(stdout);
}

unsigned int test_failures(void)
{
	return failures;
}

bool expect_eq(const char *what, unsigned long long expected, unsigned long long got)
{
	if (expected == got)
		return true;
	detail_printf("%s: expected %llu (0x%llx), got %llu (0x%llx)", what, expected, expected,
		      got, got);
	return false;
}

bool expect_ok(const char *what, int err)
{
	if (!err)
		return true;
	detail_printf("%s: expected success, got %d (%s)", what, err, strerror(-err));
	return false;
}

bool expect_true(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	va_start(ap, fmt);
	set_detail(fmt, ap);
	va_end(ap);
	return false;
}
