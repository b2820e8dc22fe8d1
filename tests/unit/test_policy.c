/* test_policy.c - unit tests of the one pool order (dnsd/policy.c):
 * policy_order, policy_order_by, caps, TTLs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/policy.h"

#define NDRAWS 200000
#define FX_MAX 16

/* A pool built by hand: config + state, every server up unless told. */
struct fixture {
	struct conf_pool     cp;
	struct conf_server   sv[FX_MAX];
	struct pstate_pool   pp;
	struct pstate_server ps[FX_MAX];
};

enum { S_UP = 0, S_DOWN, S_DRAIN, S_MAINT, S_AGENT_DRAIN };

/* One server of a table row. */
struct srv {
	uint32_t weight;
	int      state;		/* S_* */
	double   load;		/* load factor; 0 = 1.0 */
	double   slow;		/* slow-start factor; 0 = 1.0 */
	unsigned tier;
};

static void
fx_init(struct fixture *f, enum conf_policy pol, const struct srv *s,
    size_t n)
{
	size_t i;

	assert_true(n <= FX_MAX);
	memset(f, 0, sizeof(*f));
	strcpy(f->cp.name, "pool");
	f->cp.policy = pol;
	f->cp.min_up = 1;
	f->cp.max_mx = 10;
	f->cp.max_addrs = 8;
	f->cp.pref_base = 10;
	f->cp.pref_step = 10;
	f->cp.all_down = CONF_ALLDOWN_ALL;
	f->cp.servers = f->sv;
	f->cp.nservers = n;
	f->pp.servers = f->ps;
	f->pp.nservers = n;
	for (i = 0; i < n; i++) {
		snprintf(f->sv[i].name, sizeof(f->sv[i].name), "mx%zu", i);
		f->sv[i].weight = s[i].weight;
		f->sv[i].tier = s[i].tier;
		f->ps[i].up = s[i].state != S_DOWN;
		f->ps[i].admin = s[i].state == S_DRAIN ? PSTATE_ADMIN_DRAIN :
		    s[i].state == S_MAINT ? PSTATE_ADMIN_MAINT :
		    PSTATE_ADMIN_ENABLED;
		f->ps[i].agent_admin = s[i].state == S_AGENT_DRAIN ?
		    PSTATE_ADMIN_DRAIN : PSTATE_ADMIN_ENABLED;
		f->ps[i].load = -1;
		f->ps[i].load_factor = s[i].load > 0 ? s[i].load : 1.0;
		f->ps[i].slowstart_factor = s[i].slow > 0 ? s[i].slow : 1.0;
	}
	pstate_pool_update(&f->pp, &f->cp);
}

/* |count - N p| within 5 sigma and within 1% absolute of the share. */
static void
check_share(const char *what, size_t i, uint64_t count, uint64_t total,
    double p)
{
	double share = total ? (double)count / (double)total : 0;
	double sigma = sqrt((double)total * p * (1 - p));

	if (fabs(share - p) > 0.01 ||
	    fabs((double)count - (double)total * p) > 5 * sigma + 1) {
		print_error("%s: server %zu share %.5f (%llu/%llu), want %.5f\n",
		    what, i, share, (unsigned long long)count,
		    (unsigned long long)total, p);
		fail();
	}
}

/* No index twice, every index in range and eligible unless fail-open. */
static void
check_order(const struct fixture *f, const uint16_t *idx, size_t n,
    bool only_eligible)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		assert_true(idx[i] < f->cp.nservers);
		if (only_eligible)
			assert_true(f->ps[idx[i]].eff_weight > 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(idx[i], idx[j]);
	}
}

/* ---- first-preference shares, table driven ---- */

struct share_case {
	const char *name;
	size_t      n;
	struct srv  s[FX_MAX];
	uint64_t    seed;
};

static const struct share_case share_cases[] = {
	{ "1:1", 2, { { .weight = 1 }, { .weight = 1 } }, 1 },
	{ "3:2:1", 3, { { .weight = 3 }, { .weight = 2 }, { .weight = 1 } }, 2 },
	{ "1:1000", 2, { { .weight = 1 }, { .weight = 1000 } }, 3 },
	{ "1000:1", 2, { { .weight = 1000 }, { .weight = 1 } }, 4 },
	{ "one server", 1, { { .weight = 7 } }, 5 },
	{ "down and drained", 5, {
		{ .weight = 4 }, { .weight = 4, .state = S_DOWN },
		{ .weight = 2 }, { .weight = 9, .state = S_DRAIN },
		{ .weight = 1, .state = S_MAINT } }, 6 },
	{ "agent drain", 3, {
		{ .weight = 1 }, { .weight = 1, .state = S_AGENT_DRAIN },
		{ .weight = 1 } }, 7 },
	{ "load factors", 4, {
		{ .weight = 10, .load = 0.25 }, { .weight = 10 },
		{ .weight = 10, .load = 0.5 }, { .weight = 5, .slow = 0.2 } }, 8 },
	{ "tiny weights", 3, {
		{ .weight = 1, .load = 1e-9 }, { .weight = 3, .load = 1e-9 },
		{ .weight = 1, .load = 1e-9, .slow = 1e-3 } }, 9 },
	{ "10 servers", 10, {
		{ .weight = 17 }, { .weight = 250 }, { .weight = 3, .state = S_DOWN },
		{ .weight = 99 }, { .weight = 1 }, { .weight = 640, .state = S_DRAIN },
		{ .weight = 41, .load = 0.7 }, { .weight = 512, .slow = 0.1 },
		{ .weight = 8 }, { .weight = 123, .state = S_MAINT } }, 10 },
};

