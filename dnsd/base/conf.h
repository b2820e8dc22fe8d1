/* conf.h - the configuration: one immutable struct per load.
 *
 * conf_load() parses a libconfig file completely, range-checks every value,
 * resolves cross references (zone -> template, relay -> pool) and reports
 * every error as "file:line: message" before failing. The result is never
 * modified after it is returned; a reload builds a new one and swaps it in.
 *
 * Durations are doubles in seconds (config accepts 2 or 0.5). Names are
 * stored lowercase; DNS names absolute with a trailing dot.
 *
 * This header stays free of ldns/curl/libevent: every module includes it.
 * The loader's own rooms and their shared context: conf_int.h.
 */
#ifndef MXS_CONF_H
#define MXS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define CONF_NAME_MAX    63	/* pool and server names: [a-z0-9-_], DNS label safe */
#define CONF_DNAME_MAX   255	/* presentation form of a DNS name, with the dot */
#define CONF_TOKEN_MAX   1024	/* bytes of the status bearer token; the status
				   endpoint's STATUS_TOKEN_MAX (test_world
				   checks that they agree) */

/* A socket address as written in the config ("127.0.0.1:5353", "[::1]:53"). */
struct conf_sockaddr {
	struct sockaddr_storage ss;
	socklen_t               len;
	char                    text[64];	/* as the user wrote it, normalised */
};

/* One address of a server (no port). */
struct conf_ip {
	int family;				/* AF_INET or AF_INET6 */
	union {
		struct in_addr  v4;
		struct in6_addr v6;
	} u;
	char text[INET6_ADDRSTRLEN];
};

enum conf_probe_type {
	CONF_PROBE_NONE = 0,			/* "none": servers are always up */
	CONF_PROBE_SMTP,
	CONF_PROBE_TCP,
	CONF_PROBE_HTTP,
	CONF_PROBE_AGENT,
};

enum conf_proxy {
	CONF_PROXY_NONE = 0,
	CONF_PROXY_V1,
	CONF_PROXY_V2,
};

/* Where an http probe finds a load value in the response body. */
enum conf_load_format {
	CONF_LOAD_NONE = 0,			/* status code only */
	CONF_LOAD_NUMBER,			/* body is a number, 0..100 */
	CONF_LOAD_PERCENT,			/* body is "NN%" */
	CONF_LOAD_PROMETHEUS,			/* metric named load_key */
	CONF_LOAD_JSON,				/* JSON pointer load_key (RFC 6901) */
};

/*
 * A probe: the health probe of a pool ("probe") or its load probe ("load").
 * Defaults: interval 5, timeout 3, rise 2, fall 3, port 25 (smtp),
 * 80 (http), 8900 (agent); tcp without port uses 25.
 */
struct conf_probe {
	enum conf_probe_type  type;
	uint16_t              port;
	double                interval;		/* seconds, 0.1 .. 3600 */
	double                timeout;		/* seconds, 0.05 .. 300, < interval */
	unsigned              rise;		/* 1 .. 100 */
	unsigned              fall;		/* 1 .. 100 */
	/* smtp */
	bool                  starttls;
	bool                  starttls_required;
	char                 *ca_file;		/* NULL: system store */
	char                 *tls_hostname;	/* NULL: server host name */
	char                 *helo;		/* NULL: local host name */
	enum conf_proxy       proxy_protocol;	/* send PROXY LOCAL/UNKNOWN first */
	/* http */
	char                 *url;		/* template: {addr} {port} {name} */
	enum conf_load_format load_format;
	char                 *load_key;		/* metric name or JSON pointer */
	int                   line;		/* where it was written (0: default) */
};

enum conf_policy {
	CONF_POLICY_WEIGHTED = 0,
	CONF_POLICY_EQUAL,
	CONF_POLICY_FAILOVER,
};

