/* test_tcp.c - DNS over TCP policy: per-source caps, idle list and victims, cross-worker claims, pressure timeouts, stalls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "dnsd/rrl.h"
#include "dnsd/tcp.h"

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s4->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	return ss;
}

static int
setup(void **state)
{
	tcp_reset();
	return 0;
}

static void
test_tcp_caps(void **state)
{
	struct sockaddr_storage a = addr("192.0.2.1"), b = addr("192.0.2.2");
	int slots[3], s, i;
	struct tcp_stats ts;

	for (i = 0; i < 3; i++) {
		slots[i] = tcp_acquire((struct sockaddr *)&a, 3);
		assert_true(slots[i] >= 0);
		/* the slot to look for victims in is the one counted */
		assert_int_equal(slots[i], tcp_slot((struct sockaddr *)&a));
	}
	assert_int_equal(tcp_acquire((struct sockaddr *)&a, 3), -1);
	/* Per address: another source is not affected. */
	s = tcp_acquire((struct sockaddr *)&b, 3);
	assert_true(s >= 0);
	tcp_release(s);
	tcp_release(slots[0]);
	slots[0] = tcp_acquire((struct sockaddr *)&a, 3);
	assert_true(slots[0] >= 0);
	for (i = 0; i < 3; i++)
		tcp_release(slots[i]);
	/* 0: no cap. */
	assert_int_equal(tcp_acquire((struct sockaddr *)&a, 0), TCP_CONN_NONE);
	tcp_release(TCP_CONN_NONE);
	tcp_stats_get(&ts);
	assert_int_equal(ts.source_limited, 1);
}

static void
test_tcp_stalled(void **state)
{
	time_t since = 0;
	struct tcp_stats st;

	/* Whole queries only: never stalled. */
	assert_int_equal(tcp_stalled(&since, 30, 0, 0.5), 0);
	assert_int_equal(since, 0);
	/* A partial query starts the clock; progress restarts it. */
	assert_int_equal(tcp_stalled(&since, 5, 5, 0.5), 0);
	assert_true(since > 0);
	since -= 10;
	assert_int_equal(tcp_stalled(&since, 40, 5, 0.5), 0);
	/* No progress for longer than the limit: stalled. */
	since -= 10;
	assert_int_equal(tcp_stalled(&since, 6, 6, 5), 1);
	since += 8;
	assert_int_equal(tcp_stalled(&since, 7, 7, 5), 0);
	tcp_stats_get(&st);
	assert_int_equal(st.stalled, 1);
}

static void
test_idle_order(void **state)
{
	struct tcp_idle_list l = { 0 };
	struct tcp_idle c[4];
	int i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < 4; i++) {
		c[i].slot = i % 2;
		tcp_idle_set(&l, &c[i], true, 10 + i);
	}
	assert_int_equal(l.n, 4);
	/* Idle longest first; a slot picks that source's oldest. */
	assert_ptr_equal(tcp_idle_victim(&l, TCP_SLOT_ANY), &c[0]);
	assert_ptr_equal(tcp_idle_victim(&l, 1), &c[1]);
	assert_null(tcp_idle_victim(&l, 7));
	/* Staying idle keeps the place (and the time). */
	tcp_idle_set(&l, &c[0], true, 99);
	assert_ptr_equal(tcp_idle_victim(&l, TCP_SLOT_ANY), &c[0]);
	assert_true(c[0].since == 10);
	/* A query in flight: out of the list, never a victim. */
	tcp_idle_set(&l, &c[0], false, 20);
	tcp_idle_set(&l, &c[1], false, 20);
	assert_int_equal(l.n, 2);
	assert_ptr_equal(tcp_idle_victim(&l, TCP_SLOT_ANY), &c[2]);
	assert_ptr_equal(tcp_idle_victim(&l, 1), &c[3]);
	/* Answered: idle again, at the tail. */
	tcp_idle_set(&l, &c[0], true, 30);
	assert_ptr_equal(l.tail, &c[0]);
	assert_ptr_equal(tcp_idle_victim(&l, 0), &c[2]);
	/* Expiry looks at the head only, by its idle time. */
	assert_null(tcp_idle_expired(&l, 13.5, 2));
	assert_ptr_equal(tcp_idle_expired(&l, 14, 2), &c[2]);
	tcp_idle_set(&l, &c[2], false, 0);
	tcp_idle_set(&l, &c[3], false, 0);
	tcp_idle_set(&l, &c[0], false, 0);
	assert_int_equal(l.n, 0);
	assert_null(l.head);
	assert_null(l.tail);
	assert_null(tcp_idle_victim(&l, TCP_SLOT_ANY));
	assert_null(tcp_idle_expired(&l, 1e9, 0));
}

