/* Small files (/proc entries, runtime configs) read whole into a caller's buffer, bounded. */
#ifndef CW_UTIL_READFILE_H
#define CW_UTIL_READFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Reads at most cap - 1 bytes of the file at path (relative to dirfd, or AT_FDCWD) into buf and
 * NUL-terminates it; open_flags are added to O_RDONLY | O_CLOEXEC (O_NOFOLLOW for a file that
 * must not be a link, O_NONBLOCK so that a FIFO put there cannot hang us). Returns the length,
 * or -1 when the file cannot be opened (buf is then untouched). */
ssize_t read_file_bounded(int dirfd, const char *path, int open_flags, char *buf, size_t cap);

#endif