/*
 * DANE-aware health (RFC 7672) of a pool's smtp probe: pool option dane.
 * AUTO (not set): CHECK for a server whose TLSA records (and host) are in
 * a signed zone, else OFF. Set, it applies whether or not the zone is
 * signed (an operator can watch DANE health before signing). CHECK shows
 * and counts a mismatch, the server stays eligible; REQUIRE makes it a
 * failed check. Either way, a server with usable TLSA records is judged
 * by them, not by PKIX (ca_file, tls_hostname).
 */
enum conf_dane {
	CONF_DANE_AUTO = 0,
	CONF_DANE_OFF,
	CONF_DANE_CHECK,
	CONF_DANE_REQUIRE,
};

enum conf_all_down {
	CONF_ALLDOWN_ALL = 0,			/* fail open: answer as if all were up */
	CONF_ALLDOWN_RELAY,			/* only the relay host */
	CONF_ALLDOWN_SERVFAIL,			/* fail closed: SERVFAIL, senders queue */
};

struct conf_server {
	char            name[CONF_NAME_MAX + 1];
	char           *host;			/* NULL: <name>.<origin>; else as written,
						   relative to the zone origin unless it
						   ends in '.' */
	struct conf_ip *addrs;
	size_t          naddrs;			/* >= 1 */
	uint32_t        weight;			/* 1 .. 1000000, default 1 */
	unsigned        tier;			/* 0 .. 255, default 0 (failover) */
	struct conf_ip  probe_addr;		/* probe_address; family 0: none.
						   Probes and relay: conf_server_target() */
	uint16_t        probe_port;		/* health probe port; 0: the pool's */
	int             line;
	/* Filled by the world load (dnsd/danecfg.h), not by conf_load():
	 * the TLSA RRset at _<port>._tcp.<host> in the served zones (port:
	 * conf_server_dane_port()), in the zone_rrset rdata format: count x
	 * (uint16 rdlen big-endian, rdlen bytes). conf owns it. */
	char           *tlsa_host;		/* the TLSA base domain, absolute
						   ("mx1.mail.example.com."); NULL
						   when no served zone names the
						   server's host */
	uint8_t        *tlsa;			/* NULL: no TLSA records */
	size_t          tlsa_len;
	uint16_t        tlsa_count;
	bool            tlsa_signed;		/* the host's zone and the TLSA
						   records' zone(s) are signed */
};

struct conf_pool {
	char               name[CONF_NAME_MAX + 1];
	enum conf_policy   policy;
	struct conf_probe  probe;		/* health; type NONE if absent */
	bool               has_load;
	struct conf_probe  load;		/* agent or http */
	double             load_smoothing;	/* EWMA weight of a new sample, (0,1], default 0.3 */
	double             load_low;		/* load% at or below: factor 1.0 (default 50) */
	double             load_high;		/* load% at or above: factor 0.0 (default 95) */
	double             slowstart;		/* seconds, 0 = off (default 30) */
	unsigned           min_up;		/* failover: healthy servers a tier needs (1) */
	unsigned           max_mx;		/* cap on MX records per answer (default 10) */
	unsigned           max_addrs;		/* cap on A/AAAA per DYNA answer (default 8) */
	unsigned           pref_base;		/* first MX preference (10) */
	unsigned           pref_step;		/* preference increment (10) */
	uint32_t           ttl_degraded;	/* 0 = off; else TTL cap while a server is down */
	char              *relay_host;		/* NULL or a name (relative to origin unless
						   it ends in '.') appended as last MX */
	enum conf_all_down all_down;
	enum conf_dane     dane;		/* default AUTO */
	int                dane_line;		/* where dane was set (0: not) */
	struct conf_server *servers;
	size_t             nservers;		/* >= 1 */
	int                line;
};

/*
 * DNSSEC of one zone (zones/dnssec.h, zones/sign.h): dnssec = { keys = [
 * "Kmail.example.com.+013+12345" ]; validity = "14d"; refresh = "7d";
 * variants = 200; }. A key is the base path of a BIND key pair (".key"
 * and ".private" appended), relative to the config file's directory. The
 * first key signs; the others are published only (DNSKEY, CDS, CDNSKEY):
 * a pre-published successor.
 */
