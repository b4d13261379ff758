// SPDX-License-Identifier: GPL-2.0
/*
 * A scriptable LACP partner on one interface, over an AF_PACKET socket: the
 * shell tests use it to play a peer that answers, stays silent, floods or
 * sends malformed LACPDUs, which a real bonding peer cannot be made to do.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include "lacp_pdu.h"

#define EXIT_USAGE		2
#define MARKER_WAIT_MS		2000

enum malformed_kind {
	MALFORMED_NONE,
	MALFORMED_TRUNCATED,
	MALFORMED_VERSION,
	MALFORMED_TLV_LENGTH,
	MALFORMED_TLV_TYPE,
	MALFORMED_NO_TERMINATOR,
};

/* Indexed by enum malformed_kind; NULL-terminated. */
static const char *const malformed_names[] = {
	"", "truncated", "version", "tlv-length", "tlv-type", "no-terminator", NULL,
};

struct peer {
	const char *dev;
	int fd;
	__u8 mac[6];			/* the interface's: source of what we send */
	struct lacp_info actor;		/* who we claim to be */
	struct lacp_info partner;	/* the actor of the last LACPDU we read */
	unsigned long count;		/* stop after this many LACPDUs; 0: never */
	unsigned long sent;
	unsigned int interval_ms;
	enum malformed_kind malformed;
	unsigned long flood;
	bool marker;
	bool dump;
	bool listen;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: lacp_peer --dev IF [--system MAC] [--sys-prio N] [--key N] [--port N] [--port-prio N]\n"
		"                 [--fast] [--passive] [--count N] [--interval-ms MS]\n"
		"                 [--malformed truncated|version|tlv-length|tlv-type|no-terminator] [--flood N]\n"
		"                 [--marker] [--dump] [--listen]\n"
		"Plays an LACP partner on IF: sends a LACPDU every MS (default 1000) and whenever a\n"
		"received one changes what it knows, echoing the last actor it heard as its partner;\n"
		"answers Marker Information with a Marker Response. Runs until SIGTERM or SIGINT.\n"
		"  --system MAC      actor system (default 02:00:00:00:00:99)\n"
		"  --sys-prio N      actor system priority (default 65535)\n"
		"  --key N           actor key (default 99)\n"
		"  --port N          actor port (default 1)\n"
		"  --port-prio N     actor port priority (default 255)\n"
		"  --fast            set LACP_Timeout: ask the other side for a LACPDU a second\n"
		"  --passive         clear LACP_Activity: send only once an active partner is heard\n"
		"  --count N         exit after sending N LACPDUs\n"
		"  --malformed KIND  send malformed LACPDUs (--flood N of them, default 1) and exit\n"
		"  --flood N         send N LACPDUs back to back and exit\n"
		"  --marker          send one Marker Information PDU, print the response, exit 1 if none in 2 s\n"
		"  --dump            print a line per slow-protocol frame received\n"
		"  --listen          send nothing, not even answers (with --dump: a tap)\n");
}

static int bad_arg(const char *opt, const char *val)
{
	fprintf(stderr, "lacp_peer: bad %s '%s'; see --help\n", opt, val);
	return -EINVAL;
}

static int parse_ulong(const char *opt, const char *val, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(val, &end, 0);
	if (errno || end == val || *end || val[0] == '-' || *out < min || *out > max)
		return bad_arg(opt, val);
	return 0;
}

static int parse_u16(const char *opt, const char *val, __u16 *out)
{
	unsigned long v;
	int err = parse_ulong(opt, val, 0, 0xffff, &v);

	*out = v;
	return err;
}

