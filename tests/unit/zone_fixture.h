/* zone_fixture.h - the zone unit tests' hand-built config, temp dir and template loader. */
#ifndef MXS_ZONE_FIXTURE_H
#define MXS_ZONE_FIXTURE_H

/* Include after <cmocka.h>: the helpers assert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "dnsd/base/conf.h"
#include "zones/zone.h"
#include "tests/unit/testutil.h"

/*
 * The config is built by hand (no conf.c): pool "inbound" (mx1 w3 v4+v6,
 * mx2 w2 v4+v6, mx3 w1 v4), pool "backup" (one server outside the zone,
 * relay host "relay" inside it), pool "deep" (server host "mx.sub").
 */
static struct conf_ip ips[8];
static struct conf_server inbound_srv[3], backup_srv[1], deep_srv[1];
static struct conf_pool pools[3];
static struct conf cf;
static struct conf_zone cz;
static char tmpdir[] = "/tmp/test_zone.XXXXXX";
static char olddir[4096];

static void
mkip(struct conf_ip *ip, const char *text)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(ip->family, text, &ip->u), 1);
	snprintf(ip->text, sizeof(ip->text), "%s", text);
}

static void
mkserver(struct conf_server *s, const char *name, const char *host,
    uint32_t weight, struct conf_ip *addrs, size_t naddrs, int line)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->host = (char *)host;
	s->weight = weight;
	s->addrs = addrs;
	s->naddrs = naddrs;
	s->line = line;
}

static void
mkpool(struct conf_pool *p, const char *name, struct conf_server *srv,
    size_t n, int line)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->servers = srv;
	p->nservers = n;
	p->max_mx = 10;
	p->max_addrs = 8;
	p->pref_base = 10;
	p->pref_step = 10;
	p->line = line;
}

static int
setup(void **state)
{
	(void)state;
	mkip(&ips[0], "127.0.0.11");
	mkip(&ips[1], "2001:db8::11");
	mkip(&ips[2], "127.0.0.12");
	mkip(&ips[3], "2001:db8::12");
	mkip(&ips[4], "127.0.0.13");
	mkip(&ips[5], "192.0.2.99");
	mkip(&ips[6], "192.0.2.77");
	mkserver(&inbound_srv[0], "mx1", NULL, 3, &ips[0], 2, 20);
	mkserver(&inbound_srv[1], "mx2", NULL, 2, &ips[2], 2, 21);
	mkserver(&inbound_srv[2], "mx3", NULL, 1, &ips[4], 1, 22);
	mkserver(&backup_srv[0], "bk1", "backup.example.net.", 1, &ips[5], 1,
	    30);
	mkserver(&deep_srv[0], "d1", "mx.sub", 1, &ips[6], 1, 40);
	mkpool(&pools[0], "inbound", inbound_srv, 3, 18);
	mkpool(&pools[1], "backup", backup_srv, 1, 28);
	pools[1].relay_host = "relay";
	mkpool(&pools[2], "deep", deep_srv, 1, 38);
	memset(&cf, 0, sizeof(cf));
	cf.file = "t.conf";
	cf.pools = pools;
	cf.npools = 3;
	cf.zones = &cz;
	cf.nzones = 1;
	memset(&cz, 0, sizeof(cz));
	snprintf(cz.origin, sizeof(cz.origin), "mail.example.com.");
	cz.template = "t.zone";
	cz.line = 7;
	assert_non_null(getcwd(olddir, sizeof(olddir)));
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(chdir(tmpdir), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	(void)state;
	assert_int_equal(chdir(olddir), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Load text as t.zone; *errs gets everything written to errout. */
static struct zone *
load_text(const char *text, char **errs)
{
	struct zone *z;
	size_t len;
	FILE *f;

	write_file(NULL, "t.zone", text);
	f = open_memstream(errs, &len);
	assert_non_null(f);
	z = zone_load(&cf, &cz, f);
	fclose(f);
	return z;
}

static struct zone_node *
find(const struct zone *z, const char *name)
{
	uint8_t w[256];
	size_t l = wire(name, w);

	return zone_find(z, w, l, zone_hash(w, l));
}

#define BASE \
	"$ORIGIN mail.example.com.\n" \
	"$TTL 3600\n" \
	"@ SOA ns1 hostmaster 1 3600 600 86400 60\n" \
	"@ NS ns1\n" \
	"ns1 A 127.0.0.53\n"

#endif
