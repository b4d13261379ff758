/* SPDX-License-Identifier: GPL-2.0 */
/* Leveled logging for xbond's userspace tools: one line per message, prefixed with the tool's name. */
#ifndef XBOND_LOG_H
#define XBOND_LOG_H

enum xbond_log_level {
	XBOND_LOG_WARN = 0,
	XBOND_LOG_INFO,
	XBOND_LOG_DEBUG,
};

extern enum xbond_log_level xbond_log_level;
extern const char *xbond_prog_name;

void xbond_log(enum xbond_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The last warning logged (shown or not), without its newline; "" if none. */
const char *xbond_log_last(void);
void xbond_log_forget(void);
/* Route libbpf's messages through xbond_log, one level quieter. */
void xbond_log_libbpf(void);

#define pr_warn(...)	xbond_log(XBOND_LOG_WARN, __VA_ARGS__)
#define pr_info(...)	xbond_log(XBOND_LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	xbond_log(XBOND_LOG_DEBUG, __VA_ARGS__)

#endif /* XBOND_LOG_H */
