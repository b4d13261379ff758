// SPDX-License-Identifier: GPL-2.0
/* lib/lacp_pdu.c: LACPDU and Marker frames against hand-written bytes, roundtrips, and a table of refusals. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lacp_pdu.h"
#include "suites.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const __u8 our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static const struct lacpdu sample_lacpdu = {
	.actor = {
		.system_priority = 0x8001,
		.system = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
		.key = 0x0203,
		.port_priority = 0x00ff,
		.port = 0x1234,
		.state = XBOND_LACP_ACTIVITY | XBOND_LACP_TIMEOUT | XBOND_LACP_AGGREGATION,
	},
	.partner = {
		.system_priority = 0xfffe,
		.system = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f },
		.key = 0xa1b2,
		.port_priority = 0x0100,
		.port = 0x8002,
		.state = XBOND_LACP_SYNC | XBOND_LACP_DEFAULTED | XBOND_LACP_EXPIRED,
	},
	.collector_max_delay = 0x0506,
};

/*
 * sample_lacpdu from our_mac, written out by hand from 802.1AX 6.4.2.3, so
 * that a byte-order or offset mistake made alike in the builder and the
 * parser still shows. The 50 reserved bytes after the terminator are zero.
 */
static const __u8 sample_wire[74] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x02,		/* slow-protocols multicast */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,		/* our_mac */
	0x88, 0x09,					/* slow protocols */
	0x01, 0x01,					/* LACP, version 1 */
	0x01, 0x14,					/* actor TLV, 20 */
	0x80, 0x01, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
	0x02, 0x03, 0x00, 0xff, 0x12, 0x34, 0x07, 0x00, 0x00, 0x00,
	0x02, 0x14,					/* partner TLV, 20 */
	0xff, 0xfe, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0xa1, 0xb2, 0x01, 0x00, 0x80, 0x02, 0xc8, 0x00, 0x00, 0x00,
	0x03, 0x10,					/* collector TLV, 16 */
	0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00,					/* terminator */
};

static const struct marker_pdu sample_marker = {
	.port = 0x0102,
	.system = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
	.transaction_id = 0xdeadbeef,
};

/* Offsets in the frame, Ethernet header included. */
enum {
	OFF_DEST = 0,
	OFF_ETHERTYPE = 12,
	OFF_SUBTYPE = 14,
	OFF_VERSION = 15,
	OFF_ACTOR = 16,
	OFF_PARTNER = 36,
	OFF_COLLECTOR = 56,
	OFF_TERMINATOR = 72,
	OFF_MARKER_TLV = 16,
	OFF_MARKER_TERMINATOR = 32,
};

static bool kind_is(enum slow_pdu_kind want, enum slow_pdu_kind got)
{
	return expect_true(want == got, "expected %d (%s), got %d (%s)", want,
			   slow_pdu_error_str(want), got, slow_pdu_error_str(got));
}

static bool info_equal(const char *side, const struct lacp_info *want,
		       const struct lacp_info *got)
{
	return expect_true(!memcmp(want->system, got->system, 6), "%s system differs", side) &&
	       expect_eq("system priority", want->system_priority, got->system_priority) &&
	       expect_eq("key", want->key, got->key) &&
	       expect_eq("port priority", want->port_priority, got->port_priority) &&
	       expect_eq("port", want->port, got->port) &&
	       expect_eq("state", want->state, got->state);
}

static bool lacpdu_equal(const struct lacpdu *want, const struct lacpdu *got)
{
	return info_equal("actor", &want->actor, &got->actor) &&
	       info_equal("partner", &want->partner, &got->partner) &&
	       expect_eq("collector max delay", want->collector_max_delay,
			 got->collector_max_delay);
}