#define CONF_DNSSEC_MAXKEYS 4
#define CONF_DNSSEC_VALIDITY (14 * 86400)	/* default signature lifetime */
#define CONF_DNSSEC_REFRESH  (7 * 86400)	/* default: re-sign this long
						   before expiry */
#define CONF_DNSSEC_VARIANTS 200		/* default signed variants per
						   dynamic RRset */
struct conf_dnssec {
	bool      enabled;		/* the group is present */
	size_t    nkeys;
	char     *keys[CONF_DNSSEC_MAXKEYS];	/* base paths, resolved */
	int       key_line[CONF_DNSSEC_MAXKEYS];
	uint32_t  validity;		/* seconds */
	uint32_t  refresh;		/* seconds, < validity */
	unsigned  variants;		/* 1..1000 */
	int       line;
};

struct conf_zone {
	char     origin[CONF_DNAME_MAX + 2];	/* absolute, lowercase, trailing dot */
	char    *template;			/* path, relative to the config file's dir
						   resolved at load time */
	bool     serial_auto;			/* serial = "auto" */
	struct conf_dnssec dnssec;
	int      line;
};

struct conf_status {
	bool                 enabled;		/* status section present (default on) */
	struct conf_sockaddr listen;		/* default 127.0.0.1:8053 */
	char                *token_file;	/* NULL: admin API answers 403 */
	int                  token_line;	/* where token_file was written */
	char                *state_file;	/* admin state persistence; NULL: none */
	int                  line;
};

/* DNS Cookies (dnsd/cookie.h): the server secret files, each one line of
 * 32 hex digits, read by the world load (dnsd/world.c); none: a random
 * secret per process. */
struct conf_cookies {
	char *secret_file;		/* makes and checks server cookies */
	int   secret_line;
	char *previous_file;		/* previous_secret_file: still accepted
					   (rollover); NULL: none */
	int   previous_line;
	int   line;
};

enum conf_relay_policy {
	CONF_RELAY_WEIGHTED = 0,
	CONF_RELAY_LEASTCONN,
};

struct conf_relay {
	bool                   enabled;
	struct conf_sockaddr  *listen;
	size_t                 nlisten;
	char                   pool[CONF_NAME_MAX + 1];
	size_t                 pool_index;	/* resolved index into conf.pools */
	uint16_t               port;		/* backend port, default 25 */
	enum conf_proxy        proxy_protocol;	/* default none */
	enum conf_relay_policy policy;
	unsigned               retries;		/* extra backends to try, default 2 */
	double                 connect_timeout;	/* default 5 */
	double                 idle_timeout;	/* default 300 */
	unsigned               max_connections;	/* default 1000 */
	unsigned               max_per_source;	/* default 20 */
	char                  *hostname;	/* in the 421 line; default host name */
	unsigned               threads;		/* relay threads; 0 = CPU count */
	int                    line;
};

/* An address prefix ("192.0.2.0/24", "2001:db8::/32", "::1"). */
struct conf_prefix {
	int      family;			/* AF_INET or AF_INET6 */
	uint8_t  addr[16];			/* network order, host bits zero */
	unsigned bits;				/* 0..32 or 0..128 */
	char     text[INET6_ADDRSTRLEN + 4];	/* normalised, with /bits */
};

#define CONF_RRL_EXEMPT_MAX 64

/* Response rate limiting (dnsd/rrl.h); on by default. */
struct conf_rrl {
	bool               enabled;		/* default true */
	unsigned           rate;		/* responses/s per prefix and class,
						   1..1000000, default 100 */
	unsigned           slip;		/* 0..100, default 2 (0: never) */
	unsigned           window;		/* seconds of debt, 1..3600, default 15 */
	unsigned           ipv4_prefix;		/* 8..32, default 24 */
	unsigned           ipv6_prefix;		/* 16..128, default 56 */
	struct conf_prefix exempt[CONF_RRL_EXEMPT_MAX];	/* never limited */
	size_t             nexempt;		/* default 127.0.0.0/8, ::1/128 */
	int                line;
};

