// SPDX-License-Identifier: GPL-2.0
/* LACPDU and Marker PDU frames to and from host-order structs, with every offset checked against the length. */
#include <string.h>
#include "lacp_pdu.h"

#define ETH_HDR_LEN		14
#define SLOW_PDU_LEN		110	/* after the Ethernet header, reserved bytes included */

#define SLOW_SUBTYPE_LACP	1
#define SLOW_SUBTYPE_MARKER	2
#define SLOW_VERSION		1

/* Offsets after the Ethernet header (IEEE 802.1AX 6.4.2.3, 6.5.3.3). */
#define PDU_SUBTYPE		0
#define PDU_VERSION		1
#define LACP_ACTOR_TLV		2
#define LACP_PARTNER_TLV	22
#define LACP_COLLECTOR_TLV	42
#define LACP_TERMINATOR_TLV	58
#define MARKER_TLV		2
#define MARKER_TERMINATOR_TLV	18

#define TLV_TERMINATOR		0
#define TLV_ACTOR		1
#define TLV_PARTNER		2
#define TLV_COLLECTOR		3
#define TLV_MARKER_INFO		1
#define TLV_MARKER_RESPONSE	2
#define INFO_TLV_LEN		20
#define COLLECTOR_TLV_LEN	16
#define MARKER_TLV_LEN		16

static const __u8 slow_dest[6] = XBOND_SLOW_DEST;

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static bool tlv_is(const __u8 *tlv, __u8 type, __u8 len)
{
	return tlv[0] == type && tlv[1] == len;
}

/* An actor or partner TLV's body: the same 18 bytes for both. */
static void info_get(const __u8 *tlv, struct lacp_info *info)
{
	info->system_priority = get16(tlv + 2);
	memcpy(info->system, tlv + 4, 6);
	info->key = get16(tlv + 10);
	info->port_priority = get16(tlv + 12);
	info->port = get16(tlv + 14);
	info->state = tlv[16];
}

static void info_put(__u8 *tlv, __u8 type, const struct lacp_info *info)
{
	tlv[0] = type;
	tlv[1] = INFO_TLV_LEN;
	put16(tlv + 2, info->system_priority);
	memcpy(tlv + 4, info->system, 6);
	put16(tlv + 10, info->key);
	put16(tlv + 12, info->port_priority);
	put16(tlv + 14, info->port);
	tlv[16] = info->state;
}

static enum slow_pdu_kind lacpdu_parse(const __u8 *pdu, size_t len, struct lacpdu *lacp)
{
	if (len < LACP_TERMINATOR_TLV + 2)
		return SLOW_PDU_TRUNCATED;
	if (!tlv_is(pdu + LACP_ACTOR_TLV, TLV_ACTOR, INFO_TLV_LEN) ||
	    !tlv_is(pdu + LACP_PARTNER_TLV, TLV_PARTNER, INFO_TLV_LEN) ||
	    !tlv_is(pdu + LACP_COLLECTOR_TLV, TLV_COLLECTOR, COLLECTOR_TLV_LEN))
		return SLOW_PDU_BAD_TLV;
	/* Newer versions may add TLVs after the collector's, where version 1 ends. */
	if (pdu[PDU_VERSION] == SLOW_VERSION &&
	    !tlv_is(pdu + LACP_TERMINATOR_TLV, TLV_TERMINATOR, 0))
		return SLOW_PDU_BAD_TLV;
	if (lacp) {
		info_get(pdu + LACP_ACTOR_TLV, &lacp->actor);
		info_get(pdu + LACP_PARTNER_TLV, &lacp->partner);
		lacp->collector_max_delay = get16(pdu + LACP_COLLECTOR_TLV + 2);
	}
	return SLOW_PDU_LACP;
}

static enum slow_pdu_kind marker_parse(const __u8 *pdu, size_t len, struct marker_pdu *marker)
{
	const __u8 *tlv = pdu + MARKER_TLV;

	if (len < MARKER_TERMINATOR_TLV + 2)
		return SLOW_PDU_TRUNCATED;
	if ((tlv[0] != TLV_MARKER_INFO && tlv[0] != TLV_MARKER_RESPONSE) ||
	    tlv[1] != MARKER_TLV_LEN)
		return SLOW_PDU_BAD_TLV;
	if (pdu[PDU_VERSION] == SLOW_VERSION &&
	    !tlv_is(pdu + MARKER_TERMINATOR_TLV, TLV_TERMINATOR, 0))
		return SLOW_PDU_BAD_TLV;
	if (marker) {
		marker->response = tlv[0] == TLV_MARKER_RESPONSE;
		marker->port = get16(tlv + 2);
		memcpy(marker->system, tlv + 4, 6);
		marker->transaction_id = get32(tlv + 10);
	}
	return SLOW_PDU_MARKER;
}