static void
run_share_case(const struct share_case *c, enum conf_policy pol)
{
	struct fixture f;
	struct rng rng;
	uint64_t first[FX_MAX] = { 0 };
	uint16_t idx[FX_MAX], pref[FX_MAX];
	size_t i, k, n, neligible = 0;
	unsigned flags;
	double total;

	fx_init(&f, pol, c->s, c->n);
	total = f.pp.total_weight;
	for (i = 0; i < c->n; i++)
		if (f.ps[i].eff_weight > 0)
			neligible++;
	assert_int_equal(neligible, f.pp.nup);
	rng_seed(&rng, c->seed);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order(&f.cp, &f.pp, &rng, idx, pref, FX_MAX, &flags);
		assert_int_equal(n, neligible);
		assert_int_equal(flags, 0);
		if (k < 1000) {
			check_order(&f, idx, n, true);
			for (i = 0; i < n; i++)
				assert_int_equal(pref[i], pol == CONF_POLICY_EQUAL ?
				    10 : 10 + 10 * i);
		}
		first[idx[0]]++;
	}
	for (i = 0; i < c->n; i++)
		check_share(c->name, i, first[i], NDRAWS,
		    f.ps[i].eff_weight / total);
}

static void
test_shares_weighted(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(share_cases) / sizeof(share_cases[0]); i++)
		run_share_case(&share_cases[i], CONF_POLICY_WEIGHTED);
}

static void
test_shares_equal(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(share_cases) / sizeof(share_cases[0]); i++)
		run_share_case(&share_cases[i], CONF_POLICY_EQUAL);
}

/* Sampling without replacement: the second position given the first. */
static void
test_second_position(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 1 },
	    { .weight = 2 } };
	struct fixture f;
	struct rng rng;
	uint64_t pair[3][3] = { { 0 } }, firsts[3] = { 0 };
	uint16_t idx[3];
	size_t k, n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 3);
	rng_seed(&rng, 42);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order(&f.cp, &f.pp, &rng, idx, NULL, 3, NULL);
		assert_int_equal(n, 3);
		firsts[idx[0]]++;
		pair[idx[0]][idx[1]]++;
	}
	/* P(second = a | first = c) = 1/2, P(second = c | first = a) = 2/3 */
	check_share("second|c=a", 0, pair[2][0], firsts[2], 0.5);
	check_share("second|c=b", 1, pair[2][1], firsts[2], 0.5);
	check_share("second|a=c", 2, pair[0][2], firsts[0], 2.0 / 3);
	check_share("second|b=a", 0, pair[1][0], firsts[1], 1.0 / 3);
	/* and unconditionally P(second = c) = 1/4*2/3*2 = 1/3 */
	check_share("second=c", 2, pair[0][2] + pair[1][2], NDRAWS, 1.0 / 3);
}

/* The whole permutation of 3:2:1 follows the without-replacement law. */
static void
test_permutations(void **state)
{
	static const struct srv s[] = { { .weight = 3 }, { .weight = 2 },
	    { .weight = 1 } };
	struct fixture f;
	struct rng rng;
	uint64_t perm[3][3] = { { 0 } };
	uint16_t idx[3];
	size_t k, a, b;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 3);
	rng_seed(&rng, 77);
	for (k = 0; k < NDRAWS; k++) {
		assert_int_equal(policy_order(&f.cp, &f.pp, &rng, idx, NULL, 3,
		    NULL), 3);
		perm[idx[0]][idx[1]]++;
	}
	for (a = 0; a < 3; a++) {
		for (b = 0; b < 3; b++) {
			double wa = s[a].weight, wb = s[b].weight;

			if (a == b) {
				assert_int_equal(perm[a][b], 0);
				continue;
			}
			check_share("perm", a * 3 + b, perm[a][b], NDRAWS,
			    wa / 6 * wb / (6 - wa));
		}
	}
}

/* ---- failover ---- */

struct fo_case {
	const char *name;
	size_t      n;
	struct srv  s[FX_MAX];
	unsigned    min_up;
	size_t      max;
	/* expected: per answer position, the server's expected pref, and the
	 * set of servers that may be at that position is the tier's */
	size_t      want_n;
	uint16_t    want_pref[FX_MAX];
	unsigned    want_tier[FX_MAX];
};

static const struct fo_case fo_cases[] = {
	{ "two tiers up", 4, { { .weight = 1, .tier = 0 }, { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 1 } }, 1, 10,
	    4, { 10, 10, 20, 20 }, { 0, 0, 1, 1 } },
	{ "tier 0 below min_up", 4, { { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 0, .state = S_DOWN },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 1 } }, 2, 10,
	    3, { 10, 10, 20 }, { 1, 1, 0 } },
	{ "tier 0 all down", 3, { { .weight = 1, .tier = 0, .state = S_DOWN },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 2 } }, 1, 10,
	    2, { 10, 20 }, { 1, 2 } },
	{ "no tier reaches min_up", 3, { { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 2 } }, 2, 10,
	    3, { 10, 20, 30 }, { 0, 1, 2 } },
	{ "sparse tier numbers", 4, { { .weight = 1, .tier = 5 },
	    { .weight = 1, .tier = 2 }, { .weight = 1, .tier = 9 },
	    { .weight = 1, .tier = 2 } }, 1, 10,
	    4, { 10, 10, 20, 30 }, { 2, 2, 5, 9 } },
	{ "skipped tier between", 5, { { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 0, .state = S_DRAIN },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 1 },
	    { .weight = 1, .tier = 2 } }, 2, 10,
	    4, { 10, 10, 20, 30 }, { 1, 1, 0, 2 } },
	{ "capped", 4, { { .weight = 1, .tier = 0 }, { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 1 } }, 1, 3,
	    3, { 10, 10, 20 }, { 0, 0, 1 } },
	{ "min_up 0 is 1", 2, { { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 1 } }, 0, 10,
	    2, { 10, 20 }, { 0, 1 } },
};

