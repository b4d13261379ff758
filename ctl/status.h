/* SPDX-License-Identifier: GPL-2.0 */
/* xbondctl status: one printer for text and JSON, fed from a bond's pins. */
#ifndef XBOND_STATUS_H
#define XBOND_STATUS_H

#include <stdbool.h>

struct status_opts {
	const char *name;
	bool json;
	bool pretty;
};

int status_show(const struct status_opts *opts);
/* One line on stderr, or {"error": ...} on stdout in JSON mode. */
void status_error(const struct status_opts *opts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* XBOND_STATUS_H */
