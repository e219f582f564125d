/* Generic harness for any source that reads a whole file named by source_request.input_path:
 * the replay source today, the saved netstat/ss text parser (`import`) when it lands. Build it
 * once per source with -DFUZZ_SOURCE=<the source_ops variable> (see tests/fuzz/meson.build; adding
 * a source there is one line). The input is the file's content, served from a memfd, so the source
 * runs its real open/read path. */
#include "fuzz.h"

#include "snapshot.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_SOURCE
#error "build with -DFUZZ_SOURCE=source_replay (or another struct source_ops)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("connwatch-fuzz", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct source_request req = {.tcp_states = TCP_STATES_ALL,
	                             .udp = true,
	                             .ipv4 = true,
	                             .ipv6 = true,
	                             .input_path = path};
	struct snapshot snap;
	struct cw_error err = {0};
	snapshot_init(&snap);
	int r = FUZZ_SOURCE.fill(&req, &snap, &err);
	/* The source contract: 0, or a negative errno with a message for the user. */
	if (r > 0 || (r < 0 && err.msg[0] == '\0'))
		abort();
	snapshot_free(&snap);
	close(fd);
	return 0;
}