static void
test_failover_tiers(void **state)
{
	size_t c, k, i, n;

	(void)state;
	for (c = 0; c < sizeof(fo_cases) / sizeof(fo_cases[0]); c++) {
		const struct fo_case *fc = &fo_cases[c];
		struct fixture f;
		struct rng rng;
		uint16_t idx[FX_MAX], pref[FX_MAX];
		unsigned flags;

		fx_init(&f, CONF_POLICY_FAILOVER, fc->s, fc->n);
		f.cp.min_up = fc->min_up;
		rng_seed(&rng, 100 + c);
		for (k = 0; k < 2000; k++) {
			n = policy_order(&f.cp, &f.pp, &rng, idx, pref, fc->max,
			    &flags);
			if (n != fc->want_n)
				print_error("%s: n %zu\n", fc->name, n);
			assert_int_equal(n, fc->want_n);
			check_order(&f, idx, n, true);
			for (i = 0; i < n; i++) {
				if (pref[i] != fc->want_pref[i] ||
				    f.sv[idx[i]].tier != fc->want_tier[i]) {
					print_error("%s: pos %zu server %u tier %u"
					    " pref %u\n", fc->name, i, idx[i],
					    f.sv[idx[i]].tier, pref[i]);
					fail();
				}
			}
		}
	}
}

/* Within a tier, the first server is drawn by weight. */
static void
test_failover_weighted_within_tier(void **state)
{
	static const struct srv s[] = { { .weight = 3, .tier = 1 },
	    { .weight = 1, .tier = 1 }, { .weight = 5, .tier = 2 },
	    { .weight = 5, .tier = 0, .state = S_DOWN } };
	struct fixture f;
	struct rng rng;
	uint64_t first[4] = { 0 };
	uint16_t idx[4], pref[4];
	size_t k;

	(void)state;
	fx_init(&f, CONF_POLICY_FAILOVER, s, 4);
	rng_seed(&rng, 5150);
	for (k = 0; k < NDRAWS; k++) {
		assert_int_equal(policy_order(&f.cp, &f.pp, &rng, idx, pref, 4,
		    NULL), 3);
		assert_int_equal(pref[0], 10);
		assert_int_equal(pref[1], 10);
		assert_int_equal(idx[2], 2);
		assert_int_equal(pref[2], 20);
		first[idx[0]]++;
	}
	check_share("fo tier", 0, first[0], NDRAWS, 0.75);
	check_share("fo tier", 1, first[1], NDRAWS, 0.25);
}

/* ---- all_down, relay, caps ---- */

static void
test_all_down_fail_open(void **state)
{
	static const struct srv s[] = { { .weight = 3, .state = S_DOWN },
	    { .weight = 1, .state = S_DRAIN } };
	struct fixture f;
	struct rng rng;
	uint64_t first[2] = { 0 };
	uint16_t idx[4], pref[4];
	unsigned flags;
	size_t k, n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 2);
	assert_int_equal(f.pp.nup, 0);
	rng_seed(&rng, 11);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
		assert_int_equal(n, 2);
		assert_int_equal(flags, POLICY_F_ALLDOWN);
		assert_int_equal(pref[0], 10);
		assert_int_equal(pref[1], 20);
		check_order(&f, idx, n, false);
		first[idx[0]]++;
	}
	/* configured weights, not the (zero) effective ones */
	check_share("fail open", 0, first[0], NDRAWS, 0.75);

	/* with a relay host: everyone, then the relay */
	f.cp.relay_host = "relay";
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(n, 2);
	assert_int_equal(flags, POLICY_F_ALLDOWN | POLICY_F_RELAY);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 30);

	/* all_down = relay without a relay host: fail open as well */
	f.cp.relay_host = NULL;
	f.cp.all_down = CONF_ALLDOWN_RELAY;
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(n, 2);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
}

static void
test_all_down_relay(void **state)
{
	static const struct srv s[] = { { .weight = 3, .state = S_DOWN },
	    { .weight = 1, .state = S_MAINT }, { .weight = 1, .load = 1e-300,
	    .slow = 1e-300 } };
	struct fixture f;
	struct rng rng;
	uint16_t idx[4], pref[4];
	unsigned flags = 0;
	size_t n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 3);
	assert_int_equal(f.pp.nup, 0);	/* 1e-300 * 1e-300 underflows to 0 */
	f.cp.all_down = CONF_ALLDOWN_RELAY;
	f.cp.relay_host = "relay.example.net.";
	rng_seed(&rng, 12);
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(n, 0);
	assert_int_equal(flags, POLICY_F_RELAY | POLICY_F_ALLDOWN);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 10);

	/* one server back: normal answer plus relay */
	f.ps[0].up = true;
	pstate_pool_update(&f.pp, &f.cp);
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 0);
	assert_int_equal(flags, POLICY_F_RELAY);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 20);
}

static void
test_all_down_failover(void **state)
{
	static const struct srv s[] = {
	    { .weight = 1, .tier = 1, .state = S_DOWN },
	    { .weight = 1, .tier = 0, .state = S_DOWN },
	    { .weight = 1, .tier = 0, .state = S_DOWN } };
	struct fixture f;
	struct rng rng;
	uint16_t idx[4], pref[4];
	unsigned flags;

	(void)state;
	fx_init(&f, CONF_POLICY_FAILOVER, s, 3);
	f.cp.min_up = 2;
	rng_seed(&rng, 13);
	assert_int_equal(policy_order(&f.cp, &f.pp, &rng, idx, pref, 4,
	    &flags), 3);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
	assert_int_equal(f.sv[idx[0]].tier, 0);
	assert_int_equal(f.sv[idx[1]].tier, 0);
	assert_int_equal(idx[2], 0);
	assert_int_equal(pref[0], 10);
	assert_int_equal(pref[1], 10);
	assert_int_equal(pref[2], 20);
}

