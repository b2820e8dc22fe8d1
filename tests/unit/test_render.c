/* test_render.c - `mxspread render`: zones printed as served with every server up, through the one pool order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/base/log.h"
#include "dnsd/render.h"
#include "zones/zone.h"
#include "tests/unit/zone_fixture.h"

static void
test_render(void **state)
{
	struct zone *z;
	char *errs = NULL, *out = NULL;
	size_t len;
	FILE *f;

	(void)state;
	z = load_text(BASE "@ 30 DYNMX inbound\nsmtp 60 DYNA inbound\n"
	    "@ 40 DYNMX backup\n" "relay A 192.0.2.1\n", &errs);
	/* a second DYNMX at @ is an error: use another name */
	assert_null(z);
	assert_string_equal(errs, "t.zone:8: more than one DYNMX at "
	    "'mail.example.com.' (first at line 6)\n");
	free(errs);
	errs = NULL;
	z = load_text(BASE "@ 30 DYNMX inbound\nsmtp 60 DYNA inbound\n"
	    "bk 40 DYNMX backup\n" "relay A 192.0.2.1\n", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	assert_ptr_equal(zone_pool_ref(z, 1)->relay_node,
	    find(z, "relay.mail.example.com."));
	assert_null(zone_pool_ref(z, 1)->server_node[0]);
	f = open_memstream(&out, &len);
	assert_int_equal(render_zone(z, &cf, f), 0);
	fclose(f);
	assert_string_equal(out,
	    "; t.zone: zone mail.example.com. as served with every server up\n"
	    "$ORIGIN mail.example.com.\n"
	    "mail.example.com.\t3600\tIN\tSOA\tns1.mail.example.com. "
	    "hostmaster.mail.example.com. 1 3600 600 86400 60\n"
	    "mail.example.com.\t3600\tIN\tNS\tns1.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t10 mx1.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 mx2.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t30 mx3.mail.example.com.\n"
	    "bk.mail.example.com.\t40\tIN\tMX\t10 backup.example.net.\n"
	    "bk.mail.example.com.\t40\tIN\tMX\t20 relay.mail.example.com.\n"
	    "mx1.mail.example.com.\t30\tIN\tA\t127.0.0.11\n"
	    "mx1.mail.example.com.\t30\tIN\tAAAA\t2001:db8::11\n"
	    "mx2.mail.example.com.\t30\tIN\tA\t127.0.0.12\n"
	    "mx2.mail.example.com.\t30\tIN\tAAAA\t2001:db8::12\n"
	    "mx3.mail.example.com.\t30\tIN\tA\t127.0.0.13\n"
	    "ns1.mail.example.com.\t3600\tIN\tA\t127.0.0.53\n"
	    "relay.mail.example.com.\t3600\tIN\tA\t192.0.2.1\n"
	    "smtp.mail.example.com.\t60\tIN\tA\t127.0.0.11\n"
	    "smtp.mail.example.com.\t60\tIN\tA\t127.0.0.12\n"
	    "smtp.mail.example.com.\t60\tIN\tA\t127.0.0.13\n"
	    "smtp.mail.example.com.\t60\tIN\tAAAA\t2001:db8::11\n"
	    "smtp.mail.example.com.\t60\tIN\tAAAA\t2001:db8::12\n");
	free(out);
	/* caps and policies */
	pools[0].max_mx = 2;
	pools[0].max_addrs = 1;
	pools[0].policy = CONF_POLICY_EQUAL;
	inbound_srv[2].weight = 5;	/* mx3 first now */
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(render_zone(z, &cf, f), 0);
	fclose(f);
	pools[0].max_mx = 10;
	pools[0].max_addrs = 8;
	pools[0].policy = CONF_POLICY_WEIGHTED;
	inbound_srv[2].weight = 1;
	assert_non_null(strstr(out,
	    "mail.example.com.\t30\tIN\tMX\t10 mx3.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t10 mx1.mail.example.com.\n"
	    "bk.mail.example.com."));
	assert_non_null(strstr(out,
	    "smtp.mail.example.com.\t60\tIN\tA\t127.0.0.13\n"
	    "smtp.mail.example.com.\t60\tIN\tAAAA\t2001:db8::11\n"));
	free(out);
	/* failover: mx1 alone in tier 0 is short of min_up 2, so tier 1
	 * (mx2, mx3: one preference) comes first, then tier 0 */
	pools[0].policy = CONF_POLICY_FAILOVER;
	pools[0].min_up = 2;
	inbound_srv[1].tier = 1;
	inbound_srv[2].tier = 1;
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(render_zone(z, &cf, f), 0);
	fclose(f);
	assert_non_null(strstr(out,
	    "mail.example.com.\t30\tIN\tMX\t10 mx2.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t10 mx3.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 mx1.mail.example.com.\n"));
	free(out);
	pools[0].min_up = 1;	/* now tier 0 qualifies */
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(render_zone(z, &cf, f), 0);
	fclose(f);
	pools[0].policy = CONF_POLICY_WEIGHTED;
	pools[0].min_up = 0;
	inbound_srv[1].tier = 0;
	inbound_srv[2].tier = 0;
	assert_non_null(strstr(out,
	    "mail.example.com.\t30\tIN\tMX\t10 mx1.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 mx2.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 mx3.mail.example.com.\n"));
	free(out);
	zone_free(z);
}

