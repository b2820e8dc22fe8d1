/* main.c - command line: run the daemon, check or render a configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/version.h"
#include "dnsd/daemon.h"
#include "dnsd/render.h"
#include "dnsd/world.h"
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
