/*
 * bench/bare_dump: the floor for `connwatch list` — the same sock_diag requests, nothing else.
 *
 *   bare_dump [-s STATE_MASK] [-i] [-U] [-1]
 *
 * Sends the requests src/source_netlink.c sends for a default `connwatch list` (one legacy
 * TCPDIAG_GETSOCK request served as AF_UNSPEC, state mask 0xffe minus LISTEN, no extensions, a
 * 32 KiB receive buffer, then one UDP dump per family) and only counts the socket messages.
 * Prints "sockets=N tcp=N udp=N" on stderr so hyperfine's output redirection does not hide it.
 *   -s MASK  TCP state mask (default 0xbfe: every state but LISTEN, as `connwatch list`)
 *   -i       ask for tcp_info (INET_DIAG_INFO), as views that need it do
 *   -U       skip the UDP dumps
 *   -1       TCP per family (two SOCK_DIAG_BY_FAMILY requests) instead of one AF_UNSPEC walk
 * Written with plain sockets, not libmnl, so the floor carries no library cost; the requests come
 * from src/sock_diag_req.h, the same builders src/source_netlink.c uses.
 */
#include "sock_diag_req.h"
#include "states.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_BUF_SIZE 32768

/* Sends one dump request and counts socket messages until NLMSG_DONE. Returns the count or -1. */
static long dump_count(int fd, uint16_t type, const void *req, size_t req_len)
{
	struct {
		struct nlmsghdr nlh;
		char body[sizeof(struct inet_diag_req_v2) > sizeof(struct inet_diag_req)
		              ? sizeof(struct inet_diag_req_v2)
		              : sizeof(struct inet_diag_req)];
	} msg;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = (uint32_t)NLMSG_LENGTH(req_len);
	msg.nlh.nlmsg_type = type;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = 1;
	memcpy(msg.body, req, req_len);
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (sendto(fd, &msg, msg.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) <
	    0) {
		perror("bare_dump: sendto");
		return -1;
	}
	static char buf[RECV_BUF_SIZE] __attribute__((aligned(8)));
	long count = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("bare_dump: recv");
			return -1;
		}
		if (n == 0) {
			fprintf(stderr, "bare_dump: the kernel closed the dump early\n");
			return -1;
		}
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "bare_dump: the kernel refused the dump\n");
				return -1;
			}
			count++;
		}
	}
}

static long dump_v2(int fd, int family, int protocol, uint32_t states, uint8_t ext)
{
	struct inet_diag_req_v2 r = sock_diag_req_v2(family, protocol, states, ext);
	return dump_count(fd, SOCK_DIAG_BY_FAMILY, &r, sizeof(r));
}

int main(int argc, char **argv)
{
	/* What a default `connwatch list` asks for: every state but LISTEN. */
	uint32_t states = TCP_STATES_ALL & ~TCP_STATE_BIT(TCP_ST_LISTEN);
	bool info = false, udp = true, per_family = false;
	int opt;
	while ((opt = getopt(argc, argv, "s:iU1h")) != -1) {
		switch (opt) {
		case 's': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 0);
			if (errno || end == optarg || *end || v > 0xffffffffu) {
				fprintf(stderr, "bare_dump: -s: '%s' is not a state mask\n",
				        optarg);
				return 2;
			}
			states = (uint32_t)v;
			break;
		}
		case 'i':
			info = true;
			break;
		case 'U':
			udp = false;
			break;
		case '1':
			per_family = true;
			break;
		default:
			fprintf(stderr, "usage: bare_dump [-s STATE_MASK] [-i] [-U] [-1]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("bare_dump: socket");
		return 1;
	}
	uint8_t ext = info ? (uint8_t)(1u << (INET_DIAG_INFO - 1)) : 0;
	long tcp;
	if (per_family) {
		long a = dump_v2(fd, AF_INET, IPPROTO_TCP, states, ext);
		long b = a < 0 ? -1 : dump_v2(fd, AF_INET6, IPPROTO_TCP, states, ext);
		tcp = b < 0 ? -1 : a + b;
	} else {
		struct inet_diag_req r = sock_diag_req_tcp_both(states, ext);
		tcp = dump_count(fd, TCPDIAG_GETSOCK, &r, sizeof(r));
	}
	long u = 0;
	if (tcp >= 0 && udp) {
		long a = dump_v2(fd, AF_INET, IPPROTO_UDP, TCP_STATES_ALL, 0);
		long b = a < 0 ? -1 : dump_v2(fd, AF_INET6, IPPROTO_UDP, TCP_STATES_ALL, 0);
		u = b < 0 ? -1 : a + b;
	}
	close(fd);
	if (tcp < 0 || u < 0)
		return 1;
	fprintf(stderr, "sockets=%ld tcp=%ld udp=%ld\n", tcp + u, tcp, u);
	return 0;
}
