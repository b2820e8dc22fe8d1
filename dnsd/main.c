/* main.c - command line: run the daemon, check or render a configuration, make DNSSEC keys and print their DS, print a server's TLSA record. */
#include <ctype.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/version.h"
#include "dnsd/daemon.h"
#include "dnsd/render.h"
#include "dnsd/world.h"
#include "probes/smtp.h"
#include "zones/dnssec.h"
#include "zones/zone.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mxspread [run] [-c FILE] [-d]    run the server in the foreground\n"
	    "       mxspread check -c FILE           validate config and templates\n"
	    "       mxspread render -c FILE          print zones as served, all servers up\n"
	    "       mxspread keygen -c FILE ZONE [-a ALG] [-K DIR]\n"
	    "                                        write a DNSSEC key pair for ZONE\n"
	    "       mxspread ds -c FILE              print the DS of every zone's keys\n"
	    "       mxspread tlsa -c FILE SERVER     print a 3 1 1 TLSA record for the key\n"
	    "                                        SERVER (pool/server or server) presents\n"
	    "       mxspread --help | --version\n"
	    "options:\n"
	    "  -c, --config FILE   config file (default /etc/mxspread/mxspread.conf)\n"
	    "  -d, --debug         log at debug level\n"
	    "  -a, --algorithm ALG keygen: ecdsa (13, the default) or ed25519 (15)\n"
	    "  -K, --directory DIR keygen: where to write the key files (default:\n"
	    "                      the config file's directory)\n");
}

/*
 * check: the daemon's own load (dnsd/world.c: config, every template,
 * every answer compiled), stopping before any socket is opened.
 */