static int parse_mac(const char *val, __u8 mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return bad_arg("--system", val);
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

static int parse_choice(const char *opt, const char *val, const char *const *names)
{
	int i;

	for (i = 1; names[i]; i++)
		if (!strcmp(names[i], val))
			return i;
	return bad_arg(opt, val);
}

static int parse_args(int argc, char **argv, struct peer *p)
{
	static const struct option options[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "system", required_argument, NULL, 's' },
		{ "sys-prio", required_argument, NULL, 'S' },
		{ "key", required_argument, NULL, 'k' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-prio", required_argument, NULL, 'P' },
		{ "fast", no_argument, NULL, 'f' },
		{ "passive", no_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "malformed", required_argument, NULL, 'm' },
		{ "flood", required_argument, NULL, 'F' },
		{ "marker", no_argument, NULL, 'M' },
		{ "dump", no_argument, NULL, 'D' },
		{ "listen", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long v;
	int opt, err = 0;

	opterr = 0;
	while (!err && (opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			p->dev = optarg;
			break;
		case 's':
			err = parse_mac(optarg, p->actor.system);
			break;
		case 'S':
			err = parse_u16("--sys-prio", optarg, &p->actor.system_priority);
			break;
		case 'k':
			err = parse_u16("--key", optarg, &p->actor.key);
			break;
		case 'p':
			err = parse_u16("--port", optarg, &p->actor.port);
			break;
		case 'P':
			err = parse_u16("--port-prio", optarg, &p->actor.port_priority);
			break;
		case 'f':
			p->actor.state |= XBOND_LACP_TIMEOUT;
			break;
		case 'a':
			p->actor.state &= ~XBOND_LACP_ACTIVITY;
			break;
		case 'c':
			err = parse_ulong("--count", optarg, 1, ULONG_MAX, &p->count);
			break;
		case 'i':
			err = parse_ulong("--interval-ms", optarg, 1, 3600 * 1000, &v);
			p->interval_ms = v;
			break;
		case 'm':
			err = parse_choice("--malformed", optarg, malformed_names);
			if (err > 0) {
				p->malformed = err;
				err = 0;
			}
			break;
		case 'F':
			err = parse_ulong("--flood", optarg, 1, ULONG_MAX, &p->flood);
			break;
		case 'M':
			p->marker = true;
			break;
		case 'D':
			p->dump = true;
			break;
		case 'l':
			p->listen = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "lacp_peer: unknown or incomplete option '%s'; see --help\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (err)
		return err;
	if (optind < argc) {
		fprintf(stderr, "lacp_peer: unexpected argument '%s'; see --help\n", argv[optind]);
		return -EINVAL;
	}
	if (!p->dev) {
		fprintf(stderr, "lacp_peer: --dev IF is required; see --help\n");
		return -EINVAL;
	}
	if (p->marker && (p->malformed || p->flood || p->listen)) {
		fprintf(stderr, "lacp_peer: --marker goes with none of --malformed, --flood, --listen\n");
		return -EINVAL;
	}
	if (p->malformed && !p->flood)
		p->flood = 1;
	return 0;
}

/* A socket for slow-protocol frames on the one interface, joined to their multicast group. */
static int peer_open(struct peer *p)
{
	static const __u8 slow_dest[6] = XBOND_SLOW_DEST;
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(XBOND_ETH_P_SLOW),
	};
	struct packet_mreq mreq = { .mr_type = PACKET_MR_MULTICAST, .mr_alen = 6 };
	struct ifreq ifr = {};
	int rcvbuf = 4 << 20;

	addr.sll_ifindex = if_nametoindex(p->dev);
	if (!addr.sll_ifindex || strlen(p->dev) >= IFNAMSIZ) {
		fprintf(stderr, "lacp_peer: no interface '%s'\n", p->dev);
		return -ENODEV;
	}
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(XBOND_ETH_P_SLOW));
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto fail;
	/* A --flood at a --dump tap overruns the default 200 KiB; 4 MiB holds thousands of frames. */
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	mreq.mr_ifindex = addr.sll_ifindex;
	memcpy(mreq.mr_address, slow_dest, 6);
	if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)))
		goto fail;
	strcpy(ifr.ifr_name, p->dev);
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr))
		goto fail;
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
fail:
	fprintf(stderr, "lacp_peer: packet socket on %s: %s\n", p->dev, strerror(errno));
	return -errno;
}

static int send_frame(struct peer *p, const void *frame, size_t len)
{
	if (send(p->fd, frame, len, 0) != (ssize_t)len) {
		fprintf(stderr, "lacp_peer: send on %s: %s\n", p->dev, strerror(errno));
		return -errno;
	}
	return 0;
}

static size_t build_lacpdu(struct peer *p, __u8 *frame, size_t len)
{
	struct lacpdu pdu = { .actor = p->actor, .partner = p->partner };

	return lacpdu_build(frame, len, p->mac, &pdu);
}

