/* SPDX-License-Identifier: GPL-2.0 */
/* Bonding mode and hash policy names, as the kernel bonding driver spells them. */
#ifndef XBOND_NAMES_H
#define XBOND_NAMES_H

/* Return the enum value, or -1 if the name is unknown. */
int xbond_mode_parse(const char *name);
int xbond_hash_parse(const char *name);
/* Return the kernel's name, or "unknown". */
const char *xbond_mode_name(unsigned int mode);
const char *xbond_hash_name(unsigned int hash);
/* A comma-separated list of what is accepted, for error messages. */
const char *xbond_mode_choices(void);
const char *xbond_hash_choices(void);

#endif /* XBOND_NAMES_H */
