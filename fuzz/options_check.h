/* SPDX-License-Identifier: GPL-2.0 */
/* What the fuzz harnesses hold a parsed request to: every field its default or a value its option-table entry accepts. */
#ifndef FUZZ_OPTIONS_CHECK_H
#define FUZZ_OPTIONS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include "options.h"

/* The stderr libFuzzer and the sanitizers report on, once quiet_stderr() ran. */
extern FILE *real_stderr;

/* A broken invariant: say which, then abort so libFuzzer keeps the input. */
#define INVARIANT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(real_stderr, "invariant broken: " __VA_ARGS__);	\
		fputc('\n', real_stderr);				\
		abort();						\
	}								\
} while (0)

/*
 * The library's messages go to the FILE stderr names: point that at
 * /dev/null. libFuzzer keeps the FILE it took at start-up, and the sanitizers
 * write to fd 2 themselves, so their reports still show.
 */
void quiet_stderr(void);

/* Fields as xbond_options_init(o, name) leaves them count as defaults. */
void options_check_init(const char *name);
/* Everything o holds is its default or a value its entry accepts; else abort. */
void options_sane(struct xbond_options *o);
/* An int or unsigned int field as the table stores it; a bool as 0 or 1. */
long option_int(struct xbond_options *o, const struct xbond_option *opt);

#endif /* FUZZ_OPTIONS_CHECK_H */
