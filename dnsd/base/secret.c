/* secret.c - secrets read from files, refused when others can read them. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "dnsd/base/secret.h"

/* Refuse a descriptor whose file others (or the group) can access. */
static int
secret_check_mode(int fd, const char *path, unsigned flags, char *err,
    size_t errlen)
{
	struct stat sb;
	unsigned mode;

	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	mode = (unsigned)(sb.st_mode & 07777);
	if (mode & 007) {
		snprintf(err, errlen, "%s is accessible by others (mode %04o); "
		    "refusing it (chmod o-rwx %s)", path, mode, path);
		errno = EACCES;
		return -1;
	}
	if ((mode & 070) && !(flags & SECRET_GROUP_OK)) {
		snprintf(err, errlen, "%s is accessible by its group (mode "
		    "%04o); refusing it (chmod g-rwx,o-rwx %s)", path, mode,
		    path);
		errno = EACCES;
		return -1;
	}
	return 0;
}

int
secret_read(const char *path, size_t max, unsigned flags,
    struct secret *out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool whole = false;
	ssize_t n;
	int fd = -1, saved;

	out->data = NULL;
	out->len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (secret_check_mode(fd, path, flags, err, errlen) == -1)
		goto fail;
	/* Room for max bytes, a newline or blanks that trimming removes, one
	 * byte more to see that the file is too long, and the NUL. */
	cap = max + 64;
	if ((buf = malloc(cap + 1)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	while (len < cap) {
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0) {
			whole = true;
			break;
		}
		len += (size_t)n;
	}
	if (flags & SECRET_LINE) {
		while (len > 0 && (buf[len - 1] == '\n' ||
		    buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
		    buf[len - 1] == '\t'))
			len--;
	}
	if (!whole || len > max) {
		snprintf(err, errlen, "%s: longer than %zu bytes", path, max);
		errno = EFBIG;
		goto fail;
	}
	if ((flags & SECRET_LINE) &&
	    (len == 0 || memchr(buf, '\n', len) != NULL ||
	    memchr(buf, '\0', len) != NULL)) {
		snprintf(err, errlen, "%s: expected one non-empty line", path);
		errno = EINVAL;
		goto fail;
	}
	buf[len] = '\0';
	close(fd);
	out->data = buf;
	out->len = len;
	return 0;
fail:
	saved = errno;
	if (buf != NULL) {
		explicit_bzero(buf, cap + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	errno = saved;
	return -1;
}

void
secret_free(struct secret *s)
{
	if (s->data != NULL) {
		explicit_bzero(s->data, s->len);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
}