static int send_lacpdu(struct peer *p)
{
	__u8 frame[LACP_FRAME_LEN];
	int err = send_frame(p, frame, build_lacpdu(p, frame, sizeof(frame)));

	if (!err)
		p->sent++;
	return err;
}

/* Offsets in the frame of what each malformation breaks (802.1AX 6.4.2.3). */
#define FRAME_VERSION		15
#define FRAME_ACTOR_TLV		16
#define FRAME_TERMINATOR_TLV	72
/* Ethernet's minimum frame: still short of the terminator, and a NIC sends it as is. */
#define TRUNCATED_LEN		60

/* --flood N LACPDUs, broken as --malformed says. */
static int send_flood(struct peer *p)
{
	__u8 frame[LACP_FRAME_LEN];
	size_t len = build_lacpdu(p, frame, sizeof(frame));
	unsigned long i;

	switch (p->malformed) {
	case MALFORMED_NONE:
		break;
	case MALFORMED_TRUNCATED:
		len = TRUNCATED_LEN;
		break;
	case MALFORMED_VERSION:
		frame[FRAME_VERSION] = 0;
		break;
	case MALFORMED_TLV_LENGTH:
		frame[FRAME_ACTOR_TLV + 1] = 19;
		break;
	case MALFORMED_TLV_TYPE:
		frame[FRAME_ACTOR_TLV] = 5;
		break;
	case MALFORMED_NO_TERMINATOR:
		/* An unknown TLV where a version 1 LACPDU must end. */
		frame[FRAME_TERMINATOR_TLV] = 5;
		frame[FRAME_TERMINATOR_TLV + 1] = 8;
		break;
	}
	for (i = 0; i < p->flood && !stop; i++) {
		/* Back to back can outrun the device queue: wait for room, do not drop. */
		while (send(p->fd, frame, len, 0) != (ssize_t)len) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "lacp_peer: send on %s: %s\n", p->dev, strerror(errno));
				return -errno;
			}
			usleep(1000);
		}
	}
	return 0;
}

static const char *mac_str(const __u8 *mac, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		mac[5]);
	return buf;
}

static void print_info(const char *side, const struct lacp_info *info)
{
	char mac[18];

	printf("%s system=%s sys_prio=%u key=%u port=%u port_prio=%u state=0x%02x", side,
	       mac_str(info->system, mac), info->system_priority, info->key, info->port,
	       info->port_priority, info->state);
}

static void print_marker(const struct marker_pdu *m)
{
	char mac[18];

	printf("marker %s port=%u system=%s transaction=%u\n",
	       m->response ? "response" : "information", m->port, mac_str(m->system, mac),
	       m->transaction_id);
}

static void dump_frame(enum slow_pdu_kind kind, const struct lacpdu *lacp,
		       const struct marker_pdu *marker, size_t len)
{
	switch (kind) {
	case SLOW_PDU_LACP:
		print_info("lacpdu actor", &lacp->actor);
		print_info("  partner", &lacp->partner);
		putchar('\n');
		break;
	case SLOW_PDU_MARKER:
		print_marker(marker);
		break;
	default:
		printf("refused %s len=%zu\n", slow_pdu_error_str(kind), len);
	}
	fflush(stdout);
}

static bool info_equal(const struct lacp_info *a, const struct lacp_info *b)
{
	return a->system_priority == b->system_priority && !memcmp(a->system, b->system, 6) &&
	       a->key == b->key && a->port_priority == b->port_priority && a->port == b->port &&
	       a->state == b->state;
}

/*
 * One frame off the socket, or -EAGAIN if there was none. Frames we sent
 * come back to a packet socket too: those are skipped.
 */
static int receive(struct peer *p, enum slow_pdu_kind *kind, struct lacpdu *lacp,
		   struct marker_pdu *marker)
{
	__u8 frame[2048];
	struct sockaddr_ll from;
	socklen_t from_len = sizeof(from);
	ssize_t n;

