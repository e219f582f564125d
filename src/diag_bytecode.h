/* The kernel's half of a filter: --port, --local and --remote as inet_diag bytecode (the
 * INET_DIAG_REQ_BYTECODE attribute of a sock_diag dump request), so that the kernel copies only
 * the sockets that match. Pure: filter in, bytes out, no I/O.
 *
 * The program accepts a socket exactly when the user-space filter's port and address tests
 * (filter.c) do: some --port equals the local or the remote port, and the local address lies in
 * some --local prefix, and the remote address in some --remote prefix (an absent option passes).
 * States and families are not in it: they are the request's idiag_states and family. The caller
 * still runs the user-space filter on what comes back, so a kernel that refuses the program
 * costs time, never correctness. */
#ifndef CW_DIAG_BYTECODE_H
#define CW_DIAG_BYTECODE_H

#include <stdint.h>

struct filter;

/* Room for the largest program the option limits allow (diag_bytecode.c checks it). */
#define DIAG_BYTECODE_MAX 2048

struct diag_bytecode {
	uint32_t len; /* bytes of code used; 0: nothing to test, send no attribute */
	uint8_t code[DIAG_BYTECODE_MAX] __attribute__((aligned(4)));
};

/* Writes the program for f's ports and prefixes into out (len 0 when f has none). */
void diag_bytecode_build(const struct filter *f, struct diag_bytecode *out);

#endif
