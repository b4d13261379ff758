// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: any bytes as a frame read from a member's slow-protocol
 * socket, through slow_pdu_parse (lib/lacp_pdu.c). What it accepts must
 * rebuild into a frame that parses back to the same fields: the monitor
 * answers a partner with what it read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lacp_pdu.h"

static void lacp_roundtrip(const uint8_t *src_mac, const struct lacpdu *pdu)
{
	uint8_t frame[LACP_FRAME_LEN];
	struct lacpdu again;

	memset(&again, 0, sizeof(again));
	if (lacpdu_build(frame, sizeof(frame), src_mac, pdu) != LACP_FRAME_LEN ||
	    slow_pdu_parse(frame, sizeof(frame), &again, NULL) != SLOW_PDU_LACP)
		abort();
	/* Field by field: the structs have padding that memcmp would see. */
	if (memcmp(&pdu->actor.system, &again.actor.system, 6) ||
	    pdu->actor.system_priority != again.actor.system_priority ||
	    pdu->actor.key != again.actor.key ||
	    pdu->actor.port_priority != again.actor.port_priority ||
	    pdu->actor.port != again.actor.port || pdu->actor.state != again.actor.state ||
	    memcmp(&pdu->partner.system, &again.partner.system, 6) ||
	    pdu->partner.system_priority != again.partner.system_priority ||
	    pdu->partner.key != again.partner.key ||
	    pdu->partner.port_priority != again.partner.port_priority ||
	    pdu->partner.port != again.partner.port || pdu->partner.state != again.partner.state ||
	    pdu->collector_max_delay != again.collector_max_delay)
		abort();
}

static void marker_check(const struct marker_pdu *want, const struct marker_pdu *got)
{
	if (want->response != got->response || want->port != got->port ||
	    memcmp(want->system, got->system, 6) || want->transaction_id != got->transaction_id)
		abort();
}

static void marker_roundtrip(const uint8_t *src_mac, const struct marker_pdu *marker)
{
	struct marker_pdu again, response = *marker;
	uint8_t frame[LACP_FRAME_LEN];

	memset(&again, 0, sizeof(again));
	if (marker_pdu_build(frame, sizeof(frame), src_mac, marker) != LACP_FRAME_LEN ||
	    slow_pdu_parse(frame, sizeof(frame), NULL, &again) != SLOW_PDU_MARKER)
		abort();
	marker_check(marker, &again);
	/* The response to it echoes everything but the type. */
	response.response = true;
	if (marker_response_build(frame, sizeof(frame), src_mac, marker) != LACP_FRAME_LEN ||
	    slow_pdu_parse(frame, sizeof(frame), NULL, &again) != SLOW_PDU_MARKER)
		abort();
	marker_check(&response, &again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct marker_pdu marker;
	struct lacpdu lacp;
	enum slow_pdu_kind kind;

	kind = slow_pdu_parse(data, size, &lacp, &marker);
	if (!slow_pdu_error_str(kind))
		abort();
	/* Accepted means a whole Ethernet header: its source MAC is there to reuse. */
	if (kind == SLOW_PDU_LACP)
		lacp_roundtrip(data + 6, &lacp);
	else if (kind == SLOW_PDU_MARKER)
		marker_roundtrip(data + 6, &marker);
	else if (kind > 0)
		abort();
	return 0;
}
