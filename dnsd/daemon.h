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
 * SIGPIPE is ignored. log_level applies on reload; the settings the
 * running services were started with (listen, workers, user, group,
 * syslog, status, status.listen, status.state_file, relay, relay.listen,
 * relay.threads) need a restart: a reload that changes them names them in
 * the log and in status.json (last_reload.pending_restart), compared with
 * what runs, until a later reload restores the running values.
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
