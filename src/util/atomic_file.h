/* Replaces a file atomically: readers (node_exporter's textfile collector) see the old content or
 * the new, never a half-written file, and a failed write leaves the old file as it was. */
#ifndef CW_UTIL_ATOMIC_FILE_H
#define CW_UTIL_ATOMIC_FILE_H

#include "../error.h"

#include <stddef.h>

/* Writes data to a temporary file in path's directory (so rename stays on one file system),
 * flushes it to disk, makes it mode 0644 and renames it over path. Returns 0, or a negative errno
 * with err naming the file; on failure the temporary file is removed and path is untouched.
 * Anything at path but a regular file (a device, fifo, directory, symbolic link) is refused
 * (-EINVAL) before anything is created. */
int atomic_file_write(const char *path, const char *data, size_t len, struct cw_error *err);

#endif