/* Render text of z, for strstr checks; caller frees. */
static char *
render_text(const struct zone *z)
{
	char *out = NULL;
	size_t len;
	FILE *f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(render_zone(z, &cf, f), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

/*
 * A relay host takes the last of max_mx slots (one server fewer), one
 * step after the last server's preference; with max_mx 1 it still
 * follows the one server (policy_max keeps at least one server).
 */
static void
test_render_relay_slot(void **state)
{
	struct zone *z;
	char *errs = NULL, *out;

	(void)state;
	pools[0].relay_host = "relay";
	pools[0].max_mx = 2;
	z = load_text(BASE "@ 30 DYNMX inbound\nrelay A 192.0.2.1\n", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	out = render_text(z);
	assert_non_null(strstr(out,
	    "mail.example.com.\t30\tIN\tMX\t10 mx1.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 relay.mail.example.com.\n"
	    "mx1."));
	free(out);
	/* failover: the primary tier (mx2, mx3) fills the one server slot,
	 * the relay follows at the next preference */
	pools[0].policy = CONF_POLICY_FAILOVER;
	inbound_srv[0].tier = 1;
	pools[0].max_mx = 1;
	out = render_text(z);
	assert_non_null(strstr(out,
	    "mail.example.com.\t30\tIN\tMX\t10 mx2.mail.example.com.\n"
	    "mail.example.com.\t30\tIN\tMX\t20 relay.mail.example.com.\n"
	    "mx1."));
	free(out);
	pools[0].policy = CONF_POLICY_WEIGHTED;
	inbound_srv[0].tier = 0;
	pools[0].max_mx = 10;
	pools[0].relay_host = NULL;
	zone_free(z);
}

/* DYNSRV with every server up: one priority and the configured weights
 * (weighted pool), tier priorities (failover), never the relay host. */
static void
test_render_dynsrv(void **state)
{
	struct zone *z;
	char *errs = NULL, *out;

	(void)state;
	pools[0].relay_host = "relay";
	z = load_text(BASE "_imaps._tcp 60 DYNSRV inbound 993\n"
	    "relay A 192.0.2.1\n", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	out = render_text(z);
	assert_non_null(strstr(out,
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t10 3 993 mx1.mail.example.com.\n"
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t10 2 993 mx2.mail.example.com.\n"
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t10 1 993 mx3.mail.example.com.\n"));
	assert_null(strstr(out, "SRV\t10 1 993 relay"));
	free(out);
	pools[0].policy = CONF_POLICY_FAILOVER;
	inbound_srv[0].tier = 1;
	out = render_text(z);
	assert_non_null(strstr(out,
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t10 2 993 mx2.mail.example.com.\n"
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t10 1 993 mx3.mail.example.com.\n"
	    "_imaps._tcp.mail.example.com.\t60\tIN\tSRV\t20 3 993 mx1.mail.example.com.\n"));
	free(out);
	pools[0].policy = CONF_POLICY_WEIGHTED;
	inbound_srv[0].tier = 0;
	pools[0].relay_host = NULL;
	zone_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_relay_slot),
		cmocka_unit_test(test_render_dynsrv),
	};

	log_init(LOG_LVL_ERR, 0, "test_render");
	return cmocka_run_group_tests(tests, setup, teardown);
}