/* all_down = "servfail": no server, no relay (even with a relay host),
 * flagged for SERVFAIL, with and without a key and for every policy; one
 * server back and the answer is the normal one again. pp NULL (no state
 * yet) is never "all down". */
static void
test_all_down_servfail(void **state)
{
	static const struct srv s[] = { { .weight = 3, .state = S_DOWN },
	    { .weight = 1, .state = S_DRAIN, .tier = 1 },
	    { .weight = 2, .state = S_MAINT, .tier = 1 } };
	static const enum conf_policy pols[] = { CONF_POLICY_WEIGHTED,
	    CONF_POLICY_EQUAL, CONF_POLICY_FAILOVER };
	static const double key[] = { 1, 2, 3 };
	struct fixture f;
	struct rng rng;
	uint16_t idx[FX_MAX], pref[FX_MAX];
	unsigned flags;
	size_t n;

	(void)state;
	rng_seed(&rng, 41);
	for (size_t p = 0; p < 3; p++) {
		fx_init(&f, pols[p], s, 3);
		f.cp.all_down = CONF_ALLDOWN_SERVFAIL;
		assert_int_equal(f.pp.nup, 0);
		for (int r = 0; r < 2; r++) {
			f.cp.relay_host = r ? "relay.example.net." : NULL;
			flags = 0;
			n = policy_order(&f.cp, &f.pp, &rng, idx, pref, FX_MAX,
			    &flags);
			assert_int_equal(n, 0);
			assert_int_equal(flags, POLICY_F_ALLDOWN |
			    POLICY_F_SERVFAIL);
			flags = 0;
			n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref,
			    FX_MAX, &flags);
			assert_int_equal(n, 0);
			assert_int_equal(flags, POLICY_F_ALLDOWN |
			    POLICY_F_SERVFAIL);
		}
		/* no snapshot yet: every server at its configured weight */
		n = policy_order(&f.cp, NULL, &rng, idx, pref, FX_MAX, &flags);
		assert_int_equal(n, 3);
		assert_int_equal(flags & (POLICY_F_ALLDOWN | POLICY_F_SERVFAIL),
		    0);
		/* the drained server back: it alone, then the relay */
		f.ps[1].admin = PSTATE_ADMIN_ENABLED;
		pstate_pool_update(&f.pp, &f.cp);
		n = policy_order(&f.cp, &f.pp, &rng, idx, pref, FX_MAX, &flags);
		assert_int_equal(n, 1);
		assert_int_equal(idx[0], 1);
		assert_int_equal(pref[0], 10);
		assert_int_equal(flags, POLICY_F_RELAY);
	}
}

/* SRV weights (RFC 2782): integer effective weights as they are; any
 * fractional one (load, slow start) scales the answer so the largest is
 * 65535, none below 1; fail open and no state use the configured weights.
 * Priorities: one for weighted/equal, the tier preference for failover. */
static void
test_srv_weights(void **state)
{
	static const struct srv s[] = { { .weight = 3 }, { .weight = 2 },
	    { .weight = 1 }, { .weight = 65535 } };
	static const uint16_t idx[] = { 0, 1, 2 }, idx4[] = { 3, 2 };
	struct fixture f;
	struct rng rng;
	uint16_t w[FX_MAX], oi[FX_MAX], pref[FX_MAX];
	unsigned flags;
	size_t n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 4);
	policy_srv_weights(&f.cp, &f.pp, idx, 3, 0, w);
	assert_int_equal(w[0], 3);
	assert_int_equal(w[1], 2);
	assert_int_equal(w[2], 1);
	policy_srv_weights(&f.cp, &f.pp, idx4, 2, 0, w);
	assert_int_equal(w[0], 65535);
	assert_int_equal(w[1], 1);
	/* a load factor: 3 x 0.5 = 1.5, the answer scaled to 65535 */
	f.ps[0].load_factor = 0.5;
	pstate_pool_update(&f.pp, &f.cp);
	policy_srv_weights(&f.cp, &f.pp, idx, 3, 0, w);
	assert_int_equal(w[1], 65535);		/* 2 is the largest now */
	assert_int_equal(w[0], 49151);		/* 1.5 / 2 x 65535, rounded */
	assert_int_equal(w[2], 32768);
	/* a tiny factor never gives weight 0 */
	f.ps[2].load_factor = 1e-9;
	pstate_pool_update(&f.pp, &f.cp);
	policy_srv_weights(&f.cp, &f.pp, idx, 3, 0, w);
	assert_int_equal(w[2], 1);
	/* no state, and fail open: configured weights */
	policy_srv_weights(&f.cp, NULL, idx, 3, 0, w);
	assert_int_equal(w[0], 3);
	for (size_t i = 0; i < 4; i++)
		f.ps[i].up = false;
	pstate_pool_update(&f.pp, &f.cp);
	rng_seed(&rng, 51);
	n = policy_order(&f.cp, &f.pp, &rng, oi, pref, FX_MAX, &flags);
	assert_int_equal(n, 4);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
	policy_srv_weights(&f.cp, &f.pp, oi, n, flags, w);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(w[k], f.sv[oi[k]].weight);
	/* priorities: weighted and equal one, failover by tier */
	assert_int_equal(policy_srv_priority(&f.cp, pref, 0), 10);
	assert_int_equal(policy_srv_priority(&f.cp, pref, 3), 10);
	f.cp.policy = CONF_POLICY_FAILOVER;
	f.sv[0].tier = 0; f.sv[1].tier = 1; f.sv[2].tier = 1; f.sv[3].tier = 2;
	for (size_t i = 0; i < 4; i++)
		f.ps[i].up = true;
	f.ps[0].load_factor = f.ps[2].load_factor = 1;
	pstate_pool_update(&f.pp, &f.cp);
	n = policy_order(&f.cp, &f.pp, &rng, oi, pref, FX_MAX, &flags);
	assert_int_equal(n, 4);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(policy_srv_priority(&f.cp, pref, k),
		    10 + 10 * f.sv[oi[k]].tier);
	/* the SRV cap is max_mx, the relay slot not taken */
	f.cp.relay_host = "relay";
	f.cp.max_mx = 3;
	assert_int_equal(policy_max_srv(&f.cp), 3);
	assert_int_equal(policy_max(&f.cp, true), 2);
}