static void
test_share_claims(void **state)
{
	struct tcp_share s = { 0 };
	unsigned n;

	/* Never more claims than published idle connections. */
	assert_false(tcp_share_claim(&s));
	tcp_share_publish(&s, 2);
	assert_true(tcp_share_claim(&s));
	assert_true(tcp_share_claim(&s));
	assert_false(tcp_share_claim(&s));
	/* The owner serves them: closes two, publishes, is done. */
	n = tcp_share_wanted(&s);
	assert_int_equal(n, 2);
	tcp_share_publish(&s, 0);
	assert_false(tcp_share_claim(&s));
	tcp_share_done(&s, n);
	assert_int_equal(tcp_share_wanted(&s), 0);
	assert_false(tcp_share_claim(&s));
	tcp_share_publish(&s, 1);
	assert_true(tcp_share_claim(&s));
}

struct claimer {
	struct tcp_share *s;
	int got;
};

static void *
claimer_main(void *arg)
{
	struct claimer *c = arg;
	int i;

	for (i = 0; i < 100000; i++)
		c->got += tcp_share_claim(c->s);
	return NULL;
}

static void
test_share_threads(void **state)
{
	struct tcp_share s = { 0 };
	struct claimer c[4];
	pthread_t tid[4];
	int i, got = 0;

	/* Four workers race for 1000 idle connections: exactly 1000 won. */
	tcp_share_publish(&s, 1000);
	for (i = 0; i < 4; i++) {
		c[i].s = &s;
		c[i].got = 0;
		assert_int_equal(pthread_create(&tid[i], NULL, claimer_main,
		    &c[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		got += c[i].got;
	}
	assert_int_equal(got, 1000);
	assert_int_equal(tcp_share_wanted(&s), 1000);
}

static void
test_timeout(void **state)
{
	static const struct {
		double   idle;
		unsigned conns, max;
		double   want;
	} t[] = {
		{ 10, 0, 1000, 10 },
		{ 10, 750, 1000, 10 },		/* 3/4: not yet */
		{ 10, 751, 1000, 2 },		/* above: idle / 5 */
		{ 10, 1003, 1000, 2 },		/* over (claims in flight) */
		{ 2, 6, 6, 0.5 },		/* at least 0.5 s */
		{ 0.3, 6, 6, 0.3 },		/* never above idle */
		{ 10, 5000, 0, 10 },		/* no cap */
		{ 10, 4000000000u, 4000000000u, 2 },	/* no overflow */
		{ 10, 3000000000u, 4000000000u, 10 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_true(tcp_timeout(t[i].idle, t[i].conns, t[i].max) ==
		    t[i].want);
	assert_int_equal(tcp_keepalive_units(10), 100);
	assert_int_equal(tcp_keepalive_units(0.5), 5);
	assert_int_equal(tcp_keepalive_units(0), 0);
	assert_int_equal(tcp_keepalive_units(-1), 0);
	assert_int_equal(tcp_keepalive_units(86400), 65535);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tcp_caps, setup),
		cmocka_unit_test_setup(test_tcp_stalled, setup),
		cmocka_unit_test_setup(test_idle_order, setup),
		cmocka_unit_test_setup(test_share_claims, setup),
		cmocka_unit_test_setup(test_share_threads, setup),
		cmocka_unit_test_setup(test_timeout, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
