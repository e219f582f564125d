#include "atomic_file.h"

#include "../i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_file_write(const char *path, const char *data, size_t len, struct cw_error *err)
{
	/* The temporary name does not end in .prom, so the textfile collector never reads it. */
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp.XXXXXX"));
	if (!tmp)
		return cw_error_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		cw_error_set(err, -e, _("cannot create a temporary file next to %s: %s"), path,
		             strerror(e));
		free(tmp);
		return -e;
	}
	int r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		cw_error_set(err, r, _("cannot write %s: %s"), path, strerror(-r));
		unlink(tmp);
	}
	free(tmp);
	return r;
}
