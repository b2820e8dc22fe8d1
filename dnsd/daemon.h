/* daemon.h - the server process: load, serve, reload on SIGHUP, stop.
 *
 * daemon_main() runs in the foreground and logs to stderr: it loads the
 * world (config + templates; errors to stderr, exit 1), publishes it and an
 * initial pool state, starts the services (probe engine, status, relay) and
 * the DNS workers (dnsd/server.h), then waits for signals:
 *   SIGINT, SIGTERM  stop: workers and services stop, sockets close, the
 *                    world is freed, exit 0;
 *   SIGHUP           reload: a new world is loaded and published; if it is
 *                    rejected the errors are logged and the old one stays.
 * SIGPIPE is ignored. Listen addresses and workers need a restart.
 */
#ifndef MXS_DAEMON_H
#define MXS_DAEMON_H

/*
 * \param file   config file
 * \param debug  non-zero: log at debug level whatever the config says
 * \retval 0     stopped by SIGINT/SIGTERM
 * \retval 1     start-up failed (the reason was printed)
 */
int daemon_main(const char *file, int debug);

/* The last reload (SIGHUP or POST /api/reload), for the status endpoint. */
#define MXS_HAVE_DAEMON_RELOAD_INFO 1
struct daemon_reload_info {
	unsigned long long count;	/* reloads attempted since start */
	long long          time_ms;	/* unix ms of the last attempt; 0: none */
	int                ok;		/* 1: the last attempt was published */
	char               errors[512];	/* its errors (truncated); "" if ok */
};

/* Copy the record (thread-safe, any thread). */
void daemon_reload_info(struct daemon_reload_info *out);

#endif
