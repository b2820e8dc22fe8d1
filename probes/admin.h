/* admin.h - the operator's admin overrides (drain, maint) and their state
 * file.
 *
 * An override is kept by pool and server *name*, not index, so that it
 * survives a reload that reorders or removes servers: an override whose
 * server is gone is kept (and shown in the log) in case it comes back.
 * A renamed server is such a case: its old entry is an orphan, the new
 * name starts enabled. The store never guesses that the two are one
 * server (a wrong guess would drain a live server); admin_reconcile()
 * warns once per orphaning, naming the entry, its state and the server
 * names that resemble it, and the entry stays in the store and the state
 * file until the server comes back or the line is removed from the file.
 * The pool state (probes/pstate.h) is where an override takes effect; the
 * probe engine republishes that state from scratch when it restarts (after
 * a reload), so the owner of the store calls admin_reconcile() to find the
 * servers whose published state disagrees with the store and re-applies
 * them with probe_set_admin().
 *
 * The state file holds one "pool server drain|maint" line per override
 * ('#' comments, blank lines allowed); it is rewritten whole and atomically
 * on every change (temporary file in the same directory, fsync, rename,
 * fsync of the directory), so a crash leaves the old file or the new one,
 * never a mix.
 *
 * A store is plain data owned by one thread (the status thread); nothing
 * here locks, starts threads or touches the probe engine.
 */
#ifndef MXS_ADMIN_H
#define MXS_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"
#include "probes/pstate.h"

struct admin_entry {
	char    pool[CONF_NAME_MAX + 1];
	char    server[CONF_NAME_MAX + 1];
	uint8_t state;			/* PSTATE_ADMIN_DRAIN or _MAINT */
	bool    orphan;			/* warned: no such server in the config */
};

/* Zero-initialised: empty. Entries in the order they were first set. */
struct admin_store {
	struct admin_entry *v;
	size_t              n;
};

/* A server whose published admin state differs from the store. */
struct admin_fix {
	size_t  pool, server;		/* indexes in conf (and pool state) */
	uint8_t state;
};

/* "enabled", "drain" or "maint" (anything else reads "enabled"). */
const char *admin_state_name(unsigned state);

/* The entry for pool/server (exact names), or NULL. */
const struct admin_entry *admin_find(const struct admin_store *a,
    const char *pool, const char *server);

/*
 * Record an override; PSTATE_ADMIN_ENABLED removes it. Names longer than
 * CONF_NAME_MAX are truncated.
 * \retval 0   ok
 * \retval -1  out of memory (the store is unchanged)
 */
int admin_set(struct admin_store *a, const char *pool, const char *server,
    unsigned state);

/*
 * Add the overrides of a state file to the store (later lines win). A
 * missing file is an empty one. A malformed line ("expected ...", unknown
 * state) is logged as "path:line: message" and skipped.
 * \retval >=0  lines skipped as malformed
 * \retval -1   the file could not be read or out of memory (logged)
 */
int admin_load(struct admin_store *a, const char *path);

/*
 * Write the store to path atomically (see above); the file is created
 * with mode 0600.
 * \retval 0   ok
 * \retval -1  errno says why (logged); path is unchanged, no temporary
 *             file is left behind
 */
int admin_save(const struct admin_store *a, const char *path);

/*
 * Where the entry pool/server is in conf: its pool by name (case-insensitive,
 * as the config resolves pools) and its server by exact name.
 * \retval 0   found: *pool, *server set
 * \retval -1  no such pool
 * \retval -2  no such server in that pool
 */
int admin_locate(const struct conf *conf, const char *pool,
    const char *server, size_t *pidx, size_t *sidx);

/*
 * The servers whose admin state in ps differs from the store (servers ps
 * does not have yet are skipped). An entry whose pool or server conf does
 * not have is an orphan: warned about once (log_warnx, with a "did you
 * mean"), until it matches a server again; it is kept. Applies nothing:
 * the caller applies the fixes, e.g. with probe_set_admin() after leaving
 * its RCU read-side section.
 * \retval number of fixes written to out (at most max)
 */
size_t admin_reconcile(struct admin_store *a, const struct conf *conf,
    const struct pstate *ps, struct admin_fix *out, size_t max);

/* Free the entries; the store is empty again. */
void admin_free(struct admin_store *a);

#endif