static void
test_relay_appended(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 1 },
	    { .weight = 1, .state = S_DOWN } };
	struct fixture f;
	struct rng rng;
	uint16_t idx[4], pref[4];
	unsigned flags;
	size_t n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 3);
	f.cp.relay_host = "relay";
	rng_seed(&rng, 14);
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, policy_max(&f.cp,
	    true), &flags);
	assert_int_equal(n, 2);
	assert_int_equal(flags, POLICY_F_RELAY);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 30);

	f.cp.policy = CONF_POLICY_EQUAL;
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(n, 2);
	assert_int_equal(pref[0], 10);
	assert_int_equal(pref[1], 10);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 20);

	/* other bases and steps */
	f.cp.policy = CONF_POLICY_WEIGHTED;
	f.cp.pref_base = 5;
	f.cp.pref_step = 1;
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(pref[0], 5);
	assert_int_equal(pref[1], 6);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 7);

	/* preferences saturate instead of wrapping */
	f.cp.pref_base = 65530;
	f.cp.pref_step = 10;
	n = policy_order(&f.cp, &f.pp, &rng, idx, pref, 4, &flags);
	assert_int_equal(pref[0], 65530);
	assert_int_equal(pref[1], 65535);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 65535);
}

static void
test_caps(void **state)
{
	struct srv s[10];
	struct fixture f;
	struct rng r1, r2;
	uint16_t idx[FX_MAX], pref[FX_MAX], idx2[FX_MAX];
	unsigned flags;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < 10; i++)
		s[i] = (struct srv){ .weight = (uint32_t)(i + 1) };
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 10);
	f.cp.max_mx = 4;
	f.cp.max_addrs = 3;
	assert_int_equal(policy_max(&f.cp, true), 4);
	assert_int_equal(policy_max(&f.cp, false), 3);
	f.cp.relay_host = "relay";
	assert_int_equal(policy_max(&f.cp, true), 3);
	f.cp.max_mx = 1;
	assert_int_equal(policy_max(&f.cp, true), 1);
	f.cp.max_mx = 4;

	rng_seed(&r1, 15);
	n = policy_order(&f.cp, &f.pp, &r1, idx, pref, policy_max(&f.cp, true),
	    &flags);
	assert_int_equal(n, 3);
	assert_int_equal(flags, POLICY_F_RELAY | POLICY_F_CAPPED);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 40);

	assert_int_equal(policy_order(&f.cp, &f.pp, &r1, idx, pref, 0, &flags),
	    0);
	assert_int_equal(flags, POLICY_F_RELAY | POLICY_F_CAPPED);

	/* the capped order is the prefix of the uncapped one */
	for (k = 0; k < 1000; k++) {
		rng_seed(&r1, 1000 + k);
		rng_seed(&r2, 1000 + k);
		assert_int_equal(policy_order(&f.cp, &f.pp, &r1, idx, NULL, 3,
		    NULL), 3);
		assert_int_equal(policy_order(&f.cp, &f.pp, &r2, idx2, NULL,
		    FX_MAX, NULL), 10);
		assert_memory_equal(idx, idx2, 3 * sizeof(idx[0]));
		check_order(&f, idx2, 10, true);
	}
}

/* Without a snapshot: configured weights, no all-down flag. */
static void
test_no_state(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 3 } };
	struct fixture f;
	struct rng rng;
	uint64_t first[2] = { 0 };
	uint16_t idx[2];
	unsigned flags;
	size_t k;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 2);
	rng_seed(&rng, 16);
	for (k = 0; k < NDRAWS; k++) {
		assert_int_equal(policy_order(&f.cp, NULL, &rng, idx, NULL, 2,
		    &flags), 2);
		assert_int_equal(flags, 0);
		first[idx[0]]++;
	}
	check_share("no state", 1, first[1], NDRAWS, 0.75);
	assert_int_equal(policy_ttl(&f.cp, NULL, 300), 300);
}