static int
cmd_check(const char *file)
{
	struct world *w;
	size_t i, n = 0;

	if ((w = world_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		return 1;
	}
	for (i = 0; i < w->nzones; i++)
		n += w->zones[i]->nnodes;
	printf("%s: ok (%zu zone%s, %zu pool%s, %zu names)\n", file,
	    w->conf->nzones, w->conf->nzones == 1 ? "" : "s",
	    w->conf->npools, w->conf->npools == 1 ? "" : "s", n);
	world_free(w);
	return 0;
}

/* render: the same load, then every zone in config order. */
static int
cmd_render(const char *file)
{
	struct world *w;
	size_t i, j, k = 0;
	int rc = 0;

	if ((w = world_load(file, stderr)) == NULL)
		return 1;
	for (i = 0; i < w->conf->nzones; i++) {
		for (j = 0; j < w->nzones; j++) {
			/* w->zones is sorted for lookup; its origin_text is
			 * the config's origin */
			if (strcmp(w->zones[j]->origin_text,
			    w->conf->zones[i].origin) != 0)
				continue;
			if (k++ > 0)
				putchar('\n');
			if (render_zone(w->zones[j], w->conf, stdout) != 0)
				rc = 1;
			break;
		}
	}
	if (fflush(stdout) != 0)
		rc = 1;
	world_free(w);
	return rc;
}

/* The zone of conf whose origin is name (any case, trailing dot or not). */
static const struct conf_zone *
find_zone(const struct conf *conf, const char *name)
{
	char want[CONF_DNAME_MAX + 2];
	size_t n = strlen(name), i;

	if (n == 0 || n > CONF_DNAME_MAX)
		return NULL;
	for (i = 0; i < n; i++)
		want[i] = (char)tolower((unsigned char)name[i]);
	if (want[n - 1] != '.')
		want[n++] = '.';
	want[n] = '\0';
	for (i = 0; i < conf->nzones; i++)
		if (strcmp(conf->zones[i].origin, want) == 0)
			return &conf->zones[i];
	return NULL;
}

/* -a: 13 or 15, or 0 for a word that names neither. */
static int
keygen_alg(const char *a)
{
	if (a == NULL || strcasecmp(a, "ecdsa") == 0 || strcmp(a, "13") == 0 ||
	    strcasecmp(a, "ECDSAP256SHA256") == 0)
		return DNSSEC_ALG_ECDSAP256SHA256;
	if (strcasecmp(a, "ed25519") == 0 || strcmp(a, "15") == 0)
		return DNSSEC_ALG_ED25519;
	return 0;
}

/*
 * keygen: a key pair for a zone of the config, written beside the config
 * file (keys = [ ... ] are relative to its directory) unless -K says
 * where; then the line to add to the zone.
 */
static int
cmd_keygen(const char *file, const char *zone, const char *algname,
    const char *kdir)
{
	const struct conf_zone *z;
	struct conf *conf;
	char why[1024], *copy = NULL, *base = NULL, real[PATH_MAX];
	const char *dir, *name;
	int alg, rc = 1;

	if ((alg = keygen_alg(algname)) == 0) {
		fprintf(stderr, "mxspread: -a %s: unknown algorithm (ecdsa, "
		    "ed25519, 13 or 15)\n", algname);
		return 2;
	}
	if ((conf = conf_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		return 1;
	}
	if ((z = find_zone(conf, zone)) == NULL) {
		fprintf(stderr, "mxspread: %s is not a zone of %s (zones:", zone,
		    file);
		for (size_t i = 0; i < conf->nzones; i++)
			fprintf(stderr, " %s", conf->zones[i].origin);
		fprintf(stderr, "%s)\n", conf->nzones == 0 ? " none" : "");
		goto done;
	}
	if (kdir != NULL)
		dir = kdir;
	else if ((copy = strdup(file)) != NULL)
		dir = dirname(copy);
	else {
		fprintf(stderr, "mxspread: out of memory\n");
		goto done;
	}
	if (dnssec_keygen(dir, z->origin, alg, &base, why, sizeof(why)) != 0) {
		fprintf(stderr, "mxspread: %s\n", why);
		goto done;
	}
	printf("%s\n", base);
	/* the config resolves keys against its own directory: the file
	 * name alone there, elsewhere the absolute path */
	name = strrchr(base, '/') != NULL ? strrchr(base, '/') + 1 : base;
	if (kdir == NULL)
		printf("add to zone %s: dnssec = { keys = [ \"%s\" ]; }\n",
		    z->origin, name);
	else if (base[0] == '/' || realpath(kdir, real) == NULL)
		printf("add to zone %s: dnssec = { keys = [ \"%s\" ]; }\n",
		    z->origin, base);
	else
		printf("add to zone %s: dnssec = { keys = [ \"%s%s%s\" ]; }\n",
		    z->origin, real, strcmp(real, "/") == 0 ? "" : "/", name);
	rc = fflush(stdout) == 0 ? 0 : 1;
done:
	free(base);
	free(copy);
	conf_free(conf);
	return rc;
}

/*
 * ds: every key of every signed zone loaded as the daemon loads it (mode,
 * owner, algorithm, key pair checked), its DS printed for the parent
 * zone. A key that fails is reported at its config line; the others are
 * still printed.
 */
static int
cmd_ds(const char *file)
{
	struct conf *conf;
	struct dnssec_key key;
	ldns_rdf *origin;
	uint8_t ds[DNSSEC_DS_LEN];
	char why[1024], text[2 * DNSSEC_DS_LEN + 24];
	size_t i, k, nsigned = 0;
	int rc = 0;

	if ((conf = conf_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		return 1;
	}
	for (i = 0; i < conf->nzones; i++) {
		const struct conf_zone *z = &conf->zones[i];

		if (!z->dnssec.enabled)
			continue;
		nsigned++;
		if ((origin = ldns_dname_new_frm_str(z->origin)) == NULL) {
			fprintf(stderr, "mxspread: out of memory\n");
			rc = 1;
			continue;
		}
		for (k = 0; k < z->dnssec.nkeys; k++) {
			if (dnssec_key_load(z->dnssec.keys[k],
			    ldns_rdf_data(origin), ldns_rdf_size(origin), &key,
			    why, sizeof(why)) != 0) {
				fprintf(stderr, "%s:%d: dnssec.keys: %s\n",
				    conf->file, z->dnssec.key_line[k], why);
				rc = 1;
				continue;
			}
			if (dnssec_ds(&key, ldns_rdf_data(origin),
			    ldns_rdf_size(origin), ds) != 0) {
				fprintf(stderr, "mxspread: out of memory\n");
				rc = 1;
			} else {
				dnssec_ds_text(ds, text, sizeof(text));
				printf("%s 3600 IN DS %s\n", z->origin, text);
			}
			dnssec_key_free(&key);
		}
		ldns_rdf_deep_free(origin);
	}
	if (nsigned == 0) {
		fprintf(stderr, "mxspread: no zone of %s has a dnssec group "
		    "(make keys with mxspread keygen)\n", file);
		rc = 1;
	}
	if (fflush(stdout) != 0)
		rc = 1;
	conf_free(conf);
	return rc;
}

/* The server of conf that spec names: "pool/server", or a server name
 * that only one pool has. \retval server (its pool in *plp), NULL printed */
static const struct conf_server *
find_server(const struct conf *conf, const char *spec,
    const struct conf_pool **plp)
{
	const struct conf_server *found = NULL;
	const char *slash = strchr(spec, '/'), *sname = spec;
	size_t i, j, plen = slash != NULL ? (size_t)(slash - spec) : 0;
	unsigned n = 0;

	if (slash != NULL)
		sname = slash + 1;
	for (i = 0; i < conf->npools; i++) {
		const struct conf_pool *pl = &conf->pools[i];

		if (slash != NULL && (strlen(pl->name) != plen ||
		    strncasecmp(pl->name, spec, plen) != 0))
			continue;
		for (j = 0; j < pl->nservers; j++)
			if (strcasecmp(pl->servers[j].name, sname) == 0) {
				if (n++ == 0) {
					found = &pl->servers[j];
					*plp = pl;
				}
			}
	}
	if (n == 1)
		return found;
	if (n == 0)
		fprintf(stderr, "mxspread: no server %s in %s (write "
		    "pool/server or a server name)\n", spec, conf->file);
	else
		fprintf(stderr, "mxspread: %u pools have a server %s: write "
		    "pool/server\n", n, spec);
	return NULL;
}

/*
 * tlsa: connect to a server once as its health probe does (address,
 * port, PROXY header, EHLO, STARTTLS; probes/smtp.h), and print a 3 1 1
 * TLSA record for the key it presents now, at the name the probe matches
 * (the world load's, dnsd/danecfg.h), so that the next key can be
 * published before a rollover. Whether it is published already goes to
 * stderr.
 */
static int
cmd_tlsa(const char *file, const char *spec)
{
	const struct conf_server *sv;
	const struct conf_pool *pl = NULL;
	const struct conf_ip *ip;
	struct conf_probe cp;
	struct sockaddr_storage ss;
	struct world *w;
	char err[256], host[CONF_DNAME_MAX + 2], hex[65];
	const uint8_t *rd;
	uint8_t spki[32];
	uint16_t port;
	size_t off = 0, rdlen, k, n;
	bool published = false;
	int rc = 1;

	if ((w = world_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		return 1;
	}
	if ((sv = find_server(w->conf, spec, &pl)) == NULL)
		goto done;
	if ((ip = conf_server_target(sv)) == NULL) {
		fprintf(stderr, "mxspread: server %s has no address\n", spec);
		goto done;
	}
	/* the pool's smtp probe as it is (helo, PROXY header, CA file); a
	 * pool probed otherwise gets a plain one */
	if (pl->probe.type == CONF_PROBE_SMTP)
		cp = pl->probe;
	else {
		memset(&cp, 0, sizeof(cp));
		cp.type = CONF_PROBE_SMTP;
	}
	if (cp.timeout < 5)
		cp.timeout = 5;		/* once, by hand: no hurry */
	port = conf_server_dane_port(pl, sv);
	if (sv->tlsa_host != NULL) {
		snprintf(host, sizeof(host), "%s", sv->tlsa_host);
	} else {
		/* no served zone names the host: as the config writes it */
		snprintf(host, sizeof(host), "%s", sv->host != NULL ? sv->host :
		    sv->name);
		fprintf(stderr, "mxspread: no served zone names the host of "
		    "%s: the owner name below is as the config writes it\n",
		    spec);
	}
	n = strlen(host);
	if (n > 1 && host[n - 1] == '.')
		host[--n] = '\0';	/* SNI: no final dot */
	signal(SIGPIPE, SIG_IGN);	/* a reset mid-write is an error */
	if (smtp_tlsa_fetch(&cp, (struct sockaddr *)&ss, conf_ip_sockaddr(ip,
	    port, &ss), host, spki, err, sizeof(err)) != 0) {
		fprintf(stderr, "mxspread: %s (%s port %u): %s\n", spec, ip->text,
		    (unsigned)port, err);
		goto done;
	}
	for (k = 0; k < 32; k++)
		snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", spki[k]);
	printf("_%u._tcp.%s%s IN TLSA 3 1 1 %s\n", (unsigned)port, host,
	    sv->tlsa_host != NULL ? "." : "", hex);
	for (k = 0; k < sv->tlsa_count && off + 2 <= sv->tlsa_len; k++) {
		rdlen = (size_t)sv->tlsa[off] << 8 | sv->tlsa[off + 1];
		rd = sv->tlsa + off + 2;
		if (off + 2 + rdlen > sv->tlsa_len)
			break;
		off += 2 + rdlen;
		if (rdlen == 35 && rd[0] == 3 && rd[1] == 1 && rd[2] == 1 &&
		    memcmp(rd + 3, spki, 32) == 0)
			published = true;
	}
	if (published)
		fprintf(stderr, "mxspread: published: this record is among the "
		    "%u TLSA records of %s\n", (unsigned)sv->tlsa_count, spec);
	else
		fprintf(stderr, "mxspread: not published: %s has %u TLSA "
		    "record%s; publish this one%s\n", spec,
		    (unsigned)sv->tlsa_count, sv->tlsa_count == 1 ? "" : "s",
		    sv->tlsa_count > 0 ? " before DANE senders meet the key" :
		    "");
	rc = fflush(stdout) == 0 ? 0 : 1;
done:
	world_free(w);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "config",    required_argument, NULL, 'c' },
		{ "debug",     no_argument,       NULL, 'd' },
		{ "directory", required_argument, NULL, 'K' },
		{ "help",      no_argument,       NULL, 'h' },
		{ "version",   no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = "/etc/mxspread/mxspread.conf";
	const char *cmd = NULL, *alg = NULL, *kdir = NULL;
	int ch, debug = 0, keygen, operand;

	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argc--;
		argv++;
	}
	keygen = cmd != NULL && strcmp(cmd, "keygen") == 0;
	operand = keygen || (cmd != NULL && strcmp(cmd, "tlsa") == 0);
	while ((ch = getopt_long(argc, argv, "a:c:dhK:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a':
			alg = optarg;
			break;
		case 'K':
			kdir = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mxspread %s\n", MXS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* keygen takes the zone and -a, -K, tlsa the server; nothing else
	 * takes operands */
	if (optind != argc - operand || (!keygen && (alg != NULL ||
	    kdir != NULL))) {
		usage(stderr);
		return 2;
	}
	if (cmd == NULL || strcmp(cmd, "run") == 0)
		return daemon_main(file, debug);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(file);
	if (strcmp(cmd, "render") == 0)
		return cmd_render(file);
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(file, argv[optind], alg, kdir);
	if (strcmp(cmd, "ds") == 0)
		return cmd_ds(file);
	if (strcmp(cmd, "tlsa") == 0)
		return cmd_tlsa(file, argv[optind]);
	fprintf(stderr, "mxspread: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
