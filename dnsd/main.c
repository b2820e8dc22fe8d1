/* main.c - command line: run the daemon, check or render a configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "dnsd/daemon.h"
#include "dnsd/render.h"
#include "dnsd/base/log.h"
#include "dnsd/base/version.h"
#include "zones/zone.h"


static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mxspread [run] [-c FILE] [-d]    run the server in the foreground\n"
	    "       mxspread check -c FILE           validate config and templates\n"
	    "       mxspread render -c FILE          print zones as served, all servers up\n"
	    "       mxspread --help | --version\n"
	    "options:\n"
	    "  -c, --config FILE   config file (default /etc/mxspread/mxspread.conf)\n"
	    "  -d, --debug         log at debug level\n");
}

/* Load every template of conf; print errors; NULL-terminated array or NULL. */
static struct zone **
load_zones(const struct conf *conf, FILE *err)
{
	struct zone **zones;
	size_t i;
	int bad = 0;

	if ((zones = calloc(conf->nzones + 1, sizeof(*zones))) == NULL)
		return NULL;
	for (i = 0; i < conf->nzones; i++) {
		zones[i] = zone_load(conf, &conf->zones[i], err);
		if (zones[i] == NULL)
			bad++;
	}
	if (bad) {
		for (i = 0; i < conf->nzones; i++)
			if (zones[i] != NULL)
				zone_free(zones[i]);
		free(zones);
		return NULL;
	}
	return zones;
}

static void
free_zones(struct zone **zones)
{
	size_t i;

	if (zones == NULL)
		return;
	for (i = 0; zones[i] != NULL; i++)
		zone_free(zones[i]);
	free(zones);
}

static int
cmd_check(const char *file)
{
	struct conf *conf;
	struct zone **zones;
	size_t i, n = 0;

	if ((conf = conf_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		return 1;
	}
	if ((zones = load_zones(conf, stderr)) == NULL) {
		fprintf(stderr, "%s: zone templates rejected\n", file);
		conf_free(conf);
		return 1;
	}
	for (i = 0; zones[i] != NULL; i++)
		n += zones[i]->nnodes;
	printf("%s: ok (%zu zone%s, %zu pool%s, %zu names)\n", file,
	    conf->nzones, conf->nzones == 1 ? "" : "s",
	    conf->npools, conf->npools == 1 ? "" : "s", n);
	free_zones(zones);
	conf_free(conf);
	return 0;
}

static int
cmd_render(const char *file)
{
	struct conf *conf;
	struct zone **zones;
	size_t i;
	int rc = 0;

	if ((conf = conf_load(file, stderr)) == NULL)
		return 1;
	if ((zones = load_zones(conf, stderr)) == NULL) {
		conf_free(conf);
		return 1;
	}
	for (i = 0; zones[i] != NULL; i++) {
		if (i > 0)
			putchar('\n');
		if (render_zone(zones[i], conf, stdout) != 0)
			rc = 1;
	}
	if (fflush(stdout) != 0)
		rc = 1;
	free_zones(zones);
	conf_free(conf);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "debug",   no_argument,       NULL, 'd' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = "/etc/mxspread/mxspread.conf";
	const char *cmd = NULL;
	int ch, debug = 0;

	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argc--;
		argv++;
	}
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
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
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cmd == NULL || strcmp(cmd, "run") == 0)
		return daemon_main(file, debug);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(file);
	if (strcmp(cmd, "render") == 0)
		return cmd_render(file);
	fprintf(stderr, "mxspread: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
