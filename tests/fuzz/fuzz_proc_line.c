/* Fuzzes proc_parse_line, the parser of one /proc/net/{tcp,tcp6,udp,udp6} line.
 * Input: one selector byte (bit 0: IPv6, bit 1: UDP), then the line without its newline. The line
 * is copied into a buffer of exactly its length, so a read past its end is an ASan report. */
#include "fuzz.h"

#include "snapshot.h"
#include "source_proc.h"
#include "states.h"
#include "util/addr.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int family = data[0] & 1 ? AF_INET6 : AF_INET;
	int proto = data[0] & 2 ? CONN_UDP : CONN_TCP;
	size_t len = size - 1;
	char *line = fuzz_exact_copy(data + 1, len);
	if (!line)
		return 0;
	struct conn c;
	if (!proc_parse_line(line, len, family, proto, 100, &c)) {
		/* A parsed row must be displayable: every field the table shows is in range. */
		char buf[ADDR_ENDPOINT_MAX];
		if (c.family != family || c.proto != proto || c.state == 0 || c.state >= TCP_ST_MAX)
			abort();
		if (addr_format_endpoint(buf, c.family, c.local_addr, c.local_port) >=
		        sizeof(buf) ||
		    addr_format_endpoint(buf, c.family, c.remote_addr, c.remote_port) >=
		        sizeof(buf))
			abort();
		if (strcmp(tcp_state_name(c.state), "UNKNOWN") == 0)
			abort();
	}
	free(line);
	return 0;
}
