/* Fuzzes netlink_parse_messages, the parser of sock_diag replies (live and --replay).
 * Input: one selector byte (bit 0: UDP), then one recv()'s worth of netlink messages. The bytes
 * are copied into a malloc'd buffer of exactly that length: aligned as the kernel's replies are,
 * and any read past the end is an ASan report. */
#include "fuzz.h"

#include "snapshot.h"
#include "source_netlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int proto = data[0] & 1 ? CONN_UDP : CONN_TCP;
	size_t len = size - 1;
	void *buf = fuzz_exact_copy(data + 1, len);
	if (!buf)
		return 0;
	struct snapshot snap;
	struct cw_error err = {0};
	snapshot_init(&snap);
	int r = netlink_parse_messages(buf, len, proto, &snap, &err);
	/* The contract of the header: MORE, DONE, or a negative errno with a message. */
	if (r != NETLINK_PARSE_MORE && r != NETLINK_PARSE_DONE && (r >= 0 || err.msg[0] == '\0'))
		abort();
	for (size_t i = 0; i < snap.count; i++)
		if (snap.conns[i].family != AF_INET && snap.conns[i].family != AF_INET6)
			abort();
	snapshot_free(&snap);
	free(buf);
	return 0;
}
