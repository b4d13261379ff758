/* SPDX-License-Identifier: GPL-2.0 */
/* Test verdicts in the format the project runner counts, and assertions that say what differed. */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>

/*
 * Print "TEST: <description> [ OK ]" or "[FAIL]"; a failure is followed by
 * the detail the failed assertion left behind.
 */
void test_report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));


/* Number of [FAIL] lines printed so far. */
unsigned int test_failures(void);

/*
 * Assertions: true if the check holds. If not, they keep the detail for the
 * coming test_report(), so callers just `goto out`.
 */
bool expect_eq(const char *what, unsigned long long expected, unsigned long long got);
/* err is 0 or a negative errno, as libbpf 1.x and lib/ return them. */
bool expect_ok(const char *what, int err);
bool expect_true(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CHECK_H */
