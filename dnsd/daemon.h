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

#endif