	n = recvfrom(p->fd, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&from,
		     &from_len);
	if (n < 0)
		return errno == EINTR || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return -EAGAIN;
	*kind = slow_pdu_parse(frame, n, lacp, marker);
	if (p->dump)
		dump_frame(*kind, lacp, marker, n);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait up to timeout_ms (-1: forever) for a frame; false on a signal or timeout. */
static bool wait_readable(struct peer *p, long long timeout_ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	return !stop && poll(&pfd, 1, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms) > 0;
}

static int marker_exchange(struct peer *p)
{
	struct marker_pdu request = {
		.port = p->actor.port,
		.transaction_id = (__u32)getpid() ^ (__u32)now_ms(),
	}, reply;
	long long deadline = now_ms() + MARKER_WAIT_MS;
	__u8 frame[LACP_FRAME_LEN];
	enum slow_pdu_kind kind;
	struct lacpdu lacp;
	int err;

	memcpy(request.system, p->actor.system, 6);
	err = send_frame(p, frame, marker_pdu_build(frame, sizeof(frame), p->mac, &request));
	if (err)
		return 1;
	while (now_ms() < deadline) {
		if (!wait_readable(p, deadline - now_ms()))
			continue;
		err = receive(p, &kind, &lacp, &reply);
		if (err == -EAGAIN)
			continue;
		if (err)
			return 1;
		if (kind == SLOW_PDU_MARKER && reply.response &&
		    reply.transaction_id == request.transaction_id) {
			if (!p->dump)
				print_marker(&reply);
			fflush(stdout);
			return 0;
		}
	}
	fprintf(stderr, "lacp_peer: no Marker Response on %s in %d ms\n", p->dev, MARKER_WAIT_MS);
	return 1;
}

/*
 * What a received LACPDU asks of us: send at once if it told us something
 * new, or if it shows the other side holds stale information about us.
 */
static bool lacpdu_received(struct peer *p, const struct lacpdu *lacp)
{
	bool news = !info_equal(&p->partner, &lacp->actor);

	p->partner = lacp->actor;
	return news || !info_equal(&p->actor, &lacp->partner);
}

/* Periodic LACPDUs flow while either side is active (802.1AX 6.4.13). */
static bool periodic(const struct peer *p)
{
	return (p->actor.state | p->partner.state) & XBOND_LACP_ACTIVITY;
}

static int partner_loop(struct peer *p)
{
	long long next_tx = now_ms();
	struct marker_pdu marker;
	enum slow_pdu_kind kind;
	struct lacpdu lacp;
	bool send_now;
	int err;

	while (!stop) {
		long long wait = periodic(p) ? next_tx - now_ms() : -1;

		send_now = false;
		if (wait_readable(p, periodic(p) && wait < 0 ? 0 : wait)) {
			err = receive(p, &kind, &lacp, &marker);
			if (err == -EAGAIN)
				continue;
			if (err)
				return 1;
			if (p->listen)
				continue;
			if (kind == SLOW_PDU_LACP)
				send_now = lacpdu_received(p, &lacp);
			if (kind == SLOW_PDU_MARKER && !marker.response) {
				__u8 frame[LACP_FRAME_LEN];
				size_t len = marker_response_build(frame, sizeof(frame), p->mac,
								   &marker);

				if (send_frame(p, frame, len))
					return 1;
			}
		}
		if (p->listen)
			continue;
		if (periodic(p) && now_ms() >= next_tx) {
			send_now = true;
			next_tx = now_ms() + p->interval_ms;
		}
		if (send_now && send_lacpdu(p))
			return 1;
		if (p->count && p->sent >= p->count)
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct peer p = {
		.actor = {
			.system_priority = 65535,
			.system = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 },
			.key = 99,
			.port_priority = 255,
			.port = 1,
			.state = XBOND_LACP_ACTIVITY | XBOND_LACP_AGGREGATION | XBOND_LACP_SYNC |
				 XBOND_LACP_COLLECTING | XBOND_LACP_DISTRIBUTING,
		},
		.interval_ms = 1000,
		.fd = -1,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	if (parse_args(argc, argv, &p))
		return EXIT_USAGE;
	/* No SA_RESTART: a signal must wake poll() so that we exit. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (peer_open(&p))
		return 1;
	if (p.marker)
		ret = marker_exchange(&p);
	else if (p.flood)
		ret = send_flood(&p) ? 1 : 0;
	else
		ret = partner_loop(&p);
	close(p.fd);
	return ret;
}
