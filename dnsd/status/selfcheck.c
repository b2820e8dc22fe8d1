/* selfcheck.c - the /healthz DNS self-check and the share-window ring. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dnsd/query.h"
#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/rng.h"
#include "dnsd/status/selfcheck.h"
#include "zones/zone.h"

#define RING_ROWS (STATUS_SHARE_WINDOW + 1)

static struct {
	/* self-check */
	int                 fd;
	int                 family;
	struct event       *ev;
	uint16_t            id;		/* of the query in flight */
	int64_t             ok_ms;	/* last answer; 0: none yet */
	bool                rng_ready;
	struct rng          rng;
	/* share window: first-preference counters, one row per second */
	uint64_t           *ring;
	size_t              width, head, count;
	const struct world *world;	/* the ring's world: its address and */
	time_t              loaded;	/* load time, as a pointer may be reused */
} sc = { .fd = -1 };

static void
selfcheck_read(evutil_socket_t fd, short what, void *arg)
{
	uint8_t buf[512];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
			return;
		if (n < 12 || (buf[2] & 0x80) == 0 ||
		    ((buf[0] << 8) | buf[1]) != sc.id)
			continue;
		sc.ok_ms = clock_unix_ms();
	}
}

static void
selfcheck_close(void)
{
	if (sc.ev != NULL)
		event_free(sc.ev);
	sc.ev = NULL;
	if (sc.fd != -1)
		close(sc.fd);
	sc.fd = -1;
}

/* A non-blocking UDP socket of family, read on base. \retval 0, -1 logged */
static int
selfcheck_open(struct event_base *base, int family)
{
	if ((sc.fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("status: self-check socket");
		return -1;
	}
	sc.family = family;
	sc.ev = event_new(base, sc.fd, EV_READ | EV_PERSIST, selfcheck_read,
	    NULL);
	if (sc.ev == NULL || event_add(sc.ev, NULL) == -1) {
		log_warnx("status: self-check event");
		selfcheck_close();
		return -1;
	}
	return 0;
}

/* Send one SOA query for the first zone to the first DNS listen address. */
static void
selfcheck_query(struct event_base *base, const struct world *w)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t q[12 + 256 + 4];
	size_t qlen = 12;

	if (w->conf->nlisten == 0)
		return;
	ss = w->conf->listen[0].ss;
	len = w->conf->listen[0].len;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			s6->sin6_addr = in6addr_loopback;
	} else
		return;
	if (sc.fd != -1 && sc.family != ss.ss_family)
		selfcheck_close();
	if (sc.fd == -1 && selfcheck_open(base, ss.ss_family) == -1)
		return;
	if (connect(sc.fd, (struct sockaddr *)&ss, len) == -1)
		return;
	if (!sc.rng_ready) {
		rng_init(&sc.rng);
		sc.rng_ready = true;
	}
	sc.id = (uint16_t)rng_next(&sc.rng);
	memset(q, 0, 12);
	q[0] = (uint8_t)(sc.id >> 8);
	q[1] = (uint8_t)sc.id;
	q[5] = 1;				/* QDCOUNT */
	if (w->nzones > 0 && w->zones[0]->origin_len > 0) {
		memcpy(q + 12, w->zones[0]->origin, w->zones[0]->origin_len);
		qlen += w->zones[0]->origin_len;
	} else
		q[qlen++] = 0;
	q[qlen++] = 0;
	q[qlen++] = ZONE_TYPE_SOA;
	q[qlen++] = 0;
	q[qlen++] = 1;				/* IN */
	(void)send(sc.fd, q, qlen, 0);
}

/* One row of first-preference counters, for the observed share. */
static void
selfcheck_sample(const struct world *w)
{
	size_t width = 0, i, j, flat;
	uint64_t *row;

	for (i = 0; i < w->conf->npools; i++)
		width += w->conf->pools[i].nservers;
	if (sc.ring == NULL || sc.world != w || sc.loaded != w->loaded ||
	    sc.width != width) {
		free(sc.ring);
		sc.ring = calloc(RING_ROWS * (width ? width : 1),
		    sizeof(*sc.ring));
		sc.width = width;
		sc.world = w;
		sc.loaded = w->loaded;
		sc.head = 0;
		sc.count = 0;
		if (sc.ring == NULL)
			return;
	} else
		sc.head = (sc.head + 1) % RING_ROWS;
	row = sc.ring + sc.head * width;
	for (i = 0, flat = 0; i < w->conf->npools; i++)
		for (j = 0; j < w->conf->pools[i].nservers; j++, flat++)
			row[flat] = query_first_pref(i, j);
	if (sc.count < RING_ROWS)
		sc.count++;
}

void
status_selfcheck_tick(struct event_base *base, const struct world *w,
    bool second)
{
	if (!status_selfcheck_healthy(clock_unix_ms()) || second)
		selfcheck_query(base, w);
	if (second)
		selfcheck_sample(w);
}

bool
status_selfcheck_healthy(int64_t now_ms)
{
	return sc.ok_ms > 0 && now_ms - sc.ok_ms < STATUS_HEALTH_MS;
}

/* The row sampled age seconds before the newest. */
static const uint64_t *
selfcheck_row(size_t age)
{
	return sc.ring + ((sc.head + RING_ROWS - age) % RING_ROWS) * sc.width;
}

bool
status_selfcheck_share(const struct world *w, struct status_share *out)
{
	if (sc.ring == NULL || sc.world != w || sc.loaded != w->loaded ||
	    sc.count < 2)
		return false;
	out->now = selfcheck_row(0);
	out->then = selfcheck_row(sc.count - 1);
	out->width = sc.width;
	return true;
}

void
status_selfcheck_free(void)
{
	selfcheck_close();
	free(sc.ring);
	memset(&sc, 0, sizeof(sc));
	sc.fd = -1;
}
