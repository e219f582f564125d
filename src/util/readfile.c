#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

ssize_t read_file_bounded(int dirfd, const char *path, int open_flags, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | open_flags);
	if (fd < 0)
		return -1;
	size_t used = 0;
	while (used + 1 < cap) {
		ssize_t r = read(fd, buf + used, cap - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += (size_t)r;
	}
	close(fd);
	if (cap)
		buf[used] = '\0';
	return (ssize_t)used;
}
