/* model.h - the status model: one copy of everything a status page shows.
 *
 * status_model_build() gathers it per request: the world and the pool state
 * inside one short RCU read-side section (names, weights, health, factors,
 * the share window), then, outside it, what takes the probe engine's locks
 * or sums worker counters (probe history and counters, DNS, RRL and relay
 * counters, the reload record, the relay as it runs). The renderers (json.h, metrics.h) read only
 * the model, so they are pure functions that a unit test feeds a model
 * built by hand; nothing in the model points into a snapshot.
 *
 * DNSSEC (issue 16, "Status"): a signed zone's keys and signature times
 * come from its z->sec (zones/sign.h), fixed when the world was loaded
 * (every re-sign is a new world), and its current set of signed dynamic
 * variants from dynsign_get() (dnsd/dynsign.h), both copied inside the
 * read-side section; the signer's totals and the re-signing record
 * (dynsign_stats_get) after it.
 */
#ifndef MXS_STATUS_MODEL_H
#define MXS_STATUS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "dnsd/query.h"
#include "dnsd/base/conf.h"
#include "dnsd/dynsign.h"
#include "dnsd/relay/relay.h"
#include "dnsd/rrl.h"
#include "dnsd/tcp.h"
#include "dnsd/status/reload.h"
#include "probes/probe.h"
#include "probes/pstate.h"

struct status_server {
	char                  name[CONF_NAME_MAX + 1];
	char                (*addrs)[INET6_ADDRSTRLEN];
	size_t                naddrs;
	char                  probe_addr[INET6_ADDRSTRLEN];	/* "": none */
	uint16_t              probe_port;	/* 0: the pool's */
	uint32_t              weight;
	unsigned              tier;
	bool                  known;	/* the pool state had this server */
	struct pstate_server  ps;	/* its state (zero when !known) */
	struct probe_counters cnt;
	struct probe_result  *hist;	/* health checks, oldest first */
	size_t                nhist;
	bool                  has_first;
	uint64_t              first;	/* answers that listed it first */
	double                observed;	/* share over the window; < 0 none */
	double                target;	/* eff_weight / total_weight */
};

struct status_pool {
	char                  name[CONF_NAME_MAX + 1];
	enum conf_policy      policy;
	enum conf_probe_type  probe;
	double                interval;
	bool                  has_load;
	enum conf_probe_type  load;
	bool                  known;	/* the pool state had this pool */
	unsigned              nup;
	bool                  degraded;
	double                total_weight;
	uint64_t              window_first;	/* answers in the share window */
	struct status_server *servers;
	size_t                nservers;
};

struct status_dnskey {
	uint16_t tag;
	uint8_t  alg;		/* 13 or 15 */
	bool     active;	/* signs; else published only (a successor) */
};

/* The DNSSEC part of a zone. Times are seconds since the epoch, except
 * dyn_built_ms. */
struct status_dnssec {
	bool                 on;	/* the zone is signed (else all zero) */
	struct status_dnskey keys[CONF_DNSSEC_MAXKEYS];
	size_t               nkeys;
	int64_t              inception;	/* of the signatures made at load */
	int64_t              expiration;	/* the earliest expiry of all */
	uint64_t             sigs;	/* signatures made at load */
	int64_t              signed_at;	/* the load: the last (re-)sign */
	double               sign_ms;	/* how long that signing took */
	uint32_t             validity;	/* dnssec.validity, seconds */
	uint32_t             refresh;	/* dnssec.refresh: re-signed this
					   long before expiration */
	size_t               ndyn;	/* names with dynamic records */
	bool                 has_dyn;	/* a current set of signed variants */
	uint64_t             dyn_gen;	/* pool-state generation it is of */
	uint64_t             dyn_sigs;	/* signatures it took */
	double               dyn_ms;	/* how long its build took */
	int64_t              dyn_built_ms;	/* when (unix ms) */
};

struct status_zone {
	char                 origin[CONF_DNAME_MAX + 2];
	uint32_t             serial;
	struct status_dnssec dnssec;
};

struct status_model {
	int64_t                     now_ms;
	int64_t                     started_ms;	/* the endpoint started */
	bool                        healthy;	/* the DNS self-check */
	time_t                      loaded;	/* the world's load time */
	uint64_t                    gen;	/* pool state generation */
	struct status_reload        reload;
	struct status_zone         *zones;
	size_t                      nzones;
	bool                        dnssec;	/* at least one zone is signed */
	struct dynsign_stats        signer;	/* dynamic signing and
						   re-signing (when dnssec) */
	struct status_pool         *pools;
	size_t                      npools;
	unsigned                    share_window;	/* seconds */
	struct query_stats         stats;
	struct rrl_stats            rrl;
	struct tcp_stats            tcp;
	/* The relay as it runs (rs.running: its pool and listeners, which a
	 * reload does not change), else as configured; shown while either. */
	bool                        relay;	/* configured or running */
	char                        relay_pool[CONF_NAME_MAX + 1];
	char                        relay_listen[RELAY_LISTEN_TEXT];
	bool                        relay_configured;	/* published config */
	char                        relay_conf_listen[RELAY_LISTEN_TEXT];
	unsigned                    relay_pending;	/* RELAY_PENDING_* */
	struct relay_stats          rs;
	struct relay_backend_stats *rb;
	size_t                      nrb;
};

/*
 * Copy the running state. Status thread (it reads the share window).
 * \param max_hist    health checks kept per server (0: none)
 * \param started_ms  when the endpoint started (unix ms)
 * \retval model      caller frees with status_model_free()
 * \retval NULL       out of memory, or no world published yet
 */
struct status_model *status_model_build(size_t max_hist, int64_t started_ms);

/* Free a built model (NULL is fine). */
void status_model_free(struct status_model *m);

/* Names of the query_stats counters, as status.json and /metrics show them:
 * by_qtype[i] and by_rcode[i] (the last one of each is "other"). */
static inline const char *
status_qtype_name(size_t i)
{
	static const char *const names[QUERY_NQTYPES] = {
		"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "other"
	};

	return i < QUERY_NQTYPES ? names[i] : "other";
}

static inline const char *
status_rcode_name(size_t i)
{
	static const char *const names[QUERY_NRCODES + 1] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "other"
	};

	return i < QUERY_NRCODES + 1 ? names[i] : "other";
}

#endif