struct conf {
	char                 *file;		/* path of the config file */
	struct conf_sockaddr *listen;		/* DNS, UDP and TCP each */
	size_t                nlisten;
	unsigned              workers;		/* 0 = CPU count */
	uint16_t              edns_payload;	/* advertised, 512..4096, default 1232 */
	double                tcp_idle_timeout;	/* default 10 s */
	unsigned              tcp_max_connections;	/* default 1000 (all workers) */
	unsigned              tcp_max_per_source;	/* per client address, default 64;
							   0 = no cap */
	struct conf_rrl       rrl;
	char                 *version_bind;	/* CH TXT version.bind; NULL: REFUSED */
	char                 *id_server;	/* CH TXT id.server / hostname.bind */
	char                 *user, *group;	/* drop privileges after bind */
	int                   log_level;	/* enum log_level, default info */
	bool                  log_syslog;
	struct conf_status    status;
	struct conf_cookies   cookies;
	struct conf_zone     *zones;
	size_t                nzones;
	struct conf_pool     *pools;
	size_t                npools;
	struct conf_pool    **pools_byname;	/* by name then index, for
						   conf_pool_find(); NULL: none */
	struct conf_relay     relay;
};

/*
 * Parse and validate a config file.
 * \param path     config file
 * \param errout   where every error is printed as "file:line: message"
 * \retval conf    caller owns, free with conf_free()
 * \retval NULL    at least one error was printed to errout
 */
struct conf *conf_load(const char *path, FILE *errout);

/* Same, from a string (tests); errors name "name". */
struct conf *conf_load_string(const char *text, const char *name, FILE *errout);

void conf_free(struct conf *conf);

/* Whether the status endpoint may listen at a without a token: 127/8, ::1
 * (and ::ffff:127/104, never bindable, see conf_load). */
bool conf_sockaddr_loopback(const struct conf_sockaddr *a);

/* Whether stream sockets bound to a and b would take the same connections:
 * same family and port, and the same address or a wildcard one. */
bool conf_sockaddr_overlap(const struct conf_sockaddr *a,
    const struct conf_sockaddr *b);

/* Pool by name (case-insensitive; the first of that name), or NULL. Index
 * written to *idx when found and idx != NULL. O(log n) on a loaded conf. */
const struct conf_pool *conf_pool_find(const struct conf *conf,
    const char *name, size_t *idx);

/* A configured pool name close to name (a "did you mean" hint), or NULL;
 * the first 256 pools are candidates. */
const char *conf_pool_suggest(const struct conf *conf, const char *name);

/*
 * Fill *ss (zeroed first) with the address ip and port (host order).
 * \param ip      an address of the config (AF_INET or AF_INET6)
 * \param port    port in host byte order
 * \param ss      written; the caller owns it
 * \retval sizeof(struct sockaddr_in)   ip is AF_INET
 * \retval sizeof(struct sockaddr_in6)  otherwise (AF_INET6)
 */
socklen_t conf_ip_sockaddr(const struct conf_ip *ip, uint16_t port,
    struct sockaddr_storage *ss);

/*
 * Where the probes and the relay reach server sv (answers always carry
 * sv->addrs): its probe_address when set (a server behind NAT or with a
 * management address), else its first IPv4 address, else its first one.
 * \retval ip    points into sv
 * \retval NULL  sv has no address (never on a loaded conf)
 */
const struct conf_ip *conf_server_target(const struct conf_server *sv);

/*
 * The port of the TLSA records of server sv of pool pl (_<port>._tcp):
 * the health probe's port when the probe is smtp (probe_port, else the
 * probe's port), else 25.
 */
uint16_t conf_server_dane_port(const struct conf_pool *pl,
    const struct conf_server *sv);

/* "auto", "off", "check", "require". */
const char *conf_dane_name(enum conf_dane d);

const char *conf_policy_name(enum conf_policy p);
const char *conf_probe_type_name(enum conf_probe_type t);

#endif
