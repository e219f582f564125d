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

/* rename() replaces whatever has the name: a device (as root, `--textfile /dev/full` turned the
 * device into a regular file), a fifo a reader waits on, a symbolic link an admin set up. Only a
 * regular file, or nothing, may be replaced. (A file swapped in between this check and the rename
 * needs write access to the directory, which already allows replacing it.) */
static int check_replaceable(const char *path, struct cw_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return cw_error_set(err, -errno, _("cannot write %s: %s"), path, strerror(errno));
	}
	if (S_ISREG(st.st_mode))
		return 0;
	const char *what = S_ISDIR(st.st_mode)    ? _("a directory")
	                   : S_ISLNK(st.st_mode)  ? _("a symbolic link")
	                   : S_ISCHR(st.st_mode)  ? _("a character device")
	                   : S_ISBLK(st.st_mode)  ? _("a block device")
	                   : S_ISFIFO(st.st_mode) ? _("a named pipe")
	                   : S_ISSOCK(st.st_mode) ? _("a socket")
	                                          : _("something else");
	return cw_error_set(err, -EINVAL, _("refusing to replace %s: it is %s, not a regular file"),
	                    path, what);
}

int atomic_file_write(const char *path, const char *data, size_t len, struct cw_error *err)
{
	int checked = check_replaceable(path, err);
	if (checked < 0)
		return checked;
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
