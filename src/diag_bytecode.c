/*
 * inet_diag bytecode for the filter's ports and prefixes.
 *
 * How the kernel runs it (net/ipv4/inet_diag.c, inet_diag_bc_run): a sequence of operations,
 * each a struct inet_diag_bc_op {code, yes, no} that may carry data. An operation that holds
 * moves on by `yes` bytes, one that fails by `no` bytes; JMP always fails. The socket is accepted
 * when the walk lands exactly on the end and refused when it jumps past it (ss jumps 4 bytes
 * past). The kernel's audit (inet_diag_bc_audit) walks the `yes` chain and requires that chain to
 * reach every operation and every `no` to land on an operation of that chain or on end / end + 4,
 * so `yes` is always the operation's own length here: "holds" means "fall through".
 *
 * The filter is an AND of up to three OR groups (ports, local prefixes, remote prefixes). A group
 * of tests t1..tn is laid out as
 *     t1 [JMP -> group end] t2 [JMP -> group end] ... tn
 * where a failing ti (i < n) skips its JMP to try the next test, a holding one falls into the JMP
 * and so past the rest of the group, and a failing tn rejects the socket. Falling out of the last
 * group accepts it.
 *
 * Every test is a host condition (S_COND for the local side, D_COND for the remote one): an
 * address prefix with port -1 (any), or, for --port, family AF_UNSPEC with prefix 0 and the port.
 * The port-only form exists since the bytecode does (Linux 2.6); the shorter S_EQ/D_EQ operations
 * would need Linux 4.17. A host condition with family AF_INET also matches IPv4-mapped IPv6
 * addresses of AF_INET6 sockets, as addr_prefix_match does.
 */
#include "diag_bytecode.h"

#include "filter.h"

#include <linux/inet_diag.h>
#include <string.h>
#include <sys/socket.h>

#define OP_LEN ((uint32_t)sizeof(struct inet_diag_bc_op))

/* One host condition before it is laid out. */
struct test {
	uint8_t code; /* INET_DIAG_BC_S_COND or INET_DIAG_BC_D_COND */
	uint8_t family;
	uint8_t prefix_len;
	int port; /* -1: any */
	const uint8_t *addr;
};

static uint32_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static uint32_t test_len(const struct test *t)
{
	return OP_LEN + (uint32_t)sizeof(struct inet_diag_hostcond) + addr_len(t->family);
}

/* The largest program: every port twice (either side), every prefix an IPv6 one, one JMP per
 * test. */
#define TEST_MAX_LEN (4 + 8 + 16)
_Static_assert(sizeof(struct inet_diag_bc_op) == 4 && sizeof(struct inet_diag_hostcond) == 8,
               "inet_diag ABI");
_Static_assert((2 * FILTER_MAX_PORTS) * (4 + 8 + 4) +
                       2 * FILTER_MAX_PREFIXES * (TEST_MAX_LEN + 4) <=
                   DIAG_BYTECODE_MAX,
               "DIAG_BYTECODE_MAX too small for the filter's limits");
_Static_assert(FILTER_MAX_PREFIXES <= 2 * FILTER_MAX_PORTS, "one test array serves every group");

static void put_op(uint8_t *at, uint8_t code, uint32_t yes, uint32_t no)
{
	struct inet_diag_bc_op op = {.code = code, .yes = (uint8_t)yes, .no = (uint16_t)no};
	memcpy(at, &op, sizeof(op));
}

static void put_test(uint8_t *at, const struct test *t, uint32_t no)
{
	put_op(at, t->code, test_len(t), no);
	struct inet_diag_hostcond c;
	memset(&c, 0, sizeof(c));
	c.family = t->family;
	c.prefix_len = t->prefix_len;
	c.port = t->port;
	memcpy(at + OP_LEN, &c, sizeof(c));
	if (addr_len(t->family))
		memcpy(at + OP_LEN + sizeof(c), t->addr, addr_len(t->family));
}

/* Lays out one OR group at out->len. The last test's `no` must reject; its place goes to
 * *reject_at for the caller to fill in once the program's end is known. */
static void put_group(struct diag_bytecode *out, const struct test *tests, unsigned int n,
                      uint32_t *reject_at)
{
	uint32_t group_len = 0;
	for (unsigned int i = 0; i < n; i++)
		group_len += test_len(&tests[i]) + (i + 1 < n ? OP_LEN : 0);
	uint32_t group_end = out->len + group_len;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t at = out->len, len = test_len(&tests[i]);
		if (i + 1 == n) {
			*reject_at = at;
			put_test(out->code + at, &tests[i], 0);
			out->len += len;
			break;
		}
		put_test(out->code + at, &tests[i], len + OP_LEN);
		put_op(out->code + at + len, INET_DIAG_BC_JMP, OP_LEN, group_end - (at + len));
		out->len += len + OP_LEN;
	}
}

static unsigned int prefix_tests(struct test *tests, uint8_t code, const struct addr_prefix *p,
                                 unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		tests[i] = (struct test){.code = code,
		                         .family = (uint8_t)p[i].family,
		                         .prefix_len = (uint8_t)p[i].bits,
		                         .port = -1,
		                         .addr = p[i].addr};
	return n;
}

void diag_bytecode_build(const struct filter *f, struct diag_bytecode *out)
{
	struct test tests[2 * FILTER_MAX_PORTS];
	uint32_t reject_at[3];
	unsigned int groups = 0;
	out->len = 0;
	if (f->port_count) {
		unsigned int n = 0;
		for (unsigned int i = 0; i < f->port_count; i++) {
			struct test t = {.family = AF_UNSPEC, .port = f->ports[i]};
			t.code = INET_DIAG_BC_S_COND;
			tests[n++] = t;
			t.code = INET_DIAG_BC_D_COND;
			tests[n++] = t;
		}
		put_group(out, tests, n, &reject_at[groups++]);
	}
	if (f->local_count)
		put_group(out, tests,
		          prefix_tests(tests, INET_DIAG_BC_S_COND, f->local, f->local_count),
		          &reject_at[groups++]);
	if (f->remote_count)
		put_group(out, tests,
		          prefix_tests(tests, INET_DIAG_BC_D_COND, f->remote, f->remote_count),
		          &reject_at[groups++]);
	/* Rejecting = jumping 4 bytes past the end (the largest jump the audit allows). */
	for (unsigned int g = 0; g < groups; g++) {
		struct inet_diag_bc_op op;
		memcpy(&op, out->code + reject_at[g], sizeof(op));
		op.no = (uint16_t)(out->len - reject_at[g] + OP_LEN);
		memcpy(out->code + reject_at[g], &op, sizeof(op));
	}
}
