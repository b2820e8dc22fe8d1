/* tcp.c - DNS over TCP connection policy (see tcp.h). */
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/filter.h>
#include <linux/sockios.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/tcp.h"

static struct srclimit tcp_conns;	/* open connections per source */
static pthread_once_t tcp_once = PTHREAD_ONCE_INIT;
static uint64_t n_stalled, n_evicted, n_expired, n_refused;

static void
tcp_init(void)
{
	if (srclimit_init(&tcp_conns, TCP_CONN_SLOTS) != 0)
		log_warnx("tcp: out of memory: no per-source TCP cap");
}

/* ---- the idle list ---- */

static void
idle_unlink(struct tcp_idle_list *l, struct tcp_idle *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->listed = false;
	l->n--;
}

void
tcp_idle_set(struct tcp_idle_list *l, struct tcp_idle *c, bool idle,
    double now)
{
	if (idle == c->listed)
		return;
	if (!idle) {
		idle_unlink(l, c);
		return;
	}
	c->since = now;
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	c->listed = true;
	l->n++;
}

struct tcp_idle *
tcp_idle_victim(const struct tcp_idle_list *l, int slot)
{
	struct tcp_idle *c;

	for (c = l->head; c != NULL; c = c->next)
		if (slot == TCP_SLOT_ANY || c->slot == slot)
			return c;
	return NULL;
}

struct tcp_idle *
tcp_idle_expired(const struct tcp_idle_list *l, double now, double timeout)
{
	if (l->head != NULL && now - l->head->since >= timeout)
		return l->head;
	return NULL;
}

/* ---- idle counts across workers ---- */

void
tcp_share_publish(struct tcp_share *s, unsigned idle)
{
	__atomic_store_n(&s->idle, idle, __ATOMIC_RELEASE);
}

bool
tcp_share_claim(struct tcp_share *s)
{
	unsigned want = __atomic_load_n(&s->want, __ATOMIC_ACQUIRE);

	while (want < __atomic_load_n(&s->idle, __ATOMIC_ACQUIRE))
		if (__atomic_compare_exchange_n(&s->want, &want, want + 1, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

unsigned
tcp_share_wanted(const struct tcp_share *s)
{
	return __atomic_load_n(&s->want, __ATOMIC_ACQUIRE);
}

void
tcp_share_done(struct tcp_share *s, unsigned n)
{
	/* After publishing the smaller idle count: until then claimers see
	 * the old claims against it and claim less, never more. */
	__atomic_sub_fetch(&s->want, n, __ATOMIC_ACQ_REL);
}

/* ---- timeouts ---- */

double
tcp_timeout(double idle, unsigned conns, unsigned max)
{
	double t;

	if (max == 0 || (uint64_t)conns * 4 <= (uint64_t)max * 3)
		return idle;
	t = idle / 5;
	if (t < 0.5)
		t = 0.5;
	return t < idle ? t : idle;
}

uint16_t
tcp_keepalive_units(double timeout)
{
	double u = timeout * 10;

	if (!(u > 0))
		return 0;
	if (u >= 65535)
		return 65535;
	return (uint16_t)u;
}

/* ---- per-source caps, stalls, resets ---- */

int
tcp_acquire(const struct sockaddr *addr, unsigned max)
{
	pthread_once(&tcp_once, tcp_init);
	return srclimit_acquire(&tcp_conns, addr, max);
}

void
tcp_release(int slot)
{
	srclimit_release(&tcp_conns, slot);
}

int
tcp_slot(const struct sockaddr *addr)
{
	pthread_once(&tcp_once, tcp_init);
	return (int)srclimit_index(&tcp_conns, addr);
}

int
tcp_abort(int fd, size_t pending)
{
	struct linger lg = { 1, 0 };
	int queued = 0;

	if (pending == 0 && (ioctl(fd, SIOCOUTQ, &queued) != 0 || queued <= 0))
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0;
}

int
tcp_stalled(time_t *since, size_t before, size_t after, double limit)
{
	time_t now = clock_mono_coarse();

	if (after == 0) {
		*since = 0;
		return 0;
	}
	if (after < before || *since == 0) {
		/* Progress (a query was answered), or a new partial query. */
		*since = now;
		return 0;
	}
	if ((double)(now - *since) >= limit + 1) {
		__atomic_add_fetch(&n_stalled, 1, __ATOMIC_RELAXED);
		return 1;
	}
	return 0;
}

/* ---- steering ---- */

/* The group's sockets are in listen() order: the index is the worker. */
int
tcp_steer(int fd, unsigned nworkers)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 2),
		/* IPv6: the source's last 32 bits */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 20),
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		/* IPv4: the source */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1u),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, nworkers),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog));
}

/* ---- counters ---- */

void
tcp_count_evicted(void)
{
	__atomic_add_fetch(&n_evicted, 1, __ATOMIC_RELAXED);
}

void
tcp_count_expired(void)
{
	__atomic_add_fetch(&n_expired, 1, __ATOMIC_RELAXED);
}

void
tcp_count_refused(void)
{
	__atomic_add_fetch(&n_refused, 1, __ATOMIC_RELAXED);
}

void
tcp_stats_get(struct tcp_stats *out)
{
	out->source_limited = srclimit_refused(&tcp_conns);
	out->stalled = __atomic_load_n(&n_stalled, __ATOMIC_RELAXED);
	out->evicted = __atomic_load_n(&n_evicted, __ATOMIC_RELAXED);
	out->expired = __atomic_load_n(&n_expired, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&n_refused, __ATOMIC_RELAXED);
}

void
tcp_reset(void)
{
	pthread_once(&tcp_once, tcp_init);
	if (tcp_conns.slots != NULL)
		memset(tcp_conns.slots, 0, (tcp_conns.mask + 1) *
		    sizeof(*tcp_conns.slots));
	tcp_conns.refused = 0;
	n_stalled = n_evicted = n_expired = n_refused = 0;
}
