/* SPDX-License-Identifier: GPL-2.0 */
/* The wire format of LACPDUs and Marker PDUs (IEEE 802.1AX slow protocols): parse and build whole frames. */
#ifndef XBOND_LACP_PDU_H
#define XBOND_LACP_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"

/* One side's information in a LACPDU, host byte order. */
struct lacp_info {
	__u16 system_priority;
	__u8  system[6];
	__u16 key;
	__u16 port_priority;
	__u16 port;
	__u8  state;		/* XBOND_LACP_* bits */
};

struct lacpdu {
	struct lacp_info actor, partner;
	__u16 collector_max_delay;	/* tens of microseconds */
};

/* A Marker Information or Marker Response TLV. */
struct marker_pdu {
	bool response;		/* TLV type 2 (response) rather than 1 (information) */
	__u16 port;
	__u8  system[6];
	__u32 transaction_id;
};

enum slow_pdu_kind {		/* what slow_pdu_parse found; negative: why it was refused */
	SLOW_PDU_LACP = 1,
	SLOW_PDU_MARKER = 2,
	SLOW_PDU_TRUNCATED = -1,	/* shorter than its TLVs need */
	SLOW_PDU_BAD_HEADER = -2,	/* not 0x8809 or not to 01:80:c2:00:00:02 */
	SLOW_PDU_BAD_SUBTYPE = -3,	/* a slow protocol other than LACP (1) or Marker (2) */
	SLOW_PDU_BAD_VERSION = -4,	/* version 0 */
	SLOW_PDU_BAD_TLV = -5,		/* a TLV of the wrong type or length, or no terminator */
};

#define LACP_FRAME_LEN	124	/* Ethernet header + 110 bytes, as sent (without FCS) */

/*
 * Parse a whole Ethernet frame as read from an AF_PACKET SOCK_RAW socket.
 * Fills lacp or marker, whichever the frame is; either may be NULL if that
 * kind is not wanted (the kind is still returned).
 */
enum slow_pdu_kind slow_pdu_parse(const void *frame, size_t len, struct lacpdu *lacp,
				  struct marker_pdu *marker);
/* A LACPDU frame from src_mac into buf (>= LACP_FRAME_LEN): its length, or 0 if buf is too small. */
size_t lacpdu_build(void *buf, size_t len, const __u8 src_mac[6], const struct lacpdu *pdu);
/* A Marker PDU, information or response as pdu->response says; same layout rules. */
size_t marker_pdu_build(void *buf, size_t len, const __u8 src_mac[6], const struct marker_pdu *pdu);
/* The Marker Response to a Marker Information PDU, same layout rules. */
size_t marker_response_build(void *buf, size_t len, const __u8 src_mac[6],
			     const struct marker_pdu *request);
/* "why" words for a refusal, for logs: "truncated", "wrong version", ... */
const char *slow_pdu_error_str(enum slow_pdu_kind kind);

#endif