/* A pool above POLICY_MAX_SERVERS: only the first ones take part. */
static void
test_big_pool(void **state)
{
	size_t n = POLICY_MAX_SERVERS + 44, i, k, got;
	struct conf_pool cp;
	struct pstate_pool pp;
	struct conf_server *sv;
	struct pstate_server *ps;
	struct rng rng;
	uint16_t idx[POLICY_MAX_SERVERS];

	(void)state;
	sv = calloc(n, sizeof(*sv));
	ps = calloc(n, sizeof(*ps));
	assert_non_null(sv);
	assert_non_null(ps);
	memset(&cp, 0, sizeof(cp));
	memset(&pp, 0, sizeof(pp));
	cp.servers = sv;
	cp.nservers = n;
	cp.pref_base = cp.pref_step = 10;
	pp.servers = ps;
	pp.nservers = n;
	for (i = 0; i < n; i++) {
		sv[i].weight = 1;
		ps[i].up = true;
		ps[i].load_factor = ps[i].slowstart_factor = 1;
	}
	pstate_pool_update(&pp, &cp);
	rng_seed(&rng, 17);
	for (k = 0; k < 100; k++) {
		got = policy_order(&cp, &pp, &rng, idx, NULL,
		    POLICY_MAX_SERVERS, NULL);
		assert_int_equal(got, POLICY_MAX_SERVERS);
		for (i = 0; i < got; i++)
			assert_true(idx[i] < POLICY_MAX_SERVERS);
	}
	/* with a key too: the servers past the limit never take part */
	{
		double *key = calloc(n, sizeof(*key));

		assert_non_null(key);
		for (i = 0; i < n; i++)
			key[i] = -(double)i;	/* the last ones "best" */
		got = policy_order_by(&cp, &pp, NULL, key, idx, NULL,
		    POLICY_MAX_SERVERS, NULL);
		assert_int_equal(got, POLICY_MAX_SERVERS);
		assert_int_equal(idx[0], POLICY_MAX_SERVERS - 1);
		for (i = 0; i < got; i++)
			assert_true(idx[i] < POLICY_MAX_SERVERS);
		free(key);
	}
	free(sv);
	free(ps);
}

/*
 * What policy_pick did for the relay, now done by the order itself: one
 * weighted pick is the first entry of policy_order with max 1 (down
 * servers never picked), "the next after a failed one" is the following
 * entry, drawn among the rest by weight, and when every candidate was
 * tried the order has no more entries.
 */
static void
test_pick_is_order(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 3 },
	    { .weight = 6 }, { .weight = 5, .state = S_DOWN } };
	struct fixture f;
	struct rng rng;
	uint64_t cnt[4] = { 0 }, after2 = 0, second[4] = { 0 };
	uint16_t idx[4];
	unsigned flags;
	size_t k, n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 4);
	rng_seed(&rng, 18);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order(&f.cp, &f.pp, &rng, idx, NULL, 1, &flags);
		assert_int_equal(n, 1);
		assert_true(idx[0] < 3);
		cnt[idx[0]]++;
	}
	check_share("pick", 0, cnt[0], NDRAWS, 0.1);
	check_share("pick", 1, cnt[1], NDRAWS, 0.3);
	check_share("pick", 2, cnt[2], NDRAWS, 0.6);
	/* the next candidate after server 2 failed: 1 with 3/4, 0 with 1/4 */
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order(&f.cp, &f.pp, &rng, idx, NULL, 4, &flags);
		assert_int_equal(n, 3);		/* every eligible one, once */
		assert_int_equal(flags, 0);
		check_order(&f, idx, n, true);
		if (idx[0] == 2) {
			after2++;
			second[idx[1]]++;
		}
	}
	check_share("pick skip", 1, second[1], after2, 0.75);
	check_share("pick skip", 0, second[0], after2, 0.25);
	/* nothing eligible: the order is the fail-open one, flagged */
	f.ps[0].up = f.ps[1].up = f.ps[2].up = false;
	pstate_pool_update(&f.pp, &f.cp);
	n = policy_order(&f.cp, &f.pp, &rng, idx, NULL, 4, &flags);
	assert_int_equal(n, 4);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
}

/* ---- policy_order_by: a ranking key instead of the draw ---- */

/* Ascending key; eligible servers only; config order for ties without
 * an rng; prefs as policy_order gives them. */
static void
test_by_ascending(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 1 },
	    { .weight = 1, .state = S_DOWN }, { .weight = 1 }, { .weight = 9 },
	    { .weight = 1 } };
	static const double key[] = { 3, 1, -5, 2, 0.5, 1 };
	static const uint16_t want[] = { 4, 1, 5, 3, 0 };
	struct fixture f;
	uint16_t idx[FX_MAX], pref[FX_MAX];
	unsigned flags;
	size_t n, i, k;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 6);
	for (k = 0; k < 3; k++) {	/* deterministic: same every time */
		n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX,
		    &flags);
		assert_int_equal(n, 5);
		assert_int_equal(flags, 0);
		for (i = 0; i < n; i++) {
			assert_int_equal(idx[i], want[i]);
			assert_int_equal(pref[i], 10 + 10 * i);
		}
	}
	f.cp.policy = CONF_POLICY_EQUAL;
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, NULL);
	assert_int_equal(n, 5);
	assert_memory_equal(idx, want, sizeof(want));
	for (i = 0; i < n; i++)
		assert_int_equal(pref[i], 10);
	/* key NULL is policy_order itself */
	{
		struct rng r1, r2;
		uint16_t idx2[FX_MAX];

		rng_seed(&r1, 31);
		rng_seed(&r2, 31);
		for (k = 0; k < 100; k++) {
			n = policy_order_by(&f.cp, &f.pp, &r1, NULL, idx, NULL,
			    FX_MAX, NULL);
			assert_int_equal(policy_order(&f.cp, &f.pp, &r2, idx2,
			    NULL, FX_MAX, NULL), n);
			assert_memory_equal(idx, idx2, n * sizeof(idx[0]));
		}
	}
}

/* Ties without an rng: config order, whatever the weights. */
static void
test_by_ties_config_order(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 50 },
	    { .weight = 7 }, { .weight = 2 } };
	static const double flat[] = { 1, 1, 1, 1 };
	static const double two[] = { 1, 0, 1, 0 };
	static const uint16_t want_flat[] = { 0, 1, 2, 3 };
	static const uint16_t want_two[] = { 1, 3, 0, 2 };
	struct fixture f;
	uint16_t idx[FX_MAX];

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 4);
	assert_int_equal(policy_order_by(&f.cp, &f.pp, NULL, flat, idx, NULL,
	    FX_MAX, NULL), 4);
	assert_memory_equal(idx, want_flat, sizeof(want_flat));
	assert_int_equal(policy_order_by(&f.cp, &f.pp, NULL, two, idx, NULL,
	    FX_MAX, NULL), 4);
	assert_memory_equal(idx, want_two, sizeof(want_two));
}

