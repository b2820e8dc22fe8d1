/* api.h - the status endpoint's admin API: bearer-token auth, drain / maint
 * / enable a server, reload.
 *
 *   POST /api/pools/{pool}/servers/{server}/{drain|maint|enable}
 *   POST /api/reload
 *
 * Both need "Authorization: Bearer <token>", the token being the one line
 * of status.token_file (read at start and again after every reload by
 * dnsd/base/secret.h, compared in constant time); without a token file
 * they answer 403. The token is checked before anything else, so a caller
 * without it learns nothing (an unknown action is 401, not 404). An admin call goes
 * to the probe engine at once (probe_set_admin()) and to the operator's
 * override store (probes/admin.h), saved to status.state_file before the
 * reply, so that 200 means "applied and persisted". The store is re-applied
 * whenever the pool state disagrees with it (status_api_reconcile(), from
 * the status thread's timer and after a reload). A reload request signals
 * SIGHUP to the process: the main thread reloads, as for a kill -HUP.
 *
 * Status thread only, except status_api_init/apply/free (before the thread
 * starts, after it stopped): the token is never shared with another thread.
 */
#ifndef MXS_STATUS_API_H
#define MXS_STATUS_API_H

#include <event2/http.h>

#include "dnsd/base/conf.h"

#define STATUS_TOKEN_MAX 1024		/* bytes of a bearer token */

/* Read the token file and the state file named in conf (either may be
 * absent). \retval 0 ok, -1 refused or unreadable (logged) */
int status_api_init(const struct conf *conf);

/* Apply the saved overrides to the engine started on conf (logged one by
 * one; an override for a pool or server conf lacks is kept and logged). */
void status_api_apply(const struct conf *conf);

/* After a reload: read the token file the current world names. A new path
 * or new contents replace the token at once (logged); a file that cannot
 * be read keeps the previous token (logged, with why); no token_file any
 * more disables the admin API (403). Status thread. */
void status_api_token_reload(void);

/* Re-apply the overrides the published pool state does not show. */
void status_api_reconcile(void);

/* POST /api/pools/{pool}/servers/{server}/{action} (path already split). */
void status_api_admin(struct evhttp_request *req, const char *pool,
    const char *server, const char *action);

/* POST /api/reload */
void status_api_reload(struct evhttp_request *req);

/* Wipe the token, free the store. */
void status_api_free(void);

#endif