static bool all_zero(const __u8 *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static void lacpdu_wire(void)
{
	__u8 frame[LACP_FRAME_LEN];
	struct lacpdu got;
	bool ok = false;

	memset(&got, 0xa5, sizeof(got));
	if (!expect_eq("built length", LACP_FRAME_LEN,
		       lacpdu_build(frame, sizeof(frame), our_mac, &sample_lacpdu)) ||
	    !expect_true(!memcmp(frame, sample_wire, sizeof(sample_wire)),
			 "built bytes differ from the hand-written frame") ||
	    !expect_true(all_zero(frame + sizeof(sample_wire), LACP_FRAME_LEN - sizeof(sample_wire)),
			 "reserved bytes after the terminator are not zero"))
		goto out;
	if (!kind_is(SLOW_PDU_LACP, slow_pdu_parse(sample_wire, sizeof(sample_wire), &got, NULL)) ||
	    !lacpdu_equal(&sample_lacpdu, &got))
		goto out;
	ok = true;
out:
	test_report(ok, "lacp_pdu: LACPDU built and parsed against hand-written bytes");
}

static void lacpdu_roundtrip(void)
{
	__u8 frame[LACP_FRAME_LEN + 16];
	struct lacpdu pdu = sample_lacpdu, got;
	struct marker_pdu untouched;
	bool ok = false;

	/* Every state bit and the extremes of every field survive. */
	pdu.actor.state = 0xff;
	pdu.partner.state = 0;
	pdu.actor.port = 0xffff;
	pdu.partner.key = 0;
	memset(frame, 0xee, sizeof(frame));
	memset(&untouched, 0x5a, sizeof(untouched));
	if (!expect_eq("built length", LACP_FRAME_LEN,
		       lacpdu_build(frame, sizeof(frame), our_mac, &pdu)) ||
	    !expect_true(!memcmp(frame + 6, our_mac, 6), "source MAC is not ours") ||
	    !kind_is(SLOW_PDU_LACP, slow_pdu_parse(frame, LACP_FRAME_LEN, &got, &untouched)) ||
	    !lacpdu_equal(&pdu, &got) ||
	    !expect_eq("marker left alone", 0x5a, ((__u8 *)&untouched)[0]) ||
	    !expect_eq("buffer one byte short", 0,
		       lacpdu_build(frame, LACP_FRAME_LEN - 1, our_mac, &pdu)) ||
	    !expect_eq("marker into a short buffer", 0,
		       marker_response_build(frame, LACP_FRAME_LEN - 1, our_mac, &sample_marker)))
		goto out;
	ok = true;
out:
	test_report(ok, "lacp_pdu: LACPDU build, parse, same fields; short buffer refused");
}

static void marker_response(void)
{
	struct marker_pdu info = sample_marker, request, response;
	__u8 frame[LACP_FRAME_LEN], reply[LACP_FRAME_LEN];
	bool ok = false;

	memset(&request, 0, sizeof(request));
	memset(&response, 0, sizeof(response));
	if (!expect_eq("information length", LACP_FRAME_LEN,
		       marker_pdu_build(frame, sizeof(frame), sample_marker.system, &info)) ||
	    !expect_eq("information TLV type", 1, frame[OFF_MARKER_TLV]) ||
	    !kind_is(SLOW_PDU_MARKER, slow_pdu_parse(frame, sizeof(frame), NULL, &request)) ||
	    !expect_true(!request.response, "information parsed as a response"))
		goto out;
	if (!expect_eq("response length", LACP_FRAME_LEN,
		       marker_response_build(reply, sizeof(reply), our_mac, &request)) ||
	    !expect_eq("response TLV type", 2, reply[OFF_MARKER_TLV]) ||
	    !expect_true(!memcmp(reply + 6, our_mac, 6), "response source MAC is not ours") ||
	    !expect_true(all_zero(reply + OFF_MARKER_TERMINATOR, LACP_FRAME_LEN - OFF_MARKER_TERMINATOR),
			 "terminator and reserved bytes are not zero") ||
	    !kind_is(SLOW_PDU_MARKER, slow_pdu_parse(reply, sizeof(reply), NULL, &response)) ||
	    !expect_true(response.response, "response parsed as information") ||
	    !expect_eq("port", sample_marker.port, response.port) ||
	    !expect_true(!memcmp(sample_marker.system, response.system, 6),
			 "system not echoed") ||
	    !expect_eq("transaction id", sample_marker.transaction_id, response.transaction_id))
		goto out;
	/* The transaction id's bytes on the wire, most significant first. */
	if (!expect_true(!memcmp(reply + OFF_MARKER_TLV + 10, "\xde\xad\xbe\xef", 4),
			 "transaction id not in network order"))
		goto out;
	ok = true;
out:
	test_report(ok, "lacp_pdu: Marker Information gets a Response echoing port, system, transaction");
}

enum base { LACP, MARKER };

struct byte_edit {
	__u8 off;
	__u8 val;
};

/* A valid frame of kind base, cut to len, with up to three bytes changed. */
struct pdu_case {
	const char *name;
	enum base base;
	size_t len;
	unsigned int n_edits;
	struct byte_edit edits[3];
	enum slow_pdu_kind want;
};

#define PADDED_LEN	(LACP_FRAME_LEN + 32)

static const struct pdu_case cases[] = {
	{ "0 bytes",				LACP,	0,   0, {}, SLOW_PDU_TRUNCATED },
	{ "13 bytes, Ethernet header cut",	LACP,	13,  0, {}, SLOW_PDU_TRUNCATED },
	{ "Ethernet header alone",		LACP,	14,  0, {}, SLOW_PDU_TRUNCATED },
	{ "subtype without version",		LACP,	15,  0, {}, SLOW_PDU_TRUNCATED },
	{ "LACPDU cut in the actor TLV",	LACP,	30,  0, {}, SLOW_PDU_TRUNCATED },
	{ "LACPDU cut just before the terminator", LACP, OFF_TERMINATOR, 0, {}, SLOW_PDU_TRUNCATED },
	{ "LACPDU cut inside the terminator",	LACP,	OFF_TERMINATOR + 1, 0, {}, SLOW_PDU_TRUNCATED },
	{ "LACPDU through the terminator only",	LACP,	OFF_TERMINATOR + 2, 0, {}, SLOW_PDU_LACP },
	{ "LACPDU padded past 110 bytes",	LACP,	PADDED_LEN, 0, {}, SLOW_PDU_LACP },
	{ "marker cut just before the terminator", MARKER, OFF_MARKER_TERMINATOR, 0, {},
	  SLOW_PDU_TRUNCATED },
	{ "marker cut inside the terminator",	MARKER,	OFF_MARKER_TERMINATOR + 1, 0, {},
	  SLOW_PDU_TRUNCATED },
	{ "marker through the terminator only",	MARKER,	OFF_MARKER_TERMINATOR + 2, 0, {},
	  SLOW_PDU_MARKER },
	{ "ethertype 0x0800",			LACP,	LACP_FRAME_LEN, 1, { { OFF_ETHERTYPE, 0x08 } },
	  SLOW_PDU_BAD_HEADER },
	{ "ethertype 0x8808",			LACP,	LACP_FRAME_LEN, 1,
	  { { OFF_ETHERTYPE + 1, 0x08 } }, SLOW_PDU_BAD_HEADER },
	{ "destination 01:80:c2:00:00:03",	LACP,	LACP_FRAME_LEN, 1, { { OFF_DEST + 5, 0x03 } },
	  SLOW_PDU_BAD_HEADER },
	{ "destination ff:80:c2:00:00:02",	MARKER,	LACP_FRAME_LEN, 1, { { OFF_DEST, 0xff } },
	  SLOW_PDU_BAD_HEADER },
	{ "wrong ethertype, 14 bytes",		LACP,	14,  1, { { OFF_ETHERTYPE, 0x08 } },
	  SLOW_PDU_BAD_HEADER },
	{ "subtype 3 (OAM)",			LACP,	LACP_FRAME_LEN, 1, { { OFF_SUBTYPE, 3 } },
	  SLOW_PDU_BAD_SUBTYPE },
	{ "subtype 0",				LACP,	LACP_FRAME_LEN, 1, { { OFF_SUBTYPE, 0 } },
	  SLOW_PDU_BAD_SUBTYPE },
	{ "LACPDU version 0",			LACP,	LACP_FRAME_LEN, 1, { { OFF_VERSION, 0 } },
	  SLOW_PDU_BAD_VERSION },
	{ "marker version 0",			MARKER,	LACP_FRAME_LEN, 1, { { OFF_VERSION, 0 } },
	  SLOW_PDU_BAD_VERSION },
	{ "LACPDU version 2 read as version 1",	LACP,	LACP_FRAME_LEN, 1, { { OFF_VERSION, 2 } },
	  SLOW_PDU_LACP },
	{ "LACPDU version 255",			LACP,	LACP_FRAME_LEN, 1, { { OFF_VERSION, 255 } },
	  SLOW_PDU_LACP },
	{ "marker version 2",			MARKER,	LACP_FRAME_LEN, 1, { { OFF_VERSION, 2 } },
	  SLOW_PDU_MARKER },
	{ "actor TLV type 2",			LACP,	LACP_FRAME_LEN, 1, { { OFF_ACTOR, 2 } },
	  SLOW_PDU_BAD_TLV },
	{ "actor TLV length 19",		LACP,	LACP_FRAME_LEN, 1, { { OFF_ACTOR + 1, 19 } },
	  SLOW_PDU_BAD_TLV },
	{ "partner TLV type 1",			LACP,	LACP_FRAME_LEN, 1, { { OFF_PARTNER, 1 } },
	  SLOW_PDU_BAD_TLV },
	{ "partner TLV length 21",		LACP,	LACP_FRAME_LEN, 1, { { OFF_PARTNER + 1, 21 } },
	  SLOW_PDU_BAD_TLV },
	{ "collector TLV type 4",		LACP,	LACP_FRAME_LEN, 1, { { OFF_COLLECTOR, 4 } },
	  SLOW_PDU_BAD_TLV },
	{ "collector TLV length 0",		LACP,	LACP_FRAME_LEN, 1, { { OFF_COLLECTOR + 1, 0 } },
	  SLOW_PDU_BAD_TLV },
	{ "terminator type 3",			LACP,	LACP_FRAME_LEN, 1, { { OFF_TERMINATOR, 3 } },
	  SLOW_PDU_BAD_TLV },
	{ "terminator length 2",		LACP,	LACP_FRAME_LEN, 1,
	  { { OFF_TERMINATOR + 1, 2 } }, SLOW_PDU_BAD_TLV },
	{ "no terminator: another TLV in its place", LACP, LACP_FRAME_LEN, 2,
	  { { OFF_TERMINATOR, 5 }, { OFF_TERMINATOR + 1, 8 } }, SLOW_PDU_BAD_TLV },
	/* Version 2 adds TLVs after the collector's (802.1AX-2014 6.4.2.4): read past them. */
	{ "version 2, another TLV where version 1 ends", LACP, LACP_FRAME_LEN, 3,
	  { { OFF_VERSION, 2 }, { OFF_TERMINATOR, 5 }, { OFF_TERMINATOR + 1, 8 } }, SLOW_PDU_LACP },
	{ "version 2, actor TLV length 19",	LACP,	LACP_FRAME_LEN, 2,
	  { { OFF_VERSION, 2 }, { OFF_ACTOR + 1, 19 } }, SLOW_PDU_BAD_TLV },
	{ "marker TLV type 3",			MARKER,	LACP_FRAME_LEN, 1, { { OFF_MARKER_TLV, 3 } },
	  SLOW_PDU_BAD_TLV },
	{ "marker TLV type 0",			MARKER,	LACP_FRAME_LEN, 1, { { OFF_MARKER_TLV, 0 } },
	  SLOW_PDU_BAD_TLV },
	{ "marker TLV length 18",		MARKER,	LACP_FRAME_LEN, 1,
	  { { OFF_MARKER_TLV + 1, 18 } }, SLOW_PDU_BAD_TLV },
	{ "marker without terminator",		MARKER,	LACP_FRAME_LEN, 1,
	  { { OFF_MARKER_TERMINATOR, 1 } }, SLOW_PDU_BAD_TLV },
};

static bool case_ok(const struct pdu_case *c)
{
	__u8 frame[PADDED_LEN] = { 0 };
	struct marker_pdu marker;
	struct lacpdu lacp;
	enum slow_pdu_kind got, again;
	unsigned int i;
	__u8 *exact;

	if (c->base == LACP)
		lacpdu_build(frame, sizeof(frame), our_mac, &sample_lacpdu);
	else
		marker_pdu_build(frame, sizeof(frame), our_mac, &sample_marker);
	for (i = 0; i < c->n_edits; i++)
		frame[c->edits[i].off] = c->edits[i].val;
	/* Zeroes past the cut read as version 0 or a terminator: a read there shows. */
	memset(frame + c->len, 0, sizeof(frame) - c->len);
	got = slow_pdu_parse(frame, c->len, &lacp, &marker);
	if (!kind_is(c->want, got))
		return false;
	/* Again from a buffer of exactly len bytes, for ASan in SAN=1 builds. */
	exact = malloc(c->len ? c->len : 1);
	if (!expect_true(exact, "out of memory"))
		return false;
	memcpy(exact, frame, c->len);
	again = slow_pdu_parse(exact, c->len, NULL, NULL);
	free(exact);
	if (!kind_is(got, again))
		return false;
	/* What is accepted is read at the fixed positions, whatever the version. */
	if (got == SLOW_PDU_LACP)
		return lacpdu_equal(&sample_lacpdu, &lacp);
	if (got == SLOW_PDU_MARKER)
		return expect_eq("marker transaction id", sample_marker.transaction_id,
				 marker.transaction_id) &&
		       expect_eq("marker port", sample_marker.port, marker.port);
	return true;
}

static void parse_table(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		test_report(case_ok(&cases[i]), "lacp_pdu: %s: %s", cases[i].name,
			    slow_pdu_error_str(cases[i].want));
}

void test_lacp_pdu(void)
{
	lacpdu_wire();
	lacpdu_roundtrip();
	marker_response();
	parse_table();
}
