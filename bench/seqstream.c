// SPDX-License-Identifier: GPL-2.0
/* A paced, sequence-numbered UDP stream or a saturating TCP stream, and its
 * receiver, which bins arrivals per millisecond so a failover's outage can be
 * read to the millisecond and charted.
 *
 *   seqstream recv udp|tcp PORT SECONDS BINFILE    prints a JSON summary
 *   seqstream send udp|tcp ADDR PORT SECONDS [INTERVAL_US]
 *
 * BINFILE gets "ms value lost" lines for each millisecond since the receiver
 * started: value is the datagrams (udp) or bytes (tcp) received in it, lost
 * the datagrams sent in it that never arrived. Its first line is "# start_ns N",
 * the start on CLOCK_REALTIME, for lining up with events that a script
 * timestamps with date +%s%N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define CHUNK		65536
#define DGRAM_LEN	64

struct seqstream_dgram {
	uint64_t seq;		/* from 0, host byte order: both ends are this host */
	uint64_t first_ns;	/* CLOCK_MONOTONIC when seq 0 was due */
	uint64_t interval_ns;	/* seq N was due at first_ns + N * interval_ns */
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int die(const char *what)
{
	fprintf(stderr, "seqstream: %s: %s\n", what, strerror(errno));
	return 1;
}

static int receive(int tcp, int port, double seconds, const char *binfile)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint64_t start, end, t, ms, nbins = seconds * 1000 + 1, received = 0, max_seq = 0;
	uint64_t max_gap = 0, last_ms = 0, start_real = now_ns(CLOCK_REALTIME), lost = 0;
	uint64_t nseq = seconds * 1e6, seq;	/* room for a datagram every microsecond */
	struct seqstream_dgram d = { 0 };
	int fd, lfd = -1, one = 1, seen = 0;
	static char buf[CHUNK];
	uint64_t *bins, *lost_bins;
	unsigned char *got;
	FILE *out;
	ssize_t n;

	bins = calloc(nbins, sizeof(*bins));
	lost_bins = calloc(nbins, sizeof(*lost_bins));
	got = calloc(nseq / 8 + 1, 1);
	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (!bins || !lost_bins || !got || fd < 0)
		return die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || (tcp && listen(fd, 1)))
		return die("bind");
	start = now_ns(CLOCK_MONOTONIC);
	end = start + seconds * 1e9;
	if (tcp) {
		lfd = fd;
		fd = -1;
	}
	while ((t = now_ns(CLOCK_MONOTONIC)) < end) {
		struct pollfd pfd = { .fd = fd >= 0 ? fd : lfd, .events = POLLIN };

		if (poll(&pfd, 1, (end - t) / 1000000 + 1) <= 0)
			continue;
		if (fd < 0) {
			fd = accept(lfd, NULL, NULL);
			continue;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				break;
			continue;
		}
		ms = (now_ns(CLOCK_MONOTONIC) - start) / 1000000;
		if (ms >= nbins)
			break;
		if (tcp) {
			bins[ms] += n;
			received += n;
		} else if (n >= (ssize_t)sizeof(d)) {
			memcpy(&d, buf, sizeof(d));
			/* Duplicates (broadcast mode sends one per member) count once. */
			if (d.seq >= nseq || (got[d.seq / 8] & (1 << d.seq % 8)))
				continue;
			got[d.seq / 8] |= 1 << d.seq % 8;
			bins[ms]++;
			received++;
			if (d.seq > max_seq)
				max_seq = d.seq;
		}
		/* The longest stretch with nothing arriving, once the stream has begun. */
		if (seen && ms - last_ms > max_gap)
			max_gap = ms - last_ms;
		seen = 1;
		last_ms = ms;
	}
	/* Each missing datagram is charged to the millisecond it was due in. */
	for (seq = 0; !tcp && seen && seq <= max_seq; seq++) {
		if (got[seq / 8] & (1 << seq % 8))
			continue;
		lost++;
		t = d.first_ns + seq * d.interval_ns;
		if (t >= start && (t - start) / 1000000 < nbins)
			lost_bins[(t - start) / 1000000]++;
	}
	out = fopen(binfile, "w");
	if (!out)
		return die(binfile);
	fprintf(out, "# start_ns %llu\n", (unsigned long long)start_real);
	for (ms = 0; ms < nbins; ms++)
		fprintf(out, "%llu %llu %llu\n", (unsigned long long)ms,
			(unsigned long long)bins[ms], (unsigned long long)lost_bins[ms]);
	fclose(out);
	printf("{\"proto\":\"%s\",\"start_ns\":%llu,\"received\":%llu,\"lost\":%llu,"
	       "\"max_gap_ms\":%llu}\n", tcp ? "tcp" : "udp", (unsigned long long)start_real,
	       (unsigned long long)received, (unsigned long long)lost,
	       (unsigned long long)(max_gap ? max_gap - 1 : 0));
	return 0;
}

static int send_udp(int fd, double seconds, unsigned int interval_us)
{
	uint64_t start = now_ns(CLOCK_MONOTONIC), next, end = start + seconds * 1e9;
	struct seqstream_dgram d = { .first_ns = start, .interval_ns = interval_us * 1000ull };
	char buf[DGRAM_LEN] = { 0 };
	struct timespec ts;

	/* Paced on absolute deadlines, so a late wake-up does not stretch the stream. */
	for (next = start; next < end; next += interval_us * 1000ull) {
		ts.tv_sec = next / 1000000000;
		ts.tv_nsec = next % 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		memcpy(buf, &d, sizeof(d));
		send(fd, buf, sizeof(buf), 0);	/* ENOBUFS or a dead route is loss, as on a wire */
		d.seq++;
	}
	return 0;
}

static int send_tcp(int fd, double seconds)
{
	static char buf[CHUNK];
	uint64_t end = now_ns(CLOCK_MONOTONIC) + seconds * 1e9, t;

	/* Non-blocking, so a stalled connection cannot hold us past the end. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while ((t = now_ns(CLOCK_MONOTONIC)) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (poll(&pfd, 1, (end - t) / 1000000 + 1) > 0 &&
		    send(fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			return die("send");
	}
	return 0;
}

static int transmit(int tcp, const char *addr, int port, double seconds, unsigned int interval_us)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, tries;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "seqstream: bad address %s\n", addr);
		return 2;
	}
	/* The receiver may still be starting: retry for a second. */
	for (tries = 0;; tries++) {
		fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fd < 0)
			return die("socket");
		if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			break;
		close(fd);
		if (tries == 100)
			return die("connect");
		usleep(10000);
	}
	return tcp ? send_tcp(fd, seconds) : send_udp(fd, seconds, interval_us);
}

int main(int argc, char **argv)
{
	int tcp = argc > 2 && !strcmp(argv[2], "tcp");

	if (argc > 2 && strcmp(argv[2], "tcp") && strcmp(argv[2], "udp"))
		argc = 0;
	if (argc == 6 && !strcmp(argv[1], "recv"))
		return receive(tcp, atoi(argv[3]), atof(argv[4]), argv[5]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "send"))
		return transmit(tcp, argv[3], atoi(argv[4]), atof(argv[5]),
				argc == 7 ? atoi(argv[6]) : 100);
	fprintf(stderr, "usage: seqstream recv udp|tcp PORT SECONDS BINFILE\n"
			"       seqstream send udp|tcp ADDR PORT SECONDS [INTERVAL_US]\n");
	return 2;
}
