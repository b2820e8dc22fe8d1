/* secret.h - read a secret from a file (the status bearer token; later the
 * DNS cookie secret and DNSSEC key files) and refuse one others can read.
 *
 * A secret on disk is only as good as its file mode, so the check is made
 * here, once, on the open descriptor (no race between stat and open): the
 * file must be a regular file that others cannot access at all (mode & 007)
 * and, unless the caller allows it, that its group cannot access either
 * (mode & 070: a service group that shares a token is a deliberate choice).
 * Every refusal comes back as one sentence that names the file and says
 * what to do ("chmod o-rwx <path>"), for the caller to log or print.
 *
 * The bytes live in one allocation that secret_free() wipes before freeing
 * it; read buffers on the way are wiped too.
 */
#ifndef MXS_SECRET_H
#define MXS_SECRET_H

#include <stddef.h>

#define SECRET_GROUP_OK 0x01	/* the group may access the file (mode & 070) */
#define SECRET_LINE     0x02	/* text: one non-empty line; trailing blanks and
				   the final newline are not part of it */

struct secret {
	char   *data;		/* len bytes and a NUL after them; NULL: none */
	size_t  len;
};

/*
 * Read the secret in path.
 * \param max    the longest secret accepted, in bytes (after trimming)
 * \param flags  SECRET_GROUP_OK, SECRET_LINE
 * \param out    filled on success; the caller releases it with secret_free()
 * \param err    on failure: why, one sentence starting with the path
 * \retval 0     ok
 * \retval -1    refused or unreadable: err says why, errno is set (EACCES for
 *               a mode refusal, EINVAL for a malformed content, EFBIG for a
 *               secret longer than max), out is left empty
 */
int secret_read(const char *path, size_t max, unsigned flags,
    struct secret *out, char *err, size_t errlen);

/* Wipe and free; out stays empty and may be freed again. */
void secret_free(struct secret *s);

#endif