/* Ties with an rng: a weighted random order among the tied (by effective
 * weight), while a lower key still always comes first. */
static void
test_by_ties_weighted(void **state)
{
	static const struct srv s[] = { { .weight = 1 }, { .weight = 3 },
	    { .weight = 8, .load = 0.5 }, { .weight = 100 } };
	static const double key[] = { 0, 0, 0, 1 };	/* leastconn-like */
	struct fixture f;
	struct rng rng;
	uint64_t first[4] = { 0 };
	uint16_t idx[FX_MAX];
	size_t k, n;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 4);
	rng_seed(&rng, 32);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order_by(&f.cp, &f.pp, &rng, key, idx, NULL, FX_MAX,
		    NULL);
		assert_int_equal(n, 4);
		assert_int_equal(idx[3], 3);	/* heavier, but a higher key */
		check_order(&f, idx, n, true);
		first[idx[0]]++;
	}
	/* effective weights 1 : 3 : 4 */
	check_share("tie", 0, first[0], NDRAWS, 1.0 / 8);
	check_share("tie", 1, first[1], NDRAWS, 3.0 / 8);
	check_share("tie", 2, first[2], NDRAWS, 4.0 / 8);
}

/* Failover with a key: the tier decides first, the key only within the
 * tier; min_up and prefs as for policy_order. */
static void
test_by_failover(void **state)
{
	static const struct srv s[] = { { .weight = 1, .tier = 1 },
	    { .weight = 1, .tier = 0 }, { .weight = 1, .tier = 0 },
	    { .weight = 1, .tier = 1 }, { .weight = 1, .tier = 2 } };
	static const double key[] = { -10, 5, 2, -20, -30 };
	static const uint16_t want[] = { 2, 1, 3, 0, 4 };
	static const uint16_t want_pref[] = { 10, 10, 20, 20, 30 };
	static const uint16_t want_min2[] = { 3, 0, 2, 4 };
	static const uint16_t want_min2_pref[] = { 10, 10, 20, 30 };
	struct fixture f;
	struct rng rng;
	uint16_t idx[FX_MAX], pref[FX_MAX];
	unsigned flags;
	size_t n, k;

	(void)state;
	fx_init(&f, CONF_POLICY_FAILOVER, s, 5);
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, &flags);
	assert_int_equal(n, 5);
	assert_int_equal(flags, 0);
	assert_memory_equal(idx, want, sizeof(want));
	assert_memory_equal(pref, want_pref, sizeof(want_pref));
	/* the same with an rng: no ties, so the same order */
	rng_seed(&rng, 33);
	for (k = 0; k < 100; k++) {
		n = policy_order_by(&f.cp, &f.pp, &rng, key, idx, pref, FX_MAX,
		    NULL);
		assert_int_equal(n, 5);
		assert_memory_equal(idx, want, sizeof(want));
	}
	/* tier 0 below min_up 2: tier 1 is primary, tier 0 behind it */
	f.ps[1].up = false;
	pstate_pool_update(&f.pp, &f.cp);
	f.cp.min_up = 2;
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, NULL);
	assert_int_equal(n, 4);
	assert_memory_equal(idx, want_min2, sizeof(want_min2));
	assert_memory_equal(pref, want_min2_pref, sizeof(want_min2_pref));
	/* capped: the first entries of the uncapped order */
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, 1, &flags);
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 3);
	assert_int_equal(flags, POLICY_F_CAPPED);
}

/* Caps: the capped order is the prefix of the uncapped one (same seed),
 * max 0 writes nothing, CAPPED is set when servers were left out. */
static void
test_by_caps(void **state)
{
	struct srv s[10];
	struct fixture f;
	struct rng r1, r2;
	double key[10];
	uint16_t idx[FX_MAX], idx2[FX_MAX];
	unsigned flags;
	size_t i, k;

	(void)state;
	for (i = 0; i < 10; i++) {
		s[i] = (struct srv){ .weight = (uint32_t)(i + 1) };
		key[i] = (double)(i % 3);	/* ties in threes */
	}
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 10);
	for (k = 0; k < 1000; k++) {
		rng_seed(&r1, 2000 + k);
		rng_seed(&r2, 2000 + k);
		assert_int_equal(policy_order_by(&f.cp, &f.pp, &r1, key, idx,
		    NULL, 3, &flags), 3);
		assert_int_equal(flags, POLICY_F_CAPPED);
		assert_int_equal(policy_order_by(&f.cp, &f.pp, &r2, key, idx2,
		    NULL, FX_MAX, &flags), 10);
		assert_int_equal(flags, 0);
		assert_memory_equal(idx, idx2, 3 * sizeof(idx[0]));
		check_order(&f, idx2, 10, true);
		for (i = 1; i < 10; i++)
			assert_true(key[idx2[i - 1]] <= key[idx2[i]]);
	}
	assert_int_equal(policy_order_by(&f.cp, &f.pp, &r1, key, idx, NULL, 0,
	    &flags), 0);
	assert_int_equal(flags, POLICY_F_CAPPED);
}

/* All down: fail open in key order (ties by configured weight or config
 * order), flagged; all_down = "relay" with a relay host: no server. */
