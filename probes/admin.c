/* admin.c - operator admin overrides by name, their state file, reconcile. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd/base/diag.h"
#include "dnsd/base/log.h"
#include "probes/admin.h"

const char *
admin_state_name(unsigned state)
{
	switch (state) {
	case PSTATE_ADMIN_DRAIN: return "drain";
	case PSTATE_ADMIN_MAINT: return "maint";
	default:                 return "enabled";
	}
}

const struct admin_entry *
admin_find(const struct admin_store *a, const char *pool, const char *server)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].pool, pool) == 0 &&
		    strcmp(a->v[i].server, server) == 0)
			return &a->v[i];
	return NULL;
}

int
admin_set(struct admin_store *a, const char *pool, const char *server,
    unsigned state)
{
	struct admin_entry *e, *n;

	if ((e = (struct admin_entry *)admin_find(a, pool, server)) != NULL) {
		if (state == PSTATE_ADMIN_ENABLED)
			*e = a->v[--a->n];
		else
			e->state = (uint8_t)state;
		return 0;
	}
	if (state == PSTATE_ADMIN_ENABLED)
		return 0;
	if ((n = reallocarray(a->v, a->n + 1, sizeof(*n))) == NULL)
		return -1;
	a->v = n;
	e = &a->v[a->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->pool, sizeof(e->pool), "%s", pool);
	snprintf(e->server, sizeof(e->server), "%s", server);
	e->state = (uint8_t)state;
	return 0;
}

int
admin_load(struct admin_store *a, const char *path)
{
	char line[512], pool[CONF_NAME_MAX + 1], server[CONF_NAME_MAX + 1];
	char what[16];
	FILE *f;
	int lineno = 0, bad = 0;
	unsigned s;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("state file %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sscanf(line, "%63s %63s %15s", pool, server, what) != 3) {
			log_warnx("%s:%d: expected \"pool server drain|maint\"",
			    path, lineno);
			bad++;
			continue;
		}
		if (strcmp(what, "drain") == 0)
			s = PSTATE_ADMIN_DRAIN;
		else if (strcmp(what, "maint") == 0)
			s = PSTATE_ADMIN_MAINT;
		else if (strcmp(what, "enabled") == 0)
			s = PSTATE_ADMIN_ENABLED;
		else {
			log_warnx("%s:%d: unknown admin state \"%s\"", path,
			    lineno, what);
			bad++;
			continue;
		}
		if (admin_set(a, pool, server, s) == -1) {
			log_warn("state file %s", path);
			fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		log_warn("state file %s", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return bad;
}

/* fsync the directory that holds path, so that the rename is durable. */
static int
admin_sync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int dfd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(dfd);
	close(dfd);
	return rc;
}

int
admin_save(const struct admin_store *a, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	size_t i;
	int fd = -1, saved;
	bool linked = false;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		goto fail;
	linked = true;
	if ((f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	fprintf(f, "# mxspread admin state: pool server drain|maint\n");
	for (i = 0; i < a->n; i++)
		fprintf(f, "%s %s %s\n", a->v[i].pool, a->v[i].server,
		    admin_state_name(a->v[i].state));
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) == -1)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) == -1)
		goto fail;
	linked = false;
	if (admin_sync_dir(path) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	if (linked)
		unlink(tmp);
	errno = saved;
	log_warn("writing state file %s", path);
	errno = saved;
	return -1;
}

int
admin_locate(const struct conf *conf, const char *pool, const char *server,
    size_t *pidx, size_t *sidx)
{
	const struct conf_pool *cp;
	size_t p, s;

	if ((cp = conf_pool_find(conf, pool, &p)) == NULL)
		return -1;
	for (s = 0; s < cp->nservers; s++)
		if (strcmp(cp->servers[s].name, server) == 0) {
			*pidx = p;
			*sidx = s;
			return 0;
		}
	return -2;
}

/* An override for a pool or server conf does not have: say so once. */
static void
admin_orphan_warn(struct admin_entry *e, const struct conf *conf, int rc)
{
	const struct conf_pool *cp;
	const char **names, *like = NULL;
	size_t i, p;

	if (rc == -1) {
		like = conf_pool_suggest(conf, e->pool);
	} else if ((cp = conf_pool_find(conf, e->pool, &p)) != NULL &&
	    (names = calloc(cp->nservers + 1, sizeof(*names))) != NULL) {
		for (i = 0; i < cp->nservers; i++)
			names[i] = cp->servers[i].name;
		like = diag_suggest(e->server, names, cp->nservers);
		free(names);
	}
	log_warnx("admin: state \"%s %s %s\" matches no %s of the running "
	    "config (renamed or removed?%s%s%s): kept, and applied again if "
	    "it comes back; remove its line from the state file to drop it",
	    e->pool, e->server, admin_state_name(e->state),
	    rc == -1 ? "pool" : "server", like ? " did you mean \"" : "",
	    like ? like : "", like ? "\"?" : "");
	e->orphan = true;
}

size_t
admin_reconcile(struct admin_store *a, const struct conf *conf,
    const struct pstate *ps, struct admin_fix *out, size_t max)
{
	size_t i, n = 0, p, s;
	int rc;

	for (i = 0; i < a->n && n < max; i++) {
		rc = admin_locate(conf, a->v[i].pool, a->v[i].server, &p, &s);
		if (rc != 0) {
			if (!a->v[i].orphan)
				admin_orphan_warn(&a->v[i], conf, rc);
			continue;
		}
		a->v[i].orphan = false;
		if (p >= ps->npools || s >= ps->pools[p].nservers)
			continue;
		if (ps->pools[p].servers[s].admin == a->v[i].state)
			continue;
		out[n].pool = p;
		out[n].server = s;
		out[n].state = a->v[i].state;
		n++;
	}
	return n;
}

void
admin_free(struct admin_store *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}
