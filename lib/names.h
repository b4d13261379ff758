/* SPDX-License-Identifier: GPL-2.0 */
/* Bonding mode and hash policy names, as the kernel bonding driver spells them. */
#ifndef XBOND_NAMES_H
#define XBOND_NAMES_H

#include <stdbool.h>

/* Return the enum value, or -1 if the name is unknown. */
int xbond_mode_parse(const char *name);
int xbond_hash_parse(const char *name);
/* Whether xbond runs this mode yet: tlb and alb are named, not implemented. */
bool xbond_mode_implemented(int mode);
/* A name the kernel would take for an interface (dev_valid_name), and so safe as a path component. */
bool xbond_ifname_valid(const char *name);
/* Return the kernel's name, or "unknown". */
const char *xbond_mode_name(unsigned int mode);
const char *xbond_hash_name(unsigned int hash);
/* A comma-separated list of what is accepted, for error messages. */
const char *xbond_mode_choices(void);
const char *xbond_hash_choices(void);

/* Settings named by small enums in maps/xbond_abi.h: NULL-terminated, indexed by value. */
extern const char *const xbond_arp_validate_names[];
extern const char *const xbond_all_targets_names[];
extern const char *const xbond_reselect_names[];
/* off, on: a setting that is one or the other (--failback, --lacp-active) */
extern const char *const xbond_off_on_names[];
extern const char *const xbond_lacp_rate_names[];
extern const char *const xbond_ad_select_names[];
/* 802.3ad: the LACP machines' states and a port's selection, by their enums. */
extern const char *const xbond_lacp_rx_names[];
extern const char *const xbond_lacp_mux_names[];
extern const char *const xbond_lacp_selected_names[];
/* The index of name in names, or -1. */
int xbond_choice_parse(const char *const *names, const char *name);
/* names[value], or "unknown" past the end. */
const char *xbond_choice_name(const char *const *names, unsigned int value);

#endif /* XBOND_NAMES_H */