static void
test_by_all_down(void **state)
{
	static const struct srv s[] = { { .weight = 3, .state = S_DOWN },
	    { .weight = 1, .state = S_DRAIN }, { .weight = 2, .state = S_MAINT } };
	static const double key[] = { 2, 1, 1 };
	static const uint16_t want[] = { 1, 2, 0 };
	struct fixture f;
	struct rng rng;
	uint16_t idx[FX_MAX], pref[FX_MAX];
	uint64_t first[3] = { 0 };
	unsigned flags;
	size_t n, k;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 3);
	assert_int_equal(f.pp.nup, 0);
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, &flags);
	assert_int_equal(n, 3);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
	assert_memory_equal(idx, want, sizeof(want));
	/* ties weighted by the configured weights (1 : 2) */
	rng_seed(&rng, 34);
	for (k = 0; k < NDRAWS; k++) {
		n = policy_order_by(&f.cp, &f.pp, &rng, key, idx, NULL, FX_MAX,
		    &flags);
		assert_int_equal(n, 3);
		assert_int_equal(idx[2], 0);
		first[idx[0]]++;
	}
	check_share("all down tie", 2, first[2], NDRAWS, 2.0 / 3);

	f.cp.all_down = CONF_ALLDOWN_RELAY;
	f.cp.relay_host = "relay";
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, &flags);
	assert_int_equal(n, 0);
	assert_int_equal(flags, POLICY_F_RELAY | POLICY_F_ALLDOWN);
	assert_int_equal(policy_relay_pref(&f.cp, pref, n), 10);

	/* failover, all down: every tier counts as up, key within tiers */
	f.cp.relay_host = NULL;
	f.cp.all_down = CONF_ALLDOWN_ALL;
	f.cp.policy = CONF_POLICY_FAILOVER;
	f.sv[0].tier = 1;
	n = policy_order_by(&f.cp, &f.pp, NULL, key, idx, pref, FX_MAX, &flags);
	assert_int_equal(n, 3);
	assert_int_equal(flags, POLICY_F_ALLDOWN);
	assert_memory_equal(idx, want, sizeof(want));
	assert_int_equal(pref[1], 10);
	assert_int_equal(pref[2], 20);
}

/* `mxspread render`: no state, no rng, key = -weight: every server,
 * heaviest first, ties in config order, never the all-down flag. */
static void
test_by_render(void **state)
{
	static const struct srv s[] = { { .weight = 2 }, { .weight = 5 },
	    { .weight = 2 }, { .weight = 9 } };
	static const uint16_t want[] = { 3, 1, 0, 2 };
	struct fixture f;
	double key[4];
	uint16_t idx[FX_MAX], pref[FX_MAX];
	unsigned flags;
	size_t i;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 4);
	for (i = 0; i < 4; i++)
		key[i] = -(double)f.sv[i].weight;
	assert_int_equal(policy_order_by(&f.cp, NULL, NULL, key, idx, pref,
	    FX_MAX, &flags), 4);
	assert_int_equal(flags, 0);
	assert_memory_equal(idx, want, sizeof(want));
	for (i = 0; i < 4; i++)
		assert_int_equal(pref[i], 10 + 10 * i);
}

static void
test_ttl(void **state)
{
	static const struct srv s[] = { { .weight = 1 },
	    { .weight = 1, .state = S_DOWN } };
	struct fixture f;

	(void)state;
	fx_init(&f, CONF_POLICY_WEIGHTED, s, 2);
	assert_true(f.pp.degraded);
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 300), 300);	/* off */
	f.cp.ttl_degraded = 30;
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 300), 30);
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 10), 10);
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 30), 30);
	f.ps[1].up = true;
	pstate_pool_update(&f.pp, &f.cp);
	assert_false(f.pp.degraded);
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 300), 300);
	f.ps[0].admin = PSTATE_ADMIN_DRAIN;
	pstate_pool_update(&f.pp, &f.cp);
	assert_int_equal(policy_ttl(&f.cp, &f.pp, 300), 30);
}

static void
test_rng(void **state)
{
	struct rng a, b;
	size_t k, same = 0;
	double d, sum = 0;

	(void)state;
	rng_seed(&a, 99);
	rng_seed(&b, 99);
	for (k = 0; k < 1000; k++)
		assert_int_equal(rng_next(&a), rng_next(&b));
	rng_seed(&b, 100);
	for (k = 0; k < 1000; k++)
		same += rng_next(&a) == rng_next(&b);
	assert_true(same < 2);
	for (k = 0; k < 100000; k++) {
		d = rng_double(&a);
		assert_true(d >= 0 && d < 1);
		sum += d;
	}
	assert_true(fabs(sum / 100000 - 0.5) < 0.01);
	rng_init(&a);
	rng_init(&b);
	assert_true((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0);
	assert_memory_not_equal(a.s, b.s, sizeof(a.s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares_weighted),
		cmocka_unit_test(test_shares_equal),
		cmocka_unit_test(test_second_position),
		cmocka_unit_test(test_permutations),
		cmocka_unit_test(test_failover_tiers),
		cmocka_unit_test(test_failover_weighted_within_tier),
		cmocka_unit_test(test_all_down_fail_open),
		cmocka_unit_test(test_all_down_relay),
		cmocka_unit_test(test_all_down_failover),
		cmocka_unit_test(test_all_down_servfail),
		cmocka_unit_test(test_srv_weights),
		cmocka_unit_test(test_relay_appended),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_no_state),
		cmocka_unit_test(test_big_pool),
		cmocka_unit_test(test_pick_is_order),
		cmocka_unit_test(test_by_ascending),
		cmocka_unit_test(test_by_ties_config_order),
		cmocka_unit_test(test_by_ties_weighted),
		cmocka_unit_test(test_by_failover),
		cmocka_unit_test(test_by_caps),
		cmocka_unit_test(test_by_all_down),
		cmocka_unit_test(test_by_render),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_rng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