enum slow_pdu_kind slow_pdu_parse(const void *frame, size_t len, struct lacpdu *lacp,
				  struct marker_pdu *marker)
{
	const __u8 *eth = frame;
	const __u8 *pdu;

	if (len < ETH_HDR_LEN)
		return SLOW_PDU_TRUNCATED;
	if (memcmp(eth, slow_dest, sizeof(slow_dest)) || get16(eth + 12) != XBOND_ETH_P_SLOW)
		return SLOW_PDU_BAD_HEADER;
	pdu = eth + ETH_HDR_LEN;
	len -= ETH_HDR_LEN;
	if (len < PDU_VERSION + 1)
		return SLOW_PDU_TRUNCATED;
	if (pdu[PDU_SUBTYPE] != SLOW_SUBTYPE_LACP && pdu[PDU_SUBTYPE] != SLOW_SUBTYPE_MARKER)
		return SLOW_PDU_BAD_SUBTYPE;
	/* A newer version is read as version 1 at the fixed positions (802.1AX 6.4.2.3). */
	if (pdu[PDU_VERSION] < SLOW_VERSION)
		return SLOW_PDU_BAD_VERSION;
	if (pdu[PDU_SUBTYPE] == SLOW_SUBTYPE_LACP)
		return lacpdu_parse(pdu, len, lacp);
	return marker_parse(pdu, len, marker);
}

/* The Ethernet and slow-protocol headers, with everything after them zeroed. */
static __u8 *slow_frame_start(void *buf, size_t len, const __u8 src_mac[6], __u8 subtype)
{
	__u8 *eth = buf;

	if (len < LACP_FRAME_LEN)
		return NULL;
	memset(eth, 0, LACP_FRAME_LEN);
	memcpy(eth, slow_dest, sizeof(slow_dest));
	memcpy(eth + 6, src_mac, 6);
	put16(eth + 12, XBOND_ETH_P_SLOW);
	eth[ETH_HDR_LEN + PDU_SUBTYPE] = subtype;
	eth[ETH_HDR_LEN + PDU_VERSION] = SLOW_VERSION;
	return eth + ETH_HDR_LEN;
}

size_t lacpdu_build(void *buf, size_t len, const __u8 src_mac[6], const struct lacpdu *lacp)
{
	__u8 *pdu = slow_frame_start(buf, len, src_mac, SLOW_SUBTYPE_LACP);

	if (!pdu)
		return 0;
	info_put(pdu + LACP_ACTOR_TLV, TLV_ACTOR, &lacp->actor);
	info_put(pdu + LACP_PARTNER_TLV, TLV_PARTNER, &lacp->partner);
	pdu[LACP_COLLECTOR_TLV] = TLV_COLLECTOR;
	pdu[LACP_COLLECTOR_TLV + 1] = COLLECTOR_TLV_LEN;
	put16(pdu + LACP_COLLECTOR_TLV + 2, lacp->collector_max_delay);
	/* The terminator and the reserved bytes are the zeroes already there. */
	return LACP_FRAME_LEN;
}

size_t marker_pdu_build(void *buf, size_t len, const __u8 src_mac[6], const struct marker_pdu *marker)
{
	__u8 *pdu = slow_frame_start(buf, len, src_mac, SLOW_SUBTYPE_MARKER);
	__u8 *tlv;

	if (!pdu)
		return 0;
	tlv = pdu + MARKER_TLV;
	tlv[0] = marker->response ? TLV_MARKER_RESPONSE : TLV_MARKER_INFO;
	tlv[1] = MARKER_TLV_LEN;
	put16(tlv + 2, marker->port);
	memcpy(tlv + 4, marker->system, 6);
	put32(tlv + 10, marker->transaction_id);
	return LACP_FRAME_LEN;
}

/* The response carries the requester's own port, system and transaction back (802.1AX 6.5.4.2). */
size_t marker_response_build(void *buf, size_t len, const __u8 src_mac[6],
			     const struct marker_pdu *request)
{
	struct marker_pdu response = *request;

	response.response = true;
	return marker_pdu_build(buf, len, src_mac, &response);
}

const char *slow_pdu_error_str(enum slow_pdu_kind kind)
{
	switch (kind) {
	case SLOW_PDU_LACP:
		return "lacpdu";
	case SLOW_PDU_MARKER:
		return "marker";
	case SLOW_PDU_TRUNCATED:
		return "truncated";
	case SLOW_PDU_BAD_HEADER:
		return "not a slow-protocol frame";
	case SLOW_PDU_BAD_SUBTYPE:
		return "unknown slow-protocol subtype";
	case SLOW_PDU_BAD_VERSION:
		return "wrong version";
	case SLOW_PDU_BAD_TLV:
		return "bad TLV";
	}
	return "unknown";
}
