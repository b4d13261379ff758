/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel bonding driver's transmit hash in plain C: the oracle for tx_select's choice. */
#ifndef REF_HASH_H
#define REF_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * bond_xmit_hash() for the frame in pkt[0..len) under an enum xbond_hash
 * policy; the member is then buckets[hash & (XBOND_BUCKETS - 1)].
 */
uint32_t ref_xmit_hash(const uint8_t *pkt, size_t len, unsigned int policy);

#endif /* REF_HASH_H */
